//! The test bench: a demonstration base made by the binary under test, its server, chromedriver,
//! the demo accounts and axe-core. The processes are killed when the bench is dropped
//! (chromedriver with its browsers), so a failing assertion leaves nothing running.

use std::collections::HashSet;
use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::fenetre::Fenetre;

/// How the tools are installed, repeated in every message about a missing one.
const INSTALLER: &str = "lancez scripts/outils (il installe chromium, chromium-driver et axe-core)";

/// A child process, killed when dropped; with `groupe`, in a process group of its own killed
/// whole (chromedriver's browsers are its children and outlive it otherwise). The server stays
/// in the test's group, so that a Ctrl-C stops it too.
pub struct Processus {
    nom: &'static str,
    enfant: Child,
    journal: PathBuf,
    groupe: bool,
}

impl Processus {
    fn lancer(nom: &'static str, mut commande: Command, journal: PathBuf, groupe: bool) -> Self {
        let sortie = File::create(&journal).unwrap_or_else(|e| panic!("{} : {e}", journal.display()));
        let erreurs = sortie.try_clone().unwrap();
        // stdin stays open while the child lives: the identity provider stops when it closes.
        commande.stdin(Stdio::piped()).stdout(sortie).stderr(erreurs);
        if groupe {
            commande.process_group(0);
        }
        let enfant = commande.spawn().unwrap_or_else(|e| panic!("impossible de lancer {nom} : {e}"));
        Self { nom, enfant, journal, groupe }
    }

    /// Panics with the process's output if it has already stopped.
    fn exiger_vivant(&mut self) {
        if let Ok(Some(statut)) = self.enfant.try_wait() {
            panic!("{} s'est arrêté ({statut}) :\n{}", self.nom, self.journal());
        }
    }

    fn journal(&self) -> String {
        std::fs::read_to_string(&self.journal).unwrap_or_default()
    }
}

