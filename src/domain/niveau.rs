//! Niveaux (TPS to CM2), cycles, années scolaires and the niveau expected from the year of birth.
//!
//! Rules kept here (docs/domaine.md §3):
//! - a child born in year N is expected in TPS at the rentrée of N+2, … CM2 at N+10;
//! - cycles since the rentrée 2015: 1 = TPS–GS, 2 = CP–CE2, 3 = CM1–CM2; before, 1 = TPS–MS,
//!   2 = GS–CE1, 3 = CE2–CM2. The cycle is stored with each yearly record, never recomputed;
//! - one year off the expected niveau is normal, more is worth a warning (never a refusal).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// Why a string is not a niveau, cycle or année scolaire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NiveauError {
    /// Unknown niveau.
    #[error("niveau « {0} » inconnu (attendu : TPS, PS, MS, GS, CP, CE1, CE2, CM1 ou CM2)")]
    Niveau(String),
    /// Unknown cycle.
    #[error("cycle « {0} » inconnu (attendu : 1, 2 ou 3)")]
    Cycle(String),
    /// Not `YYYY-YYYY+1`.
    #[error("année scolaire « {0} » invalide (attendu : par exemple 2026-2027)")]
    Annee(String),
}

/// A niveau of primary school, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Niveau {
    /// Toute petite section (from 2 years old, within available places).
    Tps,
    /// Petite section.
    Ps,
    /// Moyenne section.
    Ms,
    /// Grande section.
    Gs,
    /// Cours préparatoire.
    Cp,
    /// Cours élémentaire 1re année.
    Ce1,
    /// Cours élémentaire 2e année.
    Ce2,
    /// Cours moyen 1re année.
    Cm1,
    /// Cours moyen 2e année.
    Cm2,
}

impl Niveau {
    /// Every niveau, in order.
    pub const ALL: [Niveau; 9] = [
        Niveau::Tps,
        Niveau::Ps,
        Niveau::Ms,
        Niveau::Gs,
        Niveau::Cp,
        Niveau::Ce1,
        Niveau::Ce2,
        Niveau::Cm1,
        Niveau::Cm2,
    ];

