//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! Until accounts exist, the server listens on loopback only and every request acts for the
//! whole installation.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::{Error, Result, blocking};
use crate::app::AppState;
use crate::documents::{Cible, Format, Imprimeur};
use crate::domain::identite::parse_date;
use crate::domain::{
    AnneeScolaire, ClasseId, ContactSaisie, EcoleId, EcoleSaisie, EleveId, EleveSaisie, EtatScolarite, Niveau,
    Perimetre, ResponsableSaisie,
};
use crate::render::Document;
use crate::store::classes::{self, ClasseResume};
use crate::store::eleves::{self, EleveLigne, FicheEleve, Filtre, NouvelEleve, NouvelleScolarite};
use crate::store::territoires::{self, EcoleResume};

/// The API routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/ecoles", get(lister_ecoles).post(creer_ecole))
        .route("/ecoles/{id}", get(lire_ecole))
        .route("/ecoles/{id}/classes", get(classes_ecole))
        .route("/ecoles/{id}/documents/{document}", get(document_ecole))
        .route("/classes/{id}", get(lire_classe))
        .route("/classes/{id}/eleves", get(eleves_classe))
        .route("/classes/{id}/documents/{document}", get(document_classe))
        .route("/eleves", get(lister_eleves).post(creer_eleve))
        .route("/eleves/{id}", get(lire_eleve))
        .route("/eleves/{id}/documents/{document}", get(document_eleve))
}

/// The OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "registre", description = "API du registre des élèves du premier degré"),
    paths(
        lister_ecoles,
        creer_ecole,
        lire_ecole,
        classes_ecole,
        document_ecole,
        lire_classe,
        eleves_classe,
        document_classe,
        lister_eleves,
        creer_eleve,
        lire_eleve,
        document_eleve
    ),
    components(schemas(super::error::ErrorBody))
)]
#[derive(Debug)]
pub struct ApiDoc;

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

// The perimeter of every request until accounts exist (loopback only).
const TOUT: Perimetre = Perimetre::Installation;

fn id<T, F: FnOnce(&str) -> std::result::Result<T, crate::domain::IdError>>(
    quoi: &str,
    s: &str,
    parse: F,
) -> Result<T> {
    parse(s).map_err(|_| Error::introuvable(quoi))
}

fn query<T>(q: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(v)| v)
        .map_err(|e| Error::requete(format!("paramètres de requête invalides ({})", traduire(&e.body_text()))))
}

fn json<T>(j: std::result::Result<Json<T>, JsonRejection>) -> Result<T> {
    match j {
        Ok(Json(v)) => Ok(v),
        Err(JsonRejection::MissingJsonContentType(_)) => {
            Err(Error::requete("le corps de la requête doit être du JSON (Content-Type: application/json)"))
        }
        Err(JsonRejection::JsonSyntaxError(_)) => {
            Err(Error::requete("le corps de la requête n'est pas du JSON valide (UTF-8)"))
        }
        Err(JsonRejection::JsonDataError(e)) => {
            Err(Error::invalide("corps", format!("données invalides : {}", traduire(&e.body_text()))))
        }
        Err(e) => Err(Error::requete(format!("corps de requête illisible ({})", traduire(&e.body_text())))),
    }
}

/// Puts serde's English diagnostics into French, keeping the field name.
fn traduire(msg: &str) -> String {
    let detail = msg.rsplit(": ").next().unwrap_or(msg);
    let champ = detail.split('`').nth(1).unwrap_or("");
    if detail.starts_with("missing field") {
        format!("champ obligatoire manquant : {champ}")
    } else if detail.starts_with("unknown field") {
        format!("champ inconnu : {champ}")
    } else if detail.starts_with("invalid type") || detail.starts_with("invalid value") {
        "un champ n'a pas le type attendu".into()
    } else if detail.starts_with("unknown variant") {
        format!("valeur inconnue : {champ}")
    } else {
        "format inattendu".into()
    }
}

fn annee_de(s: &crate::app::Inner, annee: Option<&str>) -> Result<AnneeScolaire> {
    match annee {
        Some(a) => Ok(AnneeScolaire::parse(a).map_err(crate::domain::Error::from)?),
        None => Ok(s.store.read(territoires::annee_courante)?),
    }
}

/// Lists the schools.
#[utoipa::path(get, path = "/api/v1/ecoles", tag = "territoires",
    responses((status = 200, description = "Écoles du périmètre", body = [EcoleResume])))]
