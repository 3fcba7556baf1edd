//! X as a [`Channel`]: the registry's entry for the Account Activity + v2 adapter.

use std::collections::HashMap;

use hubert_core::Platform;

use super::{XCredentials, DM_MAX_CHARS, POST_MAX_WEIGHTED_LEN, SIGNATURE_HEADER};
use crate::channel::{
    ApiHost, Channel, ChannelRules, CredentialsError, HandshakeError, HandshakeReply, LengthLimit, LengthUnit,
    PrivateReplies, SafeChallenge, SendContext, X_HOST,
};
use crate::ids::IdShape;
use crate::{OutboundMessage, ParseError, ParsedDelivery, SendOutcome, VerifyError};

/// The header X signs deliveries with when the app uses OAuth 2.0 (preferred over
/// [`SIGNATURE_HEADER`] when both are present).
pub const OAUTH2_SIGNATURE_HEADER: &str = "x-twitter-webhooks-signature-oauth2";

/// X (Twitter).
#[derive(Debug, Clone, Copy, Default)]
pub struct XChannel;

impl Channel for XChannel {
    type Credentials = XCredentials;

    fn platform(&self) -> Platform {
        Platform::X
    }

    fn validate_credentials(&self, c: &XCredentials) -> Result<String, CredentialsError> {
        if [&c.user_id, &c.consumer_secret, &c.access_token]
            .iter()
            .any(|s| s.trim().is_empty())
        {
            return Err(CredentialsError::Incomplete("X"));
        }
        if !IdShape::XNumeric.matches(&c.user_id) {
            return Err(CredentialsError::Invalid(
                "user_id must be the X account's numeric id: digits only.".into(),
            ));
        }
        Ok(c.user_id.clone())
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        &[X_HOST]
    }

    fn challenge_param(&self) -> &'static str {
        "crc_token"
    }

    fn handshake(
        &self,
        creds: &XCredentials,
        challenge: SafeChallenge<'_>,
        _query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        Ok(HandshakeReply {
            content_type: "application/json",
            body: super::crc_response(&creds.consumer_secret, challenge.as_str()),
        })
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &[OAUTH2_SIGNATURE_HEADER, SIGNATURE_HEADER]
    }

    fn verify_signature(&self, creds: &XCredentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError> {
        super::verify_signature(&creds.consumer_secret, header, raw)
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        super::parse_delivery(raw)
    }

    async fn send(&self, ctx: SendContext<'_>, creds: &XCredentials, msg: &OutboundMessage) -> SendOutcome {
        super::send(ctx.http, ctx.urls.get(X_HOST), creds, msg).await
    }

    fn rules(&self) -> ChannelRules {
        ChannelRules {
            public_limit: LengthLimit {
                max: POST_MAX_WEIGHTED_LEN,
                unit: LengthUnit::Weighted,
            },
            private_limit: LengthLimit {
                max: DM_MAX_CHARS,
                unit: LengthUnit::Chars,
            },
            window: None,
            templates: false,
            private_replies: PrivateReplies::DirectMessage,
        }
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> crate::channel::futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        Box::pin(async { Box::new(crate::fake::FakeX::start().await) as Box<dyn crate::fake::FakePlatform> })
    }
}
