//! The pages of corrections and of the families' rights: « Corriger la fiche » (the
//! returned fiche typed in one step, laid out like the printed fiche, prefilled), a family's
//! rectification request and opposition, the school's and the IA-DASEN's decisions, a family
//! account from the pupil's page (with its letter), and « mot de passe oublié ».
//!
//! Each form builds the same `Correction` or calls the same use case as the JSON API; a refused
//! form comes back with everything typed and the message.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use serde::Serialize;

use crate::domain::champs::{ChampAnnuel, ChampContact, ChampEleve, ChampLien, ChampResponsable, Formulaire, texte};
use crate::domain::correction::{AnnuelSaisie, ResponsableCorrige};
use crate::domain::identite::date_fr;
use crate::domain::{ContactId, ContactSaisie, EleveId, EleveSaisie, Lien, ResponsableId, ResponsableSaisie};
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::extraction::Soumis;
use crate::http::formulaires::Refuse;
use crate::http::pages::parcours::{FormulaireSoumis, PageDe, Saisie, Sortie, etape_formulaire};
use crate::http::pages::{PageError, avec_moi};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking};
use crate::policy::Role;
use crate::service::corrections::{Ajout, Correction, saisie_annuel, saisie_responsable};
use crate::store::eleves::FicheEleve;

// The fiche form -------------------------------------------------------------------------------

/// One field of the form, with its value (stored, or as typed).
#[derive(Debug, Serialize)]
struct Champ {
    nom: String,
    libelle: &'static str,
    valeur: String,
    /// `texte`, `tel`, `email`, `nombre`, `case` or `choix`.
    genre: &'static str,
    options: Vec<(&'static str, &'static str)>,
    requis: bool,
    max: usize,
}

/// A block of the form, in the order of the printed fiche.
#[derive(Debug, Serialize)]
struct Bloc {
    titre: String,
    aide: Option<&'static str>,
    champs: Vec<Champ>,
}

type Valeurs = BTreeMap<String, String>;

const OUI_NON: &[(&str, &str)] = &[("", "non renseigné"), ("oui", "oui"), ("non", "non")];
const SEXES: &[(&str, &str)] = &[("F", "féminin"), ("M", "masculin")];
const CIVILITES: &[(&str, &str)] = &[("", "—"), ("Mme", "Mme"), ("M.", "M.")];

fn liens() -> Vec<(&'static str, &'static str)> {
    Lien::TOUS.iter().map(|l| (l.code(), l.libelle())).collect()
}

fn champ(v: &Valeurs, nom: String, libelle: &'static str, genre: &'static str, requis: bool, max: usize) -> Champ {
    let valeur = v.get(&nom).cloned().unwrap_or_default();
    Champ { nom, libelle, valeur, genre, options: Vec::new(), requis, max }
}

fn choix(v: &Valeurs, nom: String, libelle: &'static str, options: Vec<(&'static str, &'static str)>) -> Champ {
    Champ { options, ..champ(v, nom, libelle, "choix", false, 0) }
}

/// A field of the catalogue as the form asks for it (`choix` gets `options`; `oui_non` is a
/// choice of yes, no or not known).
fn du_catalogue(v: &Valeurs, nom: String, f: Formulaire, options: Vec<(&'static str, &'static str)>) -> Champ {
    match f.genre {
        "choix" => Champ { requis: f.requis, ..choix(v, nom, f.libelle, options) },
        "oui_non" => choix(v, nom, f.libelle, OUI_NON.to_vec()),
        genre => champ(v, nom, f.libelle, genre, f.requis, f.max),
    }
}

/// The pupil's fields the form corrects (all but the INE, never corrected).
fn champs_eleve() -> impl Iterator<Item = ChampEleve> {
    ChampEleve::TOUS.iter().copied().filter(|c| *c != ChampEleve::Ine)
}

/// How many blank lines the form offers for new persons to contact.
const CONTACTS_NOUVEAUX: usize = 2;

fn oui_non(b: Option<bool>) -> String {
    match b {
        Some(true) => "oui".into(),
        Some(false) => "non".into(),
        None => String::new(),
    }
}

