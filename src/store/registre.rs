//! Certificates (numbered, with a verification code) and the registre des élèves inscrits,
//! the school's legal register with its own columns only (docs/domaine.md §8).

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::Date;

use super::Result;
use super::parcours::jour;
use crate::domain::{AnneeScolaire, EcoleId, EleveId};

/// An issued certificate.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Certificat {
    /// Number.
    pub numero: String,
    /// Verification code.
    pub code: String,
    /// Kind.
    #[serde(rename = "type")]
    pub genre: String,
    /// Issuer (school or mairie).
    pub emetteur: String,
    /// The pupil's initials.
    pub initiales: String,
    /// Issued on.
    #[schema(value_type = String, format = Date)]
    pub emis_le: Date,
}

/// Issues the certificate of `sujet` once: a reprint gets the same number, code and date.
/// `code_de` computes the verification code of a number.
#[allow(clippy::too_many_arguments)]
pub fn emettre(
    c: &Connection,
    genre: &str,
    sujet: &str,
    eleve: &EleveId,
    prefixe: &str,
    emetteur: &str,
    initiales: &str,
    le: Date,
    code_de: &dyn Fn(&str) -> String,
) -> Result<Certificat> {
    if let Some(k) = c
        .prepare_cached("SELECT numero, code, type, emetteur, initiales, emis_le FROM certificat WHERE sujet = ?")?
        .query_row([sujet], certificat_de)
        .optional()?
    {
        return Ok(k);
    }
    let dernier: i64 = c
        .prepare_cached(
            "INSERT INTO sequence_certificat (prefixe, annee, dernier) VALUES (?1, ?2, 1)
             ON CONFLICT (prefixe, annee) DO UPDATE SET dernier = dernier + 1 RETURNING dernier",
        )?
        .query_row(params![prefixe, le.year()], |r| r.get(0))?;
    let numero = format!("{prefixe}-{}-{dernier:05}", le.year());
    let code = code_de(&numero);
    c.prepare_cached("INSERT INTO certificat (numero, code, type, sujet, eleve_id, emetteur, initiales, emis_le) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")?
        .execute(params![numero, code, genre, sujet, eleve, emetteur, initiales, le])?;
    Ok(Certificat {
        numero,
        code,
        genre: genre.into(),
        emetteur: emetteur.into(),
        initiales: initiales.into(),
        emis_le: le,
    })
}

/// The certificate of a verification code, if it exists.
pub fn certificat_par_code(c: &Connection, code: &str) -> Result<Option<Certificat>> {
    Ok(c.prepare_cached("SELECT numero, code, type, emetteur, initiales, emis_le FROM certificat WHERE code = ?")?
        .query_row([code], certificat_de)
        .optional()?)
}

/// A certificate from `SELECT numero, code, type, emetteur, initiales, emis_le`.
fn certificat_de(r: &rusqlite::Row<'_>) -> rusqlite::Result<Certificat> {
    Ok(Certificat {
        numero: r.get(0)?,
        code: r.get(1)?,
        genre: r.get(2)?,
        emetteur: r.get(3)?,
        initiales: r.get(4)?,
        emis_le: r.get(5)?,
    })
}

// Duplicates -------------------------------------------------------------------------------------

/// One line of the registre des élèves inscrits (its own columns only, docs/domaine.md §8).
#[derive(Debug, Clone, Serialize)]
pub struct LigneRegistre {
    /// Nom.
    pub nom: String,
    /// Prénoms.
    pub prenoms: String,
    /// Date of birth.
    pub date_naissance: Date,
    /// Responsables (civilité, prénom, nom).
    pub responsables: Vec<String>,
    /// Address.
    pub adresse: String,
    /// Previous school.
    pub ecole_precedente: Option<String>,
    /// Date of its certificat de radiation.
    pub radiation_precedente: Option<Date>,
    /// Date of inscription (the mairie's, else the admission).
    pub inscription: Date,
    /// Date of radiation.
    pub radiation: Option<Date>,
    /// Next school, or why the pupil left.
    pub observations: Option<String>,
}

