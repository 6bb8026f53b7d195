//! The pages of file exchanges: the ONDE import and export, the transfer dossiers, an
//! import's progress and report.

use crate::domain::EcoleId;
use crate::http::api::echanges::*;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::pages::{PageError, avec_moi};
use crate::http::session::Visiteur;
use crate::http::{Error, Result, blocking, service};
use crate::policy::{Action, Ressource};
use crate::service::onde::Options;
use crate::service::travaux::VueImport;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize)]
pub(in crate::http) struct PageEchanges {
    ecole_id: String,
    ecole: String,
    importer: bool,
    exporter: bool,
    /// The visitor's imports into this school (kept 24 hours).
    imports: Vec<VueImport>,
    erreur: Option<String>,
    erreur_dossier: Option<String>,
    essai: bool,
    tout_ou_rien: bool,
    niveaux: Vec<&'static str>,
}

/// Which form a refusal is shown beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::http) enum Formulaire {
    Onde,
    Dossier,
}

pub(in crate::http) async fn rendre(
    state: &AppState,
    v: Visiteur,
    id: EcoleId,
    erreur: Option<(Formulaire, String)>,
    options: Options,
) -> std::result::Result<Html<String>, PageError> {
    let a = v.acteur.clone();
    let s = state.clone();
    let e = id.clone();
    let (ecole, imports) = service(state, a.clone(), move |svc| svc.echanges(&s.travaux, &e)).await?;
    let importer = a.decision(Ressource::Echange, Action::Creer).autorise();
    let html = blocking(state, move |s| {
        let page = PageEchanges {
            ecole_id: id.to_string(),
            ecole: ecole.nom.clone(),
            importer,
            exporter: a.decision(Ressource::Echange, Action::Exporter).autorise(),
            imports,
            // A dry run first, every time: the real import is asked for explicitly.
            essai: true,
            tout_ou_rien: options.tout_ou_rien,
            niveaux: crate::domain::Niveau::ALL
                .iter()
                .filter(|n| ecole.type_ecole.admet(**n))
                .map(|n| n.code())
                .collect(),
            erreur: erreur.as_ref().filter(|(f, _)| *f == Formulaire::Onde).map(|(_, m)| m.clone()),
            erreur_dossier: erreur.filter(|(f, _)| *f == Formulaire::Dossier).map(|(_, m)| m),
        };
        s.pages.render("echanges.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// A reload of the form's address (a POST) goes back to the page.
pub(in crate::http) async fn vers_la_page(Id(id): Id<EcoleId>) -> Result<Response> {
    Ok(axum::response::Redirect::to(&format!("/ecoles/{id}/echanges")).into_response())
}

pub(in crate::http) async fn page(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
) -> std::result::Result<Html<String>, PageError> {
    rendre(&state, v, id, None, Options::default()).await
}

/// The page's import form: the files read now (a refusal comes back on the page, with its
/// reason), the import queued, and the visitor taken to its page.
pub(in crate::http) async fn page_importer(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> std::result::Result<Response, PageError> {
    acceder(&state, &v.acteur, &id).await?;
    let m = m.map_err(|_| Error::invalide("fichier", "envoyez le formulaire depuis la page"))?;
    let e = match lire_envoi(m).await {
        Ok(e) => e,
        Err(err) if err.status().is_client_error() => {
            // The CSRF token is unread here: nothing is done, the form comes back with the reason.
            let opts = Options { essai: true, tout_ou_rien: false };
            let mut r =
                rendre(&state, v, id, Some((Formulaire::Onde, err.message().to_string())), opts).await?.into_response();
            *r.status_mut() = err.status();
            return Ok(r);
        }
        Err(err) => return Err(err.into()),
    };
    v.verifier_csrf(&e.csrf)?;
    let options = e.options;
    match lancer(&state, v.acteur.clone(), id.clone(), e).await {
        Ok(i) => Ok(axum::response::Redirect::to(&format!("/imports/{}", i.id)).into_response()),
        Err(err) if err.status().is_client_error() && err.status() != axum::http::StatusCode::NOT_FOUND => {
            let status = err.status();
            let mut r = rendre(&state, v, id, Some((Formulaire::Onde, err.message().to_string())), options)
                .await?
                .into_response();
            *r.status_mut() = status;
            Ok(r)
        }
        Err(err) => Err(err.into()),
    }
}

/// The most report lines a page shows (the CSV file has them all).
pub(in crate::http) const LIGNES_AFFICHEES: usize = 1000;

#[derive(Serialize)]
pub(in crate::http) struct PageImport {
    import: VueImport,
    en_cours: bool,
    /// Report lines left out of the page (in the CSV file).
    lignes_cachees: usize,
}

/// An import's page: its progress while it runs (the page reloads itself), then its report.
pub(in crate::http) async fn page_import(
    State(state): State<AppState>,
    v: Visiteur,
    Path(id): Path<String>,
) -> std::result::Result<Response, PageError> {
    let s = state.clone();
    let mut import = service(&state, v.acteur.clone(), move |svc| svc.import(&s.travaux, &id)).await?;
    let mut lignes_cachees = 0;
    if let Some(r) = import.rapport.as_mut()
        && r.lignes.len() > LIGNES_AFFICHEES
    {
        lignes_cachees = r.lignes.len() - LIGNES_AFFICHEES;
        r.lignes.truncate(LIGNES_AFFICHEES);
    }
    let en_cours =
        matches!(import.etat, crate::service::travaux::Etat::EnAttente | crate::service::travaux::Etat::EnCours);
    let html = blocking(&state, move |s| {
        s.pages.render("import.html", &avec_moi(&v, PageImport { import, en_cours, lignes_cachees }))
    })
    .await?;
    Ok(Html(html).into_response())
}

pub(in crate::http) async fn page_annuler_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    crate::http::extraction::Soumis(v, _): crate::http::extraction::Soumis,
) -> std::result::Result<Response, PageError> {
    let s = state.clone();
    let i = id.clone();
    service(&state, v.acteur.clone(), move |svc| svc.annuler_import(&s.travaux, &i)).await?;
    Ok(axum::response::Redirect::to(&format!("/imports/{id}")).into_response())
}

/// A reload of the cancel form's address goes back to the import.
pub(in crate::http) async fn vers_l_import(Path(id): Path<String>) -> Response {
    let id: String = id.chars().filter(char::is_ascii_alphanumeric).take(64).collect();
    axum::response::Redirect::to(&format!("/imports/{id}")).into_response()
}

pub(in crate::http) async fn page_exporter(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<Export>, QueryRejection>,
) -> std::result::Result<Response, PageError> {
    let Query(q) = q.map_err(|e| Error::requete(format!("paramètres invalides : {}", e.body_text())))?;
    Ok(exporter_fichier(&state, v.acteur, id, q).await?)
}

pub(in crate::http) async fn page_dossier(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<crate::domain::EleveId>,
) -> std::result::Result<Response, PageError> {
    Ok(emettre(&state, v.acteur, id).await?)
}

pub(in crate::http) async fn page_importer_dossier(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> std::result::Result<Response, PageError> {
    acceder(&state, &v.acteur, &id).await?;
    let m = m.map_err(|_| Error::invalide("dossier", "envoyez le formulaire depuis la page"))?;
    let res = match lire_dossier(m).await {
        Ok(e) => {
            v.verifier_csrf(&e.csrf)?;
            service(&state, v.acteur.clone(), {
                let id = id.clone();
                move |s| s.importer_dossier(&id, &e.octets, &e.admission)
            })
            .await
        }
        Err(err) => Err(err),
    };
    match res {
        Ok(r) => Ok(axum::response::Redirect::to(&format!("/eleves/{}?fait=admission", r.eleve_id)).into_response()),
        Err(err) if err.status().is_client_error() && err.status() != axum::http::StatusCode::NOT_FOUND => {
            let status = err.status();
            let mut r =
                rendre(&state, v, id, Some((Formulaire::Dossier, err.message().to_string())), Options::default())
                    .await?
                    .into_response();
            *r.status_mut() = status;
            Ok(r)
        }
        Err(err) => Err(err.into()),
    }
}