fn lire_oui_non(s: Option<&str>) -> Option<bool> {
    match s {
        Some("oui") => Some(true),
        Some("non") => Some(false),
        _ => None,
    }
}

/// The stored record as the form's values; `n_r` responsables and `n_c` contacts.
fn valeurs_de(f: &FicheEleve) -> Valeurs {
    let mut v = Valeurs::new();
    let e = &f.eleve;
    for c in champs_eleve() {
        let val = match c {
            ChampEleve::DateNaissance => Some(date_fr(e.date_naissance)),
            _ => texte(&c.valeur(e)),
        };
        v.insert(format!("e_{}", c.cle()), val.unwrap_or_default());
    }
    for (i, r) in f.responsables.iter().enumerate() {
        let p = format!("r{}_", i + 1);
        let c = saisie_responsable(r);
        for champ in ChampResponsable::TOUS {
            v.insert(format!("{p}{}", champ.cle()), champ.lire(&c.responsable).unwrap_or_default().to_string());
        }
        for (k, val) in [
            ("id", Some(r.id.to_string())),
            ("lien", Some(c.responsable.lien)),
            ("accord", Some(oui_non(c.accord_associations))),
            ("retrait", (!c.autorite_parentale).then(|| "on".to_string())),
        ] {
            v.insert(format!("{p}{k}"), val.unwrap_or_default());
        }
    }
    for (i, k) in f.contacts.iter().enumerate() {
        let p = format!("c{}_", i + 1);
        for c in ChampContact::TOUS {
            let val = match (c.formulaire().genre, c.valeur(k)) {
                ("case", valeur) => (valeur == serde_json::Value::Bool(true)).then(|| "on".to_string()),
                (_, valeur) => texte(&valeur),
            };
            v.insert(format!("{p}{}", c.cle()), val.unwrap_or_default());
        }
        v.insert(format!("{p}id"), k.id.to_string());
        v.insert(format!("{p}ordre"), (i + 1).to_string());
    }
    let a = saisie_annuel(f.annuel.as_ref());
    for c in ChampAnnuel::TOUS {
        v.insert(format!("a_{}", c.cle()), texte(&c.valeur(&a)).unwrap_or_default());
    }
    v.insert("n_r".into(), f.responsables.len().to_string());
    v.insert("n_c".into(), f.contacts.len().to_string());
    v
}

/// The typed values, to show the form again.
fn valeurs_saisies(s: &Saisie) -> Valeurs {
    let mut v = Valeurs::new();
    for (k, val) in s.paires() {
        if k != "csrf" {
            v.entry(k.clone()).or_insert_with(|| val.chars().take(300).collect());
        }
    }
    v
}

fn nombre(v: &Valeurs, k: &str, max: usize) -> usize {
    v.get(k).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0).min(max)
}

/// A responsable's fields (the person, then the link) under prefix `p`; `requis` is false for
/// the block that adds one (left empty when nobody is added).
fn personne(v: &Valeurs, p: &str, requis: bool) -> Vec<Champ> {
    let mut c: Vec<Champ> = ChampResponsable::TOUS
        .iter()
        .map(|k| {
            let f = Formulaire { requis: requis && k.formulaire().requis, ..k.formulaire() };
            du_catalogue(v, format!("{p}{}", k.cle()), f, CIVILITES.to_vec())
        })
        .collect();
    // The link of a person already recorded is chosen in a list that always has a value; the
    // block that adds one starts on none, so that nobody is made « mère » by default (refused,
    // named, if a person is added without it).
    let lien = Formulaire { requis: false, ..ChampLien::Lien.formulaire() };
    let mut options = liens();
    if !requis {
        options.insert(0, ("", "—"));
    }
    c.insert(3, du_catalogue(v, format!("{p}lien"), lien, options));
    c
}

