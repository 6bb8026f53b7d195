//! The lifecycle's records (SQL only; the transitions themselves are `domain::parcours`):
//! inscriptions, schooling records and passages. The duplicate search is `store::doublons`,
//! certificates and the legal register `store::registre`, retention `store::conservation`; they
//! are re-exported here, where the lifecycle's callers look for them.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use time::Date;

use super::perimetre;
use super::{Error, Result};
use crate::domain::parcours::{EtatInscription, ModeScolarisation, Passage, Piece, Reponse, TypePassage};
use crate::domain::{AnneeScolaire, ClasseId, CommuneId, EcoleId, EleveId, EtatScolarite, Niveau, Perimetre};

pub use super::conservation::*;
pub use super::doublons::*;
pub use super::registre::*;

pub(super) fn jour(s: Option<String>) -> Option<Date> {
    s.and_then(|s| crate::domain::identite::parse_date("date", &s).ok())
}

pub(super) fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// An inscription as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inscription {
    /// Id.
    pub id: String,
    /// The child.
    pub eleve_id: String,
    /// Nom.
    pub nom: String,
    /// Prénoms.
    pub prenoms: String,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_naissance: Date,
    /// Commune id.
    pub commune_id: String,
    /// Commune.
    pub commune: String,
    /// Année scolaire.
    #[schema(value_type = String)]
    pub annee: AnneeScolaire,
    /// Mode of schooling.
    pub mode: ModeScolarisation,
    /// Designated school id.
    pub ecole_id: Option<String>,
    /// Designated school.
    pub ecole: Option<String>,
    /// Niveau.
    #[schema(value_type = String)]
    pub niveau: Niveau,
    /// State.
    pub etat: EtatInscription,
    /// Recorded by the school (the mairie does not use the system).
    pub par_ecole: bool,
    /// Recorded on.
    #[schema(value_type = String, format = Date)]
    pub cree_le: Date,
    /// Confirmed on.
    #[schema(value_type = Option<String>, format = Date)]
    pub inscrit_le: Option<Date>,
}

const INSCRIPTION: &str =
    "SELECT i.id, i.eleve_id, el.nom, el.prenoms, el.date_naissance, i.commune_id, co.nom, i.annee, i.mode,
    i.ecole_id, e.nom, i.niveau, i.etat, i.par_ecole, i.cree_le, i.inscrit_le
    FROM inscription i JOIN eleve el ON el.id = i.eleve_id JOIN commune co ON co.id = i.commune_id
    LEFT JOIN ecole e ON e.id = i.ecole_id";

fn inscription_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Inscription> {
    let mode: String = r.get(8)?;
    let etat: String = r.get(12)?;
    Ok(Inscription {
        id: r.get(0)?,
        eleve_id: r.get(1)?,
        nom: r.get(2)?,
        prenoms: r.get(3)?,
        date_naissance: r.get(4)?,
        commune_id: r.get(5)?,
        commune: r.get(6)?,
        annee: r.get(7)?,
        mode: ModeScolarisation::parse(&mode).unwrap_or(ModeScolarisation::Ecole),
        ecole_id: r.get(9)?,
        ecole: r.get(10)?,
        niveau: r.get(11)?,
        etat: EtatInscription::parse(&etat).unwrap_or(EtatInscription::Annule),
        par_ecole: r.get::<_, i64>(13)? == 1,
        cree_le: r.get(14)?,
        inscrit_le: jour(r.get(15)?),
    })
}

/// Records an inscription (pending). `cree_eleve`: the inscription brought the pupil's record
/// (a new child); only then does it grant reads of that record (`perimetre::eleves`).
#[allow(clippy::too_many_arguments)]
pub fn inserer_inscription(
    c: &Connection,
    id: &str,
    eleve: &EleveId,
    commune: &CommuneId,
    annee: AnneeScolaire,
    mode: ModeScolarisation,
    ecole: Option<&EcoleId>,
    niveau: Niveau,
    par_ecole: bool,
    cree_eleve: bool,
    le: Date,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO inscription (id, eleve_id, commune_id, annee, mode, ecole_id, niveau, etat, par_ecole, cree_eleve, cree_le)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'en_attente', ?, ?, ?)",
    )?
    .execute(params![id, eleve, commune, annee, mode.code(), ecole, niveau, par_ecole, cree_eleve, le])?;
    Ok(())
}

