//! Service levels ("servicelevel", "de norm"): the one place where Hubert decides whether a
//! customer message is inside, at risk, outside, met or missed, and how a period scores.
//! The inbox badge, the API, the wallboard and the reports all call these functions.
//!
//! Rules:
//! - The clock of a conversation runs from `waiting_since`, the first customer message that
//!   has not been answered yet, until the first human agent reply (or "no reply needed").
//! - `inside` while less than 80% of the threshold has passed, `at_risk` in the last 20%
//!   (the threshold itself included: an answer at exactly 15:00 still meets a 15-minute
//!   norm), `outside` once the threshold has passed.
//! - An answered message `met` the norm when its response time is at most the threshold.
//! - Time is business time ([`crate::business`]): with opening hours the clock stands still
//!   while the profile is closed; in mode `always` business time is wall-clock time. A
//!   message is scored under the calendar and norm in force when it arrived.

use serde::{Deserialize, Serialize};

use crate::business::ProfileClock;
use crate::time::{Timestamp, MINUTE};

/// A norm: `target_percent` of messages answered within `threshold_minutes`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceLevel {
    pub threshold_minutes: i64,
    pub target_percent: f64,
}

impl ServiceLevel {
    pub fn threshold_ms(&self) -> i64 {
        self.threshold_minutes * MINUTE
    }
    /// The moment the last 20% of the threshold starts.
    fn at_risk_after_ms(&self) -> i64 {
        self.threshold_ms() * 4 / 5
    }
    /// Validates a norm given by a person or the API.
    pub fn parse(threshold_minutes: i64, target_percent: f64) -> Result<Self, &'static str> {
        if !(1..=7 * 24 * 60).contains(&threshold_minutes) {
            return Err("threshold_minutes must be between 1 and 10080");
        }
        if !(target_percent > 0.0 && target_percent <= 100.0) {
            return Err("target_percent must be above 0 and at most 100");
        }
        Ok(Self {
            threshold_minutes,
            target_percent,
        })
    }
}

/// Where a message or conversation stands against its norm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    Inside,
    AtRisk,
    Outside,
    Met,
    Missed,
    /// "Geen reactie nodig": the clock was stopped without an answer.
    NotNeeded,
    /// Nothing is or was waiting (e.g. a conversation we started).
    None,
}

impl SlaState {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Inside => "inside",
            SlaState::AtRisk => "at_risk",
            SlaState::Outside => "outside",
            SlaState::Met => "met",
            SlaState::Missed => "missed",
            SlaState::NotNeeded => "not_needed",
            SlaState::None => "none",
        }
    }
}

/// The state plus the numbers a badge shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaStatus {
    pub state: SlaState,
    pub waiting_since: Option<Timestamp>,
    pub deadline: Option<Timestamp>,
    /// Milliseconds left until the deadline (negative once late). Only while waiting.
    pub remaining_ms: Option<i64>,
    /// How long the customer waited for the answer. Only once answered.
    pub response_ms: Option<i64>,
    /// While waiting outside opening hours: the moment the clock runs again.
    pub paused_until: Option<Timestamp>,
}

/// The status of something still waiting since `waiting_since`, at `now`.
pub fn waiting(sl: &ServiceLevel, waiting_since: Timestamp, now: Timestamp) -> SlaStatus {
    let elapsed = (now - waiting_since).max(0);
    let state = if elapsed < sl.at_risk_after_ms() {
        SlaState::Inside
    } else if elapsed <= sl.threshold_ms() {
        SlaState::AtRisk
    } else {
        SlaState::Outside
    };
    let deadline = waiting_since + sl.threshold_ms();
    SlaStatus {
        state,
        waiting_since: Some(waiting_since),
        deadline: Some(deadline),
        remaining_ms: Some(deadline - now),
        response_ms: None,
        paused_until: None,
    }
}

