//! Bringing a database's schema up to date at open, safely.
//!
//! - A database whose schema is newer than the program is refused, in French, untouched.
//! - Before migrating an installation's database (one that holds data, its key file beside it;
//!   not a backup or a scratch copy opened on its own), a consistent copy is taken beside it
//!   (`registre.db.avant-schema-18-20261207-023005`, mode 0600, synced to disk): the
//!   operator's way back.
//! - Every pending migration runs in **one** `IMMEDIATE` transaction, with the row of
//!   `mise_a_jour` that records it: one that fails rolls them all back, and the file is as it
//!   was (the copy, useless then, is deleted). The version is read again once the transaction
//!   holds the writer: two processes opening the base at once migrate it once.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::{Error, Result};

/// Applies the migrations of `migrations` the database lacks (its `user_version` counts those
/// applied).
pub(super) fn migrer(conn: &Connection, db: &Path, migrations: &[(&str, &str)]) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let connue = migrations.len() as i64;
    if version > connue {
        return Err(Error::Ouverture(format!(
            "la base {} est au schéma {version}, plus récent que ce programme (schéma {connue}, registre {}) : elle vient d'une version plus récente de registre ; installez-la plutôt que de revenir en arrière (la base n'a pas été modifiée)",
            db.display(),
            env!("CARGO_PKG_VERSION")
        )));
    }
    if version == connue {
        return Ok(());
    }
    let le = time::OffsetDateTime::now_utc();
    // A new database (schema 0) holds nothing to keep.
    let copie = if version > 0 && crate::config::Cles::chemin(db).exists() {
        Some(copier_avant(conn, db, connue, le)?)
    } else {
        None
    };
    let appliquer = || -> std::result::Result<bool, String> {
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| e.to_string())?;
        let actuelle: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0)).map_err(|e| e.to_string())?;
        if actuelle != version {
            // Another process migrated it meanwhile.
            return Ok(false);
        }
        for (name, sql) in migrations.iter().skip(version as usize) {
            tx.execute_batch(sql).map_err(|e| format!("migration {name} : {e}"))?;
        }
        if version > 0 {
            tx.execute(
                "INSERT INTO mise_a_jour (le, de_schema, vers_schema, programme, sauvegarde) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    super::comptes::instant(le),
                    version,
                    connue,
                    env!("CARGO_PKG_VERSION"),
                    copie.as_ref().and_then(|c| c.file_name()).map(|n| n.to_string_lossy().into_owned())
                ],
            )
            .map_err(|e| format!("table mise_a_jour : {e}"))?;
        }
        tx.pragma_update(None, "user_version", connue).map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string()).map(|()| true)
    };
    match appliquer() {
        Ok(true) => {}
        Ok(false) => {
            if let Some(c) = &copie {
                let _ = std::fs::remove_file(c);
            }
            return migrer(conn, db, migrations);
        }
        Err(e) => {
            if let Some(c) = &copie {
                let _ = std::fs::remove_file(c);
            }
            return Err(Error::Ouverture(format!(
                "mise à jour du schéma {version} au schéma {connue} impossible : {e} ; la base {} n'a pas été modifiée",
                db.display()
            )));
        }
    }
    if let Some(c) = copie {
        tracing::info!(
            de = version,
            vers = connue,
            "schéma de la base mis à jour ; copie d'avant la mise à jour : {} (à effacer une fois la mise à jour validée)",
            c.display()
        );
    }
    Ok(())
}

