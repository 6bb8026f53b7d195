//! The prévision des effectifs: what the montée pédagogique starts from, the mairies'
//! inscriptions for next year, the directeurs' adjustments and the validated forecasts.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use time::OffsetDateTime;

use super::comptes::{instant, lire_instant};
use super::{Result, perimetre};
use crate::domain::{AnneeScolaire, EcoleId, Niveau, Perimetre, TypeEcole};

/// A pupil attending this year, as the forecast sees them.
#[derive(Debug, Clone)]
pub struct Present {
    /// The pupil.
    pub eleve: crate::domain::EleveId,
    /// School.
    pub ecole: EcoleId,
    /// Its kind.
    pub type_ecole: TypeEcole,
    /// This year's niveau.
    pub niveau: Niveau,
    /// The passage as it stands (appeal's outcome, else decision, else proposal).
    pub passage: Option<String>,
    /// Leaves the school at the end of the year.
    pub quitte: bool,
}

fn avec(p: &Perimetre, an: i64, sql: &str) -> (String, Vec<Value>) {
    let cond = perimetre::ecoles(p);
    let mut v: Vec<Value> = vec![an.into()];
    v.extend(cond.params);
    (format!("{sql} AND {}", cond.sql), v)
}

/// The pupils attending a school of the perimeter this year (with an INE, as in the constat).
pub fn presents(c: &Connection, p: &Perimetre, annee: AnneeScolaire) -> Result<Vec<Present>> {
    let (sql, v) = avec(
        p,
        i64::from(annee.debut()),
        "SELECT s.ecole_id, e.type, s.niveau, coalesce(pa.recours_issue, pa.decision, pa.proposition), s.quitte, s.eleve_id
         FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id
         LEFT JOIN passage pa ON pa.eleve_id = s.eleve_id AND pa.annee = s.annee
         WHERE s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND el.ine IS NOT NULL",
    );
    let mut out = Vec::new();
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        let t: String = r.get(1)?;
        out.push(Present {
            ecole: r.get(0)?,
            type_ecole: TypeEcole::parse(&t).map_err(|e| super::Error::Corrompue(e.to_string()))?,
            niveau: r.get(2)?,
            passage: r.get(3)?,
            quitte: r.get::<_, i64>(4)? == 1,
            eleve: r.get(5)?,
        });
    }
    Ok(out)
}

/// The mairies' inscriptions for `annee` designating a school of the perimeter (pending or
/// confirmed): the pupil, the school, the niveau.
pub fn inscriptions(
    c: &Connection,
    p: &Perimetre,
    annee: AnneeScolaire,
) -> Result<Vec<(crate::domain::EleveId, EcoleId, Niveau)>> {
    let (sql, v) = avec(
        p,
        i64::from(annee.debut()),
        "SELECT i.eleve_id, i.ecole_id, i.niveau FROM inscription i JOIN ecole e ON e.id = i.ecole_id
         WHERE i.annee = ? AND i.etat IN ('en_attente', 'inscrit') AND i.mode = 'ecole'",
    );
    Ok(c.prepare_cached(&sql)?
        .query_map(params_from_iter(v), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// A directeur's adjustment of a niveau.
#[derive(Debug, Clone, Default)]
pub struct Ajustement {
    /// Arrivals expected.
    pub arrivees: u32,
    /// Departures expected.
    pub departs: u32,
    /// Why (about the school).
    pub justification: Option<String>,
}

/// The adjustments of the perimeter's schools for `annee`.
pub fn ajustements(
    c: &Connection,
    p: &Perimetre,
    annee: AnneeScolaire,
) -> Result<HashMap<EcoleId, BTreeMap<Niveau, Ajustement>>> {
    let (sql, v) = avec(
        p,
        i64::from(annee.debut()),
        "SELECT a.ecole_id, a.niveau, a.entrees, a.departs, a.justification FROM prevision_ajustement a
         JOIN ecole e ON e.id = a.ecole_id WHERE a.annee = ?",
    );
    let mut out: HashMap<EcoleId, BTreeMap<Niveau, Ajustement>> = HashMap::new();
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?)
            .or_default()
            .insert(r.get(1)?, Ajustement { arrivees: r.get(2)?, departs: r.get(3)?, justification: r.get(4)? });
    }
    Ok(out)
}

/// Sets (or clears, at zero without a justification) a school's adjustment of a niveau.
pub fn poser_ajustement(
    c: &Connection,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    niveau: Niveau,
    a: &Ajustement,
    le: OffsetDateTime,
) -> Result<()> {
    if a.arrivees == 0 && a.departs == 0 && a.justification.is_none() {
        c.prepare_cached("DELETE FROM prevision_ajustement WHERE ecole_id = ? AND annee = ? AND niveau = ?")?
            .execute(params![ecole, annee, niveau])?;
        return Ok(());
    }
    c.prepare_cached(
        "INSERT INTO prevision_ajustement (ecole_id, annee, niveau, entrees, departs, justification, saisie_le)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ecole_id, annee, niveau) DO UPDATE SET entrees = excluded.entrees, departs = excluded.departs,
            justification = excluded.justification, saisie_le = excluded.saisie_le",
    )?
    .execute(params![ecole, annee, niveau, a.arrivees, a.departs, a.justification, instant(le)])?;
    Ok(())
}

/// Freezes a school's forecast for `annee` (replaces the previous one).
pub fn valider(
    c: &Connection,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    niveaux: &BTreeMap<Niveau, u32>,
    le: OffsetDateTime,
) -> Result<()> {
    c.prepare_cached("DELETE FROM prevision_validee WHERE ecole_id = ? AND annee = ?")?
        .execute(params![ecole, annee])?;
    for (n, e) in niveaux {
        c.prepare_cached(
            "INSERT INTO prevision_validee (ecole_id, annee, niveau, eleves, valide_le) VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(params![ecole, annee, n, e, instant(le)])?;
    }
    Ok(())
}

/// A validated forecast: when, and the pupils per niveau.
pub type Validee = (OffsetDateTime, BTreeMap<Niveau, u32>);

/// The validated forecasts of the perimeter's schools for `annee`.
pub fn validees(c: &Connection, p: &Perimetre, annee: AnneeScolaire) -> Result<HashMap<EcoleId, Validee>> {
    let (sql, v) = avec(
        p,
        i64::from(annee.debut()),
        "SELECT v.ecole_id, v.niveau, v.eleves, v.valide_le FROM prevision_validee v JOIN ecole e ON e.id = v.ecole_id
         WHERE v.annee = ?",
    );
    let mut out: HashMap<EcoleId, Validee> = HashMap::new();
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(v))?;
    while let Some(r) = rows.next()? {
        let le = lire_instant(r.get(3)?).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let e = out.entry(r.get(0)?).or_insert_with(|| (le, BTreeMap::new()));
        e.1.insert(r.get(1)?, r.get(2)?);
    }
    Ok(out)
}
