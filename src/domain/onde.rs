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

/// A decoded file: its encoding, separator, header and data lines (with their numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fichier {
    /// `UTF-8`, `Windows-1252` or `XLSX`.
    pub encodage: &'static str,
    /// The sheet, for a workbook.
    pub feuille: Option<String>,
    /// The separator found in the header.
    pub separateur: char,
    /// The header's labels, as written (trimmed).
    pub entetes: Vec<String>,
    /// Data lines (1-based line number in the file, cells trimmed); blank lines left out.
    pub lignes: Vec<(usize, Vec<String>)>,
}

/// Decodes and splits a file: a CSV file gives one table, a workbook (XLSX) one per sheet that
/// is not empty.
pub fn lire_tables(octets: &[u8]) -> Result<Vec<Fichier>, ChampInvalide> {
    lire_tables_tant_que(octets, &|| true)
}

/// [`lire_tables`], asking `continuer` now and then: false stops the reading (the file is
/// then refused), for a client that has gone.
pub fn lire_tables_tant_que(octets: &[u8], continuer: &dyn Fn() -> bool) -> Result<Vec<Fichier>, ChampInvalide> {
    if octets.starts_with(b"PK\x03\x04") {
        lire_classeur(octets, continuer)
    } else {
        lire_csv(octets, continuer).map(|f| vec![f])
    }
}

/// The days of a spreadsheet date (serial number, 1900 system) as `dd/mm/yyyy`.
fn date_tableur(serie: f64) -> Option<String> {
    let origine = time::macros::date!(1899 - 12 - 30);
    if !(1.0..200_000.0).contains(&serie) {
        return None;
    }
    let d = origine.checked_add(time::Duration::days(serie.floor() as i64))?;
    Some(identite::date_fr(d))
}

/// Most lines and columns read from a sheet or a CSV file: a school's file is far below;
/// beyond, the file is refused rather than read (a tiny workbook can declare cells a million
/// rows away).
pub const LIGNES_MAX: u32 = 20_000;
/// Most columns of a line.
pub const COLONNES_MAX: u32 = 200;
/// Most non-empty cells read from all the sheets of a workbook together.
pub const CELLULES_MAX: usize = 400_000;
/// Most sheets of a workbook.
pub const FEUILLES_MAX: usize = 16;
/// The bounds of a workbook's archive (see `archive`): a school's workbook is a few hundred
/// KiB decompressed.
pub const BORNES_CLASSEUR: archive::Bornes =
    archive::Bornes { parties: 200, partie: 32 << 20, total: 64 << 20, rapport: 200 };
/// The longest line of a CSV file, in bytes.
pub const LONGUEUR_LIGNE_MAX: usize = 16 * 1024;
/// The largest CSV file, in bytes.
pub const TAILLE_CSV_MAX: usize = 8 << 20;

use super::archive;

/// A number with its thousands apart, as French writes it (« 20 000 », narrow no-break space).
fn milliers(n: usize) -> String {
    let chiffres = n.to_string();
    let mut s = String::new();
    for (i, c) in chiffres.chars().enumerate() {
        if i > 0 && (chiffres.len() - i).is_multiple_of(3) {
            s.push('\u{202F}');
        }
        s.push(c);
    }
    s
}

fn refus(m: impl Into<String>) -> ChampInvalide {
    ChampInvalide::new("fichier", m)
}

fn abandon() -> ChampInvalide {
    refus("lecture interrompue : la demande a été abandonnée")
}

