//! The school's side of the yearly check: its screen class by class, the home page's counts,
//! and the reminders to the families that have not answered.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use super::{CampagneVue, EtatEleve, Result, Service, vue_campagne};
use crate::audit::Fait;
use crate::domain::identite::date_fr;
use crate::domain::verification::{Bloc, EtatBloc};
use crate::domain::{EcoleId, EleveId};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, Filtre};
use crate::store::verifications::{self as vs, Reponse};
use crate::store::{classes, territoires};

impl Service<'_> {
    /// A school's screen: per class, each pupil's state; the counts. Journaled as a list.
    pub fn verifications_ecole(&self, ecole: &EcoleId) -> Result<TableauVerification> {
        let t = self.tableau_verification(ecole)?;
        self.noter(&[Fait::new(Action::Lister, "verification").cible(ecole.to_string())])?;
        Ok(t)
    }

    /// The school's screen, read (the caller journals what it hands over).
    fn tableau_verification(&self, ecole: &EcoleId) -> Result<TableauVerification> {
        self.autoriser(Ressource::Verification, Action::Lister)?;
        let today = self.today();
        let t = self.store.read(|c| {
            let p = &self.acteur.perimetre;
            let e = territoires::ecole(c, p, ecole)?;
            let annee = territoires::annee_courante(c)?;
            let campagne = vs::campagne(c, ecole, annee)?.map(|k| vue_campagne(&k, e.uai.as_str(), &e.nom, today));
            let reponses = vs::reponses_ecole(c, p, ecole, annee)?;
            let f = Filtre { ecole: Some(ecole.clone()), presents: true, ..Filtre::annee(annee) };
            let eleves = eleves::lister(c, p, &f)?;
            let ids: Vec<EleveId> = eleves.iter().map(|l| l.id.clone()).collect();
            let liens = vs::responsables_des(c, &ids)?;
            let comptes = vs::avec_compte(c, &ids)?;
            let mut par_classe: BTreeMap<usize, ClasseVerification> = BTreeMap::new();
            let rang: HashMap<_, _> = classes::classes(c, p, ecole, annee)?
                .into_iter()
                .enumerate()
                .map(|(i, k)| (k.id, (i, k.libelle)))
                .collect();
            let mut totaux = Totaux::default();
            for l in eleves {
                let resp = liens.get(&l.id).cloned().unwrap_or_default();
                let siennes: Vec<&Reponse> = reponses
                    .iter()
                    .filter(|r| {
                        r.eleve_id == l.id && r.bloc.de_l_eleve()
                            || r.bloc == Bloc::Responsable && resp.contains(&r.sujet)
                    })
                    .collect();
                let etat = EtatEleve::de(&siennes);
                totaux.ajouter(etat);
                let (i, libelle) = l
                    .classe_id
                    .as_ref()
                    .and_then(|k| rang.get(k).cloned())
                    .unwrap_or((usize::MAX, "Sans classe".to_string()));
                par_classe
                    .entry(i)
                    .or_insert_with(|| ClasseVerification { classe: libelle, eleves: Vec::new() })
                    .eleves
                    .push(LigneVerification {
                        eleve_id: l.id.to_string(),
                        eleve: format!("{} {}", l.nom, l.prenoms),
                        etat,
                        etat_libelle: etat.libelle(),
                        a_examiner: siennes.iter().filter(|r| r.etat == EtatBloc::Propose).count(),
                        compte_famille: comptes.contains(&l.id),
                    });
            }
            Ok(TableauVerification {
                uai: e.uai.to_string(),
                ecole: e.nom,
                campagne,
                totaux,
                classes: par_classe.into_values().collect(),
            })
        })?;
        Ok(t)
    }

    /// A family's children whose fiche waits for its check online (the campaign open, a block
    /// of the child not answered yet): id, prénoms, the last day (French).
    pub fn verifications_a_faire(&self) -> Result<Vec<(String, String, String)>> {
        self.autoriser(Ressource::Verification, Action::Creer)?;
        let today = self.today();
        Ok(self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let f = Filtre { presents: true, ..Filtre::annee(annee) };
            let mut out = Vec::new();
            for l in eleves::lister(c, &self.acteur.perimetre, &f)? {
                let Some(k) = vs::campagne(c, &l.ecole_id, annee)?.filter(|k| today <= k.fin) else { continue };
                let vu = eleves::voir(c, &self.acteur.perimetre, &l.id)?;
                let r = vs::reponses_eleve(c, &vu, &l.ecole_id, annee)?;
                let faits = r.iter().filter(|r| r.bloc.de_l_eleve() && r.etat != EtatBloc::Refuse).count();
                if faits < 3 {
                    out.push((l.id.to_string(), l.prenoms, date_fr(k.fin)));
                }
            }
            Ok(out)
        })?)
    }

    /// The families of the school's pupils without any family account yet: one account each
    /// (for the first responsable, in the record's order, with parental authority; a
    /// responsable shared by siblings once), made by the same use case as from a pupil's page,
    /// one short write each, so that the school prints every activation letter at once. Returns
    /// the accounts made (their one-time links are shown once) and the refusals, named.
    pub fn comptes_familles_sans_compte(&self, ecole: &EcoleId) -> Result<LettresFamilles> {
        self.autoriser(Ressource::Compte, Action::Creer)?;
        // Family accounts are the school's (an IA-DASEN makes staff accounts): refused before
        // any record is read.
        if !matches!(self.acteur.role, crate::policy::Role::Directeur | crate::policy::Role::Operateur) {
            return Err(crate::auth::Interdit::Role.into());
        }
        let choisis = self.store.read(|c| {
            let p = &self.acteur.perimetre;
            territoires::ecole(c, p, ecole)?;
            let annee = territoires::annee_courante(c)?;
            let f = Filtre { ecole: Some(ecole.clone()), presents: true, ..Filtre::annee(annee) };
            let mut choisis: Vec<(EleveId, crate::domain::ResponsableId, String)> = Vec::new();
            for l in eleves::lister(c, p, &f)? {
                let fiche = eleves::fiche(c, p, &l.id, annee)?;
                // A family « has an account » when a responsable exercising parental
                // authority holds one (pending or active).
                let mut sans_compte = true;
                for r in fiche.responsables.iter().filter(|r| r.autorite_parentale) {
                    if crate::store::corrections::compte_du_responsable(c, &r.id)?.is_some() {
                        sans_compte = false;
                    }
                }
                let premier = fiche.responsables.iter().find(|r| r.autorite_parentale);
                if let (true, Some(r)) = (sans_compte, premier)
                    && !choisis.iter().any(|(_, x, _)| x == &r.id)
                {
                    choisis.push((l.id.clone(), r.id.clone(), format!("{} {}", l.nom, l.prenoms)));
                }
            }
            Ok(choisis)
        })?;
        let mut l = LettresFamilles::default();
        for (eleve, responsable, nom) in choisis {
            // Each account in its own short write: one that fails (the family changed
            // meanwhile, a second click made it already) is named, the letters already made
            // are kept and printed.
            match self.creer_compte_famille(&eleve, &responsable) {
                Ok(k) => l.comptes.push((eleve, k)),
                Err(e @ super::Error::Interdit(_)) if l.comptes.is_empty() => return Err(e),
                Err(e) => l.refus.push(format!("{nom} : {e}")),
            }
        }
        Ok(l)
    }

    /// How many pupils of the actor's school wait for a decision and how many families have
    /// not answered (the home page); `None` without a campaign this year.
    pub fn verification_en_attente(&self, ecole: &EcoleId) -> Result<Option<Totaux>> {
        if !self.acteur.decision(Ressource::Verification, Action::Lister).autorise() {
            return Ok(None);
        }
        // Most of the year there is no campaign: the home page then reads nothing more.
        let ouverte = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            Ok(vs::campagne(c, ecole, annee)?.is_some())
        })?;
        if !ouverte {
            return Ok(None);
        }
        // Counts only: nothing about a pupil is handed over, so nothing is journaled.
        Ok(Some(self.tableau_verification(ecole)?.totaux))
    }
}

