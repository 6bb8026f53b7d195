//! The pages of the way into a school: a mairie registers a child, a director admits (from the
//! inscription or directly). The school year's pages (classes, passages, steps, rentrée) are in
//! `pages_scolarite`; both share the form reading and the confirmations defined here.
//!
//! Every form calls the same domain service as the JSON API (`crate::service`, through `super::service`), so the
//! rules, the French refusals and the journal are the same. A success redirects (303) to the
//! page, which shows a fixed confirmation (`?fait=code`, never a text from the query); warnings
//! come on a page of their own; a refusal shows its message with a way back, and the child's
//! form comes back filled in, with the possible duplicates to choose from.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::pages::{PageError, avec_moi};
use super::parcours::{self, DemandeAdmissionSaisie, DemandeInscription, EnfantSaisi};
use super::session::Visiteur;
use super::{Error, blocking};
use crate::app::{AppState, Inner};
use crate::auth::Acteur;
use crate::domain::Document;
use crate::domain::identite::{date_fr, parse_date};
use crate::domain::parcours::{EtatInscription, ModeScolarisation, Piece};
use crate::domain::{EcoleId, EleveSaisie, Lien, Niveau, Perimetre, ResponsableSaisie};
use crate::policy::{Action, Champs, Ressource, Role};
use crate::service::parcours::Resultat;
use crate::store::classes;

pub(super) type Sortie = Result<Response, PageError>;

/// The lifecycle's page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inscriptions", get(page_inscriptions))
        .route("/inscriptions/nouvelle", get(page_nouvelle_inscription).post(nouvelle_inscription))
        .route("/inscriptions/{id}/confirmer", post(confirmer_inscription))
        .route("/inscriptions/{id}/annuler", post(annuler_inscription))
        .route("/inscriptions/{id}/admission", get(page_admission_inscription).post(admission_inscription))
        .route("/ecoles/{id}/admission", get(page_admission_directe).post(admission_directe))
        .merge(super::pages_scolarite::routes())
}

// Forms -----------------------------------------------------------------------------------------

/// A submitted form, as its pairs: a list of checkboxes repeats its name.
pub(super) struct Saisie(Vec<(String, String)>);

/// The most fields a form may have.
const CHAMPS_MAX: usize = 200;

/// The longest value a page form keeps when it comes back filled in.
const VALEUR_MAX: usize = 300;

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

    pub(super) fn csrf(&self, v: &Visiteur) -> Result<(), PageError> {
        Ok(v.verifier_csrf(self.get("csrf").unwrap_or_default())?)
    }

    /// The values to fill the form again with (every known field, blank when absent).
    pub(super) fn valeurs(&self) -> Value {
        let responsables = ["r1", "r2"].iter().flat_map(|p| CHAMPS_RESPONSABLE.iter().map(move |k| format!("{p}_{k}")));
        let mut m = Map::new();
        for k in CHAMPS_ENFANT.iter().map(|k| k.to_string()).chain(responsables) {
            let v: String = self.get(&k).unwrap_or_default().chars().take(VALEUR_MAX).collect();
            m.insert(k, Value::String(v));
        }
        Value::Object(m)
    }
}

/// The fields of the child's form (with those of the responsables).
const CHAMPS_ENFANT: &[&str] = &[
    "eleve_nom",
    "eleve_nom_usage",
    "eleve_prenoms",
    "eleve_sexe",
    "eleve_date_naissance",
    "eleve_naissance_insee",
    "eleve_naissance_lieu",
    "eleve_adresse",
    "eleve_code_postal",
    "eleve_commune_residence",
    "mode",
    "ecole_id",
    "niveau",
    "annee",
    "classe_id",
    "date",
];

/// The fields of each responsable (prefixed `r1_`, `r2_`).
const CHAMPS_RESPONSABLE: &[&str] = &[
    "civilite",
    "nom",
    "prenom",
    "lien",
    "tel_portable",
    "tel_domicile",
    "courriel",
    "adresse",
    "code_postal",
    "commune",
];

