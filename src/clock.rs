//! The only place that reads the wall clock. Everything that needs "now" or "today" asks a
//! [`Clock`], so tests can fix and advance time (lockouts, the 15-day rule, retention).
//!
//! Dates are French civil dates: "today" is taken in Europe/Paris time (CET/CEST, EU rule:
//! summer time from the last Sunday of March to the last Sunday of October, 01:00 UTC).
//! *(design)* Overseas départements would need their own offset; not handled yet.

use std::sync::{Arc, Mutex};

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset, Weekday};

/// Environment variable that fixes the clock of a CLI run (`2026-09-15T10:00:00Z`), for tests
/// and reproducible demos. The server logs a warning when it is set.
pub const ENV_FIXED: &str = "REGISTRE_HORLOGE";

#[derive(Debug)]
enum Source {
    System,
    Fixed(Mutex<OffsetDateTime>),
}

/// A clock, cheap to clone; clones share the same time.
#[derive(Debug, Clone)]
pub struct Clock(Arc<Source>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(Source::System))
    }

    /// A clock fixed at `at`, that moves only when told.
    pub fn fixed(at: OffsetDateTime) -> Self {
        Self(Arc::new(Source::Fixed(Mutex::new(at))))
    }

    /// The system clock, unless [`ENV_FIXED`] holds an RFC 3339 date-time.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(ENV_FIXED) {
            Ok(v) if !v.trim().is_empty() => {
                let at = OffsetDateTime::parse(v.trim(), &time::format_description::well_known::Rfc3339)
                    .map_err(|e| format!("{ENV_FIXED} : date invalide « {v} » ({e})"))?;
                Ok(Self::fixed(at))
            }
            _ => Ok(Self::system()),
        }
    }

    /// Whether the clock is fixed (tests, demos).
    pub fn is_fixed(&self) -> bool {
        matches!(*self.0, Source::Fixed(_))
    }

    /// Now, in UTC.
    pub fn now(&self) -> OffsetDateTime {
        match &*self.0 {
            Source::System => OffsetDateTime::now_utc(),
            Source::Fixed(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Now, in French civil time.
    pub fn now_paris(&self) -> OffsetDateTime {
        let now = self.now();
        now.to_offset(paris_offset(now))
    }

    /// Today's date in France.
    pub fn today(&self) -> Date {
        self.now_paris().date()
    }

    /// Moves a fixed clock forward (no effect on the system clock).
    pub fn advance(&self, by: Duration) {
        if let Source::Fixed(at) = &*self.0 {
            let mut at = at.lock().unwrap_or_else(|p| p.into_inner());
            *at += by;
        }
    }

    /// Sets a fixed clock (no effect on the system clock).
    pub fn set(&self, to: OffsetDateTime) {
        if let Source::Fixed(at) = &*self.0 {
            *at.lock().unwrap_or_else(|p| p.into_inner()) = to;
        }
    }
}

fn last_sunday(year: i32, month: Month) -> Date {
    let next = if month == Month::December {
        Date::from_calendar_date(year + 1, Month::January, 1)
    } else {
        Date::from_calendar_date(year, month.next(), 1)
    };
    let mut d = next.unwrap_or(Date::MIN).previous_day().unwrap_or(Date::MIN);
    while d.weekday() != Weekday::Sunday {
        d = d.previous_day().unwrap_or(Date::MIN);
    }
    d
}

/// The stamp of an instant in a file's name, in UTC: `AAAAMMJJ-HHMMSS` (the dated backups, the
/// copy taken before an upgrade).
pub fn horodatage(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(HORODATAGE).unwrap_or_default()
}

/// The instant of a stamp made by [`horodatage`]; `None` for anything else.
pub fn lire_horodatage(s: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(s, HORODATAGE).ok().map(time::PrimitiveDateTime::assume_utc)
}

const HORODATAGE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year][month][day]-[hour][minute][second]");

/// The offset of Paris at the instant `at`: +02:00 in summer time, +01:00 otherwise.
pub fn paris_offset(at: OffsetDateTime) -> UtcOffset {
    let utc = at.to_offset(UtcOffset::UTC);
    let year = utc.year();
    let start = last_sunday(year, Month::March).midnight().assume_utc() + Duration::hours(1);
    let end = last_sunday(year, Month::October).midnight().assume_utc() + Duration::hours(1);
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_fixed_clock_moves_only_when_told() {
        let c = Clock::fixed(datetime!(2026-11-29 10:00 UTC));
        assert_eq!(c.now(), datetime!(2026-11-29 10:00 UTC));
        c.advance(Duration::days(16));
        assert_eq!(c.today(), time::macros::date!(2026 - 12 - 15));
        let shared = c.clone();
        shared.advance(Duration::seconds(1));
        assert_eq!(c.now(), datetime!(2026-12-15 10:00:01 UTC));
    }

    #[test]
    fn paris_switches_to_summer_time_on_the_last_sunday_of_march() {
        // 2026: 29 March and 25 October.
        assert_eq!(paris_offset(datetime!(2026-03-29 00:59 UTC)).whole_hours(), 1);
        assert_eq!(paris_offset(datetime!(2026-03-29 01:00 UTC)).whole_hours(), 2);
        assert_eq!(paris_offset(datetime!(2026-10-25 00:59 UTC)).whole_hours(), 2);
        assert_eq!(paris_offset(datetime!(2026-10-25 01:00 UTC)).whole_hours(), 1);
    }

    #[test]
    fn today_is_the_french_date() {
        // 23:30 UTC on 31 August is already 1 September in Paris.
        let c = Clock::fixed(datetime!(2026-08-31 23:30 UTC));
        assert_eq!(c.today(), time::macros::date!(2026 - 09 - 01));
    }
}
