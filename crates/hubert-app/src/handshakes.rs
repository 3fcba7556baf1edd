//! Webhook handshakes: the WhatsApp verify-token GET and the X CRC challenge.
//!
//! A handshake that answers a keyed hash of caller-chosen input is a signing oracle:
//! X signs deliveries with the same HMAC it asks us to compute over `crc_token`, so
//! answering CRC for a token that looks like a JSON body would sign a forged delivery.
//! We therefore answer only tokens that can never be a delivery body (a strict
//! character set without `{`, `"` or whitespace, and a bounded length), and limit how
//! often each webhook URL answers. The WhatsApp handshake echoes the challenge without
//! hashing it; it is shape-checked and limited the same way. Every failure looks the
//! same from outside (401 `unauthorized`), whether the profile exists or not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hubert_core::limits::RateLimiter;
use hubert_core::Platform;

use crate::ingest::WebhookError;
use crate::App;

/// Handshakes per webhook URL: a burst of 10, then 30 a minute (X repeats CRC about
/// hourly and on every re-validation; Meta once per subscription).
const HANDSHAKE_BURST: u32 = 10;
const HANDSHAKES_PER_MINUTE: u32 = 30;
/// Webhook URLs whose handshake rate is remembered.
const HANDSHAKE_KEYS: usize = 10_000;
/// The longest CRC token or challenge we answer.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// Per-URL handshake limiter, shared by the app's clones.
#[derive(Clone)]
pub(crate) struct HandshakeLimiter(Arc<Mutex<RateLimiter>>);

impl Default for HandshakeLimiter {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(RateLimiter::new(
            HANDSHAKE_BURST,
            HANDSHAKES_PER_MINUTE,
            HANDSHAKE_KEYS,
        ))))
    }
}

/// True for a CRC token or challenge that can never be a webhook body: 1 to 256 of
/// `A-Z a-z 0-9 - _ . ~ + / =` (base64 and URL-safe tokens fit; JSON cannot).
pub fn is_safe_challenge(token: &str) -> bool {
    (1..=MAX_CHALLENGE_LEN).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'='))
}

impl App {
    /// Rate limit per webhook URL, before any lookup. Only well-formed profile ids get a
    /// bucket (a key is at most an id long, so the limiter's memory stays small).
    fn handshake_allowed(&self, platform: Platform, profile_id: &str) -> Result<(), WebhookError> {
        if !hubert_core::ids::is_id(profile_id) {
            return Err(WebhookError::UnknownProfile);
        }
        let key = format!("{}/{profile_id}", platform.as_str());
        let mut limiter = self.handshake_limiter.0.lock().expect("handshake limiter lock");
        limiter
            .take(&key, self.now())
            .map_err(|wait_ms| WebhookError::RateLimited {
                retry_after_ms: wait_ms,
            })
    }

    /// The JSON answer to X's CRC GET, or why not.
    pub async fn x_crc(&self, profile_id: &str, crc_token: Option<&str>) -> Result<String, WebhookError> {
        let token = crc_token.filter(|t| is_safe_challenge(t)).ok_or_else(|| {
            WebhookError::BadRequest("crc_token must be 1 to 256 characters of A-Z a-z 0-9 - _ . ~ + / =".into())
        })?;
        self.handshake_allowed(Platform::X, profile_id)?;
        let profile = self.webhook_profile(profile_id, Platform::X).await?;
        let creds: hubert_channels::x::XCredentials =
            serde_json::from_str(&profile.credentials).map_err(|_| WebhookError::Unavailable)?;
        Ok(hubert_channels::x::crc_response(&creds.consumer_secret, token))
    }

    /// The challenge to echo for Meta's verification GET, or why not.
    pub async fn whatsapp_handshake(
        &self,
        profile_id: &str,
        query: &HashMap<String, String>,
    ) -> Result<String, WebhookError> {
        if !query.get("hub.challenge").is_some_and(|c| is_safe_challenge(c)) {
            return Err(WebhookError::BadRequest(
                "hub.challenge must be 1 to 256 characters of A-Z a-z 0-9 - _ . ~ + / =".into(),
            ));
        }
        self.handshake_allowed(Platform::Whatsapp, profile_id)?;
        let profile = self.webhook_profile(profile_id, Platform::Whatsapp).await?;
        let creds: hubert_channels::whatsapp::WhatsappCredentials =
            serde_json::from_str(&profile.credentials).map_err(|_| WebhookError::Unavailable)?;
        hubert_channels::whatsapp::verify_handshake(query, &creds.verify_token)
            .ok_or_else(|| WebhookError::Unauthorized("the verify token does not match".into()))
    }
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
        }
        assert!(!is_safe_challenge(&"a".repeat(257)));
    }
}
