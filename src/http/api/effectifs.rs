//! The constat des effectifs: the JSON API under `/api/v1` and the pages
//! (`/constat`, `/ecoles/{id}/constat`). Every handler calls `service::effectifs`.

use crate::http::corps::{Corps, CorpsRefuse};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::domain::EcoleId;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::session::Connecte;
use crate::http::{Error, Result, blocking, service};
use crate::service::effectifs::{self, ConstatEcole, Rapport};

/// The format of the report.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    #[serde(default)]
    #[param(pattern = "^(json|csv|xlsx|pdf)$")]
    pub format: Option<String>,
}

pub(in crate::http) async fn rendre(state: &AppState, r: Rapport, format: &str) -> Result<Response> {
    let nom =
        format!("{}-effectifs-{}", if r.titre.starts_with("Prévision") { "prevision" } else { "constat" }, r.annee);
    let (mime, octets) = match format {
        "json" => return Ok(axum::Json(r).into_response()),
        "csv" => ("text/csv; charset=utf-8", effectifs::csv(&r)?),
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", effectifs::xlsx(&r)?),
        "pdf" => {
            let le = state.clock.now();
            ("application/pdf", blocking(state, move |s| Ok(effectifs::pdf(&s.engine, &r, le)?)).await?)
        }
        _ => return Err(Error::invalide("format", "attendu : json, csv, xlsx ou pdf")),
    };
    Ok(crate::http::telechargement(mime, &format!("{nom}.{format}"), octets))
}

/// The constat report of the actor's territory (IEN: by commune; IA-DASEN: by circonscription).
#[utoipa::path(get, path = "/constat", tag = "effectifs", params(Format),
    responses((status = 200, description = "Constat des effectifs du territoire (ou CSV, XLSX, PDF)",
        content((Rapport = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/pdf"))),
        (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn rapport(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<Format>, QueryRejection>,
) -> Result<Response> {
    let format = format_de(q)?;
    let r = service(&state, a, |s| s.rapport_constat()).await?;
    rendre(&state, r, &format).await
}

pub(in crate::http) fn format_de(q: std::result::Result<Query<Format>, QueryRejection>) -> Result<String> {
    let Query(f) = q.map_err(|_| Error::invalide("format", "paramètre inconnu : seul « format » est accepté"))?;
    let format = f.format.unwrap_or_else(|| "json".into());
    if !["json", "csv", "xlsx", "pdf"].contains(&format.as_str()) {
        return Err(Error::invalide("format", "attendu : json, csv, xlsx ou pdf"));
    }
    Ok(format)
}

/// Next year's forecast of the actor's territory, consolidated like the constat.
#[utoipa::path(get, path = "/prevision", tag = "effectifs", params(Format),
    responses((status = 200, description = "Prévision des effectifs de l'an prochain (ou CSV, XLSX, PDF)",
        content((Rapport = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (Vec<u8> = "application/pdf")))))]
pub(in crate::http) async fn rapport_prevision(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<Format>, QueryRejection>,
) -> Result<Response> {
    let format = format_de(q)?;
    let r = service(&state, a, |s| s.rapport_prevision()).await?;
    rendre(&state, r, &format).await
}

use crate::service::effectifs::PrevisionEcole;

/// A school's forecast for next year, niveau by niveau, with where it comes from.
#[utoipa::path(get, path = "/ecoles/{id}/prevision", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision de l'école"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn prevision_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<PrevisionEcole>> {
    service(&state, a, move |s| s.prevision_ecole(&id)).await.map(axum::Json)
}

/// A directeur's adjustment of one niveau.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ajustement {
    /// `TPS`…`CM2`.
    pub niveau: String,
    /// Arrivals expected.
    #[serde(default)]
    #[schema(maximum = 500)]
    pub arrivees: u32,
    /// Departures expected.
    #[serde(default)]
    #[schema(maximum = 500)]
    pub departs: u32,
    /// Why (about the school, never a pupil; 200 characters).
    #[serde(default)]
    pub justification: Option<String>,
}

/// The directeur adjusts a niveau of next year's forecast.
#[utoipa::path(post, path = "/ecoles/{id}/prevision/ajustements", tag = "effectifs", request_body = Ajustement,
    params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision ajustée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn ajuster(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    body: std::result::Result<Corps<Ajustement>, CorpsRefuse>,
) -> Result<axum::Json<PrevisionEcole>> {
    let b = crate::http::api::json(body)?;
    let n = crate::http::api::parcours::niveau(&b.niveau)?;
    service(&state, a, move |s| s.ajuster_prevision(&id, n, b.arrivees, b.departs, b.justification.as_deref()))
        .await
        .map(axum::Json)
}

/// The directeur validates the school's forecast.
#[utoipa::path(post, path = "/ecoles/{id}/prevision/validation", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision validée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn valider_prevision(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<PrevisionEcole>> {
    service(&state, a, move |s| s.valider_prevision(&id)).await.map(axum::Json)
}

/// A school's constat: counted now, and as validated.
#[utoipa::path(get, path = "/ecoles/{id}/constat", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = ConstatEcole, description = "Constat de l'école"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn constat_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<ConstatEcole>> {
    service(&state, a, move |s| s.constat_ecole(&id)).await.map(axum::Json)
}

