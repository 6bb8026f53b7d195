//! The audit journal: what is written, that it fails closed, and that tampering is found.

use serde_json::json;

use crate::helpers::{TestServer, registre};

const CLOCK: &str = "2026-11-29T09:30:00Z";

pub(crate) fn run(args: &[&str], db: &std::path::Path) -> std::process::Output {
    registre().args(args).arg("--db").arg(db).env("REGISTRE_HORLOGE", CLOCK).output().unwrap()
}

/// A demo database whose journal holds a few rows written by the CLI operator.
fn base_journalisee(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("r.db");
    assert!(run(&["demo", "--pupils", "30"], &db).status.success());
    for _ in 0..3 {
        assert!(run(&["eleves"], &db).status.success());
    }
    let list = String::from_utf8(run(&["eleves"], &db).stdout).unwrap();
    let id = list.lines().next().unwrap().split('\t').next().unwrap().to_string();
    let out = dir.join("c.pdf");
    assert!(
        registre()
            .args(["render", "certificat-scolarite", "--eleve", &id, "-o"])
            .arg(&out)
            .arg("--db")
            .arg(&db)
            .env("REGISTRE_HORLOGE", CLOCK)
            .output()
            .unwrap()
            .status
            .success()
    );
    db
}

fn check(db: &std::path::Path) -> (bool, String) {
    let out = run(&["check"], db);
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_cli_journals_its_reads_and_prints_as_the_operator() {
    let dir = tempfile::tempdir().unwrap();
    let db = base_journalisee(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(String, String, String)> = conn
        .prepare("SELECT acteur, action, ressource FROM journal ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().all(|(a, _, _)| a == "operateur"));
    assert_eq!(rows[4], ("operateur".into(), "imprimer".into(), "document".into()));
    let (ok, text) = check(&db);
    assert!(ok, "{text}");
    assert!(text.contains("5 lignes"), "{text}");
}

pub(crate) fn falsifier(db: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    // Whoever tampers with the file can drop the triggers first; the chain still tells.
    conn.execute_batch("DROP TRIGGER journal_sans_modification; DROP TRIGGER journal_sans_suppression;").unwrap();
    conn.execute_batch(sql).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER journal_sans_modification BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;
         CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;",
    )
    .unwrap();
}

#[test]
fn editing_deleting_or_reordering_one_audit_row_makes_check_fail_and_name_the_row() {
    let cases = [
        ("edit", "UPDATE journal SET action = 'supprimer' WHERE seq = 3", 3),
        ("delete", "DELETE FROM journal WHERE seq = 2", 3),
        (
            "reorder",
            "UPDATE journal SET seq = 100 WHERE seq = 2; UPDATE journal SET seq = 2 WHERE seq = 4; UPDATE journal SET seq = 4 WHERE seq = 100;",
            2,
        ),
        ("edit the last", "UPDATE journal SET detail = '{}' WHERE seq = 5", 5),
    ];
    for (what, sql, row) in cases {
        let dir = tempfile::tempdir().unwrap();
        let db = base_journalisee(dir.path());
        assert!(check(&db).0);
        falsifier(&db, sql);
        let (ok, text) = check(&db);
        assert!(!ok, "{what}: check passed");
        assert!(text.contains(&format!("ligne {row}")), "{what}: row {row} not named in {text}");
    }
}

#[test]
fn dropping_the_append_only_triggers_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = base_journalisee(dir.path());
    rusqlite::Connection::open(&db).unwrap().execute_batch("DROP TRIGGER journal_sans_suppression;").unwrap();
    let (ok, text) = check(&db);
    assert!(!ok && text.contains("déclencheurs"), "{text}");
}

#[test]
fn a_missing_key_file_stops_the_program_with_a_french_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = base_journalisee(dir.path());
    std::fs::remove_file(registre::config::Cles::chemin(&db)).unwrap();
    let out = run(&["eleves"], &db);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("fichier de clés"));
}

#[tokio::test]
async fn every_api_access_to_personal_data_is_journaled_and_reads_fail_closed() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.1").await;
    let count = || -> i64 {
        rusqlite::Connection::open(&s.db).unwrap().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
    };
    let n0 = count();
    let eleves = s.json_as(&d, "/api/v1/eleves").await;
    let id = eleves[0]["id"].as_str().unwrap().to_string();
    s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    s.json_as(&d, "/api/v1/eleves?q=a").await;
    assert_eq!(s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements")).await.status(), 200);
    assert_eq!(count(), n0 + 4, "list, read, search, print");
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let (acteur, fonction, eleve): (String, String, Option<String>) = conn
        .query_row("SELECT acteur, fonction, eleve_id FROM journal WHERE action = 'lire' AND ressource = 'eleve' ORDER BY seq DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_ne!(acteur, "operateur");
    assert!(fonction.starts_with("direction d'école"));
    assert_eq!(eleve.as_deref(), Some(id.as_str()));
    // If the journal cannot be written, nothing is read.
    conn.execute_batch("CREATE TRIGGER panne BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'disque plein'); END;")
        .unwrap();
    let res = s.get_as(&d, &format!("/api/v1/eleves/{id}")).await;
    assert_eq!(res.status(), 500);
    let body = res.text().await.unwrap();
    assert!(!body.contains(eleves[0]["nom"].as_str().unwrap()), "data sent without its journal row");
    assert!(body.contains("journalisé"));
    let res = s.post_as(&d, "/api/v1/eleves", &json!({})).await;
    assert_eq!(res.status(), 422, "invalid input is refused before anything");
}
