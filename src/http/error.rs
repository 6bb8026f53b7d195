//! HTTP errors: every failure becomes a status and a French message. On the API the body is a
//! problem detail (RFC 9457, `application/problem+json`): `type` (`urn:registre:probleme:CODE`),
//! `title`, `status`, `detail` (French), and the extensions `code`, `champ`, `champs` and
//! `candidats`; 5xx bodies are opaque and the cause is logged.

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::{render, store};

/// An error answered to a client.
#[derive(Debug)]
pub struct Error {
    status: StatusCode,
    code: &'static str,
    message: String,
    champ: Option<Cow<'static, str>>,
    candidats: Option<Box<serde_json::Value>>,
    champs: Vec<crate::domain::ErreurChamp>,
}

/// The media type of an API error (RFC 9457).
pub const PROBLEME: &str = "application/problem+json";

/// The body of an API error: a problem detail (RFC 9457) with the registre's extensions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Probleme, title = "Probleme")]
pub struct Probleme {
    /// Le type du problème : `urn:registre:probleme:` suivi du code (stable pour les programmes).
    #[serde(rename = "type")]
    #[schema(example = "urn:registre:probleme:invalide", pattern = "^urn:registre:probleme:[a-z_]+$")]
    pub type_: String,
    /// Intitulé court du type de problème, en français (le même pour un même type).
    pub title: &'static str,
    /// Le code de statut HTTP de la réponse.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Ce qui n'a pas été fait et pourquoi, en français.
    pub detail: String,
    /// Code stable du problème (`introuvable`, `invalide`, `transition`, `doublons`, `conflit`,
    /// `requete`, `non_authentifie`, `interdit`, `csrf`, `interne`…), la fin de `type`.
    pub code: &'static str,
    /// Pour `invalide` : le champ en faute (`eleve.nom` à l'intérieur d'un objet).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub champ: Option<Cow<'static, str>>,
    /// Pour `doublons` : les élèves déjà connus qui pourraient être cet enfant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub candidats: Option<serde_json::Value>,
    /// Pour `invalide` : chaque champ refusé, avec son message (`champ` est le premier).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub champs: Vec<crate::domain::ErreurChamp>,
}

/// The French title of a problem's status (one per status, so one per type).
fn titre(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Requête illisible",
        401 => "Connexion requise",
        403 => "Accès refusé",
        404 => "Introuvable",
        405 => "Méthode non permise",
        408 => "Requête trop lente",
        409 => "Conflit avec l'état du dossier",
        410 => "Lien expiré ou déjà utilisé",
        411 => "Longueur requise",
        413 => "Corps trop volumineux",
        414 => "Adresse trop longue",
        415 => "Type de contenu non pris en charge",
        422 => "Données refusées",
        429 => "Trop de requêtes",
        431 => "En-têtes trop volumineux",
        503 => "Service momentanément indisponible",
        s if s >= 500 => "Erreur interne",
        _ => "Requête refusée",
    }
}