async fn lister_ecoles(State(state): State<AppState>) -> Result<Json<Vec<EcoleResume>>> {
    blocking(&state, |s| Ok(s.store.read(|c| territoires::ecoles(c, &TOUT))?)).await.map(Json)
}

/// One school.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}", tag = "territoires",
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 200, body = EcoleResume), (status = 404, body = super::error::ErrorBody)))]
async fn lire_ecole(State(state): State<AppState>, Path(ecole): Path<String>) -> Result<Json<EcoleResume>> {
    let ecole = id("école", &ecole, EcoleId::parse)?;
    blocking(&state, move |s| Ok(s.store.read(|c| territoires::ecole(c, &TOUT, &ecole))?)).await.map(Json)
}

/// The created record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Cree {
    /// Its public id.
    pub id: String,
    /// Warnings that did not prevent the creation (French).
    pub avertissements: Vec<String>,
}

/// Creates a school.
#[utoipa::path(post, path = "/api/v1/ecoles", tag = "territoires", request_body = EcoleSaisie,
    responses((status = 201, body = Cree), (status = 422, body = super::error::ErrorBody),
              (status = 409, body = super::error::ErrorBody)))]
async fn creer_ecole(
    State(state): State<AppState>,
    body: std::result::Result<Json<EcoleSaisie>, JsonRejection>,
) -> Result<(StatusCode, Json<Cree>)> {
    let saisie = json(body)?;
    let ecole = saisie.valider()?;
    let id = blocking(&state, move |s| {
        let id = EcoleId::random(&mut rand::rng());
        s.store.write(|tx| territoires::insert_ecole(tx, &id, &ecole))?;
        Ok(id)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(Cree { id: id.to_string(), avertissements: vec![] })))
}

/// Filter on the année scolaire.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AnneeParam {
    /// Année scolaire (`2026-2027`); the current one by default.
    pub annee: Option<String>,
}

/// The classes of a school.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/classes", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de l'école"), AnneeParam),
    responses((status = 200, body = [ClasseResume]), (status = 404, body = super::error::ErrorBody)))]
async fn classes_ecole(
    State(state): State<AppState>,
    Path(ecole): Path<String>,
    q: std::result::Result<Query<AnneeParam>, QueryRejection>,
) -> Result<Json<Vec<ClasseResume>>> {
    let ecole = id("école", &ecole, EcoleId::parse)?;
    let q = query(q)?;
    blocking(&state, move |s| {
        let annee = annee_de(s, q.annee.as_deref())?;
        Ok(s.store.read(|c| {
            territoires::ecole(c, &TOUT, &ecole)?;
            classes::classes(c, &TOUT, &ecole, annee)
        })?)
    })
    .await
    .map(Json)
}

/// One class.
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = ClasseResume), (status = 404, body = super::error::ErrorBody)))]
async fn lire_classe(State(state): State<AppState>, Path(classe): Path<String>) -> Result<Json<ClasseResume>> {
    let classe = id("classe", &classe, ClasseId::parse)?;
    blocking(&state, move |s| Ok(s.store.read(|c| classes::classe(c, &TOUT, &classe))?)).await.map(Json)
}

/// The pupils of a class.
#[utoipa::path(get, path = "/api/v1/classes/{id}/eleves", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = [EleveLigne]), (status = 404, body = super::error::ErrorBody)))]
async fn eleves_classe(State(state): State<AppState>, Path(classe): Path<String>) -> Result<Json<Vec<EleveLigne>>> {
    let classe = id("classe", &classe, ClasseId::parse)?;
    blocking(&state, move |s| {
        Ok(s.store.read(|c| {
            let k = classes::classe(c, &TOUT, &classe)?;
            let f = Filtre { classe: Some(classe.clone()), presents: true, ..Filtre::annee(k.annee) };
            eleves::lister(c, &TOUT, &f)
        })?)
    })
    .await
    .map(Json)
}

/// Filters of the pupil list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListeParams {
    /// Only this school (id).
    pub ecole: Option<String>,
    /// Only this class (id).
    pub classe: Option<String>,
    /// Words of the noms or prénoms (case, accents and hyphens ignored).
    pub q: Option<String>,
    /// Année scolaire (`2026-2027`); the current one by default.
    pub annee: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limite: Option<u32>,
    /// Skip this many.
    pub decalage: Option<u32>,
}

/// Lists or searches pupils.
#[utoipa::path(get, path = "/api/v1/eleves", tag = "eleves", params(ListeParams),
    responses((status = 200, body = [EleveLigne]), (status = 400, body = super::error::ErrorBody)))]
