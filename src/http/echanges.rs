//! A school's exchange files: the ministry's files imported (as background jobs: `/imports`)
//! and exported, from the API and from the school's page « Échanges »; transfer dossiers.
//! Every handler calls the use cases (`service::onde`, `service::travaux`, `service::dossier`).

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use super::extraction::Id;
use super::pages::{PageError, avec_moi};
use super::session::{Connecte, Visiteur};
use super::{Error, Result, blocking, service};
use crate::domain::EcoleId;
use crate::http::etat::AppState;
use crate::policy::{Action, Ressource};
use crate::service::dossier::AdmissionDossier;
use crate::service::onde::{FichierRecu, FormatEchange, Options};
use crate::service::parcours::Resultat;
use crate::service::travaux::VueImport;

/// Most files in one import.
const FICHIERS_MAX: usize = 8;

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ecoles/{id}/import/onde", post(importer))
        .route("/ecoles/{id}/export/onde", get(exporter))
        .route("/ecoles/{id}/import/dossier", post(importer_dossier))
        .route("/eleves/{id}/dossier-transfert", get(dossier))
        .route("/imports", get(lister_imports))
        .route("/imports/{id}", get(lire_import))
        .route("/imports/{id}/annulation", post(annuler_import))
        .route("/imports/{id}/rapport", get(rapport_import))
}

/// The page routes.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/ecoles/{id}/echanges", get(page))
        .route("/ecoles/{id}/echanges/import", post(page_importer).get(vers_la_page))
        .route("/ecoles/{id}/echanges/export", get(page_exporter))
        .route("/ecoles/{id}/echanges/dossier", post(page_importer_dossier).get(vers_la_page))
        .route("/eleves/{id}/dossier-transfert", get(page_dossier))
        .route("/imports/{id}", get(page_import))
        .route("/imports/{id}/annuler", post(page_annuler_import).get(vers_l_import))
}

/// An upload, read: the files, the options, and the CSRF token of a page's form.
struct Envoi {
    fichiers: Vec<FichierRecu>,
    options: Options,
    csrf: String,
}

fn oui(v: &str) -> bool {
    matches!(v.trim(), "true" | "on" | "oui" | "1")
}

async fn lire_envoi(mut m: Multipart) -> Result<Envoi> {
    let illisible = |e: axum::extract::multipart::MultipartError| {
        Error::invalide(
            "fichier",
            format!("envoi illisible ({}) : 2 Mo au plus, en multipart/form-data", e.body_text()),
        )
    };
    let mut e = Envoi { fichiers: Vec::new(), options: Options::default(), csrf: String::new() };
    while let Some(champ) = m.next_field().await.map_err(illisible)? {
        let nom = champ.name().unwrap_or_default().to_string();
        match nom.as_str() {
            "fichier" | "fichiers" => {
                let nom_fichier = champ.file_name().unwrap_or("fichier").to_string();
                let octets = champ.bytes().await.map_err(illisible)?;
                if octets.is_empty() {
                    continue;
                }
                if e.fichiers.len() == FICHIERS_MAX {
                    return Err(Error::invalide("fichier", format!("{FICHIERS_MAX} fichiers au plus à la fois")));
                }
                e.fichiers.push(FichierRecu { nom: nom_fichier, octets: octets.to_vec() });
            }
            "essai" => e.options.essai = oui(&champ.text().await.map_err(illisible)?),
            "tout_ou_rien" => e.options.tout_ou_rien = oui(&champ.text().await.map_err(illisible)?),
            "csrf" => e.csrf = champ.text().await.map_err(illisible)?,
            _ => return Err(Error::invalide(nom.chars().take(40).collect::<String>(), "champ inconnu")),
        }
    }
    if e.fichiers.is_empty() {
        return Err(Error::invalide("fichier", "choisissez au moins un fichier (élèves, responsables)"));
    }
    Ok(e)
}

