//! What each role's home page says needs doing: counts only, per school of the perimeter (the
//! directeur, the IEN, the IA-DASEN), per state of the inscriptions (the mairie), and the pupils
//! assigned for 6e (the principal de collège). No name leaves these queries.

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

use super::Result;
use super::perimetre;
use crate::domain::{AnneeScolaire, Perimetre};

/// One school's counts and to-dos for the year.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct LigneTableau {
    /// School id.
    pub id: String,
    /// School name.
    pub nom: String,
    /// UAI.
    pub uai: String,
    /// Commune.
    pub commune: String,
    /// Circonscription's name.
    pub circonscription: String,
    /// Circonscription's id.
    pub circonscription_id: String,
    /// Pupils attending this year.
    pub eleves: u32,
    /// Classes this year.
    pub classes: u32,
    /// Inscriptions confirmed by the mairie, waiting for the admission.
    pub a_admettre: u32,
    /// Provisional admissions (papers missing).
    pub provisoires: u32,
    /// Attending pupils in no class.
    pub non_repartis: u32,
    /// Passages proposed, not yet decided.
    pub passages_en_attente: u32,
    /// Attending pupils whose fiche de renseignements has not come back this year.
    pub fiches_non_revenues: u32,
    /// Families' rectification requests awaiting the school.
    pub rectifications: u32,
    /// Whether this year's constat des effectifs is validated.
    pub constat_valide: bool,
    /// Whether the département's constat campaign is open for the year.
    pub campagne_ouverte: bool,
    /// Whether something waits on this school (the inspectors' « à suivre »): its constat in an
    /// open campaign, inscriptions to admit, pupils in no class.
    pub en_retard: bool,
}

impl LigneTableau {
    fn suivre(mut self) -> Self {
        self.en_retard =
            (self.campagne_ouverte && !self.constat_valide) || self.a_admettre > 0 || self.non_repartis > 0;
        self
    }
}

/// Per school of the perimeter, its counts for `annee`, in French order of circonscription,
/// commune and name.
pub fn ecoles(c: &Connection, p: &Perimetre, annee: AnneeScolaire) -> Result<Vec<LigneTableau>> {
    let cond = perimetre::ecoles(p);
    let n = cond.params.len();
    // One pass over the year's attending pupils of the perimeter's schools (the index on
    // `scolarite(ecole_id, annee, etat)`), then one line per school of the perimeter.
    let sql = format!(
        "WITH c AS (
           SELECT s.ecole_id AS id, count(*) AS eleves,
             sum(s.etat = 'admis_provisoire') AS provisoires,
             sum(s.classe_id IS NULL) AS non_repartis,
             sum(EXISTS (SELECT 1 FROM passage pa WHERE pa.eleve_id = s.eleve_id AND pa.annee = ?1
                 AND pa.proposition IS NOT NULL AND pa.decision IS NULL)) AS passages,
             sum(NOT EXISTS (SELECT 1 FROM fiche_retour f WHERE f.eleve_id = s.eleve_id AND f.annee = ?1)) AS fiches,
             sum((SELECT count(*) FROM rectification r WHERE r.eleve_id = s.eleve_id AND r.etat = 'en_attente'))
               AS rectifications
           FROM scolarite s JOIN ecole e ON e.id = s.ecole_id
           WHERE s.annee = ?1 AND s.etat IN ('admis_provisoire', 'admis_definitif') AND {}
           GROUP BY s.ecole_id)
         SELECT e.id, e.nom, e.uai, co.nom, ci.nom, ci.id,
           coalesce(c.eleves, 0),
           (SELECT count(*) FROM classe cl WHERE cl.ecole_id = e.id AND cl.annee = ?1),
           (SELECT count(*) FROM inscription i WHERE i.ecole_id = e.id AND i.etat = 'inscrit'),
           coalesce(c.provisoires, 0), coalesce(c.non_repartis, 0), coalesce(c.passages, 0),
           coalesce(c.fiches, 0), coalesce(c.rectifications, 0),
           EXISTS (SELECT 1 FROM constat k WHERE k.ecole_id = e.id AND k.annee = ?1),
           EXISTS (SELECT 1 FROM campagne_constat cc WHERE cc.departement_id = ci.departement_id
              AND cc.annee = ?1 AND cc.close_le IS NULL)
         FROM ecole e JOIN commune co ON co.id = e.commune_id JOIN circonscription ci ON ci.id = e.circonscription_id
         LEFT JOIN c ON c.id = e.id
         WHERE {}
         ORDER BY ci.nom COLLATE FR, co.nom COLLATE FR, e.nom COLLATE FR",
        // The perimeter's placeholders are anonymous: numbered after ?1, once in each part.
        renumeroter(&cond.sql, 2),
        renumeroter(&cond.sql, 2 + n)
    );
    let mut params: Vec<Value> = vec![i64::from(annee.debut()).into()];
    params.extend(cond.params.iter().cloned());
    params.extend(cond.params);
    let mut st = c.prepare_cached(&sql)?;
    let lignes = st
        .query_map(params_from_iter(params), |r| {
            Ok(LigneTableau {
                id: r.get(0)?,
                nom: r.get(1)?,
                uai: r.get(2)?,
                commune: r.get(3)?,
                circonscription: r.get(4)?,
                circonscription_id: r.get(5)?,
                eleves: r.get(6)?,
                classes: r.get(7)?,
                a_admettre: r.get(8)?,
                provisoires: r.get(9)?,
                non_repartis: r.get(10)?,
                passages_en_attente: r.get(11)?,
                fiches_non_revenues: r.get(12)?,
                rectifications: r.get(13)?,
                constat_valide: r.get(14)?,
                campagne_ouverte: r.get(15)?,
                en_retard: false,
            }
            .suivre())
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lignes)
}

