//! LinkedIn organisation page adapter (Community Management API): the `challengeCode`
//! validation, the `X-LI-Signature` check, parsing organisation social-action
//! notifications (webhook deliveries and the poll's answer) into [`crate::InboundEvent`]s,
//! replying as the organisation under a post or comment, and the poll of recent
//! notifications. LinkedIn has no API for direct messages to pages: comments and
//! mentions only. Wire facts: channels.md §6.

mod channel;
mod inbound;
mod outbound;
mod poll;
pub mod urn;

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::VerifyError;

pub use channel::LinkedinChannel;
pub use inbound::{parse, parse_delivery, ENVELOPE_TYPE, UNKNOWN_MEMBER_NAME};
pub use outbound::{comment_request, send, send_with_timeout, CommentRequest, COMMENT_MAX_CHARS};
pub use poll::{fetch_post, parse_poll_response, poll, poll_url, FetchedPost, PollError, POLL_ACTIONS, POLL_PAGE_SIZE};

/// Where the real LinkedIn API lives.
pub const LINKEDIN_API_URL: &str = "https://api.linkedin.com";

/// The header LinkedIn signs webhook deliveries with.
pub const SIGNATURE_HEADER: &str = "X-LI-Signature";

/// The literal LinkedIn's documentation puts before the body (channels.md §6b).
pub const SIGNATURE_PREFIX: &str = "hmacsha256=";

/// The `LinkedIn-Version` (YYYYMM) we send; versions are sunset about a year after release.
pub const API_VERSION: &str = "202601";

/// The `X-Restli-Protocol-Version` every request carries.
pub const RESTLI_PROTOCOL_VERSION: &str = "2.0.0";

/// What one LinkedIn organisation page needs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedinCredentials {
    /// Our page, `urn:li:organization:<digits>`: the actor of our replies and the
    /// `organizationalEntity` of every notification.
    pub organization_urn: String,
    /// A page administrator's member token for `Authorization: Bearer` (60 days).
    pub access_token: String,
    /// The app's client secret: signs the challenge answer and every delivery.
    pub client_secret: String,
}

impl std::fmt::Debug for LinkedinCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkedinCredentials")
            .field("organization_urn", &self.organization_urn)
            .field("access_token", &"<redacted>")
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Why credentials were refused at profile creation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("credentials are not the JSON object {{\"organization_urn\",\"access_token\",\"client_secret\"}}")]
    NotJson,
    #[error("`organization_urn` must look like urn:li:organization:<digits>")]
    BadOrganizationUrn,
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
}

impl LinkedinCredentials {
    /// Parses and validates credentials JSON once, at profile creation.
    pub fn parse(json: &str) -> Result<Self, CredentialsError> {
        let creds: Self = serde_json::from_str(json).map_err(|_| CredentialsError::NotJson)?;
        creds.validate()?;
        Ok(creds)
    }

    /// Checks the URN shape and that the secrets are present.
    pub fn validate(&self) -> Result<(), CredentialsError> {
        if !urn::is_organization(&self.organization_urn) {
            return Err(CredentialsError::BadOrganizationUrn);
        }
        if self.access_token.trim().is_empty() {
            return Err(CredentialsError::Empty("access_token"));
        }
        if self.client_secret.is_empty() {
            return Err(CredentialsError::Empty("client_secret"));
        }
        Ok(())
    }
}

/// The API root: `base_url` + `/rest`, unless `base_url` already ends in `/rest` or
/// `/v2` (one integration needed the `/v2` prefix: channels.md §6e).
pub(crate) fn api_root(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.ends_with("/rest") || base.ends_with("/v2") {
        base.to_string()
    } else {
        format!("{base}/rest")
    }
}

fn hmac_sha256(secret: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length")
}

/// True for a UUID in its canonical text form (8-4-4-4-12 hex digits, any case).
pub fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The JSON body answering LinkedIn's validation GET:
/// `{"challengeCode":"<code>","challengeResponse":"<hex HMAC-SHA256(client secret, code)>"}`,
/// served with `Content-Type: application/json`. `None` (answer 400) unless the code is a
/// UUID: the answer is a keyed hash of caller-chosen input, and a UUID can never be a
/// delivery body (nor start with `hmacsha256=`), so the handshake cannot sign a forgery.
pub fn challenge_response(client_secret: &str, challenge_code: &str) -> Option<String> {
    if client_secret.is_empty() || !is_uuid(challenge_code) {
        return None;
    }
    let mut mac = hmac_sha256(client_secret);
    mac.update(challenge_code.as_bytes());
    let response = hex::encode(mac.finalize().into_bytes());
    Some(serde_json::json!({"challengeCode": challenge_code, "challengeResponse": response}).to_string())
}

/// [`challenge_response`] from the GET's query parameters (`challengeCode`; an
/// `applicationId` for parent/child apps is ignored).
pub fn verify_handshake(query: &HashMap<String, String>, client_secret: &str) -> Option<String> {
    challenge_response(client_secret, query.get("challengeCode")?)
}

/// Checks `X-LI-Signature` on the exact bytes received, in constant time, accepting both
/// readings of channels.md §6b: the header (an optional `hmacsha256=` prefix stripped,
/// hex in any case) must equal HMAC-SHA256(client secret, `"hmacsha256=" + body`) or
/// HMAC-SHA256(client secret, body).
pub fn verify_signature(client_secret: &str, header: Option<&str>, raw_body: &[u8]) -> Result<(), VerifyError> {
    let header = header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(VerifyError::MissingSignature)?;
    let hex_digest = crate::whatsapp::strip_prefix_ignore_case(header, SIGNATURE_PREFIX).unwrap_or(header);
    let claimed = hex::decode(hex_digest).map_err(|_| VerifyError::BadSignature)?;
    if client_secret.is_empty() || claimed.len() != 32 {
        return Err(VerifyError::BadSignature);
    }
    let mut prefixed = hmac_sha256(client_secret);
    prefixed.update(SIGNATURE_PREFIX.as_bytes());
    prefixed.update(raw_body);
    let mut plain = hmac_sha256(client_secret);
    plain.update(raw_body);
    // Both checks always run (no early exit), each in constant time.
    let reading_one = prefixed.verify_slice(&claimed).is_ok();
    let reading_two = plain.verify_slice(&claimed).is_ok();
    if reading_one | reading_two {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;
