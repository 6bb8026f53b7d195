//! The data each template reads: the school, the signatory and the pupil as printed, and the
//! view of each document (certificates, fiches, lists, register, notifications).

use super::*;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::domain::champs::ChampResponsable;
use crate::domain::identite::{date_fr, date_longue};
use crate::domain::{AnneeScolaire, CommuneInsee, Sexe};
use crate::render::{self};
use crate::store::eleves::{self, FicheEleve};
use crate::store::territoires::EnTete;

/// A school's header (every school document).
#[derive(Debug, Clone, Serialize)]
pub struct EcoleDoc {
    pub(crate) nom: String,
    pub(crate) uai: String,
    pub(crate) adresse: Vec<String>,
    pub(crate) telephone: Option<String>,
    pub(crate) courriel: Option<String>,
    pub(crate) academie: String,
    pub(crate) departement: String,
    pub(crate) circonscription: String,
}

/// Who signs for the school.
#[derive(Debug, Clone, Serialize)]
pub struct SignataireDoc {
    pub(crate) nom: Option<String>,
    pub(crate) qualite: &'static str,
    pub(crate) qualite_majuscule: &'static str,
    pub(crate) feminin: bool,
}

/// A pupil's identity as documents print it.
#[derive(Debug, Clone, Serialize)]
pub struct EleveDoc {
    pub(crate) nom: String,
    pub(crate) nom_usage: Option<String>,
    pub(crate) prenoms: String,
    pub(crate) sexe: &'static str,
    pub(crate) sexe_libelle: &'static str,
    pub(crate) date_naissance: String,
    pub(crate) lieu_naissance: String,
    pub(crate) adresse: Vec<String>,
}

/// The schooling a certificat de scolarité states.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScolariteCertifiee {
    pub(crate) niveau: &'static str,
    pub(crate) niveau_libelle: &'static str,
    pub(crate) cycle: String,
    pub(crate) classe: Option<String>,
    pub(crate) depuis: String,
}

/// The data of a certificat de scolarité; the certificate's number and code are added when it
/// is issued ([`Certification`]).
#[derive(Debug, Clone, Serialize)]
pub struct CertificatScolarite {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) eleve: EleveDoc,
    pub(crate) scolarite: ScolariteCertifiee,
    pub(crate) signataire: SignataireDoc,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
    #[serde(flatten)]
    pub(crate) certification: Option<Certification>,
}

/// What an issued certificate carries: its number, verification code, the page that checks it
/// and its QR code, and the date of issue.
#[derive(Debug, Clone, Serialize)]
pub struct Certification {
    pub(crate) numero: String,
    pub(crate) code: String,
    /// Who issued it (the school, or the mairie): who confirms it when the installation has no
    /// public address.
    pub(crate) emetteur: String,
    pub(crate) adresse_verification: Option<String>,
    pub(crate) qr: Option<String>,
}

pub(crate) fn valeur(v: &impl Serialize) -> Result<Value> {
    Ok(serde_json::to_value(v).map_err(render::Error::from)?)
}

pub(crate) fn ecole_json(t: &EnTete) -> EcoleDoc {
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

pub(crate) fn lieu_naissance(insee: &CommuneInsee, lieu: &str) -> String {
    if insee.est_a_completer() {
        return "lieu de naissance à compléter".into();
    }
    match insee.departement() {
        Some(dep) => format!("{lieu} ({dep})"),
        None => lieu.to_string(),
    }
}

pub(crate) fn sexe_libelle(s: Sexe) -> &'static str {
    match s {
        Sexe::F => "féminin",
        Sexe::M => "masculin",
    }
}

