//! The shapes of conversations and messages as the REST API shows them, shared with the
//! pages' live updates. Typed, so the OpenAPI document is generated from the same
//! structs that are serialised. Times are epoch milliseconds. Credentials never appear.

use hubert_core::business::ProfileClock;
use hubert_core::sla::{self, SlaState, SlaStatus};
use hubert_store::{ConversationRow, MessageRow};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::presence::Viewer;

/// The service level of a conversation right now: waiting (inside / at risk / outside),
/// or the verdict on the last answer (met / missed). With the profile's clock, waiting is
/// measured in business time (and `paused_until` set while the clock stands still).
pub fn conversation_sla(c: &ConversationRow, clock: Option<&ProfileClock>, now: i64) -> SlaStatus {
    let level = c.service_level();
    if let Some(since) = c.waiting_since {
        return match clock {
            Some(clock) => sla::waiting_on(clock, since, now),
            None => sla::waiting(&level, since, now),
        };
    }
    match c.last_answer_ms {
        Some(ms) => sla::answered(&level, 0, ms),
        None => SlaStatus {
            state: SlaState::None,
            waiting_since: None,
            deadline: None,
            remaining_ms: None,
            response_ms: None,
            paused_until: None,
        },
    }
}

/// Where a conversation stands against its norm.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlaView {
    /// `inside`, `at_risk`, `outside` while waiting; `met` or `missed` once answered;
    /// `none` without a customer message.
    pub state: String,
    pub waiting_since: Option<i64>,
    pub deadline: Option<i64>,
    /// Business time left (negative once late).
    pub remaining_ms: Option<i64>,
    pub response_ms: Option<i64>,
    /// Outside opening hours while waiting: the clock stands still until this moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<i64>,
}

impl From<&SlaStatus> for SlaView {
    fn from(s: &SlaStatus) -> Self {
        let answered = s.response_ms.is_some();
        Self {
            state: s.state.as_str().to_owned(),
            waiting_since: if answered { None } else { s.waiting_since },
            deadline: if answered { None } else { s.deadline },
            remaining_ms: s.remaining_ms,
            response_ms: s.response_ms,
            paused_until: if answered { None } else { s.paused_until },
        }
    }
}

/// A person or contact by id and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: String,
    pub name: Option<String>,
}

/// The customer of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    pub name: Option<String>,
    /// `+316…` on WhatsApp, `@name` on X.
    pub handle: Option<String>,
}

/// A norm: this share of customer messages answered within this many minutes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceLevelView {
    pub threshold_minutes: i64,
    pub target_percent: f64,
}

/// A conversation in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: String,
    pub profile_id: String,
    pub profile_name: String,
    pub platform: String,
    pub contact: ContactView,
    /// `open`, `pending` or `resolved`.
    pub status: String,
    pub assignee: Option<PersonRef>,
    pub last_message_at: i64,
    pub last_customer_message_at: Option<i64>,
    pub snippet: String,
    /// `{"type":"private"}` or `{"type":"public_post","post_id":…}`.
    #[schema(value_type = Object)]
    pub reply_context: Value,
    pub service_level: ServiceLevelView,
    pub sla: SlaView,
}

impl ConversationView {
    pub fn new(c: &ConversationRow, clock: Option<&ProfileClock>, now: i64) -> Self {
        Self {
            id: c.id.clone(),
            profile_id: c.profile_id.clone(),
            profile_name: c.profile_name.clone(),
            platform: c.platform.as_str().to_owned(),
            contact: ContactView {
                id: c.contact_id.clone(),
                name: c.contact_name.clone(),
                handle: c.contact_handle.clone(),
            },
            status: c.status.as_str().to_owned(),
            assignee: c.assignee_id.as_ref().map(|id| PersonRef {
                id: id.clone(),
                name: c.assignee_name.clone(),
            }),
            last_message_at: c.last_message_at,
            last_customer_message_at: c.last_customer_message_at,
            snippet: c.last_snippet.clone(),
            reply_context: serde_json::from_str(&c.reply_context).unwrap_or(Value::Null),
            service_level: ServiceLevelView {
                threshold_minutes: c.threshold_minutes,
                target_percent: c.target_percent,
            },
            sla: SlaView::from(&conversation_sla(c, clock, now)),
        }
    }
}

