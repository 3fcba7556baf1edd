//! WhatsApp as a [`Channel`]: the registry's entry for the Cloud API adapter.

use std::collections::HashMap;

use hubert_core::Platform;

use super::{WhatsappCredentials, SIGNATURE_HEADER};
use crate::channel::{
    ApiHost, Channel, ChannelRules, CredentialsError, HandshakeError, HandshakeReply, LengthLimit, LengthUnit,
    MessagingWindow, PrivateReplies, SafeChallenge, SendContext, GRAPH_HOST,
};
use crate::ids::IdShape;
use crate::{OutboundMessage, ParseError, ParsedDelivery, SendOutcome, VerifyError};

/// The longest WhatsApp text message.
pub const MAX_TEXT_CHARS: usize = 4096;

/// WhatsApp Business Cloud API.
#[derive(Debug, Clone, Copy, Default)]
pub struct WhatsappChannel;

impl Channel for WhatsappChannel {
    type Credentials = WhatsappCredentials;

    fn platform(&self) -> Platform {
        Platform::Whatsapp
    }

    fn validate_credentials(&self, c: &WhatsappCredentials) -> Result<String, CredentialsError> {
        if [&c.phone_number_id, &c.access_token, &c.app_secret, &c.verify_token]
            .iter()
            .any(|s| s.trim().is_empty())
        {
            return Err(CredentialsError::Incomplete("WhatsApp"));
        }
        if !IdShape::WhatsappNumber.matches(&c.phone_number_id) {
            return Err(CredentialsError::Invalid(
                "phone_number_id must be the number's id: digits only.".into(),
            ));
        }
        Ok(c.phone_number_id.clone())
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        &[GRAPH_HOST]
    }

    fn challenge_param(&self) -> &'static str {
        "hub.challenge"
    }

    fn handshake(
        &self,
        creds: &WhatsappCredentials,
        _challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        super::verify_handshake(query, &creds.verify_token)
            .map(|body| HandshakeReply {
                content_type: "text/plain; charset=utf-8",
                body,
            })
            .ok_or_else(|| HandshakeError::Refused("the verify token does not match".into()))
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &[SIGNATURE_HEADER]
    }

    fn verify_signature(
        &self,
        creds: &WhatsappCredentials,
        header: Option<&str>,
        raw: &[u8],
    ) -> Result<(), VerifyError> {
        super::verify_signature(&creds.app_secret, header, raw)
    }

    fn media_sources(&self, msg: &crate::InboundMessage) -> Vec<crate::channel::MediaSource> {
        super::media::media_sources(msg)
    }

    async fn media_fetch(
        &self,
        ctx: SendContext<'_>,
        creds: &WhatsappCredentials,
        source: &str,
    ) -> Result<crate::channel::MediaFetch, crate::channel::MediaFetchError> {
        super::media::media_fetch(ctx.http, ctx.urls.get(GRAPH_HOST), creds, source).await
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        super::parse_delivery(raw)
    }

    async fn send(&self, ctx: SendContext<'_>, creds: &WhatsappCredentials, msg: &OutboundMessage) -> SendOutcome {
        super::send(ctx.http, ctx.urls.get(GRAPH_HOST), creds, msg).await
    }

    fn rules(&self) -> ChannelRules {
        let chars = LengthLimit {
            max: MAX_TEXT_CHARS,
            unit: LengthUnit::Chars,
        };
        ChannelRules {
            public_limit: chars,
            private_limit: chars,
            window: Some(MessagingWindow::DAY),
            templates: true,
            private_replies: PrivateReplies::None,
        }
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> crate::channel::futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        Box::pin(async { Box::new(crate::fake::FakeGraph::start().await) as Box<dyn crate::fake::FakePlatform> })
    }
}
