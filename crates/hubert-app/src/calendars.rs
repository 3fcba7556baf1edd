//! Opening hours, holidays and norms per profile, versioned: a change applies from its
//! `effective_from` on and a message is scored under the versions in force when it
//! arrived. Reading is for agents, changing for leads and admins. A past
//! `effective_from` is refused (409 `history_exists`) when a customer message of the
//! profile arrived after it, unless `rewrite_history` is set: then the stored business
//! response times are recomputed and the rewrite is audited. Every service-level figure
//! goes through [`App::profile_clock`] (`hubert_core::business`).

use std::collections::HashMap;

use hubert_core::business::{BusinessCalendar, CalendarSpec, ProfileClock, Versions};
use hubert_core::holidays;
use hubert_core::{Role, ServiceLevel, Timestamp};
use hubert_store::{NewAudit, ProfileRow, VersionEffects};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::audit::AuditKind;
use crate::{App, AppError, Principal};

/// A calendar to set: `timezone` (IANA name), `mode` (`always` | `opening_hours`),
/// `periods` per weekday (`{"mon":[["08:00","12:00"],["13:00","20:00"]],…}`, `24:00` allowed
/// as an end), `holidays` (`"nl"` or `{"country":"nl","good_friday":bool,
/// "liberation_day":"every_year"|"every_fifth_year"|"never"}`), `closed` dates, `special`
/// hours per date (`[{"date":"2026-12-24","periods":[["08:00","16:00"]]}]`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    pub timezone: String,
    /// `always` or `opening_hours`.
    pub mode: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub periods: Value,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub holidays: Value,
    #[serde(default)]
    pub closed: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub special: Value,
    /// Epoch ms; default now.
    pub effective_from: Option<i64>,
    /// Allow an `effective_from` before messages that already arrived (recomputes, audited).
    #[serde(default)]
    pub rewrite_history: bool,
}

/// A profile's calendar in force now, and the moments it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    pub profile_id: String,
    pub timezone: String,
    pub mode: String,
    #[schema(value_type = Object)]
    pub periods: Value,
    /// `null` when the calendar keeps no public holidays.
    #[schema(value_type = Option<Object>)]
    pub holidays: Value,
    pub closed: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub special: Value,
    /// When the calendar in force took effect (`None`: never set, 24/7).
    pub effective_from: Option<i64>,
    pub versions: Vec<VersionInfo>,
}

/// One change of a calendar or norm.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    pub effective_from: i64,
    pub created_at: i64,
    pub created_by: String,
}

/// One day of a country's holiday calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayItem {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub name: String,
    /// Closed only when the calendar's options say so (Goede Vrijdag, Bevrijdingsdag).
    pub optional: bool,
}

/// The holiday calendar of a country and year.
#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayList {
    pub items: Vec<HolidayItem>,
}

/// When a message received at a moment must be answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    /// Epoch ms; `None` if the calendar never opens again.
    pub deadline: Option<i64>,
}

impl App {
    /// A profile's calendars and norms over time: the one source of business time.
    pub async fn profile_clock(&self, p: &ProfileRow) -> Result<ProfileClock, AppError> {
        let mut clocks = self
            .clocks_of(&p.workspace_id, std::slice::from_ref(p), Some(&p.id))
            .await?;
        Ok(clocks.remove(&p.id).expect("the profile's clock"))
    }

    /// The clocks of every profile of the workspace, by profile id (three queries).
    pub async fn profile_clocks(&self, workspace_id: &str) -> Result<HashMap<String, ProfileClock>, AppError> {
        let profiles = self.store.profiles(workspace_id).await?;
        self.clocks_of(workspace_id, &profiles, None).await
    }

    async fn clocks_of(
        &self,
        workspace_id: &str,
        profiles: &[ProfileRow],
        only: Option<&str>,
    ) -> Result<HashMap<String, ProfileClock>, AppError> {
        let mut out: HashMap<String, ProfileClock> = profiles
            .iter()
            .map(|p| {
                let clock = ProfileClock {
                    calendars: Versions::new(BusinessCalendar::always_in(self.calendar.name())),
                    norms: Versions::new(p.service_level()),
                };
                (p.id.clone(), clock)
            })
            .collect();
        for v in self.store.calendar_versions(workspace_id, only).await? {
            let Some(clock) = out.get_mut(&v.profile_id) else {
                continue;
            };
            let spec: CalendarSpec = serde_json::from_str(&v.spec).map_err(anyhow::Error::from)?;
            let cal = BusinessCalendar::from_spec(&spec).map_err(anyhow::Error::msg)?;
            clock.calendars.push(v.effective_from, cal);
        }
        for v in self.store.norm_versions(workspace_id, only).await? {
            let Some(clock) = out.get_mut(&v.profile_id) else {
                continue;
            };
            let norm = ServiceLevel {
                threshold_minutes: v.threshold_minutes,
                target_percent: v.target_percent,
            };
            clock.norms.push(v.effective_from, norm);
        }
        Ok(out)
    }

