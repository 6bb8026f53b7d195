//! Corrections of a record (categories I–III and the year's autorisations), the returned fiche,
//! and the families' requests (rectification, opposition, forgotten password).
//!
//! Writes take a [`Vu`](super::Vu): the pupil was found within the actor's perimeter first.
//! A responsable or a contact named by id is changed only if it belongs to that pupil, so an
//! id from another family is « introuvable » like one that does not exist.

use std::collections::HashSet;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::OffsetDateTime;

use super::comptes::{instant, lire_instant};
use super::{Error, Result, Vu, perimetre};
use crate::domain::champs::ChampResponsable;
use crate::domain::correction::EtatDemande;
use crate::domain::{
    AnneeScolaire, ClasseId, CompteId, ContactId, ContactIdentite, EleveId, EleveIdentite, Lien, OppositionId,
    Perimetre, RectificationId, ResponsableId, ResponsableIdentite,
};

/// The pupil's record was brought by an inscription of the mairie's commune (a new child),
/// still pending or confirmed: the état civil it recorded, which it may correct until the
/// school admits the child (then the school corrects).
pub fn etat_civil_de_la_mairie(c: &Connection, p: &Perimetre, eleve: &EleveId) -> Result<Vu> {
    let Perimetre::Commune(commune) = p else { return Err(Error::Introuvable("élève")) };
    let ok: bool = c
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM inscription i WHERE i.eleve_id = ? AND i.commune_id = ?
                            AND i.cree_eleve = 1 AND i.etat IN ('en_attente', 'inscrit'))",
        )?
        .query_row(params![eleve, commune.as_str()], |r| r.get(0))?;
    if ok { Ok(Vu::new(eleve.clone())) } else { Err(Error::Introuvable("élève")) }
}

/// Overwrites the pupil's identity and address (category I); the INE is not touched.
pub fn modifier_eleve(c: &Connection, vu: &Vu, e: &EleveIdentite) -> Result<()> {
    c.prepare_cached(
        "UPDATE eleve SET nom = ?, nom_usage = ?, prenoms = ?, sexe = ?, date_naissance = ?, naissance_insee = ?,
                naissance_lieu = ?, adresse = ?, code_postal = ?, commune_residence = ?, cle_recherche = ?,
                cle_tri = ?
         WHERE id = ?",
    )?
    .execute(params![
        e.nom.as_str(),
        e.nom_usage.as_ref().map(|n| n.as_str()),
        e.prenoms.as_str(),
        e.sexe,
        e.date_naissance,
        e.naissance_insee,
        e.naissance_lieu,
        e.adresse,
        e.code_postal,
        e.commune_residence,
        super::eleves::cle_eleve(e),
        super::eleves::cle_tri(e),
        vu.eleve()
    ])?;
    Ok(())
}

/// Overwrites a responsable of the pupil (shared by siblings: changed once for all of them).
pub fn modifier_responsable(c: &Connection, vu: &Vu, id: &ResponsableId, r: &ResponsableIdentite) -> Result<()> {
    let champs = ChampResponsable::TOUS.iter().map(|c| format!("{} = ?", c.cle())).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "UPDATE responsable SET {champs}
         WHERE id = ? AND id IN (SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ?)"
    );
    let mut valeurs: Vec<Value> = ChampResponsable::TOUS.iter().map(|c| Value::from(c.texte(r))).collect();
    valeurs.push(id.to_string().into());
    valeurs.push(vu.eleve().to_string().into());
    let n = c.prepare_cached(&sql)?.execute(params_from_iter(valeurs))?;
    if n == 0 { Err(Error::Introuvable("responsable")) } else { Ok(()) }
}

/// Changes the link of a responsable with this pupil (lien, parental authority, consent).
pub fn modifier_lien(
    c: &Connection,
    vu: &Vu,
    id: &ResponsableId,
    lien: Lien,
    autorite_parentale: bool,
    accord_associations: Option<bool>,
) -> Result<()> {
    let n = c
        .prepare_cached(
            "UPDATE eleve_responsable SET lien = ?, autorite_parentale = ?, accord_associations = ?
             WHERE eleve_id = ? AND responsable_id = ?",
        )?
        .execute(params![lien, autorite_parentale, accord_associations, vu.eleve(), id])?;
    if n == 0 { Err(Error::Introuvable("responsable")) } else { Ok(()) }
}

