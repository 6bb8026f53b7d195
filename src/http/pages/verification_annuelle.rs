//! The pages of the yearly check online (`service::verifications`): a pupil's fiche block by
//! block (the family confirms or corrects, the school accepts or refuses), the school's screen
//! class by class, the campaign's dates (the school's, or the département's).
//!
//! Each form calls the same use case as the JSON API; a refused form comes back with what was
//! typed and each message beside its field.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect};
use serde::Serialize;

use crate::domain::champs::ChampContact;
use crate::domain::verification::{Bloc, ContactPropose, EtatBloc, Proposition};
use crate::domain::{EcoleId, EleveId};
use crate::http::extraction::{Id, Soumis};
use crate::http::formulaires::{FormulaireSoumis, PageDe, QueryPage, Saisie, Sortie, etape_formulaire, fait_de};
use crate::http::pages::{PageError, avec_moi};
use crate::http::session::Visiteur;
use crate::http::{Error, blocking, etat::AppState};
use crate::policy::{Action, Ressource};
use crate::service::verifications::{CampagneVue, Reglage, TableauVerification, VerificationEleve};

type Requete = Result<axum::extract::Query<QueryPage>, axum::extract::rejection::QueryRejection>;

/// How many blank lines the contacts' form offers for new persons.
const CONTACTS_NOUVEAUX: usize = 2;

/// How many reminder dates the campaign's form offers.
const RELANCES_FORMULAIRE: usize = 3;

#[derive(Debug, Serialize)]
struct PageEleve {
    v: VerificationEleve,
    famille: bool,
    /// The school may decide (the directeur).
    decide: bool,
    /// New contact lines offered, numbered after the stored ones.
    nouveaux: Vec<usize>,
    fait: Option<&'static str>,
}

/// A pupil's yearly check: the family answers, the school decides, the inspectors read.
pub(in crate::http) async fn page_eleve(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EleveId>,
    q: Requete,
) -> Result<Html<String>, PageError> {
    let fait = fait_de(q);
    let vue = crate::http::service(&state, v.acteur.clone(), move |svc| svc.verification_eleve(&id)).await?;
    let famille = v.acteur.decision(Ressource::Verification, Action::Creer).autorise();
    let decide = v.acteur.decision(Ressource::Verification, Action::Modifier).autorise();
    let n = vue.blocs.iter().find(|b| b.bloc == Bloc::Contacts).map_or(0, |b| b.contacts.len());
    let nouveaux = (n + 1..=(n + CONTACTS_NOUVEAUX).min(crate::domain::verification::CONTACTS_MAX)).collect();
    let html = blocking(&state, move |s| {
        s.pages
            .render("verification_annuelle.html", &avec_moi(&v, PageEleve { v: vue, famille, decide, nouveaux, fait }))
    })
    .await?;
    Ok(Html(html))
}

/// The proposal a block's form sends: the `v_<clé>` fields, or the contacts `c<n>_<clé>`
/// (a line without id left blank, or ticked « retirer », is not kept).
fn proposition(s: &Saisie, bloc: Bloc) -> Proposition {
    if bloc != Bloc::Contacts {
        let valeurs: BTreeMap<String, String> =
            s.paires().iter().filter_map(|(k, v)| k.strip_prefix("v_").map(|k| (k.to_string(), v.clone()))).collect();
        return Proposition { valeurs, contacts: None };
    }
    let mut l = Vec::new();
    for i in 1..=crate::domain::verification::CONTACTS_MAX {
        let p = format!("c{i}_");
        let id = s.opt(&format!("{p}id"));
        let vide = ChampContact::TOUS
            .iter()
            .filter(|c| c.formulaire().genre != "case")
            .all(|c| s.opt(&format!("{p}{}", c.cle())).is_none());
        if (id.is_none() && vide) || s.coche(&format!("{p}retirer")) {
            continue;
        }
        let valeurs = ChampContact::TOUS
            .iter()
            .map(|c| {
                let v = match c.formulaire().genre {
                    "case" => if s.coche(&format!("{p}{}", c.cle())) { "oui" } else { "non" }.to_string(),
                    _ => s.texte(&format!("{p}{}", c.cle())),
                };
                (c.cle().to_string(), v)
            })
            .collect();
        l.push(ContactPropose { id, valeurs });
    }
    Proposition { valeurs: BTreeMap::new(), contacts: Some(l) }
}

