//! Accounts and the département's settings as use cases: opening a session, the accounts an
//! actor manages, one's own account, and the mairie's widened view (the IA-DASEN's choice).
//! Passwords, TOTP and sessions themselves are `auth`'s.

use serde::Serialize;
use time::OffsetDateTime;

use super::{Result, Service};
use crate::audit::Fait;
use crate::auth::{self, Connexion, Interdit};
use crate::config::Cles;
use crate::domain::Perimetre;
use crate::policy::{Action, Ressource, Role};
use crate::store::comptes::{self, Compte, Etat};
use crate::store::{Store, territoires};

/// An account as its manager sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompteVu {
    /// Id.
    pub id: String,
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Kind of perimeter.
    pub perimetre: String,
    /// Territory's name.
    pub territoire: Option<String>,
    /// Holder's name.
    pub nom: Option<String>,
    /// State.
    pub etat: Etat,
}

/// Opens a session from a login form or the API (no actor yet): the browser's previous
/// session ends, the credentials are checked (`auth`), and the function shown to parents is
/// named.
pub fn connexion(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    ancienne: Option<&str>,
    login: &str,
    mot_de_passe: &str,
    code: Option<&str>,
) -> Result<(Connexion, String)> {
    // A new session id at every login: the previous one, if any, ends.
    if let Some(old) = ancienne {
        store.write(|tx| comptes::supprimer_session(tx, &auth::empreinte(old)))?;
    }
    let c = auth::connecter(store, cles, le, login, mot_de_passe, code)?;
    let fonction = store.read(|db| auth::fonction(db, c.compte.role, &c.compte.perimetre))?;
    Ok((c, fonction))
}

/// A new account, as asked: the territory is found among the kinds of perimeter given.
#[derive(Debug, Clone)]
pub struct DemandeCompte {
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The kinds of perimeter to look in (`ecole`, `commune`…): the one asked, or every kind
    /// the role admits.
    pub genres: Vec<String>,
    /// The territory (an UAI, an INSEE code, an id…).
    pub territoire: String,
    /// Holder's name.
    pub nom: Option<String>,
}

impl Service<'_> {
    /// Creates a pending account (policy and rules in `auth`); returns its id and the one-time
    /// activation token.
    pub fn creer_compte(&self, d: &DemandeCompte) -> Result<(crate::domain::CompteId, String)> {
        let valeur = d.territoire.trim();
        let perimetre = self
            .store
            .read(|c| {
                for g in &d.genres {
                    if let Some(p) = territoires::trouver_perimetre(c, g.trim(), valeur)? {
                        return Ok(Some(p));
                    }
                }
                Ok(None)
            })?
            .ok_or(crate::store::Error::Introuvable("périmètre"))?;
        let n = auth::NouveauCompte { login: d.login.clone(), role: d.role, perimetre, nom: d.nom.clone() };
        Ok(auth::creer_compte(self.store, self.cles, self.le, self.acteur, &n)?)
    }

    /// The accounts the actor manages (IA-DASEN: the département's staff; directeur: the
    /// families of the school's pupils).
    pub fn comptes(&self) -> Result<Vec<CompteVu>> {
        self.autoriser(Ressource::Compte, Action::Lister)?;
        let liste = auth::comptes_geres(self.store, self.acteur)?;
        Ok(self.store.read(|c| {
            liste
                .into_iter()
                .map(|k| {
                    Ok(CompteVu {
                        territoire: territoires::nom_perimetre(c, &k.perimetre)?,
                        id: k.id.to_string(),
                        login: k.login,
                        role: k.role,
                        perimetre: k.perimetre.genre().into(),
                        nom: k.nom,
                        etat: k.etat,
                    })
                })
                .collect::<crate::store::Result<Vec<_>>>()
        })?)
    }

    /// The actor's own account and how many recovery codes remain unused.
    pub fn mon_compte(&self) -> Result<(Compte, u32)> {
        let id = self.acteur.compte.clone().ok_or(crate::store::Error::Introuvable("compte"))?;
        Ok(self.store.read(|c| Ok((comptes::par_id(c, &id)?, comptes::codes_secours_restants(c, &id)?)))?)
    }

    /// Widens (or narrows) what the mairies of the actor's département see; journaled.
    pub fn modifier_parametres(&self, mairie_etendue: bool) -> Result<()> {
        self.autoriser(Ressource::Parametres, Action::Modifier)?;
        let Perimetre::Departement(d) = &self.acteur.perimetre else {
            return Err(Interdit::Role.into());
        };
        let cle = comptes::cle_departement(comptes::MAIRIE_ETENDUE, d);
        Ok(self.store.write(|tx| {
            comptes::poser_parametre(tx, &cle, if mairie_etendue { "1" } else { "0" })?;
            let fait = Fait::new(Action::Modifier, "parametres")
                .detail(serde_json::json!({ "mairie_etendue": mairie_etendue }));
            self.journal(tx, &[fait])
        })?)
    }
}

/// One's own account and the accounts one manages: `auth` holds the rules (password strength,
/// second factor, tokens) and journals in the same transaction; these are the only entry points
/// the API, the pages and the CLI use. Their errors stay `auth`'s, so a form can tell a wrong
/// code (shown again) from a refusal.
impl Service<'_> {
    /// Ends the actor's session.
    pub fn deconnecter(&self) -> std::result::Result<(), auth::Error> {
        auth::deconnecter(self.store, self.cles, self.le, self.acteur)
    }

    /// Changes the actor's password (the other sessions end).
    pub fn changer_mot_de_passe(&self, actuel: &str, nouveau: &str) -> std::result::Result<(), auth::Error> {
        auth::changer_mot_de_passe(self.store, self.cles, self.le, self.acteur, actuel, nouveau)
    }

    /// Draws a new second-factor secret for the actor (not yet confirmed).
    pub fn commencer_totp(&self) -> std::result::Result<Vec<u8>, auth::Error> {
        auth::commencer_totp(self.store, self.cles, self.acteur)
    }

    /// Confirms the second factor with a code; returns the recovery codes, shown once.
    pub fn confirmer_totp(&self, code: &str) -> std::result::Result<Vec<String>, auth::Error> {
        auth::confirmer_totp(self.store, self.cles, self.le, self.acteur, code)
    }

    /// Deactivates a managed account (its sessions end).
    pub fn desactiver_compte(&self, id: &crate::domain::CompteId) -> std::result::Result<(), auth::Error> {
        auth::desactiver(self.store, self.cles, self.le, self.acteur, id)
    }

    /// A reset link for a managed account.
    pub fn lien_reinitialisation(&self, id: &crate::domain::CompteId) -> std::result::Result<String, auth::Error> {
        auth::lien_reinitialisation(self.store, self.cles, self.le, self.acteur, id)
    }
}

/// Activates an account from its link (no session yet): the holder chooses the password.
pub fn activer(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    jeton: &str,
    mot_de_passe: &str,
) -> std::result::Result<Compte, auth::Error> {
    auth::activer(store, cles, le, jeton, mot_de_passe)
}

/// Sets a new password from a reset link (no session).
pub fn reinitialiser(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    jeton: &str,
    mot_de_passe: &str,
) -> std::result::Result<(), auth::Error> {
    auth::reinitialiser(store, cles, le, jeton, mot_de_passe)
}

/// The actor behind a session id, if the session is valid (`auth` checks and extends it).
pub fn acteur(
    store: &Store,
    le: OffsetDateTime,
    session: &str,
) -> std::result::Result<Option<auth::Acteur>, auth::Error> {
    auth::acteur(store, le, session)
}
