//! The yearly check online (docs/domaine.md §5): a school's campaign (or the département's),
//! the families' answers block by block, the school's decisions, the reminders.
//!
//! One road: the API, the pages and the CLI call these use cases. The rules kept here:
//! - nothing a family sends changes the record before the school accepts it; accepted, it is
//!   applied as a correction ([`Service::appliquer`], validated like the first entry, journaled
//!   by field names), in the same transaction as the decision;
//! - a family answers only the fields the catalogue gives it (`domain::verification`), for its
//!   own children, and its own responsable block only;
//! - either responsable answers the child's blocks, once; the other sees what was sent (the
//!   changes about the child, never the other responsable's own details);
//! - a refusal carries a reason the family sees, and opens the block again;
//! - what was proposed is cleared at the decision; the campaign's rows go with the year.

mod ecole;
mod vues;

use std::collections::HashSet;

use serde::Serialize;
use serde_json::json;
use time::Date;

pub use ecole::{ClasseVerification, LettresFamilles, LigneVerification, TableauVerification, Totaux, relancer};
pub use vues::{ChampVue, ContactVue, Ecart};

use super::corrections::{Correction, saisie_responsable};
use super::demandes::date;
use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::auth::Interdit;
use crate::domain::correction::motif;
use crate::domain::identite::{ChampInvalide, date_fr};
use crate::domain::verification::{Bloc, EtatBloc, Proposition};
use crate::domain::{EcoleId, EleveId, Perimetre, ResponsableId};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, FicheEleve};
use crate::store::verifications::{self as vs, Campagne, Reponse};
use crate::store::{Ecriture, Vu, corrections as co, territoires};

/// Most reminder dates a campaign holds.
pub const RELANCES_MAX: usize = 6;

/// A campaign as set: the last day to answer and the reminders' dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reglage {
    /// The last day families may answer.
    pub fin: Date,
    /// The reminders' dates.
    pub relances: Vec<Date>,
}

impl Reglage {
    /// The dates as typed (`AAAA-MM-JJ` or `jj/mm/aaaa`; blanks among the reminders ignored),
    /// every unreadable one named at once (`fin`, `relances[i]`).
    pub fn lire(fin: &str, relances: &[&str]) -> Result<Reglage> {
        use crate::domain::identite::parse_date;
        let mut e = crate::domain::Erreurs::default();
        let fin = e.garder("fin", parse_date("date de fin", fin));
        let relances: Vec<Date> = relances
            .iter()
            .enumerate()
            .filter(|(_, d)| !d.trim().is_empty())
            .filter_map(|(i, d)| e.garder(&format!("relances[{i}]"), parse_date("date de relance", d)))
            .collect();
        e.finir()?;
        Ok(Reglage { fin: crate::domain::tenu(fin, "fin")?, relances })
    }

    /// Checks the dates against today, every refusal at once: the end not past, within the
    /// school year; reminders between today and the end, at most six.
    pub fn valider(&self, today: Date, annee: crate::domain::AnneeScolaire) -> Result<Reglage> {
        let mut e = crate::domain::Erreurs::default();
        if self.fin < today {
            e.ajouter("fin", ChampInvalide::new("date de fin", "elle est passée").into());
        }
        let fin_annee = Date::from_calendar_date(annee.debut() + 1, time::Month::August, 31).unwrap_or(today);
        if self.fin > fin_annee {
            e.ajouter(
                "fin",
                ChampInvalide::new("date de fin", format!("au plus tard le {}", date_fr(fin_annee))).into(),
            );
        }
        if self.relances.len() > RELANCES_MAX {
            e.ajouter("relances", ChampInvalide::new("relances", "au plus six dates").into());
        }
        for (i, d) in self.relances.iter().enumerate() {
            if *d < today || *d > self.fin {
                e.ajouter(
                    &format!("relances[{i}]"),
                    ChampInvalide::new(
                        "date de relance",
                        format!(
                            "le {} n'est pas entre aujourd'hui et la date de fin ({})",
                            date_fr(*d),
                            date_fr(self.fin)
                        ),
                    )
                    .into(),
                );
            }
        }
        e.finir()?;
        let mut relances = self.relances.clone();
        relances.sort();
        relances.dedup();
        Ok(Reglage { fin: self.fin, relances })
    }
}

