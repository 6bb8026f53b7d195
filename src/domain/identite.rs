//! Names, dates and contact details: how they are cleaned and when they are refused.
//!
//! Rules kept here:
//! - every text is NFC-normalised, trimmed, with runs of white space folded to one space;
//! - control characters and invisible bidirectional overrides are refused (they hide text);
//! - every character must be printable by the embedded fonts in every document, PDF/A
//!   included: the scripts of French registers (Latin with all its diacritics,
//!   Greek, Cyrillic, Hebrew, Arabic, Vietnamese, CJK, Hangul) and their punctuation are
//!   accepted; emoji, pictographs and mathematical alphanumerics are refused, naming the
//!   character (the table is generated from the fonts: `domain::imprimable`);
//! - accepted text is kept exactly: the print engine never interprets data as markup, so `#`,
//!   `$`, `*`, `_`, `[`, `\`, `<`, `@` are plain text;
//! - the nom de famille and nom d'usage are upper-cased with accents kept (`Élodie` → `ÉLODIE`);
//!   prénoms are kept as typed;
//! - a date is `dd/mm/yyyy` or `yyyy-mm-dd`, and must exist (no 31/02).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Why a value was refused; names the field in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{champ} : {probleme}")]
pub struct ChampInvalide {
    /// The field, as a user calls it (« nom de famille », « date de naissance »…).
    pub champ: &'static str,
    /// What is wrong, in French.
    pub probleme: String,
}

impl ChampInvalide {
    /// A refusal of `champ` for `probleme`.
    pub fn new(champ: &'static str, probleme: impl Into<String>) -> Self {
        Self { champ, probleme: probleme.into() }
    }
}

/// Characters that may hide or reorder text: controls, bidi overrides and isolates, BOM.
fn est_interdit(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}')
}

