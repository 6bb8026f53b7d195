//! The duplicate search before a pupil is created: the five criteria (nom, prénom, sexe, date
//! and place of birth), compared case-, accent- and hyphen-insensitively across the installation.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use time::Date;

use super::Result;
use crate::domain::identite::cle_recherche;
use crate::domain::{CommuneInsee, EtatScolarite, Sexe};

/// A pupil who may be the child being registered.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Candidat {
    /// Id.
    pub eleve_id: String,
    /// Nom.
    pub nom: String,
    /// Prénoms.
    pub prenoms: String,
    /// Sexe.
    #[schema(value_type = String)]
    pub sexe: Sexe,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_naissance: Date,
    /// Birthplace.
    pub naissance_lieu: String,
    /// Last school, and whether the pupil still attends it.
    pub derniere_ecole: Option<String>,
    /// State there (`radie`, `parti`, `admis_definitif`…).
    pub etat: Option<EtatScolarite>,
    /// Whether an INE is already assigned (kept at admission).
    pub a_un_ine: bool,
    /// Likeness, 0 to 100.
    pub score: u32,
}

/// The five criteria of a duplicate search.
#[derive(Debug, Clone)]
pub struct Criteres {
    /// Nom (any case, accents, hyphens).
    pub nom: String,
    /// Prénom(s).
    pub prenoms: String,
    /// Sexe.
    pub sexe: Sexe,
    /// Date of birth.
    pub date_naissance: Date,
    /// Birthplace code.
    pub naissance_insee: CommuneInsee,
}

/// The words of a text, folded (case, accents, hyphens and apostrophes ignored).
pub(super) fn mots(s: &str) -> Vec<String> {
    cle_recherche(s).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Likeness of two names: 1 when equal once folded, the share of common words otherwise.
fn ressemblance(a: &str, b: &str) -> f64 {
    let (a, b) = (mots(a), mots(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b || a.concat() == b.concat() {
        return 1.0;
    }
    let communs = a.iter().filter(|w| b.contains(w)).count();
    communs as f64 / a.len().max(b.len()) as f64
}

/// Scores a candidate on the five criteria: nom 30, prénom 25, date of birth 25, place 10, sexe 10.
pub fn score(c: &Criteres, nom: &str, prenoms: &str, sexe: Sexe, date: Date, insee: &str) -> u32 {
    let premier = |p: &str| mots(p).into_iter().next().unwrap_or_default();
    let prenom = ressemblance(prenoms, &c.prenoms).max(if premier(prenoms) == premier(&c.prenoms) { 1.0 } else { 0.0 });
    let s = 30.0 * ressemblance(nom, &c.nom)
        + 25.0 * prenom
        + if date == c.date_naissance { 25.0 } else { 0.0 }
        + if insee == c.naissance_insee.as_str() && !c.naissance_insee.est_a_completer() { 10.0 } else { 0.0 }
        + if sexe == c.sexe { 10.0 } else { 0.0 };
    s.round() as u32
}

/// Pupils of the whole installation who may be the same child (score ≥ `seuil`), best first.
/// *(design)* This one search looks beyond the actor's perimeter, so that a pupil coming from
/// another school keeps their INE and history; it needs the five criteria, answers at most 10
/// candidates, and shows only identity and last school — it cannot be used to browse.
pub fn candidats(c: &Connection, k: &Criteres, seuil: u32) -> Result<Vec<Candidat>> {
    let premier_mot_nom = mots(&k.nom).into_iter().next().unwrap_or_default();
    // Two searches joined, each on its own index: the date by `eleve_naissance`, the word by a
    // scan of the `eleve_cle_recherche` index alone (a third of the table's pages); written as
    // one `OR`, SQLite reads the whole table (70 ms on 150,000 pupils, against 25).
    let mut stmt = c.prepare_cached(
        "SELECT el.id, el.nom, el.prenoms, el.sexe, el.date_naissance, el.naissance_lieu, el.naissance_insee, el.ine IS NOT NULL
         FROM eleve el WHERE el.rowid IN (
             SELECT rowid FROM eleve WHERE date_naissance = ?1
             UNION SELECT rowid FROM eleve WHERE cle_recherche LIKE ?2)
         LIMIT 500",
    )?;
    let rows = stmt.query_map(params![k.date_naissance, format!("%{premier_mot_nom}%")], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Sexe>(3)?,
            r.get::<_, Date>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, bool>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, nom, prenoms, sexe, date, lieu, insee, a_un_ine) = row?;
        let s = score(k, &nom, &prenoms, sexe, date, &insee);
        if s < seuil {
            continue;
        }
        let derniere: Option<(String, EtatScolarite)> = c
            .prepare_cached(
                "SELECT e.nom, s.etat FROM scolarite s JOIN ecole e ON e.id = s.ecole_id WHERE s.eleve_id = ?
                 ORDER BY s.annee DESC, s.date_admission DESC LIMIT 1",
            )?
            .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        out.push(Candidat {
            eleve_id: id,
            nom,
            prenoms,
            sexe,
            date_naissance: date,
            naissance_lieu: lieu,
            derniere_ecole: derniere.as_ref().map(|d| d.0.clone()),
            etat: derniere.map(|d| d.1),
            a_un_ine,
            score: s,
        });
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| crate::domain::tri::comparer_noms((&a.nom, &a.prenoms), (&b.nom, &b.prenoms)))
    });
    out.truncate(10);
    Ok(out)
}

// The legal register ---------------------------------------------------------------------------
