//! Pure types and rules of the school register, without I/O: identifiers (UAI, INE, INSEE
//! codes, public ids), niveaux, cycles and années scolaires, names and dates.
//!
//! Everything that enters the system is parsed here into a validated type with a French
//! message on refusal, so that an invalid state cannot be stored.

pub mod archive;
pub mod champs;
pub mod commune;
pub mod constat;
pub mod correction;
pub mod document;
pub mod ecole;
pub mod election;
pub mod eleve;
pub mod fiche;
pub mod identite;
pub mod ids;
pub(crate) mod imprimable;
pub mod ine;
pub mod niveau;
pub mod onde;
pub mod parcours;
#[cfg(test)]
mod proprietes;
pub mod responsable;
pub mod scolarite;
pub mod secret;
pub mod tri;
pub mod uai;
pub mod verification;

pub use commune::{CommuneError, CommuneInsee};
pub use document::{Colonne, Document};
pub use ecole::{Ecole, EcoleSaisie, Perimetre, Secteur, TypeEcole};
pub use eleve::{ContactIdentite, ContactSaisie, EleveIdentite, EleveSaisie};
pub use identite::{ChampInvalide, Nom, Prenoms, Sexe};
pub use ids::{
    AcademieId, CirconscriptionId, ClasseId, CollegeId, CommuneId, CompteId, ContactId, DepartementId, EcoleId,
    EleveId, IdError, OppositionId, RectificationId, ResponsableId,
};
pub use ine::{Ine, IneError, IneShape, IneWarning};
pub use niveau::{AnneeScolaire, Cycle, Ecart, Niveau, NiveauError};
pub use responsable::{Civilite, Lien, ResponsableIdentite, ResponsableSaisie};
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
    Transition(#[from] parcours::Refus),
    /// Several fields refused at once (a form shows each beside its field).
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ; "))]
    Champs(Vec<ErreurChamp>),
}

/// One refused field of an input: its key in the request (`eleve.date_naissance`,
/// `responsables[0].nom`) and the French message, which names the field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ErreurChamp {
    /// The field's key in the request (dotted path; an index for a list's item).
    pub champ: String,
    /// The French message.
    pub message: String,
}

/// Collects every field's refusal of an input, so that all are reported at once (a form shows
/// each beside its field) instead of the first only.
#[derive(Debug, Default)]
pub struct Erreurs(Vec<ErreurChamp>);

impl Erreurs {
    /// The value, or `None` with the refusal noted under `cle`.
    pub fn garder<T, E: Into<Error>>(&mut self, cle: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.ajouter(cle, e.into());
                None
            }
        }
    }

    /// Notes a refusal under `cle`; an error that already lists fields keeps each, its keys
    /// prefixed by `cle`.
    pub fn ajouter(&mut self, cle: &str, e: Error) {
        match e {
            Error::Champs(l) => self.0.extend(l.into_iter().map(|c| ErreurChamp {
                champ: match (cle.is_empty(), c.champ.is_empty()) {
                    (true, _) => c.champ,
                    (false, true) => cle.to_string(),
                    (false, false) => format!("{cle}.{}", c.champ),
                },
                message: c.message,
            })),
            e => self.0.push(ErreurChamp { champ: cle.to_string(), message: e.to_string() }),
        }
    }

    /// Whether nothing was refused.
    pub fn vide(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when nothing was refused, else every refusal.
    pub fn finir(self) -> Result<(), Error> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Champs(self.0)) }
    }
}

/// Unwraps values kept by [`Erreurs::garder`] after [`Erreurs::finir`] returned `Ok`: each is
/// then `Some`; a `None` (a programming error) is reported as a refusal of `cle`, never a panic.
pub fn tenu<T>(v: Option<T>, cle: &str) -> Result<T, Error> {
    v.ok_or_else(|| {
        Error::Champs(vec![ErreurChamp { champ: cle.into(), message: format!("{cle} : valeur manquante") }])
    })
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
            Error::Champs(_) => "champs",
        }
    }
}

/// Checks the installation's public address (printed, with a QR code, on every certificate):
/// `https://` (or `http://`) then a host and an optional path, in plain ASCII, without
/// credentials, query or fragment. Returns it without its trailing `/`.
pub fn adresse_publique(saisie: &str) -> Result<String, String> {
    let s = saisie.trim().trim_end_matches('/');
    let reste = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("adresse publique « {} » : elle doit commencer par https://", abrege(s)))?;
    if s.len() > 200 {
        return Err("adresse publique trop longue (200 caractères au plus)".into());
    }
    let hote = reste.split('/').next().unwrap_or("");
    if hote.is_empty() || hote.starts_with(['.', '-', ':']) {
        return Err(format!("adresse publique « {} » : le nom du serveur manque", abrege(s)));
    }
    if let Some(c) = reste.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._~:/%[]".contains(*c))) {
        return Err(format!(
            "adresse publique « {} » : caractère « {} » refusé (ni espace, ni identifiants, ni paramètres)",
            abrege(s),
            c.escape_default()
        ));
    }
    Ok(s.to_string())
}

fn abrege(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::adresse_publique;

    #[test]
    fn a_public_address_is_an_http_url_without_credentials_query_or_trailing_slash() {
        assert_eq!(adresse_publique(" https://registre.ac-exemple.fr/ ").unwrap(), "https://registre.ac-exemple.fr");
        assert_eq!(adresse_publique("https://ac.fr:8443/registre").unwrap(), "https://ac.fr:8443/registre");
        assert_eq!(adresse_publique("http://[::1]:8080").unwrap(), "http://[::1]:8080");
        for refusee in [
            "",
            "registre.ac-exemple.fr",
            "ftp://ac.fr",
            "javascript:alert(1)",
            "https://",
            "https:///chemin",
            "https://user:pass@ac.fr",
            "https://ac.fr/?x=1",
            "https://ac.fr/#a",
            "https://ac fr",
            "https://ac.fr/\na",
            "https://écoles.fr",
            "https://ac.fr/\"#]",
        ] {
            assert!(adresse_publique(refusee).is_err(), "{refusee:?} accepted");
        }
        assert!(adresse_publique(&format!("https://{}.fr", "a".repeat(300))).unwrap_err().contains("trop longue"));
    }
}
