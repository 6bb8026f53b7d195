//! The yearly check online: a campaign, families that confirm, correct or do not answer, the
//! school's decisions, the paper for the others, the reminders; and every road tried from
//! outside its perimeter or its rights.

use serde_json::{Value, json};

use crate::corrections::compte_famille_par_la_page;
use crate::helpers::{Session, TestServer, csrf_de, form, html_texte, pdftotext, post_form};

/// A class of its own, and `n` pupils admitted in it, each with one responsable (with an
/// e-mail) holding a family account: (class, [(pupil, family session, responsable)]).
pub(crate) async fn familles(
    s: &TestServer,
    d: &Session,
    noms: &[&str],
) -> (String, String, Vec<(String, Session, String)>) {
    let ecole = s.json_as(d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let r = s
        .post_as(
            d,
            &format!("/api/v1/ecoles/{ecole}/classes/nouvelle"),
            &json!({ "libelle": "CE1-V", "niveaux": ["CE1"] }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let classe = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let mut out = Vec::new();
    for (i, nom) in noms.iter().enumerate() {
        let body = json!({
            "ecole_id": ecole, "niveau": "CE1", "classe_id": classe, "confirmer_nouveau": true,
            "eleve": { "nom": nom, "prenoms": "Lou", "sexe": "F", "date_naissance": "03/05/2018",
                       "naissance_insee": "35001", "naissance_lieu": "Kervalan",
                       "adresse": "4 rue des Lilas", "code_postal": "35000", "commune_residence": "Rennes" },
            "responsables": [{ "civilite": "Mme", "nom": nom, "prenom": "Anne", "lien": "mere",
                               "tel_portable": format!("060000000{i}"), "adresse": "4 rue des Lilas",
                               "courriel": format!("{}@exemple.fr", nom.to_lowercase()),
                               "code_postal": "35000", "commune": "Rennes" }],
            "contacts": [{ "nom": "Petit", "prenom": "Jo", "telephone": "0299000000", "urgence": true }],
        });
        let r = s.post_as(d, "/api/v1/eleves", &body).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let (p, rid) = compte_famille_par_la_page(s, d, &id).await;
        out.push((id, p, rid));
    }
    (ecole, classe, out)
}

/// Opens the school's campaign until 15 December, with a reminder today.
pub(crate) async fn ouvrir(s: &TestServer, d: &Session, ecole: &str) {
    let r = s
        .put_as(
            d,
            &format!("/api/v1/ecoles/{ecole}/verification-annuelle"),
            &json!({ "fin": "2026-12-15", "relances": ["2026-11-29", "2026-12-10"] }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ouverte"], true);
    assert_eq!(v["fin_libelle"], "15/12/2026");
}

/// A family's answer for one block of `eleve`'s check (the API).
async fn repondre(s: &TestServer, p: &Session, eleve: &str, corps: &Value) -> reqwest::Response {
    s.post_as(p, &format!("/api/v1/eleves/{eleve}/verification-annuelle"), corps).await
}

/// The block of a pupil's check.
fn bloc<'v>(v: &'v Value, nom: &str) -> &'v Value {
    v["blocs"].as_array().unwrap().iter().find(|b| b["bloc"] == nom).unwrap_or_else(|| panic!("no block {nom}: {v}"))
}

/// The stored rows of a pupil's record that a family's answer could change.
fn lignes(s: &TestServer, eleve: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT coalesce(adresse, '') || '|' || coalesce(commune_residence, '') FROM eleve WHERE id = ?1",
        "SELECT r.nom || '|' || coalesce(r.tel_portable, '') || '|' || coalesce(r.adresse, '') FROM responsable r
         JOIN eleve_responsable er ON er.responsable_id = r.id WHERE er.eleve_id = ?1 ORDER BY er.rang",
        "SELECT nom || '|' || telephone || '|' || rang FROM contact WHERE eleve_id = ?1 ORDER BY rang",
        "SELECT coalesce(cantine, -1) || '|' || coalesce(assureur, '') FROM eleve_annuel WHERE eleve_id = ?1",
        "SELECT ine FROM eleve WHERE id = ?1",
    ] {
        let mut st = c.prepare(sql).unwrap();
        out.extend(
            st.query_map([eleve], |r| r.get::<_, Option<String>>(0)).unwrap().map(|x| x.unwrap().unwrap_or_default()),
        );
    }
    out
}

async fn attendre(s: &TestServer, d: &Session, id: &str) -> Value {
    for _ in 0..1200 {
        let v = s.json_as(d, &format!("/api/v1/impressions/{id}")).await;
        if !matches!(v["etat"].as_str(), Some("en_attente" | "en_cours")) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the print run never finished");
}

#[tokio::test]
async fn a_campaign_from_the_families_answers_to_the_school_s_decisions_and_the_paper_for_the_rest() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.2").await;
    let (ecole, classe, f) = familles(&s, &d, &["Abalain", "Bervas", "Cadiou"]).await;
    let [(a, pa, _), (b, pb, rb), (c, _pc, _)] = &f[..] else { unreachable!() };
    // Before the campaign, a family cannot answer.
    let r = s.post_as(pa, &format!("/api/v1/eleves/{a}/verification-annuelle/confirmation"), &json!({})).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("n'a pas ouvert"));
    ouvrir(&s, &d, &ecole).await;
    // The family's home page says what waits, and links to it.
    let accueil = html_texte(&s.get_as(pa, "/").await.text().await.unwrap());
    assert!(accueil.contains("Vérifiez la fiche de renseignements de Lou avant le 15/12/2026"), "{accueil}");

    // A confirms everything as it is.
    let r = s.post_as(pa, &format!("/api/v1/eleves/{a}/verification-annuelle/confirmation"), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["etat"], "verifie", "{v}");
    // Online, as on paper: the fiche counts as returned.
    let retour: i64 = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row("SELECT count(*) FROM fiche_retour WHERE eleve_id = ?", [a], |r| r.get(0))
        .unwrap();
    assert_eq!(retour, 1);

    // A confirmed block may still be corrected while the campaign is open.
    let r = repondre(&s, pa, a, &json!({ "bloc": "annuel", "valeurs": { "cantine": "oui" } })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["etat"], "a_decider");

    // B corrects a phone and adds a contact, then confirms the rest.
    let avant_b = lignes(&s, b);
    let r = repondre(&s, pb, b, &json!({ "bloc": "responsable", "valeurs": { "tel_portable": "0699887766" } })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let vue = s.json_as(pb, &format!("/api/v1/eleves/{b}/verification-annuelle")).await;
    let contacts = &bloc(&vue, "contacts")["contacts"];
    let garde = contacts[0]["id"].as_str().unwrap();
    let r = repondre(&s, pb, b, &json!({ "bloc": "contacts", "contacts": [
                { "id": garde, "valeurs": {} },
                { "valeurs": { "nom": "Martin", "prenom": "Léa", "lien": "voisine", "telephone": "0611223344", "urgence": "oui" } }
            ] })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = s.post_as(pb, &format!("/api/v1/eleves/{b}/verification-annuelle/confirmation"), &json!({})).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["etat"], "a_decider", "{v}");
    // A block answered is answered: no second answer while the school has not decided.
    let r = repondre(&s, pb, b, &json!({ "bloc": "responsable", "valeurs": { "tel_portable": "0600000009" } })).await;
    assert_eq!(r.status(), 409);
    // Nothing a family sends changes the record before the school accepts it.
    assert_eq!(lignes(&s, b), avant_b);

    // The school's screen: per class, who confirmed, who sent changes, who did not answer.
    let t = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/verification-annuelle")).await;
    let k = t["classes"].as_array().unwrap().iter().find(|k| k["classe"] == "CE1-V").unwrap();
    let etat = |id: &str| k["eleves"].as_array().unwrap().iter().find(|e| e["eleve_id"] == id).unwrap()["etat"].clone();
    assert_eq!((etat(a), etat(b), etat(c)), (json!("a_decider"), json!("a_decider"), json!("non_repondu")));
    let page = html_texte(&s.get_as(&d, &format!("/ecoles/{ecole}/verification-annuelle")).await.text().await.unwrap());
    assert!(
        page.contains("CE1-V")
            && page.contains("corrections en attente de la décision")
            && page.contains("pas de réponse en ligne")
    );
    let accueil = html_texte(&s.get_as(&d, "/").await.text().await.unwrap());
    assert!(accueil.contains("2 fiches vérifiées en ligne avec des corrections à examiner"), "{accueil}");

    // Before/after, then one change accepted and the other refused with a reason.
    let vue = s.json_as(&d, &format!("/api/v1/eleves/{b}/verification-annuelle")).await;
    let resp = vue["blocs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["bloc"] == "responsable" && x["responsable_id"] == rb.as_str())
        .unwrap();
    assert_eq!(resp["ecarts"][0]["avant"], "06 00 00 00 01");
    assert_eq!(resp["ecarts"][0]["apres"], "0699887766");
    let cont = bloc(&vue, "contacts");
    assert!(cont["ecarts"].to_string().contains("Léa Martin"), "{cont}");
    let (r_tel, r_contact) = (resp["reponse_id"].as_str().unwrap(), cont["reponse_id"].as_str().unwrap());
    let r =
        s.post_as(&d, &format!("/api/v1/verifications-annuelles/{r_tel}/decision"), &json!({ "accepter": true })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = s
        .post_as(&d, &format!("/api/v1/verifications-annuelles/{r_contact}/decision"), &json!({ "accepter": false }))
        .await;
    assert_eq!(r.status(), 422, "a refusal needs a reason");
    let raison = "Personne inconnue de l'école : venez la présenter";
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/verifications-annuelles/{r_contact}/decision"),
            &json!({ "accepter": false, "motif": raison }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = s
        .post_as(&d, &format!("/api/v1/verifications-annuelles/{r_contact}/decision"), &json!({ "accepter": true }))
        .await;
    assert_eq!(r.status(), 409, "decided once");
    // The journal names the fields, never the values.
    let journal: String = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row(
            "SELECT group_concat(coalesce(detail, ''), ' ') FROM journal WHERE ressource = 'verification'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        journal.contains("tel_portable") && !journal.contains("0699887766") && !journal.contains("Martin"),
        "{journal}"
    );
    // The proposals are not kept once decided.
    let gardees: i64 = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row("SELECT count(*) FROM verification WHERE proposition IS NOT NULL AND etat <> 'propose'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(gardees, 0);

    // The family reads the school's reason, and may answer that block again.
    let page = html_texte(&s.get_as(pb, &format!("/eleves/{b}/verification-annuelle")).await.text().await.unwrap());
    assert!(page.contains(raison) && page.contains("refusées par l'école"), "{page}");
    let vue = s.json_as(pb, &format!("/api/v1/eleves/{b}/verification-annuelle")).await;
    assert_eq!(bloc(&vue, "contacts")["a_repondre"], true);

    // The family's receipt: one page, block by block, the school's reason, never a value.
    let r = s.get_as(pb, &format!("/api/v1/eleves/{b}/documents/accuse-verification")).await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap();
    assert_eq!(crate::helpers::pages_pdf(&pdf).len(), 1, "a one-page receipt");
    let t = pdftotext(&pdf);
    for attendu in [
        "ACCUSÉ DE RÉCEPTION",
        "modifications acceptées par l'école",
        "modifications refusées par l'école",
        "confirmé",
        "Responsable légal : Anne BERVAS",
    ] {
        assert!(t.contains(attendu), "{attendu} missing from the receipt:\n{t}");
    }
    assert!(
        t.replace('\n', " ").contains("venez la présenter") && !t.contains("0699887766") && !t.contains("Martin"),
        "{t}"
    );
    // Staff other than the school do not print it; a family prints its own child's only.
    assert_eq!(s.get_as(pa, &format!("/api/v1/eleves/{b}/documents/accuse-verification")).await.status(), 404);

    // The fiche printed now shows the accepted change only.
    let r = s.get_as(&d, &format!("/api/v1/eleves/{b}/documents/fiche-renseignements")).await;
    assert_eq!(r.status(), 200);
    let t = pdftotext(&r.bytes().await.unwrap());
    assert!(t.contains("06 99 88 77 66") || t.contains("0699887766"), "{t}");
    assert!(!t.contains("Martin") && !t.contains("06 00 00 00 01"), "{t}");

    // Paper for the others: the class's fiches of the families that did not answer online.
    let r = s
        .post_as(
            &d,
            "/api/v1/impressions",
            &json!({ "document": "fiche-renseignements", "classe": classe, "sans_reponse": true }),
        )
        .await;
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
    let job: Value = r.json().await.unwrap();
    assert_eq!(job["total"], 1);
    let fin = attendre(&s, &d, job["id"].as_str().unwrap()).await;
    assert_eq!(fin["etat"], "termine", "{fin}");
    let zip = s
        .get_as(&d, &format!("/api/v1/impressions/{}/fichier", job["id"].as_str().unwrap()))
        .await
        .bytes()
        .await
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.to_vec())).unwrap();
    assert_eq!(archive.len(), 1);
    let nom = archive.by_index(0).unwrap().name().unwrap().to_string();
    assert!(nom.contains("CADIOU"), "{nom}");
    // Not a filter of other documents.
    let r = s
        .post_as(
            &d,
            "/api/v1/impressions",
            &json!({ "document": "fiche-urgence", "classe": classe, "sans_reponse": true }),
        )
        .await;
    assert_eq!(r.status(), 422);

    // The reminder of the day goes to the families that have not finished, once.
    let outbox = registre::service::courrier::dossier(&s.db);
    let _ = std::fs::remove_dir_all(&outbox);
    let n = registre::service::verifications::relancer(&s.state.store, &s.cles, s.clock.now()).unwrap();
    assert!(n >= 1);
    let lus: Vec<String> =
        std::fs::read_dir(&outbox).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert!(lus.iter().any(|m| m.contains("To: cadiou@exemple.fr")), "{lus:?}");
    // B has a refused block to answer again; A answered everything (its change waits).
    assert!(lus.iter().any(|m| m.contains("To: bervas@exemple.fr")), "{lus:?}");
    assert!(!lus.iter().any(|m| m.contains("abalain@")), "{lus:?}");
    assert!(lus.iter().all(|m| !m.contains("Cadiou") && !m.contains("Lou")), "no name in a reminder: {lus:?}");
    assert_eq!(registre::service::verifications::relancer(&s.state.store, &s.cles, s.clock.now()).unwrap(), 0);
    let out = crate::helpers::registre()
        .args(["relancer", "--db"])
        .arg(&s.db)
        .env(registre::clock::ENV_FIXED, "2026-11-29T10:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 relance(s) déposée(s)"));
}

#[tokio::test]
async fn a_family_answers_for_its_own_child_and_fields_only_and_another_school_sees_nothing() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.2").await;
    let (ecole, _, f) = familles(&s, &d, &["Daniel", "Ezanno"]).await;
    let [(a, pa, _), (b, pb, _)] = &f[..] else { unreachable!() };
    ouvrir(&s, &d, &ecole).await;
    // Another family's child: not found, to read or to answer; nothing written.
    let avant = s.row_counts();
    assert_eq!(s.get_as(pb, &format!("/api/v1/eleves/{a}/verification-annuelle")).await.status(), 404);
    assert_eq!(s.get_as(pb, &format!("/eleves/{a}/verification-annuelle")).await.status(), 404);
    let r = repondre(&s, pb, a, &json!({ "bloc": "eleve", "valeurs": { "adresse": "1 rue X" } })).await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        s.post_as(pb, &format!("/api/v1/eleves/{a}/verification-annuelle/confirmation"), &json!({})).await.status(),
        404
    );
    assert_eq!(s.row_counts(), avant);
    // Fields outside the family's rights are refused by name, in French, nothing written.
    for (bloc, cle, attendu) in [
        ("eleve", "ine", "valeurs.ine"),
        ("eleve", "nom", "valeurs.nom"),
        ("eleve", "date_naissance", "valeurs.date_naissance"),
        ("responsable", "lien", "valeurs.lien"),
        ("responsable", "autorite_parentale", "valeurs.autorite_parentale"),
    ] {
        let r = repondre(&s, pb, b, &json!({ "bloc": bloc, "valeurs": { cle: "1234567890A" } })).await;
        assert_eq!(r.status(), 422, "{bloc}.{cle}");
        let v: Value = r.json().await.unwrap();
        assert!(v["champs"].to_string().contains(attendu), "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains("famille")
                || v["detail"].as_str().unwrap().contains("rectification"),
            "{v}"
        );
        assert_eq!(s.row_counts(), avant, "{bloc}.{cle}");
    }
    // Another family's person to contact cannot be slipped into one's list.
    let autre = s.json_as(pa, &format!("/api/v1/eleves/{a}/verification-annuelle")).await;
    let etranger = bloc(&autre, "contacts")["contacts"][0]["id"].as_str().unwrap().to_string();
    let r = repondre(
        &s,
        pb,
        b,
        &json!({ "bloc": "contacts", "contacts": [{ "id": etranger, "valeurs": { "telephone": "0612121212" } }] }),
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.row_counts(), avant);
    // A responsable's block is always the sender's own: the other family's responsable is
    // out of reach (no field names it), and a family never decides.
    let r = repondre(&s, pb, b, &json!({ "bloc": "responsable", "valeurs": { "tel_portable": "0612345678" } })).await;
    assert_eq!(r.status(), 200);
    let vue = s.json_as(pb, &format!("/api/v1/eleves/{b}/verification-annuelle")).await;
    let id = bloc(&vue, "responsable")["reponse_id"].as_str().unwrap().to_string();
    assert_eq!(
        s.post_as(pb, &format!("/api/v1/verifications-annuelles/{id}/decision"), &json!({ "accepter": true }))
            .await
            .status(),
        403
    );
    assert_eq!(
        s.post_as(pa, &format!("/api/v1/verifications-annuelles/{id}/decision"), &json!({ "accepter": true }))
            .await
            .status(),
        403
    );
    // Bad input is named: a phone that is no phone, as the director's form says it.
    let r = repondre(&s, pb, b, &json!({ "bloc": "annuel", "valeurs": { "assureur": "x".repeat(400) } })).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("annuel.assureur"));

    // A director of another school sees nothing of the campaign, and decides nothing.
    let autre = s.login("directeur.1").await;
    let avant = s.row_counts();
    assert_eq!(s.get_as(&autre, &format!("/api/v1/eleves/{b}/verification-annuelle")).await.status(), 404);
    assert_eq!(s.get_as(&autre, &format!("/api/v1/ecoles/{ecole}/verification-annuelle")).await.status(), 404);
    assert_eq!(s.get_as(&autre, &format!("/ecoles/{ecole}/verification-annuelle")).await.status(), 404);
    let r = s
        .post_as(&autre, &format!("/api/v1/verifications-annuelles/{id}/decision"), &json!({ "accepter": true }))
        .await;
    assert_eq!(r.status(), 404);
    let r = s
        .put_as(&autre, &format!("/api/v1/ecoles/{ecole}/verification-annuelle"), &json!({ "fin": "2026-12-20" }))
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.row_counts(), avant);
    let en_attente: String = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row("SELECT etat || fin FROM verification v JOIN campagne_verification k ON k.ecole_id = v.ecole_id WHERE v.id = ?", [&id], |r| r.get(0))
        .unwrap();
    assert_eq!(en_attente, "propose2026-12-15", "nothing changed by the other school");

    // The child moves to directeur.1's school: the new school neither sees nor decides what the
    // family sent to the former one, and the former one no longer reads the child's check.
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{b}/radiation"),
            &json!({ "motif": "changement_ecole", "date": "29/11/2026" }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // directeur.1 runs a maternelle: the niveau is not what this checks.
    let nouvelle = s.json_as(&autre, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let r =
        s.post_as(&autre, "/api/v1/admissions", &json!({ "eleve_id": b, "ecole_id": nouvelle, "niveau": "GS" })).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let vue = s.json_as(&autre, &format!("/api/v1/eleves/{b}/verification-annuelle")).await;
    assert!(
        vue["campagne"].is_null() && !vue.to_string().contains(&id) && !vue.to_string().contains("0612345678"),
        "{vue}"
    );
    let r = s
        .post_as(&autre, &format!("/api/v1/verifications-annuelles/{id}/decision"), &json!({ "accepter": true }))
        .await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.get_as(&d, &format!("/api/v1/eleves/{b}/verification-annuelle")).await.status(), 404);
    assert_eq!(s.get_as(&d, &format!("/api/v1/eleves/{b}/documents/accuse-verification")).await.status(), 404);
    let avant = s.row_counts();
    let r =
        s.post_as(&d, &format!("/api/v1/verifications-annuelles/{id}/decision"), &json!({ "accepter": true })).await;
    assert_eq!(r.status(), 409, "the former school no longer corrects the record");
    assert_eq!(s.row_counts(), avant);
}

