//! The whole catalogue of documents, the liste électorale's rules on constructed
//! families, French order in printed lists, and the same perimeter rules as every route.

use serde_json::{Value, json};

use crate::helpers::{HOSTILE, Session, TestServer, pdf_chars, pdftotext};

/// directeur.2's school (an élémentaire), one of its classes (id, first niveau, label).
async fn ecole_et_classe(s: &TestServer) -> (Session, String, (String, String, String)) {
    let d = s.login("directeur.2").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    let k = &classes[0];
    let classe = (
        k["id"].as_str().unwrap().to_string(),
        k["niveaux"][0].as_str().unwrap().to_string(),
        k["libelle"].as_str().unwrap().to_string(),
    );
    (d, ecole, classe)
}

/// Admits a child in the class with one responsable; returns the pupil's id.
async fn admettre(
    s: &TestServer,
    d: &Session,
    ecole: &str,
    classe: &(String, String, String),
    (nom, prenoms): (&str, &str),
    (r_nom, r_prenom, lien): (&str, &str, &str),
) -> String {
    let body = json!({
        "ecole_id": ecole, "niveau": classe.1, "classe_id": classe.0, "confirmer_nouveau": true,
        "eleve": { "nom": nom, "prenoms": prenoms, "sexe": "F", "date_naissance": "03/05/2018",
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan",
                   "adresse": "4 rue des Lilas", "code_postal": "35000", "commune_residence": "Rennes" },
        "responsables": [{ "civilite": "Mme", "nom": r_nom, "prenom": r_prenom, "lien": lien,
                           "tel_portable": "0612345678", "adresse": format!("{r_prenom} rue des Écoles"),
                           "code_postal": "35000", "commune": "Rennes" }],
        "contacts": [{ "nom": "Petit", "prenom": "Jo", "telephone": "0299000000", "urgence": true }],
    });
    let res = s.post_as(d, "/api/v1/eleves", &body).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

/// The responsable of a pupil (rank 1).
fn responsable(s: &TestServer, eleve: &str) -> String {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.query_row("SELECT responsable_id FROM eleve_responsable WHERE eleve_id = ? AND rang = 1", [eleve], |r| r.get(0))
        .unwrap()
}

/// Writes a family situation the correction forms let a director enter: a link, its
/// authority and consent.
fn lier(s: &TestServer, eleve: &str, resp: &str, rang: u8, lien: &str, autorite: bool, accord: Option<bool>) {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.execute(
        "INSERT INTO eleve_responsable (eleve_id, responsable_id, rang, lien, autorite_parentale, accord_associations)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (eleve_id, responsable_id) DO UPDATE SET lien = ?4, autorite_parentale = ?5, accord_associations = ?6",
        rusqlite::params![eleve, resp, rang, lien, autorite, accord],
    )
    .unwrap();
}

#[tokio::test]
async fn the_liste_electorale_follows_the_1985_rules_on_constructed_families() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    // Two parents of one child; the father's authority was withdrawn by a court.
    let x = admettre(&s, &d, &ecole, &classe, ("XAVIER", "Lou"), ("ZMERE", "Maëlle", "mere")).await;
    let x2 = admettre(&s, &d, &ecole, &classe, ("XAVIER", "Tom"), ("ZPERE", "Paul", "pere")).await;
    let (mere_x, pere_x) = (responsable(&s, &x), responsable(&s, &x2));
    lier(&s, &x, &mere_x, 1, "mere", true, Some(true));
    lier(&s, &x, &pere_x, 2, "pere", false, Some(true));
    lier(&s, &x2, &pere_x, 1, "pere", false, None);
    lier(&s, &x2, &mere_x, 2, "mere", true, Some(true));
    // One mother of three children, no consent given.
    let y1 = admettre(&s, &d, &ecole, &classe, ("YVON", "Ada"), ("ZTRIPLE", "Nadia", "mere")).await;
    let n = responsable(&s, &y1);
    for p in ["Bea", "Cyd"] {
        let y = admettre(&s, &d, &ecole, &classe, ("YVON", p), ("ZJETABLE", p, "mere")).await;
        let jetable = responsable(&s, &y);
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.execute("DELETE FROM eleve_responsable WHERE eleve_id = ? AND responsable_id = ?", [&y, &jetable]).unwrap();
        lier(&s, &y, &n, 1, "mere", true, None);
    }
    // A third party holding authority replaces the mother.
    let z = admettre(&s, &d, &ecole, &classe, ("ZOLA", "Iris"), ("ZREMPLACEE", "Quitterie", "mere")).await;
    let t = admettre(&s, &d, &ecole, &classe, ("ZOLA", "Ugo"), ("ZTIERS", "Tristan", "tiers")).await;
    let tiers = responsable(&s, &t);
    lier(&s, &z, &tiers, 2, "tiers", true, Some(false));
    let remplacee = responsable(&s, &z);
    lier(&s, &z, &remplacee, 1, "mere", false, None);

    let pdf = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/documents/liste-electorale")).await;
    assert_eq!(pdf.status(), 200);
    let text = pdftotext(&pdf.bytes().await.unwrap());
    assert!(text.contains("LISTE ÉLECTORALE"));
    assert!(text.contains("ZMERE Maëlle"), "the mother votes:\n{text}");
    assert!(!text.contains("ZPERE"), "a parent whose authority was withdrawn is absent");
    assert!(!text.contains("ZREMPLACEE"), "the tiers holding authority replaces the mother");
    assert_eq!(text.matches("ZTIERS Tristan").count(), 1);
    assert_eq!(text.matches("ZTRIPLE Nadia").count(), 1, "one vote per parent");
    for enfant in ["YVON Ada", "YVON Bea", "YVON Cyd"] {
        assert!(text.contains(enfant), "{enfant} listed beside the mother");
    }
    // Addresses only with consent: Maëlle consented for both children, Nadia gave no answer.
    assert!(text.contains("Maëlle rue des Écoles"));
    assert!(!text.contains("Nadia rue des Écoles"));

    // The CSV holds the same electors; the school's page offers it beside the PDF, and the
    // class page the liste des élèves' CSV.
    let page = crate::helpers::html_texte(&s.get_as(&d, &format!("/ecoles/{ecole}")).await.text().await.unwrap());
    for doc in ["liste-electorale", "liste-eleves"] {
        assert!(page.contains(&format!("/api/v1/ecoles/{ecole}/documents/{doc}?format=csv\"")), "{doc}: {page}");
    }
    assert!(!page.contains("registre-eleves?format=csv"), "a PDF-only document has no CSV link");
    let page = crate::helpers::html_texte(&s.get_as(&d, &format!("/classes/{}", classe.0)).await.text().await.unwrap());
    assert!(page.contains(&format!("/api/v1/classes/{}/documents/liste-eleves?format=csv\"", classe.0)), "{page}");
    let res = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/documents/liste-electorale?format=csv")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = res.text().await.unwrap();
    let lignes: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    assert!(
        text.contains(&format!("Nombre d'électeurs : {}", lignes.len()))
            || text.contains(&format!("Nombre d’électeurs : {}", lignes.len()))
    );
    for l in &lignes {
        assert!(text.contains(&format!("{} {}", l[0], l[1])), "{} {} of the CSV missing from the PDF", l[0], l[1]);
    }
    let nadia = lignes.iter().find(|l| l[0] == "ZTRIPLE").unwrap();
    assert_eq!(nadia[3], "YVON Ada / YVON Bea / YVON Cyd");
    assert!(nadia[5].is_empty(), "no address without consent");
    assert!(!csv.contains("ZPERE") && !csv.contains("ZREMPLACEE"));
}