/// [`waiting`] in business time: the state follows the open milliseconds since
/// `waiting_since` under the calendar and norm in force then; `remaining_ms` is business
/// time left (negative once late) and `deadline` the instant it runs out.
pub fn waiting_on(clock: &ProfileClock, waiting_since: Timestamp, now: Timestamp) -> SlaStatus {
    let (sl, cal) = clock.rules_at(waiting_since);
    let elapsed = cal.business_ms(waiting_since, now);
    let mut s = waiting(sl, waiting_since, waiting_since + elapsed);
    s.deadline = cal.deadline(waiting_since, sl.threshold_ms());
    s.remaining_ms = Some(sl.threshold_ms() - elapsed);
    s.paused_until = cal.paused_until(now);
    s
}

/// [`answered`] in business time: met when the open milliseconds until the answer are at
/// most the threshold in force when the message arrived.
pub fn answered_on(clock: &ProfileClock, waiting_since: Timestamp, answered_at: Timestamp) -> SlaStatus {
    let (sl, cal) = clock.rules_at(waiting_since);
    let business = cal.business_ms(waiting_since, answered_at);
    let mut s = answered(sl, waiting_since, waiting_since + business);
    s.deadline = cal.deadline(waiting_since, sl.threshold_ms());
    s.response_ms = Some((answered_at - waiting_since).max(0));
    s.state = if business <= sl.threshold_ms() {
        SlaState::Met
    } else {
        SlaState::Missed
    };
    s
}

/// The verdict on a message that waited `response_ms` for its answer.
pub fn answered(sl: &ServiceLevel, waiting_since: Timestamp, answered_at: Timestamp) -> SlaStatus {
    let response_ms = (answered_at - waiting_since).max(0);
    SlaStatus {
        state: if response_ms <= sl.threshold_ms() {
            SlaState::Met
        } else {
            SlaState::Missed
        },
        waiting_since: Some(waiting_since),
        deadline: Some(waiting_since + sl.threshold_ms()),
        remaining_ms: None,
        response_ms: Some(response_ms),
        paused_until: None,
    }
}

/// One customer message as the reports see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseRecord {
    pub received_at: Timestamp,
    /// Set once the message was answered by a human (wall clock).
    pub response_ms: Option<i64>,
    /// The same in business time under the calendar in force at arrival (`None`: as
    /// `response_ms`).
    pub business_response_ms: Option<i64>,
    /// Clock stopped by "no reply needed".
    pub no_reply_needed: bool,
}

/// The figures of one report bucket (a day, a week, a month, or "today").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BucketStats {
    /// Customer messages that needed an answer (not "no reply needed").
    pub needing_answer: u64,
    pub answered: u64,
    pub answered_within: u64,
    /// Messages still waiting whose deadline has already passed (they count as missed).
    pub overdue_unanswered: u64,
    pub no_reply_needed: u64,
    /// `answered_within / (answered + overdue_unanswered)`; messages still inside their
    /// threshold are not decided yet and do not count. `None` when nothing is decided.
    pub percent_within: Option<f64>,
    pub target_percent: f64,
    pub median_response_ms: Option<i64>,
    pub p90_response_ms: Option<i64>,
}

impl BucketStats {
    pub fn target_met(&self) -> Option<bool> {
        self.percent_within.map(|p| p >= self.target_percent)
    }
}

/// Scores a set of customer messages against a norm at `now` (wall-clock time).
pub fn summarize(sl: &ServiceLevel, records: &[ResponseRecord], now: Timestamp) -> BucketStats {
    let clock = ProfileClock::always(jiff::tz::TimeZone::UTC, *sl);
    summarize_on(&clock, records, now)
}

