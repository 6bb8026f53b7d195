//! Hostile text end to end. Every string of a hostile list goes into every text field
//! of an admission (the pupil, a responsable, a person to contact), a class, a radiation, the
//! corrections of a pupil's identity, yearly answers, responsables and persons to contact, the
//! end-of-year departure, the mairie's inscription, the family's requests (rectification,
//! opposition) and the decisions on them, and a new school. Each is either refused with a French
//! 422 naming the field, nothing written, or stored as typed and printed literally in the
//! documents (checked with the PDF's text layer). The ONDE and dossier imports have their own
//! hostile tests (`onde.rs`, `dossier.rs`).

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::corrections::{admettre, compte_famille_par_la_page};
use crate::helpers::{Session, TestServer, pdf_chars};

/// Typst markup, a template's delimiters, SQL, HTML, a template engine's syntax, a
/// right-to-left override, combining characters, an emoji sequence, a very long string.
pub(crate) fn hostiles() -> Vec<String> {
    vec![
        "#exit()".into(),
        "#import \"/etc/passwd\"".into(),
        "]; #panic(\"boom\") [".into(),
        "Robert'); DROP TABLE eleve; --".into(),
        "<script>alert(1)</script>".into(),
        "{{ 7*7 }} ${7*7} {% raw %}".into(),
        "Anne\u{202E}enna".into(),
        "Zoe\u{301}\u{308} Le\u{300}a".into(),
        "Léa 👨\u{200D}👩\u{200D}👧".into(),
        "A".repeat(10_000),
    ]
}

/// The text fields of an admission, as (key in the request, document that prints it).
const CHAMPS: &[(&str, &str)] = &[
    ("eleve.nom", "certificat-scolarite"),
    ("eleve.prenoms", "certificat-scolarite"),
    ("eleve.naissance_lieu", "certificat-scolarite"),
    ("eleve.adresse", "fiche-renseignements"),
    ("eleve.commune_residence", "fiche-renseignements"),
    ("responsables.0.nom", "fiche-renseignements"),
    ("responsables.0.prenom", "fiche-renseignements"),
    ("responsables.0.adresse", "fiche-renseignements"),
    ("responsables.0.commune", "fiche-renseignements"),
    ("contacts.0.nom", "fiche-urgence"),
    ("contacts.0.prenom", "fiche-urgence"),
    ("contacts.0.lien", "fiche-urgence"),
];

fn admission(ecole: &str) -> Value {
    json!({
        "ecole_id": ecole, "niveau": "CE1", "confirmer_nouveau": true,
        "eleve": { "nom": "Durand", "prenoms": "Léa", "sexe": "F", "date_naissance": "03/05/2018",
                   "naissance_insee": "35238", "naissance_lieu": "Rennes", "adresse": "1 rue des Lilas",
                   "code_postal": "35000", "commune_residence": "Rennes" },
        "responsables": [{ "civilite": "MME", "nom": "Durand", "prenom": "Anne", "lien": "mere",
                           "tel_portable": "0601020304", "adresse": "1 rue des Lilas", "code_postal": "35000",
                           "commune": "Rennes" }],
        "contacts": [{ "nom": "Petit", "prenom": "Jo", "lien": "voisin", "telephone": "0299000000", "urgence": true }],
    })
}

/// The value at a dotted path (`responsables.0.nom`).
fn a<'v>(v: &'v mut Value, cle: &str) -> &'v mut Value {
    cle.split('.').fold(v, |v, k| match k.parse::<usize>() {
        Ok(i) => &mut v[i],
        Err(_) => &mut v[k],
    })
}

/// The request's key as the API names it in `champ` (`responsables[0].nom`).
fn cle_api(cle: &str) -> String {
    cle.replace(".0.", "[0].")
}