/// The child of the form: a known pupil chosen among the candidates, or the new one typed in.
fn enfant(s: &Saisie) -> EnfantSaisi {
    if let Some(id) = s.get("eleve_id") {
        return EnfantSaisi { eleve_id: Some(id.to_string()), ..EnfantSaisi::default() };
    }
    let eleve = EleveSaisie {
        nom: s.texte("eleve_nom"),
        nom_usage: s.opt("eleve_nom_usage"),
        prenoms: s.texte("eleve_prenoms"),
        sexe: s.texte("eleve_sexe"),
        date_naissance: s.texte("eleve_date_naissance"),
        naissance_insee: s.texte("eleve_naissance_insee"),
        naissance_lieu: s.texte("eleve_naissance_lieu"),
        adresse: s.opt("eleve_adresse"),
        code_postal: s.opt("eleve_code_postal"),
        commune_residence: s.opt("eleve_commune_residence"),
        ine: None,
    };
    let responsables = ["r1_", "r2_"]
        .into_iter()
        .filter(|p| s.get(&format!("{p}nom")).is_some() || s.get(&format!("{p}prenom")).is_some())
        .map(|p| {
            let f = |k: &str| s.opt(&format!("{p}{k}"));
            ResponsableSaisie {
                civilite: f("civilite"),
                nom: f("nom").unwrap_or_default(),
                prenom: f("prenom").unwrap_or_default(),
                lien: f("lien").unwrap_or_default(),
                adresse: f("adresse"),
                code_postal: f("code_postal"),
                commune: f("commune"),
                pays: None,
                tel_domicile: f("tel_domicile"),
                tel_travail: None,
                tel_portable: f("tel_portable"),
                courriel: f("courriel"),
            }
        })
        .collect();
    EnfantSaisi {
        eleve_id: None,
        eleve: Some(eleve),
        responsables,
        contacts: vec![],
        confirmer_nouveau: s.coche("confirmer_nouveau"),
    }
}

/// The possible duplicates of a refusal, as the form lists them.
fn candidats(e: &Error) -> Vec<Value> {
    let Some(Value::Array(c)) = e.candidats() else { return vec![] };
    c.iter()
        .map(|k| {
            let date = k["date_naissance"].as_str().and_then(|d| parse_date("date", d).ok()).map(date_fr);
            json!({
                "eleve_id": k["eleve_id"], "nom": k["nom"], "prenoms": k["prenoms"], "date_naissance": date,
                "naissance_lieu": k["naissance_lieu"], "derniere_ecole": k["derniere_ecole"], "score": k["score"],
                "ine": k["a_un_ine"],
            })
        })
        .collect()
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
];

/// The confirmation of a `?fait=` code; an unknown code shows nothing.
pub(super) fn confirmation(code: Option<&str>) -> Option<&'static str> {
    let code = code?;
    FAITS.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// The query of a page: its confirmation code, and the inscriptions' state filter.
#[derive(Debug, Default, Deserialize)]
pub struct QueryPage {
    fait: Option<String>,
    etat: Option<String>,
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
        &avec_moi(v, json!({ "titre": titre, "message": e.message(), "lien": lien, "lien_texte": texte })),
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
            json!({ "titre": "C'est fait", "message": confirmation(Some(code)).unwrap_or("C'est enregistré."),
                    "avertissements": avertissements, "lien": vers, "lien_texte": "Continuer" }),
        ),
    )?;
    Ok(Html(html).into_response())
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
    match super::service(state, v.acteur.clone(), f).await {
        Ok(t) => ensuite(t),
        Err(e) => refus(state, v, e, retour.0, retour.1),
    }
}

// Inscriptions ----------------------------------------------------------------------------------

