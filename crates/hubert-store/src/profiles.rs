//! Profiles ("webcareprofielen"), their WhatsApp templates, and the quarantine of
//! deliveries that could not be understood. Credentials are sealed on the way in and
//! opened on the way out ([`crate::credentials`]): callers see plain JSON only.

use crate::auth::unique_to_conflict;
use crate::rows::{ProfileRow, QuarantineRow, TemplateRow};
use crate::{on_pool, Result, Store};

const PROFILE_COLS: &str = "id, workspace_id, platform, name, account_id, credentials, threshold_minutes, \
     target_percent, created_at, disconnected_at";
/// The columns a new profile is written with.
const NEW_PROFILE_COLS: &str =
    "id, workspace_id, platform, name, account_id, credentials, threshold_minutes, target_percent, created_at";

/// A change to a profile; `None` fields stay. Credentials are plain JSON (sealed here).
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub credentials: Option<String>,
    pub threshold_minutes: Option<i64>,
    pub target_percent: Option<f64>,
}

impl Store {
    pub async fn create_profile(&self, p: &ProfileRow) -> Result<()> {
        let sealed = self.seal_credentials(&p.id, &p.credentials);
        on_pool!(&self.write, pool => {
            sqlx::query(&format!("INSERT INTO profiles ({NEW_PROFILE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
                .bind(&p.id).bind(&p.workspace_id).bind(p.platform.as_str()).bind(&p.name).bind(&p.account_id)
                .bind(&sealed).bind(p.threshold_minutes).bind(p.target_percent).bind(p.created_at)
                .execute(pool).await.map_err(unique_to_conflict)?;
        });
        Ok(())
    }

    pub async fn profiles(&self, workspace_id: &str) -> Result<Vec<ProfileRow>> {
        let rows = on_pool!(&self.read, pool => {
            sqlx::query_as::<_, ProfileRow>(&format!("SELECT {PROFILE_COLS} FROM profiles WHERE workspace_id = $1 ORDER BY name"))
                .bind(workspace_id).fetch_all(pool).await?
        });
        rows.into_iter().map(|r| self.open_credentials(r)).collect()
    }

    /// The ids of the connected profiles on `platform` in every workspace, oldest first,
    /// at most `limit` (the poll worker's list).
    pub async fn profile_ids_on(&self, platform: hubert_core::Platform, limit: i64) -> Result<Vec<String>> {
        let ids = on_pool!(&self.read, pool => {
            sqlx::query_scalar::<_, String>(
                "SELECT id FROM profiles WHERE platform = $1 AND disconnected_at IS NULL ORDER BY created_at, id LIMIT $2",
            )
            .bind(platform.as_str()).bind(limit).fetch_all(pool).await?
        });
        Ok(ids)
    }

    /// A connected profile by id regardless of workspace: webhooks arrive without a
    /// session and are routed by the profile id in their URL. Disconnected profiles are
    /// not found (no webhooks, no sends).
    pub async fn profile_for_webhook(&self, id: &str) -> Result<Option<ProfileRow>> {
        let row = on_pool!(&self.read, pool => {
            sqlx::query_as::<_, ProfileRow>(&format!("SELECT {PROFILE_COLS} FROM profiles WHERE id = $1 AND disconnected_at IS NULL"))
                .bind(id).fetch_optional(pool).await?
        });
        row.map(|r| self.open_credentials(r)).transpose()
    }

    pub async fn profile(&self, workspace_id: &str, id: &str) -> Result<Option<ProfileRow>> {
        let row = on_pool!(&self.read, pool => {
            sqlx::query_as::<_, ProfileRow>(&format!("SELECT {PROFILE_COLS} FROM profiles WHERE workspace_id = $1 AND id = $2"))
                .bind(workspace_id).bind(id).fetch_optional(pool).await?
        });
        row.map(|r| self.open_credentials(r)).transpose()
    }

    /// Changes a profile, with its audit entry, in one transaction. False when there is
    /// no such connected profile.
    pub async fn update_profile(
        &self,
        workspace_id: &str,
        id: &str,
        change: &ProfileChange,
        audit: &crate::NewAudit<'_>,
    ) -> Result<bool> {
        let sealed = change.credentials.as_deref().map(|c| self.seal_credentials(id, c));
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            if change.threshold_minutes.is_some() || change.target_percent.is_some() {
                // A norm changed here applies from now on, as a norm version (the first
                // version keeps the earlier norm for the messages before it).
                let before: Option<(i64, f64)> = sqlx::query_as(
                    "SELECT threshold_minutes, target_percent FROM profiles WHERE workspace_id = $1 AND id = $2 AND disconnected_at IS NULL")
                    .bind(workspace_id).bind(id).fetch_optional(&mut *tx).await?;
                let Some(before) = before else { return Ok(false) };
                let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM norm_versions WHERE workspace_id = $1 AND profile_id = $2")
                    .bind(workspace_id).bind(id).fetch_one(&mut *tx).await?;
                let after = (change.threshold_minutes.unwrap_or(before.0), change.target_percent.unwrap_or(before.1));
                let versions = if count == 0 { vec![(i64::MIN, before), (audit.at, after)] } else { vec![(audit.at, after)] };
                for (from, (threshold, target)) in versions {
                    sqlx::query(crate::calendars::INSERT_NORM_VERSION)
                        .bind(hubert_core::new_id()).bind(workspace_id).bind(id).bind(from)
                        .bind(threshold).bind(target).bind(audit.actor).bind(audit.at)
                        .execute(&mut *tx).await?;
                }
            }
            let done = sqlx::query(
                "UPDATE profiles SET name = COALESCE($3, name), credentials = COALESCE($4, credentials), \
                 threshold_minutes = COALESCE($5, threshold_minutes), target_percent = COALESCE($6, target_percent) \
                 WHERE workspace_id = $1 AND id = $2 AND disconnected_at IS NULL")
                .bind(workspace_id).bind(id).bind(&change.name).bind(&sealed)
                .bind(change.threshold_minutes).bind(change.target_percent)
                .execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            crate::audit::insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Disconnects a profile (webhooks and sends stop; history stays), with its audit
    /// entry. False when there is no such connected profile.
    pub async fn disconnect_profile(&self, workspace_id: &str, id: &str, audit: &crate::NewAudit<'_>) -> Result<bool> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE profiles SET disconnected_at = $3 WHERE workspace_id = $1 AND id = $2 AND disconnected_at IS NULL")
                .bind(workspace_id).bind(id).bind(audit.at)
                .execute(&mut *tx).await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
            crate::audit::insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn add_template(
        &self,
        workspace_id: &str,
        profile_id: &str,
        name: &str,
        language: &str,
        body: &str,
    ) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO templates (id, workspace_id, profile_id, name, language, body) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id).bind(workspace_id).bind(profile_id).bind(name).bind(language).bind(body)
                .execute(pool).await.map_err(unique_to_conflict)?;
        });
        Ok(id)
    }

