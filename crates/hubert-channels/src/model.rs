//! The platform-neutral vocabulary every adapter speaks: inbound events (messages and
//! delivery statuses), outbound messages, send outcomes and the parse/verify errors.

use serde::{Deserialize, Serialize};

/// One thing a platform told us in a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
// Messages are most events and live briefly in one delivery's Vec: boxing them would
// cost an allocation each and change every match, to save bytes on rare updates.
#[allow(clippy::large_enum_variant)]
pub enum InboundEvent {
    Message(InboundMessage),
    Status(StatusUpdate),
    /// A known message changed on the platform (edited, hidden, removed, unsent).
    Update(MessageUpdate),
    /// "Everything we sent in this thread up to `watermark` is delivered/read" (Messenger).
    Watermark(WatermarkUpdate),
}

/// A change to a message we already have (Facebook comment verbs, Instagram unsends).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageUpdate {
    /// OUR account (Page id, Instagram account id).
    pub account_id: String,
    /// The message it concerns: comment id or message `mid`.
    pub platform_message_id: String,
    pub change: MessageChange,
    /// When the platform says it happened, epoch milliseconds.
    pub at: i64,
}

/// What happened to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MessageChange {
    /// The author edited it; the new text when the platform sent it.
    Edited {
        text: Option<String>,
    },
    /// Hidden from the public (by the Page or by the platform).
    Hidden,
    Unhidden,
    /// Deleted from the platform (a removed comment).
    Removed,
    /// The customer unsent it: redact its content (Instagram `is_deleted`).
    Unsent,
}

/// A delivery or read watermark: every message we sent to `contact_user_id` at or
/// before `watermark` (epoch ms) reached `status`; `mids`, when given, name some of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatermarkUpdate {
    pub account_id: String,
    /// The customer whose thread it is (PSID).
    pub contact_user_id: String,
    pub status: DeliveryStatus,
    /// Epoch milliseconds.
    pub watermark: i64,
    pub mids: Vec<String>,
    /// When the receipt was sent, epoch milliseconds.
    pub at: i64,
}

/// A message a customer sent us (or our own echo, see [`InboundMessage::from_us`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// Dedupe key: WhatsApp `wamid…`, X tweet `id_str` or DM event `id`.
    pub platform_message_id: String,
    /// OUR account: WhatsApp `metadata.phone_number_id`, X `for_user_id`.
    pub account_id: String,
    /// The customer (for our own echoes: the customer we wrote to, when known).
    pub contact: ContactInfo,
    pub kind: MessageKind,
    /// Text body or caption; `None` when the message has no text.
    pub text: Option<String>,
    /// Readable Dutch one-liner; equal to the text for plain text messages.
    pub summary: String,
    /// The platform-specific details (media id, mime, coordinates, quoted post, reply context).
    pub metadata: serde_json::Value,
    /// When the platform says it was sent, epoch milliseconds.
    pub sent_at: i64,
    pub reply_context: ReplyContext,
    /// Our own message echoed back by the platform.
    pub from_us: bool,
}

/// Who the customer is on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInfo {
    /// WhatsApp `wa_id`; X user `id_str`.
    pub platform_user_id: String,
    /// Display name (WhatsApp profile name, X name).
    pub name: Option<String>,
    /// WhatsApp `+316…`; X `@screen_name`.
    pub handle: Option<String>,
}

/// Where a reply to a message goes: privately to the contact, or publicly under a post.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReplyContext {
    Private,
    PublicPost {
        post_id: String,
    },
    /// A comment under a post (Facebook Page `feed`, Instagram `comments`): replies go
    /// under `comment_id` publicly, or privately as a private reply to it.
    PublicComment {
        /// The post (Facebook `pageid_postid`) or Instagram media id.
        post_id: String,
        comment_id: String,
        /// The post for a top-level comment, the parent comment for a reply.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        post_text: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        post_link: Option<String>,
    },
}

/// What sort of content a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Image,
    Video,
    Audio,
    Document,
    Sticker,
    Location,
    Contacts,
    Reaction,
    Interactive,
    Button,
    QuotedPost,
    System,
    Unsupported,
    /// An Instagram story reply or story mention.
    Story,
    /// A shared post, reel or link.
    Share,
}

impl MessageKind {
    pub const ALL: [MessageKind; 16] = [
        MessageKind::Text,
        MessageKind::Image,
        MessageKind::Video,
        MessageKind::Audio,
        MessageKind::Document,
        MessageKind::Sticker,
        MessageKind::Location,
        MessageKind::Contacts,
        MessageKind::Reaction,
        MessageKind::Interactive,
        MessageKind::Button,
        MessageKind::QuotedPost,
        MessageKind::System,
        MessageKind::Unsupported,
        MessageKind::Story,
        MessageKind::Share,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::Video => "video",
            MessageKind::Audio => "audio",
            MessageKind::Document => "document",
            MessageKind::Sticker => "sticker",
            MessageKind::Location => "location",
            MessageKind::Contacts => "contacts",
            MessageKind::Reaction => "reaction",
            MessageKind::Interactive => "interactive",
            MessageKind::Button => "button",
            MessageKind::QuotedPost => "quoted_post",
            MessageKind::System => "system",
            MessageKind::Unsupported => "unsupported",
            MessageKind::Story => "story",
            MessageKind::Share => "share",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A delivery receipt for a message we sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    pub account_id: String,
    pub platform_message_id: String,
    pub status: DeliveryStatus,
    /// Epoch milliseconds.
    pub at: i64,
    pub error: Option<PlatformError>,
}

/// How far an outbound message got (defined in `hubert-core`, where the store uses it).
pub use hubert_core::DeliveryStatus;

/// An error code the platform reported for a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformError {
    pub code: String,
    pub message: String,
}