    /// The short code used on documents and in exchange files.
    pub fn code(self) -> &'static str {
        match self {
            Niveau::Tps => "TPS",
            Niveau::Ps => "PS",
            Niveau::Ms => "MS",
            Niveau::Gs => "GS",
            Niveau::Cp => "CP",
            Niveau::Ce1 => "CE1",
            Niveau::Ce2 => "CE2",
            Niveau::Cm1 => "CM1",
            Niveau::Cm2 => "CM2",
        }
    }

    /// The full French name.
    pub fn libelle(self) -> &'static str {
        match self {
            Niveau::Tps => "Toute petite section",
            Niveau::Ps => "Petite section",
            Niveau::Ms => "Moyenne section",
            Niveau::Gs => "Grande section",
            Niveau::Cp => "Cours préparatoire",
            Niveau::Ce1 => "Cours élémentaire 1re année",
            Niveau::Ce2 => "Cours élémentaire 2e année",
            Niveau::Cm1 => "Cours moyen 1re année",
            Niveau::Cm2 => "Cours moyen 2e année",
        }
    }

    /// Parses a code (`ce1`, ` CE1 `); the ONDE spellings `TPS`…`CM2` are the codes.
    pub fn parse(input: &str) -> Result<Self, NiveauError> {
        let s = input.trim().to_uppercase();
        Niveau::ALL
            .into_iter()
            .find(|n| n.code() == s)
            .ok_or_else(|| NiveauError::Niveau(input.trim().chars().take(20).collect()))
    }

    /// Position from 0 (TPS) to 8 (CM2).
    pub fn rang(self) -> i32 {
        self as i32
    }

    /// Age reached during the calendar year of the rentrée: TPS 2 … CM2 10.
    pub fn age_a_la_rentree(self) -> i32 {
        self.rang() + 2
    }

    /// The next niveau; `None` after CM2 (the pupil leaves for the collège).
    pub fn suivant(self) -> Option<Niveau> {
        Niveau::ALL.get(self.rang() as usize + 1).copied()
    }

    /// The previous niveau; `None` before TPS.
    pub fn precedent(self) -> Option<Niveau> {
        (self.rang() > 0).then(|| Niveau::ALL[self.rang() as usize - 1])
    }

    /// TPS to GS.
    pub fn est_maternelle(self) -> bool {
        self <= Niveau::Gs
    }

    /// The cycle of this niveau in a given année scolaire (the 2015 reform changed them).
    pub fn cycle(self, annee: AnneeScolaire) -> Cycle {
        if annee.debut() >= 2015 {
            match self {
                Niveau::Tps | Niveau::Ps | Niveau::Ms | Niveau::Gs => Cycle::Un,
                Niveau::Cp | Niveau::Ce1 | Niveau::Ce2 => Cycle::Deux,
                Niveau::Cm1 | Niveau::Cm2 => Cycle::Trois,
            }
        } else {
            match self {
                Niveau::Tps | Niveau::Ps | Niveau::Ms => Cycle::Un,
                Niveau::Gs | Niveau::Cp | Niveau::Ce1 => Cycle::Deux,
                Niveau::Ce2 | Niveau::Cm1 | Niveau::Cm2 => Cycle::Trois,
            }
        }
    }

    /// The niveau expected at the rentrée of `annee` for a child born in `annee_naissance`;
    /// `None` when the child is too young for TPS or past CM2 age.
    pub fn attendu(annee_naissance: i32, annee: AnneeScolaire) -> Option<Niveau> {
        let age = annee.debut() - annee_naissance;
        Niveau::ALL.into_iter().find(|n| n.age_a_la_rentree() == age)
    }

    /// How many years the pupil is ahead (positive) or behind (negative) the expected niveau.
    pub fn ecart(self, annee_naissance: i32, annee: AnneeScolaire) -> i32 {
        let age = annee.debut() - annee_naissance;
        age - self.age_a_la_rentree()
    }
}

/// How a niveau stands against the one expected from the year of birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ecart {
    /// Expected niveau, or one year off (maintien or passage anticipé: normal).
    Normal,
    /// More than one year off: a warning, never a refusal.
    Inhabituel {
        /// Years behind (positive) or ahead (negative).
        annees: i32,
    },
}

impl Ecart {
    /// Compares a niveau with the year of birth for an année scolaire.
    pub fn evaluer(niveau: Niveau, annee_naissance: i32, annee: AnneeScolaire) -> Ecart {
        let annees = niveau.ecart(annee_naissance, annee);
        if annees.abs() <= 1 { Ecart::Normal } else { Ecart::Inhabituel { annees } }
    }

    /// A French sentence for the warning, if any.
    pub fn avertissement(self, niveau: Niveau) -> Option<String> {
        match self {
            Ecart::Normal => None,
            Ecart::Inhabituel { annees } if annees > 0 => {
                Some(format!("l'élève a {annees} ans de retard sur le niveau attendu pour son âge ({})", niveau.code()))
            }
            Ecart::Inhabituel { annees } => Some(format!(
                "l'élève a {} ans d'avance sur le niveau attendu pour son âge ({})",
                -annees,
                niveau.code()
            )),
        }
    }
}

impl fmt::Display for Niveau {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Niveau {
    type Error = NiveauError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Niveau> for String {
    fn from(n: Niveau) -> Self {
        n.code().to_string()
    }
}

/// A cycle of learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Cycle {
    /// Cycle 1 (apprentissages premiers).
    Un,
    /// Cycle 2 (apprentissages fondamentaux).
    Deux,
    /// Cycle 3 (consolidation).
    Trois,
}

impl Cycle {
    /// 1, 2 or 3.
    pub fn numero(self) -> u8 {
        match self {
            Cycle::Un => 1,
            Cycle::Deux => 2,
            Cycle::Trois => 3,
        }
    }

