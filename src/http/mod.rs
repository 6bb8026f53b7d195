//! The only place that imports axum: routes, extractors, errors, the web pages and the JSON API.
//!
//! Blocking work (SQLite, Typst) runs on the blocking pool, never on the async executor.

pub mod api;
pub mod connexions;
pub mod corps;
pub mod error;
pub mod etat;
pub mod exploitation;
pub mod extraction;
mod formulaires;
pub mod lectures;
pub mod oidc;
pub mod pages;
mod routes;
pub mod session;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::http::etat::{AppState, Inner};
pub use error::{Error, Result};

#[cfg(any(test, feature = "fuzz"))]
/// What the fuzz target `corps_json` drives (`crate::fuzz`): `corps` read as the JSON body of
/// one of the API's writes, as its handler reads it (strictly: `http::corps`), then checked
/// as the handler checks it before the service runs. `quoi % 8` chooses the body: an inscription,
/// an admission, a school, a pupil's identity, a corrected responsable, the persons to contact,
/// the year's answers, a responsable added. True when the body is accepted.
pub fn essayer_corps(quoi: u8, corps: &[u8], today: time::Date) -> bool {
    use crate::domain::correction::{AnnuelSaisie, ResponsableCorrige};
    use crate::http::corps::lire;
    use crate::service::corrections::Ajout;
    use api::{corrections, parcours};
    match quoi % 8 {
        0 => lire::<parcours::DemandeInscription>(corps).is_ok_and(|d| d.valider(today).is_ok()),
        1 => lire::<parcours::DemandeAdmissionSaisie>(corps).is_ok_and(|d| d.valider(today).is_ok()),
        2 => lire::<crate::domain::EcoleSaisie>(corps).is_ok_and(|e| e.valider().is_ok()),
        3 => lire::<crate::domain::EleveSaisie>(corps).is_ok_and(|e| e.valider_lieu_a_completer(today).is_ok()),
        4 => lire::<ResponsableCorrige>(corps).is_ok_and(|r| r.responsable.valider().is_ok()),
        5 => lire::<Vec<corrections::ContactCorrige>>(corps)
            .ok()
            .and_then(|l| corrections::contacts(l).ok())
            .is_some_and(|l| l.iter().all(|(_, k)| k.valider().is_ok())),
        6 => lire::<AnnuelSaisie>(corps).is_ok_and(|a| a.valider().is_ok()),
        _ => lire::<corrections::NouveauResponsable>(corps).ok().and_then(|b| corrections::ajout(b).ok()).is_some_and(
            |a| match a {
                Ajout::Nouveau(r) => r.responsable.valider().is_ok(),
                Ajout::Existant { lien, .. } => crate::domain::Lien::parse(&lien).is_ok(),
            },
        ),
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    avec_couches(routes(), state)
}

pub use routes::{contrat, routes, routes_surveillance};

/// The largest body a request may send (uploads included): axum's default limit, named.
pub const LIMITE_CORPS: usize = 2 * 1024 * 1024;
/// The longest address (path and query) served; longer is answered 414.
pub const LONGUEUR_ADRESSE: usize = 8 * 1024;
/// The most header bytes a request may send; more is answered 431.
pub const TAILLE_ENTETES: usize = 32 * 1024;

/// The content security policy of every answer.
pub const CSP: &str =
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The layers every answer goes through, innermost first: a panic becomes an opaque French
/// 500 (logged); an idempotency key is honoured; the request gets its context (its time
/// budget, given up when it is dropped: see [`blocking`]) and its body a deadline; then the
/// size limits of the address and headers, the security headers and French errors; its
/// tracing span (route template, one line at the answer); its count in the metrics; and its id
/// (`x-request-id`, echoed; one sent by the client kept only if short and plain).
pub fn avec_couches(routes: Router<AppState>, state: AppState) -> Router {
    use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
    let trace = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            // The route's template, never the address: a path may hold a certificate's code, a
            // query the words searched (a name).
            let route = req.extensions().get::<axum::extract::MatchedPath>().map_or("(aucune)", |m| m.as_str());
            tracing::info_span!("requete", id, methode = %req.method(), route)
        })
        // One line per request answered: its status and duration, within the span (its id).
        .on_response(|r: &Response, duree: std::time::Duration, _: &tracing::Span| {
            tracing::info!(statut = r.status().as_u16(), duree_ms = duree.as_secs_f64() * 1000.0, "requête servie");
        });
    routes
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panique))
        .layer(middleware::from_fn_with_state(state.clone(), idempotence))
        .layer(middleware::from_fn_with_state(state.clone(), contexte_requete))
        .layer(middleware::from_fn(tete_sans_effet))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(compression())
        .layer(trace)
        .layer(middleware::from_fn(exploitation::compter))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(exploitation::id_client))
        .with_state(state)
}

