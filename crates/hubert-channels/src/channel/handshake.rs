//! Webhook handshakes, the channel-neutral part: the safe-challenge rule and the answer.
//!
//! A handshake that answers a keyed hash of caller-chosen input is a signing oracle:
//! X signs deliveries with the same HMAC it asks us to compute over `crc_token`, so
//! answering CRC for a token that looks like a JSON body would sign a forged delivery.
//! A channel therefore only ever sees a [`SafeChallenge`]: a token that can never be a
//! delivery body (a strict character set without `{`, `"` or whitespace, and a bounded
//! length). A channel may narrow it further (LinkedIn: a UUID only).

/// The longest CRC token or challenge we answer.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// True for a CRC token or challenge that can never be a webhook body: 1 to 256 of
/// `A-Z a-z 0-9 - _ . ~ + / =` (base64 and URL-safe tokens fit; JSON cannot).
pub fn is_safe_challenge(token: &str) -> bool {
    (1..=MAX_CHALLENGE_LEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'='))
}

/// A challenge that passed [`is_safe_challenge`]; the only way a channel gets one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeChallenge<'a>(&'a str);

impl<'a> SafeChallenge<'a> {
    /// `None` unless [`is_safe_challenge`] holds.
    pub fn new(token: &'a str) -> Option<Self> {
        is_safe_challenge(token).then_some(Self(token))
    }

    pub fn as_str(&self) -> &'a str {
        self.0
    }
}

/// The body (and its content type) answering a handshake GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeReply {
    pub content_type: &'static str,
    pub body: String,
}

/// Why a handshake was not answered. Answered as 401, like an unknown profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error("{0}")]
    Refused(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_json_body_is_a_safe_challenge() {
        assert!(is_safe_challenge("crc-1234"));
        assert!(is_safe_challenge("MTY4NDk0NDQ5Ng=="));
        assert!(is_safe_challenge("1158201444"));
        for body in [
            r#"{"for_user_id":"1600000000000000001","direct_message_events":[]}"#,
            "{}",
            "a b",
            "",
            "a\"b",
        ] {
            assert!(!is_safe_challenge(body), "{body}");
            assert!(SafeChallenge::new(body).is_none());
        }
        assert!(!is_safe_challenge(&"a".repeat(257)));
        assert_eq!(SafeChallenge::new("abc").map(|c| c.as_str()), Some("abc"));
    }
}