#[tokio::test]
async fn hostile_text_a_family_sends_is_refused_by_name_or_printed_literally_once_accepted() {
    let s = TestServer::start(10).await;
    let d = s.login("directeur.2").await;
    let hostiles = crate::hostiles::hostiles();
    let noms: Vec<String> = (0..hostiles.len()).map(|i| format!("Hostile{}", (b'A' + i as u8) as char)).collect();
    let (ecole, _, f) = familles(&s, &d, &noms.iter().map(String::as_str).collect::<Vec<_>>()).await;
    ouvrir(&s, &d, &ecole).await;
    let mut imprimes = 0;
    for ((eleve, p, _), h) in f.iter().zip(&hostiles) {
        // Every text field a family may send, by block: (block, body, printed on).
        let envois = [
            ("eleve", json!({ "valeurs": { "adresse": h, "commune_residence": h } }), &["fiche-renseignements"][..]),
            (
                "responsable",
                json!({ "valeurs": { "nom": h, "prenom": h, "adresse": h, "commune": h, "pays": h } }),
                &["fiche-renseignements"][..],
            ),
            (
                "contacts",
                json!({ "contacts": [{ "valeurs": { "nom": h, "prenom": h, "lien": h, "telephone": "0611223344" } }] }),
                &["fiche-renseignements", "fiche-urgence"][..],
            ),
            ("annuel", json!({ "valeurs": { "assureur": h, "assurance_numero": h } }), &["fiche-renseignements"][..]),
        ];
        for (b, mut corps, documents) in envois {
            corps["bloc"] = json!(b);
            let avant = s.row_counts();
            let r = repondre(&s, p, eleve, &corps).await;
            let status = r.status().as_u16();
            let v: Value = r.json().await.unwrap();
            if status == 422 {
                // Refused: in French, naming a field of the block, nothing written.
                let champs = v["champs"].to_string();
                assert!(
                    champs.contains(&format!("\"{}", if b == "responsable" { "responsables" } else { b }))
                        || champs.contains("valeurs."),
                    "{b}: {v}"
                );
                assert_eq!(s.row_counts(), avant, "{b}: a refusal wrote something");
                continue;
            }
            assert_eq!(status, 200, "{b} with « {h:.40} »: {v}");
            let rep = bloc(&v, b)["reponse_id"].as_str().unwrap().to_string();
            let r = s
                .post_as(&d, &format!("/api/v1/verifications-annuelles/{rep}/decision"), &json!({ "accepter": true }))
                .await;
            assert_eq!(r.status(), 200, "{b} accepted with « {h:.40} »: {}", r.text().await.unwrap());
            for document in documents {
                let pdf = s.get_as(&d, &format!("/api/v1/eleves/{eleve}/documents/{document}")).await;
                assert_eq!(pdf.status(), 200);
                let t = crate::helpers::pdf_chars(&pdf.bytes().await.unwrap());
                assert!(
                    crate::hostiles::imprime(&t, h),
                    "{b}: « {h:.60} » not printed literally on the {document}:\n{t}"
                );
            }
            imprimes += 1;
        }
    }
    assert!(imprimes >= 20, "most hostile texts are accepted and printed ({imprimes})");
}

