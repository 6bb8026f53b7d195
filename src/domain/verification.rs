//! The yearly check online (docs/domaine.md §5): the blocks of the fiche a family confirms or
//! corrects, what it sends, and which fields it may change. The rules kept here:
//! - a family answers the fields the catalogue marks for the yearly check
//!   ([`super::champs::Famille::Fiche`] and [`super::champs::Famille::Annee`]): the child's
//!   address, its own details, the persons to contact and the year's answers; never the INE,
//!   the schooling, the parental authority, nor the état civil the mairie recorded (that one
//!   by a rectification request, one field at a time);
//! - a responsable's block is that responsable's own, answered once for all the siblings at
//!   the school; the other responsable answers theirs;
//! - what is proposed is kept until the school decides, never applied before.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::champs::{ChampAnnuel, ChampContact, ChampEleve, ChampLien, ChampResponsable, ChampScolarite, Famille};
use super::identite::ChampInvalide;

/// Most persons to contact a proposal lists (as the correction form).
pub const CONTACTS_MAX: usize = 9;

/// A block of the fiche, as the family checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bloc {
    /// The child: identity (shown) and address (answered).
    Eleve,
    /// A responsable's own details, shared by the siblings.
    Responsable,
    /// The persons to contact, in calling order.
    Contacts,
    /// The year's autorisations, insurance and périscolaire.
    Annuel,
}

impl Bloc {
    /// Every block, in the order of the printed fiche.
    pub const TOUS: [Bloc; 4] = [Bloc::Eleve, Bloc::Responsable, Bloc::Contacts, Bloc::Annuel];

    /// The code: in JSON, in forms, in the database.
    pub fn code(self) -> &'static str {
        match self {
            Bloc::Eleve => "eleve",
            Bloc::Responsable => "responsable",
            Bloc::Contacts => "contacts",
            Bloc::Annuel => "annuel",
        }
    }

    /// The block's title in French.
    pub fn titre(self) -> &'static str {
        match self {
            Bloc::Eleve => "L'enfant : identité et adresse",
            Bloc::Responsable => "Vos coordonnées",
            Bloc::Contacts => "Personnes à contacter",
            Bloc::Annuel => "Autorisations, assurance et périscolaire de l'année",
        }
    }

    /// The block of this code.
    pub fn parse(s: &str) -> Result<Bloc, ChampInvalide> {
        Bloc::TOUS
            .into_iter()
            .find(|b| b.code() == s.trim())
            .ok_or_else(|| ChampInvalide::new("bloc", "attendu : eleve, responsable, contacts ou annuel"))
    }

    /// Whether the block is about the pupil (answered by either responsable) rather than a
    /// responsable's own details.
    pub fn de_l_eleve(self) -> bool {
        self != Bloc::Responsable
    }

    /// Checks that a family may answer field `cle` in this block: the message names the field.
    pub fn champ_permis(self, cle: &str) -> Result<(), ChampInvalide> {
        let famille = match self {
            Bloc::Eleve => ChampEleve::parse(cle)
                .map(|c| (c.libelle(), c.famille()))
                .or_else(|| ChampScolarite::parse(cle).map(|c| (c.libelle(), c.famille()))),
            // The person's fields, and the link's (only the consent is the family's).
            Bloc::Responsable => ChampResponsable::parse(cle)
                .map(|c| (c.libelle(), c.famille()))
                .or_else(|| ChampLien::parse(cle).map(|c| (c.libelle(), c.famille()))),
            Bloc::Contacts => ChampContact::parse(cle).map(|c| (c.libelle(), c.famille())),
            Bloc::Annuel => ChampAnnuel::parse(cle).map(|c| (c.libelle(), c.famille())),
        };
        match famille {
            None => Err(ChampInvalide::new("champ", format!("champ inconnu dans le bloc « {} »", self.code()))),
            Some((_, Famille::Fiche | Famille::Annee)) => Ok(()),
            Some((libelle, Famille::Demande)) => Err(ChampInvalide::new(
                libelle,
                "l'état civil ne se modifie pas à la vérification annuelle : demandez une rectification à l'école",
            )),
            Some((libelle, Famille::Aucun)) => Err(ChampInvalide::new(libelle, "la famille ne modifie pas ce champ")),
        }
    }
}

/// A key as a refusal names it: the key's safe characters only (it comes from the request).
pub fn cle_sure(cle: &str) -> String {
    cle.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(40).collect()
}

