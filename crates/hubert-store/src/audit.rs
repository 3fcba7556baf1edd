//! The audit log: who did what, when, from where. Entries are written inside the
//! transaction of the action they record wherever the store runs one ([`insert_audit!`]),
//! and listed newest first with filters for the admin page, the API and the CSV export.

use crate::rows::AuditRow;
use crate::{on_pool, Result, Store};

/// One audit entry to write. `action` is the stable name of a kind of event
/// (`hubert-app::audit::AuditKind`); `client` the caller's address when known.
#[derive(Debug, Clone, Copy)]
pub struct NewAudit<'a> {
    pub workspace_id: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub client: &'a str,
    pub detail: &'a str,
    pub at: i64,
}

/// Which entries to list: `[from, to)` in epoch ms, optionally one action, a page.
#[derive(Debug, Clone)]
pub struct AuditFilter {
    pub workspace_id: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub action: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub(crate) const INSERT_AUDIT: &str =
    "INSERT INTO audit_log (id, workspace_id, actor, action, subject, client, detail, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Writes a [`NewAudit`] with `$exec` (a pool or `&mut *tx`), inside whatever
/// transaction that executor belongs to.
macro_rules! insert_audit {
    ($exec:expr, $entry:expr) => {{
        let e: &$crate::audit::NewAudit<'_> = $entry;
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind(hubert_core::new_id())
            .bind(e.workspace_id)
            .bind(e.actor)
            .bind(e.action)
            .bind(e.subject)
            .bind(e.client)
            .bind(e.detail)
            .bind(e.at)
            .execute($exec)
            .await?;
    }};
}
pub(crate) use insert_audit;

impl Store {
    /// Writes one audit entry on its own (for events that change nothing else, such as
    /// a failed login).
    pub async fn record_audit(&self, entry: &NewAudit<'_>) -> Result<()> {
        on_pool!(&self.write, pool => {
            insert_audit!(pool, entry);
        });
        Ok(())
    }

    /// Writes an audit entry without client or detail.
    pub async fn audit(&self, workspace_id: &str, actor: &str, action: &str, subject: &str, now: i64) -> Result<()> {
        self.record_audit(&NewAudit {
            workspace_id,
            actor,
            action,
            subject,
            client: "",
            detail: "",
            at: now,
        })
        .await
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let action = filter.action.clone().unwrap_or_default();
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, AuditRow>(
                "SELECT a.id, a.actor, COALESCE(u.name, t.name) AS actor_name, a.action, a.subject, a.client, a.detail, a.at \
                 FROM audit_log a \
                 LEFT JOIN users u ON u.id = a.actor AND u.workspace_id = a.workspace_id \
                 LEFT JOIN api_tokens t ON 'token:' || t.id = a.actor AND t.workspace_id = a.workspace_id \
                 WHERE a.workspace_id = $1 AND a.at >= $2 AND a.at < $3 AND ($4 = '' OR a.action = $4) \
                 ORDER BY a.at DESC, a.id DESC LIMIT $5 OFFSET $6")
                .bind(&filter.workspace_id)
                .bind(filter.from.unwrap_or(i64::MIN))
                .bind(filter.to.unwrap_or(i64::MAX))
                .bind(action)
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(pool).await?)
        })
    }
}
