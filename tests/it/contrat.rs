//! HTTP as clients expect it: HEAD without effects, compression, revalidation of the
//! stylesheet, totals and bounds of lists, problem details, download names, workbooks an office
//! worker can sort. The OpenAPI document itself is tried by outside tools (`scripts/contrat`).

use serde_json::Value;

use crate::helpers::*;

fn compter(s: &TestServer, table: &str) -> i64 {
    rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn head_writes_nothing_on_any_route_and_is_refused_where_a_get_would_write() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let classe = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await[0]["id"].as_str().unwrap().to_string();
    let eleve = s.json_as(&d, &format!("/api/v1/classes/{classe}/eleves")).await[0]["id"].as_str().unwrap().to_string();
    let (journal, certificats) = (compter(&s, "journal"), compter(&s, "certificat"));
    let head = |chemin: String| {
        let s = &s;
        let d = &d;
        async move { s.client.head(s.url(&chemin)).header("cookie", &d.cookie).send().await.unwrap() }
    };
    // Every document route, with records that exist: a GET would issue, seal and journal.
    let mut chemins: Vec<String> = [
        format!("/api/v1/eleves/{eleve}/documents/certificat-scolarite"),
        format!("/api/v1/eleves/{eleve}/documents/fiche-renseignements"),
        format!("/api/v1/classes/{classe}/documents/certificat-scolarite"),
        format!("/api/v1/classes/{classe}/documents/fiche-urgence?format=zip"),
        format!("/api/v1/ecoles/{ecole}/documents/registre-eleves"),
        format!("/api/v1/ecoles/{ecole}/export/onde?format=xlsx"),
        format!("/api/v1/eleves/{eleve}"),
        format!("/eleves/{eleve}"),
        format!("/classes/{classe}"),
    ]
    .into();
    // And every GET of the API, its parameters filled with those records.
    let contrat = registre::http::contrat();
    for (modele, item) in contrat["paths"].as_object().unwrap() {
        if item.get("get").is_some() && modele != "/api/v1/openapi.json" {
            // Each address with a record of its kind, so that its GET would have found it.
            let (id, document) = if modele.starts_with("/api/v1/classes/") {
                (&classe, "liste-classe")
            } else if modele.starts_with("/api/v1/ecoles/") {
                (&ecole, "registre-eleves")
            } else {
                (&eleve, "certificat-scolarite")
            };
            chemins.push(
                modele
                    .replace("{id}", id)
                    .replace("{document}", document)
                    .replace("{fichier}", "eleves.csv")
                    .replace("{code}", "ABCD-EFGH"),
            );
        }
    }
    assert!(chemins.len() > 40, "{chemins:?}");
    for chemin in &chemins {
        let r = head(chemin.clone()).await;
        assert_eq!(r.status(), 405, "HEAD {chemin}");
        assert_eq!(r.headers()["allow"], "GET", "HEAD {chemin}");
    }
    assert_eq!(compter(&s, "journal"), journal, "no journal row");
    assert_eq!(compter(&s, "certificat"), certificats, "no certificate issued");
    // The certificate's first GET is its first copy, not a duplicata.
    let pdf = s.get_as(&d, &chemins[0]).await.bytes().await.unwrap();
    let texte = pdftotext(&pdf);
    assert!(texte.contains("CERTIFICAT DE SCOLARITÉ") && !texte.contains("DUPLICATA"), "{texte}");
    assert_eq!(compter(&s, "certificat"), certificats + 1);
    // Where a GET reads nothing personal and writes nothing, HEAD is its headers.
    for chemin in ["/healthz", "/static/registre.css", "/api/v1/openapi.json", "/connexion"] {
        let r = s.client.head(s.url(chemin)).send().await.unwrap();
        assert_eq!(r.status(), 200, "HEAD {chemin}");
    }
    assert_eq!(compter(&s, "journal"), journal + 1, "the GET's row only");
}

