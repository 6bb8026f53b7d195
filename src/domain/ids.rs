//! Public identifiers: random, 20 characters of lower-case base32 (100 bits), never a rowid and
//! never the INE. A typed id per kind of record, so one cannot be passed for another.

use std::fmt;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// Alphabet of public ids (RFC 4648 base32, lower case; no 0/1/8/9 to avoid confusion).
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Length of every public id.
pub const ID_LEN: usize = 20;

/// Why a string is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("identifiant invalide")]
pub struct IdError;

/// Draws a new random id string from `rng`.
pub fn random_id(rng: &mut impl Rng) -> String {
    (0..ID_LEN).map(|_| char::from(ALPHABET[rng.random_range(0..32)])).collect()
}

fn valid(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| ALPHABET.contains(&b))
}

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A new random id.
            pub fn random(rng: &mut impl Rng) -> Self {
                Self(random_id(rng))
            }

            /// Parses an id received from outside.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                if valid(s) { Ok(Self(s.to_string())) } else { Err(IdError) }
            }

            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                if valid(&s) { Ok(Self(s)) } else { Err(IdError) }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

id_type!(
    /// A pupil.
    EleveId
);
id_type!(
    /// A school.
    EcoleId
);
id_type!(
    /// A class of one année scolaire.
    ClasseId
);
id_type!(
    /// A commune.
    CommuneId
);
id_type!(
    /// A circonscription.
    CirconscriptionId
);
id_type!(
    /// A département.
    DepartementId
);
id_type!(
    /// An académie.
    AcademieId
);
id_type!(
    /// A collège (secondary school receiving CM2 pupils in 6e).
    CollegeId
);
id_type!(
    /// An account.
    CompteId
);
id_type!(
    /// A responsable légal.
    ResponsableId
);
id_type!(
    /// An emergency contact or person allowed to collect the child.
    ContactId
);
id_type!(
    /// A family's request to rectify a field of the record.
    RectificationId
);
id_type!(
    /// A family's opposition for legitimate reasons.
    OppositionId
);

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn random_ids_parse_back_and_differ() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let a = EleveId::random(&mut rng);
        let b = EleveId::random(&mut rng);
        assert_ne!(a, b);
        assert_eq!(EleveId::parse(a.as_str()), Ok(a.clone()));
        assert_eq!(a.as_str().len(), ID_LEN);
    }

    #[test]
    fn hostile_ids_are_refused() {
        for bad in [
            "",
            "1",
            "../../etc/passwd",
            "ABCDEFGHIJKLMNOPQRST",
            "abcdefghijklmnopqrs1",
            "abcdefghijklmnopqrstu",
            "' OR 1=1 --",
        ] {
            assert_eq!(EleveId::parse(bad), Err(IdError), "{bad}");
        }
    }
}
