//! Documents end to end: find the records in the actor's perimeter, shape the data each
//! template expects, and print one PDF, a merged PDF or a ZIP of PDFs.
//!
//! Shared by the CLI (`registre render`) and the HTTP server, so both print the same bytes.

use std::io::{Seek, Write};

use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::Cles;
use crate::domain::champs::ChampResponsable;
use crate::domain::identite::{date_fr, date_longue};
use crate::domain::parcours::{EtatInscription, MotifRadiation};
use crate::domain::{
    AnneeScolaire, CirconscriptionId, ClasseId, CommuneInsee, EcoleId, EleveId, Niveau, Perimetre, Sexe, Uai,
};
use crate::render::batch::Progression;
use crate::render::{self, BatchItem, Document, Engine, Stamp};
use crate::store::eleves::{self, FicheEleve, Filtre};
use crate::store::parcours as sc;
use crate::store::territoires::{self, EnTete};
use crate::store::{self, Store, classes};

pub use super::{Error, Result};

/// What to print the document for.
#[derive(Debug, Clone)]
pub enum Cible {
    /// One pupil.
    Eleve(EleveId),
    /// A class: every pupil of it, or its list.
    Classe(ClasseId),
    /// A school: every pupil, or every class list, or its register, its lists.
    Ecole(EcoleId),
    /// An inscription at the mairie (its certificate).
    Inscription(String),
    /// Every school of a circonscription (IEN, IA-DASEN): each school's documents.
    Circonscription(CirconscriptionId),
}

/// The output of a print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One PDF (several documents are merged, a page sequence each).
    Pdf,
    /// A ZIP with one PDF per document.
    Zip,
    /// A spreadsheet (CSV, `;`-separated, UTF-8): the lists only.
    Csv,
}

// The data the templates read, typed: a misspelt or missing field fails at compile time here,
// not as an empty box on a printed page. Field names are the templates' (`templates/documents`).

/// A school's header (every school document).
#[derive(Debug, Clone, Serialize)]
pub struct EcoleDoc {
    nom: String,
    uai: String,
    adresse: Vec<String>,
    telephone: Option<String>,
    courriel: Option<String>,
    academie: String,
    departement: String,
    circonscription: String,
}

/// Who signs for the school.
#[derive(Debug, Clone, Serialize)]
pub struct SignataireDoc {
    nom: Option<String>,
    qualite: &'static str,
    qualite_majuscule: &'static str,
    feminin: bool,
}

/// A pupil's identity as documents print it.
#[derive(Debug, Clone, Serialize)]
pub struct EleveDoc {
    nom: String,
    nom_usage: Option<String>,
    prenoms: String,
    sexe: &'static str,
    sexe_libelle: &'static str,
    date_naissance: String,
    lieu_naissance: String,
    adresse: Vec<String>,
}

/// The schooling a certificat de scolarité states.
#[derive(Debug, Clone, Serialize)]
struct ScolariteCertifiee {
    niveau: &'static str,
    niveau_libelle: &'static str,
    cycle: String,
    classe: Option<String>,
    depuis: String,
}

/// The data of a certificat de scolarité; the certificate's number and code are added when it
/// is issued ([`Certification`]).
#[derive(Debug, Clone, Serialize)]
pub struct CertificatScolarite {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    scolarite: ScolariteCertifiee,
    signataire: SignataireDoc,
    fait_a: String,
    fait_le: String,
    #[serde(flatten)]
    certification: Option<Certification>,
}

/// What an issued certificate carries: its number, verification code, the page that checks it
/// and its QR code, and the date of issue.
#[derive(Debug, Clone, Serialize)]
pub struct Certification {
    numero: String,
    code: String,
    adresse_verification: Option<String>,
    qr: Option<String>,
}

pub(super) fn valeur(v: &impl Serialize) -> Result<Value> {
    Ok(serde_json::to_value(v).map_err(render::Error::from)?)
}

pub(super) fn ecole_json(t: &EnTete) -> EcoleDoc {
    EcoleDoc {
        nom: t.nom.clone(),
        uai: t.uai.clone(),
        adresse: t.adresse.clone(),
        telephone: t.telephone.clone(),
        courriel: t.courriel.clone(),
        academie: format!("Académie {}", crate::domain::identite::de(&t.academie)),
        departement: t.departement.clone(),
        circonscription: t.circonscription.clone(),
    }
}

fn lieu_naissance(insee: &CommuneInsee, lieu: &str) -> String {
    if insee.est_a_completer() {
        return "lieu de naissance à compléter".into();
    }
    match insee.departement() {
        Some(dep) => format!("{lieu} ({dep})"),
        None => lieu.to_string(),
    }
}

pub(super) fn sexe_libelle(s: Sexe) -> &'static str {
    match s {
        Sexe::F => "féminin",
        Sexe::M => "masculin",
    }
}

