//! The parents' liste électorale for the conseil d'école (arrêté du 13 mai 1985 and its
//! circulars; docs/domaine.md §8):
//! - every parent is an elector, both parents by default, whatever their nationality;
//! - a parent whose parental authority was withdrawn by a court is not;
//! - a third party (tuteur, tiers délégataire) holding parental authority in place of the parents
//!   votes instead of them, for that child. *(design)* Who holds the authority is what the record
//!   says, link by link: the tiers votes, and a parent votes as long as the record says they hold
//!   it (a stale « oui » never silently takes a parent's vote away; the director corrects it);
//! - one vote per parent, however many children they have in the school;
//! - the address is shown only for a parent who consented to its communication to the parents'
//!   associations (*(design)*: a refusal given for any of their children wins);
//! - every elector is eligible except the school's staff. *(design)* Who works at the school is
//!   not stored about a parent (docs/domaine.md §4 has no such field): the list prints the rule, and
//!   the director strikes eligibility by hand.

use std::collections::BTreeMap;

use super::Lien;
use super::tri;

/// A pupil's link with one of their responsables, as the list needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rattachement {
    /// The responsable (shared by siblings: the same id).
    pub responsable: String,
    /// Civilité, nom and prénom of the responsable.
    pub civilite: Option<String>,
    /// Nom.
    pub nom: String,
    /// Prénom.
    pub prenom: String,
    /// The responsable's address, as printed lines.
    pub adresse: Vec<String>,
    /// The link with this child.
    pub lien: Lien,
    /// Whether they hold parental authority over this child.
    pub autorite_parentale: bool,
    /// Whether they consented, for this child, to give their address to parents' associations.
    pub accord_associations: Option<bool>,
}

/// A pupil of the school and their responsables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enfant {
    /// Nom and prénoms as printed.
    pub nom: String,
    /// Prénoms.
    pub prenoms: String,
    /// Class label (or niveau when unplaced).
    pub classe: String,
    /// Their responsables.
    pub responsables: Vec<Rattachement>,
}

/// One elector of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Electeur {
    /// The responsable's id.
    pub responsable: String,
    /// Civilité.
    pub civilite: Option<String>,
    /// Nom.
    pub nom: String,
    /// Prénom.
    pub prenom: String,
    /// Their children in the school, for checking: (« NOM Prénoms », class), in French order.
    pub enfants: Vec<(String, String)>,
    /// The address, only with consent.
    pub adresse: Option<Vec<String>>,
}

/// Who votes for one child: whoever holds parental authority over them — the parents, or the
/// third party (tuteur, tiers) who holds it in their place.
pub fn electeurs_de(enfant: &Enfant) -> Vec<&Rattachement> {
    enfant
        .responsables
        .iter()
        .filter(|r| r.autorite_parentale && matches!(r.lien, Lien::Mere | Lien::Pere | Lien::Tuteur | Lien::Tiers))
        .collect()
}