impl Error {
    /// A 401: no valid session.
    pub fn non_authentifie() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "non_authentifie",
            message: "connexion requise : identifiez-vous (POST /api/v1/login)".into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 401 for a failed login (one message for every cause).
    pub fn connexion() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "connexion",
            message: crate::auth::REFUS_CONNEXION.into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 403: missing or wrong CSRF token.
    pub fn csrf() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "csrf",
            message: "jeton anti-falsification absent ou incorrect : rechargez la page".into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 403: a cross-site write.
    pub fn intersite() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "intersite",
            message: "requête refusée : une modification ne peut pas venir d'un autre site".into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 403 from the policy.
    pub fn interdit(raison: crate::auth::Interdit) -> Self {
        let code = match raison {
            crate::auth::Interdit::Role => "interdit",
            crate::auth::Interdit::SecondFacteur => "second_facteur",
            crate::auth::Interdit::Reauthentification => "reauthentification",
        };
        Self {
            status: StatusCode::FORBIDDEN,
            code,
            message: raison.message().into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 403 with a message.
    pub fn refuse(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "interdit",
            message: message.into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 409: the record's state does not allow this step (nothing changed).
    pub fn transition(message: String) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "transition",
            message,
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// The possible duplicates of a `doublons` error.
    pub fn candidats(&self) -> Option<&serde_json::Value> {
        self.candidats.as_deref()
    }

    /// A 409: possible duplicates, listed, before a new pupil is created.
    pub fn doublons(message: String, candidats: serde_json::Value) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "doublons",
            message,
            champ: None,
            candidats: Some(Box::new(candidats)),
            champs: Vec::new(),
        }
    }

    /// A 400 with a French message.
    pub fn requete(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "requete",
            message: message.into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 400 naming the query parameter at fault.
    pub fn parametre(champ: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "requete",
            message: message.into(),
            champ: Some(champ.into()),
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 404 for a record (also outside the perimeter: existence is not revealed).
    pub fn introuvable(quoi: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "introuvable",
            message: format!("{quoi} introuvable"),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 422 naming a field.
    pub fn invalide(champ: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message: message.into(),
            champ: Some(champ.into()),
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 422 listing every field refused (a form shows each beside its field).
    pub fn champs(champs: Vec<crate::domain::ErreurChamp>) -> Self {
        let message = crate::domain::Error::Champs(champs.clone()).to_string();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalide",
            message,
            champ: champs.first().map(|c| Cow::Owned(c.champ.clone())),
            candidats: None,
            champs,
        }
    }

    /// The same refusal of a field, under the form's name for it.
    pub fn avec_champ(mut self, champ: &'static str) -> Self {
        if self.champ.is_some() {
            self.champ = Some(Cow::Borrowed(champ));
            self.champs.iter_mut().for_each(|c| c.champ = champ.into());
        }
        self
    }

    /// The same refusals with the keys under `de` (`ajouts[0]`, `ajouts[0].nom`) named under
    /// `vers` instead (`responsable`, `responsable.nom`; an empty `vers` drops the prefix): for an
    /// endpoint whose body is one part of what the service checks.
    pub fn sous_cle(mut self, de: &str, vers: &str) -> Self {
        let renommer = |cle: &str| -> Option<String> {
            let reste = cle.strip_prefix(de)?;
            match (reste, vers.is_empty()) {
                ("", _) => Some(vers.to_string()),
                (r, true) => r.strip_prefix('.').map(str::to_string),
                (r, false) => r.starts_with('.').then(|| format!("{vers}{r}")),
            }
        };
        if let Some(c) = self.champ.as_deref().and_then(renommer) {
            self.champ = Some(Cow::Owned(c));
        }
        for c in &mut self.champs {
            if let Some(n) = renommer(&c.champ) {
                c.champ = n;
            }
        }
        self
    }

    /// The fields refused, each with its message: the list, or else the one field named.
    pub fn erreurs_champs(&self) -> Vec<crate::domain::ErreurChamp> {
        match (&self.champ, self.champs.is_empty()) {
            (_, false) => self.champs.clone(),
            (Some(c), true) => vec![crate::domain::ErreurChamp { champ: c.to_string(), message: self.message.clone() }],
            (None, true) => Vec::new(),
        }
    }

    /// An error of the HTTP layer itself (unknown address, method, media type, body too
    /// large…), in French, whatever produced it: axum's own rejections are answered with this.
    pub fn http(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("requete", "requête invalide : adresse, paramètres ou corps illisibles"),
            404 => ("introuvable", "adresse inconnue de l'API : la liste des adresses est dans /api/v1/openapi.json"),
            405 => ("methode", "méthode HTTP non permise pour cette adresse"),
            408 => ("delai", "la requête a mis trop de temps à arriver"),
            411 => ("longueur", "longueur du corps de la requête requise (Content-Length)"),
            413 => ("trop_long", "corps de la requête trop volumineux"),
            415 => (
                "type_contenu",
                "type de contenu non pris en charge : envoyez du JSON (Content-Type: application/json)",
            ),
            422 => ("invalide", "données invalides"),
            414 => ("adresse_trop_longue", "adresse trop longue : 8 Kio au plus"),
            429 => ("trop_de_requetes", "trop de requêtes : réessayez dans un moment"),
            431 => ("entetes_trop_grands", "en-têtes de la requête trop volumineux : 32 Kio au plus"),
            503 => ("indisponible", "le serveur est trop occupé pour le moment : réessayez dans un instant"),
            s if s >= 500 => ("interne", "erreur interne du serveur ; l'incident est journalisé"),
            _ => ("requete", "requête refusée"),
        };
        Self { status, code, message: message.into(), champ: None, candidats: None, champs: Vec::new() }
    }

    /// A 503: the request was given up (its time ran out) before anything of it was
    /// committed; it may be sent again.
    pub fn abandonnee() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "abandonnee",
            message:
                "le serveur n'a pas pu traiter la demande à temps : rien n'a été enregistré, vous pouvez la renvoyer"
                    .into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// A 500: the cause is logged, the client gets an opaque message.
    pub fn interne(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "erreur interne");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "interne",
            message: "erreur interne du serveur ; l'incident est journalisé".into(),
            champ: None,
            candidats: None,
            champs: Vec::new(),
        }
    }

    /// The same error with another French message.
    pub fn avec_message(mut self, m: impl Into<String>) -> Self {
        self.message = m.into();
        self
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The French message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The problem detail (RFC 9457) the API answers.
    pub fn body(&self) -> Probleme {
        Probleme {
            type_: format!("urn:registre:probleme:{}", self.code),
            title: titre(self.status),
            status: self.status.as_u16(),
            detail: self.message.clone(),
            code: self.code,
            champ: self.champ.clone(),
            candidats: self.candidats.as_deref().cloned(),
            champs: self.champs.clone(),
        }
    }
}

impl From<store::Error> for Error {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::Introuvable(quoi) => Error::introuvable(quoi),
            store::Error::Invalide(crate::domain::Error::Transition(r)) => Error::transition(r.0),
            store::Error::Invalide(d) => d.into(),
            store::Error::Conflit(m) => Self {
                status: StatusCode::CONFLICT,
                code: "conflit",
                message: m,
                champ: None,
                candidats: None,
                champs: Vec::new(),
            },
            store::Error::Abandonnee => Error::abandonnee(),
            other => Error::interne(other),
        }
    }
}

