//! Accounts, activation, passwords, TOTP, sessions and lockout (docs/architecture.md §4).
//!
//! Rules kept here:
//! - no default password: an account is created *pending* and activated through a single-use
//!   link (256-bit token, stored hashed, valid 72 h) where the user chooses the password;
//! - never-activated accounts expire after 30 days;
//! - staff enrol a TOTP second factor and receive 10 recovery codes; until then they read no
//!   pupil; a TOTP code is accepted once;
//! - lockout per account ([`verrou`]); unknown logins, wrong passwords, wrong codes and locked
//!   accounts all get the same answer, in the same time (no user enumeration);
//! - sessions are server-side: a 256-bit id in the cookie, its SHA-256 in the database, rotated
//!   at login, 30 min idle, 12 h absolute; exports and bulk prints need a login within 10 min.

mod cycle;
pub mod mot_de_passe;
pub mod oidc;
pub mod totp;
pub mod verrou;

use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::audit::{self, Auteur, Fait};
use crate::config::{Cles, hex};
use crate::domain::{CompteId, Perimetre};
use crate::policy::{self, Action, Champs, Decision, Reglages, Relation, Ressource, Role};
use crate::store::comptes::{self, Compte, Etat};
use crate::store::{self, Store, territoires};

pub use cycle::*;

/// Idle timeout of a session.
pub const INACTIVITE: Duration = Duration::minutes(30);
/// Absolute lifetime of a session.
pub const DUREE_MAX: Duration = Duration::hours(12);
/// How recent a login must be for exports and bulk prints.
pub const RECENT: Duration = Duration::minutes(10);
/// Validity of an activation link.
pub const VALIDITE_ACTIVATION: Duration = Duration::hours(72);
/// Validity of a password-reset link.
pub const VALIDITE_REINITIALISATION: Duration = Duration::hours(24);
/// Never-activated accounts are deleted after this.
pub const EXPIRATION_EN_ATTENTE: Duration = Duration::days(30);

/// The one answer to every failed login.
pub const REFUS_CONNEXION: &str = "identifiant, mot de passe ou code incorrect, ou compte temporairement verrouillé : vérifiez et réessayez plus tard";

/// Errors of the account services (French messages).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Any failed login: one message for every cause.
    #[error("{REFUS_CONNEXION}")]
    Connexion,
    /// A link that is unknown, used or expired.
    #[error("ce lien n'est pas valide : il a déjà servi ou a expiré ; demandez-en un nouveau")]
    Lien,
    /// The new password breaks a rule.
    #[error("mot de passe refusé : {0}")]
    MotDePasse(#[from] mot_de_passe::Refus),
    /// The wrong current password, or the wrong TOTP code at enrolment.
    #[error("{0}")]
    Verification(String),
    /// Not allowed.
    #[error("{0}")]
    Interdit(String),
    /// Input refused.
    #[error("{champ} : {message}")]
    Invalide {
        /// The field.
        champ: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Several fields refused at once (a form shows each beside its field).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ; "))]
    Plusieurs(Vec<Error>),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] store::Error),
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// 256 random bits in hexadecimal: session ids and single-use tokens.
pub fn aleatoire() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex(&b)
}

/// What is stored of a session id or token: its SHA-256.
pub fn empreinte(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// The CSRF token of a session: derived from its id under the key file, never stored.
pub fn csrf(cles: &Cles, session: &str) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&cles.jetons).unwrap_or_else(|_| unreachable!("32-byte key"));
    m.update(b"csrf\x1e");
    m.update(session.as_bytes());
    hex(&m.finalize().into_bytes())[..32].to_string()
}

/// The CSRF token as a page carries it: XOR-masked with a fresh random pad at every answer,
/// pad first, in hexadecimal. A compressed page then never repeats the same secret bytes, so
/// its compressed size tells nothing of the token (BREACH).
pub fn csrf_masque(jeton: &str) -> String {
    let mut pad = vec![0u8; jeton.len()];
    rand::rng().fill_bytes(&mut pad);
    let masque: Vec<u8> = pad.iter().zip(jeton.bytes()).map(|(p, j)| p ^ j).collect();
    format!("{}{}", hex(&pad), hex(&masque))
}

/// The token a masked one carries (`None` when `masque` is not one).
pub fn csrf_demasque(masque: &str) -> Option<String> {
    let octets = crate::config::unhex(masque)?;
    if octets.is_empty() || octets.len() % 2 != 0 {
        return None;
    }
    let (pad, m) = octets.split_at(octets.len() / 2);
    String::from_utf8(pad.iter().zip(m).map(|(p, m)| p ^ m).collect()).ok()
}

/// Why an action is refused to an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interdit {
    /// The role may not.
    Role,
    /// A staff account without its second factor.
    SecondFacteur,
    /// The login is older than 10 minutes.
    Reauthentification,
}

