//! The pupil's record as entered (categories I, II, III): raw input, validated into typed values.
//!
//! Raw input comes from forms, the JSON API and imports; `valider` turns it into a value that
//! can be stored, or a French message naming the first field at fault.

use serde::{Deserialize, Serialize};
use time::Date;

use super::identite::{
    ChampInvalide, Nom, Prenoms, Sexe, nettoyer, parse_code_postal, parse_date, parse_telephone, valider_naissance,
};
use super::responsable::tel;
use super::{CommuneInsee, Error, Ine, IneWarning};

/// Longest address, place or insurer text (characters).
pub const TEXTE_MAX: usize = 150;

pub(super) fn texte_optionnel(champ: &'static str, v: Option<&str>) -> Result<Option<String>, ChampInvalide> {
    super::identite::nettoyer_facultatif(champ, v, TEXTE_MAX)
}

fn texte_requis(champ: &'static str, v: &str) -> Result<String, ChampInvalide> {
    let s = nettoyer(champ, v, TEXTE_MAX)?;
    if s.is_empty() { Err(ChampInvalide::new(champ, "obligatoire")) } else { Ok(s) }
}

pub(super) fn vide(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// A pupil's identity as typed (category I).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EleveSaisie {
    /// Nom de famille.
    #[schema(min_length = 1)]
    pub nom: String,
    /// Nom d'usage, if different.
    #[serde(default)]
    pub nom_usage: Option<String>,
    /// Prénoms, separated by spaces.
    #[schema(min_length = 1)]
    pub prenoms: String,
    /// `M` or `F`.
    #[schema(pattern = "^(M|F)$")]
    pub sexe: String,
    /// `jj/mm/aaaa` or `aaaa-mm-jj`.
    #[schema(
        pattern = "^((0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4}|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$"
    )]
    pub date_naissance: String,
    /// INSEE code of the birthplace (commune, or `99xxx` for a country), or the commune's name
    /// (found in the official geographic code).
    #[schema(min_length = 1)]
    pub naissance_insee: String,
    /// Name of the birthplace as printed (« Rennes », « Belgique »); the commune's name when
    /// left empty for a French commune.
    #[serde(default)]
    pub naissance_lieu: String,
    /// Street and complement.
    #[serde(default)]
    pub adresse: Option<String>,
    /// Postcode.
    #[serde(default)]
    pub code_postal: Option<String>,
    /// Commune of residence.
    #[serde(default)]
    pub commune_residence: Option<String>,
    /// INE, when the pupil already has one.
    #[serde(default)]
    pub ine: Option<String>,
}

/// A validated identity, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EleveIdentite {
    /// Nom de famille (upper-cased).
    pub nom: Nom,
    /// Nom d'usage.
    pub nom_usage: Option<Nom>,
    /// Prénoms.
    pub prenoms: Prenoms,
    /// Sexe.
    pub sexe: Sexe,
    /// Date of birth.
    pub date_naissance: Date,
    /// Birthplace code.
    pub naissance_insee: CommuneInsee,
    /// Birthplace name.
    pub naissance_lieu: String,
    /// Street and complement.
    pub adresse: Option<String>,
    /// Postcode.
    pub code_postal: Option<String>,
    /// Commune of residence.
    pub commune_residence: Option<String>,
    /// INE, if known.
    pub ine: Option<Ine>,
}

impl EleveSaisie {
    /// Validates every field; `today` bounds the date of birth. Returns the identity and any
    /// warnings (a doubtful INE key).
    pub fn valider(&self, today: Date) -> Result<(EleveIdentite, Vec<String>), Error> {
        self.valider_selon(today, false)
    }

    /// Like [`valider`](Self::valider), accepting the marker of a birthplace still to complete
    /// (`00000`): for the ministry's files and transfer dossiers, which may lack it, and for the
    /// correction of a record that still has it. A form creating a child never accepts it.
    pub fn valider_lieu_a_completer(&self, today: Date) -> Result<(EleveIdentite, Vec<String>), Error> {
        self.valider_selon(today, true)
    }