#[tokio::test]
async fn a_client_that_accepts_gzip_or_brotli_gets_a_compressed_list_that_reads_back_the_same() {
    let s = TestServer::start(120).await;
    let d = s.login("dasen.1").await;
    let chemin = "/api/v1/eleves?limite=1000";
    let brut = s.get_as(&d, chemin).await;
    assert!(brut.headers().get("content-encoding").is_none());
    let brut = brut.bytes().await.unwrap();
    let r =
        s.client.get(s.url(chemin)).header("cookie", &d.cookie).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    assert!(r.headers()["vary"].to_str().unwrap().to_lowercase().contains("accept-encoding"));
    let gz = r.bytes().await.unwrap();
    assert!(gz.len() * 3 < brut.len(), "{} bytes gzipped, {} plain", gz.len(), brut.len());
    let mut lu = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut lu).unwrap();
    let (a, b): (Value, Value) = (serde_json::from_slice(&lu).unwrap(), serde_json::from_slice(&brut).unwrap());
    assert_eq!(a, b);
    let r =
        s.client.get(s.url(chemin)).header("cookie", &d.cookie).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "br");
    // A page too; a PDF is sent as it is (compressed already).
    let r = s
        .client
        .get(s.url("/eleves"))
        .header("cookie", &d.cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let directeur = s.login("directeur.1").await;
    let eleve = s.json_as(&directeur, "/api/v1/eleves?limite=1").await[0]["id"].as_str().unwrap().to_string();
    let r = s
        .client
        .get(s.url(&format!("/api/v1/eleves/{eleve}/documents/fiche-renseignements")))
        .header("cookie", &directeur.cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_page_s_anti_forgery_token_differs_at_every_answer_and_each_one_is_accepted() {
    // Compressed pages must not repeat a secret (BREACH): the token is masked afresh.
    let s = TestServer::start(10).await;
    let d = s.login("directeur.1").await;
    let page = |s: &TestServer| {
        let c = d.cookie.clone();
        let client = s.client.clone();
        let url = s.url("/compte");
        async move { client.get(url).header("cookie", c).send().await.unwrap().text().await.unwrap() }
    };
    let (a, b) = (csrf_de(&page(&s).await), csrf_de(&page(&s).await));
    assert_ne!(a, b);
    assert!(!a.contains(&d.csrf) && !b.contains(&d.csrf), "the session's token never appears as it is");
    // Each masked token passes; another session's does not.
    let autre = s.login("directeur.2").await;
    let r = post_form(&s, "/deconnexion", Some(&d.cookie), form(&[("csrf", &autre.csrf)])).await;
    assert_eq!(r.status(), 403);
    let r = post_form(
        &s,
        "/compte/mot-de-passe",
        Some(&d.cookie),
        form(&[("csrf", &a), ("actuel", "faux"), ("nouveau", "x")]),
    )
    .await;
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap());
    let r = post_form(&s, "/deconnexion", Some(&d.cookie), form(&[("csrf", &b)])).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn the_stylesheet_is_revalidated_with_a_304() {
    let s = TestServer::start(0).await;
    let r = s.client.get(s.url("/static/registre.css")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\""), "{etag}");
    let r = s.client.get(s.url("/static/registre.css")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);
    assert_eq!(r.headers()["etag"], etag.as_str());
    assert!(r.bytes().await.unwrap().is_empty());
    let r = s.client.get(s.url("/static/registre.css")).header("if-none-match", "W/\"autre\"").send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn downloads_are_named_for_what_they_hold_with_an_ascii_and_a_utf8_name() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let id_ecole = ecole["id"].as_str().unwrap();
    let classe = s.json_as(&d, &format!("/api/v1/ecoles/{id_ecole}/classes")).await[0].clone();
    let (id_classe, libelle) = (classe["id"].as_str().unwrap(), classe["libelle"].as_str().unwrap());
    let r = s.get_as(&d, &format!("/api/v1/classes/{id_classe}/documents/fiche-urgence?format=zip")).await;
    assert_eq!(r.status(), 200);
    let cd = r.headers()["content-disposition"].to_str().unwrap().to_string();
    let attendu = format!("{}_fiche-urgence.zip", libelle.replace(' ', "-"));
    assert!(cd.starts_with("attachment; "), "{cd}");
    assert!(cd.contains(&format!("filename=\"{attendu}\"")), "{cd} / {attendu}");
    assert!(cd.contains(&format!("filename*=UTF-8''{attendu}")), "{cd}");
    // A pupil's certificate shows in the browser, named for the pupil.
    let eleve = s.json_as(&d, &format!("/api/v1/classes/{id_classe}/eleves")).await[0].clone();
    let r =
        s.get_as(&d, &format!("/api/v1/eleves/{}/documents/certificat-scolarite", eleve["id"].as_str().unwrap())).await;
    let cd = r.headers()["content-disposition"].to_str().unwrap().to_string();
    let nom = registre::service::documents::ascii(eleve["nom"].as_str().unwrap());
    assert!(cd.starts_with("inline; ") && cd.contains(&format!("filename=\"{nom}_")), "{cd}");
    assert!(cd.contains("_certificat-scolarite.pdf\""), "{cd}");
    // The export and a CSV list are saved, not shown.
    for chemin in [
        format!("/api/v1/ecoles/{id_ecole}/export/onde?format=xlsx"),
        format!("/api/v1/ecoles/{id_ecole}/export/onde"),
        format!("/api/v1/classes/{id_classe}/documents/liste-eleves?format=csv"),
    ] {
        let r = s.get_as(&d, &chemin).await;
        assert_eq!(r.status(), 200, "{chemin}");
        let cd = r.headers()["content-disposition"].to_str().unwrap();
        assert!(cd.starts_with("attachment; filename=\"") && cd.contains("filename*=UTF-8''"), "{chemin}: {cd}");
    }
}

#[test]
fn a_name_outside_ascii_keeps_its_letters_in_the_utf8_name_only() {
    let cd = registre::http::disposition("Élèves « CE1 ».csv", false);
    assert_eq!(
        cd,
        "attachment; filename=\"_l_ves _ CE1 _.csv\"; filename*=UTF-8''%C3%89l%C3%A8ves%20%C2%AB%20CE1%20%C2%BB.csv"
    );
    assert!(registre::http::disposition("a\"b\\c;d.pdf", true).starts_with("inline; filename=\"a_b_c_d.pdf\""));
}

#[tokio::test]
async fn a_list_gives_its_total_and_refuses_a_page_too_large_with_a_french_problem() {
    let s = TestServer::start(60).await;
    let d = s.login("dasen.1").await;
    let r = s.get_as(&d, "/api/v1/eleves?limite=10").await;
    assert_eq!(r.status(), 200);
    let total: u64 = r.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    assert_eq!(r.json::<Value>().await.unwrap().as_array().unwrap().len(), 10);
    let tous = s.json_as(&d, "/api/v1/eleves?limite=1000").await;
    assert_eq!(tous.as_array().unwrap().len() as u64, total);
    // A page past the end still says how many there are.
    let r = s.get_as(&d, &format!("/api/v1/eleves?limite=10&decalage={}", total + 5)).await;
    assert_eq!(r.headers()["x-total-count"], total.to_string().as_str());
    assert_eq!(r.json::<Value>().await.unwrap(), serde_json::json!([]));
    for limite in ["5000", "0", "1001"] {
        let r = s.get_as(&d, &format!("/api/v1/eleves?limite={limite}")).await;
        assert_eq!(r.status(), 422, "limite={limite}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["type"], "urn:registre:probleme:invalide");
        assert_eq!(p["title"], "Données refusées");
        assert_eq!(p["status"], 422);
        assert_eq!(p["champ"], "limite");
        assert!(p["detail"].as_str().unwrap().contains("de 1 à 1000"), "{p}");
    }
    // The router's own refusals are problems too.
    let r = s.client.delete(s.url("/api/v1/eleves")).header("cookie", &d.cookie).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!((p["status"].as_u64(), p["code"].as_str()), (Some(405), Some("methode")));
}

#[tokio::test]
async fn the_onde_workbook_has_typed_dates_and_a_bold_frozen_filtered_header() {
    use calamine::{Data, Reader};
    let s = TestServer::start(30).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let r = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/export/onde?format=xlsx")).await;
    assert_eq!(r.status(), 200);
    let octets = r.bytes().await.unwrap().to_vec();
    let mut classeur: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(octets.clone())).unwrap();
    let feuille = classeur.worksheet_range("Élèves").unwrap();
    let entete: Vec<String> = feuille.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = entete.iter().position(|t| t.to_lowercase().contains("naissance") && t.to_lowercase().contains("date"));
    let col = col.unwrap_or_else(|| panic!("no birth date column: {entete:?}"));
    let dates: Vec<&Data> = feuille.rows().skip(1).map(|l| &l[col]).collect();
    assert!(!dates.is_empty());
    assert!(dates.iter().all(|c| matches!(c, Data::DateTime(_))), "{:?}", &dates[..3.min(dates.len())]);
    // The INE keeps its leading zeros: still text.
    let ine = entete.iter().position(|t| t.to_uppercase().contains("INE")).unwrap();
    assert!(feuille.rows().skip(1).all(|l| matches!(l[ine], Data::String(_) | Data::Empty)));
    // Bold header, frozen first row, filter, widths.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(octets)).unwrap();
    let lire = |zip: &mut zip::ZipArchive<_>, nom: &str| {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(nom).unwrap(), &mut t).unwrap();
        t
    };
    let feuille_xml = lire(&mut zip, "xl/worksheets/sheet1.xml");
    assert!(feuille_xml.contains("state=\"frozen\"") && feuille_xml.contains("ySplit=\"1\""), "frozen row");
    assert!(feuille_xml.contains("<autoFilter ref=\"A1:"), "filter");
    assert!(feuille_xml.contains("<col ") && feuille_xml.contains("customWidth=\"1\""), "widths");
    assert!(lire(&mut zip, "xl/styles.xml").contains("<b/>"), "bold");
}
