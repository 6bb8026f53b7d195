//! Schools and perimeters: the kinds of school, and the territories an account may cover.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::identite::{ChampInvalide, nettoyer, parse_courriel, parse_telephone};
use super::{
    AcademieId, CirconscriptionId, CollegeId, CommuneId, DepartementId, EcoleId, Error, Niveau, ResponsableId, Uai,
};

/// The kind of a school, which bounds the niveaux it admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeEcole {
    /// TPS to GS.
    Maternelle,
    /// CP to CM2.
    Elementaire,
    /// TPS to CM2.
    Primaire,
}

impl TypeEcole {
    /// Code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            TypeEcole::Maternelle => "maternelle",
            TypeEcole::Elementaire => "elementaire",
            TypeEcole::Primaire => "primaire",
        }
    }

    /// French label (« École élémentaire »).
    pub fn libelle(self) -> &'static str {
        match self {
            TypeEcole::Maternelle => "école maternelle",
            TypeEcole::Elementaire => "école élémentaire",
            TypeEcole::Primaire => "école primaire",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match super::identite::cle_recherche(s).as_str() {
            "maternelle" => Ok(TypeEcole::Maternelle),
            "elementaire" => Ok(TypeEcole::Elementaire),
            "primaire" => Ok(TypeEcole::Primaire),
            _ => Err(ChampInvalide::new("type d'école", "attendu : maternelle, elementaire ou primaire")),
        }
    }

    /// Whether a pupil of this niveau may be schooled here.
    pub fn admet(self, niveau: Niveau) -> bool {
        match self {
            TypeEcole::Maternelle => niveau.est_maternelle(),
            TypeEcole::Elementaire => !niveau.est_maternelle(),
            TypeEcole::Primaire => true,
        }
    }
}

impl fmt::Display for TypeEcole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Public or private (sous contrat) school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Secteur {
    /// Public.
    Public,
    /// Private under contract.
    Prive,
}

impl Secteur {
    /// Code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Secteur::Public => "public",
            Secteur::Prive => "prive",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match super::identite::cle_recherche(s).as_str() {
            "public" => Ok(Secteur::Public),
            "prive" => Ok(Secteur::Prive),
            _ => Err(ChampInvalide::new("secteur", "attendu : public ou prive")),
        }
    }
}

/// A school as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EcoleSaisie {
    /// UAI (7 digits and the check letter).
    #[schema(pattern = "^[0-9]{7}[A-Z]$")]
    pub uai: String,
    /// Name (« École élémentaire Jean-Moulin »).
    #[schema(min_length = 1)]
    pub nom: String,
    /// `maternelle`, `elementaire` or `primaire`.
    #[serde(rename = "type")]
    #[schema(pattern = "^(maternelle|elementaire|primaire)$")]
    pub type_ecole: String,
    /// `public` or `prive`.
    #[serde(default)]
    #[schema(pattern = "^(public|prive)$")]
    pub secteur: Option<String>,
    /// Commune id.
    pub commune_id: String,
    /// Circonscription id.
    pub circonscription_id: String,
    /// Street.
    #[schema(min_length = 1)]
    pub adresse: String,
    /// Phone.
    #[serde(default)]
    pub telephone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub courriel: Option<String>,
    /// Director's name, for the signature block.
    #[serde(default)]
    pub direction_nom: Option<String>,
    /// Whether to write « la directrice ».
    #[serde(default)]
    pub direction_feminin: bool,
}

/// A validated school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ecole {
    /// UAI.
    pub uai: Uai,
    /// Name.
    pub nom: String,
    /// Kind.
    pub type_ecole: TypeEcole,
    /// Sector.
    pub secteur: Secteur,
    /// Commune.
    pub commune_id: CommuneId,
    /// Circonscription.
    pub circonscription_id: CirconscriptionId,
    /// Street.
    pub adresse: String,
    /// Phone.
    pub telephone: Option<String>,
    /// E-mail.
    pub courriel: Option<String>,
    /// Director's name.
    pub direction_nom: Option<String>,
    /// « la directrice ».
    pub direction_feminin: bool,
}

impl EcoleSaisie {
    /// Validates every field, reporting every refusal at once under the request's keys
    /// (`nom`, `adresse`, `uai`…).
    pub fn valider(&self) -> Result<Ecole, Error> {
        let obligatoire = |champ: &'static str, v: Result<String, ChampInvalide>| {
            v.and_then(|v| if v.is_empty() { Err(ChampInvalide::new(champ, "obligatoire")) } else { Ok(v) })
        };
        let opt = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let mut er = super::Erreurs::default();
        let nom = er.garder("nom", obligatoire("nom de l'école", nettoyer("nom de l'école", &self.nom, 120)));
        let adresse =
            er.garder("adresse", obligatoire("adresse de l'école", nettoyer("adresse de l'école", &self.adresse, 150)));
        let uai = er.garder("uai", Uai::parse(&self.uai));
        let type_ecole = er.garder("type", TypeEcole::parse(&self.type_ecole));
        let secteur = er.garder("secteur", opt(&self.secteur).map_or(Ok(Secteur::Public), |s| Secteur::parse(&s)));
        let commune_id = er.garder(
            "commune_id",
            CommuneId::parse(self.commune_id.trim()).map_err(|_| ChampInvalide::new("commune", "identifiant inconnu")),
        );
        let circonscription_id = er.garder(
            "circonscription_id",
            CirconscriptionId::parse(self.circonscription_id.trim())
                .map_err(|_| ChampInvalide::new("circonscription", "identifiant inconnu")),
        );
        let telephone = er
            .garder("telephone", opt(&self.telephone).map(|t| parse_telephone("téléphone de l'école", &t)).transpose());
        let courriel = er.garder("courriel", opt(&self.courriel).map(|c| parse_courriel(&c)).transpose());
        let direction_nom = er.garder(
            "direction_nom",
            opt(&self.direction_nom).map(|n| nettoyer("nom de la direction", &n, 100)).transpose(),
        );
        er.finir()?;
        Ok(Ecole {
            uai: super::tenu(uai, "uai")?,
            nom: super::tenu(nom, "nom")?,
            type_ecole: super::tenu(type_ecole, "type")?,
            secteur: super::tenu(secteur, "secteur")?,
            commune_id: super::tenu(commune_id, "commune_id")?,
            circonscription_id: super::tenu(circonscription_id, "circonscription_id")?,
            adresse: super::tenu(adresse, "adresse")?,
            telephone: super::tenu(telephone, "telephone")?,
            courriel: super::tenu(courriel, "courriel")?,
            direction_nom: super::tenu(direction_nom, "direction_nom")?,
            direction_feminin: self.direction_feminin,
        })
    }
}

