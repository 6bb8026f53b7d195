//! The pupil's page as a use case: everything it shows and offers, read in one call, each part
//! within the policy (the record projected on what the role sees, who consulted it, the
//! corrections and the family's requests, this year's schooling and passage).

use serde_json::Value;

use super::{Result, Service};
use crate::domain::parcours::Passage;
use crate::domain::{AnneeScolaire, EleveId};
use crate::policy::{Action, Ressource, Role};
use crate::store::journal::Consultation;
use crate::store::parcours::Fiche;

/// What the pupil's page is built from.
#[derive(Debug)]
pub struct VueEleve {
    /// The current année scolaire.
    pub annee: AnneeScolaire,
    /// The record, projected on the fields the role sees.
    pub fiche: Value,
    /// Who consulted the record (those who may read the journal).
    pub consultations: Option<Vec<Consultation>>,
    /// Whether the actor may correct the record.
    pub corriger: bool,
    /// The responsables who already have a family account (the directeur's view).
    pub avec_compte: std::collections::HashSet<String>,
    /// When the signed fiche came back (the directeur's view).
    pub fiche_retour: Option<String>,
    /// The family's rectification requests the actor may see.
    pub rectifications: Vec<super::demandes::RectificationVue>,
    /// The family's oppositions the actor may see.
    pub oppositions: Vec<super::demandes::OppositionVue>,
    /// This year's schooling and passage, if the pupil has one in the perimeter.
    pub demarches: Option<(Fiche, Option<Passage>)>,
    /// Whether the radiation can still be undone.
    pub radiation_annulable: bool,
}

impl Service<'_> {
    /// The pupil's page: the record and what goes with it, as the actor may see it.
    pub fn vue_eleve(&self, id: &EleveId) -> Result<VueEleve> {
        let a = self.acteur;
        let fiche = self.eleve(id, None)?;
        let consultations =
            if a.decision(Ressource::Journal, Action::Lire).autorise() { Some(self.consultations(id)?) } else { None };
        let corriger = self.correction_possible(id)?;
        let directeur = corriger && a.role == Role::Directeur;
        let annee = self.annee()?;
        let demarches = self.demarches(id, annee)?;
        let radie = demarches.as_ref().is_some_and(|(f, _)| f.etat == crate::domain::EtatScolarite::Radie);
        Ok(VueEleve {
            annee,
            fiche,
            consultations,
            corriger,
            avec_compte: if directeur {
                self.responsables_avec_compte(id)?.into_iter().map(|r| r.to_string()).collect()
            } else {
                Default::default()
            },
            fiche_retour: if directeur { self.fiche_retour(id)? } else { None },
            rectifications: if a.decision(Ressource::Rectification, Action::Lister).autorise() {
                self.rectifications(Some(id), None)?
            } else {
                Vec::new()
            },
            oppositions: if a.decision(Ressource::Opposition, Action::Lister).autorise() {
                self.oppositions(Some(id), None)?
            } else {
                Vec::new()
            },
            radiation_annulable: radie && self.radiation_annulable(id)?,
            demarches,
        })
    }
}