/// The sheets of a workbook (name, part), from `xl/workbook.xml` and its relationships;
/// refused when two sheets name the same part (each part is read once) or there are too many.
fn feuilles(octets: &[u8]) -> Result<Vec<(String, String)>, ChampInvalide> {
    use quick_xml::events::Event;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(octets))
        .map_err(|_| refus("classeur illisible (ce n'est pas un fichier XLSX complet)"))?;
    let mut lire = |nom: &str| -> Result<Vec<u8>, ChampInvalide> {
        let mut b = Vec::new();
        let f = z.by_name(nom).map_err(|_| refus(format!("classeur illisible : {nom} absent")))?;
        std::io::Read::read_to_end(&mut std::io::Read::take(f, BORNES_CLASSEUR.partie), &mut b)
            .map_err(|_| refus(format!("classeur illisible : {nom}")))?;
        Ok(b)
    };
    let (classeur, liens) = (lire("xl/workbook.xml")?, lire("xl/_rels/workbook.xml.rels")?);
    let valeur = |a: &quick_xml::events::attributes::Attribute<'_>| -> Option<String> {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned())
    };
    let attribut = |e: &quick_xml::events::BytesStart<'_>, cle: &str| -> Option<String> {
        e.attributes().flatten().find(|a| a.key.local_name().as_ref() == cle).and_then(|a| valeur(&a))
    };
    let mut cibles = std::collections::HashMap::new();
    let mut r = quick_xml::Reader::from_reader(liens.as_slice());
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(cible)) = (attribut(&e, "Id"), attribut(&e, "Target")) {
                    cibles.insert(id, cible);
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(refus("classeur illisible : la liste de ses feuilles est mal formée")),
            _ => {}
        }
        buf.clear();
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut r = quick_xml::Reader::from_reader(classeur.as_slice());
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == "sheet" => {
                let nom = attribut(&e, "name").unwrap_or_default();
                let cible = attribut(&e, "id").and_then(|id| cibles.get(&id).cloned()).ok_or_else(|| {
                    refus(format!("classeur illisible : la feuille « {nom} » ne désigne aucune partie"))
                })?;
                let cible = cible.trim_start_matches('/').trim_start_matches("xl/").to_string();
                if out.iter().any(|(_, c)| *c == cible) {
                    return Err(refus(
                        "classeur refusé : deux feuilles désignent la même partie (un classeur enregistré par un tableur n'en a jamais)",
                    ));
                }
                out.push((nom, cible));
                if out.len() > FEUILLES_MAX {
                    return Err(refus(format!(
                        "classeur de plus de {FEUILLES_MAX} feuilles : enregistrez les élèves et les responsables seuls"
                    )));
                }
            }
            Ok(Event::Eof) => break,
            Err(_) => return Err(refus("classeur illisible : la liste de ses feuilles est mal formée")),
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// Reads the sheets of a workbook, cell by cell (never the whole declared range): every cell as
/// the text a CSV file would hold (dates as `dd/mm/yyyy`, whole numbers without decimals).
/// The archive is checked against [`BORNES_CLASSEUR`] first, each sheet's part is read once,
/// and the cells are counted across sheets ([`CELLULES_MAX`]) as they are read.
pub fn lire_classeur(octets: &[u8], continuer: &dyn Fn() -> bool) -> Result<Vec<Fichier>, ChampInvalide> {
    use calamine::{DataRef, Reader};
    archive::verifier(octets, &BORNES_CLASSEUR).map_err(|m| refus(format!("classeur refusé : {m}")))?;
    if !continuer() {
        return Err(abandon());
    }
    let noms: Vec<String> = feuilles(octets)?.into_iter().map(|(n, _)| n).collect();
    let illisible = |_: calamine::XlsxError| {
        refus(
            "classeur illisible : une feuille ou ses textes sont mal formés (enregistrez-le à nouveau depuis le tableur)",
        )
    };
    let mut classeur: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(octets)).map_err(illisible)?;
    let mut tables = Vec::new();
    let mut cellules = 0usize;
    for nom in classeur.sheet_names() {
        if !noms.contains(&nom) {
            continue;
        }
        let mut lecteur = classeur.worksheet_cells_reader(&nom).map_err(illisible)?;
        let mut lignes: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
        while let Some(c) = lecteur.next_cell().map_err(illisible)? {
            let (l, k) = c.get_position();
            if l >= LIGNES_MAX || k >= COLONNES_MAX {
                return Err(refus(format!(
                    "feuille « {nom} » trop grande ({} lignes et {COLONNES_MAX} colonnes au plus)",
                    milliers(LIGNES_MAX as usize)
                )));
            }
            let texte = match c.get_value() {
                DataRef::Empty | DataRef::Error(_) => String::new(),
                DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_string(),
                DataRef::SharedString(s) => s.trim().to_string(),
                DataRef::Int(n) => n.to_string(),
                DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                DataRef::Float(f) => f.to_string(),
                DataRef::Bool(b) => if *b { "Oui" } else { "Non" }.to_string(),
                DataRef::DateTime(d) => date_tableur(d.as_f64()).unwrap_or_default(),
            };
            if texte.is_empty() {
                continue;
            }
            cellules += 1;
            if cellules > CELLULES_MAX {
                return Err(refus(format!(
                    "classeur trop grand : plus de {} cellules remplies en tout (un fichier d'école en a quelques milliers)",
                    milliers(CELLULES_MAX)
                )));
            }
            if cellules.is_multiple_of(4096) && !continuer() {
                return Err(abandon());
            }
            let ligne = lignes.entry(l).or_default();
            if ligne.len() <= k as usize {
                ligne.resize(k as usize + 1, String::new());
            }
            ligne[k as usize] = texte;
        }
        let mut lignes = lignes.into_iter();
        if let Some((_, entetes)) = lignes.next() {
            let lignes = lignes.map(|(l, c)| (l as usize + 1, c)).collect();
            tables.push(Fichier { encodage: "XLSX", feuille: Some(nom.clone()), separateur: ' ', entetes, lignes });
        }
    }
    if tables.is_empty() {
        return Err(refus("le classeur est vide"));
    }
    Ok(tables)
}

