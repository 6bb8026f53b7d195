//! Batches: many documents of one kind into a ZIP, or into one merged PDF, rendered in parallel
//! across cores.
//!
//! Items are pulled from the caller's iterator a chunk at a time, rendered in parallel, then
//! written in order, so memory stays bounded by one chunk whatever the batch size, and the
//! output is deterministic (stable names, order and timestamps). After each document the
//! caller hears of the progress and may stop the batch (a cancelled job stops within a chunk).

use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{Document, Engine, Error, Stamp};

/// One document of a batch.
#[derive(Debug)]
pub struct BatchItem {
    /// File name inside the archive (stable, ASCII).
    pub file_name: String,
    /// Date and identifier of the document.
    pub stamp: Stamp,
    /// The data, as the template expects it.
    pub data: serde_json::Value,
}

/// Documents rendered in parallel before being written out: enough to keep every core busy,
/// few enough that a cancelled batch stops at once (16 fiches take well under a second).
const CHUNK: usize = 16;

/// Called after each document written with the running count; `false` stops the batch
/// ([`Error::Annule`]).
pub type Progression<'a> = &'a (dyn Fn(usize) -> bool + Sync);

/// A chunk's items beside their rendered PDFs.
type Rendus = Vec<(BatchItem, Result<Vec<u8>, Error>)>;

/// Pulls the next chunk of items and renders it in parallel.
fn chunk<I, E>(engine: &Engine, document: Document, items: &mut std::iter::Peekable<I>) -> Result<Rendus, E>
where
    I: Iterator<Item = Result<BatchItem, E>>,
{
    let chunk: Vec<BatchItem> = items.by_ref().take(CHUNK).collect::<Result<_, E>>()?;
    let pdfs = rendre_en_parallele(engine, document, &chunk);
    Ok(chunk.into_iter().zip(pdfs).collect())
}

/// How many batch documents are being rendered at once in the whole process: at most one per
/// core, however many prints run together (a job, a class printed from a page, the CLI).
struct Guichet {
    libres: std::sync::Mutex<usize>,
    signal: std::sync::Condvar,
}

static GUICHET: std::sync::LazyLock<Guichet> = std::sync::LazyLock::new(|| Guichet {
    libres: std::sync::Mutex::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)),
    signal: std::sync::Condvar::new(),
});

/// A place at the [`GUICHET`], given back when dropped (a panic included).
struct Place;

impl Place {
    fn prendre() -> Self {
        let mut libres = GUICHET.libres.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *libres == 0 {
            libres = GUICHET.signal.wait(libres).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *libres -= 1;
        Place
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut libres = GUICHET.libres.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *libres += 1;
        GUICHET.signal.notify_one();
    }
}

/// Renders one batch document when a place is free.
fn rendre(engine: &Engine, document: Document, item: &BatchItem) -> Result<Vec<u8>, Error> {
    let _place = Place::prendre();
    engine.render(document, &item.data, &item.stamp)
}

/// Renders the items on as many plain threads as the current rayon pool has (the jobs' pool:
/// cores − 1; elsewhere every core), each document start to end on one thread. Not rayon
/// tasks: Typst parallelises inside a compilation with rayon, and a rayon worker waiting there
/// would steal and start other whole documents, holding many half-made ones in memory at once
/// (measured: over 500 MiB on two cores, against about 110 MiB for one thread).
pub fn rendre_en_parallele(engine: &Engine, document: Document, chunk: &[BatchItem]) -> Vec<Result<Vec<u8>, Error>> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let fils = rayon::current_num_threads().clamp(1, chunk.len().max(1));
    if fils == 1 {
        return chunk.iter().map(|item| rendre(engine, document, item)).collect();
    }
    let suivant = AtomicUsize::new(0);
    type Rendu = Option<Result<Vec<u8>, Error>>;
    let resultats: Mutex<Vec<Rendu>> = Mutex::new(chunk.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..fils {
            let travail = || {
                loop {
                    let i = suivant.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = chunk.get(i) else { break };
                    let r = rendre(engine, document, item);
                    if let Ok(mut v) = resultats.lock() {
                        v[i] = Some(r);
                    }
                }
            };
            if std::thread::Builder::new().stack_size(super::PILE).spawn_scoped(s, travail).is_err() {
                // No thread: this one does the work (the others, if any, share it).
                travail();
            }
        }
    });
    resultats
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::Io(std::io::Error::other("rendu interrompu")))))
        .collect()
}

/// Renders every item into one PDF each and appends them to one PDF written to `out`, each on
/// an odd page ([`super::fusion`]). Returns how many documents were written.
pub fn render_pdf<W, I, E>(
    engine: &Engine,
    document: Document,
    items: I,
    out: W,
    (titre, ident): (&str, &str),
    progress: Progression<'_>,
) -> Result<usize, E>
where
    W: Write,
    I: IntoIterator<Item = Result<BatchItem, E>>,
    E: From<Error>,
{
    let mut fusion = super::fusion::Fusion::new(out, titre).map_err(E::from)?;
    let mut items = items.into_iter().peekable();
    let mut written = 0;
    while items.peek().is_some() {
        for (_, pdf) in chunk(engine, document, &mut items)? {
            fusion.ajouter(&pdf.map_err(E::from)?).map_err(E::from)?;
            written += 1;
            if !progress(written) {
                return Err(Error::Annule.into());
            }
        }
    }
    fusion.terminer(ident).map_err(E::from)?;
    Ok(written)
}

/// Renders every item into one PDF per entry of a ZIP written to `out`; calls `progress` with
/// the running count. Items are produced lazily (loading one may fail with the caller's error
/// type). Returns how many documents were written.
pub fn render_zip<W, I, E>(
    engine: &Engine,
    document: Document,
    items: I,
    out: W,
    progress: Progression<'_>,
) -> Result<usize, E>
where
    W: Write + Seek,
    I: IntoIterator<Item = Result<BatchItem, E>>,
    E: From<Error>,
{
    let mut zip = ZipWriter::new(out);
    let mut items = items.into_iter().peekable();
    let mut written = 0;
    while items.peek().is_some() {
        for (item, pdf) in chunk(engine, document, &mut items)? {
            let pdf = pdf?;
            let at = item.stamp.at;
            let modified = zip::DateTime::from_date_and_time(
                u16::try_from(at.year()).unwrap_or(1980),
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second(),
            )
            .unwrap_or_default();
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .last_modified_time(modified)
                .unix_permissions(0o600);
            zip.start_file(item.file_name.as_str(), options).map_err(Error::from)?;
            zip.write_all(&pdf).map_err(Error::from)?;
            written += 1;
            if !progress(written) {
                return Err(Error::Annule.into());
            }
        }
    }
    zip.finish().map_err(Error::from)?;
    Ok(written)
}
