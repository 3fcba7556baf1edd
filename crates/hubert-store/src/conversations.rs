//! Conversations and their messages: the inbox list, the thread, and the agent's actions
//! (reply, note, assign, resolve, "no reply needed"). A reply and its delivery job are
//! written in one transaction (transactional outbox), together with the answer times of
//! every customer message it answers.

use crate::rows::{ContactRow, ConversationRow, MessageRow};
use crate::{on_pool, Result, Store, StoreError};

const CONVERSATION_SELECT: &str = "SELECT c.id, c.workspace_id, c.profile_id, c.contact_id, c.status, c.assignee_id, \
    u.name AS assignee_name, c.waiting_since, c.last_customer_message_at, c.last_message_at, c.last_snippet, c.last_answer_ms, \
    c.reply_context, c.created_at, c.updated_at, p.platform, p.name AS profile_name, p.threshold_minutes, p.target_percent, \
    k.name AS contact_name, k.handle AS contact_handle, k.platform_user_id AS contact_platform_user_id \
    FROM conversations c JOIN profiles p ON p.id = c.profile_id JOIN contacts k ON k.id = c.contact_id \
    LEFT JOIN users u ON u.id = c.assignee_id";

const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.direction, m.kind, m.text, m.summary, m.metadata, \
    m.platform_message_id, m.author_id, u.name AS author_name, m.created_at, m.delivery_status, m.delivery_error, \
    m.answered_at, m.response_ms, m.business_response_ms, m.no_reply_needed, m.platform_state, m.edited_at, m.reply_context FROM messages m LEFT JOIN users u ON u.id = m.author_id";

/// Inbox filters. `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ConversationFilter {
    pub status: Option<String>,
    pub profile_id: Option<String>,
    pub platform: Option<String>,
    pub assignee_id: Option<String>,
    pub unassigned: bool,
    pub limit: i64,
}

/// What a stored reply became.
#[derive(Debug, Clone)]
pub struct ReplyOutcome {
    pub message_id: String,
    pub job_id: String,
    /// How long the oldest answered customer message waited (None if nothing waited).
    pub answered_after_ms: Option<i64>,
}

/// The reply an agent wrote.
#[derive(Debug, Clone)]
pub struct NewReply<'a> {
    pub kind: &'a str,
    pub text: &'a str,
    pub metadata: &'a str,
    pub reply_context: &'a str,
    /// The newest message id the agent had seen; if a colleague's answer went out after
    /// it, the reply is refused with `Conflict` unless `force` is set.
    pub seen_message_id: Option<&'a str>,
    pub force: bool,
    /// The profile's calendars: answered messages get their business response time
    /// under the calendar in force when each arrived (`None`: the wall clock).
    pub clock: Option<&'a hubert_core::business::ProfileClock>,
}

impl Store {
    pub async fn conversations(&self, workspace_id: &str, f: &ConversationFilter) -> Result<Vec<ConversationRow>> {
        let mut sql = format!("{CONVERSATION_SELECT} WHERE c.workspace_id = $1");
        let mut args: Vec<String> = vec![workspace_id.to_owned()];
        let mut push = |clause: &str, value: &str, sql: &mut String| {
            args.push(value.to_owned());
            sql.push_str(&format!(" AND {clause} = ${}", args.len()));
        };
        if let Some(s) = &f.status {
            push("c.status", s, &mut sql);
        }
        if let Some(p) = &f.profile_id {
            push("c.profile_id", p, &mut sql);
        }
        if let Some(p) = &f.platform {
            push("p.platform", p, &mut sql);
        }
        if let Some(a) = &f.assignee_id {
            push("c.assignee_id", a, &mut sql);
        }
        if f.unassigned {
            sql.push_str(" AND c.assignee_id IS NULL");
        }
        let limit = if f.limit <= 0 { 200 } else { f.limit.min(1000) };
        // Most urgent first: the longest-waiting customer on top, then the most recent.
        sql.push_str(&format!(
            " ORDER BY CASE WHEN c.waiting_since IS NULL THEN 1 ELSE 0 END, c.waiting_since, c.last_message_at DESC LIMIT {limit}"
        ));
        on_pool!(&self.read, pool => {
            let mut q = sqlx::query_as::<_, ConversationRow>(&sql);
            for a in &args {
                q = q.bind(a);
            }
            Ok(q.fetch_all(pool).await?)
        })
    }