/// An inscription of the perimeter.
pub fn inscription(c: &Connection, p: &Perimetre, id: &str) -> Result<Inscription> {
    let cond = perimetre::inscriptions(p);
    let sql = format!("{INSCRIPTION} WHERE i.id = ? AND {}", cond.sql);
    let mut v: Vec<Value> = vec![id.to_string().into()];
    v.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(v), inscription_row)
        .optional()?
        .ok_or(Error::Introuvable("inscription"))
}

/// The inscriptions of the perimeter, optionally of one school or state, newest first.
pub fn inscriptions(
    c: &Connection,
    p: &Perimetre,
    ecole: Option<&EcoleId>,
    etat: Option<EtatInscription>,
) -> Result<Vec<Inscription>> {
    let cond = perimetre::inscriptions(p);
    let mut sql = format!("{INSCRIPTION} WHERE {}", cond.sql);
    let mut v: Vec<Value> = cond.params;
    if let Some(e) = ecole {
        sql.push_str(" AND i.ecole_id = ?");
        v.push(e.to_string().into());
    }
    if let Some(e) = etat {
        sql.push_str(" AND i.etat = ?");
        v.push(e.code().to_string().into());
    }
    sql.push_str(" ORDER BY i.cree_le DESC, el.nom COLLATE FR, el.prenoms COLLATE FR LIMIT 2000");
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), inscription_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Moves an inscription to a new state.
pub fn poser_etat_inscription(c: &Connection, id: &str, etat: EtatInscription, le: Date) -> Result<()> {
    let col = match etat {
        EtatInscription::Inscrit => "inscrit_le",
        _ => "clos_le",
    };
    c.execute(&format!("UPDATE inscription SET etat = ?, {col} = ? WHERE id = ?"), params![etat.code(), le, id])?;
    Ok(())
}

/// A yearly schooling record, with what the transitions need.
#[derive(Debug, Clone)]
pub struct Fiche {
    /// Record id.
    pub id: String,
    /// Pupil.
    pub eleve_id: EleveId,
    /// The pupil was read within a perimeter (a schooling record of one of its schools).
    pub vu: super::Vu,
    /// Year.
    pub annee: AnneeScolaire,
    /// School.
    pub ecole_id: EcoleId,
    /// Niveau.
    pub niveau: Niveau,
    /// Class.
    pub classe_id: Option<ClasseId>,
    /// State.
    pub etat: EtatScolarite,
    /// Missing papers.
    pub pieces: Vec<Piece>,
    /// Leaves at the end of the year.
    pub quitte: bool,
    /// Admission date.
    pub date_admission: Date,
    /// Date of birth of the pupil (for the niveau warning).
    pub date_naissance: Date,
}

fn fiche_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Fiche> {
    let pieces: Option<String> = r.get(7)?;
    let eleve_id: EleveId = r.get(1)?;
    Ok(Fiche {
        id: r.get(0)?,
        vu: super::Vu::new(eleve_id.clone()),
        eleve_id,
        annee: r.get(2)?,
        ecole_id: r.get(3)?,
        niveau: r.get(4)?,
        classe_id: r.get(5)?,
        etat: r.get(6)?,
        pieces: pieces.unwrap_or_default().split(',').filter_map(|p| Piece::parse(p).ok()).collect(),
        quitte: r.get::<_, i64>(8)? == 1,
        date_admission: r.get(9)?,
        date_naissance: r.get(10)?,
    })
}

const FICHE: &str = "SELECT s.id, s.eleve_id, s.annee, s.ecole_id, s.niveau, s.classe_id, s.etat, s.pieces_manquantes, s.quitte,
    s.date_admission, el.date_naissance FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id";

