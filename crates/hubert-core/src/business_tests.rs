//! Tests of the business-time function: known cases, period edges, summer time, and
//! properties (monotonic, additive, deadline exact) over random calendars and instants.

use super::*;
use crate::time::{HOUR, MINUTE};
use proptest::prelude::*;

fn p(a: &str, b: &str) -> [String; 2] {
    [a.into(), b.into()]
}

fn office() -> CalendarSpec {
    let mut periods = BTreeMap::new();
    for d in ["mon", "tue", "wed", "thu", "fri"] {
        periods.insert(d.to_string(), vec![p("08:00", "12:00"), p("13:00", "20:00")]);
    }
    CalendarSpec {
        timezone: "Europe/Amsterdam".into(),
        mode: ClockMode::OpeningHours,
        periods,
        holidays: Some(HolidaysSpec::Country("nl".into())),
        closed: vec!["2027-12-24".into()],
        special: vec![SpecialDaySpec {
            date: "2026-12-24".into(),
            periods: vec![p("08:00", "16:00")],
        }],
    }
}

fn cal() -> BusinessCalendar {
    BusinessCalendar::from_spec(&office()).unwrap()
}

/// Local Amsterdam time to epoch ms.
fn at(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Europe/Amsterdam").unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

#[test]
fn friday_evening_runs_over_to_monday_morning() {
    let c = cal();
    // Friday 2026-11-27 19:55, 15 minutes: 5 on Friday, 10 on Monday.
    let fri = at("2026-11-27T19:55");
    assert_eq!(c.deadline(fri, 15 * MINUTE), Some(at("2026-11-30T08:10")));
    // Exactly at closing time: due at 20:00 itself, not on Monday.
    assert_eq!(
        c.deadline(at("2026-11-27T19:45"), 15 * MINUTE),
        Some(at("2026-11-27T20:00"))
    );
    assert_eq!(c.business_ms(fri, at("2026-11-30T08:10")), 15 * MINUTE);
}

#[test]
fn the_lunch_break_and_the_night_stand_still() {
    let c = cal();
    assert_eq!(c.paused_until(at("2026-11-26T12:30")), Some(at("2026-11-26T13:00")));
    assert_eq!(c.paused_until(at("2026-11-26T12:00")), Some(at("2026-11-26T13:00")));
    assert_eq!(c.paused_until(at("2026-11-26T11:59")), None);
    assert_eq!(c.paused_until(at("2026-11-26T13:00")), None);
    assert_eq!(c.paused_until(at("2026-11-28T11:00")), Some(at("2026-11-30T08:00")));
    assert_eq!(c.business_ms(at("2026-11-26T11:00"), at("2026-11-26T14:00")), 2 * HOUR);
}

#[test]
fn holidays_closed_dates_and_special_hours_apply() {
    let c = cal();
    // Tweede Paasdag 2026 is Monday 6 April: Friday 3 April (Goede Vrijdag, a working day
    // under "nl") 19:55 → Tuesday 08:10.
    assert_eq!(
        c.deadline(at("2026-04-03T19:55"), 15 * MINUTE),
        Some(at("2026-04-07T08:10"))
    );
    // Christmas Eve 2026 closes at 16:00; Christmas and Boxing Day are closed.
    assert_eq!(c.paused_until(at("2026-12-24T16:30")), Some(at("2026-12-28T08:00")));
    // 2027-12-24 is closed entirely.
    assert_eq!(c.paused_until(at("2027-12-24T09:00")), Some(at("2027-12-27T08:00")));
    // Bevrijdingsdag 2025 (lustrum) is closed under "nl", 2026 is not.
    assert_eq!(c.paused_until(at("2025-05-05T09:00")), Some(at("2025-05-06T08:00")));
    assert_eq!(c.paused_until(at("2026-05-05T09:00")), None);
}

#[test]
fn summer_time_changes_are_exact() {
    let mut spec = office();
    spec.periods.insert("sun".into(), vec![p("00:00", "24:00")]);
    spec.holidays = None;
    let c = BusinessCalendar::from_spec(&spec).unwrap();
    // 29 March 2026 has 23 hours, 25 October 2026 has 25.
    assert_eq!(c.business_ms(at("2026-03-29T00:00"), at("2026-03-30T00:00")), 23 * HOUR);
    assert_eq!(c.business_ms(at("2026-10-25T00:00"), at("2026-10-26T00:00")), 25 * HOUR);
    spec.periods.insert("sun".into(), vec![p("01:00", "04:00")]);
    let c = BusinessCalendar::from_spec(&spec).unwrap();
    assert_eq!(c.business_ms(at("2026-03-29T00:00"), at("2026-03-30T00:00")), 2 * HOUR);
    assert_eq!(c.business_ms(at("2026-10-25T00:00"), at("2026-10-26T00:00")), 4 * HOUR);
    assert_eq!(
        c.deadline(at("2026-03-29T00:00"), 90 * MINUTE),
        Some(at("2026-03-29T03:30"))
    );
}

#[test]
fn always_is_the_wall_clock() {
    let c = BusinessCalendar::from_spec(&CalendarSpec::always("Europe/Amsterdam")).unwrap();
    assert_eq!(c.business_ms(1_000, 61_000), 60_000);
    assert_eq!(c.deadline(1_000, 60_000), Some(61_000));
    assert_eq!(c.paused_until(5), None);
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    let bad = |f: &dyn Fn(&mut CalendarSpec)| {
        let mut s = office();
        f(&mut s);
        BusinessCalendar::from_spec(&s).unwrap_err()
    };
    assert!(bad(&|s| s.timezone = "Mars/Olympus".into()).contains("time zone"));
    assert!(bad(&|s| {
        s.periods.insert("mon".into(), vec![p("12:00", "08:00")]);
    })
    .contains("start before"));
    assert!(bad(&|s| {
        s.periods.insert("mon".into(), vec![p("8:00", "12:00")]);
    })
    .contains("HH:MM"));
    assert!(bad(&|s| {
        s.periods
            .insert("mon".into(), vec![p("08:00", "12:00"), p("11:00", "13:00")]);
    })
    .contains("overlap"));
    assert!(bad(&|s| {
        s.periods.insert("maandag".into(), vec![]);
    })
    .contains("weekday"));
    assert!(bad(&|s| s.closed.push("2027-02-30".into())).contains("date"));
    assert!(bad(&|s| s.closed.push("2026-12-24".into())).contains("more than once"));
    assert!(bad(&|s| s.holidays = Some(HolidaysSpec::Country("be".into()))).contains("country"));
    assert!(bad(&|s| s.periods.clear()).contains("at least one"));
    assert!(bad(&|s| {
        s.periods.insert("mon".into(), vec![p("08:00", "24:01")]);
    })
    .contains("HH:MM"));
}

fn arb_spec() -> impl Strategy<Value = CalendarSpec> {
    let period = (0u16..48, 1u16..48).prop_map(|(s, len)| (s * 30, (s * 30 + len * 30).min(1440)));
    let day = proptest::collection::vec(period, 0..3);
    (proptest::collection::vec(day, 7), any::<bool>()).prop_map(|(days, hol)| {
        let mut spec = office();
        spec.periods.clear();
        for (i, list) in days.into_iter().enumerate() {
            // Keep the first period and those that do not overlap it.
            let mut kept: Vec<(u16, u16)> = Vec::new();
            for (s, e) in list {
                if s < e && kept.iter().all(|&(a, b)| e <= a || s >= b) {
                    kept.push((s, e));
                }
            }
            let fmt = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            spec.periods.insert(
                DAYS[i].into(),
                kept.into_iter().map(|(s, e)| [fmt(s), fmt(e)]).collect(),
            );
        }
        spec.periods.insert("wed".into(), vec![p("09:00", "17:00")]);
        if !hol {
            spec.holidays = None;
        }
        spec
    })
}

// Around the 2026 summer-time changes and holidays: 2026-03-20 .. 2026-11-10.
const LO: Timestamp = 1_773_964_800_000;
const SPAN: Timestamp = 235 * 24 * HOUR;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn business_time_is_monotonic_and_additive(spec in arb_spec(), a in 0..SPAN, b in 0..SPAN, c in 0..SPAN) {
        let cal = BusinessCalendar::from_spec(&spec).unwrap();
        let mut v = [LO + a, LO + b, LO + c];
        v.sort_unstable();
        let [x, y, z] = v;
        prop_assert_eq!(cal.business_ms(x, z), cal.business_ms(x, y) + cal.business_ms(y, z));
        prop_assert!(cal.business_ms(x, y) <= cal.business_ms(x, z));
        prop_assert!(cal.business_ms(x, z) <= z - x);
    }

    #[test]
    fn the_deadline_is_the_first_instant_with_enough_business_time(
        spec in arb_spec(), a in 0..SPAN, n in 1i64..(40 * HOUR)
    ) {
        let cal = BusinessCalendar::from_spec(&spec).unwrap();
        let from = LO + a;
        let d = cal.deadline(from, n).unwrap();
        prop_assert_eq!(cal.business_ms(from, d), n);
        prop_assert_eq!(cal.business_ms(from, d - 1), n - 1);
        // The clock never stands still at the moment the deadline falls.
        prop_assert_eq!(cal.paused_until(d - 1), None);
    }

    #[test]
    fn paused_until_is_the_next_opening(spec in arb_spec(), a in 0..SPAN) {
        let cal = BusinessCalendar::from_spec(&spec).unwrap();
        let t = LO + a;
        match cal.paused_until(t) {
            Some(open) => {
                prop_assert!(open > t);
                prop_assert_eq!(cal.business_ms(t, open), 0);
                prop_assert_eq!(cal.business_ms(open, open + 1), 1);
            }
            None => prop_assert_eq!(cal.business_ms(t, t + 1), 1),
        }
    }
}
