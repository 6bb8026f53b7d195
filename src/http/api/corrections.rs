//! The API of corrections and of the families' rights: correcting a pupil's record
//! part by part or as a returned fiche, rectification requests, oppositions, a family's
//! account from the pupil's record, and « mot de passe oublié ». Every handler translates its
//! body into a [`Correction`] or a call of `service::corrections` / `service::comptes`.

use crate::http::corps::{Corps, CorpsRefuse};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use crate::domain::EleveId;
use crate::domain::correction::{AnnuelSaisie, EtatDemande, ResponsableCorrige};
use crate::domain::{ContactId, ContactSaisie, EleveSaisie, ResponsableId, ResponsableSaisie};
use crate::http::etat::AppState;
use crate::http::extraction::{Id, Ids};
use crate::http::session::Connecte;
use crate::http::{Error, Result, api, blocking, service};
use crate::service::comptes::CompteFamille;
use crate::service::corrections::{Ajout, Correction, Corrige};
use crate::service::demandes::{OppositionVue, RectificationVue};

fn responsable_id(s: &str) -> Result<ResponsableId> {
    ResponsableId::parse(s.trim()).map_err(|_| Error::introuvable("responsable"))
}

fn contact_id(s: &str) -> Result<ContactId> {
    ContactId::parse(s.trim()).map_err(|_| Error::introuvable("personne à contacter"))
}

async fn corriger(state: &AppState, a: crate::auth::Acteur, id: EleveId, c: Correction) -> Result<Json<Corrige>> {
    service(state, a, move |s| s.corriger(&id, &c)).await.map(Json)
}

/// A person to contact in a corrected list: `id` keeps one of the pupil's, none adds one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCorrige {
    /// One of the pupil's contacts (absent: a new one).
    #[serde(default)]
    pub id: Option<String>,
    /// The person.
    pub contact: ContactSaisie,
}

pub(crate) fn contacts(l: Vec<ContactCorrige>) -> Result<Vec<(Option<ContactId>, ContactSaisie)>> {
    l.into_iter().map(|k| Ok((k.id.as_deref().map(contact_id).transpose()?, k.contact))).collect()
}

/// A responsable corrected within a fiche.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = ResponsableFicheSaisie)]
#[serde(deny_unknown_fields)]
pub struct ResponsableFiche {
    /// The responsable (one of the pupil's).
    pub id: String,
    /// The person and the link.
    pub responsable: ResponsableSaisie,
    /// False only when withdrawn by a court.
    #[serde(default = "vrai")]
    pub autorite_parentale: bool,
    /// Consent to give the address to parents' associations (this year).
    #[serde(default)]
    pub accord_associations: Option<bool>,
}

fn vrai() -> bool {
    true
}

/// The returned fiche, corrected in one step: every part given is applied.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FicheCorrigee {
    /// Identity and address.
    #[serde(default)]
    pub eleve: Option<EleveSaisie>,
    /// Responsables corrected.
    #[serde(default)]
    pub responsables: Vec<ResponsableFiche>,
    /// The persons to contact, in order (the whole list).
    #[serde(default)]
    pub contacts: Option<Vec<ContactCorrige>>,
    /// This year's autorisations, insurance and périscolaire.
    #[serde(default)]
    pub annuel: Option<AnnuelSaisie>,
    /// The signed fiche came back from the family.
    #[serde(default)]
    pub fiche_retournee: bool,
}

