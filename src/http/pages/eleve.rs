//! A pupil's page: the record as the role sees it (identity, schooling, responsables, contacts,
//! the year's answers), what the visitor may do from it (print, correct, radiate, the family's
//! requests and accounts) and the consultations of the record.

use crate::http::pages::*;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::Document;
use crate::domain::EleveId;
use crate::domain::champs::ChampResponsable;
use crate::domain::identite::date_fr;
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::pages::parcours::{QueryPage, fait_de};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking};
use crate::policy::{Action, Champs, Ressource, Role};

/// A pupil's record as a page receives it: read back from the use case's projection, so a
/// field the role may not see is absent here too (the template cannot show what it never got).
#[derive(Debug, Deserialize)]
struct VueFiche {
    eleve: VueEleve,
    #[serde(default)]
    scolarites: Vec<VueScolarite>,
    #[serde(default)]
    responsables: Vec<VueResponsable>,
    #[serde(default)]
    contacts: Vec<Value>,
    #[serde(default)]
    annuel: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
struct VueEleve {
    id: String,
    nom: Option<String>,
    nom_usage: Option<String>,
    prenoms: Option<String>,
    sexe: Option<crate::domain::Sexe>,
    date_naissance: Option<time::Date>,
    naissance_insee: Option<String>,
    naissance_lieu: Option<String>,
    adresse: Option<String>,
    code_postal: Option<String>,
    commune_residence: Option<String>,
    ine: Option<String>,
}

#[derive(Debug, Deserialize)]
struct VueScolarite {
    annee: crate::domain::AnneeScolaire,
    ecole_id: Option<String>,
    uai: Option<String>,
    ecole: Option<String>,
    etat: Option<crate::domain::EtatScolarite>,
    date_admission: Option<time::Date>,
    niveau: Option<crate::domain::Niveau>,
    cycle: Option<crate::domain::Cycle>,
    classe_id: Option<String>,
    classe: Option<String>,
    ulis: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct VueResponsable {
    id: Option<String>,
    rang: Option<u8>,
    lien: Option<crate::domain::Lien>,
    autorite_parentale: Option<bool>,
    civilite: Option<crate::domain::Civilite>,
    nom: Option<String>,
    prenom: Option<String>,
    adresse: Option<String>,
    code_postal: Option<String>,
    commune: Option<String>,
    pays: Option<String>,
    courriel: Option<String>,
    /// The other fields shown (the phones, read through the catalogue).
    #[serde(flatten)]
    autres: serde_json::Map<String, Value>,
}

/// The non-empty parts, joined.
fn joindre(parts: &[&Option<String>], sep: &str) -> Option<String> {
    let v: Vec<&str> = parts.iter().filter_map(|p| p.as_deref()).filter(|p| !p.is_empty()).collect();
    if v.is_empty() { None } else { Some(v.join(sep)) }
}

pub(in crate::http) async fn page_eleve(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EleveId>,
    q: Result<Query<QueryPage>, QueryRejection>,
) -> PageResult {
    let fait = fait_de(q);
    let champs = v.acteur.autoriser(Ressource::Eleve, Action::Lire, state.clock.now())?;
    let vue = crate::http::service(&state, v.acteur.clone(), move |svc| svc.vue_eleve(&id)).await?;
    let crate::service::vue_eleve::VueEleve {
        annee,
        fiche,
        consultations,
        corriger,
        avec_compte,
        fiche_retour,
        rectifications,
        oppositions,
        demarches,
        radiation_annulable,
    } = vue;
    let droits = DroitsLus { corriger, avec_compte, fiche_retour, rectifications, oppositions };
    let today = state.clock.today();
    let vue = fiche;
    let f: VueFiche = serde_json::from_value(vue).map_err(Error::interne)?;
    let html = blocking(&state, move |s| {
        let a = &v.acteur;
        let voir = |c: Champs| champs.contient(c);
        let e = &f.eleve;
        let scolarites: Vec<LigneScolarite> = f
            .scolarites
            .iter()
            .map(|s| LigneScolarite {
                annee: s.annee.to_string(),
                ecole: s.ecole.clone(),
                ecole_id: s.ecole_id.clone(),
                uai: s.uai.clone(),
                niveau: s.niveau,
                cycle: s.cycle.map(|c| c.numero()),
                classe: s.classe.clone(),
                classe_id: s.classe_id.clone(),
                ulis: s.ulis,
                etat: s.etat.map(|e| e.libelle()),
                date_admission: s.date_admission.map(date_fr),
            })
            .collect();
        let responsables: Vec<LigneResponsable> = f
            .responsables
            .iter()
            .map(|r| {
                let civilite = r.civilite.map(|c| c.code().to_string());
                LigneResponsable {
                    rang: r.rang,
                    identite: joindre(&[&civilite, &r.prenom, &r.nom], " "),
                    lien: r.lien.map(|l| l.libelle()),
                    autorite_parentale: r.autorite_parentale.unwrap_or(true),
                    adresse: joindre(&[&r.adresse, &r.code_postal, &r.commune, &r.pays], " "),
                    telephones: {
                        let t: Vec<&str> = ChampResponsable::TELEPHONES
                            .iter()
                            .filter_map(|c| r.autres.get(c.cle()).and_then(Value::as_str))
                            .collect();
                        (!t.is_empty()).then(|| t.join(" · "))
                    },
                    courriel: r.courriel.clone(),
                }
            })
            .collect();
        // The breadcrumb: this year's school, and its class for those who see the schooling.
        let de_l_annee = |s: &&VueScolarite| s.annee == annee;
        let courante = f
            .scolarites
            .iter()
            .filter(de_l_annee)
            .find(|s| s.etat.is_some_and(|e| e.est_present()))
            .or_else(|| f.scolarites.iter().find(de_l_annee));
        let scolarite = courante.filter(|s| s.ecole_id.is_some()).map(|s| Fil {
            ecole: s.ecole.clone(),
            ecole_id: s.ecole_id.clone(),
            classe: s.classe.clone(),
            classe_id: s.classe_id.clone(),
        });
        let present = courante.is_some_and(|s| s.etat.is_some_and(|e| e.est_present()));
        let docs = Docs {
            certificat: present
                && a.decision(Ressource::Document(Document::CertificatScolarite), Action::Imprimer).autorise(),
            fiche: a.decision(Ressource::Document(Document::FicheRenseignements), Action::Imprimer).autorise(),
            releve: a.decision(Ressource::Document(Document::ReleveDonnees), Action::Imprimer).autorise(),
            urgence: a.decision(Ressource::Document(Document::FicheUrgence), Action::Imprimer).autorise(),
        };
        let famille = famille(a, &f, droits, present);
        let page = PageEleve {
            eleve: Identite {
                id: e.id.clone(),
                nom: e.nom.clone(),
                nom_usage: e.nom_usage.clone(),
                prenoms: e.prenoms.clone(),
                naissance_lieu: match e.naissance_insee.as_deref() {
                    Some(i) if crate::domain::CommuneInsee::stocke(i).is_some_and(|c| c.est_a_completer()) => {
                        Some("lieu de naissance à compléter".into())
                    }
                    _ => e.naissance_lieu.clone(),
                },
                ine: e.ine.clone(),
            },
            sexe: e.sexe.map(|x| if x == crate::domain::Sexe::F { "féminin" } else { "masculin" }),
            naissance: e.date_naissance.map(date_fr),
            adresse: joindre(&[&e.adresse, &e.code_postal, &e.commune_residence], " "),
            scolarites,
            responsables,
            contacts: &f.contacts,
            scolarite,
            consultations: consultations.map(|l| l.iter().map(crate::service::eleves::consultation_lisible).collect()),
            docs,
            famille,
            annuel: f.annuel.as_ref().map(lignes_annuel).unwrap_or_default(),
            fait,
            demarches: crate::http::pages::scolarite::demarches_eleve(a, champs, today, demarches, radiation_annulable),
            liens: a.decision(Ressource::Classe, Action::Lire).autorise(),
            verification: a.decision(Ressource::Verification, Action::Lire).autorise(),
            voir: Voir {
                adresse: voir(Champs::ADRESSE),
                ine: voir(Champs::INE),
                ecole: voir(Champs::ECOLE),
                scolarite: voir(Champs::SCOLARITE),
                responsables: voir(Champs::RESPONSABLES),
                contacts: voir(Champs::CONTACTS),
            },
        };
        s.pages.render("eleve.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The pupil's page, built from the projected record only.
#[derive(Debug, Serialize)]
struct PageEleve<'a> {
    eleve: Identite,
    sexe: Option<&'static str>,
    naissance: Option<String>,
    adresse: Option<String>,
    scolarites: Vec<LigneScolarite>,
    responsables: Vec<LigneResponsable>,
    contacts: &'a [Value],
    scolarite: Option<Fil>,
    consultations: Option<Vec<crate::service::eleves::ConsultationLisible>>,
    docs: Docs,
    famille: Famille,
    annuel: Vec<(&'static str, String)>,
    fait: Option<&'static str>,
    demarches: crate::http::pages::scolarite::Demarches,
    liens: bool,
    voir: Voir,
    /// The yearly check's page (the family, the school, its inspectors).
    verification: bool,
}

#[derive(Debug, Serialize)]
struct Identite {
    id: String,
    nom: Option<String>,
    nom_usage: Option<String>,
    prenoms: Option<String>,
    naissance_lieu: Option<String>,
    ine: Option<String>,
}

#[derive(Debug, Serialize)]
struct LigneScolarite {
    annee: String,
    ecole: Option<String>,
    ecole_id: Option<String>,
    uai: Option<String>,
    niveau: Option<crate::domain::Niveau>,
    cycle: Option<u8>,
    classe: Option<String>,
    classe_id: Option<String>,
    ulis: Option<bool>,
    etat: Option<&'static str>,
    date_admission: Option<String>,
}

#[derive(Debug, Serialize)]
struct LigneResponsable {
    rang: Option<u8>,
    identite: Option<String>,
    lien: Option<&'static str>,
    autorite_parentale: bool,
    adresse: Option<String>,
    telephones: Option<String>,
    courriel: Option<String>,
}

/// The breadcrumb of the pupil's page.
#[derive(Debug, Serialize)]
struct Fil {
    ecole: Option<String>,
    ecole_id: Option<String>,
    classe: Option<String>,
    classe_id: Option<String>,
}

/// The documents the visitor may print from the page.
#[derive(Debug, Serialize)]
struct Docs {
    certificat: bool,
    fiche: bool,
    releve: bool,
    urgence: bool,
}

/// What the use cases said of the pupil's corrections and the family's requests.
struct DroitsLus {
    corriger: bool,
    /// The responsables who already have a family account.
    avec_compte: std::collections::HashSet<String>,
    fiche_retour: Option<String>,
    rectifications: Vec<crate::service::demandes::RectificationVue>,
    oppositions: Vec<crate::service::demandes::OppositionVue>,
}

/// Corrections, family account and the family's requests, as the page offers them.
#[derive(Debug, Serialize)]
struct Famille {
    /// « Corriger la fiche » (directeur) or « Corriger l'état civil » (mairie).
    corriger: Option<&'static str>,
    fiche_retour: Option<String>,
    /// The school follows which fiches came back.
    suivi_retour: bool,
    /// The responsables a directeur may open a family account for (id, label).
    comptes: Vec<(String, String)>,
    /// How many of the pupil's responsables already have one.
    comptes_ouverts: usize,
    rectifications: Vec<crate::service::demandes::RectificationVue>,
    /// The school decides on pending requests.
    decider: bool,
    /// The family files a request: the fields it may name (code, label).
    demander: Vec<(String, String)>,
    oppositions: Vec<crate::service::demandes::OppositionVue>,
    /// The family may file an opposition (none pending).
    opposer: bool,
}

fn famille(a: &crate::auth::Acteur, f: &VueFiche, d: DroitsLus, present: bool) -> Famille {
    use crate::domain::champs::{ChampContact, ChampEleve};
    use crate::domain::correction::EtatDemande;
    let directeur = a.role == Role::Directeur;
    let gerer_comptes = directeur && present && a.decision(Ressource::Compte, Action::Creer).autorise();
    let comptes = if gerer_comptes {
        f.responsables
            .iter()
            .filter_map(|r| {
                let id = r.id.clone().filter(|i| !d.avec_compte.contains(i))?;
                let nom = joindre(&[&r.civilite.map(|c| c.code().to_string()), &r.prenom, &r.nom], " ")?;
                Some((id, format!("{nom}{}", r.lien.map(|l| format!(" ({})", l.libelle())).unwrap_or_default())))
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut demander = Vec::new();
    if a.decision(Ressource::Rectification, Action::Creer).autorise()
        && let crate::domain::Perimetre::Responsable(moi) = &a.perimetre
    {
        let enfant = f.eleve.prenoms.clone().unwrap_or_default();
        demander.extend(ChampEleve::TOUS.iter().filter(|c| c.rectifiable_par_la_famille()).map(|c| {
            let champ = crate::domain::correction::ChampRectifie::Eleve(*c);
            (champ.code(), format!("{enfant} : {}", champ.libelle()))
        }));
        demander.extend(
            ChampResponsable::TOUS
                .iter()
                .filter(|c| c.rectifiable_par_la_famille())
                .map(|c| (format!("responsable.{moi}.{}", c.cle()), format!("Vos coordonnées : {}", c.libelle()))),
        );
        for k in &f.contacts {
            let (Some(id), nom) = (k.get("id").and_then(Value::as_str), k.get("prenom").and_then(Value::as_str)) else {
                continue;
            };
            let qui =
                format!("{} {}", nom.unwrap_or_default(), k.get("nom").and_then(Value::as_str).unwrap_or_default());
            demander.extend(
                ChampContact::TOUS
                    .iter()
                    .filter(|c| c.rectifiable_par_la_famille())
                    .map(|c| (format!("contact.{id}.{}", c.cle()), format!("{qui} : {}", c.libelle()))),
            );
        }
        demander.push(("autre".into(), "Autre chose (décrivez-la dans le commentaire)".into()));
    }
    let opposer = a.decision(Ressource::Opposition, Action::Creer).autorise()
        && !d.oppositions.iter().any(|o| o.etat == EtatDemande::EnAttente);
    Famille {
        corriger: d.corriger.then_some(if a.role == Role::AgentMairie {
            "Corriger l'état civil"
        } else {
            "Corriger la fiche ou saisir la fiche retournée"
        }),
        suivi_retour: d.corriger && directeur,
        comptes_ouverts: if gerer_comptes { d.avec_compte.len() } else { 0 },
        fiche_retour: d.fiche_retour,
        comptes,
        decider: directeur && a.decision(Ressource::Rectification, Action::Modifier).autorise(),
        rectifications: d.rectifications,
        demander,
        oppositions: d.oppositions,
        opposer,
    }
}

/// This year's autorisations, insurance and périscolaire: a line per field of the catalogue
/// that the projection kept (a field the role may not see is absent, not « non renseigné »).
fn lignes_annuel(annuel: &serde_json::Map<String, Value>) -> Vec<(&'static str, String)> {
    crate::domain::champs::ChampAnnuel::TOUS
        .iter()
        .filter_map(|c| {
            let texte = match annuel.get(c.cle())? {
                Value::Bool(true) => "oui".to_string(),
                Value::Bool(false) => "non".to_string(),
                Value::String(t) => t.clone(),
                _ => "non renseigné".to_string(),
            };
            Some((c.formulaire().libelle, texte))
        })
        .collect()
}

/// The categories of fields the role sees (the data itself is already projected).
#[derive(Debug, Serialize)]
struct Voir {
    adresse: bool,
    ine: bool,
    ecole: bool,
    scolarite: bool,
    responsables: bool,
    contacts: bool,
}
