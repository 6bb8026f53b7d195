//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`.
//!
//! Every handler takes the authenticated actor, asks the policy, queries within the actor's
//! perimeter (a record outside it is « introuvable »), shows only the fields the role may see,
//! and journals the access before answering.

pub mod comptes;
pub mod corrections;
pub mod echanges;
pub mod effectifs;
pub mod impressions;
pub mod parcours;
pub mod scolarite;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

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

/// The OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "registre", description = "API du registre des élèves du premier degré"),
    paths(
        lister_ecoles, creer_ecole, lire_ecole, classes_ecole, document_ecole, lire_classe, eleves_classe,
        document_classe, lister_eleves, creer_eleve, lire_eleve, document_eleve, effectifs, consultations,
        crate::http::api::comptes::login, crate::http::api::comptes::logout, crate::http::api::comptes::moi, crate::http::api::comptes::changer_mot_de_passe,
        crate::http::api::comptes::commencer_second_facteur, crate::http::api::comptes::confirmer_second_facteur, crate::http::api::comptes::activation,
        crate::http::api::comptes::reinitialisation, crate::http::api::comptes::lister_comptes, crate::http::api::comptes::creer_compte,
        crate::http::api::comptes::desactiver_compte, crate::http::api::comptes::lien_reinitialisation, crate::http::api::comptes::lire_parametres,
        crate::http::api::comptes::modifier_parametres, crate::http::api::parcours::doublons, crate::http::api::parcours::lister_inscriptions,
        crate::http::api::parcours::lire_inscription, crate::http::api::parcours::inscrire, crate::http::api::parcours::valider_inscription,
        crate::http::api::parcours::annuler_inscription, crate::http::api::parcours::document_inscription, crate::http::api::parcours::admettre,
        crate::http::api::parcours::completer, crate::http::api::scolarite::non_repartis, crate::http::api::scolarite::creer_classe, crate::http::api::scolarite::placer,
        crate::http::api::scolarite::proposer_classe, crate::http::api::scolarite::decider_classe, crate::http::api::scolarite::lire_passage,
        crate::http::api::scolarite::etape_passage, crate::http::api::scolarite::depart, crate::http::api::scolarite::radier, crate::http::api::scolarite::annuler_radiation, crate::http::api::scolarite::rentree,
        crate::http::api::parcours::verification_json, crate::http::api::impressions::lancer, crate::http::api::impressions::lister,
        crate::http::api::impressions::lire, crate::http::api::impressions::annuler, crate::http::api::impressions::fichier,
        crate::http::api::corrections::corriger_fiche, crate::http::api::corrections::corriger_identite, crate::http::api::corrections::ajouter_responsable,
        crate::http::api::corrections::corriger_responsable, crate::http::api::corrections::detacher_responsable,
        crate::http::api::corrections::corriger_contacts, crate::http::api::corrections::corriger_annuel,
        crate::http::api::corrections::demander_rectification, crate::http::api::corrections::rectifications_eleve,
        crate::http::api::corrections::rectifications, crate::http::api::corrections::decider_rectification, crate::http::api::corrections::opposer,
        crate::http::api::corrections::oppositions_eleve, crate::http::api::corrections::oppositions, crate::http::api::corrections::decider_opposition,
        crate::http::api::corrections::compte_famille, crate::http::api::corrections::mot_de_passe_oublie, crate::http::api::effectifs::rapport,
        crate::http::api::effectifs::constat_ecole, crate::http::api::effectifs::valider, crate::http::api::effectifs::campagne,
        crate::http::api::effectifs::lister_publications, crate::http::api::effectifs::publier, crate::http::api::effectifs::fichier_publication,
        crate::http::api::effectifs::rapport_prevision, crate::http::api::effectifs::prevision_ecole, crate::http::api::effectifs::ajuster,
        crate::http::api::effectifs::valider_prevision, crate::http::api::echanges::importer, crate::http::api::echanges::exporter, crate::http::api::echanges::dossier,
        crate::http::api::echanges::importer_dossier, crate::http::api::echanges::lister_imports, crate::http::api::echanges::lire_import,
        crate::http::api::echanges::annuler_import, crate::http::api::echanges::rapport_import
    ),
    components(schemas(crate::http::error::ErrorBody)),
    modifiers(&SecuriteCookie)
)]
#[derive(Debug)]
pub struct ApiDoc;

