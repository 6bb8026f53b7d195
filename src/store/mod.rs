//! The record store: the only place with SQL.
//!
//! SQLite through rusqlite (bundled): WAL, `synchronous=FULL`, foreign keys, a busy timeout;
//! one writer connection whose transactions begin `IMMEDIATE`, and a pool of read-only
//! readers. A write is acknowledged only after COMMIT. Migrations from `schema/` run at open,
//! tracked by `PRAGMA user_version`; a released migration never changes.

pub mod ancre;
pub mod classes;
pub mod comptes;
mod connexion;
pub mod conservation;
pub mod constat;
mod copie;
pub mod corrections;
pub mod dossier;
pub mod doublons;
pub mod eleves;
pub mod exploitation;
mod fichiers;
mod groupe;
pub mod idempotence;
pub mod identites;
pub mod journal;
mod lecture;
mod migrations;
pub mod onde;
pub mod parcours;
pub mod perimetre;
pub mod prevision;
pub mod publications;
pub mod registre;
pub mod requete;
mod sql;
pub mod statistiques;
pub mod tableau;
pub mod territoires;
pub mod verifications;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::domain;

use connexion::configure;
use fichiers::*;
pub use fichiers::{Verrou, copier_base, supprimer_base, verrouiller, verrouiller_restauration};

/// The migrations, in order; the index + 1 is the `user_version` after applying it.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_registre", include_str!("../../schema/0001_registre.sql")),
    ("0002_comptes_journal", include_str!("../../schema/0002_comptes_journal.sql")),
    ("0003_cycle_de_vie", include_str!("../../schema/0003_cycle_de_vie.sql")),
    ("0004_inscription_origine", include_str!("../../schema/0004_inscription_origine.sql")),
    ("0005_certificat_sceau", include_str!("../../schema/0005_certificat_sceau.sql")),
    ("0006_corrections", include_str!("../../schema/0006_corrections.sql")),
    ("0007_constat", include_str!("../../schema/0007_constat.sql")),
    ("0008_publications", include_str!("../../schema/0008_publications.sql")),
    ("0009_prevision", include_str!("../../schema/0009_prevision.sql")),
    ("0010_dossier_transfert", include_str!("../../schema/0010_dossier_transfert.sql")),
    ("0011_journal_scolarite", include_str!("../../schema/0011_journal_scolarite.sql")),
    ("0012_idempotence", include_str!("../../schema/0012_idempotence.sql")),
    ("0013_sortie_seul", include_str!("../../schema/0013_sortie_seul.sql")),
    ("0014_recherche", include_str!("../../schema/0014_recherche.sql")),
    ("0015_certificat_original", include_str!("../../schema/0015_certificat_original.sql")),
    ("0016_identites", include_str!("../../schema/0016_identites.sql")),
    ("0017_verification", include_str!("../../schema/0017_verification.sql")),
    ("0018_mises_a_jour", include_str!("../../schema/0018_mises_a_jour.sql")),
];

