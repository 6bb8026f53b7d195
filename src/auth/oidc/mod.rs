//! Sign-in through an OpenID Connect provider: the providers' settings and their rules, and
//! the use cases that turn a *verified* identity into a session (README « Se connecter avec
//! l'académie ou EduConnect »). The protocol itself (discovery, PKCE, the ID token's checks)
//! is `http::oidc`'s, through the `openidconnect` crate; nothing here trusts anything the
//! provider did not sign.
//!
//! Rules kept here:
//! - an account is tied to one identity, its issuer and subject (`iss` + `sub`), never to an
//!   e-mail address; the tie is made once, by the holder of the account's activation link, or
//!   at first sign-in from the provider's signed claims when the installation says so;
//! - a provider serves the roles it is set for (staff or families, never both);
//! - when the provider asserts a second factor (`amr`, `acr`), no local code is asked;
//!   otherwise staff give their TOTP code as after a password; the installation may require an
//!   `acr` of staff;
//! - the IA-DASEN may forbid local passwords to the staff a provider serves (the IA-DASEN's
//!   own account keeps its password: the way back in when the provider fails).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::*;
use crate::store::identites;

/// Who a provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Public {
    /// Staff: the académie's identity service.
    Personnels,
    /// Families: EduConnect.
    Familles,
}

impl Public {
    /// Parses `personnels` or `familles`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "personnels" => Some(Public::Personnels),
            "familles" => Some(Public::Familles),
            _ => None,
        }
    }

    /// Whom to ask when an identity is tied to no account.
    pub fn recours(self) -> &'static str {
        match self {
            Public::Personnels => {
                "demandez à la direction académique (IA-DASEN) de créer votre compte, puis activez-le avec le lien reçu en choisissant ce service"
            }
            Public::Familles => {
                "activez d'abord votre compte avec le lien de la lettre remise par l'école, en choisissant ce service, ou demandez une lettre à la direction de l'école"
            }
        }
    }
}

/// One provider's settings (`registre admin oidc ajouter`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fournisseur {
    /// Short name, in addresses (`academie`, `educonnect`).
    #[serde(skip)]
    pub nom: String,
    /// What the login page shows (« Guichet agents de l'académie », « EduConnect »).
    pub libelle: String,
    /// Staff or families.
    pub public: Public,
    /// The issuer: its discovery document is `{emetteur}/.well-known/openid-configuration`.
    pub emetteur: String,
    /// This installation's client id at the provider.
    pub client_id: String,
    /// The file holding the client secret (read when needed; never stored in the database).
    pub secret_fichier: PathBuf,
    /// Scopes asked besides `openid`.
    pub portees: Vec<String>,
    /// The roles it may sign in.
    pub roles: Vec<Role>,
    /// `amr` values that prove a second factor.
    pub amr_forts: Vec<String>,
    /// `acr` values that prove a second factor.
    pub acr_forts: Vec<String>,
    /// `acr` values required of staff (none: no requirement).
    pub acr_requis: Vec<String>,
    /// Staff accounts created at first sign-in from signed claims (none: never).
    pub creation: Option<Correspondance>,
}

/// How signed claims name a staff member's function and territory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Correspondance {
    /// The claim holding the function (for instance the directory's `fonction`).
    pub revendication_fonction: String,
    /// Its values that create an account: value → role (`directeur` or `ien`).
    pub fonctions: BTreeMap<String, Role>,
    /// The claim holding the school's UAI (for a directeur).
    pub revendication_ecole: Option<String>,
    /// The claim holding the circonscription's id (for an IEN).
    pub revendication_circonscription: Option<String>,
}

/// The `amr` values counted as a second factor unless the installation says otherwise
/// (RFC 8176: multiple factors, one-time code, hardware key, smart card).
pub const AMR_FORTS: [&str; 4] = ["mfa", "otp", "hwk", "sc"];

fn invalide(champ: &'static str, message: impl Into<String>) -> Error {
    Error::Invalide { champ, message: message.into() }
}

impl Fournisseur {
    /// Reads a provider stored as JSON.
    pub fn lire(nom: &str, json: &str) -> Option<Self> {
        let mut f: Fournisseur = serde_json::from_str(json).ok()?;
        f.nom = nom.to_string();
        Some(f)
    }

