//! The print engine: Typst embedded as a library.
//!
//! Rules kept here (docs/architecture.md §3):
//! - the library, the font book and the fonts are built **once**, from the embedded `fonts/`;
//! - each template is parsed once, under a fixed virtual path, and reused for every document;
//! - pupil data never becomes markup: it is serialised to JSON and read by the template from
//!   the fixed path `/data.json`, so `#exit()` or `$x$` in a name print literally;
//! - memoised results are evicted regularly (`comemo::evict`) so memory stays flat;
//! - output is deterministic: the date and PDF timestamp come from the caller's clock and the
//!   PDF identifier from a stable key, so the same data gives the same bytes;
//! - every PDF is tagged (headings as H1 to H3) and asks viewers to display its title;
//!   certificates and the register are PDF/A-2b.

pub mod batch;
mod fonts;
pub mod fusion;
pub mod isole;
pub mod qr;
mod world;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use time::OffsetDateTime;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use batch::{BatchItem, render_pdf, render_zip};

/// Errors of the print engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be serialised (a bug).
    #[error("données du document invalides : {0}")]
    Data(#[from] serde_json::Error),
    /// Typst refused the template or the data (a bug: data never becomes markup).
    #[error("erreur de mise en page du document « {document} » : {message}")]
    Typst {
        /// Which document.
        document: &'static str,
        /// Typst's diagnostics.
        message: String,
    },
    /// Writing a batch failed.
    #[error("écriture du lot impossible : {0}")]
    Io(#[from] std::io::Error),
    /// Writing the ZIP failed.
    #[error("écriture de l'archive impossible : {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The batch was cancelled by whoever asked for it.
    #[error("impression annulée")]
    Annule,
}

pub use crate::domain::Document;

/// The template of each document: `templates/documents/NAME.typ`, under the fixed virtual path
/// `/NAME.typ`. The match is exhaustive: a document without a template does not compile.
macro_rules! gabarits {
    ($( $variant:ident => $file:literal; )*) => {
        fn template(d: Document) -> &'static str {
            match d { $(Document::$variant => include_str!(concat!("../../templates/documents/", $file)),)* }
        }

        fn path(d: Document) -> &'static str {
            match d { $(Document::$variant => concat!("/", $file),)* }
        }
    };
}

gabarits! {
    CertificatScolarite => "certificat-scolarite.typ";
    FicheRenseignements => "fiche-renseignements.typ";
    ListeClasse => "liste-classe.typ";
    CertificatInscription => "certificat-inscription.typ";
    CertificatRadiation => "certificat-radiation.typ";
    NotificationPassage => "notification-passage.typ";
    RegistreEleves => "registre-eleves.typ";
    FicheUrgence => "fiche-urgence.typ";
    ListeAppel => "liste-appel.typ";
    ListeEleves => "liste-eleves.typ";
    ListeElectorale => "liste-electorale.typ";
    ReleveDonnees => "releve-donnees.typ";
    AccuseVerification => "accuse-verification.typ";
    ConstatEffectifs => "constat-effectifs.typ";
}

/// Modules shared by the templates, importable as `#import "commun.typ": *`.
const SHARED: &[(&str, &str)] = &[("/commun.typ", include_str!("../../templates/documents/commun.typ"))];

/// The stack of a thread that renders (Typst's layout recurses deeply).
pub const PILE: usize = 32 << 20;

/// How often (in documents) memoised results are evicted, and how old they may get.
const EVICT_EVERY: u64 = 4;
const EVICT_MAX_AGE: usize = 2;

/// The print engine: build once, share across threads.
pub struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// The templates in use, at `/NAME.typ` and `/commun.typ`: the département's where it gave
    /// one, the built-in ones elsewhere.
    sources: Vec<Source>,
    /// The built-in templates, at `/integre/…`: what serves when an override fails.
    integres: Vec<Source>,
    /// The overridden files (`fiche-renseignements.typ`, `commun.typ`).
    surcharges: Vec<String>,
    /// The documents whose override failed once (then the built-in serves, logged once).
    casses: Vec<std::sync::atomic::AtomicBool>,
    data_id: FileId,
    rendered: AtomicU64,
}

