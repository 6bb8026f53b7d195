//! What the operators' tools read: the metrics' values at each scrape and the readiness checks
//! (`/metrics`, `/readyz`). Counts and sizes only: no personal data, so no journal row.

use std::path::Path;

use time::OffsetDateTime;

use super::Result;
use crate::mesures::Instantane;
use crate::service::travaux::Travaux;
use crate::store::{Store, exploitation};

/// The disk holding the database is "nearly full" under both: 5 % of it and 2 GiB free.
pub const ESPACE_LIBRE_MIN: (f64, u64) = (0.05, 2 << 30);

/// The values read at a scrape: the journal's rows, open sessions, the files' sizes and the
/// jobs waiting and running.
pub fn instantane(store: &Store, travaux: &Travaux, le: OffsetDateTime) -> Result<Instantane> {
    let (journal_lignes, sessions) =
        store.read(|c| exploitation::compter(c, le, (crate::auth::INACTIVITE, crate::auth::DUREE_MAX)))?;
    let (base, wal) = store.fichiers();
    let taille = |p: &Path| std::fs::metadata(p).map_or(0, |m| i64::try_from(m.len()).unwrap_or(i64::MAX));
    let impressions_octets = std::fs::read_dir(travaux.chemin())
        .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len() as i64).sum())
        .unwrap_or(0);
    let (impressions, imports) = travaux.en_file();
    Ok(Instantane {
        journal_lignes,
        sessions,
        base_octets: taille(&base),
        wal_octets: taille(&wal),
        impressions_octets,
        impressions,
        imports,
    })
}

/// One readiness check: its name, and what is wrong (in French) or `None`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Controle {
    /// `base`, `journal`, `impressions` or `disque`.
    pub nom: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, in French.
    pub detail: String,
}

/// Whether the server can serve: the database answers, the journal's end agrees with its
/// anchor, the print folder takes a file, and the disk is not nearly full.
pub fn preparation(store: &Store, travaux: &Travaux) -> Vec<Controle> {
    let controle = |nom, r: std::result::Result<String, String>| match r {
        Ok(detail) => Controle { nom, ok: true, detail },
        Err(detail) => Controle { nom, ok: false, detail },
    };
    let base = store.ping().map(|()| "la base répond".to_string()).map_err(|e| format!("la base ne répond pas : {e}"));
    let journal = match store.probleme_ancre_actuel() {
        Ok(None) => Ok("la fin du journal correspond à son point de contrôle".to_string()),
        Ok(Some(p)) => Err(p),
        Err(e) => Err(format!("journal illisible : {e}")),
    };
    vec![
        controle("base", base),
        controle("journal", journal),
        controle("impressions", essai_ecriture(travaux.chemin())),
        controle("disque", espace_libre(store.path())),
    ]
}

/// A file written and removed in the print runs' folder (not synced: the check stays cheap,
/// `/readyz` being open to load balancers).
fn essai_ecriture(dossier: &Path) -> std::result::Result<String, String> {
    use std::io::Write;
    let f = dossier.join(format!(".essai-{:016x}", rand::random::<u64>()));
    let r = crate::config::fichier_prive(&f, true).and_then(|mut h| h.write_all(b"ok"));
    let _ = std::fs::remove_file(&f);
    r.map(|()| format!("le dossier des impressions {} accepte un fichier", dossier.display()))
        .map_err(|e| format!("le dossier des impressions {} n'accepte pas de fichier : {e}", dossier.display()))
}

/// The free space of the disk holding `db`.
fn espace_libre(db: &Path) -> std::result::Result<String, String> {
    let dossier = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let s =
        rustix::fs::statvfs(dossier).map_err(|e| format!("espace libre de {} illisible : {e}", dossier.display()))?;
    let libre = s.f_bavail.saturating_mul(s.f_frsize);
    let total = s.f_blocks.saturating_mul(s.f_frsize).max(1);
    let message = format!(
        "{} Mio libres sur {} Mio ({:.1} %) dans {}",
        libre >> 20,
        total >> 20,
        libre as f64 * 100.0 / total as f64,
        dossier.display()
    );
    if presque_plein(libre, total) { Err(format!("disque presque plein : {message}")) } else { Ok(message) }
}

/// Under [`ESPACE_LIBRE_MIN`]: less than 5 % and less than 2 GiB free.
pub fn presque_plein(libre: u64, total: u64) -> bool {
    (libre as f64) < ESPACE_LIBRE_MIN.0 * total as f64 && libre < ESPACE_LIBRE_MIN.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_is_nearly_full_under_both_five_percent_and_two_gib() {
        const G: u64 = 1 << 30;
        assert!(presque_plein(G, 100 * G), "1 %, 1 GiB");
        assert!(!presque_plein(3 * G, 100 * G), "3 GiB free on a large disk is enough");
        assert!(!presque_plein(G, 10 * G), "10 % free on a small disk is enough");
        assert!(presque_plein(0, 1));
    }
}
