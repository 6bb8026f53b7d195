//! The pages of the way into a school: a mairie registers a child, a director admits (from the
//! inscription or directly). The school year's pages (classes, passages, steps, rentrée) are in
//! `scolarite`; both read their forms and show their confirmations through `crate::http::formulaires`.
//!
//! Every form calls the same domain service as the JSON API (`crate::service`, through `crate::http::service`), so the
//! rules, the French refusals and the journal are the same. A success redirects (303) to the
//! page, which shows a fixed confirmation (`?fait=code`, never a text from the query); warnings
//! come on a page of their own; a refusal shows its message with a way back, and the child's
//! form comes back filled in, with the possible duplicates to choose from.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use std::collections::BTreeMap;

use serde::Serialize;

use crate::auth::Acteur;
use crate::domain::Document;
use crate::domain::champs::ChampResponsable;
use crate::domain::identite::date_fr;
use crate::domain::parcours::{EtatInscription, ModeScolarisation, Piece};
use crate::domain::{EcoleId, EleveSaisie, Lien, Niveau, Perimetre, ResponsableSaisie};
use crate::http::api::parcours::{self, DemandeAdmissionSaisie, DemandeInscription, EnfantSaisi};
use crate::http::etat::{AppState, Inner};
use crate::http::extraction::Id;
use crate::http::extraction::Soumis;
use crate::http::formulaires::Refuse;
pub(in crate::http) use crate::http::formulaires::*;
use crate::http::pages::{Choix, avec_moi};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking};
use crate::policy::{Action, Champs, Ressource, Role};
use crate::service::parcours::Resultat;
use crate::store::classes;
use crate::store::doublons::Candidat;

impl Saisie {
    /// The values to fill the form again with (every known field, blank when absent).
    pub(in crate::http) fn valeurs(&self) -> BTreeMap<String, String> {
        let responsables = ["r1", "r2"].iter().flat_map(|p| CHAMPS_RESPONSABLE.iter().map(move |k| format!("{p}_{k}")));
        CHAMPS_ENFANT
            .iter()
            .map(|k| k.to_string())
            .chain(responsables)
            .map(|k| {
                let v: String = self.get(&k).unwrap_or_default().chars().take(VALEUR_MAX).collect();
                (k, v)
            })
            .collect()
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
    "ecole_precedente",
    "radiation_precedente",
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
            let mut r = ResponsableSaisie { lien: f("lien").unwrap_or_default(), ..Default::default() };
            for c in ChampResponsable::TOUS.iter().filter(|c| CHAMPS_RESPONSABLE.contains(&c.cle())) {
                c.poser(&mut r, f(c.cle()));
            }
            r
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

/// A possible duplicate, as the form lists it.
#[derive(Debug, Serialize)]
pub(in crate::http) struct VueCandidat {
    eleve_id: String,
    nom: String,
    prenoms: String,
    date_naissance: String,
    naissance_lieu: String,
    derniere_ecole: Option<String>,
    score: u32,
    ine: bool,
}

/// The possible duplicates of a refusal, as the form lists them.
fn candidats(e: &Error) -> Vec<VueCandidat> {
    let Some(c) = e.candidats() else { return vec![] };
    let Ok(c) = serde_json::from_value::<Vec<Candidat>>(c.clone()) else { return vec![] };
    c.into_iter()
        .map(|k| VueCandidat {
            eleve_id: k.eleve_id,
            nom: k.nom,
            prenoms: k.prenoms,
            date_naissance: date_fr(k.date_naissance),
            naissance_lieu: k.naissance_lieu,
            derniere_ecole: k.derniere_ecole,
            score: k.score,
            ine: k.a_un_ine,
        })
        .collect()
}

pub(in crate::http) async fn page_inscriptions(
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
        let l = crate::http::contexte(s, a).inscriptions(None, etat)?;
        let modifier = a.decision(Ressource::Inscription, Action::Modifier).autorise();
        let par_l_ecole = matches!(a.perimetre, Perimetre::Ecole(_));
        let certificat = a.decision(Ressource::Document(Document::CertificatInscription), Action::Imprimer).autorise();
        let admettre = a.role == Role::Directeur && a.decision(Ressource::Eleve, Action::Creer).autorise();
        let inscriptions: Vec<LigneInscription> = l
            .into_iter()
            .map(|i| {
                let gere = modifier && (i.par_ecole || !par_l_ecole);
                LigneInscription {
                    date_naissance: champs.contient(Champs::NAISSANCE).then(|| date_fr(i.date_naissance)),
                    annee: i.annee.to_string(),
                    niveau: i.niveau.code(),
                    mode: (i.mode != ModeScolarisation::Ecole).then(|| i.mode.libelle()),
                    etat: i.etat.code(),
                    etat_libelle: i.etat.libelle(),
                    cree_le: date_fr(i.cree_le),
                    confirmer: gere && i.etat == EtatInscription::EnAttente,
                    annuler: gere && matches!(i.etat, EtatInscription::EnAttente | EtatInscription::Inscrit),
                    certificat: certificat && matches!(i.etat, EtatInscription::Inscrit | EtatInscription::Admis),
                    admettre: admettre && i.etat == EtatInscription::Inscrit && i.ecole_id.is_some(),
                    id: i.id,
                    eleve_id: i.eleve_id,
                    nom: i.nom,
                    prenoms: i.prenoms,
                    commune: i.commune,
                    ecole: i.ecole,
                }
            })
            .collect();
        let etats: Vec<ChoixEtat> = EtatInscription::TOUS
            .iter()
            .map(|e| ChoixEtat { code: e.code(), libelle: e.libelle(), choisi: Some(*e) == etat })
            .collect();
        let creer = a.decision(Ressource::Inscription, Action::Creer).autorise();
        s.pages.render("inscriptions.html", &avec_moi(&v, PageInscriptions { inscriptions, etats, fait, creer }))
    })
    .await?;
    Ok(Html(html).into_response())
}