/// The pupil's record of the year in a school of the perimeter (the attending one first).
pub fn fiche(c: &Connection, p: &Perimetre, eleve: &EleveId, annee: AnneeScolaire) -> Result<Fiche> {
    let cond = perimetre::scolarites(p);
    let sql = format!(
        "{FICHE} WHERE s.eleve_id = ? AND s.annee = ? AND {} ORDER BY s.etat IN ('admis_provisoire', 'admis_definitif') DESC, s.date_admission DESC LIMIT 1",
        cond.sql
    );
    let mut v: Vec<Value> = vec![eleve.to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    c.prepare_cached(&sql)?.query_row(params_from_iter(v), fiche_row).optional()?.ok_or(Error::Introuvable("élève"))
}

/// The school the pupil attends this year, anywhere in the installation (its id and name):
/// what an admission elsewhere must wait for. Deliberately beyond the perimeter, like the
/// duplicate search, and as narrow: no record of the pupil comes back.
pub fn ecole_frequentee(c: &Connection, eleve: &EleveId, annee: AnneeScolaire) -> Result<Option<(EcoleId, String)>> {
    Ok(c.prepare_cached(
        "SELECT e.id, e.nom FROM scolarite s JOIN ecole e ON e.id = s.ecole_id
         WHERE s.eleve_id = ? AND s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') LIMIT 1",
    )?
    .query_row(params![eleve, annee], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?)
}

/// The attending records of a class.
pub fn fiches_classe(c: &Connection, p: &Perimetre, classe: &ClasseId) -> Result<Vec<Fiche>> {
    let cond = perimetre::scolarites(p);
    let sql = format!(
        "{FICHE} WHERE s.classe_id = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND {} ORDER BY el.nom COLLATE FR, el.prenoms COLLATE FR",
        cond.sql
    );
    let mut v: Vec<Value> = vec![classe.to_string().into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), fiche_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Sets the state and the missing papers of a record.
pub fn poser_etat(c: &Connection, id: &str, etat: EtatScolarite, pieces: &[Piece]) -> Result<()> {
    let pieces = (!pieces.is_empty()).then(|| pieces.iter().map(|p| p.code()).collect::<Vec<_>>().join(","));
    c.prepare_cached("UPDATE scolarite SET etat = ?, pieces_manquantes = ? WHERE id = ?")?
        .execute(params![etat, pieces, id])?;
    Ok(())
}

/// Places a record in a class (or takes it out).
pub fn placer(c: &Connection, id: &str, classe: Option<&ClasseId>) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET classe_id = ? WHERE id = ?")?.execute(params![classe, id])?;
    Ok(())
}

/// Whether a class of the school and year teaches the niveau.
pub fn classe_accueille(
    c: &Connection,
    classe: &ClasseId,
    ecole: &EcoleId,
    annee: AnneeScolaire,
    niveau: Niveau,
) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM classe cl JOIN classe_niveau cn ON cn.classe_id = cl.id
         WHERE cl.id = ? AND cl.ecole_id = ? AND cl.annee = ? AND cn.niveau = ?)",
    )?
    .query_row(params![classe, ecole, annee, niveau], |r| r.get(0))?)
}

/// Marks (or unmarks) a pupil as leaving the school at the end of the year.
pub fn marquer_quitte(c: &Connection, id: &str, quitte: bool, destination: Option<&str>) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET quitte = ?, destination = ? WHERE id = ?")?.execute(params![
        quitte,
        destination,
        id
    ])?;
    Ok(())
}

/// Closes a record: radiation, or departure at the end of the year.
pub fn sortir(
    c: &Connection,
    id: &str,
    etat: EtatScolarite,
    le: Date,
    motif: &str,
    destination: Option<&str>,
) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET etat = ?, date_sortie = ?, motif_sortie = ?, destination = coalesce(?, destination) WHERE id = ?")?
        .execute(params![etat, le, motif, destination, id])?;
    Ok(())
}

/// Undoes a radiation: the record attends again; the certificat de radiation issued for it no
/// longer verifies (its number is never issued again); the retention clock is cleared if the
/// radiation had set it.
pub fn annuler_sortie(
    c: &Connection,
    vu: &super::Vu,
    id: &str,
    etat: EtatScolarite,
    premier_degre: bool,
) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET etat = ?, date_sortie = NULL, motif_sortie = NULL WHERE id = ?")?
        .execute(params![etat, id])?;
    c.prepare_cached("DELETE FROM certificat WHERE type = 'radiation' AND sujet = ?")?
        .execute([format!("radiation:{id}")])?;
    if premier_degre {
        c.prepare_cached("UPDATE eleve SET sortie_premier_degre = NULL WHERE id = ?")?.execute([vu.eleve()])?;
    }
    Ok(())
}