async fn page_inscriptions(
    State(state): State<AppState>,
    v: Visiteur,
    q: Result<Query<QueryPage>, QueryRejection>,
) -> Sortie {
    let le = state.clock.now();
    let champs = v.acteur.autoriser(Ressource::Inscription, Action::Lister, le)?;
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let etat = match q.etat.as_deref().filter(|e| !e.is_empty()) {
        Some(e) => Some(EtatInscription::parse(e).ok_or_else(|| Error::requete("état d'inscription inconnu"))?),
        None => None,
    };
    let fait = confirmation(q.fait.as_deref());
    let html = blocking(&state, move |s| {
        let a = &v.acteur;
        let l = super::contexte(s, a).inscriptions(None, etat)?;
        let modifier = a.decision(Ressource::Inscription, Action::Modifier).autorise();
        let par_l_ecole = matches!(a.perimetre, Perimetre::Ecole(_));
        let certificat = a.decision(Ressource::Document(Document::CertificatInscription), Action::Imprimer).autorise();
        let admettre = a.role == Role::Directeur && a.decision(Ressource::Eleve, Action::Creer).autorise();
        let lignes: Vec<Value> = l
            .iter()
            .map(|i| {
                json!({
                    "id": i.id, "eleve_id": i.eleve_id, "nom": i.nom, "prenoms": i.prenoms,
                    "date_naissance": champs.contient(Champs::NAISSANCE).then(|| date_fr(i.date_naissance)),
                    "commune": i.commune, "annee": i.annee.to_string(), "niveau": i.niveau.code(),
                    "mode": (i.mode != ModeScolarisation::Ecole).then(|| i.mode.libelle()), "ecole": i.ecole,
                    "etat": i.etat.code(), "etat_libelle": i.etat.libelle(), "cree_le": date_fr(i.cree_le),
                    "confirmer": modifier && (i.par_ecole || !par_l_ecole) && i.etat == EtatInscription::EnAttente,
                    "annuler": modifier && (i.par_ecole || !par_l_ecole)
                        && matches!(i.etat, EtatInscription::EnAttente | EtatInscription::Inscrit),
                    "certificat": certificat && matches!(i.etat, EtatInscription::Inscrit | EtatInscription::Admis),
                    "admettre": admettre && i.etat == EtatInscription::Inscrit && i.ecole_id.is_some(),
                })
            })
            .collect();
        let etats: Vec<Value> = EtatInscription::TOUS
            .iter()
            .map(|e| json!({ "code": e.code(), "libelle": e.libelle(), "choisi": Some(*e) == etat }))
            .collect();
        s.pages.render(
            "inscriptions.html",
            &avec_moi(
                &v,
                json!({ "inscriptions": lignes, "etats": etats, "fait": fait,
                        "creer": a.decision(Ressource::Inscription, Action::Creer).autorise() }),
            ),
        )
    })
    .await?;
    Ok(Html(html).into_response())
}

