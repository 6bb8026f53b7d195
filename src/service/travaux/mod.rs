//! Long work as background jobs: print runs (the rentrée's fiches for a class, a school or a
//! circonscription, into a ZIP or one merged PDF) and imports of the ministry's files into a
//! school (`onde`), each in its own queue with its own worker.
//!
//! - A job is checked when it is asked for (the policy, the perimeter, the count) and runs the
//!   one print road ([`super::Service::imprimer_dans`]) as its author at the instant of asking,
//!   so it journals every pupil printed, like any print.
//! - Print runs run one at a time, in order, on their own thread pool of `cores − 1` threads
//!   (at least one): interactive requests keep a core. Imports run one at a time, in order, on
//!   their own thread, in short transactions (`onde`): other writes pass between them.
//! - Reading a job (the list, one job, its report) shows data of pupils or of a school:
//!   journaled, like any such read.
//! - Progress (done, total, time left) is read at any time; a job can be cancelled (a print
//!   stops after the chunk under way, within a second, and its partial file is deleted; an
//!   import stops after the transaction under way, and its report says what was written).
//! - Nothing half-written is ever served: the file is written as `ID.partiel` and renamed when
//!   complete; at start-up the folder is emptied; finished files are deleted after 24 hours.
//! - A job belongs to the account that asked for it: others get 404.
//! - *(design)* Jobs live in memory: a restart forgets them (their files are deleted with the
//!   folder), and the author asks again.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use time::OffsetDateTime;

use super::documents::{Cible, Format};
use super::impression::Tirage;
use super::onde::{Lecture, RapportImport};
use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::auth::Acteur;
use crate::domain::{Colonne, Document, EcoleId};
use crate::policy::{Action, Ressource};
use crate::render::Engine;

mod execution;
mod vues;
use execution::limites;
pub use execution::{executer, executer_imports};
pub use vues::{VueImport, VueTravail};

/// How long a finished job (its file, its report) is kept.
pub const DUREE_DE_VIE: Duration = Duration::from_secs(24 * 3600);
/// Most jobs of each sort an account may have waiting or running.
pub const MAX_PAR_COMPTE: usize = 3;
/// Most jobs waiting or running in the installation.
pub const MAX_EN_FILE: usize = 32;
/// Most finished files an account keeps (each is deleted after a day, or by its author).
pub const MAX_GARDES: usize = 10;
/// Most finished imports (and their reports) an account keeps: the oldest is forgotten first.
pub const MAX_IMPORTS_GARDES: usize = 10;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = EtatTravail)]
#[serde(rename_all = "snake_case")]
pub enum Etat {
    /// Waiting for its turn.
    EnAttente,
    /// Being made.
    EnCours,
    /// Done: the file is ready to download, or the import is over.
    Termine,
    /// Cancelled by its author.
    Annule,
    /// Failed (the reason is in `message`).
    Echec,
}

impl Etat {
    /// French label.
    pub fn libelle(&self) -> &'static str {
        match self {
            Etat::EnAttente => "en attente",
            Etat::EnCours => "en cours",
            Etat::Termine => "prêt",
            Etat::Annule => "annulé",
            Etat::Echec => "échec",
        }
    }

    fn en_file(&self) -> bool {
        matches!(self, Etat::EnAttente | Etat::EnCours)
    }
}

/// What a print run makes.
#[derive(Debug, Clone)]
pub struct Demande {
    /// The document.
    pub document: Document,
    /// For whom.
    pub cible: Cible,
    /// ZIP or merged PDF.
    pub format: Format,
    /// Columns of a liste des élèves.
    pub colonnes: Vec<Colonne>,
    /// Only the pupils whose family has not answered the yearly check online.
    pub sans_reponse: bool,
}

/// What a job makes.
#[derive(Debug)]
enum Sorte {
    /// A print run.
    Impression(Demande),
    /// An import into a school: the files read wait in `lecture` until the job runs, its report
    /// stays for its author.
    Import {
        ecole: EcoleId,
        essai: bool,
        tout_ou_rien: bool,
        fichiers: Vec<String>,
        lecture: Mutex<Option<Box<Lecture>>>,
        rapport: Mutex<Option<RapportImport>>,
    },
}