/// A cell our export protected against spreadsheet formulas (`'+33…`, `'=…`) reads back as
/// written.
fn sans_apostrophe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(r) if r.starts_with(['=', '+', '-', '@']) => r,
        _ => s,
    }
}

/// Decodes and splits a CSV file.
pub fn lire(octets: &[u8]) -> Result<Fichier, ChampInvalide> {
    lire_csv(octets, &|| true)
}

/// Decodes and splits a CSV file within its bounds ([`TAILLE_CSV_MAX`], [`LIGNES_MAX`],
/// [`LONGUEUR_LIGNE_MAX`], [`COLONNES_MAX`]), asking `continuer` now and then.
fn lire_csv(octets: &[u8], continuer: &dyn Fn() -> bool) -> Result<Fichier, ChampInvalide> {
    if octets.len() > TAILLE_CSV_MAX {
        return Err(refus(format!("fichier de plus de {}", archive::octets_fr(TAILLE_CSV_MAX as u64))));
    }
    let sans_bom = octets.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(octets);
    let (texte, encodage) = match std::str::from_utf8(sans_bom) {
        Ok(t) => (t.to_string(), "UTF-8"),
        Err(_) => (encoding_rs::WINDOWS_1252.decode_without_bom_handling(sans_bom).0.into_owned(), "Windows-1252"),
    };
    let premiere = texte
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| ChampInvalide::new("fichier", "le fichier est vide"))?;
    if texte.contains('\0') || premiere.chars().any(|c| c.is_control() && c != '\t') {
        return Err(ChampInvalide::new(
            "fichier",
            "ce n'est pas un fichier CSV ni un classeur XLSX (enregistrez-le depuis le tableur en CSV ou en XLSX)",
        ));
    }
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
    // Line numbers counted as the reader goes (blank lines count, as an editor shows).
    let (mut vu, mut numero) = (0usize, 1usize);
    for r in lecteur.records() {
        let r = r.map_err(|e| {
            let ligne = e.position().map_or(numero, |p| p.line() as usize);
            ChampInvalide::new("fichier", format!("ligne {ligne} illisible (guillemets mal fermés ?)"))
        })?;
        let mut octet = r.position().map_or(0, |p| p.byte() as usize).clamp(vu, texte.len());
        // With CRLF ends, the reader places a record at the LF before it: step over line ends.
        while texte.as_bytes().get(octet).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            octet += 1;
        }
        numero += texte.as_bytes()[vu..octet].iter().filter(|b| **b == b'\n').count();
        vu = octet;
        if r.as_slice().len() > LONGUEUR_LIGNE_MAX {
            return Err(refus(format!(
                "ligne {numero} trop longue ({} au plus)",
                archive::octets_fr(LONGUEUR_LIGNE_MAX as u64)
            )));
        }
        if r.len() > COLONNES_MAX as usize {
            return Err(refus(format!("ligne {numero} : plus de {COLONNES_MAX} colonnes")));
        }
        if lignes.len() >= LIGNES_MAX as usize {
            return Err(refus(format!("fichier de plus de {} lignes : découpez-le", milliers(LIGNES_MAX as usize))));
        }
        if lignes.len() % 4096 == 4095 && !continuer() {
            return Err(abandon());
        }
        let cellules: Vec<String> = r.iter().map(|c| sans_apostrophe(c.trim()).to_string()).collect();
        if cellules.iter().all(String::is_empty) {
            continue;
        }
        match entetes {
            None => entetes = Some(cellules),
            Some(_) => lignes.push((numero, cellules)),
        }
    }
    Ok(Fichier { encodage, feuille: None, separateur, entetes: entetes.unwrap_or_default(), lignes })
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thousands_are_set_apart_as_french_writes_them() {
        assert_eq!(milliers(400_000), "400\u{202F}000");
        assert_eq!(milliers(20_000), "20\u{202F}000");
        assert_eq!(milliers(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(milliers(999), "999");
    }

    #[test]
    fn a_csv_file_is_bounded_in_lines_and_line_length() {
        let mut texte = String::from("Nom élève;Prénom élève\n");
        for i in 0..=LIGNES_MAX {
            texte.push_str(&format!("A{i};B\n"));
        }
        let e = lire(texte.as_bytes()).unwrap_err();
        assert!(e.probleme.contains("lignes"), "{e}");
        let long = format!("Nom élève;Prénom élève\n{};B\n", "x".repeat(LONGUEUR_LIGNE_MAX + 1));
        let e = lire(long.as_bytes()).unwrap_err();
        assert!(e.probleme.contains("ligne 2 trop longue"), "{e}");
    }

    #[test]
    fn a_workbook_whose_two_sheets_name_one_part_is_refused() {
        let types =
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
        let classeur = r#"<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
        let liens = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet1.xml"/></Relationships>"#;
        let z = crate::domain::archive::tests::zip_de(&[
            ("[Content_Types].xml", types.as_bytes()),
            ("xl/workbook.xml", classeur.as_bytes()),
            ("xl/_rels/workbook.xml.rels", liens.as_bytes()),
            ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
        ]);
        let e = lire_tables(&z).unwrap_err();
        assert!(e.probleme.contains("deux feuilles désignent la même partie"), "{e}");
    }

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

    #[test]
    fn a_responsable_line_names_three_children_and_infers_the_link() {
        let texte = "Civilité Responsable;Nom usage responsable;Nom responsable;Prénom responsable;Adresse responsable;CP responsable;Commune responsable;Pays;Courriel;Téléphone domicile;Téléphone travail;Téléphone portable;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Profession\r\n\
                     MME;;DURAND;Claire;4 rue des Lilas;35000;Rennes;;claire@example.fr;;;0611223344;;DURAND;Élodie;CE2 A;;DURAND;Jules;CP;;DURAND;Léa;PS;cadre\r\n\
                     ;;MARTIN;Paul;;;;;;;;;;MARTIN;Noé;CE1;;;;;;;;;\r\n";
        let f = lire(&encoding_rs::WINDOWS_1252.encode(texte).0).unwrap();
        assert_eq!(Sorte::reconnaitre(&f.entetes).unwrap(), Sorte::Responsables);
        let c = colonnes_responsables(&f.entetes).unwrap();
        assert_eq!(c.enfants.len(), 3);
        assert_eq!(c.ignorees, vec!["Profession".to_string()], "the parents' occupation is never read");
        let r = responsable(&c, f.lignes[0].0, &f.lignes[0].1).unwrap();
        assert_eq!((r.saisie.lien.as_str(), r.lien_deduit), ("mere", true));
        let prenoms: Vec<&str> = r.enfants.iter().map(|e| e.prenom.as_str()).collect();
        assert_eq!(prenoms, vec!["Élodie", "Jules", "Léa"]);
        assert!(r.enfants[0].designe("Durand", "ELODIE Marie"), "the first prénom is enough, whatever the accents");
        assert!(!r.enfants[0].designe("Durand", "Marie Élodie"));
        let sans = responsable(&c, f.lignes[1].0, &f.lignes[1].1).unwrap_err();
        assert_eq!(sans.champ, "lien", "neither link nor civilité: refused, never guessed");
    }

    #[test]
    fn a_workbook_reads_like_a_csv_file() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (i, h) in ["Nom élève", "Prénom élève", "Date naissance", "Sexe", "Niveau"].iter().enumerate() {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "PETIT").unwrap();
        ws.write_string(1, 1, "Jo").unwrap();
        // A date cell, as a spreadsheet stores it: 2019-02-01 is day 43497.
        let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        ws.write_number_with_format(1, 2, 43497.0, &format).unwrap();
        ws.write_string(1, 3, "M").unwrap();
        ws.write_string(1, 4, "CP").unwrap();
        let octets = wb.save_to_buffer().unwrap();
        let tables = lire_tables(&octets).unwrap();
        assert_eq!(tables.len(), 1);
        let c = colonnes_eleves(&tables[0].entetes).unwrap();
        let e = eleve(&c, tables[0].lignes[0].0, &tables[0].lignes[0].1).unwrap();
        assert_eq!(e.saisie.date_naissance, "2019-02-01");
        assert_eq!(tables[0].lignes[0].0, 2);
        assert!(e.saisie.naissance_insee == "00000", "no birthplace column: to be completed");
        assert!(lire_tables(b"PK\x03\x04 not a workbook").is_err());
    }

    #[test]
    fn a_workbook_declaring_far_cells_is_refused_without_reading_its_range() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Nom élève").unwrap();
        ws.write_string(1_048_575, 16_383, "loin").unwrap();
        let e = lire_tables(&wb.save_to_buffer().unwrap()).unwrap_err();
        assert!(e.probleme.contains("trop grande"), "{e}");
        // A picture or any binary is named as such.
        let e = lire(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert!(e.probleme.contains("pas un fichier CSV"), "{e}");
    }

    proptest! {
        #[test]
        fn any_bytes_are_read_or_refused_without_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(f) = lire(&b) {
                if let Ok(c) = colonnes_eleves(&f.entetes) {
                    for (n, l) in &f.lignes {
                        let _ = eleve(&c, *n, l);
                    }
                }
                if let Ok(c) = colonnes_responsables(&f.entetes) {
                    for (n, l) in &f.lignes {
                        let _ = responsable(&c, *n, l);
                    }
                }
            }
            let _ = lire_tables(&[b"PK\x03\x04".as_slice(), &b].concat());
        }
    }
}
