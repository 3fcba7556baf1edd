//! Ingest: turning verified, parsed webhook deliveries into messages, contacts and
//! conversations. Many deliveries are written in ONE transaction (group commit) and the
//! caller acknowledges each webhook only after that commit returned.
//!
//! Dedupe: a message is identified by (workspace, profile, platform message id); a
//! duplicate changes nothing. Threading: at most one unresolved conversation per contact
//! (a partial unique index guards it); a message for a contact whose conversation was
//! resolved in the last seven days reopens that conversation, older ones start anew.
//! Status receipts only move forward (`delivery_rank`).

use sqlx::Row;

use crate::{on_pool, Result, Store};
use hubert_core::time::DAY;

/// A customer message ready to store.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub platform_message_id: String,
    pub contact_platform_user_id: String,
    pub contact_name: Option<String>,
    pub contact_handle: Option<String>,
    pub kind: String,
    pub text: Option<String>,
    pub summary: String,
    /// JSON text.
    pub metadata: String,
    pub sent_at: i64,
    /// JSON text: how to answer this message (public reply to a post, or private).
    pub reply_context: String,
}

/// A delivery receipt for one of our messages.
#[derive(Debug, Clone)]
pub struct NewStatus {
    pub platform_message_id: String,
    pub status: String,
    pub rank: i64,
    pub error: Option<String>,
}

/// One verified webhook delivery for one profile.
#[derive(Debug, Clone)]
pub struct IngestBatch {
    pub workspace_id: String,
    pub profile_id: String,
    pub messages: Vec<NewInbound>,
    pub statuses: Vec<NewStatus>,
}

/// What a delivery changed, for the live views.
#[derive(Debug, Clone, Default)]
pub struct IngestOutcome {
    /// (conversation id, message id) of each newly stored message.
    pub new_messages: Vec<(String, String)>,
    /// (conversation id, message id, status) of each receipt that moved a message forward.
    pub status_changes: Vec<(String, String, String)>,
    pub duplicates: usize,
}

const REOPEN_WINDOW_MS: i64 = 7 * DAY;

