//! Print runs in the background (`service::travaux`), from the API and the pages: ask for one,
//! follow its progress, cancel it, download its file. Handlers only translate.

use crate::http::corps::{Corps, CorpsRefuse};
use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use tower::ServiceExt;

use crate::domain::{CirconscriptionId, Colonne};
use crate::http::api::{document, json};
use crate::http::etat::AppState;
use crate::http::session::Connecte;
use crate::http::{Error, Result, service};
use crate::service::documents::{Cible, Format};
use crate::service::travaux::{Demande, VueTravail};

/// A print run asked for: one document for every pupil (or class, or school) of one target.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeImpression {
    /// The document (`fiche-renseignements`, `fiche-urgence`, `liste-classe`…).
    pub document: String,
    /// A class.
    #[serde(default)]
    pub classe: Option<String>,
    /// A school.
    #[serde(default)]
    pub ecole: Option<String>,
    /// A circonscription (IEN, IA-DASEN).
    #[serde(default)]
    pub circonscription: Option<String>,
    /// `zip` (one PDF per document, named for people) or `pdf` (one file, each document on an
    /// odd page for double-sided printing). `zip` by default.
    #[serde(default)]
    pub format: Option<String>,
    /// Columns of a liste des élèves.
    #[serde(default)]
    pub colonnes: Option<String>,
    /// Fiche de renseignements only: the pupils whose family has not answered the yearly
    /// check online (the paper goes to the others only).
    #[serde(default)]
    pub sans_reponse: Option<bool>,
}

impl DemandeImpression {
    pub(in crate::http) fn valider(&self) -> Result<Demande> {
        let document = document(&self.document)?;
        let cible = match (&self.classe, &self.ecole, &self.circonscription) {
            (Some(k), None, None) => Cible::Classe(crate::http::api::parcours::classe_id(k)?),
            (None, Some(e), None) => Cible::Ecole(crate::http::api::parcours::ecole_id(e)?),
            (None, None, Some(c)) => Cible::Circonscription(
                CirconscriptionId::parse(c.trim()).map_err(|_| Error::introuvable("circonscription"))?,
            ),
            _ => return Err(Error::invalide("cible", "indiquez une classe, une école ou une circonscription")),
        };
        let format = match self.format.as_deref() {
            None | Some("zip") => Format::Zip,
            Some("pdf") => Format::Pdf,
            Some(_) => return Err(Error::invalide("format", "attendu : zip ou pdf")),
        };
        let colonnes = match self.colonnes.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(c) => Colonne::liste(c).map_err(|m| Error::invalide("colonnes", m))?,
            None => Vec::new(),
        };
        let sans_reponse = self.sans_reponse.unwrap_or(false);
        if sans_reponse && document != crate::domain::Document::FicheRenseignements {
            return Err(Error::invalide(
                "sans_reponse",
                "« seulement les familles qui n'ont pas répondu en ligne » ne vaut que pour la fiche de renseignements",
            ));
        }
        Ok(Demande { document, cible, format, colonnes, sans_reponse })
    }
}

pub(in crate::http) async fn demarrer(state: &AppState, a: crate::auth::Acteur, d: Demande) -> Result<VueTravail> {
    let s = state.clone();
    service(state, a, move |svc| {
        let lanceur = s.clone();
        svc.lancer_impression(&s.travaux, &s.engine, d, || lanceur.demarrer_impressions())
    })
    .await
}

/// Asks for a print run; it is made in the background (202), its progress is read at
/// `/api/v1/impressions/{id}`.
#[utoipa::path(post, path = "/impressions", tag = "documents", request_body = DemandeImpression,
    responses((status = 202, body = VueTravail), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lancer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<DemandeImpression>, CorpsRefuse>,
) -> Result<(StatusCode, Json<VueTravail>)> {
    let d = json(body)?.valider()?;
    Ok((StatusCode::ACCEPTED, Json(demarrer(&state, a, d).await?)))
}

/// My print runs, newest first (kept 24 hours).
#[utoipa::path(get, path = "/impressions", tag = "documents", responses((status = 200, body = [VueTravail])))]
pub(in crate::http) async fn lister(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Vec<VueTravail>>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.impressions(&s.travaux)).await?))
}

/// One of my print runs: state, documents made, total, estimated time left.
#[utoipa::path(get, path = "/impressions/{id}", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, body = VueTravail), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<VueTravail>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.impression(&s.travaux, &id)).await?))
}

/// Cancels one of my print runs (it stops within a second; nothing of it is kept).
#[utoipa::path(post, path = "/impressions/{id}/annulation", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, body = VueTravail), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn annuler(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<VueTravail>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.annuler_impression(&s.travaux, &id)).await?))
}

/// The file of a finished print run (409 while it is being made).
#[utoipa::path(get, path = "/impressions/{id}/fichier", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn fichier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response> {
    let s = state.clone();
    let (chemin, nom, mime) = service(&state, a, move |svc| svc.fichier_impression(&s.travaux, &id)).await?;
    // Streamed from the disk, never held whole in memory.
    let res = tower_http::services::ServeFile::new_with_mime(&chemin, &mime.parse().map_err(Error::interne)?)
        .oneshot(req)
        .await
        .map_err(Error::interne)?;
    // A range or a revalidation passes through; anything else means the file is gone.
    if !(res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED) {
        return Err(Error::introuvable("fichier de l'impression"));
    }
    let disposition = crate::http::disposition(&nom, false);
    let mut res = res.map(axum::body::Body::new);
    res.headers_mut().insert(header::CONTENT_DISPOSITION, disposition.parse().map_err(Error::interne)?);
    Ok(res)
}
