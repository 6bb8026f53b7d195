//! A school's exchange files: the ministry's files imported (as background jobs: `/imports`)
//! and exported, from the API and from the school's page « Échanges »; transfer dossiers.
//! Every handler calls the use cases (`service::onde`, `service::travaux`, `service::dossier`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::EcoleId;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::session::Connecte;
use crate::http::{Error, Result, blocking, service};
use crate::policy::{Action, Ressource};
use crate::service::dossier::AdmissionDossier;
use crate::service::onde::{FichierRecu, FormatEchange, Options};
use crate::service::parcours::Resultat;
use crate::service::travaux::VueImport;

/// Most files in one import.
pub(in crate::http) const FICHIERS_MAX: usize = 8;

/// An upload, read: the files, the options, and the CSRF token of a page's form.
pub(in crate::http) struct Envoi {
    pub(in crate::http) fichiers: Vec<FichierRecu>,
    pub(in crate::http) options: Options,
    pub(in crate::http) csrf: String,
}

pub(in crate::http) fn oui(v: &str) -> bool {
    matches!(v.trim(), "true" | "on" | "oui" | "1")
}

pub(in crate::http) async fn lire_envoi(mut m: Multipart) -> Result<Envoi> {
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
pub(in crate::http) async fn lancer(
    state: &AppState,
    a: crate::auth::Acteur,
    ecole: EcoleId,
    e: Envoi,
) -> Result<VueImport> {
    let s = state.clone();
    service(state, a, move |svc| {
        let noms = e.fichiers.iter().map(|f| f.nom.chars().filter(|c| !c.is_control()).take(80).collect()).collect();
        let l = svc.lire_import_onde(&ecole, &e.fichiers, e.options)?;
        let lanceur = s.clone();
        svc.lancer_import(&s.travaux, l, noms, || lanceur.demarrer_imports())
    })
    .await
}

/// The form of an ONDE import (`multipart/form-data`), as the OpenAPI document shows it.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EnvoiOnde {
    /// ONDE's files (pupils, responsables; CSV or XLSX): one or more, 2 MB at most in all.
    #[schema(value_type = Vec<String>, format = Binary, min_items = 1)]
    pub fichier: Vec<Vec<u8>>,
    /// `true` for a dry run: everything is checked, nothing is written.
    #[schema(value_type = Option<String>, pattern = "^(true|false|on|oui|1|0)$")]
    pub essai: Option<bool>,
    /// `true`: every line is written, or none.
    #[schema(value_type = Option<String>, pattern = "^(true|false|on|oui|1|0)$")]
    pub tout_ou_rien: Option<bool>,
}

/// The form of a transfer dossier's admission (`multipart/form-data`), as the OpenAPI
/// document shows it.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct EnvoiDossierForme {
    /// The signed transfer dossier (ZIP) the previous school delivered.
    #[schema(value_type = String, format = Binary)]
    pub dossier: Vec<u8>,
    /// The niveau, when it changes (`TPS`…`CM2`).
    pub niveau: Option<String>,
    /// A class to place the pupil in at once.
    pub classe_id: Option<String>,
    /// A missing paper (the field repeated for each).
    pub pieces_manquantes: Option<String>,
    /// Confirms a new child despite possible duplicates.
    #[schema(value_type = Option<String>, pattern = "^(true|false|on|oui|1|0)$")]
    pub confirmer_nouveau: Option<bool>,
}

/// Imports the ministry's files (pupils, responsables) into the school, as a job: the files
/// are read and checked now (a file refused is answered 422 and nothing is queued), the import
/// runs in the background in short transactions; its progress and report are at the address of
/// `Location` (`/api/v1/imports/{id}`). `essai=true` for a dry run. Multipart fields: `fichier`
/// (one or more), `essai`, `tout_ou_rien`.
#[utoipa::path(post, path = "/ecoles/{id}/import/onde", tag = "echanges",
    request_body(content = EnvoiOnde, content_type = "multipart/form-data"),
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 202, body = VueImport, description = "Importer les fichiers d'ONDE : l'import est lancé en arrière-plan"),
        (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme),
        (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn importer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response> {
    // The school first: another territory's is « introuvable » before the body is read.
    acceder(&state, &a, &id).await?;
    let m = m.map_err(|_| {
        Error::http(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .avec_message("envoyez les fichiers en multipart/form-data (champ « fichier »)")
    })?;
    let e = lire_envoi(m).await?;
    let v = lancer(&state, a, id, e).await?;
    Ok((axum::http::StatusCode::ACCEPTED, [(header::LOCATION, format!("/api/v1/imports/{}", v.id))], axum::Json(v))
        .into_response())
}

/// My imports, newest first (kept 24 hours), without their reports.
#[utoipa::path(get, path = "/imports", tag = "echanges", responses((status = 200, body = [VueImport])))]
pub(in crate::http) async fn lister_imports(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<axum::Json<Vec<VueImport>>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.imports(&s.travaux)).await?))
}

