//! The API of the school year: pupils awaiting a class, classes and répartition, passages,
//! departures and radiations, the rentrée. Every step is a domain transition, refused with a
//! French message (409) when the record's state does not allow it, and journaled with its actor.

use crate::http::corps::{Corps, CorpsRefuse};
use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::identite::{date_fr, parse_date};
use crate::domain::parcours::{MotifRadiation, Passage, Reponse, TypePassage};
use crate::domain::{ClasseId, EcoleId, EleveId};
use crate::http::api::parcours::{eleve_id, niveau, refus};
use crate::http::etat::AppState;
use crate::http::extraction::{Id, IdEt};
use crate::http::session::Connecte;
use crate::http::{Error, Result, api, blocking, service};
use crate::service::parcours::Resultat;

/// The pupils of the school not yet placed in a class.
#[utoipa::path(get, path = "/ecoles/{id}/non-repartis", tag = "parcours", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = [crate::store::eleves::EleveLigne]), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn non_repartis(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<Json<Value>> {
    service(&state, a, move |c| c.non_repartis(&id)).await.map(Json)
}

/// A new class.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NouvelleClasse {
    /// Label (« CE2-CM1 B »).
    #[schema(min_length = 1)]
    pub libelle: String,
    /// Niveaux taught.
    #[schema(min_items = 1)]
    pub niveaux: Vec<String>,
    /// Teacher's name.
    #[serde(default)]
    pub enseignant: Option<String>,
}

/// Creates a class of the current year.
#[utoipa::path(post, path = "/ecoles/{id}/classes/nouvelle", tag = "parcours", request_body = NouvelleClasse, params(("id" = String, Path, description = "École")),
    responses((status = 201, body = Resultat), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn creer_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    body: std::result::Result<Corps<NouvelleClasse>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Resultat>)> {
    let b = api::json(body)?;
    let niveaux = b.niveaux.iter().map(|n| niveau(n)).collect::<Result<Vec<_>>>()?;
    if niveaux.is_empty() {
        return Err(Error::invalide("niveaux", "une classe a au moins un niveau"));
    }
    let r = service(&state, a, move |c| c.creer_classe(&id, &b.libelle, &niveaux, b.enseignant.as_deref())).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Pupils to place.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Pupil ids (all placed, or none).
    #[schema(min_items = 1, max_items = 60)]
    pub eleves: Vec<String>,
}

/// Warnings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Avertissements {
    /// In French.
    pub avertissements: Vec<String>,
}

/// Places pupils in the class, or moves them there (all or none).
#[utoipa::path(post, path = "/classes/{id}/placements", tag = "parcours", request_body = Placement, params(("id" = String, Path, description = "Classe")),
    responses((status = 200, body = Avertissements), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn placer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<ClasseId>,
    body: std::result::Result<Corps<Placement>, CorpsRefuse>,
) -> Result<Json<Avertissements>> {
    let b = api::json(body)?;
    if b.eleves.is_empty() || b.eleves.len() > 60 {
        return Err(Error::invalide("eleves", "de 1 à 60 élèves à la fois"));
    }
    let eleves = b.eleves.iter().map(|e| eleve_id(e)).collect::<Result<Vec<_>>>()?;
    let w = service(&state, a, move |c| c.placer(&id, &eleves)).await?;
    Ok(Json(Avertissements { avertissements: w }))
}

/// Proposals for a class.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Propositions {
    /// For everyone: `passage` (default), `maintien` or `anticipe`.
    #[serde(default)]
    #[schema(pattern = "^(passage|maintien|anticipe)$")]
    pub defaut: Option<String>,
    /// For some pupils (id → type).
    #[serde(default)]
    pub exceptions: BTreeMap<String, String>,
}