/// Scores customer messages in business time, each against the norm and calendar in force
/// when it arrived; the target shown is the current norm's. Median and p90 are wall-clock
/// response times (what the customer experienced).
pub fn summarize_on(clock: &ProfileClock, records: &[ResponseRecord], now: Timestamp) -> BucketStats {
    let mut times: Vec<i64> = Vec::new();
    let (mut needing, mut within, mut overdue, mut not_needed) = (0u64, 0u64, 0u64, 0u64);
    for r in records {
        if r.no_reply_needed {
            not_needed += 1;
            continue;
        }
        needing += 1;
        let (sl, cal) = clock.rules_at(r.received_at);
        match r.response_ms {
            Some(ms) => {
                times.push(ms);
                if r.business_response_ms.unwrap_or(ms) <= sl.threshold_ms() {
                    within += 1;
                }
            }
            None => {
                if cal.business_ms(r.received_at, now) > sl.threshold_ms() {
                    overdue += 1;
                }
            }
        }
    }
    times.sort_unstable();
    let answered = times.len() as u64;
    let decided = answered + overdue;
    BucketStats {
        needing_answer: needing,
        answered,
        answered_within: within,
        overdue_unanswered: overdue,
        no_reply_needed: not_needed,
        percent_within: (decided > 0).then(|| within as f64 * 100.0 / decided as f64),
        target_percent: clock.norms.current().target_percent,
        median_response_ms: percentile(&times, 50),
        p90_response_ms: percentile(&times, 90),
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], pct: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct as usize * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND;
    use proptest::prelude::*;

    const WA: ServiceLevel = ServiceLevel {
        threshold_minutes: 15,
        target_percent: 95.0,
    };
    const T0: Timestamp = 1_767_261_600_000;

    fn at(min: i64, sec: i64) -> Timestamp {
        T0 + min * MINUTE + sec * SECOND
    }

    #[test]
    fn a_fresh_message_is_inside_the_norm() {
        assert_eq!(waiting(&WA, T0, T0).state, SlaState::Inside);
        assert_eq!(waiting(&WA, T0, at(11, 59)).state, SlaState::Inside);
    }

    #[test]
    fn the_last_fifth_of_the_threshold_is_at_risk() {
        assert_eq!(waiting(&WA, T0, at(12, 0)).state, SlaState::AtRisk);
        assert_eq!(waiting(&WA, T0, at(12, 1)).state, SlaState::AtRisk);
        assert_eq!(waiting(&WA, T0, at(15, 0)).state, SlaState::AtRisk);
    }

    #[test]
    fn after_fifteen_minutes_and_one_second_the_whatsapp_norm_is_broken() {
        let s = waiting(&WA, T0, at(15, 1));
        assert_eq!(s.state, SlaState::Outside);
        assert_eq!(s.remaining_ms, Some(-SECOND));
        assert_eq!(s.deadline, Some(at(15, 0)));
    }

    #[test]
    fn an_answer_after_16_minutes_breaks_the_whatsapp_norm() {
        assert_eq!(answered(&WA, T0, at(16, 0)).state, SlaState::Missed);
        assert_eq!(answered(&WA, T0, at(15, 0)).state, SlaState::Met);
        assert_eq!(answered(&WA, T0, at(6, 0)).response_ms, Some(6 * MINUTE));
    }

    #[test]
    fn summary_counts_overdue_unanswered_as_missed_and_ignores_undecided() {
        let recs = [
            ResponseRecord {
                received_at: T0,
                response_ms: Some(5 * MINUTE),
                no_reply_needed: false,
                business_response_ms: None,
            },
            ResponseRecord {
                received_at: T0,
                response_ms: Some(20 * MINUTE),
                no_reply_needed: false,
                business_response_ms: None,
            },
            ResponseRecord {
                received_at: T0,
                response_ms: None,
                no_reply_needed: false,
                business_response_ms: None,
            },
            ResponseRecord {
                received_at: at(50, 0),
                response_ms: None,
                no_reply_needed: false,
                business_response_ms: None,
            },
            ResponseRecord {
                received_at: T0,
                response_ms: None,
                no_reply_needed: true,
                business_response_ms: None,
            },
        ];
        let s = summarize(&WA, &recs, at(60, 0));
        assert_eq!(s.needing_answer, 4);
        assert_eq!(s.answered, 2);
        assert_eq!(s.answered_within, 1);
        assert_eq!(s.overdue_unanswered, 1);
        assert_eq!(s.no_reply_needed, 1);
        let pct = s.percent_within.unwrap();
        assert!((pct - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(s.median_response_ms, Some(5 * MINUTE));
        assert_eq!(s.p90_response_ms, Some(20 * MINUTE));
        assert_eq!(s.target_met(), Some(false));
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50), Some(5));
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&[], 90), None);
        assert_eq!(percentile(&[7], 90), Some(7));
    }

    #[test]
    fn each_message_is_scored_under_the_norm_of_its_arrival() {
        let mut clock = ProfileClock::always(jiff::tz::TimeZone::UTC, WA);
        let strict = ServiceLevel {
            threshold_minutes: 5,
            target_percent: 80.0,
        };
        clock.norms.push(T0 + 60 * MINUTE, strict);
        let rec = |received_at, ms| ResponseRecord {
            received_at,
            response_ms: Some(ms),
            business_response_ms: None,
            no_reply_needed: false,
        };
        // Ten minutes: within the 15-minute norm before the change, not the 5-minute one after.
        let both = [rec(T0, 10 * MINUTE), rec(T0 + 61 * MINUTE, 10 * MINUTE)];
        let s = summarize_on(&clock, &both, T0 + 200 * MINUTE);
        assert_eq!((s.answered, s.answered_within), (2, 1));
        assert_eq!(s.target_percent, 80.0);
        // The stored business response time is what is compared.
        let r = ResponseRecord {
            business_response_ms: Some(4 * MINUTE),
            ..rec(T0 + 61 * MINUTE, 60 * MINUTE)
        };
        assert_eq!(summarize_on(&clock, &[r], T0 + 200 * MINUTE).answered_within, 1);
        // A waiting message's state follows its own norm too.
        assert_eq!(waiting_on(&clock, T0, T0 + 10 * MINUTE).state, SlaState::Inside);
        assert_eq!(
            waiting_on(&clock, T0 + 61 * MINUTE, T0 + 71 * MINUTE).state,
            SlaState::Outside
        );
    }

    fn rank(s: SlaState) -> u8 {
        match s {
            SlaState::Inside => 0,
            SlaState::AtRisk => 1,
            _ => 2,
        }
    }

    proptest! {
        #[test]
        fn waiting_longer_never_improves_the_state(
            threshold in 1i64..1000, a in 0i64..100_000_000, b in 0i64..100_000_000
        ) {
            let sl = ServiceLevel { threshold_minutes: threshold, target_percent: 95.0 };
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            let s1 = waiting(&sl, T0, T0 + early);
            let s2 = waiting(&sl, T0, T0 + late);
            prop_assert!(rank(s1.state) <= rank(s2.state));
            prop_assert!(s1.remaining_ms.unwrap() >= s2.remaining_ms.unwrap());
        }

        #[test]
        fn the_boundaries_are_exact_for_any_threshold(threshold in 1i64..10_080) {
            let sl = ServiceLevel { threshold_minutes: threshold, target_percent: 95.0 };
            let t = sl.threshold_ms();
            prop_assert_eq!(waiting(&sl, T0, T0 + t).state, SlaState::AtRisk);
            prop_assert_eq!(waiting(&sl, T0, T0 + t + 1).state, SlaState::Outside);
            prop_assert_eq!(answered(&sl, T0, T0 + t).state, SlaState::Met);
            prop_assert_eq!(answered(&sl, T0, T0 + t + 1).state, SlaState::Missed);
            prop_assert_eq!(waiting(&sl, T0, T0 + t * 4 / 5 - 1).state, SlaState::Inside);
        }

        #[test]
        fn percent_within_is_a_percentage(times in proptest::collection::vec(proptest::option::of(0i64..10_000_000), 0..50)) {
            let recs: Vec<_> = times.iter().map(|t| ResponseRecord { received_at: T0, response_ms: *t, no_reply_needed: false, business_response_ms: None }).collect();
            let s = summarize(&WA, &recs, T0 + 100 * MINUTE);
            if let Some(p) = s.percent_within { prop_assert!((0.0..=100.0).contains(&p)); }
            prop_assert!(s.answered_within <= s.answered);
        }
    }
}