/// Text compared as printed: NFC, white space folded; names are upper-cased by the register.
fn plier(s: &str) -> String {
    s.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text as a PDF's text layer gives it back: a table cell may break a line anywhere, and
/// stacked combining marks come out in another order; so no white space and no combining mark
/// (the glyphs themselves are there: PDF/A refuses a missing one).
fn sans_blancs(s: &str) -> String {
    s.nfkd().filter(|c| !c.is_whitespace() && !unicode_normalization::char::is_combining_mark(*c)).collect()
}

/// Whether the text layer holds `mot`: exactly once both are folded, or, when `mot` stacks
/// combining marks (the shaper may draw them as a precomposed letter plus a mark), its letters in
/// order within twice its length.
pub(crate) fn imprime(texte: &str, mot: &str) -> bool {
    let (t, m) = (sans_blancs(texte), sans_blancs(mot));
    if t.contains(&m) {
        return true;
    }
    if !mot.nfd().any(unicode_normalization::char::is_combining_mark) {
        return false;
    }
    let t: Vec<char> = t.chars().collect();
    let m: Vec<char> = m.chars().collect();
    (0..t.len()).any(|debut| {
        let mut k = 0;
        for c in t.iter().skip(debut).take(m.len() * 2) {
            if k < m.len() && *c == m[k] {
                k += 1;
            }
        }
        k == m.len()
    })
}

/// Asserts a refusal: a French 422 naming the field.
fn refus(status: u16, v: &Value, cle: &str) {
    assert_eq!(status, 422, "{cle}: {v}");
    assert_eq!(v["code"], "invalide", "{v}");
    let champs: Vec<&str> =
        v["champs"].as_array().map(|l| l.iter().filter_map(|c| c["champ"].as_str()).collect()).unwrap_or_default();
    assert!(v["champ"] == cle_api(cle).as_str() || champs.contains(&cle_api(cle).as_str()), "{cle}: {v}");
    let m = v["detail"].as_str().unwrap();
    assert!(!m.is_empty() && !m.contains("error") && !m.contains("invalid"), "French message: {m}");
}

/// Sends a write (`envoi`, not yet sent): refused, it must be a French 422 naming `cle` with
/// nothing written (`None`); accepted (a status of `ok`), its answer.
async fn ecrire(
    s: &TestServer,
    envoi: impl std::future::Future<Output = reqwest::Response>,
    ok: &[u16],
    cle: &str,
) -> Option<Value> {
    let avant = s.row_counts();
    let res = envoi.await;
    let status = res.status().as_u16();
    let v: Value = res.json().await.unwrap();
    if ok.contains(&status) {
        return Some(v);
    }
    refus(status, &v, cle);
    assert_eq!(s.row_counts(), avant, "{cle}: a refusal wrote something");
    None
}

/// Asserts that the PDF at `chemin`, read as `qui`, prints `texte` literally.
async fn imprime_dans(s: &TestServer, qui: &Session, chemin: &str, texte: &str) {
    let pdf = s.get_as(qui, chemin).await;
    assert_eq!(pdf.status(), 200, "{chemin} with « {texte:.40} »");
    let t = pdf_chars(&pdf.bytes().await.unwrap());
    assert!(imprime(&t, texte), "{chemin}: « {texte:.60} » not printed literally:\n{t}");
}

#[tokio::test]
async fn every_hostile_string_in_every_field_is_refused_by_name_or_printed_literally() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.2").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let mut imprimes = 0;
    for h in hostiles() {
        for (cle, document) in CHAMPS {
            let mut corps = admission(&ecole);
            *a(&mut corps, cle) = json!(h);
            let Some(v) = ecrire(&s, s.post_as(&d, "/api/v1/admissions", &corps), &[201], cle).await else {
                continue;
            };
            // Stored as typed (names upper-cased), and printed so.
            let id = v["eleve_id"].as_str().unwrap();
            let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
            let stocke = match *cle {
                c if c.starts_with("eleve.") => fiche["eleve"][&c[6..]].as_str().unwrap_or_default().to_string(),
                c if c.starts_with("contacts.") => {
                    let champ = c.rsplit('.').next().unwrap();
                    fiche["contacts"][0][champ].as_str().unwrap_or_default().to_string()
                }
                c => {
                    let champ = c.rsplit('.').next().unwrap();
                    fiche["responsables"][0][champ].as_str().unwrap_or_default().to_string()
                }
            };
            assert_eq!(plier(&stocke).to_uppercase(), plier(&h).to_uppercase(), "{cle}: stored as typed");
            imprime_dans(&s, &d, &format!("/api/v1/eleves/{id}/documents/{document}"), &stocke).await;
            imprimes += 1;
        }
    }
    assert!(imprimes > 0, "some hostile text is legitimate and printed");

    // Other write endpoints, the same rule; each must print some of the strings.
    let mut imprimes = std::collections::HashMap::<&str, usize>::new();
    // A class's teacher.
    for (k, h) in hostiles().into_iter().enumerate() {
        let corps = json!({ "libelle": format!("CE1-Z{k}"), "niveaux": ["CE1"], "enseignant": h });
        let chemin = format!("/api/v1/ecoles/{ecole}/classes/nouvelle");
        let envoi = s.post_as(&d, &chemin, &corps);
        if let Some(v) = ecrire(&s, envoi, &[201], "enseignant").await {
            let classe = v["id"].as_str().unwrap();
            imprime_dans(&s, &d, &format!("/api/v1/classes/{classe}/documents/liste-classe"), &h).await;
            *imprimes.entry("classe").or_default() += 1;
        }
    }
    // A radiation's destination (the first ten pupils).
    let eleves = s.json_as(&d, "/api/v1/eleves?limite=20").await;
    for (i, h) in hostiles().into_iter().enumerate() {
        let id = eleves[i]["id"].as_str().unwrap();
        let corps = json!({ "motif": "demenagement", "date": "29/11/2026", "destination": h });
        let chemin = format!("/api/v1/eleves/{id}/radiation");
        let envoi = s.post_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200, 201], "destination").await.is_some() {
            imprime_dans(&s, &d, &format!("/api/v1/eleves/{id}/documents/certificat-radiation"), &h).await;
            *imprimes.entry("radiation").or_default() += 1;
        }
    }
    // Corrections of the persons to contact and of a responsable (pupils still at school: the
    // first ten may have been radiated above).
    for (i, h) in hostiles().into_iter().enumerate() {
        let id = eleves[10 + i % 10]["id"].as_str().unwrap();
        let corps = json!([{ "contact": { "nom": "Durand", "prenom": "Marc", "lien": h, "telephone": "0655443322", "urgence": true } }]);
        let chemin = format!("/api/v1/eleves/{id}/contacts");
        let envoi = s.put_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200], "contacts.0.lien").await.is_some() {
            imprime_dans(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-urgence"), &h).await;
            *imprimes.entry("contacts").or_default() += 1;
        }
        let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
        let rid = fiche["responsables"][0]["id"].as_str().unwrap();
        let corps = json!({ "responsable": { "civilite": "Mme", "nom": "Quéméner", "prenom": "Anne", "lien": "mere",
                            "tel_portable": "0798765432", "adresse": h, "code_postal": "35000", "commune": h } });
        let chemin = format!("/api/v1/eleves/{id}/responsables/{rid}");
        let envoi = s.put_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200], "responsable.adresse").await.is_some() {
            imprime_dans(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements"), &h).await;
            *imprimes.entry("responsable").or_default() += 1;
        }
    }
    // The mairie's inscription and its certificate.
    let mairie = s.login("mairie.1").await;
    let ecole_m = s.json_as(&mairie, "/api/v1/ecoles").await[0].clone();
    for h in hostiles() {
        let mut corps = admission(ecole_m["id"].as_str().unwrap());
        if ecole_m["type"] == "maternelle" {
            corps["niveau"] = json!("MS");
            corps["eleve"]["date_naissance"] = json!("14/03/2022");
        }
        corps["eleve"]["prenoms"] = json!(h);
        let envoi = s.post_as(&mairie, "/api/v1/inscriptions", &corps);
        let Some(v) = ecrire(&s, envoi, &[201], "eleve.prenoms").await else { continue };
        let iid = v["id"].as_str().unwrap();
        let ok = s.post_as(&mairie, &format!("/api/v1/inscriptions/{iid}/validation"), &json!({})).await;
        assert_eq!(ok.status(), 200);
        imprime_dans(&s, &mairie, &format!("/api/v1/inscriptions/{iid}/documents/certificat-inscription"), &h).await;
        *imprimes.entry("inscription").or_default() += 1;
    }
    for quoi in ["classe", "radiation", "contacts", "responsable", "inscription"] {
        assert!(imprimes.get(quoi).is_some_and(|n| *n > 0), "{quoi}: some hostile text is legitimate and printed");
    }
}