#[tokio::test]
async fn lists_print_in_french_order() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    for (nom, prenoms, parent) in [
        ("BRETON", "Zoé", "BRETON"),
        ("BÉNARD", "Zoé", "BÉNARD"),
        ("AAAORDRE", "Eva", "EVA"),
        ("AAAORDRE", "Émilie", "ÉMILIE"),
    ] {
        admettre(&s, &d, &ecole, &classe, (nom, prenoms), (parent, "Parent", "mere")).await;
    }
    let liste = s.get_as(&d, &format!("/api/v1/classes/{}/documents/liste-classe", classe.0)).await;
    let text = pdftotext(&liste.bytes().await.unwrap());
    let pos = |t: &str, motif: &str| t.find(motif).unwrap_or_else(|| panic!("{motif} missing:\n{t}"));
    assert!(pos(&text, "BÉNARD") < pos(&text, "BRETON"), "BÉNARD before BRETON:\n{text}");
    assert!(pos(&text, "AAAORDRE Émilie") < pos(&text, "AAAORDRE Eva"), "ÉMILIE before EVA:\n{text}");
    let le = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/documents/liste-electorale")).await;
    let text = pdftotext(&le.bytes().await.unwrap());
    assert!(pos(&text, "BÉNARD Parent") < pos(&text, "BRETON Parent"));
    assert!(pos(&text, "ÉMILIE Parent") < pos(&text, "EVA Parent"));
    // The API's list too.
    let eleves = s.json_as(&d, &format!("/api/v1/classes/{}/eleves", classe.0)).await;
    let noms: Vec<&str> = eleves.as_array().unwrap().iter().map(|e| e["nom"].as_str().unwrap()).collect();
    let (b, r) = (noms.iter().position(|n| *n == "BÉNARD").unwrap(), noms.iter().position(|n| *n == "BRETON").unwrap());
    assert!(b < r, "{noms:?}");
}

