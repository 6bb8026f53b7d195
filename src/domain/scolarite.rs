//! The state of a yearly schooling record (category IV).

use serde::{Deserialize, Serialize};

use super::identite::ChampInvalide;

/// Where a pupil stands in a school for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatScolarite {
    /// Admitted while a paper is missing.
    AdmisProvisoire,
    /// Admitted, file complete.
    AdmisDefinitif,
    /// Radiated (left during the year, with a certificat de radiation).
    Radie,
    /// Left the school at the end of the year ("quitte l'école").
    Parti,
}

impl EtatScolarite {
    /// Code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            EtatScolarite::AdmisProvisoire => "admis_provisoire",
            EtatScolarite::AdmisDefinitif => "admis_definitif",
            EtatScolarite::Radie => "radie",
            EtatScolarite::Parti => "parti",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatScolarite::AdmisProvisoire => "admis provisoirement",
            EtatScolarite::AdmisDefinitif => "admis",
            EtatScolarite::Radie => "radié",
            EtatScolarite::Parti => "a quitté l'école",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match s {
            "admis_provisoire" => Ok(EtatScolarite::AdmisProvisoire),
            "admis_definitif" => Ok(EtatScolarite::AdmisDefinitif),
            "radie" => Ok(EtatScolarite::Radie),
            "parti" => Ok(EtatScolarite::Parti),
            _ => Err(ChampInvalide::new("état", "inconnu")),
        }
    }

    /// Whether the pupil currently attends the school.
    pub fn est_present(self) -> bool {
        matches!(self, EtatScolarite::AdmisProvisoire | EtatScolarite::AdmisDefinitif)
    }
}