/// The pupils a responsable is linked to (a correction of the person concerns all of them).
pub fn eleves_du_responsable(c: &Connection, id: &ResponsableId) -> Result<Vec<EleveId>> {
    Ok(c.prepare_cached("SELECT eleve_id FROM eleve_responsable WHERE responsable_id = ? ORDER BY eleve_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Links one more responsable to the pupil, after the others (at most four).
pub fn rattacher(
    c: &Connection,
    vu: &Vu,
    id: &ResponsableId,
    lien: Lien,
    autorite_parentale: bool,
    accord_associations: Option<bool>,
) -> Result<u8> {
    let (n, deja): (i64, bool) = c
        .prepare_cached(
            "SELECT count(*), coalesce(sum(responsable_id = ?2), 0) > 0 FROM eleve_responsable WHERE eleve_id = ?1",
        )?
        .query_row(params![vu.eleve(), id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if deja {
        return Err(Error::Conflit("ce responsable est déjà rattaché à l'élève".into()));
    }
    if n >= 4 {
        return Err(Error::Conflit("un élève a au plus quatre responsables : détachez-en un d'abord".into()));
    }
    let rang = u8::try_from(n + 1).unwrap_or(4);
    super::eleves::lier_responsable(c, vu.eleve(), id, rang, lien, autorite_parentale, accord_associations)?;
    Ok(rang)
}

/// Detaches a responsable from the pupil; the others move up; their pending requests about the
/// pupil end. A responsable left with no pupil is deleted, with their family account (nothing
/// is kept about a person the school no longer has a link with). Returns the deleted
/// account's id, if any, and whether the person was deleted.
pub fn detacher(c: &Connection, vu: &Vu, id: &ResponsableId, le: OffsetDateTime) -> Result<(Option<String>, bool)> {
    let n = c
        .prepare_cached("DELETE FROM eleve_responsable WHERE eleve_id = ? AND responsable_id = ?")?
        .execute(params![vu.eleve(), id])?;
    if n == 0 {
        return Err(Error::Introuvable("responsable"));
    }
    renumeroter(c, vu.eleve())?;
    // Their pending requests about this pupil end, and their texts go.
    c.prepare_cached(
        "UPDATE rectification SET etat = 'refusee', motif_refus = 'responsable détaché de l''élève', valeur = NULL,
                commentaire = NULL, decide_le = ?
         WHERE eleve_id = ? AND responsable_id = ? AND etat = 'en_attente'",
    )?
    .execute(params![instant(le), vu.eleve(), id])?;
    c.prepare_cached(
        "UPDATE opposition SET etat = 'refusee', motif_decision = 'responsable détaché de l''élève', motifs = NULL,
                decide_le = ?
         WHERE eleve_id = ? AND responsable_id = ? AND etat = 'en_attente'",
    )?
    .execute(params![instant(le), vu.eleve(), id])?;
    let reste: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM eleve_responsable WHERE responsable_id = ?)")?
        .query_row([id], |r| r.get(0))?;
    if reste {
        return Ok((None, false));
    }
    let compte: Option<String> = c
        .prepare_cached("SELECT id FROM compte WHERE perimetre_genre = 'responsable' AND perimetre_id = ?")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    c.prepare_cached("DELETE FROM compte WHERE perimetre_genre = 'responsable' AND perimetre_id = ?")?.execute([id])?;
    c.prepare_cached("DELETE FROM responsable WHERE id = ?")?.execute([id])?;
    Ok((compte, true))
}

/// Ranks 1, 2… in the current order (after a detachment).
fn renumeroter(c: &Connection, eleve: &EleveId) -> Result<()> {
    let ids: Vec<String> = c
        .prepare_cached("SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ? ORDER BY rang")?
        .query_map([eleve], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (i, rid) in ids.iter().enumerate() {
        c.prepare_cached("UPDATE eleve_responsable SET rang = ? WHERE eleve_id = ? AND responsable_id = ?")?
            .execute(params![i as i64 + 1, eleve, rid])?;
    }
    Ok(())
}

/// Whether a responsable is linked to a pupil attending a school of the perimeter this year:
/// the only existing responsables a director may attach to another pupil (a sibling).
pub fn responsable_de_l_ecole(c: &Connection, p: &Perimetre, id: &ResponsableId, annee: AnneeScolaire) -> Result<bool> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM eleve_responsable er JOIN scolarite s ON s.eleve_id = er.eleve_id
                        JOIN ecole e ON e.id = s.ecole_id
                        WHERE er.responsable_id = ? AND s.annee = ? AND s.etat IN ('admis_provisoire', 'admis_definitif')
                        AND {})",
        cond.sql
    );
    let mut v: Vec<Value> = vec![id.to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_row(params_from_iter(v), |r| r.get(0))?)
}

/// Replaces the pupil's persons to contact by `contacts`, in that order: an entry with the id
/// of one of the pupil's contacts keeps it, one without an id is added, and the pupil's
/// contacts not listed are removed. An id that is not one of this pupil's is « introuvable ».
pub fn remplacer_contacts(
    c: &Connection,
    vu: &Vu,
    contacts: &[(Option<ContactId>, ContactIdentite)],
    rng: &mut impl rand::Rng,
) -> Result<()> {
    if contacts.len() > 9 {
        return Err(Error::Conflit("au plus neuf personnes à contacter".into()));
    }
    let existants: HashSet<String> = c
        .prepare_cached("SELECT id FROM contact WHERE eleve_id = ?")?
        .query_map([vu.eleve()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut vus = HashSet::new();
    for (id, _) in contacts {
        if let Some(id) = id {
            if !existants.contains(id.as_str()) {
                return Err(Error::Introuvable("personne à contacter"));
            }
            if !vus.insert(id.as_str()) {
                return Err(Error::Conflit("la même personne à contacter est nommée deux fois".into()));
            }
        }
    }
    c.prepare_cached("DELETE FROM contact WHERE eleve_id = ?")?.execute([vu.eleve()])?;
    for (i, (id, k)) in contacts.iter().enumerate() {
        let id = id.clone().unwrap_or_else(|| ContactId::random(rng));
        super::eleves::insert_contact(c, &id, vu.eleve(), i as u8 + 1, k)?;
    }
    Ok(())
}

/// Records that the fiche de renseignements came back from the family this year.
pub fn noter_retour(c: &Connection, vu: &Vu, annee: AnneeScolaire, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO fiche_retour (eleve_id, annee, saisie_le) VALUES (?, ?, ?)
         ON CONFLICT (eleve_id, annee) DO UPDATE SET saisie_le = excluded.saisie_le",
    )?
    .execute(params![vu.eleve(), annee, instant(le)])?;
    Ok(())
}

/// The pupils of a class of the perimeter whose fiche came back this year.
pub fn retours_classe(
    c: &Connection,
    p: &Perimetre,
    classe: &ClasseId,
    annee: AnneeScolaire,
) -> Result<HashSet<EleveId>> {
    let cond = perimetre::ecoles(p);
    let sql = format!(
        "SELECT f.eleve_id FROM fiche_retour f JOIN scolarite s ON s.eleve_id = f.eleve_id AND s.annee = f.annee
         JOIN ecole e ON e.id = s.ecole_id WHERE s.classe_id = ? AND f.annee = ? AND {}",
        cond.sql
    );
    let mut v: Vec<Value> = vec![classe.to_string().into(), i64::from(annee.debut()).into()];
    v.extend(cond.params);
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
}

/// Whether the pupil's fiche came back this year, and when.
pub fn retour(c: &Connection, vu: &Vu, annee: AnneeScolaire) -> Result<Option<OffsetDateTime>> {
    Ok(c.prepare_cached("SELECT saisie_le FROM fiche_retour WHERE eleve_id = ? AND annee = ?")?
        .query_row(params![vu.eleve(), annee], |r| r.get(0))
        .optional()?
        .and_then(|s: String| lire_instant(Some(s))))
}

/// A family's request (rectification or opposition), with the pupil's name for lists.
#[derive(Debug, Clone)]
pub struct Demande {
    /// Id.
    pub id: String,
    /// The pupil.
    pub eleve_id: EleveId,
    /// The pupil's nom.
    pub eleve_nom: String,
    /// The pupil's prénoms.
    pub eleve_prenoms: String,
    /// Who filed it.
    pub responsable_id: ResponsableId,
    /// The field (rectification only).
    pub champ: Option<String>,
    /// The proposed value or the family's reasons, while pending.
    pub valeur: Option<String>,
    /// The comment (rectification only), while pending.
    pub commentaire: Option<String>,
    /// State.
    pub etat: EtatDemande,
    /// The reason of the decision.
    pub motif: Option<String>,
    /// Filed.
    pub depose_le: OffsetDateTime,
    /// Decided.
    pub decide_le: Option<OffsetDateTime>,
}

/// Which requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sorte {
    /// Rectification requests.
    Rectification,
    /// Oppositions.
    Opposition,
}

impl Sorte {
    fn select(self) -> &'static str {
        match self {
            Sorte::Rectification => {
                "SELECT d.id, d.eleve_id, el.nom, el.prenoms, d.responsable_id, d.champ, d.valeur, d.commentaire, d.etat,
                        d.motif_refus, d.depose_le, d.decide_le
                 FROM rectification d JOIN eleve el ON el.id = d.eleve_id"
            }
            Sorte::Opposition => {
                "SELECT d.id, d.eleve_id, el.nom, el.prenoms, d.responsable_id, NULL, d.motifs, NULL, d.etat,
                        d.motif_decision, d.depose_le, d.decide_le
                 FROM opposition d JOIN eleve el ON el.id = d.eleve_id"
            }
        }
    }
}

fn demande(r: &rusqlite::Row<'_>) -> rusqlite::Result<Demande> {
    let etat: String = r.get(8)?;
    Ok(Demande {
        id: r.get(0)?,
        eleve_id: r.get(1)?,
        eleve_nom: r.get(2)?,
        eleve_prenoms: r.get(3)?,
        responsable_id: r.get(4)?,
        champ: r.get(5)?,
        valeur: r.get(6)?,
        commentaire: r.get(7)?,
        etat: EtatDemande::parse(&etat).unwrap_or(EtatDemande::EnAttente),
        motif: r.get(9)?,
        depose_le: lire_instant(r.get(10)?).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        decide_le: lire_instant(r.get(11)?),
    })
}

/// Whose requests an actor sees: a family its children's; staff, those of pupils whose latest
/// schooling record is in a school of their perimeter (a former school, or the IA-DASEN of a
/// département the child left, neither sees nor decides them).
fn condition_demandes(p: &Perimetre) -> perimetre::Condition {
    if perimetre::par_eleve(p) {
        return perimetre::eleves(p);
    }
    let e = perimetre::ecoles(p);
    perimetre::Condition {
        sql: format!(
            "EXISTS (SELECT 1 FROM scolarite sp JOIN ecole e ON e.id = sp.ecole_id
                     WHERE sp.id = (SELECT s2.id FROM scolarite s2 WHERE s2.eleve_id = el.id
                                    ORDER BY s2.annee DESC, s2.date_admission DESC LIMIT 1)
                     AND {})",
            e.sql
        ),
        params: e.params,
    }
}

