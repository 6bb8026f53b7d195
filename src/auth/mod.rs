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

pub mod mot_de_passe;
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
/// failure answers [`Error::Connexion`], after the same amount of hashing work.
pub fn connecter(
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
        match code.map(str::trim).filter(|c| !c.is_empty()) {
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
        }
    };
    if !(mdp_ok && facteur_ok) {
        let consecutifs = k.echecs + 1;
        let mut jour = jour;
        jour.push(le);
        let v = verrou::verrou_apres_echec(consecutifs, &jour, le);
        store.ecrire(|tx| {
            comptes::noter_echec(tx, &k.id, consecutifs, v, le)?;
            let auteur = auteur_de(tx, &k)?;
            let detail = serde_json::json!({ "reussie": false, "verrou": v.map(comptes::instant) });
            audit::ajouter(
                tx,
                cles,
                &auteur,
                le,
                &[Fait::new(Action::Lire, "connexion").cible(k.id.to_string()).detail(detail)],
            )
        })?;
        return Err(Error::Connexion);
    }
    let session = aleatoire();
    let second_facteur = enrole || !k.role.exige_second_facteur();
    store.ecrire(|tx| {
        comptes::noter_succes(tx, &k.id, le)?;
        comptes::creer_session(tx, &empreinte(&session), &k.id, second_facteur, le)?;
        let auteur = auteur_de(tx, &k)?;
        let detail = serde_json::json!({ "reussie": true, "second_facteur": second_facteur });
        audit::ajouter(
            tx,
            cles,
            &auteur,
            le,
            &[Fait::new(Action::Lire, "connexion").cible(k.id.to_string()).detail(detail)],
        )
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

/// Ends a session.
pub fn deconnecter(store: &Store, cles: &Cles, le: OffsetDateTime, acteur: &Acteur) -> Result<()> {
    if let Some(e) = &acteur.session {
        store.ecrire(|tx| {
            comptes::supprimer_session(tx, e)?;
            audit::ajouter(tx, cles, &acteur.auteur, le, &[Fait::new(Action::Supprimer, "session")])
        })?;
    }
    Ok(())
}

/// A new account, as asked.
#[derive(Debug, Clone)]
pub struct NouveauCompte {
    /// Login (letters, digits, `.`, `-`, `_`; 3 to 60).
    pub login: String,
    /// Role.
    pub role: Role,
    /// Perimeter.
    pub perimetre: Perimetre,
    /// Holder's name.
    pub nom: Option<String>,
}

/// Checks a login's shape.
pub fn valider_login(login: &str) -> Result<String> {
    let l = login.trim().to_lowercase();
    let ok = (3..=60).contains(&l.chars().count())
        && l.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if ok {
        Ok(l)
    } else {
        Err(Error::Invalide {
            champ: "identifiant",
            message: "3 à 60 caractères : lettres sans accent, chiffres, point, tiret, @".into(),
        })
    }
}

/// Creates a pending account and returns its activation token (to put in a link, shown once).
/// `createur` must be allowed to create that role in that perimeter.
pub fn creer_compte(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    createur: &Acteur,
    n: &NouveauCompte,
) -> Result<(CompteId, String)> {
    let login = valider_login(&n.login);
    let nom = match n.nom.as_deref() {
        Some(s) => crate::domain::identite::nettoyer("nom", s, 100)
            .map(Some)
            .map_err(|e| Error::Invalide { champ: "nom", message: e.probleme }),
        None => Ok(None),
    };
    // Both fields checked, both refusals reported.
    let (login, nom) = match (login, nom) {
        (Ok(l), Ok(n)) => (l, n),
        (Err(a), Err(b)) => return Err(Error::Plusieurs(vec![a, b])),
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if !policy::peut_creer(createur.role, n.role) {
        return Err(Error::Interdit(format!("votre rôle ne permet pas de créer un compte « {} »", n.role.libelle())));
    }
    if !n.role.admet(&n.perimetre) {
        return Err(Error::Invalide {
            champ: "périmètre",
            message: format!("un compte « {} » porte sur {}", n.role.libelle(), n.role.perimetre_attendu()),
        });
    }
    let jeton = aleatoire();
    let id = CompteId::random(&mut rand::rng());
    store.ecrire(|tx| {
        if territoires::nom_perimetre(tx, &n.perimetre)?.is_none()
            && !matches!(n.perimetre, Perimetre::Installation | Perimetre::Responsable(_))
        {
            return Err(store::Error::Introuvable("périmètre"));
        }
        if !territoires::perimetre_inclus(tx, &n.perimetre, &createur.perimetre)? {
            return Err(store::Error::Introuvable("périmètre"));
        }
        // One family account per responsable (checked here, in the transaction that creates it).
        if let Perimetre::Responsable(r) = &n.perimetre
            && let Some(login) = store::corrections::compte_du_responsable(tx, r)?
        {
            return Err(store::Error::Conflit(format!(
                "ce responsable a déjà un compte (identifiant « {login} ») : envoyez-lui plutôt un lien de réinitialisation depuis la page Comptes"
            )));
        }
        comptes::creer(tx, &id, &login, n.role, &n.perimetre, nom.as_deref(), &createur.auteur.id, le)?;
        comptes::creer_jeton(tx, &empreinte(&jeton), &id, "activation", le + VALIDITE_ACTIVATION)?;
        let detail = serde_json::json!({ "role": n.role.code(), "perimetre": n.perimetre.genre() });
        audit::ajouter(
            tx,
            cles,
            &createur.auteur,
            le,
            &[Fait::new(Action::Creer, "compte").cible(id.to_string()).detail(detail)],
        )
    })?;
    Ok((id, jeton))
}

fn contexte(k: &Compte) -> Vec<String> {
    let mut v = vec![k.login.clone()];
    v.extend(k.login.split(['.', '-', '_', '@']).map(str::to_string));
    if let Some(n) = &k.nom {
        v.push(n.clone());
    }
    v
}

/// Activates an account from its link: the user chooses the password.
pub fn activer(store: &Store, cles: &Cles, le: OffsetDateTime, jeton: &str, mdp: &str) -> Result<Compte> {
    if jeton.len() != 64 {
        return Err(Error::Lien);
    }
    // The rules are checked before the token is spent, so a refused password can be retried.
    let e = empreinte(jeton);
    let k = store.read(|c| {
        // A SQLite error stays an error: only an unknown or spent token is « lien invalide ».
        match comptes::compte_du_jeton(c, &e, "activation")? {
            Some(id) => Ok(Some(comptes::par_id(c, &id)?)),
            None => Ok(None),
        }
    })?;
    let Some(k) = k.filter(|k| k.etat == Etat::EnAttente && le - k.cree_le <= EXPIRATION_EN_ATTENTE) else {
        return Err(Error::Lien);
    };
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(mdp, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(mdp);
    store
        .ecrire(|tx| {
            if comptes::consommer_jeton(tx, &e, "activation", le)?.as_ref() != Some(&k.id) {
                return Err(store::Error::Conflit("lien".into()));
            }
            comptes::activer(tx, &k.id, &hash, le)?;
            let auteur = auteur_de(tx, &k)?;
            audit::ajouter(
                tx,
                cles,
                &auteur,
                le,
                &[Fait::new(Action::Modifier, "compte")
                    .cible(k.id.to_string())
                    .detail(serde_json::json!({"activation": true}))],
            )
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { Error::Lien } else { e.into() })?;
    Ok(store.read(|c| comptes::par_id(c, &k.id))?)
}

/// A password-reset link for an account the actor manages (the token, shown once).
pub fn lien_reinitialisation(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    id: &CompteId,
) -> Result<String> {
    let k = gere(store, acteur, id)?;
    if k.etat != Etat::Actif {
        return Err(Error::Interdit("seul un compte actif peut recevoir un lien de réinitialisation".into()));
    }
    let jeton = aleatoire();
    store.ecrire(|tx| {
        comptes::creer_jeton(tx, &empreinte(&jeton), &k.id, "reinitialisation", le + VALIDITE_REINITIALISATION)?;
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(k.id.to_string())
                .detail(serde_json::json!({"lien_reinitialisation": true}))],
        )
    })?;
    Ok(jeton)
}

/// « Mot de passe oublié » (no session): notes the request for the account's manager and, for
/// a family account whose responsable has an e-mail on file, issues a reset link to send there
/// (returns the address and the token). An unknown, pending or deactivated login, or a request
/// repeated within a quarter of an hour, does nothing: the caller answers the same in every
/// case, so the answer reveals no account.
pub fn mot_de_passe_oublie(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    login: &str,
    envoi_possible: bool,
) -> Result<Option<(String, String)>> {
    let Ok(login) = valider_login(login) else { return Ok(None) };
    let k = store.read(|c| comptes::par_login(c, &login))?;
    let Some(k) = k.filter(|k| k.etat == Etat::Actif) else { return Ok(None) };
    let jeton = aleatoire();
    Ok(store.ecrire(|tx| {
        if !store::corrections::noter_demande_reinitialisation(tx, &k.id, le)? {
            return Ok::<_, crate::store::Error>(None);
        }
        let courriel = match &k.perimetre {
            Perimetre::Responsable(r) if envoi_possible => store::corrections::courriel_responsable(tx, r)?,
            _ => None,
        };
        if courriel.is_some() {
            comptes::creer_jeton(tx, &empreinte(&jeton), &k.id, "reinitialisation", le + VALIDITE_REINITIALISATION)?;
        }
        let auteur = auteur_de(tx, &k)?;
        audit::ajouter(
            tx,
            cles,
            &auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(k.id.to_string())
                .detail(serde_json::json!({ "mot_de_passe_oublie": true, "courriel": courriel.is_some() }))],
        )?;
        Ok(courriel.map(|c| (c, jeton.clone())))
    })?)
}

/// Sets a new password from a reset link; unlocks the account and ends its sessions.
pub fn reinitialiser(store: &Store, cles: &Cles, le: OffsetDateTime, jeton: &str, mdp: &str) -> Result<()> {
    if jeton.len() != 64 {
        return Err(Error::Lien);
    }
    let e = empreinte(jeton);
    let k = store.read(|c| {
        // A SQLite error stays an error: only an unknown or spent token is « lien invalide ».
        match comptes::compte_du_jeton(c, &e, "reinitialisation")? {
            Some(id) => Ok(Some(comptes::par_id(c, &id)?)),
            None => Ok(None),
        }
    })?;
    let Some(k) = k.filter(|k| k.etat == Etat::Actif) else { return Err(Error::Lien) };
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(mdp, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(mdp);
    store
        .ecrire(|tx| {
            if comptes::consommer_jeton(tx, &e, "reinitialisation", le)?.as_ref() != Some(&k.id) {
                return Err(store::Error::Conflit("lien".into()));
            }
            comptes::changer_mot_de_passe(tx, &k.id, &hash)?;
            comptes::supprimer_sessions(tx, &k.id)?;
            store::corrections::effacer_demande_reinitialisation(tx, &k.id)?;
            let auteur = auteur_de(tx, &k)?;
            audit::ajouter(
                tx,
                cles,
                &auteur,
                le,
                &[Fait::new(Action::Modifier, "compte")
                    .cible(k.id.to_string())
                    .detail(serde_json::json!({"reinitialisation": true}))],
            )
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { Error::Lien } else { e.into() })
}

/// Changes one's own password (the current one is required); other sessions end.
pub fn changer_mot_de_passe(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    ancien: &str,
    nouveau: &str,
) -> Result<()> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if !mot_de_passe::verifier(ancien, k.mot_de_passe.as_deref().unwrap_or_default()) {
        return Err(Error::Verification("le mot de passe actuel est incorrect".into()));
    }
    let ctx = contexte(&k);
    let ctx: Vec<&str> = ctx.iter().map(String::as_str).collect();
    mot_de_passe::verifier_regles(nouveau, k.role.longueur_minimale(), &ctx)?;
    let hash = mot_de_passe::hacher(nouveau);
    store.ecrire(|tx| {
        comptes::changer_mot_de_passe(tx, &id, &hash)?;
        comptes::fermer_autres_sessions(tx, &id, acteur.session.as_deref().unwrap_or(""))?;
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(id.to_string())
                .detail(serde_json::json!({"mot_de_passe": true}))],
        )
    })?;
    Ok(())
}

/// The start of a TOTP enrolment: a new secret, stored encrypted and unconfirmed.
pub fn commencer_totp(store: &Store, cles: &Cles, acteur: &Acteur) -> Result<Vec<u8>> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if k.totp_confirme {
        return Err(Error::Interdit("le second facteur est déjà activé".into()));
    }
    let secret = totp::nouveau_secret();
    store.ecrire(|tx| comptes::poser_totp(tx, &id, &totp::chiffrer(cles, id.as_str(), &secret), false))?;
    Ok(secret)
}

