//! The registry: every channel Hubert speaks, in [`CHANNELS`], and [`DynChannel`], the
//! object-safe face of [`Channel`] the rest of Hubert calls (credentials travel as the
//! opaque [`Credentials`]; a channel handed another channel's credentials refuses).

use std::collections::HashMap;

use hubert_core::Platform;

use super::futures_boxed::BoxFuture;
use super::{
    ApiHost, Channel, ChannelRules, ConversationFacts, Credentials, CredentialsError, HandshakeError, HandshakeReply,
    PollFailure, ReplyRules, SafeChallenge, SendContext,
};
use crate::{OutboundMessage, ParseError, ParsedDelivery, ReplyContext, SendOutcome, VerifyError};

/// Every channel, one line each. Adding a channel: add its line here.
pub static CHANNELS: &[&dyn DynChannel] = &[
    &crate::whatsapp::WhatsappChannel,
    &crate::x::XChannel,
    &crate::linkedin::LinkedinChannel,
    &crate::meta::FacebookChannel,
    &crate::meta::InstagramChannel,
];

/// Every registered channel.
pub fn channels() -> &'static [&'static dyn DynChannel] {
    CHANNELS
}

/// The channel of `platform`, when Hubert speaks it.
pub fn channel(platform: Platform) -> Option<&'static dyn DynChannel> {
    CHANNELS.iter().copied().find(|c| c.platform() == platform)
}

/// The channel called `name` (`Platform::as_str`), when Hubert speaks it.
pub fn channel_by_name(name: &str) -> Option<&'static dyn DynChannel> {
    Platform::parse(name).and_then(channel)
}

/// [`Channel`] without its associated type, for the registry. Implemented for every
/// `Channel`; see that trait for what each method means.
pub trait DynChannel: Send + Sync {
    fn platform(&self) -> Platform;
    /// Parses and validates credentials an admin entered.
    fn credentials_from_json(&self, value: serde_json::Value) -> Result<Credentials, CredentialsError>;
    /// Parses credentials as stored (validated when they were created).
    fn credentials_from_stored(&self, stored: &str) -> Result<Credentials, CredentialsError>;
    fn api_hosts(&self) -> &'static [ApiHost];
    fn challenge_param(&self) -> &'static str;
    fn handshake(
        &self,
        creds: &Credentials,
        challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError>;
    fn signature_headers(&self) -> &'static [&'static str];
    fn verify_signature(&self, creds: &Credentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError>;
    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError>;
    fn send<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        msg: &'a OutboundMessage,
    ) -> BoxFuture<'a, SendOutcome>;
    /// Hides or unhides a comment on the platform.
    fn set_hidden<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        comment_id: &'a str,
        hidden: bool,
    ) -> BoxFuture<'a, SendOutcome>;
    fn rules(&self) -> ChannelRules;
    fn reply_rules(&self, facts: &ConversationFacts<'_>) -> ReplyRules;
    fn private_context(&self, context: &ReplyContext) -> Option<ReplyContext>;
    fn media_sources(&self, msg: &crate::InboundMessage) -> Vec<super::MediaSource>;
    fn media_fetch<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        source: &'a str,
    ) -> BoxFuture<'a, Result<super::MediaFetch, super::MediaFetchError>>;
    /// `None` when the channel has no poll.
    fn poll_recent<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        start_ms: i64,
        end_ms: i64,
    ) -> BoxFuture<'a, Option<Result<ParsedDelivery, PollFailure>>>;
    #[cfg(feature = "fake")]
    fn start_fake(&self) -> BoxFuture<'static, Box<dyn crate::fake::FakePlatform>>;
}

impl std::fmt::Debug for dyn DynChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Channel({})", self.platform())
    }
}

fn typed<C: Channel>(creds: &Credentials) -> Option<&C::Credentials> {
    creds.get::<C::Credentials>()
}

impl<C: Channel> DynChannel for C {
    fn platform(&self) -> Platform {
        Channel::platform(self)
    }

    fn credentials_from_json(&self, value: serde_json::Value) -> Result<Credentials, CredentialsError> {
        let platform = Channel::platform(self);
        let parsed: C::Credentials =
            serde_json::from_value(value).map_err(|_| CredentialsError::Incomplete(platform.label()))?;
        let account_id = self.validate_credentials(&parsed)?;
        let stored = serde_json::to_string(&parsed).map_err(|e| CredentialsError::Invalid(e.to_string()))?;
        Ok(Credentials::new(platform, account_id, stored, parsed))
    }

    fn credentials_from_stored(&self, stored: &str) -> Result<Credentials, CredentialsError> {
        let value =
            serde_json::from_str(stored).map_err(|_| CredentialsError::Incomplete(Channel::platform(self).label()))?;
        self.credentials_from_json(value)
    }