/// What the child's form offers: schools, niveaux, modes, years, links, papers, classes.
fn contexte_formulaire(
    s: &Inner,
    a: &Acteur,
    admission: Option<&EcoleId>,
    saisie: Option<&Saisie>,
    message: Option<&str>,
    candidats: Vec<Value>,
) -> Result<Value, Error> {
    let svc = super::contexte(s, a);
    let annee = svc.annee()?;
    let valeurs = match saisie {
        Some(sa) => sa.valeurs(),
        None => Saisie(vec![]).valeurs(),
    };
    let ecoles: Vec<Value> = match admission {
        Some(_) => vec![],
        None => {
            let mut l = svc.ecoles()?;
            l.sort_by(|x, y| x.nom.cmp(&y.nom));
            l.iter()
                .map(|e| json!({ "id": e.id, "libelle": format!("{} — {}, {}", e.nom, e.uai, e.commune) }))
                .collect()
        }
    };
    let (classes, pieces) = match (admission, saisie) {
        (Some(e), _) => {
            let cl = svc.classes(e, Some(annee))?;
            let coches: Vec<&str> = saisie.map(|sa| sa.tous("pieces")).unwrap_or_default();
            (
                cl.iter().map(choix_classe).collect::<Vec<_>>(),
                Piece::TOUTES
                    .iter()
                    .map(|p| json!({ "code": p.code(), "libelle": p.libelle(), "coche": coches.contains(&p.code()) }))
                    .collect::<Vec<_>>(),
            )
        }
        (None, _) => (vec![], vec![]),
    };
    let resp: Vec<Value> = ["r1", "r2"]
        .iter()
        .map(|p| {
            let mut m = Map::new();
            m.insert("p".into(), json!(p));
            for k in CHAMPS_RESPONSABLE {
                m.insert((*k).into(), valeurs[format!("{p}_{k}")].clone());
            }
            Value::Object(m)
        })
        .collect();
    Ok(json!({
        "v": valeurs, "resp": resp, "message": message, "candidats": candidats, "annee": annee.to_string(),
        "annees": [annee.to_string(), annee.suivante().to_string()],
        "niveaux": Niveau::ALL.iter().map(|n| json!({ "code": n.code(), "libelle": n.libelle() })).collect::<Vec<_>>(),
        "modes": ModeScolarisation::TOUS.iter().map(|m| json!({ "code": m.code(), "libelle": m.libelle() })).collect::<Vec<_>>(),
        "liens": Lien::TOUS.iter().map(|l| json!({ "code": l.code(), "libelle": l.libelle() })).collect::<Vec<_>>(),
        "ecoles": ecoles, "classes": classes, "pieces": pieces,
        "ulis": saisie.is_some_and(|sa| sa.coche("ulis")),
        "aujourdhui": s.clock.today().to_string(),
    }))
}

/// A class as a `<select>` offers it: its label and niveaux.
pub(super) fn choix_classe(k: &classes::ClasseResume) -> Value {
    let niveaux: Vec<&str> = k.niveaux.iter().map(|n| n.code()).collect();
    json!({ "id": k.id, "libelle": format!("{} ({})", k.libelle, niveaux.join("-")) })
}

async fn page_nouvelle_inscription(State(state): State<AppState>, v: Visiteur) -> Sortie {
    v.acteur.autoriser(Ressource::Inscription, Action::Creer, state.clock.now())?;
    let html = blocking(&state, move |s| {
        let mut ctx = contexte_formulaire(s, &v.acteur, None, None, None, vec![])?;
        ctx["action"] = json!("/inscriptions/nouvelle");
        ctx["titre"] = json!("Nouvelle inscription");
        s.pages.render("inscription.html", &avec_moi(&v, ctx))
    })
    .await?;
    Ok(Html(html).into_response())
}

/// The form again, filled in, with the refusal and the possible duplicates.
async fn formulaire_refuse(
    state: &AppState,
    v: Visiteur,
    e: Error,
    sa: Saisie,
    action: String,
    titre: String,
    admission: Option<EcoleId>,
) -> Sortie {
    if e.status().is_server_error() || e.status() == StatusCode::FORBIDDEN {
        return Err(e.into());
    }
    let status = e.status();
    let html = blocking(state, move |s| {
        let mut ctx =
            contexte_formulaire(s, &v.acteur, admission.as_ref(), Some(&sa), Some(e.message()), candidats(&e))?;
        ctx["action"] = json!(action);
        ctx["titre"] = json!(titre);
        ctx["admission"] = json!(admission.is_some());
        s.pages.render("inscription.html", &avec_moi(&v, ctx))
    })
    .await?;
    Ok((status, Html(html)).into_response())
}

/// The inscription the form asks for, as the API's request: the same checks apply. The mairie's
/// commune and a school's own school come from the actor's perimeter, in the domain.
fn demande_inscription(sa: &Saisie) -> DemandeInscription {
    DemandeInscription::de(enfant(sa), sa.opt("mode"), sa.opt("ecole_id"), sa.texte("niveau"), sa.opt("annee"))
}