/// Corrects a pupil's record in one step (the returned fiche).
#[utoipa::path(put, path = "/eleves/{id}/fiche", tag = "corrections", request_body = FicheCorrigee,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Corrige, description = "Fiche corrigée : noms des champs modifiés"), (status = 404, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn corriger_fiche(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<FicheCorrigee>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    let responsables = b
        .responsables
        .into_iter()
        .map(|r| {
            Ok((
                responsable_id(&r.id)?,
                ResponsableCorrige {
                    responsable: r.responsable,
                    autorite_parentale: r.autorite_parentale,
                    accord_associations: r.accord_associations,
                },
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let c = Correction {
        eleve: b.eleve,
        responsables,
        contacts: b.contacts.map(contacts).transpose()?,
        annuel: b.annuel,
        fiche_retournee: b.fiche_retournee,
        ..Default::default()
    };
    corriger(&state, a, id, c).await
}

/// Corrects the pupil's identity and address (the mairie: the état civil it recorded).
#[utoipa::path(put, path = "/eleves/{id}/identite", tag = "corrections", request_body = EleveSaisie,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Corrige, description = "Identité corrigée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn corriger_identite(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<EleveSaisie>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    corriger(&state, a, id, Correction { eleve: Some(b), ..Default::default() }).await
}

/// Corrects a responsable (shared by siblings: once for all) and their link with this pupil.
#[utoipa::path(put, path = "/eleves/{id}/responsables/{rid}", tag = "corrections", request_body = ResponsableCorrige,
    params(("id" = String, Path, description = "Élève"), ("rid" = String, Path, description = "Responsable")),
    responses((status = 200, body = Corrige, description = "Responsable corrigé"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn corriger_responsable(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Ids(id, rid): Ids<EleveId, ResponsableId>,
    body: std::result::Result<Corps<ResponsableCorrige>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    // The service names the fiche's keys (`responsables[0].nom`); this body is one responsable.
    corriger(&state, a, id, Correction { responsables: vec![(rid, b)], ..Default::default() })
        .await
        .map_err(|e| e.sous_cle("responsables[0]", "responsable"))
}

/// A responsable to add: a new person, or (`existant`) a responsable of a sibling attending
/// the school.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NouveauResponsable {
    /// A new person.
    #[serde(default)]
    pub responsable: Option<ResponsableSaisie>,
    /// Or the id of a responsable of another pupil of the school.
    #[serde(default)]
    pub existant: Option<String>,
    /// With `existant`: the link with this pupil.
    #[serde(default)]
    pub lien: Option<String>,
    /// False only when withdrawn by a court.
    #[serde(default = "vrai")]
    pub autorite_parentale: bool,
    /// Consent to give the address to parents' associations.
    #[serde(default)]
    pub accord_associations: Option<bool>,
}

/// Adds a responsable to the pupil.
#[utoipa::path(post, path = "/eleves/{id}/responsables", tag = "corrections", request_body = NouveauResponsable,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Corrige, description = "Responsable ajouté"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn ajouter_responsable(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<NouveauResponsable>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    // The service names the keys of its list of additions (`ajouts[0].nom`, `ajouts[0].lien`);
    // this body holds one, a new person under `responsable` or `existant` with `lien`.
    let vers = if b.responsable.is_some() { "responsable" } else { "" };
    let ajout = ajout(b)?;
    corriger(&state, a, id, Correction { ajouts: vec![ajout], ..Default::default() })
        .await
        .map_err(|e| e.sous_cle("ajouts[0]", vers))
}

/// The addition a [`NouveauResponsable`] body asks for.
pub(crate) fn ajout(b: NouveauResponsable) -> Result<Ajout> {
    Ok(match (b.responsable, b.existant) {
        (Some(r), None) => Ajout::Nouveau(Box::new(ResponsableCorrige {
            responsable: r,
            autorite_parentale: b.autorite_parentale,
            accord_associations: b.accord_associations,
        })),
        (None, Some(e)) => Ajout::Existant {
            id: responsable_id(&e)?,
            lien: b.lien.ok_or_else(|| Error::invalide("lien", "indiquez le lien avec l'enfant"))?,
            autorite_parentale: b.autorite_parentale,
            accord_associations: b.accord_associations,
        },
        _ => return Err(Error::invalide("responsable", "donnez soit un nouveau responsable, soit « existant »")),
    })
}

/// Detaches a responsable from the pupil (deleted, with their account, if no other pupil).
#[utoipa::path(post, path = "/eleves/{id}/responsables/{rid}/detachement", tag = "corrections",
    params(("id" = String, Path, description = "Élève"), ("rid" = String, Path, description = "Responsable")),
    responses((status = 200, body = Corrige, description = "Responsable détaché"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn detacher_responsable(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Ids(id, rid): Ids<EleveId, ResponsableId>,
) -> Result<Json<Corrige>> {
    corriger(&state, a, id, Correction { detachements: vec![rid], ..Default::default() }).await
}

/// Replaces the persons to contact (add, edit, remove, order in one list).
#[utoipa::path(put, path = "/eleves/{id}/contacts", tag = "corrections", request_body = Vec<ContactCorrige>,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Corrige, description = "Personnes à contacter corrigées"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn corriger_contacts(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<Vec<ContactCorrige>>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    corriger(&state, a, id, Correction { contacts: Some(contacts(b)?), ..Default::default() }).await
}

/// Corrects this year's autorisations, insurance and périscolaire.
#[utoipa::path(put, path = "/eleves/{id}/annuel", tag = "corrections", request_body = AnnuelSaisie,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Corrige, description = "Autorisations et périscolaire corrigés"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn corriger_annuel(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<AnnuelSaisie>, CorpsRefuse>,
) -> Result<Json<Corrige>> {
    let b = api::json(body)?;
    corriger(&state, a, id, Correction { annuel: Some(b), ..Default::default() }).await
}

/// A family's rectification request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeRectification {
    /// `eleve.adresse`, `responsable.<id>.tel_portable`, `contact.<id>.telephone` or `autre`.
    pub champ: String,
    /// The right value.
    #[serde(default)]
    pub valeur: String,
    /// A comment (required for `autre`).
    #[serde(default)]
    pub commentaire: Option<String>,
}

/// Files a rectification request (a responsable, for their own child).
#[utoipa::path(post, path = "/eleves/{id}/rectifications", tag = "corrections", request_body = DemandeRectification,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 201, body = RectificationVue, description = "Demande déposée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn demander_rectification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<DemandeRectification>, CorpsRefuse>,
) -> Result<(StatusCode, Json<RectificationVue>)> {
    let b = api::json(body)?;
    let r = service(&state, a, move |s| s.demander_rectification(&id, &b.champ, &b.valeur, b.commentaire.as_deref()))
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The rectification requests about a pupil.
#[utoipa::path(get, path = "/eleves/{id}/rectifications", tag = "corrections", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = [RectificationVue], description = "Demandes de rectification")))]
pub(in crate::http) async fn rectifications_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<Vec<RectificationVue>>> {
    service(&state, a, move |s| s.rectifications(Some(&id), None)).await.map(Json)
}

/// Which requests to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiltreDemandes {
    /// `en_attente`, `acceptee` or `refusee`.
    #[serde(default)]
    #[param(pattern = "^(|en_attente|acceptee|refusee)$")]
    pub etat: Option<String>,
}

