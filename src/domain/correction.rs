//! Correcting a record and the families' rights (docs/domaine.md §4, §5, §8): the year's
//! autorisations as typed, the field a family asks to rectify, and the states of a request.
//!
//! Rules kept here:
//! - a correction is validated exactly like the first entry (the `…Saisie` validators);
//! - the journal names the fields changed, never their values (the catalogue's
//!   [`super::champs::differences`] compares and returns fields only);
//! - a family may ask to rectify the child's identity and address, its own details, and the
//!   child's persons to contact; never the other responsable's details (each parent answers
//!   for their own), never the INE or the schooling (decisions, not data the family holds);
//! - free texts (a comment, a reason) are short, one line, printable.

use serde::{Deserialize, Serialize};

use super::champs::{ChampContact, ChampEleve, ChampResponsable};
use super::identite::{ChampInvalide, nettoyer, nettoyer_facultatif};
use super::{ContactId, ResponsableId};

/// Longest comment or reason (characters).
pub const MOTIF_MAX: usize = 500;

/// This year's autorisations, insurance and périscolaire, as typed (categories II and V).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnnuelSaisie {
    /// Photographs during school activities.
    #[serde(default)]
    pub autorisation_photo: Option<bool>,
    /// Leaving school alone after class (élémentaire).
    #[serde(default)]
    pub sortie_seul: Option<bool>,
    /// Insurer.
    #[serde(default)]
    pub assureur: Option<String>,
    /// Policy number.
    #[serde(default)]
    pub assurance_numero: Option<String>,
    /// School canteen.
    #[serde(default)]
    pub cantine: Option<bool>,
    /// Morning care.
    #[serde(default)]
    pub garderie_matin: Option<bool>,
    /// Evening care.
    #[serde(default)]
    pub garderie_soir: Option<bool>,
    /// Supervised study.
    #[serde(default)]
    pub etude: Option<bool>,
    /// School transport.
    #[serde(default)]
    pub transport: Option<bool>,
}

impl AnnuelSaisie {
    /// The answers that depend on the pupil's niveau: a maternelle pupil is always handed to an
    /// adult after class, never allowed to leave alone.
    pub fn controler_niveau(&self, niveau: super::Niveau) -> Result<(), super::Error> {
        if niveau.est_maternelle() && self.sortie_seul == Some(true) {
            return Err(super::Error::Champs(vec![super::ErreurChamp {
                champ: "sortie_seul".into(),
                message: format!(
                    "sortie seul : un élève de maternelle ({}) est toujours remis à un adulte",
                    niveau.code()
                ),
            }]));
        }
        Ok(())
    }

    /// Validates the texts (insurer, policy number); the answers are yes, no or unknown.
    pub fn valider(&self) -> Result<AnnuelSaisie, super::Error> {
        let mut e = super::Erreurs::default();
        let assureur =
            e.garder("assureur", nettoyer_facultatif("assureur", self.assureur.as_deref(), super::eleve::TEXTE_MAX));
        let assurance_numero = e.garder(
            "assurance_numero",
            nettoyer_facultatif("numéro de contrat d'assurance", self.assurance_numero.as_deref(), 60),
        );
        e.finir()?;
        Ok(AnnuelSaisie {
            assureur: super::tenu(assureur, "assureur")?,
            assurance_numero: super::tenu(assurance_numero, "assurance_numero")?,
            ..self.clone()
        })
    }
}

/// A responsable's link with one pupil, as corrected: the person (shared by siblings) and the
/// link (this pupil's).
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsableCorrige {
    /// The person: civilité, names, address, phones, e-mail, and the link with the pupil.
    pub responsable: super::ResponsableSaisie,
    /// False only when parental authority was withdrawn by a court.
    #[serde(default = "vrai")]
    pub autorite_parentale: bool,
    /// The address may be given to the parents' associations (this year).
    #[serde(default)]
    pub accord_associations: Option<bool>,
}

fn vrai() -> bool {
    true
}

/// A one-line free text that must not be empty (a comment, a reason).
pub fn motif(champ: &'static str, s: &str) -> Result<String, ChampInvalide> {
    let s = nettoyer(champ, s, MOTIF_MAX)?;
    if s.is_empty() { Err(ChampInvalide::new(champ, "obligatoire")) } else { Ok(s) }
}

