//! The constat des effectifs: the JSON API under `/api/v1` and the pages
//! (`/constat`, `/ecoles/{id}/constat`). Every handler calls `service::effectifs`.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::extraction::Id;
use super::extraction::Soumis;
use super::pages::{PageError, avec_moi};
use super::pages_parcours::{FormulaireSoumis, PageDe, Sortie, etape, etape_formulaire, reprendre};
use super::session::{Connecte, Visiteur};
use super::{Error, Result, blocking, service};
use crate::domain::EcoleId;
use crate::http::etat::AppState;
use crate::service::effectifs::{self, ConstatEcole, Rapport};

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/constat", get(rapport))
        .route("/ecoles/{id}/constat", get(constat_ecole))
        .route("/ecoles/{id}/constat/validation", post(valider))
        .route("/campagnes/constat/{etape}", post(campagne))
        .route("/prevision", get(rapport_prevision))
        .route("/ecoles/{id}/prevision", get(prevision_ecole))
        .route("/ecoles/{id}/prevision/ajustements", post(ajuster))
        .route("/ecoles/{id}/prevision/validation", post(valider_prevision))
        .route("/publications", get(lister_publications).post(publier))
        .route("/publications/{id}/{fichier}", get(fichier_publication))
}

/// The page routes.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/constat", get(page_rapport))
        .route("/constat/campagne/{etape}", post(page_campagne))
        .route("/ecoles/{id}/constat", get(page_ecole).post(page_valider))
        .route("/publications", get(page_publications).post(page_publier))
        .route("/prevision", get(page_prevision))
        .route("/ecoles/{id}/prevision", get(page_prevision_ecole).post(page_ajuster))
}

/// The format of the report.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// `json` (default), `csv`, `xlsx` or `pdf`.
    #[serde(default)]
    pub format: Option<String>,
}

async fn rendre(state: &AppState, r: Rapport, format: &str) -> Result<Response> {
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
    let disposition = format!("inline; filename=\"{nom}.{format}\"");
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, disposition)], octets).into_response())
}

/// The constat report of the actor's territory (IEN: by commune; IA-DASEN: by circonscription).
#[utoipa::path(get, path = "/api/v1/constat", tag = "effectifs", params(Format),
    responses((status = 200, body = Rapport, description = "Constat des effectifs du territoire (ou CSV, XLSX, PDF)"), (status = 403, body = super::error::ErrorBody)))]
async fn rapport(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<Format>, QueryRejection>,
) -> Result<Response> {
    let format = format_de(q)?;
    let r = service(&state, a, |s| s.rapport_constat()).await?;
    rendre(&state, r, &format).await
}

fn format_de(q: std::result::Result<Query<Format>, QueryRejection>) -> Result<String> {
    let Query(f) = q.map_err(|_| Error::invalide("format", "paramètre inconnu : seul « format » est accepté"))?;
    let format = f.format.unwrap_or_else(|| "json".into());
    if !["json", "csv", "xlsx", "pdf"].contains(&format.as_str()) {
        return Err(Error::invalide("format", "attendu : json, csv, xlsx ou pdf"));
    }
    Ok(format)
}

/// Next year's forecast of the actor's territory, consolidated like the constat.
#[utoipa::path(get, path = "/api/v1/prevision", tag = "effectifs", params(Format),
    responses((status = 200, body = Rapport, description = "Prévision des effectifs de l'an prochain (ou CSV, XLSX, PDF)")))]
async fn rapport_prevision(
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
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/prevision", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision de l'école"), (status = 404, body = super::error::ErrorBody)))]
async fn prevision_ecole(
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
    pub arrivees: u32,
    /// Departures expected.
    #[serde(default)]
    pub departs: u32,
    /// Why (about the school, never a pupil; 200 characters).
    #[serde(default)]
    pub justification: Option<String>,
}

/// The directeur adjusts a niveau of next year's forecast.
#[utoipa::path(post, path = "/api/v1/ecoles/{id}/prevision/ajustements", tag = "effectifs", request_body = Ajustement,
    params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision ajustée"), (status = 404, body = super::error::ErrorBody)))]
async fn ajuster(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    body: std::result::Result<axum::Json<Ajustement>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<PrevisionEcole>> {
    let b = super::api::json(body)?;
    let n = super::parcours::niveau(&b.niveau)?;
    service(&state, a, move |s| s.ajuster_prevision(&id, n, b.arrivees, b.departs, b.justification.as_deref()))
        .await
        .map(axum::Json)
}

/// The directeur validates the school's forecast.
#[utoipa::path(post, path = "/api/v1/ecoles/{id}/prevision/validation", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = PrevisionEcole, description = "Prévision validée"), (status = 404, body = super::error::ErrorBody)))]
async fn valider_prevision(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<PrevisionEcole>> {
    service(&state, a, move |s| s.valider_prevision(&id)).await.map(axum::Json)
}

async fn page_prevision(State(state): State<AppState>, v: Visiteur) -> std::result::Result<Html<String>, PageError> {
    let r = service(&state, v.acteur.clone(), |s| s.rapport_prevision()).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("constat.html", &avec_moi(&v, PageRapport { r, gerer: false, fait: None, chemin: "prevision" }))
    })
    .await?;
    Ok(Html(html))
}

