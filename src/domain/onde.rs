//! The files the ministry's tool (ONDE) exports (DOMAIN.md §9; issue 12, first step): decoding
//! (UTF-8 with or without a byte-order mark, else Windows-1252), the separator (`;`, `,` or a
//! tab), header labels matched whatever their case, accents and surrounding spaces, blank
//! lines and stray columns ignored, and each pupil line read into the same typed input as a
//! form (`EleveSaisie`), with the line number of every refusal.
//!
//! A column outside what may be stored (DOMAIN.md §4: « Nationalité »…) is never read: it is
//! named in [`Colonnes::ignorees`] so the import can say it was dropped.

use std::collections::HashMap;

use super::eleve::EleveSaisie;
use super::identite::{ChampInvalide, cle_recherche};
use super::{Niveau, identite};

/// A decoded file: its encoding, separator, header and data lines (with their numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fichier {
    /// `UTF-8` or `Windows-1252`.
    pub encodage: &'static str,
    /// The separator found in the header.
    pub separateur: char,
    /// The header's labels, as written (trimmed).
    pub entetes: Vec<String>,
    /// Data lines (1-based line number in the file, cells trimmed); blank lines left out.
    pub lignes: Vec<(usize, Vec<String>)>,
}

/// Decodes and splits a file.
pub fn lire(octets: &[u8]) -> Result<Fichier, ChampInvalide> {
    let sans_bom = octets.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(octets);
    let (texte, encodage) = match std::str::from_utf8(sans_bom) {
        Ok(t) => (t.to_string(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(sans_bom).0.into_owned(), "Windows-1252"),
    };
    let premiere = texte
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| ChampInvalide::new("fichier", "le fichier est vide"))?;
    let separateur = [';', '\t', ',']
        .into_iter()
        .max_by_key(|s| premiere.matches(*s).count())
        .filter(|s| premiere.contains(*s))
        .ok_or_else(|| {
            ChampInvalide::new("fichier", "aucun séparateur (« ; », « , » ou tabulation) dans la ligne d'en-tête")
        })?;
    let mut lecteur = csv::ReaderBuilder::new()
        .delimiter(separateur as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(texte.as_bytes());
    let mut entetes: Option<Vec<String>> = None;
    let mut lignes = Vec::new();
    for r in lecteur.records() {
        let r = r.map_err(|e| ChampInvalide::new("fichier", format!("ligne illisible : {e}")))?;
        // The line number from the record's byte offset (blank lines count, as an editor shows).
        let mut octet = r.position().map_or(0, |p| p.byte() as usize).min(texte.len());
        // With CRLF ends, the reader places a record at the LF before it: step over line ends.
        while texte.as_bytes().get(octet).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            octet += 1;
        }
        let numero = texte.as_bytes()[..octet].iter().filter(|b| **b == b'\n').count() + 1;
        let cellules: Vec<String> = r.iter().map(|c| c.trim().to_string()).collect();
        if cellules.iter().all(String::is_empty) {
            continue;
        }
        match entetes {
            None => entetes = Some(cellules),
            Some(_) => lignes.push((numero, cellules)),
        }
    }
    Ok(Fichier { encodage, separateur, entetes: entetes.unwrap_or_default(), lignes })
}

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
}

/// The labels of the pupils' file (DOMAIN.md §9), and the columns read from them. Labels known
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
];

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
            None => c.ignorees.push(e.chars().filter(|ch| !ch.is_control()).take(60).collect()),
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
}

