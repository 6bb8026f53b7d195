//! How every connection of the store is set up: waiting for the writer, foreign keys,
//! durability, erasure, statement cache, and French order.

use rusqlite::Connection;

use super::ATTENTE_ECRIVAIN;

pub(super) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(ATTENTE_ECRIVAIN)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Deleted records leave no trace in the file (retention, docs/domaine.md §4).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    francais(conn)
}

/// What every connection needs to order in French: the collation (`ORDER BY x COLLATE FR`)
/// and the sort key of a pupil's names (`cle_tri_noms(nom, prenoms)`, written by the triggers
/// of schema/0014_recherche.sql into `eleve.cle_tri`).
pub(super) fn francais(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_collation(crate::domain::tri::COLLATION, crate::domain::tri::comparer)?;
    conn.create_scalar_function(
        "cle_tri_noms",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let nom: String = ctx.get(0)?;
            let prenoms: String = ctx.get(1)?;
            Ok(crate::domain::tri::cle_noms(&nom, &prenoms))
        },
    )
}
