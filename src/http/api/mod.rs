//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! Every handler takes the authenticated actor, asks the policy, queries within the actor's
//! perimeter (a record outside it is « introuvable »), shows only the fields the role may see,
//! and journals the access before answering.

pub mod comptes;
pub mod contrat;
pub mod corrections;
pub mod echanges;
pub mod effectifs;
pub mod impressions;
pub mod parcours;
pub mod scolarite;
pub mod verifications;

use crate::http::corps::{Corps, CorpsRefuse};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use serde_json::Value;

use crate::domain::{AnneeScolaire, ClasseId, EcoleId, EcoleSaisie, EleveId};
use crate::domain::{Colonne, Document};
use crate::http::etat::AppState;
use crate::http::extraction::{Id, IdEt};
use crate::http::session::Connecte;
use crate::http::{Error, Result, service};
use crate::service::documents::{Cible, Format};
use crate::service::eleves::{RECHERCHE_MAX, Recherche};
use crate::store::classes::ClasseResume;
use crate::store::eleves::{EleveLigne, FicheEleve};
use crate::store::territoires::EcoleResume;
use crate::store::{journal, statistiques};

/// `GET /api/v1/openapi.json`: the document, serialized once when the router is built.
pub(in crate::http) async fn openapi(contrat: axum::body::Bytes) -> Response {
    use axum::response::IntoResponse;
    ([(axum::http::header::CONTENT_TYPE, "application/json")], contrat).into_response()
}

fn id<T, F: FnOnce(&str) -> std::result::Result<T, crate::domain::IdError>>(
    quoi: &str,
    s: &str,
    parse: F,
) -> Result<T> {
    parse(s).map_err(|_| Error::introuvable(quoi))
}

pub(in crate::http) fn query<T>(q: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(v)| v).map_err(|e| {
        let (champ, message) = traduire(&e.body_text());
        Error::parametre(champ, format!("paramètre de requête invalide : {message}"))
    })
}

pub(in crate::http) fn json<T>(j: std::result::Result<Corps<T>, CorpsRefuse>) -> Result<T> {
    match j {
        Ok(Corps(v)) => Ok(v),
        Err(CorpsRefuse::TypeContenu) => Err(Error::http(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        Err(CorpsRefuse::Syntaxe) => Err(Error::requete("le corps de la requête n'est pas du JSON valide (UTF-8)")),
        Err(CorpsRefuse::Donnees(e)) => {
            let (champ, message) = traduire(&e);
            Err(Error::invalide(champ, message))
        }
        Err(CorpsRefuse::Http(status)) => Err(Error::http(status)),
    }
}

/// Puts serde's English diagnostics into French; returns the field at fault (its path inside
/// the body, `eleve.religion`) and the message. axum reports the path before the detail:
/// « Failed to deserialize …: eleve: unknown field `religion`, expected … at line 1 column 9 ».
fn traduire(msg: &str) -> (String, String) {
    let msg = ["target type: ", "query string: "].iter().find_map(|p| msg.split_once(p).map(|(_, r)| r)).unwrap_or(msg);
    let (chemin, detail) = match msg.split_once(": ") {
        Some((p, d)) if !p.contains(' ') && !p.contains('`') => (if p == "." { "" } else { p }, d),
        _ => ("", msg),
    };
    let nomme = detail.split('`').nth(1).unwrap_or("");
    let joindre = |nom: &str| match (chemin, nom) {
        ("", n) => n.to_string(),
        (p, "") => p.to_string(),
        (p, n) => format!("{p}.{n}"),
    };
    if detail.starts_with("unknown field") {
        // The path already ends with the unknown key.
        let c = if chemin.rsplit(['.', ']']).next() == Some(nomme) { chemin.to_string() } else { joindre(nomme) };
        (c.clone(), format!("champ inconnu : {c} (un champ que l'API ne connaît pas n'est jamais enregistré)"))
    } else if detail.starts_with("duplicate field") {
        let c = if chemin.rsplit(['.', ']']).next() == Some(nomme) { chemin.to_string() } else { joindre(nomme) };
        (c.clone(), format!("champ en double : {c} (chaque champ ne s'envoie qu'une fois)"))
    } else if detail.starts_with("missing field") {
        let c = joindre(nomme);
        (c.clone(), format!("champ obligatoire manquant : {c}"))
    } else if detail.starts_with("invalid type") || detail.starts_with("invalid value") {
        let c = joindre("");
        let m = if c.is_empty() {
            "le corps n'a pas la forme attendue".to_string()
        } else {
            format!("{c} : valeur du mauvais type")
        };
        (if c.is_empty() { "corps".into() } else { c }, m)
    } else if detail.starts_with("unknown variant") {
        let c = joindre("");
        (if c.is_empty() { "corps".into() } else { c.clone() }, format!("{c} : valeur inconnue « {nomme} »"))
    } else {
        let c = joindre("");
        // A domain parser's own French message (`try_from`), after the path.
        let d = detail.split(" at line ").next().unwrap_or(detail);
        let francais = d.chars().any(|ch| "éèàùçê«".contains(ch));
        let m = if francais { d.to_string() } else { "format inattendu".to_string() };
        (if c.is_empty() { "corps".into() } else { c }, m)
    }
}

fn annee_de(annee: Option<&str>) -> Result<Option<AnneeScolaire>> {
    Ok(annee.map(AnneeScolaire::parse).transpose().map_err(crate::domain::Error::from)?)
}

/// Lists the schools.
#[utoipa::path(get, path = "/ecoles", tag = "territoires",
    responses((status = 200, description = "Écoles du périmètre", body = [EcoleResume])))]
