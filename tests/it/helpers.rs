//! Spawning the server, logging in as the demo accounts, and reading PDFs.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use registre::clock::Clock;
use registre::config::{Cles, Transport};
use registre::http::etat::{self, AppState};
use registre::samples::{self, CompteDemo, Resume};
use registre::store::Store;
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::datetime;

/// The fixed instant of the tests: a school day of 2026-2027.
pub const NOW: OffsetDateTime = datetime!(2026-11-29 09:30 UTC);

/// A hostile name (Typst markup, HTML, Arabic), with the scripts of French registers
/// (Greek, Vietnamese, Chinese, Korean, Cyrillic; Hebrew is tested apart, its text
/// layer being in visual order); emoji are refused at input.
pub const HOSTILE: &str =
    "#exit() $x$ *gras* _souligné_ [lien](x) \\ <b> @ref محمد Ñúñez-O'Brien Ψυχή Nguyễn 王秀英 김민준 Жанна";

/// A logged-in session: its cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
    pub login: String,
}

/// A server on a random loopback port, with a small demo département, its demo accounts and a
/// fixed clock.
#[allow(dead_code)] // not every test uses every field
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub db: PathBuf,
    pub state: AppState,
    pub comptes: Vec<CompteDemo>,
    pub resume: Resume,
    pub cles: Cles,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts a server over a fresh demo database of `pupils` pupils.
    pub async fn start(pupils: u32) -> Self {
        Self::start_avec(pupils, registre::config::Limites::default(), |_| {}).await
    }

    /// Starts a server with these limits, after `preparer` (given the database's path) has put
    /// what it wants beside the database (a département's templates: they are then tried in
    /// child processes of the `registre` binary, as `registre serve` does, with 4 s per trial).
    pub async fn start_avec(
        pupils: u32,
        limites: registre::config::Limites,
        preparer: impl FnOnce(&std::path::Path),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("registre.db");
        let clock = Clock::fixed(NOW);
        let store = Store::open(&db).unwrap();
        let cles = Cles::creer(&db).unwrap();
        let params = samples::Parametres { eleves: pupils, graine: 7, aujourd_hui: clock.today() };
        let resume = samples::generer(&store, &params, &|_, _| {}).unwrap();
        let comptes = samples::comptes_demo(&store, &cles, clock.now(), &resume).unwrap();
        preparer(&db);
        let essai = registre::render::isole::Limites {
            temps: std::time::Duration::from_secs(4),
            ..registre::render::isole::LIMITES
        };
        let state = AppState::new(store, cles.clone(), clock.clone(), Transport::Local)
            .unwrap()
            .avec_limites(limites)
            .verifier_gabarits(std::path::Path::new(env!("CARGO_BIN_EXE_registre")), essai);
        let listener = etat::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(etat::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { base, client, clock, db, state, comptes, resume, cles, _dir: dir, stop: Some(tx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn compte(&self, login: &str) -> &CompteDemo {
        self.comptes.iter().find(|c| c.login == login).unwrap_or_else(|| panic!("no demo account {login}"))
    }

    /// The current TOTP code of a demo account.
    pub fn code(&self, login: &str) -> String {
        let secret = registre::auth::totp::depuis_base32(&self.compte(login).totp_secret).unwrap();
        registre::auth::totp::code(&secret, self.clock.now().unix_timestamp() as u64)
    }

    /// Logs in a demo account with its password and current TOTP code. The clock moves 30 s
    /// first, so that every login uses a fresh code (a code is accepted once).
    pub async fn login(&self, login: &str) -> Session {
        self.clock.advance(time::Duration::seconds(30));
        let k = self.compte(login);
        let res = self
            .client
            .post(self.url("/api/v1/login"))
            .json(&serde_json::json!({ "login": login, "mot_de_passe": k.mot_de_passe, "code": self.code(login) }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login {login}");
        let cookie = cookie_de(&res);
        let v: Value = res.json().await.unwrap();
        Session { cookie, csrf: v["csrf"].as_str().unwrap().to_string(), login: login.into() }
    }

    pub async fn get_as(&self, s: &Session, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).header("cookie", &s.cookie).send().await.unwrap()
    }

    pub async fn json_as(&self, s: &Session, path: &str) -> Value {
        let res = self.get_as(s, path).await;
        assert_eq!(res.status(), 200, "GET {path} as {}", s.login);
        res.json().await.unwrap()
    }

    pub async fn post_as(&self, s: &Session, path: &str, body: &Value) -> reqwest::Response {
        self.ecrire_as(reqwest::Method::POST, s, path, body).await
    }

    /// A PUT with a JSON body, as `s` (its cookie and CSRF token).
    pub async fn put_as(&self, s: &Session, path: &str, body: &Value) -> reqwest::Response {
        self.ecrire_as(reqwest::Method::PUT, s, path, body).await
    }

    async fn ecrire_as(&self, methode: reqwest::Method, s: &Session, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .request(methode, self.url(path))
            .header("cookie", &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// The number of rows of every table but the journal: to prove that a refused request
    /// wrote nothing (the journal records the refusal's context, not data).
    pub fn row_counts(&self) -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('journal', 'session') ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        tables
            .into_iter()
            .map(|t| {
                let n: i64 = conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0)).unwrap();
                (t, n)
            })
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A form body, every byte but letters and digits percent-encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts a form, with a session cookie or none.
pub async fn post_form(s: &TestServer, path: &str, cookie: Option<&str>, body: String) -> reqwest::Response {
    let mut r = s.client.post(s.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    r.send().await.unwrap()
}

/// The CSRF token of a page's forms.
pub fn csrf_de(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[i..i + html[i..].find('"').expect("the value's end")].to_string()
}

/// The `name=value` of the session cookie set by a response.
pub fn cookie_de(res: &reqwest::Response) -> String {
    let set = res.headers().get("set-cookie").expect("a session cookie").to_str().unwrap().to_string();
    set.split(';').next().unwrap().to_string()
}

fn run_with_stdin(cmd: &str, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd} is needed by the tests (installed by scripts/outils): {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{cmd} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Folds extracted text: bidi marks removed, typographic apostrophes (Typst's smart quotes in
/// the templates' own wording) made plain, white space folded, hyphenated line ends joined.
fn fold(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}'))
        .map(|c| if c == '’' { '\'' } else { c })
        .collect();
    text.replace("-\n", "-").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of a PDF through `pdftotext -raw`, white space folded (a line ending in a hyphen
/// is joined: the engine never hyphenates).
pub fn pdftotext(pdf: &[u8]) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    fold(&run_with_stdin("pdftotext", &["-raw", "-enc", "UTF-8", "-", "-"], pdf))
}

/// The characters the PDF's text layer holds, in logical order (pypdf): exact names, spaces
/// at script boundaries included.
pub fn pdf_chars(pdf: &[u8]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pdftext.py");
    fold(&run_with_stdin("python3", &[script], pdf))
}

/// Starts `registre serve` with `args` (`--addr 127.0.0.1:0` picks a free port) and returns the
/// process and its address (`http://127.0.0.1:PORT/`), once it listens. Its output keeps being
/// read, so the server never blocks on a full pipe.
pub async fn servir(args: &[&std::ffi::OsStr], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut cmd = registre();
    cmd.arg("serve").args(args).stdout(Stdio::piped()).stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lignes = std::io::BufReader::new(stdout).lines();
        let url = lignes
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("écoute sur ").nth(1).map(|u| u.split_whitespace().next().unwrap().to_string()));
        std::thread::spawn(move || lignes.for_each(drop));
        url
    })
    .await
    .unwrap()
    .expect("the server prints its address");
    (child, url)
}

/// The `registre` binary built for these tests.
/// The binary under test; `REGISTRE_BINAIRE=target/release/registre` runs a measurement (the
/// concurrency test's latencies) against the optimised build, which must then be fresh.
pub fn registre() -> Command {
    Command::new(std::env::var_os("REGISTRE_BINAIRE").unwrap_or_else(|| env!("CARGO_BIN_EXE_registre").into()))
}

/// An HTML page's text with Tera's escapes undone (`&#x2F;` → `/`…), for checking content.
pub fn html_texte(html: &str) -> String {
    html.replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `s` percent-encoded for a query string (every byte but ASCII letters and digits).
pub fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect()
}

/// One page of a PDF as laid out: its height, and its lines of text from top to bottom, each
/// with the position of its top (points from the top of the page).
#[derive(Debug)]
pub struct PagePdf {
    pub hauteur: f64,
    pub lignes: Vec<(f64, String)>,
}

impl PagePdf {
    /// The lines above the footer (the bottom margin, 1.8 cm, holds only the footer).
    pub fn corps(&self) -> Vec<&str> {
        self.lignes.iter().filter(|(y, _)| *y < self.hauteur - 51.0).map(|(_, t)| t.as_str()).collect()
    }
}

/// The pages of a PDF with their lines (`pdftotext -bbox-layout`).
pub fn pages_pdf(pdf: &[u8]) -> Vec<PagePdf> {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let xml = run_with_stdin("pdftotext", &["-bbox-layout", "-enc", "UTF-8", "-", "-"], pdf);
    let attr = |tag: &str, a: &str| -> f64 {
        let m = format!(" {a}=\"");
        let i = tag.find(&m).map(|i| i + m.len()).unwrap_or_else(|| panic!("{a} missing in {tag}"));
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    let texte = |s: &str| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    };
    let mut pages = Vec::new();
    for morceau in xml.split("<page ").skip(1) {
        let tete = &morceau[..morceau.find('>').unwrap()];
        let mut lignes = Vec::new();
        for ligne in morceau.split("<line ").skip(1) {
            let ligne = &ligne[..ligne.find("</line>").unwrap_or(ligne.len())];
            let y = attr(&ligne[..ligne.find('>').unwrap()], "yMin");
            let mots: Vec<String> = ligne
                .split("<word ")
                .skip(1)
                .map(|w| texte(&w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()]))
                .collect();
            // Typst sets typographic apostrophes; the tests write straight ones.
            lignes.push((y, mots.join(" ").replace('\u{2019}', "'")));
        }
        lignes.sort_by(|a, b| a.0.total_cmp(&b.0));
        pages.push(PagePdf { hauteur: attr(tete, "height"), lignes });
    }
    pages
}

/// What a PDF tells assistive technology (tests/pdfstructure.py): `display_doc_title`,
/// `titre`, and the `roles` of its structure tree in order.
pub fn structure_pdf(pdf: &[u8]) -> serde_json::Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pdfstructure.py");
    serde_json::from_str(&run_with_stdin("python3", &[script], pdf)).unwrap()
}
