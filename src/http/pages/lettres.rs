//! Family accounts from the school's pages, with their activation letters (a QR code and the
//! one-time link, shown once): one from a pupil's page, or every family of the school without
//! an account at once (the yearly check's paper road).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use serde::Serialize;

use crate::domain::{EcoleId, EleveId, ResponsableId};
use crate::http::etat::AppState;
use crate::http::extraction::{Id, Soumis};
use crate::http::formulaires::{Sortie, refus};
use crate::http::pages::avec_moi;
use crate::http::{Error, blocking};

#[derive(Debug, Serialize)]
pub(in crate::http) struct Lettre {
    eleve_id: String,
    login: String,
    lien: String,
    qr: String,
    destinataire: String,
    adresse: Option<String>,
    enfant: String,
    courriel: Option<String>,
    ecole: String,
    date: String,
    /// The last day the link works (it lasts 72 hours).
    expire: String,
}

impl Lettre {
    /// The letter of an account just made: its one-time link and QR code (shown once).
    pub(in crate::http) fn de(
        k: crate::service::comptes::CompteFamille,
        eleve: &EleveId,
        base: &str,
        today: time::Date,
    ) -> Self {
        let lien = format!("{base}/activer?jeton={}", k.jeton);
        Lettre {
            eleve_id: eleve.to_string(),
            qr: crate::http::api::comptes::qr_svg(&lien),
            lien,
            login: k.login,
            destinataire: k.destinataire,
            adresse: k.adresse,
            enfant: k.enfant,
            courriel: k.courriel,
            ecole: k.ecole,
            date: crate::domain::identite::date_longue(today),
            expire: crate::domain::identite::date_longue(today + time::Duration::days(3)),
        }
    }
}

/// The page of one letter: its confirmation above, the letter itself (`macros.html`).
#[derive(Debug, Serialize)]
struct PageLettre<'a> {
    #[serde(flatten)]
    haut: &'a Lettre,
    lettre: &'a Lettre,
}

pub(in crate::http) async fn compte_famille(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<EleveId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let Some(rid) = s.get("responsable").and_then(|r| ResponsableId::parse(r).ok()) else {
        return refus(
            &state,
            &v,
            Error::invalide("responsable", "choisissez le responsable dans la liste"),
            &format!("/eleves/{id}"),
            "Revenir à la fiche de l'élève",
        );
    };
    let base = crate::http::api::corrections::lien_de_base(&state, &headers).await?;
    let retour = format!("/eleves/{id}");
    let r = crate::http::service(&state, v.acteur.clone(), {
        let id = id.clone();
        move |svc| svc.creer_compte_famille(&id, &rid)
    })
    .await;
    let k = match r {
        Ok(k) => k,
        Err(e) => return refus(&state, &v, e, &retour, "Revenir à la fiche de l'élève"),
    };
    let today = state.clock.today();
    let html = blocking(&state, move |st| {
        let lettre = Lettre::de(k, &id, &base, today);
        st.pages.render("lettre_activation.html", &avec_moi(&v, PageLettre { haut: &lettre, lettre: &lettre }))
    })
    .await?;
    Ok((StatusCode::CREATED, Html(html)).into_response())
}

/// Every family of the school without an account gets one, and the school prints all the
/// letters at once (each on its own page).
pub(in crate::http) async fn lettres_ecole(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<EcoleId>,
    Soumis(v, _): Soumis,
) -> Sortie {
    let base = crate::http::api::corrections::lien_de_base(&state, &headers).await?;
    let retour = format!("/ecoles/{id}/verification-annuelle");
    let r = crate::http::service(&state, v.acteur.clone(), move |svc| svc.comptes_familles_sans_compte(&id)).await;
    let l = match r {
        Ok(x) => x,
        Err(e) => return refus(&state, &v, e, &retour, "Revenir au suivi"),
    };
    let today = state.clock.today();
    let status = if l.comptes.is_empty() { StatusCode::OK } else { StatusCode::CREATED };
    let html = blocking(&state, move |st| {
        let lettres: Vec<Lettre> = l.comptes.into_iter().map(|(e, k)| Lettre::de(k, &e, &base, today)).collect();
        st.pages.render("lettres_activation.html", &avec_moi(&v, PageLettres { lettres, refus: l.refus, retour }))
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

/// The page of a school's letters.
#[derive(Debug, Serialize)]
struct PageLettres {
    lettres: Vec<Lettre>,
    /// The families for whom no account could be made, and why.
    refus: Vec<String>,
    retour: String,
}
