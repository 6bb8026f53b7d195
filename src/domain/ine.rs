//! The INE (identifiant national élève): 11 characters, in two shapes.
//!
//! - legacy: 10 digits and a letter; the letter appears to follow the UAI's mod-23 rule over
//!   the 10 digits. Not confirmed by any official text, so a wrong letter is a *warning*.
//! - since 2018 (RNIE): 9 digits and 2 letters; the key algorithm is not public.
//!
//! When the installation assigns an INE itself (a first admission), it issues the legacy shape:
//! two digits of the year, the three-digit département (as in the UAI), a five-digit sequence
//! per département and year, and the mod-23 letter. The INE is confidential: it never appears
//! in URLs, logs or anything that leaves the département in clear.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::uai::mod23_key;

/// Why a string is not an INE.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IneError {
    /// Empty input.
    #[error("l'INE est vide")]
    Vide,
    /// Neither shape.
    #[error("l'INE doit comporter 11 caractères : 10 chiffres et une lettre, ou 9 chiffres et deux lettres")]
    Format,
    /// Assignment out of range.
    #[error("numéro d'INE impossible à attribuer : {0}")]
    Attribution(String),
}

/// A doubt that does not prevent accepting an INE.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IneWarning {
    /// The 10+1 letter does not follow the mod-23 rule.
    #[error("la lettre clé de l'INE ne correspond pas aux chiffres (attendu : {attendu}) ; à vérifier")]
    CleDouteuse {
        /// The letter the mod-23 rule would give.
        attendu: char,
    },
}

/// The two shapes of an INE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IneShape {
    /// 10 digits + 1 letter.
    Legacy,
    /// 9 digits + 2 letters (RNIE, since 2018).
    Rnie,
}

/// A syntactically valid INE. Its `Debug` does not print it, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ine(String);

impl fmt::Debug for Ine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ine(***)")
    }
}

impl Ine {
    /// Parses an INE of either shape; for the legacy shape, a doubtful key is returned as a
    /// warning beside the accepted INE.
    pub fn parse(input: &str) -> Result<(Self, Option<IneWarning>), IneError> {
        let s = input.trim().to_uppercase();
        if s.is_empty() {
            return Err(IneError::Vide);
        }
        let b = s.as_bytes();
        if b.len() != 11 {
            return Err(IneError::Format);
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        let upper = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_uppercase);
        if digits(0..10) && upper(10..11) {
            let attendu = mod23_key(&s[..10]);
            let warning = (char::from(b[10]) != attendu).then_some(IneWarning::CleDouteuse { attendu });
            Ok((Self(s), warning))
        } else if digits(0..9) && upper(9..11) {
            Ok((Self(s), None))
        } else {
            Err(IneError::Format)
        }
    }

    /// Parses an INE and refuses one with a doubtful key (for values the installation made).
    pub fn parse_strict(input: &str) -> Result<Self, IneError> {
        match Self::parse(input)? {
            (ine, None) => Ok(ine),
            (_, Some(_)) => Err(IneError::Format),
        }
    }

    /// The INE the installation assigns at a first admission: `YY` + département (3 digits, as
    /// in the UAI) + a 5-digit sequence (1 to 99 999) + the mod-23 letter.
    pub fn assign(annee_admission: i32, departement: &str, sequence: u32) -> Result<Self, IneError> {
        if departement.len() != 3 || !departement.bytes().all(|c| c.is_ascii_digit()) {
            return Err(IneError::Attribution(format!("département « {departement} » invalide")));
        }
        if !(1..=99_999).contains(&sequence) {
            return Err(IneError::Attribution(format!(
                "la séquence annuelle du département est épuisée ou invalide ({sequence})"
            )));
        }
        if !(2000..=2099).contains(&annee_admission) {
            return Err(IneError::Attribution(format!("année {annee_admission} hors limites")));
        }
        let digits = format!("{:02}{departement}{sequence:05}", annee_admission % 100);
        let key = mod23_key(&digits);
        Ok(Self(format!("{digits}{key}")))
    }

    /// Which of the two shapes.
    pub fn shape(&self) -> IneShape {
        if self.0.as_bytes()[9].is_ascii_digit() { IneShape::Legacy } else { IneShape::Rnie }
    }

    /// The value (confidential: only for storage and the documents that must show it).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Ine {
    type Error = IneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map(|(ine, _)| ine)
    }
}

impl From<Ine> for String {
    fn from(i: Ine) -> Self {
        i.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_legacy_ines_validate_without_warning() {
        for ine in ["0100007108D", "0100008010J", "0494004062M"] {
            let (parsed, warning) = Ine::parse(ine).unwrap();
            assert_eq!(parsed.as_str(), ine);
            assert_eq!(parsed.shape(), IneShape::Legacy);
            assert_eq!(warning, None, "{ine}");
        }
    }

    #[test]
    fn a_legacy_ine_with_a_wrong_letter_is_accepted_with_a_warning() {
        let (ine, warning) = Ine::parse("0100007108E").unwrap();
        assert_eq!(ine.as_str(), "0100007108E");
        assert_eq!(warning, Some(IneWarning::CleDouteuse { attendu: 'D' }));
        assert!(Ine::parse_strict("0100007108E").is_err());
    }

    #[test]
    fn the_rnie_shape_is_accepted() {
        let (ine, warning) = Ine::parse("123456789AB").unwrap();
        assert_eq!(ine.shape(), IneShape::Rnie);
        assert_eq!(warning, None);
        assert_eq!(Ine::parse(" 123456789ab ").unwrap().0.as_str(), "123456789AB");
    }

    #[test]
    fn malformed_ines_are_refused() {
        for bad in [
            "",
            "0100007108",
            "0100007108DD",
            "12345678ABC",
            "1234567890 ",
            "ABCDEFGHIJK",
            "01000071O8D",
            "12345678901",
        ] {
            assert!(Ine::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn an_assigned_ine_is_year_departement_sequence_and_key() {
        let ine = Ine::assign(2026, "035", 42).unwrap();
        assert_eq!(&ine.as_str()[..10], "2603500042");
        assert_eq!(ine.shape(), IneShape::Legacy);
        assert_eq!(Ine::parse(ine.as_str()).unwrap().1, None);
        assert_eq!(Ine::assign(2031, "620", 99_999).unwrap().as_str()[..10], *"3162099999");
    }

    #[test]
    fn assignment_refuses_impossible_inputs() {
        assert!(Ine::assign(2026, "35", 1).is_err());
        assert!(Ine::assign(2026, "2A0", 1).is_err());
        assert!(Ine::assign(2026, "035", 0).is_err());
        assert!(Ine::assign(2026, "035", 100_000).is_err());
        assert!(Ine::assign(1999, "035", 1).is_err());
    }

    #[test]
    fn debug_never_prints_the_value() {
        let ine = Ine::assign(2026, "035", 1).unwrap();
        assert!(!format!("{ine:?}").contains("26035"));
    }
}
