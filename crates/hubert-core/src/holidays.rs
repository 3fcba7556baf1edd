//! Dutch public holidays ("feestdagen"): Nieuwjaarsdag, Goede Vrijdag (optional), Pasen,
//! Koningsdag / Koninginnedag with their Sunday rules, Bevrijdingsdag (every year, every
//! fifth year or never), Hemelvaartsdag, Pinksteren and Kerst. Easter is computed with the
//! anonymous Gregorian algorithm (Meeus/Jones/Butcher); the tests check it against Gauss's.

use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

/// How a team treats Bevrijdingsdag (5 May): by law a holiday every year, in most
/// collective agreements a day off only in lustrum years (2025, 2030, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiberationDay {
    EveryYear,
    EveryFifthYear,
    Never,
}

/// Which optional days a team keeps closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRules {
    pub good_friday: bool,
    pub liberation_day: LiberationDay,
}

impl Default for HolidayRules {
    /// `"holidays": "nl"`: Goede Vrijdag a working day, Bevrijdingsdag every fifth year.
    fn default() -> Self {
        Self {
            good_friday: false,
            liberation_day: LiberationDay::EveryFifthYear,
        }
    }
}

/// One day of the country's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    pub name: &'static str,
    /// Goede Vrijdag and Bevrijdingsdag: closed only when the team's rules say so.
    pub optional: bool,
}

/// Easter Sunday in the Gregorian calendar (Meeus/Jones/Butcher).
pub fn easter(year: i16) -> Date {
    let y = year as i32;
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, month as i8, day as i8).expect("Easter is a valid date")
}

fn day(year: i16, month: i8, d: i8) -> Date {
    Date::new(year, month, d).expect("fixed holiday is a valid date")
}

fn offset(d: Date, days: i32) -> Date {
    d.checked_add(days.days()).expect("holiday within range")
}

/// The monarch's day: Koningsdag 27 April from 2014 (Saturday 26 April when the 27th is a
/// Sunday); Koninginnedag 30 April 1949–2013 (on Sunday moved to Monday 1 May until 1979,
/// to Saturday 29 April from 1980).
fn monarchs_day(year: i16) -> Option<Holiday> {
    let (date, name) = if year >= 2014 {
        let d = day(year, 4, 27);
        let d = if d.weekday() == Weekday::Sunday {
            day(year, 4, 26)
        } else {
            d
        };
        (d, "Koningsdag")
    } else if year >= 1949 {
        let d = day(year, 4, 30);
        let d = match (d.weekday(), year >= 1980) {
            (Weekday::Sunday, true) => day(year, 4, 29),
            (Weekday::Sunday, false) => day(year, 5, 1),
            _ => d,
        };
        (d, "Koninginnedag")
    } else {
        return None;
    };
    Some(Holiday {
        date,
        name,
        optional: false,
    })
}

/// Every day of the Dutch calendar for `year`, the optional days included, by date.
pub fn dutch_calendar(year: i16) -> Vec<Holiday> {
    let e = easter(year);
    let fixed = |date, name| Holiday {
        date,
        name,
        optional: false,
    };
    let mut out = vec![
        fixed(day(year, 1, 1), "Nieuwjaarsdag"),
        Holiday {
            date: offset(e, -2),
            name: "Goede Vrijdag",
            optional: true,
        },
        fixed(e, "Eerste Paasdag"),
        fixed(offset(e, 1), "Tweede Paasdag"),
        fixed(offset(e, 39), "Hemelvaartsdag"),
        fixed(offset(e, 49), "Eerste Pinksterdag"),
        fixed(offset(e, 50), "Tweede Pinksterdag"),
        fixed(day(year, 12, 25), "Eerste Kerstdag"),
        fixed(day(year, 12, 26), "Tweede Kerstdag"),
    ];
    out.extend(monarchs_day(year));
    if year >= 1945 {
        out.push(Holiday {
            date: day(year, 5, 5),
            name: "Bevrijdingsdag",
            optional: true,
        });
    }
    out.sort_by_key(|h| h.date);
    out
}

/// The days a team with `rules` is closed in `year`.
pub fn dutch_holidays(year: i16, rules: HolidayRules) -> Vec<Holiday> {
    dutch_calendar(year)
        .into_iter()
        .filter(|h| match h.name {
            "Goede Vrijdag" => rules.good_friday,
            "Bevrijdingsdag" => match rules.liberation_day {
                LiberationDay::EveryYear => true,
                LiberationDay::EveryFifthYear => year % 5 == 0,
                LiberationDay::Never => false,
            },
            _ => true,
        })
        .collect()
}

