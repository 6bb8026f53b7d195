//! Retention (docs/domaine.md §4): who is due for erasure, erasing them and what they leave
//! behind, and the yearly records of past years.

use rusqlite::{Connection, params};
use time::Date;

use super::Result;
use crate::domain::{AnneeScolaire, EleveId};

/// Pupils whose retention ended before `le`, never one who attends a school: left primary
/// school in a year before `le`'s, or, attending nowhere, 11 years old in a year before `le`'s (*(design)* the age of leaving
/// primary school, for children registered but schooled elsewhere or whose inscription was
/// cancelled).
pub fn a_effacer(c: &Connection, le: Date) -> Result<Vec<super::Vu>> {
    let annee = le.year();
    Ok(c.prepare_cached(
        "SELECT id FROM eleve WHERE
           NOT EXISTS (SELECT 1 FROM scolarite s WHERE s.eleve_id = eleve.id AND s.etat IN ('admis_provisoire', 'admis_definitif'))
           AND ((sortie_premier_degre IS NOT NULL AND CAST(substr(sortie_premier_degre, 1, 4) AS INTEGER) < ?1)
                OR CAST(substr(date_naissance, 1, 4) AS INTEGER) + 11 < ?1)
         ORDER BY id",
    )?
    .query_map([annee], |r| r.get::<_, EleveId>(0).map(super::Vu::new))?
    .collect::<rusqlite::Result<_>>()?)
}

/// Erases a pupil and everything about them (cascades), and the responsables left without a
/// pupil. `secure_delete` overwrites the freed content.
pub fn effacer(c: &Connection, vu: &super::Vu) -> Result<()> {
    let eleve = vu.eleve();
    let responsables: Vec<String> = c
        .prepare_cached("SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ?")?
        .query_map([eleve], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    c.prepare_cached("DELETE FROM scolarite WHERE eleve_id = ?")?.execute([eleve])?;
    c.prepare_cached("DELETE FROM eleve WHERE id = ?")?.execute([eleve])?;
    for r in responsables {
        c.prepare_cached(
            "DELETE FROM responsable WHERE id = ? AND NOT EXISTS (SELECT 1 FROM eleve_responsable WHERE responsable_id = ?)
             AND NOT EXISTS (SELECT 1 FROM compte WHERE perimetre_genre = 'responsable' AND perimetre_id = ?)",
        )?
        .execute(params![r, r, r])?;
    }
    Ok(())
}

/// The accounts of responsables who no longer have any pupil: disabled and erased with them.
pub fn comptes_orphelins(c: &Connection) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM compte WHERE perimetre_genre = 'responsable'
         AND NOT EXISTS (SELECT 1 FROM eleve_responsable er WHERE er.responsable_id = compte.perimetre_id)",
        [],
    )?)
}

/// Deletes responsables left without any pupil or account.
pub fn responsables_orphelins(c: &Connection) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM responsable WHERE NOT EXISTS (SELECT 1 FROM eleve_responsable er WHERE er.responsable_id = responsable.id)
         AND NOT EXISTS (SELECT 1 FROM compte k WHERE k.perimetre_genre = 'responsable' AND k.perimetre_id = responsable.id)",
        [],
    )?)
}

/// Clears the autorisations, insurance and périscolaire of years before `annee` (idempotent).
pub fn effacer_annuel_passe(c: &Connection, annee: AnneeScolaire) -> Result<usize> {
    // The yearly check's answers and campaigns go with the year they were about.
    super::verifications::purger_avant(c, annee)?;
    Ok(c.execute("DELETE FROM eleve_annuel WHERE annee < ?", [annee])?)
}

/// How many yearly records of years before `annee` remain (the purge's dry run).
pub fn compter_annuel_passe(c: &Connection, annee: AnneeScolaire) -> Result<usize> {
    let n: i64 =
        c.prepare_cached("SELECT count(*) FROM eleve_annuel WHERE annee < ?")?.query_row([annee], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}