    async fn profile_row(&self, who: &Principal, id: &str) -> Result<ProfileRow, AppError> {
        self.store
            .profile(&who.workspace_id, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn calendar(&self, who: &Principal, profile_id: &str) -> Result<CalendarView, AppError> {
        who.require(Role::Agent)?;
        let p = self.profile_row(who, profile_id).await?;
        let rows = self.store.calendar_versions(&who.workspace_id, Some(&p.id)).await?;
        let now = self.now();
        let current = rows.iter().rev().find(|v| v.effective_from <= now);
        let spec = match current {
            Some(v) => serde_json::from_str(&v.spec).map_err(anyhow::Error::from)?,
            None => CalendarSpec::always(self.calendar.name()),
        };
        Ok(CalendarView {
            profile_id: p.id,
            timezone: spec.timezone.clone(),
            mode: to_value(&spec.mode).as_str().unwrap_or("always").to_owned(),
            periods: to_value(&spec.periods),
            holidays: to_value(&spec.holidays),
            closed: spec.closed.clone(),
            special: to_value(&spec.special),
            effective_from: current.map(|v| v.effective_from),
            versions: rows
                .iter()
                .map(|v| VersionInfo {
                    effective_from: v.effective_from,
                    created_at: v.created_at,
                    created_by: v.created_by.clone(),
                })
                .collect(),
        })
    }

    /// Sets a new calendar version (leads and admins).
    pub async fn set_calendar(
        &self,
        who: &Principal,
        profile_id: &str,
        input: CalendarInput,
    ) -> Result<CalendarView, AppError> {
        who.require(Role::Lead)?;
        let p = self.profile_row(who, profile_id).await?;
        let spec = parse_spec(&input)?;
        let cal = BusinessCalendar::from_spec(&spec).map_err(|m| AppError::Invalid("invalid_calendar", m))?;
        let now = self.now();
        let effective_from = effective_from(input.effective_from, now)?;
        let rewrite = self
            .check_history(who, &p, effective_from, input.rewrite_history)
            .await?;
        let mut rewrites = Vec::new();
        let detail;
        let mut effects = VersionEffects::default();
        if rewrite {
            let mut clock = self.profile_clock(&p).await?;
            clock.calendars.push(effective_from, cal);
            for (id, created_at, answered_at) in self
                .store
                .answered_since(&who.workspace_id, &p.id, effective_from)
                .await?
            {
                rewrites.push((id, clock.waited_ms(created_at, answered_at)));
            }
            detail = format!("calendar from {effective_from}; {} messages recomputed", rewrites.len());
            effects.audit = Some(self.rewrite_audit(who, &p.id, &detail, now));
        }
        effects.rewrites = &rewrites;
        let text = serde_json::to_string(&spec).map_err(anyhow::Error::from)?;
        self.store
            .add_calendar_version(
                &who.workspace_id,
                &p.id,
                effective_from,
                &text,
                &who.actor_id,
                now,
                &effects,
            )
            .await?;
        self.calendar(who, profile_id).await
    }

    /// Whether `effective_from` rewrites history: refused (409) unless allowed.
    async fn check_history(
        &self,
        who: &Principal,
        p: &ProfileRow,
        effective_from: Timestamp,
        allowed: bool,
    ) -> Result<bool, AppError> {
        let latest = self.store.latest_arrival(&who.workspace_id, &p.id).await?;
        let rewrites = latest.is_some_and(|t| t >= effective_from);
        if rewrites && !allowed {
            return Err(AppError::Conflict(
                "history_exists",
                "Messages of this profile arrived after effective_from; send \"rewrite_history\": true to recompute them."
                    .into(),
            ));
        }
        Ok(rewrites)
    }

    fn rewrite_audit<'a>(&self, who: &'a Principal, subject: &'a str, detail: &'a str, now: i64) -> NewAudit<'a> {
        NewAudit {
            workspace_id: &who.workspace_id,
            actor: &who.actor_id,
            action: AuditKind::HistoryRewritten.as_str(),
            subject,
            client: "",
            detail,
            at: now,
        }
    }

    /// Sets a new norm version (leads and admins); same history rule as calendars.
    pub async fn set_norm(&self, who: &Principal, profile_id: &str, input: NormInput) -> Result<NormView, AppError> {
        who.require(Role::Lead)?;
        let p = self.profile_row(who, profile_id).await?;
        let norm = ServiceLevel::parse(input.threshold_minutes, input.target_percent)
            .map_err(|m| AppError::Invalid("invalid_service_level", m.into()))?;
        let now = self.now();
        let effective_from = effective_from(input.effective_from, now)?;
        let rewrite = self
            .check_history(who, &p, effective_from, input.rewrite_history)
            .await?;
        let mut clock = self.profile_clock(&p).await?;
        clock.norms.push(effective_from, norm);
        let current = *clock.norms.at(now);
        let detail = format!(
            "norm {} min / {}% from {effective_from}",
            norm.threshold_minutes, norm.target_percent
        );
        let audit = rewrite.then(|| self.rewrite_audit(who, &p.id, &detail, now));
        let pair = |n: &ServiceLevel| (n.threshold_minutes, n.target_percent);
        self.store
            .add_norm_version(
                &who.workspace_id,
                &p.id,
                effective_from,
                pair(&norm),
                (p.threshold_minutes, p.target_percent),
                pair(&current),
                &who.actor_id,
                now,
                audit.as_ref(),
            )
            .await?;
        self.norm(who, profile_id).await
    }