    fn api_hosts(&self) -> &'static [ApiHost] {
        Channel::api_hosts(self)
    }

    fn challenge_param(&self) -> &'static str {
        Channel::challenge_param(self)
    }

    fn handshake(
        &self,
        creds: &Credentials,
        challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError> {
        let creds =
            typed::<C>(creds).ok_or_else(|| HandshakeError::Refused("credentials of another platform".into()))?;
        Channel::handshake(self, creds, challenge, query)
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        Channel::signature_headers(self)
    }

    fn verify_signature(&self, creds: &Credentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError> {
        let creds = typed::<C>(creds).ok_or(VerifyError::BadSignature)?;
        Channel::verify_signature(self, creds, header, raw)
    }

    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError> {
        Channel::parse_delivery(self, raw)
    }

    fn media_sources(&self, msg: &crate::InboundMessage) -> Vec<super::MediaSource> {
        Channel::media_sources(self, msg)
    }

    fn media_fetch<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        source: &'a str,
    ) -> BoxFuture<'a, Result<super::MediaFetch, super::MediaFetchError>> {
        match typed::<C>(creds) {
            Some(creds) => Box::pin(Channel::media_fetch(self, ctx, creds, source)),
            None => Box::pin(async { Err(super::MediaFetchError::Gone("credentials of another platform".into())) }),
        }
    }

    fn send<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        msg: &'a OutboundMessage,
    ) -> BoxFuture<'a, SendOutcome> {
        match typed::<C>(creds) {
            Some(creds) => Box::pin(Channel::send(self, ctx, creds, msg)),
            None => Box::pin(async {
                SendOutcome::Failed {
                    code: "credentials".into(),
                    reason: "the profile's credentials belong to another platform".into(),
                }
            }),
        }
    }

    fn set_hidden<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        comment_id: &'a str,
        hidden: bool,
    ) -> BoxFuture<'a, SendOutcome> {
        match typed::<C>(creds) {
            Some(creds) => Box::pin(Channel::set_hidden(self, ctx, creds, comment_id, hidden)),
            None => Box::pin(async {
                SendOutcome::Failed {
                    code: "credentials".into(),
                    reason: "the profile's credentials belong to another platform".into(),
                }
            }),
        }
    }

    fn rules(&self) -> ChannelRules {
        Channel::rules(self)
    }

    fn reply_rules(&self, facts: &ConversationFacts<'_>) -> ReplyRules {
        Channel::reply_rules(self, facts)
    }

    fn private_context(&self, context: &ReplyContext) -> Option<ReplyContext> {
        Channel::private_context(self, context)
    }

    fn poll_recent<'a>(
        &'a self,
        ctx: SendContext<'a>,
        creds: &'a Credentials,
        start_ms: i64,
        end_ms: i64,
    ) -> BoxFuture<'a, Option<Result<ParsedDelivery, PollFailure>>> {
        match typed::<C>(creds) {
            Some(creds) => Box::pin(Channel::poll_recent(self, ctx, creds, start_ms, end_ms)),
            None => Box::pin(async { None }),
        }
    }

    #[cfg(feature = "fake")]
    fn start_fake(&self) -> BoxFuture<'static, Box<dyn crate::fake::FakePlatform>> {
        Channel::start_fake(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_is_registered_once_and_found_by_name() {
        for c in channels() {
            assert!(std::ptr::addr_eq(channel(c.platform()).unwrap(), *c));
            assert!(channel_by_name(c.platform().as_str()).is_some());
        }
        let mut platforms: Vec<_> = channels().iter().map(|c| c.platform()).collect();
        platforms.dedup();
        assert_eq!(platforms.len(), channels().len());
        assert!(channel_by_name("facebook").is_none() || channel(Platform::Facebook).is_some());
        assert!(channel_by_name("nope").is_none());
    }

    #[test]
    fn credentials_of_one_channel_are_refused_by_another() {
        let wa = channel(Platform::Whatsapp).unwrap();
        let x = channel(Platform::X).unwrap();
        let creds = wa
            .credentials_from_json(serde_json::json!({
                "phone_number_id": "209876543210987", "access_token": "tok",
                "app_secret": "zz-app-secret", "verify_token": "vt"
            }))
            .unwrap();
        assert_eq!(creds.account_id(), "209876543210987");
        assert!(!format!("{creds:?}").contains("zz-app"));
        assert_eq!(
            x.verify_signature(&creds, Some("sha256=AAAA"), b"{}"),
            Err(VerifyError::BadSignature)
        );
        let again = wa.credentials_from_stored(creds.to_stored_json()).unwrap();
        assert_eq!(again.account_id(), creds.account_id());
        assert!(x
            .credentials_from_json(serde_json::json!({"phone_number_id": "1"}))
            .is_err());
    }
}