/// Proposes passages for every pupil of the class.
#[utoipa::path(post, path = "/classes/{id}/passages", tag = "parcours", request_body = Propositions, params(("id" = String, Path, description = "Classe")),
    responses((status = 200, body = Propose), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn proposer_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<ClasseId>,
    body: std::result::Result<Corps<Propositions>, CorpsRefuse>,
) -> Result<Json<Propose>> {
    let b = api::json(body)?;
    let defaut = match b.defaut.as_deref() {
        Some(t) => TypePassage::parse(t).map_err(|r| refus(r, "defaut"))?,
        None => TypePassage::Passage,
    };
    let exceptions = b
        .exceptions
        .iter()
        .map(|(e, t)| Ok((eleve_id(e)?, TypePassage::parse(t).map_err(|r| refus(r, "exceptions"))?)))
        .collect::<Result<BTreeMap<_, _>>>()?;
    let n = service(&state, a, move |c| c.proposer_classe(&id, defaut, &exceptions)).await?;
    Ok(Json(Propose { propositions: n }))
}

/// The proposals made for a class.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Propose {
    /// Number of pupils who received a proposal.
    pub propositions: usize,
}

/// The decisions made for a class.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Decide {
    /// Number of decisions made.
    pub decisions: usize,
    /// Why the others wait (one French sentence per pupil).
    pub restent: Vec<String>,
}

/// Decides for every pupil of the class whose family accepted or let 15 days pass.
#[utoipa::path(post, path = "/classes/{id}/passages/decisions", tag = "parcours", params(("id" = String, Path, description = "Classe")),
    responses((status = 200, body = Decide), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn decider_classe(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<ClasseId>,
) -> Result<Json<Decide>> {
    let (n, restent) = service(&state, a, move |c| c.decider_classe(&id)).await?;
    Ok(Json(Decide { decisions: n, restent }))
}

/// The passage procedure, with its deadlines.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassageVu {
    /// The steps so far.
    pub passage: Passage,
    /// Last day for the family's answer.
    pub limite_reponse: Option<String>,
    /// Last day for an appeal.
    pub limite_recours: Option<String>,
}

/// A pupil's passage procedure this year.
#[utoipa::path(get, path = "/eleves/{id}/passage", tag = "parcours", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = PassageVu), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_passage(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<PassageVu>> {
    let p = service(&state, a, move |c| c.passage(&id)).await?;
    Ok(Json(PassageVu {
        limite_reponse: p.limite_reponse().map(date_fr),
        limite_recours: p.limite_recours().map(date_fr),
        passage: p,
    }))
}

/// One step of a pupil's passage procedure.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Etape {
    /// For `proposition`, `decision`, `commission`: `passage`, `maintien`, `anticipe`.
    #[serde(default, rename = "type")]
    #[schema(pattern = "^(passage|maintien|anticipe)$")]
    pub type_passage: Option<String>,
    /// For `reponse`: `accepte` or `conteste`.
    #[serde(default)]
    #[schema(pattern = "^(accepte|conteste)$")]
    pub reponse: Option<String>,
}

/// A step: `proposition`, `reponse` (the family), `decision`, `recours`, `commission`.
#[utoipa::path(post, path = "/eleves/{id}/passage/{etape}", tag = "parcours", request_body = Etape,
    params(("id" = String, Path, description = "Élève"), ("etape" = String, Path, description = "proposition, reponse, decision, recours, commission")),
    responses((status = 200, body = Passage), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn etape_passage(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    IdEt(id, etape): IdEt<EleveId>,
    body: std::result::Result<Corps<Etape>, CorpsRefuse>,
) -> Result<Json<Passage>> {
    let b = api::json(body)?;
    let t = || -> Result<TypePassage> {
        TypePassage::parse(b.type_passage.as_deref().unwrap_or("")).map_err(|r| refus(r, "type"))
    };
    let p = match etape.as_str() {
        "proposition" => {
            let t = t()?;
            service(&state, a, move |c| c.proposer(&id, t)).await?
        }
        "reponse" => {
            let r = Reponse::parse(b.reponse.as_deref().unwrap_or("")).map_err(|r| refus(r, "reponse"))?;
            service(&state, a, move |c| c.repondre(&id, r)).await?
        }
        "decision" => {
            let t = t()?;
            service(&state, a, move |c| c.decider(&id, t)).await?
        }
        "recours" => service(&state, a, move |c| c.former_recours(&id)).await?,
        "commission" => {
            let t = t()?;
            service(&state, a, move |c| c.trancher(&id, t)).await?
        }
        _ => return Err(Error::introuvable("étape (proposition, reponse, decision, recours, commission)")),
    };
    Ok(Json(p))
}

/// Leaving the school at the end of the year.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Depart {
    /// Leaves (true) or stays after all (false).
    pub quitte: bool,
    /// The next school, if known.
    #[serde(default)]
    pub destination: Option<String>,
}