/// The state of a block's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatBloc {
    /// Confirmed as it is.
    Confirme,
    /// Changes sent, waiting for the school.
    Propose,
    /// Changes accepted by the school (they are in the record).
    Accepte,
    /// Changes refused by the school, with its reason.
    Refuse,
}

impl EtatBloc {
    /// The code in the database.
    pub fn code(self) -> &'static str {
        match self {
            EtatBloc::Confirme => "confirme",
            EtatBloc::Propose => "propose",
            EtatBloc::Accepte => "accepte",
            EtatBloc::Refuse => "refuse",
        }
    }

    /// The state of a stored code.
    pub fn parse(s: &str) -> Option<EtatBloc> {
        [EtatBloc::Confirme, EtatBloc::Propose, EtatBloc::Accepte, EtatBloc::Refuse].into_iter().find(|e| e.code() == s)
    }

    /// In French.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatBloc::Confirme => "confirmé",
            EtatBloc::Propose => "modifications envoyées, en attente de l'école",
            EtatBloc::Accepte => "modifications acceptées par l'école",
            EtatBloc::Refuse => "modifications refusées par l'école",
        }
    }

    /// The school's decision on changes sent.
    pub fn decider(self, accepter: bool) -> Result<EtatBloc, super::Error> {
        match self {
            EtatBloc::Propose if accepter => Ok(EtatBloc::Accepte),
            EtatBloc::Propose => Ok(EtatBloc::Refuse),
            _ => Err(super::parcours::Refus("ces modifications ont déjà reçu une décision".into()).into()),
        }
    }

    /// Whether the family may answer this block (again) while the campaign is open: always,
    /// unless changes of it wait for the school's decision.
    pub fn ouvert(self) -> bool {
        self != EtatBloc::Propose
    }
}

/// A person to contact as a family proposes it: an existing one (`id`) or a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPropose {
    /// The person's id, to keep one already recorded; none to add one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The fields (`nom`, `prenom`, `lien`, `telephone`, `telephone_2`, `urgence`,
    /// `recuperer`: `oui` or `non`).
    #[serde(default)]
    pub valeurs: BTreeMap<String, String>,
}

/// What a family sends for one block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposition {
    /// The changed fields of the block (`eleve`, `responsable`, `annuel`), by key; an empty
    /// value clears the field.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub valeurs: BTreeMap<String, String>,
    /// The whole list of persons to contact, in calling order (`contacts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<ContactPropose>>,
}

impl Proposition {
    /// Checks the shape against the block and the family's rights, every refusal at once:
    /// only fields the family answers, the contacts only in the contacts block, at most nine.
    pub fn controler(&self, bloc: Bloc) -> Result<(), super::Error> {
        let mut e = super::Erreurs::default();
        for cle in self.valeurs.keys() {
            if bloc == Bloc::Contacts {
                e.ajouter(
                    "valeurs",
                    ChampInvalide::new("valeurs", "les personnes à contacter vont dans « contacts »").into(),
                );
                break;
            }
            e.garder(&format!("valeurs.{}", cle_sure(cle)), bloc.champ_permis(cle));
        }
        match (&self.contacts, bloc) {
            (Some(l), Bloc::Contacts) => {
                if l.len() > CONTACTS_MAX {
                    e.ajouter("contacts", ChampInvalide::new("personnes à contacter", "au plus neuf personnes").into());
                }
                for (i, k) in l.iter().enumerate() {
                    for cle in k.valeurs.keys() {
                        e.garder(&format!("contacts[{i}].{}", cle_sure(cle)), bloc.champ_permis(cle));
                    }
                }
            }
            (None, Bloc::Contacts) => e.ajouter(
                "contacts",
                ChampInvalide::new("contacts", "la liste des personnes à contacter est attendue").into(),
            ),
            (Some(_), _) => e.ajouter(
                "contacts",
                ChampInvalide::new("contacts", "les personnes à contacter se vérifient dans le bloc « contacts »")
                    .into(),
            ),
            (None, _) => {}
        }
        e.finir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn valeurs(l: &[(&str, &str)]) -> Proposition {
        Proposition { valeurs: l.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), contacts: None }
    }

