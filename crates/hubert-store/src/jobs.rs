//! The delivery job queue (transactional outbox). A worker claims a due job under a
//! lease, sends, then records the result. A job whose lease ran out while `running` may
//! or may not have reached the platform: it becomes `uncertain` and its message
//! `unknown`, and is never resent automatically (docs/decisions/0002-uncertain-sends.md).

use sqlx::Row;

use crate::{dialect, on_pool, Result, Store, StoreError};

/// A job a worker holds, with what it needs to send.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub job_id: String,
    pub workspace_id: String,
    pub message_id: String,
    pub attempts: i64,
    pub conversation_id: String,
    pub profile_id: String,
    pub kind: String,
    pub text: String,
    pub metadata: String,
    pub reply_context: String,
    pub contact_platform_user_id: String,
    /// Platform id of the newest customer message (for quoting / reply threading).
    pub last_inbound_platform_id: Option<String>,
    /// When the customer last wrote in the conversation (messaging windows).
    pub last_customer_message_at: Option<i64>,
}

/// How a send ended, as the worker records it.
#[derive(Debug, Clone)]
pub enum JobResult {
    Accepted { platform_message_id: String },
    Retry { run_at: i64, reason: String },
    Failed { reason: String },
    Uncertain { reason: String },
}

impl Store {
    /// Claims the next due job, or `None`.
    pub async fn claim_job(&self, now: i64, lease_ms: i64) -> Result<Option<ClaimedJob>> {
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = $1, updated_at = $2 \
             WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $2 ORDER BY run_at, id LIMIT 1 {}) \
             RETURNING id, workspace_id, message_id, attempts",
            dialect::skip_locked(&self.write)
        );
        let claimed = on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let row = sqlx::query(&sql).bind(now + lease_ms).bind(now).fetch_optional(&mut *tx).await?;
            let Some(row) = row else { return Ok(None) };
            let job_id: String = row.try_get(0)?;
            let workspace_id: String = row.try_get(1)?;
            let message_id: String = row.try_get(2)?;
            let attempts: i64 = row.try_get(3)?;
            sqlx::query("UPDATE messages SET delivery_status = 'sending' WHERE id = $1 AND delivery_rank = 0")
                .bind(&message_id).execute(&mut *tx).await?;
            let m = sqlx::query(
                "SELECT m.conversation_id, m.profile_id, m.kind, COALESCE(m.text, ''), m.metadata, m.reply_context, k.platform_user_id, \
                 (SELECT i.platform_message_id FROM messages i WHERE i.conversation_id = m.conversation_id AND i.direction = 'in' \
                  ORDER BY i.created_at DESC, i.id DESC LIMIT 1), c.last_customer_message_at \
                 FROM messages m JOIN conversations c ON c.id = m.conversation_id JOIN contacts k ON k.id = c.contact_id WHERE m.id = $1")
                .bind(&message_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            ClaimedJob {
                job_id, workspace_id, message_id, attempts,
                conversation_id: m.try_get(0)?, profile_id: m.try_get(1)?, kind: m.try_get(2)?, text: m.try_get(3)?,
                metadata: m.try_get(4)?, reply_context: m.try_get(5)?, contact_platform_user_id: m.try_get(6)?,
                last_inbound_platform_id: m.try_get(7)?,
                last_customer_message_at: m.try_get(8)?,
            }
        });
        Ok(Some(claimed))
    }

    /// Records the end of an attempt. Returns the message's new delivery status.
    pub async fn finish_job(&self, job: &ClaimedJob, result: &JobResult, now: i64) -> Result<String> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let (job_state, run_at, error, status) = match result {
                JobResult::Accepted { platform_message_id } => {
                    sqlx::query("UPDATE messages SET platform_message_id = $2, delivery_status = CASE WHEN delivery_rank < 1 THEN 'sent' ELSE delivery_status END, \
                                 delivery_rank = CASE WHEN delivery_rank < 1 THEN 1 ELSE delivery_rank END, delivery_error = NULL WHERE id = $1")
                        .bind(&job.message_id).bind(platform_message_id).execute(&mut *tx).await?;
                    ("done", None, None, "sent")
                }
                JobResult::Retry { run_at, reason } => {
                    sqlx::query("UPDATE messages SET delivery_status = 'sending', delivery_error = $2 WHERE id = $1 AND delivery_rank = 0")
                        .bind(&job.message_id).bind(reason).execute(&mut *tx).await?;
                    ("queued", Some(*run_at), Some(reason.clone()), "sending")
                }
                JobResult::Failed { reason } => {
                    sqlx::query("UPDATE messages SET delivery_status = 'failed', delivery_rank = 4, delivery_error = $2 WHERE id = $1")
                        .bind(&job.message_id).bind(reason).execute(&mut *tx).await?;
                    ("failed", None, Some(reason.clone()), "failed")
                }
                JobResult::Uncertain { reason } => {
                    sqlx::query("UPDATE messages SET delivery_status = 'unknown', delivery_error = $2 WHERE id = $1 AND delivery_rank = 0")
                        .bind(&job.message_id).bind(reason).execute(&mut *tx).await?;
                    ("uncertain", None, Some(reason.clone()), "unknown")
                }
            };
            let done = sqlx::query("UPDATE jobs SET state = $2, run_at = COALESCE($3, run_at), last_error = $4, lease_until = NULL, updated_at = $5 \
                                    WHERE id = $1 AND state = 'running'")
                .bind(&job.job_id).bind(job_state).bind(run_at).bind(&error).bind(now).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                // The lease ran out and the sweeper already declared this job uncertain.
                return Err(StoreError::Conflict("job no longer held".into()));
            }
            tx.commit().await?;
            Ok(status.to_owned())
        })
    }

    /// Declares every job whose lease ran out while it was being sent `uncertain`.
    /// Returns (workspace id, conversation id, message id) of each affected message.
    pub async fn expire_leases(&self, now: i64) -> Result<Vec<(String, String, String)>> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query("UPDATE jobs SET state = 'uncertain', last_error = 'worker stopped during send', lease_until = NULL, updated_at = $1 \
                                    WHERE state = 'running' AND lease_until < $1 RETURNING message_id")
                .bind(now).fetch_all(&mut *tx).await?;
            let mut out = Vec::new();
            for r in rows {
                let message_id: String = r.try_get(0)?;
                let m = sqlx::query("UPDATE messages SET delivery_status = 'unknown', delivery_error = 'worker stopped during send' \
                                     WHERE id = $1 AND delivery_rank = 0 RETURNING workspace_id, conversation_id")
                    .bind(&message_id).fetch_optional(&mut *tx).await?;
                if let Some(m) = m {
                    out.push((m.try_get(0)?, m.try_get(1)?, message_id));
                }
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// The agent checked the platform and asks to send an `unknown` or `failed` reply again.
    pub async fn resend(&self, workspace_id: &str, message_id: &str, now: i64) -> Result<String> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE messages SET delivery_status = 'queued', delivery_rank = 0, delivery_error = NULL \
                                    WHERE workspace_id = $1 AND id = $2 AND direction = 'out' AND delivery_status IN ('unknown', 'failed')")
                .bind(workspace_id).bind(message_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict("only unknown or failed replies can be sent again".into()));
            }
            let job_id = hubert_core::new_id();
            sqlx::query("INSERT INTO jobs (id, workspace_id, kind, message_id, state, attempts, run_at, lease_until, last_error, created_at, updated_at) \
                         VALUES ($1, $2, 'deliver', $3, 'queued', 0, $4, NULL, NULL, $4, $4)")
                .bind(&job_id).bind(workspace_id).bind(message_id).bind(now).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(job_id)
        })
    }

    /// Job states for one message (tests and the admin view).
    pub async fn job_states(&self, message_id: &str) -> Result<Vec<(String, i64, i64)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, i64, i64)>("SELECT state, attempts, run_at FROM jobs WHERE message_id = $1 ORDER BY created_at, id")
                .bind(message_id).fetch_all(pool).await?)
        })
    }

    /// The earliest `run_at` of a queued job, so the worker knows when to wake.
    /// Outbox jobs per state with the oldest job's creation time (all workspaces), for
    /// the operator's metrics.
    pub async fn job_counts(&self) -> Result<Vec<(String, i64, i64)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, i64, i64)>(
                "SELECT state, COUNT(*), MIN(created_at) FROM jobs GROUP BY state")
                .fetch_all(pool).await?)
        })
    }

    pub async fn next_job_at(&self) -> Result<Option<i64>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT MIN(run_at) FROM jobs WHERE state = 'queued'").fetch_one(pool).await?)
        })
    }
}
