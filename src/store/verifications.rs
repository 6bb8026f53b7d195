//! The yearly check online: each school's campaign and the families' answers, block by block
//! (`schema/0017_verification.sql`). Reads of answers are scoped: through a pupil found in the
//! perimeter first ([`Vu`]), or by a school of the perimeter.

use std::collections::HashSet;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::{Date, OffsetDateTime};

use super::comptes::{instant, lire_instant};
use super::{Error, Result, Vu, perimetre};
use crate::domain::verification::{Bloc, EtatBloc, Proposition};
use crate::domain::{AnneeScolaire, EcoleId, EleveId, Perimetre, ResponsableId};

/// A school's campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campagne {
    /// The school.
    pub ecole_id: EcoleId,
    /// The school year.
    pub annee: AnneeScolaire,
    /// The last day families may answer.
    pub fin: Date,
    /// The reminders' dates, in order.
    pub relances: Vec<Date>,
    /// The latest reminder date already sent.
    pub derniere_relance: Option<Date>,
    /// Opened by the IA-DASEN for the whole département.
    pub par_departement: bool,
    /// When it was opened.
    pub ouverte_le: OffsetDateTime,
}

fn campagne_de(r: &rusqlite::Row<'_>) -> rusqlite::Result<Campagne> {
    let relances: String = r.get(3)?;
    Ok(Campagne {
        ecole_id: r.get(0)?,
        annee: r.get(1)?,
        fin: r.get(2)?,
        relances: serde_json::from_str(&relances).unwrap_or_default(),
        derniere_relance: r.get(4)?,
        par_departement: r.get(5)?,
        ouverte_le: lire_instant(r.get(6)?).unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

const CAMPAGNE: &str = "SELECT ecole_id, annee, fin, relances, derniere_relance, par_departement, ouverte_le
                        FROM campagne_verification";

/// The campaign of a school (already found in the perimeter) for a year.
pub fn campagne(c: &Connection, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Option<Campagne>> {
    Ok(c.prepare_cached(&format!("{CAMPAGNE} WHERE ecole_id = ? AND annee = ?"))?
        .query_row(params![ecole, annee], campagne_de)
        .optional()?)
}

/// Opens a school's campaign, or changes its closing date and reminders (a reminder already
/// sent is not sent again).
pub fn ouvrir(c: &Connection, k: &Campagne) -> Result<()> {
    let relances = serde_json::to_string(&k.relances).map_err(|e| Error::Conflit(e.to_string()))?;
    c.prepare_cached(
        "INSERT INTO campagne_verification (ecole_id, annee, fin, relances, par_departement, ouverte_le)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (ecole_id, annee) DO UPDATE SET fin = excluded.fin, relances = excluded.relances,
             par_departement = max(par_departement, excluded.par_departement)",
    )?
    .execute(params![k.ecole_id, k.annee, k.fin, relances, k.par_departement, instant(k.ouverte_le)])?;
    Ok(())
}

/// The campaigns with a reminder due on `jour` (a date passed and not yet sent), open that day.
pub fn relances_dues(c: &Connection, jour: Date) -> Result<Vec<(Campagne, Date)>> {
    let toutes: Vec<Campagne> = c
        .prepare_cached(&format!(
            "{CAMPAGNE} WHERE fin >= ? AND annee = (SELECT debut FROM annee_scolaire WHERE etat = 'ouverte')"
        ))?
        .query_map([jour], campagne_de)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(toutes
        .into_iter()
        .filter_map(|k| {
            let due =
                k.relances.iter().copied().filter(|d| *d <= jour && k.derniere_relance.is_none_or(|x| *d > x)).max();
            due.map(|d| (k, d))
        })
        .collect())
}

/// Claims the reminder of `date` before it is sent: false when another run already did (a
/// reminder is sent once, even by two runs at the same time).
pub fn reclamer_relance(c: &Connection, k: &Campagne, date: Date) -> Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE campagne_verification SET derniere_relance = ?1 WHERE ecole_id = ?2 AND annee = ?3
             AND (derniere_relance IS NULL OR derniere_relance < ?1)",
        )?
        .execute(params![date, k.ecole_id, k.annee])?;
    Ok(n == 1)
}

/// The e-mail addresses of the responsables with an active family account whose children
/// present at the school this year have not finished the check: a block of the child, or
/// every responsable's own, not answered (or refused), and no fiche returned on paper either
/// (each address once, sorted).
pub fn a_relancer(c: &Connection, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<String>> {
    let mut v: Vec<String> = c
        .prepare_cached(
            "SELECT DISTINCT r.courriel FROM scolarite s
             JOIN eleve_responsable er ON er.eleve_id = s.eleve_id
             JOIN responsable r ON r.id = er.responsable_id
             JOIN compte k ON k.perimetre_genre = 'responsable' AND k.perimetre_id = r.id AND k.etat = 'actif'
             WHERE s.ecole_id = ?1 AND s.annee = ?2 AND s.etat IN ('admis_provisoire', 'admis_definitif')
               AND r.courriel IS NOT NULL AND r.courriel <> ''
               AND NOT EXISTS (SELECT 1 FROM fiche_retour f WHERE f.eleve_id = s.eleve_id AND f.annee = ?2)
               AND ((SELECT count(DISTINCT v.bloc) FROM verification v WHERE v.annee = ?2 AND v.ecole_id = ?1
                    AND v.eleve_id = s.eleve_id AND v.bloc <> 'responsable' AND v.etat <> 'refuse') < 3
                 OR NOT EXISTS (SELECT 1 FROM verification v WHERE v.annee = ?2 AND v.ecole_id = ?1
                    AND v.bloc = 'responsable' AND v.etat <> 'refuse' AND v.sujet IN
                        (SELECT x.responsable_id FROM eleve_responsable x WHERE x.eleve_id = s.eleve_id)))",
        )?
        .query_map(params![ecole, annee], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    v.sort();
    Ok(v)
}

/// One block's answer.
#[derive(Debug, Clone)]
pub struct Reponse {
    /// Id.
    pub id: String,
    /// The school.
    pub ecole_id: EcoleId,
    /// The pupil whose fiche it was sent from.
    pub eleve_id: EleveId,
    /// The block.
    pub bloc: Bloc,
    /// The pupil's id, or the responsable's for their own block.
    pub sujet: String,
    /// Who answered.
    pub responsable_id: ResponsableId,
    /// State.
    pub etat: EtatBloc,
    /// What was proposed, while the school has not decided.
    pub proposition: Option<Proposition>,
    /// The school's reason for a refusal.
    pub motif: Option<String>,
    /// When it was sent.
    pub repondu_le: OffsetDateTime,
    /// When it was decided.
    pub decide_le: Option<OffsetDateTime>,
}

const REPONSE: &str = "SELECT v.id, v.ecole_id, v.eleve_id, v.bloc, v.sujet, v.responsable_id, v.etat, v.proposition,
                              v.motif_refus, v.repondu_le, v.decide_le FROM verification v";

fn reponse_de(r: &rusqlite::Row<'_>) -> rusqlite::Result<Reponse> {
    let bloc: String = r.get(3)?;
    let etat: String = r.get(6)?;
    let prop: Option<String> = r.get(7)?;
    Ok(Reponse {
        id: r.get(0)?,
        ecole_id: r.get(1)?,
        eleve_id: r.get(2)?,
        bloc: Bloc::parse(&bloc).unwrap_or(Bloc::Eleve),
        sujet: r.get(4)?,
        responsable_id: r.get(5)?,
        etat: EtatBloc::parse(&etat).unwrap_or(EtatBloc::Propose),
        proposition: prop.and_then(|p| serde_json::from_str(&p).ok()),
        motif: r.get(8)?,
        repondu_le: lire_instant(r.get(9)?).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        decide_le: lire_instant(r.get(10)?),
    })
}

/// The answers about a pupil (seen in the perimeter) at its school this year: its own blocks
/// and its responsables' (answered from its fiche or a sibling's).
pub fn reponses_eleve(c: &Connection, vu: &Vu, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<Reponse>> {
    Ok(c.prepare_cached(&format!(
        "{REPONSE} WHERE v.annee = ?3 AND v.ecole_id = ?2 AND (v.eleve_id = ?1 OR (v.bloc = 'responsable' AND v.sujet IN
             (SELECT er.responsable_id FROM eleve_responsable er WHERE er.eleve_id = ?1)))
         ORDER BY v.repondu_le"
    ))?
    .query_map(params![vu.eleve(), ecole, annee], reponse_de)?
    .collect::<rusqlite::Result<_>>()?)
}

/// The answers of a school of the perimeter this year (for its screen).
pub fn reponses_ecole(c: &Connection, p: &Perimetre, ecole: &EcoleId, annee: AnneeScolaire) -> Result<Vec<Reponse>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "{REPONSE} JOIN ecole e ON e.id = v.ecole_id WHERE v.ecole_id = ? AND v.annee = ? AND {} ORDER BY v.repondu_le",
        cond.sql
    );
    let mut v: Vec<Value> = vec![ecole.to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), reponse_de)?.collect::<rusqlite::Result<_>>()?)
}

