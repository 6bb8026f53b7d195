//! The server killed with SIGKILL at random moments while writers admit pupils and
//! record inscriptions, restarted each time. Afterwards `registre check` passes (structure,
//! values, the journal's chain) and every admission and inscription the server acknowledged is
//! there, with its journal row.
//!
//! Ten kills here (`.ci/run`); `REGISTRE_COUPURES=50 cargo test --test it coupures -- --nocapture`
//! runs the long version.

use std::path::Path;
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{cookie_de, registre, servir};

/// Serves `db` on a free port; returns the server and its address.
async fn demarrer(db: &Path) -> (Child, String) {
    servir(&["--addr".as_ref(), "127.0.0.1:0".as_ref(), "--db".as_ref(), db.as_os_str()], &[]).await
}

/// `n` in capital letters (a name is made of letters).
fn lettres(mut n: u64) -> String {
    let mut s = String::new();
    loop {
        s.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

/// A demo base served by the binary, and directeur.1's session on it.
pub(crate) struct Banc {
    pub dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub serveur: Child,
    pub url: String,
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
    /// directeur.1's school.
    pub ecole: String,
}

impl Banc {
    pub(crate) async fn demarrer(eleves: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.db");
        let n = eleves.to_string();
        assert!(registre().args(["demo", "--pupils", &n, "--db"]).arg(&db).output().unwrap().status.success());
        let (serveur, url) = demarrer(&db).await;
        let comptes: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("r.db.demo-accounts.json")).unwrap()).unwrap();
        let d = comptes.as_array().unwrap().iter().find(|k| k["login"] == "directeur.1").unwrap().clone();
        let code = registre().args(["code-demo", "--login", "directeur.1", "--db"]).arg(&db).output().unwrap();
        let code: String =
            String::from_utf8(code.stdout).unwrap().chars().filter(char::is_ascii_digit).take(6).collect();
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let res = client
            .post(format!("{url}api/v1/login"))
            .json(&json!({ "login": "directeur.1", "mot_de_passe": d["mot_de_passe"], "code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let cookie = cookie_de(&res);
        let csrf = res.json::<Value>().await.unwrap()["csrf"].as_str().unwrap().to_string();
        let mut banc = Banc { dir, db, serveur, url, client, cookie, csrf, ecole: String::new() };
        banc.ecole = banc.lire("api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
        banc
    }

    /// A JSON answer of the API, as directeur.1.
    pub(crate) async fn lire(&self, chemin: &str) -> Value {
        let r = self.client.get(format!("{}{chemin}", self.url)).header("cookie", &self.cookie).send();
        r.await.unwrap().json().await.unwrap()
    }
}

/// The admission request of the `n`-th new child in school `ecole`.
pub(crate) fn admission(ecole: &str, n: u64) -> Value {
    json!({
        "ecole_id": ecole, "niveau": "MS", "confirmer_nouveau": true,
        "eleve": { "nom": format!("ESSAI{}", lettres(n)), "prenoms": "Lou", "sexe": "F",
                   "date_naissance": "12/03/2022", "naissance_insee": "35238" }
    })
}

/// An acknowledged write: the endpoint (`admissions`, `inscriptions`), the record's id, the
/// pupil's id.
type Acquitte = (&'static str, String, String);

#[tokio::test]
async fn every_acknowledged_admission_and_inscription_survives_kills_of_the_server() {
    let coupures: usize = std::env::var("REGISTRE_COUPURES").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let Banc { dir: _dir, db, mut serveur, url, client, cookie, csrf, ecole } = Banc::demarrer(60).await;
    // Writers: admissions and inscriptions in turn, each acknowledged one noted with its
    // record's id and its pupil's id.
    let adresse = Arc::new(RwLock::new(url));
    let acquittes: Arc<Mutex<Vec<Acquitte>>> = Arc::default();
    let fin = Arc::new(AtomicBool::new(false));
    let compteur = Arc::new(AtomicU64::new(0));
    let mut ecrivains = Vec::new();
    for _ in 0..4 {
        let (client, cookie, csrf, ecole) = (client.clone(), cookie.clone(), csrf.clone(), ecole.clone());
        let (adresse, acquittes, fin, compteur) = (adresse.clone(), acquittes.clone(), fin.clone(), compteur.clone());
        ecrivains.push(tokio::spawn(async move {
            while !fin.load(Ordering::Relaxed) {
                let n = compteur.fetch_add(1, Ordering::Relaxed);
                let url = adresse.read().unwrap().clone();
                let (quoi, corps) = if n % 2 == 0 {
                    ("admissions", admission(&ecole, n))
                } else {
                    let mut corps = admission(&ecole, n);
                    corps["eleve"]["nom"] = json!(format!("INSCRIT{}", lettres(n)));
                    ("inscriptions", corps)
                };
                let envoi = client
                    .post(format!("{url}api/v1/{quoi}"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&corps)
                    .send();
                match envoi.await {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<Value>().await
                            && let (Some(id), Some(eleve)) = (v["id"].as_str(), v["eleve_id"].as_str())
                        {
                            acquittes.lock().unwrap().push((quoi, id.to_string(), eleve.to_string()));
                        }
                    }
                    // A refusal would be a bug of the test: said once.
                    Ok(r) if r.status().is_client_error() => {
                        let t = r.text().await.unwrap_or_default();
                        panic!("{quoi} : refus {t}");
                    }
                    // The server is down, or restarting: try again.
                    _ => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }));
    }
    for _ in 0..coupures {
        let pause = rand::random_range(150..600);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        serveur.kill().unwrap(); // SIGKILL
        serveur.wait().unwrap();
        let (s, url) = demarrer(&db).await;
        serveur = s;
        *adresse.write().unwrap() = url;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    fin.store(true, Ordering::Relaxed);
    for e in ecrivains {
        e.await.unwrap();
    }
    serveur.kill().unwrap();
    serveur.wait().unwrap();

    let acquittes = acquittes.lock().unwrap().clone();
    assert!(acquittes.len() > coupures, "the writers made progress: {} writes", acquittes.len());
    assert!(acquittes.iter().any(|a| a.0 == "inscriptions") && acquittes.iter().any(|a| a.0 == "admissions"));
    let check = registre().args(["check", "--db"]).arg(&db).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    let c = rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    for (quoi, id, eleve) in &acquittes {
        let compte = |sql: &str, v: &str| -> i64 { c.query_row(sql, [v], |r| r.get(0)).unwrap() };
        let journal = compte("SELECT count(*) FROM journal WHERE eleve_id = ? AND action = 'creer'", eleve);
        let ligne = if *quoi == "admissions" {
            compte("SELECT count(*) FROM scolarite WHERE eleve_id = ?", eleve)
        } else {
            compte("SELECT count(*) FROM inscription WHERE id = ?", id)
        };
        let fiche = compte("SELECT count(*) FROM eleve WHERE id = ?", eleve);
        assert!(
            fiche == 1 && ligne == 1 && journal >= 1,
            "{quoi} {id}: eleve {fiche}, {quoi} {ligne}, journal {journal}"
        );
    }
    let inscriptions = acquittes.iter().filter(|a| a.0 == "inscriptions").count();
    eprintln!(
        "{coupures} coupures, {} admissions et {inscriptions} inscriptions acquittées, toutes présentes avec leur journal",
        acquittes.len() - inscriptions
    );
}
