//! The transfer dossier, issued at radiation in one installation and imported at
//! admission in another: signature and hashes checked (one byte changed is refused), the key of
//! an unknown département refused, the INE and the schooling kept, the perimeter and hostile
//! text like every route.

use std::io::{Read, Write};
use std::path::Path;

use serde_json::{Value, json};

use crate::helpers::{HOSTILE, Session, TestServer, pdftotext, registre};

const CLOCK: &str = "2026-11-29T09:30:00Z";

fn run(args: &[&str], db: &Path) -> std::process::Output {
    registre().args(args).arg("--db").arg(db).env("REGISTRE_HORLOGE", CLOCK).output().unwrap()
}

fn ok(args: &[&str], db: &Path) -> String {
    let out = run(args, db);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refuse(args: &[&str], db: &Path) -> String {
    let out = run(args, db);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

/// Admits a child with a hostile address in directeur.2's school, then radiates it.
async fn radier_un_eleve(s: &TestServer, d: &Session) -> String {
    let ecoles = s.json_as(d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    let niveau = classes[0]["niveaux"][0].as_str().unwrap();
    let body = json!({
        "ecole_id": ecole, "niveau": niveau, "confirmer_nouveau": true,
        "eleve": { "nom": "Transféré", "prenoms": "Lou Anne", "sexe": "F", "date_naissance": "03/05/2019",
                   "naissance_insee": "35238", "naissance_lieu": "Rennes",
                   "adresse": HOSTILE, "code_postal": "35000", "commune_residence": "Rennes" },
        "responsables": [
            { "civilite": "Mme", "nom": "Transféré", "prenom": "Anne", "lien": "mere", "tel_portable": "06 12 34 56 78" },
            { "civilite": "M.", "nom": "Autre", "prenom": "Paul", "lien": "pere", "tel_portable": "06 98 76 54 32" }
        ],
        "contacts": [{ "nom": "Petit", "prenom": "Jo", "telephone": "07 11 22 33 44", "urgence": true }],
    });
    let res = s.post_as(d, "/api/v1/eleves", &body).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = s
        .post_as(
            d,
            &format!("/api/v1/eleves/{id}/radiation"),
            &json!({ "motif": "demenagement", "date": "29/11/2026", "destination": "une école de Lyon" }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    id
}

fn pieces(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn rezip(pieces: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (n, b) in pieces {
        z.start_file(n.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A second installation: a demo with every pupil and family wiped.
fn autre_installation(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("b.db");
    ok(&["demo", "--pupils", "100", "--seed", "4"], &db);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM affectation_college; DELETE FROM contact; DELETE FROM eleve_annuel; DELETE FROM eleve_responsable;
         DELETE FROM scolarite; DELETE FROM eleve; DELETE FROM session; DELETE FROM compte WHERE role = 'responsable';
         DELETE FROM responsable;",
    )
    .unwrap();
    let uai: String = c
        .query_row("SELECT uai FROM ecole WHERE type IN ('elementaire', 'primaire') ORDER BY uai LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    (db, uai)
}

#[tokio::test]
async fn a_dossier_carries_the_pupil_to_another_installation_and_one_byte_changed_is_refused() {
    let s = TestServer::start(200).await;
    let d = s.login("directeur.2").await;
    let id = radier_un_eleve(&s, &d).await;
    let res = s.get_as(&d, &format!("/api/v1/eleves/{id}/dossier-transfert")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let zip = res.bytes().await.unwrap().to_vec();
    let p = pieces(&zip);
    let noms: Vec<&str> = p.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(noms, vec!["dossier.json", "certificat-radiation.pdf", "MANIFESTE", "SIGNATURE.json"]);
    let dossier: Value = serde_json::from_slice(&p[0].1).unwrap();
    assert_eq!(dossier["format"], "registre/dossier-transfert");
    assert_eq!(dossier["version"], 1);
    let ine = dossier["eleve"]["ine"].as_str().unwrap().to_string();
    assert!(pdftotext(&p[1].1).contains("CERTIFICAT DE RADIATION"));
    assert!(dossier.get("annuel").is_none(), "the yearly answers end with the year: not carried");

    let dir = tempfile::tempdir().unwrap();
    let (b, uai) = autre_installation(dir.path());
    let fichier = dir.path().join("dossier.zip");
    std::fs::write(&fichier, &zip).unwrap();
    let f = fichier.to_str().unwrap();

    // Unknown département: refused until the operator recognises its key.
    let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(err.contains("ne reconnaît pas"), "{err}");
    let cle = ok(&["admin", "cle-publique"], &s.db);
    // Recognised for another département only: still refused.
    let autre = cle.lines().find(|l| l.starts_with("022 ")).unwrap();
    std::fs::write(registre::service::dossier::chemin_cles_reconnues(&b), format!("{autre}\n")).unwrap();
    let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(err.contains("ne reconnaît pas"), "{err}");
    let ligne = cle.lines().find(|l| l.starts_with("035 ")).unwrap();
    std::fs::write(registre::service::dossier::chemin_cles_reconnues(&b), format!("# Ille-et-Vilaine\n{ligne}\n"))
        .unwrap();

    // One byte changed anywhere in the archive: refused, in French, nothing written.
    let avant: i64 =
        rusqlite::Connection::open(&b).unwrap().query_row("SELECT count(*) FROM eleve", [], |r| r.get(0)).unwrap();
    for i in (0..zip.len()).step_by(zip.len() / 23 + 1).chain([zip.len() / 2, zip.len() - 30]) {
        let mut altere = zip.clone();
        altere[i] ^= 0x01;
        std::fs::write(&fichier, &altere).unwrap();
        let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
        assert!(err.contains("dossier"), "byte {i}: {err}");
    }
    // A value changed inside dossier.json, the archive rebuilt sound: the hash gives it away.
    let mut falsifie = p.clone();
    falsifie[0].1 = String::from_utf8(p[0].1.clone()).unwrap().replace("Lou Anne", "Lou Anna").into_bytes();
    std::fs::write(&fichier, rezip(&falsifie)).unwrap();
    let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(err.contains("modifiée après sa délivrance"), "{err}");
    // Re-signed with another key (the MANIFESTE redone, the signature kept): refused.
    let mut resigne = falsifie.clone();
    let manifeste = format!(
        "registre/dossier-transfert 1\n{}  dossier.json\n{}  certificat-radiation.pdf\n",
        registre::config::hex(&<sha2::Sha256 as sha2::Digest>::digest(&falsifie[0].1)),
        registre::config::hex(&<sha2::Sha256 as sha2::Digest>::digest(&falsifie[1].1))
    );
    resigne[2].1 = manifeste.into_bytes();
    std::fs::write(&fichier, rezip(&resigne)).unwrap();
    let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(err.contains("signature invalide"), "{err}");
    let apres: i64 =
        rusqlite::Connection::open(&b).unwrap().query_row("SELECT count(*) FROM eleve", [], |r| r.get(0)).unwrap();
    assert_eq!(avant, apres);

    // The genuine dossier: admitted with its INE, its family and its schooling.
    std::fs::write(&fichier, &zip).unwrap();
    let out = ok(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(out.contains("Élève admis"), "{out}");
    let c = rusqlite::Connection::open(&b).unwrap();
    let (eid, nom, adresse): (String, String, String) = c
        .query_row("SELECT id, nom, adresse FROM eleve WHERE ine = ?", [&ine], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(nom, "TRANSFÉRÉ");
    assert!(adresse.contains("#exit()"), "hostile text kept literally: {adresse}");
    let n: i64 =
        c.query_row("SELECT count(*) FROM eleve_responsable WHERE eleve_id = ?", [&eid], |r| r.get(0)).unwrap();
    assert_eq!(n, 2);
    let n: i64 = c.query_row("SELECT count(*) FROM contact WHERE eleve_id = ?", [&eid], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    let (annee, etat): (i64, String) = c
        .query_row("SELECT annee, etat FROM scolarite_anterieure WHERE eleve_id = ?", [&eid], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((annee, etat.as_str()), (2026, "radie"));
    let (precedente, le): (String, String) = c
        .query_row(
            "SELECT ecole_precedente, radiation_precedente FROM scolarite WHERE eleve_id = ? AND etat LIKE 'admis%'",
            [&eid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(precedente.contains("département 035"), "{precedente}");
    assert_eq!(le, "2026-11-29");
    drop(c);
    let check = ok(&["check"], &b);
    assert!(check.contains("Base saine"), "{check}");
    // The fiche de renseignements prints the hostile address literally.
    let pdf = dir.path().join("fiche.pdf");
    ok(&["render", "fiche-renseignements", "--eleve", &eid, "-o", pdf.to_str().unwrap()], &b);
    let t = pdftotext(&std::fs::read(&pdf).unwrap());
    assert!(t.contains("#exit() $x$ *gras*"), "{t}");
    // The same dossier again: the pupil is already admitted here.
    let err = refuse(&["import", "dossier", "--ecole", &uai, "--niveau", "CE1", f], &b);
    assert!(err.contains("déjà"), "{err}");
}

#[tokio::test]
async fn a_dossier_is_issued_only_for_a_pupil_radiated_from_the_actor_s_school() {
    let s = TestServer::start(200).await;
    let d = s.login("directeur.2").await;
    let id = radier_un_eleve(&s, &d).await;
    // Another school's director, an inspector, a mairie: nothing.
    for login in ["directeur.1", "ien.1", "mairie.1", "parent.1"] {
        let a = s.login(login).await;
        let res = s.get_as(&a, &format!("/api/v1/eleves/{id}/dossier-transfert")).await;
        assert!(matches!(res.status().as_u16(), 403 | 404), "{login}: {}", res.status());
        let corps = res.text().await.unwrap();
        assert!(!corps.contains("PK"), "{login}");
    }
    // A pupil still attending: no dossier.
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap();
    let eleves = s.json_as(&d, &format!("/api/v1/eleves?ecole={ecole}")).await;
    let present = eleves[0]["id"].as_str().unwrap();
    let res = s.get_as(&d, &format!("/api/v1/eleves/{present}/dossier-transfert")).await;
    assert_eq!(res.status(), 404);
    // The import route: another school's director gets 404 and nothing changes.
    let zip = s.get_as(&d, &format!("/api/v1/eleves/{id}/dossier-transfert")).await.bytes().await.unwrap().to_vec();
    let d1 = s.login("directeur.1").await;
    let avant = s.row_counts();
    let form = reqwest::multipart::Form::new()
        .part("fichier", reqwest::multipart::Part::bytes(zip.clone()).file_name("d.zip"))
        .text("confirmer_nouveau", "true");
    let res = s
        .client
        .post(s.url(&format!("/api/v1/ecoles/{ecole}/import/dossier")))
        .header("cookie", &d1.cookie)
        .header("x-csrf-token", &d1.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(s.row_counts(), avant);
    // In its own installation, the radiated pupil comes back to the school with its dossier.
    let form = reqwest::multipart::Form::new().part("fichier", reqwest::multipart::Part::bytes(zip).file_name("d.zip"));
    let res = s
        .client
        .post(s.url(&format!("/api/v1/ecoles/{ecole}/import/dossier")))
        .header("cookie", &d.cookie)
        .header("x-csrf-token", &d.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let r: Value = res.json().await.unwrap_or_default();
    let _ = r;
}
