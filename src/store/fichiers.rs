//! The database's files beside the base: copying a base through SQLite, deleting one with
//! its companions (overwritten first), and the lock files that keep a server, the commands
//! and a restore from stepping on each other.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{Error, Result};

/// Copies a database file through SQLite (its WAL included, if the copy is a live base rather
/// than a backup) into `vers`, which must exist, empty and private.
pub fn copier_base(de: &Path, vers: &Path) -> Result<()> {
    let src = Connection::open_with_flags(de, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| Error::Ouverture(format!("impossible d'ouvrir {} : {e}", de.display())))?;
    let quick: String = src
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| Error::Ouverture(format!("{} n'est pas une base lisible : {e}", de.display())))?;
    if quick != "ok" {
        return Err(Error::Ouverture(format!("{} est endommagée : {quick}", de.display())));
    }
    src.backup(rusqlite::MAIN_DB, vers, None::<fn(rusqlite::backup::Progress)>)?;
    Ok(())
}

/// A read-only SQLite URI for `path` (`file:…?mode=ro`, every byte but the plain ones
/// percent-encoded).
pub(super) fn uri_lecture(path: &Path) -> String {
    let mut s = String::from("file:");
    for b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_') {
            s.push(char::from(*b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s.push_str("?mode=ro");
    s
}

/// Deletes a database file made by [`Store::copie_privee`] and everything beside it that bears
/// its name (`-wal`, `-shm`, `.acces`, `.ancre`…), each overwritten with zeros first: the
/// pupils' data it held does not stay in the blocks the file frees. The store must be closed
/// (dropped) first.
pub fn supprimer_base(db: &Path) {
    let (Some(dossier), Some(nom)) = (db.parent(), db.file_name()) else { return };
    let nom = nom.to_string_lossy().into_owned();
    if let Ok(entrees) = std::fs::read_dir(dossier) {
        for e in entrees.flatten() {
            if e.file_name().to_string_lossy().starts_with(&nom) {
                effacer(&e.path());
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Overwrites a file with zeros, to the disk.
pub(super) fn effacer(chemin: &Path) {
    use std::io::Write;
    let Ok(m) = std::fs::symlink_metadata(chemin) else { return };
    if !m.is_file() {
        return;
    }
    let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(chemin) else { return };
    let zeros = vec![0u8; 1 << 20];
    let mut reste = m.len();
    while reste > 0 {
        let n = reste.min(zeros.len() as u64) as usize;
        if f.write_all(&zeros[..n]).is_err() {
            return;
        }
        reste -= n as u64;
    }
    let _ = f.sync_all();
}

pub(super) fn fichier_verrou(db: &Path, suffixe: &str) -> Result<std::fs::File> {
    let mut s = db.as_os_str().to_owned();
    s.push(suffixe);
    let chemin = PathBuf::from(s);
    let mut o = std::fs::OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(&chemin).map_err(|e| Error::Ouverture(format!("verrou {} : {e}", chemin.display())))
}

/// Locks, held as long as their files are open and released by the system however the process
/// ends (a crash included): every open base holds `<base>.acces` shared, a server also holds
/// `<base>.verrou` alone, and a restore holds both alone.
#[derive(Debug)]
pub struct Verrou {
    _fichiers: Vec<std::fs::File>,
}

pub(super) fn prendre(
    db: &Path,
    suffixe: &str,
    exclusif: bool,
    occupe: impl FnOnce() -> String,
) -> Result<std::fs::File> {
    let f = fichier_verrou(db, suffixe)?;
    let r = if exclusif { f.try_lock() } else { f.try_lock_shared() };
    match r {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Ouverture(occupe())),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::Ouverture(format!("verrou de {} : {e}", db.display()))),
    }
}

pub(super) fn acces_partage(db: &Path) -> Result<std::fs::File> {
    prendre(db, ".acces", false, || {
        format!("la base {} est en cours de restauration : réessayez ensuite", db.display())
    })
}

/// The server's lock: one server per base.
pub fn verrouiller(db: &Path) -> Result<Verrou> {
    let f = prendre(db, ".verrou", true, || {
        format!("un autre serveur utilise déjà la base {} : arrêtez-le d'abord", db.display())
    })?;
    Ok(Verrou { _fichiers: vec![f] })
}

/// The restore's lock: no server, no command on the base meanwhile.
pub fn verrouiller_restauration(db: &Path) -> Result<Verrou> {
    let occupe = || {
        format!(
            "la base {} est utilisée par un serveur en marche ou une commande en cours : arrêtez-les d'abord",
            db.display()
        )
    };
    let serveur = prendre(db, ".verrou", true, occupe)?;
    let acces = prendre(db, ".acces", true, occupe)?;
    Ok(Verrou { _fichiers: vec![serveur, acces] })
}