    pub async fn templates(&self, workspace_id: &str, profile_id: &str) -> Result<Vec<TemplateRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, TemplateRow>("SELECT id, profile_id, name, language, body FROM templates WHERE workspace_id = $1 AND profile_id = $2 ORDER BY name")
                .bind(workspace_id).bind(profile_id).fetch_all(pool).await?)
        })
    }

    /// Keeps a validly signed delivery we could not parse, so nothing is lost.
    pub async fn quarantine(
        &self,
        workspace_id: &str,
        profile_id: Option<&str>,
        platform: &str,
        reason: &str,
        body: &str,
        now: i64,
    ) -> Result<String> {
        let id = hubert_core::new_id();
        on_pool!(&self.write, pool => {
            sqlx::query("INSERT INTO quarantine (id, workspace_id, profile_id, platform, reason, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(&id).bind(workspace_id).bind(profile_id).bind(platform).bind(reason).bind(body).bind(now)
                .execute(pool).await?;
        });
        Ok(id)
    }

    /// Quarantines several items of one delivery in one transaction: `(reason, body)`.
    pub async fn quarantine_many(
        &self,
        workspace_id: &str,
        profile_id: Option<&str>,
        platform: &str,
        items: &[(String, String)],
        now: i64,
    ) -> Result<()> {
        on_pool!(&self.write, pool => {
            let mut tx = pool.begin().await?;
            for (reason, body) in items {
                sqlx::query("INSERT INTO quarantine (id, workspace_id, profile_id, platform, reason, body, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(hubert_core::new_id()).bind(workspace_id).bind(profile_id).bind(platform).bind(reason).bind(body).bind(now)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn quarantined(&self, workspace_id: &str, limit: i64) -> Result<Vec<QuarantineRow>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, QuarantineRow>("SELECT id, profile_id, platform, reason, body, received_at FROM quarantine WHERE workspace_id = $1 ORDER BY received_at DESC LIMIT $2")
                .bind(workspace_id).bind(limit).fetch_all(pool).await?)
        })
    }
}