#[derive(Debug, Serialize)]
struct PagePrevisionEcole {
    ecole_id: String,
    p: PrevisionEcole,
    modifier: bool,
    fait: Option<&'static str>,
}

pub(super) async fn page_prevision_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<super::pages_parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = super::pages_parcours::fait_de(q);
    let modifier = v.acteur.decision(crate::policy::Ressource::Constat, crate::policy::Action::Modifier).autorise();
    let p = service(&state, v.acteur.clone(), {
        let id = id.clone();
        move |s| s.prevision_ecole(&id)
    })
    .await?;
    let html = blocking(&state, move |s| {
        s.pages.render(
            "prevision_ecole.html",
            &avec_moi(&v, PagePrevisionEcole { ecole_id: id.to_string(), p, modifier, fait }),
        )
    })
    .await?;
    Ok(Html(html))
}

async fn page_ajuster(State(state): State<AppState>, Id(id): Id<EcoleId>, Soumis(v, s): Soumis) -> Sortie {
    let vers = format!("/ecoles/{id}/prevision");
    let retour = vers.clone();
    let valider = s.get("action") == Some("valider");
    // Every value read, every refusal kept (keys `CP.arrivees`…, as the use case's).
    let mut er = crate::domain::Erreurs::default();
    let mut lignes = Vec::new();
    for n in crate::domain::Niveau::ALL {
        let c = n.code();
        let mut nombre = |quoi: &str, libelle: &'static str| -> u32 {
            match s.get(&format!("{quoi}_{c}")) {
                None => 0,
                Some(x) => er
                    .garder(
                        &format!("{c}.{quoi}"),
                        x.parse::<u32>().map_err(|_| {
                            crate::domain::ChampInvalide::new(libelle, format!("un nombre entier d'élèves en {c}"))
                        }),
                    )
                    .unwrap_or(0),
            }
        };
        let (a, d) = (nombre("arrivees", "arrivées"), nombre("departs", "départs"));
        lignes.push((n, a, d, s.opt(&format!("justification_{c}"))));
    }
    let page = PageDe::Prevision(id.clone());
    let f = FormulaireSoumis { saisie: &s, action: &retour, page: &page };
    if let Err(e) = er.finir() {
        return reprendre(&state, &v, e.into(), f, (&retour, "Revenir à la prévision de l'école")).await;
    }
    etape_formulaire(
        &state,
        &v,
        f,
        (&retour, "Revenir à la prévision de l'école"),
        move |svc| {
            // Only the niveaux whose values the form changed are written (with the validation).
            let avant = svc.prevision_ecole(&id)?;
            let changees: Vec<_> = lignes
                .into_iter()
                .filter(|(n, a, d, j)| {
                    avant
                        .niveaux
                        .iter()
                        .find(|x| x.niveau == n.code())
                        .is_none_or(|x| x.arrivees != *a || x.departs != *d || x.justification != *j)
                })
                .collect();
            svc.enregistrer_prevision(&id, &changees, valider)
        },
        move |_| {
            Ok(Redirect::to(&format!("{vers}?fait={}", if valider { "prevision_validee" } else { "prevision" }))
                .into_response())
        },
    )
    .await
}

/// A school's constat: counted now, and as validated.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/constat", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = ConstatEcole, description = "Constat de l'école"), (status = 404, body = super::error::ErrorBody)))]
async fn constat_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<axum::Json<ConstatEcole>> {
    service(&state, a, move |s| s.constat_ecole(&id)).await.map(axum::Json)
}

/// The directeur validates the school's constat (frozen; while the campaign is open).
#[utoipa::path(post, path = "/api/v1/ecoles/{id}/constat/validation", tag = "effectifs", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = ConstatEcole, description = "Constat validé"), (status = 409, body = super::error::ErrorBody)))]
async fn valider(
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
#[utoipa::path(post, path = "/api/v1/campagnes/constat/{etape}", tag = "effectifs", params(("etape" = String, Path, description = "ouverture ou cloture")),
    responses((status = 200, body = Campagne, description = "Campagne ouverte ou close"), (status = 409, body = super::error::ErrorBody)))]
async fn campagne(
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

// Pages ------------------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct PageRapport {
    r: Rapport,
    gerer: bool,
    fait: Option<&'static str>,
    /// `constat` or `prevision`: the API and school pages the report links to.
    chemin: &'static str,
}

async fn page_rapport(
    State(state): State<AppState>,
    v: Visiteur,
    q: std::result::Result<Query<super::pages_parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = super::pages_parcours::fait_de(q);
    let (r, gerer) = service(&state, v.acteur.clone(), |s| Ok((s.rapport_constat()?, s.gere_campagne()))).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("constat.html", &avec_moi(&v, PageRapport { r, gerer, fait, chemin: "constat" }))
    })
    .await?;
    Ok(Html(html))
}