/// Reads the files sent (within their bounds, no lock taken) and queues their import.
async fn lancer(state: &AppState, a: crate::auth::Acteur, ecole: EcoleId, e: Envoi) -> Result<VueImport> {
    let s = state.clone();
    service(state, a, move |svc| {
        let noms = e.fichiers.iter().map(|f| f.nom.chars().filter(|c| !c.is_control()).take(80).collect()).collect();
        let l = svc.lire_import_onde(&ecole, &e.fichiers, e.options)?;
        let lanceur = s.clone();
        svc.lancer_import(&s.travaux, l, noms, || lanceur.demarrer_imports())
    })
    .await
}

/// Imports the ministry's files (pupils, responsables) into the school, as a job: the files
/// are read and checked now (a file refused is answered 422 and nothing is queued), the import
/// runs in the background in short transactions; its progress and report are at the address of
/// `Location` (`/api/v1/imports/{id}`). `essai=true` for a dry run. Multipart fields: `fichier`
/// (one or more), `essai`, `tout_ou_rien`.
#[utoipa::path(post, path = "/api/v1/ecoles/{id}/import/onde", tag = "echanges",
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 202, body = VueImport, description = "Importer les fichiers d'ONDE : l'import est lancé en arrière-plan"),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub(super) async fn importer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response> {
    // The school first: another territory's is « introuvable » before the body is read.
    acceder(&state, &a, &id).await?;
    let m = m.map_err(|_| Error::invalide("fichier", "envoyez les fichiers en multipart/form-data"))?;
    let e = lire_envoi(m).await?;
    let v = lancer(&state, a, id, e).await?;
    Ok((axum::http::StatusCode::ACCEPTED, [(header::LOCATION, format!("/api/v1/imports/{}", v.id))], axum::Json(v))
        .into_response())
}

/// My imports, newest first (kept 24 hours), without their reports.
#[utoipa::path(get, path = "/api/v1/imports", tag = "echanges", responses((status = 200, body = [VueImport])))]
pub(super) async fn lister_imports(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<axum::Json<Vec<VueImport>>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.imports(&s.travaux)).await?))
}

/// One of my imports: state, lines gone through, total, time left, and its report once over.
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, body = VueImport), (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn lire_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<axum::Json<VueImport>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.import(&s.travaux, &id)).await?))
}

/// Cancels one of my imports: waiting, it never runs; running, it stops after the
/// transaction under way (the lines already written stay, the report says which).
#[utoipa::path(post, path = "/api/v1/imports/{id}/annulation", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, body = VueImport), (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn annuler_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<axum::Json<VueImport>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.annuler_import(&s.travaux, &id)).await?))
}

/// The report of one of my imports, line by line, as a CSV file (409 while it runs).
#[utoipa::path(get, path = "/api/v1/imports/{id}/rapport", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, content_type = "text/csv", description = "Le rapport de l'import, ligne par ligne"),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody)))]
pub(super) async fn rapport_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Response> {
    telecharger_rapport(&state, a, id).await
}

async fn telecharger_rapport(state: &AppState, a: crate::auth::Acteur, id: String) -> Result<Response> {
    let s = state.clone();
    let (nom, octets) = service(state, a, move |svc| {
        let v = svc.import(&s.travaux, &id)?;
        let r = v.rapport.ok_or_else(|| {
            crate::service::Error::Conflit(format!("l'import n'est pas terminé ({})", v.etat_libelle))
        })?;
        let jour = v.cree_le.get(..10).unwrap_or("").to_string();
        Ok((format!("rapport-import-{}-{jour}.csv", crate::service::documents::ascii(&v.libelle)), r.csv()?))
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nom}\"")),
        ],
        octets,
    )
        .into_response())
}

/// The school, within the actor's perimeter and rights to exchange files (404 / 403 before
/// anything else is read).
async fn acceder(
    state: &AppState,
    a: &crate::auth::Acteur,
    id: &EcoleId,
) -> Result<crate::store::territoires::EcoleResume> {
    let id = id.clone();
    service(state, a.clone(), move |s| {
        s.autoriser(Ressource::Echange, Action::Lire)?;
        s.ecole(&id)
    })
    .await
}

/// The export's options.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// `csv` (default) or `xlsx`.
    #[serde(default)]
    pub format: Option<String>,
    /// For CSV: `eleves` (default) or `responsables`.
    #[serde(default)]
    pub fichier: Option<String>,
}