/// The folder where a département may put its own templates: `registre.db.gabarits/`.
pub fn dossier_gabarits(db: &std::path::Path) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".gabarits");
    std::path::PathBuf::from(s)
}

/// The largest override read (a template is a few KiB).
const GABARIT_MAX: u64 = 256 * 1024;

/// Why a file could not be read, in French.
fn io_fr(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "introuvable".into(),
        std::io::ErrorKind::PermissionDenied => "lecture refusée par le système".into(),
        _ => "illisible".into(),
    }
}

/// The user the server runs as: the owner of `/proc/self` (Linux); `None` elsewhere.
#[cfg(unix)]
fn uid_du_serveur() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// Whether the département's folder itself may be trusted: a directory (not a link) of the
/// server's user that only it may write. Why not, in French.
fn dossier_sur(dossier: &std::path::Path) -> Result<(), String> {
    let m = std::fs::symlink_metadata(dossier).map_err(|e| io_fr(&e))?;
    if !m.is_dir() {
        return Err("ce n'est pas un dossier ordinaire (un lien symbolique ?)".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if uid_du_serveur() != Some(m.uid()) {
            return Err("il n'appartient pas à l'utilisateur du serveur".into());
        }
        if m.mode() & 0o022 != 0 {
            return Err("d'autres que le serveur peuvent y écrire (droits 0755 ou plus stricts attendus)".into());
        }
    }
    Ok(())
}

/// Reads a département's template: a regular file (opened without following a symbolic link,
/// without waiting on a pipe), owned by the server's user and writable by it alone, within
/// [`GABARIT_MAX`], in UTF-8; the file read is the one checked. Why not, in French.
fn lire_gabarit(chemin: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let lien = std::fs::symlink_metadata(chemin).map_err(|e| io_fr(&e))?;
    if lien.file_type().is_symlink() {
        return Err("lien symbolique : seul un fichier ordinaire est lu".into());
    }
    if !lien.is_file() {
        return Err("ce n'est pas un fichier ordinaire".into());
    }
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let f = o.open(chemin).map_err(|_| "illisible (remplacé par un lien ?)".to_string())?;
    let m = f.metadata().map_err(|e| io_fr(&e))?;
    if !m.is_file() {
        return Err("ce n'est pas un fichier ordinaire".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (m.dev(), m.ino()) != (lien.dev(), lien.ino()) {
            return Err("fichier remplacé pendant sa lecture".into());
        }
        // Without knowing the server's user, nothing is trusted.
        if uid_du_serveur() != Some(m.uid()) {
            return Err("il appartient à un autre utilisateur que celui du serveur".into());
        }
        if m.mode() & 0o022 != 0 {
            return Err("d'autres que le serveur peuvent le modifier (droits 0644 ou plus stricts attendus)".into());
        }
    }
    if m.len() > GABARIT_MAX {
        return Err("trop volumineux".into());
    }
    let mut octets = Vec::new();
    f.take(GABARIT_MAX + 1).read_to_end(&mut octets).map_err(|e| io_fr(&e))?;
    if octets.len() as u64 > GABARIT_MAX {
        return Err("trop volumineux".into());
    }
    String::from_utf8(octets).map_err(|_| "pas en UTF-8".to_string())
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine").field("fonts", &self.fonts.len()).field("templates", &self.sources.len()).finish()
    }
}

fn file_id(path: &str) -> FileId {
    // The paths are constants of this module: a failure is a programming error caught by tests.
    let vpath = VirtualPath::new(path).unwrap_or_else(|e| panic!("chemin virtuel {path} : {e:?}"));
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

/// A document's date, PDF timestamp and stable identifier.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// When the document is made (from the request's clock).
    pub at: OffsetDateTime,
    /// A stable key of what is printed (document, record, version), hashed into the PDF id.
    pub ident: String,
}

impl Engine {
    /// Loads the fonts, builds the library and parses every template. Takes a fraction of a
    /// second: do it once per process.
    pub fn new() -> Self {
        Self::avec(Vec::new())
    }

    /// The engine with the département's templates found in `dossier` (`NAME.typ` for a
    /// document, `commun.typ` for the shared layout), and what was read or set aside, in French
    /// for the log. A file that is not a template of the catalogue, not a regular file (a
    /// symbolic link…), owned by another user than the server's, writable by others, too large
    /// or not UTF-8 is set aside; a template that fails is replaced by the built-in one when it
    /// is used. Templates are also tried within limits ([`isole`]) before a server uses them.
    pub fn avec_gabarits(dossier: &std::path::Path) -> (Self, Vec<String>) {
        let mut lus = Vec::new();
        let mut messages = Vec::new();
        let connus: Vec<String> = Document::ALL
            .iter()
            .map(|d| format!("{}.typ", d.name()))
            .chain(std::iter::once("commun.typ".to_string()))
            .collect();
        let entrees = match dossier_sur(dossier) {
            Ok(()) => std::fs::read_dir(dossier).ok(),
            Err(m) if dossier.exists() || std::fs::symlink_metadata(dossier).is_ok() => {
                messages.push(format!("gabarits du département ignorés : {} ({m})", dossier.display()));
                None
            }
            Err(_) => None,
        };
        if let Some(entrees) = entrees {
            let mut entrees: Vec<_> = entrees.flatten().collect();
            entrees.sort_by_key(std::fs::DirEntry::file_name);
            for e in entrees {
                let nom = e.file_name().to_string_lossy().into_owned();
                if !connus.contains(&nom) {
                    messages.push(format!("gabarit ignoré : {nom} (ce n'est pas un document du catalogue)"));
                    continue;
                }
                match lire_gabarit(&e.path()) {
                    Ok(t) => {
                        messages.push(format!("gabarit du département : {nom}"));
                        lus.push((nom, t));
                    }
                    Err(m) => messages.push(format!("gabarit ignoré : {nom} ({m})")),
                }
            }
        }
        (Self::avec(lus), messages)
    }

    /// The engine with these templates of the département (file name, text), already read:
    /// what a trial (`isole`) compiles, and what serves once some are set aside.
    pub fn avec_sources(surcharges: Vec<(String, String)>) -> Self {
        Self::avec(surcharges)
    }

    /// The département's templates in use, with their texts.
    pub fn sources_surcharges(&self) -> Vec<(String, String)> {
        self.surcharges
            .iter()
            .filter_map(|nom| {
                let id = file_id(&format!("/{nom}"));
                self.sources.iter().find(|s| s.id() == id).map(|s| (nom.clone(), s.text().to_string()))
            })
            .collect()
    }

    fn avec(surcharges: Vec<(String, String)>) -> Self {
        let fonts = fonts::load();
        let book = FontBook::from_fonts(&fonts);
        let texte = |nom: &str, integre: &'static str| -> String {
            surcharges.iter().find(|(n, _)| n == nom).map(|(_, t)| t.clone()).unwrap_or_else(|| integre.to_string())
        };
        let mut sources: Vec<Source> =
            SHARED.iter().map(|(p, text)| Source::new(file_id(p), texte(&p[1..], text))).collect();
        sources
            .extend(Document::ALL.iter().map(|d| Source::new(file_id(path(*d)), texte(&path(*d)[1..], template(*d)))));
        let mut integres: Vec<Source> =
            SHARED.iter().map(|(p, text)| Source::new(file_id(&format!("/integre{p}")), (*text).into())).collect();
        integres.extend(
            Document::ALL.iter().map(|d| Source::new(file_id(&format!("/integre{}", path(*d))), template(*d).into())),
        );
        Self {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            sources,
            integres,
            surcharges: surcharges.into_iter().map(|(n, _)| n).collect(),
            casses: Document::ALL.iter().map(|_| std::sync::atomic::AtomicBool::new(false)).collect(),
            data_id: file_id("/data.json"),
            rendered: AtomicU64::new(0),
        }
    }

    /// The version of `document`'s template in use: a hash of its own text (the built-in one
    /// when the département's has failed). A certificate's seal keeps it, so a reprint knows
    /// whether it is identical. *(design)* The shared layout (`commun.typ`) is left out: a
    /// release that touches it would otherwise renumber every certificate.
    pub fn version(&self, document: Document) -> String {
        use sha2::Digest;
        let integre = self.surcharge(document) && self.casses[Self::rang(document)].load(Ordering::Relaxed);
        let (liste, p) = if integre {
            (&self.integres, format!("/integre{}", path(document)))
        } else {
            (&self.sources, path(document).to_string())
        };
        let texte = liste.iter().find(|s| s.id() == file_id(&p)).map(|s| s.text().to_string()).unwrap_or_default();
        sha2::Sha256::digest(texte.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The département's templates in use (file names).
    pub fn surcharges(&self) -> &[String] {
        &self.surcharges
    }

    /// Whether `document` prints with a template of the département (its own, or the shared
    /// layout).
    pub fn surcharge(&self, document: Document) -> bool {
        self.surcharges.iter().any(|n| n == "commun.typ" || n == &path(document)[1..])
    }

    fn rang(document: Document) -> usize {
        Document::ALL.iter().position(|d| *d == document).unwrap_or(0)
    }

    /// Compiles `document`'s template in use against `data`, without falling back: `Err` gives
    /// every error with its file and line (`registre check`).
    pub fn essayer(&self, document: Document, data: &impl Serialize, stamp: &Stamp) -> Result<(), String> {
        let json = serde_json::to_vec(data).map_err(|e| e.to_string())?;
        let today = Datetime::from_ymd(stamp.at.year(), u8::from(stamp.at.month()), stamp.at.day())
            .ok_or_else(|| "date hors limites".to_string())?;
        let world = world::DocWorld { engine: self, main: file_id(path(document)), data: Bytes::new(json), today };
        let doc = typst::compile::<PagedDocument>(&world).output.map_err(|d| situer(&world, &d[..]))?;
        let options = self.pdf_options(document, stamp).map_err(|e| e.to_string())?;
        typst_pdf::pdf(&doc, &options).map(drop).map_err(|d| situer(&world, &d[..]))
    }

    /// Renders `document` from `data` (serialised to `/data.json`) into PDF bytes.
    pub fn render(&self, document: Document, data: &impl Serialize, stamp: &Stamp) -> Result<Vec<u8>, Error> {
        let mut json = serde_json::to_vec(data)?;
        // Rarely needed (hostile input only), so checked on the serialised text first.
        if std::str::from_utf8(&json).is_ok_and(a_mot_long) {
            let mut value: serde_json::Value = serde_json::from_slice(&json)?;
            secable(&mut value);
            json = serde_json::to_vec(&value)?;
        }
        let today = Datetime::from_ymd(stamp.at.year(), u8::from(stamp.at.month()), stamp.at.day())
            .ok_or_else(|| typst_error(document, "date hors limites".into()))?;
        let data = Bytes::new(json);
        let surcharge = self.surcharge(document);
        let casse = &self.casses[Self::rang(document)];
        let integre = file_id(&format!("/integre{}", path(document)));
        let main = if surcharge && casse.load(Ordering::Relaxed) { integre } else { file_id(path(document)) };
        let mut result = self.compiler(document, main, data.clone(), today, stamp);
        if let Err(Error::Typst { message, .. }) = &result
            && surcharge
            && main != integre
        {
            // A broken override never fails a print: the built-in template serves, and the
            // error is logged once.
            if !casse.swap(true, Ordering::Relaxed) {
                tracing::error!(document = document.name(), erreur = %message,
                    "gabarit du département en erreur : le gabarit intégré le remplace (voir « registre check »)");
            }
            result = self.compiler(document, integre, data, today, stamp);
        }
        if result.is_ok() {
            crate::mesures::mesures().documents(document.name(), 1);
        }
        if self.rendered.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            typst::comemo::evict(EVICT_MAX_AGE);
        }
        result
    }

    fn compiler(
        &self,
        document: Document,
        main: FileId,
        data: Bytes,
        today: Datetime,
        stamp: &Stamp,
    ) -> Result<Vec<u8>, Error> {
        let world = world::DocWorld { engine: self, main, data, today };
        let compiled = typst::compile::<PagedDocument>(&world).output;
        compiled.map_err(|diags| typst_error(document, describe(&diags[..]))).and_then(|doc| {
            let options = self.pdf_options(document, stamp)?;
            typst_pdf::pdf(&doc, &options)
                .map(afficher_titre)
                .map_err(|diags| typst_error(document, describe(&diags[..])))
        })
    }

    /// Renders like [`Self::render`] and says where the time went: serialising the data,
    /// compiling and laying out (Typst), exporting the PDF (fonts subset, tags). For
    /// `registre bench`.
    pub fn profil(&self, document: Document, data: &impl Serialize, stamp: &Stamp) -> Result<Profil, Error> {
        let t = std::time::Instant::now();
        let json = serde_json::to_vec(data)?;
        let donnees = t.elapsed();
        let today = Datetime::from_ymd(stamp.at.year(), u8::from(stamp.at.month()), stamp.at.day())
            .ok_or_else(|| typst_error(document, "date hors limites".into()))?;
        let world = world::DocWorld { engine: self, main: file_id(path(document)), data: Bytes::new(json), today };
        let t = std::time::Instant::now();
        let doc = typst::compile::<PagedDocument>(&world)
            .output
            .map_err(|diags| typst_error(document, describe(&diags[..])))?;
        let compilation = t.elapsed();
        let t = std::time::Instant::now();
        let options = self.pdf_options(document, stamp)?;
        let pdf = typst_pdf::pdf(&doc, &options).map_err(|diags| typst_error(document, describe(&diags[..])))?;
        let export = t.elapsed();
        if self.rendered.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            typst::comemo::evict(EVICT_MAX_AGE);
        }
        Ok(Profil { donnees, compilation, export, octets: pdf.len() })
    }

    fn pdf_options(&self, document: Document, stamp: &Stamp) -> Result<PdfOptions, Error> {
        let at = stamp.at.to_offset(time::UtcOffset::UTC);
        let timestamp =
            Datetime::from_ymd_hms(at.year(), u8::from(at.month()), at.day(), at.hour(), at.minute(), at.second())
                .map(Timestamp::new_utc);
        let standards = if document.pdf_a() {
            PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| typst_error(document, format!("{e:?}")))?
        } else {
            PdfStandards::default()
        };
        Ok(PdfOptions {
            ident: Smart::Custom(format!("registre/{}/{}", document.name(), stamp.ident)),
            creator: Smart::Custom(Some("registre".into())),
            timestamp,
            standards,
            tagged: true,
            ..PdfOptions::default()
        })
    }

    /// How many documents this engine has rendered.
    pub fn rendered(&self) -> u64 {
        self.rendered.load(Ordering::Relaxed)
    }
}

