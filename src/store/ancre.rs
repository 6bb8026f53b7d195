//! The journal's anchor: the last sequence number of the audit journal and its MAC, written
//! outside the database after each commit that added rows (`registre.db` →
//! `registre.db.ancre`, beside the key file).
//!
//! What it protects against: rows cut from the **end** of the journal, or the whole
//! journal emptied, by someone who can change the database file (SQL access, a tool, an older
//! copy put back in place) but not the anchor file: the chain alone cannot see a cut at its end,
//! the anchor can, and `registre check` names the missing rows. What it does not protect
//! against: someone who can write both files (and, to forge rows, holding the key file too);
//! keep the anchor with the key file, out of reach of whoever administers the database alone.
//!
//! Rules kept here:
//! - the file is replaced atomically (temporary file, fsync, rename, fsync of the folder) and
//!   is private (0600);
//! - a process never moves it back; two processes (the server and a CLI verb) committing in
//!   turn may leave it at the end one of them saw, which is a row of the journal: behind the end
//!   is never an alarm, and the next commit moves it on;
//! - an anchor that does not match the journal at open (missing while the journal holds rows,
//!   ahead of the journal's end, or with another MAC) is never rewritten by this process: the
//!   evidence stays until an operator has looked (`registre check`, then `--reancrer`).

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::journal;
use super::{Error, Result};

/// The anchored end of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ancre {
    /// Sequence number of the last row (0: empty journal).
    pub seq: i64,
    /// Its MAC (empty for an empty journal).
    pub mac: String,
}

/// How the journal stands against its anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EtatAncre {
    /// The anchored row is there, with the anchored MAC (rows after it are newer commits).
    Conforme(Ancre),
    /// No anchor file.
    Absente,
    /// The anchor file cannot be read.
    Illisible(String),
    /// The journal ends before the anchored row: rows `fin + 1 ..= ancre.seq` were removed.
    Tronque {
        /// The anchor.
        ancre: Ancre,
        /// The journal's last row (0 when empty).
        fin: i64,
    },
    /// The anchored row has another MAC: the chain was rewritten from that row or before.
    Divergente(Ancre),
}

impl EtatAncre {
    /// The problem, in French, or `None` when the anchor matches.
    pub fn probleme(&self, fichier: &Path) -> Option<String> {
        let f = fichier.display();
        match self {
            EtatAncre::Conforme(_) => None,
            EtatAncre::Absente => Some(format!(
                "point de contrôle du journal {f} absent : la fin du journal ne peut pas être vérifiée (s'il a été perdu, « registre check --reancrer » en écrit un nouveau après vérification de la chaîne)"
            )),
            EtatAncre::Illisible(m) => Some(format!("point de contrôle du journal {f} illisible : {m}")),
            EtatAncre::Tronque { ancre, fin: 0 } => Some(format!(
                "le journal est vide alors que son point de contrôle ({f}) atteste {} ligne(s) : lignes 1 à {} supprimées",
                ancre.seq, ancre.seq
            )),
            EtatAncre::Tronque { ancre, fin } => Some(format!(
                "le journal s'arrête à la ligne {fin} alors que son point de contrôle ({f}) atteste la ligne {} : lignes {} à {} supprimées",
                ancre.seq,
                fin + 1,
                ancre.seq
            )),
            EtatAncre::Divergente(a) => Some(format!(
                "la ligne {} du journal n'a pas l'empreinte attestée par son point de contrôle ({f}) : journal réécrit",
                a.seq
            )),
        }
    }

    /// The row a problem is about (for `check`'s « first bad row »).
    pub fn ligne(&self) -> i64 {
        match self {
            EtatAncre::Tronque { fin, .. } => fin + 1,
            EtatAncre::Divergente(a) => a.seq,
            _ => 0,
        }
    }
}

/// The anchor file of a database.
pub fn chemin(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".ancre");
    PathBuf::from(s)
}

/// Reads an anchor file; `Ok(None)` when absent.
pub fn lire(path: &Path) -> std::result::Result<Option<Ancre>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let mut seq = None;
    let mut mac = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        match line.split_once('=').map(|(k, v)| (k.trim(), v.trim())) {
            Some(("seq", v)) => seq = Some(v.parse::<i64>().map_err(|_| format!("numéro de ligne « {v} » invalide"))?),
            Some(("mac", v)) if v.chars().all(|c| c.is_ascii_hexdigit()) => mac = Some(v.to_string()),
            _ => return Err(format!("ligne inattendue « {} »", line.chars().take(40).collect::<String>())),
        }
    }
    match (seq, mac) {
        (Some(seq), Some(mac)) if seq >= 0 => Ok(Some(Ancre { seq, mac })),
        _ => Err("seq et mac attendus".into()),
    }
}

