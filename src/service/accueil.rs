//! The home page of each role, as a use case: a family's children; the schools of the
//! perimeter by circonscription with their counts; the directeur's to-dos; what waits on the
//! inspectors, the mairie, the principal and the administrator. Each part asks the policy.

use serde::Serialize;
use serde_json::Value;

use super::{Result, Service};
use crate::domain::EcoleId;
use crate::domain::correction::EtatDemande;
use crate::policy::{Action, Ressource, Role};
use crate::service::eleves::Recherche;

impl Service<'_> {
    /// The home page of the actor; `verifier` runs the base's quick check (administration).
    pub fn accueil(&self, verifier: bool) -> Result<Accueil> {
        let a = self.acteur;
        let enfants = a.role == Role::Responsable && a.decision(Ressource::Eleve, Action::Lister).autorise();
        let ecoles = !enfants && a.decision(Ressource::Ecole, Action::Lister).autorise();
        let rectifications =
            a.role == Role::Directeur && a.decision(Ressource::Rectification, Action::Modifier).autorise();
        let oppositions = a.role == Role::IaDasen && a.decision(Ressource::Opposition, Action::Modifier).autorise();
        let constat = match (&a.perimetre, a.role) {
            (crate::domain::Perimetre::Ecole(e), Role::Directeur)
                if a.decision(Ressource::Constat, Action::Modifier).autorise() =>
            {
                Some(e.clone())
            }
            _ => None,
        };
        let exploitation = a.decision(Ressource::Exploitation, Action::Lire).autorise();
        let tableau =
            matches!(a.role, Role::Directeur | Role::Ien | Role::IaDasen | Role::AgentMairie | Role::PrincipalCollege);
        let annee = self.annee()?;
        let enfants =
            if enfants { Some(self.eleves(&Recherche { limite: u32::MAX, ..Recherche::default() })?) } else { None };
        let ecoles = if ecoles { Some(self.ecoles()?) } else { None };
        let rectifications = if rectifications {
            self.rectifications(None, Some(EtatDemande::EnAttente)).unwrap_or_default()
        } else {
            Vec::new()
        };
        let oppositions = if oppositions {
            self.oppositions(None, Some(EtatDemande::EnAttente)).map(|l| l.len()).unwrap_or_default()
        } else {
            0
        };
        // The school's constat, when the campaign waits for it. Not fatal: without a second
        // factor yet, the page still shows (and says why).
        let constat = match constat {
            Some(e) => self.constat_attendu(&e).ok().filter(|attendu| *attendu).map(|_| e.to_string()),
            None => None,
        };
        let exploitation = if exploitation { Some(self.etat_installation(verifier)?) } else { None };
        let tableau = if tableau { self.tableau_de_bord()? } else { Default::default() };
        let mut page = Accueil {
            annee: annee.to_string(),
            avertissement: (a.role.exige_second_facteur() && !a.second_facteur)
                .then_some("Activez votre second facteur dans « Mon compte » pour accéder aux élèves."),
            enfants: Value::Array(Vec::new()),
            rectifications,
            oppositions,
            constat_a_valider: constat,
            exploitation,
            circonscriptions: Vec::new(),
            lien_ecoles: None,
            a_faire: Vec::new(),
            ecole: None,
            inscriptions: tableau.inscriptions,
            sixiemes: tableau.sixiemes,
            en_retard: tableau.ecoles.iter().filter(|l| l.en_retard).count(),
        };
        let comptes: std::collections::HashMap<String, crate::store::tableau::LigneTableau> =
            tableau.ecoles.into_iter().map(|l| (l.id.clone(), l)).collect();
        if a.role == Role::Directeur
            && comptes.len() == 1
            && let Some(l) = comptes.values().next()
        {
            page.a_faire = taches_directeur(l);
            // The yearly check online, when the school opened it: what waits on the school,
            // and the families to reach on paper. Not fatal: the page shows without it.
            if let Ok(Some(v)) =
                EcoleId::parse(&l.id).map_err(|_| ()).and_then(|e| self.verification_en_attente(&e).map_err(|_| ()))
            {
                let lien = format!("/ecoles/{}/verification-annuelle", l.id);
                if v.a_decider > 0 {
                    let s = if v.a_decider > 1 { "s" } else { "" };
                    page.a_faire.push(Tache {
                        texte: format!("{} fiche{s} vérifiée{s} en ligne avec des corrections à examiner", v.a_decider),
                        lien: lien.clone(),
                    });
                }
                if v.non_repondu > 0 {
                    let s = if v.non_repondu > 1 { "s" } else { "" };
                    page.a_faire.push(Tache {
                        texte: format!(
                            "{} famille{s} sans réponse en ligne à la vérification annuelle (fiche papier)",
                            v.non_repondu
                        ),
                        lien,
                    });
                }
            }
            page.ecole = Some(l.clone());
        }
        if let Some(enfants) = enfants {
            page.enfants = enfants;
            // A child's fiche to check online while its school's campaign is open.
            for (id, nom, fin) in self.verifications_a_faire().unwrap_or_default() {
                page.a_faire.push(Tache {
                    texte: format!("Vérifiez la fiche de renseignements de {nom} avant le {fin} inclus"),
                    lien: format!("/eleves/{id}/verification-annuelle"),
                });
            }
        } else if let Some(mut ecoles) = ecoles {
            use crate::domain::tri::comparer;
            ecoles.sort_by(|x, y| {
                comparer(&x.circonscription, &y.circonscription)
                    .then_with(|| comparer(&x.commune, &y.commune))
                    .then_with(|| comparer(&x.nom, &y.nom))
            });
            for e in ecoles {
                let ligne = LigneEcole {
                    comptes: comptes.get(e.id.as_str()).cloned(),
                    type_libelle: e.type_ecole.libelle(),
                    id: e.id,
                    nom: e.nom,
                    uai: e.uai,
                    commune: e.commune,
                };
                match page.circonscriptions.last_mut() {
                    Some(c) if c.nom == e.circonscription => c.ecoles.push(ligne),
                    _ => page.circonscriptions.push(Circonscription {
                        nom: e.circonscription,
                        id: e.circonscription_id.to_string(),
                        ecoles: vec![ligne],
                    }),
                }
            }
            // A school leads to its classes, or else to its pupils (the mairie's view).
            page.lien_ecoles = Some(if a.decision(Ressource::Classe, Action::Lister).autorise() {
                "classes"
            } else if a.decision(Ressource::Eleve, Action::Lister).autorise() {
                "eleves"
            } else {
                ""
            });
        }
        Ok(page)
    }
}