/// `pdf` with its catalogue asking viewers to show the document's title rather than its file
/// name (`/ViewerPreferences /DisplayDocTitle true`), which Typst sets only for PDF/UA-1. PDF/UA-1
/// itself is not asked: its text layer for right-to-left names with marks reads doubled in
/// common extractors.
///
/// Typst writes the catalogue last, just before the cross-reference table: the entry goes into
/// it in place, and only `startxref` moves. A PDF laid out otherwise is returned as it is (the
/// tests check every document has the entry).
pub fn afficher_titre(pdf: Vec<u8>) -> Vec<u8> {
    fn chercher(h: &[u8], n: &[u8]) -> Option<usize> {
        h.windows(n.len()).rposition(|w| w == n)
    }
    let Some(xref) = chercher(&pdf, b"\nxref\n") else { return pdf };
    let Some(catalogue) = chercher(&pdf[..xref], b"<</Type/Catalog") else { return pdf };
    // The catalogue is the last object before the table.
    if chercher(&pdf[catalogue..xref], b" obj\n").is_some() {
        return pdf;
    }
    let objet = &pdf[catalogue..xref];
    let (position, ajout): (usize, &[u8]) = match chercher(objet, b"/ViewerPreferences<<") {
        Some(i) => (catalogue + i + b"/ViewerPreferences<<".len(), b"/DisplayDocTitle true"),
        None => match chercher(objet, b">>\nendobj") {
            Some(i) => (catalogue + i, b"/ViewerPreferences<</DisplayDocTitle true>>"),
            None => return pdf,
        },
    };
    let Some(s) = chercher(&pdf, b"\nstartxref\n") else { return pdf };
    let debut = s + b"\nstartxref\n".len();
    let Some(fin) = pdf[debut..].iter().position(|b| *b == b'\n').map(|f| debut + f) else { return pdf };
    let Some(ancien) = std::str::from_utf8(&pdf[debut..fin]).ok().and_then(|t| t.trim().parse::<usize>().ok()) else {
        return pdf;
    };
    if ancien != xref + 1 || s < xref {
        return pdf;
    }
    let mut out = Vec::with_capacity(pdf.len() + ajout.len() + 4);
    out.extend_from_slice(&pdf[..position]);
    out.extend_from_slice(ajout);
    out.extend_from_slice(&pdf[position..debut]);
    out.extend_from_slice((ancien + ajout.len()).to_string().as_bytes());
    out.extend_from_slice(&pdf[fin..]);
    out
}