/// The form's blocks, from its values; `etat_civil` keeps the identity only (a mairie).
fn blocs(v: &Valeurs, etat_civil: bool) -> Vec<Bloc> {
    let mut out = Vec::new();
    let enfant: Vec<Champ> =
        champs_eleve().map(|c| du_catalogue(v, format!("e_{}", c.cle()), c.formulaire(), SEXES.to_vec())).collect();
    out.push(Bloc { titre: "L'enfant".into(), aide: None, champs: enfant });
    if etat_civil {
        return out;
    }
    let n_r = nombre(v, "n_r", 4);
    for i in 1..=n_r {
        let p = format!("r{i}_");
        let mut c = personne(v, &p, true);
        c.push(du_catalogue(v, format!("{p}accord"), ChampLien::AccordAssociations.formulaire(), Vec::new()));
        c.push(champ(v, format!("{p}retrait"), "Autorité parentale retirée par décision de justice", "case", false, 0));
        c.push(champ(v, format!("{p}detacher"), "Détacher ce responsable de l'enfant", "case", false, 0));
        out.push(Bloc {
            titre: format!("Responsable légal {i}"),
            aide: Some("Un responsable commun à des frères et sœurs est corrigé pour tous."),
            champs: c,
        });
    }
    if n_r < 4 {
        let mut c = personne(v, "rn_", false);
        c.push(du_catalogue(v, "rn_accord".into(), ChampLien::AccordAssociations.formulaire(), Vec::new()));
        out.push(Bloc {
            titre: "Ajouter un responsable légal".into(),
            aide: Some("À remplir seulement pour ajouter une personne (nom et prénom au moins)."),
            champs: c,
        });
    }
    let n_c = nombre(v, "n_c", 9);
    for i in 1..=(n_c + CONTACTS_NOUVEAUX).min(9) {
        let p = format!("c{i}_");
        let mut c: Vec<Champ> = ChampContact::TOUS
            .iter()
            .map(|k| du_catalogue(v, format!("{p}{}", k.cle()), k.formulaire(), Vec::new()))
            .collect();
        c.push(champ(v, format!("{p}ordre"), "Ordre d'appel", "nombre", false, 1));
        if i <= n_c {
            c.push(champ(v, format!("{p}supprimer"), "Retirer cette personne", "case", false, 0));
        }
        out.push(Bloc {
            titre: if i <= n_c {
                format!("Personne à contacter {i}")
            } else {
                "Ajouter une personne à contacter".into()
            },
            aide: None,
            champs: c,
        });
    }
    let a: Vec<Champ> = ChampAnnuel::TOUS
        .iter()
        .map(|c| du_catalogue(v, format!("a_{}", c.cle()), c.formulaire(), Vec::new()))
        .collect();
    out.push(Bloc { titre: "Autorisations, assurance et périscolaire de l'année".into(), aide: None, champs: a });
    out
}

/// The form's prefix of each responsable and contact of a correction, in the correction's
/// order: an error's key (`responsables.1.nom`) names the input (`r3_nom`).
#[derive(Debug, Default)]
struct Prefixes {
    responsables: Vec<String>,
    contacts: Vec<String>,
}

impl Prefixes {
    fn nom(&self, cle: &str) -> String {
        if let Some((liste, i, champ)) = crate::http::formulaires::element(cle) {
            let prefixe = match liste {
                "responsables" => self.responsables.get(i).cloned(),
                "contacts" => self.contacts.get(i).cloned(),
                "ajouts" => Some("rn_".to_string()),
                _ => None,
            };
            return prefixe.map(|p| format!("{p}{champ}")).unwrap_or_else(|| cle.to_string());
        }
        match cle.split_once('.') {
            Some(("eleve", champ)) => format!("e_{champ}"),
            Some(("annuel", champ)) => format!("a_{champ}"),
            _ => cle.to_string(),
        }
    }
}

