//! Sets of fields of a pupil's record, by category of the arrêté.

use std::fmt;
use std::ops::{BitAnd, BitOr};

use crate::domain::champs::Groupe;

/// A set of field groups of a pupil's record.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Champs(u16);

impl Champs {
    /// Nothing.
    pub const AUCUN: Champs = Champs(0);
    /// Noms, prénoms, sexe (category I).
    pub const IDENTITE: Champs = Champs::de(Groupe::Identite);
    /// Date and place of birth (category I).
    pub const NAISSANCE: Champs = Champs::de(Groupe::Naissance);
    /// The pupil's address (category I).
    pub const ADRESSE: Champs = Champs::de(Groupe::Adresse);
    /// The INE (category I; never for the mairie).
    pub const INE: Champs = Champs::de(Groupe::Ine);
    /// The school, and the state of inscription or admission.
    pub const ECOLE: Champs = Champs::de(Groupe::Ecole);
    /// Responsables légaux: identity, link, address, phones, e-mail (category II).
    pub const RESPONSABLES: Champs = Champs::de(Groupe::Responsables);
    /// Autorisations: photo, address given to parents' associations (category II).
    pub const AUTORISATIONS: Champs = Champs::de(Groupe::Autorisations);
    /// School insurance (category II).
    pub const ASSURANCE: Champs = Champs::de(Groupe::Assurance);
    /// Emergency contacts and people allowed to collect the child (category III).
    pub const CONTACTS: Champs = Champs::de(Groupe::Contacts);
    /// Schooling: niveau, cycle, class, ULIS, dates, decisions (category IV).
    pub const SCOLARITE: Champs = Champs::de(Groupe::Scolarite);
    /// Périscolaire: canteen, care, study, transport (category V).
    pub const PERISCOLAIRE: Champs = Champs::de(Groupe::Periscolaire);

    /// The état civil the mairie sees by default.
    pub const ETAT_CIVIL: Champs = Champs(Self::IDENTITE.0 | Self::NAISSANCE.0 | Self::ADRESSE.0 | Self::ECOLE.0);
    /// What a département may add for its mairies (never INE, autorisations, insurance).
    pub const MAIRIE_ETENDUE: Champs =
        Champs(Self::RESPONSABLES.0 | Self::CONTACTS.0 | Self::SCOLARITE.0 | Self::PERISCOLAIRE.0);
    /// Everything.
    pub const TOUS: Champs = Champs((1 << Groupe::TOUS.len()) - 1);

    /// Whether every field of `other` is in the set.
    pub fn contient(self, other: Champs) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The set of one group of the field catalogue.
    pub const fn de(g: Groupe) -> Champs {
        Champs(1 << g as u16)
    }

    /// Whether the fields of group `g` are in the set.
    pub fn voit(self, g: Groupe) -> bool {
        self.contient(Self::de(g))
    }

    /// The names of the groups in the set.
    pub fn noms(self) -> Vec<&'static str> {
        Groupe::TOUS.iter().filter(|g| self.voit(**g)).map(|g| g.cle()).collect()
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