/// The territory an account covers; every query is scoped to it in SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "lowercase")]
pub enum Perimetre {
    /// The whole installation (the operator's CLI; technical accounts see no pupil anyway).
    Installation,
    /// An académie.
    Academie(AcademieId),
    /// A département.
    Departement(DepartementId),
    /// A circonscription.
    Circonscription(CirconscriptionId),
    /// A commune (its mairie).
    Commune(CommuneId),
    /// A school.
    Ecole(EcoleId),
    /// A responsable légal's own children.
    Responsable(ResponsableId),
    /// A collège: the pupils assigned to it for 6e.
    College(CollegeId),
}

impl Perimetre {
    /// The kind, as stored (`ecole`, `commune`…).
    pub fn genre(&self) -> &'static str {
        match self {
            Perimetre::Installation => "installation",
            Perimetre::Academie(_) => "academie",
            Perimetre::Departement(_) => "departement",
            Perimetre::Circonscription(_) => "circonscription",
            Perimetre::Commune(_) => "commune",
            Perimetre::Ecole(_) => "ecole",
            Perimetre::Responsable(_) => "responsable",
            Perimetre::College(_) => "college",
        }
    }

    /// The id of the territory, if any.
    pub fn id(&self) -> Option<&str> {
        match self {
            Perimetre::Installation => None,
            Perimetre::Academie(i) => Some(i.as_str()),
            Perimetre::Departement(i) => Some(i.as_str()),
            Perimetre::Circonscription(i) => Some(i.as_str()),
            Perimetre::Commune(i) => Some(i.as_str()),
            Perimetre::Ecole(i) => Some(i.as_str()),
            Perimetre::Responsable(i) => Some(i.as_str()),
            Perimetre::College(i) => Some(i.as_str()),
        }
    }

    /// Rebuilds a perimeter from its stored kind and id.
    pub fn depuis(genre: &str, id: Option<&str>) -> Option<Perimetre> {
        let id = id.unwrap_or("");
        Some(match genre {
            "installation" => Perimetre::Installation,
            "academie" => Perimetre::Academie(AcademieId::parse(id).ok()?),
            "departement" => Perimetre::Departement(DepartementId::parse(id).ok()?),
            "circonscription" => Perimetre::Circonscription(CirconscriptionId::parse(id).ok()?),
            "commune" => Perimetre::Commune(CommuneId::parse(id).ok()?),
            "ecole" => Perimetre::Ecole(EcoleId::parse(id).ok()?),
            "responsable" => Perimetre::Responsable(ResponsableId::parse(id).ok()?),
            "college" => Perimetre::College(CollegeId::parse(id).ok()?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_kinds_bound_the_niveaux() {
        assert!(TypeEcole::Maternelle.admet(Niveau::Gs));
        assert!(!TypeEcole::Maternelle.admet(Niveau::Cp));
        assert!(TypeEcole::Elementaire.admet(Niveau::Cp));
        assert!(!TypeEcole::Elementaire.admet(Niveau::Ps));
        assert!(Niveau::ALL.iter().all(|n| TypeEcole::Primaire.admet(*n)));
    }

    #[test]
    fn a_school_with_a_wrong_uai_key_is_refused() {
        let s = EcoleSaisie {
            uai: "0350760M".into(),
            nom: "École".into(),
            type_ecole: "primaire".into(),
            commune_id: "a".repeat(20),
            circonscription_id: "b".repeat(20),
            adresse: "1 rue".into(),
            ..Default::default()
        };
        let err = s.valider().unwrap_err();
        assert!(err.to_string().contains("lettre clé"), "{err}");
        assert!(EcoleSaisie { uai: "0350760L".into(), ..s.clone() }.valider().is_ok());
        // Every refusal at once, each under the request's key.
        let err = EcoleSaisie { nom: " ".into(), adresse: "1 rue\u{202E}".into(), telephone: Some("12".into()), ..s }
            .valider()
            .unwrap_err();
        let Error::Champs(l) = err else { panic!("{err:?}") };
        let cles: Vec<&str> = l.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(cles, ["nom", "adresse", "uai", "telephone"]);
        assert!(l[0].message.contains("nom de l'école") && l[1].message.contains("U+202E"), "{l:?}");
    }
}