/// The child's form: what it offers (schools, niveaux, modes, years, links, papers, classes),
/// what was typed, and the refusal with its possible duplicates.
#[derive(Debug, Serialize)]
struct Formulaire {
    /// The birthplace list: the département's communes.
    communes: Vec<crate::domain::commune::referentiel::Commune>,
    v: BTreeMap<String, String>,
    resp: Vec<BTreeMap<&'static str, String>>,
    message: Option<String>,
    candidats: Vec<VueCandidat>,
    annee: String,
    annees: [String; 2],
    niveaux: Vec<Choix>,
    modes: Vec<Choix>,
    liens: Vec<Choix>,
    ecoles: Vec<ChoixId>,
    classes: Vec<ChoixId>,
    pieces: Vec<ChoixPiece>,
    ulis: bool,
    aujourdhui: String,
    /// Where the form is sent, and its title.
    action: String,
    titre: String,
    admission: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    inscription: Option<VueInscription>,
}

/// A choice named by an id (a school, a class).
#[derive(Debug, Serialize)]
pub(in crate::http) struct ChoixId {
    id: String,
    libelle: String,
}

#[derive(Debug, Serialize)]
struct ChoixPiece {
    code: &'static str,
    libelle: &'static str,
    coche: bool,
}

#[derive(Debug, Serialize)]
struct ChoixEtat {
    code: &'static str,
    libelle: &'static str,
    choisi: bool,
}

/// The inscription an admission starts from.
#[derive(Debug, Serialize)]
struct VueInscription {
    id: String,
    nom: String,
    prenoms: String,
    date_naissance: String,
    niveau: &'static str,
    niveau_libelle: &'static str,
    ecole: Option<String>,
    annee: String,
    commune: String,
}

#[derive(Debug, Serialize)]
struct PageInscriptions {
    inscriptions: Vec<LigneInscription>,
    etats: Vec<ChoixEtat>,
    fait: Option<&'static str>,
    creer: bool,
}