/// Records that the pupil left primary schooling on `le` (the retention clock).
pub fn noter_sortie_premier_degre(c: &Connection, vu: &super::Vu, le: Date) -> Result<()> {
    let eleve = vu.eleve();
    c.prepare_cached("UPDATE eleve SET sortie_premier_degre = ? WHERE id = ?")?.execute(params![le, eleve])?;
    Ok(())
}

/// What the legal register needs of a transfer: the previous school and its radiation date.
pub fn noter_provenance(c: &Connection, id: &str, ecole: &str, radiation: Option<Date>) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET ecole_precedente = ?, radiation_precedente = ? WHERE id = ?")?
        .execute(params![ecole, radiation, id])?;
    Ok(())
}

/// The pupil's last closed record elsewhere (for the register of the new school).
pub fn derniere_sortie(c: &Connection, vu: &super::Vu) -> Result<Option<(String, Option<Date>)>> {
    let eleve = vu.eleve();
    Ok(c.prepare_cached(
        "SELECT e.uai || ' ' || e.nom, s.date_sortie FROM scolarite s JOIN ecole e ON e.id = s.ecole_id
         WHERE s.eleve_id = ? AND s.etat IN ('radie', 'parti') ORDER BY s.date_sortie DESC LIMIT 1",
    )?
    .query_row([eleve], |r| Ok((r.get(0)?, jour(r.get(1)?))))
    .optional()?)
}

/// Attaches the inscription the admission consumed.
pub fn lier_inscription(c: &Connection, scolarite: &str, inscription: &str) -> Result<()> {
    c.prepare_cached("UPDATE scolarite SET inscription_id = ? WHERE id = ?")?
        .execute(params![inscription, scolarite])?;
    Ok(())
}

/// The pupils attending a school in a year (admitted, not gone).
fn presents(
    c: &Connection,
    p: &Perimetre,
    ecole: &EcoleId,
    annee: AnneeScolaire,
) -> Result<Vec<super::eleves::EleveLigne>> {
    super::eleves::lister(
        c,
        p,
        &super::eleves::Filtre { ecole: Some(ecole.clone()), presents: true, ..super::eleves::Filtre::annee(annee) },
    )
}

/// The pupils of a school and year not yet placed in a class.
pub fn non_repartis(
    c: &Connection,
    p: &Perimetre,
    ecole: &EcoleId,
    annee: AnneeScolaire,
) -> Result<Vec<super::eleves::EleveLigne>> {
    Ok(presents(c, p, ecole, annee)?.into_iter().filter(|l| l.classe_id.is_none()).collect())
}

/// The pupils of a school and year admitted provisionally (a paper is missing).
pub fn provisoires(
    c: &Connection,
    p: &Perimetre,
    ecole: &EcoleId,
    annee: AnneeScolaire,
) -> Result<Vec<super::eleves::EleveLigne>> {
    let provisoire = |l: &super::eleves::EleveLigne| l.etat == crate::domain::scolarite::EtatScolarite::AdmisProvisoire;
    Ok(presents(c, p, ecole, annee)?.into_iter().filter(provisoire).collect())
}

// Passage --------------------------------------------------------------------------------------

/// The passage procedure of a pupil for a year.
pub fn passage(c: &Connection, vu: &super::Vu, annee: AnneeScolaire) -> Result<Passage> {
    let eleve = vu.eleve();
    let row: Option<[Option<String>; 9]> = c
        .prepare_cached(
            "SELECT proposition, propose_le, reponse, repondu_le, decision, decide_le, recours_le, recours_issue, tranche_le
             FROM passage WHERE eleve_id = ? AND annee = ?",
        )?
        .query_row(params![eleve, annee], |r| {
            Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?])
        })
        .optional()?;
    let Some([prop, prop_le, rep, rep_le, dec, dec_le, rec_le, issue, tr_le]) = row else {
        return Ok(Passage::default());
    };
    let t = |s: Option<String>| s.and_then(|s| TypePassage::parse(&s).ok());
    let pair = |a: Option<TypePassage>, d: Option<Date>| a.zip(d);
    Ok(Passage {
        proposition: pair(t(prop), jour(prop_le)),
        reponse: rep.and_then(|r| Reponse::parse(&r).ok()).zip(jour(rep_le)),
        decision: pair(t(dec), jour(dec_le)),
        recours: jour(rec_le),
        recours_issue: pair(t(issue), jour(tr_le)),
    })
}

