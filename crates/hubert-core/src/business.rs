//! Business time ("kantoortijd"): a profile's opening hours — time zone, several periods
//! per weekday, public holidays, extra closed dates and special hours per date — and the
//! ONE business-time function everything uses: [`BusinessCalendar::business_ms`] (open
//! milliseconds between two instants), [`BusinessCalendar::deadline`] (when N open
//! milliseconds have elapsed) and [`BusinessCalendar::paused_until`] (the next opening
//! while the clock stands still). In mode `always` the clock runs 24/7 and all three are
//! plain wall-clock arithmetic.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp as JiffTimestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::holidays::{self, HolidayRules, LiberationDay};
use crate::sla::ServiceLevel;
use crate::time::Timestamp;

/// How far ahead a deadline or an opening is searched (about ten years of days).
const HORIZON_DAYS: i32 = 3_700;

/// Whether a profile's clock runs around the clock or in opening hours only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    #[default]
    Always,
    OpeningHours,
}

/// `"nl"` or `{"country":"nl","good_friday":…,"liberation_day":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HolidaysSpec {
    Country(String),
    Rules {
        country: String,
        #[serde(default)]
        good_friday: bool,
        #[serde(default = "fifth")]
        liberation_day: LiberationDay,
    },
}

fn fifth() -> LiberationDay {
    LiberationDay::EveryFifthYear
}

/// Special opening hours on one date (an empty list closes the day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialDaySpec {
    pub date: String,
    pub periods: Vec<[String; 2]>,
}

/// A calendar as people write it (and as it is stored, one JSON text per version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpec {
    pub timezone: String,
    pub mode: ClockMode,
    /// `mon`…`sun` → `[["08:00","12:00"],["13:00","20:00"]]`.
    #[serde(default)]
    pub periods: BTreeMap<String, Vec<[String; 2]>>,
    #[serde(default)]
    pub holidays: Option<HolidaysSpec>,
    #[serde(default)]
    pub closed: Vec<String>,
    #[serde(default)]
    pub special: Vec<SpecialDaySpec>,
}

impl CalendarSpec {
    /// 24/7 in `timezone`: the calendar of every profile until someone sets one.
    pub fn always(timezone: &str) -> Self {
        Self {
            timezone: timezone.into(),
            mode: ClockMode::Always,
            periods: BTreeMap::new(),
            holidays: None,
            closed: Vec::new(),
            special: Vec::new(),
        }
    }
}

/// Minutes after local midnight, `end` up to 1440 ("24:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Period {
    start: u16,
    end: u16,
}

