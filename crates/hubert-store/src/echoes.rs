//! Echoes of messages the account sent that did not come from Hubert (typed by a person
//! in Meta Business Suite or the Page inbox): imported as agent messages (`out`, no
//! author, already `sent`) that answer the customer like any reply, so they count for
//! the service level. An echo of Hubert's own send is recognised by its platform id (or,
//! while the worker has not recorded that id yet, by an outbound message of the same
//! text still without one) and changes nothing. Echoes to a customer Hubert has no
//! conversation with are skipped.

use crate::ingest::{IngestBatch, IngestOutcome};
use crate::{on_pool, Result, Store};

/// One echo to import.
#[derive(Debug, Clone)]
pub struct NewEcho {
    pub platform_message_id: String,
    /// The customer it was sent to.
    pub contact_platform_user_id: String,
    pub kind: String,
    pub text: Option<String>,
    pub summary: String,
    /// JSON text.
    pub metadata: String,
    /// When the platform says it was sent, epoch ms.
    pub sent_at: i64,
}

const CONVERSATION_SQL: &str = "SELECT conv.id FROM conversations conv JOIN contacts c ON c.id = conv.contact_id \
    WHERE conv.workspace_id = $1 AND c.profile_id = $2 AND c.platform_user_id = $3 \
    ORDER BY CASE WHEN conv.status = 'resolved' THEN 1 ELSE 0 END, conv.updated_at DESC LIMIT 1";
const OURS_SQL: &str = "SELECT id FROM messages WHERE workspace_id = $1 AND profile_id = $2 AND direction = 'out' \
    AND (platform_message_id = $3 OR (conversation_id = $4 AND platform_message_id IS NULL AND text = $5)) LIMIT 1";
const INSERT_SQL: &str = "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, \
    summary, metadata, platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, \
    delivery_rank, delivery_error, answered_at, response_ms, no_reply_needed) \
    VALUES ($1, $2, $3, $4, 'out', $5, $6, $7, $8, $9, NULL, $10, $11, '{\"type\":\"private\"}', 'sent', 1, NULL, NULL, NULL, 0) \
    ON CONFLICT (workspace_id, profile_id, platform_message_id) DO NOTHING RETURNING id";
const ANSWER_SQL: &str = "UPDATE messages SET answered_at = $3, \
    response_ms = CASE WHEN created_at < $3 THEN $3 - created_at ELSE 0 END \
    WHERE workspace_id = $1 AND conversation_id = $2 AND direction = 'in' AND answered_at IS NULL \
    AND no_reply_needed = 0 AND created_at <= $3";
const CONVERSATION_UPDATE_SQL: &str = "UPDATE conversations SET \
    status = CASE WHEN status = 'resolved' THEN status ELSE 'pending' END, \
    last_answer_ms = CASE WHEN waiting_since IS NOT NULL AND waiting_since <= $3 THEN $3 - waiting_since ELSE last_answer_ms END, \
    waiting_since = CASE WHEN waiting_since IS NOT NULL AND waiting_since <= $3 THEN NULL ELSE waiting_since END, \
    last_message_at = CASE WHEN last_message_at < $3 THEN $3 ELSE last_message_at END, \
    last_snippet = CASE WHEN last_message_at <= $3 THEN $4 ELSE last_snippet END, updated_at = $5 \
    WHERE workspace_id = $1 AND id = $2";

impl Store {
    /// Imports the echoes of `batches` (see the module docs), recording each imported
    /// message in `outcomes[..].echoed_messages`.
    pub(crate) async fn import_echoes(
        &self,
        batches: &[IngestBatch],
        outcomes: &mut [IngestOutcome],
        now: i64,
    ) -> Result<()> {
        if batches.iter().all(|b| b.echoes.is_empty()) {
            return Ok(());
        }
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            for (i, b) in batches.iter().enumerate() {
                for e in &b.echoes {
                    let conv: Option<String> = sqlx::query_scalar(CONVERSATION_SQL).bind(&b.workspace_id)
                        .bind(&b.profile_id).bind(&e.contact_platform_user_id).fetch_optional(&mut *tx).await?;
                    let Some(conv) = conv else { continue };
                    let ours: Option<String> = sqlx::query_scalar(OURS_SQL).bind(&b.workspace_id).bind(&b.profile_id)
                        .bind(&e.platform_message_id).bind(&conv).bind(&e.text).fetch_optional(&mut *tx).await?;
                    if ours.is_some() {
                        outcomes[i].duplicates += 1;
                        continue;
                    }
                    let at = e.sent_at.min(now);
                    let id = hubert_core::new_id();
                    let inserted: Option<String> = sqlx::query_scalar(INSERT_SQL).bind(&id).bind(&b.workspace_id)
                        .bind(&b.profile_id).bind(&conv).bind(&e.kind).bind(&e.text).bind(&e.summary).bind(&e.metadata)
                        .bind(&e.platform_message_id).bind(at).bind(now).fetch_optional(&mut *tx).await?;
                    if inserted.is_none() {
                        outcomes[i].duplicates += 1;
                        continue;
                    }
                    sqlx::query(ANSWER_SQL).bind(&b.workspace_id).bind(&conv).bind(at).execute(&mut *tx).await?;
                    sqlx::query(CONVERSATION_UPDATE_SQL).bind(&b.workspace_id).bind(&conv).bind(at)
                        .bind(hubert_core::text::snippet(&e.summary, 140)).bind(now).execute(&mut *tx).await?;
                    outcomes[i].echoed_messages.push((conv, id));
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