    fn valider_selon(&self, today: Date, a_completer: bool) -> Result<(EleveIdentite, Vec<String>), Error> {
        // Every field is checked, and every refusal reported at once (keyed by the request's
        // field names).
        let mut e = super::Erreurs::default();
        let mut avertissements = Vec::new();
        let nom = e.garder("nom", Nom::parse(&self.nom));
        let nom_usage = e.garder(
            "nom_usage",
            match self.nom_usage.as_deref().filter(|s| !s.trim().is_empty()) {
                None => Ok(None),
                Some(n) => Nom::parse_champ("nom d'usage", n).map(Some),
            },
        );
        let prenoms = e.garder("prenoms", Prenoms::parse(&self.prenoms));
        let sexe = e.garder("sexe", Sexe::parse(&self.sexe));
        let date_naissance = e.garder(
            "date_naissance",
            parse_date("date de naissance", &self.date_naissance).and_then(|d| valider_naissance(d, today)),
        );
        // `00000`: the birthplace is not known yet (a pupil imported from the ministry's file,
        // which has none); kept as such until someone fills it in.
        // A code, or a commune's name (`Rennes`, or `Rennes (35238)` from the form's list) found
        // in the official geographic code; its name then fills an empty birthplace.
        let mut lieu_trouve = None;
        let naissance_insee = e.garder(
            "naissance_insee",
            match CommuneInsee::stocke(self.naissance_insee.trim()) {
                Some(c) if c.est_a_completer() && a_completer => Ok(c),
                _ => CommuneInsee::parse(&self.naissance_insee).or_else(|err| {
                    if !self.naissance_insee.chars().any(char::is_alphabetic)
                        || self.naissance_insee.chars().count() > TEXTE_MAX
                    {
                        return Err(err.into());
                    }
                    match super::commune::referentiel::resoudre(&self.naissance_insee) {
                        Ok(c) => {
                            lieu_trouve = Some(c.nom);
                            CommuneInsee::parse(c.code).map_err(Error::from)
                        }
                        Err(candidats) => {
                            Err(ChampInvalide::new("commune de naissance", lieu_introuvable(&candidats)).into())
                        }
                    }
                }),
            },
        );
        if lieu_trouve.is_none()
            && let Some(c) = &naissance_insee
        {
            lieu_trouve = super::commune::referentiel::par_code(c.as_str()).map(|c| c.nom);
        }
        let lieu_saisi = match (self.naissance_lieu.trim().is_empty(), lieu_trouve) {
            (true, Some(nom)) => nom,
            _ => self.naissance_lieu.as_str(),
        };
        // Required once the code is known and names no commune of the list (a country, an
        // old code): a commune found, or a refused code (its own error), does not ask for it.
        let naissance_lieu = e.garder(
            "naissance_lieu",
            if naissance_insee.as_ref().is_none_or(CommuneInsee::est_a_completer) {
                super::identite::nettoyer("lieu de naissance", lieu_saisi, TEXTE_MAX)
            } else {
                texte_requis("lieu de naissance", lieu_saisi)
            },
        );
        let adresse = e.garder("adresse", texte_optionnel("adresse", self.adresse.as_deref()));
        let code_postal = e.garder(
            "code_postal",
            match self.code_postal.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(cp) => parse_code_postal(cp).map(Some),
                None => Ok(None),
            },
        );
        let commune_residence =
            e.garder("commune_residence", texte_optionnel("commune de résidence", self.commune_residence.as_deref()));
        let ine = e.garder(
            "ine",
            match self.ine.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(s) => Ine::parse(s).map(|(ine, warning)| {
                    if let Some(IneWarning::CleDouteuse { attendu }) = warning {
                        avertissements.push(format!(
                            "INE : la lettre clé ne correspond pas aux chiffres (attendu : {attendu}) ; à vérifier"
                        ));
                    }
                    Some(ine)
                }),
                None => Ok(None),
            },
        );
        e.finir()?;
        Ok((
            EleveIdentite {
                nom: super::tenu(nom, "nom")?,
                nom_usage: super::tenu(nom_usage, "nom_usage")?,
                prenoms: super::tenu(prenoms, "prenoms")?,
                sexe: super::tenu(sexe, "sexe")?,
                date_naissance: super::tenu(date_naissance, "date_naissance")?,
                naissance_insee: super::tenu(naissance_insee, "naissance_insee")?,
                naissance_lieu: super::tenu(naissance_lieu, "naissance_lieu")?,
                adresse: super::tenu(adresse, "adresse")?,
                code_postal: super::tenu(code_postal, "code_postal")?,
                commune_residence: super::tenu(commune_residence, "commune_residence")?,
                ine: super::tenu(ine, "ine")?,
            },
            avertissements,
        ))
    }
}