    /// The settings' rules, every refusal at once: a short name, a libellé, an issuer over
    /// HTTPS (plain HTTP only on the machine itself), a client id, a secret file readable by
    /// this account only, the roles of its public, and a claim mapping for staff only.
    pub fn valider(&self) -> Result<()> {
        let mut refus = Vec::new();
        if self.nom.is_empty()
            || self.nom.len() > 30
            || !self.nom.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || ["retour", "code"].contains(&self.nom.as_str())
        {
            refus.push(invalide("nom", "1 à 30 caractères : lettres minuscules sans accent, chiffres, tiret"));
        }
        if self.libelle.trim().is_empty() || self.libelle.chars().count() > 80 {
            refus.push(invalide("libellé", "1 à 80 caractères"));
        }
        if let Err(m) = emetteur_valide(&self.emetteur) {
            refus.push(invalide("émetteur", m));
        }
        if self.client_id.trim().is_empty() || self.client_id.len() > 200 {
            refus.push(invalide("identifiant client", "1 à 200 caractères"));
        }
        if let Err(m) = lire_secret(&self.secret_fichier) {
            refus.push(invalide("fichier du secret", m));
        }
        let admis: &[Role] = match self.public {
            Public::Familles => &[Role::Responsable],
            Public::Personnels => &[
                Role::Directeur,
                Role::AgentMairie,
                Role::Ien,
                Role::IaDasen,
                Role::Statisticien,
                Role::PrincipalCollege,
                Role::AdminTechnique,
            ],
        };
        if self.roles.is_empty() || self.roles.iter().any(|r| !admis.contains(r)) {
            refus.push(invalide(
                "rôles",
                match self.public {
                    Public::Familles => "un service d'identité des familles ne sert que les comptes « responsable »",
                    Public::Personnels => {
                        "un service d'identité des personnels sert des rôles de personnels (pas « responsable »)"
                    }
                },
            ));
        }
        if let Some(c) = &self.creation {
            if self.public != Public::Personnels {
                refus.push(invalide(
                    "création",
                    "seuls des comptes de personnels peuvent être créés à la première connexion",
                ));
            } else if c.fonctions.is_empty()
                || c.fonctions.values().any(|r| !matches!(r, Role::Directeur | Role::Ien) || !self.roles.contains(r))
            {
                refus.push(invalide(
                    "création",
                    "chaque fonction crée un compte « directeur » ou « ien », parmi les rôles du service",
                ));
            } else if c.fonctions.values().any(|r| *r == Role::Directeur) && c.revendication_ecole.is_none()
                || c.fonctions.values().any(|r| *r == Role::Ien) && c.revendication_circonscription.is_none()
            {
                refus.push(invalide(
                    "création",
                    "nommez la revendication qui porte l'école (directeur) ou la circonscription (IEN)",
                ));
            }
        }
        match refus.len() {
            0 => Ok(()),
            1 => Err(refus.remove(0)),
            _ => Err(Error::Plusieurs(refus)),
        }
    }

    /// The client secret, read from its file.
    pub fn secret(&self) -> std::result::Result<String, String> {
        lire_secret(&self.secret_fichier)
    }

    /// Whether the provider asserted a second factor.
    pub fn second_facteur_affirme(&self, amr: &[String], acr: Option<&str>) -> bool {
        amr.iter().any(|a| self.amr_forts.contains(a)) || acr.is_some_and(|a| self.acr_forts.iter().any(|f| f == a))
    }

    /// Whether the authentication context is enough for this role.
    pub fn acr_suffisant(&self, role: Role, acr: Option<&str>) -> bool {
        self.acr_requis.is_empty()
            || !role.exige_second_facteur()
            || acr.is_some_and(|a| self.acr_requis.iter().any(|r| r == a))
    }

    /// The role and territory that signed claims name, by the installation's mapping: the
    /// role, the kind of perimeter (`ecole`, `circonscription`) and its value.
    pub fn correspondance(
        &self,
        revendications: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<(Role, &'static str, String)> {
        let c = self.creation.as_ref()?;
        let texte =
            |nom: &str| revendications.get(nom).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let role = *c.fonctions.get(texte(&c.revendication_fonction)?)?;
        let (genre, revendication) = match role {
            Role::Directeur => ("ecole", c.revendication_ecole.as_deref()?),
            Role::Ien => ("circonscription", c.revendication_circonscription.as_deref()?),
            _ => return None,
        };
        Some((role, genre, texte(revendication)?.chars().take(40).collect()))
    }
}

/// An issuer: an absolute HTTPS address without query or fragment; plain HTTP only for the
/// machine itself (tests, a provider beside the server).
pub fn emetteur_valide(e: &str) -> std::result::Result<(), String> {
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| e.strip_prefix(p).is_some_and(|r| r.is_empty() || r.starts_with([':', '/'])));
    if !(e.starts_with("https://") || local) {
        return Err("une adresse https:// (http:// seulement sur cette machine)".into());
    }
    if e.len() > 300 || e.contains(['?', '#', ' ']) || e.ends_with('/') {
        return Err("l'adresse de l'émetteur, sans « / » final, ni paramètres".into());
    }
    Ok(())
}