/// A validated calendar, ready for arithmetic.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: TimeZone,
    mode: ClockMode,
    week: [Vec<Period>; 7],
    holidays: Option<HolidayRules>,
    closed: BTreeSet<Date>,
    special: BTreeMap<Date, Vec<Period>>,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_hhmm(s: &str, allow_24: bool) -> Result<u16, String> {
    let bad = || format!("\"{s}\" is not a time of day HH:MM");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn parse_periods(list: &[[String; 2]], what: &str) -> Result<Vec<Period>, String> {
    let mut out = Vec::with_capacity(list.len());
    for [a, b] in list {
        let p = Period {
            start: parse_hhmm(a, false)?,
            end: parse_hhmm(b, true)?,
        };
        if p.start >= p.end {
            return Err(format!("{what}: period {a}–{b} must start before it ends"));
        }
        out.push(p);
    }
    out.sort_by_key(|p| p.start);
    if out.windows(2).any(|w| w[1].start < w[0].end) {
        return Err(format!("{what}: periods overlap"));
    }
    Ok(out)
}

/// `YYYY-MM-DD`, strictly.
pub fn parse_date(s: &str) -> Result<Date, String> {
    if s.len() != 10 {
        return Err(format!("\"{s}\" is not a date YYYY-MM-DD"));
    }
    s.parse().map_err(|_| format!("\"{s}\" is not a date YYYY-MM-DD"))
}

fn holiday_rules(spec: &HolidaysSpec) -> Result<HolidayRules, String> {
    let (country, rules) = match spec {
        HolidaysSpec::Country(c) => (c, HolidayRules::default()),
        HolidaysSpec::Rules {
            country,
            good_friday,
            liberation_day,
        } => (
            country,
            HolidayRules {
                good_friday: *good_friday,
                liberation_day: *liberation_day,
            },
        ),
    };
    if country != "nl" {
        return Err(format!("holidays: unknown country \"{country}\" (known: nl)"));
    }
    Ok(rules)
}

impl BusinessCalendar {
    /// Validates a spec: a known time zone, `HH:MM` periods with start before end that do
    /// not overlap, real dates, at least one weekly period in mode `opening_hours`.
    pub fn from_spec(spec: &CalendarSpec) -> Result<Self, String> {
        let tz = TimeZone::get(&spec.timezone).map_err(|_| format!("unknown time zone \"{}\"", spec.timezone))?;
        let mut week: [Vec<Period>; 7] = Default::default();
        for (key, list) in &spec.periods {
            let i = DAYS
                .iter()
                .position(|d| d == key)
                .ok_or_else(|| format!("periods: unknown weekday \"{key}\" (mon…sun)"))?;
            week[i] = parse_periods(list, key)?;
        }
        if spec.mode == ClockMode::OpeningHours && week.iter().all(Vec::is_empty) {
            return Err("opening_hours needs at least one weekly period".into());
        }
        let holidays = spec.holidays.as_ref().map(holiday_rules).transpose()?;
        let closed = spec
            .closed
            .iter()
            .map(|d| parse_date(d))
            .collect::<Result<BTreeSet<_>, _>>()?;
        let mut special = BTreeMap::new();
        for s in &spec.special {
            let date = parse_date(&s.date)?;
            if closed.contains(&date) || special.insert(date, parse_periods(&s.periods, &s.date)?).is_some() {
                return Err(format!("{}: given more than once in closed/special", s.date));
            }
        }
        Ok(Self {
            tz,
            mode: spec.mode,
            week,
            holidays,
            closed,
            special,
        })
    }

    /// 24/7 in the given zone.
    pub fn always(tz: TimeZone) -> Self {
        Self {
            tz,
            mode: ClockMode::Always,
            week: Default::default(),
            holidays: None,
            closed: BTreeSet::new(),
            special: BTreeMap::new(),
        }
    }

    /// 24/7 in the named zone (UTC when the name is unknown).
    pub fn always_in(name: &str) -> Self {
        Self::always(TimeZone::get(name).unwrap_or(TimeZone::UTC))
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    fn local_date(&self, t: Timestamp) -> Date {
        JiffTimestamp::from_millisecond(t)
            .unwrap_or(JiffTimestamp::UNIX_EPOCH)
            .to_zoned(self.tz.clone())
            .date()
    }

    /// The opening periods of a local date: special hours win, then closed dates, then
    /// holidays, then the weekday.
    fn periods_on(&self, d: Date) -> &[Period] {
        if let Some(p) = self.special.get(&d) {
            return p;
        }
        if self.closed.contains(&d) || self.holidays.is_some_and(|r| holidays::is_dutch_holiday(d, r)) {
            return &[];
        }
        let i = match d.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        &self.week[i]
    }

    /// The instant a local date and minute fall on (a time in the spring-forward gap moves
    /// later by the gap; in the autumn overlap the earlier instant counts).
    fn instant(&self, d: Date, minute: u16) -> Timestamp {
        let (d, minute) = if minute >= 1440 {
            (d.checked_add(1.day()).unwrap_or(d), minute - 1440)
        } else {
            (d, minute)
        };
        d.at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
            .to_zoned(self.tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or(0)
    }

    /// Open intervals `[start, end)` of local days from the day of `from` on, in order.
    fn intervals_from(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let first = self.local_date(from);
        (0..HORIZON_DAYS)
            .map_while(move |i| first.checked_add(i.days()).ok())
            .flat_map(move |d| {
                self.periods_on(d)
                    .iter()
                    .map(move |p| (self.instant(d, p.start), self.instant(d, p.end)))
            })
            .filter(|(s, e)| s < e)
    }

    /// Open milliseconds in `[from, to)`: monotonic in `to`, additive over splits.
    pub fn business_ms(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        if self.mode == ClockMode::Always {
            return to - from;
        }
        let mut sum = 0;
        for (s, e) in self.intervals_from(from) {
            if s >= to {
                break;
            }
            sum += (e.min(to) - s.max(from)).max(0);
        }
        sum
    }

    /// The first instant at which `ms` open milliseconds have passed since `from`
    /// (`None` if the calendar never opens again within about ten years).
    pub fn deadline(&self, from: Timestamp, ms: i64) -> Option<Timestamp> {
        if ms <= 0 || self.mode == ClockMode::Always {
            return Some(from.saturating_add(ms.max(0)));
        }
        let mut left = ms;
        for (s, e) in self.intervals_from(from) {
            if e <= from {
                continue;
            }
            let start = s.max(from);
            if left <= e - start {
                return Some(start.saturating_add(left));
            }
            left -= e - start;
        }
        None
    }

    /// While the clock stands still at `t`: the next opening. `None` while it runs.
    pub fn paused_until(&self, t: Timestamp) -> Option<Timestamp> {
        if self.mode == ClockMode::Always {
            return None;
        }
        let (s, _) = self.intervals_from(t).find(|&(_, e)| e > t)?;
        (s > t).then_some(s)
    }
}

/// Values that change at moments (`effective_from`, epoch ms): the calendar or the norm in
/// force at an instant is the newest version that took effect at or before it; before the
/// first version the `initial` value holds.
#[derive(Debug, Clone)]
pub struct Versions<T> {
    initial: T,
    /// Sorted by `effective_from`.
    changes: Vec<(Timestamp, T)>,
}

impl<T> Versions<T> {
    pub fn new(initial: T) -> Self {
        Self {
            initial,
            changes: Vec::new(),
        }
    }

    /// Adds a version; versions may come in any order (equal moments: the later wins).
    pub fn push(&mut self, effective_from: Timestamp, value: T) {
        let at = self.changes.partition_point(|(t, _)| *t <= effective_from);
        self.changes.insert(at, (effective_from, value));
    }

    /// The value in force at `t`.
    pub fn at(&self, t: Timestamp) -> &T {
        let i = self.changes.partition_point(|(from, _)| *from <= t);
        if i == 0 {
            &self.initial
        } else {
            &self.changes[i - 1].1
        }
    }

    /// The newest value.
    pub fn current(&self) -> &T {
        self.changes.last().map(|(_, v)| v).unwrap_or(&self.initial)
    }
}

/// A profile's clock: its calendars and norms over time. Every service-level question —
/// the badge, the API, the wallboard, the reports — is answered through this.
#[derive(Debug, Clone)]
pub struct ProfileClock {
    pub calendars: Versions<BusinessCalendar>,
    pub norms: Versions<ServiceLevel>,
}

impl ProfileClock {
    /// A 24/7 clock with one norm.
    pub fn always(tz: TimeZone, norm: ServiceLevel) -> Self {
        Self {
            calendars: Versions::new(BusinessCalendar::always(tz)),
            norms: Versions::new(norm),
        }
    }

    /// The norm and calendar a message received at `received_at` is scored under.
    pub fn rules_at(&self, received_at: Timestamp) -> (&ServiceLevel, &BusinessCalendar) {
        (self.norms.at(received_at), self.calendars.at(received_at))
    }

    /// Business milliseconds a message received at `received_at` waited until `until`.
    pub fn waited_ms(&self, received_at: Timestamp, until: Timestamp) -> i64 {
        self.calendars.at(received_at).business_ms(received_at, until)
    }

    /// The deadline of a message received at `received_at`.
    pub fn deadline(&self, received_at: Timestamp) -> Option<Timestamp> {
        let (norm, cal) = self.rules_at(received_at);
        cal.deadline(received_at, norm.threshold_ms())
    }
}

#[cfg(test)]
#[path = "business_tests.rs"]
mod tests;
