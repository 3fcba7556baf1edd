//! The one place a channel (a platform Hubert answers on) declares everything about
//! itself: the [`Channel`] trait, the object-safe [`DynChannel`] the rest of Hubert
//! calls, the opaque parsed [`Credentials`], and the [`registry`] of every channel.
//! Decision: `docs/decisions/0004-channel-abstraction.md`.
//!
//! # Adding a channel
//!
//! 1. Add a variant to `hubert_core::Platform` (its name, label, default service level).
//! 2. Write the channel's module in this crate (`src/<name>/`): pure parse / verify /
//!    send code plus one unit struct implementing [`Channel`].
//! 3. Add that struct to [`registry::CHANNELS`] (one line).
//!
//! Nothing else in Rust changes: profile creation, the webhook route
//! `/webhooks/{platform}/{profile}`, ingest, the delivery worker, the composer's
//! reply rules, the API base URL map and the test kit's fakes all go through the
//! registry.
//!
//! # What a channel implements
//!
//! | method | what | called by |
//! |---|---|---|
//! | [`Channel::platform`] | its `Platform` variant | registry lookups |
//! | `type Credentials` | the credentials struct: `Serialize + DeserializeOwned`, `Debug` **redacting secrets** | — |
//! | [`Channel::validate_credentials`] | checks a parsed credentials value, returns our account id at the platform | profile creation |
//! | [`Channel::api_hosts`] | the API hosts it sends to ([`ApiHost`]: env var + real default) | [`ApiUrls::from_env`] |
//! | [`Channel::challenge_param`] | the query parameter carrying the handshake's caller-chosen input (`hub.challenge`, `crc_token`, `challengeCode`) | handshake |
//! | [`Channel::handshake`] | answers the GET handshake, given a [`SafeChallenge`] | `GET /webhooks/{platform}/{profile}` |
//! | [`Channel::signature_headers`] | the header(s) carrying the delivery signature, first present wins | `POST /webhooks/…` |
//! | [`Channel::verify_signature`] | constant-time check over the **raw bytes** | ingest |
//! | [`Channel::parse_delivery`] | raw bytes → [`ParsedDelivery`] (events + rejected events) | ingest |
//! | [`Channel::send`] | one [`OutboundMessage`] → [`SendOutcome`] (public reply, DM, private reply to a comment) | delivery worker |
//! | [`Channel::rules`] | declarative [`ChannelRules`]: limits and units, window, templates, private replies | reply check, composer |
//! | [`Channel::reply_rules`] | (default from `rules`) the [`ReplyRules`] of one conversation now | conversation detail, reply check |
//! | [`Channel::private_context`] | (default from `rules`) where "answer privately" goes | reply |
//! | [`Channel::poll_recent`] | (default: none) recent events fetched from the platform, a safety net for missed webhooks | poll worker |
//! | `Channel::start_fake` | (feature `fake`) starts its fake platform | test kit, demo, benchmarks |
//!
//! # Rules every channel keeps
//!
//! - A handshake never signs or echoes caller-chosen input that could be a delivery:
//!   [`Channel::handshake`] only ever sees a [`SafeChallenge`], which the generic code
//!   builds after [`is_safe_challenge`]; a channel may refuse more (LinkedIn: only a UUID).
//! - Signatures are checked on the exact bytes received, in constant time, before parsing.
//! - Credentials are parsed and validated once (profile creation, or when a profile is
//!   loaded into the app's cache), never per delivery; their `Debug` hides secrets.
//! - Every platform id is validated before it reaches a URL (`crate::ids`).

mod credentials;
mod handshake;
mod hosts;
mod media;
pub mod registry;
mod rules;

use std::collections::HashMap;
use std::future::Future;

use hubert_core::Platform;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{OutboundMessage, ParseError, ParsedDelivery, ReplyContext, SendOutcome, VerifyError};

pub use credentials::{Credentials, CredentialsError};
pub use handshake::{is_safe_challenge, HandshakeError, HandshakeReply, SafeChallenge, MAX_CHALLENGE_LEN};
pub use hosts::{ApiHost, ApiUrls, GRAPH_HOST, INSTAGRAM_HOST, KNOWN_HOSTS, LINKEDIN_HOST, X_HOST};
pub use media::{direct_link, is_media_kind, media_url_sources, MediaFetch, MediaFetchError, MediaSource};
pub use registry::{channel, channel_by_name, channels, DynChannel};
pub use rules::{
    ChannelRules, ConversationFacts, LengthLimit, LengthUnit, MessagingWindow, PrivateReplies, ReplyRules,
};

/// What a send needs besides the credentials and the message.
#[derive(Clone, Copy)]
pub struct SendContext<'a> {
    pub http: &'a reqwest::Client,
    /// The base URL of every API host (real hosts, or the fakes in tests).
    pub urls: &'a ApiUrls,
    /// Now, epoch ms (the app's clock).
    pub now: i64,
    /// When the customer last wrote in this conversation (messaging windows: Messenger
    /// adds the `HUMAN_AGENT` tag between 24 h and 7 days).
    pub last_customer_message_at: Option<i64>,
    /// The reply answers a comment privately ([`PrivateReplies::OncePerComment`]): the
    /// agent chose "answer privately" and the message's context is the comment.
    pub private_reply: bool,
}