/// One message of a thread: a customer's, ours, or an internal note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    /// `in`, `out` or `note`.
    pub direction: String,
    pub kind: String,
    pub text: Option<String>,
    pub summary: String,
    /// Platform details (media, quoted post, template …).
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub author: Option<PersonRef>,
    pub created_at: i64,
    /// `queued`, `sending`, `sent`, `delivered`, `read`, `failed`, `unknown`.
    pub delivery_status: Option<String>,
    pub delivery_error: Option<String>,
    pub answered_at: Option<i64>,
    /// Wall-clock time until the answer.
    pub response_ms: Option<i64>,
    /// The same in business time (opening hours of the calendar in force at arrival).
    pub business_response_ms: Option<i64>,
    pub no_reply_needed: bool,
    /// `hidden`, `removed` or `unsent` when the platform changed it (removed and unsent
    /// messages are redacted); absent when as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_state: Option<String>,
    /// When its author edited it on the platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_at: Option<i64>,
    /// Attachments (photos, video, audio, files): fetched from the platform and served by
    /// `GET /api/v1/media/{id}`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<crate::media::MediaInfo>,
}

impl From<&MessageRow> for MessageView {
    fn from(m: &MessageRow) -> Self {
        Self {
            id: m.id.clone(),
            direction: m.direction.as_str().to_owned(),
            kind: m.kind.clone(),
            text: m.text.clone(),
            summary: m.summary.clone(),
            metadata: serde_json::from_str(&m.metadata).unwrap_or(Value::Null),
            author: m.author_id.as_ref().map(|id| PersonRef {
                id: id.clone(),
                name: m.author_name.clone(),
            }),
            created_at: m.created_at,
            delivery_status: m.delivery_status.map(|d| d.as_str().to_owned()),
            delivery_error: m.delivery_error.clone(),
            answered_at: m.answered_at,
            response_ms: m.response_ms,
            business_response_ms: m.business_response_ms.or(m.response_ms),
            no_reply_needed: m.no_reply_needed != 0,
            platform_state: m.platform_state.clone(),
            edited_at: m.edited_at,
            media: Vec::new(),
        }
    }
}

/// A conversation with its thread, as `GET /conversations/{id}` answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationThread {
    #[serde(flatten)]
    pub conversation: ConversationView,
    pub messages: Vec<MessageView>,
    /// The contact's earlier (resolved) conversations.
    pub earlier: Vec<ConversationView>,
    /// Free text allowed now (WhatsApp: within 24 h of the customer's last message); the
    /// same as `reply_rules.window_open`.
    pub window_open: bool,
    /// The channel's rules for a reply in this conversation now (the composer shows them;
    /// the reply endpoint enforces them).
    pub reply_rules: ReplyRulesView,
    /// Ids of starred messages (the wall of love).
    pub starred: Vec<String>,
    pub viewers: Vec<Viewer>,
    pub now: i64,
}

/// How a reply's length is counted: Unicode characters, X's weighted characters, or
/// UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LengthUnitView {
    Chars,
    Weighted,
    Bytes,
}

impl From<hubert_channels::channel::LengthUnit> for LengthUnitView {
    fn from(unit: hubert_channels::channel::LengthUnit) -> Self {
        use hubert_channels::channel::LengthUnit;
        match unit {
            LengthUnit::Chars => LengthUnitView::Chars,
            LengthUnit::Weighted => LengthUnitView::Weighted,
            LengthUnit::Bytes => LengthUnitView::Bytes,
        }
    }
}

/// A conversation's reply rules, from its channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyRulesView {
    /// Longest plain reply in the conversation's own context (public post or message).
    pub max_length: usize,
    pub length_unit: LengthUnitView,
    /// Free text may be sent now.
    pub window_open: bool,
    /// When the messaging window closes (epoch ms), for channels with one.
    pub window_closes_at: Option<i64>,
    /// Only an approved template may be sent now.
    pub templates_required: bool,
    /// "Answer privately" is possible now (a DM on X; a private reply to a comment).
    pub can_reply_privately: bool,
    /// The one private reply to this comment was sent already.
    pub private_reply_used: bool,
    /// Messenger: the HUMAN_AGENT tag allows answers until then (epoch ms).
    pub human_agent_tag_until: Option<i64>,
    /// Longest private reply, when one is possible.
    pub private_max_length: Option<usize>,
    pub private_length_unit: Option<LengthUnitView>,
}

impl From<&hubert_channels::ReplyRules> for ReplyRulesView {
    fn from(r: &hubert_channels::ReplyRules) -> Self {
        Self {
            max_length: r.max_length,
            length_unit: r.length_unit.into(),
            window_open: r.window_open,
            window_closes_at: r.window_closes_at,
            templates_required: r.templates_required,
            can_reply_privately: r.can_reply_privately,
            private_reply_used: r.private_reply_used,
            human_agent_tag_until: r.human_agent_tag_until,
            private_max_length: r.private_max_length,
            private_length_unit: r.private_length_unit.map(Into::into),
        }
    }
}
