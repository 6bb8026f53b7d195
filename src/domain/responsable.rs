//! A responsable légal (category II): the link with the pupil, the person as typed and as
//! validated, and the person as the register keeps it for one pupil.
//!
//! Each field's key, label and group are in the field catalogue ([`super::champs`]); this file
//! holds the values.

use serde::{Deserialize, Serialize};

use super::Error;
use super::eleve::{texte_optionnel, vide};
use super::identite::{ChampInvalide, Nom, Prenoms, parse_code_postal, parse_courriel, parse_telephone};

/// The link of a responsable légal with the pupil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lien {
    /// Mother.
    Mere,
    /// Father.
    Pere,
    /// Legal guardian (tuteur).
    Tuteur,
    /// A third party holding parental authority in place of the parents.
    Tiers,
}

impl Lien {
    /// Every link.
    pub const TOUS: [Lien; 4] = [Lien::Mere, Lien::Pere, Lien::Tuteur, Lien::Tiers];

    /// Code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Lien::Mere => "mere",
            Lien::Pere => "pere",
            Lien::Tuteur => "tuteur",
            Lien::Tiers => "tiers",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Lien::Mere => "mère",
            Lien::Pere => "père",
            Lien::Tuteur => "tuteur ou tutrice",
            Lien::Tiers => "tiers délégataire de l'autorité parentale",
        }
    }

    /// Parses a stored code or a French word.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match super::identite::cle_recherche(s).as_str() {
            "mere" => Ok(Lien::Mere),
            "pere" => Ok(Lien::Pere),
            "tuteur" | "tutrice" => Ok(Lien::Tuteur),
            "tiers" => Ok(Lien::Tiers),
            _ => Err(ChampInvalide::new("lien", "attendu : mère, père, tuteur ou tiers")),
        }
    }
}

/// Civilité of a responsable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Civilite {
    /// Monsieur.
    #[serde(rename = "M.")]
    M,
    /// Madame.
    #[serde(rename = "Mme")]
    Mme,
}

impl Civilite {
    /// `M.` or `Mme`.
    pub fn code(self) -> &'static str {
        match self {
            Civilite::M => "M.",
            Civilite::Mme => "Mme",
        }
    }

    /// Parses `M.`, `M`, `Mme`, `MME`, `Madame`, `Monsieur`.
    pub fn parse(s: &str) -> Result<Self, ChampInvalide> {
        match super::identite::cle_recherche(s).as_str() {
            "m" | "monsieur" | "mr" => Ok(Civilite::M),
            "mme" | "madame" => Ok(Civilite::Mme),
            _ => Err(ChampInvalide::new("civilité", "attendu : M. ou Mme")),
        }
    }
}

/// A responsable légal as typed (category II).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsableSaisie {
    /// `M.` or `Mme`.
    #[serde(default)]
    #[schema(pattern = "^(M\\.|Mme)$")]
    pub civilite: Option<String>,
    /// Nom.
    #[schema(min_length = 1)]
    pub nom: String,
    /// Prénom.
    #[schema(min_length = 1)]
    pub prenom: String,
    /// `mere`, `pere`, `tuteur` or `tiers`.
    #[schema(pattern = "^(mere|pere|tuteur|tiers)$")]
    pub lien: String,
    /// Street.
    #[serde(default)]
    pub adresse: Option<String>,
    /// Postcode.
    #[serde(default)]
    pub code_postal: Option<String>,
    /// Commune.
    #[serde(default)]
    pub commune: Option<String>,
    /// Country, when abroad.
    #[serde(default)]
    pub pays: Option<String>,
    /// Home phone.
    #[serde(default)]
    pub tel_domicile: Option<String>,
    /// Work phone.
    #[serde(default)]
    pub tel_travail: Option<String>,
    /// Mobile phone.
    #[serde(default)]
    pub tel_portable: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub courriel: Option<String>,
}

/// A validated responsable légal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ResponsableIdentite {
    /// Civilité.
    pub civilite: Option<Civilite>,
    /// Nom (upper-cased).
    #[schema(value_type = String)]
    pub nom: Nom,
    /// Prénom.
    #[schema(value_type = String)]
    pub prenom: Prenoms,
    /// Link with the pupil.
    pub lien: Lien,
    /// Street.
    pub adresse: Option<String>,
    /// Postcode.
    pub code_postal: Option<String>,
    /// Commune.
    pub commune: Option<String>,
    /// Country, when abroad.
    pub pays: Option<String>,
    /// Home phone.
    pub tel_domicile: Option<String>,
    /// Work phone.
    pub tel_travail: Option<String>,
    /// Mobile phone.
    pub tel_portable: Option<String>,
    /// E-mail.
    pub courriel: Option<String>,
}

pub(super) fn tel(champ: &'static str, v: &Option<String>) -> Result<Option<String>, ChampInvalide> {
    match v.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_telephone(champ, s).map(Some),
        None => Ok(None),
    }
}

impl ResponsableSaisie {
    /// Validates every field; reports every refusal at once.
    pub fn valider(&self) -> Result<ResponsableIdentite, Error> {
        let mut e = super::Erreurs::default();
        let civilite = e.garder(
            "civilite",
            match self.civilite.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(c) => Civilite::parse(c).map(Some),
                None => Ok(None),
            },
        );
        let nom = e.garder("nom", Nom::parse_champ("nom du responsable", &self.nom));
        let prenom = e.garder("prenom", Prenoms::parse_champ("prénom du responsable", &self.prenom));
        let lien = e.garder("lien", Lien::parse(&self.lien));
        let adresse = e.garder("adresse", texte_optionnel("adresse du responsable", self.adresse.as_deref()));
        let code_postal = e.garder(
            "code_postal",
            match self.code_postal.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(cp) if vide(&self.pays) => parse_code_postal(cp).map(Some),
                Some(cp) => texte_optionnel("code postal", Some(cp)),
                None => Ok(None),
            },
        );
        let commune = e.garder("commune", texte_optionnel("commune du responsable", self.commune.as_deref()));
        let pays = e.garder("pays", texte_optionnel("pays", self.pays.as_deref()));
        let tel_domicile = e.garder("tel_domicile", tel("téléphone domicile", &self.tel_domicile));
        let tel_travail = e.garder("tel_travail", tel("téléphone travail", &self.tel_travail));
        let tel_portable = e.garder("tel_portable", tel("téléphone portable", &self.tel_portable));
        let courriel = e.garder(
            "courriel",
            match self.courriel.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(c) => parse_courriel(c).map(Some),
                None => Ok(None),
            },
        );
        e.finir()?;
        Ok(ResponsableIdentite {
            civilite: super::tenu(civilite, "civilite")?,
            nom: super::tenu(nom, "nom")?,
            prenom: super::tenu(prenom, "prenom")?,
            lien: super::tenu(lien, "lien")?,
            adresse: super::tenu(adresse, "adresse")?,
            code_postal: super::tenu(code_postal, "code_postal")?,
            commune: super::tenu(commune, "commune")?,
            pays: super::tenu(pays, "pays")?,
            tel_domicile: super::tenu(tel_domicile, "tel_domicile")?,
            tel_travail: super::tenu(tel_travail, "tel_travail")?,
            tel_portable: super::tenu(tel_portable, "tel_portable")?,
            courriel: super::tenu(courriel, "courriel")?,
        })
    }
}
