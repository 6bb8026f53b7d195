//! Print runs as background jobs — progress, human names in the ZIP, a merged PDF
//! ready for double-sided printing, cancellation, nothing half-made ever served, and jobs that
//! belong to their author only.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{HOSTILE, Session, TestServer, pdftotext};

/// Polls a job until it leaves « en attente » / « en cours »; returns every state seen.
async fn attendre(s: &TestServer, d: &Session, id: &str) -> Vec<Value> {
    let mut vus = Vec::new();
    for _ in 0..1200 {
        let v = s.json_as(d, &format!("/api/v1/impressions/{id}")).await;
        let fini = !matches!(v["etat"].as_str(), Some("en_attente" | "en_cours"));
        vus.push(v);
        if fini {
            return vus;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the job never finished: {:?}", vus.last());
}

async fn ecole(s: &TestServer, d: &Session) -> String {
    s.json_as(d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string()
}

fn fichiers_du_dossier(s: &TestServer) -> Vec<String> {
    let dossier = registre::service::travaux::dossier(&s.db);
    std::fs::read_dir(dossier).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[tokio::test]
async fn a_school_print_run_reports_progress_and_zips_one_pdf_per_pupil_under_human_names() {
    let s = TestServer::start(120).await;
    let d = s.login("directeur.2").await;
    let ecole = ecole(&s, &d).await;
    let eleves = s.json_as(&d, &format!("/api/v1/eleves?ecole={ecole}&limite=1000")).await;
    let n = eleves.as_array().unwrap().len();
    let res =
        s.post_as(&d, "/api/v1/impressions", &json!({ "document": "fiche-renseignements", "ecole": ecole })).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["total"], n);
    let id = t["id"].as_str().unwrap().to_string();
    let vus = attendre(&s, &d, &id).await;
    let faits: Vec<u64> = vus.iter().map(|v| v["fait"].as_u64().unwrap()).collect();
    assert!(faits.windows(2).all(|w| w[0] <= w[1]), "progress never goes back: {faits:?}");
    let fin = vus.last().unwrap();
    assert_eq!(fin["etat"], "termine", "{fin}");
    assert_eq!(fin["fait"], n);
    let res = s.get_as(&d, &format!("/api/v1/impressions/{id}/fichier")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(".zip"));
    let zip = res.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), n, "one PDF per pupil");
    let noms: Vec<String> =
        (0..archive.len()).map(|i| archive.by_index(i).unwrap().name().unwrap().to_string()).collect();
    for nom in &noms {
        assert!(nom_humain(nom), "not a human ASCII name: {nom}");
    }
    let uniques: std::collections::BTreeSet<&String> = noms.iter().collect();
    assert_eq!(uniques.len(), n, "names are unique");
    let premier = &eleves[0];
    let prenom = premier["prenoms"].as_str().unwrap().split(' ').next().unwrap();
    let attendu = format!(
        "/{}_{}_fiche-renseignements.pdf",
        registre::service::documents::ascii(premier["nom"].as_str().unwrap()),
        registre::service::documents::ascii(prenom)
    );
    assert!(noms.iter().any(|x| x.ends_with(&attendu)), "{attendu} missing from {noms:?}");
    // The download and the print are journaled.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let imprimes: i64 = c
        .query_row("SELECT count(*) FROM journal WHERE action = 'exporter' AND ressource = 'document'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(imprimes as usize, n, "one journal row per pupil printed");
    let lu: i64 = c
        .query_row(
            "SELECT count(*) FROM journal WHERE action = 'lire' AND ressource = 'impression' AND cible = ?",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lu as usize, vus.len() + 1, "each reading of the job, and the download, is journaled");
}

/// `0350108C-Ecole-Les-Tilleuls/CE2-B/CLEMENT_Titouan_fiche-renseignements.pdf`: the UAI and
/// the school, the class, then the pupil, all ASCII.
fn nom_humain(nom: &str) -> bool {
    let parties: Vec<&str> = nom.split('/').collect();
    let ascii = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let uai = |p: &str| {
        p.len() > 9
            && p.as_bytes()[..7].iter().all(u8::is_ascii_digit)
            && p.as_bytes()[7].is_ascii_uppercase()
            && p.as_bytes()[8] == b'-'
    };
    parties.len() == 3
        && parties.iter().all(|p| ascii(p))
        && uai(parties[0])
        && parties[2].contains("_fiche-renseignements")
        && parties[2].ends_with(".pdf")
        && parties[2].matches('_').count() >= 2
}

#[tokio::test]
async fn a_merged_print_run_starts_each_pupil_on_an_odd_page() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.2").await;
    let classe = s.json_as(&d, &format!("/api/v1/ecoles/{}/classes", ecole(&s, &d).await)).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let n = s.json_as(&d, &format!("/api/v1/classes/{classe}/eleves")).await.as_array().unwrap().len();
    let body = json!({ "document": "certificat-scolarite", "classe": classe, "format": "pdf" });
    let t: Value = s.post_as(&d, "/api/v1/impressions", &body).await.json().await.unwrap();
    let id = t["id"].as_str().unwrap();
    assert_eq!(attendre(&s, &d, id).await.last().unwrap()["etat"], "termine");
    let pdf = s.get_as(&d, &format!("/api/v1/impressions/{id}/fichier")).await.bytes().await.unwrap();
    let doc = lopdf_pages(&pdf);
    assert_eq!(doc, 2 * n - 1, "one-page certificates, each followed by a blank back but the last");
    let text = pdftotext(&pdf);
    assert_eq!(text.matches("CERTIFICAT DE SCOLARITÉ").count(), n);
    assert_eq!(text.matches("Page 1 / 1").count(), n, "pages counted per pupil");
}

fn lopdf_pages(pdf: &[u8]) -> usize {
    let out = std::process::Command::new("pdfinfo")
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(pdf)?;
            c.wait_with_output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap())).expect("pdfinfo pages")
}

