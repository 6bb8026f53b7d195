//! The lifecycle's records (SQL only; the transitions themselves are `domain::parcours`):
//! inscriptions, schooling records, passages, certificates, the legal register and retention.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use time::Date;

use super::perimetre;
use super::{Error, Result};
use crate::domain::identite::cle_recherche;
use crate::domain::parcours::{EtatInscription, ModeScolarisation, Passage, Piece, Reponse, TypePassage};
use crate::domain::{
    AnneeScolaire, ClasseId, CommuneId, CommuneInsee, EcoleId, EleveId, EtatScolarite, Niveau, Perimetre, Sexe,
};

fn jour(s: Option<String>) -> Option<Date> {
    s.and_then(|s| crate::domain::identite::parse_date("date", &s).ok())
}

fn iso(d: Date) -> String {
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
    sql.push_str(" ORDER BY i.cree_le DESC, el.nom LIMIT 2000");
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

/// The record in which the pupil attends a school this year, anywhere in the installation.
pub fn fiche_active(c: &Connection, eleve: &EleveId, annee: AnneeScolaire) -> Result<Option<(Fiche, String)>> {
    let sql =
        format!("{FICHE} WHERE s.eleve_id = ? AND s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif')");
    let f = c.prepare_cached(&sql)?.query_row(params![eleve, annee], fiche_row).optional()?;
    match f {
        Some(f) => {
            let nom: String =
                c.prepare_cached("SELECT nom FROM ecole WHERE id = ?")?.query_row([&f.ecole_id], |r| r.get(0))?;
            Ok(Some((f, nom)))
        }
        None => Ok(None),
    }
}

/// The attending records of a class.
pub fn fiches_classe(c: &Connection, p: &Perimetre, classe: &ClasseId) -> Result<Vec<Fiche>> {
    let cond = perimetre::scolarites(p);
    let sql = format!(
        "{FICHE} WHERE s.classe_id = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND {} ORDER BY el.nom, el.prenoms",
        cond.sql
    );
    let mut v: Vec<Value> = vec![classe.to_string().into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), fiche_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Every attending record of a year (the rentrée).
pub fn fiches_annee(c: &Connection, annee: AnneeScolaire) -> Result<Vec<Fiche>> {
    let sql =
        format!("{FICHE} WHERE s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') ORDER BY s.ecole_id");
    Ok(c.prepare_cached(&sql)?.query_map([annee], fiche_row)?.collect::<rusqlite::Result<_>>()?)
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

/// Records that the pupil left primary schooling on `le` (the retention clock).
pub fn noter_sortie_premier_degre(c: &Connection, eleve: &EleveId, le: Date) -> Result<()> {
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
pub fn derniere_sortie(c: &Connection, eleve: &EleveId) -> Result<Option<(String, Option<Date>)>> {
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

/// The pupils of a school and year not yet placed in a class.
pub fn non_repartis(
    c: &Connection,
    p: &Perimetre,
    ecole: &EcoleId,
    annee: AnneeScolaire,
) -> Result<Vec<super::eleves::EleveLigne>> {
    let all = super::eleves::lister(
        c,
        p,
        &super::eleves::Filtre { ecole: Some(ecole.clone()), presents: true, ..super::eleves::Filtre::annee(annee) },
    )?;
    Ok(all.into_iter().filter(|l| l.classe_id.is_none()).collect())
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

/// End of the school year: autorisations, insurance and périscolaire are cleared (DOMAIN.md §4).
pub fn effacer_annuel(c: &Connection, avant: AnneeScolaire) -> Result<usize> {
    let n = c.execute("DELETE FROM eleve_annuel WHERE annee < ?", [avant])?;
    c.execute("UPDATE eleve_responsable SET accord_associations = NULL WHERE accord_associations IS NOT NULL", [])?;
    Ok(n)
}

// Certificates ---------------------------------------------------------------------------------

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
        .query_row([sujet], |r| {
            Ok(Certificat {
                numero: r.get(0)?,
                code: r.get(1)?,
                genre: r.get(2)?,
                emetteur: r.get(3)?,
                initiales: r.get(4)?,
                emis_le: r.get(5)?,
            })
        })
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
        .query_row([code], |r| {
            Ok(Certificat {
                numero: r.get(0)?,
                code: r.get(1)?,
                genre: r.get(2)?,
                emetteur: r.get(3)?,
                initiales: r.get(4)?,
                emis_le: r.get(5)?,
            })
        })
        .optional()?)
}

// Duplicates -------------------------------------------------------------------------------------

/// A pupil who may be the child being registered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidat {
    /// Id.
    pub eleve_id: String,
    /// Nom.
    pub nom: String,
    /// Prénoms.
    pub prenoms: String,
    /// Sexe.
    #[schema(value_type = String)]
    pub sexe: Sexe,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_naissance: Date,
    /// Birthplace.
    pub naissance_lieu: String,
    /// Last school, and whether the pupil still attends it.
    pub derniere_ecole: Option<String>,
    /// State there (`radie`, `parti`, `admis_definitif`…).
    pub etat: Option<EtatScolarite>,
    /// Whether an INE is already assigned (kept at admission).
    pub a_un_ine: bool,
    /// Likeness, 0 to 100.
    pub score: u32,
}

/// The five criteria of a duplicate search.
#[derive(Debug, Clone)]
pub struct Criteres {
    /// Nom (any case, accents, hyphens).
    pub nom: String,
    /// Prénom(s).
    pub prenoms: String,
    /// Sexe.
    pub sexe: Sexe,
    /// Date of birth.
    pub date_naissance: Date,
    /// Birthplace code.
    pub naissance_insee: CommuneInsee,
}

fn mots(s: &str) -> Vec<String> {
    cle_recherche(s).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// Likeness of two names: 1 when equal once folded, the share of common words otherwise.
fn ressemblance(a: &str, b: &str) -> f64 {
    let (a, b) = (mots(a), mots(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b || a.concat() == b.concat() {
        return 1.0;
    }
    let communs = a.iter().filter(|w| b.contains(w)).count();
    communs as f64 / a.len().max(b.len()) as f64
}

/// Scores a candidate on the five criteria: nom 30, prénom 25, date of birth 25, place 10, sexe 10.
pub fn score(c: &Criteres, nom: &str, prenoms: &str, sexe: Sexe, date: Date, insee: &str) -> u32 {
    let premier = |p: &str| mots(p).into_iter().next().unwrap_or_default();
    let prenom = ressemblance(prenoms, &c.prenoms).max(if premier(prenoms) == premier(&c.prenoms) { 1.0 } else { 0.0 });
    let s = 30.0 * ressemblance(nom, &c.nom)
        + 25.0 * prenom
        + if date == c.date_naissance { 25.0 } else { 0.0 }
        + if insee == c.naissance_insee.as_str() { 10.0 } else { 0.0 }
        + if sexe == c.sexe { 10.0 } else { 0.0 };
    s.round() as u32
}

/// Pupils of the whole installation who may be the same child (score ≥ `seuil`), best first.
/// *(design)* This one search looks beyond the actor's perimeter, so that a pupil coming from
/// another school keeps their INE and history; it needs the five criteria, answers at most 10
/// candidates, and shows only identity and last school — it cannot be used to browse.
pub fn candidats(c: &Connection, k: &Criteres, seuil: u32) -> Result<Vec<Candidat>> {
    let premier_mot_nom = mots(&k.nom).into_iter().next().unwrap_or_default();
    let mut stmt = c.prepare_cached(
        "SELECT el.id, el.nom, el.prenoms, el.sexe, el.date_naissance, el.naissance_lieu, el.naissance_insee, el.ine IS NOT NULL
         FROM eleve el WHERE el.date_naissance = ? OR el.cle_recherche LIKE ? LIMIT 500",
    )?;
    let rows = stmt.query_map(params![k.date_naissance, format!("%{premier_mot_nom}%")], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Sexe>(3)?,
            r.get::<_, Date>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, bool>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, nom, prenoms, sexe, date, lieu, insee, a_un_ine) = row?;
        let s = score(k, &nom, &prenoms, sexe, date, &insee);
        if s < seuil {
            continue;
        }
        let derniere: Option<(String, EtatScolarite)> = c
            .prepare_cached(
                "SELECT e.nom, s.etat FROM scolarite s JOIN ecole e ON e.id = s.ecole_id WHERE s.eleve_id = ?
                 ORDER BY s.annee DESC, s.date_admission DESC LIMIT 1",
            )?
            .query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        out.push(Candidat {
            eleve_id: id,
            nom,
            prenoms,
            sexe,
            date_naissance: date,
            naissance_lieu: lieu,
            derniere_ecole: derniere.as_ref().map(|d| d.0.clone()),
            etat: derniere.map(|d| d.1),
            a_un_ine,
            score: s,
        });
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.nom.cmp(&b.nom)));
    out.truncate(10);
    Ok(out)
}

// The legal register ---------------------------------------------------------------------------

/// One line of the registre des élèves inscrits (its own columns only, DOMAIN.md §8).
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
         WHERE s.ecole_id = ? AND s.annee = ? ORDER BY s.date_admission, el.nom, el.prenoms",
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

/// Pupils whose retention ended before `le`: left primary school in a year before `le`'s, or,
/// never admitted anywhere, 11 years old in a year before `le`'s (*(design)* the age of leaving
/// primary school, for children registered but schooled elsewhere or whose inscription was
/// cancelled).
pub fn a_effacer(c: &Connection, le: Date) -> Result<Vec<EleveId>> {
    let annee = le.year();
    Ok(c.prepare_cached(
        "SELECT id FROM eleve WHERE
           (sortie_premier_degre IS NOT NULL AND CAST(substr(sortie_premier_degre, 1, 4) AS INTEGER) < ?1)
           OR (NOT EXISTS (SELECT 1 FROM scolarite s WHERE s.eleve_id = eleve.id AND s.etat IN ('admis_provisoire', 'admis_definitif'))
               AND CAST(substr(date_naissance, 1, 4) AS INTEGER) + 11 < ?1)
         ORDER BY id",
    )?
    .query_map([annee], |r| r.get(0))?
    .collect::<rusqlite::Result<_>>()?)
}

/// Erases a pupil and everything about them (cascades), and the responsables left without a
/// pupil. `secure_delete` overwrites the freed content.
pub fn effacer(c: &Connection, eleve: &EleveId) -> Result<()> {
    let responsables: Vec<String> = c
        .prepare_cached("SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ?")?
        .query_map([eleve], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    c.prepare_cached("DELETE FROM scolarite WHERE eleve_id = ?")?.execute([eleve])?;
    c.prepare_cached("DELETE FROM eleve WHERE id = ?")?.execute([eleve])?;
    for r in responsables {
        c.prepare_cached(
            "DELETE FROM responsable WHERE id = ? AND NOT EXISTS (SELECT 1 FROM eleve_responsable WHERE responsable_id = ?)
             AND NOT EXISTS (SELECT 1 FROM compte WHERE perimetre_genre = 'responsable' AND perimetre_id = ?)",
        )?
        .execute(params![r, r, r])?;
    }
    Ok(())
}

/// The accounts of responsables who no longer have any pupil: disabled and erased with them.
pub fn comptes_orphelins(c: &Connection) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM compte WHERE perimetre_genre = 'responsable'
         AND NOT EXISTS (SELECT 1 FROM eleve_responsable er WHERE er.responsable_id = compte.perimetre_id)",
        [],
    )?)
}

/// Deletes responsables left without any pupil or account.
pub fn responsables_orphelins(c: &Connection) -> Result<usize> {
    Ok(c.execute(
        "DELETE FROM responsable WHERE NOT EXISTS (SELECT 1 FROM eleve_responsable er WHERE er.responsable_id = responsable.id)
         AND NOT EXISTS (SELECT 1 FROM compte k WHERE k.perimetre_genre = 'responsable' AND k.perimetre_id = responsable.id)",
        [],
    )?)
}

/// Clears the autorisations, insurance and périscolaire of years before `annee` (idempotent).
pub fn effacer_annuel_passe(c: &Connection, annee: AnneeScolaire) -> Result<usize> {
    Ok(c.execute("DELETE FROM eleve_annuel WHERE annee < ?", [annee])?)
}

/// Whether a child already has a pending or confirmed inscription for the year.
pub fn inscription_en_cours(c: &Connection, eleve: &EleveId, annee: AnneeScolaire) -> Result<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM inscription WHERE eleve_id = ? AND annee = ? AND etat IN ('en_attente', 'inscrit'))")?
        .query_row(params![eleve, annee], |r| r.get(0))?)
}

/// The pupil's INE, if assigned.
pub fn ine(c: &Connection, eleve: &EleveId) -> Result<Option<crate::domain::Ine>> {
    Ok(c.prepare_cached("SELECT ine FROM eleve WHERE id = ?")?.query_row([eleve], |r| r.get(0))?)
}

/// Assigns an INE to a pupil who had none.
pub fn poser_ine(c: &Connection, eleve: &EleveId, ine: &crate::domain::Ine) -> Result<()> {
    c.prepare_cached("UPDATE eleve SET ine = ? WHERE id = ? AND ine IS NULL")?.execute(params![ine, eleve])?;
    Ok(())
}

/// The pupil's date of birth.
pub fn naissance(c: &Connection, eleve: &EleveId) -> Result<Date> {
    Ok(c.prepare_cached("SELECT date_naissance FROM eleve WHERE id = ?")?.query_row([eleve], |r| r.get(0))?)
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

/// How many yearly records of years before `annee` remain (the purge's dry run).
pub fn compter_annuel_passe(c: &Connection, annee: AnneeScolaire) -> Result<usize> {
    let n: i64 =
        c.prepare_cached("SELECT count(*) FROM eleve_annuel WHERE annee < ?")?.query_row([annee], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
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
