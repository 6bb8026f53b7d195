//! The OpenID Connect protocol, as a relying party, through the `openidconnect` crate: the
//! provider's discovery document and keys (fetched when first needed, kept an hour, the keys
//! fetched again when a token names an unknown one), the authorization request (code flow,
//! PKCE S256, `state`, `nonce`), the code's exchange and the ID token's checks (signature
//! against the published keys with an allow-list of algorithms, issuer, audience, expiry,
//! nonce). What a verified identity leads to is `auth::oidc`'s.
//!
//! A sign-in under way (its `state`, `nonce`, PKCE verifier, purpose and next page) is kept by
//! the browser that started it, in a cookie sealed with a key of the installation
//! (XChaCha20-Poly1305): the server holds nothing per anonymous visitor, another browser
//! cannot finish it (login CSRF), and it lasts ten minutes. A `state` that came back is spent,
//! remembered ten minutes: a replayed return finds it spent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IdToken, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, SignatureVerificationError, reqwest,
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::oidc::{But, Fournisseur, Identite};

/// How long a sign-in may stay at the provider.
const DUREE_ATTENTE: Duration = Duration::from_secs(600);
/// At most this many `state`s remembered as spent (and code steps under way at once).
const ATTENTES_MAX: usize = 100_000;
/// How long a discovery document and its keys are kept.
const DUREE_DECOUVERTE: Duration = Duration::from_secs(3600);
/// The keys are fetched again for an unknown key id at most this often.
const INTERVALLE_CLES: Duration = Duration::from_secs(30);

/// The ID token's signature algorithms accepted (never `none`, never a shared-secret HMAC).
const ALGORITHMES: [CoreJwsSigningAlgorithm; 7] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Every claim besides the standard ones (read for the installation's claim mapping only).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Autres {
    #[serde(flatten)]
    autres: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for Autres {}

type Jeton = IdToken<Autres, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// Why a sign-in through a provider failed: what the person is told (the cause is logged,
/// without any personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refus {
    /// No such provider.
    Inconnu,
    /// The sign-in is unknown, spent, too old, or from another browser.
    Expire,
    /// The person or the provider stopped it.
    Interrompu,
    /// The provider cannot be reached or answered nonsense.
    Injoignable,
    /// The ID token failed a check.
    Jeton,
    /// The installation is not set up for it (no public address, unreadable secret).
    Reglage,
    /// Too many sign-ins under way at once.
    Sature,
}

impl Refus {
    /// The French message.
    pub fn message(self) -> &'static str {
        match self {
            Refus::Inconnu => "ce service d'identité n'est pas proposé ici",
            Refus::Expire => {
                "cette demande de connexion a expiré, a déjà servi ou vient d'un autre navigateur : recommencez depuis la page de connexion"
            }
            Refus::Interrompu => "la connexion a été interrompue ou refusée par le service d'identité : recommencez",
            Refus::Injoignable => {
                "le service d'identité ne répond pas : réessayez dans quelques minutes ; si vous avez un mot de passe, vous pouvez vous connecter avec lui"
            }
            Refus::Jeton => {
                "la réponse du service d'identité n'a pas pu être vérifiée : la connexion est refusée ; recommencez, et prévenez l'assistance si cela se reproduit"
            }
            Refus::Sature => "trop de connexions sont en cours en ce moment : réessayez dans quelques minutes",
            Refus::Reglage => {
                "ce service d'identité est mal réglé sur ce serveur : prévenez l'assistance (le journal du serveur en dit la cause)"
            }
        }
    }
}

/// A sign-in under way, as its sealed cookie carries it.
#[derive(Serialize, Deserialize)]
struct Attente {
    etat: String,
    fournisseur: String,
    nonce: String,
    verificateur: String,
    but: ButScelle,
    suite: String,
    /// The digest of the session the browser held when it started (ended when the new one
    /// opens).
    ancienne: Option<String>,
    /// Unix seconds.
    depuis: i64,
}

#[derive(Serialize, Deserialize)]
enum ButScelle {
    Connexion,
    Activation(String),
    Liaison(String),
}

/// The key sealing the cookies of sign-ins under way, derived from the installation's.
fn cle_scellement(cles: &crate::config::Cles) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&cles.jetons).unwrap_or_else(|_| unreachable!("32-byte key"));
    m.update(b"oidc\x1eattente");
    m.finalize().into_bytes().into()
}

fn sceller(cles: &crate::config::Cles, a: &Attente) -> String {
    let clair = serde_json::to_vec(a).unwrap_or_default();
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let scelle = XChaCha20Poly1305::new(&cle_scellement(cles).into())
        .encrypt(&XNonce::from(nonce), Payload { msg: &clair, aad: b"oidc" })
        .unwrap_or_default();
    crate::config::hex(&[nonce.as_slice(), &scelle].concat())
}

