//! Territories: académies, départements, circonscriptions, communes, schools and années scolaires.

use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;

use super::perimetre;
use super::{Error, Result};
use crate::domain::{
    AcademieId, AnneeScolaire, CirconscriptionId, CommuneId, CommuneInsee, DepartementId, Ecole, EcoleId, Perimetre,
    Secteur, TypeEcole, Uai,
};

/// A school as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EcoleResume {
    /// Public id.
    #[schema(value_type = String)]
    pub id: EcoleId,
    /// UAI.
    #[schema(value_type = String)]
    pub uai: Uai,
    /// Name.
    pub nom: String,
    /// Kind.
    #[serde(rename = "type")]
    pub type_ecole: TypeEcole,
    /// Sector.
    pub secteur: Secteur,
    /// Commune's name.
    pub commune: String,
    /// Commune's INSEE code.
    #[schema(value_type = String)]
    pub commune_insee: CommuneInsee,
    /// Circonscription's name.
    pub circonscription: String,
    /// Circonscription's id.
    #[schema(value_type = String)]
    pub circonscription_id: CirconscriptionId,
}

/// What a document's header says of its school.
#[derive(Debug, Clone, Serialize)]
pub struct EnTete {
    /// School name.
    pub nom: String,
    /// UAI.
    pub uai: String,
    /// Address lines.
    pub adresse: Vec<String>,
    /// Commune's name (« Fait à … »).
    pub commune: String,
    /// Phone.
    pub telephone: Option<String>,
    /// E-mail.
    pub courriel: Option<String>,
    /// Circonscription's name.
    pub circonscription: String,
    /// Département's name.
    pub departement: String,
    /// Académie's name.
    pub academie: String,
    /// Director's name.
    #[serde(skip)]
    pub direction_nom: Option<String>,
    /// « la directrice ».
    #[serde(skip)]
    pub direction_feminin: bool,
}

const ECOLE_COLUMNS: &str = "e.id, e.uai, e.nom, e.type, e.secteur, co.nom, co.insee, ci.nom, ci.id";

fn ecole_resume(r: &rusqlite::Row<'_>) -> rusqlite::Result<EcoleResume> {
    let type_ecole: String = r.get(3)?;
    let secteur: String = r.get(4)?;
    Ok(EcoleResume {
        id: r.get(0)?,
        uai: r.get(1)?,
        nom: r.get(2)?,
        type_ecole: TypeEcole::parse(&type_ecole).unwrap_or(TypeEcole::Primaire),
        secteur: Secteur::parse(&secteur).unwrap_or(Secteur::Public),
        commune: r.get(5)?,
        commune_insee: r.get(6)?,
        circonscription: r.get(7)?,
        circonscription_id: r.get(8)?,
    })
}

/// The schools of the perimeter, by commune then name.
pub fn ecoles(c: &Connection, p: &Perimetre) -> Result<Vec<EcoleResume>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT {ECOLE_COLUMNS} FROM ecole e JOIN commune co ON co.id = e.commune_id
         JOIN circonscription ci ON ci.id = e.circonscription_id
         WHERE {} ORDER BY co.nom COLLATE FR, e.nom COLLATE FR",
        cond.sql
    );
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(cond.params), ecole_resume)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One school of the perimeter, by id.
pub fn ecole(c: &Connection, p: &Perimetre, id: &EcoleId) -> Result<EcoleResume> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT {ECOLE_COLUMNS} FROM ecole e JOIN commune co ON co.id = e.commune_id
         JOIN circonscription ci ON ci.id = e.circonscription_id
         WHERE e.id = ? AND {}",
        cond.sql
    );
    let mut params: Vec<rusqlite::types::Value> = vec![rusqlite::types::Value::Text(id.to_string())];
    params.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(params), ecole_resume)
        .optional()?
        .ok_or(Error::Introuvable("école"))
}

