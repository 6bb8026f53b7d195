//! The pupil's lifecycle end to end, through HTTP: inscription at the mairie, admission,
//! répartition, passage, rentrée, radiation and transfer, retention.

use serde_json::{Value, json};
use time::macros::datetime;

use crate::helpers::{Session, TestServer, cookie_de, pdftotext};

/// A new directeur for a school (by UAI): created by dasen.1, activated, second factor enrolled.
async fn nouveau_directeur(s: &TestServer, uai: &str, login: &str) -> Session {
    let dasen = s.login("dasen.1").await;
    let res = s
        .post_as(
            &dasen,
            "/api/v1/comptes",
            &json!({ "login": login, "role": "directeur", "perimetre": "ecole", "territoire": uai }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let lien = res.json::<Value>().await.unwrap()["lien_activation"].as_str().unwrap().to_string();
    let jeton = lien.split("jeton=").nth(1).unwrap();
    let mdp = "lanterne boréale sur la lande";
    let res = s
        .client
        .post(s.url("/api/v1/activation"))
        .json(&json!({ "jeton": jeton, "mot_de_passe": mdp }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = s
        .client
        .post(s.url("/api/v1/login"))
        .json(&json!({ "login": login, "mot_de_passe": mdp }))
        .send()
        .await
        .unwrap();
    let cookie = cookie_de(&res);
    let csrf = res.json::<Value>().await.unwrap()["csrf"].as_str().unwrap().to_string();
    let sess = Session { cookie, csrf, login: login.into() };
    let e: Value = s.post_as(&sess, "/api/v1/moi/second-facteur", &json!({})).await.json().await.unwrap();
    let secret = registre::auth::totp::depuis_base32(e["secret"].as_str().unwrap()).unwrap();
    let code = registre::auth::totp::code(&secret, s.clock.now().unix_timestamp() as u64);
    assert_eq!(
        s.post_as(&sess, "/api/v1/moi/second-facteur/confirmation", &json!({ "code": code })).await.status(),
        200
    );
    sess
}

async fn pdf(s: &TestServer, sess: &Session, path: &str) -> String {
    let res = s.get_as(sess, path).await;
    assert_eq!(res.status(), 200, "{path}: {}", res.text().await.unwrap());
    pdftotext(&res.bytes().await.unwrap())
}

fn find<'a>(v: &'a Value, key: &str, val: &str) -> &'a Value {
    v.as_array().unwrap().iter().find(|x| x[key] == val).unwrap_or_else(|| panic!("no {key} = {val} in {v}"))
}

async fn post_ok(s: &TestServer, sess: &Session, path: &str, body: Value) -> Value {
    let res = s.post_as(sess, path, &body).await;
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert!(status.is_success(), "POST {path} → {status}: {v}");
    v
}

#[tokio::test]
async fn from_the_mairie_to_the_next_niveau_and_a_change_of_school_with_the_same_ine_and_history() {
    let s = TestServer::start(240).await;

    // --- Radiation and transfer (before the year ends) ---------------------------------------
    let d2 = s.login("directeur.2").await;
    let elementaire = s.json_as(&d2, "/api/v1/ecoles").await[0].clone();
    let eleves = s.json_as(&d2, "/api/v1/eleves").await;
    let p = eleves.as_array().unwrap().iter().find(|e| e["niveau"] == "CE1").unwrap().clone();
    let pid = p["id"].as_str().unwrap().to_string();
    let avant = s.json_as(&d2, &format!("/api/v1/eleves/{pid}")).await;
    let ine = avant["eleve"]["ine"].as_str().unwrap().to_string();
    // The family moves: a directeur of a primaire of the département will admit the pupil.
    let dasen = s.login("dasen.1").await;
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let primaire = ecoles.as_array().unwrap().iter().find(|e| e["type"] == "primaire").unwrap().clone();
    post_ok(
        &s,
        &d2,
        &format!("/api/v1/eleves/{pid}/radiation"),
        json!({ "motif": "changement_ecole", "date": "30/11/2026", "destination": format!("{} {}", primaire["uai"].as_str().unwrap(), primaire["nom"].as_str().unwrap()) }),
    )
    .await;
    let cert = pdf(&s, &d2, &format!("/api/v1/eleves/{pid}/documents/certificat-radiation")).await;
    for expected in [
        "CERTIFICAT DE RADIATION",
        p["nom"].as_str().unwrap(),
        p["prenoms"].as_str().unwrap(),
        "30/11/2026",
        "CE1",
        "changement d'école",
        "COPIE POUR LA MAIRIE",
        primaire["nom"].as_str().unwrap(),
    ] {
        assert!(cert.contains(expected), "{expected} missing from the certificat de radiation:\n{cert}");
    }
    let code = cert.split("Code de vérification : ").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert_eq!(code.len(), 19, "{code}");
    // It verifies publicly, showing the initials only; forged and altered codes do not.
    let page = s.client.get(s.url(&format!("/verifier/{code}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = crate::helpers::html_texte(&page.text().await.unwrap());
    let initiales = registre::domain::identite::initiales(p["prenoms"].as_str().unwrap(), p["nom"].as_str().unwrap());
    assert!(html.contains("Certificat de radiation") && html.contains("29/11/2026"), "{html}");
    assert!(html.contains(elementaire["nom"].as_str().unwrap()), "{html}");
    assert!(html.contains(&initiales), "initials {initiales} missing");
    assert!(!html.contains(p["prenoms"].as_str().unwrap()), "more than the initials");
    let mut altere: Vec<char> = code.chars().collect();
    altere[0] = if altere[0] == 'A' { 'B' } else { 'A' };
    for faux in [altere.iter().collect::<String>(), "ABCD-EFGH-JKLM-NPQR".to_string(), "<script>".into()] {
        let res = s
            .client
            .get(s.url(&format!("/verifier/{}", faux.replace('<', "%3C").replace('>', "%3E"))))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{faux}");
        assert!(res.text().await.unwrap().contains("Aucun certificat"));
    }
    let v: Value =
        s.client.get(s.url(&format!("/api/v1/verification/{code}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["authentique"], true);
    // `/verifier` (the address printed under the QR code) has a field to type the code.
    let res = s.client.get(s.url("/verifier")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("name=\"code\"") && html.contains("<label for=\"code\">"), "{html}");
    let sans_redirection = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = sans_redirection.get(s.url(&format!("/verifier?code={}", code.to_lowercase()))).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/verifier/{code}").as_str());

    // The new school finds the pupil by the five criteria and admits them: same INE, history kept.
    let d3 = nouveau_directeur(&s, primaire["uai"].as_str().unwrap(), "direction.primaire").await;
    let naissance = avant["eleve"]["date_naissance"].as_str().unwrap();
    let (y, rest) = naissance.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    let candidats = post_ok(
        &s,
        &d3,
        "/api/v1/doublons",
        json!({ "nom": p["nom"], "prenoms": p["prenoms"], "sexe": avant["eleve"]["sexe"], "date_naissance": format!("{d}/{m}/{y}"),
                "naissance_insee": avant["eleve"]["naissance_insee"] }),
    )
    .await;
    let c = find(&candidats, "eleve_id", &pid);
    assert!(c["score"].as_u64().unwrap() >= 90 && c["etat"] == "radie", "{c}");
    assert!(c.get("ine").is_none(), "the duplicate search never shows the INE");
    post_ok(&s, &d3, "/api/v1/admissions", json!({ "eleve_id": pid, "ecole_id": primaire["id"], "niveau": "CE1" }))
        .await;
    let apres = s.json_as(&d3, &format!("/api/v1/eleves/{pid}")).await;
    assert_eq!(apres["eleve"]["ine"], ine.as_str(), "same INE");
    let scolarites = apres["scolarites"].as_array().unwrap();
    assert_eq!(scolarites.len(), 2, "history kept: {scolarites:?}");
    assert!(scolarites.iter().any(|s| s["etat"] == "radie" && s["ecole_id"] == elementaire["id"]));
    assert!(scolarites.iter().any(|s| s["etat"] == "admis_definitif" && s["ecole_id"] == primaire["id"]));
    let registre =
        pdf(&s, &d3, &format!("/api/v1/ecoles/{}/documents/registre-eleves", primaire["id"].as_str().unwrap())).await;
    assert!(registre.contains("REGISTRE DES ÉLÈVES INSCRITS") && registre.contains(p["nom"].as_str().unwrap()));
    assert!(
        registre.contains(elementaire["uai"].as_str().unwrap()) && registre.contains("30/11/2026"),
        "previous school and radiation date:\n{registre}"
    );

    // --- Inscription at the mairie --------------------------------------------------------------
    let mairie = s.login("mairie.1").await;
    let maternelle = s
        .json_as(&mairie, "/api/v1/ecoles")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "maternelle")
        .unwrap()
        .clone();
    let enfant = json!({ "nom": "Quintavalle", "prenoms": "Zéphyrine", "sexe": "F", "date_naissance": "14/03/2023",
                         "naissance_insee": "35001", "naissance_lieu": "Kervalan", "adresse": "4 rue des Lilas", "code_postal": "35000",
                         "commune_residence": "Kervalan" });
    assert_eq!(post_ok(&s, &mairie, "/api/v1/doublons", json!({ "nom": "Quintavalle", "prenoms": "Zéphyrine", "sexe": "F", "date_naissance": "14/03/2023", "naissance_insee": "35001" })).await, json!([]));
    let insc = post_ok(
        &s,
        &mairie,
        "/api/v1/inscriptions",
        json!({ "eleve": enfant, "ecole_id": maternelle["id"], "niveau": "PS",
                "responsables": [{ "civilite": "Mme", "nom": "Quintavalle", "prenom": "Livia", "lien": "mere", "tel_portable": "0611223344" }] }),
    )
    .await;
    let iid = insc["id"].as_str().unwrap().to_string();
    let eid = insc["eleve_id"].as_str().unwrap().to_string();
    let trop_tot = s.get_as(&mairie, &format!("/api/v1/inscriptions/{iid}/documents/certificat-inscription")).await;
    assert_eq!(trop_tot.status(), 409, "no certificate while pending");
    post_ok(&s, &mairie, &format!("/api/v1/inscriptions/{iid}/validation"), json!({})).await;
    let ci = pdf(&s, &mairie, &format!("/api/v1/inscriptions/{iid}/documents/certificat-inscription")).await;
    for expected in [
        "CERTIFICAT D'INSCRIPTION",
        "QUINTAVALLE",
        "Zéphyrine",
        "14/03/2023",
        maternelle["nom"].as_str().unwrap(),
        "PS",
        "2026-2027",
        "Mme Livia QUINTAVALLE",
        "Code de vérification",
    ] {
        assert!(ci.contains(expected), "{expected} missing from the certificat d'inscription:\n{ci}");
    }
    assert!(ci.contains("Certificat n° CI-35001-2026-"), "numbered by the mairie:\n{ci}");

    // --- Admission, provisional then definitive ---------------------------------------------
    let d1 = s.login("directeur.1").await;
    let attendues = s
        .json_as(&d1, &format!("/api/v1/inscriptions?ecole={}&etat=inscrit", maternelle["id"].as_str().unwrap()))
        .await;
    find(&attendues, "id", &iid);
    post_ok(&s, &d1, "/api/v1/admissions", json!({ "inscription_id": iid, "pieces_manquantes": ["vaccinations"] }))
        .await;
    let fiche = s.json_as(&d1, &format!("/api/v1/eleves/{eid}")).await;
    assert_eq!(fiche["scolarites"][0]["etat"], "admis_provisoire");
    assert!(fiche["eleve"]["ine"].as_str().unwrap().starts_with("26035"), "an INE at the first admission");
    post_ok(&s, &d1, &format!("/api/v1/eleves/{eid}/admission/completion"), json!({})).await;
    assert_eq!(s.json_as(&d1, &format!("/api/v1/eleves/{eid}")).await["scolarites"][0]["etat"], "admis_definitif");
    // A dry run works on a copy of the base, this schooling that points to its inscription
    // included (a column added after the tables it links).
    let ligne = "Nom élève;Prénom élève;Date naissance;Sexe;Niveau\nESSAICOPIE;Lou;01/02/2023;F;PS\n";
    let (status, r) =
        crate::onde::importer(&s, &d1, maternelle["id"].as_str().unwrap(), &[("eleves.csv", ligne.into())], true).await;
    assert_eq!((status, &r["eleves_crees"], &r["ecrit"]), (202, &json!(1), &json!(false)), "{r:#}");
    let cs = pdf(&s, &d1, &format!("/api/v1/eleves/{eid}/documents/certificat-scolarite")).await;
    for expected in [
        "CERTIFICAT DE SCOLARITÉ",
        "QUINTAVALLE",
        "Zéphyrine",
        "14/03/2023",
        "au niveau PS",
        "2026-2027",
        maternelle["nom"].as_str().unwrap(),
        maternelle["uai"].as_str().unwrap(),
    ] {
        assert!(cs.contains(expected), "{expected} missing from the certificat de scolarité:\n{cs}");
    }

    // --- Répartition -----------------------------------------------------------------------------
    let mid = maternelle["id"].as_str().unwrap();
    let non = s.json_as(&d1, &format!("/api/v1/ecoles/{mid}/non-repartis")).await;
    find(&non, "id", &eid);
    let classes = s.json_as(&d1, &format!("/api/v1/ecoles/{mid}/classes")).await;
    let classe = classes
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["niveaux"].as_array().unwrap().iter().any(|n| n == "PS"))
        .unwrap();
    let cid = classe["id"].as_str().unwrap().to_string();
    post_ok(&s, &d1, &format!("/api/v1/classes/{cid}/placements"), json!({ "eleves": [eid] })).await;
    assert!(
        s.json_as(&d1, &format!("/api/v1/ecoles/{mid}/non-repartis"))
            .await
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"] != eid.as_str())
    );

    // --- Passage: proposals, 15 days of silence, decisions ------------------------------------
    let n = post_ok(&s, &d1, &format!("/api/v1/classes/{cid}/passages"), json!({ "defaut": "passage" })).await;
    assert!(n["propositions"].as_u64().unwrap() >= 1);
    let prop = pdf(&s, &d1, &format!("/api/v1/eleves/{eid}/documents/notification-passage")).await;
    for expected in [
        "NOTIFICATION DE POURSUITE DE SCOLARITÉ",
        "Proposition du conseil des maîtres",
        "QUINTAVALLE",
        "MS",
        "15 jours",
        "14/12/2026",
        "considérée comme acceptée",
    ] {
        assert!(prop.contains(expected), "{expected} missing from the proposal letter:\n{prop}");
    }
    let tot = s.post_as(&d1, &format!("/api/v1/eleves/{eid}/passage/decision"), &json!({ "type": "passage" })).await;
    assert_eq!(tot.status(), 409, "the family has 15 days");
    s.clock.advance(time::Duration::days(16));
    let d1 = s.login("directeur.1").await;
    let r = post_ok(&s, &d1, &format!("/api/v1/classes/{cid}/passages/decisions"), json!({})).await;
    assert!(r["decisions"].as_u64().unwrap() >= 1, "{r}");
    let dec = pdf(&s, &d1, &format!("/api/v1/eleves/{eid}/documents/notification-passage")).await;
    for expected in
        ["Décision", "passage dans la classe supérieure", "MS", "recours", "commission départementale d'appel"]
    {
        assert!(dec.contains(expected), "{expected} missing from the decision letter:\n{dec}");
    }

    // --- Rentrée --------------------------------------------------------------------------------
    let avant_rentree = s.post_as(&s.login("dasen.1").await, "/api/v1/rentree", &json!({})).await;
    assert_eq!(avant_rentree.status(), 409, "not before the year ends");
    assert!(avant_rentree.text().await.unwrap().contains("pas finie"));
    s.clock.set(datetime!(2027-08-28 08:00 UTC));
    let dasen = s.login("dasen.1").await;
    let bilan = post_ok(&s, &dasen, "/api/v1/rentree", json!({})).await;
    assert_eq!(bilan["suivante"], "2027-2028");
    assert!(bilan["reconduits"].as_u64().unwrap() > 0 && bilan["sortants_cm2"].as_u64().unwrap() > 0, "{bilan}");
    let encore = s.post_as(&dasen, "/api/v1/rentree", &json!({})).await;
    assert_eq!(encore.status(), 409);
    assert!(encore.text().await.unwrap().contains("déjà faite"));
    let d1 = s.login("directeur.1").await;
    let fiche = s.json_as(&d1, &format!("/api/v1/eleves/{eid}")).await;
    let nouvelle =
        fiche["scolarites"].as_array().unwrap().iter().find(|s| s["annee"] == "2027-2028").expect("a 2027-2028 record");
    assert_eq!(nouvelle["niveau"], "MS", "the next niveau");
    assert!(nouvelle["classe_id"].is_null(), "awaiting répartition");
    find(&s.json_as(&d1, &format!("/api/v1/ecoles/{mid}/non-repartis")).await, "id", &eid);
    // The 2026-2027 registers were archived as documents.
    let archive = registre::service::documents::dossier_archives(&s.db)
        .join("2026-2027")
        .join(format!("{}.pdf", maternelle["uai"].as_str().unwrap()));
    let texte = pdftotext(&std::fs::read(&archive).expect("archived register"));
    assert!(texte.contains("REGISTRE DES ÉLÈVES INSCRITS") && texte.contains("QUINTAVALLE"));
}

#[tokio::test]
async fn illegal_transitions_are_refused_in_french_and_change_nothing() {
    let s = TestServer::start(120).await;
    let mairie = s.login("mairie.1").await;
    let maternelle = s
        .json_as(&mairie, "/api/v1/ecoles")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "maternelle")
        .unwrap()
        .clone();
    let insc = post_ok(
        &s,
        &mairie,
        "/api/v1/inscriptions",
        json!({ "eleve": { "nom": "Jamais-Admis", "prenoms": "Léon", "sexe": "M", "date_naissance": "01/02/2023", "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
                "ecole_id": maternelle["id"], "niveau": "PS" }),
    )
    .await;
    let (iid, eid) = (insc["id"].as_str().unwrap().to_string(), insc["eleve_id"].as_str().unwrap().to_string());
    let d1 = s.login("directeur.1").await;
    let d2 = s.login("directeur.2").await;
    let un = s.json_as(&d2, "/api/v1/eleves?limite=1").await[0]["id"].as_str().unwrap().to_string();
    post_ok(
        &s,
        &d2,
        &format!("/api/v1/eleves/{un}/radiation"),
        json!({ "motif": "demenagement", "date": "29/11/2026" }),
    )
    .await;
    let before = s.row_counts();
    let cases: Vec<(&Session, String, Value, &str)> = vec![
        (&d1, "/api/v1/admissions".into(), json!({ "inscription_id": iid }), "pas encore confirmée"),
        (
            &d1,
            format!("/api/v1/eleves/{eid}/radiation"),
            json!({ "motif": "demenagement", "date": "29/11/2026" }),
            "pas été admis",
        ),
        (&d2, format!("/api/v1/eleves/{un}/passage/proposition"), json!({ "type": "passage" }), "radié"),
        (
            &d2,
            format!("/api/v1/eleves/{un}/radiation"),
            json!({ "motif": "demenagement", "date": "29/11/2026" }),
            "déjà radié",
        ),
        (&d2, format!("/api/v1/eleves/{un}/admission/completion"), json!({}), "plus dans l'école"),
        // The designated school may not cancel (nor confirm) what the mairie decided.
        (&d1, format!("/api/v1/inscriptions/{iid}/annulation"), json!({}), "c'est à elle"),
        (&d1, format!("/api/v1/inscriptions/{iid}/validation"), json!({}), "c'est à elle"),
        (&mairie, format!("/api/v1/inscriptions/{iid}/annulation"), json!({}), ""),
    ];
    for (sess, path, body, words) in &cases[..7] {
        let res = s.post_as(sess, path, body).await;
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert_eq!(status, 409, "{path}: {v}");
        assert_eq!(v["code"], "transition");
        assert!(v["detail"].as_str().unwrap().contains(words), "{path}: {v}");
    }
    assert_eq!(s.row_counts(), before, "a refused transition changed something");
    // Admitting twice: after a valid admission, the second is refused.
    let (_, path, body, _) = &cases[7];
    post_ok(&s, &mairie, path, body.clone()).await;
    let res = s.post_as(&mairie, &format!("/api/v1/inscriptions/{iid}/annulation"), &json!({})).await;
    assert_eq!(res.status(), 409, "cancelling twice");
    let un_autre = s.json_as(&d1, "/api/v1/eleves?limite=1").await[0]["id"].as_str().unwrap().to_string();
    let before = s.row_counts();
    let res = s
        .post_as(
            &d1,
            "/api/v1/admissions",
            &json!({ "eleve_id": un_autre, "ecole_id": maternelle["id"], "niveau": "MS" }),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("déjà admis"));
    assert_eq!(s.row_counts(), before);
    // A pupil still attending another school cannot be admitted before being radiated there.
    let ailleurs = s.json_as(&d2, "/api/v1/eleves?limite=2").await[1]["id"].as_str().unwrap().to_string();
    let res = s
        .post_as(
            &d1,
            "/api/v1/admissions",
            &json!({ "eleve_id": ailleurs, "ecole_id": maternelle["id"], "niveau": "GS" }),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("doit d'abord le radier"));
    // Only the IA-DASEN (or the operator) makes the rentrée.
    assert_eq!(s.post_as(&d1, "/api/v1/rentree", &json!({})).await.status(), 403);
}

#[tokio::test]
async fn the_duplicate_search_finds_a_pupil_whatever_the_case_accents_and_hyphens() {
    let s = TestServer::start(60).await;
    let d2 = s.login("directeur.2").await;
    let ecole = s.json_as(&d2, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let eleve = json!({ "nom": "Martin-Durand", "prenoms": "Élodie", "sexe": "F", "date_naissance": "03/05/2018", "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    let cree =
        post_ok(&s, &d2, "/api/v1/admissions", json!({ "eleve": eleve, "ecole_id": ecole, "niveau": "CE2" })).await;
    let id = cree["eleve_id"].as_str().unwrap();
    let mairie = s.login("mairie.2").await;
    let c = post_ok(&s, &mairie, "/api/v1/doublons", json!({ "nom": "martin durand", "prenoms": "elodie", "sexe": "F", "date_naissance": "03/05/2018", "naissance_insee": "35001" })).await;
    let found = find(&c, "eleve_id", id);
    assert_eq!(found["nom"], "MARTIN-DURAND");
    assert_eq!(found["prenoms"], "Élodie");
    assert_eq!(found["score"], 100);
    // A new pupil with the same five criteria is not created silently.
    let res =
        s.post_as(&d2, "/api/v1/admissions", &json!({ "eleve": eleve, "ecole_id": ecole, "niveau": "CE2" })).await;
    assert_eq!(res.status(), 409);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "doublons");
    find(&v["candidats"], "eleve_id", id);
    // A different child of the same birth date is not a candidate.
    let c = post_ok(&s, &mairie, "/api/v1/doublons", json!({ "nom": "Nguyen", "prenoms": "Bao", "sexe": "M", "date_naissance": "03/05/2018", "naissance_insee": "99243" })).await;
    assert!(c.as_array().unwrap().iter().all(|x| x["eleve_id"] != id));
}

/// A pupil who left for abroad and came back within the year attends again: the departure's
/// retention clock no longer runs, and 1 January erases nothing of them.
#[tokio::test]
async fn a_pupil_back_from_abroad_is_kept_while_attending() {
    let s = TestServer::start(80).await;
    let d2 = s.login("directeur.2").await;
    let ecole = s.json_as(&d2, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(&d2, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    let niveau = classes[0]["niveaux"][0].as_str().unwrap().to_string();
    let cree = post_ok(
        &s,
        &d2,
        "/api/v1/admissions",
        json!({ "eleve": { "nom": "Oyelaran-Brest", "prenoms": "Idris", "sexe": "M", "date_naissance": "12/01/2021", "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
                "responsables": [{ "nom": "Oyelaran", "prenom": "Funmi", "lien": "mere", "tel_portable": "0699887711" }],
                "ecole_id": ecole, "niveau": niveau }),
    )
    .await;
    let id = cree["eleve_id"].as_str().unwrap().to_string();
    post_ok(
        &s,
        &d2,
        &format!("/api/v1/eleves/{id}/radiation"),
        json!({ "motif": "depart_etranger", "date": "30/11/2026" }),
    )
    .await;
    let horloge = |c: &rusqlite::Connection| -> Option<String> {
        c.query_row("SELECT sortie_premier_degre FROM eleve WHERE id = ?", [&id], |r| r.get(0)).unwrap()
    };
    assert!(horloge(&rusqlite::Connection::open(&s.db).unwrap()).is_some(), "the departure starts the clock");
    post_ok(&s, &d2, "/api/v1/admissions", json!({ "eleve_id": id, "ecole_id": ecole, "niveau": niveau })).await;
    assert_eq!(horloge(&rusqlite::Connection::open(&s.db).unwrap()), None, "the return stops it");
    s.clock.set(datetime!(2027-01-01 00:30 UTC));
    let operateur = registre::audit::Auteur::operateur();
    registre::service::scolarite::purger(&s.state.store, &s.cles, &operateur, s.clock.now(), false).unwrap();
    let d2 = s.login("directeur.2").await;
    let fiche = s.json_as(&d2, &format!("/api/v1/eleves/{id}")).await;
    assert_eq!(fiche["eleve"]["nom"], "OYELARAN-BREST", "{fiche}");
}

#[tokio::test]
async fn a_pupil_who_left_primary_school_is_erased_after_31_december_without_a_trace_in_the_file() {
    let s = TestServer::start(80).await;
    let d2 = s.login("directeur.2").await;
    let ecole = s.json_as(&d2, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let unique = "Zygmuntowicz-Quarrendon";
    let cree = post_ok(
        &s,
        &d2,
        "/api/v1/admissions",
        json!({ "eleve": { "nom": unique, "prenoms": "Anatole", "sexe": "M", "date_naissance": "12/01/2016", "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
                "responsables": [{ "nom": unique, "prenom": "Hortense", "lien": "mere", "tel_portable": "0699887766" }],
                "ecole_id": ecole, "niveau": "CM2" }),
    )
    .await;
    let id = cree["eleve_id"].as_str().unwrap().to_string();
    // Printing the certificate and searching by name leave no name in the journal either.
    assert_eq!(s.get_as(&d2, &format!("/api/v1/eleves/{id}/documents/certificat-scolarite")).await.status(), 200);
    s.json_as(&d2, &format!("/api/v1/eleves?q={unique}")).await;
    s.clock.set(datetime!(2027-08-28 08:00 UTC));
    let dasen = s.login("dasen.1").await;
    post_ok(&s, &dasen, "/api/v1/rentree", json!({})).await;
    let operateur = registre::audit::Auteur::operateur();
    // Still kept in 2027 (the year the pupil left), erased from 1 January 2028.
    s.clock.set(datetime!(2027-12-31 12:00 UTC));
    registre::service::scolarite::purger(&s.state.store, &s.cles, &operateur, s.clock.now(), false).unwrap();
    let dasen = s.login("dasen.1").await;
    assert_eq!(
        s.json_as(&dasen, &format!("/api/v1/eleves/{id}?annee=2026-2027")).await["eleve"]["nom"],
        unique.to_uppercase()
    );
    s.clock.set(datetime!(2028-01-01 00:30 UTC));
    let essai = registre::service::scolarite::purger(&s.state.store, &s.cles, &operateur, s.clock.now(), true).unwrap();
    assert!(essai.eleves >= 1 && essai.essai);
    let dasen = s.login("dasen.1").await;
    assert_eq!(
        s.get_as(&dasen, &format!("/api/v1/eleves/{id}?annee=2026-2027")).await.status(),
        200,
        "a dry run changes nothing"
    );
    let r = registre::service::scolarite::purger(&s.state.store, &s.cles, &operateur, s.clock.now(), false).unwrap();
    assert!(r.eleves >= 1, "{r:?}");
    let again =
        registre::service::scolarite::purger(&s.state.store, &s.cles, &operateur, s.clock.now(), false).unwrap();
    assert_eq!(again.eleves, 0, "idempotent");
    assert_eq!(s.get_as(&dasen, &format!("/api/v1/eleves/{id}?annee=2026-2027")).await.status(), 404);
    let trouve = s.json_as(&dasen, "/api/v1/eleves?q=zygmuntowicz&annee=2026-2027").await;
    assert_eq!(trouve, json!([]));
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM eleve WHERE id = ?", [&id], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
    drop(conn);
    let mut bytes = std::fs::read(&s.db).unwrap();
    if let Ok(w) = std::fs::read(s.db.with_extension("db-wal")) {
        bytes.extend(w);
    }
    for trace in
        [unique.to_uppercase(), unique.to_string(), "zygmuntowicz".into(), "0699887766".into(), "06 99 88 77 66".into()]
    {
        assert!(
            !bytes.windows(trace.len()).any(|w| w == trace.as_bytes()),
            "« {trace} » is still in the database file"
        );
    }
    // The purge is journaled, and the journal still verifies.
    let (anomalie, _) = registre::audit::verifier(&s.state.store, &s.cles).unwrap();
    assert_eq!(anomalie, None);
}

#[tokio::test]
async fn children_schooled_outside_an_ordinary_school_are_registered_with_their_mode() {
    let s = TestServer::start(40).await;
    let mairie = s.login("mairie.1").await;
    let enfant = json!({ "nom": "Le Goff", "prenoms": "Maëlys", "sexe": "F", "date_naissance": "21/06/2018", "naissance_insee": "35001", "naissance_lieu": "Kervalan" });
    // A school mode needs a school; an unknown mode is refused; neither writes anything.
    let before = s.row_counts();
    for (body, message) in [
        (json!({ "eleve": enfant, "niveau": "CE1" }), "désignez l'école"),
        (json!({ "eleve": enfant, "niveau": "CE1", "mode": "correspondance" }), "mode de scolarisation inconnu"),
    ] {
        let res = s.post_as(&mairie, "/api/v1/inscriptions", &body).await;
        assert!(res.status().is_client_error(), "{body}");
        let v: Value = res.json().await.unwrap();
        assert!(v["detail"].as_str().unwrap().contains(message), "{v}");
    }
    assert_eq!(s.row_counts(), before);
    let insc = post_ok(
        &s,
        &mairie,
        "/api/v1/inscriptions",
        json!({ "eleve": enfant, "niveau": "CE1", "mode": "cned",
                "responsables": [{ "nom": "Le Goff", "prenom": "Armelle", "lien": "mere", "tel_portable": "0612121212" }] }),
    )
    .await;
    assert!(insc["ecole_id"].is_null(), "{insc}");
    let iid = insc["id"].as_str().unwrap();
    post_ok(&s, &mairie, &format!("/api/v1/inscriptions/{iid}/validation"), json!({})).await;
    let ci = pdf(&s, &mairie, &format!("/api/v1/inscriptions/{iid}/documents/certificat-inscription")).await;
    for expected in
        ["CERTIFICAT D'INSCRIPTION", "LE GOFF", "Maëlys", "21/06/2018", "CE1", "enseignement à distance (CNED)"]
    {
        assert!(
            ci.contains(expected),
            "{expected} missing:
{ci}"
        );
    }
    // No school awaits this child: the directors' lists of inscriptions do not show it.
    let d1 = s.login("directeur.1").await;
    let attendues = s.json_as(&d1, "/api/v1/inscriptions").await;
    assert!(attendues.as_array().unwrap().iter().all(|i| i["id"] != iid), "{attendues}");
    // A second inscription of the same child for the same year is refused.
    let eid = insc["eleve_id"].as_str().unwrap();
    let res = s
        .post_as(
            &mairie,
            "/api/v1/inscriptions",
            &json!({ "eleve_id": eid, "niveau": "CE1", "mode": "instruction_famille" }),
        )
        .await;
    assert_eq!(res.status(), 409);
}
