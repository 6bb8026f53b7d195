//! The machinery of the pages' forms: a submitted form read strictly (`Saisie`), the fixed
//! confirmations of `?fait=`, a refusal shown with its way back, and the steps that run a use
//! case from a form and come back to the page, filled in, when it is refused.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Error;
use super::pages::{Message, PageError, avec_moi};
use super::session::Visiteur;
use crate::http::etat::AppState;

pub(super) type Sortie = Result<Response, PageError>;

// Forms -----------------------------------------------------------------------------------------

/// A submitted form, as its pairs: a list of checkboxes repeats its name.
#[derive(Debug)]
pub(super) struct Saisie(pub(super) Vec<(String, String)>);

/// The most fields a form may have.
pub(super) const CHAMPS_MAX: usize = 200;

/// The longest value a page form keeps when it comes back filled in.
pub(super) const VALEUR_MAX: usize = 300;

impl Saisie {
    /// Reads an `application/x-www-form-urlencoded` body strictly: bytes that are not UTF-8
    /// once decoded are refused (a lenient reader would store U+FFFD in a pupil's name).
    pub(super) fn lire(corps: &[u8]) -> Result<Self, PageError> {
        let illisible = || Error::requete("formulaire illisible : il doit être envoyé en UTF-8 depuis la page");
        let decoder = |b: &[u8]| -> Result<String, Error> {
            let plus: Vec<u8> = b.iter().map(|c| if *c == b'+' { b' ' } else { *c }).collect();
            percent_encoding::percent_decode(&plus).decode_utf8().map(|s| s.into_owned()).map_err(|_| illisible())
        };
        let mut pairs = Vec::new();
        for part in corps.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            if pairs.len() == CHAMPS_MAX {
                return Err(Error::requete("formulaire trop long").into());
            }
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, &b""[..]),
            };
            pairs.push((decoder(k)?, decoder(v)?));
        }
        Ok(Self(pairs))
    }

    /// The first non-blank value of a field, trimmed.
    pub(super) fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().filter(|(n, _)| n == k).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }

    pub(super) fn texte(&self, k: &str) -> String {
        self.get(k).unwrap_or_default().to_string()
    }

    pub(super) fn opt(&self, k: &str) -> Option<String> {
        self.get(k).map(str::to_string)
    }

    pub(super) fn tous(&self, k: &str) -> Vec<&str> {
        self.0.iter().filter(|(n, v)| n == k && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    pub(super) fn coche(&self, k: &str) -> bool {
        self.get(k).is_some()
    }

    /// Every pair, as sent.
    pub(super) fn paires(&self) -> &[(String, String)] {
        &self.0
    }

    pub(super) fn csrf(&self, v: &Visiteur) -> Result<(), PageError> {
        Ok(v.verifier_csrf(self.get("csrf").unwrap_or_default())?)
    }
}

// Confirmations and refusals ---------------------------------------------------------------------

const FAITS: &[(&str, &str)] = &[
    ("inscription", "Inscription enregistrée ; confirmez-la quand les pièces sont vérifiées."),
    ("confirmee", "Inscription confirmée : le certificat d'inscription peut être imprimé."),
    ("annulee", "Inscription annulée."),
    ("admission", "Élève admis à l'école."),
    ("complete", "Dossier complet : l'admission est définitive."),
    ("classe", "Classe créée."),
    ("placement", "Répartition enregistrée."),
    ("propositions", "Propositions de passage enregistrées pour la classe."),
    ("decisions", "Décisions de passage arrêtées."),
    ("passage", "Passage mis à jour."),
    ("depart", "Départ en fin d'année enregistré."),
    ("radiation", "Élève radié : le certificat de radiation peut être imprimé."),
    ("radiation_annulee", "Radiation annulée : l'élève fait de nouveau partie de l'école."),
];

/// The confirmation of a `?fait=` code; an unknown code shows nothing.
pub(super) fn confirmation(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    FAITS.iter().chain(super::pages_corrections::FAITS).find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// The query of a page: its confirmation code, and the inscriptions' state filter.
#[derive(Debug, Default, Deserialize)]
pub struct QueryPage {
    pub(super) fait: Option<String>,
    pub(super) etat: Option<String>,
}

pub(super) fn fait_de(q: Result<Query<QueryPage>, QueryRejection>) -> Option<&'static str> {
    q.ok().and_then(|Query(f)| confirmation(f.fait.as_deref()))
}

/// A refusal of the domain or the policy, shown with a way back; a server error stays opaque.
pub(super) fn refus(state: &AppState, v: &Visiteur, e: Error, lien: &str, texte: &str) -> Sortie {
    if e.status().is_server_error() {
        return Err(e.into());
    }
    let titre = if e.status() == StatusCode::FORBIDDEN { "Accès refusé" } else { "Demande refusée" };
    let html = state.pages.render(
        "erreur.html",
        &avec_moi(
            v,
            Message { titre, message: e.message(), lien: Some(lien), lien_texte: Some(texte), avertissements: &[] },
        ),
    )?;
    Ok((e.status(), Html(html)).into_response())
}

/// A success: back to the page with its confirmation, or the warnings first.
pub(super) fn fait(state: &AppState, v: &Visiteur, vers: &str, code: &str, avertissements: &[String]) -> Sortie {
    if avertissements.is_empty() {
        return Ok(Redirect::to(&format!("{vers}?fait={code}")).into_response());
    }
    let html = state.pages.render(
        "message.html",
        &avec_moi(
            v,
            Message {
                titre: "C'est fait",
                message: confirmation(Some(code)).unwrap_or("C'est enregistré."),
                avertissements,
                lien: Some(vers),
                lien_texte: Some("Continuer"),
            },
        ),
    )?;
    Ok(Html(html).into_response())
}

/// The page a form lives on, to show it again when the form is refused.
#[derive(Debug, Clone)]
pub(super) enum PageDe {
    Accueil,
    Oppositions,
    Ecole(crate::domain::EcoleId),
    Classe(crate::domain::ClasseId),
    Eleve(crate::domain::EleveId),
    Prevision(crate::domain::EcoleId),
}

impl PageDe {
    async fn rendre(self, state: &AppState, v: &Visiteur) -> super::pages::PageResult {
        let q = || Ok(Query(QueryPage::default()));
        let (st, vi) = (State(state.clone()), v.clone());
        match self {
            PageDe::Accueil => super::pages::accueil(st, vi, Ok(Query(Default::default()))).await,
            PageDe::Oppositions => super::pages_corrections::page_oppositions(st, vi, q()).await,
            PageDe::Ecole(id) => super::pages::page_ecole(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Classe(id) => super::pages::page_classe(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Eleve(id) => super::pages::page_eleve(st, vi, super::extraction::Id(id), q()).await,
            PageDe::Prevision(id) => {
                super::effectifs::page_prevision_ecole(st, vi, super::extraction::Id(id), q()).await
            }
        }
    }
}

impl PageDe {
    /// The input's name of a refused field's key, on this page's forms.
    fn nom_du_champ(&self, cle: &str) -> String {
        match (self, cle.split_once('.')) {
            // The forecast's `CP.arrivees` is the input `arrivees_CP`.
            (PageDe::Prevision(_), Some((niveau, champ))) => format!("{champ}_{niveau}"),
            _ => cle.to_string(),
        }
    }
}

/// A form as submitted: what was typed, its action, and the page it lives on.
#[derive(Debug, Clone, Copy)]
pub(super) struct FormulaireSoumis<'a> {
    pub saisie: &'a Saisie,
    pub action: &'a str,
    pub page: &'a PageDe,
}

/// A refused form: when the refusal names fields and the form's page is known, that page
/// again, with what was typed put back and each error beside its field (422); else the French
/// error page with a way back.
pub(super) async fn reprendre<'a>(
    state: &AppState,
    v: &Visiteur,
    e: Error,
    f: impl Into<Option<FormulaireSoumis<'a>>>,
    retour: (&str, &str),
) -> Sortie {
    let Some(f) = f.into() else { return refus(state, v, e, retour.0, retour.1) };
    let erreurs = super::erreurs_saisie::du_formulaire(&e, |cle| f.page.nom_du_champ(cle));
    if erreurs.is_empty() || !e.status().is_client_error() || matches!(e.status().as_u16(), 401 | 403 | 404) {
        return refus(state, v, e, retour.0, retour.1);
    }
    let Html(html) = f.page.clone().rendre(state, v).await?;
    let html = super::erreurs_saisie::remplir(&html, f.action, &f.saisie.0);
    Ok((e.status(), Html(super::erreurs_saisie::marquer_dans(&html, Some(f.action), &erreurs))).into_response())
}

/// Like [`etape`], for a form embedded in a page: a refusal naming fields shows that page
/// again with the errors beside the fields and the input kept.
pub(super) async fn etape_formulaire<'a, T, F>(
    state: &AppState,
    v: &Visiteur,
    formulaire: impl Into<Option<FormulaireSoumis<'a>>>,
    retour: (&str, &str),
    f: F,
    ensuite: impl FnOnce(T) -> Sortie,
) -> Sortie
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> Result<T, crate::service::Error> + Send + 'static,
{
    match super::service(state, v.acteur.clone(), f).await {
        Ok(t) => ensuite(t),
        Err(e) => reprendre(state, v, e, formulaire, retour).await,
    }
}

/// Runs a domain step for a form: `ensuite` answers its success, a refusal comes back as a page.
pub(super) async fn etape<T, F>(
    state: &AppState,
    v: &Visiteur,
    retour: (&str, &str),
    f: F,
    ensuite: impl FnOnce(T) -> Sortie,
) -> Sortie
where
    T: Send + 'static,
    F: FnOnce(&crate::service::Service<'_>) -> Result<T, crate::service::Error> + Send + 'static,
{
    etape_formulaire(state, v, None, retour, f, ensuite).await
}

// Inscriptions ----------------------------------------------------------------------------------
