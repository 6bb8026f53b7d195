//! Idempotency keys of the API's writes (SQL only; the rule is in `service::idempotence`).

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::comptes::instant;
use super::requete::CleIdempotence;
use super::{Error, Result};

/// How long a key is remembered.
pub const DUREE: time::Duration = time::Duration::hours(24);

/// A key already seen, within [`DUREE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vue {
    /// SHA-256 of the request that used it first.
    pub empreinte: Vec<u8>,
    /// Its answer, once sent: status, media type, `Location`, body.
    pub reponse: Option<Reponse>,
}

/// An answer kept for the replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reponse {
    /// HTTP status.
    pub statut: u16,
    /// `Content-Type`.
    pub type_contenu: Option<String>,
    /// `Location`.
    pub location: Option<String>,
    /// Body.
    pub corps: Vec<u8>,
}

/// The key `cle` of `compte`, if it was used in the last [`DUREE`] before `le`.
pub fn chercher(c: &Connection, compte: &str, cle: &[u8], le: OffsetDateTime) -> Result<Option<Vue>> {
    let depuis = instant(le - DUREE);
    let ligne = c
        .query_row(
            "SELECT empreinte, statut, type_contenu, location, corps FROM idempotence
             WHERE compte_id = ?1 AND cle = ?2 AND cree_le > ?3",
            params![compte, cle, depuis],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<Vec<u8>>>(4)?,
                ))
            },
        )
        .optional()?;
    Ok(ligne.map(|(empreinte, statut, type_contenu, location, corps)| Vue {
        empreinte,
        reponse: statut.map(|s| Reponse {
            statut: u16::try_from(s).unwrap_or(500),
            type_contenu,
            location,
            corps: corps.unwrap_or_default(),
        }),
    }))
}

/// Records the key with the first commit of its request (within that transaction). A key of
/// the account still remembered makes the commit fail: the same request ran meanwhile.
pub(super) fn reserver(c: &Connection, k: &CleIdempotence) -> Result<()> {
    // An expired row of the same key gives way.
    c.execute(
        "DELETE FROM idempotence WHERE compte_id = ?1 AND cle = ?2 AND cree_le <= ?3",
        params![k.compte, k.cle, instant(k.le - DUREE)],
    )?;
    match c.execute(
        "INSERT INTO idempotence (compte_id, cle, empreinte, cree_le) VALUES (?1, ?2, ?3, ?4)",
        params![k.compte, k.cle, k.empreinte, instant(k.le)],
    ) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
            Err(Error::Conflit(
                "une requête avec la même clé d'idempotence (Idempotency-Key) vient d'être traitée : rien n'est écrit deux fois"
                    .into(),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Keeps the answer of the request that recorded the key.
pub fn repondre(c: &Connection, compte: &str, cle: &[u8], r: &Reponse) -> Result<()> {
    c.execute(
        "UPDATE idempotence SET statut = ?3, type_contenu = ?4, location = ?5, corps = ?6
         WHERE compte_id = ?1 AND cle = ?2",
        params![compte, cle, i64::from(r.statut), r.type_contenu, r.location, r.corps],
    )?;
    Ok(())
}

/// Forgets the keys older than [`DUREE`]; returns how many.
pub fn expirer(c: &Connection, le: OffsetDateTime) -> Result<usize> {
    Ok(c.execute("DELETE FROM idempotence WHERE cree_le <= ?1", params![instant(le - DUREE)])?)
}