#[tokio::test]
async fn every_document_of_the_catalogue_prints_for_a_small_school_with_a_hostile_name() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    let nom_ecole = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}")).await["nom"].as_str().unwrap().to_string();
    let prenom = format!("{HOSTILE} Anne-Marie");
    let id = admettre(&s, &d, &ecole, &classe, (HOSTILE, &prenom), ("Durand", "Anne", "mere")).await;
    let nom = HOSTILE.to_uppercase();
    let serre = |t: &str| t.replace(' ', "");
    // A passage proposal (the notification), and another pupil radiated (its certificate).
    let res = s.post_as(&d, &format!("/api/v1/eleves/{id}/passage/proposition"), &json!({ "type": "passage" })).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let autre = admettre(&s, &d, &ecole, &classe, ("RADIÉE", "Rose"), ("Durand", "Rose", "mere")).await;
    let res = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{autre}/radiation"),
            &json!({ "motif": "demenagement", "date": "29/11/2026" }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // An inscription by the school itself, confirmed: its certificate.
    let enfant = json!({ "nom": HOSTILE, "prenoms": prenom, "sexe": "M", "date_naissance": "01/02/2019",
                         "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    let res = s
        .post_as(
            &d,
            "/api/v1/inscriptions",
            &json!({ "eleve": enfant, "ecole_id": ecole, "niveau": classe.1, "confirmer_nouveau": true }),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let inscription = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let res = s.post_as(&d, &format!("/api/v1/inscriptions/{inscription}/validation"), &json!({})).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mut vus = std::collections::BTreeSet::new();
    let eleve = |doc: &str| format!("/api/v1/eleves/{id}/documents/{doc}");
    let cas: Vec<(String, String, bool)> = vec![
        (eleve("certificat-scolarite"), "CERTIFICAT DE SCOLARITÉ".into(), true),
        (eleve("fiche-renseignements"), "FICHE DE RENSEIGNEMENTS".into(), true),
        (eleve("fiche-urgence"), "FICHE D".into(), true),
        (eleve("notification-passage"), "POURSUITE DE SCOLARITÉ".into(), true),
        (eleve("releve-donnees"), "RELEVÉ DES DONNÉES".into(), true),
        (eleve("accuse-verification"), "ACCUSÉ DE RÉCEPTION".into(), true),
        (format!("/api/v1/inscriptions/{inscription}/documents/certificat-inscription"), "CERTIFICAT D".into(), true),
        (format!("/api/v1/eleves/{autre}/documents/certificat-radiation"), "CERTIFICAT DE RADIATION".into(), false),
        (format!("/api/v1/classes/{}/documents/liste-classe", classe.0), "LISTE DE CLASSE".into(), true),
        (format!("/api/v1/classes/{}/documents/liste-appel", classe.0), "LISTE D".into(), true),
        (format!("/api/v1/classes/{}/documents/liste-eleves", classe.0), "LISTE DES ÉLÈVES".into(), true),
        (format!("/api/v1/ecoles/{ecole}/documents/liste-electorale"), "LISTE ÉLECTORALE".into(), false),
        (format!("/api/v1/ecoles/{ecole}/documents/registre-eleves"), "REGISTRE DES ÉLÈVES".into(), true),
    ];
    for (url, titre, hostile) in cas {
        let res = s.get_as(&d, &url).await;
        assert_eq!(res.status(), 200, "{url}: {}", res.text().await.unwrap());
        let pdf = res.bytes().await.unwrap();
        let text = pdftotext(&pdf);
        assert!(text.to_uppercase().contains(&titre), "{url}: « {titre} » missing:\n{text}");
        assert!(text.contains("2026-2027"), "{url}: année missing");
        assert!(text.contains(&nom_ecole) || url.contains("certificat-inscription"), "{url}: school missing");
        if hostile {
            let chars = pdf_chars(&pdf);
            assert!(serre(&chars).contains(&serre(&nom)), "{url}: hostile name not printed exactly:\n{chars}");
        }
        vus.insert(url.rsplit('/').next().unwrap().to_string());
    }
    // The constat des effectifs: a report of the territory, with the school's hostile name.
    let res = s.get_as(&d, "/api/v1/constat?format=pdf").await;
    assert_eq!(res.status(), 200);
    let pdf = res.bytes().await.unwrap();
    let text = pdftotext(&pdf);
    assert!(text.contains("CONSTAT DES EFFECTIFS") && text.contains("2026-2027"), "{text}");
    assert!(serre(&pdf_chars(&pdf)).contains(&serre(&nom_ecole)), "the school's hostile name printed exactly");
    vus.insert("constat-effectifs".to_string());
    let catalogue: std::collections::BTreeSet<String> =
        registre::domain::Document::ALL.iter().map(|d| d.name().to_string()).collect();
    assert_eq!(vus, catalogue, "every document of the catalogue is printed here");

    // The fiche d'urgence leaves the health boxes blank and says it goes in a sealed envelope.
    let text = pdftotext(&s.get_as(&d, &eleve("fiche-urgence")).await.bytes().await.unwrap());
    for attendu in ["Médecin traitant", "antitétanique", "Allergies", "PAI", "pli fermé", "06 12 34 56 78"] {
        assert!(text.contains(attendu), "{attendu} missing from the fiche d'urgence:\n{text}");
    }
    // The relevé lists the consultations of the record in words.
    let text = pdftotext(&s.get_as(&d, &eleve("releve-donnees")).await.bytes().await.unwrap());
    assert!(text.contains("impression de la fiche d"), "{text}");
    // Pages are counted per document in a merged PDF.
    let merged = s.get_as(&d, &format!("/api/v1/classes/{}/documents/fiche-renseignements", classe.0)).await;
    let text = pdftotext(&merged.bytes().await.unwrap());
    assert!(!text.contains("Page 3 /"), "page numbers run per pupil:\n{text}");
    assert!(text.matches("Page 1 / ").count() >= 2);
}

#[tokio::test]
async fn the_pupil_list_prints_the_chosen_columns_the_role_may_see() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    let url = format!("/api/v1/ecoles/{ecole}/documents/liste-eleves?format=csv&colonnes=nom,ine");
    let csv = s.get_as(&d, &url).await.text().await.unwrap();
    let entete = csv.trim_start_matches('\u{feff}').lines().next().unwrap().to_string();
    assert_eq!(entete, "nom;ine");
    let pdf =
        s.get_as(&d, &format!("/api/v1/classes/{}/documents/liste-eleves?colonnes=prenoms,naissance", classe.0)).await;
    assert_eq!(pdf.status(), 200);
    let text = pdftotext(&pdf.bytes().await.unwrap());
    assert!(text.contains("Prénoms") && text.contains("Né(e) le") && !text.contains("INE"), "{text}");
    // An unknown column is named; a column the role may not see is refused.
    let res = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/documents/liste-eleves?colonnes=nom,nationalite")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("nationalite"));
    let res = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/documents/certificat-scolarite?format=csv")).await;
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn the_new_documents_keep_to_the_perimeter_and_the_roles() {
    let s = TestServer::start(60).await;
    let (d2, ecole, classe) = ecole_et_classe(&s).await;
    let eleve =
        s.json_as(&d2, &format!("/api/v1/classes/{}/eleves", classe.0)).await[0]["id"].as_str().unwrap().to_string();
    let d1 = s.login("directeur.1").await;
    let avant = s.row_counts();
    for url in [
        format!("/api/v1/ecoles/{ecole}/documents/liste-electorale"),
        format!("/api/v1/ecoles/{ecole}/documents/liste-electorale?format=csv"),
        format!("/api/v1/ecoles/{ecole}/documents/liste-eleves"),
        format!("/api/v1/classes/{}/documents/liste-appel", classe.0),
        format!("/api/v1/eleves/{eleve}/documents/fiche-urgence"),
        format!("/api/v1/eleves/{eleve}/documents/releve-donnees"),
    ] {
        let res = s.get_as(&d1, &url).await;
        assert_eq!(res.status(), 404, "another school's director: {url}");
    }
    assert_eq!(s.row_counts(), avant, "nothing written");
    // The mairie prints none of them; the IEN reads lists but not the emergency phones.
    let mairie = s.login("mairie.2").await;
    let res = s.get_as(&mairie, &format!("/api/v1/eleves/{eleve}/documents/releve-donnees")).await;
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
    let ien = s.login("ien.1").await;
    let res = s.get_as(&ien, &format!("/api/v1/classes/{}/documents/liste-appel", classe.0)).await;
    assert!(matches!(res.status().as_u16(), 403 | 404), "{}", res.status());
    // A family prints its own child's relevé and fiche d'urgence, and no other child's: being
    // a parent of one pupil opens nothing else.
    let parent = s.login("parent.1").await;
    let enfants = s.json_as(&parent, "/api/v1/eleves").await;
    let enfant = enfants[0]["id"].as_str().unwrap().to_string();
    for doc in ["releve-donnees", "fiche-urgence"] {
        let res = s.get_as(&parent, &format!("/api/v1/eleves/{enfant}/documents/{doc}")).await;
        assert_eq!(res.status(), 200, "{doc}");
        let res = s.get_as(&parent, &format!("/api/v1/eleves/{eleve}/documents/{doc}")).await;
        assert_eq!(res.status(), 404, "{doc} of another family's child");
    }
    let res = s.get_as(&parent, &format!("/api/v1/ecoles/{ecole}/documents/liste-electorale")).await;
    assert!(matches!(res.status().as_u16(), 403 | 404));
}

#[tokio::test]
async fn a_certificate_printed_again_is_its_duplicata_unless_its_data_changed() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    let id = admettre(&s, &d, &ecole, &classe, ("DUPONT", "Léa"), ("DUPONT", "Anne", "mere")).await;
    let url = format!("/api/v1/eleves/{id}/documents/certificat-scolarite");
    let octets = s.get_as(&d, &url).await.bytes().await.unwrap();
    let original = pdftotext(&octets);
    assert!(!original.contains("DUPLICATA"));
    // Opened again by the director who issued it, the same day, nothing changed: the same
    // original, to the byte (looked at in the browser, then printed).
    s.clock.advance(time::Duration::minutes(20));
    let encore = s.get_as(&d, &url).await.bytes().await.unwrap();
    assert!(encore == octets, "the same original, byte for byte:\n{}", pdftotext(&encore));
    // The next day, a reprint is a duplicata.
    s.clock.advance(time::Duration::days(1));
    let d = s.login("directeur.2").await;
    let second = pdftotext(&s.get_as(&d, &url).await.bytes().await.unwrap());
    let marque = "DUPLICATA DÉLIVRÉ LE 30 NOVEMBRE 2026";
    assert!(second.contains(marque), "{second}");
    assert_eq!(second.replace(&format!("{marque} "), ""), original, "identical but for the mark");
    let numero = |t: &str| t.split("Certificat n° ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    assert_eq!(numero(&second), numero(&original));
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let (gabarit, empreinte): (String, String) = c
        .query_row("SELECT gabarit, empreinte FROM certificat WHERE numero = ?", [numero(&original)], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((gabarit.len(), empreinte.len()), (64, 64), "the seal: template version and data hash");
    // The record changes (a correction): the next print is a new certificate, the old one
    // stays verifiable.
    c.execute("UPDATE eleve SET prenoms = 'Léa Marie' WHERE id = ?", [&id]).unwrap();
    let nouveau = pdftotext(&s.get_as(&d, &url).await.bytes().await.unwrap());
    assert!(nouveau.contains("Léa Marie") && !nouveau.contains("DUPLICATA"), "{nouveau}");
    assert_ne!(numero(&nouveau), numero(&original));
    let code = |t: &str| t.split("Code de vérification : ").nth(1).unwrap().split(' ').next().unwrap().to_string();
    for t in [&original, &nouveau] {
        let v = s.client.get(s.url(&format!("/api/v1/verification/{}", code(t)))).send().await.unwrap();
        let v: Value = v.json().await.unwrap();
        assert_eq!(v["authentique"], true, "{v}");
    }
}

/// The transactions a print begins, counted on the store: (reads, writes).
fn imprimer_en_comptant(
    s: &TestServer,
    qui: &Session,
    doc: registre::domain::Document,
    cible: registre::service::documents::Cible,
) -> ((u64, u64), registre::service::impression::Imprime) {
    let store = &s.state.store;
    let session = qui.cookie.split_once('=').unwrap().1;
    let le = s.clock.now();
    let acteur = registre::auth::acteur(store, le, session).unwrap().expect("a session");
    let svc = registre::service::Service { store, cles: &s.state.cles, acteur: &acteur, le };
    let (l0, e0) = store.transactions();
    let imprime = svc
        .imprimer(&s.state.engine, doc, &cible, registre::service::documents::Format::Pdf, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    let (l1, e1) = store.transactions();
    ((l1 - l0, e1 - e0), imprime)
}

#[tokio::test]
async fn one_print_reads_its_plan_once_and_writes_its_seal_and_journal_in_one_transaction() {
    use registre::domain::{ClasseId, Document, EleveId};
    use registre::service::documents::Cible;
    let s = TestServer::start(60).await;
    let (d, ecole, classe) = ecole_et_classe(&s).await;
    let id = admettre(&s, &d, &ecole, &classe, ("DUPONT", "Léa"), ("DUPONT", "Anne", "mere")).await;
    let lignes = |eleve: &str| -> i64 {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.query_row("SELECT count(*) FROM journal WHERE eleve_id = ? AND ressource = 'document'", [eleve], |r| r.get(0))
            .unwrap()
    };
    // One certificate: its plan in one read, its data in another; issued, sealed and
    // journaled in one write.
    let avant = lignes(&id);
    let eleve = Cible::Eleve(EleveId::parse(&id).unwrap());
    let ((lectures, ecritures), pdf) = imprimer_en_comptant(&s, &d, Document::CertificatScolarite, eleve.clone());
    assert_eq!((lectures, ecritures), (2, 1), "plan, data; seal and journal");
    assert_eq!(lignes(&id), avant + 1, "one journal row");
    assert!(!pdftotext(&pdf.octets).contains("DUPLICATA"));
    // Printed again the same day by the same director: the same original, still one write (the
    // journal row).
    let ((lectures, ecritures), encore) = imprimer_en_comptant(&s, &d, Document::CertificatScolarite, eleve);
    assert_eq!((lectures, ecritures), (2, 1));
    assert_eq!(lignes(&id), avant + 2);
    assert!(encore.octets == pdf.octets, "the same original");
    // A class's fiches: the plan once (not again for the count and the journal), one read per
    // document, one write for every journal row.
    let k = ClasseId::parse(&classe.0).unwrap();
    let eleves: Value = s.json_as(&d, &format!("/api/v1/classes/{}/eleves", classe.0)).await;
    let n = eleves.as_array().map(Vec::len).unwrap_or_else(|| eleves["eleves"].as_array().unwrap().len()) as u64;
    assert!(n > 1, "{eleves}");
    let ((lectures, ecritures), _) = imprimer_en_comptant(&s, &d, Document::FicheRenseignements, Cible::Classe(k));
    assert_eq!((lectures, ecritures), (1 + n, 1), "{n} fiches");
    assert_eq!(lignes(&id), avant + 3);
}
