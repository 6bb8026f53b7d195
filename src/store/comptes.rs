//! Accounts, tokens, recovery codes, sessions and login failures (SQL only; the rules are in
//! `auth`). Secrets arrive here already hashed or encrypted.

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Error, Result};
use crate::domain::{CompteId, Perimetre};
use crate::policy::Role;

/// Writes an instant as stored (RFC 3339, UTC).
pub fn instant(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).unwrap_or_default()
}

pub(super) fn lire_instant(s: Option<String>) -> Option<OffsetDateTime> {
    s.and_then(|s| OffsetDateTime::parse(&s, &Rfc3339).ok())
}

/// The state of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = EtatCompte)]
#[serde(rename_all = "snake_case")]
pub enum Etat {
    /// Created, not yet activated.
    EnAttente,
    /// Active.
    Actif,
    /// Disabled.
    Desactive,
}

impl Etat {
    fn code(self) -> &'static str {
        match self {
            Etat::EnAttente => "en_attente",
            Etat::Actif => "actif",
            Etat::Desactive => "desactive",
        }
    }

    fn parse(s: &str) -> Etat {
        match s {
            "actif" => Etat::Actif,
            "en_attente" => Etat::EnAttente,
            _ => Etat::Desactive,
        }
    }
}

/// An account as stored.
#[derive(Debug, Clone)]
pub struct Compte {
    /// Public id.
    pub id: CompteId,
    /// Login (lower-case).
    pub login: String,
    /// Role.
    pub role: Role,
    /// Perimeter.
    pub perimetre: Perimetre,
    /// Holder's name (staff).
    pub nom: Option<String>,
    /// State.
    pub etat: Etat,
    /// argon2id PHC string.
    pub mot_de_passe: Option<String>,
    /// Encrypted TOTP secret.
    pub totp_chiffre: Option<Vec<u8>>,
    /// Whether the TOTP enrolment was confirmed with a code.
    pub totp_confirme: bool,
    /// Last accepted TOTP time step.
    pub totp_derniere_etape: Option<i64>,
    /// Consecutive failures.
    pub echecs: u32,
    /// Locked until.
    pub verrou_jusqua: Option<OffsetDateTime>,
    /// Created.
    pub cree_le: OffsetDateTime,
    /// Created by (account id or `operateur`).
    pub cree_par: String,
    /// Last successful login.
    pub derniere_connexion: Option<OffsetDateTime>,
}

const COLONNES: &str =
    "id, login, role, perimetre_genre, perimetre_id, nom, etat, mot_de_passe, totp_chiffre, totp_confirme,
    totp_derniere_etape, echecs, verrou_jusqua, cree_le, cree_par, derniere_connexion";

fn compte(r: &rusqlite::Row<'_>) -> rusqlite::Result<Compte> {
    let role: String = r.get(2)?;
    let genre: String = r.get(3)?;
    let pid: Option<String> = r.get(4)?;
    let invalid = |what: &str| rusqlite::Error::InvalidColumnType(0, what.into(), rusqlite::types::Type::Text);
    Ok(Compte {
        id: r.get::<_, String>(0).and_then(|s| CompteId::parse(&s).map_err(|_| invalid("id")))?,
        login: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| invalid("role"))?,
        perimetre: Perimetre::depuis(&genre, pid.as_deref()).ok_or_else(|| invalid("perimetre"))?,
        nom: r.get(5)?,
        etat: Etat::parse(&r.get::<_, String>(6)?),
        mot_de_passe: r.get(7)?,
        totp_chiffre: r.get(8)?,
        totp_confirme: r.get::<_, i64>(9)? == 1,
        totp_derniere_etape: r.get(10)?,
        echecs: r.get(11)?,
        verrou_jusqua: lire_instant(r.get(12)?),
        cree_le: lire_instant(r.get(13)?).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        cree_par: r.get(14)?,
        derniere_connexion: lire_instant(r.get(15)?),
    })
}

/// An account by login (case-insensitive).
pub fn par_login(c: &Connection, login: &str) -> Result<Option<Compte>> {
    let sql = format!("SELECT {COLONNES} FROM compte WHERE login = ?");
    Ok(c.prepare_cached(&sql)?.query_row([login.trim().to_lowercase()], compte).optional()?)
}

/// The account a one-time token (by its hash) opens, if unused; `usage` is `activation` or
/// `reinitialisation`.
pub fn compte_du_jeton(c: &Connection, empreinte: &str, usage: &str) -> Result<Option<CompteId>> {
    let id: Option<String> = c
        .prepare_cached("SELECT compte_id FROM jeton WHERE empreinte = ? AND usage = ? AND utilise_le IS NULL")?
        .query_row([empreinte, usage], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|id| CompteId::parse(&id).ok()))
}

