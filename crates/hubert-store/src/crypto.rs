//! Secrets at rest: the one place that encrypts and decrypts. XChaCha20-Poly1305 (the
//! `chacha20poly1305` crate) with a fresh random 24-byte nonce per value and the row's
//! identity as associated data, so a value copied to another row does not open.
//!
//! A sealed value is text: `enc:v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. The
//! version names the format, the key id (8 hex digits of a SHA-256 over the key) says which
//! key sealed it, so "wrong key", "altered or moved" and "not encrypted yet" are told
//! apart without guessing. Key material lives in [`SecretKey`], zeroed on drop.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// What every sealed value starts with, whatever its version.
pub const SEALED_PREFIX: &str = "enc:";
/// The current format.
const V1: &str = "enc:v1:";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// A 256-bit key. Its bytes are zeroed when it is dropped and never printed: `Debug`
/// shows the key id only.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl SecretKey {
    /// 32 fresh bytes from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// Parses 32 bytes in standard base64 (as `HUBERT_SECRET_KEY` and the key file hold
    /// them; surrounding white space is ignored).
    pub fn from_base64(text: &str) -> Result<Self, InvalidKey> {
        let decoded = Zeroizing::new(BASE64.decode(text.trim()).map_err(|_| InvalidKey::NotBase64)?);
        if decoded.len() != 32 {
            return Err(InvalidKey::Length(decoded.len()));
        }
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(&decoded);
        Ok(Self(bytes))
    }

    /// The key in standard base64, for writing the key file.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(self.0.as_ref()))
    }

    /// A short public name for the key: safe to log, print and store.
    pub fn id(&self) -> KeyId {
        let mut hasher = Sha256::new();
        hasher.update(b"hubert key id\0");
        hasher.update(self.0.as_ref());
        let digest = hasher.finalize();
        KeyId([digest[0], digest[1], digest[2], digest[3]])
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        // The cipher keeps a copy of the key and zeroes it on drop (ZeroizeOnDrop).
        XChaCha20Poly1305::new(self.0.as_ref().into())
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id())
    }
}

/// Why a text is not a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKey {
    #[error("it is not standard base64")]
    NotBase64,
    #[error("it decodes to {0} bytes instead of 32")]
    Length(usize),
}

/// The public name of a key: the first 4 bytes of SHA-256("hubert key id\0" ‖ key), in hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId([u8; 4]);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl KeyId {
    fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut id = [0u8; 4];
        for (i, byte) in id.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Self(id))
    }
}

/// Why a stored value did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Not a sealed value at all (e.g. plain text from before encryption).
    NotSealed,
    /// Starts like a sealed value but is not one this version understands.
    Malformed,
    /// Sealed with another key.
    OtherKey(KeyId),
    /// Sealed with this key but it does not authenticate: altered, or sealed for
    /// another row (different associated data).
    Forged,
}

/// Whether `stored` is a sealed value (of any version) rather than plain text.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The id of the key that sealed `stored`, if it is a sealed value of a known version.
pub fn sealed_with(stored: &str) -> Option<KeyId> {
    let rest = stored.strip_prefix(V1)?;
    let (id, _) = rest.split_once(':')?;
    KeyId::parse(id)
}

/// Encrypts `plaintext` under `key`, bound to `associated_data` (the row it belongs to).
pub fn seal(key: &SecretKey, associated_data: &[u8], plaintext: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    OsRng.fill_bytes(&mut nonce);
    let sealed = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: associated_data,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any message of this size");
    let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&sealed);
    format!("{V1}{}:{}", key.id(), BASE64.encode(&blob))
}