/// The correction the form asks for.
fn correction_de(s: &Saisie, etat_civil: bool) -> Result<(Correction, Prefixes), Error> {
    let mut prefixes = Prefixes::default();
    let mut eleve = EleveSaisie::default();
    for c in champs_eleve() {
        c.poser(&mut eleve, s.opt(&format!("e_{}", c.cle())));
    }
    let mut c = Correction { eleve: Some(eleve), ..Default::default() };
    if etat_civil {
        return Ok((c, prefixes));
    }
    let personne = |p: &str| {
        let mut r = ResponsableSaisie { lien: s.texte(&format!("{p}lien")), ..Default::default() };
        for c in ChampResponsable::TOUS {
            c.poser(&mut r, s.opt(&format!("{p}{}", c.cle())));
        }
        r
    };
    for i in 1..=4 {
        let p = format!("r{i}_");
        let Some(id) = s.get(&format!("{p}id")) else { continue };
        let id = ResponsableId::parse(id).map_err(|_| Error::introuvable("responsable"))?;
        if s.coche(&format!("{p}detacher")) {
            c.detachements.push(id);
            continue;
        }
        prefixes.responsables.push(p.clone());
        c.responsables.push((
            id,
            ResponsableCorrige {
                responsable: personne(&p),
                autorite_parentale: !s.coche(&format!("{p}retrait")),
                accord_associations: lire_oui_non(s.get(&format!("{p}accord"))),
            },
        ));
    }
    if s.get("rn_nom").is_some() || s.get("rn_prenom").is_some() {
        c.ajouts.push(Ajout::Nouveau(Box::new(ResponsableCorrige {
            responsable: personne("rn_"),
            autorite_parentale: true,
            accord_associations: lire_oui_non(s.get("rn_accord")),
        })));
    }
    let mut contacts = Vec::new();
    for i in 1..=9 {
        let p = format!("c{i}_");
        let f = |k: &str| s.opt(&format!("{p}{k}"));
        let id = f("id");
        let vide = ChampContact::TOUS.iter().filter(|c| c.formulaire().genre != "case").all(|c| f(c.cle()).is_none());
        if (id.is_none() && vide) || s.coche(&format!("{p}supprimer")) {
            continue;
        }
        let id =
            id.map(|i| ContactId::parse(&i).map_err(|_| Error::introuvable("personne à contacter"))).transpose()?;
        let ordre = f("ordre").and_then(|o| o.parse::<usize>().ok()).unwrap_or(i);
        contacts.push(((ordre, i), p.clone(), id, {
            let mut k = ContactSaisie::default();
            for c in ChampContact::TOUS {
                let v = match c.formulaire().genre {
                    "case" => s.coche(&format!("{p}{}", c.cle())).then(|| "oui".to_string()),
                    _ => f(c.cle()),
                };
                c.poser(&mut k, v);
            }
            k
        }));
    }
    contacts.sort_by_key(|(o, _, _, _)| *o);
    prefixes.contacts = contacts.iter().map(|(_, p, _, _)| p.clone()).collect();
    c.contacts = Some(contacts.into_iter().map(|(_, _, id, k)| (id, k)).collect());
    let mut annuel = AnnuelSaisie::default();
    for a in ChampAnnuel::TOUS {
        a.poser(&mut annuel, s.opt(&format!("a_{}", a.cle())));
    }
    c.annuel = Some(annuel);
    c.fiche_retournee = s.coche("fiche_retournee");
    Ok((c, prefixes))
}

#[derive(Debug, Serialize)]
struct PageFiche {
    eleve_id: String,
    eleve: String,
    etat_civil: bool,
    blocs: Vec<Bloc>,
    /// Hidden fields: the ids and counts the form was built with.
    caches: Vec<(String, String)>,
    retour: Option<String>,
    message: Option<String>,
    fiche_retournee: bool,
}

fn caches(v: &Valeurs) -> Vec<(String, String)> {
    v.iter()
        .filter(|(k, _)| k.as_str() == "n_r" || k.as_str() == "n_c" || k.ends_with("_id"))
        .filter(|(_, val)| !val.is_empty())
        .map(|(k, val)| (k.clone(), val.clone()))
        .collect()
}

fn rendre_fiche(
    s: &crate::http::etat::Inner,
    v: &Visiteur,
    id: &EleveId,
    nom: String,
    valeurs: &Valeurs,
    retour: Option<String>,
    message: Option<String>,
) -> Result<String, Error> {
    let etat_civil = v.acteur.role == Role::AgentMairie;
    let page = PageFiche {
        eleve_id: id.to_string(),
        eleve: nom,
        etat_civil,
        blocs: blocs(valeurs, etat_civil),
        // The mairie's form carries no id nor count of what it may not see.
        caches: if etat_civil { Vec::new() } else { caches(valeurs) },
        retour,
        message,
        fiche_retournee: valeurs.get("fiche_retournee").is_some_and(|x| !x.is_empty()),
    };
    s.pages.render("fiche.html", &avec_moi(v, page))
}

