//! Service-level reports. The numbers come from `hubert_core::sla::summarize`, the same
//! function the inbox and (later) the wallboard use.

use std::collections::HashMap;

use hubert_core::business::ProfileClock;
use hubert_core::sla::{self, BucketStats, ResponseRecord};
use hubert_core::time::Bucket;
use hubert_core::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{App, AppError, Principal};

/// A service-level report: one bucket per day, week or month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceLevelReport {
    /// The profile reported on; null for all profiles together.
    pub profile: Option<String>,
    pub from: i64,
    pub to: i64,
    /// The calendar the buckets follow (e.g. Europe/Amsterdam).
    pub time_zone: String,
    pub buckets: Vec<ReportBucket>,
}

/// One period of a report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportBucket {
    /// The period's first day, `YYYY-MM-DD`.
    pub bucket: String,
    pub from: i64,
    pub to: i64,
    pub needing_answer: u64,
    pub answered: u64,
    pub answered_within: u64,
    pub overdue_unanswered: u64,
    pub no_reply_needed: u64,
    /// Answered within the norm ÷ (answered + overdue); null when nothing is decided.
    pub percent_within: Option<f64>,
    pub target_percent: f64,
    pub target_met: Option<bool>,
    pub median_response_ms: Option<i64>,
    pub p90_response_ms: Option<i64>,
}

/// Today's score of one profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodayScore {
    pub profile_id: String,
    pub name: String,
    pub platform: String,
    pub percent_within: Option<f64>,
    pub target_percent: f64,
    pub target_met: Option<bool>,
    pub needing_answer: u64,
    pub answered: u64,
    pub threshold_minutes: i64,
}

/// Longest period one report may span.
const MAX_BUCKETS: usize = 800;

impl App {
    /// Per bucket: needing an answer, answered, within the norm, percent within, target,
    /// median and p90 response time. `profile_id = None` covers every profile, each
    /// message scored against its own profile's norm.
    pub async fn service_level_report(
        &self,
        who: &Principal,
        profile_id: Option<&str>,
        from: i64,
        to: i64,
        bucket: Bucket,
    ) -> Result<ServiceLevelReport, AppError> {
        who.require(Role::Agent)?;
        if to <= from {
            return Err(AppError::Invalid("invalid_period", "`to` must be after `from`.".into()));
        }
        let profiles = self.store.profiles(&who.workspace_id).await?;
        let selected: Vec<_> = match profile_id {
            Some(id) => {
                let p = profiles.into_iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
                vec![p]
            }
            None => profiles,
        };
        let now = self.now();
        let mut per_profile = Vec::new();
        for p in &selected {
            let records = self
                .store
                .response_records(&who.workspace_id, Some(&p.id), from, to)
                .await?;
            per_profile.push((self.profile_clock(p).await?, records));
        }
        let mut buckets = Vec::new();
        let cal = &self.calendar;
        let mut start = cal.bucket_start(bucket, from);
        while start < to {
            if buckets.len() >= MAX_BUCKETS {
                return Err(AppError::Invalid(
                    "period_too_long",
                    "Choose a shorter period or a larger bucket.".into(),
                ));
            }
            let end = cal.bucket_next(bucket, start);
            let lo = start.max(from);
            let hi = end.min(to);
            let stats = score(&per_profile, lo, hi, now);
            buckets.push(bucket_view(cal.format_date(start), lo, hi, &stats));
            start = end;
        }
        Ok(ServiceLevelReport {
            profile: profile_id.map(str::to_owned),
            from,
            to,
            time_zone: cal.name().to_owned(),
            buckets,
        })
    }

    /// Today's score (local day) per profile, for the inbox header.
    pub async fn today(&self, who: &Principal) -> Result<Vec<TodayScore>, AppError> {
        who.require(Role::Agent)?;
        let now = self.now();
        let from = self.calendar.day_start(now);
        let to = self.calendar.bucket_next(Bucket::Day, from);
        let mut out = Vec::new();
        for p in self.store.profiles(&who.workspace_id).await? {
            let records = self
                .store
                .response_records(&who.workspace_id, Some(&p.id), from, to)
                .await?;
            let clock = self.profile_clock(&p).await?;
            let stats = sla::summarize_on(&clock, &records, now);
            out.push(TodayScore {
                target_met: stats.target_met(),
                profile_id: p.id,
                name: p.name,
                platform: p.platform.as_str().to_owned(),
                percent_within: stats.percent_within,
                target_percent: stats.target_percent,
                needing_answer: stats.needing_answer,
                answered: stats.answered,
                threshold_minutes: p.threshold_minutes,
            });
        }
        Ok(out)
    }
}

/// Scores the records in `[lo, hi)` of every profile and merges the counts.
fn score(per_profile: &[(ProfileClock, Vec<ResponseRecord>)], lo: i64, hi: i64, now: i64) -> BucketStats {
    let mut parts: HashMap<usize, BucketStats> = HashMap::new();
    let mut times: Vec<i64> = Vec::new();
    for (i, (level, records)) in per_profile.iter().enumerate() {
        let slice: Vec<ResponseRecord> = records
            .iter()
            .filter(|r| r.received_at >= lo && r.received_at < hi)
            .copied()
            .collect();
        times.extend(
            slice
                .iter()
                .filter(|r| !r.no_reply_needed)
                .filter_map(|r| r.response_ms),
        );
        parts.insert(i, sla::summarize_on(level, &slice, now));
    }
    if parts.len() == 1 {
        return parts.remove(&0).expect("one part");
    }
    times.sort_unstable();
    let sum = |f: fn(&BucketStats) -> u64| parts.values().map(f).sum::<u64>();
    let answered = sum(|s| s.answered);
    let within = sum(|s| s.answered_within);
    let overdue = sum(|s| s.overdue_unanswered);
    let decided = answered + overdue;
    let target = per_profile
        .iter()
        .map(|(c, _)| c.norms.current().target_percent)
        .fold(0.0, f64::max);
    BucketStats {
        needing_answer: sum(|s| s.needing_answer),
        answered,
        answered_within: within,
        overdue_unanswered: overdue,
        no_reply_needed: sum(|s| s.no_reply_needed),
        percent_within: (decided > 0).then(|| within as f64 * 100.0 / decided as f64),
        target_percent: if per_profile.is_empty() { 95.0 } else { target },
        median_response_ms: sla::percentile(&times, 50),
        p90_response_ms: sla::percentile(&times, 90),
    }
}

fn bucket_view(label: String, from: i64, to: i64, s: &BucketStats) -> ReportBucket {
    ReportBucket {
        bucket: label,
        from,
        to,
        needing_answer: s.needing_answer,
        answered: s.answered,
        answered_within: s.answered_within,
        overdue_unanswered: s.overdue_unanswered,
        no_reply_needed: s.no_reply_needed,
        percent_within: s.percent_within,
        target_percent: s.target_percent,
        target_met: s.target_met(),
        median_response_ms: s.median_response_ms,
        p90_response_ms: s.p90_response_ms,
    }
}