async fn lister_eleves(
    State(state): State<AppState>,
    q: std::result::Result<Query<ListeParams>, QueryRejection>,
) -> Result<Json<Vec<EleveLigne>>> {
    let q = query(q)?;
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(Error::invalide("q", "recherche trop longue (200 caractères au plus)"));
    }
    let ecole = q.ecole.as_deref().map(|e| id("école", e, EcoleId::parse)).transpose()?;
    let classe = q.classe.as_deref().map(|e| id("classe", e, ClasseId::parse)).transpose()?;
    blocking(&state, move |s| {
        let annee = annee_de(s, q.annee.as_deref())?;
        let f = Filtre {
            annee,
            ecole,
            classe,
            q: q.q.clone(),
            presents: false,
            limite: q.limite.unwrap_or(100).min(1000),
            decalage: q.decalage.unwrap_or(0),
        };
        Ok(s.store.read(|c| eleves::lister(c, &TOUT, &f))?)
    })
    .await
    .map(Json)
}

/// Everything stored about a pupil.
#[utoipa::path(get, path = "/api/v1/eleves/{id}", tag = "eleves",
    params(("id" = String, Path, description = "Identifiant de l'élève"), AnneeParam),
    responses((status = 200, body = FicheEleve), (status = 404, body = super::error::ErrorBody)))]
async fn lire_eleve(
    State(state): State<AppState>,
    Path(eleve): Path<String>,
    q: std::result::Result<Query<AnneeParam>, QueryRejection>,
) -> Result<Json<FicheEleve>> {
    let eleve = id("élève", &eleve, EleveId::parse)?;
    let q = query(q)?;
    blocking(&state, move |s| {
        let annee = annee_de(s, q.annee.as_deref())?;
        Ok(s.store.read(|c| eleves::fiche(c, &TOUT, &eleve, annee))?)
    })
    .await
    .map(Json)
}

/// A pupil admitted directly in a school (identity, family, contacts, niveau).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DemandeAdmission {
    /// School id.
    pub ecole_id: String,
    /// Niveau (`CE2`).
    pub niveau: String,
    /// Class id, to place the pupil at once.
    #[serde(default)]
    pub classe_id: Option<String>,
    /// ULIS dispositif.
    #[serde(default)]
    pub ulis: bool,
    /// Provisional admission (a paper is missing).
    #[serde(default)]
    pub provisoire: bool,
    /// Date of admission (`jj/mm/aaaa`); today by default.
    #[serde(default)]
    pub date_admission: Option<String>,
    /// Category I.
    pub eleve: EleveSaisie,
    /// Category II (at most 4).
    #[serde(default)]
    pub responsables: Vec<ResponsableSaisie>,
    /// Category III (at most 9).
    #[serde(default)]
    pub contacts: Vec<ContactSaisie>,
}

/// Creates a pupil admitted in a school; issues an INE when none is given.
#[utoipa::path(post, path = "/api/v1/eleves", tag = "eleves", request_body = DemandeAdmission,
    responses((status = 201, body = Cree), (status = 422, body = super::error::ErrorBody),
              (status = 409, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody)))]
async fn creer_eleve(
    State(state): State<AppState>,
    body: std::result::Result<Json<DemandeAdmission>, JsonRejection>,
) -> Result<(StatusCode, Json<Cree>)> {
    let d = json(body)?;
    if d.responsables.len() > 4 {
        return Err(Error::invalide("responsables", "au plus 4 responsables légaux"));
    }
    if d.contacts.len() > 9 {
        return Err(Error::invalide("contacts", "au plus 9 personnes à contacter"));
    }
    let today = state.clock.today();
    let (identite, mut avertissements) = d.eleve.valider(today)?;
    let responsables = d.responsables.iter().map(|r| r.valider()).collect::<std::result::Result<Vec<_>, _>>()?;
    let contacts = d.contacts.iter().map(|k| k.valider()).collect::<std::result::Result<Vec<_>, _>>()?;
    let niveau = Niveau::parse(&d.niveau).map_err(crate::domain::Error::from)?;
    let ecole = EcoleId::parse(d.ecole_id.trim()).map_err(|_| Error::introuvable("école"))?;
    let classe = d
        .classe_id
        .as_deref()
        .map(|k| ClasseId::parse(k.trim()).map_err(|_| Error::introuvable("classe")))
        .transpose()?;
    let date_admission = match d.date_admission.as_deref() {
        Some(s) => parse_date("date d'admission", s).map_err(crate::domain::Error::from)?,
        None => today,
    };
    let (id, mut warnings) = blocking(&state, move |s| {
        let annee = s.store.read(territoires::annee_courante)?;
        let n = NouvelEleve {
            identite,
            responsables,
            contacts,
            scolarite: NouvelleScolarite {
                annee,
                ecole,
                niveau,
                classe,
                ulis: d.ulis,
                etat: if d.provisoire { EtatScolarite::AdmisProvisoire } else { EtatScolarite::AdmisDefinitif },
                date_admission,
            },
        };
        Ok(s.store.write(|tx| eleves::creer(tx, &TOUT, &n, &mut rand::rng()))?)
    })
    .await?;
    avertissements.append(&mut warnings);
    Ok((StatusCode::CREATED, Json(Cree { id: id.to_string(), avertissements })))
}

