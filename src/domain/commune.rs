//! The INSEE code of a commune (not a postcode), or of a foreign country for a birthplace.
//!
//! Five characters: `dd` + 3 digits on the mainland (01–95, without 20), `2A`/`2B` + 3 digits in
//! Corsica, `97x`/`98x` + 2 digits overseas, `99xxx` for a country abroad.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not an INSEE code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommuneError {
    /// Not one of the shapes.
    #[error(
        "le code INSEE « {0} » doit comporter 5 caractères : département (01 à 95, 2A, 2B, 97x, 98x) puis numéro de commune, ou 99xxx pour un pays"
    )]
    Format(String),
}

const A_COMPLETER: &str = "00000";

/// A syntactically valid INSEE code of a commune or a foreign country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommuneInsee(String);

impl CommuneInsee {
    /// Parses a code; `2a123` is read as `2A123`.
    pub fn parse(input: &str) -> Result<Self, CommuneError> {
        let s = input.trim().to_uppercase();
        let b = s.as_bytes();
        let err = || CommuneError::Format(input.trim().chars().take(20).collect());
        if b.len() != 5 {
            return Err(err());
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let ok = match (b[0], b[1]) {
            (b'2', b'A' | b'B') => digits(2..5),
            (b'9', b'7' | b'8' | b'9') => digits(2..5),
            _ if digits(0..5) => {
                let dep = (b[0] - b'0') * 10 + (b[1] - b'0');
                (1..=95).contains(&dep) && dep != 20
            }
            _ => false,
        };
        if ok { Ok(Self(s)) } else { Err(err()) }
    }

    /// True for `99xxx`, a country abroad (only meaningful as a birthplace).
    pub fn est_pays_etranger(&self) -> bool {
        self.0.starts_with("99")
    }

    /// A birthplace not known yet: the ministry's pupils file has no birthplace, so a pupil
    /// imported from it is stored with this marker (`00000`, never a real code, never accepted
    /// from input) until the family or the school fills it in; documents print « à compléter ».
    pub fn a_completer() -> Self {
        Self(A_COMPLETER.into())
    }

    /// True for the marker of [`a_completer`](Self::a_completer).
    pub fn est_a_completer(&self) -> bool {
        self.0 == A_COMPLETER
    }

    /// A stored code: a valid code, or the marker of a birthplace still to be completed.
    pub fn stocke(s: &str) -> Option<Self> {
        if s == A_COMPLETER { Some(Self::a_completer()) } else { Self::parse(s).ok() }
    }

    /// The département part: 2 characters, or 3 overseas (`971`…); `None` abroad.
    pub fn departement(&self) -> Option<&str> {
        if self.est_pays_etranger() || self.est_a_completer() {
            None
        } else if self.0.starts_with("97") || self.0.starts_with("98") {
            Some(&self.0[..3])
        } else {
            Some(&self.0[..2])
        }
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CommuneInsee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CommuneInsee {
    type Error = CommuneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CommuneInsee> for String {
    fn from(c: CommuneInsee) -> Self {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mainland_corsican_overseas_and_foreign_codes_validate() {
        for (code, dep) in [
            ("35238", Some("35")),
            ("2A004", Some("2A")),
            ("2b033", Some("2B")),
            ("97411", Some("974")),
            ("98818", Some("988")),
            ("99350", None),
        ] {
            let c = CommuneInsee::parse(code).unwrap();
            assert_eq!(c.departement(), dep, "{code}");
        }
        assert!(CommuneInsee::parse("99350").unwrap().est_pays_etranger());
    }

    #[test]
    fn the_marker_of_a_birthplace_to_complete_is_stored_never_typed() {
        let m = CommuneInsee::a_completer();
        assert!(m.est_a_completer());
        assert_eq!(m.departement(), None);
        assert!(CommuneInsee::parse(m.as_str()).is_err(), "never accepted from input");
        assert_eq!(CommuneInsee::stocke(m.as_str()), Some(m));
        assert!(!CommuneInsee::parse("35238").unwrap().est_a_completer());
    }

    #[test]
    fn postcodes_and_malformed_codes_are_refused() {
        for bad in ["", "3523", "352381", "00123", "20004", "96001", "2C004", "35 23", "A5238"] {
            assert!(CommuneInsee::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}

/// The communes of the official geographic code (and Paris, Lyon and Marseille's arrondissements,
/// where births are registered), to find a birthplace by its name: `data/communes-insee.csv`,
/// from Etalab's `@etalab/decoupage-administratif` (Licence Ouverte 2.0), regenerated by
/// `scripts/communes-insee`. Embedded: the lookup works offline.
pub mod referentiel {
    use std::sync::LazyLock;

    use crate::domain::identite::cle_recherche;

    const DONNEES: &str = include_str!("../../data/communes-insee.csv");

    /// A commune of the referential.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    pub struct Commune {
        /// INSEE code.
        pub code: &'static str,
        /// Name.
        pub nom: &'static str,
    }

    impl Commune {
        /// `Rennes (35)`: the name with the département, as a list shows it.
        pub fn libelle(&self) -> String {
            let dep = if self.code.starts_with("97") || self.code.starts_with("98") {
                &self.code[..3]
            } else {
                &self.code[..2]
            };
            format!("{} ({dep})", self.nom)
        }
    }

    /// Every commune with its search key, in code order.
    static COMMUNES: LazyLock<Vec<(Commune, String)>> = LazyLock::new(|| {
        DONNEES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split_once(';'))
            .map(|(code, nom)| (Commune { code, nom }, cle_recherche(nom)))
            .collect()
    });

    /// Builds the referential now (a third of a second unoptimised, once per process) rather
    /// than on its first use, which may happen while a lock is held.
    pub fn charger() {
        LazyLock::force(&COMMUNES);
    }

    /// The commune of a code.
    pub fn par_code(code: &str) -> Option<Commune> {
        let l = &*COMMUNES;
        l.binary_search_by(|(c, _)| c.code.cmp(code)).ok().map(|i| l[i].0)
    }

    /// The communes whose code starts with `prefixe` (a département: `35`, `2A`, `972`).
    pub fn du_departement(prefixe: &str) -> Vec<Commune> {
        if prefixe.is_empty() {
            return Vec::new();
        }
        COMMUNES.iter().filter(|(c, _)| c.code.starts_with(prefixe)).map(|(c, _)| *c).collect()
    }

    /// The communes whose name is `nom` (ignoring case, accents, hyphens and apostrophes);
    /// if none, those whose name starts with it. At most `max`, by code.
    pub fn chercher(nom: &str, max: usize) -> Vec<Commune> {
        let cle = cle_recherche(nom);
        if cle.is_empty() {
            return Vec::new();
        }
        let exactes: Vec<Commune> = COMMUNES.iter().filter(|(_, k)| *k == cle).map(|(c, _)| *c).take(max).collect();
        if !exactes.is_empty() {
            return exactes;
        }
        COMMUNES.iter().filter(|(_, k)| k.starts_with(&cle)).map(|(c, _)| *c).take(max).collect()
    }

    /// A birthplace typed as a name, `Nom (code)` or a code: the code and the commune's name.
    /// `Err` holds the candidates when the name is not one commune's (none, or several).
    pub fn resoudre(saisie: &str) -> Result<Commune, Vec<Commune>> {
        let s = saisie.trim();
        // `Rennes (35238)`, as the form's list offers it.
        if let Some((_, reste)) = s.rsplit_once('(')
            && let Some(code) = reste.strip_suffix(')')
            && let Some(c) = par_code(code.trim())
        {
            return Ok(c);
        }
        let l = chercher(s, 8);
        match l.as_slice() {
            [une] if cle_recherche(une.nom) == cle_recherche(s) => Ok(*une),
            _ => Err(l),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn finds_a_commune_by_name_whatever_the_accents_and_hyphens() {
            assert_eq!(resoudre("rennes").map(|c| c.code), Ok("35238"));
            assert_eq!(resoudre("  SAINT ETIENNE ").map(|c| c.code), Ok("42218"));
            assert_eq!(resoudre("Paris 15e arrondissement").map(|c| c.code), Ok("75115"));
            assert_eq!(resoudre("Rennes (35238)").map(|c| c.code), Ok("35238"));
            assert_eq!(par_code("2A004").map(|c| c.nom), Some("Ajaccio"));
            assert_eq!(par_code("35238").map(|c| c.libelle()), Some("Rennes (35)".to_string()));
        }

        #[test]
        fn a_name_shared_by_several_communes_lists_them() {
            let Err(l) = resoudre("Saint-Denis") else { panic!("several communes are named Saint-Denis") };
            assert!(l.len() > 1 && l.iter().any(|c| c.code == "93066"), "{l:?}");
            let Err(l) = resoudre("Zzyzx") else { panic!("no such commune") };
            assert!(l.is_empty());
        }

        #[test]
        fn the_referential_is_sorted_by_code_and_complete() {
            assert!(COMMUNES.windows(2).all(|w| w[0].0.code < w[1].0.code));
            assert!(COMMUNES.len() > 34_000);
            assert!(COMMUNES.iter().all(|(c, _)| super::super::CommuneInsee::parse(c.code).is_ok()));
        }
    }
}
