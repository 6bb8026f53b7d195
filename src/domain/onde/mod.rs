//! The files the ministry's tool (ONDE) exports (docs/domaine.md §9): decoding
//! (UTF-8 with or without a byte-order mark, else Windows-1252), the separator (`;`, `,` or a
//! tab), header labels matched whatever their case, accents and surrounding spaces, blank
//! lines and stray columns ignored, and each pupil line read into the same typed input as a
//! form (`EleveSaisie`), with the line number of every refusal.
//!
//! A column outside what may be stored (docs/domaine.md §4: « Nationalité »…) is never read: it is
//! named in [`Colonnes::ignorees`] so the import can say it was dropped.

use std::collections::HashMap;

use super::eleve::EleveSaisie;
use super::identite::{ChampInvalide, cle_recherche};
use super::{Niveau, identite};

mod lecture;

pub use lecture::*;

/// The columns of the pupils' file that are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColonneEleve {
    /// Nom élève.
    Nom,
    /// Nom d'usage élève.
    NomUsage,
    /// Prénom élève.
    Prenom,
    /// Date naissance.
    DateNaissance,
    /// Sexe.
    Sexe,
    /// INE.
    Ine,
    /// Adresse1.
    Adresse,
    /// Cp1.
    CodePostal,
    /// Commune1.
    Commune,
    /// Niveau.
    Niveau,
    /// Libellé classe.
    Classe,
    /// Autorisation associations.
    Associations,
    /// Autorisation photo.
    Photo,
    /// Birthplace name (not in the ministry's file; written by our export).
    LieuNaissance,
    /// Birthplace INSEE code (idem).
    InseeNaissance,
    /// Date of admission (idem).
    DateAdmission,
    /// Papers still missing: a provisional admission (idem).
    PiecesManquantes,
    /// The ULIS dispositif (idem; never the disability).
    Ulis,
}

/// The labels of the pupils' file (docs/domaine.md §9), and the columns read from them. Labels known
/// but not read (the second address, the cycle, which is computed) are listed too, so they are
/// not reported as unknown.
const ETIQUETTES: &[(&str, Option<ColonneEleve>)] = &[
    ("Nom élève", Some(ColonneEleve::Nom)),
    ("Nom d'usage élève", Some(ColonneEleve::NomUsage)),
    ("Prénom élève", Some(ColonneEleve::Prenom)),
    ("Date naissance", Some(ColonneEleve::DateNaissance)),
    ("Sexe", Some(ColonneEleve::Sexe)),
    ("INE", Some(ColonneEleve::Ine)),
    ("Adresse1", Some(ColonneEleve::Adresse)),
    ("Cp1", Some(ColonneEleve::CodePostal)),
    ("Commune1", Some(ColonneEleve::Commune)),
    ("Pays1", None),
    ("Adresse2", None),
    ("Cp2", None),
    ("Commune2", None),
    ("Pays2", None),
    ("Cycle", None),
    ("Niveau", Some(ColonneEleve::Niveau)),
    ("Libellé classe", Some(ColonneEleve::Classe)),
    ("Identifiant classe", None),
    ("Attestation fournie", None),
    ("Autorisation associations", Some(ColonneEleve::Associations)),
    ("Autorisation photo", Some(ColonneEleve::Photo)),
    ("Décision de passage", None),
    // Not in the ministry's file: our export adds them so that nothing is lost on the way.
    ("Commune naissance", Some(ColonneEleve::LieuNaissance)),
    ("Lieu naissance", Some(ColonneEleve::LieuNaissance)),
    ("Code INSEE naissance", Some(ColonneEleve::InseeNaissance)),
    ("Date admission", Some(ColonneEleve::DateAdmission)),
    ("Pièces manquantes", Some(ColonneEleve::PiecesManquantes)),
    ("ULIS", Some(ColonneEleve::Ulis)),
];

/// The header of the pupils' file as the ministry's tool writes it, then the columns our
/// export adds: the birthplace, the admission's date and the papers still missing.
pub const ENTETE_ELEVES: [&str; 27] = [
    "Nom élève",
    "Nom d'usage élève",
    "Prénom élève",
    "Date naissance",
    "Sexe",
    "INE",
    "Adresse1",
    "Cp1",
    "Commune1",
    "Pays1",
    "Adresse2",
    "Cp2",
    "Commune2",
    "Pays2",
    "Cycle",
    "Niveau",
    "Libellé classe",
    "Identifiant classe",
    "Attestation fournie",
    "Autorisation associations",
    "Autorisation photo",
    "Décision de passage",
    "Commune naissance",
    "Code INSEE naissance",
    "Date admission",
    "Pièces manquantes",
    "ULIS",
];

