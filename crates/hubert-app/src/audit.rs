//! The audit log as admins read it: the kinds of events ([`AuditKind`], one name each),
//! listing with filters (`from`, `to`, `kind`, paged, newest first) and the CSV export
//! (escaped, and spreadsheet formulas neutralised). Entries are written by the use cases,
//! inside the store transaction of the action wherever there is one.

use hubert_core::time::{Bucket, Timestamp};
use hubert_core::Role;
use hubert_store::{AuditFilter, AuditRow, NewAudit};
use serde::{Deserialize, Serialize};

use crate::{App, AppError, Principal};

macro_rules! audit_kinds {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// Every kind of event in the audit log, with its stable name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditKind {
            $(#[doc = $doc] $variant,)*
        }

        impl AuditKind {
            pub const ALL: &'static [AuditKind] = &[$(AuditKind::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditKind::$variant => $name,)*
                }
            }
        }
    };
}

audit_kinds! {
    Login => "login", "A user signed in.";
    LoginFailed => "login.failed", "A wrong e-mail address or password (the subject is the user when the address is known).";
    Logout => "logout", "A user signed out.";
    TokenCreated => "token.created", "An API token was made.";
    TokenRevoked => "token.revoked", "An API token was revoked.";
    UserCreated => "user.created", "A user was created.";
    UserUpdated => "user.updated", "A user's name or role was changed.";
    UserDeactivated => "user.deactivated", "A user was deactivated: sessions ended, their tokens revoked.";
    UserReactivated => "user.reactivated", "A deactivated user was let back in.";
    PasswordChanged => "password.changed", "A user changed their own password (their other sessions ended).";
    PasswordResetLinkCreated => "password.reset_link", "An admin made a one-time password-reset link.";
    PasswordReset => "password.reset", "A user set a new password through a reset link (all sessions ended).";
    TwoFactorEnabled => "two_factor.enabled", "A user turned on two-factor sign-in (their first code matched).";
    TwoFactorDisabled => "two_factor.disabled", "A user turned off their own two-factor sign-in (with a valid code).";
    TwoFactorReset => "two_factor.reset", "An admin removed a user's authenticator (a lost phone): they enrol again.";
    RecoveryCodesRenewed => "two_factor.recovery_codes", "A user made new recovery codes (the old ones stopped working).";
    SettingsChanged => "settings.changed", "A workspace setting was changed (e.g. two-factor required of admins and leads).";
    ProfileCreated => "profile.created", "A platform profile was connected.";
    ProfileUpdated => "profile.updated", "A profile's name, credentials or norm was changed (the detail says which).";
    ProfileDisconnected => "profile.disconnected", "A profile was disconnected: webhooks and sends stopped, history kept.";
    HistoryRewritten => "history.rewritten", "A calendar or norm was set with an effective_from before messages that had already arrived: their business response times and scores were recomputed.";
    KeyRotated => "key.rotated", "The key that encrypts credentials was replaced.";
    WallboardCreated => "wallboard.create", "A wallboard link was made.";
    WallboardRevoked => "wallboard.revoke", "A wallboard link was revoked.";
    AllowedWordAdded => "allowed_word.add", "A word was added to the spelling allow-list.";
    AllowedWordRemoved => "allowed_word.remove", "A word was removed from the spelling allow-list.";
    Reply => "reply", "An agent replied.";
    Assign => "assign", "A conversation was assigned.";
    Resolve => "resolve", "A conversation was resolved.";
    NoReplyNeeded => "no_reply_needed", "A conversation was closed without a reply.";
    Resend => "resend", "A failed reply was sent again.";
}

impl AuditKind {
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl Serialize for AuditKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One audit entry as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    /// Epoch milliseconds.
    pub at: i64,
    /// The kind's name (see [`AuditKind`]).
    pub kind: String,
    /// A user id, `token:<id>`, `cli`, `system` or `anonymous`.
    pub actor: String,
    /// The user's or token's name, when the actor is one.
    pub actor_name: Option<String>,
    pub subject: String,
    /// The client address, when the event came over HTTP.
    pub client: String,
    pub detail: String,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass as `offset` for the next page; absent on the last page.
    pub next_offset: Option<i64>,
}

/// Filters of the audit log. Dates are `YYYY-MM-DD` (a local day; `to` includes that
/// day) or epoch milliseconds.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

pub const DEFAULT_AUDIT_PAGE: i64 = 100;
pub const MAX_AUDIT_PAGE: i64 = 1000;
/// Rows in one CSV export at most.
pub const MAX_CSV_ROWS: i64 = 100_000;

/// What the audit use cases record about the caller besides the principal.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub kind: AuditKind,
    pub subject: &'a str,
    pub client: &'a str,
    pub detail: &'a str,
}

