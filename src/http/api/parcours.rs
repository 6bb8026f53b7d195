//! The API of the way into a school: the duplicate search, inscriptions, admissions, and the
//! public verification of certificates (the school year's steps are `http::scolarite`). Every step is a domain transition, refused with a French message (409) when
//! the record's state does not allow it, and journaled with its actor.

use crate::http::corps::{Corps, CorpsRefuse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::domain::Document;
use crate::domain::identite::{date_fr, parse_date};
use crate::domain::parcours::{ModeScolarisation, Piece};
use crate::domain::{ChampInvalide, Erreurs};
use crate::domain::{
    ClasseId, CommuneId, CommuneInsee, ContactSaisie, EcoleId, EleveId, EleveSaisie, Niveau, ResponsableSaisie, Sexe,
};
use crate::http::etat::AppState;
use crate::http::extraction::Id;
use crate::http::session::Connecte;
use crate::http::{Error, Result, api, blocking, service};
use crate::service::documents::{Cible, Format};
use crate::service::parcours::{DemandeAdmission, EleveInscrit, NouvelleInscription, Origine, Resultat};
use crate::store::parcours::{Candidat, Criteres, Inscription};

pub(in crate::http) fn eleve_id(s: &str) -> Result<EleveId> {
    EleveId::parse(s.trim()).map_err(|_| Error::introuvable("élève"))
}

pub(in crate::http) fn ecole_id(s: &str) -> Result<EcoleId> {
    EcoleId::parse(s.trim()).map_err(|_| Error::introuvable("école"))
}

pub(in crate::http) fn classe_id(s: &str) -> Result<ClasseId> {
    ClasseId::parse(s.trim()).map_err(|_| Error::introuvable("classe"))
}

pub(in crate::http) fn niveau(s: &str) -> Result<Niveau> {
    Ok(Niveau::parse(s).map_err(crate::domain::Error::from)?)
}

pub(in crate::http) fn refus(r: crate::domain::parcours::Refus, champ: &'static str) -> Error {
    Error::invalide(champ, r.0)
}

/// The five criteria of a duplicate search.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriteresSaisie {
    /// Nom.
    #[schema(min_length = 1)]
    pub nom: String,
    /// Prénom(s).
    #[schema(min_length = 1)]
    pub prenoms: String,
    /// `M` or `F`.
    #[schema(pattern = "^(M|F)$")]
    pub sexe: String,
    /// `jj/mm/aaaa`.
    #[schema(
        pattern = "^((0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$"
    )]
    pub date_naissance: String,
    /// INSEE code of the birthplace.
    #[schema(min_length = 1)]
    pub naissance_insee: String,
}

/// Pupils already known who may be this child (score ≥ 60), before creating a new one.
#[utoipa::path(post, path = "/doublons", tag = "parcours", request_body = CriteresSaisie,
    responses((status = 200, body = [Candidat]), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn doublons(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<CriteresSaisie>, CorpsRefuse>,
) -> Result<Json<Vec<Candidat>>> {
    let b = api::json(body)?;
    let k = Criteres {
        nom: crate::domain::Nom::parse(&b.nom)?.to_string(),
        prenoms: crate::domain::Prenoms::parse(&b.prenoms)?.to_string(),
        sexe: Sexe::parse(&b.sexe)?,
        date_naissance: parse_date("date de naissance", &b.date_naissance)?,
        naissance_insee: CommuneInsee::parse(&b.naissance_insee)?,
    };
    service(&state, a, move |c| c.doublons(&k)).await.map(Json)
}

/// Filters of the inscriptions.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiltreInscriptions {
    /// Only those designating this school.
    pub ecole: Option<String>,
    /// Only this state (`en_attente`, `inscrit`, `annule`, `admis`).
    #[param(pattern = "^(en_attente|inscrit|annule|admis)$")]
    pub etat: Option<String>,
}