/// One school of the perimeter, by UAI.
pub fn ecole_par_uai(c: &Connection, p: &Perimetre, uai: &Uai) -> Result<EcoleResume> {
    let id: Option<EcoleId> =
        c.prepare_cached("SELECT id FROM ecole WHERE uai = ?")?.query_row([uai], |r| r.get(0)).optional()?;
    match id {
        Some(id) => ecole(c, p, &id),
        None => Err(Error::Introuvable("école")),
    }
}

/// The header of a school's documents (the school must already have been found in scope).
pub fn en_tete(c: &Connection, id: &EcoleId) -> Result<EnTete> {
    c.prepare_cached(
        "SELECT e.nom, e.uai, e.adresse, co.code_postal, co.nom, e.telephone, e.courriel, ci.nom, d.nom, a.nom,
                e.direction_nom, e.direction_feminin
         FROM ecole e JOIN commune co ON co.id = e.commune_id
         JOIN circonscription ci ON ci.id = e.circonscription_id
         JOIN departement d ON d.id = ci.departement_id JOIN academie a ON a.id = d.academie_id
         WHERE e.id = ?",
    )?
    .query_row([id], |r| {
        let commune: String = r.get(4)?;
        let cp: String = r.get(3)?;
        Ok(EnTete {
            nom: r.get(0)?,
            uai: r.get(1)?,
            adresse: vec![r.get(2)?, format!("{cp} {commune}")],
            commune,
            telephone: r.get(5)?,
            courriel: r.get(6)?,
            circonscription: r.get(7)?,
            departement: r.get(8)?,
            academie: r.get(9)?,
            direction_nom: r.get(10)?,
            direction_feminin: r.get::<_, i64>(11)? == 1,
        })
    })
    .optional()?
    .ok_or(Error::Introuvable("école"))
}

/// Creates an académie.
pub fn insert_academie(c: &Connection, id: &AcademieId, nom: &str) -> Result<()> {
    c.prepare_cached("INSERT INTO academie (id, nom) VALUES (?, ?)")?.execute(params![id, nom])?;
    Ok(())
}

/// Creates a département (`code` as in the UAI: `035`).
pub fn insert_departement(
    c: &Connection,
    id: &DepartementId,
    academie: &AcademieId,
    code: &str,
    nom: &str,
) -> Result<()> {
    c.prepare_cached("INSERT INTO departement (id, academie_id, code, nom) VALUES (?, ?, ?, ?)")?
        .execute(params![id, academie, code, nom])?;
    Ok(())
}

/// Creates a circonscription.
pub fn insert_circonscription(c: &Connection, id: &CirconscriptionId, dep: &DepartementId, nom: &str) -> Result<()> {
    c.prepare_cached("INSERT INTO circonscription (id, departement_id, nom) VALUES (?, ?, ?)")?
        .execute(params![id, dep, nom])?;
    Ok(())
}

/// Creates a commune.
pub fn insert_commune(
    c: &Connection,
    id: &CommuneId,
    dep: &DepartementId,
    insee: &CommuneInsee,
    nom: &str,
    code_postal: &str,
) -> Result<()> {
    c.prepare_cached("INSERT INTO commune (id, departement_id, insee, nom, code_postal) VALUES (?, ?, ?, ?, ?)")?
        .execute(params![id, dep, insee, nom, code_postal])?;
    Ok(())
}

