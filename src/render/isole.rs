//! A département's template tried in a child process with a time and memory limit.
//!
//! Typst has no bound of its own: a template may loop without end or allocate until the kernel
//! kills the whole server. So every override is first compiled, at start-up and by
//! `registre check`, by a child of the program itself (`registre essai-gabarit`, hidden) that
//! limits its own address space and processor time (`setrlimit`) before reading anything, and
//! that the parent kills past a wall-clock limit. A template that exceeds a limit is set aside
//! with a French message naming it, and the built-in template serves.
//!
//! The protocol: the data of the trial as JSON on the child's standard input; exit 0 when the
//! template compiled, [`ERREUR_TYPST`] with Typst's errors on standard output when it did not,
//! anything else (killed, aborted on a failed allocation) when a limit was reached.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Document, Engine, Stamp};

/// The limits of a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limites {
    /// Address space of the child, in bytes (the program, its fonts and Typst take about a
    /// fifth of it for a real template).
    pub memoire: u64,
    /// Wall-clock time (and processor time) of the trial.
    pub temps: Duration,
}

/// The limits of every trial: far above what a real template needs (a fiche compiles in a few
/// milliseconds, the whole process stays under 300 MiB), far below what would hurt the server.
pub const LIMITES: Limites = Limites { memoire: 1536 << 20, temps: Duration::from_secs(10) };

impl Limites {
    /// [`LIMITES`], or the time given in seconds by `REGISTRE_ESSAI_GABARIT_S` (the tests use a
    /// shorter one).
    pub fn par_defaut() -> Self {
        let temps = std::env::var("REGISTRE_ESSAI_GABARIT_S")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| (1..=600).contains(s))
            .map_or(LIMITES.temps, Duration::from_secs);
        Limites { temps, ..LIMITES }
    }
}

/// The child's exit code for a template that Typst refused.
pub const ERREUR_TYPST: i32 = 3;

/// What a trial found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// Compiled within the limits.
    Compile,
    /// Typst refused it (with file and line): the built-in template serves when it is used.
    Erreur(String),
    /// It exceeded a limit (time or memory), in French: set aside.
    Limite(String),
}

/// Tries `document` as printed with the templates of `dossier` (but `ecartes`) on `donnees`, in
/// a child `exe essai-gabarit` within `limites`.
pub fn essayer(
    exe: &Path,
    limites: Limites,
    dossier: &Path,
    ecartes: &[String],
    document: Document,
    donnees: &serde_json::Value,
    le: time::OffsetDateTime,
) -> Issue {
    let mut cmd = Command::new(exe);
    cmd.arg("essai-gabarit")
        .arg("--secondes")
        .arg(limites.temps.as_secs().max(1).to_string())
        .arg("--memoire")
        .arg(limites.memoire.to_string())
        .arg("--dossier")
        .arg(dossier)
        .arg("--document")
        .arg(document.name())
        .arg("--le")
        .arg(le.unix_timestamp().to_string());
    for e in ecartes {
        cmd.arg("--ecarte").arg(e);
    }
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("RAYON_NUM_THREADS", "1");
    let mut enfant = match cmd.spawn() {
        Ok(e) => e,
        Err(e) => return Issue::Limite(format!("essai impossible ({} : {e})", exe.display())),
    };
    if let Some(mut entree) = enfant.stdin.take() {
        let octets = serde_json::to_vec(donnees).unwrap_or_default();
        // The child may already have died: its status says why.
        let _ = entree.write_all(&octets);
    }
    let debut = Instant::now();
    let statut = loop {
        match enfant.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if debut.elapsed() > limites.temps + Duration::from_millis(500) => {
                let _ = enfant.kill();
                let _ = enfant.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let lire = |r: Option<&mut dyn Read>| {
        let mut s = String::new();
        if let Some(r) = r {
            let _ = r.take(16 * 1024).read_to_string(&mut s);
        }
        s
    };
    let sortie = lire(enfant.stdout.as_mut().map(|r| r as &mut dyn Read));
    let erreurs = lire(enfant.stderr.as_mut().map(|r| r as &mut dyn Read));
    let secondes = limites.temps.as_secs();
    match statut.map(|s| (s.code(), s)) {
        Some((Some(0), _)) => Issue::Compile,
        Some((Some(ERREUR_TYPST), _)) => Issue::Erreur(sortie.trim().to_string()),
        None => Issue::Limite(format!("sa compilation dépasse {secondes} s : il est mis de côté")),
        Some((_, s)) => {
            let memoire = erreurs.contains("memory allocation") || erreurs.contains("allocation");
            let temps = {
                #[cfg(unix)]
                {
                    use std::os::unix::process::ExitStatusExt;
                    s.signal() == Some(24) // SIGXCPU: the processor time limit
                }
                #[cfg(not(unix))]
                {
                    let _ = s;
                    false
                }
            };
            if temps {
                Issue::Limite(format!("sa compilation dépasse {secondes} s : il est mis de côté"))
            } else if memoire {
                Issue::Limite(format!(
                    "sa compilation dépasse la mémoire permise ({} Mio) : il est mis de côté",
                    limites.memoire >> 20
                ))
            } else {
                Issue::Limite(format!("sa compilation a échoué sans message ({s}) : il est mis de côté"))
            }
        }
    }
}

/// The child's side of [`essayer`]: limits itself, reads the data, compiles, answers; returns
/// the exit code.
pub fn enfant(
    limites: Limites,
    dossier: &Path,
    ecartes: &[String],
    document: Document,
    le: time::OffsetDateTime,
) -> i32 {
    #[cfg(unix)]
    {
        let cpu = limites.temps.as_secs().max(1);
        let _ = rlimit::setrlimit(rlimit::Resource::CPU, cpu, cpu + 1);
        let _ = rlimit::setrlimit(rlimit::Resource::AS, limites.memoire, limites.memoire);
    }
    let mut entree = Vec::new();
    if std::io::stdin().take(64 << 20).read_to_end(&mut entree).is_err() {
        return 2;
    }
    let Ok(donnees) = serde_json::from_slice::<serde_json::Value>(&entree) else { return 2 };
    let dossier = dossier.to_path_buf();
    let ecartes = ecartes.to_vec();
    // Typst's layout recurses deeply: the stack of a rendering thread.
    let fil = std::thread::Builder::new().stack_size(super::PILE).spawn(move || {
        let (engine, _) = Engine::avec_gabarits_sauf(&dossier, &ecartes);
        engine.essayer(document, &donnees, &Stamp { at: le, ident: "essai".into() })
    });
    match fil.map(|f| f.join()) {
        Ok(Ok(Ok(()))) => 0,
        Ok(Ok(Err(m))) => {
            println!("{}", m.chars().take(8000).collect::<String>());
            ERREUR_TYPST
        }
        _ => 2,
    }
}