/// One answer of `annee`'s campaign of a school of the perimeter (else « introuvable »).
pub fn une(c: &Connection, p: &Perimetre, id: &str, annee: AnneeScolaire) -> Result<Reponse> {
    let cond = perimetre::ecoles(p);
    let sql = format!("{REPONSE} JOIN ecole e ON e.id = v.ecole_id WHERE v.id = ? AND v.annee = ? AND {}", cond.sql);
    let mut v: Vec<Value> = vec![id.to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    c.prepare_cached(&sql)?
        .query_row(params_from_iter(v), reponse_de)
        .optional()?
        .ok_or(Error::Introuvable("vérification"))
}

/// An answer to record.
#[derive(Debug, Clone, Copy)]
pub struct Nouvelle<'a> {
    /// Its id (kept when a refused block is answered again).
    pub id: &'a str,
    /// The school.
    pub ecole: &'a EcoleId,
    /// The year.
    pub annee: AnneeScolaire,
    /// The block.
    pub bloc: Bloc,
    /// The pupil, or the responsable for their own block.
    pub sujet: &'a str,
    /// Who answers.
    pub responsable: &'a ResponsableId,
    /// Confirmed or proposed.
    pub etat: EtatBloc,
    /// The changes.
    pub proposition: Option<&'a Proposition>,
}

