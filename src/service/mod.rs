//! The use cases: every action, from the API, a page or the CLI, goes through one function
//! here, which checks the policy, reads and writes through the store scoped to the actor's
//! perimeter, journals in the same transaction, and returns what the role may see. HTTP
//! handlers and CLI verbs only translate (docs/architecture.md §1).
//!
//! - [`parcours`]: the way into a school (duplicate search, inscription, admission);
//! - [`scolarite`]: the school year (répartition, passage, départ, radiation, rentrée,
//!   retention);
//! - [`documents`]: what each printed document holds, for a pupil, a class or a school;
//! - [`impression`]: printing (policy, journal) for the server and the CLI;
//! - [`corrections`]: correcting a record, the returned fiche, rectification and opposition;
//! - [`eleves`]: reading, listing and searching pupils, and their consultation log;
//! - [`effectifs`]: the constat des effectifs (campaign, validation, reports);
//! - [`ecoles`]: schools, classes and effectifs;
//! - [`comptes`]: sessions, managed accounts and the département's settings;
//! - [`exploitation`]: the operator's verbs (init, check, backup, public address, purge);
//! - [`projection`]: what a role sees of a record, for the API, the pages and the CLI alike.

pub mod accueil;
pub mod comptes;
pub mod corrections;
pub mod courrier;
pub mod demandes;
pub mod documents;
pub mod dossier;
pub mod ecoles;
pub mod effectifs;
pub mod eleves;
pub mod exploitation;
pub mod idempotence;
pub mod impression;
pub mod onde;
pub mod parcours;
pub mod projection;
pub mod publications;
pub mod scolarite;
pub mod surveillance;
pub mod travaux;
pub mod verifications;
pub mod vue_eleve;

pub use crate::store::requete::Suivi;

/// Runs `f` (on a blocking thread) on behalf of the request `suivi`: the writes of the use
/// cases it calls commit only while the request stands (see `store::requete`).
pub fn pour_la_requete<T>(suivi: std::sync::Arc<Suivi>, f: impl FnOnce() -> T) -> T {
    crate::store::requete::sous(suivi, f)
}

use crate::store::Ecriture as Transaction;
use time::{Date, OffsetDateTime};

use crate::audit::{self, Fait};
use crate::auth::{Acteur, Interdit};
use crate::config::Cles;
use crate::domain::AnneeScolaire;
use crate::domain::parcours::Refus;
use crate::policy::{Action, Champs, Ressource};
use crate::store::parcours::Candidat;
use crate::store::{self, Store, territoires};

/// The use cases for one actor at one instant: every action is a method of it (one file per
/// resource adds its own `impl`).
#[derive(Debug, Clone, Copy)]
pub struct Service<'a> {
    /// The store.
    pub store: &'a Store,
    /// The keys (journal, certificate codes).
    pub cles: &'a Cles,
    /// Who acts.
    pub acteur: &'a Acteur,
    /// When.
    pub le: OffsetDateTime,
}