/// Whether the embedded fonts draw `c` and input accepts it (see the module's rules).
pub fn imprimable(c: char) -> bool {
    let u = u32::from(c);
    crate::domain::imprimable::PLAGES
        .binary_search_by(|&(debut, fin)| {
            if fin < u {
                std::cmp::Ordering::Less
            } else if debut > u {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Refuses the first character no embedded font can draw, naming it.
fn exiger_imprimable(champ: &'static str, s: &str) -> Result<(), ChampInvalide> {
    match s.chars().find(|c| !imprimable(*c)) {
        None => Ok(()),
        Some(c) => Err(ChampInvalide::new(
            champ,
            format!(
                "le caractère « {c} » (U+{:04X}) ne peut pas être imprimé sur les documents officiels (emoji, symbole ou écriture non prise en charge) : écrivez-le en lettres",
                u32::from(c)
            ),
        )),
    }
}

/// Cleans a one-line text: NFC, trimmed, inner white space folded; refuses forbidden
/// characters, characters that cannot be printed and more than `max` characters. An empty
/// result is returned as is.
pub fn nettoyer(champ: &'static str, input: &str, max: usize) -> Result<String, ChampInvalide> {
    if let Some(c) = input.chars().find(|c| est_interdit(*c) && !c.is_whitespace()) {
        return Err(ChampInvalide::new(champ, format!("caractère de contrôle interdit (U+{:04X})", u32::from(c))));
    }
    let s: String = input.nfc().collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // Checked before the length: a long hostile string is named by its first bad character.
    exiger_imprimable(champ, &s)?;
    let n = s.chars().count();
    if n > max {
        return Err(ChampInvalide::new(champ, format!("{n} caractères, au plus {max} sont permis")));
    }
    Ok(s)
}

/// An optional one-line text: cleaned like [`nettoyer`], `None` when absent or blank.
pub fn nettoyer_facultatif(
    champ: &'static str,
    input: Option<&str>,
    max: usize,
) -> Result<Option<String>, ChampInvalide> {
    match input {
        Some(s) => {
            let s = nettoyer(champ, s, max)?;
            Ok((!s.is_empty()).then_some(s))
        }
        None => Ok(None),
    }
}

fn nettoyer_requis(champ: &'static str, input: &str, max: usize) -> Result<String, ChampInvalide> {
    let s = nettoyer(champ, input, max)?;
    if s.is_empty() {
        return Err(ChampInvalide::new(champ, "obligatoire"));
    }
    Ok(s)
}

fn exiger_une_lettre(champ: &'static str, s: &str) -> Result<(), ChampInvalide> {
    if s.chars().any(char::is_alphabetic) {
        Ok(())
    } else {
        Err(ChampInvalide::new(champ, "doit contenir au moins une lettre"))
    }
}

/// Longest nom accepted (characters).
pub const NOM_MAX: usize = 100;
/// Longest list of prénoms accepted (characters).
pub const PRENOMS_MAX: usize = 200;

macro_rules! text_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The cleaned text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

text_newtype!(
    /// A nom (de famille or d'usage): upper-cased, accents kept, 1 to 100 characters.
    Nom
);
text_newtype!(
    /// Prénoms as typed (cleaned), 1 to 200 characters.
    Prenoms
);

impl Nom {
    /// Cleans and upper-cases a nom; `champ` names the field in messages.
    pub fn parse_champ(champ: &'static str, input: &str) -> Result<Self, ChampInvalide> {
        let s = nettoyer_requis(champ, input, NOM_MAX)?;
        exiger_une_lettre(champ, &s)?;
        let s = s.to_uppercase();
        exiger_imprimable(champ, &s)?;
        Ok(Self(s))
    }

    /// A nom de famille.
    pub fn parse(input: &str) -> Result<Self, ChampInvalide> {
        Self::parse_champ("nom de famille", input)
    }
}

impl Prenoms {
    /// Cleans prénoms (kept as typed).
    pub fn parse(input: &str) -> Result<Self, ChampInvalide> {
        Self::parse_champ("prénoms", input)
    }

    /// Cleans a prénom for another field name (a responsable's prénom).
    pub fn parse_champ(champ: &'static str, input: &str) -> Result<Self, ChampInvalide> {
        let s = nettoyer_requis(champ, input, PRENOMS_MAX)?;
        exiger_une_lettre(champ, &s)?;
        Ok(Self(s))
    }

    /// The first prénom (the usual one).
    pub fn premier(&self) -> &str {
        self.0.split([' ', ',']).next().unwrap_or(&self.0)
    }
}

/// The key that compares names and places ignoring case, accents, hyphens and apostrophes:
/// `Élodie Martin-Durand` and `elodie martin durand` give the same key.
pub fn cle_recherche(input: &str) -> String {
    let folded: String = input
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'œ' => "oe".to_string(),
            'æ' => "ae".to_string(),
            'ß' => "ss".to_string(),
            c if c.is_alphanumeric() => c.to_string(),
            _ => " ".to_string(),
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The initials of a pupil (`É. M.-D.`): the only identity shown on the public verification page.
pub fn initiales(prenoms: &str, nom: &str) -> String {
    fn initiale(mot: &str) -> String {
        mot.split('-')
            .filter_map(|p| p.chars().find(|c| c.is_alphabetic()))
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect::<Vec<_>>()
            .join("-")
    }
    let premier = prenoms.split_whitespace().next().unwrap_or("");
    let nom = nom.split_whitespace().map(initiale).collect::<Vec<_>>().join(" ");
    format!("{} {}", initiale(premier), nom).trim().to_string()
}

/// « de » before a name, elided before a vowel: `de Rennes`, `d'Armorique`, `d'Île-de-France`.
pub fn de(nom: &str) -> String {
    let voyelle =
        nom.nfd().next().map(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')).unwrap_or(false);
    if voyelle { format!("d'{nom}") } else { format!("de {nom}") }
}

/// Sexe as recorded by the état civil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sexe {
    /// Masculin.
    M,
    /// Féminin.
    F,
}

impl Sexe {
    /// Parses `M`/`F` (also `masculin`, `féminin`, `garçon`, `fille`).
    pub fn parse(input: &str) -> Result<Self, ChampInvalide> {
        match cle_recherche(input).as_str() {
            "m" | "masculin" | "garcon" | "1" => Ok(Sexe::M),
            "f" | "feminin" | "fille" | "2" => Ok(Sexe::F),
            _ => Err(ChampInvalide::new("sexe", "attendu : M ou F")),
        }
    }

    /// `M` or `F`.
    pub fn code(self) -> &'static str {
        match self {
            Sexe::M => "M",
            Sexe::F => "F",
        }
    }

    /// `né` or `née`, for documents.
    pub fn ne(self) -> &'static str {
        match self {
            Sexe::M => "né",
            Sexe::F => "née",
        }
    }
}

/// Parses a date written `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`) or `yyyy-mm-dd`;
/// an impossible date (31/02/2020) is refused.
pub fn parse_date(champ: &'static str, input: &str) -> Result<Date, ChampInvalide> {
    let s = input.trim();
    let format_err = || {
        ChampInvalide::new(
            champ,
            format!("« {} » n'est pas une date (attendu : jj/mm/aaaa)", s.chars().take(30).collect::<String>()),
        )
    };
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format_err());
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(format_err());
    };
    if m.len() > 2 || d.len() > 2 {
        return Err(format_err());
    }
    let (y, m, d): (i32, u8, u8) = (
        y.parse().map_err(|_| format_err())?,
        m.parse().map_err(|_| format_err())?,
        d.parse().map_err(|_| format_err())?,
    );
    let month = Month::try_from(m)
        .map_err(|_| ChampInvalide::new(champ, format!("date impossible : il n'y a pas de mois {m}")))?;
    Date::from_calendar_date(y, month, d)
        .map_err(|_| ChampInvalide::new(champ, format!("date impossible : le {d:02}/{m:02}/{y} n'existe pas")))
}

/// Writes a date `dd/mm/yyyy`.
pub fn date_fr(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

/// Writes a date in words: `29 novembre 2026` (`1er` for the first day).
pub fn date_longue(d: Date) -> String {
    const MOIS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let jour = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
    format!("{jour} {} {}", MOIS[usize::from(u8::from(d.month())) - 1], d.year())
}

/// Checks that a date of birth is plausible for a primary pupil on `today`:
/// not in the future, and less than 25 years ago.
pub fn valider_naissance(naissance: Date, today: Date) -> Result<Date, ChampInvalide> {
    if naissance > today {
        return Err(ChampInvalide::new("date de naissance", "est dans le futur"));
    }
    if today.year() - naissance.year() > 25 {
        return Err(ChampInvalide::new("date de naissance", "plus de 25 ans : ce n'est pas un élève du premier degré"));
    }
    Ok(naissance)
}

/// A French postcode: 5 digits.
pub fn parse_code_postal(input: &str) -> Result<String, ChampInvalide> {
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s)
    } else {
        Err(ChampInvalide::new("code postal", "5 chiffres attendus"))
    }
}

