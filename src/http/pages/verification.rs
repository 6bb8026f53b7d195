//! The public verification of a certificate: the page a family, a school or a mairie opens
//! from the certificate's QR code or by typing its code.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::http::api::parcours::Verification;
use crate::http::blocking;
use crate::http::etat::AppState;
use crate::http::pages::PageError;

/// `GET /verifier/{code}`: the public verification page.
pub(in crate::http) async fn page_verification(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let v = blocking(&state, move |s| crate::http::api::parcours::verifier(&s.store, &code)).await?;
    let html = state.pages.render("verification.html", &PageVerification { v: Some(&v) })?;
    let status = if v.authentique { StatusCode::OK } else { StatusCode::NOT_FOUND };
    Ok((status, Html(html)).into_response())
}

#[derive(Serialize)]
struct PageVerification<'a> {
    v: Option<&'a Verification>,
}

/// The code typed in the form of `/verifier`.
#[derive(Debug, Deserialize)]
pub struct CodeSaisi {
    code: Option<String>,
}

/// `/verifier`: the form to type a certificate's code (`?code=` leads to its page).
pub(in crate::http) async fn page_verifier(
    State(state): State<AppState>,
    q: std::result::Result<axum::extract::Query<CodeSaisi>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let code = q.ok().and_then(|q| q.0.code).map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty());
    if let Some(c) = code {
        let c: String = c.chars().filter(|ch| ch.is_ascii_alphanumeric() || *ch == '-').take(40).collect();
        return Ok(axum::response::Redirect::to(&format!("/verifier/{c}")).into_response());
    }
    let html = state.pages.render("verification.html", &PageVerification { v: None })?;
    Ok(Html(html).into_response())
}