/// One job.
#[derive(Debug)]
pub struct Travail {
    /// Random public id.
    pub id: String,
    acteur: Acteur,
    sorte: Sorte,
    /// When it was asked for.
    pub cree_le: OffsetDateTime,
    libelle: String,
    etat: Mutex<(Etat, Option<String>)>,
    total: AtomicUsize,
    fait: AtomicUsize,
    debut: Mutex<Option<Instant>>,
    fin: Mutex<Option<Instant>>,
    annule: AtomicBool,
    fichier: PathBuf,
}

impl Travail {
    fn proprietaire(&self, a: &Acteur) -> bool {
        a.compte.is_some() && a.compte == self.acteur.compte
    }

    fn impression(&self) -> Option<&Demande> {
        match &self.sorte {
            Sorte::Impression(d) => Some(d),
            Sorte::Import { .. } => None,
        }
    }

    fn extension(d: &Demande) -> &'static str {
        match d.format {
            Format::Zip => "zip",
            Format::Pdf => "pdf",
            Format::Csv => "csv",
        }
    }

    /// The name the download of a print run gets: what it is for, then the document
    /// (`CE2-B-Ecole-Les-Tilleuls_fiche-urgence.zip`), as a direct print's.
    fn nom_fichier(&self, d: &Demande) -> String {
        format!("{}_{}.{}", super::documents::ascii(&self.libelle), d.document.name(), Self::extension(d))
    }

    fn etat(&self) -> (Etat, Option<String>) {
        self.etat.lock().map(|e| e.clone()).unwrap_or((Etat::Echec, Some("état illisible".into())))
    }

    /// Sets the state; the first end of a job is counted in the metrics, with its duration if it
    /// had started (one cancelled while waiting has none).
    fn poser(&self, e: Etat, message: Option<String>) {
        use crate::mesures::{Genre, Issue};
        let issue = match e {
            Etat::Termine => Some(Issue::termine),
            Etat::Echec => Some(Issue::echoue),
            Etat::Annule => Some(Issue::arrete),
            Etat::EnAttente | Etat::EnCours => None,
        };
        let Ok(mut g) = self.etat.lock() else { return };
        if let (Some(issue), true) = (issue, g.0.en_file()) {
            let genre = if matches!(self.sorte, Sorte::Import { .. }) { Genre::import } else { Genre::impression };
            let debut = *self.debut.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            crate::mesures::mesures().travail(genre, issue, debut.map(|d| d.elapsed()));
        }
        *g = (e, message);
    }

    fn reste_secondes(&self, etat: &Etat, fait: usize, total: usize) -> Option<u64> {
        match (*self.debut.lock().map(|g| *g).as_ref().unwrap_or(&None), etat) {
            (Some(debut), Etat::EnCours) if fait > 0 => {
                let par_unite = debut.elapsed().as_secs_f64() / fait as f64;
                Some((par_unite * total.saturating_sub(fait) as f64).ceil() as u64)
            }
            _ => None,
        }
    }

    fn cree_le_fr(&self) -> String {
        let t = self.cree_le.to_offset(crate::clock::paris_offset(self.cree_le));
        format!("{} à {} h {:02}", crate::domain::identite::date_longue(t.date()), t.hour(), t.minute())
    }

    fn cree_le_rfc3339(&self) -> String {
        self.cree_le.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }

    /// A print run's state for its author.
    fn vue(&self, d: &Demande) -> VueTravail {
        let (etat, message) = self.etat();
        let (fait, total) = (self.fait.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        VueTravail {
            id: self.id.clone(),
            libelle: self.libelle.clone(),
            document: d.document.name().to_string(),
            document_titre: d.document.titre().to_string(),
            cree_le_fr: self.cree_le_fr(),
            format: Self::extension(d).to_string(),
            etat_libelle: etat.libelle().to_string(),
            nom_fichier: (etat == Etat::Termine).then(|| self.nom_fichier(d)),
            reste_secondes: self.reste_secondes(&etat, fait, total),
            etat,
            fait,
            total,
            message,
            cree_le: self.cree_le_rfc3339(),
        }
    }

    /// An import's state for its author, with its report or without.
    fn vue_import(&self, avec_rapport: bool) -> Option<VueImport> {
        let Sorte::Import { ecole, essai, tout_ou_rien, fichiers, rapport, .. } = &self.sorte else { return None };
        let (etat, message) = self.etat();
        let (fait, total) = (self.fait.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed));
        Some(VueImport {
            id: self.id.clone(),
            libelle: self.libelle.clone(),
            ecole_id: ecole.to_string(),
            essai: *essai,
            tout_ou_rien: *tout_ou_rien,
            fichiers: fichiers.clone(),
            etat_libelle: match (&etat, essai) {
                (Etat::Termine, true) => "essai terminé".to_string(),
                (Etat::Termine, false) => "terminé".to_string(),
                (e, _) => e.libelle().to_string(),
            },
            reste_secondes: self.reste_secondes(&etat, fait, total),
            etat,
            fait,
            total,
            message,
            cree_le: self.cree_le_rfc3339(),
            cree_le_fr: self.cree_le_fr(),
            rapport: if avec_rapport { rapport.lock().ok().and_then(|r| r.clone()) } else { None },
        })
    }

    fn partiel(&self) -> PathBuf {
        self.fichier.with_extension("partiel")
    }
}