impl Store {
    /// Stores several deliveries in one transaction. Either all are durable when this
    /// returns `Ok`, or none is.
    pub async fn ingest(&self, batches: &[IngestBatch], now: i64) -> Result<Vec<IngestOutcome>> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let mut outcomes = Vec::with_capacity(batches.len());
            for batch in batches {
                let mut outcome = IngestOutcome::default();
                let mut messages: Vec<&NewInbound> = batch.messages.iter().collect();
                messages.sort_by_key(|m| m.sent_at);
                for m in messages {
                    let ws = &batch.workspace_id;
                    let profile = &batch.profile_id;
                    let exists = sqlx::query("SELECT 1 FROM messages WHERE workspace_id = $1 AND profile_id = $2 AND platform_message_id = $3")
                        .bind(ws).bind(profile).bind(&m.platform_message_id)
                        .fetch_optional(&mut *tx).await?;
                    if exists.is_some() {
                        outcome.duplicates += 1;
                        continue;
                    }
                    // The customer's clock starts when they wrote, but never in our future.
                    let at = m.sent_at.min(now);
                    let contact_id: String = sqlx::query_scalar(
                        "INSERT INTO contacts (id, workspace_id, profile_id, platform_user_id, name, handle, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (workspace_id, profile_id, platform_user_id) DO UPDATE \
                         SET name = COALESCE(excluded.name, contacts.name), handle = COALESCE(excluded.handle, contacts.handle) \
                         RETURNING id")
                        .bind(hubert_core::new_id()).bind(ws).bind(profile).bind(&m.contact_platform_user_id)
                        .bind(&m.contact_name).bind(&m.contact_handle).bind(now)
                        .fetch_one(&mut *tx).await?;
                    let snippet = hubert_core::text::snippet(&m.summary, 140);
                    let active: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM conversations WHERE workspace_id = $1 AND profile_id = $2 AND contact_id = $3 AND status <> 'resolved'")
                        .bind(ws).bind(profile).bind(&contact_id).fetch_optional(&mut *tx).await?;
                    let conversation_id = match active {
                        Some(id) => id,
                        None => {
                            let recent: Option<String> = sqlx::query_scalar(
                                "SELECT id FROM conversations WHERE workspace_id = $1 AND profile_id = $2 AND contact_id = $3 \
                                 AND status = 'resolved' AND updated_at > $4 ORDER BY updated_at DESC LIMIT 1")
                                .bind(ws).bind(profile).bind(&contact_id).bind(now - REOPEN_WINDOW_MS)
                                .fetch_optional(&mut *tx).await?;
                            match recent {
                                Some(id) => {
                                    sqlx::query("UPDATE conversations SET status = 'open', updated_at = $2 WHERE id = $1")
                                        .bind(&id).bind(now).execute(&mut *tx).await?;
                                    id
                                }
                                None => {
                                    sqlx::query(
                                        "INSERT INTO conversations (id, workspace_id, profile_id, contact_id, status, assignee_id, waiting_since, \
                                         last_customer_message_at, last_message_at, last_snippet, last_answer_ms, reply_context, created_at, updated_at) \
                                         VALUES ($1, $2, $3, $4, 'open', NULL, NULL, NULL, $5, $6, NULL, $7, $8, $8) \
                                         ON CONFLICT (workspace_id, profile_id, contact_id) WHERE status <> 'resolved' DO NOTHING")
                                        .bind(hubert_core::new_id()).bind(ws).bind(profile).bind(&contact_id)
                                        .bind(at).bind(&snippet).bind(&m.reply_context).bind(now)
                                        .execute(&mut *tx).await?;
                                    sqlx::query_scalar(
                                        "SELECT id FROM conversations WHERE workspace_id = $1 AND profile_id = $2 AND contact_id = $3 AND status <> 'resolved'")
                                        .bind(ws).bind(profile).bind(&contact_id).fetch_one(&mut *tx).await?
                                }
                            }
                        }
                    };
                    let message_id = hubert_core::new_id();
                    let inserted = sqlx::query(
                        "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, summary, metadata, \
                         platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, delivery_rank, \
                         delivery_error, answered_at, response_ms, no_reply_needed) \
                         VALUES ($1, $2, $3, $4, 'in', $5, $6, $7, $8, $9, NULL, $10, $11, $12, NULL, 0, NULL, NULL, NULL, 0) \
                         ON CONFLICT (workspace_id, profile_id, platform_message_id) DO NOTHING")
                        .bind(&message_id).bind(ws).bind(profile).bind(&conversation_id).bind(&m.kind).bind(&m.text)
                        .bind(&m.summary).bind(&m.metadata).bind(&m.platform_message_id).bind(at).bind(now).bind(&m.reply_context)
                        .execute(&mut *tx).await?;
                    if inserted.rows_affected() == 0 {
                        outcome.duplicates += 1;
                        continue;
                    }
                    sqlx::query(
                        "UPDATE conversations SET status = 'open', \
                         waiting_since = CASE WHEN waiting_since IS NULL OR waiting_since > $2 THEN $2 ELSE waiting_since END, \
                         last_snippet = CASE WHEN last_message_at <= $2 THEN $3 ELSE last_snippet END, \
                         reply_context = CASE WHEN last_customer_message_at IS NULL OR last_customer_message_at <= $2 THEN $4 ELSE reply_context END, \
                         last_customer_message_at = CASE WHEN last_customer_message_at IS NULL OR last_customer_message_at < $2 THEN $2 ELSE last_customer_message_at END, \
                         last_message_at = CASE WHEN last_message_at < $2 THEN $2 ELSE last_message_at END, \
                         updated_at = $5 WHERE id = $1")
                        .bind(&conversation_id).bind(at).bind(&snippet).bind(&m.reply_context).bind(now)
                        .execute(&mut *tx).await?;
                    outcome.new_messages.push((conversation_id, message_id));
                }
                for s in &batch.statuses {
                    let row = sqlx::query(
                        "UPDATE messages SET delivery_status = $1, delivery_rank = $2, delivery_error = COALESCE($3, delivery_error) \
                         WHERE workspace_id = $4 AND profile_id = $5 AND platform_message_id = $6 AND direction = 'out' AND delivery_rank < $2 \
                         RETURNING id, conversation_id")
                        .bind(&s.status).bind(s.rank).bind(&s.error).bind(&batch.workspace_id).bind(&batch.profile_id)
                        .bind(&s.platform_message_id)
                        .fetch_optional(&mut *tx).await?;
                    if let Some(row) = row {
                        let id: String = row.try_get(0)?;
                        let conv: String = row.try_get(1)?;
                        outcome.status_changes.push((conv, id, s.status.clone()));
                    }
                }
                outcomes.push(outcome);
            }
            tx.commit().await?;
            Ok(outcomes)
        })
    }
}