/// A family sends one block: confirmed as it is, or its changes.
pub(in crate::http) async fn repondre(
    State(state): State<AppState>,
    Id(id): Id<EleveId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let vers = format!("/eleves/{id}/verification-annuelle");
    let bloc = match Bloc::parse(&s.texte("bloc")) {
        Ok(b) => b,
        Err(e) => {
            return crate::http::formulaires::refus(
                &state,
                &v,
                Error::from(crate::service::Error::from(e)),
                &vers,
                "Revenir",
            );
        }
    };
    let p = (!s.coche("confirmer")).then(|| proposition(&s, bloc));
    let page = PageDe::Verification(id.clone());
    let retour = vers.clone();
    // The block's form, as the page names it (its anchor): a refusal is shown beside it.
    let ancre = match (&v.acteur.perimetre, bloc) {
        (crate::domain::Perimetre::Responsable(r), Bloc::Responsable) => format!("bloc-responsable-{r}"),
        _ => format!("bloc-{}", bloc.code()),
    };
    let action = format!("{vers}#{ancre}");
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &page },
        (&retour, "Revenir à la vérification"),
        move |svc| svc.repondre_verification(&id, bloc, p.as_ref()),
        |r| {
            let envoye = r.blocs.iter().any(|b| b.bloc == bloc && b.etat == Some(EtatBloc::Propose));
            let code = if envoye { "verification_envoyee" } else { "verification_confirmee" };
            Ok(Redirect::to(&format!("{retour}?fait={code}#{ancre}")).into_response())
        },
    )
    .await
}

/// « Tout le reste est exact »: the blocks not answered yet, confirmed.
pub(in crate::http) async fn confirmer(
    State(state): State<AppState>,
    Id(id): Id<EleveId>,
    Soumis(v, _): Soumis,
) -> Sortie {
    let vers = format!("/eleves/{id}/verification-annuelle");
    let retour = vers.clone();
    crate::http::formulaires::etape(
        &state,
        &v,
        (&retour, "Revenir à la vérification"),
        move |svc| svc.confirmer_verification(&id),
        |v| {
            // What the family is told is what happened: changes may still wait for the school.
            let code = if v.etat == crate::service::verifications::EtatEleve::Verifie {
                "verification_terminee"
            } else {
                "verification_transmise"
            };
            Ok(Redirect::to(&format!("{vers}?fait={code}")).into_response())
        },
    )
    .await
}

/// The school accepts a family's changes or refuses them with a reason.
pub(in crate::http) async fn decider(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let accepter = s.get("decision") == Some("accepter");
    let motif = s.opt("motif");
    let eleve = s.get("eleve").and_then(|e| EleveId::parse(e).ok());
    let retour = eleve.as_ref().map_or("/".to_string(), |e| format!("/eleves/{e}/verification-annuelle"));
    let page = eleve.map_or(PageDe::Accueil, PageDe::Verification);
    let action = format!("/verifications-annuelles/{id}/decision");
    let vers = retour.clone();
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &action, page: &page },
        (&retour, "Revenir"),
        move |svc| svc.decider_verification(&id, accepter, motif.as_deref()),
        |_| {
            let code = if accepter { "verification_acceptee" } else { "verification_refusee" };
            Ok(Redirect::to(&format!("{vers}?fait={code}")).into_response())
        },
    )
    .await
}

#[derive(Debug, Serialize)]
struct PageEcole {
    t: TableauVerification,
    ecole_id: String,
    /// The campaign's dates may be set here.
    reglage: bool,
    /// Family accounts may be made here (the activation letters).
    comptes: bool,
    /// The form's reminder dates (those set, then blanks).
    relances: Vec<String>,
    fait: Option<&'static str>,
}

