//! The only place that imports axum: routes, extractors, errors, the web pages and the JSON API.
//!
//! Blocking work (SQLite, Typst) runs on the blocking pool, never on the async executor.

pub mod api;
pub mod comptes;
pub mod corrections;
pub mod echanges;
pub mod effectifs;
mod erreurs_saisie;
pub mod error;
pub mod impressions;
pub mod pages;
pub mod pages_comptes;
pub mod pages_corrections;
pub mod pages_parcours;
pub mod pages_scolarite;
pub mod parcours;
pub mod scolarite;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use crate::app::{AppState, Inner};
pub use error::{Error, Result};

/// What the fuzz target `corps_json` drives (`crate::fuzz`): `corps` read as the JSON body of
/// one of the API's writes, as its handler reads it (serde, as axum's `Json` does), then checked
/// as the handler checks it before the service runs. `quoi % 8` chooses the body: an inscription,
/// an admission, a school, a pupil's identity, a corrected responsable, the persons to contact,
/// the year's answers, a responsable added. True when the body is accepted.
pub fn essayer_corps(quoi: u8, corps: &[u8], today: time::Date) -> bool {
    use crate::domain::correction::{AnnuelSaisie, ResponsableCorrige};
    use crate::service::corrections::Ajout;
    use serde_json::from_slice as lire;
    match quoi % 8 {
        0 => lire::<parcours::DemandeInscription>(corps).is_ok_and(|d| d.valider(today).is_ok()),
        1 => lire::<parcours::DemandeAdmissionSaisie>(corps).is_ok_and(|d| d.valider(today).is_ok()),
        2 => lire::<crate::domain::EcoleSaisie>(corps).is_ok_and(|e| e.valider().is_ok()),
        3 => lire::<crate::domain::EleveSaisie>(corps).is_ok_and(|e| e.valider_lieu_a_completer(today).is_ok()),
        4 => lire::<ResponsableCorrige>(corps).is_ok_and(|r| r.responsable.valider().is_ok()),
        5 => lire::<Vec<corrections::ContactCorrige>>(corps)
            .ok()
            .and_then(|l| corrections::contacts(l).ok())
            .is_some_and(|l| l.iter().all(|(_, k)| k.valider().is_ok())),
        6 => lire::<AnnuelSaisie>(corps).is_ok_and(|a| a.valider().is_ok()),
        _ => lire::<corrections::NouveauResponsable>(corps).ok().and_then(|b| corrections::ajout(b).ok()).is_some_and(
            |a| match a {
                Ajout::Nouveau(r) => r.responsable.valider().is_ok(),
                Ajout::Existant { lien, .. } => crate::domain::Lien::parse(&lien).is_ok(),
            },
        ),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    avec_couches(routes(), state)
}

/// Every route: the health check, the API and the pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).nest("/api/v1", api::routes()).merge(pages::routes())
}

/// How long a request may take before it is answered 408 (a school's bulk print is well
/// under it; a stuck client or query is not kept forever).
const DELAI_REQUETE: std::time::Duration = std::time::Duration::from_secs(120);

/// The layers every answer goes through, innermost first: a panic becomes an opaque French
/// 500 (logged), a request past [`DELAI_REQUETE`] a 408, then the security headers and French
/// errors, and each request gets an id (`x-request-id`, echoed) carried by its tracing span.
pub fn avec_couches(routes: Router<AppState>, state: AppState) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let trace = tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &Request| {
        let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
        // The path only: a query may hold the words searched (a name).
        tracing::info_span!("requete", id, methode = %req.method(), chemin = %req.uri().path())
    });
    routes
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panique))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            DELAI_REQUETE,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// A panic in a handler: logged with its message, answered as any internal error.
fn panique(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    use axum::response::IntoResponse;
    let message = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    Error::interne(format!("panique : {message}")).into_response()
}

/// Runs blocking work (store, print engine) off the executor.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Inner) -> Result<T> + Send + 'static,
{
    let s = state.clone();
    tokio::task::spawn_blocking(move || f(&s)).await?
}

/// The use cases for `acteur`, now.
pub(crate) fn contexte<'a>(s: &'a Inner, acteur: &'a crate::auth::Acteur) -> crate::service::Service<'a> {
    crate::service::Service { store: &s.store, cles: &s.cles, acteur, le: s.clock.now() }
}