fn desceller(cles: &crate::config::Cles, cookie: &str) -> Option<Attente> {
    let octets = crate::config::unhex(cookie)?;
    if octets.len() < 24 {
        return None;
    }
    let (nonce, scelle) = octets.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    let clair = XChaCha20Poly1305::new(&cle_scellement(cles).into())
        .decrypt(&XNonce::from(nonce), Payload { msg: scelle, aad: b"oidc" })
        .ok()?;
    serde_json::from_slice(&clair).ok()
}

fn maintenant_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The second step of a sign-in whose provider asserted no second factor, for an account
/// with a TOTP: the account and the provider, bound to the browser, for ten minutes.
struct AttenteCode {
    fournisseur: String,
    compte: crate::domain::CompteId,
    suite: String,
    depuis: Instant,
    /// Wrong codes given so far.
    essais: u32,
}

/// Codes a step accepts before it ends (the person starts again at the provider).
const ESSAIS_CODE: u32 = 5;

struct Decouverte {
    meta: ProviderMetadataWithLogout,
    emetteur: String,
    depuis: Instant,
    /// When the keys were last fetched again for an unknown key id (none yet: at once).
    cles_relues: Option<Instant>,
}

/// The relying party: its HTTP client, the providers' documents, the `state`s spent, the
/// code steps under way.
pub struct Oidc {
    http: reqwest::Client,
    decouvertes: Mutex<HashMap<String, Decouverte>>,
    depenses: Mutex<HashMap<String, Instant>>,
    codes: Mutex<HashMap<String, AttenteCode>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Oidc")
    }
}

impl Default for Oidc {
    fn default() -> Self {
        Self::new()
    }
}

/// What a provider's return proves.
#[derive(Debug)]
pub struct Retour {
    /// The provider.
    pub fournisseur: Fournisseur,
    /// The identity, verified.
    pub identite: Identite,
    /// Why it was started.
    pub but: But,
    /// Where to go after.
    pub suite: String,
    /// The digest of the session the browser held when it started.
    pub ancienne: Option<String>,
}

