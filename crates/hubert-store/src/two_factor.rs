//! Two-factor sign-in at rest: each user's authenticator secret (sealed, see
//! [`crate::credentials`]), their recovery codes (hashed), the second step of a sign-in
//! in progress, and the workspace's rule that admins and leads must use it. Every change
//! writes its audit entry in the same transaction; "a code works once" is one atomic
//! UPDATE, so it also holds with several instances.

use zeroize::Zeroizing;

use crate::audit::{insert_audit, NewAudit};
use crate::auth::NewSession;
use crate::credentials::Sealed;
use crate::{on_pool, Result, Store};

/// A user's authenticator, its secret opened (base32 text).
#[derive(Clone)]
pub struct TwoFactorRow {
    pub user_id: String,
    pub secret: Zeroizing<String>,
    pub enabled_at: Option<i64>,
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for TwoFactorRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwoFactorRow")
            .field("user_id", &self.user_id)
            .field("secret", &"[redacted]")
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// A sign-in waiting for its second step.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub workspace_id: String,
    pub user_id: String,
    pub purpose: String,
    pub expires_at: i64,
    pub attempts: i64,
}

/// A second step to store: the caller made the token and hashed it.
#[derive(Debug, Clone, Copy)]
pub struct NewChallenge<'a> {
    pub id_hash: &'a str,
    pub workspace_id: &'a str,
    pub user_id: &'a str,
    pub purpose: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// The user's authenticator (enabled or an enrolment not yet confirmed).
    pub async fn two_factor(&self, user_id: &str) -> Result<Option<TwoFactorRow>> {
        let row = on_pool!(&self.write, pool => {
            sqlx::query_as::<_, (String, String, Option<i64>, Option<i64>)>(
                "SELECT user_id, secret, enabled_at, last_step FROM two_factor WHERE user_id = $1")
                .bind(user_id).fetch_optional(pool).await?
        });
        let Some((user_id, stored, enabled_at, last_step)) = row else {
            return Ok(None);
        };
        let secret = Zeroizing::new(Sealed::TwoFactorSecret.open(&self.keys.key(), &user_id, &stored)?);
        Ok(Some(TwoFactorRow {
            user_id,
            secret,
            enabled_at,
            last_step,
        }))
    }

    /// The users of a workspace with two-factor sign-in enabled.
    pub async fn two_factor_users(&self, workspace_id: &str) -> Result<Vec<String>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, String>(
                "SELECT user_id FROM two_factor WHERE workspace_id = $1 AND enabled_at IS NOT NULL ORDER BY user_id")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }

    /// Starts (or restarts) an enrolment with a new secret. Returns false, changing
    /// nothing, when the user already has two-factor sign-in enabled.
    pub async fn begin_two_factor(&self, workspace_id: &str, user_id: &str, secret: &str, now: i64) -> Result<bool> {
        let sealed = Sealed::TwoFactorSecret.seal(&self.keys.key(), user_id, secret);
        on_pool!(&self.write, pool => {
            let done = sqlx::query(
                "INSERT INTO two_factor (user_id, workspace_id, secret, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at \
                 WHERE two_factor.enabled_at IS NULL")
                .bind(user_id).bind(workspace_id).bind(&sealed).bind(now)
                .execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Confirms an enrolment (its first code matched at `step`) and stores the recovery
    /// codes, with the audit entry. False when there was no enrolment to confirm.
    pub async fn enable_two_factor(
        &self,
        user_id: &str,
        step: i64,
        code_hashes: &[String],
        audit: &NewAudit<'_>,
    ) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE two_factor SET enabled_at = $2, last_step = $3 WHERE user_id = $1 AND enabled_at IS NULL")
                .bind(user_id).bind(audit.at).bind(step).execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for hash in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(hubert_core::new_id()).bind(user_id).bind(hash).bind(audit.at)
                    .execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records that the code of `step` was used: true only the first time a step at or
    /// after it is used (a code works once, also between instances).
    pub async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let done = sqlx::query(
                "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND enabled_at IS NOT NULL \
                 AND (last_step IS NULL OR last_step < $2)")
                .bind(user_id).bind(step).execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Uses a recovery code (by its hash): true when it was there and unused.
    pub async fn use_recovery_code(&self, user_id: &str, code_hash: &str, now: i64) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let done = sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
                .bind(user_id).bind(code_hash).bind(now).execute(pool).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// How many unused recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id).fetch_one(pool).await?)
        })
    }

    /// Replaces every recovery code of the user, with the audit entry.
    pub async fn replace_recovery_codes(
        &self,
        user_id: &str,
        code_hashes: &[String],
        audit: &NewAudit<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            for hash in code_hashes {
                sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(hubert_core::new_id()).bind(user_id).bind(hash).bind(audit.at)
                    .execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes the user's authenticator and recovery codes, with the audit entry. False
    /// when there was nothing to remove.
    pub async fn remove_two_factor(&self, user_id: &str, audit: &NewAudit<'_>) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM two_factor WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM login_challenges WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Whether the workspace requires two-factor sign-in of admins and leads.
    pub async fn two_factor_required(&self, workspace_id: &str) -> Result<bool> {
        on_pool!(&self.read, pool => {
            let v = sqlx::query_scalar::<_, i64>("SELECT two_factor_required FROM workspaces WHERE id = $1")
                .bind(workspace_id).fetch_optional(pool).await?;
            Ok(v.unwrap_or(0) != 0)
        })
    }

    /// Sets the rule, with its audit entry. Turning it on ends the sessions of admins
    /// and leads without two-factor sign-in (their next sign-in enrols them); returns
    /// how many sessions ended.
    pub async fn set_two_factor_required(
        &self,
        workspace_id: &str,
        required: bool,
        audit: &NewAudit<'_>,
    ) -> Result<u64> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE workspaces SET two_factor_required = $2 WHERE id = $1")
                .bind(workspace_id).bind(i64::from(required)).execute(&mut *tx).await?;
            let mut ended = 0;
            if required {
                ended = sqlx::query(
                    "DELETE FROM sessions WHERE workspace_id = $1 AND user_id IN (\
                       SELECT u.id FROM users u WHERE u.workspace_id = $1 AND u.role IN ('admin', 'lead') \
                       AND NOT EXISTS (SELECT 1 FROM two_factor f WHERE f.user_id = u.id AND f.enabled_at IS NOT NULL))")
                    .bind(workspace_id).execute(&mut *tx).await?.rows_affected();
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(ended)
        })
    }

    /// Stores a sign-in waiting for its second step.
    pub async fn create_login_challenge(&self, c: &NewChallenge<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO login_challenges (id_hash, workspace_id, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(c.id_hash).bind(c.workspace_id).bind(c.user_id).bind(c.purpose).bind(c.created_at).bind(c.expires_at)
                .execute(pool).await?;
        });
        Ok(())
    }

    /// A live second step, counting this look as an attempt (the caller refuses beyond
    /// its limit).
    pub async fn attempt_login_challenge(&self, id_hash: &str, now: i64) -> Result<Option<ChallengeRow>> {
        on_pool!(&self.write, pool => {
            Ok(sqlx::query_as::<_, ChallengeRow>(
                "UPDATE login_challenges SET attempts = attempts + 1 WHERE id_hash = $1 AND expires_at > $2 \
                 RETURNING workspace_id, user_id, purpose, expires_at, attempts")
                .bind(id_hash).bind(now).fetch_optional(pool).await?)
        })
    }

    /// A live second step, without counting an attempt (to draw its page).
    pub async fn login_challenge(&self, id_hash: &str, now: i64) -> Result<Option<ChallengeRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, ChallengeRow>(
                "SELECT workspace_id, user_id, purpose, expires_at, attempts FROM login_challenges WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash).bind(now).fetch_optional(pool).await?)
        })
    }

    /// Ends a second step that failed too often.
    pub async fn delete_login_challenge(&self, id_hash: &str) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("DELETE FROM login_challenges WHERE id_hash = $1").bind(id_hash).execute(pool).await?;
        });
        Ok(())
    }

    /// Turns a passed second step into a session, once: false (and no session) when the
    /// step was already used or expired.
    pub async fn complete_login_challenge(
        &self,
        id_hash: &str,
        session: &NewSession<'_>,
        audit: &NewAudit<'_>,
    ) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("DELETE FROM login_challenges WHERE id_hash = $1 AND expires_at > $2")
                .bind(id_hash).bind(session.created_at).execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query("INSERT INTO sessions (id, workspace_id, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(session.id_hash).bind(session.workspace_id).bind(session.user_id).bind(session.csrf_token)
                .bind(session.created_at).bind(session.expires_at)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }
}