/// The inscriptions of the perimeter.
#[utoipa::path(get, path = "/inscriptions", tag = "parcours", params(FiltreInscriptions),
    responses((status = 200, body = [Inscription]), (status = 403, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lister_inscriptions(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    q: std::result::Result<axum::extract::Query<FiltreInscriptions>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Inscription>>> {
    let q = api::query(q)?;
    let ecole = q.ecole.as_deref().map(ecole_id).transpose()?;
    let etat = match q.etat.as_deref() {
        Some(e) => Some(
            crate::domain::parcours::EtatInscription::parse(e)
                .ok_or_else(|| Error::invalide("etat", "état inconnu"))?,
        ),
        None => None,
    };
    service(&state, a, move |c| c.inscriptions(ecole.as_ref(), etat)).await.map(Json)
}

/// One inscription.
#[utoipa::path(get, path = "/inscriptions/{id}", tag = "parcours", params(("id" = String, Path, description = "Identifiant")),
    responses((status = 200, body = Inscription), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn lire_inscription(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<Inscription>> {
    service(&state, a, move |c| c.inscription(&id)).await.map(Json)
}

/// The child of an inscription or admission: a known pupil, or a new one with its family (the
/// requests carry these fields inline: `deny_unknown_fields` does not combine with `flatten`).
#[derive(Debug, Default)]
pub struct EnfantSaisi {
    /// A child already known (from `/doublons`)…
    pub eleve_id: Option<String>,
    /// …or a new child.
    pub eleve: Option<EleveSaisie>,
    /// Responsables of a new child.
    pub responsables: Vec<ResponsableSaisie>,
    /// Contacts of a new child.
    pub contacts: Vec<ContactSaisie>,
    /// Confirms a new child despite possible duplicates.
    pub confirmer_nouveau: bool,
}

impl EnfantSaisi {
    /// Checks every field, noting each refusal in `e` (keys `eleve.nom`, `responsables[0].nom`…)
    /// so a form shows them all; `None` when one was refused. An unknown pupil id is a 404.
    pub(in crate::http) fn valider_dans(
        &self,
        today: time::Date,
        e: &mut Erreurs,
    ) -> Result<Option<(EleveInscrit, Vec<String>)>> {
        match (&self.eleve_id, &self.eleve) {
            (Some(id), None) => Ok(Some((EleveInscrit::Existant(eleve_id(id)?), vec![]))),
            (None, Some(el)) => {
                if self.responsables.len() > 4 || self.contacts.len() > 9 {
                    return Err(Error::invalide("responsables", "au plus 4 responsables et 9 personnes à contacter"));
                }
                let identite = e.garder("eleve", el.valider(today));
                let responsables: Option<Vec<_>> = self
                    .responsables
                    .iter()
                    .enumerate()
                    .map(|(i, r)| e.garder(&format!("responsables[{i}]"), r.valider()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect();
                let contacts: Option<Vec<_>> = self
                    .contacts
                    .iter()
                    .enumerate()
                    .map(|(i, k)| e.garder(&format!("contacts[{i}]"), k.valider()))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect();
                Ok(match (identite, responsables, contacts) {
                    (Some((identite, w)), Some(responsables), Some(contacts)) => Some((
                        EleveInscrit::Nouveau {
                            identite: Box::new(identite),
                            responsables,
                            contacts,
                            confirmer_nouveau: self.confirmer_nouveau,
                        },
                        w,
                    )),
                    _ => None,
                })
            }
            _ => Err(Error::invalide("eleve", "donnez soit eleve_id (élève déjà connu), soit eleve (nouvel élève)")),
        }
    }
}

/// The child's fields, carried inline by the inscription and the admission requests.
macro_rules! enfant_saisi {
    ($($demande:ty),*) => {$(
        impl $demande {
            fn enfant(&self) -> EnfantSaisi {
                EnfantSaisi {
                    eleve_id: self.eleve_id.clone(),
                    eleve: self.eleve.clone(),
                    responsables: self.responsables.clone(),
                    contacts: self.contacts.clone(),
                    confirmer_nouveau: self.confirmer_nouveau,
                }
            }
        }
    )*};
}
enfant_saisi!(DemandeInscription, DemandeAdmissionSaisie);

/// An inscription, as asked.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeInscription {
    /// A child already known (from `/doublons`)…
    #[serde(default)]
    pub eleve_id: Option<String>,
    /// …or a new child.
    #[serde(default)]
    pub eleve: Option<EleveSaisie>,
    /// Responsables of a new child.
    #[serde(default)]
    pub responsables: Vec<ResponsableSaisie>,
    /// Contacts of a new child.
    #[serde(default)]
    pub contacts: Vec<ContactSaisie>,
    /// Confirms a new child despite possible duplicates.
    #[serde(default)]
    pub confirmer_nouveau: bool,
    /// `ecole` (default), `cned`, `hopital`, `etablissement_specialise`, `instruction_famille`.
    #[serde(default)]
    #[schema(pattern = "^(ecole|cned|hopital|etablissement_specialise|instruction_famille)$")]
    pub mode: Option<String>,
    /// The designated school.
    #[serde(default)]
    pub ecole_id: Option<String>,
    /// Niveau.
    pub niveau: String,
    /// Année scolaire (`2027-2028`); the current one by default.
    #[serde(default)]
    pub annee: Option<String>,
    /// The commune (for accounts not tied to one).
    #[serde(default)]
    pub commune_id: Option<String>,
}

impl DemandeInscription {
    /// An inscription of `enfant` (the pages' requests).
    pub(in crate::http) fn de(
        enfant: EnfantSaisi,
        mode: Option<String>,
        ecole_id: Option<String>,
        niveau: String,
        annee: Option<String>,
    ) -> Self {
        let EnfantSaisi { eleve_id, eleve, responsables, contacts, confirmer_nouveau } = enfant;
        Self {
            eleve_id,
            eleve,
            responsables,
            contacts,
            confirmer_nouveau,
            mode,
            ecole_id,
            niveau,
            annee,
            commune_id: None,
        }
    }

    /// Checks every field (API and pages), reporting every refusal at once; returns the
    /// inscription and the identity's warnings.
    pub(in crate::http) fn valider(&self, today: time::Date) -> Result<(NouvelleInscription, Vec<String>)> {
        let mut e = Erreurs::default();
        let eleve = self.enfant().valider_dans(today, &mut e)?;
        let commune = self
            .commune_id
            .as_deref()
            .map(|c| CommuneId::parse(c.trim()).map_err(|_| Error::introuvable("commune")))
            .transpose()?;
        let ecole = self.ecole_id.as_deref().map(ecole_id).transpose()?;
        let mode = e.garder(
            "mode",
            match self.mode.as_deref() {
                Some(m) => ModeScolarisation::parse(m),
                None => Ok(ModeScolarisation::Ecole),
            },
        );
        let niveau = e.garder("niveau", Niveau::parse(&self.niveau));
        let annee = e.garder("annee", self.annee.as_deref().map(crate::domain::AnneeScolaire::parse).transpose());
        e.finir()?;
        let (eleve, w) = crate::domain::tenu(eleve, "eleve")?;
        let n = NouvelleInscription {
            eleve,
            commune,
            mode: crate::domain::tenu(mode, "mode")?,
            ecole,
            niveau: crate::domain::tenu(niveau, "niveau")?,
            annee: crate::domain::tenu(annee, "annee")?,
        };
        Ok((n, w))
    }
}

/// Records an inscription (pending): the mairie for its commune, or a school for itself.
#[utoipa::path(post, path = "/inscriptions", tag = "parcours", request_body = DemandeInscription,
    responses((status = 201, body = Resultat), (status = 409, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn inscrire(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<DemandeInscription>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Resultat>)> {
    let (n, mut w) = api::json(body)?.valider(state.clock.today())?;
    let mut r = service(&state, a, move |c| c.inscrire(&n)).await?;
    r.avertissements.append(&mut w);
    Ok((StatusCode::CREATED, Json(r)))
}

/// Confirms an inscription: en attente → inscrit (the certificate can be printed).
#[utoipa::path(post, path = "/inscriptions/{id}/validation", tag = "parcours", params(("id" = String, Path, description = "Identifiant")),
    responses((status = 200, body = Resultat), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn valider_inscription(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<Resultat>> {
    service(&state, a, move |c| c.valider_inscription(&id)).await.map(Json)
}

/// Cancels an inscription.
#[utoipa::path(post, path = "/inscriptions/{id}/annulation", tag = "parcours", params(("id" = String, Path, description = "Identifiant")),
    responses((status = 200, body = Resultat), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn annuler_inscription(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path(id): Path<String>,
) -> Result<Json<Resultat>> {
    service(&state, a, move |c| c.annuler_inscription(&id)).await.map(Json)
}

/// The certificat d'inscription (PDF/A, numbered, with its verification code).
#[utoipa::path(get, path = "/inscriptions/{id}/documents/{document}", tag = "documents",
    params(("id" = String, Path, description = "Identifiant"), ("document" = String, Path, description = "certificat-inscription")),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn document_inscription(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Path((id, doc)): Path<(String, String)>,
) -> Result<Response> {
    let doc = api::document(&doc)?;
    if doc != Document::CertificatInscription {
        return Err(Error::transition("une inscription s'imprime en certificat-inscription".into()));
    }
    crate::http::imprimer(&state, a, doc, Cible::Inscription(id), (Format::Pdf, Vec::new())).await
}

/// An admission.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemandeAdmissionSaisie {
    /// From the mairie's inscription designating the school…
    #[serde(default)]
    pub inscription_id: Option<String>,
    /// …or a pupil already known (from `/doublons`: a transfer keeps the INE and history)…
    #[serde(default)]
    pub eleve_id: Option<String>,
    /// …or a new child (the school records the inscription).
    #[serde(default)]
    pub eleve: Option<EleveSaisie>,
    /// Responsables of a new child.
    #[serde(default)]
    pub responsables: Vec<ResponsableSaisie>,
    /// Contacts of a new child.
    #[serde(default)]
    pub contacts: Vec<ContactSaisie>,
    /// Confirms a new child despite possible duplicates.
    #[serde(default)]
    pub confirmer_nouveau: bool,
    /// The school (without inscription).
    #[serde(default)]
    pub ecole_id: Option<String>,
    /// Niveau (the inscription's by default).
    #[serde(default)]
    pub niveau: Option<String>,
    /// Missing papers: `certificat_inscription`, `livret_famille`, `vaccinations`,
    /// `certificat_radiation`. Any makes the admission provisional.
    #[serde(default)]
    pub pieces_manquantes: Vec<String>,
    /// A class to place the pupil in at once.
    #[serde(default)]
    pub classe_id: Option<String>,
    /// ULIS dispositif.
    #[serde(default)]
    pub ulis: bool,
    /// Date of admission (`jj/mm/aaaa`), today by default.
    #[serde(default)]
    #[schema(pattern = "^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}$")]
    pub date: Option<String>,
    /// The previous school, as the certificat de radiation names it (the registre's column).
    #[serde(default)]
    pub ecole_precedente: Option<String>,
    /// The date of that certificat de radiation (`jj/mm/aaaa`).
    #[serde(default)]
    #[schema(pattern = "^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}$")]
    pub radiation_precedente: Option<String>,
}

impl DemandeAdmissionSaisie {
    fn provenance(&self, today: time::Date, e: &mut Erreurs) -> Option<Option<(String, Option<time::Date>)>> {
        let ecole = e.garder(
            "ecole_precedente",
            crate::domain::identite::nettoyer_facultatif(
                "école précédente",
                self.ecole_precedente.as_deref(),
                crate::domain::eleve::TEXTE_MAX,
            ),
        );
        let date = e.garder(
            "radiation_precedente",
            match self.radiation_precedente.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => parse_date("date du certificat de radiation", s).and_then(|d| {
                    if d > today {
                        Err(ChampInvalide::new("date du certificat de radiation", "dans le futur"))
                    } else {
                        Ok(Some(d))
                    }
                }),
                None => Ok(None),
            },
        );
        match (ecole?, date?) {
            (Some(ecole), d) => Some(Some((ecole, d))),
            (None, Some(_)) => {
                e.ajouter(
                    "ecole_precedente",
                    ChampInvalide::new("école précédente", "obligatoire avec la date de son certificat de radiation")
                        .into(),
                );
                None
            }
            (None, None) => Some(None),
        }
    }

    /// Checks every field (API and pages), reporting every refusal at once; returns the
    /// admission and the identity's warnings.
    pub(in crate::http) fn valider(&self, today: time::Date) -> Result<(DemandeAdmission, Vec<String>)> {
        let mut e = Erreurs::default();
        let origine = match &self.inscription_id {
            Some(i) => Some((Origine::Inscription(i.clone()), vec![])),
            None => {
                let enfant = self.enfant().valider_dans(today, &mut e)?;
                let ecole = self.ecole_id.as_deref().map(ecole_id).transpose()?;
                enfant.map(|(eleve, w)| (Origine::Eleve { eleve, ecole }, w))
            }
        };
        let classe = self.classe_id.as_deref().map(classe_id).transpose()?;
        let niveau = e.garder("niveau", self.niveau.as_deref().map(Niveau::parse).transpose());
        let pieces = e.garder(
            "pieces_manquantes",
            self.pieces_manquantes.iter().map(|p| Piece::parse(p)).collect::<std::result::Result<Vec<_>, _>>(),
        );
        let date = e.garder("date", self.date.as_deref().map(|s| parse_date("date d'admission", s)).transpose());
        let provenance = self.provenance(today, &mut e);
        e.finir()?;
        let (origine, w) = crate::domain::tenu(origine, "eleve")?;
        let demande = DemandeAdmission {
            origine,
            niveau: crate::domain::tenu(niveau, "niveau")?,
            pieces_manquantes: crate::domain::tenu(pieces, "pieces_manquantes")?,
            classe,
            ulis: self.ulis,
            date: crate::domain::tenu(date, "date")?,
            provenance: crate::domain::tenu(provenance, "ecole_precedente")?,
        };
        Ok((demande, w))
    }
}

/// Admits a pupil in the school.
#[utoipa::path(post, path = "/admissions", tag = "parcours", request_body = DemandeAdmissionSaisie,
    responses((status = 201, body = Resultat), (status = 409, body = crate::http::error::Probleme), (status = 422, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn admettre(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    body: std::result::Result<Corps<DemandeAdmissionSaisie>, CorpsRefuse>,
) -> Result<(StatusCode, Json<Resultat>)> {
    let (demande, mut w) = api::json(body)?.valider(state.clock.today())?;
    let mut r = service(&state, a, move |c| c.admettre(&demande)).await?;
    r.avertissements.append(&mut w);
    Ok((StatusCode::CREATED, Json(r)))
}

/// The file is complete: the admission becomes definitive.
#[utoipa::path(post, path = "/eleves/{id}/admission/completion", tag = "parcours", params(("id" = String, Path, description = "Élève")),
    responses((status = 200, body = Resultat), (status = 409, body = crate::http::error::Probleme)))]
pub(in crate::http) async fn completer(
    State(state): State<AppState>,
    Connecte(a): Connecte,
    Id(id): Id<EleveId>,
) -> Result<Json<Resultat>> {
    service(&state, a, move |c| c.completer(&id)).await.map(Json)
}

/// What the public verification shows: the document type, date, issuer and initials only.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether a certificate has this code.
    pub authentique: bool,
    /// Its kind.
    pub document: Option<String>,
    /// Its number.
    pub numero: Option<String>,
    /// Issued on.
    pub date: Option<String>,
    /// By (school or mairie).
    pub emetteur: Option<String>,
    /// The pupil's initials.
    pub initiales: Option<String>,
}

fn libelle_certificat(genre: &str) -> &'static str {
    match genre {
        "inscription" => "Certificat d'inscription",
        "radiation" => "Certificat de radiation",
        _ => "Certificat de scolarité",
    }
}

pub(in crate::http) fn verifier(store: &crate::store::Store, code: &str) -> Result<Verification> {
    let code: String =
        code.trim().to_uppercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    let k = crate::service::impression::certificat(store, &code)?;
    Ok(match k {
        Some(k) => Verification {
            authentique: true,
            document: Some(libelle_certificat(&k.genre).into()),
            numero: Some(k.numero),
            date: Some(date_fr(k.emis_le)),
            emetteur: Some(k.emetteur),
            initiales: Some(k.initiales),
        },
        None => Verification {
            authentique: false,
            document: None,
            numero: None,
            date: None,
            emetteur: None,
            initiales: None,
        },
    })
}

/// Checks a certificate's code (public, no account): type, date, issuer and initials only.
#[utoipa::path(get, path = "/verification/{code}", tag = "parcours", params(("code" = String, Path, description = "Code de vérification")),
    responses((status = 200, body = Verification)), security(()))]
pub(in crate::http) async fn verification_json(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<Verification>> {
    blocking(&state, move |s| verifier(&s.store, &code)).await.map(Json)
}
