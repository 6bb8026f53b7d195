//! The HTTP API and pages, through a real server on a random port.

use serde_json::{Value, json};

use crate::helpers::{HOSTILE, Session, TestServer, pdf_chars, pdftotext, urlencode};

/// The first pupil of directeur.2's school (an élémentaire), with a session of that director.
async fn first_pupil(s: &TestServer) -> (Session, Value) {
    let d = s.login("directeur.2").await;
    let list = s.json_as(&d, "/api/v1/eleves?limite=1").await;
    (d, list[0].clone())
}

#[tokio::test]
async fn healthz_answers_ok() {
    let s = TestServer::start(50).await;
    let v: Value = s.client.get(s.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "ok");
}

#[tokio::test]
async fn the_api_lists_schools_classes_and_pupils() {
    let s = TestServer::start(300).await;
    let dasen = s.login("dasen.1").await;
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let ecoles = ecoles.as_array().unwrap();
    assert!(ecoles.len() >= 12);
    let kinds: std::collections::BTreeSet<&str> = ecoles.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 3, "maternelles, élémentaires and primaires: {kinds:?}");
    let ecole = &ecoles[0];
    let classes = s.json_as(&dasen, &format!("/api/v1/ecoles/{}/classes", ecole["id"].as_str().unwrap())).await;
    let classe = &classes[0];
    assert_eq!(classe["annee"], "2026-2027");
    let eleves = s.json_as(&dasen, &format!("/api/v1/classes/{}/eleves", classe["id"].as_str().unwrap())).await;
    assert_eq!(eleves.as_array().unwrap().len() as u64, classe["effectif"].as_u64().unwrap());
    let id = eleves[0]["id"].as_str().unwrap();
    let fiche = s.json_as(&dasen, &format!("/api/v1/eleves/{id}")).await;
    assert_eq!(fiche["eleve"]["id"], id);
    assert!(!fiche["responsables"].as_array().unwrap().is_empty());
    assert!(!fiche["contacts"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn some_demo_classes_hold_several_niveaux() {
    let s = TestServer::start(600).await;
    let dasen = s.login("dasen.1").await;
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let mut multi = 0;
    for e in ecoles.as_array().unwrap() {
        let classes = s.json_as(&dasen, &format!("/api/v1/ecoles/{}/classes", e["id"].as_str().unwrap())).await;
        multi += classes.as_array().unwrap().iter().filter(|c| c["niveaux"].as_array().unwrap().len() > 1).count();
    }
    assert!(multi > 0);
}

#[tokio::test]
async fn a_certificate_over_http_shows_the_pupil_the_school_and_the_year() {
    let s = TestServer::start(200).await;
    let (d, p) = first_pupil(&s).await;
    let id = p["id"].as_str().unwrap();
    let res = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/certificat-scolarite")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let pdf = res.bytes().await.unwrap();
    let text = pdftotext(&pdf);
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let ecole = s.json_as(&d, &format!("/api/v1/ecoles/{}", p["ecole_id"].as_str().unwrap())).await;
    let naissance = fiche["eleve"]["date_naissance"].as_str().unwrap(); // ISO
    let (y, rest) = naissance.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    for expected in [
        "CERTIFICAT DE SCOLARITÉ".to_string(),
        p["nom"].as_str().unwrap().to_string(),
        p["prenoms"].as_str().unwrap().to_string(),
        format!("{d}/{m}/{y}"),
        ecole["nom"].as_str().unwrap().to_string(),
        ecole["uai"].as_str().unwrap().to_string(),
        format!("au niveau {}", p["niveau"].as_str().unwrap()),
        "2026-2027".to_string(),
    ] {
        assert!(text.contains(&expected), "« {expected} » missing from:\n{text}");
    }
}

#[tokio::test]
async fn the_fiche_de_renseignements_shows_families_contacts_and_autorisations() {
    let s = TestServer::start(100).await;
    let (d, p) = first_pupil(&s).await;
    let id = p["id"].as_str().unwrap();
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements")).await.bytes().await.unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("FICHE DE RENSEIGNEMENTS"));
    for r in fiche["responsables"].as_array().unwrap() {
        assert!(text.contains(r["prenom"].as_str().unwrap()), "responsable missing");
        if let Some(tel) = r["tel_portable"].as_str() {
            assert!(text.contains(tel), "{tel} missing");
        }
    }
    for c in fiche["contacts"].as_array().unwrap() {
        assert!(text.contains(c["telephone"].as_str().unwrap()));
    }
    assert!(text.contains("Photographie de l'enfant") || text.contains("Photographie de l’enfant"));
    assert!(text.contains("Correction éventuelle"));
    assert!(text.contains("Signature du ou des responsables légaux"));
}

#[tokio::test]
async fn the_class_list_lists_every_pupil_of_the_class() {
    let s = TestServer::start(200).await;
    let d = s.login("directeur.1").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let classes = s.json_as(&d, &format!("/api/v1/ecoles/{}/classes", ecoles[0]["id"].as_str().unwrap())).await;
    let classe = classes[0]["id"].as_str().unwrap();
    let eleves = s.json_as(&d, &format!("/api/v1/classes/{classe}/eleves")).await;
    let pdf = s.get_as(&d, &format!("/api/v1/classes/{classe}/documents/liste-classe")).await.bytes().await.unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("LISTE DE CLASSE"));
    assert!(text.contains(classes[0]["libelle"].as_str().unwrap()));
    for e in eleves.as_array().unwrap() {
        assert!(text.contains(e["nom"].as_str().unwrap()), "{} missing", e["nom"]);
    }
}

#[tokio::test]
async fn a_class_prints_as_one_merged_pdf_or_a_zip_of_one_pdf_per_pupil() {
    let s = TestServer::start(150).await;
    let d = s.login("directeur.1").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let classes = s.json_as(&d, &format!("/api/v1/ecoles/{}/classes", ecoles[0]["id"].as_str().unwrap())).await;
    let classe = classes[0]["id"].as_str().unwrap();
    let n = classes[0]["effectif"].as_u64().unwrap() as usize;
    let merged =
        s.get_as(&d, &format!("/api/v1/classes/{classe}/documents/certificat-scolarite")).await.bytes().await.unwrap();
    assert_eq!(pdftotext(&merged).matches("CERTIFICAT DE SCOLARITÉ").count(), n);
    let res = s.get_as(&d, &format!("/api/v1/classes/{classe}/documents/fiche-renseignements?format=zip")).await;
    assert_eq!(res.headers()["content-type"], "application/zip");
    let zip = res.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), n);
    let mut first = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut first).unwrap();
    assert!(pdftotext(&first).contains("FICHE DE RENSEIGNEMENTS"));
}

