//! The web pages (French), rendered with Tera; escaping is on for every value.
//!
//! This module holds the shared machinery (`Pages`, the header, the home, school, class and search
//! pages); each kind of page has its module beside: `eleve`, `comptes`, `parcours`, `scolarite`,
//! `corrections`, `effectifs`, `echanges`, `impressions`.
//!
//! Every page but login, activation and reset needs a session; each asks the policy, queries
//! within the actor's perimeter and journals what it shows, like the API. Forms carry the
//! session's CSRF token. Errors are French pages with the right status; the stylesheet is the
//! only static file (the CSP forbids inline styles and scripts).

pub mod comptes;
pub mod corrections;
pub mod echanges;
pub mod effectifs;
pub mod eleve;
pub mod identite;
pub mod impressions;
pub mod lettres;
pub mod parcours;
pub mod scolarite;
pub mod verification;
pub mod verification_annuelle;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{self};
use crate::domain::Document;
use crate::domain::identite::date_fr;
use crate::domain::{ClasseId, EcoleId};
use crate::http::etat::AppState;
use crate::http::extraction::Id;
pub(in crate::http) use crate::http::pages::eleve::page_eleve;
use crate::http::pages::parcours::{QueryPage, fait_de};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking};
use crate::policy::{Action, Champs, Ressource, Role};
use crate::service::eleves::{RECHERCHE_MAX, Recherche as Demande};

const TEMPLATES: &[(&str, &str)] = &[
    ("champs.html", include_str!("../../../templates/pages/champs.html")),
    ("base.html", include_str!("../../../templates/pages/base.html")),
    ("macros.html", include_str!("../../../templates/pages/macros.html")),
    ("index.html", include_str!("../../../templates/pages/index.html")),
    ("ecole.html", include_str!("../../../templates/pages/ecole.html")),
    ("classe.html", include_str!("../../../templates/pages/classe.html")),
    ("eleve.html", include_str!("../../../templates/pages/eleve.html")),
    ("recherche.html", include_str!("../../../templates/pages/recherche.html")),
    ("erreur.html", include_str!("../../../templates/pages/erreur.html")),
    ("connexion.html", include_str!("../../../templates/pages/connexion.html")),
    ("code_identite.html", include_str!("../../../templates/pages/code_identite.html")),
    ("redirection.html", include_str!("../../../templates/pages/redirection.html")),
    ("mot_de_passe.html", include_str!("../../../templates/pages/mot_de_passe.html")),
    ("message.html", include_str!("../../../templates/pages/message.html")),
    ("compte.html", include_str!("../../../templates/pages/compte.html")),
    ("second_facteur.html", include_str!("../../../templates/pages/second_facteur.html")),
    ("codes_secours.html", include_str!("../../../templates/pages/codes_secours.html")),
    ("comptes.html", include_str!("../../../templates/pages/comptes.html")),
    ("statistiques.html", include_str!("../../../templates/pages/statistiques.html")),
    ("verification.html", include_str!("../../../templates/pages/verification.html")),
    ("inscriptions.html", include_str!("../../../templates/pages/inscriptions.html")),
    ("inscription.html", include_str!("../../../templates/pages/inscription.html")),
    ("formulaire_enfant.html", include_str!("../../../templates/pages/formulaire_enfant.html")),
    ("admission.html", include_str!("../../../templates/pages/admission.html")),
    ("rentree.html", include_str!("../../../templates/pages/rentree.html")),
    ("impressions.html", include_str!("../../../templates/pages/impressions.html")),
    ("fiche.html", include_str!("../../../templates/pages/fiche.html")),
    ("verification_annuelle.html", include_str!("../../../templates/pages/verification_annuelle.html")),
    ("verification_ecole.html", include_str!("../../../templates/pages/verification_ecole.html")),
    ("verification_territoire.html", include_str!("../../../templates/pages/verification_territoire.html")),
    ("oppositions.html", include_str!("../../../templates/pages/oppositions.html")),
    ("lettre_activation.html", include_str!("../../../templates/pages/lettre_activation.html")),
    ("lettres_activation.html", include_str!("../../../templates/pages/lettres_activation.html")),
    ("mot_de_passe_oublie.html", include_str!("../../../templates/pages/mot_de_passe_oublie.html")),
    ("constat.html", include_str!("../../../templates/pages/constat.html")),
    ("constat_ecole.html", include_str!("../../../templates/pages/constat_ecole.html")),
    ("publications.html", include_str!("../../../templates/pages/publications.html")),
    ("prevision_ecole.html", include_str!("../../../templates/pages/prevision_ecole.html")),
    ("echanges.html", include_str!("../../../templates/pages/echanges.html")),
    ("import.html", include_str!("../../../templates/pages/import.html")),
    ("confirmation.html", include_str!("../../../templates/pages/confirmation.html")),
];
const CSS: &str = include_str!("../../../static/registre.css");