/// Ends every session of an account but the one whose hash is `garder`.
pub fn fermer_autres_sessions(c: &Connection, compte: &CompteId, garder: &str) -> Result<()> {
    c.execute("DELETE FROM session WHERE compte_id = ? AND empreinte <> ?", [compte.as_str(), garder])?;
    Ok(())
}

/// The perimeters that accounts are tied to (kind, id).
pub fn perimetres_des_comptes(c: &Connection) -> Result<Vec<(String, Option<String>)>> {
    let mut stmt = c.prepare_cached("SELECT DISTINCT perimetre_genre, perimetre_id FROM compte")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// An account by id.
pub fn par_id(c: &Connection, id: &CompteId) -> Result<Compte> {
    let sql = format!("SELECT {COLONNES} FROM compte WHERE id = ?");
    c.prepare_cached(&sql)?.query_row([id.as_str()], compte).optional()?.ok_or(Error::Introuvable("compte"))
}

/// Creates a pending account; refuses a login already taken.
#[allow(clippy::too_many_arguments)]
pub fn creer(
    c: &Connection,
    id: &CompteId,
    login: &str,
    role: Role,
    perimetre: &Perimetre,
    nom: Option<&str>,
    cree_par: &str,
    le: OffsetDateTime,
) -> Result<()> {
    if par_login(c, login)?.is_some() {
        return Err(Error::Conflit(format!("l'identifiant « {login} » est déjà pris")));
    }
    c.prepare_cached(
        "INSERT INTO compte (id, login, role, perimetre_genre, perimetre_id, nom, etat, cree_le, cree_par)
         VALUES (?, ?, ?, ?, ?, ?, 'en_attente', ?, ?)",
    )?
    .execute(params![
        id.as_str(),
        login.trim().to_lowercase(),
        role.code(),
        perimetre.genre(),
        perimetre.id(),
        nom,
        instant(le),
        cree_par
    ])?;
    Ok(())
}

/// Accounts whose perimeter is one of `perimetres` (kind, id), by login.
pub fn lister(c: &Connection, perimetres: &[(String, Option<String>)], roles: &[Role]) -> Result<Vec<Compte>> {
    let sql = format!("SELECT {COLONNES} FROM compte ORDER BY login");
    let all = c.prepare_cached(&sql)?.query_map([], compte)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(all
        .into_iter()
        .filter(|k| roles.contains(&k.role))
        .filter(|k| perimetres.iter().any(|(g, i)| g == k.perimetre.genre() && i.as_deref() == k.perimetre.id()))
        .collect())
}

/// Sets the password hash and activates the account.
pub fn activer(c: &Connection, id: &CompteId, hash: &str, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached(
        "UPDATE compte SET mot_de_passe = ?, etat = 'actif', active_le = ?, echecs = 0, verrou_jusqua = NULL WHERE id = ?",
    )?
    .execute(params![hash, instant(le), id.as_str()])?;
    Ok(())
}

/// Activates a pending account tied to an identity: no password, the provider proves who
/// signs in.
pub fn activer_sans_mot_de_passe(c: &Connection, id: &CompteId, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached("UPDATE compte SET etat = 'actif', active_le = ?, echecs = 0, verrou_jusqua = NULL WHERE id = ?")?
        .execute(params![instant(le), id.as_str()])?;
    Ok(())
}

/// Replaces the password hash (change or reset); a reset also unlocks.
pub fn changer_mot_de_passe(c: &Connection, id: &CompteId, hash: &str) -> Result<()> {
    c.prepare_cached("UPDATE compte SET mot_de_passe = ?, echecs = 0, verrou_jusqua = NULL WHERE id = ?")?
        .execute(params![hash, id.as_str()])?;
    c.prepare_cached("DELETE FROM echec_connexion WHERE compte_id = ?")?.execute([id.as_str()])?;
    Ok(())
}

/// Sets the state.
pub fn changer_etat(c: &Connection, id: &CompteId, etat: Etat) -> Result<()> {
    c.prepare_cached("UPDATE compte SET etat = ? WHERE id = ?")?.execute(params![etat.code(), id.as_str()])?;
    Ok(())
}

/// Stores a (new, unconfirmed) encrypted TOTP secret.
pub fn poser_totp(c: &Connection, id: &CompteId, chiffre: &[u8], confirme: bool) -> Result<()> {
    c.prepare_cached("UPDATE compte SET totp_chiffre = ?, totp_confirme = ?, totp_derniere_etape = NULL WHERE id = ?")?
        .execute(params![chiffre, confirme, id.as_str()])?;
    Ok(())
}

/// Marks the TOTP enrolment confirmed.
pub fn confirmer_totp(c: &Connection, id: &CompteId, etape: i64) -> Result<()> {
    c.prepare_cached("UPDATE compte SET totp_confirme = 1, totp_derniere_etape = ? WHERE id = ?")?
        .execute(params![etape, id.as_str()])?;
    Ok(())
}

/// Records an accepted TOTP step, only if newer than the last one: returns false for a replay.
pub fn consommer_etape(c: &Connection, id: &CompteId, etape: i64) -> Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE compte SET totp_derniere_etape = ?1 WHERE id = ?2
             AND (totp_derniere_etape IS NULL OR totp_derniere_etape < ?1)",
        )?
        .execute(params![etape, id.as_str()])?;
    Ok(n == 1)
}