/// Why a birthplace typed as a name was not found: the candidates, or what to type instead.
fn lieu_introuvable(candidats: &[super::commune::referentiel::Commune]) -> String {
    if candidats.is_empty() {
        return "aucune commune de ce nom : donnez son code INSEE (99 suivi de 3 chiffres pour un pays étranger)"
            .into();
    }
    if let [une] = candidats {
        return format!(
            "aucune commune de ce nom ; vouliez-vous dire {} ({}) ? donnez son nom exact ou son code INSEE",
            une.libelle(),
            une.code
        );
    }
    let l: Vec<String> = candidats.iter().map(|c| format!("{} : {}", c.libelle(), c.code)).collect();
    format!("plusieurs communes répondent à ce nom ({}) ; choisissez-en une ou donnez son code INSEE", l.join(", "))
}

/// A person to call in an emergency or allowed to collect the child, as typed (category III).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactSaisie {
    /// Nom.
    #[schema(min_length = 1)]
    pub nom: String,
    /// Prénom.
    #[schema(min_length = 1)]
    pub prenom: String,
    /// Short link (« grand-mère »).
    #[serde(default)]
    pub lien: Option<String>,
    /// Phone.
    #[schema(min_length = 1)]
    pub telephone: String,
    /// Second phone.
    #[serde(default)]
    pub telephone_2: Option<String>,
    /// To call in an emergency.
    #[serde(default)]
    pub urgence: bool,
    /// Allowed to collect the child.
    #[serde(default)]
    pub recuperer: bool,
}

/// A validated contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactIdentite {
    /// Nom (upper-cased).
    pub nom: Nom,
    /// Prénom.
    pub prenom: Prenoms,
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