/// The reminders still to come (a past one is not offered again: the form would be refused),
/// then blanks.
fn relances_du_formulaire(k: Option<&CampagneVue>, aujourd_hui: time::Date) -> Vec<String> {
    let a_venir = |d: &&String| d.as_str() >= aujourd_hui.to_string().as_str();
    let mut l: Vec<String> = k.map(|k| k.relances.iter().filter(a_venir).cloned().collect()).unwrap_or_default();
    while l.len() < RELANCES_FORMULAIRE {
        l.push(String::new());
    }
    l
}

/// The school's screen: the campaign, and class by class who answered.
pub(in crate::http) async fn page_ecole(
    State(state): State<AppState>,
    v: Visiteur,
    Id(id): Id<EcoleId>,
    q: Requete,
) -> Result<Html<String>, PageError> {
    let fait = fait_de(q);
    let ecole = id.clone();
    let t = crate::http::service(&state, v.acteur.clone(), move |svc| svc.verifications_ecole(&ecole)).await?;
    let reglage = v.acteur.decision(Ressource::CampagneVerification, Action::Modifier).autorise();
    let comptes = v.acteur.decision(Ressource::Compte, Action::Creer).autorise()
        && v.acteur.role == crate::policy::Role::Directeur;
    let relances = relances_du_formulaire(t.campagne.as_ref(), state.clock.today());
    let html = blocking(&state, move |s| {
        let page = PageEcole { t, ecole_id: id.to_string(), reglage, comptes, relances, fait };
        s.pages.render("verification_ecole.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// The campaign's dates as the form sends them: `fin`, then `relance` (several; blanks ignored).
fn reglage_de(s: &Saisie) -> Result<Reglage, crate::service::Error> {
    let relances: Vec<&str> = s.paires().iter().filter(|(k, _)| k == "relance").map(|(_, v)| v.as_str()).collect();
    Reglage::lire(&s.texte("fin"), &relances)
}

/// Opens the school's campaign, or moves its dates.
pub(in crate::http) async fn ouvrir_ecole(
    State(state): State<AppState>,
    Id(id): Id<EcoleId>,
    Soumis(v, s): Soumis,
) -> Sortie {
    let vers = format!("/ecoles/{id}/verification-annuelle");
    let page = PageDe::VerificationEcole(id.clone());
    let r = reglage_de(&s);
    let retour = vers.clone();
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: &vers, page: &page },
        (&retour, "Revenir"),
        move |svc| svc.ouvrir_verification(Some(&id), &r?),
        |_| Ok(Redirect::to(&format!("{retour}?fait=campagne_verification")).into_response()),
    )
    .await
}

#[derive(Debug, Serialize)]
struct PageTerritoire {
    relances: Vec<String>,
}

/// The IA-DASEN's form: the yearly check of every school of the département.
pub(in crate::http) async fn page_territoire(
    State(state): State<AppState>,
    v: Visiteur,
) -> Result<Html<String>, PageError> {
    if !v.acteur.decision(Ressource::CampagneVerification, Action::Modifier).autorise() {
        return Err(Error::from(crate::service::Error::from(crate::auth::Interdit::Role)).into());
    }
    let html = blocking(&state, move |s| {
        let page = PageTerritoire { relances: relances_du_formulaire(None, s.clock.today()) };
        s.pages.render("verification_territoire.html", &avec_moi(&v, page))
    })
    .await?;
    Ok(Html(html))
}

/// Opens the yearly check in every school of the actor's territory.
pub(in crate::http) async fn ouvrir_territoire(State(state): State<AppState>, Soumis(v, s): Soumis) -> Sortie {
    let r = reglage_de(&s);
    let page = PageDe::VerificationTerritoire;
    etape_formulaire(
        &state,
        &v,
        FormulaireSoumis { saisie: &s, action: "/verification-annuelle", page: &page },
        ("/verification-annuelle", "Revenir"),
        move |svc| svc.ouvrir_verification(None, &r?),
        |l| {
            let message = format!("Vérification annuelle ouverte dans {} école(s).", l.len());
            crate::http::formulaires::bilan(&state, &v, "/", ("C'est fait", &message), ("", &[]))
        },
    )
    .await
}
