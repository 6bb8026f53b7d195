//! Sets of fields of a pupil's record, by category of the arrêté.

use std::fmt;
use std::ops::{BitAnd, BitOr};

/// A set of field groups of a pupil's record.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Champs(u16);

impl Champs {
    /// Nothing.
    pub const AUCUN: Champs = Champs(0);
    /// Noms, prénoms, sexe (category I).
    pub const IDENTITE: Champs = Champs(1);
    /// Date and place of birth (category I).
    pub const NAISSANCE: Champs = Champs(1 << 1);
    /// The pupil's address (category I).
    pub const ADRESSE: Champs = Champs(1 << 2);
    /// The INE (category I; never for the mairie).
    pub const INE: Champs = Champs(1 << 3);
    /// The school, and the state of inscription or admission.
    pub const ECOLE: Champs = Champs(1 << 4);
    /// Responsables légaux: identity, link, address, phones, e-mail (category II).
    pub const RESPONSABLES: Champs = Champs(1 << 5);
    /// Autorisations: photo, address given to parents' associations (category II).
    pub const AUTORISATIONS: Champs = Champs(1 << 6);
    /// School insurance (category II).
    pub const ASSURANCE: Champs = Champs(1 << 7);
    /// Emergency contacts and people allowed to collect the child (category III).
    pub const CONTACTS: Champs = Champs(1 << 8);
    /// Schooling: niveau, cycle, class, ULIS, dates, decisions (category IV).
    pub const SCOLARITE: Champs = Champs(1 << 9);
    /// Périscolaire: canteen, care, study, transport (category V).
    pub const PERISCOLAIRE: Champs = Champs(1 << 10);

    /// The état civil the mairie sees by default.
    pub const ETAT_CIVIL: Champs = Champs(Self::IDENTITE.0 | Self::NAISSANCE.0 | Self::ADRESSE.0 | Self::ECOLE.0);
    /// What a département may add for its mairies (never INE, autorisations, insurance).
    pub const MAIRIE_ETENDUE: Champs =
        Champs(Self::RESPONSABLES.0 | Self::CONTACTS.0 | Self::SCOLARITE.0 | Self::PERISCOLAIRE.0);
    /// Everything.
    pub const TOUS: Champs = Champs((1 << 11) - 1);

    const NOMS: [&'static str; 11] = [
        "identite",
        "naissance",
        "adresse",
        "ine",
        "ecole",
        "responsables",
        "autorisations",
        "assurance",
        "contacts",
        "scolarite",
        "periscolaire",
    ];

    /// Whether every field of `other` is in the set.
    pub fn contient(self, other: Champs) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the groups in the set.
    pub fn noms(self) -> Vec<&'static str> {
        Self::NOMS.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n).collect()
    }
}

impl BitOr for Champs {
    type Output = Champs;
    fn bitor(self, rhs: Champs) -> Champs {
        Champs(self.0 | rhs.0)
    }
}

impl BitAnd for Champs {
    type Output = Champs;
    fn bitand(self, rhs: Champs) -> Champs {
        Champs(self.0 & rhs.0)
    }
}

impl fmt::Debug for Champs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Champs{:?}", self.noms())
    }
}