/// Confirms a TOTP enrolment with a code; returns the recovery codes (shown once) and marks the
/// current session as having the second factor.
pub fn confirmer_totp(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    acteur: &Acteur,
    code: &str,
) -> Result<Vec<String>> {
    let id = acteur.compte.clone().ok_or_else(|| Error::Interdit("pas de compte".into()))?;
    let k = store.read(|c| comptes::par_id(c, &id))?;
    if k.totp_confirme {
        return Err(Error::Interdit("le second facteur est déjà activé".into()));
    }
    let secret = k
        .totp_chiffre
        .as_deref()
        .and_then(|s| totp::dechiffrer(cles, id.as_str(), s))
        .ok_or_else(|| Error::Verification("commencez par afficher le secret à enregistrer".into()))?;
    let etape =
        totp::etape_valide(&secret, code, u64::try_from(le.unix_timestamp()).unwrap_or(0)).ok_or_else(|| {
            Error::Verification("code incorrect : vérifiez l'heure de votre téléphone et réessayez".into())
        })?;
    let codes = totp::codes_secours();
    let empreintes: Vec<String> = codes.iter().map(|c| totp::empreinte_code(cles, id.as_str(), c)).collect();
    store.ecrire(|tx| {
        comptes::confirmer_totp(tx, &id, etape)?;
        comptes::poser_codes_secours(tx, &id, &empreintes)?;
        if let Some(s) = &acteur.session {
            comptes::reauthentifier_session(tx, s, true, le)?;
        }
        audit::ajouter(
            tx,
            cles,
            &acteur.auteur,
            le,
            &[Fait::new(Action::Modifier, "compte")
                .cible(id.to_string())
                .detail(serde_json::json!({"second_facteur": true}))],
        )
    })?;
    Ok(codes)
}

