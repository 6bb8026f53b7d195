//! The constat des effectifs (docs/domaine.md §8): per school and niveau (TPS…CM2), the
//! pupils attending and the classes that take them, the ULIS dispositif, the maternelle /
//! élémentaire split, the average per class; subtotals and totals; the change against last
//! year's validated constat; and the campaign's rules.
//!
//! Rules kept here:
//! - a pupil is counted once, in the niveau of their schooling record; pupils without an INE
//!   are listed apart and not counted (the ministry's constat counts pupils it knows);
//! - a class is counted once for the school, and once in each niveau it takes (a CE1-CE2 class
//!   is one class of the school, and a class in CE1 and in CE2);
//! - the average per class is the school's pupils over its classes, with one decimal;
//! - a constat is validated only while the département's campaign is open; a validated constat
//!   is frozen (reports show what was validated); validating again replaces it, journaled.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Niveau;
use super::parcours::Refus;

/// Pupils and classes of one niveau.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Compte {
    /// Pupils attending (with an INE).
    pub eleves: u32,
    /// Classes taking the niveau.
    pub classes: u32,
}

/// One school's constat (computed, or as validated).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Effectifs {
    /// Per niveau code (`TPS`…`CM2`), every niveau present (zero when none).
    #[schema(value_type = BTreeMap<String, Compte>)]
    pub niveaux: BTreeMap<Niveau, Compte>,
    /// Pupils in the ULIS dispositif (counted in their niveau too).
    pub ulis: u32,
    /// Classes of the school.
    pub classes: u32,
    /// Pupils attending without an INE: listed apart, not counted.
    pub sans_ine: u32,
}

impl Effectifs {
    /// Every niveau at zero.
    pub fn vide() -> Self {
        Self { niveaux: Niveau::ALL.iter().map(|n| (*n, Compte::default())).collect(), ..Default::default() }
    }

    /// Pupils counted.
    pub fn total(&self) -> u32 {
        self.niveaux.values().map(|c| c.eleves).sum()
    }

    /// Pupils in maternelle (TPS…GS).
    pub fn maternelle(&self) -> u32 {
        self.niveaux.iter().filter(|(n, _)| n.est_maternelle()).map(|(_, c)| c.eleves).sum()
    }

    /// Pupils in élémentaire (CP…CM2).
    pub fn elementaire(&self) -> u32 {
        self.total() - self.maternelle()
    }

    /// Pupils per class, one decimal (none without a class).
    pub fn moyenne(&self) -> Option<f64> {
        (self.classes > 0).then(|| (f64::from(self.total()) / f64::from(self.classes) * 10.0).round() / 10.0)
    }

    /// Adds another's counts (subtotals and totals).
    pub fn ajouter(&mut self, autre: &Effectifs) {
        for (n, c) in &autre.niveaux {
            let e = self.niveaux.entry(*n).or_default();
            e.eleves += c.eleves;
            e.classes += c.classes;
        }
        self.ulis += autre.ulis;
        self.classes += autre.classes;
        self.sans_ine += autre.sans_ine;
    }

    /// The sum of several.
    pub fn somme<'a>(l: impl IntoIterator<Item = &'a Effectifs>) -> Effectifs {
        let mut s = Effectifs::vide();
        for e in l {
            s.ajouter(e);
        }
        s
    }
}

/// Where a pupil attending this year is counted next year in the same school: the niveau the
/// passage gives (maintien: the same; anticipé: one skipped), or `None` when the pupil leaves
/// (CM2 to the collège, a niveau the school does not teach — GS to CP in a maternelle —, or a
/// departure recorded at the end of the year).
pub fn montee(
    niveau: Niveau,
    passage: super::parcours::TypePassage,
    quitte: bool,
    ecole: super::TypeEcole,
) -> Option<Niveau> {
    if quitte {
        return None;
    }
    passage.niveau_suivant(niveau).filter(|n| ecole.admet(*n))
}

/// A pupil's path through primary school, from their yearly records (year, niveau), as the
/// cohort follow-up reads it: whether it started in PS, and whether it had no maintien (the
/// same niveau in two years). `None` when a year is missing (schooled outside the register
/// that year): the path is unknown, and left out rather than counted as without maintien.
pub fn parcours_sans_maintien(historique: &[(i32, Niveau)]) -> Option<(bool, bool)> {
    let depuis_ps = historique.iter().any(|(_, n)| *n == Niveau::Ps);
    let mut annees: BTreeMap<i32, Niveau> = BTreeMap::new();
    for (a, n) in historique {
        annees.insert(*a, *n);
    }
    let ans: Vec<i32> = annees.keys().copied().collect();
    if ans.windows(2).any(|w| w[1] != w[0] + 1) {
        return None;
    }
    let niveaux: Vec<Niveau> = annees.values().copied().collect();
    let maintien = niveaux.windows(2).any(|w| w[1] <= w[0]);
    Some((depuis_ps, !maintien))
}

/// The change of a count against last year's validated constat (none without one).
pub fn variation(actuel: u32, precedent: Option<u32>) -> Option<i64> {
    precedent.map(|p| i64::from(actuel) - i64::from(p))
}

/// « +3 », « −2 », « = », or « — » without last year's constat.
pub fn variation_texte(v: Option<i64>) -> String {
    match v {
        None => "—".into(),
        Some(0) => "=".into(),
        Some(n) if n > 0 => format!("+{n}"),
        Some(n) => format!("−{}", n.unsigned_abs()),
    }
}

/// Whether a school may validate its constat now.
pub fn validation_possible(campagne_ouverte: bool) -> Result<(), Refus> {
    if campagne_ouverte {
        Ok(())
    } else {
        Err(Refus(
            "la campagne du constat des effectifs n'est pas ouverte : la direction académique l'ouvre, puis chaque école valide le sien"
                .into(),
        ))
    }
}

