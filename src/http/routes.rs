//! Every route of the server in one table: the health check, the API under `/api/v1`, then the
//! pages. Each line names its handler by its module: `api::…` answers JSON, `pages::…` HTML.

use axum::Router;
use axum::routing::{get, post, put};

use super::etat::AppState;
use super::{api, pages};

/// Every route: the health check, the API and the pages.
pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(super::healthz)).nest("/api/v1", routes_api()).merge(routes_pages())
}

/// The API (JSON), nested under `/api/v1`.
fn routes_api() -> Router<AppState> {
    Router::new()
        // api/mod.rs
        .route("/openapi.json", get(api::openapi))
        .route("/statistiques/effectifs", get(api::effectifs))
        .route("/eleves/{id}/consultations", get(api::consultations))
        .route("/ecoles", get(api::lister_ecoles).post(api::creer_ecole))
        .route("/ecoles/{id}", get(api::lire_ecole))
        .route("/ecoles/{id}/classes", get(api::classes_ecole))
        .route("/ecoles/{id}/documents/{document}", get(api::document_ecole))
        .route("/classes/{id}", get(api::lire_classe))
        .route("/classes/{id}/eleves", get(api::eleves_classe))
        .route("/classes/{id}/documents/{document}", get(api::document_classe))
        .route("/eleves", get(api::lister_eleves).post(api::creer_eleve))
        .route("/eleves/{id}", get(api::lire_eleve))
        .route("/eleves/{id}/documents/{document}", get(api::document_eleve))
        // api/comptes.rs
        .route("/login", post(api::comptes::login))
        .route("/logout", post(api::comptes::logout))
        .route("/moi", get(api::comptes::moi))
        .route("/moi/mot-de-passe", post(api::comptes::changer_mot_de_passe))
        .route("/moi/second-facteur", post(api::comptes::commencer_second_facteur))
        .route("/moi/second-facteur/confirmation", post(api::comptes::confirmer_second_facteur))
        .route("/activation", post(api::comptes::activation))
        .route("/reinitialisation", post(api::comptes::reinitialisation))
        .route("/comptes", get(api::comptes::lister_comptes).post(api::comptes::creer_compte))
        .route("/comptes/{id}/desactivation", post(api::comptes::desactiver_compte))
        .route("/comptes/{id}/lien-reinitialisation", post(api::comptes::lien_reinitialisation))
        .route("/parametres", get(api::comptes::lire_parametres).put(api::comptes::modifier_parametres))
        // api/parcours.rs
        .route("/doublons", post(api::parcours::doublons))
        .route("/inscriptions", get(api::parcours::lister_inscriptions).post(api::parcours::inscrire))
        .route("/inscriptions/{id}", get(api::parcours::lire_inscription))
        .route("/inscriptions/{id}/validation", post(api::parcours::valider_inscription))
        .route("/inscriptions/{id}/annulation", post(api::parcours::annuler_inscription))
        .route("/inscriptions/{id}/documents/{document}", get(api::parcours::document_inscription))
        .route("/admissions", post(api::parcours::admettre))
        .route("/eleves/{id}/admission/completion", post(api::parcours::completer))
        .route("/verification/{code}", get(api::parcours::verification_json))
        // api/scolarite.rs
        .route("/ecoles/{id}/non-repartis", get(api::scolarite::non_repartis))
        .route("/ecoles/{id}/classes/nouvelle", post(api::scolarite::creer_classe))
        .route("/classes/{id}/placements", post(api::scolarite::placer))
        .route("/classes/{id}/passages", post(api::scolarite::proposer_classe))
        .route("/classes/{id}/passages/decisions", post(api::scolarite::decider_classe))
        .route("/eleves/{id}/passage", get(api::scolarite::lire_passage))
        .route("/eleves/{id}/passage/{etape}", post(api::scolarite::etape_passage))
        .route("/eleves/{id}/depart", post(api::scolarite::depart))
        .route("/eleves/{id}/radiation", post(api::scolarite::radier))
        .route("/eleves/{id}/radiation/annulation", post(api::scolarite::annuler_radiation))
        .route("/rentree", post(api::scolarite::rentree))
        // api/corrections.rs
        .route("/eleves/{id}/fiche", put(api::corrections::corriger_fiche))
        .route("/eleves/{id}/identite", put(api::corrections::corriger_identite))
        .route("/eleves/{id}/responsables", post(api::corrections::ajouter_responsable))
        .route("/eleves/{id}/responsables/{rid}", put(api::corrections::corriger_responsable))
        .route("/eleves/{id}/responsables/{rid}/detachement", post(api::corrections::detacher_responsable))
        .route("/eleves/{id}/contacts", put(api::corrections::corriger_contacts))
        .route("/eleves/{id}/annuel", put(api::corrections::corriger_annuel))
        .route(
            "/eleves/{id}/rectifications",
            get(api::corrections::rectifications_eleve).post(api::corrections::demander_rectification),
        )
        .route("/rectifications", get(api::corrections::rectifications))
        .route("/rectifications/{id}/decision", post(api::corrections::decider_rectification))
        .route("/eleves/{id}/oppositions", get(api::corrections::oppositions_eleve).post(api::corrections::opposer))
        .route("/oppositions", get(api::corrections::oppositions))
        .route("/oppositions/{id}/decision", post(api::corrections::decider_opposition))
        .route("/eleves/{id}/compte-famille", post(api::corrections::compte_famille))
        .route("/mot-de-passe-oublie", post(api::corrections::mot_de_passe_oublie))
        // api/effectifs.rs
        .route("/constat", get(api::effectifs::rapport))
        .route("/ecoles/{id}/constat", get(api::effectifs::constat_ecole))
        .route("/ecoles/{id}/constat/validation", post(api::effectifs::valider))
        .route("/campagnes/constat/{etape}", post(api::effectifs::campagne))
        .route("/prevision", get(api::effectifs::rapport_prevision))
        .route("/ecoles/{id}/prevision", get(api::effectifs::prevision_ecole))
        .route("/ecoles/{id}/prevision/ajustements", post(api::effectifs::ajuster))
        .route("/ecoles/{id}/prevision/validation", post(api::effectifs::valider_prevision))
        .route("/publications", get(api::effectifs::lister_publications).post(api::effectifs::publier))
        .route("/publications/{id}/{fichier}", get(api::effectifs::fichier_publication))
        // api/echanges.rs
        .route("/ecoles/{id}/import/onde", post(api::echanges::importer))
        .route("/ecoles/{id}/export/onde", get(api::echanges::exporter))
        .route("/ecoles/{id}/import/dossier", post(api::echanges::importer_dossier))
        .route("/eleves/{id}/dossier-transfert", get(api::echanges::dossier))
        .route("/imports", get(api::echanges::lister_imports))
        .route("/imports/{id}", get(api::echanges::lire_import))
        .route("/imports/{id}/annulation", post(api::echanges::annuler_import))
        .route("/imports/{id}/rapport", get(api::echanges::rapport_import))
        // api/impressions.rs
        .route("/impressions", get(api::impressions::lister).post(api::impressions::lancer))
        .route("/impressions/{id}", get(api::impressions::lire))
        .route("/impressions/{id}/annulation", post(api::impressions::annuler))
        .route("/impressions/{id}/fichier", get(api::impressions::fichier))
}

