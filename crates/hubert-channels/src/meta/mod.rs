//! Facebook (Messenger and Page comments) and Instagram (DMs, comments, mentions):
//! the shared Meta layer (the `hub.*` handshake, the `X-Hub-Signature-256` check, the
//! credentials), the parsers ([`facebook::parse_delivery`], [`instagram::parse_delivery`])
//! and the senders ([`facebook::send`], [`instagram::send`]) with their messaging-window
//! rule and Graph error table. Wire facts: channels.md §1, §3, §4.
//!
//! Pure: nothing here knows the store or the web layer; the app plugs these functions
//! into its channel registry.

mod channel;
mod credentials;
mod envelope;
pub mod facebook;
mod graph_errors;
pub mod instagram;
mod messaging;
mod outbound;
#[cfg(test)]
mod proptests;
mod routing;
mod window;

use std::collections::HashMap;

use subtle::ConstantTimeEq;

use crate::VerifyError;

pub use channel::{FacebookChannel, InstagramChannel, FACEBOOK_COMMENT_MAX_CHARS, INSTAGRAM_COMMENT_MAX_CHARS};
pub use credentials::{CredentialsError, FacebookCredentials, InstagramCredentials};
pub use graph_errors::{classify_graph_error, failure_sentence, FailureCode};
pub use messaging::Network;
pub use outbound::{
    classify_response, perform, plan_facebook, plan_instagram, send_facebook, send_instagram, MetaAction,
    PlannedRequest, INSTAGRAM_DM_MAX_BYTES, MESSENGER_MAX_CHARS, PRIVATE_REPLY_WINDOW_MS,
};
pub use routing::{split_by_account, AccountDelivery, SplitDelivery};
pub use window::{messaging_window, private_reply_allowed, MessagingWindow, HUMAN_AGENT_WINDOW_MS, STANDARD_WINDOW_MS};

/// Where the real Graph API lives (Facebook, and Instagram through a Page).
pub const GRAPH_API_URL: &str = "https://graph.facebook.com";
/// Where the real Instagram API (Instagram Login) lives.
pub const INSTAGRAM_API_URL: &str = "https://graph.instagram.com";
/// The Graph API version we send with (the same as WhatsApp's).
pub const GRAPH_API_VERSION: &str = crate::whatsapp::GRAPH_API_VERSION;
/// The header Meta signs deliveries with.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
/// The longest `hub.challenge` we echo.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// How the parsers treat echoes of sends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// Our Meta app id. An echo carrying it is our own send (a `sent` status for its
    /// `mid`, matched to the outbox); an echo with another app id or none was typed
    /// by a person in Meta Business Suite (an agent message, `from_us: true`). When
    /// `None`, every echo is reported as such an agent message, marked in its metadata
    /// with the app id it carried, and the caller matches it to the outbox by `mid`.
    pub our_app_id: Option<String>,
}

/// The GET handshake: given the query parameters (`hub.mode`, `hub.verify_token`,
/// `hub.challenge`), the challenge to echo as the plain-text body, or `None` (answer
/// 403) when the mode is not `subscribe`, the token does not match (compared in
/// constant time) or the challenge is not a safe token ([`is_safe_challenge`]).
pub fn verify_handshake(query: &HashMap<String, String>, verify_token: &str) -> Option<String> {
    let challenge = crate::whatsapp::verify_handshake(query, verify_token)?;
    is_safe_challenge(&challenge).then_some(challenge)
}

/// [`verify_handshake`] with the three parameters already picked out.
pub fn verify_handshake_parts(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    verify_token: &str,
) -> Option<String> {
    let (mode, token, challenge) = (mode?, token?, challenge?);
    if mode != "subscribe" || verify_token.is_empty() || !is_safe_challenge(challenge) {
        return None;
    }
    let token_matches: bool = token.as_bytes().ct_eq(verify_token.as_bytes()).into();
    token_matches.then(|| challenge.to_string())
}

/// True for a challenge that can never be a webhook body: 1 to 256 of
/// `A-Z a-z 0-9 - _ . ~ + / =` (Meta sends an integer; JSON cannot fit).
pub fn is_safe_challenge(token: &str) -> bool {
    (1..=MAX_CHALLENGE_LEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'='))
}

/// Checks `X-Hub-Signature-256: sha256=<hex>` = HMAC-SHA256(app secret, raw body), in
/// constant time, on the exact bytes received (the same rule as WhatsApp's).
pub fn verify_signature(app_secret: &str, header: Option<&str>, raw_body: &[u8]) -> Result<(), VerifyError> {
    if app_secret.is_empty() {
        return Err(VerifyError::BadSignature);
    }
    crate::whatsapp::verify_signature(app_secret, header, raw_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(mode: &str, token: &str, challenge: &str) -> HashMap<String, String> {
        [
            ("hub.mode", mode),
            ("hub.verify_token", token),
            ("hub.challenge", challenge),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn handshake_echoes_only_safe_challenges_for_the_right_token() {
        assert_eq!(
            verify_handshake(&query("subscribe", "geheim", "1158201444"), "geheim"),
            Some("1158201444".into())
        );
        assert_eq!(
            verify_handshake(&query("subscribe", "fout", "1158201444"), "geheim"),
            None
        );
        assert_eq!(verify_handshake(&query("subscribe", "", "1"), ""), None);
        assert_eq!(verify_handshake(&query("unsubscribe", "geheim", "1"), "geheim"), None);
        for unsafe_challenge in [
            r#"{"object":"page","entry":[]}"#,
            "<script>",
            "a b",
            "",
            &"9".repeat(257),
        ] {
            assert_eq!(
                verify_handshake(&query("subscribe", "geheim", unsafe_challenge), "geheim"),
                None,
                "{unsafe_challenge}"
            );
            assert_eq!(
                verify_handshake_parts(Some("subscribe"), Some("geheim"), Some(unsafe_challenge), "geheim"),
                None
            );
        }
        assert_eq!(
            verify_handshake_parts(Some("subscribe"), Some("geheim"), Some("42"), "geheim"),
            Some("42".into())
        );
    }

    #[test]
    fn the_design_doc_vector_verifies_and_an_empty_secret_never_does() {
        let body = br#"{"object":"page","entry":[]}"#;
        let header = "sha256=5dcb51eb590634700c8d9cc1fde4d2d5981ca7bb83f250eb3fb71bfd849057ed";
        assert_eq!(verify_signature("meta-app-secret", Some(header), body), Ok(()));
        assert_eq!(verify_signature("", Some(header), body), Err(VerifyError::BadSignature));
        assert_eq!(
            verify_signature("meta-app-secret", None, body),
            Err(VerifyError::MissingSignature)
        );
    }
}
