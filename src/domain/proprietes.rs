//! Property tests of the parsers and rules every input goes through: UAI, INE and
//! INSEE codes, dates, the duplicate search's folding and the liste électorale. Whatever the
//! input, no panic; what the installation makes parses back; a rule holds for every case drawn.

use proptest::prelude::*;
use time::{Date, Month};

use super::election::{Enfant, Rattachement, liste};
use super::identite::{cle_recherche, parse_date};
use super::{CommuneInsee, Ine, Lien, Uai};

fn departement_insee() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u8..=95).prop_filter("no 20", |d| *d != 20).prop_map(|d| format!("{d:02}")),
        Just("2A".to_string()),
        Just("2B".to_string()),
        (971u16..=989).prop_map(|d| d.to_string()),
    ]
}

proptest! {
    #[test]
    fn any_text_is_a_uai_or_a_refusal(s in "\\PC{0,20}") {
        let _ = Uai::parse(&s);
    }

    #[test]
    fn a_uai_made_from_its_digits_parses_back_whatever_the_case_and_spaces(d in "[0-9]{7}") {
        let u = Uai::from_digits(&d).unwrap();
        let s = u.as_str().to_string();
        prop_assert_eq!(Uai::parse(&s).unwrap(), u.clone());
        prop_assert_eq!(Uai::parse(&format!("  {}  ", s.to_lowercase())).unwrap(), u);
        // Any other letter is a wrong key.
        for l in b'A'..=b'Z' {
            if l != s.as_bytes()[7] {
                let autre = format!("{}{}", &s[..7], char::from(l));
                prop_assert!(Uai::parse(&autre).is_err());
            }
        }
    }

    #[test]
    fn any_text_is_an_ine_or_a_refusal(s in "\\PC{0,20}") {
        let _ = Ine::parse(&s);
    }

    #[test]
    fn an_assigned_ine_parses_back_strictly(annee in 2000i32..=2099, dep in "[0-9]{3}", seq in 1u32..=99_999) {
        let ine = Ine::assign(annee, &dep, seq).unwrap();
        let s = ine.as_str().to_string();
        prop_assert_eq!(Ine::parse_strict(&s).unwrap(), ine.clone());
        prop_assert_eq!(Ine::parse(&s.to_lowercase()).unwrap(), (ine, None));
        // Another key letter is accepted with a warning (a legacy INE typed from paper).
        let autre = if s.ends_with('A') { 'B' } else { 'A' };
        let mal = format!("{}{autre}", &s[..10]);
        let (_, w) = Ine::parse(&mal).unwrap();
        prop_assert!(w.is_some());
        let strict = Ine::parse_strict(&mal);
        prop_assert!(strict.is_err());
    }

    #[test]
    fn any_text_is_an_insee_code_or_a_refusal(s in "\\PC{0,12}") {
        if let Ok(c) = CommuneInsee::parse(&s) {
            prop_assert_eq!(c.as_str().len(), 5);
            prop_assert_eq!(CommuneInsee::parse(c.as_str()).unwrap(), c);
        }
    }

    #[test]
    fn every_commune_code_of_a_departement_parses(dep in departement_insee(), n in 0u32..1000) {
        let code = if dep.len() == 3 { format!("{dep}{:02}", n % 100) } else { format!("{dep}{n:03}") };
        prop_assert!(CommuneInsee::parse(&code).is_ok(), "{}", code);
        let pays = format!("99{:03}", n);
        let ok = CommuneInsee::parse(&pays).is_ok();
        prop_assert!(ok, "{}", pays);
    }

    #[test]
    fn any_text_is_a_date_or_a_refusal_naming_the_field(s in "\\PC{0,16}") {
        if let Err(e) = parse_date("date de naissance", &s) {
            prop_assert_eq!(e.champ, "date de naissance");
        }
    }

    #[test]
    fn every_real_date_parses_back_in_both_spellings(j in 1i32..=3_000_000) {
        let d = Date::from_julian_day(2_400_000 + j / 10).unwrap();
        prop_assume!((1900..=2100).contains(&d.year()));
        let fr = format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year());
        let iso = format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
        prop_assert_eq!(parse_date("date", &fr).unwrap(), d);
        prop_assert_eq!(parse_date("date", &iso).unwrap(), d);
    }

    #[test]
    fn an_impossible_day_is_refused(y in 1990i32..2100, m in 1u8..=12, extra in 1u8..=5) {
        let mois = Month::try_from(m).unwrap();
        let dernier = time::util::days_in_month(mois, y);
        let s = format!("{:02}/{m:02}/{y}", dernier + extra);
        prop_assert!(parse_date("date", &s).is_err());
    }

    #[test]
    fn the_search_key_ignores_case_accents_and_punctuation(s in "[a-zA-Zéèêàçïôœ' -]{0,20}") {
        let k = cle_recherche(&s);
        prop_assert_eq!(cle_recherche(&k), k.clone(), "idempotent");
        prop_assert_eq!(cle_recherche(&s.to_uppercase()), k.clone());
        let sans_accents: String = s.chars().map(|c| match c {
            'é' | 'è' | 'ê' => 'e', 'à' => 'a', 'ç' => 'c', 'ï' => 'i', 'ô' => 'o', c => c,
        }).collect();
        prop_assert_eq!(cle_recherche(&sans_accents), k.clone());
        prop_assert_eq!(cle_recherche(&s.replace(['-', '\''], " ")), k.clone());
        prop_assert!(!k.chars().any(|c| c.is_uppercase() || c == '-' || c == '\''));
        prop_assert!(!k.starts_with(' ') && !k.ends_with(' ') && !k.contains("  "));
    }
}

