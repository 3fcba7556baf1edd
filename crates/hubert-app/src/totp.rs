//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), as every authenticator
//! app speaks them: HMAC-SHA1, 6 digits, 30-second steps, the secret in base32. Pure
//! functions; the second sign-in step in [`crate::two_factor`] uses them.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits in a code.
pub const DIGITS: u32 = 6;
/// Bytes of a generated secret (160 bits, the size RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Steps before and after now a code is still accepted (clock drift of a phone).
const DRIFT_STEPS: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding (how authenticator apps show and read secrets).
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            let idx = (n >> (35 - i * 5)) & 31;
            out.push(char::from(BASE32[idx as usize]));
        }
    }
    out
}

/// Reads base32 (any case, spaces and padding ignored); `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u64, 0u32);
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'=' | b'-')) {
        let v = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())?;
        acc = (acc << 5) | v as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The HOTP value of `secret` at `counter` (RFC 4226 §5.3), as a number below 10^6.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let bin = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    bin % 10u32.pow(DIGITS)
}

/// The step a moment (epoch milliseconds) falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// The code for the step of `now_ms`, zero-padded (what the phone shows).
pub fn code_at(secret: &[u8], now_ms: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step_at(now_ms).max(0) as u64),
        width = DIGITS as usize
    )
}

/// Whether `code` (spaces allowed) is right for now or a neighbouring step; returns the
/// step it matched, so a caller can refuse a code used before (`after_step`: the last
/// step accepted for this secret). Every candidate step is compared, in constant time.
pub fn verify(secret: &[u8], code: &str, now_ms: i64, after_step: Option<i64>) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_at(now_ms);
    let mut matched = None;
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        if step < 0 {
            continue;
        }
        let expected = format!("{:0width$}", hotp(secret, step as u64), width = DIGITS as usize);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && after_step.is_none_or(|last| step > last) && matched.is_none() {
            matched = Some(step);
        }
    }
    matched
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_uri(secret_b32: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => char::from(b).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits there; the last 6 are ours).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (secs, eight) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(code_at(secret, secs * 1000), eight[2..], "at {secs}");
        }
    }

    #[test]
    fn rfc_4226_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (i, want) in expected.iter().enumerate() {
            assert_eq!(hotp(b"12345678901234567890", i as u64), *want);
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert!(base32_decode("MZ1W").is_none());
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn a_code_is_good_one_step_either_way_and_only_once() {
        let secret = b"12345678901234567890";
        let now = 1_234_567_890_000;
        let code = code_at(secret, now);
        let step = verify(secret, &code, now, None).expect("valid now");
        assert_eq!(verify(secret, &code, now + 30_000, None), Some(step));
        assert_eq!(verify(secret, &code, now + 90_000, None), None);
        assert_eq!(verify(secret, &code, now, Some(step)), None, "replay");
        assert_eq!(verify(secret, "12345", now, None), None);
        assert_eq!(verify(secret, "abcdef", now, None), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(secret, &spaced, now, None), Some(step));
    }

    #[test]
    fn the_uri_escapes_issuer_and_account() {
        let uri = otpauth_uri("ABC", "Hubert Zonnestroom", "an@x.nl");
        assert_eq!(
            uri,
            "otpauth://totp/Hubert%20Zonnestroom:an@x.nl?secret=ABC&issuer=Hubert%20Zonnestroom&algorithm=SHA1&digits=6&period=30"
        );
    }
}
