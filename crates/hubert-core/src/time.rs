//! Time. All of Hubert reads "now" from a [`Clock`], so service-level tests can move time
//! to the exact second without sleeping. Timestamps are epoch milliseconds (UTC), the
//! same integer both databases store.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Milliseconds since the Unix epoch, UTC.
pub type Timestamp = i64;

pub const SECOND: i64 = 1_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests move by hand. Clones share the same time.
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }
    pub fn set(&self, t: Timestamp) {
        self.0.store(t, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Timestamp {
        self.0.load(Ordering::SeqCst)
    }
}

/// The wall clock moved by an offset that can be advanced: the demo's test mode uses it
/// so browser journeys can watch a deadline pass without waiting for it.
#[derive(Debug, Clone, Default)]
pub struct ShiftedClock(Arc<AtomicI64>);

impl ShiftedClock {
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        SystemClock.now() + self.0.load(Ordering::SeqCst)
    }
}

/// Start of the UTC day that contains `t`.
pub fn day_start(t: Timestamp) -> Timestamp {
    t.div_euclid(DAY) * DAY
}

/// Days since the epoch → (year, month 1–12, day 1–31), proleptic Gregorian (H. Hinnant).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since the epoch.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Report buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Bucket {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// Start of the bucket containing `t` (UTC; weeks start on Monday).
    pub fn start(self, t: Timestamp) -> Timestamp {
        let days = t.div_euclid(DAY);
        match self {
            Bucket::Day => days * DAY,
            Bucket::Week => (days - (days + 3).rem_euclid(7)) * DAY,
            Bucket::Month => {
                let (y, m, _) = civil_from_days(days);
                days_from_civil(y, m, 1) * DAY
            }
        }
    }

    /// Start of the bucket after the one starting at `start`.
    pub fn next(self, start: Timestamp) -> Timestamp {
        match self {
            Bucket::Day => start + DAY,
            Bucket::Week => start + 7 * DAY,
            Bucket::Month => {
                let (y, m, _) = civil_from_days(start.div_euclid(DAY));
                let (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                days_from_civil(y, m, 1) * DAY
            }
        }
    }
}

/// `YYYY-MM-DD` (UTC midnight) or epoch milliseconds.
pub fn parse_date(s: &str) -> Option<Timestamp> {
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.get(..2)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * DAY)
}

/// `YYYY-MM-DD` of a timestamp (UTC).
pub fn format_date(t: Timestamp) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        for days in [-1000, 0, 19_000, 20_454, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_date(parse_date("2026-11-23").unwrap()), "2026-11-23");
    }

    #[test]
    fn buckets_start_on_monday_and_the_first_of_the_month() {
        let t = parse_date("2026-11-25").unwrap() + 5 * HOUR; // a Wednesday
        assert_eq!(format_date(Bucket::Week.start(t)), "2026-11-23");
        assert_eq!(format_date(Bucket::Month.start(t)), "2026-11-01");
        assert_eq!(format_date(Bucket::Month.next(Bucket::Month.start(t))), "2026-12-01");
        assert_eq!(
            format_date(Bucket::Month.next(parse_date("2026-12-01").unwrap())),
            "2027-01-01"
        );
    }
}