/// Stores a passage procedure.
pub fn enregistrer_passage(c: &Connection, vu: &super::Vu, annee: AnneeScolaire, p: &Passage) -> Result<()> {
    let eleve = vu.eleve();
    let t = |x: Option<(TypePassage, Date)>| (x.map(|(t, _)| t.code()), x.map(|(_, d)| iso(d)));
    let (prop, prop_le) = t(p.proposition);
    let (dec, dec_le) = t(p.decision);
    let (issue, tr_le) = t(p.recours_issue);
    c.prepare_cached(
        "INSERT INTO passage (eleve_id, annee, proposition, propose_le, reponse, repondu_le, decision, decide_le, recours_le,
                              recours_issue, tranche_le)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (eleve_id, annee) DO UPDATE SET proposition = excluded.proposition, propose_le = excluded.propose_le,
            reponse = excluded.reponse, repondu_le = excluded.repondu_le, decision = excluded.decision,
            decide_le = excluded.decide_le, recours_le = excluded.recours_le, recours_issue = excluded.recours_issue,
            tranche_le = excluded.tranche_le",
    )?
    .execute(params![
        eleve,
        annee,
        prop,
        prop_le,
        p.reponse.map(|(r, _)| r.code()),
        p.reponse.map(|(_, d)| iso(d)),
        dec,
        dec_le,
        p.recours.map(iso),
        issue,
        tr_le
    ])?;
    Ok(())
}

// Années --------------------------------------------------------------------------------------

/// Whether an année scolaire exists.
pub fn annee_existe(c: &Connection, annee: AnneeScolaire) -> Result<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM annee_scolaire WHERE debut = ?)")?
        .query_row([annee], |r| r.get(0))?)
}

/// Closes `annee` and opens the next one.
pub fn basculer_annee(c: &Connection, annee: AnneeScolaire) -> Result<()> {
    c.execute("UPDATE annee_scolaire SET etat = 'close' WHERE debut = ?", [annee])?;
    c.execute("INSERT INTO annee_scolaire (debut, etat) VALUES (?, 'ouverte')", [annee.suivante()])?;
    Ok(())
}

/// Creates the next year's record of a pupil in the same school (awaiting répartition).
pub fn reconduire(c: &Connection, id: &str, f: &Fiche, niveau: Niveau) -> Result<()> {
    let annee = f.annee.suivante();
    c.prepare_cached(
        "INSERT INTO scolarite (id, eleve_id, annee, ecole_id, niveau, cycle, classe_id, ulis, etat, date_admission)
         SELECT ?, eleve_id, ?, ecole_id, ?, ?, NULL, ulis, ?, date_admission FROM scolarite WHERE id = ?",
    )?
    .execute(params![id, annee, niveau, niveau.cycle(annee), f.etat, f.id])?;
    Ok(())
}

/// End of the school year: autorisations, insurance and périscolaire are cleared (docs/domaine.md §4).
pub fn effacer_annuel(c: &Connection, avant: AnneeScolaire) -> Result<usize> {
    let n = c.execute("DELETE FROM eleve_annuel WHERE annee < ?", [avant])?;
    c.execute("UPDATE eleve_responsable SET accord_associations = NULL WHERE accord_associations IS NOT NULL", [])?;
    Ok(n)
}

// Certificates ---------------------------------------------------------------------------------

/// Whether a child already has a pending or confirmed inscription for the year.
pub fn inscription_en_cours(c: &Connection, eleve: &EleveId, annee: AnneeScolaire) -> Result<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM inscription WHERE eleve_id = ? AND annee = ? AND etat IN ('en_attente', 'inscrit'))")?
        .query_row(params![eleve, annee], |r| r.get(0))?)
}

/// The pupil's INE, if assigned.
pub fn ine(c: &Connection, vu: &super::Vu) -> Result<Option<crate::domain::Ine>> {
    Ok(c.prepare_cached("SELECT ine FROM eleve WHERE id = ?")?.query_row([vu.eleve()], |r| r.get(0))?)
}