fn etat(q: std::result::Result<Query<FiltreDemandes>, QueryRejection>) -> Result<Option<EtatDemande>> {
    let Query(q) = q.map_err(|_| Error::invalide("etat", "paramètre inconnu : seul « etat » est accepté"))?;
    match q.etat.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) => EtatDemande::parse(e)
            .map(Some)
            .ok_or_else(|| Error::invalide("etat", "attendu : en_attente, acceptee ou refusee")),
    }
}

/// The rectification requests of the perimeter (the school's, to decide).
#[utoipa::path(get, path = "/rectifications", tag = "corrections", params(FiltreDemandes),
    responses((status = 200, body = [RectificationVue], description = "Demandes de rectification")))]
pub(in crate::http) async fn rectifications(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<FiltreDemandes>, QueryRejection>,
) -> Result<Json<Vec<RectificationVue>>> {
    let etat = etat(q)?;
    service(&state, a, move |s| s.rectifications(None, etat)).await.map(Json)
}

/// A decision on a family's request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Accept (a rectification's value is applied) or refuse.
    pub accepter: bool,
    /// The reason (required to refuse; always for an opposition).
    #[serde(default)]
    pub motif: Option<String>,
}

/// The school decides on a rectification request.
#[utoipa::path(post, path = "/rectifications/{id}/decision", tag = "corrections", request_body = Decision,
    params(("id" = String, Path, description = "Demande")),
    responses((status = 200, body = RectificationVue, description = "Décision enregistrée"), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn decider_rectification(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
    body: std::result::Result<Corps<Decision>, CorpsRefuse>,
) -> Result<Json<RectificationVue>> {
    let b = api::json(body)?;
    service(&state, a, move |s| s.decider_rectification(&id, b.accepter, b.motif.as_deref())).await.map(Json)
}

/// An opposition's reasons.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeOpposition {
    /// The legitimate reasons the family gives.
    #[schema(min_length = 1)]
    pub motifs: String,
}

/// A family objects, for legitimate reasons, to the processing of their child's data.
#[utoipa::path(post, path = "/eleves/{id}/oppositions", tag = "corrections", request_body = DemandeOpposition,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 201, body = OppositionVue, description = "Opposition déposée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn opposer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<DemandeOpposition>, CorpsRefuse>,
) -> Result<(StatusCode, Json<OppositionVue>)> {
    let b = api::json(body)?;
    let r = service(&state, a, move |s| s.opposer(&id, &b.motifs)).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The oppositions about a pupil.
#[utoipa::path(get, path = "/eleves/{id}/oppositions", tag = "corrections", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = [OppositionVue], description = "Oppositions")))]
pub(in crate::http) async fn oppositions_eleve(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<Vec<OppositionVue>>> {
    service(&state, a, move |s| s.oppositions(Some(&id), None)).await.map(Json)
}

/// The oppositions of the perimeter (the IA-DASEN's, to decide).
#[utoipa::path(get, path = "/oppositions", tag = "corrections", params(FiltreDemandes),
    responses((status = 200, body = [OppositionVue], description = "Oppositions")))]
pub(in crate::http) async fn oppositions(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<Query<FiltreDemandes>, QueryRejection>,
) -> Result<Json<Vec<OppositionVue>>> {
    let etat = etat(q)?;
    service(&state, a, move |s| s.oppositions(None, etat)).await.map(Json)
}