/// The header of the responsables' file before the children's blocks, then the link, which
/// our export adds (the ministry's file has none: the link is then inferred from the civilité).
pub const ENTETE_RESPONSABLES: [&str; 13] = [
    "Civilité Responsable",
    "Nom usage responsable",
    "Nom responsable",
    "Prénom responsable",
    "Adresse responsable",
    "CP responsable",
    "Commune responsable",
    "Pays",
    "Courriel",
    "Téléphone domicile",
    "Téléphone travail",
    "Téléphone portable",
    "Lien",
];

/// One child's block in the responsables' file, repeated for each child.
/// The fifth, the consent to give the address to parents' associations for this child, is
/// ours: the ministry's file has it per pupil only.
pub const ENTETE_ENFANT: [&str; 5] = [
    "Nom d'usage enfant",
    "Nom de famille enfant",
    "Prénom enfant",
    "Classes enfants",
    "Autorisation associations enfant",
];

/// What a file holds, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sorte {
    /// The pupils' file.
    Eleves,
    /// The responsables' file.
    Responsables,
}

impl Sorte {
    /// Recognises a header: the responsables' file has « Prénom responsable », the pupils'
    /// file « Prénom élève ».
    pub fn reconnaitre(entetes: &[String]) -> Result<Self, ChampInvalide> {
        let cles: Vec<String> = entetes.iter().map(|e| cle_recherche(e)).collect();
        if cles.iter().any(|c| c == "prenom responsable") {
            Ok(Sorte::Responsables)
        } else if cles.iter().any(|c| c == "prenom eleve") {
            Ok(Sorte::Eleves)
        } else {
            Err(ChampInvalide::new(
                "en-tête",
                "fichier non reconnu : ni « Prénom élève » (fichier des élèves) ni « Prénom responsable » (fichier des responsables)",
            ))
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Sorte::Eleves => "élèves",
            Sorte::Responsables => "responsables",
        }
    }
}

/// Where each column read lies, and the columns not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Colonnes {
    /// The position of each column read.
    pub index: HashMap<ColonneEleve, usize>,
    /// Labels of columns that are neither read nor known (stray, or forbidden: never stored).
    pub ignorees: Vec<String>,
}

/// Matches the header of a pupils' file; the four columns without which no pupil can be read
/// (nom, prénom, date de naissance, sexe) are required.
pub fn colonnes_eleves(entetes: &[String]) -> Result<Colonnes, ChampInvalide> {
    let mut c = Colonnes::default();
    for (i, e) in entetes.iter().enumerate() {
        let cle = cle_recherche(e);
        if cle.is_empty() {
            continue;
        }
        match ETIQUETTES.iter().find(|(l, _)| cle_recherche(l) == cle) {
            Some((_, Some(col))) => {
                c.index.entry(*col).or_insert(i);
            }
            Some((_, None)) => {}
            None => c.ignorees.push(etiquette_lisible(e)),
        }
    }
    for (col, libelle) in [
        (ColonneEleve::Nom, "Nom élève"),
        (ColonneEleve::Prenom, "Prénom élève"),
        (ColonneEleve::DateNaissance, "Date naissance"),
        (ColonneEleve::Sexe, "Sexe"),
    ] {
        if !c.index.contains_key(&col) {
            return Err(ChampInvalide::new("en-tête", format!("la colonne « {libelle} » manque")));
        }
    }
    Ok(c)
}

/// `Oui` / `Non` (any case), or empty.
pub fn oui_non(champ: &'static str, s: &str) -> Result<Option<bool>, ChampInvalide> {
    match cle_recherche(s).as_str() {
        "" => Ok(None),
        "oui" | "o" | "1" | "vrai" => Ok(Some(true)),
        "non" | "n" | "0" | "faux" => Ok(Some(false)),
        _ => Err(ChampInvalide::new(champ, "attendu : Oui ou Non")),
    }
}

