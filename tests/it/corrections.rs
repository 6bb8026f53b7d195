//! Correcting a record (API and pages), the returned fiche, rectification requests,
//! opposition, family accounts from the pupil's page, « mot de passe oublié »; with the same
//! perimeter rules as every route (another territory gets 404 and nothing changes, checked on
//! the rows themselves) and hostile text printed literally.

use serde_json::{Value, json};

use crate::helpers::{HOSTILE, Session, TestServer, csrf_de, form, html_texte, pdftotext, post_form};

/// directeur.2's school and one of its classes (id, first niveau).
async fn classe_de(s: &TestServer, d: &Session) -> (String, String, String) {
    let ecoles = s.json_as(d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    (ecole, classes[0]["id"].as_str().unwrap().to_string(), classes[0]["niveaux"][0].as_str().unwrap().to_string())
}

/// Admits a child with one responsable and one contact, with distinctive phones.
pub(crate) async fn admettre(
    s: &TestServer,
    d: &Session,
    nom: &str,
    r_tel: &str,
    k_tel: &str,
    courriel: Option<&str>,
) -> String {
    let (ecole, classe, niveau) = classe_de(s, d).await;
    let body = json!({
        "ecole_id": ecole, "niveau": niveau, "classe_id": classe, "confirmer_nouveau": true,
        "eleve": { "nom": nom, "prenoms": "Lou", "sexe": "F", "date_naissance": "03/05/2018",
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan",
                   "adresse": "4 rue des Lilas", "code_postal": "35000", "commune_residence": "Rennes" },
        "responsables": [{ "civilite": "Mme", "nom": nom, "prenom": "Anne", "lien": "mere",
                           "tel_portable": r_tel, "adresse": "4 rue des Lilas", "courriel": courriel,
                           "code_postal": "35000", "commune": "Rennes" }],
        "contacts": [{ "nom": "Petit", "prenom": "Jo", "telephone": k_tel, "urgence": true }],
    });
    let res = s.post_as(d, "/api/v1/eleves", &body).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn pdf(s: &TestServer, d: &Session, path: &str) -> String {
    let res = s.get_as(d, path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    pdftotext(&res.bytes().await.unwrap())
}

/// The rows of a pupil's record as stored: identity, responsables, contacts, yearly answers.
fn lignes(s: &TestServer, eleve: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT nom || '|' || prenoms || '|' || coalesce(adresse, '') FROM eleve WHERE id = ?1",
        "SELECT r.id || '|' || r.nom || '|' || coalesce(r.tel_portable, '') || '|' || coalesce(r.adresse, '') || '|' || er.lien || er.autorite_parentale
         FROM responsable r JOIN eleve_responsable er ON er.responsable_id = r.id WHERE er.eleve_id = ?1 ORDER BY er.rang",
        "SELECT id || '|' || nom || '|' || telephone || '|' || rang FROM contact WHERE eleve_id = ?1 ORDER BY rang",
        "SELECT coalesce(cantine, -1) || '|' || coalesce(assureur, '') FROM eleve_annuel WHERE eleve_id = ?1",
        "SELECT count(*) FROM fiche_retour WHERE eleve_id = ?1",
        "SELECT count(*) FROM rectification WHERE eleve_id = ?1",
        "SELECT count(*) FROM opposition WHERE eleve_id = ?1",
    ] {
        let mut st = c.prepare(sql).unwrap();
        out.extend(st.query_map([eleve], |r| r.get::<_, String>(0).or_else(|_| r.get::<_, i64>(0).map(|n| n.to_string()))).unwrap().map(Result::unwrap));
    }
    out
}

/// The bytes of the database and its WAL.
fn octets(s: &TestServer) -> Vec<u8> {
    let mut b = std::fs::read(&s.db).unwrap();
    let mut wal = s.db.as_os_str().to_owned();
    wal.push("-wal");
    if let Ok(w) = std::fs::read(std::path::PathBuf::from(wal)) {
        b.extend(w);
    }
    b
}

fn contient(meule: &[u8], aiguille: &str) -> bool {
    meule.windows(aiguille.len()).any(|w| w == aiguille.as_bytes())
}

#[tokio::test]
async fn a_director_corrects_contacts_and_a_phone_the_next_fiche_shows_them_and_the_old_phone_is_gone() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Quéméner", "0781920364", "0247113355", None).await;
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let rid = fiche["responsables"][0]["id"].as_str().unwrap().to_string();
    let kid = fiche["contacts"][0]["id"].as_str().unwrap().to_string();
    assert!(contient(&octets(&s), "07 81 92 03 64"), "the phone is stored as typed (normalised)");

    // Another school's director: 404 on every call, and the rows stay as they were.
    let autre = s.login("directeur.1").await;
    let avant = lignes(&s, &id);
    let resp = json!({ "responsable": { "nom": "X", "prenom": "Y", "lien": "mere", "tel_portable": "0600000000" } });
    for (methode, chemin, corps) in [
        ("PUT", format!("/api/v1/eleves/{id}/contacts"), json!([])),
        ("PUT", format!("/api/v1/eleves/{id}/responsables/{rid}"), resp.clone()),
        ("POST", format!("/api/v1/eleves/{id}/responsables/{rid}/detachement"), json!({})),
        ("POST", format!("/api/v1/eleves/{id}/responsables"), resp.clone()),
        (
            "PUT",
            format!("/api/v1/eleves/{id}/identite"),
            json!({ "nom": "X", "prenoms": "Y", "sexe": "M", "date_naissance": "01/01/2019", "naissance_insee": "35001", "naissance_lieu": "Kervalan" }),
        ),
        ("PUT", format!("/api/v1/eleves/{id}/annuel"), json!({ "cantine": true })),
        ("PUT", format!("/api/v1/eleves/{id}/fiche"), json!({ "fiche_retournee": true })),
        ("POST", format!("/api/v1/eleves/{id}/compte-famille"), json!({ "responsable_id": rid })),
    ] {
        let r = if methode == "PUT" {
            s.put_as(&autre, &chemin, &corps).await
        } else {
            s.post_as(&autre, &chemin, &corps).await
        };
        assert_eq!(r.status(), 404, "{methode} {chemin}");
    }
    let page = post_form(
        &s,
        &format!("/eleves/{id}/fiche"),
        Some(&autre.cookie),
        form(&[("csrf", &autre.csrf), ("e_nom", "X")]),
    )
    .await;
    assert_eq!(page.status(), 404);
    assert_eq!(lignes(&s, &id), avant, "nothing changed");

    // The director: a person to contact added, the first one's phone changed, the order set.
    let res = s.put_as(&d,
        &format!("/api/v1/eleves/{id}/contacts"),
        &json!([
            { "contact": { "nom": "Durand", "prenom": "Marc", "lien": "oncle", "telephone": "0655443322", "recuperer": true } },
            { "id": kid, "contact": { "nom": "Petit", "prenom": "Jo", "telephone": "0311223344", "urgence": true } },
        ]),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let r: Value = res.json().await.unwrap();
    let champs = r["champs"].to_string();
    assert!(champs.contains("contact 1.ajoute") && champs.contains("contact 2.telephone"), "{champs}");
    let res = s.put_as(&d,
        &format!("/api/v1/eleves/{id}/responsables/{rid}"),
        &json!({ "responsable": { "civilite": "Mme", "nom": "Quéméner", "prenom": "Anne", "lien": "mere",
                 "tel_portable": "0798765432", "adresse": "4 rue des Lilas", "code_postal": "35000", "commune": "Rennes" } }),
    )
    .await;
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(r["champs"], json!(["responsable 1.tel_portable"]));

    // The next fiche shows the new values, not the old ones.
    let t = pdf(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements")).await;
    assert!(t.contains("07 98 76 54 32") && t.contains("03 11 22 33 44") && t.contains("DURAND"), "{t}");
    assert!(!t.contains("07 81 92 03 64") && !t.contains("02 47 11 33 55"), "{t}");
    let urgence = pdf(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-urgence")).await;
    assert!(urgence.contains("03 11 22 33 44") && !urgence.contains("02 47 11 33 55"));

    // The journal names the fields, never the values.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let details: Vec<String> = c
        .prepare("SELECT detail FROM journal WHERE eleve_id = ? AND action = 'modifier' AND ressource = 'eleve'")
        .unwrap()
        .query_map([&id], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(details.len(), 2, "{details:?}");
    let tout = details.join(" ");
    assert!(tout.contains("tel_portable") && tout.contains("contact 2.telephone"));
    for valeur in ["07 98", "0798", "03 11", "Durand", "DURAND", "07 81"] {
        assert!(!tout.contains(valeur), "the journal holds a value: {tout}");
    }
    // The database files no longer hold the old phones (secure_delete, WAL truncated).
    let b = octets(&s);
    assert!(!contient(&b, "07 81 92 03 64") && !contient(&b, "02 47 11 33 55"), "an old phone is still in the files");
    assert!(contient(&b, "07 98 76 54 32"));
}

#[tokio::test]
async fn bad_corrections_name_the_field_and_write_nothing_and_the_ine_is_not_corrected() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Bernard", "0781920365", "0247113356", None).await;
    let avant = lignes(&s, &id);
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let rid = fiche["responsables"][0]["id"].as_str().unwrap().to_string();
    for (chemin, corps, champ) in [
        (
            format!("/api/v1/eleves/{id}/contacts"),
            json!([{ "contact": { "nom": "A", "prenom": "B", "telephone": "12", "urgence": true } }]),
            "téléphone du contact",
        ),
        (
            format!("/api/v1/eleves/{id}/contacts"),
            json!([{ "contact": { "nom": "A", "prenom": "B", "telephone": "0299000000" } }]),
            "personne à contacter",
        ),
        (
            format!("/api/v1/eleves/{id}/responsables/{rid}"),
            json!({ "responsable": { "nom": "A", "prenom": "B", "lien": "voisin" } }),
            "lien",
        ),
        (
            format!("/api/v1/eleves/{id}/responsables/{rid}"),
            json!({ "responsable": { "nom": "A", "prenom": "B", "lien": "mere", "courriel": "pas-un-courriel" } }),
            "courriel",
        ),
        (
            format!("/api/v1/eleves/{id}/identite"),
            json!({ "nom": "Bernard", "prenoms": "Lou", "sexe": "F", "date_naissance": "31/02/2018", "naissance_insee": "35001", "naissance_lieu": "Kervalan" }),
            "date de naissance",
        ),
        (
            format!("/api/v1/eleves/{id}/identite"),
            json!({ "nom": "Bernard", "prenoms": "Lou", "sexe": "F", "date_naissance": "03/05/2018", "naissance_insee": "35001", "naissance_lieu": "Kervalan", "ine": "0123456789A" }),
            "INE",
        ),
        (format!("/api/v1/eleves/{id}/identite"), json!({ "nom": "Bernard", "nationalite": "x" }), "nationalite"),
        (format!("/api/v1/eleves/{id}/annuel"), json!({ "assureur": "x".repeat(151) }), "assureur"),
        (format!("/api/v1/eleves/{id}/annuel"), json!({ "assureur": "a".repeat(10_000) }), "assureur"),
        (
            format!("/api/v1/eleves/{id}/contacts"),
            json!([{ "contact": { "nom": "Petit\u{202E}toP", "prenom": "Jo", "telephone": "0299000000", "urgence": true } }]),
            "nom du contact",
        ),
        (
            format!("/api/v1/eleves/{id}/contacts"),
            json!([{ "id": "aaaaaaaaaaaaaaaaaaaa", "contact": { "nom": "A", "prenom": "B", "telephone": "0299000000", "urgence": true } }]),
            "",
        ),
    ] {
        let r = s.put_as(&d, &chemin, &corps).await;
        assert!(r.status().is_client_error(), "{chemin} {corps}");
        let e: Value = r.json().await.unwrap();
        let texte = e.to_string();
        assert!(texte.contains(champ), "{chemin}: {texte} should name {champ}");
    }
    assert_eq!(lignes(&s, &id), avant, "nothing written");
}

#[tokio::test]
async fn a_sibling_s_fiche_shows_a_shared_responsable_s_corrected_address_after_one_edit() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.2").await;
    let aine = admettre(&s, &d, "Morvan", "0781920366", "0247113357", None).await;
    let cadet = admettre(&s, &d, "Morvan", "0781920367", "0247113358", None).await;
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{aine}")).await;
    let mere = fiche["responsables"][0]["id"].as_str().unwrap().to_string();
    // The younger one's record gets the elder's mother (a sibling's responsable of the school).
    let cadette = s.json_as(&d, &format!("/api/v1/eleves/{cadet}")).await;
    let doublon = cadette["responsables"][0]["id"].as_str().unwrap().to_string();
    let r = s.post_as(&d, &format!("/api/v1/eleves/{cadet}/responsables/{doublon}/detachement"), &json!({})).await;
    assert_eq!(r.status(), 200);
    let r = s
        .post_as(&d, &format!("/api/v1/eleves/{cadet}/responsables"), &json!({ "existant": mere, "lien": "mere" }))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // One edit, through the elder's record.
    let r = s.put_as(&d,
        &format!("/api/v1/eleves/{aine}/responsables/{mere}"),
        &json!({ "responsable": { "civilite": "Mme", "nom": "Morvan", "prenom": "Anne", "lien": "mere",
                 "tel_portable": "0781920366", "adresse": "12 allée des Embruns", "code_postal": "35400", "commune": "Saint-Malo" } }),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["freres_et_soeurs"], 1);
    let t = pdf(&s, &d, &format!("/api/v1/eleves/{cadet}/documents/fiche-renseignements")).await;
    assert!(t.contains("12 allée des Embruns") && t.contains("Saint-Malo"), "{t}");
    assert!(!t.contains("4 rue des Lilas 35000 Rennes Tél"), "{t}");
    // The younger one's log says a responsable's details were corrected.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM journal WHERE eleve_id = ? AND ressource = 'responsable' AND action = 'modifier'",
            [&cadet],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    // Attaching a responsable from another school is refused as not found.
    let autre = s.login("directeur.1").await;
    let ailleurs = s.json_as(&autre, "/api/v1/eleves?limite=1").await;
    let fiche_ailleurs = s.json_as(&autre, &format!("/api/v1/eleves/{}", ailleurs[0]["id"].as_str().unwrap())).await;
    let etranger = fiche_ailleurs["responsables"][0]["id"].as_str().unwrap();
    let avant = lignes(&s, &cadet);
    let r = s
        .post_as(&d, &format!("/api/v1/eleves/{cadet}/responsables"), &json!({ "existant": etranger, "lien": "pere" }))
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(lignes(&s, &cadet), avant);
}

/// A family account for the pupil's first responsable, created from the pupil's page (the
/// select lists the responsables; no id typed), activated; returns the session.
pub(crate) async fn compte_famille_par_la_page(s: &TestServer, d: &Session, eleve: &str) -> (Session, String) {
    let page = s.get_as(d, &format!("/eleves/{eleve}")).await.text().await.unwrap();
    assert!(page.contains("Compte de la famille") && page.contains("Créer son compte"));
    let i = page.find("name=\"responsable\"").expect("the select of responsables");
    let j = page[i..].find("<option value=\"").unwrap() + i + 15;
    let rid = page[j..j + 20].to_string();
    let res = post_form(
        s,
        &format!("/eleves/{eleve}/compte-famille"),
        Some(&d.cookie),
        form(&[("csrf", &csrf_de(&page)), ("responsable", &rid)]),
    )
    .await;
    assert_eq!(res.status(), 201);
    let html = html_texte(&res.text().await.unwrap());
    assert!(html.contains("<svg"), "a QR code for the letter");
    let i = html.find("activer?jeton=").unwrap();
    let jeton = html[i + 14..i + 14 + 64].to_string();
    let i = html.find("identifiant « ").unwrap() + "identifiant « ".len();
    let login = html[i..].split(' ').next().unwrap().to_string();
    let mdp = "les mouettes du port";
    let r = s
        .post_as(
            &Session { cookie: String::new(), csrf: String::new(), login: String::new() },
            "/api/v1/activation",
            &json!({ "jeton": jeton, "mot_de_passe": mdp }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = s
        .client
        .post(s.url("/api/v1/login"))
        .json(&json!({ "login": login, "mot_de_passe": mdp }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = crate::helpers::cookie_de(&r);
    let v: Value = r.json().await.unwrap();
    (Session { cookie, csrf: v["csrf"].as_str().unwrap().into(), login: login.clone() }, rid)
}

#[tokio::test]
async fn a_director_creates_a_family_account_from_the_pupil_s_page_and_it_sees_that_child_only() {
    let s = TestServer::start(40).await;
    // Links sent by mail are built from the installation's public address only.
    let out = crate::helpers::registre()
        .args(["admin", "url-publique", "https://registre.ac-test.fr", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Le Goff", "0781920368", "0247113359", Some("anne.legoff@exemple.fr")).await;
    let (p, _) = compte_famille_par_la_page(&s, &d, &id).await;
    assert_eq!(p.login, "anne.legoff@exemple.fr", "the e-mail on file is the login");
    // The activation link went to the outbox as a mail.
    let mut dossier = s.db.as_os_str().to_owned();
    dossier.push(".courrier");
    let dossier = std::path::PathBuf::from(dossier);
    let mails = || -> Vec<String> {
        let mut l: Vec<_> = std::fs::read_dir(&dossier).unwrap().map(|e| e.unwrap().path()).collect();
        l.sort();
        l.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect()
    };
    assert_eq!(mails().len(), 1);
    let m = &mails()[0];
    assert!(
        m.starts_with("To: anne.legoff@exemple.fr\r\n") && m.contains("https://registre.ac-test.fr/activer?jeton=")
    );
    // « Mot de passe oublié » with a forged Host: the mailed link still points at the public
    // address, never at the host the request named.
    let r = s
        .client
        .post(s.url("/api/v1/mot-de-passe-oublie"))
        .header("host", "pirate.example")
        .json(&json!({ "login": "anne.legoff@exemple.fr" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mut recu = Vec::new();
    for _ in 0..50 {
        recu = mails();
        if recu.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(recu.len(), 2, "the reset link was mailed");
    let tout = recu.join("\n");
    assert!(tout.contains("https://registre.ac-test.fr/reinitialiser?jeton=") && !tout.contains("pirate"), "{tout}");
    // The account sees that child and no other.
    let enfants = s.json_as(&p, "/api/v1/eleves").await;
    let ids: Vec<&str> = enfants.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![id.as_str()]);
    let autre = s.json_as(&d, "/api/v1/eleves?limite=2").await;
    let autre = autre.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).find(|e| *e != id).unwrap();
    assert_eq!(s.get_as(&p, &format!("/api/v1/eleves/{autre}")).await.status(), 404);
    // The family downloads the fiche, the relevé and the certificat de scolarité of the child.
    for doc in ["fiche-renseignements", "releve-donnees", "certificat-scolarite"] {
        let t = pdf(&s, &p, &format!("/api/v1/eleves/{id}/documents/{doc}")).await;
        assert!(t.to_uppercase().contains("LE GOFF"), "{doc}");
        assert_eq!(s.get_as(&p, &format!("/api/v1/eleves/{autre}/documents/{doc}")).await.status(), 404);
    }
    // The log reads in words a parent understands.
    let page = html_texte(&s.get_as(&p, &format!("/eleves/{id}")).await.text().await.unwrap());
    assert!(page.contains("impression de la fiche de renseignements"), "{page}");
    // A second account for the same responsable is refused in French.
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let rid = fiche["responsables"][0]["id"].as_str().unwrap();
    let r = s.post_as(&d, &format!("/api/v1/eleves/{id}/compte-famille"), &json!({ "responsable_id": rid })).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("déjà un compte"));
}

#[tokio::test]
async fn a_rectification_is_filed_by_the_parent_decided_by_the_school_and_seen_by_the_family() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Tanguy", "0781920369", "0247113360", None).await;
    let (p, moi) = compte_famille_par_la_page(&s, &d, &id).await;
    // Filed from the parents' page.
    let page = s.get_as(&p, &format!("/eleves/{id}")).await.text().await.unwrap();
    assert!(page.contains("Demander une correction"));
    let res = post_form(
        &s,
        &format!("/eleves/{id}/rectification"),
        Some(&p.cookie),
        form(&[
            ("csrf", &csrf_de(&page)),
            ("champ", "eleve.adresse"),
            ("valeur", "12 rue Neuve"),
            ("commentaire", "Déménagement en octobre"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 303);
    // The director sees it on the home page, and accepts: the record changes.
    let accueil = html_texte(&s.get_as(&d, "/").await.text().await.unwrap());
    assert!(accueil.contains("Demandes de rectification") && accueil.contains("adresse de l'enfant"), "{accueil}");
    let liste = s.json_as(&d, "/api/v1/rectifications?etat=en_attente").await;
    let rect = liste.as_array().unwrap().iter().find(|r| r["eleve_id"] == id.as_str()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s.post_as(&d, &format!("/api/v1/rectifications/{rect}/decision"), &json!({ "accepter": true })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    assert_eq!(fiche["eleve"]["adresse"], "12 rue Neuve");
    let vue = s.json_as(&p, &format!("/api/v1/eleves/{id}/rectifications")).await;
    assert_eq!(vue[0]["etat"], "acceptee");
    assert!(vue[0]["valeur"].is_null() && vue[0]["commentaire"].is_null(), "the proposal is not kept once decided");
    let page = html_texte(&s.get_as(&p, &format!("/eleves/{id}")).await.text().await.unwrap());
    assert!(page.contains("acceptée"));
    // A refused one leaves the record unchanged and shows the reason.
    let r = s
        .post_as(
            &p,
            &format!("/api/v1/eleves/{id}/rectifications"),
            &json!({ "champ": format!("responsable.{moi}.tel_portable"), "valeur": "0611111111" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let rect = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let avant = lignes(&s, &id);
    let r = s.post_as(&d, &format!("/api/v1/rectifications/{rect}/decision"), &json!({ "accepter": false })).await;
    assert_eq!(r.status(), 422, "a refusal needs a reason");
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/rectifications/{rect}/decision"),
            &json!({ "accepter": false, "motif": "Numéro non confirmé par téléphone" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(lignes(&s, &id)[..3], avant[..3], "record unchanged");
    let page = html_texte(&s.get_as(&p, &format!("/eleves/{id}")).await.text().await.unwrap());
    assert!(page.contains("refusée") && page.contains("Numéro non confirmé par téléphone"));
    // The relevé des données (right of access) lists the family's requests and their outcome.
    let t = pdf(&s, &p, &format!("/api/v1/eleves/{id}/documents/releve-donnees")).await;
    assert!(t.contains("Demandes de la famille") && t.contains("adresse de l'enfant") && t.contains("acceptée"), "{t}");
    assert!(
        t.contains("Numéro non confirmé par téléphone") && !t.contains("0611111111") && !t.contains("06 11 11 11 11"),
        "{t}"
    );
    let r = s.post_as(&d, &format!("/api/v1/rectifications/{rect}/decision"), &json!({ "accepter": true })).await;
    assert_eq!(r.status(), 409, "decided once");
    // A second parent, with an account of their own, sees the request but not its words.
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{id}/responsables"),
            &json!({ "responsable": { "civilite": "M.", "nom": "Tanguy", "prenom": "Yves", "lien": "pere" } }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let pere = fiche["responsables"][1]["id"].as_str().unwrap().to_string();
    let r = s.post_as(&d, &format!("/api/v1/eleves/{id}/compte-famille"), &json!({ "responsable_id": pere })).await;
    assert_eq!(r.status(), 201);
    let lien = r.json::<Value>().await.unwrap();
    let jeton = lien["lien_activation"].as_str().unwrap().rsplit('=').next().unwrap().to_string();
    let mdp = "le phare de la pointe";
    let anonyme = Session { cookie: String::new(), csrf: String::new(), login: String::new() };
    assert_eq!(
        s.post_as(&anonyme, "/api/v1/activation", &json!({ "jeton": jeton, "mot_de_passe": mdp })).await.status(),
        200
    );
    let r = s
        .client
        .post(s.url("/api/v1/login"))
        .json(&json!({ "login": lien["login"], "mot_de_passe": mdp }))
        .send()
        .await
        .unwrap();
    let cookie = crate::helpers::cookie_de(&r);
    let v: Value = r.json().await.unwrap();
    let p2 = Session { cookie, csrf: v["csrf"].as_str().unwrap().into(), login: "pere".into() };
    let r = s
        .post_as(&p, &format!("/api/v1/eleves/{id}/rectifications"), &json!({ "champ": format!("responsable.{moi}.adresse"), "valeur": "9 chemin Secret", "commentaire": "à ne pas divulguer" }))
        .await;
    assert_eq!(r.status(), 201);
    let vue = s.json_as(&p2, &format!("/api/v1/eleves/{id}/rectifications")).await.to_string();
    assert!(vue.contains("en_attente") && !vue.contains("9 chemin Secret") && !vue.contains("divulguer"), "{vue}");
    let page = s.get_as(&p2, &format!("/eleves/{id}")).await.text().await.unwrap();
    assert!(!page.contains("9 chemin Secret"));
    assert!(
        s.json_as(&p, &format!("/api/v1/eleves/{id}/rectifications")).await.to_string().contains("9 chemin Secret")
    );
    // The parent cannot ask about the other parent's details, nor file for another family's child.
    let r = s
        .post_as(
            &p,
            &format!("/api/v1/eleves/{id}/rectifications"),
            &json!({ "champ": "responsable.aaaaaaaaaaaaaaaaaaaa.courriel", "valeur": "x@y.fr" }),
        )
        .await;
    assert_eq!(r.status(), 422);
    let autre = s.json_as(&d, "/api/v1/eleves?limite=2").await;
    let autre =
        autre.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).find(|e| *e != id).unwrap().to_string();
    let avant = lignes(&s, &autre);
    let r = s
        .post_as(
            &p,
            &format!("/api/v1/eleves/{autre}/rectifications"),
            &json!({ "champ": "eleve.adresse", "valeur": "1 rue" }),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = s.post_as(&p, &format!("/api/v1/eleves/{autre}/oppositions"), &json!({ "motifs": "x" })).await;
    assert_eq!(r.status(), 404);
    assert_eq!(lignes(&s, &autre), avant);
    // A parent cannot correct the record directly, nor decide.
    let r = s.put_as(&p, &format!("/api/v1/eleves/{id}/annuel"), &json!({ "cantine": true })).await;
    assert!(r.status() == 403 || r.status() == 404);
    let r = s.post_as(&p, &format!("/api/v1/rectifications/{rect}/decision"), &json!({ "accepter": true })).await;
    assert!(r.status() == 403 || r.status() == 404);
}

#[tokio::test]
async fn an_opposition_is_filed_by_the_family_and_decided_by_the_ia_dasen_with_a_reason() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Riou", "0781920370", "0247113361", None).await;
    let (p, _) = compte_famille_par_la_page(&s, &d, &id).await;
    let r = s
        .post_as(
            &p,
            &format!("/api/v1/eleves/{id}/oppositions"),
            &json!({ "motifs": "Famille protégée par une ordonnance" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = s.post_as(&p, &format!("/api/v1/eleves/{id}/oppositions"), &json!({ "motifs": "encore" })).await;
    assert_eq!(r.status(), 409, "one pending at a time");
    // The director cannot decide; the IA-DASEN of another département does not see it.
    let liste = s.json_as(&s.login("dasen.1").await, "/api/v1/oppositions?etat=en_attente").await;
    let dasen = if liste.as_array().unwrap().is_empty() { s.login("dasen.2").await } else { s.login("dasen.1").await };
    let autre_dasen = if dasen.login == "dasen.1" { s.login("dasen.2").await } else { s.login("dasen.1").await };
    assert!(s.json_as(&autre_dasen, "/api/v1/oppositions").await.as_array().unwrap().is_empty());
    let liste = s.json_as(&dasen, "/api/v1/oppositions?etat=en_attente").await;
    let opp = liste[0]["id"].as_str().unwrap().to_string();
    assert_eq!(liste[0]["motifs"], "Famille protégée par une ordonnance");
    let r =
        s.post_as(&d, &format!("/api/v1/oppositions/{opp}/decision"), &json!({ "accepter": true, "motif": "x" })).await;
    assert!(r.status() == 403 || r.status() == 404);
    let r = s
        .post_as(
            &autre_dasen,
            &format!("/api/v1/oppositions/{opp}/decision"),
            &json!({ "accepter": true, "motif": "x" }),
        )
        .await;
    assert_eq!(r.status(), 404);
    let r = s.post_as(&dasen, &format!("/api/v1/oppositions/{opp}/decision"), &json!({ "accepter": true })).await;
    assert_eq!(r.status(), 422, "a decision needs a reason");
    // From the IA-DASEN's page.
    let page = s.get_as(&dasen, "/oppositions").await.text().await.unwrap();
    assert!(page.contains("Famille protégée"));
    let res = post_form(
        &s,
        &format!("/oppositions/{opp}/decision"),
        Some(&dasen.cookie),
        form(&[("csrf", &csrf_de(&page)), ("decision", "accepter"), ("motif", "Motif légitime établi")]),
    )
    .await;
    assert_eq!(res.status(), 303);
    let vue = s.json_as(&p, &format!("/api/v1/eleves/{id}/oppositions")).await;
    assert_eq!(vue[0]["etat"], "acceptee");
    assert_eq!(vue[0]["motif_decision"], "Motif légitime établi");
    assert!(vue[0]["motifs"].is_null(), "the family's reasons are not kept once decided");
    // An accepted opposition leaves the child out of the statistical releases.
    let r = s.post_as(&dasen, "/api/v1/publications", &json!({})).await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["exclus"], 1, "{p}");
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM journal WHERE eleve_id = ? AND ressource = 'opposition'", [&id], |r| r.get(0))
        .unwrap();
    assert!(n >= 2, "filed and decided are journaled");
}

#[tokio::test]
async fn the_returned_fiche_is_typed_on_one_page_and_the_class_shows_it_came_back() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.2").await;
    let id = admettre(&s, &d, "Guivarc'h", "0781920371", "0247113362", None).await;
    let page = s.get_as(&d, &format!("/eleves/{id}/fiche")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"Rennes\"") && html.contains("07 81 92 03 71"), "prefilled");
    // Every field as the form sends it back, with the family's corrections and a new contact.
    let mut champs: Vec<(String, String)> = Vec::new();
    let mut reste = html.as_str();
    while let Some(i) = reste.find("<input ") {
        let fin = reste[i..].find('>').unwrap() + i;
        let balise = &reste[i..fin];
        reste = &reste[fin..];
        let attr = |a: &str| {
            balise.find(&format!("{a}=\"")).map(|k| {
                let d = k + a.len() + 2;
                balise[d..d + balise[d..].find('"').unwrap()].to_string()
            })
        };
        let (Some(nom), valeur) = (attr("name"), attr("value")) else { continue };
        if balise.contains("type=\"checkbox\"") && !balise.contains(" checked") {
            continue;
        }
        champs.push((nom, html_texte(&valeur.unwrap_or_default())));
    }
    let mut reste = html.as_str();
    while let Some(i) = reste.find("<select name=\"") {
        let nom_debut = i + 14;
        let nom = reste[nom_debut..nom_debut + reste[nom_debut..].find('"').unwrap()].to_string();
        let fin = reste[i..].find("</select>").unwrap() + i;
        let bloc = &reste[i..fin];
        let valeur = bloc.find(" selected").map(|k| {
            let debut = bloc[..k].rfind("value=\"").unwrap() + 7;
            bloc[debut..debut + bloc[debut..].find('"').unwrap()].to_string()
        });
        champs.push((nom, valeur.unwrap_or_default()));
        reste = &reste[fin..];
    }
    let poser = |champs: &mut Vec<(String, String)>, k: &str, v: &str| {
        champs.retain(|(n, _)| n != k);
        champs.push((k.to_string(), v.to_string()));
    };
    poser(&mut champs, "r1_tel_portable", "0712345678");
    poser(&mut champs, "a_cantine", "oui");
    poser(&mut champs, "a_assureur", HOSTILE);
    poser(&mut champs, "c2_nom", "Kerjean");
    poser(&mut champs, "c2_prenom", "Yann");
    poser(&mut champs, "c2_telephone", "0299887766");
    poser(&mut champs, "c2_urgence", "on");
    poser(&mut champs, "fiche_retournee", "on");
    let paires: Vec<(&str, &str)> = champs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = post_form(&s, &format!("/eleves/{id}/fiche"), Some(&d.cookie), form(&paires)).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(res.headers()["location"].to_str().unwrap().ends_with("fait=fiche_retournee"));
    let t = pdf(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements")).await;
    assert!(t.contains("07 12 34 56 78") && t.contains("KERJEAN") && t.contains("02 99 88 77 66"), "{t}");
    assert!(t.contains("#exit() $x$ *gras*"), "hostile text printed literally: {t}");
    // The class page shows which fiches came back.
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let classe = fiche["scolarites"][0]["classe_id"].as_str().unwrap();
    let page = html_texte(&s.get_as(&d, &format!("/classes/{classe}")).await.text().await.unwrap());
    assert!(page.contains("fiches de renseignements revenues : 1 sur"), "{page}");
    // A refused form comes back with what was typed and the message.
    poser(&mut champs, "e_date_naissance", "31/02/2018");
    poser(&mut champs, "c2_nom", "Kerbrat");
    let paires: Vec<(&str, &str)> = champs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = post_form(&s, &format!("/eleves/{id}/fiche"), Some(&d.cookie), form(&paires)).await;
    assert_eq!(res.status(), 422);
    let html = html_texte(&res.text().await.unwrap());
    assert!(html.contains("Date de naissance") && html.contains("value=\"Kerbrat\""), "{html}");
}

#[tokio::test]
async fn a_mairie_corrects_the_etat_civil_it_recorded_and_nothing_else() {
    let s = TestServer::start(30).await;
    let m = s.login("mairie.1").await;
    let ecoles = s.json_as(&m, "/api/v1/ecoles").await;
    // The school of directeur.1, in mairie.1's commune.
    let d = s.login("directeur.1").await;
    let ecole_d = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let ecole = ecole_d["id"].as_str().unwrap();
    assert!(ecoles.as_array().unwrap().iter().any(|e| e["id"] == ecole), "the mairie sees the school");
    let (niveau, naissance) =
        if ecole_d["type"] == "elementaire" { ("CP", "12/03/2020") } else { ("PS", "12/03/2023") };
    let body = json!({ "mode": "ecole", "ecole_id": ecole, "niveau": niveau, "confirmer_nouveau": true,
        "eleve": { "nom": "Cariou", "prenoms": "Nolwenn", "sexe": "F", "date_naissance": naissance,
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan", "adresse": "1 rue du Port" } });
    let r = s.post_as(&m, "/api/v1/inscriptions", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["eleve_id"].as_str().unwrap().to_string();
    let r = s.put_as(&m, &format!("/api/v1/eleves/{id}/identite"), &json!({ "nom": "Cariou", "prenoms": "Nolwenn Anne", "sexe": "F", "date_naissance": naissance, "naissance_insee": "35001", "naissance_lieu": "Kervalan", "adresse": "3 rue du Port" })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let champs = r.json::<Value>().await.unwrap()["champs"].to_string();
    assert!(champs.contains("eleve.prenoms") && champs.contains("eleve.adresse"));
    let r = s.put_as(&m, &format!("/api/v1/eleves/{id}/annuel"), &json!({ "cantine": true })).await;
    assert_eq!(r.status(), 403, "the mairie corrects the état civil only");
    let r = s.put_as(&m, &format!("/api/v1/eleves/{id}/fiche"), &json!({ "fiche_retournee": true })).await;
    assert_eq!(r.status(), 403);
    let autre = s.login("mairie.2").await;
    let avant = lignes(&s, &id);
    let r = s.put_as(&autre, &format!("/api/v1/eleves/{id}/identite"), &json!({ "nom": "X", "prenoms": "Y", "sexe": "F", "date_naissance": naissance, "naissance_insee": "35001", "naissance_lieu": "Kervalan" })).await;
    assert_eq!(r.status(), 404);
    assert_eq!(lignes(&s, &id), avant);
    let page = s.get_as(&m, &format!("/eleves/{id}/fiche")).await.text().await.unwrap();
    assert!(page.contains("Corriger l'état civil") && !page.contains("Responsable légal"));
    assert!(!page.contains("r1_id") && !page.contains("n_c"), "no id nor count of what the mairie may not see");
    // The mairie never sees the INE, so it may not test a guess either.
    let r = s.put_as(&m, &format!("/api/v1/eleves/{id}/identite"), &json!({ "nom": "Cariou", "prenoms": "Nolwenn Anne", "sexe": "F", "date_naissance": naissance, "naissance_insee": "35001", "naissance_lieu": "Kervalan", "ine": "0123456789A" })).await;
    assert_eq!(r.status(), 403);
    // Once the school admits the child, the school corrects: the mairie no longer does.
    {
        let inscriptions = s.json_as(&m, "/api/v1/inscriptions").await;
        let insc = inscriptions.as_array().unwrap().iter().find(|i| i["eleve_id"] == id.as_str()).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(s.post_as(&m, &format!("/api/v1/inscriptions/{insc}/validation"), &json!({})).await.status(), 200);
        let r = s.post_as(&d, "/api/v1/admissions", &json!({ "inscription_id": insc })).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let r = s.put_as(&m, &format!("/api/v1/eleves/{id}/identite"), &json!({ "nom": "Cariou", "prenoms": "Nolwenn", "sexe": "F", "date_naissance": naissance, "naissance_insee": "35001", "naissance_lieu": "Kervalan" })).await;
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn staff_accounts_are_created_by_picking_a_territory_and_a_forgotten_password_reveals_nothing() {
    let s = TestServer::start(30).await;
    let dasen = s.login("dasen.1").await;
    let page = html_texte(&s.get_as(&dasen, "/comptes?role=ien").await.text().await.unwrap());
    assert!(page.contains("Circonscription") && page.contains("<select id=\"territoire\""));
    let i = page.find("<select id=\"territoire\"").unwrap();
    let j = page[i..].find("<option value=\"").unwrap() + i;
    let j = page[j + 15..].find("<option value=\"").unwrap() + j + 15 + 15;
    let circo = page[j..j + 20].to_string();
    let res = post_form(
        &s,
        "/comptes",
        Some(&dasen.cookie),
        form(&[
            ("csrf", &csrf_de(&page)),
            ("role", "ien"),
            ("perimetre", "circonscription"),
            ("territoire", &circo),
            ("login", "ien.nouveau"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    // Kinds that do not fit the role are not offered: no school list for an IEN.
    assert!(!page.contains("École (UAI"));
    // « Mot de passe oublié »: the same answer for a known and an unknown login; the request
    // waits for the account's manager.
    let connu = post_form(&s, "/mot-de-passe-oublie", None, form(&[("login", "directeur.1")])).await;
    let inconnu = post_form(&s, "/mot-de-passe-oublie", None, form(&[("login", "personne.inconnue")])).await;
    assert_eq!(connu.status(), inconnu.status());
    assert_eq!(connu.text().await.unwrap(), inconnu.text().await.unwrap());
    let a = s
        .client
        .post(s.url("/api/v1/mot-de-passe-oublie"))
        .json(&json!({ "login": "directeur.2" }))
        .send()
        .await
        .unwrap();
    let b =
        s.client.post(s.url("/api/v1/mot-de-passe-oublie")).json(&json!({ "login": "nobody" })).send().await.unwrap();
    assert_eq!((a.status(), b.status()), (reqwest::StatusCode::ACCEPTED, reqwest::StatusCode::ACCEPTED));
    assert_eq!(a.text().await.unwrap(), b.text().await.unwrap());
    // Handled in the background (the answer's timing tells nothing): the manager sees it soon.
    let gestionnaire = {
        let comptes = s.json_as(&dasen, "/api/v1/comptes").await;
        if comptes.as_array().unwrap().iter().any(|k| k["login"] == "directeur.1") {
            dasen
        } else {
            s.login("dasen.2").await
        }
    };
    let mut vue = false;
    for _ in 0..50 {
        let comptes = s.json_as(&gestionnaire, "/api/v1/comptes").await;
        let d1 = comptes.as_array().unwrap().iter().find(|k| k["login"] == "directeur.1").unwrap().clone();
        if d1["demande_reinitialisation"] == true {
            vue = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(vue, "the manager sees the request");
    let login = s.client.get(s.url("/connexion")).send().await.unwrap().text().await.unwrap();
    assert!(login.contains("/mot-de-passe-oublie"));
}
