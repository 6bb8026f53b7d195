//! Reading an ONDE file: the workbook or CSV bounded before anything is expanded, decoded
//! (UTF-8 with or without a byte-order mark, else Windows-1252), its separator found, its
//! header and data lines kept with their numbers.

use super::super::identite::{self, ChampInvalide};

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

use super::super::archive;

/// A number with its thousands apart, as French writes it (« 20 000 », narrow no-break space).
pub(super) fn milliers(n: usize) -> String {
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