#[tokio::test]
async fn the_family_s_block_form_comes_back_with_each_refusal_beside_its_field() {
    let s = TestServer::start(10).await;
    let d = s.login("directeur.2").await;
    let (ecole, _, f) = familles(&s, &d, &["Fercoq"]).await;
    let (eleve, p, _) = &f[0];
    ouvrir(&s, &d, &ecole).await;
    let page = s.get_as(p, &format!("/eleves/{eleve}/verification-annuelle")).await.text().await.unwrap();
    assert!(page.contains("Corriger cette partie") && page.contains("Tout le reste est exact"));
    let avant = s.row_counts();
    let r = post_form(
        &s,
        &format!("/eleves/{eleve}/verification-annuelle"),
        Some(&p.cookie),
        form(&[("csrf", &csrf_de(&page)), ("bloc", "annuel"), ("v_assureur", &"y".repeat(200)), ("v_cantine", "oui")]),
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"champ-v_assureur\"") && html.contains("erreur-v_assureur"), "{html}");
    assert_eq!(s.row_counts(), avant);
    let r = post_form(
        &s,
        &format!("/eleves/{eleve}/verification-annuelle"),
        Some(&p.cookie),
        form(&[("csrf", &csrf_de(&page)), ("bloc", "annuel"), ("v_assureur", "MAE"), ("v_cantine", "oui")]),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().contains("fait=verification_envoyee"));
    let page = html_texte(&s.get_as(p, &format!("/eleves/{eleve}/verification-annuelle")).await.text().await.unwrap());
    assert!(page.contains("Corrections envoyées") && page.contains("MAE"), "{page}");
    assert!(page.contains("3 parties à confirmer ou corriger"), "{page}");
    // Once the rest is confirmed, nothing is left to confirm: the button goes.
    let r = post_form(
        &s,
        &format!("/eleves/{eleve}/verification-annuelle/confirmation"),
        Some(&p.cookie),
        form(&[("csrf", &csrf_de(&page))]),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().contains("fait=verification_transmise"));
    let page = html_texte(&s.get_as(p, &format!("/eleves/{eleve}/verification-annuelle")).await.text().await.unwrap());
    assert!(!page.contains("Tout le reste est exact") && page.contains("en attente de la décision"), "{page}");
}

