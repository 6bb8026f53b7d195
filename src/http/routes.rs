//! Every route of the server in one table: the health check, the API under `/api/v1`, then the
//! pages. Each line names its handler by its module: `api::…` answers JSON, `pages::…` HTML.

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::etat::AppState;
use super::{api, pages};

/// Every route: the health check, the API with its OpenAPI document, and the pages.
pub fn routes() -> Router<AppState> {
    let (routes_api, contrat) = api_et_contrat();
    let contrat = axum::body::Bytes::from(serde_json::to_vec(&contrat).unwrap_or_default());
    Router::new()
        .route("/healthz", get(super::healthz))
        .route("/readyz", get(super::exploitation::readyz))
        .route("/metrics", get(super::exploitation::metrics))
        .route("/api/v1/openapi.json", get(move || api::openapi(contrat.clone())))
        .merge(routes_api)
        .merge(routes_pages())
}

/// The router of the operators' own loopback listener (`--metriques-addr`): `/metrics` for the
/// loopback without a token (whatever the main listener's transport), `/healthz`, `/readyz`.
pub fn routes_surveillance(state: AppState) -> axum::Router {
    use super::exploitation as e;
    Router::new()
        .route("/metrics", get(e::metrics_local))
        .route("/healthz", get(super::healthz))
        .route("/readyz", get(e::readyz_local))
        .layer(axum::middleware::from_fn(e::compter))
        .with_state(state)
}

/// The OpenAPI document of the API, as `/api/v1/openapi.json` serves it.
pub fn contrat() -> serde_json::Value {
    api_et_contrat().1
}

/// The API's routes under `/api/v1`, and the document that describes them.
fn api_et_contrat() -> (Router<AppState>, serde_json::Value) {
    let (routes, contrat) =
        OpenApiRouter::with_openapi(api::contrat::ApiDoc::openapi()).nest("/api/v1", routes_api()).split_for_parts();
    (routes, api::contrat::completer(contrat))
}

/// The API (JSON), nested under `/api/v1`: each handler's `#[utoipa::path]` gives its path and
/// method, so the router and the OpenAPI document (`contrat`) are one list.
fn routes_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // api/mod.rs
        .routes(routes!(api::effectifs))
        .routes(routes!(api::consultations))
        .routes(routes!(api::lister_ecoles, api::creer_ecole))
        .routes(routes!(api::lire_ecole))
        .routes(routes!(api::classes_ecole))
        .routes(routes!(api::document_ecole))
        .routes(routes!(api::lire_classe))
        .routes(routes!(api::eleves_classe))
        .routes(routes!(api::document_classe))
        .routes(routes!(api::lister_eleves, api::creer_eleve))
        .routes(routes!(api::lire_eleve))
        .routes(routes!(api::document_eleve))
        // api/comptes.rs
        .routes(routes!(api::comptes::login))
        .routes(routes!(api::comptes::logout))
        .routes(routes!(api::comptes::moi))
        .routes(routes!(api::comptes::changer_mot_de_passe))
        .routes(routes!(api::comptes::commencer_second_facteur))
        .routes(routes!(api::comptes::confirmer_second_facteur))
        .routes(routes!(api::comptes::activation))
        .routes(routes!(api::comptes::reinitialisation))
        .routes(routes!(api::comptes::lister_comptes, api::comptes::creer_compte))
        .routes(routes!(api::comptes::desactiver_compte))
        .routes(routes!(api::comptes::lien_reinitialisation))
        .routes(routes!(api::comptes::lire_parametres, api::comptes::modifier_parametres))
        // api/parcours.rs
        .routes(routes!(api::parcours::doublons))
        .routes(routes!(api::parcours::lister_inscriptions, api::parcours::inscrire))
        .routes(routes!(api::parcours::lire_inscription))
        .routes(routes!(api::parcours::valider_inscription))
        .routes(routes!(api::parcours::annuler_inscription))
        .routes(routes!(api::parcours::document_inscription))
        .routes(routes!(api::parcours::admettre))
        .routes(routes!(api::parcours::completer))
        .routes(routes!(api::parcours::verification_json))
        // api/scolarite.rs
        .routes(routes!(api::scolarite::non_repartis))
        .routes(routes!(api::scolarite::creer_classe))
        .routes(routes!(api::scolarite::placer))
        .routes(routes!(api::scolarite::proposer_classe))
        .routes(routes!(api::scolarite::decider_classe))
        .routes(routes!(api::scolarite::lire_passage))
        .routes(routes!(api::scolarite::etape_passage))
        .routes(routes!(api::scolarite::depart))
        .routes(routes!(api::scolarite::radier))
        .routes(routes!(api::scolarite::annuler_radiation))
        .routes(routes!(api::scolarite::rentree))
        // api/corrections.rs
        .routes(routes!(api::corrections::corriger_fiche))
        .routes(routes!(api::corrections::corriger_identite))
        .routes(routes!(api::corrections::ajouter_responsable))
        .routes(routes!(api::corrections::corriger_responsable))
        .routes(routes!(api::corrections::detacher_responsable))
        .routes(routes!(api::corrections::corriger_contacts))
        .routes(routes!(api::corrections::corriger_annuel))
        .routes(routes!(api::corrections::rectifications_eleve, api::corrections::demander_rectification))
        .routes(routes!(api::corrections::rectifications))
        .routes(routes!(api::corrections::decider_rectification))
        .routes(routes!(api::corrections::oppositions_eleve, api::corrections::opposer))
        .routes(routes!(api::corrections::oppositions))
        .routes(routes!(api::corrections::decider_opposition))
        .routes(routes!(api::corrections::compte_famille))
        .routes(routes!(api::corrections::mot_de_passe_oublie))
        // api/effectifs.rs
        .routes(routes!(api::effectifs::rapport))
        .routes(routes!(api::effectifs::constat_ecole))
        .routes(routes!(api::effectifs::valider))
        .routes(routes!(api::effectifs::campagne))
        .routes(routes!(api::effectifs::rapport_prevision))
        .routes(routes!(api::effectifs::prevision_ecole))
        .routes(routes!(api::effectifs::ajuster))
        .routes(routes!(api::effectifs::valider_prevision))
        .routes(routes!(api::effectifs::lister_publications, api::effectifs::publier))
        .routes(routes!(api::effectifs::fichier_publication))
        // api/echanges.rs
        .routes(routes!(api::echanges::importer))
        .routes(routes!(api::echanges::exporter))
        .routes(routes!(api::echanges::importer_dossier))
        .routes(routes!(api::echanges::dossier))
        .routes(routes!(api::echanges::lister_imports))
        .routes(routes!(api::echanges::lire_import))
        .routes(routes!(api::echanges::annuler_import))
        .routes(routes!(api::echanges::rapport_import))
        // api/verifications.rs
        .routes(routes!(api::verifications::ouvrir_verification_territoire))
        .routes(routes!(api::verifications::tableau_verification, api::verifications::ouvrir_verification_ecole))
        .routes(routes!(api::verifications::lire_verification, api::verifications::repondre_verification))
        .routes(routes!(api::verifications::confirmer_verification))
        .routes(routes!(api::verifications::decider_verification))
        // api/impressions.rs
        .routes(routes!(api::impressions::lister, api::impressions::lancer))
        .routes(routes!(api::impressions::lire))
        .routes(routes!(api::impressions::annuler))
        .routes(routes!(api::impressions::fichier))
}