/// The family accounts made at once for a school, and the families for whom none could be.
#[derive(Debug, Default)]
pub struct LettresFamilles {
    /// Each pupil and the account made for its family (the one-time link inside).
    pub comptes: Vec<(EleveId, crate::service::comptes::CompteFamille)>,
    /// The families refused, named, with why.
    pub refus: Vec<String>,
}

/// A school's screen of the yearly check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TableauVerification {
    /// The school's UAI.
    pub uai: String,
    /// The school.
    pub ecole: String,
    /// The campaign, if opened this year.
    pub campagne: Option<CampagneVue>,
    /// The counts.
    pub totaux: Totaux,
    /// Class by class, in the school's order (pupils without a class last).
    pub classes: Vec<ClasseVerification>,
}

/// The counts of a school's check.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Totaux {
    /// Every block answered, nothing waits.
    pub verifies: usize,
    /// Changes to examine.
    pub a_decider: usize,
    /// Answer started.
    pub en_cours: usize,
    /// No answer online.
    pub non_repondu: usize,
}

impl Totaux {
    fn ajouter(&mut self, e: EtatEleve) {
        match e {
            EtatEleve::Verifie => self.verifies += 1,
            EtatEleve::ADecider => self.a_decider += 1,
            EtatEleve::EnCours => self.en_cours += 1,
            EtatEleve::NonRepondu => self.non_repondu += 1,
        }
    }
}