impl Recorded<'_> {
    pub(crate) fn entry<'a>(&'a self, workspace_id: &'a str, actor: &'a str, at: i64) -> NewAudit<'a> {
        NewAudit {
            workspace_id,
            actor,
            action: self.kind.as_str(),
            subject: self.subject,
            client: self.client,
            detail: self.detail,
            at,
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// Records an event that has no transaction of its own to join.
    pub async fn record(&self, who: &Principal, what: Recorded<'_>) -> Result<(), AppError> {
        let entry = what.entry(&who.workspace_id, &who.actor_id, self.now());
        Ok(self.store.record_audit(&entry).await?)
    }

    fn audit_filter(&self, who: &Principal, q: &AuditQuery) -> Result<AuditFilter, AppError> {
        let cal = &self.calendar;
        let bad = |what: &str| {
            AppError::Invalid(
                "invalid_query",
                format!("{what} must be YYYY-MM-DD or epoch milliseconds"),
            )
        };
        let from = non_empty(&q.from)
            .map(|s| cal.parse_date(s).ok_or_else(|| bad("from")))
            .transpose()?;
        let to: Option<Timestamp> = non_empty(&q.to)
            .map(|s| {
                let t = cal.parse_date(s).ok_or_else(|| bad("to"))?;
                // A date means "up to and including that day".
                Ok::<_, AppError>(if s.contains('-') {
                    cal.bucket_next(Bucket::Day, t)
                } else {
                    t
                })
            })
            .transpose()?;
        let action = non_empty(&q.kind)
            .map(|k| {
                AuditKind::parse(k)
                    .map(|k| k.as_str().to_owned())
                    .ok_or_else(|| AppError::Invalid("invalid_kind", format!("unknown kind: {k}")))
            })
            .transpose()?;
        let limit = q.limit.unwrap_or(DEFAULT_AUDIT_PAGE);
        if !(1..=MAX_AUDIT_PAGE).contains(&limit) {
            return Err(AppError::Invalid(
                "invalid_limit",
                format!("limit is 1 to {MAX_AUDIT_PAGE}"),
            ));
        }
        let offset = q.offset.unwrap_or(0);
        if offset < 0 {
            return Err(AppError::Invalid("invalid_offset", "offset is 0 or more".into()));
        }
        Ok(AuditFilter {
            workspace_id: who.workspace_id.clone(),
            from,
            to,
            action,
            limit,
            offset,
        })
    }

    /// A page of the audit log (admins).
    pub async fn audit_log(&self, who: &Principal, q: &AuditQuery) -> Result<AuditPage, AppError> {
        who.require(Role::Admin)?;
        let mut filter = self.audit_filter(who, q)?;
        let limit = filter.limit;
        filter.limit += 1;
        let mut rows = self.store.audit_entries(&filter).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        Ok(AuditPage {
            items: rows.into_iter().map(entry_of).collect(),
            next_offset: more.then(|| filter.offset.saturating_add(limit)),
        })
    }

    /// The audit log as CSV (admins): every entry matching the filters (paging ignored),
    /// newest first, at most [`MAX_CSV_ROWS`].
    pub async fn audit_csv(&self, who: &Principal, q: &AuditQuery) -> Result<String, AppError> {
        who.require(Role::Admin)?;
        let mut filter = self.audit_filter(
            who,
            &AuditQuery {
                limit: None,
                offset: None,
                ..q.clone()
            },
        )?;
        filter.limit = MAX_AUDIT_PAGE;
        let mut out = String::from("time,at,kind,actor,actor_name,subject,client,detail\r\n");
        while filter.offset < MAX_CSV_ROWS {
            let rows = self.store.audit_entries(&filter).await?;
            for r in &rows {
                let time = self.calendar.format_minute(r.at);
                let at = r.at.to_string();
                let name = r.actor_name.as_deref().unwrap_or("");
                let cells = [
                    time.as_str(),
                    &at,
                    &r.action,
                    &r.actor,
                    name,
                    &r.subject,
                    &r.client,
                    &r.detail,
                ];
                out.push_str(&csv_line(&cells));
            }
            if (rows.len() as i64) < filter.limit {
                break;
            }
            filter.offset += filter.limit;
        }
        Ok(out)
    }
}

fn entry_of(r: AuditRow) -> AuditEntry {
    AuditEntry {
        id: r.id,
        at: r.at,
        kind: r.action,
        actor: r.actor,
        actor_name: r.actor_name,
        subject: r.subject,
        client: r.client,
        detail: r.detail,
    }
}

/// One CSV cell: a value a spreadsheet would run as a formula (`= + - @`, or a tab or
/// carriage return before one) gets a leading apostrophe; a cell with a comma, quote or
/// line break is quoted with its quotes doubled (RFC 4180).
pub fn csv_cell(value: &str) -> String {
    let mut v = String::with_capacity(value.len() + 2);
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(value);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A CSV record with its CRLF.
pub fn csv_line(cells: &[&str]) -> String {
    let mut line = cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_name() {
        let mut names: Vec<_> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len());
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(AuditKind::parse("login.failed"), Some(AuditKind::LoginFailed));
        assert_eq!(AuditKind::parse("nope"), None);
    }

    #[test]
    fn csv_cells_are_escaped_and_formulas_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+31 6"), "'+31 6");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_line(&["a", "=1"]), "a,'=1\r\n");
    }
}
