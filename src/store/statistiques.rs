//! Counts of pupils (effectifs) per school and niveau, for those who manage or inspect the
//! schools. What leaves the département goes through the releases (`service::publications`),
//! under the statistical secret of `domain::secret`.

use std::collections::BTreeMap;

use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::Result;
use super::perimetre;
use crate::domain::{AnneeScolaire, Niveau, Perimetre};

/// One school's counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LigneEffectifs)]
pub struct Ligne {
    /// UAI.
    pub uai: String,
    /// School name.
    pub ecole: String,
    /// Commune.
    pub commune: String,
    /// Count per niveau (TPS…CM2).
    pub niveaux: BTreeMap<String, Option<u32>>,
    /// Pupils in the ULIS dispositif.
    pub ulis: Option<u32>,
    /// Total.
    pub total: Option<u32>,
}

/// The table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tableau {
    /// Année scolaire.
    pub annee: String,
    /// One line per school.
    pub ecoles: Vec<Ligne>,
    /// Totals per niveau.
    pub totaux: BTreeMap<String, Option<u32>>,
}

/// Counts of attending pupils per school of the perimeter and niveau.
pub fn effectifs(c: &Connection, p: &Perimetre, annee: AnneeScolaire) -> Result<Tableau> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT e.uai, e.nom, co.nom, s.niveau, count(*), sum(s.ulis)
         FROM scolarite s JOIN ecole e ON e.id = s.ecole_id JOIN commune co ON co.id = e.commune_id
         WHERE s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND {}
         GROUP BY e.id, s.niveau ORDER BY co.nom COLLATE FR, e.nom COLLATE FR",
        cond.sql
    );
    let mut params: Vec<rusqlite::types::Value> = vec![i64::from(annee.debut()).into()];
    params.extend(cond.params);
    let mut lignes: Vec<Ligne> = Vec::new();
    let mut stmt = c.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(params))?;
    while let Some(r) = rows.next()? {
        let uai: String = r.get(0)?;
        if lignes.last().is_none_or(|l| l.uai != uai) {
            let niveaux = Niveau::ALL.iter().map(|n| (n.code().to_string(), Some(0))).collect();
            lignes.push(Ligne { uai, ecole: r.get(1)?, commune: r.get(2)?, niveaux, ulis: Some(0), total: Some(0) });
        }
        let l = lignes.last_mut().unwrap_or_else(|| unreachable!("pushed above"));
        let n: u32 = r.get(4)?;
        let ulis: u32 = r.get(5)?;
        l.niveaux.insert(r.get(3)?, Some(n));
        l.ulis = l.ulis.map(|u| u + ulis);
        l.total = l.total.map(|t| t + n);
    }
    let totaux = Niveau::ALL
        .iter()
        .map(|n| {
            let k = n.code().to_string();
            let sum = lignes.iter().filter_map(|l| l.niveaux.get(&k).copied().flatten()).sum();
            (k, Some(sum))
        })
        .collect();
    Ok(Tableau { annee: annee.to_string(), ecoles: lignes, totaux })
}
