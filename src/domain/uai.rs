//! The UAI (unité administrative immatriculée, ex-RNE): the code of a school.
//!
//! Seven digits and a check letter: the digits, read as an integer, modulo 23, index the
//! alphabet `ABCDEFGHJKLMNPRSTUVWXYZ` (no I, O, Q). A UAI with a wrong letter is refused.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The 23 check letters shared by the UAI and the legacy INE.
pub(crate) const KEY_ALPHABET: &[u8; 23] = b"ABCDEFGHJKLMNPRSTUVWXYZ";

/// The mod-23 check letter of a string of ASCII digits.
pub(crate) fn mod23_key(digits: &str) -> char {
    let rem = digits.bytes().fold(0u64, |acc, d| (acc * 10 + u64::from(d - b'0')) % 23);
    char::from(KEY_ALPHABET[rem as usize])
}

/// Why a string is not a UAI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaiError {
    /// Empty input.
    #[error("l'UAI est vide")]
    Vide,
    /// Not 7 digits and a letter.
    #[error("l'UAI « {0} » doit comporter 7 chiffres suivis d'une lettre (exemple : 0350760L)")]
    Format(String),
    /// The check letter does not match the digits.
    #[error("la lettre clé de l'UAI « {saisi} » est fausse (attendu : {attendu})")]
    Cle {
        /// What was typed.
        saisi: String,
        /// The letter the digits call for.
        attendu: char,
    },
}

/// A valid UAI, upper-cased: 7 digits and the right check letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uai(String);

impl Uai {
    /// Parses a UAI, accepting surrounding spaces and a lower-case letter.
    pub fn parse(input: &str) -> Result<Self, UaiError> {
        let s = input.trim().to_uppercase();
        if s.is_empty() {
            return Err(UaiError::Vide);
        }
        let bytes = s.as_bytes();
        if bytes.len() != 8 || !bytes[..7].iter().all(u8::is_ascii_digit) || !bytes[7].is_ascii_uppercase() {
            return Err(UaiError::Format(input.trim().chars().take(40).collect()));
        }
        let attendu = mod23_key(&s[..7]);
        if char::from(bytes[7]) != attendu {
            return Err(UaiError::Cle { saisi: s, attendu });
        }
        Ok(Self(s))
    }

    /// Builds the UAI of seven digits by computing its letter.
    pub fn from_digits(digits: &str) -> Result<Self, UaiError> {
        if digits.len() != 7 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UaiError::Format(digits.chars().take(40).collect()));
        }
        Ok(Self(format!("{digits}{}", mod23_key(digits))))
    }

    /// The three leading digits that name the département (`035`, `620` for 2A, `972`…).
    pub fn departement(&self) -> &str {
        &self.0[..3]
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uai {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uai {
    type Error = UaiError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uai> for String {
    fn from(u: Uai) -> Self {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worked_example_and_real_codes_validate() {
        for code in ["0350760L", "0890003V", "0921921N", "0752550P"] {
            assert_eq!(Uai::parse(code).map(|u| u.to_string()), Ok(code.to_string()));
        }
    }

    #[test]
    fn the_check_letter_is_350760_mod_23_mapped_on_the_alphabet() {
        // 350 760 = 23 × 15 250 + 10 → index 10 → L
        assert_eq!(mod23_key("0350760"), 'L');
        assert_eq!(Uai::from_digits("0350760").map(|u| u.to_string()), Ok("0350760L".into()));
    }

    #[test]
    fn a_wrong_check_letter_is_refused_with_the_expected_one() {
        let err = Uai::parse("0350760M").unwrap_err();
        assert_eq!(err, UaiError::Cle { saisi: "0350760M".into(), attendu: 'L' });
        assert!(err.to_string().contains("lettre clé"));
    }

    #[test]
    fn lower_case_and_spaces_are_accepted() {
        assert_eq!(Uai::parse("  0350760l ").map(|u| u.to_string()), Ok("0350760L".into()));
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", " ", "035076L", "03507600L", "A350760L", "03507600", "0350760-", "０３５０７６０L"] {
            assert!(Uai::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn letters_i_o_q_never_are_keys() {
        for n in 0..2000u32 {
            let key = mod23_key(&format!("{n:07}"));
            assert!(!matches!(key, 'I' | 'O' | 'Q'));
        }
    }

    #[test]
    fn every_seven_digit_code_has_exactly_one_valid_letter() {
        for n in [0u32, 1, 22, 23, 350760, 9_999_999] {
            let digits = format!("{n:07}");
            let valid = (b'A'..=b'Z').filter(|l| Uai::parse(&format!("{digits}{}", char::from(*l))).is_ok()).count();
            assert_eq!(valid, 1, "{digits}");
        }
    }

    #[test]
    fn the_departement_is_the_three_leading_digits() {
        assert_eq!(Uai::parse("0350760L").map(|u| u.departement().to_string()), Ok("035".into()));
    }

    #[test]
    fn serde_refuses_an_invalid_uai() {
        assert!(serde_json::from_str::<Uai>("\"0350760M\"").is_err());
        assert!(serde_json::from_str::<Uai>("\"0350760L\"").is_ok());
    }
}
