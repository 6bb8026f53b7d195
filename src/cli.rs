//! The command-line verbs (DESIGN.md §5): the operator's tool on the server itself.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{self, AppState};
use crate::clock::Clock;
use crate::documents::{Cible, Imprimeur};
use crate::domain::identite::date_fr;
use crate::domain::{AnneeScolaire, ClasseId, EleveId, Perimetre, Uai};
use crate::render::{Document, Engine};
use crate::samples;
use crate::store::eleves::{self, Filtre};
use crate::store::{Store, territoires};

/// The register of primary-school pupils: records, official documents, web server.
#[derive(Debug, Parser)]
#[command(
    name = "registre",
    version,
    about = "Registre des élèves du premier degré : base, documents officiels et serveur web"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Crée une base vide (schéma et année scolaire en cours).
    Init {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
    /// Crée une base de démonstration : un département fictif réaliste.
    Demo {
        /// Fichier de la base SQLite (ne doit pas exister).
        #[arg(long)]
        db: PathBuf,
        /// Nombre d'élèves.
        #[arg(long, default_value_t = 2000)]
        pupils: u32,
        /// Graine : la même graine donne les mêmes données.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Lance le serveur web.
    Serve {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Adresse d'écoute (locale seulement tant que les comptes n'existent pas).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Crée la base de démonstration si le fichier n'existe pas.
        #[arg(long)]
        demo: bool,
    },
    /// Liste les élèves, un par ligne, séparés par des tabulations.
    Eleves {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// UAI de l'école.
        #[arg(long)]
        ecole: Option<String>,
        /// Mots du nom ou du prénom.
        #[arg(long)]
        q: Option<String>,
    },
    /// Imprime un document en PDF (ou un ZIP d'un PDF par document).
    Render {
        /// Document : certificat-scolarite, fiche-renseignements, liste-classe.
        document: String,
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Identifiant de l'élève.
        #[arg(long, group = "cible")]
        eleve: Option<String>,
        /// Identifiant de la classe.
        #[arg(long, group = "cible")]
        classe: Option<String>,
        /// UAI de l'école.
        #[arg(long, group = "cible")]
        ecole: Option<String>,
        /// Fichier de sortie : .pdf (un seul PDF) ou .zip (un PDF par document).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Mesure le moteur d'impression : débit et mémoire résidente.
    Bench {
        /// Fichier de la base SQLite (une démonstration, par exemple).
        #[arg(long)]
        db: PathBuf,
        /// Nombre de documents à produire.
        #[arg(long, default_value_t = 10_000)]
        documents: usize,
        /// Document mesuré.
        #[arg(long, default_value = "fiche-renseignements")]
        document: String,
    },
    /// Vérifie l'intégrité de la base.
    Check {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let clock = Clock::from_env().map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Init { db } => init(&db, &clock),
        Command::Demo { db, pupils, seed } => demo(&db, pupils, seed, &clock).map(|_| ()),
        Command::Serve { db, addr, demo: with_demo } => serve(&db, addr, with_demo, clock),
        Command::Eleves { db, ecole, q } => lister(&db, ecole.as_deref(), q.as_deref()),
        Command::Render { document, db, eleve, classe, ecole, output } => {
            render(&document, &db, eleve.as_deref(), classe.as_deref(), ecole.as_deref(), &output, &clock)
        }
        Command::Bench { db, documents, document } => crate::bench::memoire(&db, documents, &document, &clock),
        Command::Check { db } => check(&db),
    }
}

fn init(db: &Path, clock: &Clock) -> anyhow::Result<()> {
    if db.exists() {
        bail!("{} existe déjà : init ne remplace jamais une base", db.display());
    }
    let store = Store::open(db)?;
    let annee = AnneeScolaire::de_la_date(clock.today());
    store.write(|tx| territoires::ouvrir_premiere_annee(tx, annee))?;
    println!("Base créée : {} (année scolaire {annee}).", db.display());
    Ok(())
}

fn demo(db: &Path, pupils: u32, seed: u64, clock: &Clock) -> anyhow::Result<Store> {
    if db.exists() {
        bail!("{} existe déjà : la démonstration se crée dans un fichier neuf", db.display());
    }
    if pupils == 0 || pupils > 500_000 {
        bail!("--pupils doit être compris entre 1 et 500 000");
    }
    let store = Store::open(db)?;
    let bar = ProgressBar::new(u64::from(pupils));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} élèves ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Génération du département fictif");
    let params = samples::Parametres { eleves: pupils, graine: seed, aujourd_hui: clock.today() };
    let resume = samples::generer(&store, &params, &|done, _| bar.set_position(done)).inspect_err(|_| bar.abandon())?;
    bar.finish_and_clear();
    println!(
        "Démonstration créée : {} — {} circonscriptions, {} communes, {} écoles, {} classes, {} élèves, {} responsables (année {}).",
        db.display(),
        resume.circonscriptions,
        resume.communes,
        resume.ecoles,
        resume.classes,
        resume.eleves,
        resume.responsables,
        resume.annee.map(|a| a.to_string()).unwrap_or_default()
    );
    Ok(store)
}