impl Interdit {
    /// The French message.
    pub fn message(self) -> &'static str {
        match self {
            Interdit::Role => "accès refusé : votre rôle ne permet pas cette action",
            Interdit::SecondFacteur => {
                "accès refusé : activez d'abord votre second facteur (application d'authentification) dans « Mon compte »"
            }
            Interdit::Reauthentification => {
                "reconnectez-vous : les exports et impressions en lot exigent une connexion de moins de 10 minutes"
            }
        }
    }
}

/// Who is acting, for one request or one CLI run.
#[derive(Debug, Clone)]
pub struct Acteur {
    /// For the journal.
    pub auteur: Auteur,
    /// The account (none for the CLI operator).
    pub compte: Option<CompteId>,
    /// The login.
    pub login: Option<String>,
    /// Role.
    pub role: Role,
    /// Perimeter: every query is scoped to it.
    pub perimetre: Perimetre,
    /// Whether the second factor was given (or is not required).
    pub second_facteur: bool,
    /// Last proof of identity.
    pub authentifie_le: OffsetDateTime,
    /// The session's id hash.
    pub session: Option<String>,
    /// The département's settings.
    pub reglages: Reglages,
}

impl Acteur {
    /// The operator on the server (CLI): every record, journaled as « opérateur du serveur ».
    pub fn operateur(le: OffsetDateTime) -> Self {
        Self {
            auteur: Auteur::operateur(),
            compte: None,
            login: None,
            role: Role::Operateur,
            perimetre: Perimetre::Installation,
            second_facteur: true,
            authentifie_le: le,
            session: None,
            reglages: Reglages::default(),
        }
    }

    /// The policy's answer for this actor (the second-factor gate included).
    pub fn decision(&self, ressource: Ressource, action: Action) -> Decision {
        if self.role.exige_second_facteur() && !self.second_facteur {
            return Decision::Refuse;
        }
        policy::decider(self.role, Relation::Propre, ressource, action, self.reglages)
    }

    /// Allowed fields, or why not. Records outside the perimeter are then not found by the
    /// scoped queries (404).
    pub fn autoriser(
        &self,
        ressource: Ressource,
        action: Action,
        maintenant: OffsetDateTime,
    ) -> Result<Champs, Interdit> {
        if self.role.exige_second_facteur() && !self.second_facteur {
            return Err(Interdit::SecondFacteur);
        }
        match policy::decider(self.role, Relation::Propre, ressource, action, self.reglages) {
            Decision::Refuse => Err(Interdit::Role),
            Decision::Autorise { recent, .. } if recent && maintenant - self.authentifie_le > RECENT => {
                Err(Interdit::Reauthentification)
            }
            Decision::Autorise { champs, .. } => Ok(champs),
        }
    }
}

/// The function of an account as the journal and parents see it: role and territory, no name.
pub fn fonction(c: &store::Lecture, role: Role, p: &Perimetre) -> store::Result<String> {
    Ok(match territoires::nom_perimetre(c, p)? {
        Some(nom) => format!("{} — {nom}", role.libelle()),
        None => role.libelle().to_string(),
    })
}

/// The settings of the account's département (only a mairie's view depends on them).
fn reglages(c: &store::Lecture, k: &Compte) -> store::Result<Reglages> {
    let departement = match &k.perimetre {
        Perimetre::Commune(id) => territoires::departement_de_commune(c, id)?,
        Perimetre::Departement(d) => Some(d.clone()),
        _ => None,
    };
    let mairie_etendue = match departement {
        Some(d) => {
            comptes::parametre(c, &comptes::cle_departement(comptes::MAIRIE_ETENDUE, &d))?.as_deref() == Some("1")
        }
        None => false,
    };
    Ok(Reglages { mairie_etendue })
}

fn auteur_de(c: &store::Lecture, k: &Compte) -> store::Result<Auteur> {
    Ok(Auteur { id: k.id.to_string(), role: k.role, fonction: fonction(c, k.role, &k.perimetre)? })
}

/// Journals what an account did itself (activation, login, reset…), in `tx`: `k` is the
/// author and the target, `ressource` is `compte` or `connexion`.
fn noter_du_compte(
    tx: &store::Lecture,
    cles: &Cles,
    k: &Compte,
    le: OffsetDateTime,
    action: Action,
    ressource: &'static str,
    detail: serde_json::Value,
) -> store::Result<()> {
    let auteur = auteur_de(tx, k)?;
    audit::ajouter(tx, cles, &auteur, le, &[Fait::new(action, ressource).cible(k.id.to_string()).detail(detail)])
}

