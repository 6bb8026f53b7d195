//! Counts of pupils (effectifs) per school and niveau, with the statistical secret for releases
//! that leave the département: cells from 1 to 10 are suppressed, then the cells that would
//! reveal them (secondary suppression) and the totals that would.

use std::collections::BTreeMap;

use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::Result;
use super::perimetre;
use crate::domain::{AnneeScolaire, Niveau, Perimetre};

/// One school's counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Ligne {
    /// UAI.
    pub uai: String,
    /// School name.
    pub ecole: String,
    /// Commune.
    pub commune: String,
    /// Count per niveau (TPS…CM2), `null` when suppressed.
    pub niveaux: BTreeMap<String, Option<u32>>,
    /// Pupils in the ULIS dispositif.
    pub ulis: Option<u32>,
    /// Total, `null` when it would reveal a suppressed cell.
    pub total: Option<u32>,
}

/// The table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tableau {
    /// Année scolaire.
    pub annee: String,
    /// One line per school.
    pub ecoles: Vec<Ligne>,
    /// Totals per niveau, `null` when suppressed.
    pub totaux: BTreeMap<String, Option<u32>>,
    /// Whether the statistical secret was applied.
    pub secret_statistique: bool,
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
    Ok(Tableau { annee: annee.to_string(), ecoles: lignes, totaux, secret_statistique: false })
}

impl Tableau {
    /// Applies the statistical secret of [`crate::domain::secret`]: no published count from 1 to
    /// 10, none recomputable from the totals (secondary suppressions in the columns, row totals
    /// hidden when a cell is, the totals of the columns as the rule says). ULIS counts (a part
    /// of the niveaux' counts, in no total) are suppressed from 1 to 10.
    pub fn secret_statistique(&mut self) {
        let codes: Vec<String> = Niveau::ALL.iter().map(|n| n.code().to_string()).collect();
        let table: Vec<Vec<u32>> = self
            .ecoles
            .iter()
            .map(|l| codes.iter().map(|k| l.niveaux.get(k).copied().flatten().unwrap_or(0)).collect())
            .collect();
        let p = crate::domain::secret::publier(&table);
        for (i, l) in self.ecoles.iter_mut().enumerate() {
            for (j, k) in codes.iter().enumerate() {
                l.niveaux.insert(k.clone(), p.cellules[i][j]);
            }
            l.total = p.totaux_lignes[i];
            if l.ulis.is_some_and(crate::domain::secret::secret) {
                l.ulis = None;
            }
        }
        for (j, k) in codes.iter().enumerate() {
            self.totaux.insert(k.clone(), p.totaux_colonnes.get(j).copied().flatten());
        }
        self.secret_statistique = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ligne(uai: &str, cells: &[(&str, u32)]) -> Ligne {
        let mut niveaux: BTreeMap<String, Option<u32>> =
            Niveau::ALL.iter().map(|n| (n.code().to_string(), Some(0))).collect();
        for (k, v) in cells {
            niveaux.insert((*k).to_string(), Some(*v));
        }
        let total = cells.iter().map(|(_, v)| v).sum();
        Ligne { uai: uai.into(), ecole: uai.into(), commune: "x".into(), niveaux, ulis: Some(0), total: Some(total) }
    }

    #[test]
    fn small_cells_and_the_cells_revealing_them_are_suppressed() {
        let mut t = Tableau {
            annee: "2026-2027".into(),
            ecoles: vec![
                ligne("A", &[("CP", 4), ("CE1", 25), ("CE2", 30)]),
                ligne("B", &[("CP", 28), ("CE1", 26), ("CE2", 27)]),
            ],
            totaux: BTreeMap::new(),
            secret_statistique: false,
        };
        t.secret_statistique();
        let a = &t.ecoles[0];
        assert_eq!(a.niveaux["CP"], None, "primary");
        assert_eq!(a.total, None, "the total would reveal it");
        let hidden_in_cp = t.ecoles.iter().filter(|l| l.niveaux["CP"].is_none()).count();
        assert_eq!(hidden_in_cp, 2, "secondary suppression in the column");
        assert_eq!(t.ecoles[1].total, None, "B's total would reveal B's CP, then A's");
        assert_eq!(t.ecoles[1].niveaux["CE1"], Some(26), "the other cells stay");
        assert_eq!(t.totaux["CP"], Some(32));
    }

    #[test]
    fn zeros_and_large_cells_stay() {
        let mut t = Tableau {
            annee: "2026-2027".into(),
            ecoles: vec![ligne("A", &[("CP", 24), ("CE1", 25)])],
            totaux: BTreeMap::new(),
            secret_statistique: false,
        };
        t.secret_statistique();
        assert_eq!(t.ecoles[0].niveaux["CP"], Some(24));
        assert_eq!(t.ecoles[0].niveaux["PS"], Some(0));
        assert_eq!(t.ecoles[0].total, Some(49));
    }
}
