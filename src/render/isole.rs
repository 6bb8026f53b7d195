//! A département's template tried in a child process with a time and memory limit.
//!
//! Typst has no bound of its own: a template may loop without end or allocate until the kernel
//! kills the whole server. So every override is first compiled, at start-up and by
//! `registre check`, by a child of the program itself (`registre essai-gabarit`, hidden) that
//! limits its own address space and processor time (`setrlimit`) before reading anything, and
//! that the parent kills past a wall-clock limit. A template that exceeds a limit is set aside
//! with a French message naming it, and the built-in template serves.
//!
//! The protocol: the templates to try (their texts, exactly as the server holds them: the
//! child reads no file) and the data of the trial, as JSON on the child's standard input; exit
//! 0 when the template compiled, [`ERREUR_TYPST`] with Typst's errors on standard output when
//! it did not, [`SANS_LIMITES`] when the child could not set its limits (the template is then
//! set aside), anything else (killed, aborted on a failed allocation) when a limit was reached.
//!
//! *(design)* A trial compiles each document once, with data of the base: a template that
//! loops or allocates without end whatever the data is caught; one that would do so only for
//! some data is not, and prints in the server without limits. The templates are the
//! département's own files, written by its operators: the trial guards against their mistakes,
//! and the checks of their files (owner, rights, links) against anyone else.

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
/// The child's exit code when it could not limit itself.
pub const SANS_LIMITES: i32 = 4;

/// What the child reads on its standard input.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Essai {
    /// The département's templates (file name, text).
    gabarits: Vec<(String, String)>,
    /// The data of the document.
    donnees: serde_json::Value,
}

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

/// Tries `document` as printed with the templates `gabarits` (file name, text) on `donnees`,
/// in a child `exe essai-gabarit` within `limites`.
pub fn essayer(
    exe: &Path,
    limites: Limites,
    gabarits: &[(String, String)],
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
        .arg("--document")
        .arg(document.name())
        .arg("--le")
        .arg(le.unix_timestamp().to_string());
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).env("RAYON_NUM_THREADS", "1");
    let mut enfant = match cmd.spawn() {
        Ok(e) => e,
        Err(e) => return Issue::Limite(format!("essai impossible ({} : {})", exe.display(), e.kind())),
    };
    // The child's output is read as it comes (a full pipe would stall it), within 16 KiB.
    let lire = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut r) = r {
                let _ = r.by_ref().take(16 * 1024).read_to_end(&mut s);
                let _ = std::io::copy(&mut r, &mut std::io::sink());
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let sortie = lire(enfant.stdout.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    let erreurs = lire(enfant.stderr.take().map(|r| Box::new(r) as Box<dyn Read + Send>));
    if let Some(mut entree) = enfant.stdin.take() {
        let essai = Essai { gabarits: gabarits.to_vec(), donnees: donnees.clone() };
        let octets = serde_json::to_vec(&essai).unwrap_or_default();
        // The child may already have died: its status says why.
        let _ = entree.write_all(&octets);
    }
    let debut = Instant::now();
    let statut = loop {
        match enfant.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if debut.elapsed() > limites.temps + Duration::from_millis(500) => {
                let _ = enfant.kill();
                let _ = enfant.wait();
                break Err(true);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => {
                let _ = enfant.kill();
                let _ = enfant.wait();
                break Err(false);
            }
        }
    };
    let sortie = sortie.join().unwrap_or_default();
    let erreurs = erreurs.join().unwrap_or_default();
    let secondes = limites.temps.as_secs();
    let temps = || Issue::Limite(format!("sa compilation dépasse {secondes} s : il est mis de côté"));
    let s = match statut {
        Ok(s) => s,
        Err(true) => return temps(),
        Err(false) => return Issue::Limite("l'essai n'a pas pu être suivi : il est mis de côté".into()),
    };
    match s.code() {
        Some(0) => Issue::Compile,
        Some(ERREUR_TYPST) => Issue::Erreur(sortie.trim().to_string()),
        Some(SANS_LIMITES) => {
            Issue::Limite("l'essai n'a pas pu se limiter en temps et en mémoire : il est mis de côté".into())
        }
        _ => {
            #[cfg(unix)]
            let par_le_processeur = {
                use std::os::unix::process::ExitStatusExt;
                s.signal() == Some(24) // SIGXCPU: the processor time limit
            };
            #[cfg(not(unix))]
            let par_le_processeur = false;
            if par_le_processeur {
                temps()
            } else if erreurs.contains("memory allocation") || erreurs.contains("allocation") {
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

/// The child's side of [`essayer`]: limits itself (or gives up), reads the templates and the
/// data, compiles, answers; returns the exit code.
pub fn enfant(limites: Limites, document: Document, le: time::OffsetDateTime) -> i32 {
    #[cfg(unix)]
    {
        let cpu = limites.temps.as_secs().max(1);
        if rlimit::setrlimit(rlimit::Resource::CPU, cpu, cpu + 1).is_err()
            || rlimit::setrlimit(rlimit::Resource::AS, limites.memoire, limites.memoire).is_err()
        {
            return SANS_LIMITES;
        }
    }
    let mut entree = Vec::new();
    if std::io::stdin().take(64 << 20).read_to_end(&mut entree).is_err() {
        return 2;
    }
    let Ok(essai) = serde_json::from_slice::<Essai>(&entree) else { return 2 };
    // Typst's layout recurses deeply: the stack of a rendering thread.
    let fil = std::thread::Builder::new().stack_size(super::PILE).spawn(move || {
        let engine = Engine::avec_sources(essai.gabarits);
        engine.essayer(document, &essai.donnees, &Stamp { at: le, ident: "essai".into() })
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