/// Records a failed login: increments the consecutive count, sets the lock, logs the time.
pub fn noter_echec(
    c: &Connection,
    id: &CompteId,
    echecs: u32,
    verrou: Option<OffsetDateTime>,
    le: OffsetDateTime,
) -> Result<()> {
    c.prepare_cached("UPDATE compte SET echecs = ?, verrou_jusqua = ? WHERE id = ?")?.execute(params![
        echecs,
        verrou.map(instant),
        id.as_str()
    ])?;
    c.prepare_cached("INSERT INTO echec_connexion (compte_id, le) VALUES (?, ?)")?
        .execute(params![id.as_str(), instant(le)])?;
    Ok(())
}

/// Failures since `depuis`, oldest first.
pub fn echecs_depuis(c: &Connection, id: &CompteId, depuis: OffsetDateTime) -> Result<Vec<OffsetDateTime>> {
    let rows: Vec<String> = c
        .prepare_cached("SELECT le FROM echec_connexion WHERE compte_id = ? AND le >= ? ORDER BY le")?
        .query_map(params![id.as_str(), instant(depuis)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().filter_map(|s| lire_instant(Some(s))).collect())
}

/// Records a successful login: clears the failures.
pub fn noter_succes(c: &Connection, id: &CompteId, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached("UPDATE compte SET echecs = 0, verrou_jusqua = NULL, derniere_connexion = ? WHERE id = ?")?
        .execute(params![instant(le), id.as_str()])?;
    Ok(())
}

/// Stores a single-use token (its SHA-256 only).
pub fn creer_jeton(c: &Connection, empreinte: &str, id: &CompteId, usage: &str, expire: OffsetDateTime) -> Result<()> {
    // A new link replaces the previous ones of the same use.
    c.prepare_cached("DELETE FROM jeton WHERE compte_id = ? AND usage = ?")?.execute(params![id.as_str(), usage])?;
    c.prepare_cached("INSERT INTO jeton (empreinte, compte_id, usage, expire_le) VALUES (?, ?, ?, ?)")?
        .execute(params![empreinte, id.as_str(), usage, instant(expire)])?;
    Ok(())
}

/// Consumes a token: returns its account if the token exists for that use, is unused and unexpired.
pub fn consommer_jeton(c: &Connection, empreinte: &str, usage: &str, le: OffsetDateTime) -> Result<Option<CompteId>> {
    let row: Option<(String, String, Option<String>)> = c
        .prepare_cached("SELECT compte_id, expire_le, utilise_le FROM jeton WHERE empreinte = ? AND usage = ?")?
        .query_row(params![empreinte, usage], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((compte, expire, utilise)) = row else { return Ok(None) };
    if utilise.is_some() || lire_instant(Some(expire)).is_none_or(|e| e <= le) {
        return Ok(None);
    }
    c.prepare_cached("UPDATE jeton SET utilise_le = ? WHERE empreinte = ?")?
        .execute(params![instant(le), empreinte])?;
    Ok(CompteId::parse(&compte).ok())
}

/// Replaces the recovery codes (their HMACs).
pub fn poser_codes_secours(c: &Connection, id: &CompteId, empreintes: &[String]) -> Result<()> {
    c.prepare_cached("DELETE FROM code_secours WHERE compte_id = ?")?.execute([id.as_str()])?;
    let mut ins = c.prepare_cached("INSERT INTO code_secours (compte_id, empreinte) VALUES (?, ?)")?;
    for e in empreintes {
        ins.execute(params![id.as_str(), e])?;
    }
    Ok(())
}

/// Consumes a recovery code; false if unknown or already used.
pub fn consommer_code_secours(c: &Connection, id: &CompteId, empreinte: &str, le: OffsetDateTime) -> Result<bool> {
    let n = c
        .prepare_cached(
            "UPDATE code_secours SET utilise_le = ? WHERE compte_id = ? AND empreinte = ? AND utilise_le IS NULL",
        )?
        .execute(params![instant(le), id.as_str(), empreinte])?;
    Ok(n == 1)
}

/// Unused recovery codes left.
pub fn codes_secours_restants(c: &Connection, id: &CompteId) -> Result<u32> {
    Ok(c.prepare_cached("SELECT count(*) FROM code_secours WHERE compte_id = ? AND utilise_le IS NULL")?
        .query_row([id.as_str()], |r| r.get(0))?)
}

/// A server-side session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub compte_id: CompteId,
    /// Created (login).
    pub cree_le: OffsetDateTime,
    /// Last request.
    pub vue_le: OffsetDateTime,
    /// Last password (and second factor) check.
    pub authentifie_le: OffsetDateTime,
    /// Whether the second factor was given.
    pub second_facteur: bool,
}

/// Creates a session (its id's SHA-256 only).
pub fn creer_session(
    c: &Connection,
    empreinte: &str,
    id: &CompteId,
    second_facteur: bool,
    le: OffsetDateTime,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO session (empreinte, compte_id, cree_le, vue_le, authentifie_le, second_facteur) VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![empreinte, id.as_str(), instant(le), instant(le), instant(le), second_facteur])?;
    Ok(())
}

