//! The OpenID Connect providers of the installation and the identities tied to accounts (SQL
//! only; the rules are in `auth::oidc`).

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::Result;
use super::comptes::instant;
use crate::domain::CompteId;

/// Every provider: its short name and its settings (JSON), by name.
pub fn fournisseurs(c: &Connection) -> Result<Vec<(String, String)>> {
    Ok(c.prepare_cached("SELECT nom, reglage FROM fournisseur_identite ORDER BY nom")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// One provider's settings (JSON).
pub fn fournisseur(c: &Connection, nom: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT reglage FROM fournisseur_identite WHERE nom = ?")?
        .query_row([nom], |r| r.get(0))
        .optional()?)
}

/// Adds or replaces a provider.
pub fn poser_fournisseur(c: &Connection, nom: &str, reglage: &str) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO fournisseur_identite (nom, reglage) VALUES (?, ?)
         ON CONFLICT (nom) DO UPDATE SET reglage = excluded.reglage",
    )?
    .execute(params![nom, reglage])?;
    Ok(())
}

/// Removes a provider; the identities tied through it stay (they name their issuer), unusable
/// until a provider of that issuer is set again. Returns whether it existed.
pub fn oter_fournisseur(c: &Connection, nom: &str) -> Result<bool> {
    Ok(c.prepare_cached("DELETE FROM fournisseur_identite WHERE nom = ?")?.execute([nom])? == 1)
}

/// The account tied to an identity.
pub fn compte_de(c: &Connection, emetteur: &str, sujet: &str) -> Result<Option<CompteId>> {
    let id: Option<String> = c
        .prepare_cached("SELECT compte_id FROM identite WHERE emetteur = ? AND sujet = ?")?
        .query_row([emetteur, sujet], |r| r.get(0))
        .optional()?;
    Ok(id.and_then(|i| CompteId::parse(&i).ok()))
}

/// The provider's short name an account is tied through, if any.
pub fn identite_du_compte(c: &Connection, id: &CompteId) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT fournisseur FROM identite WHERE compte_id = ?")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?)
}

/// Ties an account to an identity. The caller has checked that neither is tied already (both
/// are unique: a second tie fails).
pub fn lier(
    c: &Connection,
    emetteur: &str,
    sujet: &str,
    compte: &CompteId,
    fournisseur: &str,
    le: OffsetDateTime,
) -> Result<()> {
    c.prepare_cached("INSERT INTO identite (emetteur, sujet, compte_id, fournisseur, lie_le) VALUES (?, ?, ?, ?, ?)")?
        .execute(params![emetteur, sujet, compte.as_str(), fournisseur, instant(le)])?;
    Ok(())
}

/// Unties an account (its manager's « délier »). Returns whether it was tied.
pub fn delier(c: &Connection, compte: &CompteId) -> Result<bool> {
    Ok(c.prepare_cached("DELETE FROM identite WHERE compte_id = ?")?.execute([compte.as_str()])? == 1)
}

/// The provider a session was opened through.
pub fn fournisseur_de_session(c: &Connection, empreinte: &str) -> Result<Option<String>> {
    Ok(c.prepare_cached("SELECT fournisseur FROM session WHERE empreinte = ?")?
        .query_row([empreinte], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Names the provider a new session was opened through.
pub fn marquer_session(c: &Connection, empreinte: &str, fournisseur: &str) -> Result<()> {
    c.prepare_cached("UPDATE session SET fournisseur = ? WHERE empreinte = ?")?.execute([fournisseur, empreinte])?;
    Ok(())
}