    pub async fn norm(&self, who: &Principal, profile_id: &str) -> Result<NormView, AppError> {
        who.require(Role::Agent)?;
        let p = self.profile_row(who, profile_id).await?;
        let versions = self.store.norm_versions(&who.workspace_id, Some(&p.id)).await?;
        Ok(NormView {
            profile_id: p.id.clone(),
            threshold_minutes: p.threshold_minutes,
            target_percent: p.target_percent,
            versions: versions
                .into_iter()
                .map(|v| NormVersionView {
                    effective_from: (v.effective_from != i64::MIN).then_some(v.effective_from),
                    threshold_minutes: v.threshold_minutes,
                    target_percent: v.target_percent,
                    created_at: v.created_at,
                })
                .collect(),
        })
    }

    /// The deadline of a message of this profile received at `at`.
    pub async fn deadline(&self, who: &Principal, profile_id: &str, at: i64) -> Result<DeadlineView, AppError> {
        who.require(Role::Agent)?;
        // Epoch ms from 1970 up to the year 9999.
        if !(0..=253_402_300_799_999).contains(&at) {
            return Err(AppError::Invalid(
                "invalid_at",
                "at is epoch milliseconds between 1970 and 9999.".into(),
            ));
        }
        let p = self.profile_row(who, profile_id).await?;
        let clock = self.profile_clock(&p).await?;
        Ok(DeadlineView {
            deadline: clock.deadline(at),
        })
    }

    /// Every day of a country's holiday calendar in `year`, the optional days included.
    pub fn holidays(&self, who: &Principal, country: &str, year: i64) -> Result<HolidayList, AppError> {
        who.require(Role::Agent)?;
        if country != "nl" {
            return Err(AppError::Invalid("unknown_country", "Known countries: nl.".into()));
        }
        if !(1900..=2200).contains(&year) {
            return Err(AppError::Invalid(
                "invalid_year",
                "year must be between 1900 and 2200.".into(),
            ));
        }
        let items = holidays::dutch_calendar(year as i16)
            .into_iter()
            .map(|h| HolidayItem {
                date: h.date.to_string(),
                name: h.name.to_owned(),
                optional: h.optional,
            })
            .collect();
        Ok(HolidayList { items })
    }
}

/// A norm to set from `effective_from` (epoch ms, default now).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NormInput {
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub effective_from: Option<i64>,
    #[serde(default)]
    pub rewrite_history: bool,
}

/// A profile's norm in force now and its versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct NormView {
    pub profile_id: String,
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub versions: Vec<NormVersionView>,
}

/// One norm version (`effective_from` null: the norm from the start).
#[derive(Debug, Serialize, ToSchema)]
pub struct NormVersionView {
    pub effective_from: Option<i64>,
    pub threshold_minutes: i64,
    pub target_percent: f64,
    pub created_at: i64,
}

/// `effective_from` as given (epoch ms, not before 1970) or now.
fn effective_from(given: Option<i64>, now: i64) -> Result<i64, AppError> {
    match given {
        Some(t) if t < 0 => Err(AppError::Invalid(
            "invalid_effective_from",
            "effective_from must be epoch milliseconds (not before 1970).".into(),
        )),
        Some(t) => Ok(t),
        None => Ok(now),
    }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn parse_spec(input: &CalendarInput) -> Result<CalendarSpec, AppError> {
    let bad = |what: &str, e: serde_json::Error| AppError::Invalid("invalid_calendar", format!("{what}: {e}"));
    let null_or = |v: &Value, default: Value| if v.is_null() { default } else { v.clone() };
    let mode = serde_json::from_value(Value::String(input.mode.clone())).map_err(|e| bad("mode", e))?;
    let periods = serde_json::from_value(null_or(&input.periods, Value::Object(Default::default())))
        .map_err(|e| bad("periods", e))?;
    let holidays = serde_json::from_value(input.holidays.clone()).map_err(|e| bad("holidays", e))?;
    let special =
        serde_json::from_value(null_or(&input.special, Value::Array(Vec::new()))).map_err(|e| bad("special", e))?;
    Ok(CalendarSpec {
        timezone: input.timezone.clone(),
        mode,
        periods,
        holidays,
        closed: input.closed.clone(),
        special,
    })
}
