//! The web pages (French), rendered with Tera; escaping is on for every value.
//!
//! Errors are French pages with the right status; the stylesheet is the only static file
//! (the CSP forbids inline styles and scripts).

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Error, blocking};
use crate::app::AppState;
use crate::domain::identite::date_fr;
use crate::domain::{ClasseId, EcoleId, EleveId, Perimetre};
use crate::store::eleves::{self, Filtre};
use crate::store::{classes, territoires};

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/pages/base.html")),
    ("index.html", include_str!("../../templates/pages/index.html")),
    ("ecole.html", include_str!("../../templates/pages/ecole.html")),
    ("classe.html", include_str!("../../templates/pages/classe.html")),
    ("eleve.html", include_str!("../../templates/pages/eleve.html")),
    ("recherche.html", include_str!("../../templates/pages/recherche.html")),
    ("erreur.html", include_str!("../../templates/pages/erreur.html")),
];
const CSS: &str = include_str!("../../static/registre.css");

// The perimeter of every request until accounts exist (loopback only).
const TOUT: Perimetre = Perimetre::Installation;

/// The compiled page templates.
#[derive(Debug)]
pub struct Pages(tera::Tera);

impl Pages {
    /// Compiles every template (a failure is a programming error caught by the tests).
    pub fn new() -> Self {
        let mut t = tera::Tera::default();
        t.add_raw_templates(TEMPLATES.to_vec()).unwrap_or_else(|e| panic!("gabarits de pages invalides : {e:?}"));
        t.autoescape_on(vec![".html"]);
        Self(t)
    }

    fn render(&self, name: &str, ctx: &Value) -> Result<String, Error> {
        let ctx = tera::Context::from_value(ctx.clone()).map_err(Error::interne)?;
        self.0.render(name, &ctx).map_err(Error::interne)
    }
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

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let titre = match status {
            StatusCode::NOT_FOUND => "Page introuvable",
            s if s.is_client_error() => "Demande refusée",
            _ => "Erreur du serveur",
        };
        let body = Pages::new()
            .render("erreur.html", &json!({ "titre": titre, "message": self.0.message() }))
            .unwrap_or_else(|_| format!("<!doctype html><title>{titre}</title><p>{titre}</p>"));
        (status, Html(body)).into_response()
    }
}

type PageResult = Result<Html<String>, PageError>;

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(accueil))
        .route("/ecoles/{id}", get(page_ecole))
        .route("/classes/{id}", get(page_classe))
        .route("/eleves", get(page_recherche))
        .route("/eleves/{id}", get(page_eleve))
        .route("/static/registre.css", get(css))
        .fallback(introuvable)
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
        .into_response()
}

async fn introuvable() -> PageError {
    PageError(Error::introuvable("page"))
}

async fn accueil(State(state): State<AppState>) -> PageResult {
    let html = blocking(&state, |s| {
        let (annee, ecoles) = s.store.read(|c| Ok((territoires::annee_courante(c)?, territoires::ecoles(c, &TOUT)?)))?;
        let mut circos: Vec<(String, Vec<Value>)> = Vec::new();
        let mut sorted = ecoles;
        sorted.sort_by(|a, b| (&a.circonscription, &a.commune, &a.nom).cmp(&(&b.circonscription, &b.commune, &b.nom)));
        for e in sorted {
            let v = json!({ "id": e.id, "nom": e.nom, "uai": e.uai, "commune": e.commune, "type_libelle": e.type_ecole.libelle() });
            match circos.last_mut() {
                Some((nom, list)) if *nom == e.circonscription => list.push(v),
                _ => circos.push((e.circonscription.clone(), vec![v])),
            }
        }
        let circos: Vec<Value> = circos.into_iter().map(|(nom, ecoles)| json!({ "nom": nom, "ecoles": ecoles })).collect();
        s.pages.render("index.html", &json!({ "annee": annee.to_string(), "circonscriptions": circos }))
    })
    .await?;
    Ok(Html(html))
}

async fn page_ecole(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = EcoleId::parse(&id).map_err(|_| Error::introuvable("école"))?;
    let html = blocking(&state, move |s| {
        let (annee, ecole, classes) = s.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let ecole = territoires::ecole(c, &TOUT, &id)?;
            let classes = classes::classes(c, &TOUT, &id, annee)?;
            Ok((annee, ecole, classes))
        })?;
        let total: u32 = classes.iter().map(|c| c.effectif).sum();
        s.pages.render(
            "ecole.html",
            &json!({ "annee": annee.to_string(), "type_libelle": ecole.type_ecole.libelle(), "ecole": ecole, "classes": classes, "total": total }),
        )
    })
    .await?;
    Ok(Html(html))
}

