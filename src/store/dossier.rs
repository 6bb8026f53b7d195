//! The schooling a pupil had in another installation, brought by a transfer dossier.

use rusqlite::{Connection, params};
use time::Date;

use super::{Result, Vu};
use crate::domain::{AnneeScolaire, EtatScolarite, Niveau, Uai};

/// One year of schooling in another installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScolariteAnterieure {
    /// Year.
    pub annee: AnneeScolaire,
    /// School.
    pub uai: Uai,
    /// School name, as the dossier gives it.
    pub ecole: String,
    /// Niveau.
    pub niveau: Niveau,
    /// State at the end (radié, parti…).
    pub etat: EtatScolarite,
    /// Admitted on.
    pub date_admission: Date,
    /// Left on.
    pub date_sortie: Option<Date>,
}

/// Records one year (a year already recorded for that school is left as it is).
pub fn inserer(c: &Connection, vu: &Vu, s: &ScolariteAnterieure) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO scolarite_anterieure (eleve_id, annee, uai, ecole, niveau, etat, date_admission, date_sortie)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![vu.eleve(), s.annee, s.uai, s.ecole, s.niveau, s.etat, s.date_admission, s.date_sortie])?;
    Ok(())
}

/// The pupil's years in other installations, newest first.
pub fn lister(c: &Connection, vu: &Vu) -> Result<Vec<ScolariteAnterieure>> {
    Ok(c.prepare_cached(
        "SELECT annee, uai, ecole, niveau, etat, date_admission, date_sortie FROM scolarite_anterieure
         WHERE eleve_id = ? ORDER BY annee DESC, date_admission DESC",
    )?
    .query_map([vu.eleve()], |r| {
        Ok(ScolariteAnterieure {
            annee: r.get(0)?,
            uai: r.get(1)?,
            ecole: r.get(2)?,
            niveau: r.get(3)?,
            etat: r.get(4)?,
            date_admission: r.get(5)?,
            date_sortie: r.get(6)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?)
}
