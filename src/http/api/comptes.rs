//! The account API: login, logout, one's own account (password, second factor), activation
//! and reset links, and the accounts an IA-DASEN or a directeur manages.

use crate::http::corps::{Corps, CorpsRefuse};
use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::{self};
use crate::domain::CompteId;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::session::{self, Connecte};
use crate::http::{Error, Result, api, blocking};
use crate::policy::{Action, Ressource, Role};

/// The département's settings: each département of an installation has its own.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Parametres {
    /// The mairies see, beyond the état civil, the responsables, contacts, schooling and
    /// périscolaire of the arrêté (never the INE, the autorisations or the insurance).
    pub mairie_etendue: bool,
    /// Staff sign in through the académie's identity service only: their local passwords are
    /// refused (the IA-DASEN's own account keeps its password). Needs a staff identity
    /// service set on the installation.
    /// Absent from a change: unchanged.
    #[serde(default)]
    pub mots_de_passe_interdits: Option<bool>,
}

/// The département's settings (IA-DASEN).
#[utoipa::path(get, path = "/parametres", tag = "comptes", responses((status = 200, body = Parametres), (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_parametres(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Parametres>> {
    departement_de(&a)?;
    let (mairie_etendue, mots_de_passe_interdits) = crate::http::service(&state, a, |c| c.parametres()).await?;
    Ok(Json(Parametres { mairie_etendue, mots_de_passe_interdits: Some(mots_de_passe_interdits) }))
}

/// Changes the département's settings (IA-DASEN); journaled.
#[utoipa::path(put, path = "/parametres", tag = "comptes", request_body = Parametres,
    responses((status = 200, body = Parametres), (status = 403, body = crate::http::error::Probleme),
        (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn modifier_parametres(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<Parametres>, CorpsRefuse>,
) -> Result<Json<Parametres>> {
    let p = api::json(body)?;
    let (mairie_etendue, mots_de_passe_interdits) = (p.mairie_etendue, p.mots_de_passe_interdits);
    let mots_de_passe_interdits =
        crate::http::service(&state, a, move |c| c.modifier_parametres(mairie_etendue, mots_de_passe_interdits))
            .await?;
    Ok(Json(Parametres { mairie_etendue, mots_de_passe_interdits: Some(mots_de_passe_interdits) }))
}

/// The département whose settings the actor governs (an IA-DASEN's own).
fn departement_de(a: &auth::Acteur) -> Result<crate::domain::DepartementId> {
    match &a.perimetre {
        crate::domain::Perimetre::Departement(d) => Ok(d.clone()),
        _ => Err(auth::Interdit::Role.into()),
    }
}

/// Credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Identifiants {
    /// Login.
    pub login: String,
    /// Password.
    pub mot_de_passe: String,
    /// TOTP code (6 digits) or a recovery code; required once the second factor is active.
    #[serde(default)]
    pub code: Option<String>,
}

/// One's account, as shown to its holder.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Moi {
    /// Account id.
    pub id: String,
    /// Login.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Role and territory.
    pub fonction: String,
    /// Whether this session has the second factor (staff read no pupil without it).
    pub second_facteur: bool,
    /// The CSRF token to send as `X-CSRF-Token` with every change.
    pub csrf: String,
}

/// Opens a session: sets the `__Host-sid` cookie.
#[utoipa::path(post, path = "/login", tag = "comptes", request_body = Identifiants,
    responses((status = 200, body = Moi), (status = 401, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: std::result::Result<Corps<Identifiants>, CorpsRefuse>,
) -> Result<Response> {
    let i = api::json(body)?;
    let le = state.clock.now();
    let ancienne = session::session_de(&headers);
    let (c, fonction) = blocking(&state, move |s| {
        let (login, mdp, code) = (&i.login, &i.mot_de_passe, i.code.as_deref());
        Ok(crate::service::comptes::connexion(&s.store, &s.cles, le, ancienne.as_deref(), login, mdp, code)?)
    })
    .await?;
    let moi = Moi {
        id: c.compte.id.to_string(),
        login: c.compte.login.clone(),
        role: c.compte.role,
        fonction,
        second_facteur: c.second_facteur,
        csrf: c.csrf.clone(),
    };
    Ok(([(SET_COOKIE, session::cookie(&c.session))], Json(moi)).into_response())
}

/// Ends the session.
#[utoipa::path(post, path = "/logout", tag = "comptes", responses((status = 204)))]
pub(in crate::http) async fn logout(State(state): State<AppState>, Connecte(a): Connecte) -> Result<Response> {
    blocking(&state, move |s| Ok(crate::http::contexte(s, &a).deconnecter()?)).await?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, session::cookie_efface())]).into_response())
}

