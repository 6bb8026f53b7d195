//! The only place that imports axum: routes, extractors, errors, the web pages and the JSON API.
//!
//! Blocking work (SQLite, Typst) runs on the blocking pool, never on the async executor.

pub mod api;
pub mod comptes;
pub mod cycle;
pub mod error;
pub mod pages;
pub mod pages_cycle;
pub mod projection;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use crate::app::{AppState, Inner};
pub use error::{Error, Result};

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::routes())
        .merge(pages::routes())
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .with_state(state)
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

/// `GET /healthz`: the process answers and the database is readable.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<axum::Json<serde_json::Value>> {
    blocking(&state, |s| {
        s.store.ping()?;
        Ok(axum::Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") })))
    })
    .await
}

/// Headers on every answer: a strict CSP, no sniffing, no referrer, no framing, and no caching
/// of anything but the stylesheet (every other answer may hold personal data).
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(refus) = session::ecriture_intersite(req.method(), req.headers()) {
        return refus;
    }
    let cacheable = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
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
