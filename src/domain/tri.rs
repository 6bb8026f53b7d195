//! French alphabetical order, for every list shown or printed.
//!
//! Names compare in three passes, as a French reader expects:
//! 1. the letters alone: accents, case, spaces, hyphens and apostrophes ignored, ligatures
//!    spelt out (œ = oe, æ = ae, ß = ss): BÉNARD before BRETON, ÉTHAN before YVES, and LE BIHAN
//!    beside LEBIHAN;
//! 2. then the accents, letter by letter from the start: BENARD before BÉNARD;
//! 3. then the case and the separators (lower case first), and finally the text itself, so the
//!    order is total and stable.
//!
//! The same comparison serves Rust sorts ([`comparer`], [`cle`]) and SQL (`ORDER BY nom COLLATE
//! FR`, the collation registered on every connection by the store).

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The name of the SQLite collation that applies [`comparer`].
pub const COLLATION: &str = "FR";

/// The sort key of a text: comparing keys (bytes) is [`comparer`].
///
/// Layout: the primary letters, `0x00`, the accent marks, `0x00`, the case marks, `0x00`, the
/// text. Letters are encoded in UTF-8 shifted above the separator, so no level leaks into the
/// next.
pub fn cle(s: &str) -> Vec<u8> {
    let niveaux = Niveaux::de(s);
    let mut k = Vec::with_capacity(s.len() * 2 + 8);
    for c in niveaux.lettres.chars() {
        let mut b = [0u8; 4];
        // UTF-8 bytes are never 0x00 for a letter; +1 keeps a shorter word first (after 0x00).
        k.extend(c.encode_utf8(&mut b).bytes().map(|x| x.saturating_add(1).max(1)));
    }
    k.push(0);
    for a in &niveaux.accents {
        k.extend(a.to_be_bytes());
    }
    k.push(0);
    k.extend(niveaux.casse.iter().map(|&c| c + 1));
    k.push(0);
    k.extend(s.as_bytes());
    k
}

/// French order of two texts (names, prénoms, class labels).
pub fn comparer(a: &str, b: &str) -> Ordering {
    let (x, y) = (Niveaux::de(a), Niveaux::de(b));
    x.lettres
        .cmp(&y.lettres)
        .then_with(|| x.accents.cmp(&y.accents))
        .then_with(|| x.casse.cmp(&y.casse))
        .then_with(|| a.cmp(b))
}

/// French order of labels with numbers in them (« Classe 2 » before « Classe 10 »): runs of
/// digits compare by their value, the rest as [`comparer`].
pub fn comparer_naturel(a: &str, b: &str) -> Ordering {
    fn morceaux(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut debut = 0;
        let mut chiffre = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if chiffre.is_some_and(|x| x != d) {
                out.push((chiffre.unwrap_or(false), &s[debut..i]));
                debut = i;
            }
            chiffre = Some(d);
        }
        if debut < s.len() {
            out.push((chiffre.unwrap_or(false), &s[debut..]));
        }
        out
    }
    let (x, y) = (morceaux(a), morceaux(b));
    for (m, n) in x.iter().zip(&y) {
        let o = match (m, n) {
            ((true, p), (true, q)) => {
                let (p, q) = (p.trim_start_matches('0'), q.trim_start_matches('0'));
                p.len().cmp(&q.len()).then_with(|| p.cmp(q))
            }
            ((_, p), (_, q)) => comparer(p, q),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len()).then_with(|| comparer(a, b))
}

/// The sort key of a (nom, prénoms) pair: comparing keys (bytes) is [`comparer_noms`]. Stored
/// with each pupil (`eleve.cle_tri`), so that a list sorts by comparing bytes and only the page
/// asked for is ordered.
pub fn cle_noms(nom: &str, prenoms: &str) -> Vec<u8> {
    // Each key ends with the text itself, which holds no NUL: two NULs end the name's key below
    // any byte of a longer one, so a name that is a prefix of another sorts first, as it does
    // in `comparer`.
    let mut k = cle(nom);
    k.extend([0, 0]);
    k.extend(cle(prenoms));
    k
}

/// French order of two (nom, prénoms) pairs: the name first, then the first names.
pub fn comparer_noms(a: (&str, &str), b: (&str, &str)) -> Ordering {
    comparer(a.0, b.0).then_with(|| comparer(a.1, b.1))
}

/// The three levels of a text.
struct Niveaux {
    /// Base letters and digits, lower case, without marks or separators.
    lettres: String,
    /// For each base letter, the sum of its marks' code points (0: none).
    accents: Vec<u32>,
    /// For each base letter: 0 lower case, 1 upper case; then 2 for each separator, in order.
    casse: Vec<u8>,
}