#[tokio::test]
async fn the_ia_dasen_opens_the_check_in_every_school_and_each_school_then_sets_its_own_dates() {
    let s = TestServer::start(20).await;
    let dasen = s.login("dasen.1").await;
    let d = s.login("directeur.2").await;
    let ien = s.login("ien.1").await;
    let parent = s.login("parent.1").await;
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let corps = json!({ "fin": "2026-12-18", "relances": ["2026-12-01"] });
    // Neither an inspector nor a family opens it.
    let avant = s.row_counts();
    assert_eq!(s.put_as(&ien, "/api/v1/verification-annuelle", &corps).await.status(), 403);
    assert_eq!(s.put_as(&parent, "/api/v1/verification-annuelle", &corps).await.status(), 403);
    assert_eq!(s.row_counts(), avant);
    // Bad dates are named, nothing written.
    let r = s
        .put_as(&dasen, "/api/v1/verification-annuelle", &json!({ "fin": "2026-11-01", "relances": ["2027-01-05"] }))
        .await;
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    let champs = v["champs"].to_string();
    assert!(champs.contains("\"fin\"") && champs.contains("relances[0]"), "{v}");
    let r = s.put_as(&dasen, "/api/v1/verification-annuelle", &json!({ "fin": "31/02/2027" })).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("date impossible"));
    assert_eq!(s.row_counts(), avant);
    // The IA-DASEN: every school of the département.
    let r = s.put_as(&dasen, "/api/v1/verification-annuelle", &corps).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let l: Value = r.json().await.unwrap();
    assert_eq!(l.as_array().unwrap().len(), ecoles.as_array().unwrap().len());
    assert!(l.as_array().unwrap().iter().all(|k| k["par_departement"] == true && k["fin"] == "2026-12-18"));
    // A school then moves its own dates; the others keep the département's.
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let r =
        s.put_as(&d, &format!("/api/v1/ecoles/{ecole}/verification-annuelle"), &json!({ "fin": "2026-12-22" })).await;
    assert_eq!(r.status(), 200);
    let k: Value = r.json().await.unwrap();
    assert_eq!((k["fin"].as_str(), k["par_departement"].as_bool()), (Some("2026-12-22"), Some(true)));
    // Its inspector follows it (the other IEN's circonscription does not hold it).
    let ien2 = s.login("ien.2").await;
    let mut suivis = 0;
    for i in [&ien, &ien2] {
        let r = s.get_as(i, &format!("/api/v1/ecoles/{ecole}/verification-annuelle")).await;
        if r.status() == 200 {
            assert_eq!(r.json::<Value>().await.unwrap()["campagne"]["fin_libelle"], "22/12/2026");
            suivis += 1;
        } else {
            assert_eq!(r.status(), 404);
        }
    }
    assert_eq!(suivis, 1);
    let autre = ecoles.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).find(|e| *e != ecole).unwrap();
    let k = s.json_as(&dasen, &format!("/api/v1/ecoles/{autre}/verification-annuelle")).await;
    assert_eq!(k["campagne"]["fin"], "2026-12-18");
    // The school's form: a reminder after the end is named beside its input, nothing written.
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/verification-annuelle")).await.text().await.unwrap();
    let avant = s.row_counts();
    let r = post_form(
        &s,
        &format!("/ecoles/{ecole}/verification-annuelle"),
        Some(&d.cookie),
        form(&[("csrf", &csrf_de(&page)), ("fin", "2026-12-22"), ("relance", "2027-01-10"), ("relance", "")]),
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"erreur-relance\"") && html.contains("n&#x27;est pas entre"), "{html}");
    assert_eq!(s.row_counts(), avant);
    // A director's « territory » is its school.
    let r = s.put_as(&d, "/api/v1/verification-annuelle", &corps).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap().as_array().unwrap().len(), 1);
    // A family does not follow the school's screen.
    assert_eq!(s.get_as(&parent, &format!("/api/v1/ecoles/{ecole}/verification-annuelle")).await.status(), 403);
}