/// One of my imports: state, lines gone through, total, time left, and its report once over.
#[utoipa::path(get, path = "/imports/{id}", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, body = VueImport), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<axum::Json<VueImport>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.import(&s.travaux, &id)).await?))
}

/// Cancels one of my imports: waiting, it never runs; running, it stops after the
/// transaction under way (the lines already written stay, the report says which).
#[utoipa::path(post, path = "/imports/{id}/annulation", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, body = VueImport), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn annuler_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<axum::Json<VueImport>> {
    let s = state.clone();
    Ok(axum::Json(service(&state, a, move |svc| svc.annuler_import(&s.travaux, &id)).await?))
}

/// The report of one of my imports, line by line, as a CSV file (409 while it runs).
#[utoipa::path(get, path = "/imports/{id}/rapport", tag = "echanges", params(("id" = String, Path, description = "Import")),
    responses((status = 200, content_type = "text/csv", description = "Le rapport de l'import, ligne par ligne"),
        (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn rapport_import(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Response> {
    telecharger_rapport(&state, a, id).await
}

pub(in crate::http) async fn telecharger_rapport(
    state: &AppState,
    a: crate::auth::Acteur,
    id: String,
) -> Result<Response> {
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
    Ok(crate::http::telechargement("text/csv; charset=utf-8", &nom, octets))
}

/// The school, within the actor's perimeter and rights to exchange files (404 / 403 before
/// anything else is read).
pub(in crate::http) async fn acceder(
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
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// `csv` (default) or `xlsx`.
    #[serde(default)]
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: Option<String>,
    /// For CSV: `eleves` (default) or `responsables`.
    #[serde(default)]
    #[param(pattern = "^(eleves|responsables)$")]
    pub fichier: Option<String>,
}

pub(in crate::http) async fn exporter_fichier(
    state: &AppState,
    a: crate::auth::Acteur,
    id: EcoleId,
    q: Export,
) -> Result<Response> {
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
    Ok(crate::http::telechargement(mime, &nom, octets))
}

/// The school's pupils of the year in the ministry's format (plus birthplace and link).
#[utoipa::path(get, path = "/ecoles/{id}/export/onde", tag = "echanges",
    params(("id" = String, Path, description = "Identifiant de l'école"), Export),
    responses((status = 200, description = "Exporter les élèves et responsables au format d'ONDE (CSV ou XLSX)",
        content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn exporter(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<Export>, QueryRejection>,
) -> Result<Response> {
    let Query(q) = q.map_err(|e| Error::requete(format!("paramètres invalides : {}", e.body_text())))?;
    exporter_fichier(&state, a, id, q).await
}

// Transfer dossiers ------------------------------------------------------------------------------

pub(in crate::http) fn zip(nom: String, octets: Vec<u8>) -> Response {
    crate::http::telechargement("application/zip", &nom, octets)
}

pub(in crate::http) async fn emettre(
    state: &AppState,
    a: crate::auth::Acteur,
    id: crate::domain::EleveId,
) -> Result<Response> {
    let (nom, octets) =
        blocking(state, move |s| Ok(crate::http::contexte(s, &a).emettre_dossier(&s.engine, &id)?)).await?;
    Ok(zip(nom, octets))
}

/// The transfer dossier of a pupil radiated from the school: a signed ZIP.
#[utoipa::path(get, path = "/eleves/{id}/dossier-transfert", tag = "echanges",
    params(("id" = String, Path, description = "Élève radié")),
    responses((status = 200, description = "Délivrer le dossier de transfert (ZIP signé)", content_type = "application/zip", body = Vec<u8>),
        (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn dossier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<crate::domain::EleveId>,
) -> Result<Response> {
    emettre(&state, a, id).await
}

/// A dossier upload: the ZIP and how to admit.
pub(in crate::http) struct EnvoiDossier {
    pub(in crate::http) octets: Vec<u8>,
    pub(in crate::http) admission: AdmissionDossier,
    pub(in crate::http) csrf: String,
}

pub(in crate::http) async fn lire_dossier(mut m: Multipart) -> Result<EnvoiDossier> {
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
#[utoipa::path(post, path = "/ecoles/{id}/import/dossier", tag = "echanges",
    request_body(content = EnvoiDossierForme, content_type = "multipart/form-data"),
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 201, body = Resultat, description = "Admettre un élève avec son dossier de transfert"),
        (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme),
        (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn importer_dossier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    m: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(axum::http::StatusCode, axum::Json<Resultat>)> {
    acceder(&state, &a, &id).await?;
    let m = m.map_err(|_| {
        Error::http(axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .avec_message("envoyez le dossier en multipart/form-data (champ « dossier »)")
    })?;
    let e = lire_dossier(m).await?;
    let r = service(&state, a, move |s| s.importer_dossier(&id, &e.octets, &e.admission)).await?;
    Ok((axum::http::StatusCode::CREATED, axum::Json(r)))
}