    pub async fn conversation(&self, workspace_id: &str, id: &str) -> Result<Option<ConversationRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, ConversationRow>(&format!("{CONVERSATION_SELECT} WHERE c.workspace_id = $1 AND c.id = $2"))
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn messages(&self, workspace_id: &str, conversation_id: &str) -> Result<Vec<MessageRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, MessageRow>(&format!("{MESSAGE_SELECT} WHERE m.workspace_id = $1 AND m.conversation_id = $2 ORDER BY m.created_at, m.id"))
                .bind(workspace_id).bind(conversation_id).fetch_all(pool).await?)
        })
    }

    pub async fn message(&self, workspace_id: &str, id: &str) -> Result<Option<MessageRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, MessageRow>(&format!("{MESSAGE_SELECT} WHERE m.workspace_id = $1 AND m.id = $2"))
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn contact(&self, workspace_id: &str, id: &str) -> Result<Option<ContactRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, ContactRow>("SELECT id, profile_id, platform_user_id, name, handle, created_at FROM contacts WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    /// Every conversation of a contact, newest first.
    pub async fn contact_conversations(&self, workspace_id: &str, contact_id: &str) -> Result<Vec<ConversationRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, ConversationRow>(&format!("{CONVERSATION_SELECT} WHERE c.workspace_id = $1 AND c.contact_id = $2 ORDER BY c.created_at DESC LIMIT 20"))
                .bind(workspace_id).bind(contact_id).fetch_all(pool).await?)
        })
    }

    /// Stores an agent's reply, its delivery job and the answer times, atomically.
    pub async fn reply(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        author_id: &str,
        r: &NewReply<'_>,
        now: i64,
    ) -> Result<ReplyOutcome> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let conv: Option<(String, Option<i64>)> = sqlx::query_as("SELECT profile_id, waiting_since FROM conversations WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(conversation_id).fetch_optional(&mut *tx).await?;
            let Some((profile_id, waiting_since)) = conv else { return Err(StoreError::NotFound) };
            if !r.force {
                if let Some(seen) = r.seen_message_id {
                    let newer: Option<String> = sqlx::query_scalar(
                        "SELECT id FROM messages WHERE workspace_id = $1 AND conversation_id = $2 AND direction = 'out' AND id > $3 LIMIT 1")
                        .bind(workspace_id).bind(conversation_id).bind(seen).fetch_optional(&mut *tx).await?;
                    if newer.is_some() {
                        return Err(StoreError::Conflict("already_answered".into()));
                    }
                }
            }
            let message_id = hubert_core::new_id();
            let job_id = hubert_core::new_id();
            sqlx::query(
                "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, summary, metadata, \
                 platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, delivery_rank, \
                 delivery_error, answered_at, response_ms, no_reply_needed) \
                 VALUES ($1, $2, $3, $4, 'out', $5, $6, $7, $8, NULL, $9, $10, $10, $11, 'queued', 0, NULL, NULL, NULL, 0)")
                .bind(&message_id).bind(workspace_id).bind(&profile_id).bind(conversation_id).bind(r.kind).bind(r.text)
                .bind(hubert_core::text::snippet(r.text, 500)).bind(r.metadata).bind(author_id).bind(now).bind(r.reply_context)
                .execute(&mut *tx).await?;
            sqlx::query("INSERT INTO jobs (id, workspace_id, kind, message_id, state, attempts, run_at, lease_until, last_error, created_at, updated_at) \
                         VALUES ($1, $2, 'deliver', $3, 'queued', 0, $4, NULL, NULL, $4, $4)")
                .bind(&job_id).bind(workspace_id).bind(&message_id).bind(now).execute(&mut *tx).await?;
            // One reply answers every customer message waiting before it.
            sqlx::query("UPDATE messages SET answered_at = $3, response_ms = CASE WHEN created_at < $3 THEN $3 - created_at ELSE 0 END, \
                         business_response_ms = CASE WHEN created_at < $3 THEN $3 - created_at ELSE 0 END \
                         WHERE workspace_id = $1 AND conversation_id = $2 AND direction = 'in' AND answered_at IS NULL AND no_reply_needed = 0")
                .bind(workspace_id).bind(conversation_id).bind(now).execute(&mut *tx).await?;
            if let Some(clock) = r.clock {
                let answered: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT id, created_at FROM messages WHERE workspace_id = $1 AND conversation_id = $2 AND direction = 'in' AND answered_at = $3")
                    .bind(workspace_id).bind(conversation_id).bind(now).fetch_all(&mut *tx).await?;
                for (id, created_at) in answered {
                    sqlx::query("UPDATE messages SET business_response_ms = $3 WHERE workspace_id = $1 AND id = $2")
                        .bind(workspace_id).bind(&id).bind(clock.waited_ms(created_at, now)).execute(&mut *tx).await?;
                }
            }
            // In business time when the profile has a calendar (the inbox verdict then
            // matches the reports).
            let answered_after_ms = waiting_since.map(|w| match r.clock {
                Some(clock) => clock.waited_ms(w, now),
                None => (now - w).max(0),
            });
            sqlx::query("UPDATE conversations SET status = CASE WHEN status = 'resolved' THEN status ELSE 'pending' END, waiting_since = NULL, \
                         last_answer_ms = COALESCE($3, last_answer_ms), last_message_at = $4, last_snippet = $5, updated_at = $4 \
                         WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(conversation_id).bind(answered_after_ms).bind(now)
                .bind(hubert_core::text::snippet(r.text, 140)).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(ReplyOutcome { message_id, job_id, answered_after_ms })
        })
    }

    /// An internal note: visible to colleagues only, never sent, does not stop the clock.
    pub async fn add_note(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        author_id: &str,
        text: &str,
        now: i64,
    ) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let profile_id: Option<String> = sqlx::query_scalar("SELECT profile_id FROM conversations WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(conversation_id).fetch_optional(&mut *tx).await?;
            let Some(profile_id) = profile_id else { return Err(StoreError::NotFound) };
            sqlx::query(
                "INSERT INTO messages (id, workspace_id, profile_id, conversation_id, direction, kind, text, summary, metadata, \
                 platform_message_id, author_id, created_at, received_at, reply_context, delivery_status, delivery_rank, \
                 delivery_error, answered_at, response_ms, no_reply_needed) \
                 VALUES ($1, $2, $3, $4, 'note', 'text', $5, $6, '{}', NULL, $7, $8, $8, '{}', NULL, 0, NULL, NULL, NULL, 0)")
                .bind(&id).bind(workspace_id).bind(&profile_id).bind(conversation_id).bind(text)
                .bind(hubert_core::text::snippet(text, 500)).bind(author_id).bind(now)
                .execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(id)
    }

    /// Assigns to a user of the same workspace, or unassigns with `None`.
    pub async fn assign(
        &self,
        workspace_id: &str,
        conversation_id: &str,
        assignee_id: Option<&str>,
        now: i64,
    ) -> Result<()> {
        if let Some(a) = assignee_id {
            if self.user(workspace_id, a).await?.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        self.update_conversation(
            workspace_id,
            conversation_id,
            "assignee_id = $3, updated_at = $4",
            assignee_id,
            now,
        )
        .await
    }

    /// Resolves; a new customer message reopens the conversation.
    pub async fn resolve(&self, workspace_id: &str, conversation_id: &str, now: i64) -> Result<()> {
        self.update_conversation(
            workspace_id,
            conversation_id,
            "status = 'resolved', waiting_since = NULL, updated_at = $4 , assignee_id = COALESCE($3, assignee_id)",
            None,
            now,
        )
        .await
    }

    /// "Geen reactie nodig": stops the clock of every waiting customer message without an
    /// answer; reported separately from answered messages.
    pub async fn no_reply_needed(&self, workspace_id: &str, conversation_id: &str, now: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE conversations SET waiting_since = NULL, status = CASE WHEN status = 'open' THEN 'pending' ELSE status END, updated_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(conversation_id).bind(now).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query("UPDATE messages SET no_reply_needed = 1 WHERE workspace_id = $1 AND conversation_id = $2 AND direction = 'in' AND answered_at IS NULL")
                .bind(workspace_id).bind(conversation_id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn update_conversation(
        &self,
        workspace_id: &str,
        id: &str,
        set: &str,
        value: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let sql = format!("UPDATE conversations SET {set} WHERE workspace_id = $1 AND id = $2");
        on_pool!(&self.write, pool => {
            let done = sqlx::query(&sql).bind(workspace_id).bind(id).bind(value).bind(now).execute(pool).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        });
        Ok(())
    }
}