fn lire_secret(p: &std::path::Path) -> std::result::Result<String, String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("{} : {e}", p.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!("{} est lisible par d'autres comptes : chmod 600 {}", p.display(), p.display()));
        }
    }
    if meta.len() > 4096 {
        return Err(format!("{} : un secret tient en une ligne", p.display()));
    }
    let s = std::fs::read_to_string(p).map_err(|e| format!("{} : {e}", p.display()))?;
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("{} est vide", p.display()));
    }
    Ok(s.to_string())
}

/// The providers of the installation, by name.
pub fn fournisseurs(store: &Store) -> Result<Vec<Fournisseur>> {
    let lignes = store.read(identites::fournisseurs)?;
    Ok(lignes.iter().filter_map(|(nom, json)| Fournisseur::lire(nom, json)).collect())
}

/// One provider.
pub fn fournisseur(store: &Store, nom: &str) -> Result<Option<Fournisseur>> {
    let json = store.read(|c| identites::fournisseur(c, nom))?;
    Ok(json.and_then(|j| Fournisseur::lire(nom, &j)))
}

/// An identity, as a verified ID token proves it.
#[derive(Debug, Clone)]
pub struct Identite {
    /// `iss`.
    pub emetteur: String,
    /// `sub`.
    pub sujet: String,
    /// `amr`.
    pub amr: Vec<String>,
    /// `acr`.
    pub acr: Option<String>,
    /// Every other claim (read for the claim mapping only; never stored).
    pub revendications: serde_json::Map<String, serde_json::Value>,
}

/// Why a sign-in was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum But {
    /// Signing in.
    Connexion,
    /// Activating a pending account (its activation token): the identity is tied to it.
    Activation(String),
    /// Tying an active account, signed in here when the sign-in started, to the identity.
    Liaison(CompteId),
}

/// What a verified identity leads to.
#[derive(Debug)]
pub enum Issue {
    /// A session.
    Session(Box<Connexion>),
    /// A staff account with a TOTP, the provider asserting no second factor: its code is asked
    /// before any session ([`completer_par_code`]).
    Code(CompteId),
}

fn acr_insuffisant(f: &Fournisseur) -> Error {
    Error::Interdit(format!(
        "« {} » n'a pas confirmé le niveau d'authentification exigé des personnels (second facteur) : reconnectez-vous en le choisissant",
        f.libelle
    ))
}

/// The one answer to an identity tied to no usable account (the cause is journaled).
fn non_lie(f: &Fournisseur) -> Error {
    Error::Interdit(format!("aucun compte actif n'est lié à cette identité : {}", f.public.recours()))
}

