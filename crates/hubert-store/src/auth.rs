//! Workspaces, users, sessions and API tokens. Every change that matters for security
//! writes its audit entry in the same transaction.

use crate::audit::{insert_audit, NewAudit};
use crate::rows::{SessionRow, TokenRow, UserRow};
use crate::{on_pool, Result, Store};

const TOKEN_COLUMNS: &str =
    "id, workspace_id, name, role, created_at, created_by, expires_at, last_used_at, revoked_at";

/// A user to store; the caller made the id.
#[derive(Debug, Clone, Copy)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: i64,
}

/// A session to store under the hash of its cookie value.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub workspace_id: &'a str,
    pub user_id: &'a str,
    pub csrf_token: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An API token to store (by the hash of its secret); the caller made the id.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    pub id: &'a str,
    pub workspace_id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub token_hash: &'a str,
    pub created_at: i64,
    pub created_by: &'a str,
    pub expires_at: Option<i64>,
}

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

    /// Stores a user (the caller made the id) and its audit entry in one transaction.
    pub async fn create_user(&self, user: &NewUser<'_>, audit: &NewAudit<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO users (id, workspace_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(user.id).bind(user.workspace_id).bind(user.email.to_lowercase()).bind(user.name).bind(user.role)
                .bind(user.password_hash).bind(user.created_at)
                .execute(&mut *tx).await.map_err(unique_to_conflict)?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash, deactivated_at FROM users WHERE email = $1 ORDER BY created_at LIMIT 1")
                .bind(email.to_lowercase()).fetch_optional(pool).await?)
        })
    }

    pub async fn user(&self, workspace_id: &str, id: &str) -> Result<Option<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash, deactivated_at FROM users WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).fetch_optional(pool).await?)
        })
    }

    pub async fn users(&self, workspace_id: &str) -> Result<Vec<UserRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, UserRow>("SELECT id, workspace_id, email, name, role, password_hash, deactivated_at FROM users WHERE workspace_id = $1 ORDER BY name")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Changes a user's name and/or role, with its audit entry, in one transaction.
    pub async fn update_user(
        &self,
        workspace_id: &str,
        id: &str,
        name: Option<&str>,
        role: Option<&str>,
        audit: &NewAudit<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE users SET name = COALESCE($3, name), role = COALESCE($4, role) WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).bind(name).bind(role).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a one-time reset link (by the hash of its token) with its audit entry.
    pub async fn create_password_reset(
        &self,
        workspace_id: &str,
        user_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
        audit: &NewAudit<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO password_resets (id, workspace_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(hubert_core::new_id()).bind(workspace_id).bind(user_id).bind(token_hash).bind(now).bind(expires_at)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The (workspace, user) of a live, unused reset link of an active user.
    pub async fn password_reset(&self, token_hash: &str, now: i64) -> Result<Option<(String, String)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT r.workspace_id, r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id \
                 WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.deactivated_at IS NULL")
                .bind(token_hash).bind(now).fetch_optional(pool).await?)
        })
    }

    /// Uses a reset link: marks it used (only if it still was unused and live), sets the
    /// password and ends every session of the user, in one transaction with the audit
    /// entry. `NotFound` when the link was used or expired meanwhile.
    pub async fn use_password_reset(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
        audit_action: &str,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let owner = sqlx::query_as::<_, (String, String)>(
                "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                 RETURNING workspace_id, user_id")
                .bind(token_hash).bind(now).fetch_optional(&mut *tx).await?;
            let Some((workspace_id, user_id)) = owner else {
                return Err(crate::StoreError::NotFound);
            };
            sqlx::query("UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(&workspace_id).bind(&user_id).bind(password_hash).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2")
                .bind(&workspace_id).bind(&user_id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, &NewAudit {
                workspace_id: &workspace_id, actor: &user_id, action: audit_action, subject: &user_id,
                client: "", detail: "", at: now,
            });
            tx.commit().await?;
        });
        Ok(())
    }

    /// Replaces a user's password hash and ends their other sessions (all but
    /// `keep_session`, the hash of the session that made the change), with its audit
    /// entry, in one transaction.
    pub async fn set_password(
        &self,
        workspace_id: &str,
        id: &str,
        password_hash: &str,
        keep_session: &str,
        audit: &NewAudit<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE users SET password_hash = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).bind(password_hash).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            sqlx::query("DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2 AND id <> $3")
                .bind(workspace_id).bind(id).bind(keep_session).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deactivates a user (`Some(now)`) or lets them back in (`None`). Deactivation ends
    /// their sessions and revokes the API tokens they made, in the same transaction as the
    /// change and its audit entry.
    pub async fn set_user_deactivated(
        &self,
        workspace_id: &str,
        id: &str,
        deactivated_at: Option<i64>,
        audit: &NewAudit<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE users SET deactivated_at = $3 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(id).bind(deactivated_at).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(crate::StoreError::NotFound);
            }
            if let Some(now) = deactivated_at {
                sqlx::query("DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2")
                    .bind(workspace_id).bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE workspace_id = $1 AND created_by = $2 AND revoked_at IS NULL")
                    .bind(workspace_id).bind(id).bind(now).execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a session under the hash of its cookie value, with its audit entry (the
    /// login) in the same transaction.
    pub async fn create_session(&self, session: &NewSession<'_>, audit: &NewAudit<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO sessions (id, workspace_id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(session.id_hash).bind(session.workspace_id).bind(session.user_id).bind(session.csrf_token)
                .bind(session.created_at).bind(session.expires_at)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
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

    /// Ends a session and records `action` (the logout) for its user in the same
    /// transaction. Returns the (workspace, user) it belonged to, `None` when unknown.
    pub async fn delete_session(
        &self,
        id_hash: &str,
        action: &str,
        client: &str,
        now: i64,
    ) -> Result<Option<(String, String)>> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let owner = sqlx::query_as::<_, (String, String)>("DELETE FROM sessions WHERE id = $1 RETURNING workspace_id, user_id")
                .bind(id_hash).fetch_optional(&mut *tx).await?;
            if let Some((workspace_id, user_id)) = &owner {
                insert_audit!(&mut *tx, &NewAudit {
                    workspace_id, actor: user_id, action, subject: user_id, client, detail: "", at: now,
                });
            }
            tx.commit().await?;
            Ok(owner)
        })
    }

    /// Removes every session that expired before `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        on_pool!(&self.write, pool => {
            sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1").bind(now).execute(pool).await?;
            let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?;
            Ok(done.rows_affected())
        })
    }

    /// Stores a token (by its hash) and its audit entry in one transaction.
    pub async fn create_api_token(&self, token: &NewToken<'_>, audit: &NewAudit<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO api_tokens (id, workspace_id, name, role, token_hash, created_at, created_by, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(token.id).bind(token.workspace_id).bind(token.name).bind(token.role).bind(token.token_hash)
                .bind(token.created_at).bind(token.created_by).bind(token.expires_at)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The token with this hash, live or not (the caller checks [`TokenRow::is_live`]).
    pub async fn api_token(&self, token_hash: &str) -> Result<Option<TokenRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, TokenRow>(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"))
                .bind(token_hash).fetch_optional(pool).await?)
        })
    }

    /// Every token of the workspace, newest first (revoked ones too: the trail stays).
    pub async fn api_tokens(&self, workspace_id: &str) -> Result<Vec<TokenRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, TokenRow>(&format!(
                "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC"))
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Records a use of the token unless one was recorded since `not_before` (so several
    /// instances write at most about once a minute per token).
    pub async fn touch_api_token(&self, id: &str, now: i64, not_before: i64) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)")
                .bind(now).bind(id).bind(not_before).execute(pool).await?;
        });
        Ok(())
    }

    /// Revokes a token and records it in one transaction. `NotFound` when the workspace
    /// has no such token; revoking a revoked token changes nothing.
    pub async fn revoke_api_token(&self, workspace_id: &str, id: &str, audit: &NewAudit<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE workspace_id = $2 AND id = $3 AND revoked_at IS NULL")
                .bind(audit.at).bind(workspace_id).bind(id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                let exists = sqlx::query_scalar::<_, String>("SELECT id FROM api_tokens WHERE workspace_id = $1 AND id = $2")
                    .bind(workspace_id).bind(id).fetch_optional(&mut *tx).await?;
                return if exists.is_some() { Ok(()) } else { Err(crate::StoreError::NotFound) };
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
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