    /// Parses `1`, `cycle 2`, or the ONDE spelling `CYCLE III`.
    pub fn parse(input: &str) -> Result<Self, NiveauError> {
        let s = input.trim().to_uppercase();
        let s = s.strip_prefix("CYCLE").unwrap_or(&s).trim();
        match s {
            "1" | "I" => Ok(Cycle::Un),
            "2" | "II" => Ok(Cycle::Deux),
            "3" | "III" => Ok(Cycle::Trois),
            _ => Err(NiveauError::Cycle(input.trim().chars().take(20).collect())),
        }
    }

    /// The ONDE spelling, `CYCLE II`.
    pub fn onde(self) -> &'static str {
        match self {
            Cycle::Un => "CYCLE I",
            Cycle::Deux => "CYCLE II",
            Cycle::Trois => "CYCLE III",
        }
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cycle {}", self.numero())
    }
}

impl TryFrom<u8> for Cycle {
    type Error = NiveauError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::parse(&n.to_string())
    }
}

impl From<Cycle> for u8 {
    fn from(c: Cycle) -> Self {
        c.numero()
    }
}

/// An année scolaire, named by the calendar year of its rentrée: `2026` is `2026-2027`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AnneeScolaire(i32);

impl AnneeScolaire {
    /// The année scolaire that starts at the rentrée of `debut` (2000 to 2099).
    pub fn new(debut: i32) -> Result<Self, NiveauError> {
        if (2000..=2099).contains(&debut) { Ok(Self(debut)) } else { Err(NiveauError::Annee(debut.to_string())) }
    }

    /// The année scolaire a date belongs to. *(design)* From 1 August the coming year is
    /// current: summer work (inscriptions, répartition) prepares the rentrée.
    pub fn de_la_date(date: Date) -> Self {
        let y = date.year();
        Self(if date.month() >= Month::August { y } else { y - 1 })
    }

    /// Parses `2026-2027` (also `2026/2027`); the second year must follow the first.
    pub fn parse(input: &str) -> Result<Self, NiveauError> {
        let err = || NiveauError::Annee(input.trim().chars().take(20).collect());
        let (a, b) = input.trim().split_once(['-', '/']).ok_or_else(err)?;
        let (a, b): (i32, i32) = (a.trim().parse().map_err(|_| err())?, b.trim().parse().map_err(|_| err())?);
        if b != a + 1 {
            return Err(err());
        }
        Self::new(a).map_err(|_| err())
    }

    /// The calendar year of the rentrée.
    pub fn debut(self) -> i32 {
        self.0
    }

    /// The following année scolaire.
    pub fn suivante(self) -> Self {
        Self(self.0 + 1)
    }

    /// The previous année scolaire.
    pub fn precedente(self) -> Self {
        Self(self.0 - 1)
    }
}

impl fmt::Display for AnneeScolaire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}