/// The pending account of an activation link, and the link's digest (to spend it): an
/// unknown, spent or malformed link, or an account past its 30 days, is [`Error::Lien`].
fn compte_du_lien_d_activation(store: &Store, jeton: &str, le: OffsetDateTime) -> Result<(String, Compte)> {
    if jeton.len() != 64 {
        return Err(Error::Lien);
    }
    let e = empreinte(jeton);
    let k = store.read(|c| {
        // A SQLite error stays an error: only an unknown or spent token is « lien invalide ».
        match comptes::compte_du_jeton(c, &e, "activation")? {
            Some(id) => Ok(Some(comptes::par_id(c, &id)?)),
            None => Ok(None),
        }
    })?;
    match k.filter(|k| k.etat == Etat::EnAttente && le - k.cree_le <= EXPIRATION_EN_ATTENTE) {
        Some(k) => Ok((e, k)),
        None => Err(Error::Lien),
    }
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct Connexion {
    /// The new session id, for the cookie (never stored in clear).
    pub session: String,
    /// Its CSRF token.
    pub csrf: String,
    /// The account.
    pub compte: Compte,
    /// Whether the second factor was given.
    pub second_facteur: bool,
}

/// Checks credentials and opens a session. `code` is a TOTP code or a recovery code. Every
/// failure answers [`Error::Connexion`], after the same amount of hashing work, and is counted
/// in the metrics.
pub fn connecter(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    login: &str,
    mdp: &str,
    code: Option<&str>,
) -> Result<Connexion> {
    let r = verifier_et_ouvrir(store, cles, le, login, mdp, code);
    if matches!(r, Err(Error::Connexion)) {
        crate::mesures::mesures().connexion_echouee();
    }
    r
}

fn verifier_et_ouvrir(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    login: &str,
    mdp: &str,
    code: Option<&str>,
) -> Result<Connexion> {
    if login.chars().count() > 100 || mdp.chars().count() > mot_de_passe::LONGUEUR_MAX * 4 {
        mot_de_passe::verifier_leurre("x");
        return Err(Error::Connexion);
    }
    let compte = store.read(|c| comptes::par_login(c, login))?;
    let Some(k) = compte.filter(|k| k.etat == Etat::Actif && k.mot_de_passe.is_some()) else {
        mot_de_passe::verifier_leurre(mdp);
        return Err(Error::Connexion);
    };
    let jour = store.read(|c| comptes::echecs_depuis(c, &k.id, le - Duration::hours(24)))?;
    let verrouille = k.verrou_jusqua.is_some_and(|v| v > le) || jour.len() >= verrou::MAX_PAR_JOUR;
    let mdp_ok = mot_de_passe::verifier(mdp, k.mot_de_passe.as_deref().unwrap_or_default());
    if verrouille {
        return Err(Error::Connexion);
    }
    // The second factor: required once enrolled; a recovery code may replace it.
    let enrole = k.totp_confirme && k.totp_chiffre.is_some();
    let facteur_ok = if !mdp_ok {
        false
    } else if !enrole {
        true
    } else {
        code_valide(store, cles, &k, code, le)?
    };
    if !(mdp_ok && facteur_ok) {
        noter_echec(store, cles, &k, jour, le)?;
        return Err(Error::Connexion);
    }
    if let Some(libelle) = oidc::mot_de_passe_interdit(store, &k)? {
        return Err(Error::Interdit(format!(
            "les mots de passe personnels sont désactivés pour votre compte par l'IA-DASEN : connectez-vous avec « {libelle} »"
        )));
    }
    let second_facteur = enrole || !k.role.exige_second_facteur();
    ouvrir_session(store, cles, k, second_facteur, None, le)
}

/// Whether an enrolled account's TOTP or recovery code is right; a right one is spent (a code
/// is accepted once).
fn code_valide(store: &Store, cles: &Cles, k: &Compte, code: Option<&str>, le: OffsetDateTime) -> Result<bool> {
    Ok(match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => false,
        Some(c) if totp::est_code_secours(c) => {
            let e = totp::empreinte_code(cles, k.id.as_str(), c);
            store.ecrire(|tx| comptes::consommer_code_secours(tx, &k.id, &e, le))?
        }
        Some(c) => {
            let secret = k.totp_chiffre.as_deref().and_then(|s| totp::dechiffrer(cles, k.id.as_str(), s));
            match secret.and_then(|s| totp::etape_valide(&s, c, u64::try_from(le.unix_timestamp()).unwrap_or(0))) {
                // A code is accepted once: the step must be newer than the last one used.
                Some(etape) => store.ecrire(|tx| comptes::consommer_etape(tx, &k.id, etape))?,
                None => false,
            }
        }
    })
}