fn admission(ecole: &str, nom: &str, prenoms: &str) -> Value {
    json!({
        "ecole_id": ecole, "niveau": "CE2",
        "eleve": { "nom": nom, "prenoms": prenoms, "sexe": "F", "date_naissance": "03/05/2018",
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
        "responsables": [{ "civilite": "Mme", "nom": "Durand", "prenom": "Anne", "lien": "mere", "tel_portable": "0612345678" }],
        "contacts": [{ "nom": "Petit", "prenom": "Jo", "telephone": "0299000000", "urgence": true }],
    })
}

/// directeur.2's school (an élémentaire) and a session of that director.
async fn elementaire(s: &TestServer) -> (Session, String) {
    let d = s.login("directeur.2").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    assert_eq!(ecoles[0]["type"], "elementaire");
    (d, ecoles[0]["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn a_hostile_name_is_stored_and_printed_exactly() {
    let s = TestServer::start(50).await;
    let (d, ecole) = elementaire(&s).await;
    let mut prenom = format!("{HOSTILE} Anne-Marie");
    while prenom.chars().count() < 120 {
        prenom.push('e');
    }
    assert_eq!(prenom.chars().count(), 120);
    let res = s.post_as(&d, "/api/v1/eleves", &admission(&ecole, HOSTILE, &prenom)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    assert_eq!(fiche["eleve"]["prenoms"], prenom.as_str());
    assert_eq!(fiche["eleve"]["nom"], HOSTILE.to_uppercase().as_str());
    for doc in ["certificat-scolarite", "fiche-renseignements"] {
        let res = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{doc}")).await;
        assert_eq!(res.status(), 200, "{doc}");
        let text = pdf_chars(&res.bytes().await.unwrap());
        // Hangul and ideographs may break at any syllable in a narrow column: compared without
        // the line breaks' spaces, every character is there, in order.
        let serre = |t: &str| t.replace(' ', "");
        assert!(serre(&text).contains(&serre(&prenom)), "{doc}: prénom not printed exactly:\n{text}");
        assert!(serre(&text).contains(&serre(&HOSTILE.to_uppercase())), "{doc}: nom not printed exactly:\n{text}");
    }
    // The page escapes it.
    let html = s.get_as(&d, &format!("/eleves/{id}")).await.text().await.unwrap();
    assert!(html.contains("&lt;b&gt;") && !html.contains("<b>"));
}

#[tokio::test]
async fn the_same_pupil_rendered_twice_gives_identical_bytes() {
    let s = TestServer::start(50).await;
    let (d, p) = first_pupil(&s).await;
    let id = p["id"].as_str().unwrap().to_string();
    for doc in ["certificat-scolarite", "fiche-renseignements"] {
        // A certificate's second print is its duplicata: the second and third are the same bytes.
        let _ = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{doc}")).await.bytes().await.unwrap();
        let a = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{doc}")).await.bytes().await.unwrap();
        let b = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{doc}")).await.bytes().await.unwrap();
        assert_eq!(a, b, "{doc} is not deterministic");
    }
}

#[tokio::test]
async fn bad_input_is_refused_in_french_and_nothing_is_written() {
    let s = TestServer::start(50).await;
    let (d, ecole) = elementaire(&s).await;
    let dasen = s.login("dasen.1").await;
    let before = s.row_counts();
    let mut bad_date = admission(&ecole, "Durand", "Léa");
    bad_date["eleve"]["date_naissance"] = json!("31/02/2018");
    let mut bad_ine = admission(&ecole, "Durand", "Léa");
    bad_ine["eleve"]["ine"] = json!("12345ABC");
    let mut bad_insee = admission(&ecole, "Durand", "Léa");
    bad_insee["eleve"]["naissance_insee"] = json!("3500");
    let mut long = admission(&ecole, "Durand", "Léa");
    long["eleve"]["nom"] = json!("A".repeat(5000));
    let mut niveau = admission(&ecole, "Durand", "Léa");
    niveau["niveau"] = json!("PS"); // an élémentaire does not admit PS
    let cases = [
        (bad_date, 422, "date impossible"),
        (bad_ine, 422, "INE"),
        (bad_insee, 422, "code INSEE"),
        (long, 422, "caractères"),
        (niveau, 422, "n'accueille pas"),
    ];
    for (body, status, words) in cases {
        let res = s.post_as(&d, "/api/v1/eleves", &body).await;
        assert_eq!(res.status(), status);
        let v: Value = res.json().await.unwrap();
        assert!(v["detail"].as_str().unwrap().contains(words), "{v}");
    }
    // A wrong UAI key, for a school.
    let circo = s.json_as(&dasen, "/api/v1/ecoles").await[0]["circonscription_id"].as_str().unwrap().to_string();
    let res = s
        .post_as(
            &dasen,
            "/api/v1/ecoles",
            &json!({ "uai": "0350760M", "nom": "École test", "type": "primaire", "commune_id": "a".repeat(20),
                     "circonscription_id": circo, "adresse": "1 rue" }),
        )
        .await;
    assert_eq!(res.status(), 422);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "invalide");
    assert!(v["detail"].as_str().unwrap().contains("lettre clé"), "{v}");
    assert_eq!(s.row_counts(), before, "a refused request wrote something");
}

#[tokio::test]
async fn malformed_requests_get_a_french_4xx() {
    let s = TestServer::start(30).await;
    let (d, p) = first_pupil(&s).await;
    let post = |body: Vec<u8>, ct: Option<&str>| {
        let mut r = s
            .client
            .post(s.url("/api/v1/eleves"))
            .header("cookie", &d.cookie)
            .header("x-csrf-token", &d.csrf)
            .body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    // Not JSON, wrong encoding, missing fields.
    let res = post(vec![0xff, 0xfe, 0x00], Some("application/json")).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("JSON"));
    let res = post(b"{}".to_vec(), None).await.unwrap();
    assert_eq!(res.status(), 415, "missing content type");
    let res = s.post_as(&d, "/api/v1/eleves", &json!({ "ecole_id": "x" })).await;
    assert_eq!(res.status(), 422);
    // The admission's road: the child is missing, and named.
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["champ"], "eleve", "{v}");
    assert!(v["detail"].as_str().unwrap().contains("donnez soit eleve_id"), "{v}");
    // Ids that cannot exist, documents that do not exist, queries that do not parse.
    for path in [
        "/api/v1/eleves/abc",
        "/api/v1/eleves/aaaaaaaaaaaaaaaaaaaa",
        "/api/v1/eleves/..%2F..%2Fetc",
        "/api/v1/classes/zzzzzzzzzzzzzzzzzzzz/documents/liste-classe",
        "/page/inexistante",
    ] {
        let res = s.get_as(&d, path).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let id = p["id"].as_str().unwrap().to_string();
    let res = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/inconnu")).await;
    assert_eq!(res.status(), 404);
    assert!(res.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("certificat-scolarite"));
    let res = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/liste-classe")).await;
    assert_eq!(res.status(), 409, "a class list for a pupil makes no sense");
    let res = s.get_as(&d, "/api/v1/eleves?limite=beaucoup").await;
    assert_eq!(res.status(), 400);
    let res = s.get_as(&d, &format!("/api/v1/eleves?q={}", "x".repeat(300))).await;
    assert_eq!(res.status(), 422);
    let res = s.get_as(&d, "/api/v1/eleves?annee=2026-2028").await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn searching_ignores_case_accents_and_hyphens() {
    let s = TestServer::start(30).await;
    let (d, ecole) = elementaire(&s).await;
    let res = s.post_as(&d, "/api/v1/eleves", &admission(&ecole, "Martin-Durand", "Élodie")).await;
    assert_eq!(res.status(), 201);
    let found = s.json_as(&d, "/api/v1/eleves?q=elodie%20martin%20durand").await;
    assert!(found.as_array().unwrap().iter().any(|e| e["nom"] == "MARTIN-DURAND" && e["prenoms"] == "Élodie"));
}

/// The search rule (README « Rechercher un élève »): each word typed begins a word of the
/// pupil's noms or prénoms, in any order, case, accents, hyphens and apostrophes ignored; the
/// index follows every correction; nobody finds a pupil outside their perimeter.
#[tokio::test]
async fn searching_finds_the_start_of_names_and_never_outside_the_perimeter() {
    let s = TestServer::start(30).await;
    let (d, ecole) = elementaire(&s).await;
    let res = s
        .post_as(
            &d,
            "/api/v1/eleves",
            &admission(&ecole, "de La Quilliec-Saint-Kervella", "Marie-Bernadette Joséphine"),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let trouve = |v: &Value| v.as_array().unwrap().iter().any(|e| e["id"] == id.as_str());
    for q in ["quilliec", "QUIL", "saint kerv", "jos mar", "Joséphine", "josephine", "marie-bern", "d'la", "la quil"] {
        let v = s.json_as(&d, &format!("/api/v1/eleves?q={}", urlencode(q))).await;
        assert!(trouve(&v), "{q}");
    }
    // The middle of a word is not its start; every word must be found.
    for q in ["illiec", "ephine", "quilliec zoe", "bernadettex"] {
        let v = s.json_as(&d, &format!("/api/v1/eleves?q={}", urlencode(q))).await;
        assert!(!trouve(&v), "{q}");
    }
    // A correction of the name moves the pupil in the index, at once.
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let mut identite = json!({ "nom": "Kerhervé", "prenoms": "Marie-Bernadette Joséphine", "sexe": "F",
        "date_naissance": "03/05/2018", "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    identite["date_naissance"] = fiche["eleve"]["date_naissance"].clone();
    let r = s.put_as(&d, &format!("/api/v1/eleves/{id}/identite"), &identite).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert!(trouve(&s.json_as(&d, "/api/v1/eleves?q=kerherve").await));
    assert!(!trouve(&s.json_as(&d, "/api/v1/eleves?q=quilliec").await));
    // The old name's words are gone from the index itself.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.execute_batch("CREATE VIRTUAL TABLE temp.mots USING fts5vocab(main, eleve_recherche, row)").unwrap();
    let restes: i64 =
        c.query_row("SELECT count(*) FROM temp.mots WHERE term IN ('quilliec', 'kervella')", [], |r| r.get(0)).unwrap();
    assert_eq!(restes, 0, "the index still holds the old name");
    drop(c);
    // An IEN finds the pupil only in their own circonscription, an IA-DASEN in their
    // département (the search then starts from the words' index); another school's director
    // never.
    let mut vu_par_ien = 0;
    let mut dasen = 0;
    for k in s
        .comptes
        .iter()
        .filter(|k| k.role == "ien" || k.role == "ia_dasen" || (k.role == "directeur" && k.login != "directeur.2"))
    {
        let sess = s.login(&k.login.clone()).await;
        let ecoles = s.json_as(&sess, "/api/v1/ecoles").await;
        let dedans = ecoles.as_array().unwrap().iter().any(|e| e["id"] == ecole.as_str());
        let v = s.json_as(&sess, "/api/v1/eleves?q=kerh%20jos").await;
        assert_eq!(trouve(&v), dedans, "{}", k.login);
        vu_par_ien += usize::from(dedans && k.role == "ien");
        if k.role == "ia_dasen" {
            dasen += 1;
            assert!(!trouve(&s.json_as(&sess, "/api/v1/eleves?q=illiec").await), "{}", k.login);
        }
    }
    assert_eq!(vu_par_ien, 1, "one IEN holds the school's circonscription");
    assert!(dasen > 0);
}

#[tokio::test]
async fn a_new_pupil_without_ine_gets_one_from_the_departement_sequence() {
    let s = TestServer::start(30).await;
    let (d, ecole) = elementaire(&s).await;
    let res = s.post_as(&d, "/api/v1/eleves", &admission(&ecole, "Nouveau", "Léon")).await;
    let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let ine = fiche["eleve"]["ine"].as_str().unwrap();
    assert!(ine.starts_with("26035"), "{ine}");
    let (_, warning) = registre::domain::Ine::parse(ine).unwrap();
    assert_eq!(warning, None, "an assigned INE has the right key");
}

#[tokio::test]
async fn pages_are_french_and_carry_the_security_headers() {
    let s = TestServer::start(60).await;
    let (d, p) = first_pupil(&s).await;
    let res = s.get_as(&d, "/").await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let html = res.text().await.unwrap();
    assert!(html.contains("lang=\"fr\"") && html.contains("À faire"));
    let html = s.get_as(&d, &format!("/eleves/{}", p["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(html.contains("Responsables légaux") && html.contains(p["prenoms"].as_str().unwrap()));
    let html = s.get_as(&d, "/eleves?q=a").await.text().await.unwrap();
    assert!(html.contains("au moins deux lettres"));
    let res = s.get_as(&d, "/nimporte/quoi").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page introuvable"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let s = TestServer::start(20).await;
    let doc: Value = s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/ecoles",
        "/api/v1/eleves",
        "/api/v1/eleves/{id}",
        "/api/v1/eleves/{id}/documents/{document}",
        "/api/v1/inscriptions",
        "/api/v1/admissions",
        "/api/v1/eleves/{id}/radiation",
        "/api/v1/rentree",
        "/api/v1/verification/{code}",
        "/api/v1/parametres",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    // Every schema referenced is described.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20, "{all:?}");
    for r in all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
        assert!(doc["components"]["schemas"].get(name).is_some(), "{r} is not described");
    }
    let inscription = doc["components"]["schemas"]["DemandeInscription"].to_string();
    assert!(inscription.contains("EnfantSaisi") || inscription.contains("eleve_id"), "{inscription}");
}

#[tokio::test]
async fn every_operation_of_the_openapi_document_has_a_french_summary() {
    let s = crate::helpers::TestServer::start(20).await;
    let doc: serde_json::Value =
        s.client.get(s.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut n = 0;
    for (chemin, ops) in doc["paths"].as_object().unwrap() {
        for (methode, op) in ops.as_object().unwrap() {
            n += 1;
            let r = op["summary"].as_str().unwrap_or_default();
            assert!(!r.is_empty() && !r.contains("résumé manquant"), "{methode} {chemin}: {r}");
            for anglais in [" the ", " of ", "The ", " a pupil"] {
                assert!(!r.contains(anglais), "{methode} {chemin} in English: {r}");
            }
            assert!(op.get("description").is_none(), "{methode} {chemin}: an English description");
        }
    }
    assert!(n >= 80, "{n} operations");
}

#[test]
fn every_description_of_the_openapi_document_is_in_french() {
    // The types' doc comments are English (code); the document takes each schema's, each
    // property's and each query parameter's description from `descriptions.json`. A type or
    // a field added without its French description fails here.
    let doc = registre::http::contrat();
    let fr: Value = serde_json::from_str(include_str!("../../src/http/api/descriptions.json")).unwrap();
    let mut manquantes = Vec::new();
    for (nom, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(d) = schema["description"].as_str()
            && fr["schemas"][nom.as_str()].as_str() != Some(d)
        {
            manquantes.push(format!("{nom}: {d}"));
        }
        for (champ, prop) in schema["properties"].as_object().into_iter().flatten() {
            let cle = format!("{nom}.{champ}");
            let anglaise = prop["description"].as_str().is_some_and(|d| fr["schemas"][&cle].as_str() != Some(d))
                || prop["oneOf"].as_array().into_iter().flatten().any(|o| o.get("description").is_some());
            if anglaise {
                manquantes.push(cle);
            }
        }
    }
    let parametres: Vec<&str> = fr["parametres"].as_object().unwrap().values().filter_map(Value::as_str).collect();
    for (chemin, item) in doc["paths"].as_object().unwrap() {
        for op in item.as_object().unwrap().values() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "query" && !parametres.contains(&p["description"].as_str().unwrap_or("")) {
                    manquantes.push(format!("{chemin} ?{}", p["name"]));
                }
            }
        }
    }
    assert!(manquantes.is_empty(), "descriptions without their French one:\n{}", manquantes.join("\n"));
}