/// How many pending rectification requests a pupil may have at once.
pub const RECTIFICATIONS_EN_ATTENTE_MAX: i64 = 20;

/// The requests about pupils the actor deals with (see `condition_demandes`), optionally of
/// one pupil or one state; newest first.
pub fn demandes(
    c: &Connection,
    p: &Perimetre,
    sorte: Sorte,
    eleve: Option<&EleveId>,
    etat: Option<EtatDemande>,
) -> Result<Vec<Demande>> {
    let cond = condition_demandes(p);
    let mut sql = format!("{} WHERE {}", sorte.select(), cond.sql);
    let mut v: Vec<Value> = cond.params;
    if let Some(e) = eleve {
        sql.push_str(" AND d.eleve_id = ?");
        v.push(e.to_string().into());
    }
    if let Some(e) = etat {
        sql.push_str(" AND d.etat = ?");
        v.push(e.code().to_string().into());
    }
    sql.push_str(" ORDER BY d.depose_le DESC, d.id LIMIT 500");
    Ok(c.prepare_cached(&sql)?.query_map(params_from_iter(v), demande)?.collect::<rusqlite::Result<_>>()?)
}

/// One request about a pupil the actor deals with.
pub fn une_demande(c: &Connection, p: &Perimetre, sorte: Sorte, id: &str) -> Result<Demande> {
    let cond = condition_demandes(p);
    let sql = format!("{} WHERE d.id = ? AND {}", sorte.select(), cond.sql);
    let mut v: Vec<Value> = vec![id.to_string().into()];
    v.extend(cond.params);
    c.prepare_cached(&sql)?.query_row(params_from_iter(v), demande).optional()?.ok_or(Error::Introuvable("demande"))
}

