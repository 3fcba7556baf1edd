//! X (Twitter) adapter: the CRC challenge answer, the `x-twitter-webhooks-signature`
//! check, parsing Account Activity API deliveries ([`parse`]) and sending replies and
//! DMs through API v2 ([`send`]). Wire facts: channels.md §5.

mod channel;
mod inbound;
mod outbound;
pub(crate) mod v1_date;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::VerifyError;

pub use channel::{XChannel, OAUTH2_SIGNATURE_HEADER};
pub use inbound::{parse, parse_delivery};
pub use outbound::{send, send_with_timeout, DM_MAX_CHARS, POST_MAX_WEIGHTED_LEN};

/// Where the real X API lives.
pub const X_API_URL: &str = crate::channel::X_HOST.default_url;

/// The header X signs Account Activity deliveries with.
pub const SIGNATURE_HEADER: &str = "x-twitter-webhooks-signature";

/// What one subscribed X account needs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XCredentials {
    /// Our account's user id (`for_user_id`).
    pub user_id: String,
    /// Consumer secret (or OAuth 2.0 client secret) that signs CRC answers and deliveries.
    pub consumer_secret: String,
    /// OAuth 2.0 user access token for `Authorization: Bearer`.
    pub access_token: String,
}

impl std::fmt::Debug for XCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XCredentials")
            .field("user_id", &self.user_id)
            .field("consumer_secret", &"<redacted>")
            .field("access_token", &"<redacted>")
            .finish()
    }
}

fn hmac_base64(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The JSON body answering a CRC GET: `{"response_token":"sha256=<base64>"}`.
pub fn crc_response(consumer_secret: &str, crc_token: &str) -> String {
    let token = format!("sha256={}", hmac_base64(consumer_secret, crc_token.as_bytes()));
    serde_json::json!({ "response_token": token }).to_string()
}

/// Checks `x-twitter-webhooks-signature: sha256=<base64>` = HMAC-SHA256(consumer
/// secret, raw body), in constant time, on the exact bytes received.
pub fn verify_signature(consumer_secret: &str, header: Option<&str>, raw_body: &[u8]) -> Result<(), VerifyError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(VerifyError::MissingSignature)?;
    let encoded = crate::whatsapp::strip_prefix_ignore_case(header, "sha256=").ok_or(VerifyError::BadSignature)?;
    let claimed = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| VerifyError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(consumer_secret.as_bytes()).map_err(|_| VerifyError::BadSignature)?;
    mac.update(raw_body);
    mac.verify_slice(&claimed).map_err(|_| VerifyError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SECRET: &str = "x-consumer-secret";
    const EVENT_BODY: &[u8] = br#"{"for_user_id":"1600000000000000001","favorite_events":[]}"#;
    const EVENT_SIGNATURE: &str = "sha256=6/wZCKS0afdzLDUKhCs7w02lujC6zZ/ONNq50EPXTt8=";

    #[test]
    fn crc_matches_the_design_doc_vector() {
        assert_eq!(
            crc_response(SECRET, "crc-1234"),
            r#"{"response_token":"sha256=5vUuvr96/YZTgHiYq+5b5e9NqYA1kV4u+H0Nq3C7dyc="}"#
        );
    }

    #[test]
    fn event_vector_verifies_and_tampering_does_not() {
        assert_eq!(verify_signature(SECRET, Some(EVENT_SIGNATURE), EVENT_BODY), Ok(()));
        assert_eq!(
            verify_signature(SECRET, None, EVENT_BODY),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            verify_signature("other", Some(EVENT_SIGNATURE), EVENT_BODY),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verify_signature(SECRET, Some("sha256=!!!"), EVENT_BODY),
            Err(VerifyError::BadSignature)
        );
        let tampered = br#"{"for_user_id":"1600000000000000002","favorite_events":[]}"#;
        assert_eq!(
            verify_signature(SECRET, Some(EVENT_SIGNATURE), tampered),
            Err(VerifyError::BadSignature)
        );
    }

    proptest! {
        #[test]
        fn a_tampered_body_never_verifies(body in proptest::collection::vec(any::<u8>(), 1..256), index in any::<usize>(), flip in 1u8..=255) {
            let header = format!("sha256={}", hmac_base64(SECRET, &body));
            prop_assert_eq!(verify_signature(SECRET, Some(&header), &body), Ok(()));
            let mut tampered = body.clone();
            let at = index % tampered.len();
            tampered[at] ^= flip;
            prop_assert_eq!(verify_signature(SECRET, Some(&header), &tampered), Err(VerifyError::BadSignature));
        }
    }
}