fn ligne_json(l: &eleves::EleveLigne) -> Value {
    json!({
        "id": l.id, "nom": l.nom, "prenoms": l.prenoms, "date_naissance": date_fr(l.date_naissance),
        "uai": l.uai, "niveau": l.niveau, "classe": l.classe,
    })
}

async fn page_classe(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = ClasseId::parse(&id).map_err(|_| Error::introuvable("classe"))?;
    let html = blocking(&state, move |s| {
        let (classe, ecole, lignes) = s.store.read(|c| {
            let classe = classes::classe(c, &TOUT, &id)?;
            let ecole = territoires::ecole(c, &TOUT, &classe.ecole_id)?;
            let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(classe.annee) };
            Ok((classe, ecole, eleves::lister(c, &TOUT, &f)?))
        })?;
        let lignes: Vec<Value> = lignes.iter().map(ligne_json).collect();
        s.pages.render(
            "classe.html",
            &json!({ "annee": classe.annee.to_string(), "classe": classe, "ecole": ecole, "eleves": lignes }),
        )
    })
    .await?;
    Ok(Html(html))
}

/// The search form.
#[derive(Debug, Deserialize)]
pub struct Recherche {
    q: Option<String>,
}

async fn page_recherche(State(state): State<AppState>, q: Result<Query<Recherche>, QueryRejection>) -> PageResult {
    let q = q.map(|Query(r)| r.q.unwrap_or_default()).unwrap_or_default();
    let html = blocking(&state, move |s| {
        let limite = 200;
        let annee = s.store.read(territoires::annee_courante)?;
        let (lignes, message) = if q.chars().count() > 200 {
            (vec![], Some("Recherche trop longue : 200 caractères au plus."))
        } else if crate::domain::identite::cle_recherche(&q).len() < 2 {
            (vec![], Some("Saisissez au moins deux lettres du nom ou du prénom."))
        } else {
            let f = Filtre { q: Some(q.clone()), limite, ..Filtre::annee(annee) };
            (s.store.read(|c| eleves::lister(c, &TOUT, &f))?, None)
        };
        let lignes: Vec<Value> = lignes.iter().map(ligne_json).collect();
        let q: String = q.chars().take(200).collect();
        s.pages.render(
            "recherche.html",
            &json!({ "annee": annee.to_string(), "q": q, "eleves": lignes, "limite": limite, "message": message }),
        )
    })
    .await?;
    Ok(Html(html))
}

async fn page_eleve(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let id = EleveId::parse(&id).map_err(|_| Error::introuvable("élève"))?;
    let html = blocking(&state, move |s| {
        let (annee, f) = s.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            Ok((annee, eleves::fiche(c, &TOUT, &id, annee)?))
        })?;
        let e = &f.eleve;
        let adresse = [e.adresse.clone(), e.code_postal.clone(), e.commune_residence.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let scolarites: Vec<Value> = f
            .scolarites
            .iter()
            .map(|s| {
                json!({
                    "annee": s.annee.to_string(), "ecole": s.ecole, "ecole_id": s.ecole_id, "uai": s.uai, "niveau": s.niveau,
                    "cycle": s.cycle.numero(), "classe": s.classe, "classe_id": s.classe_id, "ulis": s.ulis,
                    "etat": s.etat.libelle(), "date_admission": date_fr(s.date_admission),
                })
            })
            .collect();
        let responsables: Vec<Value> = f
            .responsables
            .iter()
            .map(|r| {
                let identite = [r.civilite.map(|c| c.code().to_string()), Some(r.prenom.clone()), Some(r.nom.clone())].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let adresse = [r.adresse.clone(), r.code_postal.clone(), r.commune.clone(), r.pays.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                let tels = [r.tel_portable.as_ref(), r.tel_domicile.as_ref(), r.tel_travail.as_ref()].into_iter().flatten().cloned().collect::<Vec<_>>().join(" · ");
                json!({
                    "rang": r.rang, "identite": identite, "lien": r.lien.libelle(), "autorite_parentale": r.autorite_parentale,
                    "adresse": if adresse.is_empty() { None } else { Some(adresse) },
                    "telephones": if tels.is_empty() { None } else { Some(tels) }, "courriel": r.courriel,
                })
            })
            .collect();
        let scolarite = f.scolarite(annee).map(|s| json!({ "ecole": s.ecole, "ecole_id": s.ecole_id, "classe": s.classe, "classe_id": s.classe_id }));
        s.pages.render(
            "eleve.html",
            &json!({
                "eleve": e, "sexe": if e.sexe == crate::domain::Sexe::F { "féminin" } else { "masculin" },
                "naissance": date_fr(e.date_naissance), "adresse": if adresse.is_empty() { None } else { Some(adresse) },
                "scolarites": scolarites, "responsables": responsables, "contacts": f.contacts, "scolarite": scolarite,
            }),
        )
    })
    .await?;
    Ok(Html(html))
}