/// Every failure of a use case, one kind per answer: `http::Error` gives each its status in
/// one place. Nothing was written when a use case fails.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy refuses.
    #[error("{}", .0.message())]
    Interdit(Interdit),
    /// Input refused, each field at fault named.
    #[error(transparent)]
    Invalide(crate::domain::Error),
    /// The transition is not allowed now.
    #[error("{0}")]
    Transition(String),
    /// The record does not exist, or lies outside the actor's perimeter (the same answer).
    #[error("{0} introuvable")]
    Introuvable(&'static str),
    /// The request breaks a rule of the register, or does not apply to its target (a
    /// document for the wrong kind of record…).
    #[error("{0}")]
    Conflit(String),
    /// Possible duplicates: the new pupil is not created until the user chooses.
    #[error("{} élève(s) déjà connu(s) pourrai(en)t être cet enfant : choisissez-en un, ou confirmez qu'il s'agit d'un nouvel élève", .0.len())]
    Doublons(Vec<Candidat>),
    /// The request was given up (its client left, or its time ran out) before anything of it
    /// was committed.
    #[error("demande abandonnée avant d'être enregistrée : rien n'est écrit")]
    Abandonnee,
    /// Accounts: credentials, passwords, links.
    #[error(transparent)]
    Compte(#[from] crate::auth::Error),
    /// A file could not be read or written (CSV, XLSX, a release's files, a print run's file).
    #[error("fichier illisible ou impossible à écrire : {0}")]
    Fichier(std::io::Error),
    /// The print engine failed.
    #[error(transparent)]
    Rendu(#[from] crate::render::Error),
    /// The database failed (SQLite, a stored value altered outside the program, the file).
    #[error(transparent)]
    Stockage(store::Error),
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::Invalide(d) => Error::Invalide(d),
            store::Error::Introuvable(quoi) => Error::Introuvable(quoi),
            store::Error::Conflit(m) => Error::Conflit(m),
            store::Error::Abandonnee => Error::Abandonnee,
            autre => Error::Stockage(autre),
        }
    }
}

impl From<Refus> for Error {
    fn from(r: Refus) -> Self {
        Error::Transition(r.0)
    }
}

impl From<Interdit> for Error {
    fn from(i: Interdit) -> Self {
        Error::Interdit(i)
    }
}

impl From<crate::domain::ChampInvalide> for Error {
    fn from(e: crate::domain::ChampInvalide) -> Self {
        Error::Invalide(e.into())
    }
}

impl From<crate::domain::Error> for Error {
    fn from(e: crate::domain::Error) -> Self {
        Error::Invalide(e)
    }
}

/// Result of the use cases.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A file the service could not write (CSV, XLSX, a release's files).
pub(crate) fn erreur_fichier(e: impl std::fmt::Display) -> Error {
    Error::Fichier(std::io::Error::other(e.to_string()))
}

/// Lines as a `;`-separated CSV file (UTF-8, with a byte-order mark for spreadsheets if asked).
pub(crate) fn csv_octets<L, C>(lignes: impl IntoIterator<Item = L>, bom: bool) -> Result<Vec<u8>>
where
    L: IntoIterator<Item = C>,
    C: AsRef<[u8]>,
{
    let debut = if bom { Vec::from("\u{feff}".as_bytes()) } else { Vec::new() };
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(debut);
    for l in lignes {
        w.write_record(l).map_err(erreur_fichier)?;
    }
    w.into_inner().map_err(erreur_fichier)
}

impl Service<'_> {
    /// Today, in Paris.
    pub(crate) fn today(&self) -> Date {
        self.le.to_offset(crate::clock::paris_offset(self.le)).date()
    }

    /// Asks the policy; returns the fields of a pupil's record the actor may see.
    pub(crate) fn autoriser(&self, r: Ressource, a: Action) -> Result<Champs> {
        Ok(self.acteur.autoriser(r, a, self.le)?)
    }

    /// Journals in the caller's write transaction.
    pub(crate) fn journal(&self, tx: &Transaction<'_>, faits: &[Fait]) -> store::Result<()> {
        audit::ajouter(tx, self.cles, &self.acteur.auteur, self.le, faits)
    }

    /// Journals a read before its data is handed over (fail closed).
    pub(crate) fn noter(&self, faits: &[Fait]) -> Result<()> {
        Ok(audit::noter(self.store, self.cles, &self.acteur.auteur, self.le, faits)?)
    }

    /// The current année scolaire.
    pub(crate) fn annee(&self) -> Result<AnneeScolaire> {
        Ok(self.store.read(territoires::annee_courante)?)
    }

    /// The année asked, or the current one.
    pub(crate) fn annee_ou_courante(&self, annee: Option<AnneeScolaire>) -> Result<AnneeScolaire> {
        annee.map_or_else(|| self.annee(), Ok)
    }
}