/// How many read-only connections the pool holds.
const READERS: usize = 4;

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("erreur de la base de données : {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Input refused by a domain rule (nothing was written).
    #[error(transparent)]
    Invalide(#[from] domain::Error),
    /// The record does not exist (or is outside the actor's perimeter: the same answer).
    #[error("{0} introuvable")]
    Introuvable(&'static str),
    /// A write would break a rule of the register (duplicate UAI, class of another school…).
    #[error("{0}")]
    Conflit(String),
    /// The database file is missing, unreadable, or newer than this program.
    #[error("{0}")]
    Ouverture(String),
    /// A stored value no longer satisfies its rule: the file was altered outside the program.
    #[error("valeur stockée invalide ({0}) : la base a été modifiée hors du programme")]
    Corrompue(String),
    /// The request was given up (its client left, or its time ran out) before anything of it
    /// was committed: nothing was written.
    #[error("demande abandonnée avant d'être enregistrée : rien n'est écrit")]
    Abandonnee,
    /// A write that ran in a transaction shared with others ([`Store::ecrire_groupe`]) failed.
    #[error("écriture refusée : {0}")]
    Groupe(String),
}

/// Result of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Proof that a pupil was found within an actor's perimeter: only the store's scoped reads
/// make one (its field is private to the store), and the store's reads of a pupil's data by
/// id take it rather than a bare id, so an unscoped lookup cannot be written outside the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vu(crate::domain::EleveId);

impl Vu {
    /// Made by the store's scoped reads only.
    pub(in crate::store) fn new(id: crate::domain::EleveId) -> Self {
        Self(id)
    }

    /// The pupil.
    pub fn eleve(&self) -> &crate::domain::EleveId {
        &self.0
    }
}

/// A connection to read through (the store's readers, or the writer within a transaction):
/// callers outside the store name it, and only the store's functions use it.
pub type Lecture = Connection;

/// A write transaction, as the store hands it to [`Store::write`] closures.
pub type Ecriture<'a> = Transaction<'a>;

/// The store of one installation: one SQLite file.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Writes waiting for the writer: long work lets them pass between its transactions.
    en_attente: AtomicUsize,
    /// Locked only while the writer is held (writer first): the journal's anchor.
    ancrage: Mutex<ancre::Ancrage>,
    readers: Mutex<Vec<Connection>>,
    available: Condvar,
    /// Read and write transactions begun (see [`Store::transactions`]).
    lectures: std::sync::atomic::AtomicU64,
    ecritures: std::sync::atomic::AtomicU64,
    /// The checkpointer (see [`Checkpointeur`]), stopped and joined when the store closes.
    checkpointeur: Mutex<Option<Checkpointeur>>,
    /// Short writes waiting to share a transaction ([`Store::ecrire_groupe`]).
    groupe: groupe::File,
    /// `<base>.acces`, shared: a restore waits for every open base to close. Last, so that it
    /// is released after every connection is closed.
    _acces: std::fs::File,
}

impl Drop for Store {
    fn drop(&mut self) {
        // The checkpointer's connection is closed before the store is gone.
        if let Some(c) = lock(&self.checkpointeur).take() {
            drop(c.signal);
            let _ = c.fil.join();
        }
    }
}

/// How long a connection waits for a lock another connection holds.
const ATTENTE_ECRIVAIN: Duration = Duration::from_millis(5000);

/// From this size of WAL, [`Store::checkpoint`] copies it back beside the writes before it
/// takes the writer to truncate it (the WAL grows this large after many writes without a
/// truncation: a long read that held it back, an import's commits).
const WAL_COPIE_A_PART: u64 = 1 << 20;

/// Copies the WAL back into the database on its own thread and its own connection, never
/// holding the writer: with SQLite's automatic checkpoint, the commit that crosses 1,000 pages
/// copies them and syncs the file while the writer is held, and every other write of the
/// département waits (up to a second on this disk during an import). A passive checkpoint
/// runs beside the writer and takes no lock a write needs; at most one every half second.
/// When old values must leave the WAL ([`Store::checkpoint`]) and readers prevented it, the
/// checkpointer truncates the WAL as soon as it can, trying every second: each attempt copies
/// back what it can beside the writes first, then waits at most 20 ms for the readers while it
/// holds new writes back, and copies what is left. The thread ends with the store.
struct Checkpointeur {
    signal: std::sync::mpsc::Sender<()>,
    fil: std::thread::JoinHandle<()>,
    /// Its connection, also taken by [`Store::checkpoint`] so a passive checkpoint never runs
    /// beside a truncation.
    conn: std::sync::Arc<Mutex<Connection>>,
    /// A truncation is owed.
    a_tronquer: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Checkpointeur {
    /// Starts the checkpointer of the base `path`; commits send it a signal.
    fn demarrer(path: &Path) -> Result<Self> {
        let (signal, rx) = std::sync::mpsc::channel::<()>();
        let conn = Connection::open(path)?;
        configure(&conn)?;
        conn.busy_timeout(Duration::from_millis(20))?;
        let conn = std::sync::Arc::new(Mutex::new(conn));
        let a_tronquer = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (c, t) = (conn.clone(), a_tronquer.clone());
        let fil = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                let mut dernier = Instant::now() - Duration::from_secs(1);
                let mut derniere_troncature = Instant::now() - Duration::from_secs(1);
                loop {
                    let commit = match rx.recv_timeout(Duration::from_secs(1)) {
                        Ok(()) => true,
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => false,
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                    };
                    if t.load(Ordering::Acquire) {
                        // At most once a second: each attempt holds new writes back while it waits.
                        if derniere_troncature.elapsed() >= Duration::from_secs(1) {
                            derniere_troncature = Instant::now();
                            let c = lock(&c);
                            // What a long read held back is copied first beside the writes (a
                            // truncation holds new writes back while it copies).
                            let _ = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                            let occupe: i64 =
                                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0)).unwrap_or(1);
                            if occupe == 0 {
                                t.store(false, Ordering::Release);
                            }
                        }
                    } else if commit && dernier.elapsed() >= Duration::from_millis(500) {
                        // Commits close together make one checkpoint.
                        std::thread::sleep(Duration::from_millis(20));
                        while rx.try_recv().is_ok() {}
                        let _ = lock(&c).query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                        dernier = Instant::now();
                    }
                }
            })
            .map_err(|e| Error::Ouverture(format!("fil des checkpoints : {e}")))?;
        Ok(Self { signal, fil, conn, a_tronquer })
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `path`, creating it if absent, and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let acces = acces_partage(path)?;
        let nouveau = !path.exists();
        let writer = Connection::open(path)
            .map_err(|e| Error::Ouverture(format!("impossible d'ouvrir la base {} : {e}", path.display())))?;
        if nouveau {
            // Personal data: readable by the server's account only (SQLite gives the WAL and
            // shared-memory files the same permissions).
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| Error::Ouverture(format!("permissions de {} : {e}", path.display())))?;
            }
        }
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        // Checkpoints run on their own thread (see `Checkpointeur`), never within a commit.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        migrations::migrer(&writer, path, MIGRATIONS)?;
        let ancrage = ancre::Ancrage::ouvrir(&writer, path, nouveau)?;
        let checkpointeur = Checkpointeur::demarrer(path)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(ouvrir_lecteur(path)?);
        }
        Ok(Self {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            en_attente: AtomicUsize::new(0),
            ancrage: Mutex::new(ancrage),
            readers: Mutex::new(readers),
            available: Condvar::new(),
            lectures: Default::default(),
            ecritures: Default::default(),
            checkpointeur: Mutex::new(Some(checkpointeur)),
            groupe: groupe::File::default(),
            _acces: acces,
        })
    }

    /// Opens an existing database; refuses to create one (every verb but `init` and `demo`).
    pub fn open_existing(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::Ouverture(format!(
                "la base {} n'existe pas (créez-la avec « registre init » ou « registre demo »)",
                path.display()
            )));
        }
        Self::open(path)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in an IMMEDIATE transaction on the writer; commits if `f` succeeds, rolls back
    /// on any error (nothing is written). `E` is the caller's error type (a service's refusals
    /// are not store errors).
    ///
    /// On behalf of a request ([`requete`]): a request given up does not begin, and one given
    /// up meanwhile rolls back instead of committing ([`Error::Abandonnee`]); the first commit
    /// of a request sent with an idempotency key records the key in the same transaction.
    pub fn ecrire<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.ecrire_pour(true, f)
    }

    /// [`Store::ecrire`]; `requete`: whether the current request's abandonment and idempotency
    /// key apply (not to a transaction shared by several requests, [`Store::ecrire_groupe`]).
    fn ecrire_pour<T, E: From<Error>>(
        &self,
        requete: bool,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        debug_assert!(self.lecture_en_cours().is_none(), "une écriture dans une transaction de lecture");
        let mut conn = self.prendre_ecrivain();
        if requete && requete::abandonnee() {
            return Err(Error::Abandonnee.into());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Error::from)?;
        self.ecritures.fetch_add(1, Ordering::Relaxed);
        let value = f(&tx)?;
        let cle = if requete { requete::cle_a_enregistrer() } else { None };
        if let Some(k) = &cle {
            idempotence::reserver(&tx, k)?;
        }
        // The last moment a request given up can still leave nothing behind.
        if requete && !requete::engager() {
            drop(tx);
            return Err(Error::Abandonnee.into());
        }
        tx.commit().map_err(Error::from)?;
        if cle.is_some() {
            requete::cle_enregistree();
        }
        lock(&self.ancrage).apres_commit(&conn);
        drop(conn);
        if let Some(c) = lock(&self.checkpointeur).as_ref() {
            let _ = c.signal.send(());
        }
        Ok(value)
    }

    /// The writer, counted among the waiting writes until it is ours.
    fn prendre_ecrivain(&self) -> MutexGuard<'_, Connection> {
        let debut = Instant::now();
        self.en_attente.fetch_add(1, Ordering::AcqRel);
        let conn = lock(&self.writer);
        self.en_attente.fetch_sub(1, Ordering::AcqRel);
        crate::mesures::mesures().attente_ecrivain(debut.elapsed());
        conn
    }

    /// Between two transactions of long work (an import): lets the writes waiting for the
    /// writer go first, for at most `au_plus`. A plain mutex would hand the writer straight
    /// back to the thread that just released it.
    pub fn ceder(&self, au_plus: Duration) {
        let debut = Instant::now();
        while self.en_attente.load(Ordering::Acquire) > 0 && debut.elapsed() < au_plus {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Runs `f` in an IMMEDIATE transaction and always rolls it back: a dry run sees exactly
    /// what the real run would do, and nothing is written.
    pub fn essayer<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let mut conn = self.prendre_ecrivain();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(Error::from)?;
        let value = f(&tx);
        tx.rollback().map_err(Error::from)?;
        value
    }

    /// How the journal stands against its anchor file (`registre check`).
    pub fn etat_ancre(&self) -> Result<ancre::EtatAncre> {
        let path = ancre::chemin(&self.path);
        self.read(|c| ancre::etat(c, &path))
    }

    /// The anchor file of this database.
    pub fn chemin_ancre(&self) -> PathBuf {
        ancre::chemin(&self.path)
    }

    /// Anchors the journal at its current end and maintains the anchor from now on: for an
    /// operator who has verified the chain (`registre check --reancrer`) after losing the
    /// anchor file or upgrading a database that had none.
    pub fn reancrer(&self) -> Result<ancre::Ancre> {
        let conn = self.prendre_ecrivain();
        let a = ancre::fin(&conn)?;
        let mut ancrage = lock(&self.ancrage);
        ancre::ecrire(&ancrage.path, &a)
            .map_err(|e| Error::Ouverture(format!("écriture de {} : {e}", ancrage.path.display())))?;
        ancrage.derniere = Some(a.clone());
        ancrage.probleme = None;
        Ok(a)
    }

    /// What was wrong with the journal's anchor when the store opened (the server does not
    /// start over it), if anything.
    pub fn probleme_ancre(&self) -> Option<String> {
        lock(&self.ancrage).probleme.clone()
    }

    /// Whether the database answers (health checks).
    pub fn ping(&self) -> Result<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())?))
    }

    /// `PRAGMA quick_check`: the problems found, empty when sound.
    pub fn quick_check(&self) -> Result<Vec<String>> {
        self.read(|c| pragma_messages(c, "PRAGMA quick_check"))
    }

    /// Full integrity check: SQLite's structure, foreign keys, and the domain rules of stored
    /// values (UAI keys, INE shapes, niveaux…). Returns the problems found, empty when sound.
    pub fn check(&self) -> Result<Vec<String>> {
        self.read(|c| {
            let mut problems = pragma_messages(c, "PRAGMA integrity_check")?;
            let mut stmt = c.prepare("PRAGMA foreign_key_check")?;
            let fk: Vec<String> = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "clé étrangère rompue : table {} ligne {} → {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            problems.extend(fk);
            let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if version != MIGRATIONS.len() as i64 {
                problems.push(format!("version du schéma {version}, attendue {}", MIGRATIONS.len()));
            }
            problems.extend(territoires::check_values(c)?);
            problems.extend(eleves::check_values(c)?);
            Ok(problems)
        })
    }

    /// Writes the WAL into the database and truncates it, so deleted content leaves no copy
    /// behind in the WAL file (after a purge, a correction). Returns false when a reader held
    /// an older snapshot and the WAL could not be truncated now: the checkpointer then truncates
    /// it as soon as the readers let it (see [`Checkpointeur`]).
    pub fn checkpoint(&self) -> Result<bool> {
        // The checkpointer's connection and flag, without keeping the store's lock meanwhile.
        let fil = lock(&self.checkpointeur).as_ref().map(|c| (c.conn.clone(), c.a_tronquer.clone()));
        // No passive checkpoint of the checkpointer beside this one. When the WAL has grown
        // (a long read held its truncation back), what it holds is copied back first, beside
        // the writes: a truncation holds them back while it copies. Then, the writer taken like
        // any write (an import lets it pass between two of its transactions), what is left is
        // copied and the WAL truncated.
        let exclusif = fil.as_ref().map(|(c, _)| lock(c));
        let (_, wal) = self.fichiers();
        let grand = std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_COPIE_A_PART);
        if let Some(c) = exclusif.as_ref().filter(|_| grand) {
            let _ = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        }
        let resultat = (|| -> Result<i64> {
            let conn = self.prendre_ecrivain();
            // A truncation waits for the readers of older snapshots (a backup, a dry run's
            // copy): never long while the writer is held.
            conn.busy_timeout(Duration::from_millis(20))?;
            let occupe = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
            conn.busy_timeout(ATTENTE_ECRIVAIN)?;
            match occupe {
                Ok(o) => Ok(o),
                Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => Ok(1),
                Err(e) => Err(e.into()),
            }
        })();
        drop(exclusif);
        // Not done now, for whatever reason: the checkpointer owes it; done: nothing is owed.
        if let Some((_, a_tronquer)) = &fil {
            a_tronquer.store(!matches!(resultat, Ok(0)), Ordering::Release);
        }
        Ok(resultat? == 0)
    }

    /// An online, consistent copy of the database into `dest` (SQLite backup API).
    pub fn backup(&self, dest: &Path) -> Result<()> {
        self.read(|c| {
            c.backup(rusqlite::MAIN_DB, dest, None::<fn(rusqlite::backup::Progress)>)?;
            Ok(())
        })?;
        // The copy's own anchor, at the copy's end of journal. Read-write, so that closing it
        // removes its WAL and shared-memory files (a read-only connection leaves them).
        let copy = Connection::open(dest)?;
        let a = ancre::fin(&copy)?;
        ancre::ecrire(&ancre::chemin(dest), &a)
            .map_err(|e| Error::Ouverture(format!("écriture du point de contrôle de la copie : {e}")))
    }
}