pub(crate) fn lignes_adresse(
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

pub(crate) fn signataire(t: &EnTete) -> SignataireDoc {
    let (qualite, qualite_majuscule) =
        if t.direction_feminin { ("directrice", "La directrice") } else { ("directeur", "Le directeur") };
    SignataireDoc { nom: t.direction_nom.clone(), qualite, qualite_majuscule, feminin: t.direction_feminin }
}

pub(crate) fn eleve_json(e: &eleves::Eleve) -> EleveDoc {
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
pub(crate) struct ResponsableDoc {
    pub(crate) identite: String,
    pub(crate) lien: &'static str,
    pub(crate) adresse: Vec<String>,
    pub(crate) telephones: TelephonesDoc,
    pub(crate) courriel: Option<String>,
    pub(crate) autorite_parentale: bool,
    pub(crate) accord_associations: Option<bool>,
}

/// A responsable's phones by short name (`portable`, `domicile`, `travail`), empty ones too.
pub(crate) type TelephonesDoc = std::collections::BTreeMap<&'static str, Option<String>>;

/// A person to contact as the fiche prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContactDoc {
    pub(crate) identite: String,
    pub(crate) lien: Option<String>,
    pub(crate) telephones: Vec<String>,
    pub(crate) urgence: bool,
    pub(crate) recuperer: bool,
}

impl ContactDoc {
    /// A person to contact as a document prints them: name, link, phones (the first first),
    /// whom to call in an emergency, who may fetch the child.
    pub(crate) fn de(c: &eleves::Contact) -> Self {
        ContactDoc {
            identite: format!("{} {}", c.prenom, c.nom),
            lien: c.lien.clone(),
            telephones: telephones_contact(c),
            urgence: c.urgence,
            recuperer: c.recuperer,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ScolariteFiche {
    pub(crate) niveau: &'static str,
    pub(crate) classe: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AutorisationsDoc {
    pub(crate) photo: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AssuranceDoc {
    pub(crate) assureur: String,
    pub(crate) numero: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PeriscolaireDoc {
    pub(crate) cantine: Option<bool>,
    pub(crate) garderie_matin: Option<bool>,
    pub(crate) garderie_soir: Option<bool>,
    pub(crate) etude: Option<bool>,
    pub(crate) transport: Option<bool>,
}

/// A yes/no answer of the year, as a form prints it: the question, and the answer if known.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ChoixDoc {
    pub(crate) libelle: &'static str,
    pub(crate) valeur: Option<bool>,
}

impl ChoixDoc {
    /// The yes/no fields of the yearly record, in the catalogue's order.
    pub(crate) fn de(a: &crate::domain::correction::AnnuelSaisie) -> Vec<Self> {
        use crate::domain::champs::ChampAnnuel;
        ChampAnnuel::TOUS
            .iter()
            .filter(|c| c.formulaire().genre == "oui_non")
            .map(|c| ChoixDoc { libelle: c.formulaire().libelle, valeur: c.valeur(a).as_bool() })
            .collect()
    }
}

/// The data of a fiche de renseignements.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FicheRenseignements {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) eleve: EleveDoc,
    pub(crate) scolarite: ScolariteFiche,
    pub(crate) responsables: Vec<ResponsableDoc>,
    pub(crate) contacts: Vec<ContactDoc>,
    pub(crate) autorisations: AutorisationsDoc,
    pub(crate) assurance: Option<AssuranceDoc>,
    pub(crate) periscolaire: PeriscolaireDoc,
    /// Every yes/no answer of the year (autorisations, périscolaire), from the field catalogue:
    /// a field added there prints here without touching the template.
    pub(crate) choix: Vec<ChoixDoc>,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
}

/// A line of a class list.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EleveListe {
    pub(crate) nom: String,
    pub(crate) prenoms: String,
    pub(crate) sexe: &'static str,
    pub(crate) date_naissance: String,
    pub(crate) niveau: &'static str,
}

/// Girls and boys of a niveau in a class.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EffectifNiveau {
    pub(crate) niveau: &'static str,
    pub(crate) filles: usize,
    pub(crate) garcons: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClasseDoc {
    pub(crate) libelle: String,
    pub(crate) niveaux: String,
    pub(crate) enseignant: Option<String>,
}

/// The data of a liste de classe.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListeClasse {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) classe: ClasseDoc,
    pub(crate) eleves: Vec<EleveListe>,
    pub(crate) effectifs: Vec<EffectifNiveau>,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
}

/// A line of the registre des élèves inscrits (its own columns only).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LigneRegistreDoc {
    pub(crate) nom: String,
    pub(crate) prenoms: String,
    pub(crate) date_naissance: String,
    pub(crate) responsables: Vec<String>,
    pub(crate) adresse: String,
    pub(crate) ecole_precedente: Option<String>,
    pub(crate) radiation_precedente: Option<String>,
    pub(crate) inscription: String,
    pub(crate) radiation: Option<String>,
    pub(crate) observations: Option<String>,
}

/// The data of the registre des élèves inscrits.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegistreDoc {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) lignes: Vec<LigneRegistreDoc>,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct MairieDoc {
    pub(crate) commune: String,
    pub(crate) insee: String,
    pub(crate) departement: String,
}

/// The designated school, as the certificat d'inscription prints it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EcoleDesignee {
    pub(crate) nom: String,
    pub(crate) uai: String,
    pub(crate) adresse: Vec<String>,
}

/// The data of a certificat d'inscription.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CertificatInscription {
    pub(crate) mairie: MairieDoc,
    pub(crate) annee: String,
    pub(crate) eleve: EleveDoc,
    pub(crate) responsables: Vec<String>,
    pub(crate) mode: &'static str,
    pub(crate) niveau: &'static str,
    pub(crate) niveau_libelle: &'static str,
    pub(crate) ecole: Option<EcoleDesignee>,
    #[serde(flatten)]
    pub(crate) certification: Certification,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
    pub(crate) signataire: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RadiationDoc {
    pub(crate) date: String,
    pub(crate) classe: Option<String>,
    pub(crate) niveau: String,
    pub(crate) decision: Option<String>,
    pub(crate) motif: Option<&'static str>,
    pub(crate) destination: Option<String>,
    pub(crate) depuis: String,
}

/// The data of a certificat de radiation (the family's copy and the mairie's).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CertificatRadiation {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) eleve: EleveDoc,
    pub(crate) radiation: RadiationDoc,
    pub(crate) exemplaires: [String; 2],
    #[serde(flatten)]
    pub(crate) certification: Certification,
    pub(crate) signataire: SignataireDoc,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PassageDoc {
    pub(crate) niveau: &'static str,
    pub(crate) classe: Option<String>,
    pub(crate) type_libelle: &'static str,
    pub(crate) niveau_suivant: String,
    pub(crate) propose_le: Option<String>,
    pub(crate) limite_reponse: Option<String>,
    pub(crate) decide_le: String,
    pub(crate) limite_recours: Option<String>,
}

/// The data of a notification de poursuite de scolarité (proposal or decision).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NotificationPassage {
    pub(crate) ecole: EcoleDoc,
    pub(crate) annee: String,
    pub(crate) eleve: EleveDoc,
    pub(crate) responsables: Vec<String>,
    pub(crate) variante: &'static str,
    pub(crate) passage: PassageDoc,
    pub(crate) signataire: SignataireDoc,
    pub(crate) fait_a: String,
    pub(crate) fait_le: String,
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
            identite: r.personne.designation(),
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
    let contacts = f.contacts.iter().map(ContactDoc::de).collect();
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
        choix: ChoixDoc::de(&a),
        fait_a: t.commune.clone(),
        fait_le: date_longue(le.date()),
    })
}