/// The compiled page templates.
#[derive(Debug)]
pub struct Pages(tera::Tera);

impl Pages {
    /// Compiles every template (a failure is a programming error caught by the tests).
    pub fn new() -> Self {
        let mut t = tera::Tera::default();
        t.add_raw_templates(TEMPLATES.to_vec()).unwrap_or_else(|e| panic!("gabarits de pages invalides : {e:?}"));
        t.autoescape_on(vec![".html"]);
        t.register_filter("phrase", phrase);
        crate::http::formulaires::enregistrer(&mut t);
        Self(t)
    }

    /// The templates, compiled once for the process (pages and error pages alike).
    pub fn partagees() -> &'static Pages {
        static PAGES: std::sync::LazyLock<Pages> = std::sync::LazyLock::new(Pages::new);
        &PAGES
    }

    /// Renders a page.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String, Error> {
        let ctx = tera::Context::from_serialize(ctx).map_err(Error::interne)?;
        self.0.render(name, &ctx).map_err(Error::interne)
    }
}

/// A message as a sentence: its first letter upper-cased (the domain's messages start in lower
/// case, to be embedded; the rest is kept, acronyms included).
fn phrase(v: &Value, _: &std::collections::HashMap<String, Value>) -> tera::Result<Value> {
    let s = tera::try_get_value!("phrase", "value", String, v);
    Ok(Value::String(crate::domain::champs::phrase(&s)))
}

impl Default for Pages {
    fn default() -> Self {
        Self::new()
    }
}

/// An error shown as a French page.
#[derive(Debug)]
pub struct PageError(Error);

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl From<auth::Interdit> for PageError {
    fn from(i: auth::Interdit) -> Self {
        Self(Error::interdit(i))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        (self.0.status(), Html(page_erreur(&self.0))).into_response()
    }
}

/// The French page of an error, for a visitor whoever they are.
pub(in crate::http) fn page_erreur(e: &Error) -> String {
    let titre = match e.status() {
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::FORBIDDEN => "Accès refusé",
        s if s.is_client_error() => "Demande refusée",
        StatusCode::SERVICE_UNAVAILABLE => "Service momentanément indisponible",
        _ => "Erreur du serveur",
    };
    Pages::partagees()
        .render(
            "erreur.html",
            &Message { titre, message: e.message(), lien: None, lien_texte: None, avertissements: &[], intitule: None },
        )
        .unwrap_or_else(|_| format!("<!doctype html><title>{titre}</title><p>{titre}</p>"))
}

pub(in crate::http) type PageResult = Result<Html<String>, PageError>;

/// The stylesheet, with its validator: a client that holds this version gets a 304.
pub(in crate::http) async fn css(entetes: axum::http::HeaderMap) -> Response {
    static ETAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use sha2::Digest;
        let h = sha2::Sha256::digest(CSS.as_bytes());
        // Weak: the same sheet may be sent compressed or not.
        format!("W/\"{}\"", crate::config::hex(&h[..12]))
    });
    let cache = [(header::ETAG, ETAG.as_str()), (header::CACHE_CONTROL, "public, max-age=3600")];
    let connue = entetes
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| e.trim() == "*" || e.trim().trim_start_matches("W/") == ETAG.trim_start_matches("W/"));
    if connue {
        return (axum::http::StatusCode::NOT_MODIFIED, cache).into_response();
    }
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], cache, CSS).into_response()
}