/// A verified identity from provider `f`: ties it to the pending account of an activation
/// link, or finds the account it is tied to (or creates it from signed claims, when the
/// installation says so), then opens a session or asks for the account's code.
pub fn connecter_par_identite(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &Fournisseur,
    id: &Identite,
    but: &But,
) -> Result<Issue> {
    let lie = store.read(|c| identites::compte_de(c, &id.emetteur, &id.sujet))?;
    let k = match (but, lie) {
        (But::Activation(jeton), None) => activer_par_identite(store, cles, le, f, id, jeton)?,
        (But::Activation(_), Some(_)) => {
            return Err(Error::Interdit(
                "cette identité est déjà liée à un compte : connectez-vous avec elle, ou activez ce compte avec un mot de passe".into(),
            ));
        }
        (But::Connexion, Some(k)) => store.read(|c| comptes::par_id(c, &k))?,
        (But::Connexion, None) => match f.correspondance(&id.revendications) {
            // The level is checked before anything is created.
            Some(m) if !f.acr_suffisant(m.0, id.acr.as_deref()) => return Err(acr_insuffisant(f)),
            Some(m) => creer_par_identite(store, cles, le, f, id, m)?,
            None => return Err(non_lie(f)),
        },
        (But::Liaison(compte), None) => lier_compte_actif(store, cles, le, f, id, compte)?,
        (But::Liaison(_), Some(_)) => {
            return Err(Error::Interdit(
                "cette identité est déjà liée à un compte : elle n'en lie pas un second".into(),
            ));
        }
    };
    // The password lockout is not checked here: it guards passwords, and anyone who knows a
    // login could otherwise keep its holder out of the provider's sign-in too.
    if k.etat != Etat::Actif || !f.roles.contains(&k.role) {
        return Err(non_lie(f));
    }
    if !f.acr_suffisant(k.role, id.acr.as_deref()) {
        return Err(acr_insuffisant(f));
    }
    let affirme = f.second_facteur_affirme(&id.amr, id.acr.as_deref());
    let enrole = k.totp_confirme && k.totp_chiffre.is_some();
    if k.role.exige_second_facteur() && !affirme && enrole {
        return Ok(Issue::Code(k.id));
    }
    let second_facteur = affirme || enrole || !k.role.exige_second_facteur();
    Ok(Issue::Session(Box::new(ouvrir_session(store, cles, k, second_facteur, Some(&f.nom), le)?)))
}

/// The second step of a sign-in through `f` for an account with a TOTP: its code (or a
/// recovery code). A wrong code is journaled and counted, as at a password login.
pub fn completer_par_code(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &Fournisseur,
    compte: &CompteId,
    code: &str,
) -> Result<Connexion> {
    let k = store.read(|c| comptes::par_id(c, compte))?;
    let jour = store.read(|c| comptes::echecs_depuis(c, &k.id, le - Duration::hours(24)))?;
    // The password lockout is not checked: the provider proved who is there, and a step
    // allows five codes only (`http::oidc`); failures still count, as at a password login.
    if k.etat != Etat::Actif {
        return Err(Error::Connexion);
    }
    if !code_valide(store, cles, &k, Some(code), le)? {
        noter_echec(store, cles, &k, jour, le)?;
        return Err(Error::Connexion);
    }
    ouvrir_session(store, cles, k, true, Some(&f.nom), le)
}

