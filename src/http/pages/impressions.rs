//! The page of print runs: launch, follow, cancel.

use crate::domain::Document;
use crate::http::api::impressions::*;
use crate::http::etat::AppState;
use crate::http::extraction::Soumis;
use crate::http::pages::parcours::{Sortie, refus};
use crate::http::pages::{Choix, avec_moi};
use crate::http::service;
use crate::http::session::Visiteur;
use crate::service::travaux::VueTravail;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(in crate::http) struct PageImpressions {
    impressions: Vec<VueTravail>,
    en_cours: bool,
}

pub(in crate::http) async fn page(State(state): State<AppState>, v: Visiteur) -> Sortie {
    let s = state.clone();
    let impressions = service(&state, v.acteur.clone(), move |svc| svc.impressions(&s.travaux)).await?;
    let en_cours =
        impressions.iter().any(|t| t.nom_fichier.is_none() && t.message.is_none() && t.etat_libelle != "annulé");
    let html = state.pages.render("impressions.html", &avec_moi(&v, PageImpressions { impressions, en_cours }))?;
    Ok(Html(html).into_response())
}

pub(in crate::http) async fn lancer_page(State(state): State<AppState>, Soumis(v, sa): Soumis) -> Sortie {
    let retour = sa
        .get("retour")
        .filter(|r| r.starts_with('/') && !r.starts_with("//") && !r.contains('\\'))
        .unwrap_or("/")
        .to_string();
    let d = DemandeImpression {
        document: sa.texte("document"),
        classe: sa.opt("classe"),
        ecole: sa.opt("ecole"),
        circonscription: sa.opt("circonscription"),
        format: sa.opt("format"),
        colonnes: None,
        sans_reponse: Some(sa.coche("sans_reponse")),
    };
    let r = match d.valider() {
        Ok(d) => demarrer(&state, v.acteur.clone(), d).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to("/impressions").into_response()),
        Err(e) => refus(&state, &v, e, &retour, "Retour"),
    }
}

pub(in crate::http) async fn annuler_page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, _): Soumis,
) -> Sortie {
    let s = state.clone();
    match service(&state, v.acteur.clone(), move |svc| svc.annuler_impression(&s.travaux, &id)).await {
        Ok(_) => Ok(Redirect::to("/impressions").into_response()),
        Err(e) => refus(&state, &v, e, "/impressions", "Retour aux impressions"),
    }
}

/// The documents the visitor may print in bulk for a class or a school (the forms of those
/// pages), in catalogue order.
pub(in crate::http) fn documents_en_lot(a: &crate::auth::Acteur, ecole: bool) -> Vec<Choix> {
    use crate::policy::{Action, Ressource};
    Document::ALL
        .iter()
        .filter(|d| {
            !matches!(d, Document::CertificatInscription | Document::CertificatRadiation | Document::ConstatEffectifs)
        })
        .filter(|d| ecole || !matches!(d, Document::RegistreEleves | Document::ListeElectorale))
        .filter(|d| a.decision(Ressource::Document(**d), Action::Exporter).autorise())
        .map(|d| Choix { code: d.name(), libelle: d.titre() })
        .collect()
}