/// One platform Hubert answers on. Implemented by a unit struct in the channel's own
/// module and listed in [`registry::CHANNELS`]; see the module docs for the table.
pub trait Channel: Send + Sync + 'static {
    /// Parsed credentials. `Debug` must redact every secret.
    type Credentials: Serialize + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static;

    fn platform(&self) -> Platform;

    /// Checks credentials the admin entered (non-empty secrets, id shapes) and returns our
    /// account's id at the platform (the id deliveries carry).
    fn validate_credentials(&self, creds: &Self::Credentials) -> Result<String, CredentialsError>;

    /// The API hosts this channel sends to.
    fn api_hosts(&self) -> &'static [ApiHost];

    /// The query parameter carrying the handshake's challenge (checked with
    /// [`is_safe_challenge`] before [`Channel::handshake`] is called).
    fn challenge_param(&self) -> &'static str;

    /// Answers the webhook GET handshake for this profile.
    fn handshake(
        &self,
        creds: &Self::Credentials,
        challenge: SafeChallenge<'_>,
        query: &HashMap<String, String>,
    ) -> Result<HandshakeReply, HandshakeError>;

    /// Request headers that may carry the delivery signature; the first present wins.
    fn signature_headers(&self) -> &'static [&'static str];

    /// Checks the signature header over the raw body, in constant time.
    fn verify_signature(&self, creds: &Self::Credentials, header: Option<&str>, raw: &[u8]) -> Result<(), VerifyError>;

    /// Parses one (already verified) delivery.
    fn parse_delivery(&self, raw: &[u8]) -> Result<ParsedDelivery, ParseError>;

    /// Sends one message and maps the platform's answer to a [`SendOutcome`].
    fn send(
        &self,
        ctx: SendContext<'_>,
        creds: &Self::Credentials,
        msg: &OutboundMessage,
    ) -> impl Future<Output = SendOutcome> + Send;

    /// Hides (`true`) or unhides a customer's comment on the platform. Default: the
    /// channel cannot ([`SendOutcome::Failed`] with code `unsupported`).
    fn set_hidden(
        &self,
        ctx: SendContext<'_>,
        creds: &Self::Credentials,
        comment_id: &str,
        hidden: bool,
    ) -> impl Future<Output = SendOutcome> + Send {
        let _ = (ctx, creds, comment_id, hidden);
        std::future::ready(SendOutcome::Failed {
            code: "unsupported".into(),
            reason: "this platform cannot hide comments".into(),
        })
    }

    /// The channel's reply rules, as data.
    fn rules(&self) -> ChannelRules;

    /// The rules of one conversation at `facts.now`. The default derives them from
    /// [`Channel::rules`]; override only for rules data cannot express.
    fn reply_rules(&self, facts: &ConversationFacts<'_>) -> ReplyRules {
        self.rules().for_conversation(facts)
    }

    /// Where "answer privately" sends a reply given the conversation's context, or `None`
    /// when there is no private alternative. Default: with
    /// [`PrivateReplies::DirectMessage`] a public post or comment is answered by a direct
    /// message ([`ReplyContext::Private`]). A channel with
    /// [`PrivateReplies::OncePerComment`] must override this (its private reply to a
    /// comment is its own context); the reply use case refuses "answer privately" when
    /// the rules allow it but this returns `None`.
    fn private_context(&self, context: &ReplyContext) -> Option<ReplyContext> {
        match (self.rules().private_replies, context) {
            (_, ReplyContext::Private) | (PrivateReplies::None | PrivateReplies::OncePerComment, _) => None,
            (PrivateReplies::DirectMessage, ReplyContext::PublicPost { .. } | ReplyContext::PublicComment { .. }) => {
                Some(ReplyContext::Private)
            }
        }
    }

    /// The attachments of a parsed message to fetch. Default: a direct link in
    /// `metadata.media_url`.
    fn media_sources(&self, msg: &crate::InboundMessage) -> Vec<MediaSource> {
        media_url_sources(msg)
    }

    /// Where to fetch one attachment. Default: the source is the link, fetched without a
    /// token.
    fn media_fetch(
        &self,
        _ctx: SendContext<'_>,
        _creds: &Self::Credentials,
        source: &str,
    ) -> impl Future<Output = Result<MediaFetch, MediaFetchError>> + Send {
        std::future::ready(direct_link(source))
    }

    /// Events between `start_ms` and `end_ms` fetched from the platform's API, fed through
    /// the same ingest (and dedupe) as webhook deliveries: a safety net for missed
    /// webhooks. `None` (the default): the channel has no poll.
    fn poll_recent(
        &self,
        ctx: SendContext<'_>,
        creds: &Self::Credentials,
        start_ms: i64,
        end_ms: i64,
    ) -> impl Future<Output = Option<Result<ParsedDelivery, PollFailure>>> + Send {
        let _ = (ctx, creds, start_ms, end_ms);
        async { None }
    }

    /// Starts this channel's fake platform (tests, demo, benchmarks).
    #[cfg(feature = "fake")]
    fn start_fake(&self) -> futures_boxed::BoxFuture<'static, Box<dyn crate::fake::FakePlatform>>;
}

/// Why a poll of recent events failed: `code` is [`crate::TOKEN_EXPIRED`] when the
/// platform refused our token (reconnect the profile), else a short code; `reason` is a
/// Dutch sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollFailure {
    pub code: String,
    pub reason: String,
}

/// Boxed futures without a `futures` dependency.
pub mod futures_boxed {
    use std::future::Future;
    use std::pin::Pin;

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
}