/// Assigns an INE to a pupil who had none.
pub fn poser_ine(c: &Connection, vu: &super::Vu, ine: &crate::domain::Ine) -> Result<()> {
    c.prepare_cached("UPDATE eleve SET ine = ? WHERE id = ? AND ine IS NULL")?.execute(params![ine, vu.eleve()])?;
    Ok(())
}

/// The pupil's date of birth.
pub fn naissance(c: &Connection, vu: &super::Vu) -> Result<Date> {
    Ok(c.prepare_cached("SELECT date_naissance FROM eleve WHERE id = ?")?.query_row([vu.eleve()], |r| r.get(0))?)
}

/// The identity of an inscription's pupil as the duplicate search shows it (the five criteria,
/// which whoever chose the pupil already typed: nom, prénoms, sexe, birth date and place), for
/// an inscription of the perimeter; the INE, the nom d'usage and the address stay empty. It is
/// how an inscription of a pupil known elsewhere prints its certificate without granting reads.
pub fn identite_connue(c: &Connection, p: &Perimetre, inscription: &str) -> Result<super::eleves::Eleve> {
    let cond = perimetre::inscriptions(p);
    let sql = format!(
        "SELECT el.id, el.nom, el.prenoms, el.sexe, el.date_naissance, el.naissance_insee, el.naissance_lieu
         FROM inscription i JOIN eleve el ON el.id = i.eleve_id LEFT JOIN ecole e ON e.id = i.ecole_id
         WHERE i.id = ? AND {}",
        cond.sql
    );
    let mut v: Vec<Value> = vec![inscription.to_string().into()];
    v.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(v), |r| {
            Ok(super::eleves::Eleve {
                id: r.get(0)?,
                ine: None,
                nom: r.get(1)?,
                nom_usage: None,
                prenoms: r.get(2)?,
                sexe: r.get(3)?,
                date_naissance: r.get(4)?,
                naissance_insee: r.get(5)?,
                naissance_lieu: r.get(6)?,
                adresse: None,
                code_postal: None,
                commune_residence: None,
            })
        })
        .optional()?
        .ok_or(Error::Introuvable("inscription"))
}

/// Whether a pupil exists anywhere (an id chosen from the duplicate search: its reads stay
/// scoped; this only tells « introuvable » from a broken reference).
pub fn eleve_existe(c: &Connection, eleve: &EleveId) -> Result<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM eleve WHERE id = ?")?.query_row([eleve], |_| Ok(())).optional()?.is_some())
}

/// « NOM Prénoms », for messages to the school.
pub fn nom_complet(c: &Connection, vu: &super::Vu) -> Result<String> {
    Ok(c.prepare_cached("SELECT nom || ' ' || prenoms FROM eleve WHERE id = ?")?
        .query_row([vu.eleve()], |r| r.get(0))?)
}

/// The kind of a school.
pub fn type_ecole(c: &Connection, e: &EcoleId) -> Result<crate::domain::TypeEcole> {
    let t: String = c.prepare_cached("SELECT type FROM ecole WHERE id = ?")?.query_row([e], |r| r.get(0))?;
    crate::domain::TypeEcole::parse(&t).map_err(|e| Error::Corrompue(e.to_string()))
}

/// The commune of a school.
pub fn commune_ecole(c: &Connection, e: &EcoleId) -> Result<CommuneId> {
    Ok(c.prepare_cached("SELECT commune_id FROM ecole WHERE id = ?")?.query_row([e], |r| r.get(0))?)
}

/// The département code (as in the UAI) of a commune.
pub fn departement_commune(c: &Connection, commune: &CommuneId) -> Result<String> {
    Ok(c.prepare_cached(
        "SELECT d.code FROM commune co JOIN departement d ON d.id = co.departement_id WHERE co.id = ?",
    )?
    .query_row([commune], |r| r.get(0))?)
}

