//! A backup taken while 20 writers are at work restores to a sound database holding
//! every write acknowledged before it began, with its journal rows; `registre restore` checks
//! the copy first, refuses a running server's base and a copy its key file cannot verify.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestServer, registre};

const CLOCK: &str = "2026-11-29T09:30:00Z";

fn sortie(cmd: &mut std::process::Command) -> std::process::Output {
    cmd.env("REGISTRE_HORLOGE", CLOCK).output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_twenty_writers_restores_every_acknowledged_write() {
    let s = Arc::new(TestServer::start(200).await);
    let d = s.login("directeur.2").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    let niveau = classes[0]["niveaux"][0].as_str().unwrap().to_string();
    // (pupil id, acknowledged at)
    let acquittes: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let arret = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut ecrivains = Vec::new();
    for w in 0..20 {
        let (s, d, ecole, niveau, acquittes, arret) =
            (s.clone(), d.clone(), ecole.clone(), niveau.clone(), acquittes.clone(), arret.clone());
        ecrivains.push(tokio::spawn(async move {
            let mut i = 0;
            while !arret.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let lettres: String = format!("{w:02}{i:04}").chars().map(|c| char::from(b'A' + (c as u8 - b'0'))).collect();
                let body = json!({
                    "ecole_id": ecole, "niveau": niveau, "confirmer_nouveau": true,
                    "eleve": { "nom": format!("ECRIVAIN {lettres}"), "prenoms": "Lou", "sexe": "F",
                               "date_naissance": "03/05/2019", "naissance_insee": "35238", "naissance_lieu": "Rennes" },
                    "responsables": [{ "nom": "Parent", "prenom": "Anne", "lien": "mere", "tel_portable": "06 12 34 56 78" }],
                });
                let res = s.post_as(&d, "/api/v1/eleves", &body).await;
                assert_eq!(res.status(), 201, "writer {w}: {}", res.text().await.unwrap());
                let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
                acquittes.lock().unwrap().push((id, Instant::now()));
            }
        }));
    }
    // Writers at work, then the backup, as an operator runs it, while they go on.
    while acquittes.lock().unwrap().len() < 40 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copie = dir.path().join("copie.db");
    let debut = Instant::now();
    let out = {
        let (db, copie) = (s.db.clone(), copie.clone());
        tokio::task::spawn_blocking(move || sortie(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&copie)))
            .await
            .unwrap()
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fin = acquittes.lock().unwrap().len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    arret.store(true, std::sync::atomic::Ordering::Relaxed);
    for e in ecrivains {
        e.await.unwrap();
    }
    let avant: Vec<String> =
        acquittes.lock().unwrap().iter().filter(|(_, t)| *t < debut).map(|(id, _)| id.clone()).collect();
    assert!(avant.len() >= 40, "{}", avant.len());
    assert!(acquittes.lock().unwrap().len() > fin, "the writers went on after the backup");

    // Restored in a new place: the key file comes from where it is kept apart.
    let restauree = dir.path().join("restauree.db");
    std::fs::copy(registre::config::Cles::chemin(&s.db), registre::config::Cles::chemin(&restauree)).unwrap();
    let out = sortie(registre().args(["restore", "--db"]).arg(&restauree).arg("--depuis").arg(&copie));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Base restaurée"));
    let out = sortie(registre().args(["check", "--db"]).arg(&restauree));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c = rusqlite::Connection::open(&restauree).unwrap();
    for id in &avant {
        let (eleve, scolarite, journal): (i64, i64, i64) = c
            .query_row(
                "SELECT (SELECT count(*) FROM eleve WHERE id = ?1), (SELECT count(*) FROM scolarite WHERE eleve_id = ?1),
                        (SELECT count(*) FROM journal WHERE eleve_id = ?1 AND action = 'creer')",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((eleve, scolarite), (1, 1), "acknowledged before the backup, missing: {id}");
        assert!(journal >= 1, "no journal row for {id}");
    }
}

#[tokio::test]
async fn restore_refuses_a_running_server_s_base_and_a_copy_it_cannot_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let (mut serveur, _) = crate::helpers::servir(
        &["--demo".as_ref(), "--addr".as_ref(), "127.0.0.1:0".as_ref(), "--db".as_ref(), db.as_os_str()],
        &[("REGISTRE_HORLOGE", CLOCK)],
    )
    .await;
    let copie = dir.path().join("copie.db");
    let out = sortie(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&copie));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // While the server runs: refused, nothing moved.
    let out = sortie(registre().args(["restore", "--db"]).arg(&db).arg("--depuis").arg(&copie));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("serveur en marche"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A second server on the same base is refused too.
    let out = sortie(registre().args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(&db));
    assert!(!out.status.success());
    serveur.kill().unwrap();
    serveur.wait().unwrap();

    // A copy of another installation: its journal does not verify with this key file.
    let autre = dir.path().join("autre.db");
    assert!(sortie(registre().args(["demo", "--pupils", "50", "--db"]).arg(&autre)).status.success());
    let taille = std::fs::metadata(&db).unwrap().len();
    let out = sortie(registre().args(["restore", "--db"]).arg(&db).arg("--depuis").arg(&autre));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ne passe pas la vérification"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), taille, "nothing replaced");
    // The genuine copy, server stopped: restored, the former base kept aside, the keys untouched.
    let cles = std::fs::read(registre::config::Cles::chemin(&db)).unwrap();
    let out = sortie(registre().args(["restore", "--db"]).arg(&db).arg("--depuis").arg(&copie));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("avant-restauration"));
    assert_eq!(std::fs::read(registre::config::Cles::chemin(&db)).unwrap(), cles);
    let out = sortie(registre().args(["check", "--db"]).arg(&db));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.path().join("r.db.restauration").exists());
}

#[test]
fn restore_waits_for_every_command_on_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    assert!(sortie(registre().args(["demo", "--pupils", "50", "--db"]).arg(&db)).status.success());
    let copie = dir.path().join("copie.db");
    assert!(sortie(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&copie)).status.success());
    // A base open in this process (as a command would hold it): the restore is refused.
    let ouverte = registre::store::Store::open_existing(&db).unwrap();
    let out = sortie(registre().args(["restore", "--db"]).arg(&db).arg("--depuis").arg(&copie));
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("commande en cours"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(ouverte);
    let out = sortie(registre().args(["restore", "--db"]).arg(&db).arg("--depuis").arg(&copie));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