/// The identity's warnings first, then the step's.
fn avec(mut avertissements: Vec<String>, mut r: Resultat) -> Resultat {
    avertissements.append(&mut r.avertissements);
    r.avertissements = avertissements;
    r
}

async fn nouvelle_inscription(State(state): State<AppState>, v: Visiteur, corps: Bytes) -> Sortie {
    let sa = Saisie::lire(&corps)?;
    sa.csrf(&v)?;
    let r = match demande_inscription(&sa).valider(state.clock.today()) {
        Ok((n, w)) => super::service(&state, v.acteur.clone(), move |c| c.inscrire(&n)).await.map(|r| avec(w, r)),
        Err(e) => Err(e),
    };
    match r {
        Ok(r) => fait(&state, &v, "/inscriptions", "inscription", &r.avertissements),
        Err(e) => {
            let (action, titre) = ("/inscriptions/nouvelle".to_string(), "Nouvelle inscription".to_string());
            formulaire_refuse(&state, v, e, sa, action, titre, None).await
        }
    }
}

async fn confirmer_inscription(
    State(state): State<AppState>,
    v: Visiteur,
    Path(id): Path<String>,
    corps: Bytes,
) -> Sortie {
    Saisie::lire(&corps)?.csrf(&v)?;
    let retour = ("/inscriptions", "Retour aux inscriptions");
    etape(&state, &v, retour, move |c| c.valider_inscription(&id), |_| fait(&state, &v, retour.0, "confirmee", &[]))
        .await
}

async fn annuler_inscription(
    State(state): State<AppState>,
    v: Visiteur,
    Path(id): Path<String>,
    corps: Bytes,
) -> Sortie {
    Saisie::lire(&corps)?.csrf(&v)?;
    let retour = ("/inscriptions", "Retour aux inscriptions");
    etape(&state, &v, retour, move |c| c.annuler_inscription(&id), |_| fait(&state, &v, retour.0, "annulee", &[])).await
}

// Admissions ------------------------------------------------------------------------------------

async fn page_admission_inscription(State(state): State<AppState>, v: Visiteur, Path(id): Path<String>) -> Sortie {
    let le = state.clock.now();
    v.acteur.autoriser(Ressource::Eleve, Action::Creer, le)?;
    let html = blocking(&state, move |s| rendre_admission_inscription(s, &v, &id, None, None)).await?;
    Ok(Html(html).into_response())
}

fn rendre_admission_inscription(
    s: &Inner,
    v: &Visiteur,
    id: &str,
    sa: Option<&Saisie>,
    message: Option<&str>,
) -> Result<String, Error> {
    let a = &v.acteur;
    let i = super::contexte(s, a).inscription(id)?;
    let ecole = i
        .ecole_id
        .as_deref()
        .map(parcours::ecole_id)
        .transpose()?
        .ok_or_else(|| Error::introuvable("école désignée"))?;
    let mut ctx = contexte_formulaire(s, a, Some(&ecole), sa, message, vec![])?;
    ctx["inscription"] = json!({
        "id": i.id, "nom": i.nom, "prenoms": i.prenoms, "date_naissance": date_fr(i.date_naissance), "niveau": i.niveau.code(),
        "niveau_libelle": i.niveau.libelle(), "ecole": i.ecole, "annee": i.annee.to_string(), "commune": i.commune,
    });
    s.pages.render("admission.html", &avec_moi(v, ctx))
}