/// An account the actor manages (created in their perimeter, of a role they may create).
fn gere(store: &Store, acteur: &Acteur, id: &CompteId) -> Result<Compte> {
    let k = store.read(|c| comptes::par_id(c, id))?;
    let ok = policy::peut_creer(acteur.role, k.role)
        && store.read(|c| territoires::perimetre_inclus(c, &k.perimetre, &acteur.perimetre))?;
    if ok { Ok(k) } else { Err(Error::Store(store::Error::Introuvable("compte"))) }
}

/// Disables an account the actor manages; its sessions end at once.
pub fn desactiver(store: &Store, cles: &Cles, le: OffsetDateTime, acteur: &Acteur, id: &CompteId) -> Result<()> {
    let k = gere(store, acteur, id)?;
    store.ecrire(|tx| {
        comptes::changer_etat(tx, &k.id, Etat::Desactive)?;
        comptes::supprimer_sessions(tx, &k.id)?;
        audit::ajouter(tx, cles, &acteur.auteur, le, &[Fait::new(Action::Supprimer, "compte").cible(k.id.to_string())])
    })?;
    Ok(())
}

/// The accounts the actor manages.
pub fn comptes_geres(store: &Store, acteur: &Acteur) -> Result<Vec<Compte>> {
    let roles: Vec<Role> = Role::COMPTES.into_iter().filter(|r| policy::peut_creer(acteur.role, *r)).collect();
    let tous = store.read(|c| {
        let sql_all = comptes::lister(c, &all_perimeters(c)?, &roles)?;
        let mut out = Vec::new();
        for k in sql_all {
            if territoires::perimetre_inclus(c, &k.perimetre, &acteur.perimetre)? {
                out.push(k);
            }
        }
        Ok(out)
    })?;
    Ok(tous)
}

fn all_perimeters(c: &store::Lecture) -> store::Result<Vec<(String, Option<String>)>> {
    comptes::perimetres_des_comptes(c)
}

/// Removes expired sessions and never-activated accounts past 30 days.
pub fn nettoyer(store: &Store, le: OffsetDateTime) -> Result<(usize, usize)> {
    Ok(store.ecrire(|tx| comptes::nettoyer(tx, le - DUREE_MAX, le - EXPIRATION_EN_ATTENTE))?)
}