/// A school's campaign as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampagneVue {
    /// The school's UAI.
    pub uai: String,
    /// The school.
    pub ecole: String,
    /// The school year (`2026-2027`).
    pub annee: String,
    /// The last day to answer (`AAAA-MM-JJ`).
    pub fin: String,
    /// The same, in French.
    pub fin_libelle: String,
    /// The reminders' dates (`AAAA-MM-JJ`).
    pub relances: Vec<String>,
    /// The same, in French.
    pub relances_libelles: Vec<String>,
    /// Families may answer today.
    pub ouverte: bool,
    /// Opened by the IA-DASEN for the département.
    pub par_departement: bool,
}

/// The state of a pupil's yearly check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatEleve {
    /// No answer online.
    NonRepondu,
    /// Some blocks answered, not all.
    EnCours,
    /// Changes wait for the school.
    ADecider,
    /// Every block answered, nothing waits.
    Verifie,
}

impl EtatEleve {
    /// In French.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatEleve::NonRepondu => "pas de réponse en ligne",
            EtatEleve::EnCours => "réponse commencée",
            EtatEleve::ADecider => "corrections en attente de la décision de l'école",
            EtatEleve::Verifie => "vérifiée",
        }
    }

    /// The state of a pupil's check from its answers (the child's blocks and the responsables').
    pub(crate) fn de(reponses: &[&Reponse]) -> EtatEleve {
        if reponses.is_empty() {
            return EtatEleve::NonRepondu;
        }
        if reponses.iter().any(|r| r.etat == EtatBloc::Propose) {
            return EtatEleve::ADecider;
        }
        // The child's three blocks, and a responsable's own details (the one who answered).
        let faits: HashSet<Bloc> = reponses.iter().filter(|r| r.etat != EtatBloc::Refuse).map(|r| r.bloc).collect();
        if faits.len() == 4 { EtatEleve::Verifie } else { EtatEleve::EnCours }
    }
}

/// One block of a pupil's fiche at the yearly check.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BlocVue {
    /// The block.
    pub bloc: Bloc,
    /// Its title.
    pub titre: String,
    /// The responsable of a responsable's block.
    pub responsable_id: Option<String>,
    /// The viewer may answer it now (a family, the campaign open, no change of it waiting).
    pub a_repondre: bool,
    /// « Tout le reste est exact » would confirm it (not answered yet, or refused).
    pub a_confirmer: bool,
    /// The answer's id (the school decides on it).
    pub reponse_id: Option<String>,
    /// The answer's state.
    pub etat: Option<EtatBloc>,
    /// The state in French.
    pub etat_libelle: Option<&'static str>,
    /// Sent (date, French).
    pub repondu_le: Option<String>,
    /// Sent by the viewer (a family), or by the other responsable.
    pub par_moi: bool,
    /// The fields as stored.
    pub champs: Vec<ChampVue>,
    /// The persons to contact as stored (the contacts block).
    pub contacts: Vec<ContactVue>,
    /// The changes waiting for the school: before and after.
    pub ecarts: Vec<Ecart>,
    /// The school's reason for a refusal.
    pub motif: Option<String>,
}

/// A pupil's yearly check: the campaign, the fiche block by block, its state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationEleve {
    /// The pupil.
    pub eleve_id: String,
    /// The pupil's name.
    pub eleve: String,
    /// The campaign of the pupil's school, if one is open this year.
    pub campagne: Option<CampagneVue>,
    /// The state.
    pub etat: EtatEleve,
    /// The state in French.
    pub etat_libelle: &'static str,
    /// The blocks, in the order of the fiche.
    pub blocs: Vec<BlocVue>,
}

fn vue_campagne(k: &Campagne, uai: &str, ecole: &str, today: Date) -> CampagneVue {
    CampagneVue {
        uai: uai.to_string(),
        ecole: ecole.to_string(),
        annee: k.annee.to_string(),
        fin: k.fin.to_string(),
        fin_libelle: date_fr(k.fin),
        relances: k.relances.iter().map(Date::to_string).collect(),
        relances_libelles: k.relances.iter().copied().map(date_fr).collect(),
        ouverte: today <= k.fin,
        par_departement: k.par_departement,
    }
}

