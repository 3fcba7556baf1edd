//! Wallboards, compliments (the wall of love), the banner, and the few aggregate reads a
//! wallboard snapshot needs. Snapshots are computed once per board kind and fanned out to
//! every screen (see `hubert-app::wallboard`), so these run per change, not per screen.

use serde::Serialize;

use crate::{on_pool, Result, Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct WallboardRow {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    /// JSON array of profile ids; empty means every profile.
    pub profile_ids: String,
    pub privacy: i64,
    pub rotate_seconds: Option<i64>,
    /// JSON array of layout names shown in turn.
    pub layouts: String,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A waiting queue per profile.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueRow {
    pub profile_id: String,
    pub waiting: i64,
    pub oldest_waiting_since: Option<i64>,
}

/// One incoming message for a feed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: String,
    pub profile_id: String,
    pub platform: String,
    pub kind: String,
    pub summary: String,
    pub created_at: i64,
    pub contact_name: Option<String>,
    pub contact_handle: Option<String>,
}

const WALLBOARD_COLS: &str =
    "id, workspace_id, name, token_hash, profile_ids, privacy, rotate_seconds, layouts, created_by, created_at, revoked_at";

impl Store {
    pub async fn create_wallboard(&self, w: &WallboardRow) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query(&format!("INSERT INTO wallboards ({WALLBOARD_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)"))
                .bind(&w.id).bind(&w.workspace_id).bind(&w.name).bind(&w.token_hash).bind(&w.profile_ids)
                .bind(w.privacy).bind(w.rotate_seconds).bind(&w.layouts).bind(&w.created_by).bind(w.created_at)
                .execute(pool).await?;
        });
        Ok(())
    }

    pub async fn wallboards(&self, workspace_id: &str) -> Result<Vec<WallboardRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, WallboardRow>(&format!("SELECT {WALLBOARD_COLS} FROM wallboards WHERE workspace_id = $1 ORDER BY created_at DESC"))
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// A wallboard that has not been revoked, by the hash of its token.
    pub async fn wallboard_by_token(&self, token_hash: &str) -> Result<Option<WallboardRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, WallboardRow>(&format!("SELECT {WALLBOARD_COLS} FROM wallboards WHERE token_hash = $1 AND revoked_at IS NULL"))
                .bind(token_hash).fetch_optional(pool).await?)
        })
    }

    pub async fn revoke_wallboard(&self, workspace_id: &str, id: &str, now: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            let done = sqlx::query("UPDATE wallboards SET revoked_at = $3 WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL")
                .bind(workspace_id).bind(id).bind(now).execute(pool).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        });
        Ok(())
    }

    /// Stars (or un-stars) a customer message as a compliment.
    pub async fn set_compliment(
        &self,
        workspace_id: &str,
        message_id: &str,
        user: &str,
        on: bool,
        now: i64,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            if on {
                let found: Option<String> = sqlx::query_scalar("SELECT id FROM messages WHERE workspace_id = $1 AND id = $2 AND direction = 'in'")
                    .bind(workspace_id).bind(message_id).fetch_optional(pool).await?;
                if found.is_none() {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("INSERT INTO compliments (id, workspace_id, message_id, starred_by, starred_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (workspace_id, message_id) DO NOTHING")
                    .bind(hubert_core::new_id()).bind(workspace_id).bind(message_id).bind(user).bind(now)
                    .execute(pool).await?;
            } else {
                sqlx::query("DELETE FROM compliments WHERE workspace_id = $1 AND message_id = $2")
                    .bind(workspace_id).bind(message_id).execute(pool).await?;
            }
        });
        Ok(())
    }

    /// Ids of the starred messages of a conversation.
    pub async fn starred_in_conversation(&self, workspace_id: &str, conversation_id: &str) -> Result<Vec<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, String>("SELECT c.message_id FROM compliments c JOIN messages m ON m.id = c.message_id \
                                                 WHERE c.workspace_id = $1 AND m.conversation_id = $2")
                .bind(workspace_id).bind(conversation_id).fetch_all(pool).await?)
        })
    }

    /// The newest compliments, as feed rows, of the given profiles (all when empty).
    pub async fn compliments(&self, workspace_id: &str, profile_ids: &[String], limit: i64) -> Result<Vec<FeedRow>> {
        let sql = format!(
            "SELECT m.id, m.profile_id, p.platform, m.kind, m.summary, m.created_at, k.name AS contact_name, k.handle AS contact_handle \
             FROM compliments s JOIN messages m ON m.id = s.message_id JOIN profiles p ON p.id = m.profile_id \
             JOIN conversations c ON c.id = m.conversation_id JOIN contacts k ON k.id = c.contact_id \
             WHERE s.workspace_id = $1{} ORDER BY s.starred_at DESC LIMIT ${}",
            profile_filter("m.profile_id", profile_ids.len()),
            profile_ids.len() + 2
        );
        on_pool!(&self.read, pool => {
            let mut query = sqlx::query_as::<_, FeedRow>(&sql).bind(workspace_id);
            for id in profile_ids {
                query = query.bind(id);
            }
            Ok(query.bind(limit).fetch_all(pool).await?)
        })
    }

    /// The newest customer messages of the given profiles (all when empty), filtered in
    /// the query so a board limited to a quiet profile still fills its feed.
    pub async fn feed(&self, workspace_id: &str, profile_ids: &[String], limit: i64) -> Result<Vec<FeedRow>> {
        let sql = format!(
            "SELECT m.id, m.profile_id, p.platform, m.kind, m.summary, m.created_at, k.name AS contact_name, k.handle AS contact_handle \
             FROM messages m JOIN profiles p ON p.id = m.profile_id JOIN conversations c ON c.id = m.conversation_id \
             JOIN contacts k ON k.id = c.contact_id \
             WHERE m.workspace_id = $1 AND m.direction = 'in'{} ORDER BY m.created_at DESC LIMIT ${}",
            profile_filter("m.profile_id", profile_ids.len()),
            profile_ids.len() + 2
        );
        on_pool!(&self.read, pool => {
            let mut query = sqlx::query_as::<_, FeedRow>(&sql).bind(workspace_id);
            for id in profile_ids {
                query = query.bind(id);
            }
            Ok(query.bind(limit).fetch_all(pool).await?)
        })
    }

    /// Waiting conversations per profile and the oldest waiting start.
    pub async fn queues(&self, workspace_id: &str) -> Result<Vec<QueueRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, QueueRow>(
                "SELECT profile_id, COUNT(*) AS waiting, MIN(waiting_since) AS oldest_waiting_since FROM conversations \
                 WHERE workspace_id = $1 AND waiting_since IS NOT NULL AND status <> 'resolved' GROUP BY profile_id")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Waiting conversations per profile of every workspace: (profile id, platform,
    /// waiting, oldest waiting start), for the operator's metrics.
    pub async fn waiting_per_profile(&self) -> Result<Vec<(String, String, i64, Option<i64>)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, String, i64, Option<i64>)>(
                "SELECT p.id, p.platform, COUNT(c.id), MIN(c.waiting_since) FROM profiles p \
                 LEFT JOIN conversations c ON c.profile_id = p.id AND c.waiting_since IS NOT NULL AND c.status <> 'resolved' \
                 GROUP BY p.id, p.platform")
                .fetch_all(pool).await?)
        })
    }

    /// Unresolved conversations per assignee: (user id, name, count).
    pub async fn load_per_agent(&self, workspace_id: &str) -> Result<Vec<(String, String, i64)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, String, i64)>(
                "SELECT u.id, u.name, COUNT(c.id) FROM users u LEFT JOIN conversations c ON c.assignee_id = u.id AND c.status <> 'resolved' \
                 WHERE u.workspace_id = $1 GROUP BY u.id, u.name ORDER BY u.name")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Sets the banner; an empty text clears it.
    pub async fn set_banner(
        &self,
        workspace_id: &str,
        text: &str,
        user: &str,
        now: i64,
        expires_at: Option<i64>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            if text.is_empty() {
                sqlx::query("DELETE FROM banners WHERE workspace_id = $1").bind(workspace_id).execute(pool).await?;
            } else {
                sqlx::query("INSERT INTO banners (workspace_id, text, set_by, set_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (workspace_id) DO UPDATE SET text = excluded.text, set_by = excluded.set_by, \
                             set_at = excluded.set_at, expires_at = excluded.expires_at")
                    .bind(workspace_id).bind(text).bind(user).bind(now).bind(expires_at).execute(pool).await?;
            }
        });
        Ok(())
    }

    pub async fn banner(&self, workspace_id: &str, now: i64) -> Result<Option<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, String>("SELECT text FROM banners WHERE workspace_id = $1 AND (expires_at IS NULL OR expires_at > $2)")
                .bind(workspace_id).bind(now).fetch_optional(pool).await?)
        })
    }
}

/// ` AND column IN ($2, $3, …)` for `count` bound values after `$1`; empty for none.
fn profile_filter(column: &str, count: usize) -> String {
    if count == 0 {
        return String::new();
    }
    let placeholders: Vec<String> = (2..count + 2).map(|i| format!("${i}")).collect();
    format!(" AND {column} IN ({})", placeholders.join(", "))
}