/// A rectification request to file.
#[derive(Debug, Clone, Copy)]
pub struct NouvelleRectification<'a> {
    /// Its id.
    pub id: &'a RectificationId,
    /// Who files it.
    pub responsable: &'a ResponsableId,
    /// The field's code.
    pub champ: &'a str,
    /// The proposed value.
    pub valeur: &'a str,
    /// The comment.
    pub commentaire: Option<&'a str>,
}

/// Files a rectification request about a pupil seen within the perimeter.
pub fn deposer_rectification(c: &Connection, vu: &Vu, n: &NouvelleRectification<'_>, le: OffsetDateTime) -> Result<()> {
    let pendantes: i64 = c
        .prepare_cached("SELECT count(*) FROM rectification WHERE eleve_id = ? AND etat = 'en_attente'")?
        .query_row([vu.eleve()], |r| r.get(0))?;
    if pendantes >= RECTIFICATIONS_EN_ATTENTE_MAX {
        return Err(Error::Conflit(format!(
            "{pendantes} demandes attendent déjà la réponse de l'école pour cet enfant : attendez-la, ou rendez la fiche de renseignements corrigée"
        )));
    }
    c.prepare_cached(
        "INSERT INTO rectification (id, eleve_id, responsable_id, champ, valeur, commentaire, etat, depose_le)
         VALUES (?, ?, ?, ?, ?, ?, 'en_attente', ?)",
    )?
    .execute(params![n.id.as_str(), vu.eleve(), n.responsable, n.champ, n.valeur, n.commentaire, instant(le)])?;
    Ok(())
}