/// The IA-DASEN decides on an opposition, with a reason.
#[utoipa::path(post, path = "/oppositions/{id}/decision", tag = "corrections", request_body = Decision,
    params(("id" = String, Path, description = "Opposition")),
    responses((status = 200, body = OppositionVue, description = "Décision enregistrée"), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn decider_opposition(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
    body: std::result::Result<Corps<Decision>, CorpsRefuse>,
) -> Result<Json<OppositionVue>> {
    let b = api::json(body)?;
    let motif = b.motif.unwrap_or_default();
    service(&state, a, move |s| s.decider_opposition(&id, b.accepter, &motif)).await.map(Json)
}

/// The responsable whose account to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompteFamilleSaisie {
    /// One of the pupil's responsables.
    pub responsable_id: String,
}

/// What the API answers for a family account (the token only inside the link).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CompteFamilleCree {
    /// The account.
    pub compte_id: String,
    /// Its login.
    pub login: String,
    /// The activation link (shown once; valid 72 hours).
    pub lien_activation: String,
    /// The e-mail the link was sent to, if any.
    pub courriel: Option<String>,
}

/// The directeur creates the account of one of the pupil's responsables.
#[utoipa::path(post, path = "/eleves/{id}/compte-famille", tag = "corrections", request_body = CompteFamilleSaisie,
    params(("id" = String, Path, description = "Élève")),
    responses((status = 201, body = CompteFamilleCree, description = "Compte créé, en attente d'activation"), (status = 404, body = crate::http::error::Probleme), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn compte_famille(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    headers: HeaderMap,
    Id(id): Id<EleveId>,
    body: std::result::Result<Corps<CompteFamilleSaisie>, CorpsRefuse>,
) -> Result<(StatusCode, Json<CompteFamilleCree>)> {
    let b = api::json(body)?;
    let rid = responsable_id(&b.responsable_id)?;
    let lien_base = lien_de_base(&state, &headers).await?;
    let k: CompteFamille = service(&state, a, move |s| s.creer_compte_famille(&id, &rid)).await?;
    Ok((
        StatusCode::CREATED,
        Json(CompteFamilleCree {
            lien_activation: format!("{lien_base}/activer?jeton={}", k.jeton),
            compte_id: k.compte_id,
            login: k.login,
            courriel: k.courriel,
        }),
    ))
}

/// A login that forgot its password.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotDePasseOublie {
    /// The login.
    pub login: String,
}

/// The answer, whatever the login (it reveals no account).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Transmis {
    /// French message.
    pub message: &'static str,
}

/// The answer to « mot de passe oublié », the same for every login.
pub const REPONSE_OUBLI: &str = "Si ce compte existe, la demande est transmise : une famille dont le courriel est connu de l'école reçoit un lien par courriel ; sinon, la personne qui gère le compte (direction de l'école, services de la direction académique) vous remettra un lien.";

/// « Mot de passe oublié »: the same answer for every login (no enumeration).
#[utoipa::path(post, path = "/mot-de-passe-oublie", tag = "comptes", request_body = MotDePasseOublie,
    responses((status = 202, body = Transmis, description = "Demande transmise (même réponse pour tout identifiant)")))]
pub(in crate::http) async fn mot_de_passe_oublie(
    State(state): State<AppState>,
    body: std::result::Result<Corps<MotDePasseOublie>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Transmis>)> {
    let b = api::json(body)?;
    traiter_oubli(&state, b.login);
    Ok((StatusCode::ACCEPTED, Json(Transmis { message: REPONSE_OUBLI })))
}

/// The base of a link shown to the director who created an account (the letter): the public
/// address if set, else the address the director's browser used. A link sent by mail never
/// takes the request's `Host` (see `service::comptes::adresse_publique`).
pub(in crate::http) async fn lien_de_base(state: &AppState, headers: &HeaderMap) -> Result<String> {
    let public = blocking(state, |s| Ok(crate::service::comptes::adresse_publique(&s.store)?)).await?;
    Ok(public.unwrap_or_else(|| crate::http::pages::comptes::base_url(headers, state)))
}

/// « Mot de passe oublié » requests handled at once, at most; more are dropped (and logged).
static OUBLIS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Handles a « mot de passe oublié » in the background: the answer leaves at once, the same for
/// every login, so not even its timing tells a known account (a known one is written to). At
/// most [`OUBLIS`] at a time: a flood cannot queue unbounded work.
pub(in crate::http) fn traiter_oubli(state: &AppState, login: String) {
    let Ok(jeton) = OUBLIS.try_acquire() else {
        tracing::warn!("mot de passe oublié : trop de demandes simultanées, demande ignorée");
        return;
    };
    let state = state.clone();
    tokio::spawn(async move {
        let _jeton = jeton;
        let r = blocking(&state, move |s| {
            Ok(crate::service::comptes::mot_de_passe_oublie(&s.store, &s.cles, s.clock.now(), &login)?)
        })
        .await;
        if let Err(e) = r {
            tracing::error!(erreur = %e.message(), "mot de passe oublié : demande non enregistrée");
        }
    });
}
