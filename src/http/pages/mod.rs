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
pub mod impressions;
pub mod parcours;
pub mod scolarite;

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
    ("oppositions.html", include_str!("../../../templates/pages/oppositions.html")),
    ("lettre_activation.html", include_str!("../../../templates/pages/lettre_activation.html")),
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
    let mut c = s.chars();
    Ok(Value::String(match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }))
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
            &Message { titre, message: e.message(), lien: None, lien_texte: None, avertissements: &[] },
        )
        .unwrap_or_else(|_| format!("<!doctype html><title>{titre}</title><p>{titre}</p>"))
}

pub(in crate::http) type PageResult = Result<Html<String>, PageError>;

pub(in crate::http) async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
        .into_response()
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
    let a = v.acteur.clone();
    let enfants = a.role == Role::Responsable && a.decision(Ressource::Eleve, Action::Lister).autorise();
    let ecoles = !enfants && a.decision(Ressource::Ecole, Action::Lister).autorise();
    use crate::domain::correction::EtatDemande;
    let rectifications = a.role == Role::Directeur && a.decision(Ressource::Rectification, Action::Modifier).autorise();
    let oppositions = a.role == Role::IaDasen && a.decision(Ressource::Opposition, Action::Modifier).autorise();
    let constat = match (&a.perimetre, a.role) {
        (crate::domain::Perimetre::Ecole(e), Role::Directeur)
            if a.decision(Ressource::Constat, Action::Modifier).autorise() =>
        {
            Some(e.clone())
        }
        _ => None,
    };
    let exploitation = a.decision(Ressource::Exploitation, Action::Lire).autorise();
    let tableau =
        matches!(a.role, Role::Directeur | Role::Ien | Role::IaDasen | Role::AgentMairie | Role::PrincipalCollege);
    let (annee, enfants, ecoles, rectifications, oppositions, constat, exploitation, tableau) =
        crate::http::service(&state, a, move |svc| {
            let annee = svc.annee()?;
            let enfants =
                if enfants { Some(svc.eleves(&Demande { limite: u32::MAX, ..Demande::default() })?) } else { None };
            let ecoles = if ecoles { Some(svc.ecoles()?) } else { None };
            let rectifications = if rectifications {
                svc.rectifications(None, Some(EtatDemande::EnAttente)).unwrap_or_default()
            } else {
                Vec::new()
            };
            let oppositions = if oppositions {
                svc.oppositions(None, Some(EtatDemande::EnAttente)).map(|l| l.len()).unwrap_or_default()
            } else {
                0
            };
            // The school's constat, when the campaign waits for it.
            let constat = match constat {
                // Not fatal: without a second factor yet, the page still shows (and says why).
                Some(e) => svc.constat_attendu(&e).ok().filter(|attendu| *attendu).map(|_| e.to_string()),
                None => None,
            };
            let exploitation = if exploitation { Some(svc.etat_installation(verifier)?) } else { None };
            let tableau = if tableau { svc.tableau_de_bord()? } else { Default::default() };
            Ok((annee, enfants, ecoles, rectifications, oppositions, constat, exploitation, tableau))
        })
        .await?;
    let html = blocking(&state, move |s| {
        let a = &v.acteur;
        let mut page = Accueil {
            annee: annee.to_string(),
            avertissement: (a.role.exige_second_facteur() && !a.second_facteur)
                .then_some("Activez votre second facteur dans « Mon compte » pour accéder aux élèves."),
            enfants: Value::Array(Vec::new()),
            rectifications,
            oppositions,
            constat_a_valider: constat,
            exploitation,
            circonscriptions: Vec::new(),
            lien_ecoles: None,
            a_faire: Vec::new(),
            ecole: None,
            inscriptions: tableau.inscriptions,
            sixiemes: tableau.sixiemes,
            en_retard: tableau.ecoles.iter().filter(|l| l.en_retard).count(),
            lots_circonscription: if matches!(a.role, Role::Ien | Role::IaDasen) {
                crate::http::pages::impressions::documents_en_lot(a, true)
            } else {
                Vec::new()
            },
        };
        let comptes: std::collections::HashMap<String, crate::store::tableau::LigneTableau> =
            tableau.ecoles.into_iter().map(|l| (l.id.clone(), l)).collect();
        if a.role == Role::Directeur
            && comptes.len() == 1
            && let Some(l) = comptes.values().next()
        {
            page.a_faire = taches_directeur(l);
            page.ecole = Some(l.clone());
        }
        if let Some(enfants) = enfants {
            page.enfants = enfants;
        } else if let Some(mut ecoles) = ecoles {
            use crate::domain::tri::comparer;
            ecoles.sort_by(|x, y| {
                comparer(&x.circonscription, &y.circonscription)
                    .then_with(|| comparer(&x.commune, &y.commune))
                    .then_with(|| comparer(&x.nom, &y.nom))
            });
            for e in ecoles {
                let ligne = LigneEcole {
                    comptes: comptes.get(e.id.as_str()).cloned(),
                    type_libelle: e.type_ecole.libelle(),
                    id: e.id,
                    nom: e.nom,
                    uai: e.uai,
                    commune: e.commune,
                };
                match page.circonscriptions.last_mut() {
                    Some(c) if c.nom == e.circonscription => c.ecoles.push(ligne),
                    _ => page.circonscriptions.push(Circonscription {
                        nom: e.circonscription,
                        id: e.circonscription_id.to_string(),
                        ecoles: vec![ligne],
                    }),
                }
            }
            // A school leads to its classes, or else to its pupils (the mairie's view).
            page.lien_ecoles = Some(if a.decision(Ressource::Classe, Action::Lister).autorise() {
                "classes"
            } else if a.decision(Ressource::Eleve, Action::Lister).autorise() {
                "eleves"
            } else {
                ""
            });
        }
        s.pages.render("index.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The home page: a family's children, or the schools of the perimeter by circonscription.
#[derive(Debug, Serialize)]
struct Accueil {
    annee: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    avertissement: Option<&'static str>,
    /// The use case's projected lines.
    enfants: Value,
    /// The families' rectification requests awaiting the school's decision.
    rectifications: Vec<crate::service::demandes::RectificationVue>,
    /// Oppositions awaiting the IA-DASEN's decision.
    oppositions: usize,
    /// The directeur's school, when its constat waits to be validated in an open campaign.
    constat_a_valider: Option<String>,
    /// The technical administrator's view of the installation.
    #[serde(skip_serializing_if = "Option::is_none")]
    exploitation: Option<crate::service::exploitation::EtatInstallation>,
    circonscriptions: Vec<Circonscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lien_ecoles: Option<&'static str>,
    /// The documents an inspector may print for a whole circonscription.
    lots_circonscription: Vec<Choix>,
    /// The directeur's to-dos, most urgent first.
    a_faire: Vec<Tache>,
    /// The directeur's school and its counts.
    ecole: Option<crate::store::tableau::LigneTableau>,
    /// The mairie's inscriptions by year and state.
    inscriptions: Vec<crate::service::ecoles::InscriptionsParEtat>,
    /// The principal's incoming 6e, per primary school.
    sixiemes: Vec<crate::service::ecoles::SixiemesParEcole>,
    /// The inspectors' schools where something waits.
    en_retard: usize,
}

/// One thing to do, as the directeur's home page lists it.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Tache {
    texte: String,
    lien: String,
}

/// The directeur's to-dos from the school's counts: what waits on the school, in the order of
/// the year's work (inscriptions, papers, classes, passages, fiches, families' requests); the
/// constat, when its campaign waits, has its own line.
fn taches_directeur(l: &crate::store::tableau::LigneTableau) -> Vec<Tache> {
    let e = &l.id;
    let pl = |n: u32, un: &str, plusieurs: &str| if n > 1 { plusieurs.to_string() } else { un.to_string() };
    let mut t = Vec::new();
    let mut ajouter = |n: u32, texte: String, lien: String| {
        if n > 0 {
            t.push(Tache { texte: format!("{n} {texte}"), lien });
        }
    };
    ajouter(
        l.a_admettre,
        pl(l.a_admettre, "inscription en mairie à admettre", "inscriptions en mairie à admettre"),
        "/inscriptions?etat=inscrit".into(),
    );
    ajouter(
        l.provisoires,
        pl(l.provisoires, "admission provisoire : pièces manquantes", "admissions provisoires : pièces manquantes"),
        format!("/ecoles/{e}#provisoires"),
    );
    ajouter(
        l.non_repartis,
        pl(l.non_repartis, "élève à répartir dans une classe", "élèves à répartir dans une classe"),
        format!("/ecoles/{e}#a-repartir"),
    );
    ajouter(
        l.passages_en_attente,
        pl(
            l.passages_en_attente,
            "passage proposé, en attente de réponse ou de décision",
            "passages proposés, en attente de réponse ou de décision",
        ),
        format!("/ecoles/{e}#classes"),
    );
    ajouter(
        l.fiches_non_revenues,
        pl(
            l.fiches_non_revenues,
            "fiche de renseignements pas encore revenue",
            "fiches de renseignements pas encore revenues",
        ),
        format!("/ecoles/{e}#classes"),
    );
    ajouter(
        l.rectifications,
        pl(l.rectifications, "demande de rectification d'une famille", "demandes de rectification des familles"),
        "#demandes".into(),
    );
    t
}

#[derive(Debug, Serialize)]
struct Circonscription {
    nom: String,
    id: String,
    ecoles: Vec<LigneEcole>,
}

#[derive(Debug, Serialize)]
struct LigneEcole {
    /// The school's counts and to-dos (directeur, IEN, IA-DASEN).
    comptes: Option<crate::store::tableau::LigneTableau>,
    id: EcoleId,
    nom: String,
    uai: crate::domain::Uai,
    commune: String,
    type_libelle: &'static str,
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
            listes: Vec<Choix>,
            lots: Vec<Choix>,
        }
        let type_libelle = ecole.type_ecole.libelle();
        let listes =
            imprimables(&v.acteur, &[Document::ListeEleves, Document::ListeElectorale, Document::RegistreEleves]);
        let lots = crate::http::pages::impressions::documents_en_lot(&v.acteur, true);
        let page =
            PageEcole { annee: annee.to_string(), type_libelle, ecole, classes, total, gestion, fait, listes, lots };
        s.pages.render("ecole.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The documents of `docs` the visitor may print.
fn imprimables(a: &crate::auth::Acteur, docs: &[Document]) -> Vec<Choix> {
    docs.iter()
        .filter(|d| a.decision(Ressource::Document(**d), Action::Imprimer).autorise())
        .map(|d| Choix { code: d.name(), libelle: d.titre() })
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
            listes: Vec<Choix>,
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
