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
