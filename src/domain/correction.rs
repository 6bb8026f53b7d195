//! Correcting a record and the families' rights (docs/domaine.md §4, §5, §8): the year's
//! autorisations as typed, which fields changed (names only, for the journal), the fields a
//! family may ask to rectify, and the states of a request.
//!
//! Rules kept here:
//! - a correction is validated exactly like the first entry (the `…Saisie` validators);
//! - the journal names the fields changed, never their values: [`changes`] compares and
//!   returns names only;
//! - a family may ask to rectify the child's identity and address, its own details, and the
//!   child's persons to contact; never the other responsable's details (each parent answers
//!   for their own), never the INE or the schooling (decisions, not data the family holds);
//! - free texts (a comment, a reason) are short, one line, printable.

use serde::{Deserialize, Serialize};

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

/// The names of the fields whose value differs, in the order given: what the journal records
/// of a correction (never the values).
pub fn changes<'a>(
    champs: impl IntoIterator<Item = (&'static str, Option<&'a str>, Option<&'a str>)>,
) -> Vec<&'static str> {
    champs.into_iter().filter(|(_, avant, apres)| avant != apres).map(|(nom, _, _)| nom).collect()
}

/// A one-line free text that must not be empty (a comment, a reason).
pub fn motif(champ: &'static str, s: &str) -> Result<String, ChampInvalide> {
    let s = nettoyer(champ, s, MOTIF_MAX)?;
    if s.is_empty() { Err(ChampInvalide::new(champ, "obligatoire")) } else { Ok(s) }
}

/// The pupil's fields a family may ask to rectify (code, French label).
pub const CHAMPS_ELEVE: &[(&str, &str)] = &[
    ("nom", "nom de famille de l'enfant"),
    ("nom_usage", "nom d'usage de l'enfant"),
    ("prenoms", "prénoms de l'enfant"),
    ("sexe", "sexe de l'enfant"),
    ("date_naissance", "date de naissance de l'enfant"),
    ("adresse", "adresse de l'enfant"),
    ("code_postal", "code postal de l'enfant"),
    ("commune_residence", "commune de résidence de l'enfant"),
];

/// A responsable's own fields they may ask to rectify.
pub const CHAMPS_RESPONSABLE: &[(&str, &str)] = &[
    ("civilite", "civilité"),
    ("nom", "nom"),
    ("prenom", "prénom"),
    ("adresse", "adresse"),
    ("code_postal", "code postal"),
    ("commune", "commune"),
    ("pays", "pays"),
    ("tel_domicile", "téléphone domicile"),
    ("tel_travail", "téléphone travail"),
    ("tel_portable", "téléphone portable"),
    ("courriel", "courriel"),
];

/// A contact's fields a family may ask to rectify.
pub const CHAMPS_CONTACT: &[(&str, &str)] = &[
    ("nom", "nom"),
    ("prenom", "prénom"),
    ("lien", "lien avec l'enfant"),
    ("telephone", "téléphone"),
    ("telephone_2", "second téléphone"),
];

fn connu(liste: &'static [(&'static str, &'static str)], code: &str) -> Option<&'static str> {
    liste.iter().find(|(c, _)| *c == code).map(|(c, _)| *c)
}

fn libelle(liste: &[(&'static str, &'static str)], code: &str) -> &'static str {
    liste.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| *l)
}

/// The field a rectification request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChampRectifie {
    /// A field of the child's identity or address.
    Eleve(&'static str),
    /// A field of a responsable (the one who asks).
    Responsable(ResponsableId, &'static str),
    /// A field of a person to contact.
    Contact(ContactId, &'static str),
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
            ["eleve", f] => connu(CHAMPS_ELEVE, f).map(ChampRectifie::Eleve).ok_or_else(err),
            ["responsable", id, f] => {
                let id = ResponsableId::parse(id).map_err(|_| err())?;
                connu(CHAMPS_RESPONSABLE, f).map(|f| ChampRectifie::Responsable(id, f)).ok_or_else(err)
            }
            ["contact", id, f] => {
                let id = ContactId::parse(id).map_err(|_| err())?;
                connu(CHAMPS_CONTACT, f).map(|f| ChampRectifie::Contact(id, f)).ok_or_else(err)
            }
            _ => Err(err()),
        }
    }

    /// The stored code.
    pub fn code(&self) -> String {
        match self {
            ChampRectifie::Eleve(f) => format!("eleve.{f}"),
            ChampRectifie::Responsable(id, f) => format!("responsable.{id}.{f}"),
            ChampRectifie::Contact(id, f) => format!("contact.{id}.{f}"),
            ChampRectifie::Autre => "autre".into(),
        }
    }

    /// The field in French, without the person it belongs to.
    pub fn libelle(&self) -> &'static str {
        match self {
            ChampRectifie::Eleve(f) => libelle(CHAMPS_ELEVE, f),
            ChampRectifie::Responsable(_, f) => libelle(CHAMPS_RESPONSABLE, f),
            ChampRectifie::Contact(_, f) => libelle(CHAMPS_CONTACT, f),
            ChampRectifie::Autre => "autre (voir le commentaire)",
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

        #[test]
        fn changes_returns_exactly_the_differing_fields(v in proptest::collection::vec((any::<Option<u8>>(), any::<Option<u8>>()), 0..10)) {
            const NOMS: [&str; 10] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
            let textes: Vec<(Option<String>, Option<String>)> =
                v.iter().map(|(a, b)| (a.map(|x| x.to_string()), b.map(|x| x.to_string()))).collect();
            let c = changes(textes.iter().enumerate().map(|(i, (a, b))| (NOMS[i], a.as_deref(), b.as_deref())));
            let attendu: Vec<&str> = v.iter().enumerate().filter(|(_, (a, b))| a != b).map(|(i, _)| NOMS[i]).collect();
            prop_assert_eq!(c, attendu);
        }
    }

    #[test]
    fn changes_names_the_fields_that_differ_and_never_a_value() {
        let c = changes([
            ("tel_portable", Some("06 12 34 56 78"), Some("06 99 99 99 99")),
            ("adresse", Some("1 rue"), Some("1 rue")),
            ("courriel", None, Some("a@b.fr")),
            ("pays", None, None),
        ]);
        assert_eq!(c, vec!["tel_portable", "courriel"]);
    }

    #[test]
    fn a_rectified_field_parses_back_and_unknown_ones_are_refused() {
        let r = ResponsableId::parse("abcdefghijklmnopqrst").unwrap();
        for f in [
            ChampRectifie::Eleve("adresse"),
            ChampRectifie::Responsable(r.clone(), "tel_portable"),
            ChampRectifie::Contact(ContactId::parse("abcdefghijklmnopqrst").unwrap(), "telephone"),
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
        assert!(ChampRectifie::Responsable(moi.clone(), "courriel").permis_a(&moi));
        assert!(!ChampRectifie::Responsable(autre, "courriel").permis_a(&moi));
        assert!(ChampRectifie::Eleve("adresse").permis_a(&moi));
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