/// Opening a campaign: refused when it is already open.
pub fn ouvrir(ouverte: bool) -> Result<(), Refus> {
    if ouverte { Err(Refus("la campagne du constat est déjà ouverte".into())) } else { Ok(()) }
}

/// Closing a campaign: refused when it is not open.
pub fn clore(ouverte: bool) -> Result<(), Refus> {
    if ouverte { Ok(()) } else { Err(Refus("la campagne du constat n'est pas ouverte".into())) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e(v: &[(Niveau, u32, u32)], classes: u32) -> Effectifs {
        let mut x = Effectifs::vide();
        for (n, eleves, k) in v {
            x.niveaux.insert(*n, Compte { eleves: *eleves, classes: *k });
        }
        x.classes = classes;
        x
    }

    #[test]
    fn totals_split_and_average() {
        let x = e(&[(Niveau::Ps, 20, 1), (Niveau::Gs, 10, 1), (Niveau::Cp, 12, 1)], 2);
        assert_eq!(x.total(), 42);
        assert_eq!(x.maternelle(), 30);
        assert_eq!(x.elementaire(), 12);
        assert_eq!(x.moyenne(), Some(21.0));
        assert_eq!(Effectifs::vide().moyenne(), None);
        let y = e(&[(Niveau::Ce1, 7, 1)], 3);
        assert_eq!(y.moyenne(), Some(2.3));
    }

    #[test]
    fn a_change_reads_with_its_sign() {
        assert_eq!(variation_texte(variation(25, Some(22))), "+3");
        assert_eq!(variation_texte(variation(20, Some(22))), "−2");
        assert_eq!(variation_texte(variation(22, Some(22))), "=");
        assert_eq!(variation_texte(variation(22, None)), "—");
    }

    #[test]
    fn the_montee_pedagogique_moves_each_pupil_up_keeps_maintiens_and_lets_leavers_go() {
        use crate::domain::TypeEcole;
        use crate::domain::parcours::TypePassage as T;
        assert_eq!(montee(Niveau::Ce1, T::Passage, false, TypeEcole::Elementaire), Some(Niveau::Ce2));
        assert_eq!(montee(Niveau::Ce1, T::Maintien, false, TypeEcole::Elementaire), Some(Niveau::Ce1));
        assert_eq!(montee(Niveau::Ce1, T::Anticipe, false, TypeEcole::Elementaire), Some(Niveau::Cm1));
        assert_eq!(montee(Niveau::Cm2, T::Passage, false, TypeEcole::Primaire), None, "to the collège");
        assert_eq!(montee(Niveau::Cm2, T::Maintien, false, TypeEcole::Primaire), Some(Niveau::Cm2));
        assert_eq!(montee(Niveau::Gs, T::Passage, false, TypeEcole::Maternelle), None, "to an élémentaire");
        assert_eq!(montee(Niveau::Gs, T::Passage, false, TypeEcole::Primaire), Some(Niveau::Cp));
        assert_eq!(montee(Niveau::Tps, T::Passage, false, TypeEcole::Maternelle), Some(Niveau::Ps));
        assert_eq!(montee(Niveau::Ce2, T::Passage, true, TypeEcole::Elementaire), None, "leaves the school");
    }

    #[test]
    fn a_path_is_read_from_the_yearly_records() {
        let h = [(2021, Niveau::Ps), (2022, Niveau::Ms), (2023, Niveau::Gs), (2024, Niveau::Cp), (2025, Niveau::Ce1)];
        assert_eq!(parcours_sans_maintien(&h), Some((true, true)));
        let m = [(2021, Niveau::Ps), (2022, Niveau::Ms), (2023, Niveau::Ms), (2024, Niveau::Gs)];
        assert_eq!(parcours_sans_maintien(&m), Some((true, false)));
        assert_eq!(parcours_sans_maintien(&[(2025, Niveau::Cm1), (2026, Niveau::Cm2)]), Some((false, true)));
        // Two records in one year (a change of school): one year, no maintien.
        assert_eq!(
            parcours_sans_maintien(&[(2025, Niveau::Cm1), (2025, Niveau::Cm1), (2026, Niveau::Cm2)]),
            Some((false, true))
        );
        // A missing year: unknown, not « without maintien ».
        assert_eq!(parcours_sans_maintien(&[(2019, Niveau::Ps), (2021, Niveau::Gs), (2022, Niveau::Cp)]), None);
    }

    #[test]
    fn the_campaign_opens_once_and_validation_needs_it_open() {
        assert!(validation_possible(false).is_err());
        assert!(validation_possible(true).is_ok());
        assert!(ouvrir(true).is_err() && ouvrir(false).is_ok());
        assert!(clore(false).is_err() && clore(true).is_ok());
    }

    proptest! {
        #[test]
        fn a_sum_adds_every_niveau_and_keeps_the_split(v in proptest::collection::vec((0u32..500, 0u32..500, 0u32..20), 0..12)) {
            let ecoles: Vec<Effectifs> = v.iter().map(|(m, el, k)| e(&[(Niveau::Ms, *m, 1), (Niveau::Cm1, *el, 1)], *k)).collect();
            let s = Effectifs::somme(&ecoles);
            prop_assert_eq!(s.total(), ecoles.iter().map(Effectifs::total).sum::<u32>());
            prop_assert_eq!(s.maternelle() + s.elementaire(), s.total());
            prop_assert_eq!(s.classes, ecoles.iter().map(|x| x.classes).sum::<u32>());
        }
    }
}