/// Runs a use case for `acteur` off the executor (the store blocks).
pub(crate) async fn service<T, F>(state: &AppState, acteur: crate::auth::Acteur, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> crate::service::Result<T> + Send + 'static,
{
    blocking(state, move |s| Ok(f(&contexte(s, &acteur))?)).await
}

/// Prints through the use case, off the executor (the print engine blocks).
pub(crate) async fn imprimer(
    state: &AppState,
    acteur: crate::auth::Acteur,
    doc: crate::domain::Document,
    cible: crate::service::documents::Cible,
    (format, colonnes): (crate::service::documents::Format, Vec<crate::domain::Colonne>),
) -> Result<Response> {
    use axum::response::IntoResponse;
    let f =
        blocking(state, move |s| Ok(contexte(s, &acteur).imprimer(&s.engine, doc, &cible, format, &colonnes)?)).await?;
    let disposition = format!("inline; filename=\"{}\"", f.nom);
    Ok(([(header::CONTENT_TYPE, f.mime().to_string()), (header::CONTENT_DISPOSITION, disposition)], f.octets)
        .into_response())
}

/// `GET /healthz`: the process answers and the database is readable.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<axum::Json<Sante>> {
    blocking(&state, |s| {
        crate::service::exploitation::sante(&s.store)?;
        Ok(axum::Json(Sante { status: "ok", version: env!("CARGO_PKG_VERSION") }))
    })
    .await
}

/// The answer of `/healthz`.
#[derive(Debug, serde::Serialize)]
struct Sante {
    status: &'static str,
    version: &'static str,
}

/// A path or query whose percent-decoded bytes are not UTF-8 is refused before routing: a
/// lenient reader would turn them into U+FFFD and, say, search for nothing at all.
fn adresse_illisible(uri: &axum::http::Uri) -> Option<Error> {
    let utf8 = |b: &[u8]| percent_encoding::percent_decode(b).decode_utf8().is_ok();
    if !utf8(uri.path().as_bytes()) {
        return Some(Error::requete("adresse illisible : elle doit être en UTF-8"));
    }
    let query = uri.query().unwrap_or("");
    if !query.split('&').flat_map(|p| p.split('=')).all(|p| utf8(p.as_bytes())) {
        return Some(Error::requete("paramètres de requête illisibles : ils doivent être en UTF-8"));
    }
    None
}

/// An error as the API (JSON) or the pages (a French page) answer it.
fn repondre(api: bool, e: Error) -> Response {
    use axum::response::IntoResponse;
    if api { e.into_response() } else { pages::PageError::from(e).into_response() }
}

/// Answers produced by axum itself rather than by a handler (unknown address or method,
/// unreadable path, body too large, wrong media type…) have an empty or English plain-text
/// body: they are replaced by the same French error as any other, JSON on the API and a page
/// elsewhere. An API error reached from a page (a link) becomes a page with its message.
async fn en_francais(api: bool, res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let json = ct.starts_with("application/json");
    if (api && json) || (!api && ct.starts_with("text/html")) {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut e = Error::http(status);
    if json {
        // A handler's JSON error on a page's address: keep its French message.
        if let Ok(b) = axum::body::to_bytes(res.into_body(), 64 * 1024).await
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b)
            && let Some(m) = v["message"].as_str()
        {
            e = e.avec_message(m);
        }
    }
    let mut nouvelle = repondre(api, e);
    // Keep what the status itself requires (`Allow` on a 405).
    if let Some(allow) = allow {
        nouvelle.headers_mut().insert(header::ALLOW, allow);
    }
    nouvelle
}

/// Headers on every answer: a strict CSP, no sniffing, no referrer, no framing, and no caching
/// of anything but the stylesheet (every other answer may hold personal data).
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // A page's link into the API (a PDF, a download) followed by a browser gets its errors as a
    // French page in the site's layout, never the JSON meant for programs: a navigation
    // (`Sec-Fetch-Mode: navigate`, or HTML asked first) is answered like a page.
    let navigation = req.method() == axum::http::Method::GET
        && (req.headers().get("sec-fetch-mode").is_some_and(|v| v == "navigate")
            || req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.starts_with("text/html")));
    let api = (req.uri().path().starts_with("/api/") || req.uri().path() == "/healthz") && !navigation;
    let refus = session::ecriture_intersite(req.method(), req.headers(), state.transport.https())
        .or_else(|| adresse_illisible(req.uri()));
    let cacheable = req.uri().path().starts_with("/static/");
    let mut res = match refus {
        Some(e) => repondre(api, e),
        None => en_francais(api, next.run(req).await).await,
    };
    if state.transport.https() {
        res.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