impl ContactSaisie {
    /// Validates every field, reporting every refusal at once; a contact is either to call, or
    /// to collect the child, or both.
    pub fn valider(&self) -> Result<ContactIdentite, Error> {
        let mut e = super::Erreurs::default();
        if !self.urgence && !self.recuperer {
            e.ajouter(
                "urgence",
                ChampInvalide::new(
                    "personne à contacter",
                    "indiquez si elle est à appeler en cas d'urgence, autorisée à venir chercher l'enfant, ou les deux",
                )
                .into(),
            );
        }
        let nom = e.garder("nom", Nom::parse_champ("nom du contact", &self.nom));
        let prenom = e.garder("prenom", Prenoms::parse_champ("prénom du contact", &self.prenom));
        let lien = e.garder(
            "lien",
            match self.lien.as_deref() {
                Some(l) => nettoyer("lien du contact", l, 40).map(|l| (!l.is_empty()).then_some(l)),
                None => Ok(None),
            },
        );
        let telephone = e.garder("telephone", parse_telephone("téléphone du contact", &self.telephone));
        let telephone_2 = e.garder("telephone_2", tel("second téléphone du contact", &self.telephone_2));
        e.finir()?;
        Ok(ContactIdentite {
            nom: super::tenu(nom, "nom")?,
            prenom: super::tenu(prenom, "prenom")?,
            lien: super::tenu(lien, "lien")?,
            telephone: super::tenu(telephone, "telephone")?,
            telephone_2: super::tenu(telephone_2, "telephone_2")?,
            urgence: self.urgence,
            recuperer: self.recuperer,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Civilite, Lien, ResponsableSaisie};
    use time::macros::date;

    fn saisie() -> EleveSaisie {
        EleveSaisie {
            nom: "martin-durand".into(),
            prenoms: "Élodie".into(),
            sexe: "F".into(),
            date_naissance: "03/05/2018".into(),
            naissance_insee: "35238".into(),
            naissance_lieu: "Rennes".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_birthplace_is_found_by_its_name_and_fills_the_place() {
        let today = date!(2026 - 11 - 29);
        let mut s = EleveSaisie { naissance_insee: "saint-malo".into(), naissance_lieu: String::new(), ..saisie() };
        let (e, _) = s.valider(today).unwrap();
        assert_eq!((e.naissance_insee.as_str(), e.naissance_lieu.as_str()), ("35288", "Saint-Malo"));
        s.naissance_insee = "Rennes (35238)".into();
        s.naissance_lieu = "Rennes, maternité".into();
        let (e, _) = s.valider(today).unwrap();
        assert_eq!((e.naissance_insee.as_str(), e.naissance_lieu.as_str()), ("35238", "Rennes, maternité"));
        s.naissance_insee = "Saint-Denis".into();
        let Err(Error::Champs(l)) = s.valider(today) else { panic!("ambiguous") };
        assert_eq!(l[0].champ, "naissance_insee");
        assert!(l[0].message.contains("93066") && l[0].message.contains("plusieurs communes"), "{l:?}");
        // A foreign birthplace: the code, and the place typed.
        s.naissance_insee = "99350".into();
        s.naissance_lieu = String::new();
        let Err(Error::Champs(l)) = s.valider(today) else { panic!("place required abroad") };
        assert_eq!(l[0].champ, "naissance_lieu");
    }

    #[test]
    fn every_refused_field_is_reported_at_once() {
        let s = EleveSaisie {
            nom: "1234".into(),
            date_naissance: "31/02/2020".into(),
            code_postal: Some("123".into()),
            ..saisie()
        };
        let Err(Error::Champs(l)) = s.valider(date!(2026 - 11 - 29)) else { panic!("refused") };
        let champs: Vec<&str> = l.iter().map(|c| c.champ.as_str()).collect();
        assert_eq!(champs, ["nom", "date_naissance", "code_postal"], "{l:?}");
    }

    #[test]
    fn a_complete_identity_validates() {
        let (e, warnings) = saisie().valider(date!(2026 - 11 - 29)).unwrap();
        assert_eq!(e.nom.as_str(), "MARTIN-DURAND");
        assert_eq!(e.date_naissance, date!(2018 - 05 - 03));
        assert!(warnings.is_empty());
    }

    #[test]
    fn each_bad_field_is_named_in_french() {
        let today = date!(2026 - 11 - 29);
        let cases: Vec<(EleveSaisie, &str)> = vec![
            (EleveSaisie { date_naissance: "31/02/2018".into(), ..saisie() }, "date de naissance"),
            (EleveSaisie { ine: Some("12345".into()), ..saisie() }, "INE"),
            (EleveSaisie { naissance_insee: "123".into(), ..saisie() }, "code INSEE"),
            (EleveSaisie { sexe: "?".into(), ..saisie() }, "sexe"),
            (EleveSaisie { prenoms: " ".into(), ..saisie() }, "prénoms"),
            (EleveSaisie { code_postal: Some("ABCDE".into()), ..saisie() }, "code postal"),
        ];
        for (s, field) in cases {
            let err = s.valider(today).unwrap_err().to_string();
            assert!(err.contains(field), "{err} should name {field}");
        }
    }

    #[test]
    fn a_doubtful_ine_key_is_a_warning() {
        let s = EleveSaisie { ine: Some("0100007108E".into()), ..saisie() };
        let (e, warnings) = s.valider(date!(2026 - 11 - 29)).unwrap();
        assert!(e.ine.is_some());
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_responsable_validates_and_refuses_bad_contacts() {
        let r = ResponsableSaisie {
            civilite: Some("MME".into()),
            nom: "Durand".into(),
            prenom: "Anne".into(),
            lien: "mère".into(),
            tel_portable: Some("0612345678".into()),
            courriel: Some("anne@exemple.fr".into()),
            ..Default::default()
        };
        let v = r.valider().unwrap();
        assert_eq!(v.civilite, Some(Civilite::Mme));
        assert_eq!(v.lien, Lien::Mere);
        assert_eq!(v.tel_portable.as_deref(), Some("06 12 34 56 78"));
        assert!(ResponsableSaisie { courriel: Some("pas-un-courriel".into()), ..r.clone() }.valider().is_err());
        assert!(ResponsableSaisie { lien: "oncle".into(), ..r }.valider().is_err());
    }

    #[test]
    fn a_contact_must_be_to_call_or_to_collect() {
        let c = ContactSaisie {
            nom: "Petit".into(),
            prenom: "Jo".into(),
            telephone: "0299000000".into(),
            ..Default::default()
        };
        assert!(c.valider().is_err());
        assert!(ContactSaisie { urgence: true, ..c }.valider().is_ok());
    }
}