    #[test]
    fn a_family_may_not_send_the_ine_nor_the_etat_civil_nor_a_decision() {
        for (bloc, cle) in [
            (Bloc::Eleve, "ine"),
            (Bloc::Eleve, "nom"),
            (Bloc::Eleve, "naissance_insee"),
            (Bloc::Responsable, "lien"),
            (Bloc::Responsable, "autorite_parentale"),
            (Bloc::Annuel, "niveau"),
        ] {
            let e = valeurs(&[(cle, "x")]).controler(bloc).unwrap_err();
            let crate::domain::Error::Champs(l) = &e else { panic!("{e:?}") };
            assert_eq!(l[0].champ, format!("valeurs.{cle}"), "{bloc:?} {cle}: {e}");
        }
        let e = valeurs(&[("ine", "1234567890A")]).controler(Bloc::Eleve).unwrap_err().to_string();
        assert!(e.contains("INE : la famille ne modifie pas ce champ"), "{e}");
        let e = valeurs(&[("nom", "X")]).controler(Bloc::Eleve).unwrap_err().to_string();
        assert!(e.contains("demandez une rectification"), "{e}");
    }

    #[test]
    fn a_family_answers_its_address_its_details_and_the_year_s_choices() {
        valeurs(&[("adresse", "1 rue"), ("code_postal", "35000")]).controler(Bloc::Eleve).unwrap();
        valeurs(&[("tel_portable", "0600000000"), ("accord_associations", "oui")])
            .controler(Bloc::Responsable)
            .unwrap();
        valeurs(&[("cantine", "oui"), ("assureur", "MAE")]).controler(Bloc::Annuel).unwrap();
        let k = ContactPropose { id: None, valeurs: [("nom".to_string(), "X".to_string())].into() };
        Proposition { valeurs: BTreeMap::new(), contacts: Some(vec![k]) }.controler(Bloc::Contacts).unwrap();
    }

    #[test]
    fn contacts_only_in_their_block_and_at_most_nine() {
        let k = ContactPropose::default();
        assert!(Proposition { contacts: Some(vec![k.clone()]), ..Default::default() }.controler(Bloc::Eleve).is_err());
        assert!(Proposition::default().controler(Bloc::Contacts).is_err());
        let e = Proposition { contacts: Some(vec![k; 10]), ..Default::default() }
            .controler(Bloc::Contacts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("au plus neuf"), "{e}");
    }

    #[test]
    fn only_changes_sent_are_decided_and_a_block_waiting_for_the_school_is_closed() {
        assert_eq!(EtatBloc::Propose.decider(true).unwrap(), EtatBloc::Accepte);
        assert_eq!(EtatBloc::Propose.decider(false).unwrap(), EtatBloc::Refuse);
        for e in [EtatBloc::Confirme, EtatBloc::Accepte, EtatBloc::Refuse] {
            assert!(e.decider(true).is_err() && e.decider(false).is_err());
            assert_eq!(EtatBloc::parse(e.code()), Some(e));
        }
        assert!(EtatBloc::Refuse.ouvert() && EtatBloc::Confirme.ouvert() && EtatBloc::Accepte.ouvert());
        assert!(!EtatBloc::Propose.ouvert());
    }

    proptest! {
        /// Whatever key a family sends, it passes only if the catalogue lets the family answer
        /// it in that block, and a refusal names a field made of the key's own safe characters.
        #[test]
        fn any_key_passes_only_if_the_catalogue_allows_it(cle in "\\PC{0,30}", b in 0usize..4) {
            let bloc = Bloc::TOUS[b];
            let permis = match bloc {
                Bloc::Eleve => ChampEleve::parse(&cle).is_some_and(|c| c.verifie_par_la_famille()),
                Bloc::Responsable => ChampLien::parse(&cle).is_some_and(|c| c.verifie_par_la_famille())
                    || ChampResponsable::parse(&cle).is_some_and(|c| c.verifie_par_la_famille()),
                Bloc::Contacts => ChampContact::parse(&cle).is_some_and(|c| c.verifie_par_la_famille()),
                Bloc::Annuel => ChampAnnuel::parse(&cle).is_some_and(|c| c.verifie_par_la_famille()),
            };
            prop_assert_eq!(bloc.champ_permis(&cle).is_ok(), permis);
            prop_assert!(cle_sure(&cle).chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if let Err(e) = valeurs(&[(cle.as_str(), "x")]).controler(bloc) {
                prop_assert!(!permis || bloc == Bloc::Contacts);
                let e = e.to_string();
                prop_assert!(!e.contains('<') && !e.contains('>'));
            }
        }
    }
}