#[derive(Debug, Serialize)]
struct LigneInscription {
    id: String,
    eleve_id: String,
    nom: String,
    prenoms: String,
    date_naissance: Option<String>,
    commune: String,
    annee: String,
    niveau: &'static str,
    mode: Option<&'static str>,
    ecole: Option<String>,
    etat: &'static str,
    etat_libelle: &'static str,
    cree_le: String,
    confirmer: bool,
    annuler: bool,
    certificat: bool,
    admettre: bool,
}

fn formulaire(
    s: &Inner,
    a: &Acteur,
    (action, titre): (String, String),
    admission: Option<&EcoleId>,
    saisie: Option<&Saisie>,
    message: Option<&str>,
    candidats: Vec<VueCandidat>,
) -> Result<Formulaire, Error> {
    let svc = crate::http::contexte(s, a);
    let annee = svc.annee()?;
    let valeurs = match saisie {
        Some(sa) => sa.valeurs(),
        None => Saisie(vec![]).valeurs(),
    };
    let ecoles: Vec<ChoixId> = match admission {
        Some(_) => vec![],
        None => {
            let mut l = svc.ecoles()?;
            l.sort_by(|x, y| crate::domain::tri::comparer(&x.nom, &y.nom));
            l.iter()
                .map(|e| ChoixId { id: e.id.to_string(), libelle: format!("{} — {}, {}", e.nom, e.uai, e.commune) })
                .collect()
        }
    };
    let (classes, pieces) = match admission {
        Some(e) => {
            let cl = svc.classes(e, Some(annee))?;
            let coches: Vec<&str> = saisie.map(|sa| sa.tous("pieces")).unwrap_or_default();
            (
                cl.iter().map(choix_classe).collect::<Vec<_>>(),
                Piece::TOUTES
                    .iter()
                    .map(|p| ChoixPiece { code: p.code(), libelle: p.libelle(), coche: coches.contains(&p.code()) })
                    .collect::<Vec<_>>(),
            )
        }
        None => (vec![], vec![]),
    };
    // An admission offers the niveaux the school teaches (an élémentaire: CP to CM2).
    let niveaux: Vec<Niveau> = match admission {
        Some(e) => {
            let t = svc.ecole(e)?.type_ecole;
            Niveau::ALL.iter().copied().filter(|n| t.admet(*n)).collect()
        }
        None => Niveau::ALL.to_vec(),
    };
    let resp = ["r1", "r2"]
        .iter()
        .map(|p| {
            let mut m: BTreeMap<&'static str, String> = CHAMPS_RESPONSABLE
                .iter()
                .map(|k| (*k, valeurs.get(&format!("{p}_{k}")).cloned().unwrap_or_default()))
                .collect();
            m.insert("p", (*p).to_string());
            m
        })
        .collect();
    Ok(Formulaire {
        communes: svc.communes_proposees()?,
        v: valeurs,
        resp,
        message: message.map(str::to_string),
        candidats,
        annee: annee.to_string(),
        annees: [annee.to_string(), annee.suivante().to_string()],
        niveaux: Choix::de(&niveaux, |n| n.code(), |n| n.libelle()),
        modes: Choix::de(&ModeScolarisation::TOUS, |m| m.code(), |m| m.libelle()),
        liens: Choix::de(&Lien::TOUS, |l| l.code(), |l| l.libelle()),
        ecoles,
        classes,
        pieces,
        ulis: saisie.is_some_and(|sa| sa.coche("ulis")),
        aujourdhui: s.clock.today().to_string(),
        admission: admission.is_some(),
        action,
        titre,
        inscription: None,
    })
}

/// A class as a `<select>` offers it: its label and niveaux.
pub(in crate::http) fn choix_classe(k: &classes::ClasseResume) -> ChoixId {
    let niveaux: Vec<&str> = k.niveaux.iter().map(|n| n.code()).collect();
    ChoixId { id: k.id.to_string(), libelle: format!("{} ({})", k.libelle, niveaux.join("-")) }
}