/// One event of a delivery that could not be used (a missing field, an id of the wrong
/// shape): the reason and the event's own JSON, for quarantine. The rest of its delivery
/// is still stored and acknowledged, since platforms batch many events per delivery and
/// unsubscribe endpoints that keep failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedEvent {
    pub reason: String,
    pub raw: String,
}

/// A parsed delivery: the usable events and those rejected on their own.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedDelivery {
    pub events: Vec<InboundEvent>,
    pub rejected: Vec<RejectedEvent>,
    /// Well-formed events of a kind Hubert does not handle (page likes, ratings, lead
    /// forms, …): acknowledged, kept for inspection, never a reason to refuse.
    pub ignored: Vec<RejectedEvent>,
}

impl ParsedDelivery {
    /// Records one event's outcome: kept when parsed, rejected with its JSON when not.
    pub(crate) fn take(&mut self, raw: &serde_json::Value, parsed: Result<Option<InboundEvent>, ParseError>) {
        match parsed {
            Ok(Some(event)) => self.events.push(event),
            Ok(None) => {}
            Err(ParseError::Malformed(reason) | ParseError::Unsupported(reason)) => self.rejected.push(RejectedEvent {
                reason,
                raw: raw.to_string(),
            }),
        }
    }

    /// Keeps a well-formed event we do not handle, with why.
    pub(crate) fn ignore(&mut self, raw: &serde_json::Value, reason: impl Into<String>) {
        self.ignored.push(RejectedEvent {
            reason: reason.into(),
            raw: raw.to_string(),
        });
    }

    /// All or nothing: the events when none was rejected, else the first rejection
    /// (ignored events are not rejections).
    pub fn strict(self) -> Result<Vec<InboundEvent>, ParseError> {
        match self.rejected.into_iter().next() {
            None => Ok(self.events),
            Some(r) => Err(ParseError::Malformed(r.reason)),
        }
    }
}

/// Why a webhook body could not be turned into events. Either way the caller answers
/// HTTP 400 and quarantines the raw body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("malformed payload: {0}")]
    Malformed(String),
    #[error("unsupported payload: {0}")]
    Unsupported(String),
}

/// Why a webhook signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("signature header missing")]
    MissingSignature,
    #[error("signature does not match the body")]
    BadSignature,
}

/// A reply we want the platform to deliver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Our message uuid (WhatsApp echoes it as `biz_opaque_callback_data`).
    pub our_ref: String,
    /// The contact's `platform_user_id`.
    pub to: String,
    pub body: OutboundBody,
    pub context: ReplyContext,
    /// Platform id of the message this one quotes (WhatsApp contextual reply).
    pub quote_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboundBody {
    Text(String),
    Template { name: String, language: String },
}

/// The [`SendOutcome::Failed`] code of a send refused because the platform says our
/// token expired or was revoked (LinkedIn 401, Meta code 190): the app marks the profile
/// "opnieuw verbinden" instead of only failing the message.
pub const TOKEN_EXPIRED: &str = "token_expired";

/// What became of one send attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The platform took the message and gave it this id (not yet delivered).
    Accepted { platform_message_id: String },
    /// Try again later: rate limits, 5xx, the request never left.
    Retry {
        after: Option<std::time::Duration>,
        reason: String,
    },
    /// Permanent: no retry helps.
    Failed { code: String, reason: String },
    /// The request may have reached the platform: do NOT blindly resend; wait for the
    /// echo or status webhook first.
    Uncertain { reason: String },
}

impl SendOutcome {
    /// True when the platform refused our token ([`TOKEN_EXPIRED`]): reconnect the profile.
    pub fn is_token_expired(&self) -> bool {
        matches!(self, SendOutcome::Failed { code, .. } if code == TOKEN_EXPIRED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names_and_serde() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn statuses_only_move_forward_and_failed_is_terminal() {
        use DeliveryStatus::*;
        assert!(Sent.can_advance_to(Delivered));
        assert!(Sent.can_advance_to(Read));
        assert!(!Read.can_advance_to(Delivered));
        assert!(Read.can_advance_to(Failed));
        assert!(!Failed.can_advance_to(Read));
        assert!(!Delivered.can_advance_to(Unknown));
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(s.as_str()), s);
        }
        assert_eq!(DeliveryStatus::parse("played"), Read);
        assert_eq!(DeliveryStatus::parse("deleted"), Unknown);
    }
}