/// Marks a pupil as leaving the school at the end of the year ("quitte l'école").
#[utoipa::path(post, path = "/eleves/{id}/depart", tag = "parcours", request_body = Depart, params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Resultat), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn depart(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<Depart>, CorpsRefuse>,
) -> Result<Json<Resultat>> {
    let b = api::json(body)?;
    let destination = texte_court("destination", b.destination.as_deref())?;
    service(&state, a, move |c| c.quitter(&id, b.quitte, destination.as_deref())).await.map(Json)
}

pub(in crate::http) fn texte_court(champ: &'static str, s: Option<&str>) -> Result<Option<String>> {
    match s {
        Some(s) => {
            let t = crate::domain::identite::nettoyer(champ, s, 150).map_err(crate::domain::Error::from)?;
            Ok((!t.is_empty()).then_some(t))
        }
        None => Ok(None),
    }
}

/// A radiation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RadiationSaisie {
    /// `demenagement`, `changement_ecole`, `instruction_famille`, `depart_etranger`,
    /// `fin_scolarite_primaire`, `autre`.
    #[schema(
        pattern = "^(demenagement|changement_ecole|instruction_famille|depart_etranger|fin_scolarite_primaire|autre)$"
    )]
    pub motif: String,
    /// Effective date (`jj/mm/aaaa`).
    #[schema(pattern = "^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}$")]
    pub date: String,
    /// The next school, if known (UAI and name, or as told).
    #[serde(default)]
    pub destination: Option<String>,
}

/// Radiates a pupil; the certificat de radiation can then be printed.
#[utoipa::path(post, path = "/eleves/{id}/radiation", tag = "parcours", request_body = RadiationSaisie, params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Resultat), (status = 409, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn radier(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<RadiationSaisie>, CorpsRefuse>,
) -> Result<Json<Resultat>> {
    let b = api::json(body)?;
    let motif = MotifRadiation::parse(&b.motif).map_err(|r| refus(r, "motif"))?;
    let date = parse_date("date de radiation", &b.date)?;
    let destination = texte_court("destination", b.destination.as_deref())?;
    service(&state, a, move |c| c.radier(&id, motif, date, destination.as_deref())).await.map(Json)
}

/// Cancels a radiation entered by mistake (its author, the same day).
#[utoipa::path(post, path = "/eleves/{id}/radiation/annulation", tag = "parcours", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Resultat, description = "Annuler une radiation saisie par erreur (son auteur, le jour même)"),
        (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn annuler_radiation(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<Resultat>> {
    service(&state, a, move |c| c.annuler_radiation(&id)).await.map(Json)
}

/// The rentrée: closes the year, applies passages, opens the next; archives the registers.
#[utoipa::path(post, path = "/rentree", tag = "parcours",
    responses((status = 200, body = crate::service::scolarite::Rentree), (status = 409, body = crate::http::error::Probleme), (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn rentree(
    State(state): State<AppState>,
    Connecte(a): Connecte,
) -> Result<Json<crate::service::scolarite::Rentree>> {
    faire_rentree(&state, a).await.map(Json)
}

/// The rentrée, then the archive of the closed year's registers (API and page).
pub(in crate::http) async fn faire_rentree(
    state: &AppState,
    a: crate::auth::Acteur,
) -> Result<crate::service::scolarite::Rentree> {
    let bilan = service(state, a, move |c| c.rentree()).await?;
    let annee = crate::domain::AnneeScolaire::parse(&bilan.annee).map_err(crate::domain::Error::from)?;
    blocking(state, move |s| {
        crate::service::documents::archiver_registres(&s.store, &s.engine, &s.cles, annee, s.clock.now_paris())?;
        Ok(())
    })
    .await?;
    Ok(bilan)
}