/// French summaries of the API's operations (the handlers' doc comments are English, for
/// the code): `METHOD path` → summary. A test checks every operation has one.
const RESUMES: &[(&str, &str)] = &[
    ("POST /api/v1/activation", "Activer un compte depuis son lien : choisir le mot de passe"),
    ("POST /api/v1/admissions", "Admettre un élève dans l'école"),
    ("POST /api/v1/campagnes/constat/{etape}", "Ouvrir ou clore la campagne du constat des effectifs (IA-DASEN)"),
    ("GET /api/v1/classes/{id}", "Lire une classe"),
    (
        "GET /api/v1/classes/{id}/documents/{document}",
        "Imprimer un document d'une classe : sa liste, ou un document par élève (PDF fusionné ou ZIP)",
    ),
    ("GET /api/v1/classes/{id}/eleves", "Lister les élèves d'une classe"),
    ("POST /api/v1/classes/{id}/passages", "Proposer le passage de tous les élèves de la classe"),
    (
        "POST /api/v1/classes/{id}/passages/decisions",
        "Décider le passage des élèves de la classe dont la famille a accepté ou n'a pas répondu en 15 jours",
    ),
    ("POST /api/v1/classes/{id}/placements", "Placer des élèves dans la classe (tous ou aucun)"),
    ("GET /api/v1/comptes", "Lister les comptes que l'on gère"),
    ("POST /api/v1/comptes", "Créer un compte en attente et obtenir son lien d'activation"),
    ("POST /api/v1/comptes/{id}/desactivation", "Désactiver un compte que l'on gère"),
    ("POST /api/v1/comptes/{id}/lien-reinitialisation", "Délivrer un lien de réinitialisation du mot de passe"),
    ("GET /api/v1/constat", "Constat des effectifs du territoire (IEN : par commune ; IA-DASEN : par circonscription)"),
    ("POST /api/v1/doublons", "Rechercher les élèves déjà connus qui pourraient être cet enfant (cinq critères)"),
    ("GET /api/v1/ecoles", "Lister les écoles"),
    ("POST /api/v1/ecoles", "Créer une école"),
    ("GET /api/v1/ecoles/{id}", "Lire une école"),
    ("GET /api/v1/ecoles/{id}/classes", "Lister les classes d'une école"),
    ("POST /api/v1/ecoles/{id}/classes/nouvelle", "Créer une classe pour l'année en cours"),
    ("GET /api/v1/ecoles/{id}/constat", "Constat de l'école : compté aujourd'hui et tel que validé"),
    ("POST /api/v1/ecoles/{id}/constat/validation", "Valider le constat de l'école (pendant la campagne)"),
    (
        "GET /api/v1/ecoles/{id}/documents/{document}",
        "Imprimer un document d'une école : listes des classes, registre, ou un document par élève",
    ),
    ("GET /api/v1/ecoles/{id}/export/onde", "Exporter les élèves et responsables au format d'ONDE (CSV ou XLSX)"),
    ("POST /api/v1/ecoles/{id}/import/dossier", "Admettre un élève avec son dossier de transfert"),
    (
        "POST /api/v1/ecoles/{id}/import/onde",
        "Lancer l'import des fichiers d'ONDE (élèves, responsables), ou son essai, en arrière-plan",
    ),
    ("GET /api/v1/ecoles/{id}/non-repartis", "Lister les élèves de l'école pas encore répartis dans une classe"),
    ("GET /api/v1/ecoles/{id}/prevision", "Prévision de l'école pour l'an prochain, niveau par niveau"),
    ("POST /api/v1/ecoles/{id}/prevision/ajustements", "Ajuster un niveau de la prévision de l'école"),
    ("POST /api/v1/ecoles/{id}/prevision/validation", "Valider la prévision de l'école"),
    ("GET /api/v1/eleves", "Lister ou rechercher des élèves"),
    ("POST /api/v1/eleves", "Créer un élève admis dans une école (un INE est attribué s'il n'en a pas)"),
    ("GET /api/v1/eleves/{id}", "Lire tout ce qui est conservé sur un élève (selon les droits du rôle)"),
    ("POST /api/v1/eleves/{id}/admission/completion", "Dossier complet : rendre l'admission définitive"),
    ("PUT /api/v1/eleves/{id}/annuel", "Corriger les autorisations, l'assurance et le périscolaire de l'année"),
    ("POST /api/v1/eleves/{id}/compte-famille", "Créer le compte d'un responsable de l'élève"),
    ("GET /api/v1/eleves/{id}/consultations", "Qui a consulté le dossier de l'élève, par fonction et date"),
    ("PUT /api/v1/eleves/{id}/contacts", "Remplacer la liste des personnes à contacter"),
    ("POST /api/v1/eleves/{id}/depart", "Noter que l'élève quitte l'école en fin d'année"),
    ("GET /api/v1/eleves/{id}/documents/{document}", "Imprimer un document d'un élève (PDF)"),
    ("GET /api/v1/eleves/{id}/dossier-transfert", "Délivrer le dossier de transfert d'un élève radié (ZIP signé)"),
    ("PUT /api/v1/eleves/{id}/fiche", "Corriger le dossier de l'élève en une fois (la fiche retournée)"),
    ("PUT /api/v1/eleves/{id}/identite", "Corriger l'identité et l'adresse de l'élève"),
    ("GET /api/v1/eleves/{id}/oppositions", "Lister les oppositions concernant un élève"),
    ("POST /api/v1/eleves/{id}/oppositions", "S'opposer, pour motif légitime, au traitement des données de son enfant"),
    ("GET /api/v1/eleves/{id}/passage", "Lire la procédure de passage de l'élève cette année"),
    (
        "POST /api/v1/eleves/{id}/passage/{etape}",
        "Étape du passage : proposition, réponse de la famille, décision, recours, commission",
    ),
    ("POST /api/v1/eleves/{id}/radiation", "Radier un élève (le certificat de radiation peut ensuite être imprimé)"),
    (
        "POST /api/v1/eleves/{id}/radiation/annulation",
        "Annuler une radiation saisie par erreur (son auteur, le jour même)",
    ),
    ("GET /api/v1/eleves/{id}/rectifications", "Lister les demandes de rectification concernant un élève"),
    (
        "POST /api/v1/eleves/{id}/rectifications",
        "Demander la rectification d'une donnée (un responsable, pour son enfant)",
    ),
    ("POST /api/v1/eleves/{id}/responsables", "Ajouter un responsable à l'élève"),
    ("PUT /api/v1/eleves/{id}/responsables/{rid}", "Corriger un responsable et son lien avec l'élève"),
    ("POST /api/v1/eleves/{id}/responsables/{rid}/detachement", "Détacher un responsable de l'élève"),
    ("GET /api/v1/impressions", "Lister mes impressions en lot (gardées 24 heures)"),
    ("GET /api/v1/imports", "Lister mes imports de fichiers d'ONDE (gardés 24 heures)"),
    ("GET /api/v1/imports/{id}", "Suivre un import : état, lignes faites, temps restant, puis son rapport"),
    ("POST /api/v1/imports/{id}/annulation", "Arrêter un import (ce qui est déjà enregistré le reste)"),
    ("GET /api/v1/imports/{id}/rapport", "Télécharger le rapport d'un import, ligne par ligne (CSV)"),
    ("POST /api/v1/impressions", "Demander une impression en lot (faite en arrière-plan)"),
    ("GET /api/v1/impressions/{id}", "Suivre une impression en lot : état, documents faits, temps restant"),
    ("POST /api/v1/impressions/{id}/annulation", "Annuler une impression en lot"),
    ("GET /api/v1/impressions/{id}/fichier", "Télécharger le fichier d'une impression en lot terminée"),
    ("GET /api/v1/inscriptions", "Lister les inscriptions du périmètre"),
    ("POST /api/v1/inscriptions", "Enregistrer une inscription (la mairie pour sa commune, ou l'école pour elle-même)"),
    ("GET /api/v1/inscriptions/{id}", "Lire une inscription"),
    ("POST /api/v1/inscriptions/{id}/annulation", "Annuler une inscription"),
    ("GET /api/v1/inscriptions/{id}/documents/{document}", "Imprimer le certificat d'inscription"),
    ("POST /api/v1/inscriptions/{id}/validation", "Confirmer une inscription (le certificat peut être imprimé)"),
    ("POST /api/v1/login", "Ouvrir une session"),
    ("POST /api/v1/logout", "Fermer la session"),
    ("GET /api/v1/moi", "Lire son compte"),
    ("POST /api/v1/moi/mot-de-passe", "Changer son mot de passe (les autres sessions sont fermées)"),
    ("POST /api/v1/moi/second-facteur", "Commencer l'activation du second facteur"),
    ("POST /api/v1/moi/second-facteur/confirmation", "Confirmer le second facteur ; obtenir les codes de secours"),
    ("POST /api/v1/mot-de-passe-oublie", "Mot de passe oublié : même réponse pour tout identifiant"),
    ("GET /api/v1/oppositions", "Lister les oppositions du périmètre"),
    ("POST /api/v1/oppositions/{id}/decision", "Décider d'une opposition, avec un motif (IA-DASEN)"),
    ("GET /api/v1/parametres", "Lire les réglages du département (IA-DASEN)"),
    ("PUT /api/v1/parametres", "Modifier les réglages du département (IA-DASEN)"),
    ("GET /api/v1/prevision", "Prévision de l'an prochain du territoire"),
    ("GET /api/v1/publications", "Lister les publications statistiques téléchargeables"),
    ("POST /api/v1/publications", "Préparer une publication statistique de l'année (IA-DASEN)"),
    ("GET /api/v1/publications/{id}/{fichier}", "Télécharger un fichier d'une publication statistique"),
    ("GET /api/v1/rectifications", "Lister les demandes de rectification du périmètre"),
    ("POST /api/v1/rectifications/{id}/decision", "Décider d'une demande de rectification"),
    ("POST /api/v1/reinitialisation", "Choisir un nouveau mot de passe depuis un lien de réinitialisation"),
    ("POST /api/v1/rentree", "Faire la rentrée : clore l'année, appliquer les passages, ouvrir la suivante"),
    ("GET /api/v1/statistiques/effectifs", "Effectifs par école et par niveau (année en cours)"),
    ("GET /api/v1/verification/{code}", "Vérifier le code d'un certificat (public, sans compte)"),
];

