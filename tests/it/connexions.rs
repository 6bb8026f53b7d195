//! What a client is told is what happened, and what a slow or greedy client cannot do: a write
//! whose client leaves, or whose time runs out, leaves nothing behind; an idempotency key runs a
//! write once; a client that never finishes its headers, trickles its body or stays silent is
//! closed; connections past the cap are answered 503; the answers hyper makes itself (400, 414,
//! 431) are in French like every other.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Session, TestServer};

fn limites(f: impl FnOnce(&mut registre::config::Limites)) -> registre::config::Limites {
    let mut l = registre::config::Limites::default();
    f(&mut l);
    l
}

/// A pupil of the director's school.
async fn un_eleve(s: &TestServer, d: &Session) -> String {
    deux_eleves(s, d).await.0
}

/// Two pupils of the director's school.
async fn deux_eleves(s: &TestServer, d: &Session) -> (String, String) {
    let l = s.json_as(d, "/api/v1/eleves").await;
    (l[0]["id"].as_str().unwrap().to_string(), l[1]["id"].as_str().unwrap().to_string())
}

/// The corrections journaled after row `seq`.
fn corrections_depuis(s: &TestServer, seq: i64) -> i64 {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.query_row("SELECT count(*) FROM journal WHERE seq > ?1 AND action = 'modifier'", [seq], |r| r.get(0)).unwrap()
}

/// How many of the year's answers name this insurer (a value no one else writes).
fn assureurs(s: &TestServer, assureur: &str) -> i64 {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.query_row("SELECT count(*) FROM eleve_annuel WHERE assureur = ?1", [assureur], |r| r.get(0)).unwrap()
}

fn lignes_journal(s: &TestServer) -> i64 {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
}

/// Holds SQLite's write lock from outside the server (as another process would) until dropped.
struct Verrou(rusqlite::Connection);

impl Verrou {
    fn prendre(s: &TestServer) -> Self {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        Verrou(c)
    }
}

