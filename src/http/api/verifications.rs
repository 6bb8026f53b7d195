//! The yearly check online (`service::verifications`), from the API: the campaign, a family's
//! answers, the school's screen and decisions. Handlers only translate.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use crate::domain::verification::{Bloc, ContactPropose, Proposition};
use crate::domain::{EcoleId, EleveId};
use crate::http::api;
use crate::http::api::corrections::Decision;
use crate::http::corps::{Corps, CorpsRefuse};
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::session::Connecte;
use crate::http::{Error, Result, service};
use crate::service::verifications::{CampagneVue, Reglage, TableauVerification, VerificationEleve};

/// A campaign's dates.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReglageVerification {
    /// The last day families may answer (`AAAA-MM-JJ`).
    pub fin: String,
    /// The reminders' dates (`AAAA-MM-JJ`), at most six.
    #[serde(default)]
    pub relances: Vec<String>,
}

impl ReglageVerification {
    pub(in crate::http) fn valider(&self) -> Result<Reglage> {
        let relances: Vec<&str> = self.relances.iter().map(String::as_str).collect();
        Ok(Reglage::lire(&self.fin, &relances)?)
    }
}

/// A family's answer for one block: without `valeurs` nor `contacts`, the block is confirmed
/// as it is.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReponseBloc {
    /// The block: `eleve`, `responsable` (one's own details), `contacts` or `annuel`.
    pub bloc: Bloc,
    /// The fields changed, by key (`adresse`, `tel_portable`, `cantine`: `oui`/`non`…).
    #[serde(default)]
    pub valeurs: BTreeMap<String, String>,
    /// The whole list of persons to contact, in calling order (the `contacts` block).
    #[serde(default)]
    pub contacts: Option<Vec<ContactPropose>>,
}

impl ReponseBloc {
    pub(in crate::http) fn proposition(self) -> Option<Proposition> {
        (!self.valeurs.is_empty() || self.contacts.is_some())
            .then_some(Proposition { valeurs: self.valeurs, contacts: self.contacts })
    }
}

/// Opens the yearly check of every school of one's territory (the IA-DASEN: the
/// département), or moves its dates.
#[utoipa::path(put, path = "/verification-annuelle", tag = "verification", request_body = ReglageVerification,
    responses((status = 200, body = [CampagneVue], description = "Campagnes ouvertes"), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn ouvrir_verification_territoire(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<ReglageVerification>, CorpsRefuse>,
) -> Result<Json<Vec<CampagneVue>>> {
    let r = api::json(body)?.valider()?;
    service(&state, a, move |s| s.ouvrir_verification(None, &r)).await.map(Json)
}

/// A school's screen of the yearly check: per class, who confirmed, who sent changes, who has
/// not answered.
#[utoipa::path(get, path = "/ecoles/{id}/verification-annuelle", tag = "verification", params(("id" = String, Path, description = "École")),
    responses((status = 200, body = TableauVerification, description = "Suivi de la vérification"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn tableau_verification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
) -> Result<Json<TableauVerification>> {
    service(&state, a, move |s| s.verifications_ecole(&id)).await.map(Json)
}

/// Opens one school's yearly check, or moves its dates.
#[utoipa::path(put, path = "/ecoles/{id}/verification-annuelle", tag = "verification", request_body = ReglageVerification,
    params(("id" = String, Path, description = "École")),
    responses((status = 200, body = CampagneVue, description = "Campagne ouverte"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn ouvrir_verification_ecole(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EcoleId>,
    body: std::result::Result<Corps<ReglageVerification>, CorpsRefuse>,
) -> Result<Json<CampagneVue>> {
    let r = api::json(body)?.valider()?;
    let mut v = service(&state, a, move |s| s.ouvrir_verification(Some(&id), &r)).await?;
    v.pop().map(Json).ok_or_else(|| Error::introuvable("école"))
}

/// A pupil's yearly check: the fiche block by block, what was answered, the changes waiting.
#[utoipa::path(get, path = "/eleves/{id}/verification-annuelle", tag = "verification", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = VerificationEleve, description = "Vérification de la fiche"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_verification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<VerificationEleve>> {
    service(&state, a, move |s| s.verification_eleve(&id)).await.map(Json)
}

/// A family confirms or corrects one block of its child's fiche (kept until the school
/// decides).
#[utoipa::path(post, path = "/eleves/{id}/verification-annuelle", tag = "verification", request_body = ReponseBloc,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = VerificationEleve, description = "Réponse enregistrée"), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn repondre_verification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<ReponseBloc>, CorpsRefuse>,
) -> Result<Json<VerificationEleve>> {
    let b = api::json(body)?;
    let bloc = b.bloc;
    let p = b.proposition();
    service(&state, a, move |s| s.repondre_verification(&id, bloc, p.as_ref())).await.map(Json)
}

/// A family confirms, as it is, every part of the fiche it has not answered yet.
#[utoipa::path(post, path = "/eleves/{id}/verification-annuelle/confirmation", tag = "verification",
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = VerificationEleve, description = "Fiche confirmée"), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn confirmer_verification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<VerificationEleve>> {
    service(&state, a, move |s| s.confirmer_verification(&id)).await.map(Json)
}

/// The school accepts a family's changes (applied as a correction) or refuses them with a
/// reason the family reads.
#[utoipa::path(post, path = "/verifications-annuelles/{id}/decision", tag = "verification", request_body = Decision,
    params(("id" = String, Path, description = "Réponse de la famille")),
    responses((status = 200, body = VerificationEleve, description = "Décision enregistrée"), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn decider_verification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
    body: std::result::Result<Corps<Decision>, CorpsRefuse>,
) -> Result<Json<VerificationEleve>> {
    let b = api::json(body)?;
    service(&state, a, move |s| s.decider_verification(&id, b.accepter, b.motif.as_deref())).await.map(Json)
}