#[derive(Debug, Default)]
struct Registre {
    travaux: Vec<Arc<Travail>>,
    file: VecDeque<Arc<Travail>>,
    actif: bool,
    imports: VecDeque<Arc<Travail>>,
    actif_imports: bool,
}

/// The jobs of the installation: a queue per sort, one worker each, a folder beside the
/// database.
pub struct Travaux {
    dossier: PathBuf,
    registre: Mutex<Registre>,
    pool: rayon::ThreadPool,
}

impl std::fmt::Debug for Travaux {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Travaux").field("dossier", &self.dossier).finish_non_exhaustive()
    }
}

/// The folder of the jobs' files: `registre.db.travaux/`.
pub fn dossier(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".travaux");
    PathBuf::from(s)
}

impl Travaux {
    /// Opens the jobs' folder (mode 0700) and empties it: a file left by a previous process,
    /// finished or not, is never served.
    pub fn ouvrir(db: &Path) -> std::io::Result<Self> {
        let dossier = dossier(db);
        if dossier.exists() {
            std::fs::remove_dir_all(&dossier)?;
        }
        std::fs::create_dir_all(&dossier)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dossier, std::fs::Permissions::from_mode(0o700))?;
        }
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).saturating_sub(1).max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("impression-{i}"))
            .stack_size(crate::render::PILE)
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Self { dossier, registre: Mutex::new(Registre::default()), pool })
    }

    fn registre(&self) -> std::sync::MutexGuard<'_, Registre> {
        self.registre.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets the jobs older than [`DUREE_DE_VIE`] and deletes their files.
    pub fn expirer(&self, maintenant: OffsetDateTime) {
        let mut r = self.registre();
        r.travaux.retain(|t| {
            let vieux = maintenant - t.cree_le > time::Duration::seconds(DUREE_DE_VIE.as_secs() as i64);
            if vieux && !t.etat().0.en_file() {
                let _ = std::fs::remove_file(&t.fichier);
                false
            } else {
                true
            }
        });
    }

    fn trouver(&self, a: &Acteur, id: &str, quoi: &'static str, import: bool) -> Result<Arc<Travail>> {
        self.registre()
            .travaux
            .iter()
            .find(|t| t.id == id && t.proprietaire(a) && matches!(t.sorte, Sorte::Import { .. }) == import)
            .cloned()
            .ok_or(Error::Introuvable(quoi))
    }

    /// Takes the next print run, or marks its worker idle.
    fn suivant(&self) -> Option<Arc<Travail>> {
        let mut r = self.registre();
        let t = r.file.pop_front();
        if t.is_none() {
            r.actif = false;
        }
        t
    }

    /// Takes the next import, or marks its worker idle.
    fn import_suivant(&self) -> Option<Arc<Travail>> {
        let mut r = self.registre();
        let t = r.imports.pop_front();
        if t.is_none() {
            r.actif_imports = false;
        }
        t
    }

    /// Queues `t` after checking the limits (again, where it is pushed: two requests at once
    /// stay within them); true when no worker of its sort is running (the caller starts one).
    /// An import makes room: the author's finished imports beyond [`MAX_IMPORTS_GARDES`] are
    /// forgotten, the oldest first.
    fn enfiler(&self, t: &Arc<Travail>) -> Result<bool> {
        let mut r = self.registre();
        limites(&r, &t.acteur, matches!(t.sorte, Sorte::Import { .. }))?;
        if matches!(t.sorte, Sorte::Import { .. }) {
            let mut gardes = 0;
            // Newest first: keep the most recent finished ones.
            let mut garder: Vec<bool> = r
                .travaux
                .iter()
                .rev()
                .map(|x| {
                    let fini_a_lui =
                        x.proprietaire(&t.acteur) && matches!(x.sorte, Sorte::Import { .. }) && !x.etat().0.en_file();
                    if fini_a_lui {
                        gardes += 1;
                    }
                    !fini_a_lui || gardes < MAX_IMPORTS_GARDES
                })
                .collect();
            garder.reverse();
            let mut i = 0;
            r.travaux.retain(|_| {
                i += 1;
                garder[i - 1]
            });
        }
        r.travaux.push(t.clone());
        Ok(match t.sorte {
            Sorte::Impression(_) => {
                r.file.push_back(t.clone());
                !std::mem::replace(&mut r.actif, true)
            }
            Sorte::Import { .. } => {
                r.imports.push_back(t.clone());
                !std::mem::replace(&mut r.actif_imports, true)
            }
        })
    }

    /// No worker could be started: the jobs of that queue fail now, visibly, and the queue stays
    /// usable.
    fn sans_ouvrier(&self, import: bool) {
        let mut r = self.registre();
        let file = if import {
            r.actif_imports = false;
            std::mem::take(&mut r.imports)
        } else {
            r.actif = false;
            std::mem::take(&mut r.file)
        };
        for x in file {
            x.poser(Etat::Echec, Some("le serveur n'a pas pu lancer le travail : réessayez".into()));
        }
    }
}