/// The school of a pupil attending this year.
fn ecole_de(f: &FicheEleve, annee: crate::domain::AnneeScolaire) -> Option<(EcoleId, String, String)> {
    f.scolarite(annee)
        .filter(|s| s.etat.est_present())
        .map(|s| (s.ecole_id.clone(), s.uai.to_string(), s.ecole.clone()))
}

impl Service<'_> {
    /// The responsable acting (a family), or a refusal.
    fn famille(&self) -> Result<ResponsableId> {
        match &self.acteur.perimetre {
            Perimetre::Responsable(r) => Ok(r.clone()),
            _ => Err(Interdit::Role.into()),
        }
    }

    /// Opens the yearly check (or moves its dates): one school, or every school of the
    /// actor's perimeter (the IA-DASEN's département). Journaled per school.
    pub fn ouvrir_verification(&self, ecole: Option<&EcoleId>, r: &Reglage) -> Result<Vec<CampagneVue>> {
        self.autoriser(Ressource::CampagneVerification, Action::Modifier)?;
        let today = self.today();
        let par_departement = ecole.is_none() && matches!(self.acteur.perimetre, Perimetre::Departement(_));
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            let r = r.valider(today, annee)?;
            let ecoles = match ecole {
                Some(id) => vec![territoires::ecole(tx, &self.acteur.perimetre, id)?],
                None => territoires::ecoles(tx, &self.acteur.perimetre)?,
            };
            if ecoles.is_empty() {
                return Err(Error::Conflit("aucune école dans votre territoire".into()));
            }
            let mut vues = Vec::new();
            let mut faits = Vec::new();
            for e in ecoles {
                let k = Campagne {
                    ecole_id: e.id.clone(),
                    annee,
                    fin: r.fin,
                    relances: r.relances.clone(),
                    derniere_relance: None,
                    par_departement,
                    ouverte_le: self.le,
                };
                vs::ouvrir(tx, &k)?;
                faits.push(
                    Fait::new(Action::Modifier, "campagne_verification")
                        .cible(e.id.to_string())
                        .detail(json!({ "fin": r.fin.to_string(), "relances": r.relances.len() })),
                );
                let k = vs::campagne(tx, &e.id, annee)?.ok_or(crate::store::Error::Introuvable("campagne"))?;
                vues.push(vue_campagne(&k, e.uai.as_str(), &e.nom, today));
            }
            self.journal(tx, &faits)?;
            Ok::<_, Error>(vues)
        })
    }

    /// A school's campaign this year, if one was opened.
    pub fn campagne_verification(&self, ecole: &EcoleId) -> Result<Option<CampagneVue>> {
        self.autoriser(Ressource::CampagneVerification, Action::Lire)?;
        let today = self.today();
        Ok(self.store.read(|c| {
            let e = territoires::ecole(c, &self.acteur.perimetre, ecole)?;
            let annee = territoires::annee_courante(c)?;
            Ok(vs::campagne(c, ecole, annee)?.map(|k| vue_campagne(&k, e.uai.as_str(), &e.nom, today)))
        })?)
    }

    /// The view of a pupil's yearly check, read in `c`.
    fn vue_verification(&self, c: &crate::store::Lecture, vu: &Vu) -> Result<VerificationEleve> {
        let annee = territoires::annee_courante(c)?;
        let f = eleves::fiche(c, &self.acteur.perimetre, vu.eleve(), annee)?;
        let moi = self.famille().ok();
        let today = self.today();
        // Staff see the check of the pupil's school of this year only: a school the child
        // left, or its inspectors, do not read what the family sends to the new one.
        let ecole = vs::ecole_courante(c, &self.acteur.perimetre, vu, annee)?;
        if moi.is_none() && ecole.is_none() {
            return Err(crate::store::Error::Introuvable("élève").into());
        }
        let (campagne, reponses) = match ecole {
            Some((ecole, uai, nom)) => (
                vs::campagne(c, &ecole, annee)?.map(|k| vue_campagne(&k, &uai, &nom, today)),
                vs::reponses_eleve(c, vu, &ecole, annee)?,
            ),
            None => (None, Vec::new()),
        };
        let ouverte = campagne.as_ref().is_some_and(|k| k.ouverte);
        let sujet_eleve = vu.eleve().to_string();
        let mut sujets: Vec<(Bloc, String)> = vec![(Bloc::Eleve, sujet_eleve.clone())];
        for r in &f.responsables {
            // A family sees its own block only; staff every responsable's.
            if moi.as_ref().is_none_or(|m| m == &r.id) {
                sujets.push((Bloc::Responsable, r.id.to_string()));
            }
        }
        sujets.push((Bloc::Contacts, sujet_eleve.clone()));
        sujets.push((Bloc::Annuel, sujet_eleve));
        // The state over the blocks the viewer sees: a family is not told of the other
        // responsable's own block.
        let visibles: Vec<&Reponse> =
            reponses.iter().filter(|r| sujets.iter().any(|(b, s)| *b == r.bloc && *s == r.sujet)).collect();
        let etat = EtatEleve::de(&visibles);
        let blocs = sujets
            .into_iter()
            .map(|(bloc, sujet)| {
                let rep = reponses.iter().find(|r| r.bloc == bloc && r.sujet == sujet);
                let (champs, contacts) = match bloc {
                    Bloc::Eleve => (vues::champs_eleve(&f), Vec::new()),
                    Bloc::Responsable => (
                        ResponsableId::parse(&sujet).map(|id| vues::champs_responsable(&f, &id)).unwrap_or_default(),
                        Vec::new(),
                    ),
                    Bloc::Contacts => (Vec::new(), vues::contacts(&f)),
                    Bloc::Annuel => (vues::champs_annuel(&f), Vec::new()),
                };
                let titre = match (bloc, moi.is_some()) {
                    (Bloc::Responsable, false) => {
                        let r = f.responsables.iter().find(|r| r.id.as_str() == sujet);
                        format!(
                            "Responsable légal {}",
                            r.map(|r| format!("{} : {} {}", r.rang, r.personne.prenom, r.personne.nom))
                                .unwrap_or_default()
                        )
                    }
                    _ => bloc.titre().to_string(),
                };
                BlocVue {
                    bloc,
                    titre,
                    responsable_id: (bloc == Bloc::Responsable).then(|| sujet.clone()),
                    a_repondre: moi.is_some() && ouverte && rep.is_none_or(|r| r.etat.ouvert()),
                    a_confirmer: moi.is_some() && ouverte && rep.is_none_or(|r| r.etat == EtatBloc::Refuse),
                    reponse_id: rep.map(|r| r.id.clone()),
                    etat: rep.map(|r| r.etat),
                    etat_libelle: rep.map(|r| r.etat.libelle()),
                    repondu_le: rep.map(|r| date(r.repondu_le)),
                    par_moi: rep.is_some_and(|r| moi.as_ref() == Some(&r.responsable_id)),
                    champs,
                    contacts,
                    ecarts: rep
                        .and_then(|r| r.proposition.as_ref().map(|p| vues::ecarts(&f, bloc, &sujet, p)))
                        .unwrap_or_default(),
                    motif: rep.and_then(|r| r.motif.clone()),
                }
            })
            .collect();
        Ok(VerificationEleve {
            eleve_id: vu.eleve().to_string(),
            eleve: format!("{} {}", f.eleve.prenoms, f.eleve.nom),
            campagne,
            etat,
            etat_libelle: etat.libelle(),
            blocs,
        })
    }

    /// A pupil's yearly check: the family (its own child) or the school and its inspectors.
    /// Journaled as a reading of the record.
    pub fn verification_eleve(&self, eleve: &EleveId) -> Result<VerificationEleve> {
        self.autoriser(Ressource::Verification, Action::Lire)?;
        let v = self.store.lire(|c| {
            let vu = eleves::voir(c, &self.acteur.perimetre, eleve)?;
            self.vue_verification(c, &vu)
        })?;
        // Journaled before it is handed over (fail closed).
        self.noter(&[Fait::new(Action::Lire, "verification").cible(eleve.to_string()).eleve(eleve.to_string())])?;
        Ok(v)
    }

    /// The pupil's record and school this year, for a family answering: its own child, the
    /// campaign open.
    fn a_verifier(&self, tx: &Ecriture<'_>, eleve: &EleveId) -> Result<(Vu, FicheEleve, Campagne)> {
        let annee = territoires::annee_courante(tx)?;
        let vu = eleves::voir(tx, &self.acteur.perimetre, eleve)?;
        let f = eleves::fiche(tx, &self.acteur.perimetre, eleve, annee)?;
        let (ecole, _, _) = ecole_de(&f, annee)
            .ok_or_else(|| Error::Conflit("l'enfant ne fréquente pas d'école cette année : rien à vérifier".into()))?;
        let k = vs::campagne(tx, &ecole, annee)?
            .ok_or_else(|| Error::Conflit("l'école n'a pas ouvert la vérification de la fiche cette année".into()))?;
        if self.today() > k.fin {
            return Err(Error::Conflit(format!(
                "la vérification en ligne s'est terminée le {} : rendez la fiche papier à l'école",
                date_fr(k.fin)
            )));
        }
        Ok((vu, f, k))
    }

    /// A family answers one block: confirmed as it is (`None`), or changes proposed. The changes
    /// are checked now like the director's correction (every refusal at once, named by field),
    /// kept until the school decides. Sending the stored values is confirming. A block may be
    /// answered again while the campaign is open, unless changes of it wait for the school.
    pub fn repondre_verification(
        &self,
        eleve: &EleveId,
        bloc: Bloc,
        proposition: Option<&Proposition>,
    ) -> Result<VerificationEleve> {
        self.autoriser(Ressource::Verification, Action::Creer)?;
        let moi = self.famille()?;
        if let Some(p) = proposition {
            p.controler(bloc)?;
        }
        let today = self.today();
        let vu = self.store.ecrire(|tx| {
            let (vu, f, k) = self.a_verifier(tx, eleve)?;
            let sujet = if bloc == Bloc::Responsable { moi.to_string() } else { eleve.to_string() };
            let p = proposition.and_then(|p| vues::reduire(&f, bloc, &sujet, p));
            if let Some(p) = &p {
                let c = vues::correction(&f, bloc, &sujet, p)?;
                valider(&c, &f, today)?;
            }
            let etat = if p.is_some() { EtatBloc::Propose } else { EtatBloc::Confirme };
            self.noter_reponse(tx, &vu, &k, (bloc, &sujet, &moi), etat, p.as_ref())?;
            let champs: Vec<String> = p.as_ref().map(cles).unwrap_or_default();
            self.journal_reponse(tx, &vu, &k, json!({ "bloc": bloc.code(), "etat": etat.code(), "champs": champs }))?;
            Ok::<_, Error>(vu)
        })?;
        self.store.lire(|c| self.vue_verification(c, &vu))
    }

    /// « Tout le reste est exact »: every block of the pupil not answered yet (or refused), and
    /// the family's own, confirmed at once.
    pub fn confirmer_verification(&self, eleve: &EleveId) -> Result<VerificationEleve> {
        self.autoriser(Ressource::Verification, Action::Creer)?;
        let moi = self.famille()?;
        let vu = self.store.ecrire(|tx| {
            let (vu, _, k) = self.a_verifier(tx, eleve)?;
            let deja = vs::reponses_eleve(tx, &vu, &k.ecole_id, k.annee)?;
            let mut confirmes = Vec::new();
            for (bloc, sujet) in [
                (Bloc::Eleve, eleve.to_string()),
                (Bloc::Responsable, moi.to_string()),
                (Bloc::Contacts, eleve.to_string()),
                (Bloc::Annuel, eleve.to_string()),
            ] {
                if deja.iter().any(|r| r.bloc == bloc && r.sujet == sujet && r.etat != EtatBloc::Refuse) {
                    continue;
                }
                self.noter_reponse(tx, &vu, &k, (bloc, &sujet, &moi), EtatBloc::Confirme, None)?;
                confirmes.push(bloc.code());
            }
            if confirmes.is_empty() {
                return Err(Error::Conflit("chaque partie de la fiche a déjà reçu une réponse".into()));
            }
            self.journal_reponse(tx, &vu, &k, json!({ "confirmes": confirmes }))?;
            Ok::<_, Error>(vu)
        })?;
        self.store.lire(|c| self.vue_verification(c, &vu))
    }

    /// Records a family's answer to a block (`bloc`, its subject, who answers).
    fn noter_reponse(
        &self,
        tx: &Ecriture<'_>,
        vu: &Vu,
        k: &Campagne,
        (bloc, sujet, moi): (Bloc, &str, &ResponsableId),
        etat: EtatBloc,
        proposition: Option<&Proposition>,
    ) -> Result<()> {
        let id = crate::domain::ids::random_id(&mut rand::rng());
        let n = vs::Nouvelle {
            id: &id,
            ecole: &k.ecole_id,
            annee: k.annee,
            bloc,
            sujet,
            responsable: moi,
            etat,
            proposition,
        };
        Ok(vs::repondre(tx, vu, &n, self.le)?)
    }

    /// Journals a family's answer (`detail`: blocks and field names, never values), and the
    /// fiche returned when the answer completes it.
    fn journal_reponse(&self, tx: &Ecriture<'_>, vu: &Vu, k: &Campagne, mut detail: serde_json::Value) -> Result<()> {
        if self.noter_si_verifiee(tx, vu, k)? {
            detail["fiche_retournee"] = json!(true);
        }
        let eleve = vu.eleve().to_string();
        let fait = Fait::new(Action::Creer, "verification").cible(eleve.clone()).eleve(eleve).detail(detail);
        Ok(self.journal(tx, &[fait])?)
    }

    /// Once every block of the pupil is answered and nothing waits, the fiche counts as
    /// returned this year, as a paper one checked and signed. Returns whether it was noted now
    /// (the caller journals it).
    fn noter_si_verifiee(&self, tx: &Ecriture<'_>, vu: &Vu, k: &Campagne) -> Result<bool> {
        // The pupil's own blocks and its responsables' (the fiche prints them all).
        let r = vs::reponses_eleve(tx, vu, &k.ecole_id, k.annee)?;
        if EtatEleve::de(&r.iter().collect::<Vec<_>>()) == EtatEleve::Verifie && co::retour(tx, vu, k.annee)?.is_none()
        {
            co::noter_retour(tx, vu, k.annee, self.le)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The pupil through which the school decides on an answer: the one it was sent from, or,
    /// for a responsable's block, any of that responsable's children attending the school now
    /// (the first may have left since). The answer must be of the school's own campaign.
    fn decidable(&self, tx: &Ecriture<'_>, d: &Reponse) -> Result<(Vu, FicheEleve)> {
        let annee = territoires::annee_courante(tx)?;
        let mut candidats = vec![d.eleve_id.clone()];
        if d.bloc == Bloc::Responsable
            && let Ok(rid) = ResponsableId::parse(&d.sujet)
        {
            candidats.extend(co::eleves_du_responsable(tx, &rid)?.into_iter().filter(|e| e != &d.eleve_id));
        }
        for e in candidats {
            let Ok((vu, f)) = self.a_corriger(tx, &e) else { continue };
            if ecole_de(&f, annee).is_some_and(|(x, _, _)| x == d.ecole_id) {
                return Ok((vu, f));
            }
        }
        Err(Error::Transition(
            "l'élève ne fréquente plus l'école : ses corrections se traitent dans sa nouvelle école".into(),
        ))
    }

    /// The school decides on changes sent: accepted, they are applied as a correction (same
    /// transaction, journaled by field names) and a responsable's consent for every sibling at
    /// the school; refused, with a reason the family sees. Returns the pupil's check.
    pub fn decider_verification(&self, id: &str, accepter: bool, raison: Option<&str>) -> Result<VerificationEleve> {
        self.autoriser(Ressource::Verification, Action::Modifier)?;
        let raison = match (accepter, raison.map(str::trim).filter(|r| !r.is_empty())) {
            (false, None) => {
                return Err(ChampInvalide::new("motif", "indiquez la raison du refus, que la famille lira").into());
            }
            (false, Some(r)) => Some(motif("motif", r)?),
            (true, _) => None,
        };
        let today = self.today();
        let vu = self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            // Only an answer of this year's campaign of a school of the perimeter.
            let d = vs::une(tx, &self.acteur.perimetre, id, annee)?;
            let etat = d.etat.decider(accepter)?;
            let (vu, avant) = self.decidable(tx, &d)?;
            let mut champs = Vec::new();
            let mut revenues = Vec::new();
            if accepter {
                let p = d.proposition.clone().ok_or_else(|| {
                    Error::Conflit("ces corrections ne se lisent plus : demandez à la famille de les renvoyer".into())
                })?;
                let c = vues::correction(&avant, d.bloc, &d.sujet, &p)?;
                let v = valider(&c, &avant, today)?;
                champs = self.appliquer(tx, &vu, &avant, &v, false, None)?.champs;
                if d.bloc == Bloc::Responsable && p.valeurs.contains_key("accord_associations") {
                    champs.extend(self.accord_des_freres(tx, &d, vu.eleve(), &p, today)?);
                }
            }
            vs::decider(tx, id, etat, raison.as_deref(), self.le)?;
            if let Some(k) = vs::campagne(tx, &d.ecole_id, annee)? {
                // A responsable's block is on each sibling's fiche: each may be complete now.
                let mut eleves = vec![vu.eleve().clone()];
                if d.bloc == Bloc::Responsable
                    && let Ok(rid) = ResponsableId::parse(&d.sujet)
                {
                    eleves.extend(co::eleves_du_responsable(tx, &rid)?.into_iter().filter(|e| e != vu.eleve()));
                }
                for e in eleves {
                    let Ok((x, f)) = self.a_corriger(tx, &e) else { continue };
                    if ecole_de(&f, annee).is_some_and(|(s, _, _)| s == d.ecole_id) && self.noter_si_verifiee(tx, &x, &k)? {
                        revenues.push(e.to_string());
                    }
                }
            }
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "verification").cible(id.to_string()).eleve(vu.eleve().to_string()).detail(
                    json!({ "bloc": d.bloc.code(), "decision": etat.code(), "champs": champs, "fiches_revenues": revenues }),
                )],
            )?;
            Ok::<_, Error>(vu)
        })?;
        self.effacer_traces();
        self.store.lire(|c| self.vue_verification(c, &vu))
    }

    /// The consent for the parents' associations is the responsable's: accepted on one
    /// child's fiche (`deja`), it is set on the link with each sibling attending the school.
    fn accord_des_freres(
        &self,
        tx: &Ecriture<'_>,
        d: &Reponse,
        deja: &EleveId,
        p: &Proposition,
        today: Date,
    ) -> Result<Vec<String>> {
        let rid = ResponsableId::parse(&d.sujet).map_err(|_| crate::store::Error::Introuvable("responsable"))?;
        let accord = match p.valeurs.get("accord_associations").map(|v| v.trim()) {
            Some("oui") => Some(true),
            Some("non") => Some(false),
            _ => None,
        };
        let annee = territoires::annee_courante(tx)?;
        let mut champs = Vec::new();
        for autre in co::eleves_du_responsable(tx, &rid)?.into_iter().filter(|e| e != deja) {
            let Ok((vu, f)) = self.a_corriger(tx, &autre) else { continue };
            if ecole_de(&f, annee).is_none_or(|(e, _, _)| e != d.ecole_id) {
                continue;
            }
            let Some(r) = f.responsables.iter().find(|r| r.id == rid) else { continue };
            let mut s = saisie_responsable(r);
            s.accord_associations = accord;
            let c = Correction { responsables: vec![(rid.clone(), s)], ..Default::default() };
            let v = valider(&c, &f, today)?;
            champs.extend(
                self.appliquer(tx, &vu, &f, &v, false, None)?.champs.into_iter().map(|c| format!("{autre}:{c}")),
            );
        }
        Ok(champs)
    }
}

/// Validates a proposal's correction like the director's (and the year's answers against the
/// pupil's niveau).
fn valider(c: &Correction, f: &FicheEleve, today: Date) -> Result<super::corrections::Valide> {
    let v = c.valider(today)?;
    if let (Some(a), Some(s)) = (&c.annuel, f.scolarites.first()) {
        let mut er = crate::domain::Erreurs::default();
        er.garder("annuel", a.controler_niveau(s.niveau));
        er.finir()?;
    }
    Ok(v)
}

/// The keys a proposal changes (never the values).
fn cles(p: &Proposition) -> Vec<String> {
    let mut v: Vec<String> = p.valeurs.keys().cloned().collect();
    if p.contacts.is_some() {
        v.push("contacts".into());
    }
    v
}