/// Records a family's answer for a block of a pupil seen in the perimeter; it replaces the
/// block's former answer, unless changes of it wait for the school.
pub fn repondre(c: &Connection, vu: &Vu, n: &Nouvelle<'_>, le: OffsetDateTime) -> Result<()> {
    let prop = n.proposition.map(serde_json::to_string).transpose().map_err(|e| Error::Conflit(e.to_string()))?;
    let changes = c
        .prepare_cached(
            "INSERT INTO verification (id, ecole_id, annee, eleve_id, bloc, sujet, responsable_id, etat, proposition, repondu_le)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (annee, ecole_id, bloc, sujet) DO UPDATE SET eleve_id = excluded.eleve_id,
                 responsable_id = excluded.responsable_id, etat = excluded.etat, proposition = excluded.proposition,
                 motif_refus = NULL, repondu_le = excluded.repondu_le, decide_le = NULL
             WHERE verification.etat <> 'propose'",
        )?
        .execute(params![
            n.id,
            n.ecole,
            n.annee,
            vu.eleve(),
            n.bloc.code(),
            n.sujet,
            n.responsable,
            n.etat.code(),
            prop,
            instant(le)
        ])?;
    if changes == 0 {
        return Err(Error::Conflit(
            "des corrections de cette partie attendent déjà la décision de l'école : vous pourrez répondre de nouveau ensuite"
                .into(),
        ));
    }
    Ok(())
}

