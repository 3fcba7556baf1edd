//! Plain rows as the store returns them. Both drivers decode these same structs.

use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UserRow {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    /// Set when an admin deactivated the user (a leaver): no sign-in, no sessions.
    pub deactivated_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub workspace_id: String,
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// An API token as stored (never its hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub role: String,
    pub created_at: i64,
    /// Who made it: a user id, `token:<id>` or `cli`.
    pub created_by: String,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenRow {
    /// Whether the token still opens the API at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|t| t > now)
    }
}

/// One entry of the audit log, with the actor's name when it is a user or a token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub actor: String,
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: String,
    pub client: String,
    pub detail: String,
    pub at: i64,
}

/// A connected account ("webcareprofiel"). `credentials` is JSON with secrets: never
/// serialise it into a response. The store encrypts it at rest; rows it returns carry the
/// plain JSON.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProfileRow {
    pub id: String,
    pub workspace_id: String,
    #[sqlx(try_from = "String")]
    pub platform: hubert_core::Platform,
    pub name: String,
    pub account_id: String,
    pub credentials: String,
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub created_at: i64,
    /// Set when an admin disconnected the profile: no webhooks, no sends; history stays.
    pub disconnected_at: Option<i64>,
}

impl ProfileRow {
    pub fn service_level(&self) -> hubert_core::ServiceLevel {
        hubert_core::ServiceLevel {
            threshold_minutes: self.threshold_minutes,
            target_percent: self.target_percent,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TemplateRow {
    pub id: String,
    pub profile_id: String,
    pub name: String,
    pub language: String,
    pub body: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ContactRow {
    pub id: String,
    pub profile_id: String,
    pub platform_user_id: String,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub created_at: i64,
}

/// A conversation with what the inbox needs of its contact and profile.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ConversationRow {
    pub id: String,
    pub workspace_id: String,
    pub profile_id: String,
    pub contact_id: String,
    #[sqlx(try_from = "String")]
    pub status: hubert_core::ConversationStatus,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub waiting_since: Option<i64>,
    pub last_customer_message_at: Option<i64>,
    pub last_message_at: i64,
    pub last_snippet: String,
    pub last_answer_ms: Option<i64>,
    pub reply_context: String,
    pub created_at: i64,
    pub updated_at: i64,
    #[sqlx(try_from = "String")]
    pub platform: hubert_core::Platform,
    pub profile_name: String,
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub contact_name: Option<String>,
    pub contact_handle: Option<String>,
    pub contact_platform_user_id: String,
}

impl ConversationRow {
    pub fn service_level(&self) -> hubert_core::ServiceLevel {
        hubert_core::ServiceLevel {
            threshold_minutes: self.threshold_minutes,
            target_percent: self.target_percent,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MessageRow {
    pub id: String,
    pub conversation_id: String,
    #[sqlx(try_from = "String")]
    pub direction: hubert_core::Direction,
    pub kind: String,
    pub text: Option<String>,
    pub summary: String,
    pub metadata: String,
    pub platform_message_id: Option<String>,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub created_at: i64,
    #[sqlx(try_from = "OptionalText")]
    pub delivery_status: Option<hubert_core::DeliveryStatus>,
    pub delivery_error: Option<String>,
    pub answered_at: Option<i64>,
    pub response_ms: Option<i64>,
    pub business_response_ms: Option<i64>,
    pub no_reply_needed: i64,
    /// `hidden`, `removed` or `unsent` on the platform; `None` when as sent.
    pub platform_state: Option<String>,
    /// When the author last edited it on the platform.
    pub edited_at: Option<i64>,
    /// JSON: how to answer this message (a customer's comment: that comment).
    pub reply_context: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct QuarantineRow {
    pub id: String,
    pub profile_id: Option<String>,
    pub platform: String,
    pub reason: String,
    pub body: String,
    pub received_at: i64,
}

/// A nullable text column, for decoding into `Option<T>` with `#[sqlx(try_from = "OptionalText")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct OptionalText(pub Option<String>);

impl TryFrom<OptionalText> for Option<hubert_core::DeliveryStatus> {
    type Error = hubert_core::conversation::UnknownValue;

    fn try_from(text: OptionalText) -> Result<Self, Self::Error> {
        text.0.map(hubert_core::DeliveryStatus::try_from).transpose()
    }
}
