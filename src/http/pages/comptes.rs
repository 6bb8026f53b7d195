//! The account pages: login and logout, activation and reset links, one's own account
//! (password, second factor), and the accounts an IA-DASEN or a directeur manages. Accounts
//! are `auth`'s and `service::comptes`'; these pages only translate forms and answers.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::auth;
use crate::domain::CompteId;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::extraction::{AvecCsrf, SoumisDe};
use crate::http::formulaires::Refuse;
use crate::http::pages::{Choix, Message, PageError, PageResult, avec_moi};
use crate::http::session::{self, Visiteur};
use crate::http::{Error, blocking};
use crate::policy::{self, Action, Ressource, Role};

/// The login form.
#[derive(Debug, Deserialize)]
pub struct Suite {
    suite: Option<String>,
}

pub(in crate::http) async fn page_connexion(
    State(state): State<AppState>,
    q: Result<Query<Suite>, QueryRejection>,
) -> PageResult {
    let suite = session::suite_sure(q.ok().and_then(|Query(s)| s.suite).as_deref());
    let identites = super::identite::offres(&state);
    let suite_url = percent_encoding::utf8_percent_encode(&suite, percent_encoding::NON_ALPHANUMERIC).to_string();
    Ok(Html(state.pages.render(
        "connexion.html",
        &Connexion { suite: &suite, suite_url: &suite_url, message: None, login: None, identites: &identites },
    )?))
}

/// Credentials from the form.
#[derive(Debug, Deserialize)]
pub struct FormConnexion {
    login: String,
    mot_de_passe: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    suite: Option<String>,
}