pub(in crate::http) async fn introuvable() -> PageError {
    PageError(Error::introuvable("page"))
}

/// A message page (`message.html`, `erreur.html`): a title, a sentence, an optional way on.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Message<'a> {
    pub titre: &'a str,
    pub message: &'a str,
    pub lien: Option<&'a str>,
    pub lien_texte: Option<&'a str>,
    pub avertissements: &'a [String],
    /// What the list of `avertissements` is (« À vérifier » when none).
    pub intitule: Option<&'a str>,
}

/// A code and its French label, for a choice in a form.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Choix {
    pub code: &'static str,
    pub libelle: &'static str,
}

impl Choix {
    pub fn de<T>(tous: &[T], code: impl Fn(&T) -> &'static str, libelle: impl Fn(&T) -> &'static str) -> Vec<Self> {
        tous.iter().map(|t| Self { code: code(t), libelle: libelle(t) }).collect()
    }
}

/// What the header shows of the visitor: the menu's entries are those the policy allows.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Moi {
    fonction: String,
    csrf: String,
    recherche: bool,
    statistiques: bool,
    comptes: bool,
    inscriptions: bool,
    impressions: bool,
    rentree: bool,
    oppositions: bool,
    constat: bool,
    publications: bool,
}

impl Moi {
    fn de(v: &Visiteur) -> Self {
        let a = &v.acteur;
        Self {
            fonction: a.auteur.fonction.clone(),
            csrf: v.csrf.clone(),
            recherche: a.role != Role::Responsable && a.decision(Ressource::Eleve, Action::Rechercher).autorise(),
            statistiques: a.decision(Ressource::Statistiques, Action::Lire).autorise(),
            comptes: a.decision(Ressource::Compte, Action::Lister).autorise(),
            inscriptions: a.decision(Ressource::Inscription, Action::Lister).autorise(),
            impressions: !crate::http::pages::impressions::documents_en_lot(a, true).is_empty(),
            rentree: a.decision(Ressource::Annee, Action::Modifier).autorise(),
            oppositions: a.decision(Ressource::Opposition, Action::Modifier).autorise() && a.role != Role::Operateur,
            constat: a.decision(Ressource::Constat, Action::Lire).autorise() && a.role != Role::Operateur,
            publications: a.decision(Ressource::Publication, Action::Lister).autorise() && a.role != Role::Operateur,
        }
    }
}

/// A page's data beside the header's, and the form refused when the page is drawn again.
#[derive(Debug, Serialize)]
pub(in crate::http) struct AvecMoi<'a, T> {
    moi: Moi,
    formulaire: Option<&'a crate::http::formulaires::Refuse>,
    #[serde(flatten)]
    page: T,
}

pub(in crate::http) fn avec_moi<T: Serialize>(v: &Visiteur, page: T) -> AvecMoi<'_, T> {
    AvecMoi { moi: Moi::de(v), formulaire: v.refuse.as_deref(), page }
}

/// The home page's query: `verifier=oui` runs the base's quick check (administration).
#[derive(Debug, Default, Deserialize)]
pub struct QueryAccueil {
    verifier: Option<String>,
}

pub(in crate::http) async fn accueil(
    State(state): State<AppState>,
    v: Visiteur,
    q: Result<axum::extract::Query<QueryAccueil>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let verifier = q.ok().and_then(|q| q.0.verifier).is_some_and(|v| v == "oui");
    let accueil = crate::http::service(&state, v.acteur.clone(), move |svc| svc.accueil(verifier)).await?;
    // The bulk prints an inspector may launch for a whole circonscription (the header's rule).
    let lots = if matches!(v.acteur.role, Role::Ien | Role::IaDasen) {
        crate::http::pages::impressions::documents_en_lot(&v.acteur, true)
    } else {
        Vec::new()
    };
    let html = blocking(&state, move |s| {
        s.pages.render("index.html", &avec_moi(&v, PageAccueil { accueil, lots_circonscription: lots }))
    })
    .await?;
    Ok(Html(html))
}