/// Ties the identity to the pending account of an activation link, which becomes active
/// without a password; the link is spent. Journaled.
fn activer_par_identite(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &Fournisseur,
    id: &Identite,
    jeton: &str,
) -> Result<Compte> {
    let (e, k) = compte_du_lien_d_activation(store, jeton, le)?;
    if !f.roles.contains(&k.role) {
        return Err(Error::Interdit(format!(
            "« {} » ne sert pas les comptes « {} » : activez ce compte avec un mot de passe ou avec le service prévu",
            f.libelle,
            k.role.libelle()
        )));
    }
    if !f.acr_suffisant(k.role, id.acr.as_deref()) {
        return Err(acr_insuffisant(f));
    }
    store
        .ecrire(|tx| {
            if comptes::consommer_jeton(tx, &e, "activation", le)?.as_ref() != Some(&k.id) {
                return Err(store::Error::Conflit("lien".into()));
            }
            if identites::compte_de(tx, &id.emetteur, &id.sujet)?.is_some() {
                return Err(store::Error::Conflit("identité".into()));
            }
            comptes::activer_sans_mot_de_passe(tx, &k.id, le)?;
            identites::lier(tx, &id.emetteur, &id.sujet, &k.id, &f.nom, le)?;
            let detail = serde_json::json!({ "activation": true, "identite": f.nom });
            noter_du_compte(tx, cles, &k, le, Action::Modifier, "compte", detail)
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { Error::Lien } else { e.into() })?;
    Ok(store.read(|c| comptes::par_id(c, &k.id))?)
}

/// Ties an active account to the identity, once: its holder was signed in here (password and
/// second factor) when the sign-in started. Journaled.
fn lier_compte_actif(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &Fournisseur,
    id: &Identite,
    compte: &CompteId,
) -> Result<Compte> {
    let k = store.read(|c| comptes::par_id(c, compte))?;
    if k.etat != Etat::Actif || !f.roles.contains(&k.role) {
        return Err(Error::Interdit(format!("« {} » ne sert pas les comptes « {} »", f.libelle, k.role.libelle())));
    }
    if !f.acr_suffisant(k.role, id.acr.as_deref()) {
        return Err(acr_insuffisant(f));
    }
    store
        .ecrire(|tx| {
            if identites::identite_du_compte(tx, &k.id)?.is_some()
                || identites::compte_de(tx, &id.emetteur, &id.sujet)?.is_some()
            {
                return Err(store::Error::Conflit("identité".into()));
            }
            identites::lier(tx, &id.emetteur, &id.sujet, &k.id, &f.nom, le)?;
            let detail = serde_json::json!({ "identite": f.nom, "liaison": true });
            noter_du_compte(tx, cles, &k, le, Action::Modifier, "compte", detail)
        })
        .map_err(|e| match e {
            store::Error::Conflit(_) => {
                Error::Interdit("ce compte est déjà lié à une identité, ou cette identité à un autre compte".into())
            }
            e => e.into(),
        })?;
    Ok(store.read(|c| comptes::par_id(c, &k.id))?)
}

/// Creates a staff account at first sign-in from the provider's signed claims, tied to the
/// identity; journaled as such, naming the claims read (not their values).
fn creer_par_identite(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    f: &Fournisseur,
    id: &Identite,
    (role, genre, territoire): (Role, &'static str, String),
) -> Result<Compte> {
    let perimetre = store.read(|c| territoires::trouver_perimetre(c, genre, &territoire))?;
    let Some(perimetre) = perimetre.filter(|p| role.admet(p)) else {
        return Err(Error::Interdit(format!(
            "votre fiche d'annuaire nomme un territoire que ce registre ne tient pas : {}",
            f.public.recours()
        )));
    };
    let compte = CompteId::random(&mut rand::rng());
    // The login names the provider and a digest of the identity: nothing of the person.
    let login = format!("{}-{}", f.nom, &empreinte(&format!("{}\x1e{}", id.emetteur, id.sujet))[..12]);
    let c = f.creation.as_ref().map(|c| {
        [Some(c.revendication_fonction.clone()), c.revendication_ecole.clone(), c.revendication_circonscription.clone()]
    });
    store
        .ecrire(|tx| {
            if identites::compte_de(tx, &id.emetteur, &id.sujet)?.is_some() {
                return Err(store::Error::Conflit("identité".into()));
            }
            comptes::creer(tx, &compte, &login, role, &perimetre, None, "operateur", le)?;
            comptes::activer_sans_mot_de_passe(tx, &compte, le)?;
            identites::lier(tx, &id.emetteur, &id.sujet, &compte, &f.nom, le)?;
            let k = comptes::par_id(tx, &compte)?;
            let detail = serde_json::json!({
                "creation_premiere_connexion": true,
                "identite": f.nom,
                "role": role.code(),
                "perimetre": perimetre.genre(),
                "revendications": c.iter().flatten().flatten().collect::<Vec<_>>(),
            });
            noter_du_compte(tx, cles, &k, le, Action::Creer, "compte", detail)
        })
        .map_err(|e| if matches!(e, store::Error::Conflit(_)) { non_lie(f) } else { e.into() })?;
    Ok(store.read(|c| comptes::par_id(c, &compte))?)
}

/// The setting by which the IA-DASEN forbids local passwords to staff (per département).
pub const MOTS_DE_PASSE_INTERDITS: &str = "mots_de_passe_interdits";

/// When `k` may not sign in with a password: the libellé of the staff provider to use. The
/// IA-DASEN's own account keeps its password (the way back in when the provider fails).
pub(super) fn mot_de_passe_interdit(store: &Store, k: &Compte) -> Result<Option<String>> {
    if !k.role.exige_second_facteur() || k.role == Role::IaDasen {
        return Ok(None);
    }
    let interdit = store.read(|c| {
        Ok(match territoires::departement_du_perimetre(c, &k.perimetre)? {
            Some(d) => {
                comptes::parametre(c, &comptes::cle_departement(MOTS_DE_PASSE_INTERDITS, &d))?.as_deref() == Some("1")
            }
            None => false,
        })
    })?;
    // *(choice)* An account not yet tied keeps its password: it could not sign in otherwise.
    // Its « Mon compte » page offers the tie; once tied, the password is refused.
    if !interdit || store.read(|c| identites::identite_du_compte(c, &k.id))?.is_none() {
        return Ok(None);
    }
    Ok(fournisseurs(store)?
        .into_iter()
        .find(|f| f.public == Public::Personnels && f.roles.contains(&k.role))
        .map(|f| f.libelle))
}

#[cfg(test)]
mod tests;