/// Records the school's decision; the proposed values are cleared (accepted, they are in the
/// record now).
pub fn decider(c: &Connection, id: &str, etat: EtatBloc, motif: Option<&str>, le: OffsetDateTime) -> Result<()> {
    let n = c
        .prepare_cached(
            "UPDATE verification SET etat = ?, motif_refus = ?, decide_le = ?, proposition = NULL
             WHERE id = ? AND etat = 'propose'",
        )?
        .execute(params![etat.code(), motif, instant(le), id])?;
    if n == 0 { Err(Error::Conflit("ces modifications ont déjà reçu une décision".into())) } else { Ok(()) }
}

/// Of `eleves`, those whose family answered online this year at the school they attend (any
/// block of theirs, or a responsable's own block).
pub fn ont_repondu(c: &Connection, annee: AnneeScolaire, eleves: &[EleveId]) -> Result<HashSet<EleveId>> {
    let mut out = HashSet::new();
    let mut st = c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM verification v JOIN scolarite s ON s.eleve_id = ?1 AND s.annee = ?2
             AND s.ecole_id = v.ecole_id AND s.etat IN ('admis_provisoire', 'admis_definitif')
             WHERE v.annee = ?2 AND (v.eleve_id = ?1 OR (v.bloc = 'responsable'
             AND v.sujet IN (SELECT er.responsable_id FROM eleve_responsable er WHERE er.eleve_id = ?1))))",
    )?;
    for e in eleves {
        if st.query_row(params![e, annee], |r| r.get::<_, bool>(0))? {
            out.insert(e.clone());
        }
    }
    Ok(out)
}

/// The year's answers are not kept past it: the rows of years before `annee` are deleted.
pub fn purger_avant(c: &Connection, annee: AnneeScolaire) -> Result<usize> {
    let n = c.prepare_cached("DELETE FROM verification WHERE annee < ?")?.execute([annee])?;
    c.prepare_cached("DELETE FROM campagne_verification WHERE annee < ?")?.execute([annee])?;
    Ok(n)
}

/// The responsables of each of `eleves` (their ids).
pub fn responsables_des(c: &Connection, eleves: &[EleveId]) -> Result<std::collections::HashMap<EleveId, Vec<String>>> {
    let mut out = std::collections::HashMap::new();
    let mut st = c.prepare_cached("SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ?")?;
    for e in eleves {
        let l: Vec<String> = st.query_map([e], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        out.insert(e.clone(), l);
    }
    Ok(out)
}

/// Of `eleves`, those with a responsable holding an active family account.
pub fn avec_compte(c: &Connection, eleves: &[EleveId]) -> Result<HashSet<EleveId>> {
    let mut out = HashSet::new();
    let mut st = c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM eleve_responsable er JOIN compte k ON k.perimetre_genre = 'responsable'
             AND k.perimetre_id = er.responsable_id AND k.etat = 'actif' WHERE er.eleve_id = ?)",
    )?;
    for e in eleves {
        if st.query_row([e], |r| r.get::<_, bool>(0))? {
            out.insert(e.clone());
        }
    }
    Ok(out)
}

/// The school a pupil (seen in the perimeter) attends this year, if it lies in the perimeter
/// too: its id, UAI and name. A school the child left, or its inspectors, get none; a family,
/// its child's school.
pub fn ecole_courante(
    c: &Connection,
    p: &Perimetre,
    vu: &Vu,
    annee: AnneeScolaire,
) -> Result<Option<(EcoleId, String, String)>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT e.id, e.uai, e.nom FROM scolarite s JOIN ecole e ON e.id = s.ecole_id
         WHERE s.eleve_id = ? AND s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif') AND {}",
        cond.sql
    );
    let mut v: Vec<Value> = vec![vu.eleve().to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_row(params_from_iter(v), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional()?)
}