#[tokio::test]
async fn the_school_makes_the_accounts_of_the_families_without_one_and_prints_every_letter_at_once() {
    let s = TestServer::start(80).await;
    let d = s.login("directeur.2").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let comptes = || -> i64 {
        rusqlite::Connection::open(&s.db)
            .unwrap()
            .query_row("SELECT count(*) FROM compte WHERE perimetre_genre = 'responsable'", [], |r| r.get(0))
            .unwrap()
    };
    // Another school's director: not found, nothing made.
    let autre = s.login("directeur.1").await;
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/verification-annuelle")).await.text().await.unwrap();
    assert!(page.contains("Créer les comptes des familles sans compte"), "{page}");
    let avant = s.row_counts();
    let r = post_form(
        &s,
        &format!("/ecoles/{ecole}/verification-annuelle/lettres"),
        Some(&autre.cookie),
        form(&[("csrf", &csrf_de(&s.get_as(&autre, "/").await.text().await.unwrap()))]),
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(s.row_counts(), avant);
    // The school: one account per family without one, every letter on one page.
    let t = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/verification-annuelle")).await;
    let sans: usize = t["classes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|k| k["eleves"].as_array().unwrap())
        .filter(|e| e["compte_famille"] == false)
        .count();
    assert!(sans > 0);
    let n = comptes();
    let r = post_form(
        &s,
        &format!("/ecoles/{ecole}/verification-annuelle/lettres"),
        Some(&d.cookie),
        form(&[("csrf", &csrf_de(&page))]),
    )
    .await;
    assert_eq!(r.status(), 201);
    let html = r.text().await.unwrap();
    let lettres = html.matches("<article class=\"lettre\">").count();
    assert_eq!(html.matches("activer?jeton=").count(), lettres, "each letter has its link");
    assert_eq!(comptes() - n, lettres as i64);
    assert!(lettres > 1 && lettres <= sans, "{lettres} letters for {sans} pupils without an account (siblings once)");
    assert!(html.contains("<svg"), "QR codes");
    // Done once: a second time, nothing to print.
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/verification-annuelle")).await.text().await.unwrap();
    let r = post_form(
        &s,
        &format!("/ecoles/{ecole}/verification-annuelle/lettres"),
        Some(&d.cookie),
        form(&[("csrf", &csrf_de(&page))]),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert!(html_texte(&r.text().await.unwrap()).contains("aucune lettre à imprimer"));
    assert_eq!(comptes() - n, lettres as i64);
}