/// The field a rectification request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChampRectifie {
    /// A field of the child's identity or address.
    Eleve(ChampEleve),
    /// A field of a responsable (the one who asks).
    Responsable(ResponsableId, ChampResponsable),
    /// A field of a person to contact.
    Contact(ContactId, ChampContact),
    /// Anything else, described in the comment: the school corrects it by hand.
    Autre,
}

impl ChampRectifie {
    /// Parses `eleve.adresse`, `responsable.<id>.tel_portable`, `contact.<id>.telephone` or
    /// `autre`.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        let err = || ChampInvalide::new("champ", "champ inconnu : choisissez-le dans la liste");
        let s = s.trim();
        if s == "autre" {
            return Ok(ChampRectifie::Autre);
        }
        let parts: Vec<&str> = s.split('.').collect();
        match parts.as_slice() {
            ["eleve", f] => ChampEleve::parse(f)
                .filter(|c| c.rectifiable_par_la_famille())
                .map(ChampRectifie::Eleve)
                .ok_or_else(err),
            ["responsable", id, f] => {
                let id = ResponsableId::parse(id).map_err(|_| err())?;
                ChampResponsable::parse(f)
                    .filter(|c| c.rectifiable_par_la_famille())
                    .map(|f| ChampRectifie::Responsable(id, f))
                    .ok_or_else(err)
            }
            ["contact", id, f] => {
                let id = ContactId::parse(id).map_err(|_| err())?;
                ChampContact::parse(f)
                    .filter(|c| c.rectifiable_par_la_famille())
                    .map(|f| ChampRectifie::Contact(id, f))
                    .ok_or_else(err)
            }
            _ => Err(err()),
        }
    }

    /// The stored code.
    pub fn code(&self) -> String {
        match self {
            ChampRectifie::Eleve(f) => format!("eleve.{}", f.cle()),
            ChampRectifie::Responsable(id, f) => format!("responsable.{id}.{}", f.cle()),
            ChampRectifie::Contact(id, f) => format!("contact.{id}.{}", f.cle()),
            ChampRectifie::Autre => "autre".into(),
        }
    }

    /// The field in French, without the person it belongs to.
    pub fn libelle(&self) -> String {
        match self {
            ChampRectifie::Eleve(f) => format!("{} de l'enfant", f.libelle()),
            ChampRectifie::Responsable(_, f) => f.libelle().into(),
            ChampRectifie::Contact(_, f) => f.libelle().into(),
            ChampRectifie::Autre => "autre (voir le commentaire)".into(),
        }
    }

    /// Whether the request may be filed by the responsable `demandeur`: never about another
    /// responsable's details.
    pub fn permis_a(&self, demandeur: &ResponsableId) -> bool {
        match self {
            ChampRectifie::Responsable(id, _) => id == demandeur,
            _ => true,
        }
    }
}

/// Where a family's request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatDemande {
    /// Waiting for the decision.
    EnAttente,
    /// Accepted (a rectification's value is applied).
    Acceptee,
    /// Refused, with a reason.
    Refusee,
}