/// The admission's own fields: papers missing, class, ULIS, date.
/// The admission the form asks for, as the API's request: from an inscription, or of the child
/// typed in (or chosen among the known pupils) in a school.
fn demande_admission(sa: &Saisie, inscription: Option<&str>, ecole: Option<&EcoleId>) -> DemandeAdmissionSaisie {
    let EnfantSaisi { eleve_id, eleve, responsables, contacts, confirmer_nouveau } =
        if inscription.is_some() { EnfantSaisi::default() } else { enfant(sa) };
    DemandeAdmissionSaisie {
        inscription_id: inscription.map(str::to_string),
        eleve_id,
        eleve,
        responsables,
        contacts,
        confirmer_nouveau,
        ecole_id: ecole.map(ToString::to_string),
        niveau: sa.opt("niveau"),
        pieces_manquantes: sa.tous("pieces").into_iter().map(str::to_string).collect(),
        classe_id: sa.opt("classe_id"),
        ulis: sa.coche("ulis"),
        date: sa.opt("date"),
    }
}

/// Admits as the form asks.
async fn admettre(state: &AppState, v: &Visiteur, d: DemandeAdmissionSaisie) -> Result<Resultat, Error> {
    let (demande, w) = d.valider(state.clock.today())?;
    super::service(state, v.acteur.clone(), move |c| c.admettre(&demande)).await.map(|r| avec(w, r))
}

async fn admission_inscription(
    State(state): State<AppState>,
    v: Visiteur,
    Path(id): Path<String>,
    corps: Bytes,
) -> Sortie {
    let sa = Saisie::lire(&corps)?;
    sa.csrf(&v)?;
    match admettre(&state, &v, demande_admission(&sa, Some(&id), None)).await {
        Ok(r) => admis(&state, &v, &r),
        Err(e)
            if e.status().is_client_error()
                && e.status() != StatusCode::FORBIDDEN
                && e.status() != StatusCode::NOT_FOUND =>
        {
            let status = e.status();
            let html =
                blocking(&state, move |s| rendre_admission_inscription(s, &v, &id, Some(&sa), Some(e.message())))
                    .await?;
            Ok((status, Html(html)).into_response())
        }
        Err(e) => refus(&state, &v, e, "/inscriptions", "Retour aux inscriptions"),
    }
}

fn admis(state: &AppState, v: &Visiteur, r: &Resultat) -> Sortie {
    let eleve = parcours::eleve_id(&r.eleve_id)?;
    fait(state, v, &format!("/eleves/{eleve}"), "admission", &r.avertissements)
}

async fn page_admission_directe(State(state): State<AppState>, v: Visiteur, Path(id): Path<String>) -> Sortie {
    v.acteur.autoriser(Ressource::Eleve, Action::Creer, state.clock.now())?;
    let ecole = parcours::ecole_id(&id)?;
    let html = blocking(&state, move |s| {
        let e = super::contexte(s, &v.acteur).ecole(&ecole)?;
        let mut ctx = contexte_formulaire(s, &v.acteur, Some(&ecole), None, None, vec![])?;
        ctx["action"] = json!(format!("/ecoles/{ecole}/admission"));
        ctx["titre"] = json!(format!("Admettre un élève — {}", e.nom));
        ctx["admission"] = json!(true);
        s.pages.render("inscription.html", &avec_moi(&v, ctx))
    })
    .await?;
    Ok(Html(html).into_response())
}

async fn admission_directe(State(state): State<AppState>, v: Visiteur, Path(id): Path<String>, corps: Bytes) -> Sortie {
    let sa = Saisie::lire(&corps)?;
    sa.csrf(&v)?;
    let ecole = parcours::ecole_id(&id)?;
    let titre = {
        let e = ecole.clone();
        super::service(&state, v.acteur.clone(), move |svc| Ok(svc.ecole(&e)?.nom)).await?
    };
    let (action, titre) = (format!("/ecoles/{ecole}/admission"), format!("Admettre un élève — {titre}"));
    match admettre(&state, &v, demande_admission(&sa, None, Some(&ecole))).await {
        Ok(r) => admis(&state, &v, &r),
        Err(e) => formulaire_refuse(&state, v, e, sa, action, titre, Some(ecole)).await,
    }
}