struct SecuriteCookie;

impl utoipa::Modify for SecuriteCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // Every operation's summary in French; the English doc comment is not shown.
        for (chemin, item) in openapi.paths.paths.iter_mut() {
            for (methode, op) in [
                ("GET", &mut item.get),
                ("POST", &mut item.post),
                ("PUT", &mut item.put),
                ("DELETE", &mut item.delete),
                ("PATCH", &mut item.patch),
            ] {
                if let Some(op) = op {
                    let cle = format!("{methode} {chemin}");
                    let resume = RESUMES.iter().find(|(k, _)| *k == cle).map(|(_, r)| (*r).to_string());
                    op.description = None;
                    op.summary = resume.or_else(|| Some(format!("(résumé manquant : {cle})")));
                }
            }
        }
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::session::COOKIE,
                "Session ouverte par POST /api/v1/login ; les requêtes qui modifient portent aussi l'en-tête X-CSRF-Token.",
            ))),
        );
        openapi.security = Some(vec![SecurityRequirement::new("session", Vec::<String>::new())]);
    }
}

pub(in crate::http) async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
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

pub(in crate::http) fn json<T>(j: std::result::Result<Json<T>, JsonRejection>) -> Result<T> {
    match j {
        Ok(Json(v)) => Ok(v),
        Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::http(StatusCode::UNSUPPORTED_MEDIA_TYPE)),
        Err(JsonRejection::JsonSyntaxError(_)) => {
            Err(Error::requete("le corps de la requête n'est pas du JSON valide (UTF-8)"))
        }
        Err(JsonRejection::JsonDataError(e)) => {
            let (champ, message) = traduire(&e.body_text());
            Err(Error::invalide(champ, message))
        }
        Err(e) => Err(Error::http(e.status())),
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
#[utoipa::path(get, path = "/api/v1/ecoles", tag = "territoires",
    responses((status = 200, description = "Écoles du périmètre", body = [EcoleResume])))]