fn serve(db: &Path, addr: SocketAddr, with_demo: bool, clock: Clock) -> anyhow::Result<()> {
    if !addr.ip().is_loopback() {
        bail!("{}", app::ServeError::PasLocal(addr));
    }
    let store = if with_demo && !db.exists() { demo(db, 2000, 1, &clock)? } else { Store::open_existing(db)? };
    let problems = store.quick_check()?;
    if !problems.is_empty() {
        bail!("la base est endommagée : {}", problems.join(" ; "));
    }
    if clock.is_fixed() {
        tracing::warn!("horloge fixée par {} : à n'utiliser que pour les essais", crate::clock::ENV_FIXED);
    }
    let state = AppState::new(store, clock);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = app::bind(addr).await?;
        let local = listener.local_addr()?;
        println!("registre écoute sur http://{local}/ (Ctrl-C pour arrêter)");
        app::serve(listener, state, app::shutdown_signal()).await?;
        Ok::<(), anyhow::Error>(())
    })
}

fn lister(db: &Path, ecole: Option<&str>, q: Option<&str>) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let p = Perimetre::Installation;
    let lignes = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        let ecole = match ecole {
            Some(uai) => {
                Some(territoires::ecole_par_uai(c, &p, &Uai::parse(uai).map_err(crate::domain::Error::from)?)?.id)
            }
            None => None,
        };
        eleves::lister(c, &p, &Filtre { ecole, q: q.map(str::to_string), ..Filtre::annee(annee) })
    })?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for l in lignes {
        // Tabs and newlines cannot occur in stored names (they are folded at input).
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            l.id,
            l.nom,
            l.prenoms,
            date_fr(l.date_naissance),
            l.uai,
            l.niveau,
            l.classe.unwrap_or_default()
        )?;
    }
    out.flush()?;
    Ok(())
}

fn render(
    document: &str,
    db: &Path,
    eleve: Option<&str>,
    classe: Option<&str>,
    ecole: Option<&str>,
    output: &Path,
    clock: &Clock,
) -> anyhow::Result<()> {
    let doc = Document::from_name(document).with_context(|| {
        let noms: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        format!("document « {document} » inconnu (connus : {})", noms.join(", "))
    })?;
    let zip = match output.extension().and_then(|e| e.to_str()) {
        Some("pdf") => false,
        Some("zip") => true,
        _ => bail!("le fichier de sortie doit se terminer par .pdf ou .zip"),
    };
    let store = Store::open_existing(db)?;
    let engine = Engine::new();
    let p = Perimetre::Installation;
    let imp = Imprimeur { store: &store, engine: &engine, perimetre: &p, le: clock.now_paris() };
    let cible = match (eleve, classe, ecole) {
        (Some(e), None, None) => {
            Cible::Eleve(EleveId::parse(e).map_err(|_| anyhow::anyhow!("identifiant d'élève invalide"))?)
        }
        (None, Some(c), None) => {
            Cible::Classe(ClasseId::parse(c).map_err(|_| anyhow::anyhow!("identifiant de classe invalide"))?)
        }
        (None, None, Some(u)) => Cible::Ecole(imp.ecole_par_uai(&Uai::parse(u).map_err(crate::domain::Error::from)?)?),
        _ => bail!("indiquez une cible : --eleve ID, --classe ID ou --ecole UAI"),
    };
    // Written beside the destination, then renamed: no half-written file is left behind.
    let tmp = output.with_extension("partiel");
    let result = (|| -> anyhow::Result<usize> {
        if zip {
            let n = imp.compter(doc, &cible)?;
            let bar = ProgressBar::new(n as u64);
            let file =
                BufWriter::new(File::create(&tmp).with_context(|| format!("impossible d'écrire {}", tmp.display()))?);
            let written = imp.zip(doc, &cible, file, &|k| bar.set_position(k as u64))?;
            bar.finish_and_clear();
            Ok(written)
        } else {
            let pdf = imp.pdf(doc, &cible)?;
            std::fs::write(&tmp, pdf).with_context(|| format!("impossible d'écrire {}", tmp.display()))?;
            Ok(1)
        }
    })();
    match result {
        Ok(n) => {
            std::fs::rename(&tmp, output)?;
            println!("{} écrit ({n} document{}).", output.display(), if n > 1 { "s" } else { "" });
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn check(db: &Path) -> anyhow::Result<()> {
    let store = Store::open_existing(db)?;
    let problems = store.check()?;
    let n = store.read(eleves::compter)?;
    if problems.is_empty() {
        println!("Base saine : {} ({n} élèves ; structure, clés étrangères et valeurs vérifiées).", db.display());
        Ok(())
    } else {
        for p in &problems {
            eprintln!("problème : {p}");
        }
        bail!("{} problème(s) dans {}", problems.len(), db.display())
    }
}