/// A phone number: 10 digits starting with 0 (written `06 12 34 56 78`), or an international
/// number starting with `+` (6 to 15 digits), kept with its digits only.
pub fn parse_telephone(champ: &'static str, input: &str) -> Result<String, ChampInvalide> {
    let s = input.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let seps_ok = s.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')'));
    if !seps_ok {
        return Err(ChampInvalide::new(champ, "seuls les chiffres, espaces, points et + sont permis"));
    }
    if s.starts_with('+') {
        if (6..=15).contains(&digits.len()) {
            return Ok(format!("+{digits}"));
        }
    } else if digits.len() == 10 && digits.starts_with('0') {
        let pairs: Vec<&str> = (0..5).map(|i| &digits[i * 2..i * 2 + 2]).collect();
        return Ok(pairs.join(" "));
    }
    Err(ChampInvalide::new(champ, "numéro invalide (10 chiffres commençant par 0, ou +indicatif)"))
}

/// An e-mail address: one `@`, no space, a dot in the domain, at most 254 characters.
pub fn parse_courriel(input: &str) -> Result<String, ChampInvalide> {
    let s = nettoyer("courriel", input, 254)?;
    let ok = match s.split_once('@') {
        Some((local, domaine)) => {
            !local.is_empty()
                && domaine.contains('.')
                && !domaine.starts_with('.')
                && !domaine.ends_with('.')
                && !s.contains(' ')
                && !domaine.contains('@')
        }
        None => false,
    };
    if ok { Ok(s) } else { Err(ChampInvalide::new("courriel", "adresse invalide")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const HOSTILE: &str =
        "#exit() $x$ *gras* _souligné_ [lien](x) \\ <b> @ref محمد Ñúñez-O'Brien Ψυχή Nguyễn 王秀英 김민준 Жанна";

    #[test]
    fn a_nom_is_upper_cased_with_accents_kept() {
        assert_eq!(Nom::parse("  martin-durand ").unwrap().as_str(), "MARTIN-DURAND");
        assert_eq!(Nom::parse("lefèvre d'ornano").unwrap().as_str(), "LEFÈVRE D'ORNANO");
        assert_eq!(Nom::parse("Élodie").unwrap().as_str(), "ÉLODIE");
    }

    #[test]
    fn prenoms_are_kept_as_typed_but_folded() {
        assert_eq!(Prenoms::parse("  Jean   Éric ").unwrap().as_str(), "Jean Éric");
        assert_eq!(Prenoms::parse("Jean Éric").unwrap().premier(), "Jean");
    }

    #[test]
    fn emoji_pictographs_and_mathematical_letters_are_refused_naming_the_character() {
        for (input, c) in [
            ("𝕳𝖊𝖑𝖑𝖔", "𝕳"),
            ("Léa 👨\u{200D}👩\u{200D}👧\u{200D}👦", "👨"),
            ("Léa 🇫🇷", "🇫"),
            ("Léa 😀", "😀"),
            ("Léa ☺", "☺"),
            ("Léa \u{E000}", "\u{E000}"),
            ("Léa\u{200B}", "\u{200B}"),
            ("Léa \u{061C}x", "\u{061C}"),
        ] {
            let e = Prenoms::parse(input).unwrap_err();
            assert_eq!(e.champ, "prénoms");
            assert!(e.probleme.contains(&format!("« {c} »")) && e.probleme.contains("imprimé"), "{input}: {e}");
        }
        let long = format!("{}😀", "a".repeat(5000));
        assert!(Prenoms::parse(&long).unwrap_err().probleme.contains("😀"));
    }

    #[test]
    fn the_scripts_of_french_registers_are_accepted() {
        for name in [
            "Ñúñez",
            "Ærøskøbing",
            "Łukasz Żółć",
            "Nguyễn Thị Ánh",
            "Ψυχή",
            "Жанна Ёлкина",
            "שָׁלוֹם",
            "محمد",
            "王秀英",
            "さくら",
            "カタカナ",
            "김민준",
            "Ngũgĩ",
            "Hawaiʻi",
            "N’Diaye",
            "Œdipe",
            "ẞ",
        ] {
            assert!(Prenoms::parse(name).is_ok(), "{name}");
            assert!(Nom::parse(name).is_ok(), "{name}");
        }
    }

    proptest::proptest! {
        #[test]
        fn whatever_is_accepted_is_printable(s in "\\PC{0,40}") {
            if let Ok(p) = Prenoms::parse(&s) {
                proptest::prop_assert!(p.as_str().chars().all(imprimable));
            }
            if let Ok(n) = Nom::parse(&s) {
                proptest::prop_assert!(n.as_str().chars().all(imprimable));
            }
        }
    }

    #[test]
    fn markup_characters_and_scripts_are_kept_exactly() {
        assert_eq!(Prenoms::parse(HOSTILE).unwrap().as_str(), HOSTILE);
        assert_eq!(Nom::parse(HOSTILE).unwrap().as_str(), HOSTILE.to_uppercase());
    }

    #[test]
    fn text_is_normalised_to_nfc() {
        let decomposed = "E\u{301}lodie";
        assert_eq!(Prenoms::parse(decomposed).unwrap().as_str(), "Élodie");
    }

    #[test]
    fn empty_too_long_letterless_and_control_characters_are_refused() {
        assert!(Nom::parse("   ").is_err());
        assert!(Nom::parse("---").is_err());
        assert!(Nom::parse(&"A".repeat(NOM_MAX + 1)).is_err());
        assert!(Nom::parse(&"A".repeat(NOM_MAX)).is_ok());
        assert!(Prenoms::parse(&"é".repeat(PRENOMS_MAX)).is_ok());
        assert!(Prenoms::parse(&"é".repeat(PRENOMS_MAX + 1)).is_err());
        assert!(Prenoms::parse("Léa\u{0}").is_err());
        assert!(Prenoms::parse("Léa\u{202E}aéL").is_err());
        let e = Nom::parse("").unwrap_err();
        assert_eq!(e.to_string(), "nom de famille : obligatoire");
    }

    #[test]
    fn tabs_and_newlines_are_folded_not_refused() {
        assert_eq!(Prenoms::parse("Léa\tMarie\nJo").unwrap().as_str(), "Léa Marie Jo");
    }

    #[test]
    fn the_search_key_ignores_case_accents_hyphens_and_apostrophes() {
        assert_eq!(cle_recherche("Élodie MARTIN-DURAND"), "elodie martin durand");
        assert_eq!(cle_recherche("elodie martin durand"), "elodie martin durand");
        assert_eq!(cle_recherche("N'Diaye  Œdipe"), "n diaye oedipe");
    }

    #[test]
    fn de_is_elided_before_a_vowel() {
        assert_eq!(de("Rennes"), "de Rennes");
        assert_eq!(de("Armorique"), "d'Armorique");
        assert_eq!(de("Île-de-France"), "d'Île-de-France");
        assert_eq!(de("Orléans-Tours"), "d'Orléans-Tours");
    }

    #[test]
    fn initials_hide_the_name() {
        assert_eq!(initiales("Élodie Anne", "MARTIN-DURAND"), "É. M.-D.");
        assert_eq!(initiales("Léo", "LE GOFF"), "L. L. G.");
    }

    #[test]
    fn dates_parse_in_french_and_iso_and_impossible_dates_are_refused() {
        assert_eq!(parse_date("d", "03/09/2019").unwrap(), date!(2019 - 09 - 03));
        assert_eq!(parse_date("d", "3/9/2019").unwrap(), date!(2019 - 09 - 03));
        assert_eq!(parse_date("d", "2019-09-03").unwrap(), date!(2019 - 09 - 03));
        assert_eq!(parse_date("d", "29/02/2020").unwrap(), date!(2020 - 02 - 29));
        let e = parse_date("date de naissance", "31/02/2020").unwrap_err();
        assert!(e.to_string().contains("date impossible"), "{e}");
        assert!(parse_date("d", "29/02/2019").is_err());
        assert!(parse_date("d", "01/13/2019").is_err());
        assert!(parse_date("d", "hier").is_err());
        assert!(parse_date("d", "2019-9").is_err());
        assert!(parse_date("d", "001/01/2019").is_err());
    }

    #[test]
    fn dates_are_written_in_french() {
        assert_eq!(date_fr(date!(2019 - 09 - 03)), "03/09/2019");
        assert_eq!(date_longue(date!(2026 - 11 - 29)), "29 novembre 2026");
        assert_eq!(date_longue(date!(2026 - 08 - 01)), "1er août 2026");
    }

    #[test]
    fn a_birth_date_in_the_future_or_too_old_is_refused() {
        let today = date!(2026 - 11 - 29);
        assert!(valider_naissance(date!(2019 - 05 - 01), today).is_ok());
        assert!(valider_naissance(date!(2026 - 11 - 30), today).is_err());
        assert!(valider_naissance(date!(1990 - 01 - 01), today).is_err());
    }

    #[test]
    fn sexe_parses_common_spellings() {
        assert_eq!(Sexe::parse("F").unwrap(), Sexe::F);
        assert_eq!(Sexe::parse("masculin").unwrap(), Sexe::M);
        assert_eq!(Sexe::parse("Féminin").unwrap(), Sexe::F);
        assert!(Sexe::parse("X").is_err());
    }

    #[test]
    fn phones_postcodes_and_emails_are_checked() {
        assert_eq!(parse_telephone("t", "0612345678").unwrap(), "06 12 34 56 78");
        assert_eq!(parse_telephone("t", "06.12.34.56.78").unwrap(), "06 12 34 56 78");
        assert_eq!(parse_telephone("t", "+32 2 123 45 67").unwrap(), "+3221234567");
        assert!(parse_telephone("t", "12345").is_err());
        assert!(parse_telephone("t", "06 12 34 56 7a").is_err());
        assert_eq!(parse_code_postal("35 000").unwrap(), "35000");
        assert!(parse_code_postal("3500").is_err());
        assert!(parse_courriel("a.b@exemple.fr").is_ok());
        for bad in ["a@b", "@b.fr", "a b@c.fr", "a@.fr", "a@b.fr.", "ab.fr"] {
            assert!(parse_courriel(bad).is_err(), "{bad}");
        }
    }
}
