//! The ministry's files (ONDE) imported and exported, through the API, the page and
//! the CLI: files as the ministry's tool writes them, the round trip into an empty database,
//! the dry run that writes nothing, another school's director refused, hostile text printed
//! literally.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::helpers::{HOSTILE, Session, TestServer, html_texte, pdftotext, registre};

const CLOCK: &str = "2026-11-29T09:30:00Z";

fn ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.env("REGISTRE_HORLOGE", CLOCK).output().unwrap();
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn cp1252(texte: &str) -> Vec<u8> {
    let (b, _, pertes) = encoding_rs::WINDOWS_1252.encode(texte);
    assert!(!pertes);
    b.into_owned()
}

/// The school of a director and the first niveau of its first class.
async fn ecole_de(s: &TestServer, d: &Session) -> (String, String) {
    let ecoles = s.json_as(d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap().to_string();
    let classes = s.json_as(d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    (ecole, classes[0]["niveaux"][0].as_str().unwrap().to_string())
}

async fn envoyer(
    s: &TestServer,
    d: &Session,
    ecole: &str,
    fichiers: &[(&str, Vec<u8>)],
    essai: bool,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("essai", essai.to_string());
    for (nom, octets) in fichiers {
        form = form.part("fichier", reqwest::multipart::Part::bytes(octets.clone()).file_name(nom.to_string()));
    }
    s.client
        .post(s.url(&format!("/api/v1/ecoles/{ecole}/import/onde")))
        .header("cookie", &d.cookie)
        .header("x-csrf-token", &d.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The import of `id`, once it is over (its view, with the report).
pub(crate) async fn attendre_import(s: &TestServer, d: &Session, id: &str) -> Value {
    for _ in 0..6000 {
        let v = s.json_as(d, &format!("/api/v1/imports/{id}")).await;
        if !matches!(v["etat"].as_str(), Some("en_attente" | "en_cours")) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the import {id} never ended");
}

/// Sends the files: refused, the status and the error; accepted (202, with the job's address
/// in `Location`), the status and the report once the import is over.
pub(crate) async fn importer(
    s: &TestServer,
    d: &Session,
    ecole: &str,
    fichiers: &[(&str, Vec<u8>)],
    essai: bool,
) -> (u16, Value) {
    let res = envoyer(s, d, ecole, fichiers, essai).await;
    let status = res.status().as_u16();
    if status != 202 {
        return (status, res.json().await.unwrap_or_default());
    }
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let v: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/imports/{}", v["id"].as_str().unwrap()));
    let fin = attendre_import(s, d, v["id"].as_str().unwrap()).await;
    assert_eq!(fin["etat"], "termine", "{fin:#}");
    (status, fin["rapport"].clone())
}

/// Every stored row of pupils, their schooling, responsables and links, as text.
fn photo_base(db: &Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for table in ["eleve", "scolarite", "responsable", "eleve_responsable", "classe", "classe_niveau", "eleve_annuel"] {
        let mut st = c.prepare(&format!("SELECT * FROM {table}")).unwrap();
        let n = st.column_count();
        let mut rows: Vec<String> = st
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .map(|l| format!("{table}:{l}"))
            .collect();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// A pupils' file as the ministry's tool writes it (Windows-1252, `;`, dd/mm/yyyy, Oui/Non, a
/// header with a leading space and another with other accents, a trailing empty column, a
/// nationality column), with a line of impossible date and one with an INE whose key is wrong.
fn eleves_ministere(niveau: &str) -> Vec<u8> {
    cp1252(&format!(
        " Nom élève;Nom d'usage élève;Prenom eleve;Date naissance;Sexe;INE;Adresse1;Cp1;Commune1;Cycle;Niveau;Libellé classe;Autorisation photo;Autorisation associations;Nationalité;\r\n\
         DURAND;;Élodie;03/05/2018;F;;4 rue des Lilas;35000;Rennes;;{niveau};Import A;Oui;Oui;française;\r\n\
         DURAND;;Jules;12/01/2019;M;;4 rue des Lilas;35000;Rennes;;{niveau};Import A;Non;Oui;française;\r\n\
         DURAND;;Noé;31/02/2019;M;;4 rue des Lilas;35000;Rennes;;{niveau};Import A;Non;Oui;;\r\n\
         DURAND;;Léa;20/09/2018;F;;4 rue des Lilas;35000;Rennes;;{niveau};Import A;Oui;Non;;\r\n\
         MARTIN;;Noé;07/07/2018;M;0100007108E;;;;;{niveau};Import A;;;;\r\n"
    ))
}

/// The responsables' file: three children on one line, a stray column (the parents' occupation,
/// which may never be stored).
fn responsables_ministere() -> Vec<u8> {
    let bloc = "Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants";
    cp1252(&format!(
        "Civilité Responsable;Nom usage responsable;Nom responsable;Prénom responsable;Adresse responsable;CP responsable;Commune responsable;Pays;Courriel;Téléphone domicile;Téléphone travail;Téléphone portable;{bloc};{bloc};{bloc};Profession\r\n\
         MME;;DURAND;Claire;4 rue des Lilas;35000;Rennes;;claire.durand@exemple.test;;;06 11 22 33 44;;DURAND;Élodie;Import A;;DURAND;Jules;Import A;;DURAND;Léa;Import A;ingénieure\r\n\
         M.;;MARTIN;Paul;;;;;;;;07 55 44 33 22;;MARTIN;Noé;Import A;;;;;;;;;\r\n"
    ))
}

#[tokio::test]
async fn a_ministry_file_is_imported_line_by_line_and_again_changes_nothing() {
    let s = TestServer::start(300).await;
    let d = s.login("directeur.2").await;
    let (ecole, niveau) = ecole_de(&s, &d).await;
    let fichiers = [("eleves.csv", eleves_ministere(&niveau)), ("responsables.csv", responsables_ministere())];

    // The dry run reports every line and writes nothing.
    let avant = photo_base(&s.db);
    let (status, r) = importer(&s, &d, &ecole, &fichiers, true).await;
    assert_eq!(status, 202);
    assert_eq!(r["essai"], true);
    assert_eq!(r["ecrit"], false);
    assert_eq!(photo_base(&s.db), avant, "a dry run writes nothing");
    assert_eq!(r["eleves_crees"], 4, "{r:#}");

    let (status, r) = importer(&s, &d, &ecole, &fichiers, false).await;
    assert_eq!(status, 202);
    assert_eq!(r["ecrit"], true);
    assert_eq!((r["eleves_crees"].as_u64(), r["classes_creees"].as_u64()), (Some(4), Some(1)), "{r:#}");
    assert_eq!(r["responsables_crees"], 2, "{r:#}");
    assert_eq!(r["refusees"], 1, "{r:#}");
    let f = &r["fichiers"];
    assert_eq!(f[0]["encodage"], "Windows-1252");
    assert_eq!(f[0]["colonnes_ignorees"], serde_json::json!(["Nationalité"]), "the forbidden column is named");
    assert_eq!(f[1]["colonnes_ignorees"], serde_json::json!(["Profession"]));
    let lignes = r["lignes"].as_array().unwrap();
    let refus: Vec<&Value> = lignes.iter().filter(|l| l["issue"] == "refuse").collect();
    assert_eq!(refus.len(), 1);
    assert_eq!(refus[0]["ligne"], 4, "the line number counts the header");
    assert!(refus[0]["message"].as_str().unwrap().contains("date de naissance"), "{:?}", refus[0]);
    let ine = lignes.iter().find(|l| {
        l["ligne"] == 6 && l["issue"] == "avertissement" && l["message"].as_str().unwrap().contains("lettre clé")
    });
    assert!(ine.is_some(), "a wrong INE key is a warning: {lignes:#?}");
    assert!(lignes.iter().any(|l| l["message"].as_str().unwrap().contains("déduit de la civilité")));

    // What is stored: the three children share their mother, the nationality is nowhere.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let enfants: Vec<(String, String, String)> = c
        .prepare(
            "SELECT el.prenoms, er.lien, r.tel_portable FROM responsable r JOIN eleve_responsable er ON er.responsable_id = r.id
             JOIN eleve el ON el.id = er.eleve_id WHERE r.nom = 'DURAND' AND r.prenom = 'Claire' ORDER BY el.prenoms",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(enfants.len(), 3, "{enfants:?}");
    assert!(enfants.iter().all(|(_, lien, tel)| lien == "mere" && tel == "06 11 22 33 44"), "{enfants:?}");
    let places: i64 = c
        .query_row(
            "SELECT count(*) FROM scolarite s JOIN classe k ON k.id = s.classe_id WHERE k.libelle = 'Import A' AND s.etat = 'admis_definitif'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(places, 4);
    let (insee, lieu): (String, String) = c
        .query_row(
            "SELECT naissance_insee, naissance_lieu FROM eleve WHERE prenoms = 'Élodie' AND nom = 'DURAND'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((insee.as_str(), lieu.as_str()), ("00000", ""), "no birthplace in the file: to be completed");
    drop(c);
    for f in [s.db.clone(), PathBuf::from(format!("{}-wal", s.db.display()))] {
        if let Ok(b) = std::fs::read(&f) {
            assert!(!b.windows(9).any(|w| w == "française".as_bytes()), "{} holds the nationality", f.display());
            assert!(!b.windows(10).any(|w| w == "ingénieure".as_bytes()), "{} holds the occupation", f.display());
        }
    }
    // The fiche de renseignements asks for the birthplace.
    let eleve = s.json_as(&d, "/api/v1/eleves?q=Elodie%20Durand").await;
    let id = eleve[0]["id"].as_str().unwrap();
    let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/fiche-renseignements")).await;
    assert_eq!(pdf.status(), 200);
    let texte = pdftotext(&pdf.bytes().await.unwrap());
    assert!(texte.contains("lieu de naissance à compléter"), "{texte}");

    // Again: nothing changes.
    let avant = s.row_counts();
    let avant_lignes = photo_base(&s.db);
    let (_, r) = importer(&s, &d, &ecole, &fichiers, false).await;
    assert_eq!(
        (r["eleves_crees"].as_u64(), r["eleves_mis_a_jour"].as_u64(), r["eleves_inchanges"].as_u64()),
        (Some(0), Some(0), Some(4)),
        "{r:#}"
    );
    assert_eq!((r["responsables_crees"].as_u64(), r["responsables_mis_a_jour"].as_u64()), (Some(0), Some(0)), "{r:#}");
    assert_eq!(s.row_counts(), avant);
    assert_eq!(photo_base(&s.db), avant_lignes);
}

#[tokio::test]
async fn another_school_s_director_gets_404_and_nothing_changes() {
    let s = TestServer::start(200).await;
    let d2 = s.login("directeur.2").await;
    let d1 = s.login("directeur.1").await;
    let (ecole, niveau) = ecole_de(&s, &d2).await;
    let avant = photo_base(&s.db);
    let fichiers = [("eleves.csv", eleves_ministere(&niveau))];
    let res = envoyer(&s, &d1, &ecole, &fichiers, false).await;
    assert_eq!(res.status(), 404);
    for path in [
        format!("/api/v1/ecoles/{ecole}/export/onde"),
        format!("/api/v1/ecoles/{ecole}/export/onde?format=xlsx"),
        format!("/ecoles/{ecole}/echanges"),
        format!("/ecoles/{ecole}/echanges/export?format=csv&fichier=responsables"),
    ] {
        let res = s.get_as(&d1, &path).await;
        assert_eq!(res.status(), 404, "{path}");
        let corps = res.text().await.unwrap();
        assert!(!corps.contains("Nom élève"), "{path}");
    }
    assert_eq!(photo_base(&s.db), avant, "the rows themselves are unchanged");
    // Roles that read the school do not import nor export its families.
    for login in ["ien.1", "dasen.1", "mairie.1"] {
        let a = s.login(login).await;
        let res = s.get_as(&a, &format!("/api/v1/ecoles/{ecole}/export/onde")).await;
        assert!(matches!(res.status().as_u16(), 403 | 404), "{login}: {}", res.status());
        let res = envoyer(&s, &a, &ecole, &fichiers, false).await;
        assert!(matches!(res.status().as_u16(), 403 | 404), "{login}: {}", res.status());
    }
    assert_eq!(photo_base(&s.db), avant);
    // A file that grants nothing: a pupil known elsewhere in the département, matched by its INE,
    // is not updated from another school's file while it attends its own school.
    let autre = s.json_as(&d1, "/api/v1/eleves").await;
    let id1 = autre[0]["id"].as_str().unwrap();
    let fiche = s.json_as(&d1, &format!("/api/v1/eleves/{id1}")).await;
    let ine = fiche["eleve"]["ine"].as_str().unwrap();
    let faux = cp1252(&format!(
        "Nom élève;Prénom élève;Date naissance;Sexe;INE;Adresse1;Niveau\r\nVOLEUR;Zoé;01/01/2018;F;{ine};1 rue du Vol;{niveau}\r\n"
    ));
    let (_, r) = importer(&s, &d2, &ecole, &[("faux.csv", faux)], false).await;
    assert_eq!(r["refusees"], 1, "{r:#}");
    let message = r["lignes"][0]["message"].as_str().unwrap();
    assert!(message.contains("déjà attribué à un autre élève"), "{message}");
    let nom_ecole = s.json_as(&d1, "/api/v1/ecoles").await[0]["nom"].as_str().unwrap().to_string();
    assert!(!message.contains(&nom_ecole), "the other pupil's school is not revealed: {message}");
    // A pupil radiated from the other school (attending nowhere): its INE with another name
    // does not bring it into this school.
    let res = s
        .post_as(
            &d1,
            &format!("/api/v1/eleves/{id1}/radiation"),
            &serde_json::json!({ "motif": "demenagement", "date": "29/11/2026" }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let avant = photo_base(&s.db);
    let faux = cp1252(&format!(
        "Nom élève;Prénom élève;Date naissance;Sexe;INE;Niveau\r\nVOLEUR;Zoé;01/01/2018;F;{ine};{niveau}\r\n"
    ));
    let (_, r) = importer(&s, &d2, &ecole, &[("faux.csv", faux)], false).await;
    assert_eq!((r["refusees"].as_u64(), r["eleves_crees"].as_u64()), (Some(1), Some(0)), "{r:#}");
    assert_eq!(photo_base(&s.db), avant, "nothing of the radiated pupil moved");
    let res = s.get_as(&d2, &format!("/api/v1/eleves/{id1}")).await;
    assert_eq!(res.status(), 404, "the radiated pupil stays out of this school's reach");
    assert_eq!(photo_base(&s.db), avant, "the other school's pupil is untouched");
}

#[tokio::test]
async fn hostile_text_is_stored_and_printed_literally_or_refused_by_name() {
    let s = TestServer::start(200).await;
    let d = s.login("directeur.2").await;
    let (ecole, niveau) = ecole_de(&s, &d).await;
    let long = "A".repeat(10_000);
    let texte = format!(
        "Nom élève;Prénom élève;Date naissance;Sexe;Adresse1;Niveau;Libellé classe\n\
         LEROUX;Inès;02/02/2018;F;\"{HOSTILE} ]; #panic(\"\"boom\"\") [ {{{{ 7*7 }}}}\";{niveau};<b>Classe</b> #exit()\n\
         {long};Jo;02/02/2018;F;;{niveau};\n\
         LENOIR;Jo;02/02/2018;F;1 rue \u{202E}evil;{niveau};\n"
    );
    let (_, r) = importer(&s, &d, &ecole, &[("h.csv", texte.into_bytes())], false).await;
    assert_eq!(r["eleves_crees"], 1, "{r:#}");
    let refus: Vec<&Value> = r["lignes"].as_array().unwrap().iter().filter(|l| l["issue"] == "refuse").collect();
    assert_eq!(refus.len(), 2, "{r:#}");
    assert_eq!(refus[0]["ligne"], 3);
    assert!(refus[0]["message"].as_str().unwrap().starts_with("nom de famille"), "{:?}", refus[0]);
    assert_eq!(refus[1]["ligne"], 4);
    assert!(
        refus[1]["message"].as_str().unwrap().starts_with("adresse"),
        "a right-to-left override is refused by name"
    );
    let e = s.json_as(&d, "/api/v1/eleves?q=Leroux%20Ines").await;
    let id = e[0]["id"].as_str().unwrap();
    for doc in ["fiche-renseignements", "certificat-scolarite"] {
        let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/{doc}")).await;
        assert_eq!(pdf.status(), 200, "{doc}");
        let t = pdftotext(&pdf.bytes().await.unwrap());
        if doc == "fiche-renseignements" {
            assert!(t.contains("#exit() $x$ *gras*"), "{t}");
            assert!(t.contains("]; #panic(\"boom\") [ {{ 7*7 }}"), "{t}");
        }
        assert!(t.contains("<b>Classe</b> #exit()") || doc == "fiche-renseignements", "{t}");
    }
    // The report page shows the same text escaped.
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/echanges")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Importer les fichiers d'ONDE") || html_texte(&html).contains("Importer les fichiers d'ONDE")
    );
}

/// Wipes every pupil, family and class from a copy of a database: what is left is an empty
/// installation of the same territories.
fn vider(db: &Path) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DELETE FROM affectation_college; DELETE FROM certificat; DELETE FROM contact; DELETE FROM eleve_annuel;
         DELETE FROM eleve_responsable; DELETE FROM fiche_retour; DELETE FROM inscription; DELETE FROM opposition;
         DELETE FROM passage; DELETE FROM rectification; DELETE FROM scolarite; DELETE FROM classe_niveau;
         DELETE FROM classe; DELETE FROM eleve; DELETE FROM sequence_ine; DELETE FROM session; DELETE FROM code_secours;
         DELETE FROM jeton; DELETE FROM compte WHERE role = 'responsable'; DELETE FROM responsable;",
    )
    .unwrap();
    let fk: i64 = c.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 0);
}

/// The school's pupils as stored, by INE, field by field (identity, schooling, class, yearly
/// photo consent, responsables in order with their link and consent).
fn eleves_de(db: &Path, uai: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare(
            "SELECT el.id, el.ine, el.nom, coalesce(el.nom_usage, ''), el.prenoms, el.sexe, el.date_naissance,
                    el.naissance_insee, el.naissance_lieu, coalesce(el.adresse, ''), coalesce(el.code_postal, ''),
                    coalesce(el.commune_residence, ''), s.niveau, s.cycle, s.etat, coalesce(k.libelle, ''),
                    coalesce((SELECT group_concat(niveau) FROM (SELECT niveau FROM classe_niveau WHERE classe_id = k.id ORDER BY niveau)), ''),
                    coalesce(a.autorisation_photo, -1), s.ulis, coalesce(s.pieces_manquantes, ''), s.date_admission
             FROM eleve el JOIN scolarite s ON s.eleve_id = el.id JOIN ecole e ON e.id = s.ecole_id
             LEFT JOIN classe k ON k.id = s.classe_id LEFT JOIN eleve_annuel a ON a.eleve_id = el.id AND a.annee = s.annee
             WHERE e.uai = ?1 AND s.etat IN ('admis_provisoire', 'admis_definitif') ORDER BY el.ine",
        )
        .unwrap();
    let lignes: Vec<(String, String)> = st
        .query_map([uai], |r| {
            let id: String = r.get(0)?;
            let v: Vec<String> =
                (1..21).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
            Ok((id, v.join("|")))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for (id, l) in lignes {
        let mut r = c
            .prepare(
                "SELECT er.rang, er.lien, er.autorite_parentale, coalesce(er.accord_associations, -1), coalesce(r.civilite, ''),
                        r.nom, r.prenom, coalesce(r.adresse, ''), coalesce(r.code_postal, ''), coalesce(r.commune, ''),
                        coalesce(r.pays, ''), coalesce(r.tel_domicile, ''), coalesce(r.tel_travail, ''),
                        coalesce(r.tel_portable, ''), coalesce(r.courriel, '')
                 FROM eleve_responsable er JOIN responsable r ON r.id = er.responsable_id WHERE er.eleve_id = ?1 ORDER BY er.rang",
            )
            .unwrap();
        let resp: Vec<String> = r
            .query_map([&id], |r| {
                Ok((0..15)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.push(format!("{l} || {}", resp.join(" / ")));
    }
    out
}

#[test]
fn export_then_import_into_an_empty_database_gives_equal_pupils() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(registre().args(["demo", "--pupils", "300", "--seed", "5", "--db"]).arg(&db));
    let liste = ok(registre().args(["eleves", "--db"]).arg(&db));
    // The school with the most pupils.
    let mut par_ecole = std::collections::BTreeMap::<String, usize>::new();
    for l in liste.lines() {
        *par_ecole.entry(l.split('\t').nth(4).unwrap().to_string()).or_default() += 1;
    }
    let uai = par_ecole.iter().max_by_key(|(_, n)| **n).unwrap().0.clone();
    let source = eleves_de(&db, &uai);
    assert!(source.len() > 20, "{}", source.len());
    for (sortie, fichiers) in [("x.csv", vec!["x.csv", "x-responsables.csv"]), ("x.xlsx", vec!["x.xlsx"])] {
        let out = ok(registre()
            .args(["export", "onde", "--ecole", &uai, "-o"])
            .arg(dir.path().join(sortie))
            .arg("--db")
            .arg(&db));
        assert_eq!(out.lines().count(), fichiers.len(), "{out}");
        let vide = dir.path().join(format!("vide-{sortie}.db"));
        ok(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&vide));
        std::fs::copy(registre::config::Cles::chemin(&db), registre::config::Cles::chemin(&vide)).unwrap();
        vider(&vide);
        assert!(eleves_de(&vide, &uai).is_empty());
        let mut cmd = registre();
        cmd.args(["import", "onde", "--ecole", &uai, "--db"]).arg(&vide);
        for f in &fichiers {
            cmd.arg(dir.path().join(f));
        }
        let rapport = ok(&mut cmd);
        assert!(rapport.contains("lignes refusées : 0"), "{rapport}");
        let copie = eleves_de(&vide, &uai);
        assert_eq!(copie.len(), source.len(), "{sortie}");
        for (a, b) in source.iter().zip(&copie) {
            assert_eq!(a, b, "{sortie}: the same pupils, field by field");
        }
        let check = ok(registre().args(["check", "--db"]).arg(&vide));
        assert!(check.contains("Base saine"), "{check}");
        // The export of the copy is the export of the source.
        let again = dir.path().join(format!("y-{sortie}"));
        ok(registre().args(["export", "onde", "--ecole", &uai, "-o"]).arg(&again).arg("--db").arg(&vide));
        if sortie.ends_with(".csv") {
            assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(dir.path().join(sortie)).unwrap());
        }
    }
}

#[test]
fn a_dry_run_of_a_file_with_five_percent_bad_rows_lists_each_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(registre().args(["demo", "--pupils", "200", "--seed", "2", "--db"]).arg(&db));
    let liste = ok(registre().args(["eleves", "--db"]).arg(&db));
    let premiere: Vec<&str> = liste.lines().next().unwrap().split('\t').collect();
    let (uai, niveau) = (premiere[4], premiere[5]);
    let prenoms = ["Abel", "Basile", "Côme", "Denis", "Éloi", "Félix", "Gaspard", "Hugo", "Igor", "Jean"];
    let mut texte = String::from("Nom élève;Prénom élève;Date naissance;Sexe;Niveau;Libellé classe\n");
    let mut mauvaises = Vec::new();
    for i in 0..100 {
        let ligne = i + 2;
        let nom = format!("ESSAI{}", ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"][i / 10]);
        let prenom = prenoms[i % 10];
        let l = match i {
            7 => (format!("{nom};{prenom};30/02/2018;M;{niveau};Essai"), "date de naissance"),
            23 => (format!("{nom};{prenom};01/03/2018;X;{niveau};Essai"), "sexe"),
            41 => (format!(";{prenom};01/03/2018;M;{niveau};Essai"), "nom"),
            66 => (format!("{nom};{prenom};01/03/2018;M;CM7;Essai"), "niveau"),
            88 => (format!("{nom};{prenom};2018-13-45;F;{niveau};Essai"), "date de naissance"),
            _ => (format!("{nom};{prenom};0{}/03/2018;M;{niveau};Essai", 1 + i % 9), ""),
        };
        if !l.1.is_empty() {
            mauvaises.push((ligne, l.1));
        }
        texte.push_str(&l.0);
        texte.push('\n');
    }
    let fichier = dir.path().join("eleves.csv");
    std::fs::write(&fichier, &texte).unwrap();
    let avant = photo_base(&db);
    let out = ok(registre().args(["import", "onde", "--dry-run", "--ecole", uai, "--db"]).arg(&db).arg(&fichier));
    for (ligne, champ) in &mauvaises {
        let l = out
            .lines()
            .find(|l| l.starts_with(&format!("eleves.csv ligne {ligne} : refusé")))
            .unwrap_or_else(|| panic!("line {ligne} missing:\n{out}"));
        assert!(l.contains(champ), "{l}");
    }
    assert!(out.contains("95 créé(s)"), "{out}");
    assert!(out.contains("lignes refusées : 5"), "{out}");
    assert_eq!(photo_base(&db), avant, "the dry run wrote nothing");
    // All or nothing: refused, nothing written.
    let echec = registre()
        .args(["import", "onde", "--tout-ou-rien", "--ecole", uai, "--db"])
        .arg(&db)
        .arg(&fichier)
        .env("REGISTRE_HORLOGE", CLOCK)
        .output()
        .unwrap();
    assert!(!echec.status.success());
    assert!(String::from_utf8_lossy(&echec.stderr).contains("rien n'est écrit"));
    assert_eq!(photo_base(&db), avant);
    // Then for real: the 95 good lines go in.
    let out = ok(registre().args(["import", "onde", "--ecole", uai, "--db"]).arg(&db).arg(&fichier));
    assert!(out.contains("95 créé(s)"), "{out}");
    let check = ok(registre().args(["check", "--db"]).arg(&db));
    assert!(check.contains("Base saine"), "{check}");
}

/// The page an import form leads to (303), read until the import is over: its text.
async fn page_import(s: &TestServer, d: &Session, res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303, "the form leads to the import's page");
    let adresse = res.headers()["location"].to_str().unwrap().to_string();
    assert!(adresse.starts_with("/imports/"), "{adresse}");
    loop {
        let html = s.get_as(d, &adresse).await.text().await.unwrap();
        if !html.contains("http-equiv=\"refresh\"") {
            return html_texte(&html);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The school's « Échanges » page: the form sends the files with its CSRF token, the report
/// comes back on the page, a dry run first; without the token nothing is done.
#[tokio::test]
async fn the_exchange_page_imports_with_a_dry_run_first_and_exports() {
    let s = TestServer::start(200).await;
    let d = s.login("directeur.2").await;
    let (ecole, niveau) = ecole_de(&s, &d).await;
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/echanges")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let csrf = crate::helpers::csrf_de(&html);
    let envoyer = |csrf: Option<String>, essai: bool| {
        let mut form = reqwest::multipart::Form::new()
            .part("fichier", reqwest::multipart::Part::bytes(eleves_ministere(&niveau)).file_name("eleves.csv"))
            .part("fichier", reqwest::multipart::Part::bytes(responsables_ministere()).file_name("responsables.csv"));
        if essai {
            form = form.text("essai", "on");
        }
        if let Some(c) = csrf {
            form = form.text("csrf", c);
        }
        s.client
            .post(s.url(&format!("/ecoles/{ecole}/echanges/import")))
            .header("cookie", &d.cookie)
            .multipart(form)
            .send()
    };
    let avant = photo_base(&s.db);
    let res = envoyer(None, false).await.unwrap();
    assert_eq!(res.status(), 403, "no CSRF token, nothing done");
    assert_eq!(photo_base(&s.db), avant);
    // The import page: progress while it runs (it reloads itself), then the report.
    let texte = page_import(&s, &d, envoyer(Some(csrf.clone()), true).await.unwrap()).await;
    assert!(texte.contains("Essai terminé : rien n'est écrit"), "{texte}");
    assert!(texte.contains("colonnes ignorées, jamais enregistrées : Nationalité"), "{texte}");
    assert!(texte.contains("refusée"), "{texte}");
    assert!(texte.contains("Télécharger le rapport complet (CSV)"), "{texte}");
    assert_eq!(photo_base(&s.db), avant, "the dry run wrote nothing");
    let texte = page_import(&s, &d, envoyer(Some(csrf), false).await.unwrap()).await;
    assert!(texte.contains("Import enregistré"), "{texte}");
    assert!(texte.contains("Élèves : 4 créés"), "{texte}");
    // The school's page lists both, and the report downloads as a CSV file.
    let html = s.get_as(&d, &format!("/ecoles/{ecole}/echanges")).await.text().await.unwrap();
    assert_eq!(html.matches("href=\"/imports/").count(), 2, "{html}");
    let imports = s.json_as(&d, "/api/v1/imports").await;
    let id = imports[0]["id"].as_str().unwrap();
    assert!(imports[0]["rapport"].is_null(), "the list carries no report");
    let res = s.get_as(&d, &format!("/api/v1/imports/{id}/rapport")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let csv = res.text().await.unwrap();
    assert!(csv.contains("Fichier;Ligne;Résultat;Détail"), "{csv}");
    assert!(csv.contains("eleves.csv;4;refusé;"), "{csv}");
    // The export links of the page give the files.
    let res = s.get_as(&d, &format!("/ecoles/{ecole}/echanges/export?format=csv&fichier=responsables")).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("responsables.csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.contains("DURAND;DURAND;Claire"), "{csv}");
    let res = s.get_as(&d, &format!("/ecoles/{ecole}/echanges/export?format=xlsx")).await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    // A bad choice is named.
    let res = s.get_as(&d, &format!("/api/v1/ecoles/{ecole}/export/onde?format=ods")).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("format"));
}

/// A pupils' file of `n` new children of niveau `niveau`, spread over ten classes.
fn gros_fichier(n: usize, niveau: &str) -> Vec<u8> {
    let prenoms = ["Lou", "Jade", "Louise", "Emma", "Ambre", "Gabriel", "Léo", "Raphaël", "Louis", "Noah"];
    let mut texte = String::from("Nom élève;Prénom élève;Date naissance;Sexe;Niveau;Libellé classe\n");
    for i in 0..n {
        let nom: String = (0..4).map(|k| char::from(b'A' + ((i / 26usize.pow(k)) % 26) as u8)).collect();
        texte.push_str(&format!(
            "NOUVEAU{nom};{};{:02}/{:02}/2019;{};{niveau};Arrivée {}\n",
            prenoms[i % 10],
            1 + i % 28,
            1 + i % 12,
            if i % 2 == 0 { "F" } else { "M" },
            1 + i % 10
        ));
    }
    texte.into_bytes()
}

/// One school's import of 5,000 lines, and separately its dry run, while a director of another
/// school writes: every one of those writes goes through while the import runs (the import
/// works in short transactions, the dry run on a private copy), and the longest wait is printed.
#[tokio::test]
async fn another_school_s_writes_go_through_while_a_5000_line_import_and_its_dry_run_run() {
    let s = TestServer::start(300).await;
    let d2 = s.login("directeur.2").await;
    let d1 = s.login("directeur.1").await;
    let (ecole, niveau) = ecole_de(&s, &d2).await;
    let autre = s.json_as(&d1, "/api/v1/eleves").await[0]["id"].as_str().unwrap().to_string();
    let fichier = gros_fichier(5000, &niveau);
    let creations = || -> i64 {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.query_row("SELECT count(*) FROM journal WHERE ressource = 'eleve' AND action = 'creer'", [], |r| r.get(0))
            .unwrap()
    };
    for essai in [true, false] {
        let avant = photo_base(&s.db);
        let creations_avant = creations();
        let res = envoyer(&s, &d2, &ecole, &[("eleves.csv", fichier.clone())], essai).await;
        assert_eq!(res.status(), 202);
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
        let mut attentes = Vec::new();
        // Writes that began and ended while the import was running: impossible if the import
        // held the writer from its first line to its last.
        let mut pendant = 0;
        let mut en_cours = false;
        loop {
            let v = s.json_as(&d2, &format!("/api/v1/imports/{id}")).await;
            if en_cours && v["etat"] == "en_cours" {
                pendant += 1;
            }
            en_cours = false;
            match v["etat"].as_str() {
                Some("en_attente") => {}
                Some("en_cours") => {
                    en_cours = true;
                    let debut = std::time::Instant::now();
                    let r = s
                        .put_as(
                            &d1,
                            &format!("/api/v1/eleves/{autre}/annuel"),
                            &serde_json::json!({ "assureur": format!("PENDANT {}", attentes.len()) }),
                        )
                        .await;
                    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
                    attentes.push(debut.elapsed());
                }
                _ => break,
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let fin = attendre_import(&s, &d2, &id).await;
        assert_eq!(fin["etat"], "termine", "{fin}");
        assert_eq!(fin["rapport"]["eleves_crees"], 5000);
        assert_eq!(fin["rapport"]["lignes_traitees"], 5000);
        if essai {
            let apres = photo_base(&s.db);
            assert!(
                apres.iter().all(|l| avant.contains(l) || l.starts_with("eleve_annuel:")),
                "the dry run wrote nothing"
            );
            assert_eq!(creations(), creations_avant, "nor journaled any creation");
        } else {
            assert_eq!(creations() - creations_avant, 5000, "one journal row per pupil created");
        }
        assert!(pendant >= 3, "writes went through while the import was running ({pendant})");
        attentes.sort();
        println!(
            "{}: {} writes of another school ({pendant} begun and ended while it ran); median {:?}, longest {:?}",
            if essai { "dry run of 5,000 lines" } else { "import of 5,000 lines" },
            attentes.len(),
            attentes[attentes.len() / 2],
            attentes.last().unwrap()
        );
    }
    let check = ok(registre().args(["check", "--db"]).arg(&s.db));
    assert!(check.contains("Base saine"), "{check}");
}