impl Drop for Verrou {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

/// The raw bytes of `PUT /api/v1/eleves/{id}/annuel` as `d`.
fn requete_annuel(s: &TestServer, d: &Session, eleve: &str, assureur: &str) -> Vec<u8> {
    let corps = json!({ "assureur": assureur }).to_string();
    format!(
        "PUT /api/v1/eleves/{eleve}/annuel HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{corps}",
        s.base.trim_start_matches("http://"),
        d.cookie,
        d.csrf,
        corps.len()
    )
    .into_bytes()
}

async fn connecter(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap()
}

/// Everything the server sends until it closes the connection (or `delai` passes).
async fn lire_tout(c: &mut TcpStream, delai: Duration) -> (String, bool) {
    let mut tout = Vec::new();
    let mut buf = [0u8; 4096];
    let fin = tokio::time::timeout(delai, async {
        loop {
            match c.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => tout.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    (String::from_utf8_lossy(&tout).into_owned(), fin.is_ok())
}

#[tokio::test]
async fn a_write_whose_client_leaves_before_the_answer_leaves_nothing() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.1").await;
    // The later write is another pupil's: it cannot overwrite what the first would have left.
    let (eleve, autre) = deux_eleves(&s, &d).await;
    let journal = lignes_journal(&s);
    let verrou = Verrou::prendre(&s);
    let mut c = connecter(&s).await;
    c.write_all(&requete_annuel(&s, &d, &eleve, "PARTI-AVANT-LA-FIN")).await.unwrap();
    // The write now waits for SQLite's lock, held here; its client leaves.
    tokio::time::sleep(Duration::from_millis(400)).await;
    drop(c);
    tokio::time::sleep(Duration::from_millis(400)).await;
    drop(verrou);
    // A later write of the same writer runs after the abandoned one is over.
    let r = s.put_as(&d, &format!("/api/v1/eleves/{autre}/annuel"), &json!({ "assureur": "ENSUITE" })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(assureurs(&s, "PARTI-AVANT-LA-FIN"), 0, "the abandoned write is not stored");
    assert_eq!(assureurs(&s, "ENSUITE"), 1);
    assert_eq!(corrections_depuis(&s, journal), 1, "only the later write is journaled");
}

#[tokio::test]
async fn a_write_past_its_time_is_answered_503_and_leaves_nothing() {
    let s = TestServer::start_avec(60, limites(|l| l.requete = Duration::from_secs(1)), |_| {}).await;
    let d = s.login("directeur.1").await;
    let (eleve, autre) = deux_eleves(&s, &d).await;
    let journal = lignes_journal(&s);
    let verrou = Verrou::prendre(&s);
    let debut = Instant::now();
    let r = s.put_as(&d, &format!("/api/v1/eleves/{eleve}/annuel"), &json!({ "assureur": "TROP-TARD" })).await;
    println!("answered in {:.2} s", debut.elapsed().as_secs_f64());
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    let corps: Value = r.json().await.unwrap();
    assert!(corps["detail"].as_str().unwrap().contains("rien n'a été enregistré"), "{corps}");
    // The write was still waiting for the lock; it gets it now, and must not commit.
    drop(verrou);
    let r = s.put_as(&d, &format!("/api/v1/eleves/{autre}/annuel"), &json!({ "assureur": "A-TEMPS" })).await;
    assert_eq!(r.status(), 200);
    assert_eq!(assureurs(&s, "TROP-TARD"), 0, "told 503, nothing stored");
    assert_eq!(assureurs(&s, "A-TEMPS"), 1);
    assert_eq!(corrections_depuis(&s, journal), 1, "only the later write is journaled");
}

#[tokio::test]
async fn an_idempotency_key_runs_a_creation_once_and_refuses_another_body() {
    let s = TestServer::start(60).await;
    let m = s.login("mairie.1").await;
    let corps = |prenom: &str| {
        let naissance = if prenom == "Lou" { "12/03/2019" } else { "02/11/2018" };
        json!({
            "eleve": { "nom": "IDEMPOTENT", "prenoms": prenom, "sexe": "F", "date_naissance": naissance,
                       "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
            "niveau": "CE1",
            "mode": "cned",
            "responsables": [{ "nom": "IDEMPOTENT", "prenom": "Anne", "lien": "mere", "tel_portable": "0611223344" }],
        })
    };
    let envoyer = |cle: &str, corps: Value| {
        s.client
            .post(s.url("/api/v1/inscriptions"))
            .header("cookie", &m.cookie)
            .header("x-csrf-token", &m.csrf)
            .header("idempotency-key", cle)
            .json(&corps)
            .send()
    };
    let compter = || {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.query_row("SELECT count(*) FROM eleve WHERE nom = 'IDEMPOTENT'", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    let premiere = envoyer("cle-1", corps("Lou")).await.unwrap();
    let statut = premiere.status();
    assert!(statut.is_success(), "{statut}: {}", premiere.text().await.unwrap());
    assert!(premiere.headers().get("idempotency-replayed").is_none());
    let a = premiere.text().await.unwrap();
    assert_eq!(compter(), 1);
    let seconde = envoyer("cle-1", corps("Lou")).await.unwrap();
    assert_eq!(seconde.status(), statut, "the same answer again");
    assert_eq!(seconde.headers()["idempotency-replayed"], "true");
    assert_eq!(seconde.text().await.unwrap(), a);
    assert_eq!(compter(), 1, "written once");
    let autre = envoyer("cle-1", corps("Lya")).await.unwrap();
    assert_eq!(autre.status(), 422);
    let e: Value = autre.json().await.unwrap();
    assert_eq!(e["champ"], "Idempotency-Key", "{e}");
    assert_eq!(compter(), 1, "nothing written for another body");
    // Another key is another request; a key of another account is its own.
    let r = envoyer("cle-2", corps("Lya")).await.unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(compter(), 2);
    let mauvaise = envoyer("clé avec espace", corps("Zoé")).await.unwrap();
    assert_eq!(mauvaise.status(), 422);
    assert_eq!(compter(), 2);
}

/// A print launch writes nothing but its journal row: replayed with the same key, it is not
/// launched twice (the journal row shares no transaction with other reads then).
#[tokio::test]
async fn a_print_launch_replayed_with_its_key_runs_once() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let corps = json!({ "document": "certificat-scolarite", "ecole": ecole });
    let envoyer = || {
        s.client
            .post(s.url("/api/v1/impressions"))
            .header("cookie", &d.cookie)
            .header("x-csrf-token", &d.csrf)
            .header("idempotency-key", "lot-1")
            .json(&corps)
            .send()
    };
    let a = envoyer().await.unwrap();
    assert!(a.status().is_success(), "{}", a.status());
    let a: Value = a.json().await.unwrap();
    let b = envoyer().await.unwrap();
    assert_eq!(b.headers()["idempotency-replayed"], "true");
    let b: Value = b.json().await.unwrap();
    assert_eq!(a["id"], b["id"], "the same print");
    let lots = s.json_as(&d, "/api/v1/impressions").await;
    let n = lots.as_array().map(Vec::len).unwrap_or_else(|| lots["impressions"].as_array().unwrap().len());
    assert_eq!(n, 1, "{lots}");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_closed_within_the_limit() {
    let s = TestServer::start_avec(30, limites(|l| l.entetes = Duration::from_secs(1)), |_| {}).await;
    let mut lents = Vec::new();
    for _ in 0..20 {
        let mut c = connecter(&s).await;
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Lent: ").await.unwrap();
        lents.push(c);
    }
    let debut = Instant::now();
    for c in &mut lents {
        let (_, ferme) = lire_tout(c, Duration::from_secs(20)).await;
        assert!(ferme, "a connection that never finishes its headers is closed");
    }
    println!("20 unfinished heads closed after {:.1} s (limit 1 s)", debut.elapsed().as_secs_f64());
    // A silent keep-alive connection is closed too, after its answer.
    let mut c = connecter(&s).await;
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (reponse, ferme) = lire_tout(&mut c, Duration::from_secs(20)).await;
    assert!(reponse.starts_with("HTTP/1.1 200"), "{reponse}");
    assert!(ferme, "an idle keep-alive connection is closed");
    // The server still answers.
    assert_eq!(s.client.get(s.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_body_sent_a_byte_at_a_time_is_answered_408_and_closed() {
    let s = TestServer::start_avec(30, limites(|l| l.corps = Duration::from_secs(1)), |_| {}).await;
    let d = s.login("directeur.1").await;
    let eleve = un_eleve(&s, &d).await;
    let requete = requete_annuel(&s, &d, &eleve, "GOUTTE-A-GOUTTE");
    let coupure = requete.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut c = connecter(&s).await;
    c.write_all(&requete[..coupure]).await.unwrap();
    let ecrire = async {
        for b in &requete[coupure..] {
            if c.write_all(std::slice::from_ref(b)).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(3), ecrire).await;
    let (reponse, ferme) = lire_tout(&mut c, Duration::from_secs(20)).await;
    assert!(reponse.starts_with("HTTP/1.1 408"), "{reponse}");
    assert!(reponse.contains("trop de temps à arriver"), "{reponse}");
    assert!(ferme);
    assert_eq!(assureurs(&s, "GOUTTE-A-GOUTTE"), 0);
}

#[tokio::test]
async fn connections_past_the_cap_are_answered_503_in_french() {
    let s = TestServer::start_avec(30, limites(|l| l.connexions = 4), |_| {}).await;
    let mut tenues = Vec::new();
    for _ in 0..4 {
        tenues.push(connecter(&s).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut c = connecter(&s).await;
    c.write_all(b"GET /api/v1/moi HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let (reponse, ferme) = lire_tout(&mut c, Duration::from_secs(10)).await;
    assert!(reponse.starts_with("HTTP/1.1 503"), "{reponse}");
    assert!(reponse.contains("content-type: application/problem+json"), "{reponse}");
    assert!(reponse.contains("trop occupé"), "{reponse}");
    assert!(ferme);
    drop(tenues);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(s.client.get(s.url("/healthz")).send().await.unwrap().status(), 200, "places come back");
}

#[tokio::test]
async fn long_addresses_large_headers_and_garbage_get_french_answers() {
    let s = TestServer::start(30).await;
    let echange = |requete: Vec<u8>| {
        let s = &s;
        async move {
            let mut c = connecter(s).await;
            c.write_all(&requete).await.unwrap();
            lire_tout(&mut c, Duration::from_secs(10)).await.0
        }
    };
    // Refused by the router: the address over 8 KiB, the headers over 32 KiB.
    let r = echange(
        format!("GET /api/v1/eleves?q={} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "a".repeat(9000))
            .into_bytes(),
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 414"), "{r}");
    assert!(r.contains("adresse trop longue"), "{r}");
    let r = echange(
        format!("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Gros: {}\r\n\r\n", "b".repeat(40_000))
            .into_bytes(),
    )
    .await;
    assert!(r.starts_with("HTTP/1.1 431"), "{r}");
    assert!(r.contains("content-type: text/html"), "a page's address gets a page: {r}");
    assert!(r.contains("trop volumineux"), "{r}");
    // Refused by hyper itself, before any route: a head over its buffer, a broken request line.
    for (requete, statut) in [
        (format!("GET /api/v1/{} HTTP/1.1\r\nHost: x\r\n\r\n", "c".repeat(200_000)).into_bytes(), "431"),
        (b"GET /api/v1/ecoles HTTP/1.1\r\nHost: x\r\nMal forme\r\n\r\n".to_vec(), "400"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(), "400"),
    ] {
        let r = echange(requete).await;
        assert!(r.starts_with(&format!("HTTP/1.1 {statut}")), "{r}");
        assert!(r.contains("content-type: "), "{r}");
        let corps = r.split_once("\r\n\r\n").unwrap().1;
        assert!(!corps.is_empty(), "a French body: {r}");
        let corps = corps.to_lowercase();
        assert!(corps.contains("requête") || corps.contains("trop volumineux"), "{corps}");
    }
}