/// Reads one pupil line; a refusal says why, in French (the caller adds the line number).
pub fn eleve(c: &Colonnes, numero: usize, cellules: &[String]) -> Result<LigneEleve, ChampInvalide> {
    let v =
        |col: ColonneEleve| -> String { c.index.get(&col).and_then(|i| cellules.get(*i)).cloned().unwrap_or_default() };
    let opt = |col: ColonneEleve| Some(v(col)).filter(|s| !s.is_empty());
    // The birthplace is not in the ministry's pupils file: it is asked later, as « inconnu ».
    let date = identite::parse_date("date de naissance", &v(ColonneEleve::DateNaissance))?;
    Ok(LigneEleve {
        numero,
        saisie: EleveSaisie {
            nom: v(ColonneEleve::Nom),
            nom_usage: opt(ColonneEleve::NomUsage),
            prenoms: v(ColonneEleve::Prenom),
            sexe: v(ColonneEleve::Sexe),
            date_naissance: date.to_string(),
            naissance_insee: String::new(),
            naissance_lieu: String::new(),
            adresse: opt(ColonneEleve::Adresse),
            code_postal: opt(ColonneEleve::CodePostal),
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A pupils' file as the ministry's tool writes it: Windows-1252, `;`, a header label with a
    /// leading space and another with other accents, a trailing empty column, a nationality
    /// column, a blank line, an impossible date, an INE with a wrong key.
    fn fichier_ministere() -> Vec<u8> {
        let texte = " Nom élève;Nom d'usage élève;Prenom eleve;Date naissance;Sexe;INE;Adresse1;Cp1;Commune1;Niveau;Libellé classe;Autorisation photo;Nationalité;\r\n\
                     DURAND;;Élodie;03/05/2018;F;;4 rue des Lilas;35000;Rennes;CE2;CE2 A;Oui;française;\r\n\
                     \r\n\
                     MARTIN;;Noé;31/02/2019;M;;;;;CE1;CE1 B;Non;;\r\n\
                     LE GOFF;;Maël;12/11/2017;M;0100007108E;;;;CM1;CM1;non;;\r\n";
        encoding_rs::WINDOWS_1252.encode(texte).0.into_owned()
    }

    #[test]
    fn a_ministry_file_is_decoded_split_and_matched() {
        let f = lire(&fichier_ministere()).unwrap();
        assert_eq!(f.encodage, "Windows-1252");
        assert_eq!(f.separateur, ';');
        assert_eq!(f.lignes.len(), 3, "the blank line is left out");
        let numeros: Vec<usize> = f.lignes.iter().map(|l| l.0).collect();
        assert_eq!(numeros, vec![2, 4, 5], "line numbers count the header and the blank line");
        let c = colonnes_eleves(&f.entetes).unwrap();
        assert_eq!(c.ignorees, vec!["Nationalité".to_string()], "the forbidden column is named, never read");
        let e = eleve(&c, f.lignes[0].0, &f.lignes[0].1).unwrap();
        assert_eq!(e.saisie.prenoms, "Élodie");
        assert_eq!(e.saisie.date_naissance, "2018-05-03");
        assert_eq!(e.niveau, Some(Niveau::Ce2));
        assert_eq!(e.photo, Some(true));
        let err = eleve(&c, f.lignes[1].0, &f.lignes[1].1).unwrap_err();
        assert_eq!(err.champ, "date de naissance");
        let k = eleve(&c, f.lignes[2].0, &f.lignes[2].1).unwrap();
        assert_eq!(k.photo, Some(false));
        assert_eq!(k.saisie.ine.as_deref(), Some("0100007108E"), "the key is checked when validated, as a warning");
    }

    #[test]
    fn utf8_with_a_bom_commas_and_tabs_are_read_too() {
        let f = lire("\u{feff}Nom élève,Prénom élève,Date naissance,Sexe\nPETIT,Jo,01/02/2019,M\n".as_bytes()).unwrap();
        assert_eq!((f.encodage, f.separateur), ("UTF-8", ','));
        assert_eq!(f.entetes[0], "Nom élève");
        assert_eq!(f.lignes[0].0, 2);
        let f = lire(b"Nom eleve\tPrenom eleve\tDate naissance\tSexe\nA\tB\t01/02/2019\tF\n").unwrap();
        assert_eq!(f.separateur, '\t');
        assert!(colonnes_eleves(&f.entetes).is_ok());
    }

    #[test]
    fn a_missing_column_and_an_empty_file_are_named() {
        let f = lire(b"Nom eleve;Sexe\nA;F\n").unwrap();
        assert!(colonnes_eleves(&f.entetes).unwrap_err().probleme.contains("Prénom élève"));
        assert!(lire(b"").is_err());
        assert!(lire(b"\n\n").is_err());
        assert!(oui_non("x", "peut-être").is_err());
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(f) = lire(&b)
                && let Ok(c) = colonnes_eleves(&f.entetes)
            {
                for (n, l) in &f.lignes {
                    let _ = eleve(&c, *n, l);
                }
            }
        }
    }
}