impl Service<'_> {
    /// Asks for a print run: checked now (policy, perimeter, count, columns), journaled, then
    /// made in the background. When no worker is running, `demarrer` starts one (the caller
    /// gives it the store and the engine: see [`executer`]); if it cannot, the job fails at once
    /// and the queue stays usable.
    pub fn lancer_impression(
        &self,
        travaux: &Travaux,
        engine: &Engine,
        d: Demande,
        demarrer: impl FnOnce() -> bool,
    ) -> Result<VueTravail> {
        travaux.expirer(self.le);
        let champs = self.autoriser(Ressource::Document(d.document), Action::Exporter)?;
        if champs.is_empty() {
            return Err(crate::auth::Interdit::Role.into());
        }
        if d.format == Format::Csv {
            return Err(Error::Conflit("un tableur se télécharge directement, sans impression en lot".into()));
        }
        // The count checks the target (404 outside the perimeter) and that there is something.
        let imp = super::documents::Imprimeur {
            store: self.store,
            engine,
            cles: self.cles,
            perimetre: &self.acteur.perimetre,
            le: self.le,
            annee: None,
            colonnes: &d.colonnes,
            essai: false,
            sans_reponse: d.sans_reponse,
            journal: None,
        };
        let total = imp.compter(d.document, &d.cible)?;
        let libelle = self.libelle_cible(&d.cible)?;
        let t = self.travail(travaux, libelle, total, Sorte::Impression(d.clone()));
        limites(&travaux.registre(), self.acteur, false)?;
        // Journaled before it is queued: a job that cannot be journaled is never made.
        self.noter(&[Fait::new(Action::Creer, "impression")
            .cible(t.id.clone())
            .detail(serde_json::json!({ "document": d.document.name(), "documents": total }))])?;
        if travaux.enfiler(&t)? && !demarrer() {
            travaux.sans_ouvrier(false);
        }
        Ok(t.vue(&d))
    }

    fn travail(&self, travaux: &Travaux, libelle: String, total: usize, sorte: Sorte) -> Arc<Travail> {
        let id = crate::domain::ids::random_id(&mut rand::rng());
        Arc::new(Travail {
            fichier: travaux.dossier.join(format!("{id}.fichier")),
            id,
            acteur: self.acteur.clone(),
            cree_le: self.le,
            libelle,
            sorte,
            etat: Mutex::new((Etat::EnAttente, None)),
            total: AtomicUsize::new(total),
            fait: AtomicUsize::new(0),
            debut: Mutex::new(None),
            fin: Mutex::new(None),
            annule: AtomicBool::new(false),
        })
    }

    /// The actor's print runs, newest first (journaled: they name schools and classes and count
    /// their pupils).
    pub fn impressions(&self, travaux: &Travaux) -> Result<Vec<VueTravail>> {
        travaux.expirer(self.le);
        let vues: Vec<VueTravail> = {
            let r = travaux.registre();
            r.travaux
                .iter()
                .rev()
                .filter(|t| t.proprietaire(self.acteur))
                .filter_map(|t| t.impression().map(|d| t.vue(d)))
                .collect()
        };
        if !vues.is_empty() {
            self.noter(&[
                Fait::new(Action::Lister, "impression").detail(serde_json::json!({ "impressions": vues.len() }))
            ])?;
        }
        Ok(vues)
    }

    /// One of the actor's print runs (journaled).
    pub fn impression(&self, travaux: &Travaux, id: &str) -> Result<VueTravail> {
        travaux.expirer(self.le);
        let t = travaux.trouver(self.acteur, id, "impression", false)?;
        let d = t.impression().ok_or(Error::Introuvable("impression"))?;
        self.noter(&[Fait::new(Action::Lire, "impression").cible(t.id.clone())])?;
        Ok(t.vue(d))
    }

    /// Cancels one of the actor's print runs (waiting or running); a finished one is deleted.
    /// Journaled first: a cancellation that cannot be journaled does not happen.
    pub fn annuler_impression(&self, travaux: &Travaux, id: &str) -> Result<VueTravail> {
        let t = travaux.trouver(self.acteur, id, "impression", false)?;
        let d = t.impression().ok_or(Error::Introuvable("impression"))?;
        self.noter(&[Fait::new(Action::Supprimer, "impression").cible(t.id.clone())])?;
        t.annule.store(true, Ordering::Relaxed);
        match t.etat().0 {
            Etat::EnAttente => {
                travaux.registre().file.retain(|x| x.id != t.id);
                t.poser(Etat::Annule, None);
            }
            Etat::Termine | Etat::Echec => {
                let _ = std::fs::remove_file(&t.fichier);
                t.poser(Etat::Annule, None);
            }
            Etat::EnCours | Etat::Annule => {}
        }
        Ok(t.vue(d))
    }

    /// The finished file of one of the actor's print runs: its path and download name. A job
    /// not finished yet answers a conflict (nothing half-made is served).
    pub fn fichier_impression(&self, travaux: &Travaux, id: &str) -> Result<(PathBuf, String, &'static str)> {
        travaux.expirer(self.le);
        let t = travaux.trouver(self.acteur, id, "impression", false)?;
        let d = t.impression().ok_or(Error::Introuvable("impression"))?;
        match t.etat().0 {
            Etat::Termine if t.fichier.is_file() => {
                self.noter(&[Fait::new(Action::Lire, "impression").cible(t.id.clone())])?;
                let mime = match d.format {
                    Format::Zip => "application/zip",
                    _ => "application/pdf",
                };
                Ok((t.fichier.clone(), t.nom_fichier(d), mime))
            }
            Etat::Termine => Err(Error::Introuvable("fichier de l'impression")),
            e => Err(Error::Conflit(format!("l'impression n'est pas prête ({})", e.libelle()))),
        }
    }

    /// Asks for an import of files already read and checked ([`Service::lire_import_onde`]):
    /// journaled, then run in the background by [`executer_imports`] (started by `demarrer`
    /// when no worker runs).
    pub fn lancer_import(
        &self,
        travaux: &Travaux,
        lecture: Lecture,
        fichiers: Vec<String>,
        demarrer: impl FnOnce() -> bool,
    ) -> Result<VueImport> {
        travaux.expirer(self.le);
        self.autoriser(Ressource::Echange, Action::Creer)?;
        let ecole = lecture.ecole().clone();
        let libelle = self.libelle_cible(&Cible::Ecole(ecole.clone()))?;
        let o = lecture.options();
        let total = lecture.lignes();
        let sorte = Sorte::Import {
            ecole: ecole.clone(),
            essai: o.essai,
            tout_ou_rien: o.tout_ou_rien,
            fichiers,
            lecture: Mutex::new(Some(Box::new(lecture))),
            rapport: Mutex::new(None),
        };
        let t = self.travail(travaux, libelle, total, sorte);
        limites(&travaux.registre(), self.acteur, true)?;
        self.noter(&[Fait::new(Action::Creer, "import").cible(t.id.clone()).detail(serde_json::json!({
            "ecole": ecole.to_string(),
            "lignes": total,
            "essai": o.essai,
        }))])?;
        if travaux.enfiler(&t)? && !demarrer() {
            travaux.sans_ouvrier(true);
        }
        t.vue_import(false).ok_or(Error::Conflit("import introuvable".into()))
    }

    /// The actor's imports, newest first, without their reports (journaled).
    pub fn imports(&self, travaux: &Travaux) -> Result<Vec<VueImport>> {
        travaux.expirer(self.le);
        let vues: Vec<VueImport> = {
            let r = travaux.registre();
            r.travaux.iter().rev().filter(|t| t.proprietaire(self.acteur)).filter_map(|t| t.vue_import(false)).collect()
        };
        if !vues.is_empty() {
            self.noter(&[Fait::new(Action::Lister, "import").detail(serde_json::json!({ "imports": vues.len() }))])?;
        }
        Ok(vues)
    }

    /// What a school's exchanges page shows: the school (« introuvable » outside the perimeter)
    /// and the actor's imports into it, without their reports. Journaled: a consultation of the
    /// school's exchanges.
    pub fn echanges(
        &self,
        travaux: &Travaux,
        ecole: &EcoleId,
    ) -> Result<(crate::store::territoires::EcoleResume, Vec<VueImport>)> {
        self.autoriser(Ressource::Echange, Action::Lire)?;
        travaux.expirer(self.le);
        let e = self.store.read(|c| crate::store::territoires::ecole(c, &self.acteur.perimetre, ecole))?;
        let imports: Vec<VueImport> = {
            let r = travaux.registre();
            r.travaux
                .iter()
                .rev()
                .filter(|t| t.proprietaire(self.acteur))
                .filter_map(|t| t.vue_import(false))
                .filter(|v| v.ecole_id == ecole.as_str())
                .collect()
        };
        self.noter(&[Fait::new(Action::Lire, "echange")
            .cible(ecole.to_string())
            .detail(serde_json::json!({ "imports": imports.len() }))])?;
        Ok((e, imports))
    }

    /// One of the actor's imports, with its report once it is over (journaled: the report
    /// names pupils).
    pub fn import(&self, travaux: &Travaux, id: &str) -> Result<VueImport> {
        travaux.expirer(self.le);
        let t = travaux.trouver(self.acteur, id, "import", true)?;
        let v = t.vue_import(true).ok_or(Error::Introuvable("import"))?;
        self.noter(&[Fait::new(Action::Lire, "import").cible(t.id.clone())])?;
        Ok(v)
    }

    /// Cancels one of the actor's imports: waiting, it never runs (its files are freed);
    /// running, it stops after the transaction under way (what was written stays, and the
    /// report says so). Journaled first: a cancellation that cannot be journaled does not
    /// happen.
    pub fn annuler_import(&self, travaux: &Travaux, id: &str) -> Result<VueImport> {
        let t = travaux.trouver(self.acteur, id, "import", true)?;
        self.noter(&[Fait::new(Action::Supprimer, "import").cible(t.id.clone())])?;
        t.annule.store(true, Ordering::Relaxed);
        if t.etat().0 == Etat::EnAttente {
            travaux.registre().imports.retain(|x| x.id != t.id);
            if let Sorte::Import { lecture, .. } = &t.sorte
                && let Ok(mut g) = lecture.lock()
            {
                g.take();
            }
            t.poser(Etat::Annule, None);
        }
        t.vue_import(true).ok_or(Error::Introuvable("import"))
    }

    /// « École Les Tilleuls », « CE2 B — École Les Tilleuls », « Circonscription Rennes Nord ».
    fn libelle_cible(&self, cible: &Cible) -> Result<String> {
        let p = &self.acteur.perimetre;
        Ok(self.store.read(|c| match cible {
            Cible::Ecole(id) => Ok(crate::store::territoires::ecole(c, p, id)?.nom),
            Cible::Classe(id) => {
                let k = crate::store::classes::classe(c, p, id)?;
                let e = crate::store::territoires::ecole(c, p, &k.ecole_id)?;
                Ok(format!("{} — {}", k.libelle, e.nom))
            }
            Cible::Circonscription(id) => {
                let nom = crate::store::territoires::nom_perimetre(
                    c,
                    &crate::domain::Perimetre::Circonscription(id.clone()),
                )?;
                Ok(format!("Circonscription {}", nom.unwrap_or_default()))
            }
            Cible::Eleve(_) => Ok("un élève".to_string()),
            Cible::Inscription(_) => Ok("une inscription".to_string()),
        })?)
    }
}
