//! Sign-in through an identity provider (the académie's for staff, EduConnect for families):
//! the start, the provider's return, the code of an account whose provider asserted no second
//! factor. The protocol is `http::oidc`'s, what an identity leads to `auth::oidc`'s; these
//! handlers only translate.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::auth::oidc::{But, Fournisseur, Issue, Public};
use crate::http::etat::AppState;
use crate::http::oidc::Refus;
use crate::http::pages::{Message, PageError};
use crate::http::session;
use crate::http::{Error, blocking};

/// The cookie binding a sign-in under way to its browser.
const COOKIE_ATTENTE: &str = "__Host-oidc";
/// The cookie of the second step (the account's code).
const COOKIE_CODE: &str = "__Host-oidc-code";
/// Where providers send the browser back (registered at each provider).
pub const RETOUR: &str = "/connexion/oidc/retour";

/// The `Set-Cookie` ending a sign-in under way.
pub(in crate::http) fn cookie_attente_efface() -> HeaderValue {
    cookie(COOKIE_ATTENTE, "", 0)
}

fn cookie(nom: &str, valeur: &str, secondes: u32) -> HeaderValue {
    // `Lax`, not `Strict`: the provider's return is a navigation from another site.
    HeaderValue::from_str(&format!("{nom}={valeur}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={secondes}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A cookie of ours: hexadecimal, 4 Kio at most.
fn cookie_de(headers: &HeaderMap, nom: &str) -> Option<String> {
    session::cookie_nomme(headers, nom)
        .filter(|v| !v.is_empty() && v.len() <= 4096 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether the browser says the request comes from another site (`Sec-Fetch-Site`): an
/// activation or a tie must start from this server's own page, or from an address typed or
/// scanned (`none`), never from a link on another site (which could tie the visitor's
/// identity to an account of the link's author).
fn d_un_autre_site(headers: &HeaderMap) -> bool {
    headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| !matches!(v, "same-origin" | "none"))
}

/// A provider as the login and activation pages offer it.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Offre {
    nom: String,
    libelle: String,
    pour: &'static str,
}

/// The providers offered, staff first.
pub(in crate::http) fn offres(state: &AppState) -> Vec<Offre> {
    let mut l = crate::service::comptes::fournisseurs(&state.store).unwrap_or_default();
    l.sort_by_key(|f| f.public == Public::Familles);
    l.into_iter()
        .map(|f| Offre {
            pour: match f.public {
                Public::Personnels => "personnels de l'Éducation nationale",
                Public::Familles => "parents et responsables légaux",
            },
            nom: f.nom,
            libelle: f.libelle,
        })
        .collect()
}

fn page_refus(state: &AppState, status: StatusCode, message: &str) -> Result<Response, PageError> {
    let html = state.pages.render(
        "message.html",
        &Message {
            titre: "Connexion impossible",
            message,
            lien: Some("/connexion"),
            lien_texte: Some("Revenir à la page de connexion"),
            avertissements: &[],
            intitule: None,
        },
    )?;
    Ok((status, Html(html)).into_response())
}

fn refus(state: &AppState, r: Refus) -> Result<Response, PageError> {
    let status = match r {
        Refus::Inconnu => StatusCode::NOT_FOUND,
        Refus::Injoignable => StatusCode::BAD_GATEWAY,
        Refus::Reglage | Refus::Sature => StatusCode::SERVICE_UNAVAILABLE,
        Refus::Expire | Refus::Interrompu | Refus::Jeton => StatusCode::BAD_REQUEST,
    };
    page_refus(state, status, r.message())
}

/// The installation's public address: the only base of the return address given to a
/// provider (never the request's `Host`).
async fn retour(state: &AppState) -> Result<Option<String>, Error> {
    let adresse = blocking(state, |s| Ok(crate::service::comptes::adresse_publique(&s.store)?)).await?;
    Ok(adresse.map(|a| format!("{}{RETOUR}", a.trim_end_matches('/'))))
}

async fn lire_fournisseur(state: &AppState, nom: String) -> Result<Option<Fournisseur>, Error> {
    blocking(state, move |s| Ok(crate::service::comptes::fournisseur(&s.store, &nom)?)).await
}

/// How a sign-in starts: where to go after, or the activation link it ties.
#[derive(Debug, Deserialize)]
pub struct Depart {
    suite: Option<String>,
    jeton: Option<String>,
}

/// `GET /connexion/oidc/{nom}`: sends the browser to the provider.
pub(in crate::http) async fn demarrer(
    State(state): State<AppState>,
    Path(nom): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Depart>, QueryRejection>,
) -> Result<Response, PageError> {
    let Ok(Query(d)) = q else { return refus(&state, Refus::Expire) };
    let but = match d.jeton.map(|j| j.trim().to_string()).filter(|j| !j.is_empty()) {
        Some(_) if d_un_autre_site(&headers) => return page_refus(&state, StatusCode::FORBIDDEN, AUTRE_SITE),
        Some(j) if j.len() == 64 && j.bytes().all(|b| b.is_ascii_hexdigit()) => But::Activation(j),
        Some(_) => return Err(Error::from(crate::auth::Error::Lien).into()),
        None => But::Connexion,
    };
    let ancienne = session::session_de(&headers).map(|s| crate::auth::empreinte(&s));
    partir(&state, nom, but, session::suite_sure(d.suite.as_deref()), ancienne).await
}

const AUTRE_SITE: &str = "ce lien vient d'un autre site : ouvrez vous-même votre lien d'activation, ou la page « Mon compte », puis choisissez le service";

/// Sends the browser to provider `nom` for `but`, with the sealed cookie of the sign-in.
async fn partir(
    state: &AppState,
    nom: String,
    but: But,
    suite: String,
    ancienne: Option<String>,
) -> Result<Response, PageError> {
    let nom: String = nom.chars().take(30).collect();
    let Some(f) = lire_fournisseur(state, nom).await? else { return refus(state, Refus::Inconnu) };
    let Some(retour) = retour(state).await? else {
        tracing::warn!(
            "connexion par un service d'identité impossible : adresse publique non réglée (registre admin url-publique)"
        );
        return refus(state, Refus::Reglage);
    };
    match state.oidc.demarrer(&state.cles, &f, &retour, but, suite, ancienne).await {
        Ok((vers, scelle)) => {
            Ok(([(SET_COOKIE, cookie(COOKIE_ATTENTE, &scelle, 600))], Redirect::to(&vers)).into_response())
        }
        Err(r) => refus(state, r),
    }
}

/// `GET /compte/identite/{nom}`: ties the signed-in account to its holder's identity at the
/// provider (once; a recent sign-in with its second factor is required).
pub(in crate::http) async fn lier(
    State(state): State<AppState>,
    Path(nom): Path<String>,
    headers: HeaderMap,
    v: session::Visiteur,
) -> Result<Response, PageError> {
    if d_un_autre_site(&headers) {
        return page_refus(&state, StatusCode::FORBIDDEN, AUTRE_SITE);
    }
    let compte = crate::http::service(&state, v.acteur, |c| c.peut_lier()).await?;
    let ancienne = session::session_de(&headers).map(|s| crate::auth::empreinte(&s));
    partir(&state, nom, But::Liaison(compte), "/compte".into(), ancienne).await
}

/// What a provider sends back.
#[derive(Debug, Deserialize)]
pub struct RetourFournisseur {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

/// `GET /connexion/oidc/retour`: the provider's answer; a session, the code step, or a refusal.
pub(in crate::http) async fn revenir(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<RetourFournisseur>, QueryRejection>,
) -> Result<Response, PageError> {
    let Ok(Query(q)) = q else { return refus(&state, Refus::Expire) };
    let efface = cookie(COOKIE_ATTENTE, "", 0);
    let Some(etat) = q.state.filter(|s| s.len() <= 200) else { return refus(&state, Refus::Expire) };
    let Some(adresse) = retour(&state).await? else { return refus(&state, Refus::Reglage) };
    let code = if q.error.is_some() { None } else { q.code };
    let scelle = cookie_de(&headers, COOKIE_ATTENTE);
    let etat_partage = state.clone();
    // One row by its key: read in place.
    let lire = move |nom: &str| crate::service::comptes::fournisseur(&etat_partage.store, nom).ok().flatten();
    let r = match state.oidc.terminer(&state.cles, &etat, code.as_deref(), scelle.as_deref(), &adresse, lire).await {
        Ok(r) => r,
        Err(r) => {
            let mut rep = refus(&state, r)?;
            rep.headers_mut().append(SET_COOKIE, efface);
            return Ok(rep);
        }
    };
    let le = state.clock.now();
    // The session cookie is `SameSite=Strict`: the provider's return (from another site) does
    // not carry it; the session held at the start, sealed in the sign-in's cookie, ends.
    let ancienne = r.ancienne.clone();
    let (f, identite, but, suite) = (r.fournisseur, r.identite, r.but, r.suite);
    let f2 = f.clone();
    let issue = blocking(&state, move |s| {
        Ok(crate::service::comptes::connexion_par_identite(
            &s.store,
            &s.cles,
            le,
            ancienne.as_deref(),
            &f2,
            &identite,
            &but,
        )?)
    })
    .await;
    let mut rep = match issue {
        Ok(Issue::Session(c)) => {
            let vers = if c.compte.role.exige_second_facteur() && !c.second_facteur {
                "/compte/second-facteur".to_string()
            } else {
                suite
            };
            // A page of this server leads on: a redirection would keep the navigation
            // cross-site, and the browser would not send the new `SameSite=Strict` cookie.
            let page =
                PageSuite {
                    titre: "Connexion", message: "Vous êtes connecté.", vers: &vers, lien_texte: "Continuer"
                };
            let html = state.pages.render("redirection.html", &page)?;
            ([(SET_COOKIE, session::cookie(&c.session))], Html(html)).into_response()
        }
        Ok(Issue::Code(compte)) => {
            let navigateur = state.oidc.attendre_code(&f.nom, compte, suite);
            ([(SET_COOKIE, cookie(COOKIE_CODE, &navigateur, 600))], Redirect::to("/connexion/oidc/code"))
                .into_response()
        }
        Err(e) if e.status().is_client_error() => page_refus(&state, e.status(), e.message())?,
        Err(e) => return Err(e.into()),
    };
    rep.headers_mut().append(SET_COOKIE, efface);
    Ok(rep)
}

#[derive(Debug, Serialize)]
struct PageCode<'a> {
    libelle: &'a str,
    message: Option<&'a str>,
}

/// `GET /connexion/oidc/code`: the account's code, after a provider that asserted no second
/// factor.
pub(in crate::http) async fn page_code(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let attente = cookie_de(&headers, COOKIE_CODE).and_then(|n| state.oidc.code_en_attente(&n));
    let Some((nom, _, _)) = attente else { return refus(&state, Refus::Expire) };
    let libelle = lire_fournisseur(&state, nom).await?.map(|f| f.libelle).unwrap_or_default();
    Ok(Html(state.pages.render("code_identite.html", &PageCode { libelle: &libelle, message: None })?).into_response())
}

/// The code typed.
#[derive(Debug, Deserialize)]
pub struct FormCode {
    code: String,
}

/// `POST /connexion/oidc/code`.
pub(in crate::http) async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FormCode>,
) -> Result<Response, PageError> {
    let navigateur = cookie_de(&headers, COOKIE_CODE);
    let attente = navigateur.as_deref().and_then(|n| state.oidc.code_en_attente(n));
    let (Some(navigateur), Some((nom, compte, suite))) = (navigateur, attente) else {
        return refus(&state, Refus::Expire);
    };
    let Some(f) = lire_fournisseur(&state, nom).await? else { return refus(&state, Refus::Inconnu) };
    let le = state.clock.now();
    let f2 = f.clone();
    let r = blocking(&state, move |s| {
        let code: String = form.code.chars().take(20).collect();
        Ok(crate::service::comptes::connexion_par_code(&s.store, &s.cles, le, &f2, &compte, &code)?)
    })
    .await;
    match r {
        Ok(c) => {
            state.oidc.oublier_code(&navigateur);
            let mut rep = ([(SET_COOKIE, session::cookie(&c.session))], Redirect::to(&suite)).into_response();
            rep.headers_mut().append(SET_COOKIE, cookie(COOKIE_CODE, "", 0));
            Ok(rep)
        }
        Err(e) if e.status() == StatusCode::UNAUTHORIZED => {
            state.oidc.code_refuse(&navigateur);
            let html = state
                .pages
                .render("code_identite.html", &PageCode { libelle: &f.libelle, message: Some(e.message()) })?;
            Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Which provider's session to end.
#[derive(Debug, Deserialize)]
pub struct Fin {
    fournisseur: Option<String>,
}

/// A page that leads the browser on at once (`redirection.html`).
#[derive(Debug, Serialize)]
struct PageSuite<'a> {
    titre: &'a str,
    message: &'a str,
    vers: &'a str,
    lien_texte: &'a str,
}

/// `GET /deconnexion/fin`: after the session here ended, leads the browser to the provider's
/// logout (RP-initiated), which comes back to the login page (a fixed address). Nothing of a
/// session is needed or read: at worst, a link to it ends a session at the provider, which
/// asks for confirmation.
pub(in crate::http) async fn fin_de_session(
    State(state): State<AppState>,
    q: Result<Query<Fin>, QueryRejection>,
) -> Result<Response, PageError> {
    let nom: String = q.ok().and_then(|Query(f)| f.fournisseur).unwrap_or_default().chars().take(30).collect();
    let f = lire_fournisseur(&state, nom).await?;
    let adresse = blocking(&state, |s| Ok(crate::service::comptes::adresse_publique(&s.store)?)).await?;
    let vers = match (&f, adresse) {
        (Some(f), Some(a)) => state.oidc.fin_de_session(f, &format!("{}/connexion", a.trim_end_matches('/'))).await,
        _ => None,
    };
    match (f, vers) {
        (Some(f), Some(vers)) => {
            let message = format!(
                "Votre session est fermée ici. Vous êtes conduit à « {} » pour la fermer aussi là-bas ; sinon, suivez ce lien",
                f.libelle
            );
            let lien_texte = format!("Se déconnecter aussi de {}", f.libelle);
            let page =
                PageSuite { titre: "Vous êtes déconnecté", message: &message, vers: &vers, lien_texte: &lien_texte };
            Ok(Html(state.pages.render("redirection.html", &page)?).into_response())
        }
        _ => Ok(Redirect::to("/connexion").into_response()),
    }
}