/// One class of the screen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClasseVerification {
    /// The class.
    pub classe: String,
    /// Its pupils, in French order.
    pub eleves: Vec<LigneVerification>,
}

/// One pupil of the screen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LigneVerification {
    /// The pupil.
    pub eleve_id: String,
    /// Nom prénoms.
    pub eleve: String,
    /// State.
    pub etat: EtatEleve,
    /// State in French.
    pub etat_libelle: &'static str,
    /// How many blocks' changes wait for a decision.
    pub a_examiner: usize,
    /// A responsable has an active family account (else: paper, or the activation letter).
    pub compte_famille: bool,
}

/// Sends the reminders due today (the daily upkeep, or `registre verification relancer`): to
/// each responsable with an active family account and an e-mail on file whose child at the
/// school has no answer yet, one message per address, dropped in the outbox
/// ([`super::courrier`]). The message names neither the child nor the school: it travels
/// through mail relays. Journaled as the server's operator, with counts only. Returns how
/// many messages were dropped.
pub fn relancer(store: &crate::store::Store, cles: &crate::config::Cles, le: time::OffsetDateTime) -> Result<usize> {
    let today = le.to_offset(crate::clock::paris_offset(le)).date();
    let base = crate::service::comptes::adresse_publique(store)?;
    let dues = store.read(|c| vs::relances_dues(c, today))?;
    let mut total = 0;
    for (k, jour) in dues {
        // Claimed and journaled first, in one short write: a reminder is sent once, even if two
        // runs meet; one that fails to drop a message logs it (the relay's outbox is local).
        let adresses = store.ecrire(|tx| {
            if !vs::reclamer_relance(tx, &k, jour)? {
                return Ok(Vec::new());
            }
            let adresses = vs::a_relancer(tx, &k.ecole_id, k.annee)?;
            crate::audit::ajouter(
                tx,
                cles,
                &crate::audit::Auteur::operateur(),
                le,
                &[Fait::new(Action::Creer, "relance_verification")
                    .cible(k.ecole_id.to_string())
                    .detail(json!({ "date": jour.to_string(), "courriels": adresses.len() }))],
            )?;
            Ok::<_, crate::store::Error>(adresses)
        })?;
        let lien = match &base {
            Some(b) => format!("Connectez-vous à {b}/ puis ouvrez la page de votre enfant."),
            None => "Connectez-vous au registre des élèves puis ouvrez la page de votre enfant.".to_string(),
        };
        let texte = format!(
            "Bonjour,\n\nL'école vous invite à vérifier en ligne la fiche de renseignements de votre enfant, \
             au plus tard le {}.\n{lien}\nVous pourrez confirmer chaque partie ou la corriger ; l'école valide vos corrections.\n\n\
             Si vous avez déjà rendu la fiche papier, ne tenez pas compte de ce message.\n",
            date_fr(k.fin)
        );
        let mut envoyes = 0;
        for a in &adresses {
            match crate::service::courrier::deposer(
                store.path(),
                a,
                "Registre des élèves : fiche de renseignements à vérifier",
                &texte,
                le,
            ) {
                Ok(_) => envoyes += 1,
                Err(e) => tracing::error!(erreur = %e, "relance de la vérification : courriel non déposé"),
            }
        }
        total += envoyes;
    }
    Ok(total)
}