/// A postcode or phone number a spreadsheet read as a number loses its leading zero
/// (`1000` for 01000, `612345678`): it is given back.
fn zero_perdu(s: String, chiffres: usize) -> String {
    if s.len() + 1 == chiffres && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0') {
        format!("0{s}")
    } else {
        s
    }
}

/// One pupil line, read.
#[derive(Debug, Clone)]
pub struct LigneEleve {
    /// Line number in the file.
    pub numero: usize,
    /// The identity as a form would type it (validated later, like a form).
    pub saisie: EleveSaisie,
    /// Niveau.
    pub niveau: Option<Niveau>,
    /// The class's label.
    pub classe: Option<String>,
    /// Autorisation photo.
    pub photo: Option<bool>,
    /// Address given to parents' associations.
    pub associations: Option<bool>,
    /// Date of admission (our export).
    pub date_admission: Option<time::Date>,
    /// Papers still missing (our export): the admission is provisional.
    pub pieces: Vec<super::parcours::Piece>,
    /// The ULIS dispositif (our export).
    pub ulis: bool,
}

/// Reads one pupil line; a refusal says why, in French (the caller adds the line number).
pub fn eleve(c: &Colonnes, numero: usize, cellules: &[String]) -> Result<LigneEleve, ChampInvalide> {
    let v =
        |col: ColonneEleve| -> String { c.index.get(&col).and_then(|i| cellules.get(*i)).cloned().unwrap_or_default() };
    let opt = |col: ColonneEleve| Some(v(col)).filter(|s| !s.is_empty());
    // The birthplace is not in the ministry's pupils file: without it, the pupil is recorded
    // with a birthplace « à compléter » (asked on the fiche de renseignements).
    let date = identite::parse_date("date de naissance", &v(ColonneEleve::DateNaissance))?;
    let (naissance_insee, naissance_lieu) = match (opt(ColonneEleve::InseeNaissance), opt(ColonneEleve::LieuNaissance))
    {
        (Some(insee), lieu) => (insee, lieu.unwrap_or_default()),
        (None, _) => (super::CommuneInsee::a_completer().as_str().to_string(), String::new()),
    };
    Ok(LigneEleve {
        numero,
        saisie: EleveSaisie {
            nom: v(ColonneEleve::Nom),
            nom_usage: opt(ColonneEleve::NomUsage),
            prenoms: v(ColonneEleve::Prenom),
            sexe: v(ColonneEleve::Sexe),
            date_naissance: date.to_string(),
            naissance_insee,
            naissance_lieu,
            adresse: opt(ColonneEleve::Adresse),
            code_postal: opt(ColonneEleve::CodePostal).map(|c| zero_perdu(c, 5)),
            commune_residence: opt(ColonneEleve::Commune),
            ine: opt(ColonneEleve::Ine),
        },
        niveau: match opt(ColonneEleve::Niveau) {
            Some(n) => Some(Niveau::parse(&n).map_err(|e| ChampInvalide::new("niveau", e.to_string()))?),
            None => None,
        },
        classe: opt(ColonneEleve::Classe),
        photo: oui_non("autorisation photo", &v(ColonneEleve::Photo))?,
        associations: oui_non("autorisation associations", &v(ColonneEleve::Associations))?,
        date_admission: match opt(ColonneEleve::DateAdmission) {
            Some(d) => Some(identite::parse_date("date admission", &d)?),
            None => None,
        },
        pieces: v(ColonneEleve::PiecesManquantes)
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|p| super::parcours::Piece::parse(p).map_err(|e| ChampInvalide::new("pièces manquantes", e.0)))
            .collect::<Result<_, _>>()?,
        ulis: oui_non("ULIS", &v(ColonneEleve::Ulis))?.unwrap_or(false),
    })
}

/// The columns of the responsables' file that are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColonneResponsable {
    /// Civilité Responsable.
    Civilite,
    /// Nom usage responsable.
    NomUsage,
    /// Nom responsable.
    Nom,
    /// Prénom responsable.
    Prenom,
    /// Adresse responsable.
    Adresse,
    /// CP responsable.
    CodePostal,
    /// Commune responsable.
    Commune,
    /// Pays.
    Pays,
    /// Courriel.
    Courriel,
    /// Téléphone domicile.
    TelDomicile,
    /// Téléphone travail.
    TelTravail,
    /// Téléphone portable.
    TelPortable,
    /// Lien (our export; not in the ministry's file).
    Lien,
}