/// Creates a school; refuses a UAI already used, a UAI of another département, and unknown
/// communes or circonscriptions.
pub fn insert_ecole(c: &Connection, id: &EcoleId, e: &Ecole) -> Result<()> {
    let exists: bool =
        c.prepare_cached("SELECT EXISTS (SELECT 1 FROM ecole WHERE uai = ?)")?.query_row([&e.uai], |r| r.get(0))?;
    if exists {
        return Err(Error::Conflit(format!("une école porte déjà l'UAI {}", e.uai)));
    }
    let dep_circo: Option<String> = c
        .prepare_cached(
            "SELECT d.code FROM circonscription ci JOIN departement d ON d.id = ci.departement_id WHERE ci.id = ?",
        )?
        .query_row([&e.circonscription_id], |r| r.get(0))
        .optional()?;
    let Some(dep_code) = dep_circo else {
        return Err(Error::Introuvable("circonscription"));
    };
    let commune_ok: bool = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM commune co JOIN circonscription ci ON ci.departement_id = co.departement_id
             WHERE co.id = ? AND ci.id = ?)",
        )?
        .query_row(params![e.commune_id, e.circonscription_id], |r| r.get(0))?;
    if !commune_ok {
        return Err(Error::Introuvable("commune"));
    }
    if e.uai.departement() != dep_code {
        return Err(Error::Conflit(format!(
            "l'UAI {} n'est pas du département {dep_code} de la circonscription",
            e.uai
        )));
    }
    c.prepare_cached(
        "INSERT INTO ecole (id, uai, nom, type, secteur, commune_id, circonscription_id, adresse, telephone, courriel,
                            direction_nom, direction_feminin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        e.uai,
        e.nom,
        e.type_ecole.code(),
        e.secteur.code(),
        e.commune_id,
        e.circonscription_id,
        e.adresse,
        e.telephone,
        e.courriel,
        e.direction_nom,
        e.direction_feminin
    ])?;
    Ok(())
}

/// Adds a commune to a school's regroupement pédagogique intercommunal.
pub fn insert_rpi(c: &Connection, ecole: &EcoleId, commune: &CommuneId) -> Result<()> {
    c.prepare_cached("INSERT OR IGNORE INTO ecole_commune_rpi (ecole_id, commune_id) VALUES (?, ?)")?
        .execute(params![ecole, commune])?;
    Ok(())
}

/// The open année scolaire.
pub fn annee_courante(c: &Connection) -> Result<AnneeScolaire> {
    c.prepare_cached("SELECT debut FROM annee_scolaire WHERE etat = 'ouverte'")?
        .query_row([], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Error::Conflit("aucune année scolaire n'est ouverte".into()))
}

/// Opens the first année scolaire of an installation.
pub fn ouvrir_premiere_annee(c: &Connection, annee: AnneeScolaire) -> Result<()> {
    let any: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM annee_scolaire)", [], |r| r.get(0))?;
    if any {
        return Err(Error::Conflit("une année scolaire existe déjà".into()));
    }
    c.execute("INSERT INTO annee_scolaire (debut, etat) VALUES (?, 'ouverte')", [annee])?;
    Ok(())
}

/// The département of the installation (its code as in the UAI), if territories exist.
pub fn departement_code(c: &Connection) -> Result<Option<String>> {
    Ok(c.query_row("SELECT code FROM departement ORDER BY code LIMIT 1", [], |r| r.get(0)).optional()?)
}

/// Every département of the installation (codes, as in the UAI).
pub fn codes_departements(c: &Connection) -> Result<Vec<String>> {
    Ok(c.prepare("SELECT code FROM departement ORDER BY code")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Stored values that no longer satisfy their rule (the file was altered outside the program).
pub(super) fn check_values(c: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt = c.prepare("SELECT id, uai FROM ecole")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let uai: String = r.get(1)?;
        if let Err(e) = Uai::parse(&uai) {
            problems.push(format!("école {} : {e}", r.get::<_, String>(0)?));
        }
    }
    let mut stmt = c.prepare("SELECT id, insee FROM commune")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let insee: String = r.get(1)?;
        if let Err(e) = CommuneInsee::parse(&insee) {
            problems.push(format!("commune {} : {e}", r.get::<_, String>(0)?));
        }
    }
    Ok(problems)
}

