//! Workspaces, users, sessions, API tokens and the audit log.

use crate::rows::{SessionRow, TokenRow, UserRow};
use crate::{on_pool, Result, Store};

impl Store {
    pub async fn create_workspace(&self, name: &str, now: i64) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
                .bind(&id).bind(name).bind(now).execute(pool).await?;
        });
        Ok(id)
    }

    /// The first workspace (a self-hosted install has exactly one).
    pub async fn default_workspace(&self) -> Result<Option<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, String>("SELECT id FROM workspaces ORDER BY created_at, id LIMIT 1")
                .fetch_optional(pool).await?)
        })
    }

    pub async fn create_user(
        &self,
        workspace_id: &str,
        email: &str,
        name: &str,
        role: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO users (id, workspace_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&id).bind(workspace_id).bind(email.to_lowercase()).bind(name).bind(role).bind(password_hash).bind(now)
                .execute(pool).await.map_err(unique_to_conflict)?;
        });
        Ok(id)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash FROM users WHERE email = $1 ORDER BY created_at LIMIT 1")
                .bind(email.to_lowercase()).fetch_optional(pool).await?)
        })
    }

    pub async fn user(&self, workspace_id: &str, id: &str) -> Result<Option<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash FROM users WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn users(&self, workspace_id: &str) -> Result<Vec<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash FROM users WHERE workspace_id = $1 ORDER BY name")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Stores a session under the hash of its cookie value.
    pub async fn create_session(
        &self,
        id_hash: &str,
        workspace_id: &str,
        user_id: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO sessions (id, workspace_id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id_hash).bind(workspace_id).bind(user_id).bind(csrf_token).bind(now).bind(expires_at)
                .execute(pool).await?;
        });
        Ok(())
    }

    /// A live session and its user.
    pub async fn session(&self, id_hash: &str, now: i64) -> Result<Option<(SessionRow, UserRow)>> {
        let session = on_pool!(&self.read, pool => {
            sqlx::query_as::<_, SessionRow>("SELECT id, workspace_id, user_id, csrf_token, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
                .bind(id_hash).bind(now).fetch_optional(pool).await?
        });
        let Some(session) = session else { return Ok(None) };
        let user = self.user(&session.workspace_id, &session.user_id).await?;
        Ok(user.map(|u| (session, u)))
    }

    pub async fn delete_session(&self, id_hash: &str) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id_hash).execute(pool).await?;
        });
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        workspace_id: &str,
        name: &str,
        role: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO api_tokens (id, workspace_id, name, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id).bind(workspace_id).bind(name).bind(role).bind(token_hash).bind(now)
                .execute(pool).await?;
        });
        Ok(id)
    }

    pub async fn api_token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, TokenRow>("SELECT id, workspace_id, name, role FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash).fetch_optional(pool).await?)
        })
    }

    pub async fn audit(&self, workspace_id: &str, actor: &str, action: &str, subject: &str, now: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO audit_log (id, workspace_id, actor, action, subject, at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(hubert_core::new_id()).bind(workspace_id).bind(actor).bind(action).bind(subject).bind(now)
                .execute(pool).await?;
        });
        Ok(())
    }
}

/// Turns a unique-constraint violation into a `Conflict` a person can read.
pub(crate) fn unique_to_conflict(e: sqlx::Error) -> crate::StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return crate::StoreError::Conflict("already exists".into());
        }
    }
    crate::StoreError::Database(e)
}