/// Files an opposition.
pub fn deposer_opposition(
    c: &Connection,
    id: &OppositionId,
    vu: &Vu,
    responsable: &ResponsableId,
    motifs: &str,
    le: OffsetDateTime,
) -> Result<()> {
    let pendante: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM opposition WHERE eleve_id = ? AND etat = 'en_attente')")?
        .query_row([vu.eleve()], |r| r.get(0))?;
    if pendante {
        return Err(Error::Conflit("une opposition est déjà en attente de décision pour cet enfant".into()));
    }
    c.prepare_cached(
        "INSERT INTO opposition (id, eleve_id, responsable_id, motifs, etat, depose_le) VALUES (?, ?, ?, ?, 'en_attente', ?)",
    )?
    .execute(params![id.as_str(), vu.eleve(), responsable, motifs, instant(le)])?;
    Ok(())
}

/// Records a decision; the family's texts (proposed value, comment, reasons) are cleared.
pub fn decider(
    c: &Connection,
    sorte: Sorte,
    id: &str,
    etat: EtatDemande,
    motif: Option<&str>,
    le: OffsetDateTime,
) -> Result<()> {
    let sql = match sorte {
        Sorte::Rectification => {
            "UPDATE rectification SET etat = ?, motif_refus = ?, decide_le = ?, valeur = NULL, commentaire = NULL
             WHERE id = ? AND etat = 'en_attente'"
        }
        Sorte::Opposition => {
            "UPDATE opposition SET etat = ?, motif_decision = ?, decide_le = ?, motifs = NULL
             WHERE id = ? AND etat = 'en_attente'"
        }
    };
    let n = c.prepare_cached(sql)?.execute(params![etat.code(), motif, instant(le), id])?;
    if n == 0 { Err(Error::Conflit("cette demande a déjà reçu une décision".into())) } else { Ok(()) }
}

/// Notes a « mot de passe oublié » request for an active account; at most one a quarter of an
/// hour (returns false when a recent one exists).
pub fn noter_demande_reinitialisation(c: &Connection, compte: &CompteId, le: OffsetDateTime) -> Result<bool> {
    let recente: Option<OffsetDateTime> = c
        .prepare_cached("SELECT le FROM demande_reinitialisation WHERE compte_id = ?")?
        .query_row([compte.as_str()], |r| r.get(0))
        .optional()?
        .and_then(|s: String| lire_instant(Some(s)));
    if recente.is_some_and(|r| le - r < time::Duration::minutes(15)) {
        return Ok(false);
    }
    c.prepare_cached(
        "INSERT INTO demande_reinitialisation (compte_id, le) VALUES (?, ?)
         ON CONFLICT (compte_id) DO UPDATE SET le = excluded.le",
    )?
    .execute(params![compte.as_str(), instant(le)])?;
    Ok(true)
}

/// The accounts with a pending « mot de passe oublié » request.
pub fn demandes_reinitialisation(c: &Connection) -> Result<HashSet<String>> {
    Ok(c.prepare_cached("SELECT compte_id FROM demande_reinitialisation")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Clears the request once a link was issued.
pub fn effacer_demande_reinitialisation(c: &Connection, compte: &CompteId) -> Result<()> {
    c.prepare_cached("DELETE FROM demande_reinitialisation WHERE compte_id = ?")?.execute([compte.as_str()])?;
    Ok(())
}

/// The login of the family account of a responsable, if one exists.
pub fn compte_du_responsable(c: &Connection, id: &ResponsableId) -> Result<Option<String>> {
    Ok(c.prepare_cached(
        "SELECT login FROM compte WHERE perimetre_genre = 'responsable' AND perimetre_id = ? AND etat <> 'desactive'",
    )?
    .query_row([id], |r| r.get(0))
    .optional()?)
}

/// Whether a login is taken.
pub fn login_pris(c: &Connection, login: &str) -> Result<bool> {
    Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM compte WHERE login = ?)")?.query_row([login], |r| r.get(0))?)
}

/// The e-mail on file of a responsable.
pub fn courriel_responsable(c: &Connection, id: &ResponsableId) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT courriel FROM responsable WHERE id = ?")?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}