/// The name of a perimeter's territory (« École élémentaire Jean-Moulin », « Kervalan »…).
pub fn nom_perimetre(c: &Connection, p: &Perimetre) -> Result<Option<String>> {
    let (sql, id) = match p {
        Perimetre::Installation => return Ok(None),
        Perimetre::Academie(i) => ("SELECT nom FROM academie WHERE id = ?", i.as_str()),
        Perimetre::Departement(i) => ("SELECT nom FROM departement WHERE id = ?", i.as_str()),
        Perimetre::Circonscription(i) => ("SELECT nom FROM circonscription WHERE id = ?", i.as_str()),
        Perimetre::Commune(i) => ("SELECT nom FROM commune WHERE id = ?", i.as_str()),
        Perimetre::Ecole(i) => ("SELECT nom FROM ecole WHERE id = ?", i.as_str()),
        Perimetre::College(i) => ("SELECT nom FROM college WHERE id = ?", i.as_str()),
        Perimetre::Responsable(_) => return Ok(None),
    };
    Ok(c.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?)
}

/// The département of a commune.
pub fn departement_de_commune(c: &Connection, commune: &CommuneId) -> Result<Option<DepartementId>> {
    Ok(c.prepare_cached("SELECT departement_id FROM commune WHERE id = ?")?
        .query_row([commune], |r| r.get(0))
        .optional()?)
}

/// The département of a staff perimeter (school, circonscription, commune, département), if
/// it has one.
pub fn departement_du_perimetre(c: &Connection, p: &Perimetre) -> Result<Option<DepartementId>> {
    let sql = match p {
        Perimetre::Departement(d) => return Ok(Some(d.clone())),
        Perimetre::Commune(_) => "SELECT departement_id FROM commune WHERE id = ?",
        Perimetre::Circonscription(_) => "SELECT departement_id FROM circonscription WHERE id = ?",
        Perimetre::Ecole(_) => {
            "SELECT departement_id FROM circonscription WHERE id = (SELECT circonscription_id FROM ecole WHERE id = ?)"
        }
        _ => return Ok(None),
    };
    Ok(c.prepare_cached(sql)?.query_row([p.id().unwrap_or_default()], |r| r.get(0)).optional()?)
}

/// Finds the perimeter an operator names on the command line: a UAI (school or collège), an
/// INSEE code (commune), a département code, or an id of any territory.
pub fn trouver_perimetre(c: &Connection, genre: &str, valeur: &str) -> Result<Option<Perimetre>> {
    let v = valeur.trim();
    let sql = match genre {
        "ecole" => "SELECT id FROM ecole WHERE id = ?1 OR uai = upper(?1)",
        "college" => "SELECT id FROM college WHERE id = ?1 OR uai = upper(?1)",
        "commune" => "SELECT id FROM commune WHERE id = ?1 OR insee = upper(?1)",
        "circonscription" => "SELECT id FROM circonscription WHERE id = ?1",
        "departement" => "SELECT id FROM departement WHERE id = ?1 OR code = ?1",
        "academie" => "SELECT id FROM academie WHERE id = ?1",
        "responsable" => "SELECT id FROM responsable WHERE id = ?1",
        "installation" => return Ok(Some(Perimetre::Installation)),
        _ => return Ok(None),
    };
    let id: Option<String> = c.prepare_cached(sql)?.query_row([v], |r| r.get(0)).optional()?;
    Ok(id.and_then(|id| Perimetre::depuis(genre, Some(&id))))
}