impl From<crate::domain::ChampInvalide> for Error {
    fn from(e: crate::domain::ChampInvalide) -> Self {
        Error::invalide(e.champ, e.to_string())
    }
}

impl From<crate::domain::CommuneError> for Error {
    fn from(e: crate::domain::CommuneError) -> Self {
        crate::domain::Error::from(e).into()
    }
}

impl From<crate::domain::Error> for Error {
    fn from(e: crate::domain::Error) -> Self {
        match e {
            crate::domain::Error::Champs(l) => Error::champs(l),
            e => Error::invalide(e.champ(), e.to_string()),
        }
    }
}

impl From<crate::service::Error> for Error {
    fn from(e: crate::service::Error) -> Self {
        use crate::service::Error as S;
        match e {
            S::Interdit(i) => Error::interdit(i),
            S::Transition(m) => Error::transition(m),
            S::Doublons(c) => {
                let message = S::Doublons(c.clone()).to_string();
                Error::doublons(message, serde_json::to_value(c).unwrap_or_default())
            }
            S::Invalide(crate::domain::Error::Transition(r)) => Error::transition(r.0),
            S::Invalide(d) => d.into(),
            S::Introuvable(quoi) => Error::introuvable(quoi),
            S::Abandonnee => Error::abandonnee(),
            S::Stockage(s) => s.into(),
            S::Fichier(f) => Error::interne(f),
            S::Conflit(m) => Self {
                status: StatusCode::CONFLICT,
                code: "conflit",
                message: m,
                champ: None,
                candidats: None,
                champs: Vec::new(),
            },
            S::Rendu(r) => Error::interne(r),
            S::Compte(a) => a.into(),
        }
    }
}

impl From<render::Error> for Error {
    fn from(e: render::Error) -> Self {
        Error::interne(e)
    }
}

impl From<crate::auth::Interdit> for Error {
    fn from(i: crate::auth::Interdit) -> Self {
        Error::interdit(i)
    }
}

/// An account field's key in the request, from its French name.
fn cle_compte(champ: &'static str) -> &'static str {
    match champ {
        "identifiant" => "login",
        "périmètre" => "territoire",
        c => c,
    }
}

impl From<crate::auth::Error> for Error {
    fn from(e: crate::auth::Error) -> Self {
        use crate::auth::Error as A;
        match e {
            A::Connexion => Error::connexion(),
            A::Lien => Self {
                status: StatusCode::GONE,
                code: "lien",
                message: e.to_string(),
                champ: None,
                candidats: None,
                champs: Vec::new(),
            },
            A::MotDePasse(r) => Error::invalide("mot_de_passe", format!("mot de passe refusé : {r}")),
            A::Verification(m) => Error::invalide("code", m),
            A::Interdit(m) => Error::refuse(m),
            A::Invalide { champ, message } => Error::invalide(cle_compte(champ), format!("{champ} : {message}")),
            A::Plusieurs(l) => Error::champs(l.into_iter().flat_map(|e| Error::from(e).erreurs_champs()).collect()),
            A::Store(s) => s.into(),
        }
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(e: tokio::task::JoinError) -> Self {
        Error::interne(e)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body())).into_response();
        r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(PROBLEME));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        r
    }
}

/// Result of a handler.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ErreurChamp;

    fn erreur(cles: &[&str]) -> Error {
        Error::champs(cles.iter().map(|c| ErreurChamp { champ: (*c).into(), message: "non".into() }).collect())
    }

    fn cles(e: &Error) -> Vec<String> {
        e.erreurs_champs().into_iter().map(|c| c.champ).collect()
    }

    #[test]
    fn a_part_s_keys_are_named_as_the_body_names_them_and_no_other_key_changes() {
        let e = erreur(&["ajouts[0].nom", "ajouts[0]", "ajouts[01].nom", "ajouts[0]x", "eleve.nom"]);
        let e = e.sous_cle("ajouts[0]", "responsable");
        assert_eq!(cles(&e), ["responsable.nom", "responsable", "ajouts[01].nom", "ajouts[0]x", "eleve.nom"]);
        assert_eq!(e.champ.as_deref(), Some("responsable.nom"));
        let e = erreur(&["ajouts[0].lien", "ajouts[0]"]).sous_cle("ajouts[0]", "");
        assert_eq!(cles(&e), ["lien", ""]);
        let e = Error::invalide("responsables[0].courriel", "non").sous_cle("responsables[0]", "responsable");
        assert_eq!(e.champ.as_deref(), Some("responsable.courriel"));
    }
}
