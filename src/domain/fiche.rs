//! A pupil's record as the register keeps it (categories I to V): what the store reads and
//! returns. Each field's key, label and group are in the field catalogue ([`super::champs`]).

use serde::Serialize;
use time::Date;

use super::{
    AnneeScolaire, ClasseId, CommuneInsee, ContactId, ContactIdentite, Cycle, EcoleId, EleveId, EleveIdentite,
    EtatScolarite, Ine, Niveau, ResponsableId, ResponsableIdentite, Sexe, Uai,
};

/// A pupil as listed: identity and this year's schooling.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EleveLigne {
    /// Public id.
    #[schema(value_type = String)]
    pub id: EleveId,
    /// Nom de famille.
    pub nom: String,
    /// Nom d'usage.
    pub nom_usage: Option<String>,
    /// Prénoms.
    pub prenoms: String,
    /// `M` or `F`.
    #[schema(value_type = String)]
    pub sexe: Sexe,
    /// Date of birth (ISO).
    #[schema(value_type = String, format = Date)]
    pub date_naissance: Date,
    /// School id.
    #[schema(value_type = String)]
    pub ecole_id: EcoleId,
    /// School UAI.
    #[schema(value_type = String)]
    pub uai: Uai,
    /// Niveau this year.
    #[schema(value_type = String)]
    pub niveau: Niveau,
    /// Class id, once placed.
    #[schema(value_type = Option<String>)]
    pub classe_id: Option<ClasseId>,
    /// Class label, once placed.
    pub classe: Option<String>,
    /// State of the schooling record.
    pub etat: EtatScolarite,
}

/// Category I.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Eleve {
    /// Public id.
    #[schema(value_type = String)]
    pub id: EleveId,
    /// INE (confidential).
    #[schema(value_type = Option<String>)]
    pub ine: Option<Ine>,
    /// Nom de famille.
    pub nom: String,
    /// Nom d'usage.
    pub nom_usage: Option<String>,
    /// Prénoms.
    pub prenoms: String,
    /// `M` or `F`.
    #[schema(value_type = String)]
    pub sexe: Sexe,
    /// Date of birth.
    #[schema(value_type = String, format = Date)]
    pub date_naissance: Date,
    /// INSEE code of the birthplace.
    #[schema(value_type = String)]
    pub naissance_insee: CommuneInsee,
    /// Birthplace as printed.
    pub naissance_lieu: String,
    /// Street.
    pub adresse: Option<String>,
    /// Postcode.
    pub code_postal: Option<String>,
    /// Commune of residence.
    pub commune_residence: Option<String>,
}

/// A responsable légal of this pupil (category II): the person (shared by siblings) and the
/// link with this pupil.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponsableFiche {
    /// Public id.
    #[schema(value_type = String)]
    pub id: ResponsableId,
    /// Order on documents (1, 2…).
    pub rang: u8,
    /// False only when withdrawn by a court.
    pub autorite_parentale: bool,
    /// Address may be given to parents' associations (this year).
    pub accord_associations: Option<bool>,
    /// The person, with the link (`lien`) to this pupil.
    #[serde(flatten)]
    pub personne: ResponsableIdentite,
}

/// Category III.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Contact {
    /// Public id.
    #[schema(value_type = String)]
    pub id: ContactId,
    /// Order.
    pub rang: u8,
    /// Nom.
    pub nom: String,
    /// Prénom.
    pub prenom: String,
    /// Link.
    pub lien: Option<String>,
    /// Phone.
    pub telephone: String,
    /// Second phone.
    pub telephone_2: Option<String>,
    /// To call in an emergency.
    pub urgence: bool,
    /// Allowed to collect the child.
    pub recuperer: bool,
}

/// Category IV: one yearly record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Scolarite {
    /// Année scolaire.
    #[schema(value_type = String)]
    pub annee: AnneeScolaire,
    /// School id.
    #[schema(value_type = String)]
    pub ecole_id: EcoleId,
    /// School UAI.
    #[schema(value_type = String)]
    pub uai: Uai,
    /// School name.
    pub ecole: String,
    /// Niveau.
    #[schema(value_type = String)]
    pub niveau: Niveau,
    /// Cycle, as stored that year.
    #[schema(value_type = u8)]
    pub cycle: Cycle,
    /// Class id.
    #[schema(value_type = Option<String>)]
    pub classe_id: Option<ClasseId>,
    /// Class label.
    pub classe: Option<String>,
    /// ULIS dispositif (never the disability).
    pub ulis: bool,
    /// State.
    pub etat: EtatScolarite,
    /// Date of admission.
    #[schema(value_type = String, format = Date)]
    pub date_admission: Date,
    /// Date of leaving.
    #[schema(value_type = Option<String>, format = Date)]
    pub date_sortie: Option<Date>,
}

/// Autorisations, insurance and périscolaire of one year (category II and V): as typed, once
/// validated.
pub type Annuel = super::correction::AnnuelSaisie;

/// Everything stored about a pupil.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FicheEleve {
    /// Category I.
    pub eleve: Eleve,
    /// Category IV, newest first.
    pub scolarites: Vec<Scolarite>,
    /// Category II.
    pub responsables: Vec<ResponsableFiche>,
    /// Category III.
    pub contacts: Vec<Contact>,
    /// This year's autorisations, insurance and périscolaire.
    pub annuel: Option<Annuel>,
}

impl FicheEleve {
    /// The record of `annee` in which the pupil attends, or else the newest of that year.
    pub fn scolarite(&self, annee: AnneeScolaire) -> Option<&Scolarite> {
        let of_year = || self.scolarites.iter().filter(move |s| s.annee == annee);
        of_year().find(|s| s.etat.est_present()).or_else(|| of_year().next())
    }
}

impl Eleve {
    /// The record a validated identity gives (to compare with the stored one).
    pub fn depuis(id: EleveId, e: &EleveIdentite) -> Self {
        Eleve {
            id,
            ine: e.ine.clone(),
            nom: e.nom.to_string(),
            nom_usage: e.nom_usage.as_ref().map(ToString::to_string),
            prenoms: e.prenoms.to_string(),
            sexe: e.sexe,
            date_naissance: e.date_naissance,
            naissance_insee: e.naissance_insee.clone(),
            naissance_lieu: e.naissance_lieu.clone(),
            adresse: e.adresse.clone(),
            code_postal: e.code_postal.clone(),
            commune_residence: e.commune_residence.clone(),
        }
    }
}

impl Contact {
    /// The record a validated contact gives (to compare with the stored one).
    pub fn depuis(id: ContactId, rang: u8, k: &ContactIdentite) -> Self {
        Contact {
            id,
            rang,
            nom: k.nom.to_string(),
            prenom: k.prenom.to_string(),
            lien: k.lien.clone(),
            telephone: k.telephone.clone(),
            telephone_2: k.telephone_2.clone(),
            urgence: k.urgence,
            recuperer: k.recuperer,
        }
    }
}
