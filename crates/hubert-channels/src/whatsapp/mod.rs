//! WhatsApp Business Cloud API adapter: the GET verification handshake, the
//! `X-Hub-Signature-256` check, parsing `whatsapp_business_account` deliveries
//! ([`parse`]) and sending replies through the Graph API ([`send`]). Wire facts: channels.md §1–2.

mod channel;
mod inbound;
pub mod media;
mod outbound;

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::VerifyError;

pub use channel::{WhatsappChannel, MAX_TEXT_CHARS};
pub use inbound::{parse, parse_delivery};
pub use outbound::{send, send_with_timeout, GRAPH_API_VERSION};

/// Where the real Graph API lives.
pub const GRAPH_API_URL: &str = crate::channel::GRAPH_HOST.default_url;

/// The header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// What one WhatsApp business number needs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappCredentials {
    /// Our number's id (`metadata.phone_number_id`), also the send path segment.
    pub phone_number_id: String,
    /// System-user or business token for `Authorization: Bearer`.
    pub access_token: String,
    /// The app secret that signs webhook deliveries.
    pub app_secret: String,
    /// The token we chose for the GET verification handshake.
    pub verify_token: String,
}

impl std::fmt::Debug for WhatsappCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsappCredentials")
            .field("phone_number_id", &self.phone_number_id)
            .field("access_token", &"<redacted>")
            .field("app_secret", &"<redacted>")
            .field("verify_token", &"<redacted>")
            .finish()
    }
}

/// The GET handshake: given the query parameters (`hub.mode`, `hub.verify_token`,
/// `hub.challenge`), returns the challenge to echo as the plain-text body, or `None`
/// (answer 403) when the mode is not `subscribe` or the token does not match.
pub fn verify_handshake(query: &HashMap<String, String>, verify_token: &str) -> Option<String> {
    verify_handshake_parts(
        query.get("hub.mode").map(String::as_str),
        query.get("hub.verify_token").map(String::as_str),
        query.get("hub.challenge").map(String::as_str),
        verify_token,
    )
}

/// [`verify_handshake`] with the three parameters already picked out.
pub fn verify_handshake_parts(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    verify_token: &str,
) -> Option<String> {
    let (mode, token, challenge) = (mode?, token?, challenge?);
    if mode != "subscribe" || verify_token.is_empty() {
        return None;
    }
    let token_matches: bool = token.as_bytes().ct_eq(verify_token.as_bytes()).into();
    token_matches.then(|| challenge.to_string())
}

/// Checks `X-Hub-Signature-256: sha256=<hex>` = HMAC-SHA256(app secret, raw body), in
/// constant time, on the exact bytes received.
pub fn verify_signature(app_secret: &str, header: Option<&str>, raw_body: &[u8]) -> Result<(), VerifyError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(VerifyError::MissingSignature)?;
    let hex_digest = strip_prefix_ignore_case(header, "sha256=").ok_or(VerifyError::BadSignature)?;
    let claimed = hex::decode(hex_digest).map_err(|_| VerifyError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).map_err(|_| VerifyError::BadSignature)?;
    mac.update(raw_body);
    mac.verify_slice(&claimed).map_err(|_| VerifyError::BadSignature)
}

pub(crate) fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const VECTOR_SECRET: &str = "meta-app-secret";
    const VECTOR_BODY: &[u8] = br#"{"object":"page","entry":[]}"#;
    const VECTOR_SIGNATURE: &str = "sha256=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ed";

    #[test]
    fn known_vector_verifies() {
        assert_eq!(
            verify_signature(VECTOR_SECRET, Some(VECTOR_SIGNATURE), VECTOR_BODY),
            Ok(())
        );
        let upper = VECTOR_SIGNATURE.to_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(verify_signature(VECTOR_SECRET, Some(&upper), VECTOR_BODY), Ok(()));
    }

    #[test]
    fn missing_wrong_or_garbled_signatures_are_refused() {
        assert_eq!(
            verify_signature(VECTOR_SECRET, None, VECTOR_BODY),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            verify_signature(VECTOR_SECRET, Some(""), VECTOR_BODY),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            verify_signature("other", Some(VECTOR_SIGNATURE), VECTOR_BODY),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify_signature(VECTOR_SECRET, Some("sha256=zz"), VECTOR_BODY),
            Err(VerifyError::BadSignature)
        );
        let no_prefix = VECTOR_SIGNATURE.trim_start_matches("sha256=");
        assert_eq!(
            verify_signature(VECTOR_SECRET, Some(no_prefix), VECTOR_BODY),
            Err(VerifyError::BadSignature)
        );
        let body_with_space = br#"{"object": "page","entry":[]}"#;
        assert_eq!(
            verify_signature(VECTOR_SECRET, Some(VECTOR_SIGNATURE), body_with_space),
            Err(VerifyError::BadSignature)
        );
    }

    proptest! {
        #[test]
        fn a_tampered_body_never_verifies(body in proptest::collection::vec(any::<u8>(), 1..256), index in any::<usize>(), flip in 1u8..=255) {
            let mut mac = Hmac::<Sha256>::new_from_slice(VECTOR_SECRET.as_bytes()).unwrap();
            mac.update(&body);
            let header = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
            prop_assert_eq!(verify_signature(VECTOR_SECRET, Some(&header), &body), Ok(()));
            let mut tampered = body.clone();
            let at = index % tampered.len();
            tampered[at] ^= flip;
            prop_assert_eq!(verify_signature(VECTOR_SECRET, Some(&header), &tampered), Err(VerifyError::BadSignature));
        }
    }

    #[test]
    fn handshake_echoes_the_challenge_only_for_the_right_token() {
        let mut query = HashMap::new();
        query.insert("hub.mode".to_string(), "subscribe".to_string());
        query.insert("hub.verify_token".to_string(), "geheim".to_string());
        query.insert("hub.challenge".to_string(), "1158201444".to_string());
        assert_eq!(verify_handshake(&query, "geheim"), Some("1158201444".to_string()));
        assert_eq!(verify_handshake(&query, "anders"), None);
        assert_eq!(verify_handshake(&query, ""), None);
        query.insert("hub.mode".to_string(), "unsubscribe".to_string());
        assert_eq!(verify_handshake(&query, "geheim"), None);
        assert_eq!(
            verify_handshake_parts(Some("subscribe"), None, Some("1"), "geheim"),
            None
        );
    }

    #[test]
    fn credentials_debug_hides_secrets() {
        let creds = WhatsappCredentials {
            phone_number_id: "209876543210987".into(),
            access_token: "EAAtoken".into(),
            app_secret: "s3cret".into(),
            verify_token: "vt".into(),
        };
        let shown = format!("{creds:?}");
        assert!(shown.contains("209876543210987"));
        assert!(!shown.contains("EAAtoken") && !shown.contains("s3cret"));
    }
}
