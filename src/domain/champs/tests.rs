use super::*;
use proptest::prelude::*;
use std::collections::HashSet;

fn annuel() -> impl Strategy<Value = AnnuelSaisie> {
    let b = || proptest::option::of(any::<bool>());
    let t = || proptest::option::of("[a-c]{1,2}");
    (b(), b(), t(), t(), b(), b(), b(), b(), b()).prop_map(|(p, so, a, n, c, gm, gs, e, tr)| AnnuelSaisie {
        autorisation_photo: p,
        sortie_seul: so,
        assureur: a,
        assurance_numero: n,
        cantine: c,
        garderie_matin: gm,
        garderie_soir: gs,
        etude: e,
        transport: tr,
    })
}

proptest! {
    #[test]
    fn differences_are_exactly_the_fields_whose_value_differs(a in annuel(), b in annuel()) {
        let d = differences(ChampAnnuel::TOUS, ChampAnnuel::valeur, &a, &b);
        for c in ChampAnnuel::TOUS {
            prop_assert_eq!(d.contains(c), c.valeur(&a) != c.valeur(&b));
        }
        let mut c = a.clone();
        for champ in &d {
            champ.poser(&mut c, texte(&champ.valeur(&b)));
        }
        prop_assert!(differences(ChampAnnuel::TOUS, ChampAnnuel::valeur, &c, &b).is_empty());
    }
}

fn uniques(cles: impl Iterator<Item = &'static str>) -> bool {
    let v: Vec<_> = cles.collect();
    v.iter().collect::<HashSet<_>>().len() == v.len()
}

#[test]
fn each_entity_names_each_field_once_and_parses_its_keys_back() {
    assert!(uniques(ChampEleve::TOUS.iter().map(|c| c.cle())));
    assert!(uniques(ChampResponsable::TOUS.iter().map(|c| c.cle())));
    assert!(uniques(ChampLien::TOUS.iter().map(|c| c.cle())));
    assert!(uniques(ChampContact::TOUS.iter().map(|c| c.cle())));
    assert!(uniques(ChampAnnuel::TOUS.iter().map(|c| c.cle())));
    assert!(uniques(ChampScolarite::TOUS.iter().map(|c| c.cle())));
    for c in ChampResponsable::TOUS {
        assert_eq!(ChampResponsable::parse(c.cle()), Some(*c));
        assert!(!c.libelle().is_empty() && !c.formulaire().libelle.is_empty());
    }
    assert_eq!(ChampEleve::parse("nationalite"), None);
}

#[test]
fn a_family_may_never_rectify_the_ine_the_schooling_or_the_year_s_decisions() {
    assert!(!ChampEleve::Ine.rectifiable_par_la_famille());
    assert!(ChampScolarite::TOUS.iter().all(|c| !c.rectifiable_par_la_famille()));
    assert!(ChampLien::TOUS.iter().all(|c| !c.rectifiable_par_la_famille()));
    assert!(ChampResponsable::TOUS.iter().all(|c| c.rectifiable_par_la_famille()));
}

#[test]
fn at_the_yearly_check_a_family_answers_its_own_details_and_the_year_s_choices_not_the_etat_civil() {
    // What the mairie recorded and the school's decisions are never retyped by the family.
    for c in
        [ChampEleve::Ine, ChampEleve::Nom, ChampEleve::Prenoms, ChampEleve::DateNaissance, ChampEleve::NaissanceInsee]
    {
        assert!(!c.verifie_par_la_famille(), "{c:?}");
    }
    assert!(ChampScolarite::TOUS.iter().all(|c| !c.verifie_par_la_famille()));
    assert!(!ChampLien::Lien.verifie_par_la_famille() && !ChampLien::AutoriteParentale.verifie_par_la_famille());
    // The address, the family's own details, the contacts and the year's answers are.
    assert!(ChampEleve::Adresse.verifie_par_la_famille() && ChampEleve::CommuneResidence.verifie_par_la_famille());
    assert!(ChampResponsable::TOUS.iter().all(|c| c.verifie_par_la_famille()));
    assert!(ChampContact::TOUS.iter().all(|c| c.verifie_par_la_famille()));
    assert!(ChampAnnuel::TOUS.iter().all(|c| c.verifie_par_la_famille()));
    assert!(ChampLien::AccordAssociations.verifie_par_la_famille());
    // The year's choices are answered, not « rectified »: the request road stays as it was.
    assert!(ChampAnnuel::TOUS.iter().all(|c| !c.rectifiable_par_la_famille()));
    assert!(
        !ChampContact::Urgence.rectifiable_par_la_famille() && ChampContact::Telephone.rectifiable_par_la_famille()
    );
    assert!(ChampEleve::Nom.rectifiable_par_la_famille());
}

#[test]
fn groups_fall_in_their_category_of_the_arrete() {
    assert_eq!(ChampResponsable::TelTravail.groupe().categorie(), Categorie::II);
    assert_eq!(ChampContact::Telephone.groupe().categorie(), Categorie::III);
    assert_eq!(ChampAnnuel::Cantine.groupe().categorie(), Categorie::V);
    assert_eq!(ChampScolarite::Niveau.groupe().categorie(), Categorie::IV);
    assert_eq!(ChampEleve::Ine.groupe(), Groupe::Ine);
    assert_eq!(ChampLien::AccordAssociations.groupe(), Groupe::Autorisations);
}

#[test]
fn a_phone_has_a_short_name_and_setting_then_reading_gives_the_value_back() {
    assert_eq!(ChampResponsable::TELEPHONES.map(ChampResponsable::court), ["portable", "domicile", "travail"]);
    let mut s = ResponsableSaisie::default();
    for c in ChampResponsable::TOUS {
        c.poser(&mut s, Some(format!("v-{}", c.cle())));
    }
    for c in ChampResponsable::TOUS {
        assert_eq!(c.lire(&s), Some(format!("v-{}", c.cle()).as_str()));
    }
    ChampResponsable::TelTravail.poser(&mut s, Some("  ".into()));
    assert_eq!(ChampResponsable::TelTravail.lire(&s), None);
}

#[test]
fn differences_name_exactly_the_fields_that_changed() {
    let a = AnnuelSaisie { cantine: Some(true), assureur: Some("MAE".into()), ..Default::default() };
    let b = AnnuelSaisie { cantine: Some(false), ..a.clone() };
    assert_eq!(differences(ChampAnnuel::TOUS, ChampAnnuel::valeur, &a, &b), [ChampAnnuel::Cantine]);
    assert!(differences(ChampAnnuel::TOUS, ChampAnnuel::valeur, &a, &a).is_empty());
    assert_eq!(texte(&ChampAnnuel::Cantine.valeur(&a)).as_deref(), Some("oui"));
}

#[test]
fn a_responsable_is_designated_by_civilite_prenom_and_nom() {
    let mut s = ResponsableSaisie { lien: "mere".into(), ..Default::default() };
    ChampResponsable::Nom.poser(&mut s, Some("durand".into()));
    ChampResponsable::Prenom.poser(&mut s, Some("Anne".into()));
    assert_eq!(s.valider().unwrap().designation(), "Anne DURAND");
    ChampResponsable::Civilite.poser(&mut s, Some("Mme".into()));
    assert_eq!(s.valider().unwrap().designation(), "Mme Anne DURAND");
}
