//! The command-line verbs (docs/architecture.md §5): the operator's tool on the server itself.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::auth::{self, Acteur};
use crate::clock::Clock;
use crate::config::Cles;
use crate::domain::identite::date_fr;
use crate::domain::{AnneeScolaire, ClasseId, EleveId, Uai};
use crate::policy::Role;
use crate::reglages::Reglages;
use crate::render::{Document, Engine};
use crate::samples;
use crate::service::Service;
use crate::service::documents::{Cible, Format};
use crate::service::eleves::Recherche;
use crate::service::impression::Tirage;
use crate::store::Store;

mod identites;
mod service;
mod verbes;
use verbes::*;

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
    /// Crée une base vide (schéma et année scolaire en cours) ; ne remplace jamais une base.
    Init {
        /// Fichier de la base SQLite.
        #[arg(long, required_unless_present = "config")]
        db: Option<PathBuf>,
        /// Fichier de configuration (sa clé « base ») : /etc/registre/registre.toml.
        #[arg(long)]
        config: Option<PathBuf>,
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
        #[arg(long, required_unless_present = "config")]
        db: Option<PathBuf>,
        /// Fichier de configuration (/etc/registre/registre.toml) : chaque option donnée ici
        /// l'emporte sur sa clé.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Adresse d'écoute : locale en HTTP simple ; toute adresse avec --tls-cert et --tls-key
        /// (127.0.0.1:8080 par défaut).
        #[arg(long)]
        addr: Option<SocketAddr>,
        /// Crée la base de démonstration si le fichier n'existe pas.
        #[arg(long)]
        demo: bool,
        /// Certificat TLS (PEM, chaîne complète).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// Clé privée TLS (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Le serveur est derrière un mandataire HTTPS (il écoute en local et envoie HSTS).
        #[arg(long, conflicts_with = "tls_cert")]
        derriere_proxy: bool,
        /// Journaux en JSON, un objet par ligne, avec l'identifiant de la requête.
        #[arg(long)]
        journal_json: bool,
        /// Adresse locale où /metrics, /healthz et /readyz sont aussi servis, sans jeton.
        #[arg(long)]
        metriques_addr: Option<SocketAddr>,
        /// Fichier du jeton qui ouvre /metrics depuis une autre machine (Authorization: Bearer).
        #[arg(long)]
        metriques_jeton: Option<PathBuf>,
    },
    /// Affiche le code TOTP du moment d'un compte de démonstration (lu dans FICHIER.demo-accounts.json).
    CodeDemo {
        /// Fichier de la base de démonstration.
        #[arg(long)]
        db: PathBuf,
        /// Identifiant du compte de démonstration (directeur.1, mairie.2…).
        #[arg(long)]
        login: String,
    },
    /// Administration des comptes.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
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
        /// Document : certificat-scolarite, fiche-renseignements, fiche-urgence, liste-classe,
        /// liste-appel, liste-eleves, liste-electorale, certificat-inscription,
        /// certificat-radiation, notification-passage, registre-eleves, releve-donnees,
        /// constat-effectifs, prevision-effectifs (de toute l'installation, par circonscription ;
        /// aussi en .csv et .xlsx).
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
        /// Fichier de sortie : .pdf (un seul PDF), .zip (un PDF par document) ou .csv (liste
        /// électorale, liste des élèves).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Colonnes de la liste des élèves, séparées par des virgules (nom, prenoms, sexe,
        /// naissance, niveau, classe, ine, adresse).
        #[arg(long)]
        colonnes: Option<String>,
    },
    /// Mesure l'impression : où va le temps d'un document, le plancher du gabarit, puis le
    /// débit et le pic de mémoire d'un lot de 1 000 et de N documents, en ZIP et en un PDF
    /// (à lancer sur une base de démonstration : rien n'est journalisé). Compilé seulement
    /// avec `--features bench`.
    #[cfg(feature = "bench")]
    Bench {
        /// Fichier de la base SQLite (une démonstration, par exemple).
        #[arg(long)]
        db: PathBuf,
        /// Taille du plus grand lot.
        #[arg(long, default_value_t = 5_000)]
        documents: usize,
        /// Document mesuré.
        #[arg(long, default_value = "fiche-renseignements")]
        document: String,
        /// Prépare la comparaison avec d'autres moteurs (scripts/comparaison) dans ce dossier :
        /// les données de chaque fiche d'une école, puis le plancher mesuré sur elles.
        #[arg(long)]
        comparaison: Option<PathBuf>,
        /// UAI de l'école de la comparaison (par défaut, celle qui a le plus d'élèves).
        #[arg(long, requires = "comparaison")]
        ecole: Option<String>,
        /// Mesure plutôt un import de N élèves nouveaux dans une école, et son essai, pendant
        /// qu'une autre école écrit (sur une copie privée de la base, qui n'est pas modifiée).
        #[arg(long, conflicts_with = "comparaison")]
        import: Option<usize>,
    },
    /// Importe des fichiers dans une école : ceux de l'outil du ministère (ONDE).
    Import {
        #[command(subcommand)]
        quoi: ImportQuoi,
    },
    /// Exporte les données d'une école : au format de l'outil du ministère (ONDE).
    Export {
        #[command(subcommand)]
        quoi: ExportQuoi,
    },
    /// Copie cohérente de la base, serveur en marche (API de sauvegarde de SQLite) : dans un
    /// fichier (-o), ou dans le dossier des sauvegardes (--dossier, ou la table [sauvegardes]
    /// de la configuration) sous un nom daté, en effaçant celles de plus de N jours.
    Backup {
        /// Fichier de la base SQLite.
        #[arg(long, required_unless_present = "config")]
        db: Option<PathBuf>,
        /// Fichier de configuration (clés « base » et [sauvegardes]).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Fichier de la copie (ne doit pas exister).
        #[arg(short = 'o', long = "output", conflicts_with = "dossier")]
        output: Option<PathBuf>,
        /// Dossier des sauvegardes datées.
        #[arg(long, requires = "garder_jours")]
        dossier: Option<PathBuf>,
        /// Jours de conservation des sauvegardes du dossier (1 à 3 650).
        #[arg(long, requires = "dossier", value_parser = clap::value_parser!(u32).range(1..=3650))]
        garder_jours: Option<u32>,
    },
    /// Remet en place une sauvegarde : la vérifie d'abord (structure, valeurs, chaîne du
    /// journal avec le fichier de clés de la base), refuse si un serveur utilise la base, met
    /// l'ancienne base de côté ; le fichier de clés, gardé à part, n'est pas touché.
    Restore {
        /// Fichier de la base SQLite à remplacer (son fichier de clés doit être en place).
        #[arg(long)]
        db: PathBuf,
        /// La sauvegarde (faite par « registre backup »).
        #[arg(long)]
        depuis: PathBuf,
    },
    /// Applique les règles de conservation : efface ce qui doit l'être.
    Purge {
        /// Fichier de la base SQLite.
        #[arg(long, required_unless_present = "config")]
        db: Option<PathBuf>,
        /// Fichier de configuration (sa clé « base »).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Compte seulement, sans rien effacer.
        #[arg(long)]
        dry_run: bool,
    },
    /// Dépose les relances du jour de la vérification annuelle des fiches (un courriel par
    /// famille sans réponse, dans le dossier du courrier) ; le serveur le fait chaque jour.
    Relancer {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
    /// Fait la rentrée : clôt l'année, applique les passages, ouvre l'année suivante.
    Rentree {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
    /// Vérifie l'intégrité de la base.
    Check {
        /// Fichier de la base SQLite.
        #[arg(long, required_unless_present = "config")]
        db: Option<PathBuf>,
        /// Fichier de configuration (sa clé « base »).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Après examen, écrit un nouveau point de contrôle du journal à sa fin actuelle (point
        /// de contrôle perdu, ou base d'une version antérieure) ; refusé si la chaîne est rompue.
        #[arg(long)]
        reancrer: bool,
    },
    /// (interne) Essaie un gabarit du département dans un processus limité en temps et en
    /// mémoire ; les données arrivent en JSON sur l'entrée standard.
    #[command(hide = true)]
    EssaiGabarit {
        /// Temps permis, en secondes.
        #[arg(long)]
        secondes: u64,
        /// Espace d'adressage permis, en octets.
        #[arg(long)]
        memoire: u64,
        /// Document à essayer.
        #[arg(long)]
        document: String,
        /// Instant de l'essai (secondes depuis 1970).
        #[arg(long)]
        le: i64,
    },
}

#[derive(Debug, Subcommand)]
enum ImportQuoi {
    /// Fichier des élèves et fichier des responsables exportés d'ONDE (CSV en UTF-8 ou
    /// Windows-1252, séparés par « ; », « , » ou tabulation, ou classeur XLSX) : dit ligne par
    /// ligne ce qui est créé, mis à jour ou refusé, et pourquoi.
    Onde {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// UAI de l'école.
        #[arg(long)]
        ecole: String,
        /// Les fichiers (élèves, responsables), dans n'importe quel ordre.
        #[arg(required = true)]
        fichiers: Vec<PathBuf>,
        /// Essai : tout est vérifié et rapporté, rien n'est écrit.
        #[arg(long)]
        dry_run: bool,
        /// Rien n'est écrit si une ligne est refusée.
        #[arg(long)]
        tout_ou_rien: bool,
    },
    /// Admet un élève dans l'école à partir du dossier de transfert (ZIP signé) délivré à sa
    /// radiation dans un autre département : l'INE et la scolarité sont gardés.
    Dossier {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// UAI de l'école.
        #[arg(long)]
        ecole: String,
        /// Le dossier (.zip).
        fichier: PathBuf,
        /// Niveau (par défaut, le dernier niveau suivi).
        #[arg(long)]
        niveau: Option<String>,
        /// Les élèves proches trouvés par la recherche de doublons ont été vérifiés : nouvel élève.
        #[arg(long)]
        nouveau: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ExportQuoi {
    /// Les élèves de l'année et leurs responsables, au format d'ONDE (plus le lieu de naissance
    /// et le lien) : OUT.csv reçoit les élèves et OUT-responsables.csv les responsables ; un
    /// nom en .xlsx donne un classeur de deux feuilles.
    Onde {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// UAI de l'école.
        #[arg(long)]
        ecole: String,
        /// Fichier de sortie (.csv ou .xlsx ; ne doit pas exister).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Le dossier de transfert d'un élève radié (ZIP signé : données permises, scolarité,
    /// certificat de radiation), pour son admission dans un autre département.
    Dossier {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Identifiant de l'élève.
        #[arg(long)]
        eleve: String,
        /// Fichier de sortie (.zip ; ne doit pas exister).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AdminAction {
    /// Crée un compte en attente et affiche son lien d'activation (à usage unique, 72 heures).
    Create {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Rôle : ia_dasen, directeur, agent_mairie, ien, statisticien, principal_college, responsable, admin_technique.
        #[arg(long)]
        role: String,
        /// Périmètre : UAI (école, collège), code INSEE (commune), code du département, ou identifiant.
        #[arg(long)]
        perimeter: Option<String>,
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Nom du titulaire.
        #[arg(long)]
        nom: Option<String>,
        /// Adresse publique du serveur, pour le lien.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
    },
    /// Affiche la clé publique des dossiers de transfert de cette installation : l'opérateur
    /// d'un autre département l'ajoute, ligne « CODE CLÉ », au fichier BASE.departements-reconnus
    /// de sa base pour accepter les dossiers signés ici.
    ClePublique {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
    /// Fixe l'adresse publique du serveur : les certificats imprimés ensuite portent un QR code
    /// vers leur page de vérification. Sans adresse, l'enlève.
    UrlPublique {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Adresse, par exemple https://registre.ac-exemple.fr
        url: Option<String>,
    },
    /// Services d'identité (OpenID Connect) : celui de l'académie pour les personnels,
    /// EduConnect pour les familles. L'adresse de retour à déclarer auprès de chacun est
    /// ADRESSE-PUBLIQUE/connexion/oidc/retour (voir « admin url-publique »).
    Oidc {
        #[command(subcommand)]
        action: OidcAction,
    },
}

#[derive(Debug, Subcommand)]
enum OidcAction {
    /// Ajoute (ou remplace) un service d'identité.
    Ajouter(Box<identites::FournisseurCli>),
    /// Liste les services d'identité réglés.
    Lister {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
    },
    /// Retire un service d'identité : les comptes qui y sont liés gardent leur lien et ne
    /// peuvent plus l'utiliser tant qu'un service du même émetteur n'est pas réglé à nouveau.
    Retirer {
        /// Fichier de la base SQLite.
        #[arg(long)]
        db: PathBuf,
        /// Nom court du service.
        nom: String,
    },
}

/// The command line with its help in French: headings, the help and version flags, the help
/// of every verb (clap writes them in English otherwise).
pub fn commande() -> clap::Command {
    use clap::CommandFactory;
    fn franciser(c: clap::Command, racine: bool) -> clap::Command {
        let c = c
            .help_template("{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}")
            .subcommand_help_heading("Commandes")
            .subcommand_value_name("COMMANDE")
            .disable_help_subcommand(true)
            .disable_help_flag(true)
            .arg(
                clap::Arg::new("aide").short('h').long("help").action(clap::ArgAction::Help).help("Affiche cette aide"),
            );
        let c = if racine {
            c.disable_version_flag(true).arg(
                clap::Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(clap::ArgAction::Version)
                    .help("Affiche la version"),
            )
        } else {
            c
        };
        let sous: Vec<clap::Command> = c.get_subcommands().cloned().collect();
        sous.into_iter().fold(c, |c, s| {
            let nom = s.get_name().to_string();
            c.mut_subcommand(nom, |_| franciser(s, false))
        })
    }
    franciser(Cli::command(), true)
}

/// A command-line error in French (clap writes its own in English): what is wrong, the usage,
/// and where the help is. Help and version requests are returned as they are, to be printed.
pub fn erreur_en_francais(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let contexte = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(l)) => l.join(", "),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let argument = contexte(ContextKind::InvalidArg);
    let valeur = contexte(ContextKind::InvalidValue);
    let message = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None;
        }
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {argument}"),
        ErrorKind::MissingSubcommand => "indiquez une commande".to_string(),
        ErrorKind::InvalidSubcommand => format!("commande inconnue : {}", contexte(ContextKind::InvalidSubcommand)),
        ErrorKind::UnknownArgument => format!("argument inconnu : {argument}"),
        ErrorKind::InvalidValue if valeur.is_empty() => format!("une valeur est attendue pour {argument}"),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            format!("valeur refusée pour {argument} : « {valeur} »")
        }
        ErrorKind::ArgumentConflict => {
            format!("{argument} ne peut pas être donné avec {}", contexte(ContextKind::PriorArg))
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour {argument}")
        }
        ErrorKind::InvalidUtf8 => "argument illisible : il doit être en UTF-8".to_string(),
        _ => "ligne de commande invalide".to_string(),
    };
    let usage = contexte(ContextKind::Usage).replace("Usage:", "Utilisation :");
    let usage = usage.trim();
    let usage = if usage.is_empty() { String::new() } else { format!("\n\n{usage}") };
    Some(format!("erreur : {message}{usage}\n\nPour l'aide : registre --help, ou registre COMMANDE --help"))
}

impl Command {
    /// The configuration file the verb was given.
    fn config(&self) -> Option<&Path> {
        match self {
            Command::Init { config, .. }
            | Command::Serve { config, .. }
            | Command::Backup { config, .. }
            | Command::Purge { config, .. }
            | Command::Check { config, .. } => config.as_deref(),
            _ => None,
        }
    }
}

/// Runs the parsed command line: reads the configuration file first (refused whole, every
/// fault named), then starts the logs (JSON when asked by `--journal-json` or the file).
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let reglages = cli.command.config().map(Reglages::lire).transpose().map_err(anyhow::Error::msg)?;
    let json = matches!(cli.command, Command::Serve { journal_json: true, .. })
        || reglages.as_ref().is_some_and(|r| r.journal_json);
    service::journaux(json);
    let r = reglages.as_ref();
    let clock = Clock::from_env().map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Init { db, .. } => init(&service::base(db, r)?, &clock),
        Command::Demo { db, pupils, seed } => demo(&db, pupils, seed, &clock).map(|_| ()),
        Command::Serve {
            db, addr, demo, tls_cert, tls_key, derriere_proxy, metriques_addr, metriques_jeton, ..
        } => {
            let drapeaux = service::Drapeaux {
                db,
                addr,
                demo,
                tls: tls_cert.zip(tls_key),
                derriere_proxy,
                metriques_addr,
                metriques_jeton,
            };
            service::serve(drapeaux.sur(r)?, clock)
        }
        Command::Admin { action: AdminAction::Create { db, role, perimeter, login, nom, url } } => {
            admin_create(&db, &role, perimeter.as_deref(), &login, nom, &url, &clock)
        }
        Command::Admin { action: AdminAction::UrlPublique { db, url } } => url_publique(&db, url.as_deref(), &clock),
        Command::Admin { action: AdminAction::Oidc { action: OidcAction::Ajouter(f) } } => {
            identites::oidc_ajouter(*f, &clock)
        }
        Command::Admin { action: AdminAction::Oidc { action: OidcAction::Lister { db } } } => {
            identites::oidc_lister(&db)
        }
        Command::Admin { action: AdminAction::Oidc { action: OidcAction::Retirer { db, nom } } } => {
            identites::oidc_retirer(&db, &nom, &clock)
        }
        Command::Eleves { db, ecole, q } => lister(&db, ecole.as_deref(), q.as_deref(), &clock),
        Command::Render { document, db, eleve, classe, ecole, output, colonnes } => {
            let colonnes = match colonnes {
                Some(c) => crate::domain::Colonne::liste(&c).map_err(|m| anyhow::anyhow!("--colonnes : {m}"))?,
                None => Vec::new(),
            };
            render(&document, &db, (eleve.as_deref(), classe.as_deref(), ecole.as_deref()), &output, &colonnes, &clock)
        }
        #[cfg(feature = "bench")]
        Command::Bench { db, comparaison: Some(dossier), ecole, document, .. } => {
            crate::bench::preparer_comparaison(&db, &dossier, ecole.as_deref(), &document, &clock)
        }
        #[cfg(feature = "bench")]
        Command::Bench { db, import: Some(n), .. } => crate::bench::import(&db, n, &clock),
        #[cfg(feature = "bench")]
        Command::Bench { db, documents, document, .. } => crate::bench::mesurer(&db, documents, &document, &clock),
        Command::Check { db, reancrer, .. } => check(&service::base(db, r)?, reancrer, &clock),
        Command::EssaiGabarit { secondes, memoire, document, le } => {
            let d = crate::domain::Document::from_name(&document)
                .ok_or_else(|| anyhow::anyhow!("document inconnu : {document}"))?;
            let le = time::OffsetDateTime::from_unix_timestamp(le)?;
            let limites = crate::render::isole::Limites { memoire, temps: std::time::Duration::from_secs(secondes) };
            std::process::exit(crate::render::isole::enfant(limites, d, le))
        }
        Command::CodeDemo { db, login } => code_demo(&db, &login, &clock),
        Command::Backup { db, output: Some(output), .. } => backup(&service::base(db, r)?, &output, &clock),
        Command::Backup { db, dossier, garder_jours, .. } => {
            let db = service::base(db, r)?;
            match (dossier.zip(garder_jours), r.and_then(|r| r.sauvegardes.as_ref())) {
                (Some((d, n)), _) => service::backup_dans(&db, &d, n, &clock),
                (None, Some(s)) => service::backup_dans(&db, &s.dossier, s.jours, &clock),
                (None, None) => {
                    bail!(
                        "où écrire la sauvegarde ? -o FICHIER, --dossier DOSSIER --garder-jours N, ou la table [sauvegardes] de --config"
                    )
                }
            }
        }
        Command::Restore { db, depuis } => restore(&db, &depuis, &clock),
        Command::Import { quoi: ImportQuoi::Onde { db, ecole, fichiers, dry_run, tout_ou_rien } } => {
            import_onde(&db, &ecole, &fichiers, dry_run, tout_ou_rien, &clock)
        }
        Command::Export { quoi: ExportQuoi::Onde { db, ecole, output } } => export_onde(&db, &ecole, &output, &clock),
        Command::Export { quoi: ExportQuoi::Dossier { db, eleve, output } } => {
            export_dossier(&db, &eleve, &output, &clock)
        }
        Command::Import { quoi: ImportQuoi::Dossier { db, ecole, fichier, niveau, nouveau } } => {
            import_dossier(&db, &ecole, &fichier, niveau.as_deref(), nouveau, &clock)
        }
        Command::Admin { action: AdminAction::ClePublique { db } } => {
            let (store, cles) = ouvrir(&db)?;
            let cle = crate::service::dossier::cle_publique(&cles)?;
            println!("# clé publique des dossiers de transfert de {} (une ligne par département)", db.display());
            for departement in crate::service::exploitation::departements(&store)? {
                println!("{departement} {cle}");
            }
            Ok(())
        }
        Command::Purge { db, dry_run, .. } => purge(&service::base(db, r)?, dry_run, &clock),
        Command::Rentree { db } => rentree(&db, &clock),
        Command::Relancer { db } => relancer(&db, &clock),
    }
}