/// The register of a school for a year: every pupil with a record there that year, by
/// admission date then name.
pub fn registre(c: &Connection, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<LigneRegistre>> {
    let mut stmt = c.prepare_cached(
        "SELECT el.id, el.nom, el.prenoms, el.date_naissance,
                trim(coalesce(el.adresse, '') || ' ' || coalesce(el.code_postal, '') || ' ' || coalesce(el.commune_residence, '')),
                s.ecole_precedente, s.radiation_precedente, coalesce(i.inscrit_le, s.date_admission),
                CASE WHEN s.etat = 'radie' THEN s.date_sortie END, s.destination, s.motif_sortie
         FROM scolarite s JOIN eleve el ON el.id = s.eleve_id LEFT JOIN inscription i ON i.id = s.inscription_id
         WHERE s.ecole_id = ? AND s.annee = ? ORDER BY s.date_admission, el.nom COLLATE FR, el.prenoms COLLATE FR",
    )?;
    let rows: Vec<(String, LigneRegistre)> = stmt
        .query_map(params![ecole, annee], |r| {
            let motif: Option<String> = r.get(10)?;
            let destination: Option<String> = r.get(9)?;
            let observations = match (destination, motif) {
                (Some(d), _) => Some(d),
                (None, Some(m)) => {
                    crate::domain::parcours::MotifRadiation::parse(&m).ok().map(|m| m.libelle().to_string())
                }
                _ => None,
            };
            Ok((
                r.get(0)?,
                LigneRegistre {
                    nom: r.get(1)?,
                    prenoms: r.get(2)?,
                    date_naissance: r.get(3)?,
                    responsables: vec![],
                    adresse: r.get(4)?,
                    ecole_precedente: r.get(5)?,
                    radiation_precedente: jour(r.get(6)?),
                    inscription: jour(r.get(7)?).unwrap_or(Date::MIN),
                    radiation: jour(r.get(8)?),
                    observations,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut resp = c.prepare_cached(
        "SELECT trim(coalesce(r.civilite || ' ', '') || r.prenom || ' ' || r.nom) FROM eleve_responsable er
         JOIN responsable r ON r.id = er.responsable_id WHERE er.eleve_id = ? ORDER BY er.rang",
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut l) in rows {
        l.responsables = resp.query_map([&id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        out.push(l);
    }
    Ok(out)
}

/// The schools with records in a year (for archiving the registers at the rentrée).
pub fn ecoles_de_l_annee(c: &Connection, annee: AnneeScolaire) -> Result<Vec<(EcoleId, String)>> {
    Ok(c.prepare_cached("SELECT DISTINCT s.ecole_id, e.uai FROM scolarite s JOIN ecole e ON e.id = s.ecole_id WHERE s.annee = ? ORDER BY e.uai")?
        .query_map([annee], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

// Retention --------------------------------------------------------------------------------------

/// What a certificate was made from: its template's version and its data's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sceau {
    /// Hash of the template in use.
    pub gabarit: String,
    /// Hash of the data printed.
    pub empreinte: String,
}

/// Who issued a certificate, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origine {
    /// The issuing account's id (`operateur` for the CLI).
    pub par: String,
    /// The instant of issue, in Unix seconds: the original's PDF date.
    pub a: i64,
}

/// The seal of a certificate, if it has one (certificates issued before it existed have none),
/// with who issued it and when (none when issued without an account, or before this was kept).
pub fn sceau(c: &Connection, numero: &str) -> Result<Option<(Sceau, Option<Origine>)>> {
    type Colonnes = (Option<String>, Option<String>, Option<String>, Option<i64>);
    let lu: Option<Colonnes> = c
        .prepare_cached("SELECT gabarit, empreinte, emis_par, emis_a FROM certificat WHERE numero = ?")?
        .query_row([numero], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(lu.and_then(|(g, e, par, a)| {
        let origine = par.zip(a).map(|(par, a)| Origine { par, a });
        Some((Sceau { gabarit: g?, empreinte: e? }, origine))
    }))
}

/// Seals a certificate (once: a seal never changes), with who issued it and when.
pub fn sceller(c: &Connection, numero: &str, s: &Sceau, origine: Option<&Origine>) -> Result<()> {
    c.prepare_cached(
        "UPDATE certificat SET gabarit = ?, empreinte = ?, emis_par = ?, emis_a = ? WHERE numero = ? AND empreinte IS NULL",
    )?
    .execute(params![s.gabarit, s.empreinte, origine.map(|o| &o.par), origine.map(|o| o.a), numero])?;
    Ok(())
}

/// Sets a certificate aside for a new one of the same subject (its data or template changed):
/// the old one stays verifiable, its subject is freed.
pub fn remplacer(c: &Connection, numero: &str) -> Result<()> {
    c.prepare_cached("UPDATE certificat SET sujet = sujet || '#remplace:' || numero WHERE numero = ?")?
        .execute([numero])?;
    Ok(())
}
