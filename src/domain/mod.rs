//! Pure types and rules of the school register, without I/O: identifiers (UAI, INE, INSEE
//! codes, public ids), niveaux, cycles and années scolaires, names and dates.
//!
//! Everything that enters the system is parsed here into a validated type with a French
//! message on refusal, so that an invalid state cannot be stored.

pub mod commune;
pub mod cycle;
pub mod ecole;
pub mod eleve;
pub mod identite;
pub mod ids;
pub mod ine;
pub mod niveau;
pub mod scolarite;
pub mod uai;

pub use commune::{CommuneError, CommuneInsee};
pub use ecole::{Ecole, EcoleSaisie, Perimetre, Secteur, TypeEcole};
pub use eleve::{
    Civilite, ContactIdentite, ContactSaisie, EleveIdentite, EleveSaisie, Lien, ResponsableIdentite, ResponsableSaisie,
};
pub use identite::{ChampInvalide, Nom, Prenoms, Sexe};
pub use ids::{
    AcademieId, CirconscriptionId, ClasseId, CollegeId, CommuneId, CompteId, ContactId, DepartementId, EcoleId,
    EleveId, IdError, ResponsableId,
};
pub use ine::{Ine, IneError, IneShape, IneWarning};
pub use niveau::{AnneeScolaire, Cycle, Ecart, Niveau, NiveauError};
pub use scolarite::EtatScolarite;
pub use uai::{Uai, UaiError};

/// Any refusal of the domain layer, with its French message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A field failed its rule.
    #[error(transparent)]
    Champ(#[from] ChampInvalide),
    /// A UAI failed its rule.
    #[error("UAI : {0}")]
    Uai(#[from] UaiError),
    /// An INE failed its rule.
    #[error("INE : {0}")]
    Ine(#[from] IneError),
    /// An INSEE code failed its rule.
    #[error("code INSEE : {0}")]
    Commune(#[from] CommuneError),
    /// A niveau, cycle or année failed its rule.
    #[error(transparent)]
    Niveau(#[from] NiveauError),
    /// A lifecycle transition is not allowed in the current state.
    #[error(transparent)]
    Transition(#[from] cycle::Refus),
}

impl Error {
    /// The field concerned, for API errors.
    pub fn champ(&self) -> &'static str {
        match self {
            Error::Champ(c) => c.champ,
            Error::Uai(_) => "uai",
            Error::Ine(_) => "ine",
            Error::Commune(_) => "code INSEE",
            Error::Niveau(NiveauError::Niveau(_)) => "niveau",
            Error::Niveau(NiveauError::Cycle(_)) => "cycle",
            Error::Niveau(NiveauError::Annee(_)) => "année scolaire",
            Error::Transition(_) => "état",
        }
    }
}