/// The liste électorale of a school: one line per elector, in French alphabetical order.
pub fn liste(enfants: &[Enfant]) -> Vec<Electeur> {
    struct Cumul {
        e: Electeur,
        accord: bool,
        refus: bool,
    }
    let mut par_id: BTreeMap<&str, Cumul> = BTreeMap::new();
    for enfant in enfants {
        for r in electeurs_de(enfant) {
            let c = par_id.entry(&r.responsable).or_insert_with(|| Cumul {
                e: Electeur {
                    responsable: r.responsable.clone(),
                    civilite: r.civilite.clone(),
                    nom: r.nom.clone(),
                    prenom: r.prenom.clone(),
                    enfants: Vec::new(),
                    adresse: None,
                },
                accord: false,
                refus: false,
            });
            c.e.enfants.push((format!("{} {}", enfant.nom, enfant.prenoms), enfant.classe.clone()));
            match r.accord_associations {
                Some(true) => c.accord = true,
                Some(false) => c.refus = true,
                None => {}
            }
            if c.e.adresse.is_none() && !r.adresse.is_empty() {
                c.e.adresse = Some(r.adresse.clone());
            }
        }
    }
    let mut out: Vec<Electeur> = par_id
        .into_values()
        .map(|mut c| {
            if !c.accord || c.refus {
                c.e.adresse = None;
            }
            c.e.enfants.sort_by(|a, b| tri::comparer(&a.0, &b.0));
            c.e
        })
        .collect();
    out.sort_by(|a, b| tri::comparer_noms((&a.nom, &a.prenom), (&b.nom, &b.prenom)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(id: &str, nom: &str, lien: Lien) -> Rattachement {
        Rattachement {
            responsable: id.into(),
            civilite: None,
            nom: nom.into(),
            prenom: format!("Prénom-{id}"),
            adresse: vec![format!("{id} rue des Lilas"), "35000 Rennes".into()],
            lien,
            autorite_parentale: true,
            accord_associations: None,
        }
    }

    fn enfant(prenoms: &str, responsables: Vec<Rattachement>) -> Enfant {
        Enfant { nom: "MARTIN".into(), prenoms: prenoms.into(), classe: "CP A".into(), responsables }
    }

    #[test]
    fn both_parents_of_one_child_are_two_electors() {
        let l = liste(&[enfant("Léa", vec![r("m", "MARTIN", Lien::Mere), r("p", "DUPONT", Lien::Pere)])]);
        assert_eq!(l.iter().map(|e| e.responsable.as_str()).collect::<Vec<_>>(), ["p", "m"], "DUPONT before MARTIN");
    }

    #[test]
    fn a_parent_of_three_children_votes_once_listing_the_three() {
        let m = || r("m", "MARTIN", Lien::Mere);
        let l = liste(&[enfant("Zoé", vec![m()]), enfant("Adam", vec![m()]), enfant("Élise", vec![m()])]);
        assert_eq!(l.len(), 1);
        let enfants: Vec<&str> = l[0].enfants.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(enfants, ["MARTIN Adam", "MARTIN Élise", "MARTIN Zoé"]);
    }

    #[test]
    fn a_parent_whose_authority_was_withdrawn_is_absent() {
        let mut p = r("p", "DUPONT", Lien::Pere);
        p.autorite_parentale = false;
        let l = liste(&[enfant("Léa", vec![r("m", "MARTIN", Lien::Mere), p])]);
        assert_eq!(l.iter().map(|e| e.responsable.as_str()).collect::<Vec<_>>(), ["m"]);
    }

    #[test]
    fn a_third_party_with_authority_replaces_the_parents_for_that_child_only() {
        let sans = |id, nom, lien| Rattachement { autorite_parentale: false, ..r(id, nom, lien) };
        let l = liste(&[
            enfant("Léa", vec![sans("m", "MARTIN", Lien::Mere), r("t", "BERNARD", Lien::Tiers)]),
            enfant("Hugo", vec![r("m", "MARTIN", Lien::Mere)]),
        ]);
        let ids: Vec<(&str, usize)> = l.iter().map(|e| (e.responsable.as_str(), e.enfants.len())).collect();
        assert_eq!(ids, [("t", 1), ("m", 1)], "the mother votes for Hugo only, the tiers for Léa");
        // A parent the record still says holds the authority keeps their vote.
        let l = liste(&[enfant("Léa", vec![r("m", "MARTIN", Lien::Mere), r("t", "BERNARD", Lien::Tiers)])]);
        assert_eq!(l.len(), 2);
        let tuteur_sans_autorite = Rattachement { autorite_parentale: false, ..r("t", "BERNARD", Lien::Tuteur) };
        let l = liste(&[enfant("Léa", vec![r("m", "MARTIN", Lien::Mere), tuteur_sans_autorite])]);
        assert_eq!(l.iter().map(|e| e.responsable.as_str()).collect::<Vec<_>>(), ["m"]);
    }

    #[test]
    fn an_address_appears_only_with_consent_and_a_refusal_wins() {
        let avec = |accord| Rattachement { accord_associations: accord, ..r("m", "MARTIN", Lien::Mere) };
        assert!(liste(&[enfant("Léa", vec![avec(None)])])[0].adresse.is_none());
        assert!(liste(&[enfant("Léa", vec![avec(Some(false))])])[0].adresse.is_none());
        assert_eq!(
            liste(&[enfant("Léa", vec![avec(Some(true))])])[0].adresse.as_deref(),
            Some(&["m rue des Lilas".to_string(), "35000 Rennes".to_string()][..])
        );
        let l = liste(&[enfant("Léa", vec![avec(Some(true))]), enfant("Hugo", vec![avec(Some(false))])]);
        assert!(l[0].adresse.is_none());
    }

    #[test]
    fn the_list_is_in_french_order() {
        let l = liste(&[
            enfant("Léa", vec![r("a", "BRETON", Lien::Mere)]),
            enfant("Hugo", vec![r("b", "BÉNARD", Lien::Pere)]),
            enfant("Eva", vec![r("c", "EVA", Lien::Mere)]),
            enfant("Zoé", vec![r("d", "ÉMILIE", Lien::Mere)]),
        ]);
        assert_eq!(l.iter().map(|e| e.nom.as_str()).collect::<Vec<_>>(), ["BÉNARD", "BRETON", "ÉMILIE", "EVA"]);
    }
}
