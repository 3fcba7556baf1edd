//! Versioned opening hours and norms per profile (`calendar_versions`, `norm_versions`),
//! and rewriting the stored business response times when history is rewritten. The
//! arithmetic lives in `hubert_core::business`; this only stores and reads.

use crate::audit::{insert_audit, NewAudit};
use crate::{on_pool, Result, Store};

/// One stored calendar version: the spec as JSON text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CalendarVersionRow {
    pub profile_id: String,
    pub effective_from: i64,
    pub spec: String,
    pub created_by: String,
    pub created_at: i64,
}

/// One stored norm version.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NormVersionRow {
    pub profile_id: String,
    pub effective_from: i64,
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub created_by: String,
    pub created_at: i64,
}

/// What a new version changes besides itself, in the same transaction: recomputed
/// business response times `(message id, ms)` and the audit entry of a rewrite.
#[derive(Debug, Default)]
pub struct VersionEffects<'a> {
    pub rewrites: &'a [(String, i64)],
    pub audit: Option<NewAudit<'a>>,
}

pub(crate) const INSERT_NORM_VERSION: &str =
    "INSERT INTO norm_versions (id, workspace_id, profile_id, effective_from, \
    threshold_minutes, target_percent, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// A customer message that has been answered: `(id, created_at, answered_at)`.
pub type AnsweredMessage = (String, i64, i64);

impl Store {
    /// The calendar versions of one profile (or of every profile of the workspace), oldest
    /// first (equal moments: in order of creation).
    pub async fn calendar_versions(
        &self,
        workspace_id: &str,
        profile_id: Option<&str>,
    ) -> Result<Vec<CalendarVersionRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, CalendarVersionRow>(
                "SELECT profile_id, effective_from, spec, created_by, created_at FROM calendar_versions \
                 WHERE workspace_id = $1 AND ($2 IS NULL OR profile_id = $2) ORDER BY effective_from, created_at, id")
                .bind(workspace_id).bind(profile_id).fetch_all(pool).await?)
        })
    }

    /// The norm versions of one profile (or of every profile), oldest first.
    pub async fn norm_versions(&self, workspace_id: &str, profile_id: Option<&str>) -> Result<Vec<NormVersionRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, NormVersionRow>(
                "SELECT profile_id, effective_from, threshold_minutes, target_percent, created_by, created_at FROM norm_versions \
                 WHERE workspace_id = $1 AND ($2 IS NULL OR profile_id = $2) ORDER BY effective_from, created_at, id")
                .bind(workspace_id).bind(profile_id).fetch_all(pool).await?)
        })
    }

    /// The arrival of the newest customer message of a profile.
    pub async fn latest_arrival(&self, workspace_id: &str, profile_id: &str) -> Result<Option<i64>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_scalar::<_, Option<i64>>(
                "SELECT MAX(created_at) FROM messages WHERE workspace_id = $1 AND profile_id = $2 AND direction = 'in'")
                .bind(workspace_id).bind(profile_id).fetch_one(pool).await?)
        })
    }

    /// Answered customer messages of a profile that arrived at or after `from`.
    pub async fn answered_since(
        &self,
        workspace_id: &str,
        profile_id: &str,
        from: i64,
    ) -> Result<Vec<AnsweredMessage>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, AnsweredMessage>(
                "SELECT id, created_at, answered_at FROM messages WHERE workspace_id = $1 AND profile_id = $2 \
                 AND direction = 'in' AND created_at >= $3 AND answered_at IS NOT NULL ORDER BY created_at")
                .bind(workspace_id).bind(profile_id).bind(from).fetch_all(pool).await?)
        })
    }

    /// Stores a calendar version with its effects in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_calendar_version(
        &self,
        workspace_id: &str,
        profile_id: &str,
        effective_from: i64,
        spec: &str,
        created_by: &str,
        now: i64,
        effects: &VersionEffects<'_>,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO calendar_versions (id, workspace_id, profile_id, effective_from, spec, created_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(hubert_core::new_id()).bind(workspace_id).bind(profile_id).bind(effective_from)
                .bind(spec).bind(created_by).bind(now).execute(&mut *tx).await?;
            for (id, ms) in effects.rewrites {
                sqlx::query("UPDATE messages SET business_response_ms = $3 WHERE workspace_id = $1 AND id = $2")
                    .bind(workspace_id).bind(id).bind(*ms).execute(&mut *tx).await?;
            }
            if let Some(entry) = &effects.audit {
                insert_audit!(&mut *tx, entry);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a norm version. The profile's own columns keep the norm in force now
    /// (`current`), and the first version records the norm before it (`previous`, in
    /// force from the beginning) so history keeps it.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_norm_version(
        &self,
        workspace_id: &str,
        profile_id: &str,
        effective_from: i64,
        norm: (i64, f64),
        previous: (i64, f64),
        current: (i64, f64),
        created_by: &str,
        now: i64,
        audit: Option<&NewAudit<'_>>,
    ) -> Result<()> {
        const INSERT: &str = INSERT_NORM_VERSION;
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM norm_versions WHERE workspace_id = $1 AND profile_id = $2")
                .bind(workspace_id).bind(profile_id).fetch_one(&mut *tx).await?;
            if count == 0 {
                sqlx::query(INSERT).bind(hubert_core::new_id()).bind(workspace_id).bind(profile_id).bind(i64::MIN)
                    .bind(previous.0).bind(previous.1).bind(created_by).bind(now).execute(&mut *tx).await?;
            }
            sqlx::query(INSERT).bind(hubert_core::new_id()).bind(workspace_id).bind(profile_id).bind(effective_from)
                .bind(norm.0).bind(norm.1).bind(created_by).bind(now).execute(&mut *tx).await?;
            sqlx::query("UPDATE profiles SET threshold_minutes = $3, target_percent = $4 WHERE workspace_id = $1 AND id = $2")
                .bind(workspace_id).bind(profile_id).bind(current.0).bind(current.1).execute(&mut *tx).await?;
            if let Some(entry) = audit {
                insert_audit!(&mut *tx, entry);
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