/// A UAI with its check letter (seven digits, modulo 23).
fn uai(n: u32) -> String {
    format!("{n:07}{}", b"ABCDEFGHJKLMNPRSTUVWXYZ"[(n % 23) as usize] as char)
}

/// The other write endpoints that take free text: a pupil's identity and yearly answers
/// corrected, a responsable added, the end-of-year departure (printed by the certificat de
/// radiation), the family's requests and the decisions on them (the relevé des données prints the
/// decisions' reasons; the family's own words, which no document prints and which are cleared at
/// the decision, are checked as stored), and a new school (the IEN's constat prints its name).
#[tokio::test]
async fn hostile_text_in_corrections_requests_decisions_and_a_new_school_is_refused_by_name_or_printed_literally() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.2").await;
    let mut eleves = Vec::new();
    for _ in 0..hostiles().len() {
        eleves.push(admettre(&s, &d, "Kerhervé", "0781920368", "0247113359", None).await);
    }
    let mut imprimes = std::collections::HashMap::<&str, usize>::new();
    let identite = |prenoms: &str| {
        json!({ "nom": "Bernard", "prenoms": prenoms, "sexe": "F", "date_naissance": "03/05/2018",
                "naissance_insee": "35001", "naissance_lieu": "Kervalan" })
    };
    for (i, h) in hostiles().into_iter().enumerate() {
        let id = &eleves[i];
        let doc = |quoi: &str| format!("/api/v1/eleves/{id}/documents/{quoi}");
        let (chemin, corps) = (format!("/api/v1/eleves/{id}/identite"), identite(&h));
        let envoi = s.put_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200], "eleve.prenoms").await.is_some() {
            imprime_dans(&s, &d, &doc("certificat-scolarite"), &h).await;
            *imprimes.entry("identite").or_default() += 1;
        }
        let (chemin, corps) = (format!("/api/v1/eleves/{id}/annuel"), json!({ "assureur": h }));
        let envoi = s.put_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200], "annuel.assureur").await.is_some() {
            imprime_dans(&s, &d, &doc("fiche-renseignements"), &h).await;
            *imprimes.entry("annuel").or_default() += 1;
        }
        let corps = json!({ "responsable": { "civilite": "M.", "nom": "Tanguy", "prenom": h, "lien": "pere" } });
        let chemin = format!("/api/v1/eleves/{id}/responsables");
        let envoi = s.post_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200, 201], "responsable.prenom").await.is_some() {
            imprime_dans(&s, &d, &doc("fiche-renseignements"), &h).await;
            *imprimes.entry("responsable").or_default() += 1;
        }
        // The departure's destination, printed once the pupil is radiated.
        let (chemin, corps) = (format!("/api/v1/eleves/{id}/depart"), json!({ "quitte": true, "destination": h }));
        let envoi = s.post_as(&d, &chemin, &corps);
        if ecrire(&s, envoi, &[200], "destination").await.is_some() {
            let corps = json!({ "motif": "demenagement", "date": "29/11/2026" });
            let r = s.post_as(&d, &format!("/api/v1/eleves/{id}/radiation"), &corps).await;
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
            imprime_dans(&s, &d, &doc("certificat-radiation"), &h).await;
            *imprimes.entry("depart").or_default() += 1;
        }
    }

    // The family's requests, from the parent's own account, and the decisions on them.
    let id = admettre(&s, &d, "Tanguy", "0781920369", "0247113360", None).await;
    let (p, _) = compte_famille_par_la_page(&s, &d, &id).await;
    let releve = format!("/api/v1/eleves/{id}/documents/releve-donnees");
    let rectifications = format!("/api/v1/eleves/{id}/rectifications");
    let oppositions = format!("/api/v1/eleves/{id}/oppositions");
    let (dasen1, dasen2) = (s.login("dasen.1").await, s.login("dasen.2").await);
    for h in hostiles() {
        // A proposed value: accepted, it is the child's address.
        let corps = json!({ "champ": "eleve.adresse", "valeur": h, "commentaire": "Déménagement" });
        let envoi = s.post_as(&p, &rectifications, &corps);
        if let Some(v) = ecrire(&s, envoi, &[201], "valeur").await {
            let chemin = format!("/api/v1/rectifications/{}/decision", v["id"].as_str().unwrap());
            let r = s.post_as(&d, &chemin, &json!({ "accepter": true })).await;
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            imprime_dans(&s, &d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements"), &h).await;
            *imprimes.entry("rectification").or_default() += 1;
        }
        // A comment, stored as typed; a refusal's reason, printed in the relevé.
        let corps = json!({ "champ": "eleve.adresse", "valeur": "2 rue Neuve", "commentaire": h });
        let envoi = s.post_as(&p, &rectifications, &corps);
        if let Some(v) = ecrire(&s, envoi, &[201], "commentaire").await {
            let rect = v["id"].as_str().unwrap();
            let liste = s.json_as(&d, "/api/v1/rectifications?etat=en_attente").await;
            let l = liste.as_array().unwrap().iter().find(|r| r["id"] == rect).unwrap();
            assert_eq!(plier(l["commentaire"].as_str().unwrap()), plier(&h), "stored as typed");
            let chemin = format!("/api/v1/rectifications/{rect}/decision");
            let corps = json!({ "accepter": false, "motif": h });
            let envoi = s.post_as(&d, &chemin, &corps);
            if ecrire(&s, envoi, &[200], "motif").await.is_some() {
                imprime_dans(&s, &p, &releve, &h).await;
                *imprimes.entry("refus de rectification").or_default() += 1;
            } else {
                let r = s.post_as(&d, &chemin, &json!({ "accepter": false, "motif": "Non justifié" })).await;
                assert_eq!(r.status(), 200);
            }
        }
        // An opposition's reasons, stored as typed; the IA-DASEN's reason, printed in the relevé.
        let corps = json!({ "motifs": h });
        let envoi = s.post_as(&p, &oppositions, &corps);
        if ecrire(&s, envoi, &[201], "motifs").await.is_some() {
            let mut liste = s.json_as(&dasen1, "/api/v1/oppositions?etat=en_attente").await;
            let mut dasen = &dasen1;
            if liste.as_array().unwrap().is_empty() {
                liste = s.json_as(&dasen2, "/api/v1/oppositions?etat=en_attente").await;
                dasen = &dasen2;
            }
            assert_eq!(plier(liste[0]["motifs"].as_str().unwrap()), plier(&h), "stored as typed");
            let chemin = format!("/api/v1/oppositions/{}/decision", liste[0]["id"].as_str().unwrap());
            let corps = json!({ "accepter": false, "motif": h });
            let envoi = s.post_as(dasen, &chemin, &corps);
            if ecrire(&s, envoi, &[200], "motif").await.is_some() {
                imprime_dans(&s, &p, &releve, &h).await;
                *imprimes.entry("opposition").or_default() += 1;
            } else {
                let r = s.post_as(dasen, &chemin, &json!({ "accepter": false, "motif": "Non établi" })).await;
                assert_eq!(r.status(), 200);
            }
        }
    }

    // A new school in the directeur's circonscription, named by the IA-DASEN; the IEN's
    // constat lists it.
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let circo = ecole["circonscription_id"].as_str().unwrap();
    let commune: String = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row("SELECT commune_id FROM ecole WHERE id = ?", [ecole["id"].as_str().unwrap()], |r| r.get(0))
        .unwrap();
    let mut dasen = &dasen1;
    if !s.json_as(dasen, "/api/v1/ecoles").await.to_string().contains(circo) {
        dasen = &dasen2;
    }
    let mut ien = None;
    for l in ["ien.1", "ien.2"] {
        let i = s.login(l).await;
        if s.json_as(&i, "/api/v1/ecoles").await.to_string().contains(circo) {
            ien = Some(i);
            break;
        }
    }
    let ien = ien.expect("the IEN of the circonscription");
    for (k, h) in hostiles().into_iter().enumerate() {
        let corps = json!({ "uai": uai(359_900 + k as u32), "nom": h, "type": "primaire", "commune_id": commune,
                            "circonscription_id": circo, "adresse": "1 place de la Mairie" });
        if ecrire(&s, s.post_as(dasen, "/api/v1/ecoles", &corps), &[201], "nom").await.is_some() {
            imprime_dans(&s, &ien, "/api/v1/constat?format=pdf", &h).await;
            *imprimes.entry("ecole").or_default() += 1;
        }
    }
    for quoi in [
        "identite",
        "annuel",
        "responsable",
        "depart",
        "rectification",
        "refus de rectification",
        "opposition",
        "ecole",
    ] {
        assert!(imprimes.get(quoi).is_some_and(|n| *n > 0), "{quoi}: some hostile text is legitimate and printed");
    }
}