/// The home page: a family's children, or the schools of the perimeter by circonscription.
#[derive(Debug, Serialize)]
pub struct Accueil {
    annee: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    avertissement: Option<&'static str>,
    /// The use case's projected lines.
    enfants: Value,
    /// The families' rectification requests awaiting the school's decision.
    rectifications: Vec<crate::service::demandes::RectificationVue>,
    /// Oppositions awaiting the IA-DASEN's decision.
    oppositions: usize,
    /// The directeur's school, when its constat waits to be validated in an open campaign.
    constat_a_valider: Option<String>,
    /// The technical administrator's view of the installation.
    #[serde(skip_serializing_if = "Option::is_none")]
    exploitation: Option<crate::service::exploitation::EtatInstallation>,
    circonscriptions: Vec<Circonscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lien_ecoles: Option<&'static str>,
    /// The directeur's to-dos, most urgent first.
    a_faire: Vec<Tache>,
    /// The directeur's school and its counts.
    ecole: Option<crate::store::tableau::LigneTableau>,
    /// The mairie's inscriptions by year and state.
    inscriptions: Vec<crate::service::ecoles::InscriptionsParEtat>,
    /// The principal's incoming 6e, per primary school.
    sixiemes: Vec<crate::service::ecoles::SixiemesParEcole>,
    /// The inspectors' schools where something waits.
    en_retard: usize,
}

/// One thing to do, as the directeur's home page lists it.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Tache {
    texte: String,
    lien: String,
}

/// The directeur's to-dos from the school's counts: what waits on the school, in the order of
/// the year's work (inscriptions, papers, classes, passages, fiches, families' requests); the
/// constat, when its campaign waits, has its own line.
fn taches_directeur(l: &crate::store::tableau::LigneTableau) -> Vec<Tache> {
    let e = &l.id;
    let pl = |n: u32, un: &str, plusieurs: &str| if n > 1 { plusieurs.to_string() } else { un.to_string() };
    let mut t = Vec::new();
    let mut ajouter = |n: u32, texte: String, lien: String| {
        if n > 0 {
            t.push(Tache { texte: format!("{n} {texte}"), lien });
        }
    };
    ajouter(
        l.a_admettre,
        pl(l.a_admettre, "inscription en mairie à admettre", "inscriptions en mairie à admettre"),
        "/inscriptions?etat=inscrit".into(),
    );
    ajouter(
        l.provisoires,
        pl(l.provisoires, "admission provisoire : pièces manquantes", "admissions provisoires : pièces manquantes"),
        format!("/ecoles/{e}#provisoires"),
    );
    ajouter(
        l.non_repartis,
        pl(l.non_repartis, "élève à répartir dans une classe", "élèves à répartir dans une classe"),
        format!("/ecoles/{e}#a-repartir"),
    );
    ajouter(
        l.passages_en_attente,
        pl(
            l.passages_en_attente,
            "passage proposé, en attente de réponse ou de décision",
            "passages proposés, en attente de réponse ou de décision",
        ),
        format!("/ecoles/{e}#classes"),
    );
    ajouter(
        l.fiches_non_revenues,
        pl(
            l.fiches_non_revenues,
            "fiche de renseignements pas encore revenue",
            "fiches de renseignements pas encore revenues",
        ),
        format!("/ecoles/{e}#classes"),
    );
    ajouter(
        l.rectifications,
        pl(l.rectifications, "demande de rectification d'une famille", "demandes de rectification des familles"),
        "#demandes".into(),
    );
    t
}

#[derive(Debug, Serialize)]
struct Circonscription {
    nom: String,
    id: String,
    ecoles: Vec<LigneEcole>,
}

#[derive(Debug, Serialize)]
struct LigneEcole {
    /// The school's counts and to-dos (directeur, IEN, IA-DASEN).
    comptes: Option<crate::store::tableau::LigneTableau>,
    id: EcoleId,
    nom: String,
    uai: crate::domain::Uai,
    commune: String,
    type_libelle: &'static str,
}