/// The pupil's latest inscription of the perimeter that can be certified (inscrit or admis).
pub fn derniere_inscription(c: &Connection, p: &Perimetre, eleve: &EleveId) -> Result<Option<Inscription>> {
    let cond = perimetre::inscriptions(p);
    let sql = format!(
        "{INSCRIPTION} WHERE i.eleve_id = ? AND i.etat IN ('inscrit', 'admis') AND {} ORDER BY i.cree_le DESC LIMIT 1",
        cond.sql
    );
    let mut v: Vec<Value> = vec![eleve.to_string().into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_row(params_from_iter(v), inscription_row).optional()?)
}

/// A radiation, as its certificate prints it.
#[derive(Debug, Clone)]
pub struct Radiation {
    /// The closed record.
    pub scolarite_id: String,
    /// School.
    pub ecole_id: EcoleId,
    /// Year.
    pub annee: AnneeScolaire,
    /// Last niveau.
    pub niveau: Niveau,
    /// Last class.
    pub classe: Option<String>,
    /// Effective date.
    pub date: Date,
    /// Motive code.
    pub motif: Option<String>,
    /// Destination.
    pub destination: Option<String>,
    /// Admitted in the school on.
    pub admission: Date,
}

/// The pupil's latest radiation in a school of the perimeter.
pub fn derniere_radiation(c: &Connection, p: &Perimetre, eleve: &EleveId) -> Result<Option<Radiation>> {
    let cond = perimetre::scolarites(p);
    let sql = format!(
        "SELECT s.id, s.ecole_id, s.annee, s.niveau, cl.libelle, s.date_sortie, s.motif_sortie, s.destination, s.date_admission
         FROM scolarite s JOIN ecole e ON e.id = s.ecole_id JOIN eleve el ON el.id = s.eleve_id
         LEFT JOIN classe cl ON cl.id = s.classe_id
         WHERE s.eleve_id = ? AND s.etat = 'radie' AND {} ORDER BY s.date_sortie DESC LIMIT 1",
        cond.sql
    );
    let mut v: Vec<Value> = vec![eleve.to_string().into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?
        .query_row(params_from_iter(v), |r| {
            Ok(Radiation {
                scolarite_id: r.get(0)?,
                ecole_id: r.get(1)?,
                annee: r.get(2)?,
                niveau: r.get(3)?,
                classe: r.get(4)?,
                date: jour(r.get(5)?).unwrap_or(Date::MIN),
                motif: r.get(6)?,
                destination: r.get(7)?,
                admission: r.get(8)?,
            })
        })
        .optional()?)
}

/// A commune, as a mairie's header prints it: name, INSEE code, département.
pub fn commune(c: &Connection, id: &str) -> Result<(String, String, String)> {
    c.prepare_cached(
        "SELECT co.nom, co.insee, d.nom FROM commune co JOIN departement d ON d.id = co.departement_id WHERE co.id = ?",
    )?
    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()?
    .ok_or(Error::Introuvable("commune"))
}

/// The attending records of a year in a département's schools (the rentrée).
pub fn fiches_departement(
    c: &Connection,
    annee: AnneeScolaire,
    dep: &crate::domain::DepartementId,
) -> Result<Vec<Fiche>> {
    let sql = format!(
        "{FICHE} JOIN circonscription ci ON ci.id = e.circonscription_id
         WHERE s.annee = ? AND ci.departement_id = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') ORDER BY s.ecole_id"
    );
    Ok(c.prepare_cached(&sql)?.query_map(params![annee, dep], fiche_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Every département of the installation.
pub fn departements(c: &Connection) -> Result<Vec<crate::domain::DepartementId>> {
    Ok(c.prepare_cached("SELECT id FROM departement ORDER BY code")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Whether the rentrée closing `annee` was done for the département.
pub fn rentree_faite(c: &Connection, dep: &crate::domain::DepartementId, annee: AnneeScolaire) -> Result<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM rentree WHERE departement_id = ? AND annee = ?)")?
        .query_row(params![dep, annee], |r| r.get(0))?)
}

/// Records the rentrée closing `annee` for the département.
pub fn noter_rentree(c: &Connection, dep: &crate::domain::DepartementId, annee: AnneeScolaire, le: Date) -> Result<()> {
    c.prepare_cached("INSERT INTO rentree (departement_id, annee, faite_le) VALUES (?, ?, ?)")?
        .execute(params![dep, annee, le])?;
    Ok(())
}
