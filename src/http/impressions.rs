//! Print runs in the background (`service::travaux`), from the API and the pages: ask for one,
//! follow its progress, cancel it, download its file. Handlers only translate.

use axum::Json;
use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tower::ServiceExt;

use super::api::{document, json};
use super::extraction::Soumis;
use super::pages::{Choix, avec_moi};
use super::pages_parcours::{Sortie, refus};
use super::session::{Connecte, Visiteur};
use super::{Error, Result, service};
use crate::domain::{CirconscriptionId, Colonne, Document};
use crate::http::etat::AppState;
use crate::service::documents::{Cible, Format};
use crate::service::travaux::{Demande, VueTravail};

/// The API routes (under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/impressions", get(lister).post(lancer))
        .route("/impressions/{id}", get(lire))
        .route("/impressions/{id}/annulation", post(annuler))
        .route("/impressions/{id}/fichier", get(fichier))
}

/// The page routes.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/impressions", get(page).post(lancer_page))
        .route("/impressions/{id}/annuler", post(annuler_page))
}

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
}

impl DemandeImpression {
    fn valider(&self) -> Result<Demande> {
        let document = document(&self.document)?;
        let cible = match (&self.classe, &self.ecole, &self.circonscription) {
            (Some(k), None, None) => Cible::Classe(super::parcours::classe_id(k)?),
            (None, Some(e), None) => Cible::Ecole(super::parcours::ecole_id(e)?),
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
        Ok(Demande { document, cible, format, colonnes })
    }
}

async fn demarrer(state: &AppState, a: crate::auth::Acteur, d: Demande) -> Result<VueTravail> {
    let s = state.clone();
    service(state, a, move |svc| {
        let lanceur = s.clone();
        svc.lancer_impression(&s.travaux, &s.engine, d, || lanceur.demarrer_impressions())
    })
    .await
}

/// Asks for a print run; it is made in the background (202), its progress is read at
/// `/api/v1/impressions/{id}`.
#[utoipa::path(post, path = "/api/v1/impressions", tag = "documents", request_body = DemandeImpression,
    responses((status = 202, body = VueTravail), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)))]
pub(super) async fn lancer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Json<DemandeImpression>, JsonRejection>,
) -> Result<(StatusCode, Json<VueTravail>)> {
    let d = json(body)?.valider()?;
    Ok((StatusCode::ACCEPTED, Json(demarrer(&state, a, d).await?)))
}

/// My print runs, newest first (kept 24 hours).
#[utoipa::path(get, path = "/api/v1/impressions", tag = "documents", responses((status = 200, body = [VueTravail])))]
pub(super) async fn lister(State(state): State<AppState>, Connecte(a): Connecte) -> Result<Json<Vec<VueTravail>>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.impressions(&s.travaux)).await?))
}

/// One of my print runs: state, documents made, total, estimated time left.
#[utoipa::path(get, path = "/api/v1/impressions/{id}", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, body = VueTravail), (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn lire(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<VueTravail>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.impression(&s.travaux, &id)).await?))
}

/// Cancels one of my print runs (it stops within a second; nothing of it is kept).
#[utoipa::path(post, path = "/api/v1/impressions/{id}/annulation", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, body = VueTravail), (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn annuler(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<VueTravail>> {
    let s = state.clone();
    Ok(Json(service(&state, a, move |svc| svc.annuler_impression(&s.travaux, &id)).await?))
}

/// The file of a finished print run (409 while it is being made).
#[utoipa::path(get, path = "/api/v1/impressions/{id}/fichier", tag = "documents", params(("id" = String, Path, description = "Impression")),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)))]
pub(super) async fn fichier(
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
    let disposition = format!("attachment; filename=\"{nom}\"");
    let mut res = res.map(axum::body::Body::new);
    res.headers_mut().insert(header::CONTENT_DISPOSITION, disposition.parse().map_err(Error::interne)?);
    Ok(res)
}

// Pages -----------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct PageImpressions {
    impressions: Vec<VueTravail>,
    en_cours: bool,
}

async fn page(State(state): State<AppState>, v: Visiteur) -> Sortie {
    let s = state.clone();
    let impressions = service(&state, v.acteur.clone(), move |svc| svc.impressions(&s.travaux)).await?;
    let en_cours =
        impressions.iter().any(|t| t.nom_fichier.is_none() && t.message.is_none() && t.etat_libelle != "annulé");
    let html = state.pages.render("impressions.html", &avec_moi(&v, PageImpressions { impressions, en_cours }))?;
    Ok(Html(html).into_response())
}

async fn lancer_page(State(state): State<AppState>, Soumis(v, sa): Soumis) -> Sortie {
    let retour = sa
        .get("retour")
        .filter(|r| r.starts_with('/') && !r.starts_with("//") && !r.contains('\\'))
        .unwrap_or("/")
        .to_string();
    let d = DemandeImpression {
        document: sa.texte("document"),
        classe: sa.opt("classe"),
        ecole: sa.opt("ecole"),
        circonscription: sa.opt("circonscription"),
        format: sa.opt("format"),
        colonnes: None,
    };
    let r = match d.valider() {
        Ok(d) => demarrer(&state, v.acteur.clone(), d).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to("/impressions").into_response()),
        Err(e) => refus(&state, &v, e, &retour, "Retour"),
    }
}

async fn annuler_page(State(state): State<AppState>, Path(id): Path<String>, Soumis(v, _): Soumis) -> Sortie {
    let s = state.clone();
    match service(&state, v.acteur.clone(), move |svc| svc.annuler_impression(&s.travaux, &id)).await {
        Ok(_) => Ok(Redirect::to("/impressions").into_response()),
        Err(e) => refus(&state, &v, e, "/impressions", "Retour aux impressions"),
    }
}

/// The documents the visitor may print in bulk for a class or a school (the forms of those
/// pages), in catalogue order.
pub(super) fn documents_en_lot(a: &crate::auth::Acteur, ecole: bool) -> Vec<Choix> {
    use crate::policy::{Action, Ressource};
    Document::ALL
        .iter()
        .filter(|d| {
            !matches!(d, Document::CertificatInscription | Document::CertificatRadiation | Document::ConstatEffectifs)
        })
        .filter(|d| ecole || !matches!(d, Document::RegistreEleves | Document::ListeElectorale))
        .filter(|d| a.decision(Ressource::Document(**d), Action::Exporter).autorise())
        .map(|d| Choix { code: d.name(), libelle: d.titre() })
        .collect()
}