/// Decrypts a value made by [`seal`] with the same key and associated data.
pub fn open(key: &SecretKey, associated_data: &[u8], stored: &str) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    if !is_sealed(stored) {
        return Err(OpenError::NotSealed);
    }
    let id = sealed_with(stored).ok_or(OpenError::Malformed)?;
    if id != key.id() {
        return Err(OpenError::OtherKey(id));
    }
    let encoded = &stored[V1.len() + 9..];
    let blob = BASE64.decode(encoded).map_err(|_| OpenError::Malformed)?;
    if blob.len() < NONCE_LEN + TAG_LEN {
        return Err(OpenError::Malformed);
    }
    let (nonce, sealed) = blob.split_at(NONCE_LEN);
    let plain = key
        .cipher()
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: associated_data,
            },
        )
        .map_err(|_| OpenError::Forged)?;
    Ok(Zeroizing::new(plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AD: &[u8] = b"profiles.credentials:0190-a";
    const SECRET: &[u8] = br#"{"app_secret":"very-secret-123"}"#;

    #[test]
    fn a_sealed_value_opens_with_the_same_key_and_row() {
        let key = SecretKey::generate();
        let sealed = seal(&key, AD, SECRET);
        assert!(sealed.starts_with(&format!("enc:v1:{}:", key.id())), "{sealed}");
        assert!(!sealed.contains("very-secret"));
        assert_eq!(open(&key, AD, &sealed).unwrap().as_slice(), SECRET);
    }

    #[test]
    fn every_seal_uses_a_fresh_nonce() {
        let key = SecretKey::generate();
        assert_ne!(seal(&key, AD, SECRET), seal(&key, AD, SECRET));
    }

    #[test]
    fn a_changed_byte_anywhere_in_the_ciphertext_is_refused() {
        let key = SecretKey::generate();
        let sealed = seal(&key, AD, SECRET);
        let prefix_len = V1.len() + 9;
        let mut blob = BASE64.decode(&sealed[prefix_len..]).unwrap();
        for i in 0..blob.len() {
            blob[i] ^= 0x01;
            let tampered = format!("{}{}", &sealed[..prefix_len], BASE64.encode(&blob));
            assert_eq!(open(&key, AD, &tampered), Err(OpenError::Forged), "byte {i}");
            blob[i] ^= 0x01;
        }
        let truncated = format!("{}{}", &sealed[..prefix_len], BASE64.encode(&blob[..30]));
        assert_eq!(open(&key, AD, &truncated), Err(OpenError::Malformed));
    }

    #[test]
    fn another_key_is_recognised_by_its_id_and_cannot_open_even_when_the_id_is_forged() {
        let key = SecretKey::generate();
        let other = SecretKey::generate();
        let sealed = seal(&key, AD, SECRET);
        assert_eq!(open(&other, AD, &sealed), Err(OpenError::OtherKey(key.id())));
        let relabelled = sealed.replacen(&key.id().to_string(), &other.id().to_string(), 1);
        assert_eq!(open(&other, AD, &relabelled), Err(OpenError::Forged));
    }

    #[test]
    fn a_value_sealed_for_one_row_does_not_open_for_another() {
        let key = SecretKey::generate();
        let sealed = seal(&key, AD, SECRET);
        assert_eq!(
            open(&key, b"profiles.credentials:0190-b", &sealed),
            Err(OpenError::Forged)
        );
    }

    #[test]
    fn plain_text_and_garbage_are_told_apart() {
        let key = SecretKey::generate();
        assert_eq!(open(&key, AD, r#"{"app_secret":"x"}"#), Err(OpenError::NotSealed));
        assert!(!is_sealed(r#"{"app_secret":"x"}"#));
        for bad in ["enc:", "enc:v2:00000000:AAAA", "enc:v1:zz:AAAA", "enc:v1:0000000:AAAA"] {
            assert!(is_sealed(bad));
            assert_eq!(open(&key, AD, bad), Err(OpenError::Malformed), "{bad}");
        }
        let sealed = seal(&key, AD, SECRET);
        let broken = format!("{}!!", &sealed[..sealed.len() - 2]);
        assert_eq!(open(&key, AD, &broken), Err(OpenError::Malformed));
    }

    #[test]
    fn keys_round_trip_through_base64_and_bad_keys_are_named() {
        let key = SecretKey::generate();
        let again = SecretKey::from_base64(&format!(" {}\n", key.to_base64().as_str())).unwrap();
        assert_eq!(again.id(), key.id());
        assert_eq!(
            SecretKey::from_base64("not base64!").unwrap_err(),
            InvalidKey::NotBase64
        );
        assert_eq!(SecretKey::from_base64("AAAA").unwrap_err(), InvalidKey::Length(3));
        assert!(!format!("{key:?}").contains(key.to_base64().as_str()));
    }

    #[test]
    fn the_key_id_is_stable_for_a_known_key() {
        let key = SecretKey::from_base64(&BASE64.encode([7u8; 32])).unwrap();
        assert_eq!(key.id().to_string().len(), 8);
        assert_eq!(
            key.id(),
            SecretKey::from_base64(&BASE64.encode([7u8; 32])).unwrap().id()
        );
        assert_ne!(
            key.id(),
            SecretKey::from_base64(&BASE64.encode([8u8; 32])).unwrap().id()
        );
    }
}