pub(in crate::http) async fn page_fiche(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EleveId>,
) -> Result<Html<String>, PageError> {
    let html = blocking(&state, move |s| {
        let svc = crate::http::contexte(s, &v.acteur);
        let f = svc.a_corriger_lecture(&id)?;
        let retour = if v.acteur.role == Role::AgentMairie { None } else { svc.fiche_retour(&id)? };
        let nom = format!("{} {}", f.eleve.prenoms, f.eleve.nom);
        rendre_fiche(s, &v, &id, nom, &valeurs_de(&f), retour, None)
    })
    .await?;
    Ok(Html(html))
}

pub(in crate::http) async fn corriger_fiche(
    State(state): State<AppState>,
    Id(id): Id<EleveId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let etat_civil = v.acteur.role == Role::AgentMairie;
    let (c, prefixes) = correction_de(&s, etat_civil)?;
    let valeurs = valeurs_saisies(&s);
    let vers = format!("/eleves/{id}");
    let (status, html) = blocking(&state, move |st| {
        let svc = crate::http::contexte(st, &v.acteur);
        match svc.corriger(&id, &c) {
            Ok(r) => {
                let code = if r.fiche_retournee {
                    "fiche_retournee"
                } else if r.champs.is_empty() {
                    "sans_changement"
                } else {
                    "corrige"
                };
                Ok((StatusCode::SEE_OTHER, format!("{vers}?fait={code}")))
            }
            Err(e) => {
                let e = Error::from(e);
                if e.status().is_server_error() {
                    return Err(e);
                }
                let nom = format!(
                    "{} {}",
                    valeurs.get("e_prenoms").cloned().unwrap_or_default(),
                    valeurs.get("e_nom").cloned().unwrap_or_default()
                );
                // Each refused field beside its input; the message on top only for what is
                // no field's.
                let refuse = Refuse::de(&e, &format!("{vers}/fiche"), &[], |cle| prefixes.nom(cle));
                let message = refuse.is_none().then(|| e.message().to_string());
                let html = rendre_fiche(st, &Refuse::visiteur(refuse, v), &id, nom, &valeurs, None, message)?;
                Ok((e.status(), html))
            }
        }
    })
    .await?;
    if status == StatusCode::SEE_OTHER {
        return Ok(Redirect::to(&html).into_response());
    }
    Ok((status, Html(html)).into_response())
}

// The family's requests and the decisions ---------------------------------------------------------

pub(in crate::http) async fn demander_rectification(
    State(state): State<AppState>,
    Id(id): Id<EleveId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let vers = format!("/eleves/{id}");
    let (champ, valeur, commentaire) = (s.texte("champ"), s.texte("valeur"), s.opt("commentaire"));
    let retour = vers.clone();
    let action = format!("{vers}/rectification");
    let page = PageDe::Eleve(id.clone());
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &page },
        (&retour, "Revenir à la fiche de l'enfant"),
        move |svc| svc.demander_rectification(&id, &champ, &valeur, commentaire.as_deref()),
        |_| Ok(Redirect::to(&format!("{vers}?fait=rectification")).into_response()),
    )
    .await
}

pub(in crate::http) async fn decider_rectification(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let accepter = s.get("decision") == Some("accepter");
    let motif = s.opt("motif");
    let retour = s.get("retour").filter(|r| r.starts_with("/eleves/") || *r == "/").unwrap_or("/").to_string();
    let vers = retour.clone();
    let action = format!("/rectifications/{id}/decision");
    let page = retour
        .strip_prefix("/eleves/")
        .and_then(|e| crate::domain::EleveId::parse(e).ok())
        .map_or(PageDe::Accueil, PageDe::Eleve);
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &page },
        (&retour, "Revenir"),
        move |svc| svc.decider_rectification(&id, accepter, motif.as_deref()),
        |r| {
            let code = if r.etat == crate::domain::correction::EtatDemande::Acceptee { "acceptee" } else { "refusee" };
            Ok(Redirect::to(&format!("{vers}?fait={code}")).into_response())
        },
    )
    .await
}