/// Notes a failed login (lockout) and journals it. `jour` holds the day's failures so far.
fn noter_echec(
    store: &Store,
    cles: &Cles,
    k: &Compte,
    mut jour: Vec<OffsetDateTime>,
    le: OffsetDateTime,
) -> Result<()> {
    let consecutifs = k.echecs + 1;
    jour.push(le);
    let v = verrou::verrou_apres_echec(consecutifs, &jour, le);
    if v.is_some() {
        crate::mesures::mesures().verrouillage();
    }
    store.ecrire(|tx| {
        comptes::noter_echec(tx, &k.id, consecutifs, v, le)?;
        let detail = serde_json::json!({ "reussie": false, "verrou": v.map(comptes::instant) });
        noter_du_compte(tx, cles, k, le, Action::Lire, "connexion", detail)
    })?;
    Ok(())
}

/// Opens a session for an account whose identity is proven, journaled; `fournisseur` names
/// the identity provider it came through, if any.
fn ouvrir_session(
    store: &Store,
    cles: &Cles,
    k: Compte,
    second_facteur: bool,
    fournisseur: Option<&str>,
    le: OffsetDateTime,
) -> Result<Connexion> {
    let session = aleatoire();
    let e = empreinte(&session);
    store.ecrire(|tx| {
        comptes::noter_succes(tx, &k.id, le)?;
        comptes::creer_session(tx, &e, &k.id, second_facteur, le)?;
        if let Some(f) = fournisseur {
            store::identites::marquer_session(tx, &e, f)?;
        }
        let mut detail = serde_json::json!({ "reussie": true, "second_facteur": second_facteur });
        if let Some(f) = fournisseur {
            detail["fournisseur"] = f.into();
        }
        noter_du_compte(tx, cles, &k, le, Action::Lire, "connexion", detail)
    })?;
    Ok(Connexion { csrf: csrf(cles, &session), session, compte: k, second_facteur })
}

/// The actor of a session id, if the session is valid (idle and absolute timeouts, account
/// active). Refreshes the idle timer at most once a minute.
pub fn acteur(store: &Store, le: OffsetDateTime, session: &str) -> Result<Option<Acteur>> {
    if session.len() != 64 || !session.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let e = empreinte(session);
    let trouve = store.read(|c| {
        let Some(s) = comptes::session(c, &e)? else { return Ok(None) };
        let k = comptes::par_id(c, &s.compte_id)?;
        let fonction = fonction(c, k.role, &k.perimetre)?;
        let reglages = reglages(c, &k)?;
        Ok(Some((s, k, fonction, reglages)))
    })?;
    let Some((s, k, fonction, reglages)) = trouve else { return Ok(None) };
    if le - s.vue_le > INACTIVITE || le - s.cree_le > DUREE_MAX || k.etat != Etat::Actif {
        store.ecrire(|tx| comptes::supprimer_session(tx, &e))?;
        return Ok(None);
    }
    if le - s.vue_le > Duration::minutes(1) {
        store.ecrire(|tx| comptes::toucher_session(tx, &e, le))?;
    }
    Ok(Some(Acteur {
        auteur: Auteur { id: k.id.to_string(), role: k.role, fonction },
        compte: Some(k.id.clone()),
        login: Some(k.login.clone()),
        role: k.role,
        perimetre: k.perimetre.clone(),
        second_facteur: s.second_facteur || !k.role.exige_second_facteur(),
        authentifie_le: s.authentifie_le,
        session: Some(e),
        reglages,
    }))
}

/// Ends a session; returns the identity provider it was opened through, if any (its session
/// ends there too: RP-initiated logout).
pub fn deconnecter(store: &Store, cles: &Cles, le: OffsetDateTime, acteur: &Acteur) -> Result<Option<String>> {
    let Some(e) = &acteur.session else { return Ok(None) };
    Ok(store.ecrire(|tx| {
        let fournisseur = store::identites::fournisseur_de_session(tx, e)?;
        comptes::supprimer_session(tx, e)?;
        audit::ajouter(tx, cles, &acteur.auteur, le, &[Fait::new(Action::Supprimer, "session")])?;
        Ok::<_, store::Error>(fournisseur)
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_csrf_token_differs_every_time_and_unmasks_to_the_token() {
        let jeton = "0123456789abcdef0123456789abcdef";
        let (a, b) = (csrf_masque(jeton), csrf_masque(jeton));
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 * jeton.len());
        assert!(!a.contains(jeton));
        assert_eq!(csrf_demasque(&a).as_deref(), Some(jeton));
        assert_eq!(csrf_demasque(&b).as_deref(), Some(jeton));
        // Not a masked token: nothing, or another string.
        assert_eq!(csrf_demasque(""), None);
        assert_eq!(csrf_demasque("zz"), None);
        assert_eq!(csrf_demasque("abc"), None);
        assert_ne!(csrf_demasque(jeton).as_deref(), Some(jeton));
    }
}
