//! Calendar days in the team's time zone (Europe/Amsterdam by default): report buckets,
//! "today" and dates typed by people all follow local midnight, summer time included.
//! The time-zone database is compiled in, so this needs nothing from the machine.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp as JiffTimestamp, ToSpan, Zoned};

use crate::time::{Bucket, Timestamp};

/// A time zone to cut days, weeks and months in.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: TimeZone,
    name: String,
}

impl Default for Calendar {
    fn default() -> Self {
        Self::new("Europe/Amsterdam").expect("Europe/Amsterdam is in the bundled database")
    }
}

impl Calendar {
    /// `None` when the zone name is unknown.
    pub fn new(name: &str) -> Option<Self> {
        TimeZone::get(name).ok().map(|tz| Self {
            tz,
            name: name.to_owned(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn zoned(&self, t: Timestamp) -> Zoned {
        JiffTimestamp::from_millisecond(t)
            .unwrap_or(JiffTimestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
    }

    fn ms(z: &Zoned) -> Timestamp {
        z.timestamp().as_millisecond()
    }

    fn midnight(&self, d: Date) -> Timestamp {
        d.to_zoned(self.tz.clone()).map(|z| Self::ms(&z)).unwrap_or(0)
    }

    /// Local midnight starting the day that contains `t`.
    pub fn day_start(&self, t: Timestamp) -> Timestamp {
        self.midnight(self.zoned(t).date())
    }

    /// Start of the bucket containing `t` (weeks start on Monday).
    pub fn bucket_start(&self, bucket: Bucket, t: Timestamp) -> Timestamp {
        let d = self.zoned(t).date();
        let d = match bucket {
            Bucket::Day => d,
            Bucket::Week => d
                .checked_sub((d.weekday().to_monday_zero_offset() as i32).days())
                .unwrap_or(d),
            Bucket::Month => d.first_of_month(),
        };
        self.midnight(d)
    }

    /// Start of the bucket after the one starting at `start`.
    pub fn bucket_next(&self, bucket: Bucket, start: Timestamp) -> Timestamp {
        let d = self.zoned(start).date();
        let next = match bucket {
            Bucket::Day => d.checked_add(1.day()),
            Bucket::Week => d.checked_add(7.days()),
            Bucket::Month => d.first_of_month().checked_add(1.month()),
        }
        .unwrap_or(d);
        self.midnight(next)
    }

    /// `YYYY-MM-DD` (local midnight) or epoch milliseconds.
    pub fn parse_date(&self, s: &str) -> Option<Timestamp> {
        if let Ok(ms) = s.parse::<i64>() {
            return Some(ms);
        }
        let d: Date = s.get(..10)?.parse().ok()?;
        Some(self.midnight(d))
    }

    /// `YYYY-MM-DD` of `t` in this zone.
    pub fn format_date(&self, t: Timestamp) -> String {
        self.zoned(t).date().to_string()
    }

    /// `YYYY-MM-DD HH:MM` of `t` in this zone.
    pub fn format_minute(&self, t: Timestamp) -> String {
        self.zoned(t).strftime("%Y-%m-%d %H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR;

    #[test]
    fn a_dutch_day_starts_at_local_midnight_in_winter_and_summer() {
        let cal = Calendar::default();
        let winter = cal.parse_date("2026-01-15").unwrap();
        assert_eq!(winter % (24 * HOUR), 23 * HOUR); // 23:00 UTC the day before
        let summer = cal.parse_date("2026-07-15").unwrap();
        assert_eq!(summer % (24 * HOUR), 22 * HOUR);
        assert_eq!(cal.day_start(winter + 30 * 60_000), winter);
        assert_eq!(cal.format_date(winter), "2026-01-15");
    }

    #[test]
    fn buckets_follow_the_local_calendar_across_summer_time() {
        let cal = Calendar::default();
        let wed = cal.parse_date("2026-03-25").unwrap() + 10 * HOUR;
        assert_eq!(cal.format_date(cal.bucket_start(Bucket::Week, wed)), "2026-03-23");
        // The day summer time starts has 23 hours.
        let sunday = cal.parse_date("2026-03-29").unwrap();
        assert_eq!(cal.bucket_next(Bucket::Day, sunday) - sunday, 23 * HOUR);
        let month = cal.bucket_start(Bucket::Month, wed);
        assert_eq!(cal.format_date(month), "2026-03-01");
        assert_eq!(cal.format_date(cal.bucket_next(Bucket::Month, month)), "2026-04-01");
    }

    #[test]
    fn unknown_zones_are_refused() {
        assert!(Calendar::new("Mars/Olympus").is_none());
        assert_eq!(Calendar::new("UTC").unwrap().format_minute(0), "1970-01-01 00:00");
    }
}
