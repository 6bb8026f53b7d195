//! Issue 14: hostile text end to end. Every string of a hostile list goes into every text field
//! of an admission (the pupil, a responsable), a class and a radiation. Each is either refused
//! with a French 422 naming the field, nothing written, or stored as typed and printed
//! literally in the documents (checked with the PDF's text layer).

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::helpers::{TestServer, pdf_chars};

/// Typst markup, a template's delimiters, SQL, HTML, a template engine's syntax, a
/// right-to-left override, combining characters, an emoji sequence, a very long string.
fn hostiles() -> Vec<String> {
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
fn imprime(texte: &str, mot: &str) -> bool {
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
    assert_eq!(v["error"], "invalide", "{v}");
    let champs: Vec<&str> =
        v["champs"].as_array().map(|l| l.iter().filter_map(|c| c["champ"].as_str()).collect()).unwrap_or_default();
    assert!(v["champ"] == cle_api(cle).as_str() || champs.contains(&cle_api(cle).as_str()), "{cle}: {v}");
    let m = v["message"].as_str().unwrap();
    assert!(!m.is_empty() && !m.contains("error") && !m.contains("invalid"), "French message: {m}");
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
            let avant = s.row_counts();
            let res = s.post_as(&d, "/api/v1/admissions", &corps).await;
            let status = res.status().as_u16();
            let v: Value = res.json().await.unwrap();
            if status != 201 {
                refus(status, &v, cle);
                assert_eq!(s.row_counts(), avant, "{cle} = {h:.40}: a refusal wrote something");
                continue;
            }
            // Stored as typed (names upper-cased), and printed so.
            let id = v["eleve_id"].as_str().unwrap();
            let fiche = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
            let stocke = match *cle {
                c if c.starts_with("eleve.") => fiche["eleve"][&c[6..]].as_str().unwrap_or_default().to_string(),
                c => {
                    let champ = c.rsplit('.').next().unwrap();
                    fiche["responsables"][0][champ].as_str().unwrap_or_default().to_string()
                }
            };
            assert_eq!(plier(&stocke).to_uppercase(), plier(&h).to_uppercase(), "{cle}: stored as typed");
            let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{document}")).await;
            assert_eq!(pdf.status(), 200, "{document} with {cle} = {h:.40}");
            let texte = pdf_chars(&pdf.bytes().await.unwrap());
            assert!(imprime(&texte, &stocke), "{document}: « {stocke:.60} » not printed literally:\n{texte}");
            imprimes += 1;
        }
    }
    assert!(imprimes > 0, "some hostile text is legitimate and printed");

    // A class and a radiation: the same rule.
    for (k, h) in hostiles().into_iter().enumerate() {
        let avant = s.row_counts();
        let libelle = format!("CE1-Z{k}");
        let res = s
            .post_as(
                &d,
                &format!("/api/v1/ecoles/{ecole}/classes/nouvelle"),
                &json!({ "libelle": libelle, "niveaux": ["CE1"], "enseignant": h }),
            )
            .await;
        let status = res.status().as_u16();
        let v: Value = res.json().await.unwrap();
        if status != 201 {
            refus(status, &v, "enseignant");
            assert_eq!(s.row_counts(), avant);
            continue;
        }
        let classe = v["id"].as_str().unwrap();
        let pdf = s.get_as(&d, &format!("/api/v1/classes/{classe}/documents/liste-classe")).await;
        assert_eq!(pdf.status(), 200);
        let texte = pdf_chars(&pdf.bytes().await.unwrap());
        assert!(imprime(&texte, &h), "liste-classe: « {h:.60} » not printed literally:\n{texte}");
    }
    let eleves = s.json_as(&d, "/api/v1/eleves?limite=20").await;
    for (i, h) in hostiles().into_iter().enumerate() {
        let id = eleves[i]["id"].as_str().unwrap();
        let avant = s.row_counts();
        let res = s
            .post_as(
                &d,
                &format!("/api/v1/eleves/{id}/radiation"),
                &json!({ "motif": "demenagement", "date": "29/11/2026", "destination": h }),
            )
            .await;
        let status = res.status().as_u16();
        let v: Value = res.json().await.unwrap();
        if status != 200 && status != 201 {
            refus(status, &v, "destination");
            assert_eq!(s.row_counts(), avant);
            continue;
        }
        let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/certificat-radiation")).await;
        assert_eq!(pdf.status(), 200);
        let texte = pdf_chars(&pdf.bytes().await.unwrap());
        assert!(imprime(&texte, &h), "certificat-radiation: « {h:.60} » not printed literally:\n{texte}");
    }
}
