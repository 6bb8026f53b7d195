//! The pages of the effectifs: the constat and the forecast of a territory and of a school, the
//! campaign, the statistical releases.

use crate::domain::EcoleId;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::extraction::Soumis;
use crate::http::pages::parcours::{FormulaireSoumis, PageDe, Sortie, etape, etape_formulaire, reprendre};
use crate::http::pages::{PageError, avec_moi};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking, service};
use crate::service::effectifs::PrevisionEcole;
use crate::service::effectifs::{ConstatEcole, Rapport};
use crate::service::publications::PublicationVue;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(in crate::http) struct PageRapport {
    r: Rapport,
    gerer: bool,
    fait: Option<&'static str>,
    /// `constat` or `prevision`: the API and school pages the report links to.
    chemin: &'static str,
}

pub(in crate::http) async fn page_prevision(
    State(state): State<AppState>,
    v: Visiteur,
) -> std::result::Result<Html<String>, PageError> {
    let r = service(&state, v.acteur.clone(), |s| s.rapport_prevision()).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("constat.html", &avec_moi(&v, PageRapport { r, gerer: false, fait: None, chemin: "prevision" }))
    })
    .await?;
    Ok(Html(html))
}

#[derive(Debug, Serialize)]
pub(in crate::http) struct PagePrevisionEcole {
    ecole_id: String,
    p: PrevisionEcole,
    modifier: bool,
    fait: Option<&'static str>,
}

pub(in crate::http) async fn page_prevision_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<crate::http::pages::parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = crate::http::pages::parcours::fait_de(q);
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

pub(in crate::http) async fn page_ajuster(
    State(state): State<AppState>,
    Id(id): Id<EcoleId>,
    Soumis(v, s): Soumis,
) -> Sortie {
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

pub(in crate::http) async fn page_rapport(
    State(state): State<AppState>,
    v: Visiteur,
    q: std::result::Result<Query<crate::http::pages::parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = crate::http::pages::parcours::fait_de(q);
    let (r, gerer) = service(&state, v.acteur.clone(), |s| Ok((s.rapport_constat()?, s.gere_campagne()))).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("constat.html", &avec_moi(&v, PageRapport { r, gerer, fait, chemin: "constat" }))
    })
    .await?;
    Ok(Html(html))
}

pub(in crate::http) async fn page_campagne(
    State(state): State<AppState>,
    Path(quoi): Path<String>,
    Soumis(v, _): Soumis,
) -> Sortie {
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
pub(in crate::http) struct PageEcole {
    ecole_id: String,
    c: ConstatEcole,
    niveaux: Vec<&'static str>,
    valider: bool,
    fait: Option<&'static str>,
}

pub(in crate::http) async fn page_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: std::result::Result<Query<crate::http::pages::parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = crate::http::pages::parcours::fait_de(q);
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

pub(in crate::http) async fn page_valider(
    State(state): State<AppState>,
    Id(id): Id<EcoleId>,
    Soumis(v, _): Soumis,
) -> Sortie {
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

#[derive(Debug, Serialize)]
pub(in crate::http) struct PagePublications {
    publications: Vec<PublicationVue>,
    publier: bool,
    fait: Option<&'static str>,
}

pub(in crate::http) async fn page_publications(
    State(state): State<AppState>,
    v: Visiteur,
    q: std::result::Result<Query<crate::http::pages::parcours::QueryPage>, QueryRejection>,
) -> std::result::Result<Html<String>, PageError> {
    let fait = crate::http::pages::parcours::fait_de(q);
    let publier = v.acteur.decision(crate::policy::Ressource::Publication, crate::policy::Action::Creer).autorise()
        && v.acteur.role == crate::policy::Role::IaDasen;
    let publications = service(&state, v.acteur.clone(), |s| s.publications()).await?;
    let html = blocking(&state, move |s| {
        s.pages.render("publications.html", &avec_moi(&v, PagePublications { publications, publier, fait }))
    })
    .await?;
    Ok(Html(html))
}

pub(in crate::http) async fn page_publier(State(state): State<AppState>, Soumis(v, s): Soumis) -> Sortie {
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