/// Whether `date` is a holiday under `rules`.
pub fn is_dutch_holiday(date: Date, rules: HolidayRules) -> bool {
    dutch_holidays(date.year(), rules).iter().any(|h| h.date == date)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gauss's Easter algorithm with its two exceptions: independent of the code's.
    fn gauss_easter(year: i32) -> (i8, i8) {
        let a = year % 19;
        let b = year % 4;
        let c = year % 7;
        let k = year / 100;
        let p = (13 + 8 * k) / 25;
        let q = k / 4;
        let m = (15 - p + k - q) % 30;
        let n = (4 + k - q) % 7;
        let d = (19 * a + m) % 30;
        let e = (2 * b + 4 * c + 6 * d + n) % 7;
        let mut march = 22 + d + e;
        if d == 29 && e == 6 {
            march = 50; // 19 April
        } else if d == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
            march = 49; // 18 April
        }
        if march > 31 {
            (4, (march - 31) as i8)
        } else {
            (3, march as i8)
        }
    }

    #[test]
    fn easter_agrees_with_gauss_from_1990_to_2100() {
        for y in 1990..=2100 {
            let (m, d) = gauss_easter(y);
            assert_eq!(easter(y as i16), Date::new(y as i16, m, d).unwrap(), "{y}");
        }
    }

    #[test]
    fn easter_matches_published_dates() {
        for (y, m, d) in [
            (1990, 4, 15),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
        ] {
            assert_eq!(easter(y), Date::new(y, m, d).unwrap(), "{y}");
        }
    }

    fn dates(year: i16, rules: HolidayRules) -> Vec<String> {
        dutch_holidays(year, rules).iter().map(|h| h.date.to_string()).collect()
    }

    /// The government's published list ("officiële feestdagen") for 2025 and 2024.
    #[test]
    fn known_years_match_the_published_lists() {
        let all = HolidayRules {
            good_friday: true,
            liberation_day: LiberationDay::EveryYear,
        };
        assert_eq!(
            dates(2025, all),
            [
                "2025-01-01",
                "2025-04-18",
                "2025-04-20",
                "2025-04-21",
                "2025-04-26",
                "2025-05-05",
                "2025-05-29",
                "2025-06-08",
                "2025-06-09",
                "2025-12-25",
                "2025-12-26"
            ]
        );
        assert_eq!(
            dates(2024, all),
            [
                "2024-01-01",
                "2024-03-29",
                "2024-03-31",
                "2024-04-01",
                "2024-04-27",
                "2024-05-05",
                "2024-05-09",
                "2024-05-19",
                "2024-05-20",
                "2024-12-25",
                "2024-12-26"
            ]
        );
        assert_eq!(
            dates(2026, HolidayRules::default()),
            [
                "2026-01-01",
                "2026-04-05",
                "2026-04-06",
                "2026-04-27",
                "2026-05-14",
                "2026-05-24",
                "2026-05-25",
                "2026-12-25",
                "2026-12-26"
            ]
        );
    }

    #[test]
    fn the_monarchs_day_follows_its_sunday_rules() {
        let md = |y| monarchs_day(y).map(|h| (h.date.to_string(), h.name));
        assert_eq!(md(2014), Some(("2014-04-26".into(), "Koningsdag"))); // 27th a Sunday
        assert_eq!(md(2025), Some(("2025-04-26".into(), "Koningsdag")));
        assert_eq!(md(2023), Some(("2023-04-27".into(), "Koningsdag")));
        assert_eq!(md(2006), Some(("2006-04-29".into(), "Koninginnedag"))); // 30th a Sunday
        assert_eq!(md(2013), Some(("2013-04-30".into(), "Koninginnedag")));
        assert_eq!(md(1978), Some(("1978-05-01".into(), "Koninginnedag")));
        assert_eq!(md(1990), Some(("1990-04-30".into(), "Koninginnedag")));
    }

    #[test]
    fn liberation_day_follows_the_chosen_rule() {
        let rules = |l| HolidayRules {
            good_friday: false,
            liberation_day: l,
        };
        let has = |y: i16, l| is_dutch_holiday(Date::new(y, 5, 5).unwrap(), rules(l));
        assert!(has(2025, LiberationDay::EveryFifthYear));
        assert!(!has(2026, LiberationDay::EveryFifthYear));
        assert!(has(2026, LiberationDay::EveryYear));
        assert!(!has(2025, LiberationDay::Never));
    }

    /// An independent re-derivation of every year's list from 1990 to 2100.
    #[test]
    fn every_year_from_1990_to_2100_has_the_independent_list() {
        for y in 1990i16..=2100 {
            let (m, d) = gauss_easter(y as i32);
            let e = Date::new(y, m, d).unwrap();
            let plus = |n: i64| e.checked_add(jiff::Span::new().days(n)).unwrap();
            let april = |d| Date::new(y, 4, d).unwrap();
            let monarch = if y >= 2014 {
                if april(27).weekday() == Weekday::Sunday {
                    april(26)
                } else {
                    april(27)
                }
            } else if april(30).weekday() == Weekday::Sunday {
                april(29)
            } else {
                april(30)
            };
            let mut expect = vec![
                Date::new(y, 1, 1).unwrap(),
                plus(-2),
                e,
                plus(1),
                monarch,
                Date::new(y, 5, 5).unwrap(),
                plus(39),
                plus(49),
                plus(50),
                Date::new(y, 12, 25).unwrap(),
                Date::new(y, 12, 26).unwrap(),
            ];
            expect.sort();
            let got: Vec<Date> = dutch_calendar(y).iter().map(|h| h.date).collect();
            assert_eq!(got, expect, "{y}");
            assert!(got.iter().all(|d| d.year() == y));
        }
    }
}
