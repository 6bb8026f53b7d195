//! `registre bench`: the project's own measurements of the print engine, run on this machine.
//!
//! Reports throughput and resident memory while rendering many documents in one process, so
//! that the claims of the README come from a command anyone can run again. No timing is ever
//! asserted in a test: the machine is shared and noisy.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::clock::Clock;
use crate::domain::Perimetre;
use crate::render::{Document, Engine};
use crate::service::documents::{Cible, Imprimeur};
use crate::store::eleves::{self, Filtre};
use crate::store::{Store, territoires};

/// Resident memory of this process in KiB (Linux `/proc/self/status`), if known.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map(|k| format!("{:.1} Mio", k as f64 / 1024.0)).unwrap_or_else(|| "?".into())
}

/// Renders `n` documents one after another (cycling over the pupils of the base) and prints
/// resident memory at the start, after 1,000, after every tenth of the run and at the end.
pub fn memoire(db: &Path, n: usize, document: &str, clock: &Clock) -> anyhow::Result<()> {
    let doc = Document::from_name(document).with_context(|| format!("document « {document} » inconnu"))?;
    if doc == Document::ListeClasse {
        bail!("la mesure porte sur un document par élève (fiche-renseignements, certificat-scolarite)");
    }
    let store = Store::open_existing(db)?;
    let p = Perimetre::Installation;
    let ids = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        Ok(eleves::lister(c, &p, &Filtre { presents: true, ..Filtre::annee(annee) })?
            .into_iter()
            .map(|l| l.id)
            .collect::<Vec<_>>())
    })?;
    if ids.is_empty() {
        bail!("aucun élève dans la base");
    }
    let start_rss = rss_kib();
    let t0 = Instant::now();
    let engine = Engine::new();
    let setup = t0.elapsed();
    println!("Mesure : {n} × {} sur {} élèves distincts (un seul processus, un cœur)", doc.name(), ids.len());
    println!("{:>10}  {:>12}  {:>14}", "documents", "mémoire", "docs/s (cumul)");
    println!("{:>10}  {:>12}  {:>14}", 0, mib(start_rss), "-");
    let cles = crate::config::Cles::charger(db)?;
    let imp = Imprimeur {
        store: &store,
        engine: &engine,
        cles: &cles,
        perimetre: &p,
        le: clock.now_paris(),
        annee: None,
        colonnes: &[],
    };
    let t = Instant::now();
    let mut bytes = 0usize;
    let step = (n / 10).max(1);
    for i in 1..=n {
        let mut pdf = Vec::new();
        imp.pdf(doc, &Cible::Eleve(ids[(i - 1) % ids.len()].clone()), &mut pdf, &|_| true)?;
        bytes += pdf.len();
        if i == 1000 || i % step == 0 || i == n {
            let rate = i as f64 / t.elapsed().as_secs_f64();
            println!("{i:>10}  {:>12}  {rate:>14.0}", mib(rss_kib()));
        }
    }
    let total = t.elapsed();
    println!(
        "Moteur prêt en {:.0} ms ; {n} documents en {:.1} s ({:.2} ms par document, {:.0} Kio en moyenne).",
        setup.as_secs_f64() * 1000.0,
        total.as_secs_f64(),
        total.as_secs_f64() * 1000.0 / n as f64,
        bytes as f64 / n as f64 / 1024.0
    );
    Ok(())
}