/// The directeur validates the school's constat (frozen; while the campaign is open).
#[utoipa::path(post, path = "/ecoles/{id}/constat/validation", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = ConstatEcole, description = "Constat validé"), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn valider(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<ConstatEcole>> {
    service(&state, a, move |s| s.valider_constat(&id)).await.map(axum::Json)
}

/// What a campaign step answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Campagne {
    /// The année scolaire of the campaign.
    pub annee: String,
    /// `ouverte` or `close`.
    pub etat: &'static str,
}

/// The IA-DASEN opens (`ouverture`) or closes (`cloture`) the département's campaign.
#[utoipa::path(post, path = "/campagnes/constat/{etape}", tag = "effectifs", params(("etape" = String, Path, description = "ouverture ou cloture")),
    responses((status = 200, body = Campagne, description = "Campagne ouverte ou close"), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn campagne(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(etape): Path<String>,
) -> Result<axum::Json<Campagne>> {
    let r = match etape.as_str() {
        "ouverture" => Campagne { annee: service(&state, a, |s| s.ouvrir_campagne_constat()).await?, etat: "ouverte" },
        "cloture" => Campagne { annee: service(&state, a, |s| s.clore_campagne_constat()).await?, etat: "close" },
        _ => return Err(Error::introuvable("étape")),
    };
    Ok(axum::Json(r))
}

// Statistical releases ---------------------------------------------------------------------------

use crate::service::publications::PublicationVue;

/// The releases the actor may download.
#[utoipa::path(get, path = "/publications", tag = "effectifs",
    responses((status = 200, body = [PublicationVue], description = "Publications statistiques")))]
pub(in crate::http) async fn lister_publications(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<axum::Json<Vec<PublicationVue>>> {
    service(&state, a, |s| s.publications()).await.map(axum::Json)
}

/// What to release.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NouvellePublication {
    /// Keep the pseudonymisation key (apart) to link with a later release.
    #[serde(default)]
    pub conserver_cle: bool,
}

/// The IA-DASEN prepares a release of the département's current year.
#[utoipa::path(post, path = "/publications", tag = "effectifs", request_body = NouvellePublication,
    responses((status = 201, body = PublicationVue, description = "Publication préparée")))]
pub(in crate::http) async fn publier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<NouvellePublication>, CorpsRefuse>,
) -> Result<(StatusCode, axum::Json<PublicationVue>)> {
    let b = crate::http::api::json(body)?;
    let p = service(&state, a, move |s| s.publier(b.conserver_cle)).await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// One file of a release (`eleves.csv`, `effectifs.csv`, `LISEZMOI.txt`).
#[utoipa::path(get, path = "/publications/{id}/{fichier}", tag = "effectifs",
    params(("id" = String, Path, description = "Publication"), ("fichier" = String, Path, description = "eleves.csv, effectifs.csv ou LISEZMOI.txt")),
    responses((status = 200, description = "Le fichier", content((String = "text/csv"), (String = "text/plain"))),
        (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn fichier_publication(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path((id, fichier)): Path<(String, String)>,
) -> Result<Response> {
    let nom = fichier.clone();
    let octets = service(&state, a, move |s| s.fichier_publication(&id, &fichier)).await?;
    let mime = if nom.ends_with(".csv") { "text/csv; charset=utf-8" } else { "text/plain; charset=utf-8" };
    Ok(crate::http::telechargement(mime, &nom, octets))
}