/// Where the time of one document went ([`Engine::profil`]).
#[derive(Debug, Clone, Copy)]
pub struct Profil {
    /// Serialising the data to JSON.
    pub donnees: std::time::Duration,
    /// Compiling the template and laying out the pages.
    pub compilation: std::time::Duration,
    /// Writing the PDF (font subsets, structure tree).
    pub export: std::time::Duration,
    /// Size of the PDF.
    pub octets: usize,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

/// The longest run of letters printed as one unbreakable word, as typed: no real name comes
/// near it, and it fits the width of a document's value column. A longer run (hostile input)
/// would run off the page, since Typst breaks words only where hyphenation allows; it gets
/// break opportunities instead, which text extraction may show as zero-width spaces.
const MOT_MAX: usize = 60;

/// Lets every over-long run of letters in the data break anywhere: a zero-width space goes
/// before each of its letters (never before a combining mark). Other text is left as it is.
fn secable(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(coupe) = couper_mots_longs(s) {
                *s = coupe;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(secable),
        serde_json::Value::Object(m) => m.values_mut().for_each(secable),
        _ => {}
    }
}

fn lettre(c: char) -> bool {
    c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c)
}

/// Whether `s` has a run of more than [`MOT_MAX`] letters.
fn a_mot_long(s: &str) -> bool {
    let mut run = 0;
    s.chars().any(|c| {
        run = if lettre(c) { run + 1 } else { 0 };
        run > MOT_MAX
    })
}

