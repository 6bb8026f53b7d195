//! What the import and export of the ministry's files (ONDE) read and write beyond the other
//! modules: a pupil found by INE or by the five criteria (the duplicate search, département-wide
//! like `doublons`), a class found by its label, and the pupils a school's export holds.

use rusqlite::{Connection, OptionalExtension, params};
use time::Date;

use super::Result;
use crate::domain::identite::cle_recherche;
use crate::domain::{AnneeScolaire, ClasseId, CommuneInsee, EcoleId, EleveId, Ine, Niveau, Sexe};

/// The pupil holding this INE.
pub fn par_ine(c: &Connection, ine: &Ine) -> Result<Option<EleveId>> {
    Ok(c.prepare_cached("SELECT id FROM eleve WHERE ine = ?")?.query_row([ine], |r| r.get(0)).optional()?)
}

/// The INE of a pupil (already found by the caller within its rules).
pub fn ine_de(c: &Connection, id: &EleveId) -> Result<Option<Ine>> {
    Ok(c.prepare_cached("SELECT ine FROM eleve WHERE id = ?")?.query_row([id], |r| r.get(0)).optional()?.flatten())
}

/// A pupil's family name, prénoms, sexe and date of birth (to check that an INE brought from
/// outside is this pupil's).
pub fn identite_courte(c: &Connection, id: &EleveId) -> Result<(String, String, Sexe, Date)> {
    Ok(c.prepare_cached("SELECT nom, prenoms, sexe, date_naissance FROM eleve WHERE id = ?")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?)
}

/// Pupils with the same five criteria (docs/domaine.md §7): nom and prénoms (case and accents
/// folded), sexe, date of birth, and the birthplace when both are known.
pub fn memes_criteres(
    c: &Connection,
    nom: &str,
    prenoms: &str,
    sexe: Sexe,
    date: Date,
    insee: &CommuneInsee,
) -> Result<Vec<EleveId>> {
    let (nom, prenoms) = (cle_recherche(nom), cle_recherche(prenoms));
    let mut stmt = c.prepare_cached(
        "SELECT id, nom, prenoms, naissance_insee FROM eleve WHERE date_naissance = ? AND sexe = ? ORDER BY id",
    )?;
    let rows = stmt.query_map(params![date, sexe], |r| {
        Ok((r.get::<_, EleveId>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, CommuneInsee>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, n, p, lieu) = row?;
        let lieu_ok = lieu == *insee || lieu.est_a_completer() || insee.est_a_completer();
        // The ministry's file gives the first prénom only.
        let p = cle_recherche(&p);
        let prenoms_ok = p == prenoms || p.starts_with(&format!("{prenoms} "));
        if cle_recherche(&n) == nom && prenoms_ok && lieu_ok {
            out.push(id);
        }
    }
    Ok(out)
}

/// A class of the school and year by its label (exact, as the file writes it), with its niveaux.
pub fn classe_par_libelle(
    c: &Connection,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    libelle: &str,
) -> Result<Option<(ClasseId, Vec<Niveau>)>> {
    let id: Option<ClasseId> = c
        .prepare_cached("SELECT id FROM classe WHERE ecole_id = ? AND annee = ? AND libelle = ?")?
        .query_row(params![ecole, annee, libelle], |r| r.get(0))
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    let niveaux = c
        .prepare_cached("SELECT niveau FROM classe_niveau WHERE classe_id = ?")?
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<Niveau>>>()?;
    Ok(Some((id, niveaux)))
}

/// Opens a class to one more niveau (a multi-level class named with it in the file).
pub fn ajouter_niveau(c: &Connection, classe: &ClasseId, niveau: Niveau) -> Result<()> {
    c.prepare_cached("INSERT OR IGNORE INTO classe_niveau (classe_id, niveau) VALUES (?, ?)")?
        .execute(params![classe, niveau])?;
    Ok(())
}

/// The pupils attending the school this year (admitted, not gone), in French order: the
/// export's lines. The school must already be checked in the actor's perimeter.
pub fn eleves_presents(c: &Connection, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<EleveId>> {
    Ok(c.prepare_cached(
        "SELECT el.id FROM scolarite s JOIN eleve el ON el.id = s.eleve_id
         WHERE s.ecole_id = ? AND s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif')
         ORDER BY el.nom COLLATE FR, el.prenoms COLLATE FR, el.date_naissance, el.id",
    )?
    .query_map(params![ecole, annee], |r| r.get(0))?
    .collect::<rusqlite::Result<_>>()?)
}