/// The addresses a `HEAD` is answered on, as their `GET` without its body: the ones whose
/// `GET` reads nothing personal and writes nothing.
const TETE_PERMISE: &[&str] = &[
    "/healthz",
    "/readyz",
    "/api/v1/openapi.json",
    "/connexion",
    "/activer",
    "/reinitialiser",
    "/mot-de-passe-oublie",
    "/verifier",
];

/// `HEAD` never writes: a `GET` may issue a certificate or add a row to the journal the family
/// reads, and a `HEAD` runs the same handler, so elsewhere than [`TETE_PERMISE`] and the
/// stylesheet it is answered 405 (`Allow: GET`) before any handler runs.
async fn tete_sans_effet(req: Request, next: Next) -> Response {
    let chemin = req.uri().path();
    if req.method() != axum::http::Method::HEAD || TETE_PERMISE.contains(&chemin) || chemin.starts_with("/static/") {
        return next.run(req).await;
    }
    let api = chemin.starts_with("/api/");
    let mut r = repondre(
        api,
        Error::http(axum::http::StatusCode::METHOD_NOT_ALLOWED).avec_message(
            "HEAD n'est pas servi ici : une lecture peut être journalisée ou délivrer un document ; utilisez GET",
        ),
    );
    r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET"));
    r
}

/// Compression (gzip, Brotli), when the client accepts it: HTML, JSON, CSV, the stylesheet (and
/// XLSX, little: a workbook is deflated already). PDFs and ZIPs are sent as they are. The pages' anti-forgery
/// tokens are masked afresh at every answer, so that compression reveals nothing of them
/// (`auth::csrf_masque`).
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    tower_http::compression::CompressionLayer::new().gzip(true).br(true).compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new("application/pdf"))
            .and(NotForContentType::const_new("application/zip")),
    )
}

/// A panic in a handler: logged with its message, answered as any internal error.
fn panique(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    Error::interne(format!("panique : {message}")).into_response()
}

tokio::task_local! {
    /// The request being served: its state as the store sees it, and when its time is over.
    static REQUETE: Requete;
}

/// What a request's blocking work needs to know of it.
#[derive(Debug, Clone)]
struct Requete {
    suivi: std::sync::Arc<crate::service::Suivi>,
    echeance: tokio::time::Instant,
}

/// Gives the request up when its handling is dropped (the client left: hyper drops the
/// request's future; or the request is over): nothing of it commits afterwards.
struct Abandon(std::sync::Arc<crate::service::Suivi>);

impl Drop for Abandon {
    fn drop(&mut self) {
        self.0.abandonner();
    }
}