pub(in crate::http) async fn lister_ecoles(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Vec<EcoleResume>>> {
    service(&state, a, |c| c.ecoles()).await.map(Json)
}

/// One school.
#[utoipa::path(get, path = "/ecoles/{id}", tag = "territoires",
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 200, body = EcoleResume), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(ecole): Id<EcoleId>,
) -> Result<Json<EcoleResume>> {
    service(&state, a, move |c| c.ecole(&ecole)).await.map(Json)
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
#[utoipa::path(post, path = "/ecoles", tag = "territoires", request_body = EcoleSaisie,
    responses((status = 201, body = Cree), (status = 422, body = crate::http::error::Probleme),
              (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn creer_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<EcoleSaisie>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Cree>)> {
    let ecole = json(body)?.valider()?;
    let id = service(&state, a, move |c| c.creer_ecole(&ecole)).await?;
    Ok((StatusCode::CREATED, Json(Cree { id: id.to_string(), avertissements: vec![] })))
}

/// Filter on the année scolaire.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnneeParam {
    /// Année scolaire (`2026-2027`); the current one by default.
    pub annee: Option<String>,
}

/// The classes of a school.
#[utoipa::path(get, path = "/ecoles/{id}/classes", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de l'école"), AnneeParam),
    responses((status = 200, body = [ClasseResume]), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn classes_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(ecole): Id<EcoleId>,
    q: std::result::Result<Query<AnneeParam>, QueryRejection>,
) -> Result<Json<Vec<ClasseResume>>> {
    let annee = annee_de(query(q)?.annee.as_deref())?;
    service(&state, a, move |c| c.classes(&ecole, annee)).await.map(Json)
}

/// One class.
#[utoipa::path(get, path = "/classes/{id}", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = ClasseResume), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(classe): Id<ClasseId>,
) -> Result<Json<ClasseResume>> {
    service(&state, a, move |c| c.classe(&classe)).await.map(Json)
}

/// The pupils of a class.
#[utoipa::path(get, path = "/classes/{id}/eleves", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = [EleveLigne]), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn eleves_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(classe): Id<ClasseId>,
) -> Result<Json<Value>> {
    service(&state, a, move |c| c.eleves_de_classe(&classe)).await.map(Json)
}

