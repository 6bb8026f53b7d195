//! The constat des effectifs: counts computed from the schooling records of the year, the
//! département's campaign, and the validated (frozen) constats of each school and year.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::OffsetDateTime;

use super::comptes::{instant, lire_instant};
use super::{Result, perimetre};
use crate::domain::constat::{Compte, Effectifs};
use crate::domain::{AnneeScolaire, DepartementId, EcoleId, Niveau, Perimetre};

/// A school as the constat lists it.
#[derive(Debug, Clone)]
pub struct EcoleConstat {
    /// Id.
    pub id: EcoleId,
    /// UAI.
    pub uai: String,
    /// Name.
    pub nom: String,
    /// Commune.
    pub commune: String,
    /// Circonscription.
    pub circonscription: String,
    /// Its circonscription's id.
    pub circonscription_id: crate::domain::CirconscriptionId,
    /// Its département.
    pub departement: DepartementId,
}

/// The schools of the perimeter, by circonscription, commune and name (French order).
pub fn ecoles(c: &Connection, p: &Perimetre) -> Result<Vec<EcoleConstat>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT e.id, e.uai, e.nom, co.nom, ci.nom, ci.departement_id, ci.id
         FROM ecole e JOIN commune co ON co.id = e.commune_id JOIN circonscription ci ON ci.id = e.circonscription_id
         WHERE {} ORDER BY ci.nom COLLATE FR, co.nom COLLATE FR, e.nom COLLATE FR",
        cond.sql
    );
    Ok(c.prepare_cached(&sql)?
        .query_map(params_from_iter(cond.params), |r| {
            Ok(EcoleConstat {
                id: r.get(0)?,
                uai: r.get(1)?,
                nom: r.get(2)?,
                commune: r.get(3)?,
                circonscription: r.get(4)?,
                departement: r.get(5)?,
                circonscription_id: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// The counts of the year now, for every school of the perimeter (zero for a school without
/// pupils): pupils attending per niveau (with an INE; those without one apart), ULIS, classes.
pub fn calculer(c: &Connection, p: &Perimetre, annee: AnneeScolaire) -> Result<HashMap<EcoleId, Effectifs>> {
    let cond = perimetre::ecoles(p);
    let an = i64::from(annee.debut());
    let mut out: HashMap<EcoleId, Effectifs> = HashMap::new();
    let with = |sql: &str| -> (String, Vec<Value>) {
        let mut v: Vec<Value> = vec![an.into()];
        v.extend(cond.params.clone());
        (format!("{sql} AND {}", cond.sql), v)
    };
    let (sql, v) = with(
        "SELECT s.ecole_id, s.niveau, sum(el.ine IS NOT NULL), sum(s.ulis = 1 AND el.ine IS NOT NULL), sum(el.ine IS NULL)
         FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id
         WHERE s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif')",
    );
    let mut st = c.prepare_cached(&format!("{sql} GROUP BY s.ecole_id, s.niveau"))?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        let e = out.entry(r.get(0)?).or_insert_with(Effectifs::vide);
        let n: Niveau = r.get(1)?;
        e.niveaux.entry(n).or_default().eleves += r.get::<_, u32>(2)?;
        e.ulis += r.get::<_, u32>(3)?;
        e.sans_ine += r.get::<_, u32>(4)?;
    }
    let (sql, v) = with(
        "SELECT cl.ecole_id, cn.niveau, count(*) FROM classe cl JOIN classe_niveau cn ON cn.classe_id = cl.id
         JOIN ecole e ON e.id = cl.ecole_id WHERE cl.annee = ?",
    );
    let mut st = c.prepare_cached(&format!("{sql} GROUP BY cl.ecole_id, cn.niveau"))?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        let e = out.entry(r.get(0)?).or_insert_with(Effectifs::vide);
        let n: Niveau = r.get(1)?;
        e.niveaux.entry(n).or_default().classes += r.get::<_, u32>(2)?;
    }
    let (sql, v) =
        with("SELECT cl.ecole_id, count(*) FROM classe cl JOIN ecole e ON e.id = cl.ecole_id WHERE cl.annee = ?");
    let mut st = c.prepare_cached(&format!("{sql} GROUP BY cl.ecole_id"))?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_insert_with(Effectifs::vide).classes += r.get::<_, u32>(1)?;
    }
    Ok(out)
}

/// The campaign of a département for a year: opened, closed.
pub fn campagne(
    c: &Connection,
    d: &DepartementId,
    annee: AnneeScolaire,
) -> Result<Option<(OffsetDateTime, Option<OffsetDateTime>)>> {
    Ok(c.prepare_cached("SELECT ouverte_le, close_le FROM campagne_constat WHERE departement_id = ? AND annee = ?")?
        .query_row(params![d, annee], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
        .optional()?
        .map(|(o, f)| (lire_instant(Some(o)).unwrap_or(OffsetDateTime::UNIX_EPOCH), lire_instant(f))))
}

/// Opens (or opens again) the campaign.
pub fn ouvrir_campagne(c: &Connection, d: &DepartementId, annee: AnneeScolaire, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO campagne_constat (departement_id, annee, ouverte_le) VALUES (?, ?, ?)
         ON CONFLICT (departement_id, annee) DO UPDATE SET ouverte_le = excluded.ouverte_le, close_le = NULL",
    )?
    .execute(params![d, annee, instant(le)])?;
    Ok(())
}

/// Closes the campaign.
pub fn clore_campagne(c: &Connection, d: &DepartementId, annee: AnneeScolaire, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached("UPDATE campagne_constat SET close_le = ? WHERE departement_id = ? AND annee = ?")?
        .execute(params![instant(le), d, annee])?;
    Ok(())
}

/// Freezes a school's constat (replaces a previous validation of the year). Returns whether
/// one existed.
pub fn valider(
    c: &Connection,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    e: &Effectifs,
    le: OffsetDateTime,
) -> Result<bool> {
    let avant =
        c.prepare_cached("DELETE FROM constat WHERE ecole_id = ? AND annee = ?")?.execute(params![ecole, annee])?;
    c.prepare_cached(
        "INSERT INTO constat (ecole_id, annee, valide_le, classes, ulis, sans_ine) VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![ecole, annee, instant(le), e.classes, e.ulis, e.sans_ine])?;
    for (n, k) in &e.niveaux {
        c.prepare_cached(
            "INSERT INTO constat_niveau (ecole_id, annee, niveau, eleves, classes) VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(params![ecole, annee, n, k.eleves, k.classes])?;
    }
    Ok(avant > 0)
}

/// The validated constats of the perimeter's schools for a year: when, and the counts.
pub fn valides(
    c: &Connection,
    p: &Perimetre,
    annee: AnneeScolaire,
) -> Result<HashMap<EcoleId, (OffsetDateTime, Effectifs)>> {
    let cond = perimetre::ecoles(p);
    let mut v: Vec<Value> = vec![i64::from(annee.debut()).into()];
    v.extend(cond.params.clone());
    let sql = format!(
        "SELECT k.ecole_id, k.valide_le, k.classes, k.ulis, k.sans_ine FROM constat k JOIN ecole e ON e.id = k.ecole_id
         WHERE k.annee = ? AND {}",
        cond.sql
    );
    let mut out: HashMap<EcoleId, (OffsetDateTime, Effectifs)> = HashMap::new();
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(v.clone()))?;
    while let Some(r) = rows.next()? {
        let mut e = Effectifs::vide();
        e.classes = r.get(2)?;
        e.ulis = r.get(3)?;
        e.sans_ine = r.get(4)?;
        out.insert(r.get(0)?, (lire_instant(r.get(1)?).unwrap_or(OffsetDateTime::UNIX_EPOCH), e));
    }
    let sql = format!(
        "SELECT n.ecole_id, n.niveau, n.eleves, n.classes FROM constat_niveau n JOIN ecole e ON e.id = n.ecole_id
         WHERE n.annee = ? AND {}",
        cond.sql
    );
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        let id: EcoleId = r.get(0)?;
        if let Some((_, e)) = out.get_mut(&id) {
            e.niveaux.insert(r.get(1)?, Compte { eleves: r.get(2)?, classes: r.get(3)? });
        }
    }
    Ok(out)
}

/// The validated totals of the perimeter per year (the trend), oldest first.
pub fn tendance(c: &Connection, p: &Perimetre) -> Result<BTreeMap<i32, u32>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT n.annee, sum(n.eleves) FROM constat_niveau n JOIN ecole e ON e.id = n.ecole_id WHERE {} GROUP BY n.annee",
        cond.sql
    );
    Ok(c.prepare_cached(&sql)?
        .query_map(params_from_iter(cond.params), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}