/// Gives each request its context (see [`blocking`]) and its body a deadline; a body that
/// arrives too slowly is answered 408 and the connection closed.
async fn contexte_requete(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let suivi = crate::service::Suivi::new();
    let _abandon = Abandon(suivi.clone());
    let echeance = tokio::time::Instant::now() + state.limites.requete;
    let trop_lent = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut req = req.map(|b| {
        axum::body::Body::new(CorpsBorne {
            inner: b,
            delai: Box::pin(tokio::time::sleep(state.limites.corps)),
            trop_lent: trop_lent.clone(),
        })
    });
    req.extensions_mut().insert(suivi.clone());
    let res = REQUETE.scope(Requete { suivi: suivi.clone(), echeance }, next.run(req)).await;
    // A body too slow to arrive: 408, unless the request had already begun to commit (then
    // its own answer tells what happened).
    if trop_lent.load(std::sync::atomic::Ordering::Acquire) && !suivi.engage() {
        let mut r = Error::http(axum::http::StatusCode::REQUEST_TIMEOUT)
            .avec_message(format!(
                "la requête a mis trop de temps à arriver ({} s au plus pour le corps) : rien n'a été enregistré",
                state.limites.corps.as_secs()
            ))
            .into_response();
        r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    res
}

/// The addresses of the API that never take an idempotency key (signing in and the account's
/// own secrets): the header is ignored there.
const SANS_IDEMPOTENCE: &[&str] = &[
    "/api/v1/login",
    "/api/v1/logout",
    "/api/v1/moi",
    "/api/v1/activation",
    "/api/v1/reinitialisation",
    "/api/v1/mot-de-passe-oublie",
];

/// Blocking work that serves no request (it must not engage the request under way: see
/// [`blocking`]).
async fn hors_requete<T, F>(state: &AppState, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Inner) -> Result<T> + Send + 'static,
{
    let s = state.clone();
    tokio::task::spawn_blocking(move || f(&s)).await?
}

/// An API write sent with an `Idempotency-Key` (see `service::idempotence`): run once, its
/// answer given again for the same key and request within 24 hours (`Idempotency-Replayed:
/// true`), refused for the same key with another request (422), 409 while the first is under
/// way. The session is checked before the body is read; the body arrives within the request's
/// body deadline (this layer runs inside [`contexte_requete`]). Other requests pass through.
async fn idempotence(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    use crate::service::idempotence::{self as idem, Decision, Reponse};
    use axum::http::{Method, StatusCode};
    let chemin = req.uri().path();
    let ecriture = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let concernee = ecriture
        && chemin.starts_with("/api/")
        && !SANS_IDEMPOTENCE.iter().any(|p| chemin == *p || chemin.starts_with(&format!("{p}/")));
    let (Some(cle), true) = (req.headers().get("idempotency-key"), concernee) else {
        return next.run(req).await;
    };
    let cle = match cle.to_str().ok().map(|c| (c, idem::refus_cle(c))) {
        Some((c, None)) => c.to_string(),
        Some((_, Some(m))) => return Error::invalide("Idempotency-Key", m).into_response(),
        None => return Error::invalide("Idempotency-Key", "clé illisible").into_response(),
    };
    let Some(session) = session::session_de(req.headers()) else { return next.run(req).await };
    // The account first: nothing is read of a request without a valid session (it is refused
    // as any other by its handler).
    let compte = hors_requete(&state, move |i| Ok(idem::compte_de_session(&i.store, i.clock.now(), &session)?)).await;
    let compte = match compte {
        Ok(Some(c)) => c,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let (parts, corps) = req.into_parts();
    let corps = match axum::body::to_bytes(corps, LIMITE_CORPS).await {
        Ok(b) => b,
        Err(e) if e.to_string().contains("length limit") => {
            return Error::http(StatusCode::PAYLOAD_TOO_LARGE).into_response();
        }
        // The body's deadline (`contexte_requete` answers 408), or a broken connection.
        Err(_) => return Error::http(StatusCode::REQUEST_TIMEOUT).into_response(),
    };
    let methode = parts.method.to_string();
    let adresse = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let (c, compte_d) = (corps.clone(), compte.clone());
    let decision = hors_requete(&state, move |i| {
        Ok(idem::decider(&i.store, &i.cles, i.clock.now(), &compte_d, &cle, (&methode, &adresse, &c))?)
    })
    .await;
    let k = match decision {
        Ok(Decision::Executer(k)) => k,
        Ok(Decision::Rejouer(r)) => {
            let mut res = Response::new(axum::body::Body::from(r.corps));
            *res.status_mut() = StatusCode::from_u16(r.statut).unwrap_or(StatusCode::OK);
            let h = res.headers_mut();
            if let Some(t) = r.type_contenu.and_then(|t| HeaderValue::from_str(&t).ok()) {
                h.insert(header::CONTENT_TYPE, t);
            }
            if let Some(l) = r.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                h.insert(header::LOCATION, l);
            }
            h.insert("idempotency-replayed", HeaderValue::from_static("true"));
            return res;
        }
        Ok(Decision::Autre) => {
            return Error::invalide(
                "Idempotency-Key",
                "cette clé d'idempotence a déjà servi pour une autre requête : choisissez-en une nouvelle",
            )
            .into_response();
        }
        Ok(Decision::EnCours) => {
            return Error::transition(
                "une requête avec cette clé d'idempotence a déjà été traitée ou l'est en ce moment, et sa réponse n'est pas disponible : vérifiez le résultat avant d'en envoyer une nouvelle"
                    .into(),
            )
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let Some(suivi) = parts.extensions.get::<std::sync::Arc<crate::service::Suivi>>().cloned() else {
        return Error::interne("requête sans contexte").into_response();
    };
    suivi.definir_cle(k.clone());
    let res = next.run(Request::from_parts(parts, axum::body::Body::from(corps))).await;
    if !suivi.cle_enregistree() {
        return res;
    }
    // The request has committed: its answer is kept for the replays (whole, or not at all).
    let (parts, corps) = res.into_parts();
    let corps = match http_body_util::BodyExt::collect(corps).await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            // The answer cannot be read back: the request did commit, and its replays will say so.
            tracing::error!(erreur = %e, "réponse d'une requête à clé d'idempotence illisible");
            let _ = hors_requete(&state, move |i| Ok(idem::retenir(&i.store, &i.cles, &k, None)?)).await;
            return Error::interne("réponse illisible").into_response();
        }
    };
    let texte = |n: header::HeaderName| parts.headers.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let gardee = (corps.len() <= idem::REPONSE_MAX).then(|| Reponse {
        statut: parts.status.as_u16(),
        type_contenu: texte(header::CONTENT_TYPE),
        location: texte(header::LOCATION),
        corps: corps.to_vec(),
    });
    if let Err(e) = hors_requete(&state, move |i| Ok(idem::retenir(&i.store, &i.cles, &k, gardee.as_ref())?)).await {
        // Its replays are answered 409 (« déjà traitée »): never run twice.
        tracing::error!(erreur = %e.message(), "réponse d'une clé d'idempotence non gardée");
    }
    Response::from_parts(parts, axum::body::Body::from(corps))
}

/// A request body that must arrive whole before its deadline.
struct CorpsBorne {
    inner: axum::body::Body,
    delai: std::pin::Pin<Box<tokio::time::Sleep>>,
    trop_lent: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// The error of a body past its deadline.
#[derive(Debug, thiserror::Error)]
#[error("corps de la requête trop lent à arriver")]
struct CorpsTropLent;

impl http_body::Body for CorpsBorne {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<std::result::Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::future::Future;
        if let std::task::Poll::Ready(r) = std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            return std::task::Poll::Ready(r);
        }
        if self.delai.as_mut().poll(cx).is_ready() {
            self.trop_lent.store(true, std::sync::atomic::Ordering::Release);
            return std::task::Poll::Ready(Some(Err(axum::Error::new(CorpsTropLent))));
        }
        std::task::Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Runs blocking work (store, print engine) off the executor, on behalf of the request being
/// served: its writes check it (`service::Suivi`). When the request's time is over, work that
/// has committed nothing is given up and answered 503 (nothing of it will commit); work that
/// has begun to commit is awaited, so the client is told what happened.
pub(crate) async fn blocking<T, F>(state: &AppState, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Inner) -> Result<T> + Send + 'static,
{
    let s = state.clone();
    // The request's span goes along: what the work logs carries the request's id.
    let span = tracing::Span::current();
    let Ok(r) = REQUETE.try_with(Requete::clone) else {
        return tokio::task::spawn_blocking(move || span.in_scope(|| f(&s))).await?;
    };
    let suivi = r.suivi.clone();
    let mut tache =
        tokio::task::spawn_blocking(move || span.in_scope(|| crate::service::pour_la_requete(suivi, || f(&s))));
    match tokio::time::timeout_at(r.echeance, &mut tache).await {
        Ok(res) => res?,
        Err(_) if r.suivi.abandonner() => Err(Error::abandonnee()),
        Err(_) => tache.await?,
    }
}

/// The use cases for `acteur`, now.
pub(crate) fn contexte<'a>(s: &'a Inner, acteur: &'a crate::auth::Acteur) -> crate::service::Service<'a> {
    crate::service::Service { store: &s.store, cles: &s.cles, acteur, le: s.clock.now() }
}

/// Runs a use case for `acteur` off the executor (the store blocks).
pub(crate) async fn service<T, F>(state: &AppState, acteur: crate::auth::Acteur, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> crate::service::Result<T> + Send + 'static,
{
    blocking(state, move |s| Ok(f(&contexte(s, &acteur))?)).await
}

/// Prints through the use case, off the executor (the print engine blocks).
pub(crate) async fn imprimer(
    state: &AppState,
    acteur: crate::auth::Acteur,
    doc: crate::domain::Document,
    cible: crate::service::documents::Cible,
    (format, colonnes): (crate::service::documents::Format, Vec<crate::domain::Colonne>),
) -> Result<Response> {
    let f =
        blocking(state, move |s| Ok(contexte(s, &acteur).imprimer(&s.engine, doc, &cible, format, &colonnes)?)).await?;
    Ok(telechargement(f.mime(), &f.nom, f.octets))
}

/// A file handed over: its media type, and a `Content-Disposition` (RFC 6266) that shows a
/// PDF in the browser and saves anything else (`attachment`), with an ASCII `filename` and the
/// exact name in UTF-8 (`filename*`).
pub(crate) fn telechargement(mime: &str, nom: &str, octets: impl IntoResponse) -> Response {
    let mut res = octets.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition(nom, mime == "application/pdf")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The `Content-Disposition` value of a file named `nom`.
pub fn disposition(nom: &str, inline: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    // RFC 8187's attr-char: letters, digits and `!#$&+-.^_`|~`.
    const ATTR: &AsciiSet =
        &NON_ALPHANUMERIC.remove(b'!').remove(b'#').remove(b'$').remove(b'&').remove(b'+').remove(b'-');
    const ATTR_CHAR: &AsciiSet = &ATTR.remove(b'.').remove(b'^').remove(b'_').remove(b'`').remove(b'|').remove(b'~');
    let ascii: String = nom
        .chars()
        .map(|c| if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '/' | ';' | '%') || c == ' ' { c } else { '_' })
        .collect();
    let genre = if inline { "inline" } else { "attachment" };
    format!("{genre}; filename=\"{ascii}\"; filename*=UTF-8''{}", utf8_percent_encode(nom, ATTR_CHAR))
}

/// `GET /healthz`: the process answers and the database is readable.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<axum::Json<Sante>> {
    blocking(&state, |s| {
        crate::service::exploitation::sante(&s.store)?;
        Ok(axum::Json(Sante { status: "ok", version: env!("CARGO_PKG_VERSION") }))
    })
    .await
}

/// The answer of `/healthz`.
#[derive(Debug, serde::Serialize)]
struct Sante {
    status: &'static str,
    version: &'static str,
}

/// A path or query whose percent-decoded bytes are not UTF-8 is refused before routing: a
/// lenient reader would turn them into U+FFFD and, say, search for nothing at all.
fn adresse_illisible(uri: &axum::http::Uri) -> Option<Error> {
    let utf8 = |b: &[u8]| percent_encoding::percent_decode(b).decode_utf8().is_ok();
    if !utf8(uri.path().as_bytes()) {
        return Some(Error::requete("adresse illisible : elle doit être en UTF-8"));
    }
    let query = uri.query().unwrap_or("");
    if !query.split('&').flat_map(|p| p.split('=')).all(|p| utf8(p.as_bytes())) {
        return Some(Error::requete("paramètres de requête illisibles : ils doivent être en UTF-8"));
    }
    None
}

/// An address longer than [`LONGUEUR_ADRESSE`] (414) or headers larger than
/// [`TAILLE_ENTETES`] (431), refused before anything else.
fn trop_grand(req: &Request) -> Option<Error> {
    let adresse = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if adresse > LONGUEUR_ADRESSE {
        return Some(Error::http(axum::http::StatusCode::URI_TOO_LONG));
    }
    let entetes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len() + 4).sum();
    (entetes > TAILLE_ENTETES).then(|| Error::http(axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE))
}

/// An error as the API (JSON) or the pages (a French page) answer it.
fn repondre(api: bool, e: Error) -> Response {
    if api { e.into_response() } else { pages::PageError::from(e).into_response() }
}

/// An error's media type and body, as [`repondre`] gives them, for an answer written outside
/// the router (`connexions`).
pub(crate) fn corps_erreur(api: bool, e: Error) -> (&'static str, Vec<u8>) {
    if api {
        (error::PROBLEME, serde_json::to_vec(&e.body()).unwrap_or_default())
    } else {
        ("text/html; charset=utf-8", pages::page_erreur(&e).into_bytes())
    }
}

/// Answers produced by axum itself rather than by a handler (unknown address or method,
/// unreadable path, body too large, wrong media type…) have an empty or English plain-text
/// body: they are replaced by the same French error as any other, JSON on the API and a page
/// elsewhere. An API error reached from a page (a link) becomes a page with its message.
async fn en_francais(api: bool, res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let json = ct.starts_with(error::PROBLEME);
    if (api && json) || (!api && ct.starts_with("text/html")) {
        return res;
    }
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut e = Error::http(status);
    if json {
        // A handler's JSON error on a page's address: keep its French message.
        if let Ok(b) = axum::body::to_bytes(res.into_body(), 64 * 1024).await
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&b)
            && let Some(m) = v["detail"].as_str()
        {
            e = e.avec_message(m);
        }
    }
    let mut nouvelle = repondre(api, e);
    // Keep what the status itself requires (`Allow` on a 405).
    if let Some(allow) = allow {
        nouvelle.headers_mut().insert(header::ALLOW, allow);
    }
    nouvelle
}

/// Headers on every answer: a strict CSP, no sniffing, no referrer, no framing, and no caching
/// of anything but the stylesheet (every other answer may hold personal data).
async fn security_headers(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // A page's link into the API (a PDF, a download) followed by a browser gets its errors as a
    // French page in the site's layout, never the JSON meant for programs: a navigation
    // (`Sec-Fetch-Mode: navigate`, or HTML asked first) is answered like a page.
    let navigation = req.method() == axum::http::Method::GET
        && (req.headers().get("sec-fetch-mode").is_some_and(|v| v == "navigate")
            || req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|a| a.starts_with("text/html")));
    let api =
        (req.uri().path().starts_with("/api/") || exploitation::ADRESSES.contains(&req.uri().path())) && !navigation;
    let refus = trop_grand(&req)
        .or_else(|| session::ecriture_intersite(req.method(), req.headers(), state.transport.https()))
        .or_else(|| adresse_illisible(req.uri()));
    let cacheable = req.uri().path().starts_with("/static/");
    let mut res = match refus {
        Some(e) => repondre(api, e),
        None => en_francais(api, next.run(req).await).await,
    };
    if state.transport.https() {
        res.headers_mut()
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !cacheable {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