/// The pages (HTML, French); an unknown address is the French 404 page.
fn routes_pages() -> Router<AppState> {
    Router::new()
        // pages/mod.rs
        .route("/", get(pages::accueil))
        .route("/statistiques", get(pages::page_statistiques))
        .route("/verifier", get(pages::verification::page_verifier))
        .route("/verifier/{code}", get(pages::verification::page_verification))
        .route("/ecoles/{id}", get(pages::page_ecole))
        .route("/classes/{id}", get(pages::page_classe))
        .route("/eleves", get(pages::page_recherche))
        .route("/eleves/{id}", get(pages::page_eleve))
        .route("/static/registre.css", get(pages::css))
        // pages/comptes.rs
        .route("/connexion", get(pages::comptes::page_connexion).post(pages::comptes::connexion))
        .route("/deconnexion", post(pages::comptes::deconnexion))
        // pages/identite.rs
        .route("/connexion/oidc/retour", get(pages::identite::revenir))
        .route("/connexion/oidc/code", get(pages::identite::page_code).post(pages::identite::code))
        .route("/connexion/oidc/{nom}", get(pages::identite::demarrer))
        .route("/deconnexion/fin", get(pages::identite::fin_de_session))
        .route("/compte/identite/{nom}", get(pages::identite::lier))
        .route("/activer", get(pages::comptes::page_activer).post(pages::comptes::activer))
        .route("/reinitialiser", get(pages::comptes::page_reinitialiser).post(pages::comptes::reinitialiser))
        .route("/compte", get(pages::comptes::page_compte))
        .route("/compte/mot-de-passe", post(pages::comptes::changer_mot_de_passe))
        .route(
            "/compte/second-facteur",
            get(pages::comptes::page_second_facteur).post(pages::comptes::confirmer_second_facteur),
        )
        .route("/comptes", get(pages::comptes::page_comptes).post(pages::comptes::creer_compte))
        .route("/comptes/{id}/desactiver", post(pages::comptes::desactiver_compte))
        .route("/comptes/{id}/reinitialiser", post(pages::comptes::reinitialiser_compte))
        // pages/parcours.rs
        .route("/inscriptions", get(pages::parcours::page_inscriptions))
        .route(
            "/inscriptions/nouvelle",
            get(pages::parcours::page_nouvelle_inscription).post(pages::parcours::nouvelle_inscription),
        )
        .route("/inscriptions/{id}/confirmer", post(pages::parcours::confirmer_inscription))
        .route("/inscriptions/{id}/annuler", post(pages::parcours::annuler_inscription))
        .route(
            "/inscriptions/{id}/admission",
            get(pages::parcours::page_admission_inscription).post(pages::parcours::admission_inscription),
        )
        .route(
            "/ecoles/{id}/admission",
            get(pages::parcours::page_admission_directe).post(pages::parcours::admission_directe),
        )
        // pages/scolarite.rs
        .route("/ecoles/{id}/classes", post(pages::scolarite::creer_classe))
        .route("/ecoles/{id}/placements", post(pages::scolarite::placer))
        .route("/classes/{id}/passages", post(pages::scolarite::proposer_classe))
        .route("/classes/{id}/decisions", post(pages::scolarite::decider_classe))
        .route("/eleves/{id}/demarches/{etape}", post(pages::scolarite::demarche))
        .route("/rentree", get(pages::scolarite::page_rentree).post(pages::scolarite::rentree))
        // pages/verification_annuelle.rs
        .route(
            "/eleves/{id}/verification-annuelle",
            get(pages::verification_annuelle::page_eleve).post(pages::verification_annuelle::repondre),
        )
        .route("/eleves/{id}/verification-annuelle/confirmation", post(pages::verification_annuelle::confirmer))
        .route("/verifications-annuelles/{id}/decision", post(pages::verification_annuelle::decider))
        .route(
            "/ecoles/{id}/verification-annuelle",
            get(pages::verification_annuelle::page_ecole).post(pages::verification_annuelle::ouvrir_ecole),
        )
        .route(
            "/verification-annuelle",
            get(pages::verification_annuelle::page_territoire).post(pages::verification_annuelle::ouvrir_territoire),
        )
        // pages/corrections.rs
        .route("/eleves/{id}/fiche", get(pages::corrections::page_fiche).post(pages::corrections::corriger_fiche))
        .route("/eleves/{id}/rectification", post(pages::corrections::demander_rectification))
        .route("/rectifications/{id}/decision", post(pages::corrections::decider_rectification))
        .route("/eleves/{id}/opposition", post(pages::corrections::opposer))
        .route("/oppositions", get(pages::corrections::page_oppositions))
        .route("/oppositions/{id}/decision", post(pages::corrections::decider_opposition))
        .route("/eleves/{id}/compte-famille", post(pages::lettres::compte_famille))
        .route("/ecoles/{id}/verification-annuelle/lettres", post(pages::lettres::lettres_ecole))
        .route("/mot-de-passe-oublie", get(pages::corrections::page_oubli).post(pages::corrections::oubli))
        // pages/effectifs.rs
        .route("/constat", get(pages::effectifs::page_rapport))
        .route("/constat/campagne/{etape}", post(pages::effectifs::page_campagne))
        .route("/ecoles/{id}/constat", get(pages::effectifs::page_ecole).post(pages::effectifs::page_valider))
        .route("/publications", get(pages::effectifs::page_publications).post(pages::effectifs::page_publier))
        .route("/prevision", get(pages::effectifs::page_prevision))
        .route(
            "/ecoles/{id}/prevision",
            get(pages::effectifs::page_prevision_ecole).post(pages::effectifs::page_ajuster),
        )
        // pages/echanges.rs
        .route("/ecoles/{id}/echanges", get(pages::echanges::page))
        .route("/ecoles/{id}/echanges/import", post(pages::echanges::page_importer).get(pages::echanges::vers_la_page))
        .route("/ecoles/{id}/echanges/export", get(pages::echanges::page_exporter))
        .route(
            "/ecoles/{id}/echanges/dossier",
            post(pages::echanges::page_importer_dossier).get(pages::echanges::vers_la_page),
        )
        .route("/eleves/{id}/dossier-transfert", get(pages::echanges::page_dossier))
        .route("/imports/{id}", get(pages::echanges::page_import))
        .route("/imports/{id}/annuler", post(pages::echanges::page_annuler_import).get(pages::echanges::vers_l_import))
        // pages/impressions.rs
        .route("/impressions", get(pages::impressions::page).post(pages::impressions::lancer_page))
        .route("/impressions/{id}/annuler", post(pages::impressions::annuler_page))
        .fallback(pages::introuvable)
}
