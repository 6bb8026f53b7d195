//! The lockout schedule (pure): from the 5th consecutive failure, a wait of 60 s that doubles
//! with each further failure (capped at 24 h); at most 25 failures per 24 h.

use time::{Duration, OffsetDateTime};

/// Consecutive failures before the first lock.
pub const SEUIL: u32 = 5;
/// First wait.
pub const PREMIER_DELAI: Duration = Duration::seconds(60);
/// Failures allowed per 24 hours.
pub const MAX_PAR_JOUR: usize = 25;

/// Until when the account is locked after a failure, given the consecutive failures (this one
/// included) and the times of the failures of the last 24 hours (this one included, oldest first).
pub fn verrou_apres_echec(
    consecutifs: u32,
    jour: &[OffsetDateTime],
    maintenant: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let par_suite = (consecutifs >= SEUIL).then(|| {
        let doublements = (consecutifs - SEUIL).min(11);
        let delai = (PREMIER_DELAI * 2_i32.pow(doublements)).min(Duration::hours(24));
        maintenant + delai
    });
    let par_jour = (jour.len() >= MAX_PAR_JOUR).then(|| {
        // Locked until the oldest failure that counts leaves the 24-hour window.
        jour[jour.len() - MAX_PAR_JOUR] + Duration::hours(24)
    });
    par_suite.max(par_jour)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T: OffsetDateTime = datetime!(2026-11-29 10:00 UTC);

    #[test]
    fn four_failures_do_not_lock() {
        for n in 1..SEUIL {
            assert_eq!(verrou_apres_echec(n, &[T], T), None);
        }
    }

    #[test]
    fn the_fifth_failure_locks_for_a_minute_then_the_wait_doubles() {
        assert_eq!(verrou_apres_echec(5, &[T], T), Some(T + Duration::seconds(60)));
        assert_eq!(verrou_apres_echec(6, &[T], T), Some(T + Duration::seconds(120)));
        assert_eq!(verrou_apres_echec(7, &[T], T), Some(T + Duration::seconds(240)));
        assert_eq!(verrou_apres_echec(40, &[T], T), Some(T + Duration::hours(24)), "capped");
    }

    #[test]
    fn twenty_five_failures_a_day_lock_until_the_oldest_leaves_the_window() {
        let jour: Vec<OffsetDateTime> = (0..25).map(|i| T + Duration::minutes(i * 30)).collect();
        let last = *jour.last().unwrap();
        // Consecutive count reset by successes in between: only the daily cap applies.
        assert_eq!(verrou_apres_echec(1, &jour, last), Some(T + Duration::hours(24)));
        assert_eq!(verrou_apres_echec(1, &jour[..24], last), None);
    }
}