/// One's account.
#[utoipa::path(get, path = "/moi", tag = "comptes", responses((status = 200, body = Moi), (status = 401, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn moi(
    State(state): State<AppState>,
    headers: HeaderMap,
    Connecte(a): Connecte,
) -> Result<Json<Moi>> {
    let sid = session::session_de(&headers).unwrap_or_default();
    Ok(Json(Moi {
        id: a.compte.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        login: a.login.clone().unwrap_or_default(),
        role: a.role,
        fonction: a.auteur.fonction.clone(),
        second_facteur: a.second_facteur,
        csrf: auth::csrf(&state.cles, &sid),
    }))
}

/// A change of password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangementMotDePasse {
    /// The current password.
    pub actuel: String,
    /// The new one.
    pub nouveau: String,
}

/// Changes one's password; other sessions end.
#[utoipa::path(post, path = "/moi/mot-de-passe", tag = "comptes", request_body = ChangementMotDePasse,
    responses((status = 204), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn changer_mot_de_passe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<ChangementMotDePasse>, CorpsRefuse>,
) -> Result<StatusCode> {
    let b = api::json(body)?;
    blocking(&state, move |s| Ok(crate::http::contexte(s, &a).changer_mot_de_passe(&b.actuel, &b.nouveau)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A TOTP secret to enrol.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolement {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The same URI as a QR code (SVG).
    pub qr_svg: String,
}

/// The QR code of a URI, as SVG.
pub fn qr_svg(uri: &str) -> String {
    crate::render::qr::svg(uri).unwrap_or_default()
}

/// Starts enrolling a second factor: a new secret (stored encrypted, not yet active).
#[utoipa::path(post, path = "/moi/second-facteur", tag = "comptes", responses((status = 200, body = Enrolement)))]
pub(in crate::http) async fn commencer_second_facteur(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Enrolement>> {
    let login = a.login.clone().unwrap_or_default();
    let secret = blocking(&state, move |s| Ok(crate::http::contexte(s, &a).commencer_totp()?)).await?;
    let uri = auth::totp::uri(&secret, &login);
    Ok(Json(Enrolement { secret: auth::totp::base32(&secret), qr_svg: qr_svg(&uri), uri }))
}

/// A code from the app.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    /// The 6 digits shown by the app.
    #[schema(pattern = "^[0-9]{6}$")]
    pub code: String,
}

/// The recovery codes, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodesSecours {
    /// Ten single-use codes, to keep on paper.
    pub codes_secours: Vec<String>,
}

/// Confirms the second factor with a code; returns the recovery codes, shown once.
#[utoipa::path(post, path = "/moi/second-facteur/confirmation", tag = "comptes", request_body = Code,
    responses((status = 200, body = CodesSecours), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn confirmer_second_facteur(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<Code>, CorpsRefuse>,
) -> Result<Json<CodesSecours>> {
    let b = api::json(body)?;
    let codes = blocking(&state, move |s| Ok(crate::http::contexte(s, &a).confirmer_totp(&b.code)?)).await?;
    Ok(Json(CodesSecours { codes_secours: codes }))
}

/// A single-use link's token and the chosen password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JetonMotDePasse {
    /// The token of the link.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub jeton: String,
    /// The chosen password.
    pub mot_de_passe: String,
}

impl JetonMotDePasse {
    /// The token as a link carries it (64 hexadecimal digits), else a refusal naming it:
    /// a token cut or altered in the copy is told apart from one expired (410).
    fn jeton(&self) -> Result<&str> {
        let ok = self.jeton.len() == 64 && self.jeton.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(&self.jeton)
        } else {
            Err(Error::invalide("jeton", "lien incomplet ou altéré : copiez l'adresse entière du courrier reçu"))
        }
    }
}

/// The activated account.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Active {
    /// Its login.
    pub login: String,
    /// Whether a second factor must be enrolled at first login.
    pub second_facteur_requis: bool,
}