pub(in crate::http) async fn lister_ecoles(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<Vec<EcoleResume>>> {
    service(&state, a, |c| c.ecoles()).await.map(Json)
}

/// One school.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}", tag = "territoires",
    params(("id" = String, Path, description = "Identifiant de l'école")),
    responses((status = 200, body = EcoleResume), (status = 404, body = crate::http::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/ecoles", tag = "territoires", request_body = EcoleSaisie,
    responses((status = 201, body = Cree), (status = 422, body = crate::http::error::ErrorBody),
              (status = 409, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn creer_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Json<EcoleSaisie>, JsonRejection>,
) -> Result<(StatusCode, Json<Cree>)> {
    let ecole = json(body)?.valider()?;
    let id = service(&state, a, move |c| c.creer_ecole(&ecole)).await?;
    Ok((StatusCode::CREATED, Json(Cree { id: id.to_string(), avertissements: vec![] })))
}

/// Filter on the année scolaire.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AnneeParam {
    /// Année scolaire (`2026-2027`); the current one by default.
    pub annee: Option<String>,
}

/// The classes of a school.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/classes", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de l'école"), AnneeParam),
    responses((status = 200, body = [ClasseResume]), (status = 404, body = crate::http::error::ErrorBody)))]
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
#[utoipa::path(get, path = "/api/v1/classes/{id}", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = ClasseResume), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn lire_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(classe): Id<ClasseId>,
) -> Result<Json<ClasseResume>> {
    service(&state, a, move |c| c.classe(&classe)).await.map(Json)
}