/// A responsable drawn for the liste électorale: one of `n` people, a link, the authority, a
/// consent.
fn rattachement(n: usize) -> impl Strategy<Value = Rattachement> {
    (0..n, 0usize..4, any::<bool>(), prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]).prop_map(
        |(i, lien, autorite, accord)| Rattachement {
            responsable: format!("r{i}"),
            civilite: None,
            nom: format!("NOM{}", (b'A' + (i % 26) as u8) as char),
            prenom: format!("Prénom{i}"),
            adresse: vec![format!("{i} rue des Écoles")],
            lien: Lien::TOUS[lien],
            autorite_parentale: autorite,
            accord_associations: accord,
        },
    )
}

fn enfants() -> impl Strategy<Value = Vec<Enfant>> {
    proptest::collection::vec(proptest::collection::vec(rattachement(8), 0..4), 0..12).prop_map(|l| {
        l.into_iter()
            .enumerate()
            .map(|(k, mut responsables)| {
                // A person is linked once to a given child.
                responsables.sort_by(|a, b| a.responsable.cmp(&b.responsable));
                responsables.dedup_by(|a, b| a.responsable == b.responsable);
                Enfant { nom: format!("ENFANT{k}"), prenoms: "Léa".into(), classe: "CP".into(), responsables }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_liste_electorale_keeps_its_rules(enfants in enfants()) {
        let l = liste(&enfants);
        // One line per elector, however many children.
        let mut ids: Vec<&str> = l.iter().map(|e| e.responsable.as_str()).collect();
        ids.sort_unstable();
        let avant = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), avant);
        for e in &l {
            let liens: Vec<&Rattachement> = enfants
                .iter()
                .flat_map(|k| k.responsables.iter())
                .filter(|r| r.responsable == e.responsable && r.autorite_parentale)
                .collect();
            // An elector holds the parental authority over at least one child, and each such
            // child is listed beside them.
            prop_assert!(!liens.is_empty());
            prop_assert_eq!(e.enfants.len(), liens.len());
            // The address only with a consent and no refusal.
            let accord = liens.iter().any(|r| r.accord_associations == Some(true));
            let refus = liens.iter().any(|r| r.accord_associations == Some(false));
            prop_assert_eq!(e.adresse.is_some(), accord && !refus);
        }
        // Whoever holds the authority over a child is on the list; nobody else.
        for k in &enfants {
            for r in &k.responsables {
                if r.autorite_parentale {
                    prop_assert!(l.iter().any(|e| e.responsable == r.responsable));
                }
            }
        }
        let tous: Vec<&str> = enfants.iter().flat_map(|k| k.responsables.iter()).filter(|r| r.autorite_parentale).map(|r| r.responsable.as_str()).collect();
        prop_assert!(l.iter().all(|e| tous.contains(&e.responsable.as_str())));
        // In French order of names.
        prop_assert!(l.windows(2).all(|w| super::tri::comparer_noms((&w[0].nom, &w[0].prenom), (&w[1].nom, &w[1].prenom)) != std::cmp::Ordering::Greater));
    }
}
