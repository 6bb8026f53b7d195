//! Sessions over HTTP: the `__Host-sid` cookie, the actor extractors, CSRF.
//!
//! The cookie is `__Host-sid=…; Path=/; Secure; HttpOnly; SameSite=Strict` (browsers accept
//! Secure cookies on localhost). State changes need the session's CSRF token, in the
//! `X-CSRF-Token` header (API) or the `csrf` form field (pages); cross-site writes are refused
//! outright by the router.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::Error;
use crate::auth::{self, Acteur};
use crate::http::etat::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "__Host-sid";

/// The `Set-Cookie` value opening a session.
pub fn cookie(session: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE}={session}; Path=/; Secure; HttpOnly; SameSite=Strict"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The `Set-Cookie` value closing it.
pub fn cookie_efface() -> HeaderValue {
    HeaderValue::from_static("__Host-sid=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The session id of the request's cookie.
pub fn session_de(headers: &HeaderMap) -> Option<String> {
    cookie_nomme(headers, COOKIE)
}

/// The value of the request's cookie `nom`.
pub fn cookie_nomme(headers: &HeaderMap, nom: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == nom)
        .map(|(_, v)| v.to_string())
}

fn est_sure(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn acteur_de(parts: &Parts, state: &AppState) -> Result<Option<(Acteur, String)>, Error> {
    let Some(id) = session_de(&parts.headers) else { return Ok(None) };
    let s = state.clone();
    let le = state.clock.now();
    let sid = id.clone();
    let a = tokio::task::spawn_blocking(move || crate::service::comptes::acteur(&s.store, le, &sid))
        .await?
        .map_err(Error::from)?;
    Ok(a.map(|a| (a, id)))
}

/// The authenticated actor of an API request; 401 otherwise. On state-changing methods, the
/// `X-CSRF-Token` header must match the session.
#[derive(Debug, Clone)]
pub struct Connecte(pub Acteur);

impl FromRequestParts<AppState> for Connecte {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some((acteur, id)) = acteur_de(parts, state).await? else {
            return Err(Error::non_authentifie());
        };
        if !est_sure(&parts.method) {
            let attendu = auth::csrf(&state.cles, &id);
            let donne = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
            if !egal_temps_constant(donne, &attendu) {
                return Err(Error::csrf());
            }
        }
        Ok(Connecte(acteur))
    }
}

/// The actor of a page request, with the session's CSRF token for its forms; visitors without
/// a session are sent to the login page.
#[derive(Debug, Clone)]
pub struct Visiteur {
    /// The actor.
    pub acteur: Acteur,
    /// The CSRF token to put in forms, masked afresh for each answer (`auth::csrf_masque`).
    pub csrf: String,
    /// The session's token, which a form's (unmasked) must equal.
    pub(super) attendu: String,
    /// The form refused, when the page is drawn again to show it.
    pub refuse: Option<std::sync::Arc<super::formulaires::Refuse>>,
}

/// Sends to the login page, coming back here afterwards.
#[derive(Debug)]
pub struct VersConnexion(String);

impl IntoResponse for VersConnexion {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/connexion?suite={}", encoder(&self.0))).into_response()
    }
}

/// Percent-encodes a path for a query parameter.
pub fn encoder(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where to go after login: only a local path (no open redirect). Visible ASCII only: a
/// browser drops a tab or a line break inside an address, so « /\t/ailleurs » would become
/// « //ailleurs », another site.
pub fn suite_sure(suite: Option<&str>) -> String {
    match suite {
        Some(s)
            if s.starts_with('/')
                && !s.starts_with("//")
                && !s.contains('\\')
                && s.len() < 500
                && s.bytes().all(|b| b.is_ascii_graphic())
                // Never the start of a sign-in, an activation or a tie: a link could otherwise
                // chain one after the visitor's own login, from this site.
                && !s.starts_with("/connexion/oidc/")
                && !s.starts_with("/compte/identite/") =>
        {
            s.to_string()
        }
        _ => "/".into(),
    }
}

impl FromRequestParts<AppState> for Visiteur {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match acteur_de(parts, state).await {
            Ok(Some((acteur, id))) => {
                let attendu = auth::csrf(&state.cles, &id);
                Ok(Visiteur { acteur, csrf: auth::csrf_masque(&attendu), attendu, refuse: None })
            }
            Ok(None) => {
                let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                Err(VersConnexion(path.to_string()).into_response())
            }
            Err(e) => Err(super::pages::PageError::from(e).into_response()),
        }
    }
}

impl Visiteur {
    /// Checks a form's CSRF field: a token masked by a page, or the session's own token (as
    /// the API gives it at login).
    pub fn verifier_csrf(&self, donne: &str) -> Result<(), Error> {
        let demasque = auth::csrf_demasque(donne).unwrap_or_default();
        if egal_temps_constant(&demasque, &self.attendu) || egal_temps_constant(donne, &self.attendu) {
            Ok(())
        } else {
            Err(Error::csrf())
        }
    }
}

/// Compares two strings without an early exit.
pub fn egal_temps_constant(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses state changes that come from another site, whatever the session (CSRF defence in
/// depth, beside the per-session token): `Sec-Fetch-Site` other than `same-origin` or `none`
/// (a user typing the address), or an `Origin` other than the server's own (`scheme://Host`).
/// Clients that send neither header (scripts using the API with their token) are not browsers
/// carrying someone else's cookie, and pass.
///
/// `Origin: null` is what a browser sends for a form posted from our own pages, since they are
/// served with `Referrer-Policy: no-referrer`: it passes only with `Sec-Fetch-Site:
/// same-origin` (every current browser sends it), never alone.
pub fn ecriture_intersite(method: &Method, headers: &HeaderMap, https: bool) -> Option<Error> {
    if est_sure(method) {
        return None;
    }
    let site = headers.get("sec-fetch-site").map(|v| v.to_str().unwrap_or(""));
    if let Some(site) = site
        && !matches!(site, "same-origin" | "none")
    {
        return Some(Error::intersite());
    }
    if let Some(origin) = headers.get(axum::http::header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("").trim_end_matches('/').to_ascii_lowercase();
        if origin == "null" {
            return (site != Some("same-origin")).then(Error::intersite);
        }
        let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok());
        let attendu = host.map(|h| format!("{}://{}", if https { "https" } else { "http" }, h.to_ascii_lowercase()));
        if attendu.as_deref() != Some(origin.as_str()) {
            return Some(Error::intersite());
        }
    }
    None
}

#[cfg(test)]
mod tests_suite {
    use super::suite_sure;

    #[test]
    fn only_a_local_path_of_visible_characters_is_kept() {
        assert_eq!(suite_sure(Some("/eleves?q=ma")), "/eleves?q=ma");
        for ailleurs in [
            "//ailleurs.test",
            "/\t/ailleurs.test",
            "/\n/ailleurs.test",
            "/ /ailleurs.test",
            "/\\ailleurs.test",
            "https://ailleurs.test",
            "/é",
            "/connexion/oidc/educonnect?jeton=00",
            "/compte/identite/academie",
            "",
        ] {
            assert_eq!(suite_sure(Some(ailleurs)), "/", "{ailleurs:?}");
        }
        assert_eq!(suite_sure(None), "/");
    }
}