impl TryFrom<String> for AnneeScolaire {
    type Error = NiveauError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AnneeScolaire> for String {
    fn from(a: AnneeScolaire) -> Self {
        a.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn an(y: i32) -> AnneeScolaire {
        AnneeScolaire::new(y).unwrap()
    }

    #[test]
    fn codes_parse_back_to_their_niveau_in_order() {
        for (i, n) in Niveau::ALL.into_iter().enumerate() {
            assert_eq!(Niveau::parse(&n.code().to_lowercase()), Ok(n));
            assert_eq!(n.rang(), i as i32);
        }
        assert!(Niveau::parse("CE3").is_err());
        assert!(Niveau::parse("").is_err());
    }

    #[test]
    fn the_expected_niveau_follows_the_table_of_the_domain() {
        // Born in N: TPS at the rentrée of N+2 … CM2 at N+10.
        let n = 2018;
        let expected = [
            (2020, Niveau::Tps),
            (2021, Niveau::Ps),
            (2022, Niveau::Ms),
            (2023, Niveau::Gs),
            (2024, Niveau::Cp),
            (2025, Niveau::Ce1),
            (2026, Niveau::Ce2),
            (2027, Niveau::Cm1),
            (2028, Niveau::Cm2),
        ];
        for (rentree, niveau) in expected {
            assert_eq!(Niveau::attendu(n, an(rentree)), Some(niveau), "{rentree}");
        }
        assert_eq!(Niveau::attendu(n, an(2019)), None, "too young even for TPS");
        assert_eq!(Niveau::attendu(n, an(2029)), None, "past CM2 age");
    }

    #[test]
    fn one_year_off_is_normal_two_is_a_warning() {
        let a = an(2026);
        assert_eq!(Ecart::evaluer(Niveau::Ce2, 2018, a), Ecart::Normal);
        assert_eq!(Ecart::evaluer(Niveau::Ce1, 2018, a), Ecart::Normal, "maintien");
        assert_eq!(Ecart::evaluer(Niveau::Cm1, 2018, a), Ecart::Normal, "passage anticipé");
        let behind = Ecart::evaluer(Niveau::Cp, 2018, a);
        assert_eq!(behind, Ecart::Inhabituel { annees: 2 });
        assert!(behind.avertissement(Niveau::Cp).unwrap().contains("retard"));
        let ahead = Ecart::evaluer(Niveau::Cm2, 2018, a);
        assert_eq!(ahead, Ecart::Inhabituel { annees: -2 });
        assert!(ahead.avertissement(Niveau::Cm2).unwrap().contains("avance"));
    }

    #[test]
    fn cycles_follow_the_2015_reform() {
        let after = an(2015);
        let before = an(2014);
        let now: Vec<u8> = Niveau::ALL.iter().map(|n| n.cycle(after).numero()).collect();
        assert_eq!(now, [1, 1, 1, 1, 2, 2, 2, 3, 3]);
        let old: Vec<u8> = Niveau::ALL.iter().map(|n| n.cycle(before).numero()).collect();
        assert_eq!(old, [1, 1, 1, 2, 2, 2, 3, 3, 3]);
    }

    #[test]
    fn cycles_parse_in_onde_and_plain_spellings() {
        assert_eq!(Cycle::parse("CYCLE II"), Ok(Cycle::Deux));
        assert_eq!(Cycle::parse("cycle iii"), Ok(Cycle::Trois));
        assert_eq!(Cycle::parse("1"), Ok(Cycle::Un));
        assert!(Cycle::parse("CYCLE IV").is_err());
        assert_eq!(Cycle::Deux.onde(), "CYCLE II");
    }

    #[test]
    fn succession_of_niveaux_ends_after_cm2() {
        assert_eq!(Niveau::Gs.suivant(), Some(Niveau::Cp));
        assert_eq!(Niveau::Cm2.suivant(), None);
        assert_eq!(Niveau::Tps.precedent(), None);
        assert!(Niveau::Gs.est_maternelle() && !Niveau::Cp.est_maternelle());
    }

    #[test]
    fn annee_scolaire_is_written_and_parsed_as_two_years() {
        assert_eq!(an(2026).to_string(), "2026-2027");
        assert_eq!(AnneeScolaire::parse("2026-2027"), Ok(an(2026)));
        assert_eq!(AnneeScolaire::parse(" 2026/2027 "), Ok(an(2026)));
        for bad in ["2026-2028", "2026", "x-y", "1999-2000", "2026-2025", ""] {
            assert!(AnneeScolaire::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_annee_scolaire_of_a_date_switches_on_the_first_of_august() {
        assert_eq!(AnneeScolaire::de_la_date(date!(2026 - 11 - 29)), an(2026));
        assert_eq!(AnneeScolaire::de_la_date(date!(2027 - 07 - 04)), an(2026));
        assert_eq!(AnneeScolaire::de_la_date(date!(2027 - 08 - 01)), an(2027));
        assert_eq!(AnneeScolaire::de_la_date(date!(2027 - 01 - 01)), an(2026));
    }
}