pub(in crate::http) async fn connexion(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<FormConnexion>,
) -> Result<Response, PageError> {
    let le = state.clock.now();
    let ancienne = session::session_de(&headers);
    let suite = session::suite_sure(f.suite.as_deref());
    let login = f.login.clone();
    let r = blocking(&state, move |s| {
        let (login, mdp, code) = (&f.login, &f.mot_de_passe, f.code.as_deref());
        Ok(crate::service::comptes::connexion(&s.store, &s.cles, le, ancienne.as_deref(), login, mdp, code)?)
    })
    .await;
    match r {
        Ok((c, _)) => {
            let vers = if c.compte.role.exige_second_facteur() && !c.second_facteur {
                "/compte/second-facteur".to_string()
            } else {
                suite
            };
            Ok(([(SET_COOKIE, session::cookie(&c.session))], Redirect::to(&vers)).into_response())
        }
        // A refused password, or a password the IA-DASEN forbade (the provider to use named).
        Err(e) if matches!(e.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => {
            let login: String = login.chars().take(100).collect();
            let identites = super::identite::offres(&state);
            let suite_url =
                percent_encoding::utf8_percent_encode(&suite, percent_encoding::NON_ALPHANUMERIC).to_string();
            let html = state.pages.render(
                "connexion.html",
                &Connexion {
                    suite: &suite,
                    suite_url: &suite_url,
                    message: Some(e.message()),
                    login: Some(&login),
                    identites: &identites,
                },
            )?;
            Ok((e.status(), Html(html)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub struct Csrf {
    csrf: String,
}

pub(in crate::http) async fn deconnexion(
    State(state): State<AppState>,
    SoumisDe(v, _f): SoumisDe<Csrf>,
) -> Result<Response, PageError> {
    let fournisseur = blocking(&state, move |s| Ok(crate::http::contexte(s, &v.acteur).deconnecter()?)).await?;
    // A session opened through a provider ends there too: a page of this server leads there
    // (the pages' `form-action 'self'` forbids a form's redirection to another site).
    let vers = match fournisseur {
        Some(nom) => format!("/deconnexion/fin?fournisseur={nom}"),
        None => "/connexion".into(),
    };
    let mut r = ([(SET_COOKIE, session::cookie_efface())], Redirect::to(&vers)).into_response();
    // A sign-in or a tie started and left: it ends with the session.
    r.headers_mut().append(SET_COOKIE, super::identite::cookie_attente_efface());
    Ok(r)
}

/// A link's token.
#[derive(Debug, Deserialize)]
pub struct Jeton {
    jeton: Option<String>,
}

fn page_mot_de_passe(
    state: &AppState,
    titre: &str,
    action: &str,
    jeton: &str,
    message: Option<String>,
    formulaire: Option<&Refuse>,
) -> Result<String, Error> {
    let jeton: String = jeton.chars().filter(char::is_ascii_hexdigit).take(64).collect();
    let identites = if action == ACTIVATION.action { super::identite::offres(state) } else { Vec::new() };
    state.pages.render(
        "mot_de_passe.html",
        &MotDePasse {
            titre,
            action,
            identites: &identites,
            jeton: &jeton,
            minimum: crate::policy::Role::Responsable.longueur_minimale(),
            minimum_personnels: crate::policy::Role::Directeur.longueur_minimale(),
            message: message.as_deref(),
            formulaire,
        },
    )
}

/// A page where the holder of a link chooses a password: activation or reset.
#[derive(Debug, Clone, Copy)]
struct PageLien {
    titre: &'static str,
    action: &'static str,
}

const ACTIVATION: PageLien = PageLien { titre: "Activer mon compte", action: "/activer" };
const REINITIALISATION: PageLien = PageLien { titre: "Nouveau mot de passe", action: "/reinitialiser" };

fn page_lien(state: &AppState, lien: PageLien, q: Result<Query<Jeton>, QueryRejection>) -> PageResult {
    let jeton = q.ok().and_then(|Query(j)| j.jeton).unwrap_or_default();
    Ok(Html(page_mot_de_passe(state, lien.titre, lien.action, &jeton, None, None)?))
}

pub(in crate::http) async fn page_activer(
    State(state): State<AppState>,
    q: Result<Query<Jeton>, QueryRejection>,
) -> PageResult {
    page_lien(&state, ACTIVATION, q)
}

pub(in crate::http) async fn page_reinitialiser(
    State(state): State<AppState>,
    q: Result<Query<Jeton>, QueryRejection>,
) -> PageResult {
    page_lien(&state, REINITIALISATION, q)
}

/// A chosen password.
#[derive(Debug, Deserialize)]
pub struct FormMotDePasse {
    jeton: String,
    mot_de_passe: String,
    confirmation: String,
}

/// Checks the two entries, then `faire(store, cles, now, jeton, mot_de_passe)` returns the
/// success page's title and message; a refusal shows the form again with its message.
async fn choisir_mot_de_passe<F>(
    state: &AppState,
    f: FormMotDePasse,
    lien: PageLien,
    faire: F,
) -> Result<Response, PageError>
where
    F: FnOnce(&crate::http::etat::Inner, time::OffsetDateTime, &str, &str) -> Result<(&'static str, String), Error>
        + Send
        + 'static,
{
    // A refusal shows the form again, the message beside its field (passwords are never
    // written back into a page).
    let refuse = |e: Error, jeton: &str| -> Result<Response, PageError> {
        let refuse = Refuse::de(&e, lien.action, &[], str::to_string).map(Refuse::ids_par_nom);
        let message = refuse.is_none().then(|| e.message().to_string());
        let html = page_mot_de_passe(state, lien.titre, lien.action, jeton, message, refuse.as_ref())?;
        Ok((e.status(), Html(html)).into_response())
    };
    if f.mot_de_passe != f.confirmation {
        return refuse(Error::invalide("confirmation", "confirmation : les deux saisies diffèrent"), &f.jeton);
    }
    let le = state.clock.now();
    let jeton = f.jeton.clone();
    match blocking(state, move |s| faire(s, le, f.jeton.trim(), &f.mot_de_passe)).await {
        Ok((titre, message)) => Ok(Html(state.pages.render(
            "message.html",
            &Message {
                titre,
                message: &message,
                lien: Some("/connexion"),
                lien_texte: Some("Se connecter"),
                avertissements: &[],
                intitule: None,
            },
        )?)
        .into_response()),
        Err(e) if e.status().is_client_error() => refuse(e, &jeton),
        Err(e) => Err(e.into()),
    }
}

pub(in crate::http) async fn activer(
    State(state): State<AppState>,
    Form(f): Form<FormMotDePasse>,
) -> Result<Response, PageError> {
    choisir_mot_de_passe(&state, f, ACTIVATION, |s, le, jeton, mdp| {
        let k = crate::service::comptes::activer(&s.store, &s.cles, le, jeton, mdp)?;
        let suite = if k.role.exige_second_facteur() {
            " À la première connexion, vous activerez votre second facteur (une application d'authentification sur votre téléphone)."
        } else {
            ""
        };
        Ok(("Compte activé", format!("Votre compte « {} » est actif.{suite}", k.login)))
    })
    .await
}

pub(in crate::http) async fn reinitialiser(
    State(state): State<AppState>,
    Form(f): Form<FormMotDePasse>,
) -> Result<Response, PageError> {
    choisir_mot_de_passe(&state, f, REINITIALISATION, |s, le, jeton, mdp| {
        crate::service::comptes::reinitialiser(&s.store, &s.cles, le, jeton, mdp)?;
        Ok(("Mot de passe changé", "Votre nouveau mot de passe est enregistré.".into()))
    })
    .await
}

/// The account page, with a message: a success (`erreur` false) or a refusal.
fn rendre_compte(state: &AppState, v: &Visiteur, message: Option<&str>, erreur: bool) -> Result<String, Error> {
    let (k, restants) = crate::http::contexte(state, &v.acteur).mon_compte()?;
    let crate::service::comptes::MonIdentite { lie: identite, liables } =
        crate::http::contexte(state, &v.acteur).mon_identite()?;
    state.pages.render(
        "compte.html",
        &avec_moi(
            v,
            PageCompte {
                compte: MonCompte {
                    totp_requis: k.role.exige_second_facteur(),
                    login: k.login,
                    totp: k.totp_confirme,
                    codes_restants: restants,
                    identite,
                    liables,
                },
                message,
                erreur,
            },
        ),
    )
}

pub(in crate::http) async fn page_compte(State(state): State<AppState>, v: Visiteur) -> PageResult {
    let s = state.clone();
    Ok(Html(blocking(&state, move |_| rendre_compte(&s, &v, None, false)).await?))
}

/// A change of password from the form.
#[derive(Debug, Deserialize)]
pub struct FormChangement {
    csrf: String,
    actuel: String,
    nouveau: String,
}

pub(in crate::http) async fn changer_mot_de_passe(
    State(state): State<AppState>,
    SoumisDe(v, f): SoumisDe<FormChangement>,
) -> Result<Response, PageError> {
    let s2 = state.clone();
    let (status, html) = blocking(&state, move |s| {
        match crate::http::contexte(s, &v.acteur).changer_mot_de_passe(&f.actuel, &f.nouveau).map_err(Error::from) {
            Ok(()) => Ok((
                StatusCode::OK,
                rendre_compte(&s2, &v, Some("Mot de passe changé ; vos autres sessions sont fermées."), false)?,
            )),
            Err(e) if e.status().is_client_error() => {
                // The wrong current password (`code`) or a refused new one (`mot_de_passe`),
                // beside its field.
                let refuse = Refuse::de(&e, "/compte/mot-de-passe", &[], |cle| match cle {
                    "mot_de_passe" => "nouveau".into(),
                    "code" => "actuel".into(),
                    c => c.into(),
                })
                .map(Refuse::ids_par_nom);
                let message = refuse.is_none().then(|| e.message());
                let v = Refuse::visiteur(refuse, v);
                let html = rendre_compte(&s2, &v, message, true)?;
                Ok((e.status(), html))
            }
            Err(e) => Err(e),
        }
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

pub(in crate::http) async fn page_second_facteur(
    State(state): State<AppState>,
    v: Visiteur,
) -> Result<Response, PageError> {
    let s2 = state.clone();
    let html = blocking(&state, move |s| {
        let login = v.acteur.login.clone().unwrap_or_default();
        match crate::http::contexte(s, &v.acteur).commencer_totp() {
            Ok(secret) => {
                let uri = auth::totp::uri(&secret, &login);
                s.pages.render("second_facteur.html", &avec_moi(&v, SecondFacteur::de(&secret, &uri, None)))
            }
            Err(auth::Error::Interdit(m)) => rendre_compte(&s2, &v, Some(&m), true),
            Err(e) => Err(e.into()),
        }
    })
    .await?;
    Ok(Html(html).into_response())
}

/// A TOTP code from the form.
#[derive(Debug, Deserialize)]
pub struct FormCode {
    csrf: String,
    code: String,
}

pub(in crate::http) async fn confirmer_second_facteur(
    State(state): State<AppState>,
    SoumisDe(v, f): SoumisDe<FormCode>,
) -> Result<Response, PageError> {
    let (status, html) = blocking(&state, move |s| match crate::http::contexte(s, &v.acteur).confirmer_totp(&f.code) {
        Ok(codes) => Ok((StatusCode::OK, s.pages.render("codes_secours.html", &avec_moi(&v, CodesSecours { codes }))?)),
        Err(auth::Error::Verification(m)) => {
            // A new secret is drawn: the page shows it again with the message.
            let secret = crate::http::contexte(s, &v.acteur).commencer_totp()?;
            let uri = auth::totp::uri(&secret, v.acteur.login.as_deref().unwrap_or_default());
            let ctx = SecondFacteur::de(&secret, &uri, None);
            let v = Refuse::champ("/compte/second-facteur", "code", &m).ids_par_nom().pour(&v);
            let html = s.pages.render("second_facteur.html", &avec_moi(&v, ctx))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html))
        }
        Err(e) => Err(e.into()),
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

/// The kind of territory each staff role is given (the one that fits: not offered otherwise).
fn genre_du_role(r: Role) -> Option<(&'static str, &'static str)> {
    match r {
        Role::Directeur => Some(("ecole", "École (UAI — nom)")),
        Role::AgentMairie => Some(("commune", "Commune")),
        Role::Ien => Some(("circonscription", "Circonscription")),
        Role::PrincipalCollege => Some(("college", "Collège (UAI — nom)")),
        _ => None,
    }
}

fn rendre_comptes(
    s: &crate::http::etat::Inner,
    v: &Visiteur,
    role: Option<Role>,
    lien: Option<(String, String)>,
    message: Option<String>,
) -> Result<String, Error> {
    let svc = crate::http::contexte(s, &v.acteur);
    let comptes: Vec<LigneCompte> = svc
        .comptes()?
        .into_iter()
        .map(|k| LigneCompte {
            id: k.id,
            login: k.login,
            role: k.role.libelle(),
            territoire: k.territoire,
            nom: k.nom,
            etat: k.etat,
            demande: k.demande_reinitialisation,
        })
        .collect();
    // Staff accounts: the role first, then its territory from a list (families' accounts are
    // created from the pupil's page, by choosing one of the pupil's responsables).
    let roles: Vec<Choix> = Role::COMPTES
        .into_iter()
        .filter(|r| policy::peut_creer(v.acteur.role, *r) && genre_du_role(*r).is_some())
        .map(|r| Choix { code: r.code(), libelle: r.libelle() })
        .collect();
    let role = role
        .filter(|r| roles.iter().any(|c| c.code == r.code()))
        .or_else(|| (roles.len() == 1).then(|| Role::parse(roles[0].code)).flatten());
    let (genre, territoires) = match role.and_then(genre_du_role) {
        Some((genre, libelle)) => {
            (Some(Choix { code: genre, libelle }), svc.territoires_proposes(role.unwrap_or(Role::Directeur))?)
        }
        None => (None, Vec::new()),
    };
    let (lien, lien_message) = match lien {
        Some((l, m)) => (Some(l), Some(m)),
        None => (None, None),
    };
    let page = PageComptes {
        comptes,
        roles,
        role: role.map(|r| Choix { code: r.code(), libelle: r.libelle() }),
        genre,
        territoires,
        familles: v.acteur.role == Role::Directeur,
        lien,
        lien_message,
        message,
    };
    s.pages.render("comptes.html", &avec_moi(v, page))
}

/// The role chosen in the account form's first step.
#[derive(Debug, Deserialize)]
pub struct ChoixRole {
    #[serde(default)]
    role: Option<String>,
}

pub(in crate::http) async fn page_comptes(
    State(state): State<AppState>,
    v: Visiteur,
    q: Result<Query<ChoixRole>, QueryRejection>,
) -> PageResult {
    v.acteur.autoriser(Ressource::Compte, Action::Lister, state.clock.now())?;
    let role = q.ok().and_then(|Query(c)| c.role).and_then(|r| Role::parse(&r));
    Ok(Html(blocking(&state, move |s| rendre_comptes(s, &v, role, None, None)).await?))
}

/// A new account from the form.
#[derive(Debug, Deserialize)]
pub struct FormCompte {
    csrf: String,
    role: String,
    perimetre: String,
    territoire: String,
    login: String,
    #[serde(default)]
    nom: Option<String>,
}

pub(in crate::http) async fn creer_compte(
    State(state): State<AppState>,
    headers: HeaderMap,
    SoumisDe(v, f): SoumisDe<FormCompte>,
) -> Result<Response, PageError> {
    let le = state.clock.now();
    v.acteur.autoriser(Ressource::Compte, Action::Creer, le)?;
    let base = base_url(&headers, &state);
    let (status, html) = blocking(&state, move |s| {
        let r = (|| -> Result<(CompteId, String), Error> {
            let role = Role::parse(&f.role)
                .filter(|r| *r != Role::Operateur)
                .ok_or_else(|| Error::invalide("role", "rôle inconnu"))?;
            if f.territoire.trim().is_empty() {
                // With the other fields' refusals, all at once.
                let mut l = vec![crate::domain::ErreurChamp {
                    champ: "territoire".into(),
                    message: "territoire : choisissez-le dans la liste".into(),
                }];
                if let Err(e) = crate::service::comptes::valider_login(&f.login) {
                    l.extend(Error::from(e).erreurs_champs());
                }
                if let Some(Err(e)) = f.nom.as_deref().map(|n| crate::domain::identite::nettoyer("nom", n, 100)) {
                    l.extend(Error::from(e).erreurs_champs());
                }
                return Err(Error::champs(l));
            }
            let demande = crate::service::comptes::DemandeCompte {
                login: f.login.clone(),
                role,
                genres: vec![f.perimetre.clone()],
                territoire: f.territoire.clone(),
                nom: f.nom.clone().filter(|n| !n.trim().is_empty()),
            };
            Ok(crate::http::contexte(s, &v.acteur).creer_compte(&demande)?)
        })();
        match r {
            Ok((_, jeton)) => Ok((
                StatusCode::CREATED,
                rendre_comptes(
                    s,
                    &v,
                    None,
                    Some((
                        format!("{base}/activer?jeton={jeton}"),
                        format!("Compte « {} » créé. Lien d'activation (valable 72 heures) :", f.login),
                    )),
                    None,
                )?,
            )),
            Err(e) if e.status().is_client_error() => {
                // The form again, as typed, each refusal beside its field.
                let saisie = [("login", &f.login), ("territoire", &f.territoire)]
                    .into_iter()
                    .map(|(k, x)| (k.to_string(), x.clone()))
                    .chain(f.nom.iter().map(|n| ("nom".to_string(), n.clone())))
                    .collect::<Vec<_>>();
                let refuse = Refuse::de(&e, "/comptes", &saisie, str::to_string).map(Refuse::ids_par_nom);
                let message = refuse.is_none().then(|| e.message().to_string());
                let v = Refuse::visiteur(refuse, v);
                let html = rendre_comptes(s, &v, Role::parse(&f.role), None, message)?;
                Ok((e.status(), html))
            }
            Err(e) => Err(e),
        }
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

/// The public address of this server as the browser sees it, for links handed to people.
pub(in crate::http) fn base_url(headers: &HeaderMap, state: &AppState) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')));
    let scheme = if state.transport.https() { "https" } else { "http" };
    host.map(|h| format!("{scheme}://{h}")).unwrap_or_default()
}

pub(in crate::http) async fn desactiver_compte(
    State(state): State<AppState>,
    Id(id): Id<CompteId>,
    SoumisDe(v, _f): SoumisDe<Csrf>,
) -> Result<Response, PageError> {
    let le = state.clock.now();
    v.acteur.autoriser(Ressource::Compte, Action::Supprimer, le)?;
    blocking(&state, move |s| Ok(crate::http::contexte(s, &v.acteur).desactiver_compte(&id)?)).await?;
    Ok(Redirect::to("/comptes").into_response())
}

pub(in crate::http) async fn reinitialiser_compte(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(id): Id<CompteId>,
    SoumisDe(v, _f): SoumisDe<Csrf>,
) -> Result<Response, PageError> {
    let le = state.clock.now();
    v.acteur.autoriser(Ressource::Compte, Action::Modifier, le)?;
    let base = base_url(&headers, &state);
    let html = blocking(&state, move |s| {
        let jeton = crate::http::contexte(s, &v.acteur).lien_reinitialisation(&id)?;
        rendre_comptes(
            s,
            &v,
            None,
            Some((
                format!("{base}/reinitialiser?jeton={jeton}"),
                "Lien de réinitialisation (valable 24 heures) :".into(),
            )),
            None,
        )
    })
    .await?;
    Ok(Html(html).into_response())
}

#[derive(Debug, Serialize)]
struct Connexion<'a> {
    suite: &'a str,
    /// `suite`, percent-encoded for a link's query.
    suite_url: &'a str,
    message: Option<&'a str>,
    login: Option<&'a str>,
    /// The identity providers offered.
    identites: &'a [super::identite::Offre],
}

#[derive(Debug, Serialize)]
struct MotDePasse<'a> {
    titre: &'a str,
    /// On the activation page: the identity providers that may activate the account instead.
    identites: &'a [super::identite::Offre],
    action: &'a str,
    jeton: &'a str,
    minimum: usize,
    minimum_personnels: usize,
    message: Option<&'a str>,
    formulaire: Option<&'a Refuse>,
}

#[derive(Debug, Serialize)]
struct PageCompte<'a> {
    compte: MonCompte,
    message: Option<&'a str>,
    erreur: bool,
}

#[derive(Debug, Serialize)]
struct MonCompte {
    login: String,
    totp: bool,
    totp_requis: bool,
    codes_restants: u32,
    /// The identity service the account is tied to.
    identite: Option<String>,
    /// The services it could be tied to: (short name, libellé).
    liables: Vec<(String, String)>,
}

/// The enrolment of a second factor: the secret as text and as a QR code.
#[derive(Debug, Serialize)]
struct SecondFacteur {
    secret: String,
    qr: String,
    message: Option<String>,
}

impl SecondFacteur {
    fn de(secret: &[u8], uri: &str, message: Option<String>) -> Self {
        Self { secret: auth::totp::base32(secret), qr: crate::http::api::comptes::qr_svg(uri), message }
    }
}

#[derive(Debug, Serialize)]
struct CodesSecours {
    codes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct PageComptes {
    comptes: Vec<LigneCompte>,
    roles: Vec<Choix>,
    role: Option<Choix>,
    genre: Option<Choix>,
    territoires: Vec<(String, String)>,
    familles: bool,
    lien: Option<String>,
    lien_message: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Serialize)]
struct LigneCompte {
    id: String,
    login: String,
    role: &'static str,
    territoire: Option<String>,
    nom: Option<String>,
    etat: crate::store::comptes::Etat,
    demande: bool,
}

impl AvecCsrf for Csrf {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl AvecCsrf for FormChangement {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl AvecCsrf for FormCode {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl AvecCsrf for FormCompte {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
