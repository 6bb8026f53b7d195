//! A private copy of the base for a long dry run, made without the writer.

use std::path::Path;

use rusqlite::Connection;

use super::connexion::francais;
use super::{Error, MIGRATIONS, Result, Store, ancre, migrations, uri_lecture};

impl Store {
    /// A private copy of this base at `dest` (which must not exist, in a folder only the
    /// server reads): every table but the journal and the secrets of sign-in (sessions,
    /// tokens, recovery codes, failures, idempotency keys), read in one consistent snapshot
    /// through a connection of its own, without ever taking the writer. A dry run works on it
    /// exactly as the real run would on the base, and nobody else sees it; the caller deletes
    /// it ([`supprimer_base`]).
    pub fn copie_privee(&self, dest: &Path) -> Result<Store> {
        if dest.exists() {
            return Err(Error::Ouverture(format!("{} existe déjà", dest.display())));
        }
        {
            let c = Connection::open(dest)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| Error::Ouverture(format!("permissions de {} : {e}", dest.display())))?;
            }
            // A scratch file: no journal of its own, no waiting for the disk.
            c.pragma_update(None, "journal_mode", "OFF")?;
            c.pragma_update(None, "synchronous", "OFF")?;
            // Tables are copied in the order they were created, and a column added later may
            // point to a table created after its own (`scolarite.inscription_id`): the source is
            // consistent, its rows are taken as they are.
            c.pragma_update(None, "foreign_keys", "OFF")?;
            francais(&c)?;
            migrations::migrer(&c, dest, MIGRATIONS)?;
            c.execute("ATTACH DATABASE ?1 AS source", [uri_lecture(&self.path)])?;
            // Plain tables only: the search index (a virtual table and its shadow tables) is
            // filled by the copy's own triggers as the pupils arrive.
            let tables: Vec<String> = c
                .prepare(
                    "SELECT name FROM pragma_table_list WHERE schema = 'source' AND type = 'table'
                     AND name NOT LIKE 'sqlite_%'
                     AND name NOT IN ('journal', 'session', 'jeton', 'code_secours', 'echec_connexion', 'idempotence')
                     ORDER BY (SELECT rowid FROM source.sqlite_schema s WHERE s.name = pragma_table_list.name)",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // One read transaction over the source: every table from the same instant.
            c.execute_batch("BEGIN")?;
            for t in &tables {
                c.execute(&format!("INSERT INTO main.\"{t}\" SELECT * FROM source.\"{t}\""), [])?;
            }
            c.execute_batch("COMMIT")?;
            c.execute("DETACH DATABASE source", [])?;
            // The copy's journal starts empty, anchored there.
            let a = ancre::fin(&c)?;
            ancre::ecrire(&ancre::chemin(dest), &a)
                .map_err(|e| Error::Ouverture(format!("point de contrôle de la copie : {e}")))?;
        }
        Store::open(dest)
    }
}
