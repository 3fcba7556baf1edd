//! Platform changes to messages we already have, applied after a delivery's messages are
//! stored (so a change arriving in the same delivery as its message applies):
//!
//! - [`NewChange`]: a comment edited, hidden, unhidden or removed, a DM unsent. Applied
//!   only when the platform's time of the change is newer than the last one applied to
//!   that message (`messages.changed_at`), so a late or repeated change does nothing.
//!   Removed and unsent messages are redacted (text and metadata dropped, summary
//!   replaced) and stay redacted: no later edit brings the text back.
//! - [`NewWatermark`]: "everything we sent this customer up to `watermark` was
//!   delivered / read" (Messenger): moves our sent messages in that customer's
//!   conversations forward, never back (`delivery_rank`).
//!
//! Both are idempotent, so a delivery retried after a failure here changes nothing twice.

use sqlx::Row;

use crate::ingest::{IngestBatch, IngestOutcome};
use crate::{on_pool, Result, Store};

/// What happened to a stored message on the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// Edited by its author; the new text when the platform sent it.
    Edited(Option<String>),
    Hidden,
    Unhidden,
    /// Removed from the platform (redacted here).
    Removed,
    /// Unsent by the customer (redacted here).
    Unsent,
}

/// One change to a stored message, by its platform id.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub platform_message_id: String,
    pub change: ChangeKind,
    /// The platform's time of the change, epoch ms.
    pub at: i64,
}

/// A delivery or read watermark for one customer's thread.
#[derive(Debug, Clone)]
pub struct NewWatermark {
    /// The customer (`contacts.platform_user_id`).
    pub contact_platform_user_id: String,
    /// `delivered` or `read`.
    pub status: String,
    pub rank: i64,
    /// Our messages created at or before this time (epoch ms) reached `status`.
    pub watermark: i64,
}

/// The summary a redacted message keeps.
pub const REDACTED_REMOVED: &str = "[Verwijderd]";
pub const REDACTED_UNSENT: &str = "[Ingetrokken door de klant]";

const EDITED_SQL: &str = "UPDATE messages SET text = COALESCE($1, text), summary = COALESCE($1, summary), \
    edited_at = $2, changed_at = $2 \
    WHERE workspace_id = $3 AND profile_id = $4 AND platform_message_id = $5 \
    AND (changed_at IS NULL OR changed_at < $2) AND (platform_state IS NULL OR platform_state = 'hidden') \
    RETURNING id, conversation_id";
const HIDDEN_SQL: &str = "UPDATE messages SET platform_state = $1, changed_at = $2 \
    WHERE workspace_id = $3 AND profile_id = $4 AND platform_message_id = $5 \
    AND (changed_at IS NULL OR changed_at < $2) AND (platform_state IS NULL OR platform_state = 'hidden') \
    RETURNING id, conversation_id";
const REDACT_SQL: &str = "UPDATE messages SET platform_state = $1, changed_at = $2, text = NULL, summary = $6, \
    metadata = '{}' \
    WHERE workspace_id = $3 AND profile_id = $4 AND platform_message_id = $5 \
    AND (changed_at IS NULL OR changed_at < $2) AND (platform_state IS NULL OR platform_state = 'hidden') \
    RETURNING id, conversation_id";
const WATERMARK_SQL: &str = "UPDATE messages SET delivery_status = $1, delivery_rank = $2 \
    WHERE workspace_id = $3 AND profile_id = $4 AND direction = 'out' AND delivery_rank >= 1 AND delivery_rank < $2 \
    AND created_at <= $5 AND conversation_id IN (SELECT conv.id FROM conversations conv \
      JOIN contacts c ON c.id = conv.contact_id \
      WHERE conv.workspace_id = $3 AND c.profile_id = $4 AND c.platform_user_id = $6) \
    RETURNING id, conversation_id";

impl Store {
    /// Applies the changes and watermarks of `batches` in one transaction, recording
    /// what moved in `outcomes` (`changed_messages`, `status_changes`).
    pub(crate) async fn apply_changes(&self, batches: &[IngestBatch], outcomes: &mut [IngestOutcome]) -> Result<()> {
        if batches.iter().all(|b| b.changes.is_empty() && b.watermarks.is_empty()) {
            return Ok(());
        }
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            for (i, b) in batches.iter().enumerate() {
                for c in &b.changes {
                    let (sql, state, summary) = match &c.change {
                        ChangeKind::Edited(_) => (EDITED_SQL, None, None),
                        ChangeKind::Hidden => (HIDDEN_SQL, Some("hidden"), None),
                        ChangeKind::Unhidden => (HIDDEN_SQL, None, None),
                        ChangeKind::Removed => (REDACT_SQL, Some("removed"), Some(REDACTED_REMOVED)),
                        ChangeKind::Unsent => (REDACT_SQL, Some("unsent"), Some(REDACTED_UNSENT)),
                    };
                    let first: Option<&str> = match &c.change {
                        ChangeKind::Edited(text) => text.as_deref(),
                        _ => state,
                    };
                    let mut q = sqlx::query(sql).bind(first).bind(c.at).bind(&b.workspace_id)
                        .bind(&b.profile_id).bind(&c.platform_message_id);
                    if let Some(summary) = summary {
                        q = q.bind(summary);
                    }
                    if let Some(row) = q.fetch_optional(&mut *tx).await? {
                        let (id, conv): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                        if let Some(summary) = summary {
                            // The conversation's snippet may quote the redacted text.
                            sqlx::query("UPDATE conversations SET last_snippet = $1 WHERE id = $2 \
                                AND last_message_at = (SELECT created_at FROM messages WHERE id = $3)")
                                .bind(summary).bind(&conv).bind(&id).execute(&mut *tx).await?;
                        }
                        outcomes[i].changed_messages.push((conv, id));
                    }
                }
                for w in &b.watermarks {
                    let rows = sqlx::query(WATERMARK_SQL).bind(&w.status).bind(w.rank).bind(&b.workspace_id)
                        .bind(&b.profile_id).bind(w.watermark).bind(&w.contact_platform_user_id)
                        .fetch_all(&mut *tx).await?;
                    for row in rows {
                        let (id, conv): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                        outcomes[i].status_changes.push((conv, id, w.status.clone()));
                    }
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

impl Store {
    /// Records that WE hid (or unhid) a customer's comment on the platform, at `now`.
    /// A removed or unsent message stays as it is. Returns whether it changed.
    pub async fn mark_hidden(&self, workspace_id: &str, message_id: &str, hidden: bool, now: i64) -> Result<bool> {
        let state = hidden.then_some("hidden");
        on_pool!(&self.write, pool => {
            let done = sqlx::query("UPDATE messages SET platform_state = $1, changed_at = $2 \
                WHERE workspace_id = $3 AND id = $4 AND direction = 'in' \
                AND (platform_state IS NULL OR platform_state = 'hidden')")
                .bind(state).bind(now).bind(workspace_id).bind(message_id).execute(pool).await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