/// The home page: the use case's, and the documents an inspector may print for a whole
/// circonscription.
#[derive(Debug, Serialize)]
struct PageAccueil {
    #[serde(flatten)]
    accueil: crate::service::accueil::Accueil,
    lots_circonscription: Vec<Choix>,
}

pub(in crate::http) async fn page_statistiques(State(state): State<AppState>, v: Visiteur) -> PageResult {
    let t = crate::http::service(&state, v.acteur.clone(), |svc| svc.effectifs()).await?;
    let niveaux: Vec<&'static str> = crate::domain::Niveau::ALL.iter().map(|n| n.code()).collect();
    #[derive(Serialize)]
    struct Statistiques<T> {
        t: T,
        niveaux: Vec<&'static str>,
    }
    Ok(Html(state.pages.render("statistiques.html", &avec_moi(&v, Statistiques { t, niveaux }))?))
}

pub(in crate::http) async fn page_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: Result<Query<QueryPage>, QueryRejection>,
) -> PageResult {
    let fait = fait_de(q);
    let (annee, ecole, classes) = crate::http::service(&state, v.acteur.clone(), move |svc| {
        let classes = svc.classes(&id, None)?;
        Ok((svc.annee()?, svc.ecole(&id)?, classes))
    })
    .await?;
    let html = blocking(&state, move |s| {
        let total: u32 = classes.iter().map(|c| c.effectif).sum();
        let gestion = crate::http::pages::scolarite::gestion_ecole(s, &v.acteur, &ecole, &classes)?;
        #[derive(Serialize)]
        struct PageEcole<E, C, G> {
            annee: String,
            type_libelle: &'static str,
            ecole: E,
            classes: C,
            total: u32,
            gestion: G,
            fait: Option<&'static str>,
            listes: Vec<Imprimable>,
            lots: Vec<Choix>,
            verification: bool,
        }
        let type_libelle = ecole.type_ecole.libelle();
        let listes =
            imprimables(&v.acteur, &[Document::ListeEleves, Document::ListeElectorale, Document::RegistreEleves]);
        let lots = crate::http::pages::impressions::documents_en_lot(&v.acteur, true);
        let verification = v.acteur.decision(Ressource::Verification, Action::Lister).autorise();
        let page = PageEcole {
            annee: annee.to_string(),
            type_libelle,
            ecole,
            classes,
            total,
            gestion,
            fait,
            listes,
            lots,
            verification,
        };
        s.pages.render("ecole.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The documents of `docs` the visitor may print.
/// A document a page offers: PDF, and CSV too when it exists as a spreadsheet.
#[derive(Debug, Serialize)]
pub(in crate::http) struct Imprimable {
    code: &'static str,
    libelle: &'static str,
    csv: bool,
}

fn imprimables(a: &crate::auth::Acteur, docs: &[Document]) -> Vec<Imprimable> {
    docs.iter()
        .filter(|d| a.decision(Ressource::Document(**d), Action::Imprimer).autorise())
        .map(|d| Imprimable { code: d.name(), libelle: d.titre(), csv: d.en_tableur() })
        .collect()
}

pub(in crate::http) fn ligne_vue(l: &Value) -> Value {
    // The use case's projected line; only the date is put in French for the page.
    let mut l = l.clone();
    if let Some(d) = l["date_naissance"]
        .as_str()
        .and_then(|d| time::Date::parse(d, &time::format_description::well_known::Iso8601::DEFAULT).ok())
    {
        l["date_naissance"] = Value::String(date_fr(d));
    }
    l
}

pub(in crate::http) async fn page_classe(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<ClasseId>,
    q: Result<Query<QueryPage>, QueryRejection>,
) -> PageResult {
    let fait = fait_de(q);
    let suivi = v.acteur.role == Role::Directeur;
    let (classe, ecole, lignes, retours) = crate::http::service(&state, v.acteur.clone(), move |svc| {
        let classe = svc.classe(&id)?;
        let ecole = svc.ecole(&classe.ecole_id)?;
        let retours = if suivi { Some(svc.retours_classe(&id)?) } else { None };
        Ok((classe, ecole, svc.eleves_de_classe(&id)?, retours))
    })
    .await?;
    let html = blocking(&state, move |s| {
        let mut lignes: Vec<Value> = lignes.as_array().map(|l| l.iter().map(ligne_vue).collect()).unwrap_or_default();
        // Which fiches de renseignements came back from the families this year.
        let nb_retours = retours.as_ref().map(|r| {
            for l in &mut lignes {
                let revenue = l.get("id").and_then(Value::as_str).is_some_and(|i| r.iter().any(|e| e.as_str() == i));
                if let Some(o) = l.as_object_mut() {
                    o.insert("fiche_retournee".into(), Value::Bool(revenue));
                }
            }
            r.len()
        });
        let gestion = crate::http::pages::scolarite::gestion_classe(s, &v.acteur, &classe)?;
        #[derive(Serialize)]
        struct PageClasse<C, E, G> {
            annee: String,
            classe: C,
            ecole: E,
            eleves: Vec<Value>,
            gestion: G,
            fait: Option<&'static str>,
            listes: Vec<Imprimable>,
            lots: Vec<Choix>,
            retours: Option<usize>,
        }
        let listes = imprimables(&v.acteur, &[Document::ListeClasse, Document::ListeAppel, Document::ListeEleves]);
        let lots = crate::http::pages::impressions::documents_en_lot(&v.acteur, false);
        let page = PageClasse {
            annee: classe.annee.to_string(),
            classe,
            ecole,
            eleves: lignes,
            gestion,
            fait,
            listes,
            lots,
            retours: nb_retours,
        };
        s.pages.render("classe.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The search form, or a school's pupils.
#[derive(Debug, Deserialize)]
pub struct Recherche {
    q: Option<String>,
    ecole: Option<String>,
}

pub(in crate::http) async fn page_recherche(
    State(state): State<AppState>,
    v: Visiteur,
    q: Result<Query<Recherche>, QueryRejection>,
) -> PageResult {
    let r = q.map(|Query(r)| r).unwrap_or(Recherche { q: None, ecole: None });
    let ecole = match r.ecole.as_deref() {
        Some(e) => Some(EcoleId::parse(e).map_err(|_| Error::introuvable("école"))?),
        None => None,
    };
    let action = if ecole.is_some() { Action::Lister } else { Action::Rechercher };
    let champs = v.acteur.autoriser(Ressource::Eleve, action, state.clock.now())?;
    let q = r.q.unwrap_or_default();
    let limite = 200;
    let message = if ecole.is_some() {
        None
    } else if q.chars().count() > RECHERCHE_MAX {
        Some("Recherche trop longue : 200 caractères au plus.")
    } else if crate::domain::identite::cle_recherche(&q).len() < 2 {
        Some("Saisissez au moins deux lettres du nom ou du prénom.")
    } else {
        None
    };
    let demande = match (&ecole, message) {
        (Some(e), _) => Some(Demande { ecole: Some(e.clone()), limite: 2000, ..Demande::default() }),
        (None, None) => Some(Demande { q: Some(q.clone()), limite, ..Demande::default() }),
        (None, Some(_)) => None,
    };
    let (annee, lignes) = crate::http::service(&state, v.acteur.clone(), move |svc| {
        let lignes = match demande {
            Some(d) => svc.eleves(&d)?,
            None => Value::Array(Vec::new()),
        };
        Ok((svc.annee()?, lignes))
    })
    .await?;
    let lignes: Vec<Value> = lignes.as_array().map(|l| l.iter().map(ligne_vue).collect()).unwrap_or_default();
    let q: String = q.chars().take(RECHERCHE_MAX).collect();
    #[derive(Serialize)]
    struct PageRecherche {
        annee: String,
        q: String,
        eleves: Vec<Value>,
        limite: u32,
        message: Option<&'static str>,
        scolarite: bool,
        naissance: bool,
    }
    let page = PageRecherche {
        annee: annee.to_string(),
        q,
        eleves: lignes,
        limite,
        message,
        scolarite: champs.contient(Champs::SCOLARITE),
        naissance: champs.contient(Champs::NAISSANCE),
    };
    Ok(Html(state.pages.render("recherche.html", &avec_moi(&v, page))?))
}