/// Activates an account from its link; the user chooses the password.
#[utoipa::path(post, path = "/activation", tag = "comptes", request_body = JetonMotDePasse,
    responses((status = 200, body = Active), (status = 410, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn activation(
    State(state): State<AppState>,
    body: std::result::Result<Corps<JetonMotDePasse>, CorpsRefuse>,
) -> Result<Json<Active>> {
    let b = api::json(body)?;
    b.jeton()?;
    let le = state.clock.now();
    let k = blocking(&state, move |s| {
        Ok(crate::service::comptes::activer(&s.store, &s.cles, le, &b.jeton, &b.mot_de_passe)?)
    })
    .await?;
    Ok(Json(Active { login: k.login, second_facteur_requis: k.role.exige_second_facteur() }))
}

/// Sets a new password from a reset link (unlocks the account).
#[utoipa::path(post, path = "/reinitialisation", tag = "comptes", request_body = JetonMotDePasse,
    responses((status = 204), (status = 410, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn reinitialisation(
    State(state): State<AppState>,
    body: std::result::Result<Corps<JetonMotDePasse>, CorpsRefuse>,
) -> Result<StatusCode> {
    let b = api::json(body)?;
    b.jeton()?;
    let le = state.clock.now();
    blocking(&state, move |s| {
        Ok(crate::service::comptes::reinitialiser(&s.store, &s.cles, le, &b.jeton, &b.mot_de_passe)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub use crate::service::comptes::CompteVu;

/// The accounts the actor manages.
#[utoipa::path(get, path = "/comptes", tag = "comptes", responses((status = 200, body = [CompteVu]), (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lister_comptes(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Vec<CompteVu>>> {
    crate::http::service(&state, a, |c| c.comptes()).await.map(Json)
}

/// A new account.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeCompte {
    /// Login.
    #[schema(min_length = 1)]
    pub login: String,
    /// Role code (`directeur`, `agent_mairie`, `ien`, `principal_college`, `responsable`…).
    pub role: String,
    /// Kind of perimeter (`ecole`, `commune`, `circonscription`, `departement`, `academie`,
    /// `college`, `responsable`).
    pub perimetre: String,
    /// Its id (or UAI, INSEE code, département code).
    #[schema(min_length = 1)]
    pub territoire: String,
    /// Holder's name.
    #[serde(default)]
    pub nom: Option<String>,
}

/// The created account and its activation link, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompteCree {
    /// Id.
    pub id: String,
    /// The single-use activation link (valid 72 hours), to hand to the holder.
    pub lien_activation: String,
}

/// Creates a pending account and returns its activation link.
#[utoipa::path(post, path = "/comptes", tag = "comptes", request_body = DemandeCompte,
    responses((status = 201, body = CompteCree), (status = 403, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn creer_compte(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<DemandeCompte>, CorpsRefuse>,
) -> Result<(StatusCode, Json<CompteCree>)> {
    let le = state.clock.now();
    a.autoriser(Ressource::Compte, Action::Creer, le)?;
    let d = api::json(body)?;
    let role = Role::parse(&d.role)
        .filter(|r| *r != Role::Operateur)
        .ok_or_else(|| Error::invalide("role", "rôle inconnu"))?;
    let demande = crate::service::comptes::DemandeCompte {
        login: d.login,
        role,
        genres: vec![d.perimetre],
        territoire: d.territoire,
        nom: d.nom,
    };
    let (id, jeton) = crate::http::service(&state, a, move |c| c.creer_compte(&demande)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CompteCree { id: id.to_string(), lien_activation: format!("/activer?jeton={jeton}") }),
    ))
}

/// Disables an account the actor manages.
#[utoipa::path(post, path = "/comptes/{id}/desactivation", tag = "comptes",
    params(("id" = String, Path, description = "Identifiant du compte")), responses((status = 204), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn desactiver_compte(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<CompteId>,
) -> Result<StatusCode> {
    let le = state.clock.now();
    a.autoriser(Ressource::Compte, Action::Supprimer, le)?;
    blocking(&state, move |s| Ok(crate::http::contexte(s, &a).desactiver_compte(&id)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reset link.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = LienCompte)]
pub struct Lien {
    /// The single-use link (valid 24 hours).
    pub lien: String,
}

/// Issues a password-reset link for an account the actor manages.
#[utoipa::path(post, path = "/comptes/{id}/lien-reinitialisation", tag = "comptes",
    params(("id" = String, Path, description = "Identifiant du compte")), responses((status = 200, body = Lien), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lien_reinitialisation(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<CompteId>,
) -> Result<Json<Lien>> {
    let le = state.clock.now();
    a.autoriser(Ressource::Compte, Action::Modifier, le)?;
    let jeton = blocking(&state, move |s| Ok(crate::http::contexte(s, &a).lien_reinitialisation(&id)?)).await?;
    Ok(Json(Lien { lien: format!("/reinitialiser?jeton={jeton}") }))
}
