//! The audit journal: what is written, that it fails closed, and that tampering is found.

use serde_json::{Value, json};

use crate::helpers::{Session, TestServer, registre};

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

/// The `GET` routes of the router: the API's, from the OpenAPI document the router is built
/// with (`registre::http::contrat`), and each `.route("PATH", get(…))` of its one table
/// (`src/http/routes.rs`): the pages, the health check and the document itself.
fn routes_get() -> Vec<String> {
    let chemin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/routes.rs");
    // One line per route once the white space is folded (rustfmt may break a long one).
    let texte: String = std::fs::read_to_string(&chemin)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(", )", ")");
    let contrat = registre::http::contrat();
    let mut routes: Vec<String> = contrat["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(chemin, _)| chemin.clone())
        .collect();
    assert!(routes.iter().all(|r| r.starts_with("/api/v1/")), "{routes:?}");
    for (i, _) in texte.match_indices(".route(") {
        let reste = &texte[i + 7..];
        // Every route is declared with its path written out: none escapes the reading.
        assert!(reste.starts_with('"'), "a route without a literal path: {}", &reste[..60.min(reste.len())]);
        let chemin_route = &reste[1..1 + reste[1..].find('"').unwrap()];
        let methodes = &reste[..reste.find(".route(").unwrap_or(reste.len())];
        if methodes.contains("get(") {
            routes.push(chemin_route.to_string());
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

#[test]
fn every_get_route_of_the_router_is_classified_by_the_journal_s_rule() {
    let routes = routes_get();
    assert!(routes.len() > 60, "{routes:?}");
    let manquantes: Vec<&String> = routes.iter().filter(|r| registre::http::lectures::lecture(r).is_none()).collect();
    assert!(manquantes.is_empty(), "GET routes without a journal rule (src/http/lectures.rs): {manquantes:?}");
    let en_trop: Vec<&str> =
        registre::http::lectures::LECTURES.iter().map(|(r, _)| *r).filter(|r| !routes.iter().any(|x| x == r)).collect();
    assert!(en_trop.is_empty(), "rules for routes the router no longer has: {en_trop:?}");
}

/// Every `GET` route, called as a user who may read it: the journaled ones add a row, the
/// others none (the rule of `src/http/lectures.rs`).
#[tokio::test]
async fn every_get_route_follows_the_journal_s_rule() {
    use registre::http::lectures::{Lecture, lecture};
    let s = TestServer::start(80).await;
    let d = s.login("directeur.1").await;
    let ien = s.login("ien.1").await;
    let dasen = s.login("dasen.1").await;
    let mairie = s.login("mairie.1").await;
    let stat = s.login("statisticien.1").await;
    let parent = s.login("parent.1").await;
    let compter = || -> i64 {
        rusqlite::Connection::open(&s.db).unwrap().query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
    };
    // What the routes need: a pupil, a class, a school, an inscription, a radiated pupil, an
    // import, a print run, a release, a certificate's code, a family's request.
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let classe = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await[0]["id"].as_str().unwrap().to_string();
    let eleves = s.json_as(&d, "/api/v1/eleves").await;
    let eleve = eleves[0]["id"].as_str().unwrap().to_string();
    let radie = eleves[1]["id"].as_str().unwrap().to_string();
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{radie}/radiation"),
            &json!({ "motif": "demenagement", "date": "29/11/2026" }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let enfant = json!({ "nom": "LECTURE", "prenoms": "Lou", "sexe": "F", "date_naissance": "12/03/2020",
                         "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    let r =
        s.post_as(&mairie, "/api/v1/inscriptions", &json!({ "eleve": enfant, "niveau": "CE1", "mode": "cned" })).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let inscription = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let r = s.post_as(&mairie, &format!("/api/v1/inscriptions/{inscription}/validation"), &json!({})).await;
    assert_eq!(r.status(), 200);
    let ecole_mairie = s.json_as(&mairie, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let enfant = json!({ "nom": "LECTUREB", "prenoms": "Zoé", "sexe": "F", "date_naissance": "12/03/2020",
                         "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    let r = s
        .post_as(&mairie, "/api/v1/inscriptions", &json!({ "eleve": enfant, "niveau": "GS", "ecole_id": ecole_mairie }))
        .await;
    let a_admettre = r.json::<Value>().await.unwrap()["id"].as_str().map(str::to_string);
    let cert = s.get_as(&d, &format!("/api/v1/eleves/{eleve}/documents/certificat-scolarite")).await;
    let texte = crate::helpers::pdftotext(&cert.bytes().await.unwrap());
    let code = texte.split("Code de vérification : ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    let t = s.post_as(&d, "/api/v1/impressions", &json!({ "document": "liste-classe", "classe": classe })).await;
    let impression = t.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let csv = "Nom élève;Prénom élève;Date naissance;Sexe;Niveau\nLECTUREC;Léa;01/02/2019;F;CE1\n";
    let form = reqwest::multipart::Form::new()
        .part("fichier", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("e.csv"));
    let r = s
        .client
        .post(s.url(&format!("/api/v1/ecoles/{ecole}/import/onde")))
        .header("cookie", &d.cookie)
        .header("x-csrf-token", &d.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let import = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let r = s.post_as(&dasen, "/api/v1/publications", &json!({})).await;
    assert_eq!(r.status(), 201);
    let publication = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let enfant_parent = s.json_as(&parent, "/api/v1/eleves").await[0]["id"].as_str().unwrap().to_string();
    let r = s
        .post_as(&parent, &format!("/api/v1/eleves/{enfant_parent}/oppositions"), &json!({ "motifs": "raisons" }))
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = s
        .post_as(
            &parent,
            &format!("/api/v1/eleves/{enfant_parent}/rectifications"),
            &json!({ "champ": "eleve.adresse", "valeur": "3 rue Neuve" }),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    // Both jobs over before their reads are measured.
    let mut finis = false;
    for _ in 0..1500 {
        let i = s.json_as(&d, &format!("/api/v1/imports/{import}")).await;
        let p = s.json_as(&d, &format!("/api/v1/impressions/{impression}")).await;
        if i["etat"] == "termine" && p["etat"] == "termine" {
            finis = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(finis, "the import and the print run are over");

    let cas: Vec<(&str, Option<&Session>, String)> = vec![
        ("/healthz", None, "/healthz".into()),
        ("/readyz", None, "/readyz".into()),
        ("/metrics", None, "/metrics".into()),
        ("/api/v1/openapi.json", None, "/api/v1/openapi.json".into()),
        ("/api/v1/moi", Some(&d), "/api/v1/moi".into()),
        ("/api/v1/parametres", Some(&dasen), "/api/v1/parametres".into()),
        ("/api/v1/ecoles", Some(&d), "/api/v1/ecoles".into()),
        ("/api/v1/ecoles/{id}", Some(&d), format!("/api/v1/ecoles/{ecole}")),
        ("/api/v1/statistiques/effectifs", Some(&ien), "/api/v1/statistiques/effectifs".into()),
        ("/api/v1/ecoles/{id}/classes", Some(&d), format!("/api/v1/ecoles/{ecole}/classes")),
        (
            "/api/v1/ecoles/{id}/documents/{document}",
            Some(&d),
            format!("/api/v1/ecoles/{ecole}/documents/registre-eleves"),
        ),
        ("/api/v1/ecoles/{id}/non-repartis", Some(&d), format!("/api/v1/ecoles/{ecole}/non-repartis")),
        ("/api/v1/ecoles/{id}/export/onde", Some(&d), format!("/api/v1/ecoles/{ecole}/export/onde")),
        ("/api/v1/ecoles/{id}/constat", Some(&d), format!("/api/v1/ecoles/{ecole}/constat")),
        ("/api/v1/ecoles/{id}/prevision", Some(&d), format!("/api/v1/ecoles/{ecole}/prevision")),
        ("/api/v1/classes/{id}", Some(&d), format!("/api/v1/classes/{classe}")),
        ("/api/v1/classes/{id}/eleves", Some(&d), format!("/api/v1/classes/{classe}/eleves")),
        (
            "/api/v1/classes/{id}/documents/{document}",
            Some(&d),
            format!("/api/v1/classes/{classe}/documents/liste-classe"),
        ),
        ("/api/v1/eleves", Some(&d), "/api/v1/eleves".into()),
        ("/api/v1/eleves/{id}", Some(&d), format!("/api/v1/eleves/{eleve}")),
        (
            "/api/v1/eleves/{id}/documents/{document}",
            Some(&d),
            format!("/api/v1/eleves/{eleve}/documents/fiche-urgence"),
        ),
        ("/api/v1/eleves/{id}/consultations", Some(&parent), format!("/api/v1/eleves/{enfant_parent}/consultations")),
        ("/api/v1/eleves/{id}/rectifications", Some(&parent), format!("/api/v1/eleves/{enfant_parent}/rectifications")),
        ("/api/v1/eleves/{id}/oppositions", Some(&parent), format!("/api/v1/eleves/{enfant_parent}/oppositions")),
        ("/api/v1/eleves/{id}/passage", Some(&d), format!("/api/v1/eleves/{eleve}/passage")),
        ("/api/v1/eleves/{id}/dossier-transfert", Some(&d), format!("/api/v1/eleves/{radie}/dossier-transfert")),
        ("/api/v1/rectifications", Some(&dasen), "/api/v1/rectifications".into()),
        ("/api/v1/oppositions", Some(&dasen), "/api/v1/oppositions".into()),
        ("/api/v1/comptes", Some(&dasen), "/api/v1/comptes".into()),
        ("/api/v1/inscriptions", Some(&mairie), "/api/v1/inscriptions".into()),
        ("/api/v1/inscriptions/{id}", Some(&mairie), format!("/api/v1/inscriptions/{inscription}")),
        (
            "/api/v1/inscriptions/{id}/documents/{document}",
            Some(&mairie),
            format!("/api/v1/inscriptions/{inscription}/documents/certificat-inscription"),
        ),
        ("/api/v1/verification/{code}", None, format!("/api/v1/verification/{code}")),
        ("/api/v1/constat", Some(&ien), "/api/v1/constat".into()),
        ("/api/v1/prevision", Some(&ien), "/api/v1/prevision".into()),
        ("/api/v1/publications", Some(&stat), "/api/v1/publications".into()),
        (
            "/api/v1/publications/{id}/{fichier}",
            Some(&stat),
            format!("/api/v1/publications/{publication}/effectifs.csv"),
        ),
        ("/api/v1/impressions", Some(&d), "/api/v1/impressions".into()),
        ("/api/v1/impressions/{id}", Some(&d), format!("/api/v1/impressions/{impression}")),
        ("/api/v1/impressions/{id}/fichier", Some(&d), format!("/api/v1/impressions/{impression}/fichier")),
        ("/api/v1/imports", Some(&d), "/api/v1/imports".into()),
        ("/api/v1/imports/{id}", Some(&d), format!("/api/v1/imports/{import}")),
        ("/api/v1/imports/{id}/rapport", Some(&d), format!("/api/v1/imports/{import}/rapport")),
        ("/", Some(&d), "/".into()),
        ("/static/registre.css", None, "/static/registre.css".into()),
        ("/connexion", None, "/connexion".into()),
        ("/activer", None, "/activer".into()),
        ("/connexion/oidc/{nom}", None, "/connexion/oidc/academie".into()),
        ("/connexion/oidc/retour", None, "/connexion/oidc/retour?state=inconnu&code=x".into()),
        ("/connexion/oidc/code", None, "/connexion/oidc/code".into()),
        ("/deconnexion/fin", None, "/deconnexion/fin?fournisseur=academie".into()),
        ("/compte/identite/{nom}", Some(&d), "/compte/identite/academie".into()),
        ("/reinitialiser", None, "/reinitialiser".into()),
        ("/mot-de-passe-oublie", None, "/mot-de-passe-oublie".into()),
        ("/compte", Some(&d), "/compte".into()),
        ("/compte/second-facteur", Some(&d), "/compte/second-facteur".into()),
        ("/verifier", None, "/verifier".into()),
        ("/verifier/{code}", None, format!("/verifier/{code}")),
        ("/statistiques", Some(&ien), "/statistiques".into()),
        ("/ecoles/{id}", Some(&d), format!("/ecoles/{ecole}")),
        ("/ecoles/{id}/admission", Some(&d), format!("/ecoles/{ecole}/admission")),
        ("/ecoles/{id}/echanges", Some(&d), format!("/ecoles/{ecole}/echanges")),
        ("/ecoles/{id}/echanges/import", Some(&d), format!("/ecoles/{ecole}/echanges/import")),
        ("/ecoles/{id}/echanges/dossier", Some(&d), format!("/ecoles/{ecole}/echanges/dossier")),
        ("/ecoles/{id}/echanges/export", Some(&d), format!("/ecoles/{ecole}/echanges/export")),
        ("/ecoles/{id}/constat", Some(&d), format!("/ecoles/{ecole}/constat")),
        ("/ecoles/{id}/prevision", Some(&d), format!("/ecoles/{ecole}/prevision")),
        ("/classes/{id}", Some(&d), format!("/classes/{classe}")),
        ("/eleves", Some(&d), "/eleves?q=ma".into()),
        ("/eleves/{id}", Some(&d), format!("/eleves/{eleve}")),
        ("/eleves/{id}/fiche", Some(&d), format!("/eleves/{eleve}/fiche")),
        ("/eleves/{id}/verification-annuelle", Some(&parent), format!("/eleves/{enfant_parent}/verification-annuelle")),
        ("/ecoles/{id}/verification-annuelle", Some(&d), format!("/ecoles/{ecole}/verification-annuelle")),
        ("/verification-annuelle", Some(&dasen), "/verification-annuelle".into()),
        (
            "/api/v1/eleves/{id}/verification-annuelle",
            Some(&parent),
            format!("/api/v1/eleves/{enfant_parent}/verification-annuelle"),
        ),
        (
            "/api/v1/ecoles/{id}/verification-annuelle",
            Some(&d),
            format!("/api/v1/ecoles/{ecole}/verification-annuelle"),
        ),
        ("/eleves/{id}/dossier-transfert", Some(&d), format!("/eleves/{radie}/dossier-transfert")),
        ("/comptes", Some(&dasen), "/comptes".into()),
        ("/oppositions", Some(&dasen), "/oppositions".into()),
        ("/inscriptions", Some(&mairie), "/inscriptions".into()),
        ("/inscriptions/nouvelle", Some(&mairie), "/inscriptions/nouvelle".into()),
        (
            "/inscriptions/{id}/admission",
            Some(&d),
            format!("/inscriptions/{}/admission", a_admettre.as_deref().unwrap_or(&inscription)),
        ),
        ("/rentree", Some(&dasen), "/rentree".into()),
        ("/constat", Some(&ien), "/constat".into()),
        ("/prevision", Some(&ien), "/prevision".into()),
        ("/publications", Some(&dasen), "/publications".into()),
        ("/impressions", Some(&d), "/impressions".into()),
        ("/imports/{id}", Some(&d), format!("/imports/{import}")),
        ("/imports/{id}/annuler", Some(&d), format!("/imports/{import}/annuler")),
    ];
    // An identity provider set, so that the sign-in's start has somewhere to go.
    let fournisseur = crate::oidc::Fournisseur::demarrer(&s, vec![]);
    crate::oidc::regler(&s, "academie", "personnels", &fournisseur.emetteur, &["directeur"], serde_json::json!({}));
    let couvertes: std::collections::BTreeSet<&str> = cas.iter().map(|(r, _, _)| *r).collect();
    let manquantes: Vec<String> = routes_get().into_iter().filter(|r| !couvertes.contains(r.as_str())).collect();
    assert!(manquantes.is_empty(), "GET routes this test does not call: {manquantes:?}");
    let mut fautes = Vec::new();
    for (route, qui, adresse) in &cas {
        let regle = lecture(route).unwrap_or_else(|| panic!("{route} has no rule"));
        let avant = compter();
        let mut req = s.client.get(s.url(adresse));
        if let Some(q) = qui {
            req = req.header("cookie", &q.cookie);
        }
        let res = req.send().await.unwrap();
        let statut = res.status();
        let _ = res.bytes().await;
        let ajout = compter() - avant;
        // Without a sign-in under way, the provider's return and the code step refuse (their
        // journeys, which open sessions journaled as connexions, are in tests/it/oidc.rs).
        let refus_attendu = matches!(*route, "/connexion/oidc/retour" | "/connexion/oidc/code") && statut == 400;
        if !(statut.is_success() || statut.is_redirection() || refus_attendu) {
            fautes.push(format!("{route} ({adresse}): {statut}"));
            continue;
        }
        match (regle, ajout) {
            (Lecture::Journalisee, 0) => fautes.push(format!("{route}: shows data, journals nothing")),
            (Lecture::Libre(_), n) if n > 0 => fautes.push(format!("{route}: classified free, journals {n} row(s)")),
            _ => {}
        }
    }
    assert!(fautes.is_empty(), "routes that break the journal's rule:\n{}", fautes.join("\n"));
}