/// The perimeter's inscriptions counted by year and state (the mairie's home page).
pub fn inscriptions_par_etat(c: &Connection, p: &Perimetre) -> Result<Vec<(i32, String, u32)>> {
    let cond = perimetre::inscriptions(p);
    let sql = format!(
        "SELECT i.annee, i.etat, count(*) FROM inscription i LEFT JOIN ecole e ON e.id = i.ecole_id
         WHERE {} GROUP BY i.annee, i.etat ORDER BY i.annee DESC, i.etat",
        cond.sql
    );
    let mut st = c.prepare_cached(&sql)?;
    let lignes = st
        .query_map(params_from_iter(cond.params), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lignes)
}

/// The pupils assigned to collège `college` for 6e after `annee`, counted by the primary school
/// they attend this year.
pub fn sixiemes(
    c: &Connection,
    college: &crate::domain::CollegeId,
    annee: AnneeScolaire,
) -> Result<Vec<(String, u32)>> {
    let mut st = c.prepare_cached(
        "SELECT e.nom, count(DISTINCT ac.eleve_id) FROM affectation_college ac
         JOIN scolarite s ON s.eleve_id = ac.eleve_id AND s.annee = ?1 AND s.etat IN ('admis_provisoire', 'admis_definitif')
         JOIN ecole e ON e.id = s.ecole_id
         WHERE ac.annee = ?1 AND ac.college_id = ?2
         GROUP BY e.id ORDER BY e.nom COLLATE FR",
    )?;
    let lignes = st
        .query_map(rusqlite::params![i64::from(annee.debut()), college.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(lignes)
}

/// Numbers a condition's anonymous `?` placeholders from `depuis` on, so it can follow a
/// numbered one (`?1`). The perimeter's conditions hold no `?` inside literals.
fn renumeroter(sql: &str, depuis: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = depuis;
    for ch in sql.chars() {
        if ch == '?' {
            out.push_str(&format!("?{n}"));
            n += 1;
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::renumeroter;

    #[test]
    fn renumbers_anonymous_placeholders() {
        assert_eq!(renumeroter("a = ? OR b IN (SELECT x WHERE y = ?)", 2), "a = ?2 OR b IN (SELECT x WHERE y = ?3)");
        assert_eq!(renumeroter("1", 2), "1");
    }
}