/// Filters of the pupil list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListeParams {
    /// Only this school (id).
    pub ecole: Option<String>,
    /// Only this class (id).
    pub classe: Option<String>,
    /// Words of the noms or prénoms (case, accents and hyphens ignored).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Année scolaire (`2026-2027`); the current one by default.
    pub annee: Option<String>,
    /// At most this many (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limite: Option<u32>,
    /// Skip this many.
    #[param(maximum = 1000000)]
    pub decalage: Option<u32>,
}

/// The most pupils `GET /eleves` skips (a département holds far fewer).
const DECALAGE_MAX: u32 = 1_000_000;

/// The most pupils one page of `GET /eleves` gives.
const LIMITE_MAX: u32 = 1000;

/// The header that gives a list's total, all pages included.
pub(in crate::http) const TOTAL: &str = "x-total-count";

/// Lists or searches pupils.
#[utoipa::path(get, path = "/eleves", tag = "eleves", params(ListeParams),
    responses((status = 200, body = [EleveLigne], description = "Les élèves de la page",
        headers(("X-Total-Count" = u64, description = "Nombre d'élèves correspondants, toutes pages comprises"))),
        (status = 400, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lister_eleves(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<ListeParams>, QueryRejection>,
) -> Result<Response> {
    let q = query(q)?;
    if q.q.as_ref().is_some_and(|t| t.chars().count() > RECHERCHE_MAX) {
        return Err(Error::invalide("q", format!("recherche trop longue ({RECHERCHE_MAX} caractères au plus)")));
    }
    let r = Recherche {
        ecole: q.ecole.as_deref().map(|e| id("école", e, EcoleId::parse)).transpose()?,
        classe: q.classe.as_deref().map(|e| id("classe", e, ClasseId::parse)).transpose()?,
        annee: annee_de(q.annee.as_deref())?,
        q: q.q,
        limite: match q.limite.unwrap_or(100) {
            n @ 1..=LIMITE_MAX => n,
            _ => {
                return Err(Error::invalide(
                    "limite",
                    format!("limite : de 1 à {LIMITE_MAX} élèves par page (decalage pour la suite)"),
                ));
            }
        },
        decalage: match q.decalage.unwrap_or(0) {
            n @ 0..=DECALAGE_MAX => n,
            _ => return Err(Error::invalide("decalage", format!("decalage : au plus {DECALAGE_MAX}"))),
        },
    };
    let (eleves, total) = service(&state, a, move |c| c.eleves_page(&r)).await?;
    Ok(([(TOTAL, total.to_string())], Json(eleves)).into_response())
}

/// Everything stored about a pupil.
#[utoipa::path(get, path = "/eleves/{id}", tag = "eleves",
    params(("id" = String, Path, description = "Identifiant de l'élève"), AnneeParam),
    responses((status = 200, body = FicheEleve), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(eleve): Id<EleveId>,
    q: std::result::Result<Query<AnneeParam>, QueryRejection>,
) -> Result<Json<Value>> {
    let annee = annee_de(query(q)?.annee.as_deref())?;
    service(&state, a, move |c| c.eleve(&eleve, annee)).await.map(Json)
}

/// Creates a pupil admitted in a school; issues an INE when none is given.
#[utoipa::path(post, path = "/eleves", tag = "eleves", request_body = crate::http::api::parcours::DemandeAdmissionSaisie,
    responses((status = 201, body = Cree), (status = 422, body = crate::http::error::Probleme),
              (status = 409, body = crate::http::error::Probleme), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn creer_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<crate::http::api::parcours::DemandeAdmissionSaisie>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Cree>)> {
    let d = json(body)?;
    if d.inscription_id.is_some() {
        return Err(Error::invalide(
            "inscription_id",
            "l'admission depuis une inscription se fait par POST /api/v1/admissions",
        ));
    }
    // The same road as POST /api/v1/admissions: duplicate search, « attending elsewhere »,
    // no date in the future, INE kept or assigned.
    let (demande, mut avertissements) = d.valider(state.clock.today())?;
    let mut r = service(&state, a, move |c| c.admettre(&demande)).await?;
    avertissements.append(&mut r.avertissements);
    Ok((StatusCode::CREATED, Json(Cree { id: r.eleve_id, avertissements })))
}

/// Output of a bulk print.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormatParam {
    /// `pdf` (one merged file, the default), `zip` (one PDF per document) or `csv` (the liste
    /// électorale and the liste des élèves).
    #[param(pattern = "^(pdf|zip|csv)$")]
    pub format: Option<String>,
    /// The columns of a liste des élèves, comma-separated (`nom,prenoms,naissance,classe`).
    pub colonnes: Option<String>,
}

pub(in crate::http) fn document(name: &str) -> Result<Document> {
    Document::from_name(name.trim_end_matches(".pdf")).ok_or_else(|| {
        let noms: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        Error::introuvable(&format!(
            "document « {} » (connus : {})",
            name.chars().take(40).collect::<String>(),
            noms.join(", ")
        ))
    })
}

fn format_de(p: std::result::Result<Query<FormatParam>, QueryRejection>) -> Result<(Format, Vec<Colonne>)> {
    let q = query(p)?;
    let format = match q.format.as_deref() {
        None | Some("pdf") => Format::Pdf,
        Some("zip") => Format::Zip,
        Some("csv") => Format::Csv,
        Some(_) => return Err(Error::invalide("format", "attendu : pdf, zip ou csv")),
    };
    let colonnes = match q.colonnes.as_deref() {
        Some(c) => Colonne::liste(c).map_err(|m| Error::invalide("colonnes", m))?,
        None => Vec::new(),
    };
    Ok((format, colonnes))
}

/// A document of a pupil (`certificat-scolarite`, `fiche-renseignements`) as PDF.
#[utoipa::path(get, path = "/eleves/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'élève"),
           ("document" = String, Path, description = "Nom du document")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn document_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(eleve, doc): IdEt<EleveId>,
) -> Result<Response> {
    crate::http::imprimer(&state, a, document(&doc)?, Cible::Eleve(eleve), (Format::Pdf, Vec::new())).await
}