fn verrou<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Oidc {
    /// A relying party with an HTTP client that follows no redirect and waits 10 s at most.
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self {
            http,
            decouvertes: Mutex::new(HashMap::new()),
            depenses: Mutex::new(HashMap::new()),
            codes: Mutex::new(HashMap::new()),
        }
    }

    /// The provider's discovery document with its keys: kept an hour; `cles` asks for the keys
    /// again (a token named an unknown key): at once the first time, then at most every 30 s.
    async fn decouverte(&self, f: &Fournisseur, cles: bool) -> Result<ProviderMetadataWithLogout, Refus> {
        // No lock is held across a request to a provider: a slow one delays only its own
        // sign-ins (two first requests may both fetch the document; the last one is kept).
        let frais = verrou(&self.decouvertes)
            .get(&f.nom)
            .filter(|x| x.emetteur == f.emetteur && x.depuis.elapsed() < DUREE_DECOUVERTE)
            .map(|x| (x.meta.clone(), x.cles_relues.is_none_or(|t| t.elapsed() >= INTERVALLE_CLES)));
        match frais {
            Some((meta, _)) if !cles => return Ok(meta),
            Some((meta, true)) => {
                if let Some(x) = verrou(&self.decouvertes).get_mut(&f.nom) {
                    x.cles_relues = Some(Instant::now());
                }
                let jwks = CoreJsonWebKeySet::fetch_async(meta.jwks_uri(), &self.http).await.map_err(|e| {
                    tracing::warn!(fournisseur = %f.nom, "clés du service d'identité injoignables : {e}");
                    Refus::Injoignable
                })?;
                let meta = meta.set_jwks(jwks);
                if let Some(x) = verrou(&self.decouvertes).get_mut(&f.nom) {
                    x.meta = meta.clone();
                }
                return Ok(meta);
            }
            Some((meta, false)) => return Ok(meta),
            None => {}
        }
        let emetteur = IssuerUrl::new(f.emetteur.clone()).map_err(|_| Refus::Reglage)?;
        let meta = ProviderMetadataWithLogout::discover_async(emetteur, &self.http).await.map_err(|e| {
            tracing::warn!(fournisseur = %f.nom, "découverte du service d'identité impossible : {e}");
            Refus::Injoignable
        })?;
        let x =
            Decouverte { meta: meta.clone(), emetteur: f.emetteur.clone(), depuis: Instant::now(), cles_relues: None };
        verrou(&self.decouvertes).insert(f.nom.clone(), x);
        Ok(meta)
    }

    fn client(
        f: &Fournisseur,
        meta: ProviderMetadataWithLogout,
        retour: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Refus,
    > {
        let secret = f.secret().map_err(|e| {
            tracing::warn!(fournisseur = %f.nom, "secret du service d'identité illisible : {e}");
            Refus::Reglage
        })?;
        let retour = RedirectUrl::new(retour.to_string()).map_err(|_| Refus::Reglage)?;
        Ok(CoreClient::from_provider_metadata(
            meta,
            ClientId::new(f.client_id.clone()),
            Some(ClientSecret::new(secret)),
        )
        .set_redirect_uri(retour))
    }

    /// Starts a sign-in at `f`: the address to send the browser to, and the sealed cookie
    /// that carries the sign-in. `ancienne` is the browser's current session, if any.
    pub async fn demarrer(
        &self,
        cles: &crate::config::Cles,
        f: &Fournisseur,
        retour: &str,
        but: But,
        suite: String,
        ancienne: Option<String>,
    ) -> Result<(String, String), Refus> {
        let meta = self.decouverte(f, false).await?;
        let client = Self::client(f, meta, retour)?;
        let (defi, verificateur) = PkceCodeChallenge::new_random_sha256();
        let mut requete = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(defi);
        for p in &f.portees {
            requete = requete.add_scope(Scope::new(p.clone()));
        }
        // The level the installation requires of staff is asked for.
        if f.public == crate::auth::oidc::Public::Personnels {
            for a in &f.acr_requis {
                requete = requete.add_auth_context_value(AuthenticationContextClass::new(a.clone()));
            }
        }
        // A tie is made once for good: the provider asks who is there, whatever session it
        // holds (a colleague's, left open on a shared computer).
        if !matches!(but, But::Connexion) {
            requete = requete.add_prompt(CoreAuthPrompt::Login);
        }
        let (url, etat, nonce) = requete.url();
        let attente = Attente {
            etat: etat.secret().clone(),
            fournisseur: f.nom.clone(),
            nonce: nonce.secret().clone(),
            verificateur: verificateur.secret().clone(),
            but: match but {
                But::Connexion => ButScelle::Connexion,
                But::Activation(j) => ButScelle::Activation(j),
                But::Liaison(c) => ButScelle::Liaison(c.to_string()),
            },
            suite: if suite.len() <= 300 { suite } else { "/".into() },
            ancienne,
            depuis: maintenant_unix(),
        };
        Ok((url.to_string(), sceller(cles, &attente)))
    }

    /// The provider's return: the sealed cookie must carry this `state`, from less than ten
    /// minutes ago, not yet spent; then the code is exchanged and the ID token checked, and
    /// the `state` is spent. `lire` finds a provider's current settings by name.
    pub async fn terminer(
        &self,
        cles: &crate::config::Cles,
        etat: &str,
        code: Option<&str>,
        cookie: Option<&str>,
        retour: &str,
        lire: impl FnOnce(&str) -> Option<Fournisseur>,
    ) -> Result<Retour, Refus> {
        let attente = cookie.and_then(|c| desceller(cles, c)).ok_or(Refus::Expire)?;
        let age = maintenant_unix() - attente.depuis;
        let meme = Sha256::digest(attente.etat.as_bytes()) == Sha256::digest(etat.as_bytes());
        if !meme || !(-60..DUREE_ATTENTE.as_secs() as i64).contains(&age) {
            return Err(Refus::Expire);
        }
        // A `state` is marked spent once its ID token is verified (only a real sign-in at the
        // provider fills the list); the provider's single-use code covers two returns at once.
        if verrou(&self.depenses).contains_key(&attente.etat) {
            return Err(Refus::Expire);
        }
        let but = match attente.but {
            ButScelle::Connexion => But::Connexion,
            ButScelle::Activation(j) => But::Activation(j),
            ButScelle::Liaison(c) => But::Liaison(crate::domain::CompteId::parse(&c).map_err(|_| Refus::Expire)?),
        };
        let code = code.filter(|c| !c.is_empty() && c.len() <= 2048).ok_or(Refus::Interrompu)?;
        let f = lire(&attente.fournisseur).ok_or(Refus::Inconnu)?;
        let meta = self.decouverte(&f, false).await?;
        let client = Self::client(&f, meta.clone(), retour)?;
        let reponse = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| Refus::Reglage)?
            .set_pkce_verifier(PkceCodeVerifier::new(attente.verificateur))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::warn!(fournisseur = %f.nom, "échange du code refusé : {e}");
                match e {
                    openidconnect::RequestTokenError::ServerResponse(_) => Refus::Interrompu,
                    openidconnect::RequestTokenError::Parse(..) => Refus::Jeton,
                    _ => Refus::Injoignable,
                }
            })?;
        let brut = reponse.extra_fields().id_token().ok_or(Refus::Jeton)?.to_string();
        let jeton: Jeton = brut.parse().map_err(|e| {
            tracing::warn!(fournisseur = %f.nom, "jeton d'identité illisible : {e}");
            Refus::Jeton
        })?;
        let verifier = |meta: &ProviderMetadataWithLogout| {
            let v = CoreIdTokenVerifier::new_public_client(
                ClientId::new(f.client_id.clone()),
                meta.issuer().clone(),
                meta.jwks().clone(),
            )
            .set_allowed_algs(ALGORITHMES);
            jeton.claims(&v, &Nonce::new(attente.nonce.clone())).cloned()
        };
        let claims = match verifier(&meta) {
            // A key the document does not hold: the provider may have rotated its keys.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                verifier(&self.decouverte(&f, true).await?)
            }
            autre => autre,
        }
        .map_err(|e| {
            tracing::warn!(fournisseur = %f.nom, "jeton d'identité refusé : {e}");
            Refus::Jeton
        })?;
        {
            let mut d = verrou(&self.depenses);
            if d.len() >= ATTENTES_MAX {
                d.retain(|_, t| t.elapsed() < DUREE_ATTENTE);
            }
            if d.len() >= ATTENTES_MAX {
                tracing::warn!("trop de connexions par les services d'identité en dix minutes");
                return Err(Refus::Sature);
            }
            if d.insert(attente.etat.clone(), Instant::now()).is_some() {
                return Err(Refus::Expire);
            }
        }
        let identite = Identite {
            emetteur: claims.issuer().to_string(),
            sujet: claims.subject().to_string(),
            amr: claims.auth_method_refs().map(|v| v.iter().map(|a| a.to_string()).collect()).unwrap_or_default(),
            acr: claims.auth_context_ref().map(|a| a.to_string()),
            revendications: claims.additional_claims().autres.clone(),
        };
        Ok(Retour { fournisseur: f, identite, but, suite: attente.suite, ancienne: attente.ancienne })
    }

    /// Keeps the second step of a sign-in (the account's code); returns the browser's cookie.
    pub fn attendre_code(&self, fournisseur: &str, compte: crate::domain::CompteId, suite: String) -> String {
        let navigateur = crate::auth::aleatoire();
        let mut c = verrou(&self.codes);
        c.retain(|_, x| x.depuis.elapsed() < DUREE_ATTENTE);
        if c.len() < ATTENTES_MAX {
            c.insert(
                crate::auth::empreinte(&navigateur),
                AttenteCode { fournisseur: fournisseur.to_string(), compte, suite, depuis: Instant::now(), essais: 0 },
            );
        }
        navigateur
    }

    /// The second step the browser's cookie names, if under way: (provider, account, next).
    pub fn code_en_attente(&self, navigateur: &str) -> Option<(String, crate::domain::CompteId, String)> {
        let c = verrou(&self.codes);
        c.get(&crate::auth::empreinte(navigateur))
            .filter(|x| x.depuis.elapsed() < DUREE_ATTENTE)
            .map(|x| (x.fournisseur.clone(), x.compte.clone(), x.suite.clone()))
    }

    /// Ends the second step (signed in).
    pub fn oublier_code(&self, navigateur: &str) {
        verrou(&self.codes).remove(&crate::auth::empreinte(navigateur));
    }

    /// Counts a wrong code; the fifth ends the step.
    pub fn code_refuse(&self, navigateur: &str) {
        let mut c = verrou(&self.codes);
        let cle = crate::auth::empreinte(navigateur);
        if let Some(x) = c.get_mut(&cle) {
            x.essais += 1;
            if x.essais >= ESSAIS_CODE {
                c.remove(&cle);
            }
        }
    }

    /// Where to send the browser to end its session at the provider too (RP-initiated
    /// logout), coming back to `apres`; none when the provider does not offer it.
    pub async fn fin_de_session(&self, f: &Fournisseur, apres: &str) -> Option<String> {
        let meta = self.decouverte(f, false).await.ok()?;
        let fin = meta.additional_metadata().end_session_endpoint.clone()?;
        let mut r = LogoutRequest::from(fin).set_client_id(ClientId::new(f.client_id.clone()));
        if let Ok(u) = PostLogoutRedirectUrl::new(apres.to_string()) {
            r = r.set_post_logout_redirect_uri(u);
        }
        Some(r.http_get_url().to_string())
    }
}
