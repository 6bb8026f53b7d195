//! 32 writers and 128 readers at once against the binary, for 10 s in `.ci/run`
//! (`REGISTRE_BINAIRE=target/release/registre REGISTRE_CONCURRENCE_S=30 cargo test --test it
//! concurrence -- --nocapture` for the long run, against the optimised server). No « database
//! is locked », no 5xx, no request left unanswered; every acknowledged write is there. The
//! reads' p50 and p99 are printed, never asserted (timings are measured by the benchmark, not
//! tested).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::coupures::{Banc, admission};
use crate::helpers::registre;

#[derive(Default)]
struct Bilan {
    ecritures: usize,
    lectures: Vec<Duration>,
    fautes: Vec<String>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_and_readers_at_once_get_no_lock_error_and_no_5xx() {
    let duree: u64 = std::env::var("REGISTRE_CONCURRENCE_S").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
    let banc = Banc::demarrer(300).await;
    let eleves = banc.lire("api/v1/eleves?limite=50").await;
    let Banc { dir: _dir, db, mut serveur, url, client, cookie, csrf, ecole } = banc;
    let ids: Vec<String> = eleves.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    let fin = Instant::now() + Duration::from_secs(duree);
    let bilan = Arc::new(Mutex::new(Bilan::default()));
    let mut taches = Vec::new();
    for w in 0..32u64 {
        let (client, url, cookie, csrf, ecole, bilan) =
            (client.clone(), url.clone(), cookie.clone(), csrf.clone(), ecole.clone(), bilan.clone());
        taches.push(tokio::spawn(async move {
            let mut n = w * 1_000_000;
            while Instant::now() < fin {
                n += 1;
                let r = client
                    .post(format!("{url}api/v1/admissions"))
                    .header("cookie", &cookie)
                    .header("x-csrf-token", &csrf)
                    .json(&admission(&ecole, n))
                    .send()
                    .await;
                let mut b = bilan.lock().unwrap();
                match r {
                    Ok(r) if r.status() == 201 => b.ecritures += 1,
                    Ok(r) => b.fautes.push(format!("écriture : {}", r.status())),
                    Err(e) => b.fautes.push(format!("écriture : {e}")),
                }
            }
        }));
    }
    for k in 0..128usize {
        let (client, url, cookie, bilan) = (client.clone(), url.clone(), cookie.clone(), bilan.clone());
        let ids = ids.clone();
        taches.push(tokio::spawn(async move {
            let mut i = k;
            while Instant::now() < fin {
                i += 1;
                let chemin = match i % 3 {
                    0 => "api/v1/eleves?limite=20".to_string(),
                    1 => format!("api/v1/eleves/{}", ids[i % ids.len()]),
                    _ => "api/v1/ecoles".to_string(),
                };
                let debut = Instant::now();
                let r = client.get(format!("{url}{chemin}")).header("cookie", &cookie).send().await;
                let corps = match r {
                    Ok(r) => {
                        let statut = r.status();
                        (statut, r.text().await.unwrap_or_default())
                    }
                    Err(e) => {
                        bilan.lock().unwrap().fautes.push(format!("lecture : {e}"));
                        continue;
                    }
                };
                let ecoule = debut.elapsed();
                let mut b = bilan.lock().unwrap();
                if corps.0 != 200 || corps.1.contains("locked") {
                    b.fautes.push(format!("lecture {chemin} : {}", corps.0));
                } else {
                    b.lectures.push(ecoule);
                }
            }
        }));
    }
    for t in taches {
        t.await.unwrap();
    }
    serveur.kill().unwrap();
    serveur.wait().unwrap();
    let mut b = std::mem::take(&mut *bilan.lock().unwrap());
    assert!(b.fautes.is_empty(), "{} échecs, dont : {:?}", b.fautes.len(), &b.fautes[..b.fautes.len().min(5)]);
    assert!(b.ecritures > 0 && !b.lectures.is_empty());
    let check = registre().args(["check", "--db"]).arg(&db).output().unwrap();
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
    b.lectures.sort_unstable();
    let q = |p: f64| b.lectures[((b.lectures.len() as f64 - 1.0) * p) as usize];
    let binaire = std::env::var("REGISTRE_BINAIRE").unwrap_or_else(|_| "binaire de test, non optimisé".into());
    eprintln!(
        "{duree} s, 32 écrivains et 128 lecteurs : {} écritures, {} lectures, lectures p50 {:?}, p99 {:?} ({binaire})",
        b.ecritures,
        b.lectures.len(),
        q(0.5),
        q(0.99)
    );
}