#[tokio::test]
async fn a_cancelled_print_run_stops_and_its_file_is_never_served() {
    let s = TestServer::start(3000).await;
    let d = s.login("directeur.2").await;
    let ecole = ecole(&s, &d).await;
    let res =
        s.post_as(&d, "/api/v1/impressions", &json!({ "document": "fiche-renseignements", "ecole": ecole })).await;
    let t: Value = res.json().await.unwrap();
    let id = t["id"].as_str().unwrap().to_string();
    // Cancelled while it runs, its partial file already begun.
    for _ in 0..2000 {
        let v = s.json_as(&d, &format!("/api/v1/impressions/{id}")).await;
        if v["fait"].as_u64().unwrap() > 0 || (v["etat"] != "en_attente" && v["etat"] != "en_cours") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let res = s.post_as(&d, &format!("/api/v1/impressions/{id}/annulation"), &json!({})).await;
    assert_eq!(res.status(), 200);
    let fin = attendre(&s, &d, &id).await.last().unwrap().clone();
    assert_eq!(fin["etat"], "annule", "{fin}");
    assert!(fin["fait"].as_u64().unwrap() < t["total"].as_u64().unwrap(), "stopped before the end: {fin}");
    let res = s.get_as(&d, &format!("/api/v1/impressions/{id}/fichier")).await;
    assert_eq!(res.status(), 409, "a cancelled job serves nothing");
    assert!(fichiers_du_dossier(&s).is_empty(), "nothing of it is kept: {:?}", fichiers_du_dossier(&s));
}

#[test]
fn a_restarted_server_serves_no_half_made_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registre.db");
    let dossier = registre::service::travaux::dossier(&db);
    std::fs::create_dir_all(&dossier).unwrap();
    std::fs::write(dossier.join("abc.partiel"), b"PK half").unwrap();
    std::fs::write(dossier.join("def.fichier"), b"PK done").unwrap();
    let _t = registre::service::travaux::Travaux::ouvrir(&db).unwrap();
    assert_eq!(std::fs::read_dir(&dossier).unwrap().count(), 0, "the folder is emptied at start-up");
}