/// Whether `interieur` lies within `exterieur` (a school within a circonscription…): who may
/// create accounts where.
pub fn perimetre_inclus(c: &Connection, interieur: &Perimetre, exterieur: &Perimetre) -> Result<bool> {
    if interieur == exterieur || *exterieur == Perimetre::Installation {
        return Ok(true);
    }
    let dep_de = |p: &Perimetre| -> Result<Option<String>> {
        let (sql, id) = match p {
            Perimetre::Departement(i) => return Ok(Some(i.to_string())),
            Perimetre::Circonscription(i) => ("SELECT departement_id FROM circonscription WHERE id = ?", i.as_str()),
            Perimetre::Commune(i) => ("SELECT departement_id FROM commune WHERE id = ?", i.as_str()),
            Perimetre::Ecole(i) => (
                "SELECT ci.departement_id FROM ecole e JOIN circonscription ci ON ci.id = e.circonscription_id WHERE e.id = ?",
                i.as_str(),
            ),
            Perimetre::College(i) => (
                "SELECT co.departement_id FROM college k JOIN commune co ON co.id = k.commune_id WHERE k.id = ?",
                i.as_str(),
            ),
            _ => return Ok(None),
        };
        Ok(c.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?)
    };
    match exterieur {
        Perimetre::Departement(d) => Ok(dep_de(interieur)?.as_deref() == Some(d.as_str())),
        Perimetre::Ecole(e) => match interieur {
            // A directeur's parents: responsables of pupils schooled in the school.
            Perimetre::Responsable(r) => Ok(c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM eleve_responsable er JOIN scolarite s ON s.eleve_id = er.eleve_id
                     WHERE er.responsable_id = ? AND s.ecole_id = ?)",
                )?
                .query_row([r.as_str(), e.as_str()], |r| r.get(0))?),
            _ => Ok(false),
        },
        _ => Ok(false),
    }
}

/// Creates a collège.
pub fn insert_college(
    c: &Connection,
    id: &crate::domain::CollegeId,
    uai: &Uai,
    nom: &str,
    commune: &CommuneId,
) -> Result<()> {
    c.prepare_cached("INSERT INTO college (id, uai, nom, commune_id) VALUES (?, ?, ?, ?)")?.execute(params![
        id.as_str(),
        uai,
        nom,
        commune
    ])?;
    Ok(())
}

/// Assigns the CM2 pupils of a school in `annee` to a collège for 6e.
pub fn affecter_cm2(
    c: &Connection,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    college: &crate::domain::CollegeId,
) -> Result<usize> {
    Ok(c.prepare_cached(
        "INSERT OR REPLACE INTO affectation_college (eleve_id, annee, college_id)
         SELECT s.eleve_id, s.annee, ? FROM scolarite s
         WHERE s.ecole_id = ? AND s.annee = ? AND s.niveau = 'CM2' AND s.etat IN ('admis_provisoire', 'admis_definitif')",
    )?
    .execute(params![college.as_str(), ecole, annee])?)
}

/// The territories of one kind within a perimeter, to choose from a list (id, label), in
/// French order: schools as « UAI — nom (commune) », communes as « nom (INSEE) ».
pub fn proposes(c: &Connection, p: &Perimetre, genre: &str) -> Result<Vec<(String, String)>> {
    let Perimetre::Departement(d) = p else {
        return Ok(Vec::new());
    };
    let sql = match genre {
        "ecole" => {
            "SELECT e.id, e.uai || ' — ' || e.nom || ' (' || co.nom || ')' FROM ecole e JOIN commune co ON co.id = e.commune_id
             JOIN circonscription ci ON ci.id = e.circonscription_id WHERE ci.departement_id = ?
             ORDER BY co.nom COLLATE FR, e.nom COLLATE FR"
        }
        "commune" => {
            "SELECT id, nom || ' (' || insee || ')' FROM commune WHERE departement_id = ? ORDER BY nom COLLATE FR, insee"
        }
        "circonscription" => "SELECT id, nom FROM circonscription WHERE departement_id = ? ORDER BY nom COLLATE FR",
        "college" => {
            "SELECT k.id, k.uai || ' — ' || k.nom || ' (' || co.nom || ')' FROM college k JOIN commune co ON co.id = k.commune_id
             WHERE co.departement_id = ? ORDER BY co.nom COLLATE FR, k.nom COLLATE FR"
        }
        _ => return Ok(Vec::new()),
    };
    Ok(c.prepare_cached(sql)?
        .query_map([d.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}