/// A session by its id's hash.
pub fn session(c: &Connection, empreinte: &str) -> Result<Option<Session>> {
    Ok(c.prepare_cached(
        "SELECT compte_id, cree_le, vue_le, authentifie_le, second_facteur FROM session WHERE empreinte = ?",
    )?
    .query_row([empreinte], |r| {
        let id: String = r.get(0)?;
        Ok((id, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, i64>(4)?))
    })
    .optional()?
    .and_then(|(id, cree, vue, auth, sf)| {
        Some(Session {
            compte_id: CompteId::parse(&id).ok()?,
            cree_le: lire_instant(Some(cree))?,
            vue_le: lire_instant(Some(vue))?,
            authentifie_le: lire_instant(Some(auth))?,
            second_facteur: sf == 1,
        })
    }))
}

/// Marks a session seen now.
pub fn toucher_session(c: &Connection, empreinte: &str, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached("UPDATE session SET vue_le = ? WHERE empreinte = ?")?.execute(params![instant(le), empreinte])?;
    Ok(())
}

/// Records that the session's holder just proved their identity again (second factor included).
pub fn reauthentifier_session(c: &Connection, empreinte: &str, second_facteur: bool, le: OffsetDateTime) -> Result<()> {
    c.prepare_cached("UPDATE session SET authentifie_le = ?, vue_le = ?, second_facteur = ? WHERE empreinte = ?")?
        .execute(params![instant(le), instant(le), second_facteur, empreinte])?;
    Ok(())
}

/// Ends a session.
pub fn supprimer_session(c: &Connection, empreinte: &str) -> Result<()> {
    c.prepare_cached("DELETE FROM session WHERE empreinte = ?")?.execute([empreinte])?;
    Ok(())
}

/// Ends every session of an account (disabling, password change).
pub fn supprimer_sessions(c: &Connection, id: &CompteId) -> Result<()> {
    c.prepare_cached("DELETE FROM session WHERE compte_id = ?")?.execute([id.as_str()])?;
    Ok(())
}

/// Removes expired sessions and never-activated accounts older than `limite_comptes`.
pub fn nettoyer(
    c: &Connection,
    sessions_avant: OffsetDateTime,
    comptes_avant: OffsetDateTime,
) -> Result<(usize, usize)> {
    let s = c.execute("DELETE FROM session WHERE cree_le < ?", [instant(sessions_avant)])?;
    let k = c.execute("DELETE FROM compte WHERE etat = 'en_attente' AND cree_le < ?", [instant(comptes_avant)])?;
    Ok((s, k))
}

/// A setting of the département.
pub fn parametre(c: &Connection, cle: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT valeur FROM parametre WHERE cle = ?")?.query_row([cle], |r| r.get(0)).optional()?)
}

/// The setting widening the mairies' view (per département).
pub const MAIRIE_ETENDUE: &str = "mairie_etendue";
/// The installation's public address, printed with a QR code on certificates.
pub const URL_PUBLIQUE: &str = "url_publique";

/// The key of a département's own setting: each département of an installation decides alone.
pub fn cle_departement(cle: &str, departement: &crate::domain::DepartementId) -> String {
    format!("{cle}:{departement}")
}

/// Removes a setting.
pub fn oter_parametre(c: &Connection, cle: &str) -> Result<()> {
    c.prepare_cached("DELETE FROM parametre WHERE cle = ?")?.execute([cle])?;
    Ok(())
}

/// Sets a setting.
pub fn poser_parametre(c: &Connection, cle: &str, valeur: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO parametre (cle, valeur) VALUES (?, ?) ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
    )?
    .execute(params![cle, valeur])?;
    Ok(())
}

/// Every account's encrypted TOTP secret (`registre check`: the key file must open them).
pub fn secrets_totp(c: &Connection) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(c.prepare("SELECT id, totp_chiffre FROM compte WHERE totp_chiffre IS NOT NULL ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}
