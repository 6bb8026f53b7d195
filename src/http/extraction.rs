//! Typed extractors: a public id in the path, answered « introuvable » (404, in French) by the
//! extractor itself when it does not parse, as JSON on the API and as a page elsewhere.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::Error;
use crate::domain::{ClasseId, CompteId, EcoleId, EleveId};

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

id_public!(EleveId => "élève", EcoleId => "école", ClasseId => "classe", CompteId => "compte");

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
        let page = !parts.uri.path().starts_with("/api/");
        let refus = || IdRefusee { erreur: Error::introuvable(T::QUOI), page };
        let Path(s) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| refus())?;
        T::lire(&s).map(Id).ok_or_else(refus)
    }
}
