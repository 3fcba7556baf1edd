//! Inbound media rows: which attachment of which message, where its fetch stands
//! (`pending` → `stored`, or `failed` / `too_large` / `expired`), and, once stored, the
//! SHA-256 of the bytes (the file's name in the content-addressed store on disk, kept by
//! `hubert-app::media`). Due fetches are claimed with a short lease so several workers or
//! instances never fetch the same attachment at once.

use crate::{on_pool, Result, Store};

/// One attachment as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: String,
    pub workspace_id: String,
    pub profile_id: String,
    pub message_id: String,
    /// `image`, `video`, `audio`, `document`, `sticker`.
    pub kind: String,
    /// The platform's media id or link.
    pub source: String,
    pub mime: Option<String>,
    pub filename: Option<String>,
    pub sha256: Option<String>,
    pub size: Option<i64>,
    pub state: String,
    pub attempts: i64,
    pub error: Option<String>,
}

/// An attachment to fetch; the caller made the id.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub id: String,
    pub workspace_id: String,
    pub profile_id: String,
    pub message_id: String,
    pub kind: String,
    pub source: String,
    pub mime: Option<String>,
    pub filename: Option<String>,
}

/// An attachment of a message known by its platform id.
#[derive(Debug, Clone)]
pub struct PlatformMedia {
    pub platform_message_id: String,
    pub kind: String,
    pub source: String,
    pub mime: Option<String>,
    pub filename: Option<String>,
}

const COLUMNS: &str =
    "id, workspace_id, profile_id, message_id, kind, source, mime, filename, sha256, size, state, attempts, error";

impl Store {
    /// Records attachments to fetch (due at once).
    pub async fn add_media(&self, items: &[NewMedia], now: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            for m in items {
                sqlx::query(
                    "INSERT INTO media (id, workspace_id, profile_id, message_id, kind, source, mime, filename, state, next_attempt_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $9)")
                    .bind(&m.id).bind(&m.workspace_id).bind(&m.profile_id).bind(&m.message_id).bind(&m.kind)
                    .bind(&m.source).bind(&m.mime).bind(&m.filename).bind(now)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Records the attachments of messages known by their platform id (after the messages
    /// were stored): each is added once per message and source, so a redelivered webhook
    /// adds what an interrupted one did not. Returns how many were added.
    pub async fn add_media_for_platform_ids(
        &self,
        workspace_id: &str,
        profile_id: &str,
        items: &[PlatformMedia],
        now: i64,
    ) -> Result<u64> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for m in items {
                added += sqlx::query(
                    "INSERT INTO media (id, workspace_id, profile_id, message_id, kind, source, mime, filename, state, next_attempt_at, created_at) \
                     SELECT $1, m.workspace_id, m.profile_id, m.id, $2, $3, $4, $5, 'pending', $6, $6 FROM messages m \
                     WHERE m.workspace_id = $7 AND m.profile_id = $8 AND m.platform_message_id = $9 AND m.direction = 'in' \
                     AND NOT EXISTS (SELECT 1 FROM media d WHERE d.message_id = m.id AND d.source = $3)")
                    .bind(hubert_core::new_id()).bind(&m.kind).bind(&m.source).bind(&m.mime).bind(&m.filename).bind(now)
                    .bind(workspace_id).bind(profile_id).bind(&m.platform_message_id)
                    .execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// Claims up to `limit` due fetches: each is pushed `lease_ms` into the future and
    /// counted as an attempt, so a crashed fetch is retried after the lease.
    pub async fn claim_media(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<MediaRow>> {
        let sql = format!(
            "UPDATE media SET next_attempt_at = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM media WHERE state = 'pending' AND next_attempt_at <= $1 \
             ORDER BY next_attempt_at, id LIMIT $3 {}) RETURNING {COLUMNS}",
            crate::dialect::skip_locked(&self.write)
        );
        on_pool!(&self.write, pool => {
            Ok(sqlx::query_as::<_, MediaRow>(&sql).bind(now).bind(now + lease_ms).bind(limit).fetch_all(pool).await?)
        })
    }

    /// Marks an attachment stored under `sha256`.
    pub async fn media_stored(&self, id: &str, sha256: &str, size: i64, mime: &str, now: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("UPDATE media SET state = 'stored', sha256 = $2, size = $3, mime = $4, fetched_at = $5, error = NULL WHERE id = $1")
                .bind(id).bind(sha256).bind(size).bind(mime).bind(now).execute(pool).await?;
        });
        Ok(())
    }

    /// Retries a fetch at `next_at`, noting why the last one failed.
    pub async fn media_retry(&self, id: &str, error: &str, next_at: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("UPDATE media SET next_attempt_at = $2, error = $3 WHERE id = $1 AND state = 'pending'")
                .bind(id).bind(next_at).bind(error).execute(pool).await?;
        });
        Ok(())
    }

    /// Ends a fetch for good: `state` is `failed`, `too_large` or `expired`.
    pub async fn media_given_up(&self, id: &str, state: &str, error: &str) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("UPDATE media SET state = $2, error = $3 WHERE id = $1")
                .bind(id).bind(state).bind(error).execute(pool).await?;
        });
        Ok(())
    }

    /// One attachment of the workspace.
    pub async fn media(&self, workspace_id: &str, id: &str) -> Result<Option<MediaRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, MediaRow>(&format!("SELECT {COLUMNS} FROM media WHERE workspace_id = $1 AND id = $2"))
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    /// The attachments of some messages (for the conversation view).
    pub async fn media_of_messages(&self, workspace_id: &str, message_ids: &[String]) -> Result<Vec<MediaRow>> {
        let mut out = Vec::new();
        for chunk in message_ids.chunks(200) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM media WHERE workspace_id = $1 AND message_id IN ({}) ORDER BY created_at, id",
                marks.join(", ")
            );
            let rows = on_pool!(&self.read, pool => {
                let mut q = sqlx::query_as::<_, MediaRow>(&sql).bind(workspace_id);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Whether another stored row already holds these bytes (the file is shared).
    pub async fn media_sha_in_use(&self, sha256: &str) -> Result<bool> {
        on_pool!(&self.read, pool => {
            let n = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM media WHERE sha256 = $1 AND state = 'stored'")
                .bind(sha256).fetch_one(pool).await?;
            Ok(n > 0)
        })
    }
}
