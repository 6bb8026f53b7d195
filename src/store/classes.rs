//! Classes of a school for one année scolaire, each with one or several niveaux.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;

use super::perimetre;
use super::{Error, Result};
use crate::domain::{AnneeScolaire, ClasseId, EcoleId, Niveau, Perimetre};

/// A class as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClasseResume {
    /// Public id.
    #[schema(value_type = String)]
    pub id: ClasseId,
    /// The school's id.
    #[schema(value_type = String)]
    pub ecole_id: EcoleId,
    /// Année scolaire (`2026-2027`).
    #[schema(value_type = String)]
    pub annee: AnneeScolaire,
    /// Label (« CE2-CM1 A »).
    pub libelle: String,
    /// Niveaux taught.
    #[schema(value_type = Vec<String>)]
    pub niveaux: Vec<Niveau>,
    /// Teacher's name.
    pub enseignant: Option<String>,
    /// Pupils placed in the class (radiated pupils not counted).
    pub effectif: u32,
}

const COLUMNS: &str = "cl.id, cl.ecole_id, cl.annee, cl.libelle,
    (SELECT group_concat(niveau, ',') FROM (SELECT niveau FROM classe_niveau cn WHERE cn.classe_id = cl.id
        ORDER BY CASE niveau WHEN 'TPS' THEN 0 WHEN 'PS' THEN 1 WHEN 'MS' THEN 2 WHEN 'GS' THEN 3 WHEN 'CP' THEN 4
        WHEN 'CE1' THEN 5 WHEN 'CE2' THEN 6 WHEN 'CM1' THEN 7 ELSE 8 END)),
    cl.enseignant,
    (SELECT count(*) FROM scolarite s WHERE s.classe_id = cl.id AND s.etat IN ('admis_provisoire', 'admis_definitif'))";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClasseResume> {
    let niveaux: Option<String> = r.get(4)?;
    Ok(ClasseResume {
        id: r.get(0)?,
        ecole_id: r.get(1)?,
        annee: r.get(2)?,
        libelle: r.get(3)?,
        niveaux: niveaux.unwrap_or_default().split(',').filter_map(|n| Niveau::parse(n).ok()).collect(),
        enseignant: r.get(5)?,
        effectif: r.get(6)?,
    })
}

/// The classes of a school of the perimeter for a year, in the order a school lists them: by
/// their first niveau (TPS … CM2), then by label (« CE1 A » before « CE1 B », « 2 » before « 10 »).
pub fn classes(c: &Connection, p: &Perimetre, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<ClasseResume>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT {COLUMNS} FROM classe cl JOIN ecole e ON e.id = cl.ecole_id
         WHERE cl.ecole_id = ? AND cl.annee = ? AND {} ORDER BY cl.libelle COLLATE FR",
        cond.sql
    );
    let mut params: Vec<rusqlite::types::Value> = vec![ecole.to_string().into(), i64::from(annee.debut()).into()];
    params.extend(cond.params);
    let mut rows: Vec<ClasseResume> =
        c.prepare_cached(&sql)?.query_map(params_from_iter(params), row)?.collect::<rusqlite::Result<_>>()?;
    rows.sort_by(ordre_des_classes);
    Ok(rows)
}

/// One class of the perimeter.
pub fn classe(c: &Connection, p: &Perimetre, id: &ClasseId) -> Result<ClasseResume> {
    let cond = perimetre::ecoles(p);
    let sql =
        format!("SELECT {COLUMNS} FROM classe cl JOIN ecole e ON e.id = cl.ecole_id WHERE cl.id = ? AND {}", cond.sql);
    let mut params: Vec<rusqlite::types::Value> = vec![id.to_string().into()];
    params.extend(cond.params);
    c.prepare_cached(&sql)?.query_row(params_from_iter(params), row).optional()?.ok_or(Error::Introuvable("classe"))
}

/// Creates a class; refuses an empty list of niveaux and a label already used that year.
pub fn insert_classe(
    c: &Connection,
    id: &ClasseId,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    libelle: &str,
    niveaux: &[Niveau],
    enseignant: Option<&str>,
) -> Result<()> {
    if niveaux.is_empty() {
        return Err(Error::Conflit("une classe a au moins un niveau".into()));
    }
    let taken: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM classe WHERE ecole_id = ? AND annee = ? AND libelle = ?)")?
        .query_row(params![ecole, annee, libelle], |r| r.get(0))?;
    if taken {
        return Err(Error::Conflit(format!("la classe « {libelle} » existe déjà cette année")));
    }
    c.prepare_cached("INSERT INTO classe (id, ecole_id, annee, libelle, enseignant) VALUES (?, ?, ?, ?, ?)")?
        .execute(params![id, ecole, annee, libelle, enseignant])?;
    let mut ins = c.prepare_cached("INSERT OR IGNORE INTO classe_niveau (classe_id, niveau) VALUES (?, ?)")?;
    for n in niveaux {
        ins.execute(params![id, n])?;
    }
    Ok(())
}

/// The order of classes in a school: by their first niveau (TPS … CM2), then by label.
pub fn ordre_des_classes(a: &ClasseResume, b: &ClasseResume) -> std::cmp::Ordering {
    let rang = |k: &ClasseResume| k.niveaux.first().and_then(|n| Niveau::ALL.iter().position(|x| x == n));
    rang(a).cmp(&rang(b)).then_with(|| crate::domain::tri::comparer_naturel(&a.libelle, &b.libelle))
}