/// A document for a class: its list, or a pupil document for every pupil (merged PDF or ZIP).
#[utoipa::path(get, path = "/classes/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de la classe"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, description = "Le document : un PDF, un ZIP d'un PDF par élève, ou un tableau CSV",
        content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/zip"), (String = "text/csv"))),
        (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn document_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(classe, doc): IdEt<ClasseId>,
    f: std::result::Result<Query<FormatParam>, QueryRejection>,
) -> Result<Response> {
    crate::http::imprimer(&state, a, document(&doc)?, Cible::Classe(classe), format_de(f)?).await
}

/// A document for a school: every class list, or a pupil document for every pupil.
#[utoipa::path(get, path = "/ecoles/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'école"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, description = "Le document : un PDF, un ZIP d'un PDF par élève, ou un tableau CSV",
        content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/zip"), (String = "text/csv"))),
        (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn document_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(ecole, doc): IdEt<EcoleId>,
    f: std::result::Result<Query<FormatParam>, QueryRejection>,
) -> Result<Response> {
    crate::http::imprimer(&state, a, document(&doc)?, Cible::Ecole(ecole), format_de(f)?).await
}

/// Counts of pupils per school and niveau (current year). For the statisticien, cells from 1
/// to 10 and the cells that would reveal them are suppressed (`null`).
#[utoipa::path(get, path = "/statistiques/effectifs", tag = "statistiques",
    responses((status = 200, body = statistiques::Tableau), (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn effectifs(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<statistiques::Tableau>> {
    service(&state, a, |c| c.effectifs()).await.map(Json)
}

/// Who consulted a pupil's record, by function and date (never a name).
#[utoipa::path(get, path = "/eleves/{id}/consultations", tag = "eleves",
    params(("id" = String, Path, description = "Identifiant de l'élève")),
    responses((status = 200, body = [journal::Consultation]), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn consultations(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(eleve): Id<EleveId>,
) -> Result<Json<Vec<journal::Consultation>>> {
    service(&state, a, move |c| c.consultations(&eleve)).await.map(Json)
}