impl Drop for Processus {
    fn drop(&mut self) {
        if self.groupe {
            // The group's id is the child's pid (process_group(0)).
            let groupe = format!("-{}", self.enfant.id());
            let _ = Command::new("kill")
                .args(["-KILL", "--", groupe.as_str()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.enfant.kill();
        let _ = self.enfant.wait();
    }
}

/// Everything a journey needs. Fields drop in order: the processes, then the temporary folder.
pub struct Banc {
    /// `http://127.0.0.1:PORT` of the server under test.
    pub base: String,
    webdriver: String,
    chromium: PathBuf,
    db: PathBuf,
    comptes: Vec<Value>,
    /// Accounts already logged in: a TOTP code serves once per account and 30 s step.
    connectes: Mutex<HashSet<String>>,
    /// axe-core's source, injected into each page checked.
    pub axe: String,
    /// Where the screenshots go.
    pub captures: PathBuf,
    /// The serious and critical accessibility violations found, one line each.
    pub violations: Mutex<Vec<String>>,
    /// The identity provider's issuer (oidc-provider, tests/oidc/fournisseur.mjs), set on the
    /// server as « academie »; its one user is `directrice` (password `mdp-directrice`).
    pub emetteur: String,
    _chromedriver: Processus,
    _serveur: Processus,
    _fournisseur: Processus,
    _dossier: tempfile::TempDir,
}

/// A free local port (bound then released).
fn port_libre() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("un port local libre").port()
}

fn dans_le_path(nom: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(nom)).find(|f| f.is_file())
}

/// chromedriver: `$CHROMEDRIVER`, or `chromedriver` in the PATH.
fn chromedriver() -> PathBuf {
    match std::env::var_os("CHROMEDRIVER") {
        Some(p) => {
            let p = PathBuf::from(p);
            assert!(p.is_file(), "CHROMEDRIVER={} n'existe pas : {INSTALLER}", p.display());
            p
        }
        None => dans_le_path("chromedriver")
            .unwrap_or_else(|| panic!("chromedriver est introuvable dans le PATH : {INSTALLER}")),
    }
}

/// Chromium: `$CHROMIUM`, or `/usr/bin/chromium`.
fn chromium() -> PathBuf {
    let p = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(p.is_file(), "Chromium est introuvable ({}) : {INSTALLER}", p.display());
    p
}

/// axe-core: `$AXE_CORE_JS`, or the copy installed by scripts/outils under target/outils.
fn axe_core() -> String {
    let p = std::env::var_os("AXE_CORE_JS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/outils/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("axe-core est introuvable ({}) : {e} ; {INSTALLER}", p.display()))
}

/// Polls `url` until it answers 200, panicking with the process's output after `delai`.
async fn attendre_http(url: &str, processus: &mut Processus, delai: Duration) -> reqwest::Response {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let debut = Instant::now();
    loop {
        processus.exiger_vivant();
        if let Ok(r) = http.get(url).send().await
            && r.status() == reqwest::StatusCode::OK
        {
            return r;
        }
        assert!(
            debut.elapsed() < delai,
            "{} ne répond pas sur {url} après {} s :\n{}",
            processus.nom,
            delai.as_secs(),
            processus.journal()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Runs `registre ARGS` on the bench's base, panicking with its output on failure.
fn registre(args: &[&std::ffi::OsStr]) -> String {
    let sortie = Command::new(env!("CARGO_BIN_EXE_registre")).args(args).output().unwrap();
    let texte = format!("{}{}", String::from_utf8_lossy(&sortie.stdout), String::from_utf8_lossy(&sortie.stderr));
    assert!(sortie.status.success(), "registre {args:?} :\n{texte}");
    texte
}

/// Starts the identity provider (one user, `directrice`, asserting a second factor) for the
/// server at `base`, and sets it on the base as « academie » through the operator's CLI.
async fn fournisseur(dossier: &Path, db: &Path, base: &str) -> (Processus, String) {
    let port = port_libre();
    let emetteur = format!("http://127.0.0.1:{port}");
    let config = json!({
        "port": port,
        "clients": [{ "client_id": "registre", "client_secret": "secret-du-banc",
                      "redirect_uris": [format!("{base}/connexion/oidc/retour")],
                      "post_logout_redirect_uris": [format!("{base}/connexion")] }],
        "comptes": [{ "login": "directrice", "mot_de_passe": "mdp-directrice", "sub": "agent-banc-1",
                      "claims": {}, "amr": ["pwd", "otp"] }],
    });
    let chemin = dossier.join("fournisseur.json");
    std::fs::write(&chemin, config.to_string()).unwrap();
    let mut commande = Command::new("node");
    commande.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/fournisseur.mjs")).arg(&chemin);
    let mut p = Processus::lancer("le service d'identité", commande, dossier.join("fournisseur.log"), false);
    attendre_http(&format!("{emetteur}/_test/sante"), &mut p, Duration::from_secs(30)).await;
    let secret = dossier.join("academie.secret");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&secret, "secret-du-banc\n").unwrap();
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    registre(&["admin".as_ref(), "url-publique".as_ref(), "--db".as_ref(), db.as_os_str(), base.as_ref()]);
    registre(&[
        "admin".as_ref(),
        "oidc".as_ref(),
        "ajouter".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--nom".as_ref(),
        "academie".as_ref(),
        "--libelle".as_ref(),
        "Guichet agents de l'académie".as_ref(),
        "--public".as_ref(),
        "personnels".as_ref(),
        "--emetteur".as_ref(),
        emetteur.as_ref(),
        "--client-id".as_ref(),
        "registre".as_ref(),
        "--secret-fichier".as_ref(),
        secret.as_os_str(),
        "--roles".as_ref(),
        "directeur,ien".as_ref(),
    ]);
    (p, emetteur)
}

impl Banc {
    /// A pending account made by the operator's CLI: its activation address (path and query).
    pub fn compte_en_attente(&self, login: &str, role: &str, perimetre: &str) -> String {
        let sortie = registre(&[
            "admin".as_ref(),
            "create".as_ref(),
            "--db".as_ref(),
            self.db.as_os_str(),
            "--role".as_ref(),
            role.as_ref(),
            "--perimeter".as_ref(),
            perimetre.as_ref(),
            "--login".as_ref(),
            login.as_ref(),
            "--url".as_ref(),
            self.base.as_ref(),
        ]);
        let lien =
            sortie.split_whitespace().find(|m| m.contains("/activer?jeton=")).unwrap_or_else(|| panic!("{sortie}"));
        lien.trim_start_matches(&self.base).to_string()
    }

    /// A new browser session, not signed in.
    pub async fn fenetre(&self, nom: &str) -> Fenetre<'_> {
        Fenetre::nouvelle(self, self.navigateur().await, nom)
    }

    /// Makes the demonstration base, starts its server and chromedriver, and reads the accounts
    /// and axe-core. Fails (never skips) when a tool is missing.
    pub async fn demarrer() -> Self {
        // The tools first: nothing is started when one is missing.
        let chromedriver = chromedriver();
        let chromium = chromium();
        let axe = axe_core();

        let dossier = tempfile::tempdir().unwrap();
        let db = dossier.path().join("r.db");
        let demo = Command::new(env!("CARGO_BIN_EXE_registre"))
            .arg("demo")
            .arg("--db")
            .arg(&db)
            .args(["--pupils", "300"])
            .output()
            .unwrap();
        assert!(
            demo.status.success(),
            "registre demo a échoué :\n{}{}",
            String::from_utf8_lossy(&demo.stdout),
            String::from_utf8_lossy(&demo.stderr)
        );
        let fichier = dossier.path().join("r.db.demo-accounts.json");
        let comptes: Vec<Value> =
            serde_json::from_slice(&std::fs::read(&fichier).unwrap_or_else(|e| panic!("{} : {e}", fichier.display())))
                .unwrap();

        let port = port_libre();
        let base = format!("http://127.0.0.1:{port}");
        let (fournisseur, emetteur) = fournisseur(dossier.path(), &db, &base).await;
        let mut commande = Command::new(env!("CARGO_BIN_EXE_registre"));
        commande.arg("serve").arg("--db").arg(&db).arg("--addr").arg(format!("127.0.0.1:{port}"));
        let mut serveur = Processus::lancer("le serveur registre", commande, dossier.path().join("serveur.log"), false);
        attendre_http(&format!("{base}/connexion"), &mut serveur, Duration::from_secs(60)).await;

        let port_wd = port_libre();
        let webdriver = format!("http://127.0.0.1:{port_wd}");
        let mut commande = Command::new(&chromedriver);
        commande.arg(format!("--port={port_wd}"));
        let mut pilote = Processus::lancer("chromedriver", commande, dossier.path().join("chromedriver.log"), true);
        let statut = attendre_http(&format!("{webdriver}/status"), &mut pilote, Duration::from_secs(30)).await;
        let statut: Value = statut.json().await.unwrap();
        assert_eq!(statut["value"]["ready"], json!(true), "chromedriver n'est pas prêt : {statut}");

        let captures = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/captures");
        std::fs::create_dir_all(&captures).unwrap();
        Self {
            base,
            webdriver,
            chromium,
            db,
            comptes,
            connectes: Mutex::new(HashSet::new()),
            axe,
            captures,
            violations: Mutex::new(Vec::new()),
            emetteur,
            _chromedriver: pilote,
            _serveur: serveur,
            _fournisseur: fournisseur,
            _dossier: dossier,
        }
    }

    /// The demo account `login` (an object of the accounts file).
    pub fn compte(&self, login: &str) -> &Value {
        self.comptes
            .iter()
            .find(|k| k["login"] == login)
            .unwrap_or_else(|| panic!("pas de compte de démonstration « {login} »"))
    }

    /// The account's territory id (`perimetre_id`): a school's id for a directeur.
    pub fn perimetre(&self, login: &str) -> String {
        let k = self.compte(login);
        k["perimetre_id"].as_str().unwrap_or_else(|| panic!("{login} n'a pas de périmètre : {k}")).to_string()
    }

    /// The current TOTP code of a demo account, from `registre code-demo`.
    pub fn code_totp(&self, login: &str) -> String {
        let sortie = Command::new(env!("CARGO_BIN_EXE_registre"))
            .arg("code-demo")
            .arg("--db")
            .arg(&self.db)
            .args(["--login", login])
            .output()
            .unwrap();
        let texte = String::from_utf8_lossy(&sortie.stdout);
        assert!(
            sortie.status.success(),
            "registre code-demo {login} : {texte}{}",
            String::from_utf8_lossy(&sortie.stderr)
        );
        texte
            .split(|c: char| !c.is_ascii_digit())
            .find(|s| s.len() == 6)
            .unwrap_or_else(|| panic!("pas de code à 6 chiffres dans « {texte} »"))
            .to_string()
    }

    /// A new browser session (its own profile, so its own cookies).
    async fn navigateur(&self) -> Client {
        let mut capacites = serde_json::Map::new();
        capacites.insert("browserName".to_string(), json!("chrome"));
        capacites.insert(
            "goog:chromeOptions".to_string(),
            json!({
                "binary": self.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900",
                    // No background connections: the machines reach no network but the package registries.
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic",
                ],
                "prefs": {"intl.accept_languages": "fr-FR,fr"},
            }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capacites)
            .connect(&self.webdriver)
            .await
            .unwrap_or_else(|e| panic!("pas de session Chromium par chromedriver ({}) : {e}", self.webdriver))
    }

    /// Logs `login` in through /connexion (password and TOTP code) in a new browser session,
    /// and checks the home page is reached. Each account logs in once per run.
    pub async fn connecter(&self, login: &str) -> Fenetre<'_> {
        assert!(
            self.connectes.lock().unwrap().insert(login.to_string()),
            "{login} s'est déjà connecté : un code TOTP ne sert qu'une fois par compte et par période de 30 s"
        );
        let f = Fenetre::nouvelle(self, self.navigateur().await, login);
        let k = self.compte(login);
        f.aller("/connexion").await;
        f.saisir("#login", login).await;
        f.saisir("#mot_de_passe", k["mot_de_passe"].as_str().expect("un mot de passe")).await;
        // Every demo account has its second factor enrolled (families included).
        if k["totp_secret"].as_str().is_some_and(|s| !s.is_empty()) {
            f.saisir("#code", &self.code_totp(login)).await;
        }
        f.cliquer("main form[action='/connexion'] button[type='submit']").await;
        let chemin = f.attendre_chemin("l'accueil après la connexion", |p| p != "/connexion").await;
        assert_eq!(chemin, "/", "{login} : la connexion mène à {chemin}");
        f
    }
}