pub(in crate::http) async fn opposer(
    State(state): State<AppState>,
    Id(id): Id<EleveId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let vers = format!("/eleves/{id}");
    let motifs = s.texte("motifs");
    let retour = vers.clone();
    let action = format!("{vers}/opposition");
    let page = PageDe::Eleve(id.clone());
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &page },
        (&retour, "Revenir à la fiche de l'enfant"),
        move |svc| svc.opposer(&id, &motifs),
        |_| Ok(Redirect::to(&format!("{vers}?fait=opposition")).into_response()),
    )
    .await
}

#[derive(Debug, Serialize)]
struct PageOppositions {
    en_attente: Vec<crate::service::demandes::OppositionVue>,
    decidees: Vec<crate::service::demandes::OppositionVue>,
    fait: Option<&'static str>,
}

pub(in crate::http) async fn page_oppositions(
    State(state): State<AppState>,
    v: Visiteur,
    q: Result<axum::extract::Query<crate::http::pages::parcours::QueryPage>, axum::extract::rejection::QueryRejection>,
) -> Result<Html<String>, PageError> {
    let fait = crate::http::pages::parcours::fait_de(q);
    let l = crate::http::service(&state, v.acteur.clone(), |svc| svc.oppositions(None, None)).await?;
    let (en_attente, decidees) =
        l.into_iter().partition(|o| o.etat == crate::domain::correction::EtatDemande::EnAttente);
    let html = blocking(&state, move |s| {
        s.pages.render("oppositions.html", &avec_moi(&v, PageOppositions { en_attente, decidees, fait }))
    })
    .await?;
    Ok(Html(html))
}

pub(in crate::http) async fn decider_opposition(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let accepter = s.get("decision") == Some("accepter");
    let motif = s.texte("motif");
    let action = format!("/oppositions/{id}/decision");
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &PageDe::Oppositions },
        ("/oppositions", "Revenir aux oppositions"),
        move |svc| svc.decider_opposition(&id, accepter, &motif),
        |_| Ok(Redirect::to("/oppositions?fait=decision_opposition").into_response()),
    )
    .await
}

// A family's account ------------------------------------------------------------------------------

// Mot de passe oublié ------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
struct Oubli {
    envoye: Option<&'static str>,
}

pub(in crate::http) async fn page_oubli(State(state): State<AppState>) -> Result<Html<String>, PageError> {
    let html = blocking(&state, |s| s.pages.render("mot_de_passe_oublie.html", &Oubli { envoye: None })).await?;
    Ok(Html(html))
}

pub(in crate::http) async fn oubli(State(state): State<AppState>, corps: Bytes) -> Sortie {
    let s = Saisie::lire(&corps)?;
    crate::http::api::corrections::traiter_oubli(&state, s.texte("login"));
    let html = state
        .pages
        .render("mot_de_passe_oublie.html", &Oubli { envoye: Some(crate::http::api::corrections::REPONSE_OUBLI) })?;
    Ok(Html(html).into_response())
}

/// The confirmations of this module's forms (`?fait=`).
pub(in crate::http) const FAITS: &[(&str, &str)] = &[
    ("corrige", "Corrections enregistrées : elles figurent sur la prochaine fiche imprimée."),
    ("fiche_retournee", "Fiche retournée enregistrée, avec ses corrections."),
    ("sans_changement", "Aucune valeur n'a changé."),
    ("rectification", "Demande de rectification envoyée à l'école : sa réponse s'affichera ici."),
    ("acceptee", "Demande acceptée : la correction est faite."),
    ("refusee", "Demande refusée : la famille voit la raison."),
    ("opposition", "Opposition transmise à la direction académique (IA-DASEN), qui statuera."),
    ("decision_opposition", "Décision enregistrée : la famille la voit sur la fiche de l'enfant."),
    ("campagne_ouverte", "Campagne du constat ouverte : chaque école peut valider le sien."),
    ("campagne_close", "Campagne du constat close : les constats validés sont arrêtés."),
    ("constat_valide", "Constat validé : c'est ce que voient l'IEN et la direction académique."),
    ("publication", "Publication préparée : le statisticien peut la télécharger."),
    ("prevision", "Ajustements enregistrés."),
    ("prevision_validee", "Prévision validée : l'IEN et la direction académique la voient."),
];
