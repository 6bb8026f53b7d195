//! Spawning the server and reading PDFs.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use registre::app::{self, AppState};
use registre::clock::Clock;
use registre::samples;
use registre::store::Store;
use time::OffsetDateTime;
use time::macros::datetime;

/// The fixed instant of the tests: a school day of 2026-2027.
pub const NOW: OffsetDateTime = datetime!(2026-11-29 09:30 UTC);

/// The hostile name of the foundation issue.
pub const HOSTILE: &str = "#exit() $x$ *gras* _souligné_ [lien](x) \\ <b> @ref 😀 محمد Ñúñez-O'Brien";

/// A server on a random loopback port, with a small demo département and a fixed clock.
#[allow(dead_code)] // clock and state serve later tests (accounts, lifecycle)
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub db: PathBuf,
    pub state: AppState,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestServer {
    /// Starts a server over a fresh demo database of `pupils` pupils.
    pub async fn start(pupils: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("registre.db");
        let clock = Clock::fixed(NOW);
        let store = Store::open(&db).unwrap();
        let params = samples::Parametres { eleves: pupils, graine: 7, aujourd_hui: clock.today() };
        samples::generer(&store, &params, &|_, _| {}).unwrap();
        let state = AppState::new(store, clock.clone());
        let listener = app::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        Self { base, client: reqwest::Client::new(), clock, db, state, _dir: dir, stop: Some(tx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap()
    }

    /// The number of rows of every table: to prove that a refused request wrote nothing.
    pub fn row_counts(&self) -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(&self.db).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
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

fn run_with_stdin(cmd: &str, args: &[&str], input: &[u8]) -> String {
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd} is needed by the tests (installed by .ci/run): {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{cmd} failed");
    String::from_utf8(out.stdout).unwrap()
}

fn fold(text: &str) -> String {
    let text: String = text.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}')).collect();
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

/// The `registre` binary built for these tests.
pub fn registre() -> Command {
    Command::new(env!("CARGO_BIN_EXE_registre"))
}
