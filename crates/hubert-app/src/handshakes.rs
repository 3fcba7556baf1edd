//! Webhook handshakes for every channel (WhatsApp verify-token GET, X CRC, …): one use
//! case, [`App::webhook_handshake`], the channel answering through the registry.
//!
//! A handshake that answers a keyed hash of caller-chosen input is a signing oracle:
//! X signs deliveries with the same HMAC it asks us to compute over `crc_token`, so
//! answering CRC for a token that looks like a JSON body would sign a forged delivery.
//! We therefore answer only tokens that can never be a delivery body (a strict
//! character set without `{`, `"` or whitespace, and a bounded length: the channel only
//! ever receives a [`SafeChallenge`]), and limit how often each webhook URL answers.
//! Echoed challenges (Meta) are shape-checked and limited the same way. Every failure
//! looks the same from outside (401 `unauthorized`), whether the profile exists or not.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use hubert_channels::channel::{is_safe_challenge, MAX_CHALLENGE_LEN};
use hubert_channels::channel::{HandshakeError, HandshakeReply, SafeChallenge};
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

    /// Answers the GET handshake of `platform`'s webhook for `profile_id`, or why not:
    /// `UnknownPlatform` when Hubert has no such channel, `BadRequest` for an unsafe
    /// challenge (checked before anything else), then the rate limit, the profile and
    /// the channel's own check.
    pub async fn webhook_handshake(
        &self,
        platform: &str,
        profile_id: &str,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, WebhookError> {
        let channel = hubert_channels::channel_by_name(platform).ok_or(WebhookError::UnknownPlatform)?;
        let param = channel.challenge_param();
        let challenge = query.get(param).and_then(|c| SafeChallenge::new(c)).ok_or_else(|| {
            WebhookError::BadRequest(format!(
                "{param} must be 1 to 256 characters of A-Z a-z 0-9 - _ . ~ + / ="
            ))
        })?;
        self.handshake_allowed(channel.platform(), profile_id)?;
        let profile = self.webhook_profile(profile_id, channel.platform()).await?;
        channel
            .handshake(&profile.credentials, challenge, query)
            .map_err(|HandshakeError::Refused(reason)| WebhookError::Unauthorized(reason))
    }
}