/// The pages (HTML, French); an unknown address is the French 404 page.
fn routes_pages() -> Router<AppState> {
    Router::new()
        // pages/mod.rs
        .route("/", get(pages::accueil))
        .route("/statistiques", get(pages::page_statistiques))
        .route("/verifier", get(pages::parcours::page_verifier))
        .route("/verifier/{code}", get(pages::parcours::page_verification))
        .route("/ecoles/{id}", get(pages::page_ecole))
        .route("/classes/{id}", get(pages::page_classe))
        .route("/eleves", get(pages::page_recherche))
        .route("/eleves/{id}", get(pages::page_eleve))
        .route("/static/registre.css", get(pages::css))
        // pages/comptes.rs
        .route("/connexion", get(pages::comptes::page_connexion).post(pages::comptes::connexion))
        .route("/deconnexion", post(pages::comptes::deconnexion))
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
        // pages/corrections.rs
        .route("/eleves/{id}/fiche", get(pages::corrections::page_fiche).post(pages::corrections::corriger_fiche))
        .route("/eleves/{id}/rectification", post(pages::corrections::demander_rectification))
        .route("/rectifications/{id}/decision", post(pages::corrections::decider_rectification))
        .route("/eleves/{id}/opposition", post(pages::corrections::opposer))
        .route("/oppositions", get(pages::corrections::page_oppositions))
        .route("/oppositions/{id}/decision", post(pages::corrections::decider_opposition))
        .route("/eleves/{id}/compte-famille", post(pages::corrections::compte_famille))
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