/// Runs `f` inside a savepoint of the transaction: if it fails, what it wrote is undone and
/// the rest of the transaction goes on (one line of an import).
pub fn point_de_reprise<T, E: From<Error>>(
    tx: &Transaction<'_>,
    f: impl FnOnce() -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    tx.execute_batch("SAVEPOINT reprise").map_err(Error::from)?;
    match f() {
        Ok(v) => {
            tx.execute_batch("RELEASE reprise").map_err(Error::from)?;
            Ok(v)
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO reprise; RELEASE reprise").map_err(Error::from)?;
            Err(e)
        }
    }
}

/// A read-only connection of the pool.
fn ouvrir_lecteur(path: &Path) -> Result<Connection> {
    let r = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
    )?;
    configure(&r)?;
    r.pragma_update(None, "query_only", "ON")?;
    // Readers map the file: a page is read from the system's cache without a copy through a
    // system call (a search of a circonscription touches thousands of pages).
    r.pragma_update(None, "mmap_size", LECTURE_MMAP)?;
    Ok(r)
}

/// How much of the file each reader maps (address space, not memory: the pages are the system's
/// cache, shared).
const LECTURE_MMAP: i64 = 1 << 30;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn pragma_messages(c: &Connection, pragma: &str) -> Result<Vec<String>> {
    let mut stmt = c.prepare(pragma)?;
    let rows: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().filter(|m| m != "ok").collect())
}

