//! The audit journal's rows (the chain itself is computed by `audit`).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Result;

/// One row of the journal, without its MAC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entree {
    /// Sequence number (1, 2, …).
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub le: String,
    /// Account id, or `operateur`.
    pub acteur: String,
    /// Role code.
    pub role: String,
    /// The actor's function, as shown to parents.
    pub fonction: String,
    /// Action code.
    pub action: String,
    /// Resource kind.
    pub ressource: String,
    /// Id of the record.
    pub cible: Option<String>,
    /// The pupil concerned.
    pub eleve_id: Option<String>,
    /// JSON details (never a secret).
    pub detail: Option<String>,
}

/// The last row's sequence number and MAC.
pub fn dernier(c: &Connection) -> Result<Option<(i64, String)>> {
    Ok(c.prepare_cached("SELECT seq, mac FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// The MAC of row `seq`, if the row exists.
pub fn mac_de(c: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT mac FROM journal WHERE seq = ?")?.query_row([seq], |r| r.get(0)).optional()?)
}

/// Appends a row with its MAC.
pub fn inserer(c: &Connection, e: &Entree, mac: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO journal (seq, le, acteur, role, fonction, action, ressource, cible, eleve_id, detail, mac)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        e.seq,
        e.le,
        e.acteur,
        e.role,
        e.fonction,
        e.action,
        e.ressource,
        e.cible,
        e.eleve_id,
        e.detail,
        mac
    ])?;
    Ok(())
}

/// Calls `f` on every row in order, with its stored MAC; stops at the first `false`.
pub fn parcourir(c: &Connection, mut f: impl FnMut(&Entree, &str) -> bool) -> Result<()> {
    let mut stmt = c.prepare(
        "SELECT seq, le, acteur, role, fonction, action, ressource, cible, eleve_id, detail, mac FROM journal ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let e = Entree {
            seq: r.get(0)?,
            le: r.get(1)?,
            acteur: r.get(2)?,
            role: r.get(3)?,
            fonction: r.get(4)?,
            action: r.get(5)?,
            ressource: r.get(6)?,
            cible: r.get(7)?,
            eleve_id: r.get(8)?,
            detail: r.get(9)?,
        };
        let mac: String = r.get(10)?;
        if !f(&e, &mac) {
            break;
        }
    }
    Ok(())
}

/// Whether the triggers that make the journal append-only are in place.
pub fn protections_presentes(c: &Connection) -> Result<bool> {
    let n: i64 = c.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'
         AND name IN ('journal_sans_modification', 'journal_sans_suppression')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 2)
}

/// A consultation of a pupil's record, as a parent sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consultation {
    /// When (RFC 3339).
    pub le: String,
    /// Who, by function (never a name).
    pub fonction: String,
    /// What was done (`lire`, `imprimer`, …).
    pub action: String,
    /// What was accessed (`eleve`, `document`…).
    pub ressource: String,
    /// The document, for prints.
    pub document: Option<String>,
}

/// The accesses to a pupil's record, newest first.
pub fn consultations(c: &Connection, vu: &super::Vu, limite: u32) -> Result<Vec<Consultation>> {
    let eleve_id = vu.eleve().as_str();
    let mut stmt = c.prepare_cached(
        "SELECT le, fonction, action, ressource, json_extract(detail, '$.document') FROM journal
         WHERE eleve_id = ? ORDER BY seq DESC LIMIT ?",
    )?;
    let rows = stmt
        .query_map(params![eleve_id, limite], |r| {
            Ok(Consultation {
                le: r.get(0)?,
                fonction: r.get(1)?,
                action: r.get(2)?,
                ressource: r.get(3)?,
                document: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// How many rows the journal holds.
pub fn compter(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT count(*) FROM journal", [], |r| r.get(0))?)
}

/// Who journaled the radiation of a schooling record, and when (RFC 3339): the latest.
pub fn radiation(c: &Connection, scolarite: &str) -> Result<Option<(String, String)>> {
    Ok(c.prepare_cached(
        "SELECT acteur, le FROM journal WHERE ressource = 'scolarite' AND cible = ? AND action = 'modifier'
         AND json_extract(detail, '$.radiation') IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )?
    .query_row([scolarite], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?)
}