/// A consistent copy of the database before a migration (`VACUUM INTO` a new private file).
fn copier_avant(conn: &Connection, db: &Path, vers: i64, le: time::OffsetDateTime) -> Result<PathBuf> {
    let mut nom = db.as_os_str().to_owned();
    nom.push(format!(".avant-schema-{vers}-{}", crate::clock::horodatage(le)));
    let copie = PathBuf::from(nom);
    crate::config::fichier_prive(&copie, true)
        .map_err(|e| Error::Ouverture(format!("copie d'avant mise à jour {} impossible : {e}", copie.display())))?;
    // SQLite does not sync what VACUUM INTO writes: the copy, then its name in the folder, are
    // on disk before the migration may commit.
    let synchroniser = || -> std::io::Result<()> {
        std::fs::File::open(&copie)?.sync_all()?;
        let dossier = copie.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::File::open(dossier)?.sync_all()
    };
    let r = conn.execute("VACUUM INTO ?1", params![copie.to_string_lossy()]).map_err(|e| e.to_string());
    if let Err(e) = r.and_then(|_| synchroniser().map_err(|e| e.to_string())) {
        let _ = std::fs::remove_file(&copie);
        return Err(Error::Ouverture(format!(
            "copie d'avant mise à jour {} impossible : {e} ; la base n'a pas été modifiée",
            copie.display()
        )));
    }
    Ok(copie)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEUX: &[(&str, &str)] = &[
        ("0001_a", "CREATE TABLE a (x INTEGER) STRICT; INSERT INTO a VALUES (1);"),
        (
            "0002_mises_a_jour",
            "CREATE TABLE mise_a_jour (id INTEGER PRIMARY KEY, le TEXT, de_schema INTEGER, vers_schema INTEGER, programme TEXT, sauvegarde TEXT);",
        ),
    ];

    fn base(dir: &Path, migrations: &[(&str, &str)]) -> PathBuf {
        let db = dir.join("r.db");
        std::fs::write(crate::config::Cles::chemin(&db), b"").unwrap();
        let c = Connection::open(&db).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        migrer(&c, &db, migrations).unwrap();
        db
    }

    fn copies(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.contains("avant-schema"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_upgrade_copies_the_base_first_and_records_itself() {
        let dir = tempfile::tempdir().unwrap();
        let db = base(dir.path(), &DEUX[..1]);
        assert!(copies(dir.path()).is_empty(), "a new base is not copied");
        let c = Connection::open(&db).unwrap();
        migrer(&c, &db, DEUX).unwrap();
        let v: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, 2);
        let faites = copies(dir.path());
        assert_eq!(faites.len(), 1, "{faites:?}");
        let (de, vers, copie): (i64, i64, String) = c
            .query_row("SELECT de_schema, vers_schema, sauvegarde FROM mise_a_jour", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!((de, vers, copie), (1, 2, faites[0].clone()));
        let ancienne = Connection::open(dir.path().join(&faites[0])).unwrap();
        let v: i64 = ancienne.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, 1, "the copy is the base before the upgrade");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(&faites[0])).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_base_without_its_key_file_beside_it_is_migrated_without_a_copy() {
        let dir = tempfile::tempdir().unwrap();
        let db = base(dir.path(), &DEUX[..1]);
        std::fs::remove_file(crate::config::Cles::chemin(&db)).unwrap();
        let c = Connection::open(&db).unwrap();
        migrer(&c, &db, DEUX).unwrap();
        assert!(copies(dir.path()).is_empty(), "a backup or a scratch copy is not copied again");
    }

    #[test]
    fn a_failing_migration_rolls_every_one_back_and_a_newer_base_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = base(dir.path(), &DEUX[..1]);
        let avant = std::fs::read(&db).unwrap();
        let cassee: Vec<(&str, &str)> =
            vec![DEUX[0], DEUX[1], ("0003_cassee", "CREATE TABLE b (y INTEGER); INSERT INTO nulle_part VALUES (1);")];
        let c = Connection::open(&db).unwrap();
        let e = migrer(&c, &db, &cassee).unwrap_err().to_string();
        assert!(e.contains("0003_cassee") && e.contains("n'a pas été modifiée"), "{e}");
        let v: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, 1, "0002, which passed, is rolled back with 0003");
        let tables: i64 = c
            .query_row("SELECT count(*) FROM sqlite_schema WHERE name IN ('b', 'mise_a_jour')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
        drop(c);
        assert_eq!(std::fs::read(&db).unwrap(), avant, "the file is as it was");
        assert!(copies(dir.path()).is_empty(), "the useless copy is deleted");
        let c = Connection::open(&db).unwrap();
        let e = migrer(&c, &db, &[]).unwrap_err().to_string();
        assert!(e.contains("plus récent que ce programme"), "{e}");
    }
}