/// Writes an anchor file atomically and durably (mode 0600).
pub fn ecrire(path: &Path, a: &Ancre) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = crate::config::fichier_prive(&tmp, false)?;
    let text = format!(
        "# Point de contrôle du journal d'audit de registre : dernière ligne et son empreinte.\nseq = {}\nmac = {}\n",
        a.seq, a.mac
    );
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself must survive a crash.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// The journal's end as an anchor.
pub fn fin(c: &Connection) -> Result<Ancre> {
    Ok(journal::dernier(c)?.map(|(seq, mac)| Ancre { seq, mac }).unwrap_or(Ancre { seq: 0, mac: String::new() }))
}

/// Compares the journal with the anchor file.
pub fn etat(c: &Connection, path: &Path) -> Result<EtatAncre> {
    let a = match lire(path) {
        Ok(Some(a)) => a,
        Ok(None) => return Ok(EtatAncre::Absente),
        Err(m) => return Ok(EtatAncre::Illisible(m)),
    };
    let end = fin(c)?;
    if end.seq < a.seq {
        return Ok(EtatAncre::Tronque { ancre: a, fin: end.seq });
    }
    if a.seq == 0 {
        return Ok(EtatAncre::Conforme(a));
    }
    match journal::mac_de(c, a.seq)? {
        Some(m) if m == a.mac => Ok(EtatAncre::Conforme(a)),
        // A missing row in the middle is the chain's to name; a different MAC is the anchor's.
        Some(_) => Ok(EtatAncre::Divergente(a)),
        None => {
            let fin = end.seq.min(a.seq - 1);
            Ok(EtatAncre::Tronque { ancre: a, fin })
        }
    }
}

/// What a store does with the anchor while it writes.
#[derive(Debug)]
pub(super) struct Ancrage {
    /// The anchor file.
    pub path: PathBuf,
    /// The last anchor written or read; `None` while the anchor is not maintained.
    pub derniere: Option<Ancre>,
    /// What was wrong with the anchor at open, in French.
    pub probleme: Option<String>,
}

impl Ancrage {
    /// At open: maintained only if the anchor matches the journal (or the journal is new).
    pub fn ouvrir(c: &Connection, db: &Path, nouveau: bool) -> Result<Self> {
        let path = chemin(db);
        let (derniere, probleme) = match etat(c, &path)? {
            EtatAncre::Conforme(a) => (Some(a), None),
            EtatAncre::Absente if nouveau => {
                let a = fin(c)?;
                ecrire(&path, &a).map_err(|e| Error::Ouverture(format!("écriture de {} : {e}", path.display())))?;
                (Some(a), None)
            }
            other => {
                let p = other.probleme(&path);
                if let Some(p) = &p {
                    tracing::error!("{p} ; le point de contrôle ne sera pas mis à jour");
                }
                (None, p)
            }
        };
        Ok(Self { path, derniere, probleme })
    }

    /// After a commit: moves the anchor to the journal's new end, if it advanced. A failure is
    /// logged, not returned: the commit is done and acknowledged; `check` will see an anchor
    /// behind the journal, which is not an alarm.
    pub fn apres_commit(&mut self, c: &Connection) {
        let Some(derniere) = &self.derniere else { return };
        let end = match fin(c) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("fin du journal illisible après validation : {e}");
                return;
            }
        };
        if end.seq <= derniere.seq {
            return;
        }
        match ecrire(&self.path, &end) {
            Ok(()) => self.derniere = Some(end),
            Err(e) => tracing::error!("point de contrôle du journal {} non écrit : {e}", self.path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anchor_round_trips_and_a_damaged_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.db.ancre");
        assert_eq!(lire(&p), Ok(None));
        let a = Ancre { seq: 42, mac: "ab12".into() };
        ecrire(&p, &a).unwrap();
        assert_eq!(lire(&p), Ok(Some(a)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&p, "seq = x\nmac = ab\n").unwrap();
        assert!(lire(&p).unwrap_err().contains("invalide"));
        std::fs::write(&p, "mac = ab\n").unwrap();
        assert!(lire(&p).is_err());
    }

    #[test]
    fn problems_name_the_missing_rows() {
        let f = Path::new("r.db.ancre");
        let a = Ancre { seq: 135, mac: "ff".into() };
        let t = EtatAncre::Tronque { ancre: a.clone(), fin: 120 }.probleme(f).unwrap();
        assert!(t.contains("ligne 120") && t.contains("lignes 121 à 135"), "{t}");
        let v = EtatAncre::Tronque { ancre: a.clone(), fin: 0 }.probleme(f).unwrap();
        assert!(v.contains("vide") && v.contains("lignes 1 à 135"), "{v}");
        assert!(EtatAncre::Absente.probleme(f).unwrap().contains("absent"));
        assert_eq!(EtatAncre::Conforme(a).probleme(f), None);
    }
}