const ETIQUETTES_RESPONSABLES: &[(&str, ColonneResponsable)] = &[
    ("Civilité Responsable", ColonneResponsable::Civilite),
    ("Civilité", ColonneResponsable::Civilite),
    ("Nom usage responsable", ColonneResponsable::NomUsage),
    ("Nom d'usage responsable", ColonneResponsable::NomUsage),
    ("Nom responsable", ColonneResponsable::Nom),
    ("Prénom responsable", ColonneResponsable::Prenom),
    ("Adresse responsable", ColonneResponsable::Adresse),
    ("CP responsable", ColonneResponsable::CodePostal),
    ("Commune responsable", ColonneResponsable::Commune),
    ("Pays", ColonneResponsable::Pays),
    ("Pays responsable", ColonneResponsable::Pays),
    ("Courriel", ColonneResponsable::Courriel),
    ("Courriel responsable", ColonneResponsable::Courriel),
    ("Téléphone domicile", ColonneResponsable::TelDomicile),
    ("Téléphone travail", ColonneResponsable::TelTravail),
    ("Téléphone portable", ColonneResponsable::TelPortable),
    ("Lien", ColonneResponsable::Lien),
    ("Lien avec l'enfant", ColonneResponsable::Lien),
];

/// Where the columns of the responsables' file lie: the responsable's, then one block per
/// child (`Nom d'usage enfant`, `Nom de famille enfant`, `Prénom enfant`, `Classes enfants`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColonnesResponsables {
    /// The position of each column read.
    pub index: HashMap<ColonneResponsable, usize>,
    /// The children's blocks, in order: positions of the columns of each.
    pub enfants: Vec<[Option<usize>; 5]>,
    /// Labels neither read nor known (stray, or forbidden: never stored).
    pub ignorees: Vec<String>,
}

fn etiquette_lisible(e: &str) -> String {
    e.chars().filter(|ch| !ch.is_control()).take(60).collect()
}

/// Matches the header of a responsables' file; the responsable's name and first name and at
/// least one child (nom de famille and prénom) are required.
pub fn colonnes_responsables(entetes: &[String]) -> Result<ColonnesResponsables, ChampInvalide> {
    let mut c = ColonnesResponsables::default();
    let enfant: Vec<String> = ENTETE_ENFANT.iter().map(|l| cle_recherche(l)).collect();
    for (i, e) in entetes.iter().enumerate() {
        let cle = cle_recherche(e);
        if cle.is_empty() {
            continue;
        }
        if let Some(k) = enfant.iter().position(|l| *l == cle) {
            // A label already seen in the current block starts the next child.
            match c.enfants.last_mut() {
                Some(bloc) if bloc[k].is_none() => bloc[k] = Some(i),
                _ => {
                    let mut bloc = [None; 5];
                    bloc[k] = Some(i);
                    c.enfants.push(bloc);
                }
            }
        } else if let Some((_, col)) = ETIQUETTES_RESPONSABLES.iter().find(|(l, _)| cle_recherche(l) == cle) {
            c.index.entry(*col).or_insert(i);
        } else {
            c.ignorees.push(etiquette_lisible(e));
        }
    }
    if !c.index.contains_key(&ColonneResponsable::Nom) && !c.index.contains_key(&ColonneResponsable::NomUsage) {
        return Err(ChampInvalide::new("en-tête", "la colonne « Nom responsable » manque"));
    }
    if !c.index.contains_key(&ColonneResponsable::Prenom) {
        return Err(ChampInvalide::new("en-tête", "la colonne « Prénom responsable » manque"));
    }
    if !c.enfants.iter().any(|b| b[1].is_some() && b[2].is_some()) {
        return Err(ChampInvalide::new(
            "en-tête",
            "les colonnes « Nom de famille enfant » et « Prénom enfant » manquent",
        ));
    }
    Ok(c)
}

/// A child named on a responsable's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnfantNomme {
    /// Nom de famille.
    pub nom: String,
    /// Nom d'usage.
    pub nom_usage: Option<String>,
    /// Prénom.
    pub prenom: String,
    /// The class, as the file names it.
    pub classe: Option<String>,
    /// This responsable's consent for this child: `None` without the column (the ministry's
    /// file, where the consent is the pupil's), `Some(None)` when the cell is empty.
    pub associations: Option<Option<bool>>,
}