impl EtatDemande {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            EtatDemande::EnAttente => "en_attente",
            EtatDemande::Acceptee => "acceptee",
            EtatDemande::Refusee => "refusee",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        [EtatDemande::EnAttente, EtatDemande::Acceptee, EtatDemande::Refusee].into_iter().find(|e| e.code() == s)
    }

    /// French label, as the family reads it.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatDemande::EnAttente => "en attente",
            EtatDemande::Acceptee => "acceptée",
            EtatDemande::Refusee => "refusée",
        }
    }

    /// A decision on a pending request; a decided one is not decided again.
    pub fn decider(self, accepter: bool) -> Result<EtatDemande, super::parcours::Refus> {
        match self {
            EtatDemande::EnAttente => Ok(if accepter { EtatDemande::Acceptee } else { EtatDemande::Refusee }),
            e => Err(super::parcours::Refus(format!("cette demande est déjà {}", e.libelle()))),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_maternelle_pupil_never_leaves_alone() {
        use crate::domain::Niveau;
        let oui = AnnuelSaisie { sortie_seul: Some(true), ..Default::default() };
        for n in Niveau::ALL {
            let r = oui.controler_niveau(n);
            assert_eq!(r.is_err(), n.est_maternelle(), "{n:?}");
            if let Err(crate::domain::Error::Champs(l)) = r {
                assert_eq!(l[0].champ, "sortie_seul");
            }
            let non = AnnuelSaisie { sortie_seul: Some(false), ..Default::default() };
            assert!(non.controler_niveau(n).is_ok() && AnnuelSaisie::default().controler_niveau(n).is_ok());
        }
    }
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_field_code_parses_without_panic_and_what_parses_prints_back(s in "\\PC{0,60}") {
            if let Ok(c) = ChampRectifie::parse(&s) {
                prop_assert_eq!(ChampRectifie::parse(&c.code()).unwrap(), c.clone());
                prop_assert!(!c.libelle().is_empty());
            }
        }
    }

    #[test]
    fn a_rectified_field_parses_back_and_unknown_ones_are_refused() {
        let r = ResponsableId::parse("abcdefghijklmnopqrst").unwrap();
        for f in [
            ChampRectifie::Eleve(ChampEleve::Adresse),
            ChampRectifie::Responsable(r.clone(), ChampResponsable::TelPortable),
            ChampRectifie::Contact(ContactId::parse("abcdefghijklmnopqrst").unwrap(), ChampContact::Telephone),
            ChampRectifie::Autre,
        ] {
            assert_eq!(ChampRectifie::parse(&f.code()).unwrap(), f);
            assert!(!f.libelle().is_empty());
        }
        for bad in [
            "eleve.ine",
            "eleve.nationalite",
            "responsable.x.nom",
            "contact",
            "eleve.adresse.x",
            "",
            "scolarite.niveau",
        ] {
            let e = ChampRectifie::parse(bad).unwrap_err();
            assert_eq!(e.champ, "champ", "{bad}");
        }
    }

    #[test]
    fn a_parent_may_not_ask_to_change_the_other_parents_details() {
        let moi = ResponsableId::parse("abcdefghijklmnopqrst").unwrap();
        let autre = ResponsableId::parse("bbcdefghijklmnopqrst").unwrap();
        assert!(ChampRectifie::Responsable(moi.clone(), ChampResponsable::Courriel).permis_a(&moi));
        assert!(!ChampRectifie::Responsable(autre, ChampResponsable::Courriel).permis_a(&moi));
        assert!(ChampRectifie::Eleve(ChampEleve::Adresse).permis_a(&moi));
    }

    #[test]
    fn a_request_is_decided_once() {
        assert_eq!(EtatDemande::EnAttente.decider(true).unwrap(), EtatDemande::Acceptee);
        assert_eq!(EtatDemande::EnAttente.decider(false).unwrap(), EtatDemande::Refusee);
        assert!(EtatDemande::Acceptee.decider(false).is_err());
        assert!(EtatDemande::Refusee.decider(true).is_err());
        for e in [EtatDemande::EnAttente, EtatDemande::Acceptee, EtatDemande::Refusee] {
            assert_eq!(EtatDemande::parse(e.code()), Some(e));
        }
    }

    #[test]
    fn a_reason_is_required_short_and_printable() {
        assert!(motif("motif", "  ").is_err());
        assert!(motif("motif", &"x".repeat(MOTIF_MAX + 1)).is_err());
        assert!(motif("motif", "a\u{202E}b").is_err());
        assert_eq!(motif("motif", " Adresse  erronée ").unwrap(), "Adresse erronée");
    }

    #[test]
    fn the_year_s_answers_validate_their_texts() {
        let a = AnnuelSaisie { assureur: Some("  MAE ".into()), cantine: Some(true), ..Default::default() };
        let v = a.valider().unwrap();
        assert_eq!(v.assureur.as_deref(), Some("MAE"));
        assert_eq!(v.cantine, Some(true));
        assert!(AnnuelSaisie { assurance_numero: Some("x".repeat(61)), ..Default::default() }.valider().is_err());
    }
}