/// The pupils of a class.
#[utoipa::path(get, path = "/api/v1/classes/{id}/eleves", tag = "classes",
    params(("id" = String, Path, description = "Identifiant de la classe")),
    responses((status = 200, body = [EleveLigne]), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn eleves_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(classe): Id<ClasseId>,
) -> Result<Json<Value>> {
    service(&state, a, move |c| c.eleves_de_classe(&classe)).await.map(Json)
}

/// Filters of the pupil list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
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
    responses((status = 200, body = [EleveLigne]), (status = 400, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn lister_eleves(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<ListeParams>, QueryRejection>,
) -> Result<Json<Value>> {
    let q = query(q)?;
    if q.q.as_ref().is_some_and(|t| t.chars().count() > RECHERCHE_MAX) {
        return Err(Error::invalide("q", format!("recherche trop longue ({RECHERCHE_MAX} caractères au plus)")));
    }
    let r = Recherche {
        ecole: q.ecole.as_deref().map(|e| id("école", e, EcoleId::parse)).transpose()?,
        classe: q.classe.as_deref().map(|e| id("classe", e, ClasseId::parse)).transpose()?,
        annee: annee_de(q.annee.as_deref())?,
        q: q.q,
        limite: q.limite.unwrap_or(100).min(1000),
        decalage: q.decalage.unwrap_or(0),
    };
    service(&state, a, move |c| c.eleves(&r)).await.map(Json)
}

/// Everything stored about a pupil.
#[utoipa::path(get, path = "/api/v1/eleves/{id}", tag = "eleves",
    params(("id" = String, Path, description = "Identifiant de l'élève"), AnneeParam),
    responses((status = 200, body = FicheEleve), (status = 404, body = crate::http::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/eleves", tag = "eleves", request_body = crate::http::api::parcours::DemandeAdmissionSaisie,
    responses((status = 201, body = Cree), (status = 422, body = crate::http::error::ErrorBody),
              (status = 409, body = crate::http::error::ErrorBody), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn creer_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Json<crate::http::api::parcours::DemandeAdmissionSaisie>, JsonRejection>,
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
#[serde(deny_unknown_fields)]
pub struct FormatParam {
    /// `pdf` (one merged file, the default), `zip` (one PDF per document) or `csv` (the liste
    /// électorale and the liste des élèves).
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
#[utoipa::path(get, path = "/api/v1/eleves/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'élève"),
           ("document" = String, Path, description = "Nom du document")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn document_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(eleve, doc): IdEt<EleveId>,
) -> Result<Response> {
    crate::http::imprimer(&state, a, document(&doc)?, Cible::Eleve(eleve), (Format::Pdf, Vec::new())).await
}

/// A document for a class: its list, or a pupil document for every pupil (merged PDF or ZIP).
#[utoipa::path(get, path = "/api/v1/classes/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de la classe"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn document_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(classe, doc): IdEt<ClasseId>,
    f: std::result::Result<Query<FormatParam>, QueryRejection>,
) -> Result<Response> {
    crate::http::imprimer(&state, a, document(&doc)?, Cible::Classe(classe), format_de(f)?).await
}

/// A document for a school: every class list, or a pupil document for every pupil.
#[utoipa::path(get, path = "/api/v1/ecoles/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant de l'école"),
           ("document" = String, Path, description = "Nom du document"), FormatParam),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::http::error::ErrorBody)))]
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
#[utoipa::path(get, path = "/api/v1/statistiques/effectifs", tag = "statistiques",
    responses((status = 200, body = statistiques::Tableau), (status = 403, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn effectifs(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<statistiques::Tableau>> {
    service(&state, a, |c| c.effectifs()).await.map(Json)
}

/// Who consulted a pupil's record, by function and date (never a name).
#[utoipa::path(get, path = "/api/v1/eleves/{id}/consultations", tag = "eleves",
    params(("id" = String, Path, description = "Identifiant de l'élève")),
    responses((status = 200, body = [journal::Consultation]), (status = 404, body = crate::http::error::ErrorBody)))]
pub(in crate::http) async fn consultations(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(eleve): Id<EleveId>,
) -> Result<Json<Vec<journal::Consultation>>> {
    service(&state, a, move |c| c.consultations(&eleve)).await.map(Json)
}