async fn exporter_fichier(state: &AppState, a: crate::auth::Acteur, id: EcoleId, q: Export) -> Result<Response> {
    let (format, mime) = match q.format.as_deref().unwrap_or("csv") {
        "csv" => (FormatEchange::Csv, "text/csv; charset=utf-8"),
        "xlsx" => (FormatEchange::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        _ => return Err(Error::invalide("format", "attendu : csv ou xlsx")),
    };
    let rang = match (format, q.fichier.as_deref().unwrap_or("eleves")) {
        (FormatEchange::Xlsx, _) | (_, "eleves") => 0,
        (_, "responsables") => 1,
        _ => return Err(Error::invalide("fichier", "attendu : eleves ou responsables")),
    };
    let mut fichiers = service(state, a, move |s| s.exporter_onde(&id, format)).await?;
    if rang >= fichiers.len() {
        return Err(Error::interne("export incomplet"));
    }
    let (nom, octets) = fichiers.swap_remove(rang);
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nom}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        octets,
    )
        .into_response())
}

/// The school's pupils of the year in the ministry's format (plus birthplace and link).
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/export/onde", tag = "echanges",
    params(("id" = String, Path, description = "Identifiant de l'école"), Export),
    responses((status = 200, description = "Exporter les élèves et responsables au format d'ONDE (CSV ou XLSX)"),
        (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn exporter(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<Export>, QueryRejection>,
) -> Result<Response> {
    let Query(q) = q.map_err(|e| Error::requete(format!("paramètres invalides : {}", e.body_text())))?;
    exporter_fichier(&state, a, id, q).await
}

#[derive(Serialize)]
struct PageEchanges {
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
enum Formulaire {
    Onde,
    Dossier,
}

async fn rendre(
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
async fn vers_la_page(Id(id): Id<EcoleId>) -> Result<Response> {
    Ok(axum::response::Redirect::to(&format!("/ecoles/{id}/echanges")).into_response())
}

async fn page(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
) -> std::result::Result<Html<String>, PageError> {
    rendre(&state, v, id, None, Options::default()).await
}

/// The page's import form: the files read now (a refusal comes back on the page, with its
/// reason), the import queued, and the visitor taken to its page.
async fn page_importer(
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
const LIGNES_AFFICHEES: usize = 1000;

#[derive(Serialize)]
struct PageImport {
    import: VueImport,
    en_cours: bool,
    /// Report lines left out of the page (in the CSV file).
    lignes_cachees: usize,
}

/// An import's page: its progress while it runs (the page reloads itself), then its report.
async fn page_import(
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

async fn page_annuler_import(
    State(state): State<AppState>,
    Path(id): Path<String>,
    super::extraction::Soumis(v, _): super::extraction::Soumis,
) -> std::result::Result<Response, PageError> {
    let s = state.clone();
    let i = id.clone();
    service(&state, v.acteur.clone(), move |svc| svc.annuler_import(&s.travaux, &i)).await?;
    Ok(axum::response::Redirect::to(&format!("/imports/{id}")).into_response())
}

/// A reload of the cancel form's address goes back to the import.
async fn vers_l_import(Path(id): Path<String>) -> Response {
    let id: String = id.chars().filter(char::is_ascii_alphanumeric).take(64).collect();
    axum::response::Redirect::to(&format!("/imports/{id}")).into_response()
}

async fn page_exporter(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<Export>, QueryRejection>,
) -> std::result::Result<Response, PageError> {
    let Query(q) = q.map_err(|e| Error::requete(format!("paramètres invalides : {}", e.body_text())))?;
    Ok(exporter_fichier(&state, v.acteur, id, q).await?)
}

// Transfer dossiers ------------------------------------------------------------------------------

fn zip(nom: String, octets: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{nom}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        octets,
    )
        .into_response()
}

async fn emettre(state: &AppState, a: crate::auth::Acteur, id: crate::domain::EleveId) -> Result<Response> {
    let (nom, octets) = blocking(state, move |s| Ok(super::contexte(s, &a).emettre_dossier(&s.engine, &id)?)).await?;
    Ok(zip(nom, octets))
}

/// The transfer dossier of a pupil radiated from the school: a signed ZIP.
#[utoipa::path(get, path = "/api/v1/eleves/{id}/dossier-transfert", tag = "echanges",
    params(("id" = String, Path, description = "Élève radié")),
    responses((status = 200, description = "Délivrer le dossier de transfert (ZIP signé)"),
        (status = 404, body = super::error::ErrorBody)))]
pub(super) async fn dossier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<crate::domain::EleveId>,
) -> Result<Response> {
    emettre(&state, a, id).await
}

async fn page_dossier(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<crate::domain::EleveId>,
) -> std::result::Result<Response, PageError> {
    Ok(emettre(&state, v.acteur, id).await?)
}

/// A dossier upload: the ZIP and how to admit.
struct EnvoiDossier {
    octets: Vec<u8>,
    admission: AdmissionDossier,
    csrf: String,
}

async fn lire_dossier(mut m: Multipart) -> Result<EnvoiDossier> {
    let illisible = |e: axum::extract::multipart::MultipartError| {
        Error::invalide(
            "dossier",
            format!("envoi illisible ({}) : 2 Mo au plus, en multipart/form-data", e.body_text()),
        )
    };
    let mut e = EnvoiDossier { octets: Vec::new(), admission: AdmissionDossier::default(), csrf: String::new() };
    while let Some(champ) = m.next_field().await.map_err(illisible)? {
        let nom = champ.name().unwrap_or_default().to_string();
        let texte = |t: String| t.trim().to_string();
        match nom.as_str() {
            "fichier" | "dossier" => e.octets = champ.bytes().await.map_err(illisible)?.to_vec(),
            "niveau" => {
                let t = texte(champ.text().await.map_err(illisible)?);
                if !t.is_empty() {
                    e.admission.niveau = Some(
                        crate::domain::Niveau::parse(&t).map_err(|err| Error::invalide("niveau", err.to_string()))?,
                    );
                }
            }
            "classe_id" => {
                let t = texte(champ.text().await.map_err(illisible)?);
                if !t.is_empty() {
                    e.admission.classe = Some(
                        crate::domain::ClasseId::parse(&t)
                            .map_err(|_| Error::invalide("classe_id", "classe inconnue"))?,
                    );
                }
            }
            "pieces_manquantes" => {
                let t = texte(champ.text().await.map_err(illisible)?);
                let p =
                    crate::domain::parcours::Piece::parse(&t).map_err(|r| Error::invalide("pieces_manquantes", r.0))?;
                e.admission.pieces_manquantes.push(p);
            }
            "confirmer_nouveau" => e.admission.confirmer_nouveau = oui(&champ.text().await.map_err(illisible)?),
            "csrf" => e.csrf = champ.text().await.map_err(illisible)?,
            _ => return Err(Error::invalide(nom.chars().take(40).collect::<String>(), "champ inconnu")),
        }
    }
    if e.octets.is_empty() {
        return Err(Error::invalide("dossier", "choisissez le dossier de transfert (fichier .zip)"));
    }
    Ok(e)
}

/// Admits a pupil in the school from a transfer dossier issued in another département.
/// Multipart fields: `fichier`, `niveau`, `classe_id`, `pieces_manquantes` (repeated),
/// `confirmer_nouveau`.
#[utoipa::path(post, path = "/api/v1/ecoles/{id}/import/dossier", tag = "echanges",
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 201, body = Resultat, description = "Admettre un élève avec son dossier de transfert"),
        (status = 404, body = super::error::ErrorBody), (status = 409, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub(super) async fn importer_dossier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(axum::http::StatusCode, axum::Json<Resultat>)> {
    acceder(&state, &a, &id).await?;
    let m = m.map_err(|_| Error::invalide("dossier", "envoyez le dossier en multipart/form-data"))?;
    let e = lire_dossier(m).await?;
    let r = service(&state, a, move |s| s.importer_dossier(&id, &e.octets, &e.admission)).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(r)))
}

async fn page_importer_dossier(
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