impl EnfantNomme {
    /// True when this child is the pupil of these names: family name and the first name, or
    /// all the first names, whatever the case and accents.
    pub fn designe(&self, nom: &str, prenoms: &str) -> bool {
        let p = cle_recherche(prenoms);
        let premier = p.split(' ').next().unwrap_or_default();
        let q = cle_recherche(&self.prenom);
        cle_recherche(&self.nom) == cle_recherche(nom) && (q == p || q == premier)
    }
}

/// One responsable's line, read.
#[derive(Debug, Clone)]
pub struct LigneResponsable {
    /// Line number.
    pub numero: usize,
    /// The responsable as a form would type it.
    pub saisie: super::responsable::ResponsableSaisie,
    /// The link was inferred from the civilité (no « Lien » column).
    pub lien_deduit: bool,
    /// The responsable's other name (« Nom responsable » when the d'usage one is used).
    pub autres_noms: Vec<String>,
    /// The children named on the line.
    pub enfants: Vec<EnfantNomme>,
}

/// Reads one responsable's line. Without a « Lien » column (the ministry's file has none),
/// `Mme` gives « mère » and `M.` « père », and the import says so.
pub fn responsable(
    c: &ColonnesResponsables,
    numero: usize,
    cellules: &[String],
) -> Result<LigneResponsable, ChampInvalide> {
    let cell = |i: Option<usize>| i.and_then(|i| cellules.get(i)).cloned().unwrap_or_default();
    let v = |col: ColonneResponsable| cell(c.index.get(&col).copied());
    let opt = |col: ColonneResponsable| Some(v(col)).filter(|s| !s.is_empty());
    let civilite = opt(ColonneResponsable::Civilite);
    let (lien, lien_deduit) = match opt(ColonneResponsable::Lien) {
        Some(l) => (l, false),
        None => match civilite.as_deref().map(super::responsable::Civilite::parse).transpose()? {
            Some(super::responsable::Civilite::Mme) => ("mere".to_string(), true),
            Some(super::responsable::Civilite::M) => ("pere".to_string(), true),
            None => {
                return Err(ChampInvalide::new(
                    "lien",
                    "ni lien ni civilité : impossible de savoir qui est ce responsable",
                ));
            }
        },
    };
    let mut enfants = Vec::new();
    for b in &c.enfants {
        let nom = cell(b[1]);
        let prenom = cell(b[2]);
        if nom.is_empty() && prenom.is_empty() {
            continue;
        }
        enfants.push(EnfantNomme {
            nom,
            nom_usage: Some(cell(b[0])).filter(|s| !s.is_empty()),
            prenom,
            classe: Some(cell(b[3])).filter(|s| !s.is_empty()),
            associations: match b[4] {
                Some(_) => Some(oui_non("autorisation associations enfant", &cell(b[4]))?),
                None => None,
            },
        });
    }
    if enfants.is_empty() {
        return Err(ChampInvalide::new("enfants", "aucun enfant nommé sur la ligne"));
    }
    Ok(LigneResponsable {
        numero,
        saisie: super::responsable::ResponsableSaisie {
            civilite,
            nom: opt(ColonneResponsable::NomUsage).unwrap_or_else(|| v(ColonneResponsable::Nom)),
            prenom: v(ColonneResponsable::Prenom),
            lien,
            adresse: opt(ColonneResponsable::Adresse),
            code_postal: opt(ColonneResponsable::CodePostal).map(|c| zero_perdu(c, 5)),
            commune: opt(ColonneResponsable::Commune),
            pays: opt(ColonneResponsable::Pays),
            tel_domicile: opt(ColonneResponsable::TelDomicile).map(|c| zero_perdu(c, 10)),
            tel_travail: opt(ColonneResponsable::TelTravail).map(|c| zero_perdu(c, 10)),
            tel_portable: opt(ColonneResponsable::TelPortable).map(|c| zero_perdu(c, 10)),
            courriel: opt(ColonneResponsable::Courriel),
        },
        lien_deduit,
        autres_noms: match (opt(ColonneResponsable::NomUsage), opt(ColonneResponsable::Nom)) {
            (Some(u), Some(n)) if cle_recherche(&u) != cle_recherche(&n) => vec![n],
            _ => vec![],
        },
        enfants,
    })
}

#[cfg(test)]
mod tests;