async fn page_campagne(State(state): State<AppState>, Path(quoi): Path<String>, Soumis(v, _): Soumis) -> Sortie {
    let ouvrir = match quoi.as_str() {
        "ouverture" => true,
        "cloture" => false,
        _ => return Err(Error::introuvable("étape").into()),
    };
    etape(
        &state,
        &v,
        ("/constat", "Revenir au constat"),
        move |svc| if ouvrir { svc.ouvrir_campagne_constat() } else { svc.clore_campagne_constat() },
        move |_| {
            Ok(Redirect::to(if ouvrir { "/constat?fait=campagne_ouverte" } else { "/constat?fait=campagne_close" })
                .into_response())
        },
    )
    .await
}

#[derive(Debug, Serialize)]
struct PageEcole {
    ecole_id: String,
    c: ConstatEcole,
    niveaux: Vec<&'static str>,
    valider: bool,
    fait: Option<&'static str>,
}

async fn page_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<super::pages_parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = super::pages_parcours::fait_de(q);
    let valider = v.acteur.decision(crate::policy::Ressource::Constat, crate::policy::Action::Modifier).autorise();
    let c = service(&state, v.acteur.clone(), {
        let id = id.clone();
        move |s| s.constat_ecole(&id)
    })
    .await?;
    let html = blocking(&state, move |s| {
        let page = PageEcole {
            ecole_id: id.to_string(),
            valider: valider && c.campagne_ouverte,
            c,
            niveaux: crate::domain::Niveau::ALL.iter().map(|n| n.code()).collect(),
            fait,
        };
        s.pages.render("constat_ecole.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

async fn page_valider(State(state): State<AppState>, Id(id): Id<EcoleId>, Soumis(v, _): Soumis) -> Sortie {
    let vers = format!("/ecoles/{id}/constat");
    let retour = vers.clone();
    etape(
        &state,
        &v,
        (&retour, "Revenir au constat de l'école"),
        move |svc| svc.valider_constat(&id),
        move |_| Ok((StatusCode::SEE_OTHER, Redirect::to(&format!("{vers}?fait=constat_valide"))).into_response()),
    )
    .await
}

// Statistical releases ---------------------------------------------------------------------------

use crate::service::publications::PublicationVue;

/// The releases the actor may download.
#[utoipa::path(get, path = "/api/v1/publications", tag = "effectifs",
    responses((status = 200, body = [PublicationVue], description = "Publications statistiques")))]
async fn lister_publications(
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
#[utoipa::path(post, path = "/api/v1/publications", tag = "effectifs", request_body = NouvellePublication,
    responses((status = 201, body = PublicationVue, description = "Publication préparée")))]
async fn publier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<axum::Json<NouvellePublication>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, axum::Json<PublicationVue>)> {
    let b = super::api::json(body)?;
    let p = service(&state, a, move |s| s.publier(b.conserver_cle)).await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// One file of a release (`eleves.csv`, `effectifs.csv`, `LISEZMOI.txt`).
#[utoipa::path(get, path = "/api/v1/publications/{id}/{fichier}", tag = "effectifs",
    params(("id" = String, Path, description = "Publication"), ("fichier" = String, Path, description = "eleves.csv, effectifs.csv ou LISEZMOI.txt")),
    responses((status = 200, description = "Le fichier"), (status = 404, body = super::error::ErrorBody)))]
async fn fichier_publication(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path((id, fichier)): Path<(String, String)>,
) -> Result<Response> {
    let nom = fichier.clone();
    let octets = service(&state, a, move |s| s.fichier_publication(&id, &fichier)).await?;
    let mime = if nom.ends_with(".csv") { "text/csv; charset=utf-8" } else { "text/plain; charset=utf-8" };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nom}\"")),
        ],
        octets,
    )
        .into_response())
}

#[derive(Debug, Serialize)]
struct PagePublications {
    publications: Vec<PublicationVue>,
    publier: bool,
    fait: Option<&'static str>,
}

async fn page_publications(
    State(state): State<AppState>,
    v: Visiteur,
    q: std::result::Result<Query<super::pages_parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = super::pages_parcours::fait_de(q);
    let publier = v.acteur.decision(crate::policy::Ressource::Publication, crate::policy::Action::Creer).autorise()
        && v.acteur.role == crate::policy::Role::IaDasen;
    let publications = service(&state, v.acteur.clone(), |s| s.publications()).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("publications.html", &avec_moi(&v, PagePublications { publications, publier, fait }))
    })
    .await?;
    Ok(Html(html))
}

async fn page_publier(State(state): State<AppState>, Soumis(v, s): Soumis) -> Sortie {
    let garder = s.coche("conserver_cle");
    etape(
        &state,
        &v,
        ("/publications", "Revenir aux publications"),
        move |svc| svc.publier(garder),
        |_| Ok(Redirect::to("/publications?fait=publication").into_response()),
    )
    .await
}