/// The schema version (`user_version`).
pub fn version_schema(c: &Connection) -> Result<i64> {
    Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// The tables and columns of the schema, for the review test of what may be stored.
pub fn columns(conn: &Connection) -> Result<Vec<(String, String)>> {
    // Tables and virtual tables; not the shadow tables an index keeps for itself.
    let mut tables = conn.prepare(
        "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual')
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names: Vec<String> = tables.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for t in names {
        let mut cols = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
        let cs: Vec<String> = cols.query_map([&t], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        out.extend(cs.into_iter().map(|c| (t.clone(), c)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_within_a_read_transaction_see_the_base_at_one_instant() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("l.db")).unwrap();
        let compter =
            |c: &Connection| -> Result<i64> { Ok(c.query_row("SELECT count(*) FROM parametre", [], |r| r.get(0))?) };
        let (avant, pendant, dedans, apres) = store
            .lire::<_, Error>(|c| {
                let avant = compter(c)?;
                // Written meanwhile, by another thread: unseen until the transaction ends.
                std::thread::scope(|s| {
                    s.spawn(|| {
                        store.ecrire::<_, Error>(|tx| {
                            Ok(tx.execute("INSERT INTO parametre (cle, valeur) VALUES ('essai', 'x')", [])?)
                        })
                    })
                    .join()
                    .unwrap()
                })?;
                let dedans = store.read(compter)?;
                Ok((avant, compter(c)?, dedans, ()))
            })
            .map(|(a, p, d, ())| (a, p, d, store.read(compter).unwrap()))
            .unwrap();
        assert_eq!((pendant, dedans), (avant, avant), "a nested read joins the transaction");
        assert_eq!(apres, avant + 1);
        let (lectures, ecritures) = store.transactions();
        assert!(lectures >= 2 && ecritures >= 1);
    }

    #[test]
    fn a_panicking_read_gives_its_connection_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("p.db")).unwrap();
        for _ in 0..READERS + 2 {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.read::<()>(|_| panic!("lecture qui échoue"))
            }));
            assert!(r.is_err());
            // Within a read transaction, and within a read that joins one.
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.lire::<(), Error>(|_| panic!("transaction de lecture qui échoue"))
            }));
            assert!(r.is_err());
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.lire::<(), Error>(|_| store.read(|_| panic!("lecture jointe qui échoue")))
            }));
            assert!(r.is_err());
        }
        // Every reader is back: as many reads at once as the pool holds succeed.
        let barrier = std::sync::Barrier::new(READERS);
        std::thread::scope(|s| {
            for _ in 0..READERS {
                s.spawn(|| {
                    store
                        .read(|c| {
                            barrier.wait();
                            Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?)
                        })
                        .unwrap()
                });
            }
        });
    }
}
