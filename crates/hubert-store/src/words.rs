//! The team's spelling allow-list (brand and product names), per workspace. Words are kept
//! as typed; matching them case-insensitively is the caller's business (`hubert-app::words`),
//! so both backends behave the same whatever their collations.

use serde::Serialize;

use crate::{on_pool, Result, Store};

/// One allowed word and who added it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AllowedWord {
    pub word: String,
    /// The actor id (a user id, or `token:<id>` for API tokens).
    pub added_by: String,
    /// The user's name when a user added it.
    pub added_by_name: Option<String>,
    pub added_at: i64,
}

impl Store {
    /// Adds a word; adding one that is already there changes nothing. Returns whether
    /// the word was new.
    pub async fn add_allowed_word(&self, workspace_id: &str, word: &str, added_by: &str, now: i64) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let done = sqlx::query("INSERT INTO allowed_words (workspace_id, word, added_by, added_at) VALUES ($1, $2, $3, $4) \
                                    ON CONFLICT (workspace_id, word) DO NOTHING")
                .bind(workspace_id).bind(word).bind(added_by).bind(now)
                .execute(pool).await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Removes exactly `word` (as stored). Returns whether it was there.
    pub async fn remove_allowed_word(&self, workspace_id: &str, word: &str) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let done = sqlx::query("DELETE FROM allowed_words WHERE workspace_id = $1 AND word = $2")
                .bind(workspace_id).bind(word).execute(pool).await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// The workspace's allowed words with who added them (in no particular order: the
    /// collations of the two backends differ, the caller sorts).
    pub async fn allowed_words(&self, workspace_id: &str) -> Result<Vec<AllowedWord>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, AllowedWord>(
                "SELECT w.word, w.added_by, u.name AS added_by_name, w.added_at FROM allowed_words w \
                 LEFT JOIN users u ON u.id = w.added_by AND u.workspace_id = w.workspace_id \
                 WHERE w.workspace_id = $1")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Just the words, for the spelling check on every analysis (one index range read).
    pub async fn allowed_word_list(&self, workspace_id: &str) -> Result<Vec<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, String>("SELECT word FROM allowed_words WHERE workspace_id = $1")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }
}