#[tokio::test]
async fn a_print_run_belongs_to_its_author_and_stays_in_the_perimeter() {
    let s = TestServer::start(60).await;
    let d2 = s.login("directeur.2").await;
    let ecole2 = ecole(&s, &d2).await;
    let t: Value = s
        .post_as(&d2, "/api/v1/impressions", &json!({ "document": "liste-classe", "ecole": ecole2 }))
        .await
        .json()
        .await
        .unwrap();
    let id = t["id"].as_str().unwrap().to_string();
    attendre(&s, &d2, &id).await;
    let d1 = s.login("directeur.1").await;
    let avant = s.row_counts();
    for url in [format!("/api/v1/impressions/{id}"), format!("/api/v1/impressions/{id}/fichier")] {
        assert_eq!(s.get_as(&d1, &url).await.status(), 404, "{url}");
    }
    assert_eq!(s.post_as(&d1, &format!("/api/v1/impressions/{id}/annulation"), &json!({})).await.status(), 404);
    assert_eq!(s.json_as(&d1, "/api/v1/impressions").await.as_array().unwrap().len(), 0);
    // Another school's director cannot print this school, nor a circonscription.
    let res =
        s.post_as(&d1, "/api/v1/impressions", &json!({ "document": "fiche-renseignements", "ecole": ecole2 })).await;
    assert_eq!(res.status(), 404);
    let circo = s.json_as(&d2, "/api/v1/ecoles").await[0]["circonscription_id"].as_str().unwrap().to_string();
    let res = s
        .post_as(&d1, "/api/v1/impressions", &json!({ "document": "fiche-renseignements", "circonscription": circo }))
        .await;
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
    // Hostile text in a request is refused, named, and creates nothing.
    let res = s.post_as(&d1, "/api/v1/impressions", &json!({ "document": HOSTILE, "ecole": ecole2 })).await;
    assert_eq!(res.status(), 404);
    let res = s
        .post_as(&d1, "/api/v1/impressions", &json!({ "document": "liste-classe", "ecole": ecole2, "religion": "x" }))
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(s.row_counts(), avant);
    assert_eq!(s.json_as(&d1, "/api/v1/impressions").await.as_array().unwrap().len(), 0);
    // The author still gets the file; the still-valid job of another account was untouched.
    assert_eq!(s.get_as(&d2, &format!("/api/v1/impressions/{id}/fichier")).await.status(), 200);
}

#[tokio::test]
async fn an_inspector_prints_the_class_lists_of_the_whole_circonscription() {
    let s = TestServer::start(200).await;
    let ien = s.login("ien.1").await;
    let ecoles = s.json_as(&ien, "/api/v1/ecoles").await;
    let circo = ecoles[0]["circonscription_id"].as_str().unwrap().to_string();
    let mut classes = 0;
    for e in ecoles.as_array().unwrap() {
        classes += s
            .json_as(&ien, &format!("/api/v1/ecoles/{}/classes", e["id"].as_str().unwrap()))
            .await
            .as_array()
            .unwrap()
            .len();
    }
    let t: Value = s
        .post_as(&ien, "/api/v1/impressions", &json!({ "document": "liste-classe", "circonscription": circo }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["total"], classes, "{t}");
    let id = t["id"].as_str().unwrap();
    assert_eq!(attendre(&s, &ien, id).await.last().unwrap()["etat"], "termine");
    // The IEN may not print the families' fiches.
    let res = s
        .post_as(&ien, "/api/v1/impressions", &json!({ "document": "fiche-renseignements", "circonscription": circo }))
        .await;
    assert_eq!(res.status(), 403);
    // Nor everyone's relevé des données: the right of access is answered one pupil at a time.
    let res = s
        .post_as(&ien, "/api/v1/impressions", &json!({ "document": "releve-donnees", "circonscription": circo }))
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_print_run_form_of_the_pages_takes_the_same_road() {
    use crate::helpers::{csrf_de, form, post_form};
    let s = TestServer::start(60).await;
    let d2 = s.login("directeur.2").await;
    let ecole2 = ecole(&s, &d2).await;
    let d1 = s.login("directeur.1").await;
    let page = s.get_as(&d1, "/impressions").await.text().await.unwrap();
    let csrf = csrf_de(&page);
    // Another school's: refused as a French page, and nothing is queued.
    let body =
        form(&[("csrf", &csrf), ("document", "fiche-urgence"), ("ecole", &ecole2), ("retour", "/\\evil.example")]);
    let res = post_form(&s, "/impressions", Some(&d1.cookie), body).await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("introuvable") && !html.contains("evil.example"), "{html}");
    assert!(s.json_as(&d1, "/api/v1/impressions").await.as_array().unwrap().is_empty());
    // Its own school: queued, then listed on the page in French.
    let ecole1 = ecole(&s, &d1).await;
    let body = form(&[("csrf", &csrf), ("document", "fiche-urgence"), ("ecole", &ecole1), ("format", "zip")]);
    let res = post_form(&s, "/impressions", Some(&d1.cookie), body).await;
    assert_eq!(res.status(), 303);
    let t = s.json_as(&d1, "/api/v1/impressions").await[0].clone();
    attendre(&s, &d1, t["id"].as_str().unwrap()).await;
    let page = s.get_as(&d1, "/impressions").await.text().await.unwrap();
    assert!(page.contains("Fiche d&#x27;urgence") || page.contains("Fiche d'urgence"), "{page}");
    assert!(page.contains("prêt") && page.contains("Télécharger"));
}
