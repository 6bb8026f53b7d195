//! Typed extractors: a public id in the path, answered « introuvable » (404, in French) by the
//! extractor itself when it does not parse, as JSON on the API and as a page elsewhere.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::Error;
use crate::domain::{ClasseId, CompteId, ContactId, EcoleId, EleveId, ResponsableId};

/// A public id that a path may carry.
pub trait IdPublic: Sized + Send {
    /// What the id names, in French (« élève »), for the 404's message.
    const QUOI: &'static str;
    /// The id, if the text is one.
    fn lire(s: &str) -> Option<Self>;
}

macro_rules! id_public {
    ($($t:ty => $quoi:literal),* $(,)?) => {
        $(impl IdPublic for $t {
            const QUOI: &'static str = $quoi;
            fn lire(s: &str) -> Option<Self> {
                <$t>::parse(s.trim()).ok()
            }
        })*
    };
}

id_public!(
    EleveId => "élève",
    EcoleId => "école",
    ClasseId => "classe",
    CompteId => "compte",
    ResponsableId => "responsable",
    ContactId => "personne à contacter",
);

/// Whether the request is for the API. The API's router is nested under `/api/v1`, which
/// strips the prefix from the URI its handlers see; the matched route keeps it.
fn vers_l_api(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| parts.uri.path().starts_with("/api/"), |m| m.as_str().starts_with("/api/"))
}

/// The one id of the route's path (`/eleves/{id}`), parsed.
#[derive(Debug, Clone)]
pub struct Id<T>(pub T);

/// An id that does not parse: the 404 of a page or of the API, as the path says.
#[derive(Debug)]
pub struct IdRefusee {
    erreur: Error,
    page: bool,
}

impl IntoResponse for IdRefusee {
    fn into_response(self) -> Response {
        if self.page { super::pages::PageError::from(self.erreur).into_response() } else { self.erreur.into_response() }
    }
}

impl<S: Send + Sync, T: IdPublic> FromRequestParts<S> for Id<T> {
    type Rejection = IdRefusee;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = !vers_l_api(parts);
        let refus = || IdRefusee { erreur: Error::introuvable(T::QUOI), page };
        let Path(s) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| refus())?;
        T::lire(&s).map(Id).ok_or_else(refus)
    }
}

/// A path with an id then a word (`/eleves/{id}/passage/{etape}`): the id parsed, the word as
/// sent.
#[derive(Debug, Clone)]
pub struct IdEt<T>(pub T, pub String);

impl<S: Send + Sync, T: IdPublic> FromRequestParts<S> for IdEt<T> {
    type Rejection = IdRefusee;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = !vers_l_api(parts);
        let refus = || IdRefusee { erreur: Error::introuvable(T::QUOI), page };
        let Path((s, mot)) = Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|_| refus())?;
        T::lire(&s).map(|id| IdEt(id, mot)).ok_or_else(refus)
    }
}

/// A page's form as sent by a signed-in visitor, its CSRF token checked: the visitor, then the
/// fields. A forged or missing token is refused (403, a French page) before the handler runs;
/// handlers never check it themselves.
#[derive(Debug)]
pub struct Soumis(pub super::session::Visiteur, pub(super) super::pages::parcours::Saisie);

impl axum::extract::FromRequest<super::etat::AppState> for Soumis {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &super::etat::AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, corps) = req.into_parts();
        let v = super::session::Visiteur::from_request_parts(&mut parts, state).await?;
        let req = axum::extract::Request::from_parts(parts, corps);
        let octets = axum::body::Bytes::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        let s = super::pages::parcours::Saisie::lire(&octets).map_err(IntoResponse::into_response)?;
        s.csrf(&v).map_err(IntoResponse::into_response)?;
        Ok(Soumis(v, s))
    }
}

/// A typed form that carries the session's CSRF token.
pub trait AvecCsrf {
    /// The token the form sent.
    fn csrf(&self) -> &str;
}

/// A typed page form (`application/x-www-form-urlencoded`) from a signed-in visitor, its CSRF
/// token checked before the handler runs.
#[derive(Debug)]
pub struct SoumisDe<T>(pub super::session::Visiteur, pub T);

impl<T: serde::de::DeserializeOwned + AvecCsrf + Send> axum::extract::FromRequest<super::etat::AppState>
    for SoumisDe<T>
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &super::etat::AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, corps) = req.into_parts();
        let v = super::session::Visiteur::from_request_parts(&mut parts, state).await?;
        let req = axum::extract::Request::from_parts(parts, corps);
        let axum::Form(f) = axum::Form::<T>::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        v.verifier_csrf(f.csrf()).map_err(|e| super::pages::PageError::from(e).into_response())?;
        Ok(SoumisDe(v, f))
    }
}

/// A path with two ids (`/eleves/{id}/responsables/{rid}`), both parsed: the 404 names the
/// first that does not.
#[derive(Debug, Clone)]
pub struct Ids<A, B>(pub A, pub B);

impl<S: Send + Sync, A: IdPublic, B: IdPublic> FromRequestParts<S> for Ids<A, B> {
    type Rejection = IdRefusee;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let page = !vers_l_api(parts);
        let refus = |quoi| IdRefusee { erreur: Error::introuvable(quoi), page };
        let Path((a, b)) =
            Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|_| refus(A::QUOI))?;
        let a = A::lire(&a).ok_or_else(|| refus(A::QUOI))?;
        Ok(Ids(a, B::lire(&b).ok_or_else(|| refus(B::QUOI))?))
    }
}