/// `s` with its runs of more than [`MOT_MAX`] letters made breakable, if it has any.
fn couper_mots_longs(s: &str) -> Option<String> {
    if !a_mot_long(s) {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let fin = (i..chars.len()).find(|&j| !lettre(chars[j])).unwrap_or(chars.len());
        if fin - i > MOT_MAX {
            for (k, &c) in chars[i..fin].iter().enumerate() {
                if k > 0 && !unicode_normalization::char::is_combining_mark(c) {
                    out.push('\u{200B}');
                }
                out.push(c);
            }
        } else {
            out.extend(&chars[i..fin]);
        }
        if fin < chars.len() {
            out.push(chars[fin]);
        }
        i = fin + 1;
    }
    Some(out)
}

fn typst_error(document: Document, message: String) -> Error {
    Error::Typst { document: document.name(), message }
}

/// Typst's errors with their file and line (`fiche-renseignements.typ:12 : unknown variable`).
fn situer(world: &world::DocWorld<'_>, diags: &[SourceDiagnostic]) -> String {
    use typst::World;
    use typst::WorldExt;
    diags
        .iter()
        .map(|d| {
            let lieu = d.span.id().and_then(|id| {
                let source = world.source(id).ok()?;
                let ligne = world.range(d.span).and_then(|r| source.lines().byte_to_line(r.start))? + 1;
                Some(format!("{}:{ligne}", id.vpath().get_with_slash().trim_start_matches('/')))
            });
            match lieu {
                Some(l) => format!("{l} : {}", d.message),
                None => d.message.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    diags.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join(" ; ")
}

#[cfg(test)]
mod tests;