pub(in crate::http) async fn page_nouvelle_inscription(State(state): State<AppState>, v: Visiteur) -> Sortie {
    v.acteur.autoriser(Ressource::Inscription, Action::Creer, state.clock.now())?;
    let html = blocking(&state, move |s| {
        let cible = ("/inscriptions/nouvelle".to_string(), "Nouvelle inscription".to_string());
        let page = formulaire(s, &v.acteur, cible, None, None, None, vec![])?;
        s.pages.render("inscription.html", &avec_moi(&v, page))
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
    // Each refused field beside its input; the message on top only for what is no field's.
    let refuse = Refuse::de(&e, &action, sa.paires(), |cle| match cle {
        "pieces_manquantes" => "pieces".into(),
        cle => crate::http::formulaires::nom_enfant(cle),
    });
    let html = blocking(state, move |s| {
        let message = refuse.is_none().then(|| e.message());
        let v = Refuse::visiteur(refuse, v);
        let page = formulaire(s, &v.acteur, (action, titre), admission.as_ref(), Some(&sa), message, candidats(&e))?;
        s.pages.render("inscription.html", &avec_moi(&v, page))
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

pub(in crate::http) async fn nouvelle_inscription(State(state): State<AppState>, Soumis(v, sa): Soumis) -> Sortie {
    let r = match demande_inscription(&sa).valider(state.clock.today()) {
        Ok((n, w)) => crate::http::service(&state, v.acteur.clone(), move |c| c.inscrire(&n)).await.map(|r| avec(w, r)),
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

pub(in crate::http) async fn confirmer_inscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, _): Soumis,
) -> Sortie {
    let retour = ("/inscriptions", "Retour aux inscriptions");
    etape(&state, &v, retour, move |c| c.valider_inscription(&id), |_| fait(&state, &v, retour.0, "confirmee", &[]))
        .await
}

/// The page that asks before an irreversible step: what is concerned, what will happen, and
/// the same form again with `confirme=oui` (`confirmation.html`).
#[derive(Debug, Serialize)]
pub(in crate::http) struct Confirmation {
    pub titre: &'static str,
    pub retour: String,
    pub retour_libelle: String,
    pub resume: Vec<(&'static str, String)>,
    pub consequences: Vec<String>,
    pub action: String,
    pub champs: Vec<(&'static str, String)>,
    pub bouton: &'static str,
}

pub(in crate::http) async fn annuler_inscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let retour = ("/inscriptions", "Retour aux inscriptions");
    if sa.get("confirme") != Some("oui") {
        // Irreversible from the pages: a page says what will happen first.
        let i = id.clone();
        let lu = crate::http::service(&state, v.acteur.clone(), move |c| c.inscription(&i)).await;
        let i = match lu {
            Ok(i) => i,
            Err(e) => return refus(&state, &v, e, retour.0, retour.1),
        };
        let page = Confirmation {
            titre: "Confirmer l'annulation de l'inscription",
            retour: "/inscriptions".into(),
            retour_libelle: "Inscriptions".into(),
            resume: vec![
                ("Enfant", format!("{} {}", i.prenoms, i.nom)),
                ("Né(e) le", date_fr(i.date_naissance)),
                ("Année", i.annee.to_string()),
                ("Niveau", i.niveau.to_string()),
                ("École désignée", i.ecole.clone().unwrap_or_else(|| "—".into())),
            ],
            consequences: vec![
                "l'inscription est annulée : l'école désignée ne l'attend plus et ne pourra pas admettre l'enfant sur cette inscription ;".into(),
                "l'annulation ne se défait pas : si elle est faite par erreur, une nouvelle inscription devra être saisie.".into(),
            ],
            action: format!("/inscriptions/{id}/annuler"),
            champs: vec![],
            bouton: "Annuler l'inscription",
        };
        let html = state.pages.render("confirmation.html", &avec_moi(&v, page))?;
        return Ok(Html(html).into_response());
    }
    etape(&state, &v, retour, move |c| c.annuler_inscription(&id), |_| fait(&state, &v, retour.0, "annulee", &[])).await
}

// Admissions ------------------------------------------------------------------------------------

pub(in crate::http) async fn page_admission_inscription(
    State(state): State<AppState>,
    v: Visiteur,
    Path(id): Path<String>,
) -> Sortie {
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
    let i = crate::http::contexte(s, a).inscription(id)?;
    let ecole = i
        .ecole_id
        .as_deref()
        .map(parcours::ecole_id)
        .transpose()?
        .ok_or_else(|| Error::introuvable("école désignée"))?;
    let mut page = formulaire(s, a, (String::new(), String::new()), Some(&ecole), sa, message, vec![])?;
    page.inscription = Some(VueInscription {
        date_naissance: date_fr(i.date_naissance),
        niveau: i.niveau.code(),
        niveau_libelle: i.niveau.libelle(),
        annee: i.annee.to_string(),
        id: i.id,
        nom: i.nom,
        prenoms: i.prenoms,
        ecole: i.ecole,
        commune: i.commune,
    });
    s.pages.render("admission.html", &avec_moi(v, page))
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
        ecole_precedente: sa.opt("ecole_precedente"),
        radiation_precedente: sa.opt("radiation_precedente"),
    }
}

/// Admits as the form asks.
async fn admettre(state: &AppState, v: &Visiteur, d: DemandeAdmissionSaisie) -> Result<Resultat, Error> {
    let (demande, w) = d.valider(state.clock.today())?;
    crate::http::service(state, v.acteur.clone(), move |c| c.admettre(&demande)).await.map(|r| avec(w, r))
}

pub(in crate::http) async fn admission_inscription(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    match admettre(&state, &v, demande_admission(&sa, Some(&id), None)).await {
        Ok(r) => admis(&state, &v, &r),
        Err(e)
            if e.status().is_client_error()
                && e.status() != StatusCode::FORBIDDEN
                && e.status() != StatusCode::NOT_FOUND =>
        {
            let status = e.status();
            // Each refused field beside its control; the message on top only for the rest.
            let action = format!("/inscriptions/{id}/admission");
            let refuse = Refuse::de(&e, &action, sa.paires(), |cle| match cle {
                "pieces_manquantes" => "pieces".into(),
                cle => cle.to_string(),
            });
            let html = blocking(&state, move |s| {
                let message = refuse.is_none().then(|| e.message());
                let v = Refuse::visiteur(refuse, v);
                rendre_admission_inscription(s, &v, &id, Some(&sa), message)
            })
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

pub(in crate::http) async fn page_admission_directe(
    State(state): State<AppState>,
    v: Visiteur,
    Id(ecole): Id<EcoleId>,
) -> Sortie {
    v.acteur.autoriser(Ressource::Eleve, Action::Creer, state.clock.now())?;
    let html = blocking(&state, move |s| {
        let e = crate::http::contexte(s, &v.acteur).ecole(&ecole)?;
        let cible = (format!("/ecoles/{ecole}/admission"), format!("Admettre un élève — {}", e.nom));
        let page = formulaire(s, &v.acteur, cible, Some(&ecole), None, None, vec![])?;
        s.pages.render("inscription.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html).into_response())
}

pub(in crate::http) async fn admission_directe(
    State(state): State<AppState>,
    Id(ecole): Id<EcoleId>,
    Soumis(v, sa): Soumis,
) -> Sortie {
    let titre = {
        let e = ecole.clone();
        crate::http::service(&state, v.acteur.clone(), move |svc| Ok(svc.ecole(&e)?.nom)).await?
    };
    let (action, titre) = (format!("/ecoles/{ecole}/admission"), format!("Admettre un élève — {titre}"));
    match admettre(&state, &v, demande_admission(&sa, None, Some(&ecole))).await {
        Ok(r) => admis(&state, &v, &r),
        Err(e) => formulaire_refuse(&state, v, e, sa, action, titre, Some(ecole)).await,
    }
}
