//! LinkedIn as a [`Channel`]: the registry's entry for the organisation page adapter
//! (comments and mentions; no direct messages), plus its poll of recent notifications
//! as a safety net for missed webhooks.

use std::collections::HashMap;

use hubert_core::Platform;

use super::{LinkedinCredentials, PollError, COMMENT_MAX_CHARS, SIGNATURE_HEADER};
use crate::channel::{
    ApiHost, Channel, ChannelRules, CredentialsError, HandshakeError, HandshakeReply, LengthLimit, LengthUnit,
    PollFailure, PrivateReplies, SafeChallenge, SendContext, LINKEDIN_HOST,
};
use crate::{OutboundMessage, ParseError, ParsedDelivery, SendOutcome, VerifyError, TOKEN_EXPIRED};

/// LinkedIn organisation pages (Community Management API).
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkedinChannel;

impl Channel for LinkedinChannel {
    type Credentials = LinkedinCredentials;

    fn platform(&self) -> Platform {
        Platform::Linkedin
    }

    fn validate_credentials(&self, c: &LinkedinCredentials) -> Result<String, CredentialsError> {
        if [&c.organization_urn, &c.access_token, &c.client_secret]
            .iter()
            .any(|s| s.trim().is_empty())
        {
            return Err(CredentialsError::Incomplete("LinkedIn"));
        }
        c.validate().map_err(|e| CredentialsError::Invalid(e.to_string()))?;
        Ok(c.organization_urn.clone())
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        &[LINKEDIN_HOST]
    }

    fn challenge_param(&self) -> &'static str {
        "challengeCode"
    }

    /// Answers only a UUID `challengeCode` (channels.md §6a): never a keyed hash of
    /// anything that could be a delivery.
    fn handshake(
        &self,
        creds: &LinkedinCredentials,
        challenge: SafeChallenge<'_>,
        _query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        super::challenge_response(&creds.client_secret, challenge.as_str())
            .map(|body| HandshakeReply {
                content_type: "application/json",
                body,
            })
            .ok_or_else(|| HandshakeError::Refused("challengeCode is not a UUID".into()))
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE_HEADER]
    }

    fn verify_signature(
        &self,
        creds: &LinkedinCredentials,
        header: Option<&str>,
        raw: &[u8],
    ) -> Result<(), VerifyError> {
        super::verify_signature(&creds.client_secret, header, raw)
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        super::parse_delivery(raw)
    }

    async fn send(&self, ctx: SendContext<'_>, creds: &LinkedinCredentials, msg: &OutboundMessage) -> SendOutcome {
        super::send(ctx.http, ctx.urls.get(LINKEDIN_HOST), creds, msg).await
    }

    /// Public comments only, counted in characters; no window, no templates, no private
    /// replies (LinkedIn has no API for messages to pages).
    fn rules(&self) -> ChannelRules {
        let chars = LengthLimit {
            max: COMMENT_MAX_CHARS,
            unit: LengthUnit::Chars,
        };
        ChannelRules {
            public_limit: chars,
            private_limit: chars,
            window: None,
            templates: false,
            private_replies: PrivateReplies::None,
        }
    }

    async fn poll_recent(
        &self,
        ctx: SendContext<'_>,
        creds: &LinkedinCredentials,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<Result<ParsedDelivery, PollFailure>> {
        let polled = super::poll(ctx.http, ctx.urls.get(LINKEDIN_HOST), creds, start_ms, end_ms).await;
        Some(polled.map_err(poll_failure))
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> crate::channel::futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        Box::pin(async { Box::new(crate::fake::FakeLinkedin::start().await) as Box<dyn crate::fake::FakePlatform> })
    }
}

fn poll_failure(error: PollError) -> PollFailure {
    let code = match &error {
        PollError::TokenExpired => TOKEN_EXPIRED,
        PollError::Retry { .. } => "retry",
        PollError::Failed(_) => "refused",
        PollError::Malformed(_) => "malformed",
    };
    PollFailure {
        code: code.to_string(),
        reason: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{channel, is_safe_challenge};

    fn creds() -> serde_json::Value {
        serde_json::json!({"organization_urn": "urn:li:organization:10203040",
                           "access_token": "li-token", "client_secret": "li-client-secret"})
    }

    #[test]
    fn registered_with_its_credentials_and_the_uuid_handshake() {
        let li = channel(Platform::Linkedin).expect("LinkedIn is registered");
        let c = li.credentials_from_json(creds()).unwrap();
        assert_eq!(c.account_id(), "urn:li:organization:10203040");
        assert!(!format!("{c:?}").contains("li-client-secret"));
        let uuid = "890e4665-4dfe-4ab1-b689-ed553bceeed0";
        assert!(is_safe_challenge(uuid), "a UUID passes the generic check first");
        let reply = li
            .handshake(&c, SafeChallenge::new(uuid).unwrap(), &HashMap::new())
            .unwrap();
        assert_eq!(reply.content_type, "application/json");
        assert!(reply
            .body
            .contains("313e20a5110164b82333ba6cb7cdad9e864a8e809bb93b22935d24b57f42823f"));
        assert!(li
            .handshake(&c, SafeChallenge::new("crc-1234").unwrap(), &HashMap::new())
            .is_err());
        let mut bad = creds();
        bad["organization_urn"] = "urn:li:person:abc".into();
        assert!(li.credentials_from_json(bad).is_err());
    }

    #[test]
    fn rules_are_public_comments_of_1250_characters() {
        let rules = LinkedinChannel.rules();
        assert_eq!(rules.public_limit.max, COMMENT_MAX_CHARS);
        assert_eq!(rules.public_limit.unit, LengthUnit::Chars);
        assert!(rules.window.is_none() && !rules.templates);
        assert_eq!(rules.private_replies, PrivateReplies::None);
        assert_eq!(Platform::Linkedin.default_service_level().threshold_minutes, 30);
        assert_eq!(Platform::Linkedin.default_service_level().target_percent, 95.0);
    }

    #[test]
    fn a_401_on_the_poll_is_token_expired() {
        assert_eq!(poll_failure(PollError::TokenExpired).code, TOKEN_EXPIRED);
    }
}