/// Output of a bulk print.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FormatParam {
    /// `pdf` (one merged file, the default) or `zip` (one PDF per document).
    pub format: Option<String>,
}

fn document(name: &str) -> Result<Document> {
    Document::from_name(name.trim_end_matches(".pdf")).ok_or_else(|| {
        let noms: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        Error::introuvable(&format!(
            "document « {} » (connus : {})",
            name.chars().take(40).collect::<String>(),
            noms.join(", ")
        ))
    })
}

async fn imprimer(state: AppState, doc: Document, cible: Cible, format: Format) -> Result<Response> {
    let (bytes, nom) = blocking(&state, move |s| {
        let imp = Imprimeur { store: &s.store, engine: &s.engine, perimetre: &TOUT, le: s.clock.now_paris() };
        match format {
            Format::Pdf => Ok((imp.pdf(doc, &cible)?, format!("{}.pdf", doc.name()))),
            Format::Zip => {
                let n = imp.compter(doc, &cible)?;
                if n > crate::documents::MAX_FUSION {
                    return Err(Error::requete(format!(
                        "{n} documents : au-delà de {}, utilisez « registre render » sur le serveur",
                        crate::documents::MAX_FUSION
                    )));
                }
                let mut buf = std::io::Cursor::new(Vec::new());
                imp.zip(doc, &cible, &mut buf, &|_| {})?;
                Ok((buf.into_inner(), format!("{}.zip", doc.name())))
            }
        }
    })
    .await?;
    let mime = if nom.ends_with(".zip") { "application/zip" } else { "application/pdf" };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{nom}\"")),
        ],
        bytes,
    )
        .into_response())
}

fn format_de(p: std::result::Result<Query<FormatParam>, QueryRejection>) -> Result<Format> {
    match query(p)?.format.as_deref() {
        None | Some("pdf") => Ok(Format::Pdf),
        Some("zip") => Ok(Format::Zip),
        Some(_) => Err(Error::invalide("format", "attendu : pdf ou zip")),
    }
}

/// A document of a pupil (`certificat-scolarite`, `fiche-renseignements`) as PDF.
#[utoipa::path(get, path = "/api/v1/eleves/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'élève"),
           ("document" = String, Path, description = "Nom du document")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = super::error::ErrorBody)))]
async fn document_eleve(State(state): State<AppState>, Path((eleve, doc)): Path<(String, String)>) -> Result<Response> {
    let eleve = id("élève", &eleve, EleveId::parse)?;
    imprimer(state, document(&doc)?, Cible::Eleve(eleve), Format::Pdf).await
}

/// A document for a class: its list, or a pupil document for every pupil (merged PDF or ZIP).
#[utoipa::path(get, path = "/api/v1/classes/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de la classe"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = super::error::ErrorBody)))]
async fn document_classe(
    State(state): State<AppState>,
    Path((classe, doc)): Path<(String, String)>,
    f: std::result::Result<Query<FormatParam>, QueryRejection>,
) -> Result<Response> {
    let classe = id("classe", &classe, ClasseId::parse)?;
    imprimer(state, document(&doc)?, Cible::Classe(classe), format_de(f)?).await
}

/// A document for a school: every class list, or a pupil document for every pupil.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'école"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = super::error::ErrorBody)))]
async fn document_ecole(
    State(state): State<AppState>,
    Path((ecole, doc)): Path<(String, String)>,
    f: std::result::Result<Query<FormatParam>, QueryRejection>,
) -> Result<Response> {
    let ecole = id("école", &ecole, EcoleId::parse)?;
    imprimer(state, document(&doc)?, Cible::Ecole(ecole), format_de(f)?).await
}
