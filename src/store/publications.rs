//! Statistical releases: the rows of the pupil-level extract (never a name, an address or a
//! full date), and the register of what was released.

use rusqlite::types::Value;
use rusqlite::{Connection, params, params_from_iter};
use time::OffsetDateTime;

use super::Result;
use super::comptes::{instant, lire_instant};
use crate::domain::{AnneeScolaire, DepartementId, Perimetre};

/// One pupil of the extract, before pseudonymisation.
#[derive(Debug, Clone)]
pub struct LigneExtrait {
    /// The INE (only to be hashed under the release's key).
    pub ine: Option<String>,
    /// Year of birth.
    pub annee_naissance: i32,
    /// `M` or `F`.
    pub sexe: String,
    /// Niveau.
    pub niveau: String,
    /// Cycle of the year.
    pub cycle: i64,
    /// ULIS dispositif.
    pub ulis: bool,
    /// The school's UAI.
    pub uai: String,
    /// The school's commune (INSEE).
    pub commune: String,
    /// The family's opposition was accepted.
    pub opposition: bool,
}

/// The pupils attending a school of the département this year.
pub fn extrait(c: &Connection, d: &DepartementId, annee: AnneeScolaire) -> Result<Vec<LigneExtrait>> {
    Ok(c.prepare_cached(
        "SELECT el.ine, CAST(substr(el.date_naissance, 1, 4) AS INTEGER), el.sexe, s.niveau, s.cycle, s.ulis, e.uai, co.insee,
                EXISTS (SELECT 1 FROM opposition o WHERE o.eleve_id = el.id AND o.etat = 'acceptee')
         FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id
         JOIN commune co ON co.id = e.commune_id JOIN circonscription ci ON ci.id = e.circonscription_id
         WHERE s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND ci.departement_id = ?
         ORDER BY e.uai, s.niveau",
    )?
    .query_map(params![annee, d], |r| {
        Ok(LigneExtrait {
            ine: r.get(0)?,
            annee_naissance: r.get(1)?,
            sexe: r.get(2)?,
            niveau: r.get(3)?,
            cycle: r.get(4)?,
            ulis: r.get::<_, i64>(5)? == 1,
            uai: r.get(6)?,
            commune: r.get(7)?,
            opposition: r.get(8)?,
        })
    })?
    .collect::<rusqlite::Result<_>>()?)
}

/// A release as registered.
#[derive(Debug, Clone)]
pub struct Publication {
    /// Id (also its directory's name).
    pub id: String,
    /// Département.
    pub departement: DepartementId,
    /// Its name.
    pub departement_nom: String,
    /// Année scolaire.
    pub annee: AnneeScolaire,
    /// When.
    pub creee_le: OffsetDateTime,
    /// Lines of the extract.
    pub eleves: u32,
    /// Pupils left out.
    pub exclus: u32,
    /// Whether the key was kept.
    pub cle_conservee: bool,
}

/// Registers a release.
pub fn inserer(c: &Connection, p: &Publication) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO publication (id, departement_id, annee, creee_le, eleves, exclus, cle_conservee) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![p.id, p.departement, p.annee, instant(p.creee_le), p.eleves, p.exclus, p.cle_conservee])?;
    Ok(())
}

/// The releases of the départements of the perimeter, newest first.
pub fn lister(c: &Connection, p: &Perimetre) -> Result<Vec<Publication>> {
    let (cond, v): (&str, Vec<Value>) = match p {
        Perimetre::Installation => ("1", vec![]),
        Perimetre::Academie(a) => ("d.academie_id = ?", vec![a.to_string().into()]),
        Perimetre::Departement(d) => ("d.id = ?", vec![d.to_string().into()]),
        _ => ("0", vec![]),
    };
    let sql = format!(
        "SELECT p.id, p.departement_id, d.nom, p.annee, p.creee_le, p.eleves, p.exclus, p.cle_conservee
         FROM publication p JOIN departement d ON d.id = p.departement_id WHERE {cond} ORDER BY p.creee_le DESC, p.id"
    );
    Ok(c.prepare_cached(&sql)?
        .query_map(params_from_iter(v), |r| {
            Ok(Publication {
                id: r.get(0)?,
                departement: r.get(1)?,
                departement_nom: r.get(2)?,
                annee: r.get(3)?,
                creee_le: lire_instant(r.get(4)?).unwrap_or(OffsetDateTime::UNIX_EPOCH),
                eleves: r.get(5)?,
                exclus: r.get(6)?,
                cle_conservee: r.get::<_, i64>(7)? == 1,
            })
        })?
        .collect::<rusqlite::Result<_>>()?)
}

/// A pupil's yearly records: (year, niveau), oldest first.
pub type Historique = Vec<(i32, crate::domain::Niveau)>;

/// The schooling history of each pupil attending CM2 this year in the département: their
/// current circonscription, and every (year, niveau) of their records, oldest first.
pub fn cohorte_cm2(c: &Connection, d: &DepartementId, annee: AnneeScolaire) -> Result<Vec<(String, Historique)>> {
    let mut st = c.prepare_cached(
        "SELECT s.eleve_id, ci.nom, h.annee, h.niveau
         FROM scolarite s JOIN ecole e ON e.id = s.ecole_id JOIN circonscription ci ON ci.id = e.circonscription_id
         JOIN scolarite h ON h.eleve_id = s.eleve_id
         JOIN eleve el ON el.id = s.eleve_id
         WHERE s.annee = ? AND s.niveau = 'CM2' AND s.etat IN ('admis_provisoire', 'admis_definitif')
           AND ci.departement_id = ? AND el.ine IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM opposition o WHERE o.eleve_id = s.eleve_id AND o.etat = 'acceptee')
         ORDER BY s.eleve_id, h.annee, h.date_admission",
    )?;
    let mut rows = st.query(params![annee, d])?;
    let mut out: Vec<(String, String, Historique)> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if out.last().is_none_or(|x| x.0 != id) {
            out.push((id.clone(), r.get(1)?, Vec::new()));
        }
        if let Some(x) = out.last_mut() {
            x.2.push((r.get(2)?, r.get(3)?));
        }
    }
    Ok(out.into_iter().map(|(_, circo, h)| (circo, h)).collect())
}