pub(super) fn lignes_adresse(
    adresse: &Option<String>,
    cp: &Option<String>,
    commune: &Option<String>,
    pays: Option<&String>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = adresse {
        out.push(a.clone());
    }
    let ville = [cp.as_deref(), commune.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    if !ville.is_empty() {
        out.push(ville);
    }
    if let Some(p) = pays {
        out.push(p.clone());
    }
    out
}

pub(super) fn signataire(t: &EnTete) -> SignataireDoc {
    let (qualite, qualite_majuscule) =
        if t.direction_feminin { ("directrice", "La directrice") } else { ("directeur", "Le directeur") };
    SignataireDoc { nom: t.direction_nom.clone(), qualite, qualite_majuscule, feminin: t.direction_feminin }
}

pub(super) fn eleve_json(e: &eleves::Eleve) -> EleveDoc {
    EleveDoc {
        nom: e.nom.clone(),
        nom_usage: e.nom_usage.clone(),
        prenoms: e.prenoms.clone(),
        sexe: e.sexe.code(),
        sexe_libelle: sexe_libelle(e.sexe),
        date_naissance: date_fr(e.date_naissance),
        lieu_naissance: lieu_naissance(&e.naissance_insee, &e.naissance_lieu),
        adresse: lignes_adresse(&e.adresse, &e.code_postal, &e.commune_residence, None),
    }
}

/// Data of a certificat de scolarité.
pub fn donnees_certificat_scolarite(
    f: &FicheEleve,
    t: &EnTete,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<CertificatScolarite> {
    let s = f.scolarite(annee).filter(|s| s.etat.est_present()).ok_or_else(|| {
        Error::Conflit(format!("l'élève n'est pas scolarisé dans l'école en {annee} : pas de certificat de scolarité"))
    })?;
    Ok(CertificatScolarite {
        certification: None,
        ecole: ecole_json(t),
        annee: annee.to_string(),
        eleve: eleve_json(&f.eleve),
        scolarite: ScolariteCertifiee {
            niveau: s.niveau.code(),
            niveau_libelle: s.niveau.libelle(),
            cycle: s.cycle.to_string(),
            classe: s.classe.clone(),
            depuis: date_fr(s.date_admission),
        },
        signataire: signataire(t),
        fait_a: t.commune.clone(),
        fait_le: date_longue(le.date()),
    })
}

/// A responsable as the fiche de renseignements prints it.
#[derive(Debug, Clone, Serialize)]
struct ResponsableDoc {
    identite: String,
    lien: &'static str,
    adresse: Vec<String>,
    telephones: TelephonesDoc,
    courriel: Option<String>,
    autorite_parentale: bool,
    accord_associations: Option<bool>,
}

/// A responsable's phones by short name (`portable`, `domicile`, `travail`), empty ones too.
type TelephonesDoc = std::collections::BTreeMap<&'static str, Option<String>>;

/// A person to contact as the fiche prints it.
#[derive(Debug, Clone, Serialize)]
struct ContactDoc {
    identite: String,
    lien: Option<String>,
    telephones: Vec<String>,
    urgence: bool,
    recuperer: bool,
}

#[derive(Debug, Clone, Serialize)]
struct ScolariteFiche {
    niveau: &'static str,
    classe: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct AutorisationsDoc {
    photo: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
struct AssuranceDoc {
    assureur: String,
    numero: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct PeriscolaireDoc {
    cantine: Option<bool>,
    garderie_matin: Option<bool>,
    garderie_soir: Option<bool>,
    etude: Option<bool>,
    transport: Option<bool>,
}

/// The data of a fiche de renseignements.
#[derive(Debug, Clone, Serialize)]
struct FicheRenseignements {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    scolarite: ScolariteFiche,
    responsables: Vec<ResponsableDoc>,
    contacts: Vec<ContactDoc>,
    autorisations: AutorisationsDoc,
    assurance: Option<AssuranceDoc>,
    periscolaire: PeriscolaireDoc,
    fait_a: String,
    fait_le: String,
}

/// A line of a class list.
#[derive(Debug, Clone, Serialize)]
struct EleveListe {
    nom: String,
    prenoms: String,
    sexe: &'static str,
    date_naissance: String,
    niveau: &'static str,
}

/// Girls and boys of a niveau in a class.
#[derive(Debug, Clone, Serialize)]
struct EffectifNiveau {
    niveau: &'static str,
    filles: usize,
    garcons: usize,
}

#[derive(Debug, Clone, Serialize)]
struct ClasseDoc {
    libelle: String,
    niveaux: String,
    enseignant: Option<String>,
}

/// The data of a liste de classe.
#[derive(Debug, Clone, Serialize)]
struct ListeClasse {
    ecole: EcoleDoc,
    annee: String,
    classe: ClasseDoc,
    eleves: Vec<EleveListe>,
    effectifs: Vec<EffectifNiveau>,
    fait_a: String,
    fait_le: String,
}

/// A line of the registre des élèves inscrits (its own columns only).
#[derive(Debug, Clone, Serialize)]
struct LigneRegistreDoc {
    nom: String,
    prenoms: String,
    date_naissance: String,
    responsables: Vec<String>,
    adresse: String,
    ecole_precedente: Option<String>,
    radiation_precedente: Option<String>,
    inscription: String,
    radiation: Option<String>,
    observations: Option<String>,
}

/// The data of the registre des élèves inscrits.
#[derive(Debug, Clone, Serialize)]
struct RegistreDoc {
    ecole: EcoleDoc,
    annee: String,
    lignes: Vec<LigneRegistreDoc>,
    fait_a: String,
    fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
struct MairieDoc {
    commune: String,
    insee: String,
    departement: String,
}

/// The designated school, as the certificat d'inscription prints it.
#[derive(Debug, Clone, Serialize)]
struct EcoleDesignee {
    nom: String,
    uai: String,
    adresse: Vec<String>,
}

/// The data of a certificat d'inscription.
#[derive(Debug, Clone, Serialize)]
struct CertificatInscription {
    mairie: MairieDoc,
    annee: String,
    eleve: EleveDoc,
    responsables: Vec<String>,
    mode: &'static str,
    niveau: &'static str,
    niveau_libelle: &'static str,
    ecole: Option<EcoleDesignee>,
    #[serde(flatten)]
    certification: Certification,
    fait_a: String,
    fait_le: String,
    signataire: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct RadiationDoc {
    date: String,
    classe: Option<String>,
    niveau: String,
    decision: Option<String>,
    motif: Option<&'static str>,
    destination: Option<String>,
    depuis: String,
}

/// The data of a certificat de radiation (the family's copy and the mairie's).
#[derive(Debug, Clone, Serialize)]
struct CertificatRadiation {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    radiation: RadiationDoc,
    exemplaires: [String; 2],
    #[serde(flatten)]
    certification: Certification,
    signataire: SignataireDoc,
    fait_a: String,
    fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
struct PassageDoc {
    niveau: &'static str,
    classe: Option<String>,
    type_libelle: &'static str,
    niveau_suivant: String,
    propose_le: Option<String>,
    limite_reponse: Option<String>,
    decide_le: String,
    limite_recours: Option<String>,
}

/// The data of a notification de poursuite de scolarité (proposal or decision).
#[derive(Debug, Clone, Serialize)]
struct NotificationPassage {
    ecole: EcoleDoc,
    annee: String,
    eleve: EleveDoc,
    responsables: Vec<String>,
    variante: &'static str,
    passage: PassageDoc,
    signataire: SignataireDoc,
    fait_a: String,
    fait_le: String,
}

/// Data of a fiche de renseignements.
pub fn donnees_fiche_renseignements(
    f: &FicheEleve,
    t: &EnTete,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<Value> {
    let s = f.scolarite(annee);
    let responsables = f
        .responsables
        .iter()
        .map(|r| ResponsableDoc {
            identite: identite_responsable(r),
            lien: r.personne.lien.libelle(),
            adresse: lignes_adresse(
                &r.personne.adresse,
                &r.personne.code_postal,
                &r.personne.commune,
                r.personne.pays.as_ref(),
            ),
            telephones: ChampResponsable::TELEPHONES.iter().map(|c| (c.court(), c.texte(&r.personne))).collect(),
            courriel: r.personne.courriel.clone(),
            autorite_parentale: r.autorite_parentale,
            accord_associations: r.accord_associations,
        })
        .collect();
    let contacts = f
        .contacts
        .iter()
        .map(|c| ContactDoc {
            identite: format!("{} {}", c.prenom, c.nom),
            lien: c.lien.clone(),
            telephones: telephones_contact(c),
            urgence: c.urgence,
            recuperer: c.recuperer,
        })
        .collect();
    let a = f.annuel.clone().unwrap_or_default();
    valeur(&FicheRenseignements {
        ecole: ecole_json(t),
        annee: annee.to_string(),
        eleve: eleve_json(&f.eleve),
        scolarite: ScolariteFiche {
            niveau: s.map(|s| s.niveau.code()).unwrap_or("—"),
            classe: s.and_then(|s| s.classe.clone()),
        },
        responsables,
        contacts,
        autorisations: AutorisationsDoc { photo: a.autorisation_photo },
        assurance: a.assureur.clone().map(|assureur| AssuranceDoc { assureur, numero: a.assurance_numero.clone() }),
        periscolaire: PeriscolaireDoc {
            cantine: a.cantine,
            garderie_matin: a.garderie_matin,
            garderie_soir: a.garderie_soir,
            etude: a.etude,
            transport: a.transport,
        },
        fait_a: t.commune.clone(),
        fait_le: date_longue(le.date()),
    })
}

/// The printing service: a store, an engine, and the perimeter of whoever prints.
#[derive(Debug, Clone, Copy)]
pub struct Imprimeur<'a> {
    /// The store.
    pub store: &'a Store,
    /// The print engine.
    pub engine: &'a Engine,
    /// The keys (certificate verification codes).
    pub cles: &'a Cles,
    /// The actor's perimeter: records outside it are not found.
    pub perimetre: &'a Perimetre,
    /// When the document is made.
    pub le: OffsetDateTime,
    /// The année scolaire (the current one when `None`).
    pub annee: Option<AnneeScolaire>,
    /// The columns of a liste des élèves (already checked against the role).
    pub colonnes: &'a [crate::domain::Colonne],
    /// A trial (`registre check`): certificates get a placeholder number, nothing is issued.
    pub essai: bool,
}

/// Most documents merged into one PDF; beyond, a ZIP is required (memory stays bounded).
pub const MAX_FUSION: usize = 2000;

#[derive(Debug, Clone)]
pub(super) enum Sujet {
    Eleve(EleveId),
    Classe(ClasseId),
    Inscription(String),
    Ecole(EcoleId),
}

pub(super) struct Piece {
    pub(super) nom_fichier: String,
    pub(super) ident: String,
    pub(super) data: Value,
}

/// The public verification page's address of a code, when the installation's address is known.
fn verification(adresse: &Option<String>, code: &str) -> (Option<String>, Option<String>) {
    match adresse {
        Some(base) => {
            let url = format!("{}/verifier/{code}", base.trim_end_matches('/'));
            (Some(url.clone()), crate::render::qr::svg(&url))
        }
        None => (None, None),
    }
}

/// « Mme Anne DURAND »: a responsable's civilité, prénom and nom.
pub(super) fn identite_responsable(r: &eleves::ResponsableFiche) -> String {
    [
        r.personne.civilite.map(|c| c.code().to_string()),
        Some(r.personne.prenom.to_string()),
        Some(r.personne.nom.to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// A person to contact's phones, the first one first.
pub(super) fn telephones_contact(c: &eleves::Contact) -> Vec<String> {
    [Some(&c.telephone), c.telephone_2.as_ref()].into_iter().flatten().cloned().collect()
}

fn responsables_lignes(f: &FicheEleve) -> Vec<String> {
    f.responsables
        .iter()
        .map(|r| {
            let nom = identite_responsable(r);
            let adresse = lignes_adresse(
                &r.personne.adresse,
                &r.personne.code_postal,
                &r.personne.commune,
                r.personne.pays.as_ref(),
            )
            .join(", ");
            if adresse.is_empty() {
                format!("{nom} ({})", r.personne.lien.libelle())
            } else {
                format!("{nom} ({}), {adresse}", r.personne.lien.libelle())
            }
        })
        .collect()
}

impl Imprimeur<'_> {
    pub(super) fn annee(&self) -> Result<AnneeScolaire> {
        match self.annee {
            Some(a) => Ok(a),
            None => Ok(self.store.read(territoires::annee_courante)?),
        }
    }

    fn adresse_publique(&self) -> Result<Option<String>> {
        Ok(self.store.read(|c| crate::store::comptes::parametre(c, crate::store::comptes::URL_PUBLIQUE))?)
    }

    /// Issues (once) the certificate of `e.sujet` and returns its number, code and date.
    fn certifier(&self, e: &Emission<'_>) -> Result<sc::Certificat> {
        let today = self.le.date();
        if self.essai {
            return Ok(sc::Certificat {
                numero: format!("{}-ESSAI", e.prefixe),
                code: "ESSA-IESS-AIES-SAIE".into(),
                genre: e.genre.into(),
                emetteur: e.emetteur.into(),
                initiales: e.initiales.into(),
                emis_le: today,
            });
        }
        let cles = self.cles;
        Ok(self.store.ecrire(|tx| {
            sc::emettre(tx, e.genre, e.sujet, e.eleve, e.prefixe, e.emetteur, e.initiales, today, &|n| {
                crate::service::parcours::code_verification(cles, n)
            })
        })?)
    }

    /// Delivers a certificate: issued once (number, code, date), sealed with its template's
    /// version and its data's hash. A later print whose seal matches is a duplicata, identical
    /// but for the mark « Duplicata délivré le … »; one whose data or template changed since
    /// gets a new certificate (the old one stays verifiable).
    fn delivrer(
        &self,
        doc: Document,
        e: &Emission<'_>,
        construire: impl Fn(&sc::Certificat) -> Result<Value>,
    ) -> Result<Value> {
        let k = self.certifier(e)?;
        let data = construire(&k)?;
        if self.essai {
            return Ok(data);
        }
        let sceau = sc::Sceau { gabarit: self.engine.version(doc), empreinte: empreinte(&data) };
        let today = self.le.date();
        match self.store.read(|c| sc::sceau(c, &k.numero))? {
            // Issued just now: sealed.
            None if k.emis_le == today => {
                self.store.ecrire(|tx| sc::sceller(tx, &k.numero, &sceau))?;
                Ok(data)
            }
            Some(s) if s == sceau => Ok(duplicata(data, today)),
            // Changed since, or issued before seals existed (what it held is unknown): a new
            // certificate, never a duplicata that might differ from the original.
            _ => {
                self.store.ecrire(|tx| sc::remplacer(tx, &k.numero))?;
                let k = self.certifier(e)?;
                let data = construire(&k)?;
                let sceau = sc::Sceau { empreinte: empreinte(&data), ..sceau };
                self.store.ecrire(|tx| sc::sceller(tx, &k.numero, &sceau))?;
                Ok(data)
            }
        }
    }

    /// The schools of a school or circonscription target, in the perimeter, in French order.
    fn ecoles_de(&self, cible: &Cible) -> Result<Option<Vec<EcoleId>>> {
        let p = self.perimetre;
        match cible {
            Cible::Ecole(id) => {
                self.store.read(|c| territoires::ecole(c, p, id))?;
                Ok(Some(vec![id.clone()]))
            }
            Cible::Circonscription(id) => Ok(Some(self.store.read(|c| {
                // A circonscription inside the perimeter, or not found (404).
                let circo = Perimetre::Circonscription(id.clone());
                if !territoires::perimetre_inclus(c, &circo, p)? {
                    return Err(store::Error::Introuvable("circonscription"));
                }
                let mut ecoles = territoires::ecoles(c, &circo)?;
                ecoles.sort_by(|a, b| crate::domain::tri::comparer(&a.nom, &b.nom));
                Ok(ecoles.into_iter().map(|e| e.id).collect())
            })?)),
            _ => Ok(None),
        }
    }

    /// The pupils a pupil document is printed for: one, a class, or each school of the target
    /// class by class (the order fiches are handed out), in French order.
    fn eleves_de(&self, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let p = self.perimetre;
        if let Some(ecoles) = self.ecoles_de(cible)? {
            return Ok(self.store.read(|c| {
                let mut out = Vec::new();
                for e in ecoles {
                    let f = Filtre { ecole: Some(e), presents: true, ..Filtre::annee(annee) };
                    // Class by class, in the school's order (unplaced pupils last); sorted by name
                    // already, a stable sort keeps that order within each class.
                    let rang: std::collections::HashMap<ClasseId, usize> =
                        classes::classes(c, p, f.ecole.as_ref().ok_or(store::Error::Introuvable("école"))?, annee)?
                            .into_iter()
                            .enumerate()
                            .map(|(i, k)| (k.id, i))
                            .collect();
                    let mut l = eleves::lister(c, p, &f)?;
                    l.sort_by_key(|e| e.classe_id.as_ref().and_then(|k| rang.get(k)).copied().unwrap_or(usize::MAX));
                    out.extend(l.into_iter().map(|l| Sujet::Eleve(l.id)));
                }
                Ok(out)
            })?);
        }
        match cible {
            Cible::Eleve(id) => Ok(vec![Sujet::Eleve(id.clone())]),
            Cible::Classe(id) => Ok(self.store.read(|c| {
                classes::classe(c, p, id)?;
                let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(annee) };
                Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| Sujet::Eleve(l.id)).collect())
            })?),
            _ => Err(Error::Conflit(
                "ce document s'imprime pour un élève, une classe, une école ou une circonscription".into(),
            )),
        }
    }

    /// What `doc` is printed for, given `cible`, in a stable order.
    pub(super) fn sujets(&self, doc: Document, cible: &Cible, annee: AnneeScolaire) -> Result<Vec<Sujet>> {
        let p = self.perimetre;
        let un_eleve = |quoi: &str| -> Result<Vec<Sujet>> {
            match cible {
                Cible::Eleve(id) => Ok(vec![Sujet::Eleve(id.clone())]),
                _ => Err(Error::Conflit(format!("{quoi} s'imprime pour un élève"))),
            }
        };
        match doc {
            Document::CertificatScolarite
            | Document::FicheRenseignements
            | Document::NotificationPassage
            | Document::FicheUrgence
            | Document::ReleveDonnees => self.eleves_de(cible, annee),
            Document::ListeEleves => match (cible, self.ecoles_de(cible)?) {
                (Cible::Classe(id), _) => {
                    self.store.read(|c| classes::classe(c, p, id))?;
                    Ok(vec![Sujet::Classe(id.clone())])
                }
                (_, Some(ecoles)) => Ok(ecoles.into_iter().map(Sujet::Ecole).collect()),
                _ => Err(Error::Conflit("la liste des élèves s'imprime pour une classe ou une école".into())),
            },
            Document::ListeElectorale | Document::RegistreEleves => match self.ecoles_de(cible)? {
                Some(ecoles) => Ok(ecoles.into_iter().map(Sujet::Ecole).collect()),
                None => Err(Error::Conflit(format!("la {} s'imprime pour une école", doc.titre().to_lowercase()))),
            },
            Document::ListeClasse | Document::ListeAppel => match (cible, self.ecoles_de(cible)?) {
                (Cible::Classe(id), _) => Ok(vec![Sujet::Classe(id.clone())]),
                (_, Some(ecoles)) => Ok(self.store.read(|c| {
                    let mut out = Vec::new();
                    for e in &ecoles {
                        out.extend(classes::classes(c, p, e, annee)?.into_iter().map(|k| Sujet::Classe(k.id)));
                    }
                    Ok(out)
                })?),
                _ => Err(Error::Conflit(format!(
                    "la {} s'imprime pour une classe ou une école",
                    doc.titre().to_lowercase()
                ))),
            },
            Document::CertificatInscription => match cible {
                Cible::Inscription(id) => {
                    let i = self.store.read(|c| sc::inscription(c, p, id))?;
                    if !matches!(i.etat, EtatInscription::Inscrit | EtatInscription::Admis) {
                        return Err(Error::Conflit(
                            "le certificat d'inscription s'imprime une fois l'inscription confirmée".into(),
                        ));
                    }
                    Ok(vec![Sujet::Inscription(i.id)])
                }
                Cible::Eleve(id) => {
                    let i = self.store.read(|c| sc::derniere_inscription(c, p, id))?;
                    let i = i.ok_or_else(|| Error::Conflit("aucune inscription confirmée pour cet élève".into()))?;
                    Ok(vec![Sujet::Inscription(i.id)])
                }
                _ => Err(Error::Conflit("le certificat d'inscription s'imprime pour une inscription".into())),
            },
            Document::CertificatRadiation => un_eleve("le certificat de radiation"),
            // A report of the actor's territory, not a document of a record.
            Document::ConstatEffectifs => Err(Error::Conflit(
                "le constat des effectifs s'imprime depuis la page Effectifs (GET /api/v1/constat?format=pdf)".into(),
            )),
        }
        .and_then(|v: Vec<Sujet>| {
            if v.is_empty() { Err(Error::Conflit("aucun document à imprimer pour cette cible".into())) } else { Ok(v) }
        })
    }

    /// Loads the data of one document.
    fn piece(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<Piece> {
        let p = self.perimetre;
        match (doc, sujet) {
            (Document::ListeClasse, Sujet::Classe(id)) => self.liste_classe(id),
            (Document::ListeAppel, Sujet::Classe(id)) => self.liste_appel(id),
            (Document::ListeEleves, Sujet::Classe(_) | Sujet::Ecole(_)) => self.liste_eleves(sujet, annee),
            (Document::ListeElectorale, Sujet::Ecole(id)) => self.liste_electorale(id, annee),
            (Document::RegistreEleves, Sujet::Ecole(id)) => self.registre(id, annee),
            (Document::CertificatInscription, Sujet::Inscription(id)) => self.certificat_inscription(id),
            (Document::CertificatRadiation, Sujet::Eleve(id)) => self.certificat_radiation(id),
            (_, Sujet::Eleve(id)) => {
                let (fiche, tete) = self.store.read(|c| {
                    let fiche = eleves::fiche(c, p, id, annee)?;
                    let ecole = fiche
                        .scolarite(annee)
                        .map(|s| s.ecole_id.clone())
                        .ok_or(store::Error::Introuvable("scolarité de l'année"))?;
                    Ok((fiche, territoires::en_tete(c, &ecole)?))
                })?;
                let data = match doc {
                    Document::CertificatScolarite => {
                        let base = donnees_certificat_scolarite(&fiche, &tete, annee, self.le)?;
                        let s = fiche.scolarite(annee).ok_or(store::Error::Introuvable("scolarité de l'année"))?;
                        let initiales = crate::domain::identite::initiales(&fiche.eleve.prenoms, &fiche.eleve.nom);
                        let adresse = self.adresse_publique()?;
                        let emission = Emission {
                            genre: "scolarite",
                            sujet: &format!("scolarite:{id}:{}:{}", s.ecole_id, annee.debut()),
                            eleve: id,
                            prefixe: &format!("CS-{}", tete.uai),
                            emetteur: &tete.nom,
                            initiales: &initiales,
                        };
                        self.delivrer(doc, &emission, |k| {
                            let (adresse_verification, qr) = verification(&adresse, &k.code);
                            let mut data = base.clone();
                            data.fait_le = date_longue(k.emis_le);
                            data.certification = Some(Certification {
                                numero: k.numero.clone(),
                                code: k.code.clone(),
                                adresse_verification,
                                qr,
                            });
                            valeur(&data)
                        })?
                    }
                    Document::NotificationPassage => self.notification(&fiche, &tete, annee)?,
                    Document::FicheUrgence => valeur(&super::catalogue::fiche_urgence(&fiche, &tete, annee, self.le))?,
                    Document::ReleveDonnees => self.releve_donnees(&fiche, &tete, annee)?,
                    _ => donnees_fiche_renseignements(&fiche, &tete, annee, self.le)?,
                };
                Ok(Piece {
                    nom_fichier: nom_humain(
                        &tete.uai,
                        &tete.nom,
                        fiche.scolarite(annee).and_then(|s| s.classe.as_deref()),
                        &fiche.eleve.nom,
                        &fiche.eleve.prenoms,
                        doc,
                    ),
                    ident: format!("{id}/{annee}"),
                    data,
                })
            }
            _ => Err(Error::Conflit("document et cible incompatibles".into())),
        }
    }

    fn liste_classe(&self, id: &ClasseId) -> Result<Piece> {
        let p = self.perimetre;
        let (classe, lignes, tete) = self.store.read(|c| {
            let classe = classes::classe(c, p, id)?;
            let f = Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(classe.annee) };
            let lignes = eleves::lister(c, p, &f)?;
            let tete = territoires::en_tete(c, &classe.ecole_id)?;
            Ok((classe, lignes, tete))
        })?;
        let effectifs = classe
            .niveaux
            .iter()
            .map(|n: &Niveau| {
                let du_niveau = lignes.iter().filter(|l| l.niveau == *n);
                let filles = du_niveau.clone().filter(|l| l.sexe == Sexe::F).count();
                EffectifNiveau { niveau: n.code(), filles, garcons: du_niveau.count() - filles }
            })
            .collect();
        let eleves = lignes
            .iter()
            .map(|l| EleveListe {
                nom: l.nom.clone(),
                prenoms: l.prenoms.clone(),
                sexe: l.sexe.code(),
                date_naissance: date_fr(l.date_naissance),
                niveau: l.niveau.code(),
            })
            .collect();
        let data = valeur(&ListeClasse {
            ecole: ecole_json(&tete),
            annee: classe.annee.to_string(),
            classe: ClasseDoc {
                libelle: classe.libelle.clone(),
                niveaux: classe.niveaux.iter().map(|n| n.code()).collect::<Vec<_>>().join(", "),
                enseignant: classe.enseignant.clone(),
            },
            eleves,
            effectifs,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("{}-{}/{}/liste-classe.pdf", tete.uai, ascii(&tete.nom), ascii(&classe.libelle)),
            ident: format!("{id}/{}", classe.annee),
            data,
        })
    }

    fn registre(&self, id: &EcoleId, annee: AnneeScolaire) -> Result<Piece> {
        let (lignes, tete) = self.store.read(|c| Ok((sc::registre(c, id, annee)?, territoires::en_tete(c, id)?)))?;
        let lignes = lignes
            .into_iter()
            .map(|l| LigneRegistreDoc {
                date_naissance: date_fr(l.date_naissance),
                radiation_precedente: l.radiation_precedente.map(date_fr),
                inscription: date_fr(l.inscription),
                radiation: l.radiation.map(date_fr),
                nom: l.nom,
                prenoms: l.prenoms,
                responsables: l.responsables,
                adresse: l.adresse,
                ecole_precedente: l.ecole_precedente,
                observations: l.observations,
            })
            .collect();
        let data = valeur(&RegistreDoc {
            ecole: ecole_json(&tete),
            annee: annee.to_string(),
            lignes,
            fait_a: tete.commune.clone(),
            fait_le: date_longue(self.le.date()),
        })?;
        Ok(Piece {
            nom_fichier: format!("registre-eleves-{}-{}.pdf", tete.uai, annee),
            ident: format!("{id}/{annee}"),
            data,
        })
    }

    fn certificat_inscription(&self, id: &str) -> Result<Piece> {
        let p = self.perimetre;
        let (i, eleve, responsables, commune, ecole) = self.store.read(|c| {
            let i = sc::inscription(c, p, id)?;
            let eleve = EleveId::parse(&i.eleve_id).map_err(|_| store::Error::Introuvable("élève"))?;
            // A pupil known elsewhere (inscription by `eleve_id`) is not readable through its
            // inscription: the certificate then prints the five criteria of the duplicate
            // search, which whoever chose the pupil typed, and no address nor responsable.
            let (eleve, responsables) = match eleves::fiche(c, p, &eleve, i.annee) {
                Ok(f) => (f.eleve.clone(), responsables_lignes(&f)),
                Err(store::Error::Introuvable(_)) => (sc::identite_connue(c, p, id)?, vec![]),
                Err(e) => return Err(e),
            };
            let commune = sc::commune(c, &i.commune_id)?;
            let ecole = match &i.ecole_id {
                Some(e) => {
                    Some(territoires::en_tete(c, &EcoleId::parse(e).map_err(|_| store::Error::Introuvable("école"))?)?)
                }
                None => None,
            };
            Ok((i, eleve, responsables, commune, ecole))
        })?;
        let (commune_nom, insee, departement) = commune;
        let initiales = crate::domain::identite::initiales(&eleve.prenoms, &eleve.nom);
        let (prefixe, emetteur) = match (&ecole, i.par_ecole) {
            (Some(e), true) => (format!("CI-{}", e.uai), e.nom.clone()),
            _ => (format!("CI-{insee}"), format!("Mairie de {commune_nom}")),
        };
        let adresse = self.adresse_publique()?;
        let emission = Emission {
            genre: "inscription",
            sujet: &format!("inscription:{id}"),
            eleve: &eleve.id,
            prefixe: &prefixe,
            emetteur: &emetteur,
            initiales: &initiales,
        };
        let data = self.delivrer(Document::CertificatInscription, &emission, |k| {
            let (adresse_verification, qr) = verification(&adresse, &k.code);
            valeur(&CertificatInscription {
                mairie: MairieDoc {
                    commune: commune_nom.clone(),
                    insee: insee.clone(),
                    departement: departement.clone(),
                },
                annee: i.annee.to_string(),
                eleve: eleve_json(&eleve),
                responsables: responsables.clone(),
                mode: i.mode.libelle(),
                niveau: i.niveau.code(),
                niveau_libelle: i.niveau.libelle(),
                ecole: ecole.as_ref().map(|e| EcoleDesignee {
                    nom: e.nom.clone(),
                    uai: e.uai.clone(),
                    adresse: e.adresse.clone(),
                }),
                fait_le: date_longue(k.emis_le),
                certification: Certification {
                    numero: k.numero.clone(),
                    code: k.code.clone(),
                    adresse_verification,
                    qr,
                },
                fait_a: commune_nom.clone(),
                signataire: if i.par_ecole {
                    "La direction de l'école, pour la mairie"
                } else {
                    "Le maire ou son représentant"
                },
            })
        })?;
        Ok(Piece {
            nom_fichier: format!("certificat-inscription-{}-{}.pdf", slug(&eleve.nom), eleve.id),
            ident: format!("inscription/{id}"),
            data,
        })
    }

    fn certificat_radiation(&self, id: &EleveId) -> Result<Piece> {
        let p = self.perimetre;
        let (r, fiche, tete, passage, commune) = self
            .store
            .read(|c| {
                let r = sc::derniere_radiation(c, p, id)?.ok_or(store::Error::Introuvable("radiation"))?;
                let fiche = eleves::fiche(c, p, id, r.annee)?;
                let tete = territoires::en_tete(c, &r.ecole_id)?;
                let passage = sc::passage(c, &eleves::voir(c, p, id)?, r.annee)?;
                let commune = tete.commune.clone();
                Ok((r, fiche, tete, passage, commune))
            })
            .map_err(|e| match e {
                store::Error::Introuvable("radiation") => {
                    Error::Conflit("l'élève n'a pas été radié : pas de certificat de radiation".into())
                }
                e => e.into(),
            })?;
        let initiales = crate::domain::identite::initiales(&fiche.eleve.prenoms, &fiche.eleve.nom);
        let publique = self.adresse_publique()?;
        let emission = Emission {
            genre: "radiation",
            sujet: &format!("radiation:{}", r.scolarite_id),
            eleve: id,
            prefixe: &format!("CR-{}", tete.uai),
            emetteur: &tete.nom,
            initiales: &initiales,
        };
        let decision = passage
            .recours_issue
            .or(passage.decision)
            .map(|(t, _)| t.libelle().to_string())
            .or_else(|| passage.proposition.map(|(t, _)| format!("{} (proposition)", t.libelle())));
        let data = self.delivrer(Document::CertificatRadiation, &emission, |k| {
            let (adresse, qr) = verification(&publique, &k.code);
            valeur(&CertificatRadiation {
                ecole: ecole_json(&tete),
                annee: r.annee.to_string(),
                eleve: eleve_json(&fiche.eleve),
                radiation: RadiationDoc {
                    date: date_fr(r.date),
                    classe: r.classe.clone(),
                    niveau: format!("{} ({})", r.niveau.code(), r.niveau.libelle()),
                    decision: decision.clone(),
                    motif: r.motif.as_deref().and_then(|m| MotifRadiation::parse(m).ok()).map(|m| m.libelle()),
                    destination: r.destination.clone(),
                    depuis: date_fr(r.admission),
                },
                exemplaires: ["Exemplaire remis à la famille".into(), format!("Copie pour la mairie de {commune}")],
                fait_le: date_longue(k.emis_le),
                certification: Certification {
                    numero: k.numero.clone(),
                    code: k.code.clone(),
                    adresse_verification: adresse,
                    qr,
                },
                signataire: signataire(&tete),
                fait_a: tete.commune.clone(),
            })
        })?;
        Ok(Piece {
            nom_fichier: format!("certificat-radiation-{}-{id}.pdf", slug(&fiche.eleve.nom)),
            ident: format!("radiation/{}", r.scolarite_id),
            data,
        })
    }

    fn notification(&self, fiche: &FicheEleve, tete: &EnTete, annee: AnneeScolaire) -> Result<Value> {
        let s = fiche.scolarite(annee).ok_or(store::Error::Introuvable("scolarité de l'année"))?;
        let passage = self.store.read(|c| sc::passage(c, &eleves::voir(c, self.perimetre, &fiche.eleve.id)?, annee))?;
        let (variante, t, le) = match (passage.recours_issue.or(passage.decision), passage.proposition) {
            (Some((t, le)), _) => ("decision", t, le),
            (None, Some((t, le))) => ("proposition", t, le),
            (None, None) => {
                return Err(Error::Conflit("aucune proposition de passage n'a été faite pour cet élève".into()));
            }
        };
        let suivant = t.niveau_suivant(s.niveau).map(|n| n.code().to_string()).unwrap_or_else(|| "6e (collège)".into());
        valeur(&NotificationPassage {
            ecole: ecole_json(tete),
            annee: annee.to_string(),
            eleve: eleve_json(&fiche.eleve),
            responsables: responsables_lignes(fiche),
            variante,
            passage: PassageDoc {
                niveau: s.niveau.code(),
                classe: s.classe.clone(),
                type_libelle: t.libelle(),
                niveau_suivant: suivant,
                propose_le: passage.proposition.map(|(_, d)| date_fr(d)),
                limite_reponse: passage.limite_reponse().map(date_fr),
                decide_le: date_fr(le),
                limite_recours: passage.limite_recours().map(date_fr),
            },
            signataire: signataire(tete),
            fait_a: tete.commune.clone(),
            fait_le: date_longue(le),
        })
    }

    /// The records `doc` for `cible` prints, in order, as the journal records them: pupils for
    /// the documents about a pupil, classes or schools otherwise.
    pub fn sujets_ids(&self, doc: Document, cible: &Cible) -> Result<Vec<String>> {
        let annee = self.annee()?;
        self.sujets(doc, cible, annee)?
            .into_iter()
            .map(|s| match s {
                Sujet::Eleve(id) => Ok(id.to_string()),
                Sujet::Classe(id) => Ok(id.to_string()),
                Sujet::Ecole(id) => Ok(id.to_string()),
                Sujet::Inscription(id) => Ok(self.store.read(|c| sc::inscription(c, self.perimetre, &id))?.eleve_id),
            })
            .collect()
    }

    /// The pupils a list (`doc` for `cible`, not about one pupil) names: each is journaled, so
    /// that a family's consultation log shows their child was on a printed list.
    pub fn eleves_des_listes(&self, doc: Document, cible: &Cible) -> Result<Vec<EleveId>> {
        let annee = self.annee()?;
        let p = self.perimetre;
        let mut out = Vec::new();
        for s in self.sujets(doc, cible, annee)? {
            let ids = self.store.read(|c| {
                let f = match &s {
                    Sujet::Classe(id) => {
                        let k = classes::classe(c, p, id)?;
                        Filtre { classe: Some(id.clone()), presents: true, ..Filtre::annee(k.annee) }
                    }
                    // The register lists the year's pupils, gone ones included.
                    Sujet::Ecole(id) => Filtre {
                        ecole: Some(id.clone()),
                        presents: doc != Document::RegistreEleves,
                        ..Filtre::annee(annee)
                    },
                    _ => return Ok(Vec::new()),
                };
                Ok(eleves::lister(c, p, &f)?.into_iter().map(|l| l.id).collect::<Vec<_>>())
            })?;
            out.extend(ids);
        }
        Ok(out)
    }

    /// Whether `doc` is about one pupil (then each printed pupil is journaled as such).
    pub fn par_eleve(doc: Document) -> bool {
        !matches!(
            doc,
            Document::ListeClasse
                | Document::RegistreEleves
                | Document::ListeAppel
                | Document::ListeEleves
                | Document::ListeElectorale
        )
    }

    /// Prints `doc` for `cible` as one PDF into `out`: a single document as it is (tagged, and
    /// PDF/A for certificates); several rendered one by one and appended, each on an odd page,
    /// memory bounded by one chunk ([`render::fusion`]). Returns how many documents were made.
    pub fn pdf<W: Write>(&self, doc: Document, cible: &Cible, mut out: W, progress: Progression<'_>) -> Result<usize> {
        let annee = self.annee()?;
        let sujets = self.sujets(doc, cible, annee)?;
        if let [sujet] = sujets.as_slice() {
            let p = self.piece(doc, sujet, annee)?;
            let pdf =
                self.engine.render(doc, &json!({ "documents": [p.data] }), &Stamp { at: self.le, ident: p.ident })?;
            out.write_all(&pdf).map_err(render::Error::from)?;
            progress(1);
            return Ok(1);
        }
        let ident = format!("{}/{}/{sujets:?}", doc.name(), self.le.date());
        let items = sujets.iter().map(|s| self.item(doc, s, annee));
        render::render_pdf(self.engine, doc, items, out, (doc.titre(), &ident), progress)
    }

    /// What a print run of `doc` for `cible` hands to the engine, in print order: each
    /// document's file name and data (`registre bench --comparaison` gives the same data to
    /// other engines).
    pub fn items_cible(&self, doc: Document, cible: &Cible) -> Result<Vec<BatchItem>> {
        let annee = self.annee()?;
        self.sujets(doc, cible, annee)?.iter().map(|s| self.item(doc, s, annee)).collect()
    }

    fn item(&self, doc: Document, sujet: &Sujet, annee: AnneeScolaire) -> Result<BatchItem> {
        self.piece(doc, sujet, annee).map(|p| BatchItem {
            file_name: p.nom_fichier,
            stamp: Stamp { at: self.le, ident: p.ident },
            data: json!({ "documents": [p.data] }),
        })
    }

    /// Prints `doc` for `cible` as a ZIP with one PDF per document, written to `out`; the data
    /// of each document is loaded only when its turn comes, so memory stays bounded. Names are
    /// made for people (`0350255M-Ecole-Les-Tilleuls/CE2-B/CLEMENT_Titouan_fiche-renseignements.pdf`),
    /// ASCII, and unique within the archive.
    pub fn zip<W: Write + Seek>(
        &self,
        doc: Document,
        cible: &Cible,
        out: W,
        progress: Progression<'_>,
    ) -> Result<usize> {
        let annee = self.annee()?;
        let sujets = self.sujets(doc, cible, annee)?;
        let mut pris = std::collections::HashSet::new();
        let items = sujets.iter().map(|s| {
            self.item(doc, s, annee).map(|mut i| {
                i.file_name = unique(&mut pris, &i.file_name);
                i
            })
        });
        render::render_zip(self.engine, doc, items, out, progress)
    }

    /// Data of the base to try `doc`'s template on (`registre check`): the first record it
    /// prints for, `None` when the base has none (no radiated pupil yet, for instance). Must be
    /// an [`Self::essai`] printer: nothing is issued.
    pub fn donnees_essai(&self, doc: Document) -> Result<Option<Value>> {
        let annee = self.annee()?;
        let p = self.perimetre;
        let (eleves, classes, ecoles, inscriptions) = self.store.read(|c| {
            let eleves: Vec<EleveId> = eleves::lister(c, p, &Filtre { limite: 200, ..Filtre::annee(annee) })?
                .into_iter()
                .map(|l| l.id)
                .collect();
            let ecoles = territoires::ecoles(c, p)?;
            let classes = match ecoles.first() {
                Some(e) => classes::classes(c, p, &e.id, annee)?,
                None => Vec::new(),
            };
            let inscriptions = sc::inscriptions(c, p, None, Some(EtatInscription::Inscrit))?;
            Ok((eleves, classes, ecoles, inscriptions))
        })?;
        let sujets: Vec<Sujet> = match doc {
            Document::ListeClasse | Document::ListeAppel => {
                classes.into_iter().take(1).map(|k| Sujet::Classe(k.id)).collect()
            }
            Document::ListeEleves | Document::ListeElectorale | Document::RegistreEleves => {
                ecoles.into_iter().take(1).map(|e| Sujet::Ecole(e.id)).collect()
            }
            Document::CertificatInscription => {
                inscriptions.into_iter().take(1).map(|i| Sujet::Inscription(i.id)).collect()
            }
            _ => eleves.into_iter().map(Sujet::Eleve).collect(),
        };
        for s in &sujets {
            match self.piece(doc, s, annee) {
                Ok(p) => return Ok(Some(json!({ "documents": [p.data] }))),
                Err(Error::Conflit(_) | Error::Introuvable(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// The data of `doc` for one pupil, as the template reads it (`registre bench`).
    pub fn donnees_eleve(&self, doc: Document, eleve: &EleveId, out: &mut Vec<Value>) -> Result<()> {
        let annee = self.annee()?;
        out.push(json!({ "documents": [self.piece(doc, &Sujet::Eleve(eleve.clone()), annee)?.data] }));
        Ok(())
    }

    /// Prints `doc` for the given pupils (each read within the perimeter), as a ZIP or one
    /// merged PDF: the print run's pipeline on an arbitrary list (`registre bench`).
    pub fn lot_eleves<W: Write + Seek>(
        &self,
        doc: Document,
        eleves: &[EleveId],
        zip: bool,
        out: W,
        progress: Progression<'_>,
    ) -> Result<usize> {
        let annee = self.annee()?;
        let mut pris = std::collections::HashSet::new();
        let items = eleves.iter().map(|id| {
            self.item(doc, &Sujet::Eleve(id.clone()), annee).map(|mut i| {
                i.file_name = unique(&mut pris, &i.file_name);
                i
            })
        });
        if zip {
            render::render_zip(self.engine, doc, items, out, progress)
        } else {
            render::render_pdf(self.engine, doc, items, out, (doc.titre(), "bench"), progress)
        }
    }

    /// How many documents `doc` for `cible` makes.
    pub fn compter(&self, doc: Document, cible: &Cible) -> Result<usize> {
        let annee = self.annee()?;
        Ok(self.sujets(doc, cible, annee)?.len())
    }

    /// The school of a UAI, in the perimeter.
    pub fn ecole_par_uai(&self, uai: &Uai) -> Result<EcoleId> {
        Ok(self.store.read(|c| territoires::ecole_par_uai(c, self.perimetre, uai))?.id)
    }
}

/// What a certificate is issued for, and by whom.
struct Emission<'a> {
    genre: &'a str,
    sujet: &'a str,
    eleve: &'a EleveId,
    prefixe: &'a str,
    emetteur: &'a str,
    initiales: &'a str,
}

/// The hash of a document's data (a certificate's seal), without the verification page's
/// address and QR code (an installation's setting, not the certificate's content).
fn empreinte(data: &Value) -> String {
    use sha2::Digest;
    let mut d = data.clone();
    if let Value::Object(m) = &mut d {
        m.remove("qr");
        m.remove("adresse_verification");
    }
    let octets = serde_json::to_vec(&d).unwrap_or_default();
    sha2::Sha256::digest(&octets).iter().map(|b| format!("{b:02x}")).collect()
}

/// The data with the duplicata's mark and date (the templates print it by the title).
fn duplicata(mut data: Value, le: time::Date) -> Value {
    if let Value::Object(m) = &mut data {
        m.insert("duplicata".into(), Value::String(format!("Duplicata délivré le {}", date_longue(le))));
    }
    data
}

/// `nom` if not taken yet, else `nom` with `_2`, `_3`… before its extension.
fn unique(pris: &mut std::collections::HashSet<String>, nom: &str) -> String {
    let (base, ext) = nom.rsplit_once('.').unwrap_or((nom, ""));
    let mut candidat = nom.to_string();
    let mut n = 1;
    while !pris.insert(candidat.clone()) {
        n += 1;
        candidat = if ext.is_empty() { format!("{base}_{n}") } else { format!("{base}_{n}.{ext}") };
    }
    candidat
}

/// A name as a file name: ASCII letters and digits, case kept, accents folded, anything else a
/// hyphen (`École Les Tilleuls` → `Ecole-Les-Tilleuls`), at most 60 characters.
pub fn ascii(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plie: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(|c| match c {
            'œ' => vec!['o', 'e'],
            'Œ' => vec!['O', 'E'],
            'æ' => vec!['a', 'e'],
            'Æ' => vec!['A', 'E'],
            'ß' => vec!['s', 's'],
            c if c.is_ascii_alphanumeric() => vec![c],
            _ => vec!['-'],
        })
        .collect();
    let s = plie.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    let s: String = s.chars().take(60).collect();
    if s.is_empty() { "sans-nom".into() } else { s }
}

/// Where a pupil's document goes in an archive: the school, the class, then the pupil's name.
pub fn nom_humain(uai: &str, ecole: &str, classe: Option<&str>, nom: &str, prenoms: &str, doc: Document) -> String {
    let prenom = prenoms.split_whitespace().next().unwrap_or(prenoms);
    let classe = classe.map(ascii).unwrap_or_else(|| "non-repartis".into());
    format!("{uai}-{}/{classe}/{}_{}_{}.pdf", ascii(ecole), ascii(nom), ascii(prenom), doc.name())
}

/// An ASCII file-name fragment of a name.
pub fn slug(s: &str) -> String {
    let k = crate::domain::identite::cle_recherche(s);
    let k: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    k.split('-').filter(|p| !p.is_empty()).take(4).collect::<Vec<_>>().join("-").chars().take(40).collect()
}

/// The folder where closed years' registers are archived: `registre.db.archives/registre/`.
pub fn dossier_archives(db: &std::path::Path) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".archives");
    std::path::PathBuf::from(s).join("registre")
}

/// Archives the registre des élèves inscrits of every school for a closed year, as PDF/A, one
/// file per school (`<annee>/<UAI>.pdf`, mode 0600). *(design)* The register is the one record
/// kept beyond the pupils' retention (docs/domaine.md §4): it survives as these sealed documents,
/// outside the database, whose content follows the arrêté's retention.
pub fn archiver_registres(
    store: &Store,
    engine: &Engine,
    cles: &Cles,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<usize> {
    let dossier = dossier_archives(store.path()).join(annee.to_string());
    std::fs::create_dir_all(&dossier).map_err(render::Error::from)?;
    let imp = Imprimeur {
        store,
        engine,
        cles,
        perimetre: &Perimetre::Installation,
        le,
        annee: Some(annee),
        colonnes: &[],
        essai: false,
    };
    let ecoles = store.read(|c| sc::ecoles_de_l_annee(c, annee))?;
    for (id, uai) in &ecoles {
        let chemin = dossier.join(format!("{uai}.pdf"));
        let f = crate::config::fichier_prive(&chemin, false).map_err(render::Error::from)?;
        imp.pdf(Document::RegistreEleves, &Cible::Ecole(id.clone()), f, &|_| true)?;
    }
    Ok(ecoles.len())
}