impl Niveaux {
    fn de(s: &str) -> Self {
        let mut lettres = String::with_capacity(s.len());
        let mut accents: Vec<u32> = Vec::with_capacity(s.len());
        let mut casse = Vec::with_capacity(s.len());
        let mut separateurs = Vec::new();
        for c in s.nfd() {
            if is_combining_mark(c) {
                if let Some(last) = accents.last_mut() {
                    *last = last.saturating_add(u32::from(c));
                }
                continue;
            }
            let majuscule = u8::from(c.is_uppercase());
            let expansion: Option<&str> = match c {
                'œ' | 'Œ' => Some("oe"),
                'æ' | 'Æ' => Some("ae"),
                'ß' | 'ẞ' => Some("ss"),
                _ => None,
            };
            match expansion {
                Some(e) => {
                    for l in e.chars() {
                        lettres.push(l);
                        accents.push(0);
                        casse.push(majuscule);
                    }
                }
                None if c.is_alphanumeric() => {
                    for l in c.to_lowercase() {
                        lettres.push(l);
                        accents.push(0);
                        casse.push(majuscule);
                    }
                }
                // Spaces, hyphens, apostrophes: ignored but for the last tie-break.
                None => separateurs.push(2u8.saturating_add(u8::try_from(u32::from(c) % 200).unwrap_or(0))),
            }
        }
        casse.extend(separateurs);
        Self { lettres, accents, casse }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn trie(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| comparer(a, b));
        v
    }

    #[test]
    fn accents_and_case_are_ignored_first() {
        assert_eq!(trie(&["BRETON", "BÉNARD"]), ["BÉNARD", "BRETON"]);
        assert_eq!(trie(&["YVES", "ÉTHAN"]), ["ÉTHAN", "YVES"]);
        assert_eq!(trie(&["EVA", "ÉMILIE"]), ["ÉMILIE", "EVA"]);
        assert_eq!(trie(&["zoé", "Adam", "élodie", "Ève"]), ["Adam", "élodie", "Ève", "zoé"]);
        assert_eq!(trie(&["ŒUVRE", "ODILE", "OFELIA"]), ["ODILE", "ŒUVRE", "OFELIA"]);
    }

    #[test]
    fn then_accents_break_the_tie() {
        assert_eq!(trie(&["BÉNARD", "BENARD"]), ["BENARD", "BÉNARD"]);
        assert_eq!(comparer("Léa", "Lea"), Ordering::Greater);
    }

    #[test]
    fn separators_are_ignored_so_le_bihan_sits_with_lebihan() {
        assert_eq!(trie(&["LEBRUN", "LE BIHAN", "LEBIHAN", "LE BLANC"]), ["LEBIHAN", "LE BIHAN", "LE BLANC", "LEBRUN"]);
        assert_eq!(trie(&["N'DIAYE", "NDAO", "NDIAYE"]), ["NDAO", "NDIAYE", "N'DIAYE"]);
    }

    #[test]
    fn numbers_in_labels_compare_by_value() {
        let mut v = vec!["Classe 10", "Classe 2", "CE1 B", "CE1 A", "classe 1"];
        v.sort_by(|a, b| comparer_naturel(a, b));
        assert_eq!(v, ["CE1 A", "CE1 B", "classe 1", "Classe 2", "Classe 10"]);
        assert_eq!(comparer_naturel("CM2", "CM2"), Ordering::Equal);
    }

    #[test]
    fn names_then_first_names() {
        let mut v = vec![("MARTIN", "Zoé"), ("MARTIN", "Élise"), ("MARTÍN", "Adam"), ("LEROY", "Paul")];
        v.sort_by(|a, b| comparer_noms(*a, *b));
        assert_eq!(v, [("LEROY", "Paul"), ("MARTIN", "Élise"), ("MARTIN", "Zoé"), ("MARTÍN", "Adam")]);
    }

    proptest! {
        #[test]
        fn the_key_orders_as_the_comparison_does(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            prop_assert_eq!(cle(&a).cmp(&cle(&b)), comparer(&a, &b));
        }

        #[test]
        fn the_names_key_orders_as_the_names_comparison_does(
            n in "[a-zA-ZéÉèàçŒœ' -]{0,8}", p in "[a-zA-ZéÉèàçŒœ' -]{0,8}",
            m in "[a-zA-ZéÉèàçŒœ' -]{0,8}", q in "[a-zA-ZéÉèàçŒœ' -]{0,8}",
        ) {
            prop_assert_eq!(cle_noms(&n, &p).cmp(&cle_noms(&m, &q)), comparer_noms((&n, &p), (&m, &q)));
            prop_assert_eq!(cle_noms(&n, &p).cmp(&cle_noms(&n, &q)), comparer(&p, &q));
        }

        #[test]
        fn the_order_is_total_and_consistent(a in "[a-zA-ZéÉèàçŒœ' -]{0,8}", b in "[a-zA-ZéÉèàçŒœ' -]{0,8}", c in "[a-zA-ZéÉèàçŒœ' -]{0,8}") {
            prop_assert_eq!(comparer(&a, &b), comparer(&b, &a).reverse());
            prop_assert_eq!(comparer(&a, &b) == Ordering::Equal, a == b);
            if comparer(&a, &b) != Ordering::Greater && comparer(&b, &c) != Ordering::Greater {
                prop_assert_ne!(comparer(&a, &c), Ordering::Greater);
            }
        }

        #[test]
        fn accents_and_case_never_move_a_name_past_another_letter(a in "[a-z]{1,8}", b in "[a-z]{1,8}") {
            prop_assume!(a != b);
            let accentue = |s: &str| s.to_uppercase().replace('E', "É").replace('A', "À");
            prop_assert_eq!(comparer(&accentue(&a), &b), a.cmp(&b));
        }
    }
}
