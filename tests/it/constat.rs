//! The constat des effectifs — the campaign through HTTP (opened, validated, frozen,
//! read by the IEN with the circonscription's total), totals equal to a direct count, and the
//! same numbers in the PDF, the CSV and the XLSX.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{Value, json};

use crate::helpers::{Session, TestServer, pdftotext};

/// The UAI of directeur.1's school and its id.
async fn ecole_de(s: &TestServer, d: &Session) -> (String, String) {
    let e = s.json_as(d, "/api/v1/ecoles").await[0].clone();
    (e["id"].as_str().unwrap().to_string(), e["uai"].as_str().unwrap().to_string())
}

/// The IEN, among ien.1 and ien.2, whose circonscription holds the school.
async fn ien_de(s: &TestServer, uai: &str) -> Session {
    for l in ["ien.1", "ien.2"] {
        let i = s.login(l).await;
        let r = s.json_as(&i, "/api/v1/constat").await;
        if r.to_string().contains(uai) {
            return i;
        }
    }
    panic!("no IEN sees {uai}");
}

async fn dasen_de(s: &TestServer, uai: &str) -> (Session, Session) {
    let a = s.login("dasen.1").await;
    let b = s.login("dasen.2").await;
    if s.json_as(&a, "/api/v1/constat").await.to_string().contains(uai) { (a, b) } else { (b, a) }
}

fn ligne<'a>(r: &'a Value, uai: &str) -> &'a Value {
    r["groupes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["ecoles"].as_array().unwrap())
        .find(|l| l["uai"] == uai)
        .unwrap()
}

#[tokio::test]
async fn the_campaign_is_opened_a_school_validates_its_constat_is_frozen_and_the_ien_sees_the_total() {
    let s = TestServer::start(120).await;
    let d = s.login("directeur.1").await;
    let (ecole, uai) = ecole_de(&s, &d).await;
    // No campaign: validation refused in French.
    let r = s.post_as(&d, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("campagne"));
    // Only the IA-DASEN opens it; the directeur and the IEN cannot.
    assert_eq!(s.post_as(&d, "/api/v1/campagnes/constat/ouverture", &json!({})).await.status(), 403);
    let (dasen, autre_dasen) = dasen_de(&s, &uai).await;
    let r = s.post_as(&dasen, "/api/v1/campagnes/constat/ouverture", &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(
        s.post_as(&dasen, "/api/v1/campagnes/constat/ouverture", &json!({})).await.status(),
        409,
        "already open"
    );
    // The other département's campaign is not this one: the school still cannot validate there.
    assert!(!s.json_as(&autre_dasen, "/api/v1/constat").await.to_string().contains(&uai));
    // The directeur's home page says the constat waits for them.
    let accueil = s.get_as(&d, "/").await.text().await.unwrap();
    assert!(accueil.contains(&format!("/ecoles/{ecole}/constat")) && accueil.contains("campagne du constat"));
    // The directeur checks, then validates.
    let avant = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/constat")).await;
    assert!(avant["valide"].is_null() && avant["campagne_ouverte"] == true);
    let compte = avant["calcule"]["total"].as_u64().unwrap();
    let r = s.post_as(&d, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["valide"]["total"].as_u64().unwrap(), compte);
    // Frozen: a pupil admitted afterwards changes today's count, not the validated one.
    let classes = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await;
    let k = &classes[0];
    let body = json!({ "ecole_id": ecole, "niveau": k["niveaux"][0], "classe_id": k["id"], "confirmer_nouveau": true,
        "eleve": { "nom": "Nouvel", "prenoms": "Arrivant", "sexe": "M", "date_naissance": "01/02/2021",
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan" } });
    assert_eq!(s.post_as(&d, "/api/v1/eleves", &body).await.status(), 201);
    let apres = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/constat")).await;
    assert_eq!(apres["calcule"]["total"].as_u64().unwrap(), compte + 1);
    assert_eq!(apres["valide"]["total"].as_u64().unwrap(), compte);
    // The IEN sees the validated count, the circonscription's total and who has not validated.
    let ien = ien_de(&s, &uai).await;
    let r = s.json_as(&ien, "/api/v1/constat").await;
    assert_eq!(r["groupes_par"], "commune");
    let l = ligne(&r, &uai);
    assert_eq!(l["total"].as_u64().unwrap(), compte);
    assert!(l["etat"].as_str().unwrap().starts_with("validé le"));
    let somme: u64 = r["groupes"].as_array().unwrap().iter().map(|g| g["sous_total"]["total"].as_u64().unwrap()).sum();
    assert_eq!(r["total"]["total"].as_u64().unwrap(), somme);
    assert!(!r["non_valides"].as_array().unwrap().iter().any(|e| e.as_str().unwrap().starts_with(&uai)));
    assert!(!r["non_valides"].as_array().unwrap().is_empty(), "the other schools have not validated");
    let page = s.get_as(&ien, "/constat").await.text().await.unwrap();
    assert!(page.contains("Total") && page.contains(&format!("/ecoles/{ecole}/constat")));
    // The IEN cannot validate for the school; another school's directeur gets 404.
    assert_eq!(s.post_as(&ien, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await.status(), 403);
    let d2 = s.login("directeur.2").await;
    assert_eq!(s.post_as(&d2, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await.status(), 404);
    assert_eq!(s.get_as(&d2, &format!("/api/v1/ecoles/{ecole}/constat")).await.status(), 404);
    // Validated again (journaled as such), then the campaign closes: no more validation.
    assert_eq!(s.post_as(&d, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await.status(), 200);
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM journal WHERE ressource = 'constat' AND detail LIKE '%revalidation%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(s.post_as(&dasen, "/api/v1/campagnes/constat/cloture", &json!({})).await.status(), 200);
    assert_eq!(s.post_as(&d, &format!("/api/v1/ecoles/{ecole}/constat/validation"), &json!({})).await.status(), 409);
    // The statisticien and the parents do not read the constat.
    for login in ["statisticien.1", "parent.1"] {
        let x = s.login(login).await;
        assert_eq!(s.get_as(&x, "/api/v1/constat").await.status(), 403, "{login}");
    }
}

#[tokio::test]
async fn the_circonscription_s_totals_equal_a_direct_count() {
    let s = TestServer::start(300).await;
    let d = s.login("directeur.1").await;
    let (_, uai) = ecole_de(&s, &d).await;
    let ien = ien_de(&s, &uai).await;
    let r = s.json_as(&ien, "/api/v1/constat").await;
    let uais: Vec<String> = r["groupes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["ecoles"].as_array().unwrap().iter().map(|l| l["uai"].as_str().unwrap().to_string()))
        .collect();
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let marques = uais.iter().map(|_| "?").collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT s.niveau, count(*) FROM scolarite s JOIN eleve el ON el.id = s.eleve_id JOIN ecole e ON e.id = s.ecole_id
         WHERE s.annee = (SELECT debut FROM annee_scolaire WHERE etat = 'ouverte')
         AND s.etat IN ('admis_provisoire', 'admis_definitif') AND el.ine IS NOT NULL AND e.uai IN ({marques})
         GROUP BY s.niveau"
    );
    let direct: BTreeMap<String, u64> = c
        .prepare(&sql)
        .unwrap()
        .query_map(rusqlite::params_from_iter(&uais), |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let niveaux: Vec<String> =
        r["niveaux"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    for (i, n) in niveaux.iter().enumerate() {
        assert_eq!(r["total"]["niveaux"][i].as_u64().unwrap(), direct.get(n).copied().unwrap_or(0), "{n}");
    }
    assert_eq!(r["total"]["total"].as_u64().unwrap(), direct.values().sum::<u64>());
    let classes: i64 = c
        .query_row(
            &format!("SELECT count(*) FROM classe cl JOIN ecole e ON e.id = cl.ecole_id WHERE cl.annee = (SELECT debut FROM annee_scolaire WHERE etat = 'ouverte') AND e.uai IN ({marques})"),
            rusqlite::params_from_iter(&uais),
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(r["total"]["classes"].as_i64().unwrap(), classes);
}

/// The cells of the first sheet of an XLSX, by row, as text.
fn xlsx_lignes(octets: &[u8]) -> Vec<Vec<String>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(octets)).unwrap();
    let mut lire = |nom: &str| {
        let mut s = String::new();
        if let Ok(mut f) = z.by_name(nom) {
            f.read_to_string(&mut s).unwrap();
        }
        s
    };
    let partages = lire("xl/sharedStrings.xml");
    let feuille = lire("xl/worksheets/sheet1.xml");
    let chaines: Vec<String> = partages
        .split("<si>")
        .skip(1)
        .map(|si| {
            let d = si.find("<t").map(|i| i + si[i..].find('>').unwrap() + 1).unwrap();
            let f = si[d..].find("</t>").unwrap() + d;
            si[d..f].replace("&amp;", "&").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
        })
        .collect();
    feuille
        .split("<row ")
        .skip(1)
        .map(|row| {
            row.split("<c ")
                .skip(1)
                .map(|c| {
                    let v = c.find("<v>").map(|i| &c[i + 3..i + 3 + c[i + 3..].find("</v>").unwrap()]).unwrap_or("");
                    if c.contains("t=\"s\"") { chaines[v.parse::<usize>().unwrap()].clone() } else { v.to_string() }
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_pdf_report_s_numbers_equal_the_csv_s_and_the_xlsx_s() {
    let s = TestServer::start(200).await;
    let dasen = s.login("dasen.1").await;
    let csv = s.get_as(&dasen, "/api/v1/constat?format=csv").await;
    assert_eq!(csv.status(), 200);
    let csv = String::from_utf8(csv.bytes().await.unwrap().to_vec()).unwrap();
    let xlsx = s.get_as(&dasen, "/api/v1/constat?format=xlsx").await;
    assert_eq!(xlsx.status(), 200);
    let xlsx = xlsx_lignes(&xlsx.bytes().await.unwrap());
    let pdf = s.get_as(&dasen, "/api/v1/constat?format=pdf").await;
    assert_eq!(pdf.status(), 200);
    let texte = pdftotext(&pdf.bytes().await.unwrap());
    assert!(texte.contains("CONSTAT DES EFFECTIFS"));
    let lignes: Vec<Vec<String>> =
        csv.trim_start_matches('\u{feff}').lines().map(|l| l.split(';').map(str::to_string).collect()).collect();
    let entetes = &lignes[0];
    let col = |nom: &str| entetes.iter().position(|h| h == nom).unwrap();
    let (tps, total, ulis) = (col("TPS"), col("Total"), col("ULIS"));
    let mut vues = 0;
    for l in &lignes[1..] {
        // The same line in the XLSX: same label, same numbers.
        let x = xlsx
            .iter()
            .find(|x| x.len() > 2 && x[2] == l[2] && x[1] == l[1] && x[0] == l[0])
            .unwrap_or_else(|| panic!("{l:?}"));
        for c in tps..=total {
            assert_eq!(x[c], l[c], "column {} of {l:?}", entetes[c]);
        }
        // The same numbers, in the same order, on the PDF's line.
        let nombres = l[tps..=total].join(" ");
        assert_eq!(total - tps, ulis - tps + 1, "ULIS then Total after the niveaux");
        assert!(texte.contains(&nombres), "{nombres} of {:?} not in the PDF", &l[..3]);
        vues += 1;
    }
    assert!(vues > 3);
    let last = lignes.last().unwrap();
    assert_eq!(last[2], "Total");
    assert!(texte.contains(&format!("Total {}", last[tps..=total].join(" "))), "the total line");
    // Bad format: a French 422 naming the field.
    let r = s.get_as(&dasen, "/api/v1/constat?format=docx").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("format"));
}

/// Hex digests of each INE (SHA-256, SHA-1, MD5; lower and upper case), by Python's hashlib.
fn empreintes(ines: &[String]) -> Vec<String> {
    let script = "import hashlib,sys\nfor l in sys.stdin.read().split():\n  for h in (hashlib.sha256, hashlib.sha1, hashlib.md5):\n    d = h(l.encode()).hexdigest()\n    print(d); print(d.upper())\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(ines.join("\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

#[tokio::test]
async fn no_release_file_holds_a_name_an_address_a_birth_date_an_ine_or_an_unkeyed_hash_of_one() {
    let s = TestServer::start(200).await;
    let dasen = s.login("dasen.1").await;
    // Only the data controller prepares; the statisticien downloads.
    let stat = s.login("statisticien.1").await;
    assert_eq!(s.post_as(&stat, "/api/v1/publications", &json!({})).await.status(), 403);
    let r = s.post_as(&dasen, "/api/v1/publications", &json!({})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_str().unwrap().to_string();
    assert!(p["eleves"].as_u64().unwrap() > 50);
    let liste = s.json_as(&stat, "/api/v1/publications").await;
    assert!(
        liste.as_array().unwrap().iter().any(|x| x["id"] == id.as_str()),
        "the statisticien of the académie sees it"
    );
    let autre = s.login("statisticien.2").await;
    assert!(s.json_as(&autre, "/api/v1/publications").await.as_array().unwrap().is_empty());
    assert_eq!(s.get_as(&autre, &format!("/api/v1/publications/{id}/eleves.csv")).await.status(), 404);
    assert_eq!(s.get_as(&stat, &format!("/api/v1/publications/{id}/..%2F..%2Fr.db")).await.status(), 404);
    let mut fichiers = String::new();
    for f in ["eleves.csv", "effectifs.csv", "LISEZMOI.txt"] {
        let r = s.get_as(&stat, &format!("/api/v1/publications/{id}/{f}")).await;
        assert_eq!(r.status(), 200, "{f}");
        fichiers.push_str(&r.text().await.unwrap());
        fichiers.push('\n');
    }
    // The page says what eleves.csv holds, as its header does: no ULIS.
    let entete = fichiers.lines().next().unwrap().to_lowercase();
    assert!(!entete.contains("ulis"), "{entete}");
    let page = crate::helpers::html_texte(&s.get_as(&stat, "/publications").await.text().await.unwrap());
    let eleves = page.split("eleves.csv").nth(1).unwrap().split("cohortes.csv").next().unwrap();
    assert!(eleves.contains("ni ULIS") && !eleves.contains("l'ULIS,"), "{eleves}");
    // Everything the register holds that must not leave the département.
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let mut interdits: Vec<String> = Vec::new();
    let mut ines: Vec<String> = Vec::new();
    let mut st =
        c.prepare("SELECT nom, prenoms, coalesce(adresse, ''), date_naissance, coalesce(ine, '') FROM eleve").unwrap();
    let mut rows = st.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let (nom, prenoms, adresse, naissance, ine): (String, String, String, String, String) =
            (r.get(0).unwrap(), r.get(1).unwrap(), r.get(2).unwrap(), r.get(3).unwrap(), r.get(4).unwrap());
        interdits.extend([nom, prenoms, adresse].into_iter().filter(|x| x.chars().count() >= 4));
        let d = time::Date::parse(&naissance, &time::format_description::well_known::Iso8601::DEFAULT).unwrap();
        interdits.push(naissance.clone());
        interdits.push(format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()));
        if !ine.is_empty() {
            ines.push(ine);
        }
    }
    let mut st = c.prepare("SELECT coalesce(adresse, '') FROM responsable").unwrap();
    interdits.extend(st.query_map([], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).filter(|a| a.len() >= 6));
    assert!(ines.len() > 50);
    for x in interdits.iter().chain(&ines).chain(&empreintes(&ines)) {
        assert!(!fichiers.contains(x.as_str()), "a release file holds « {x} »");
    }
    // The pseudonyms are keyed: 64 hex digits, one per pupil, none equal to an unkeyed hash.
    let lignes: Vec<&str> = fichiers.lines().filter(|l| l.len() > 64 && l.as_bytes()[64] == b';').collect();
    assert_eq!(lignes.len() as u64, p["eleves"].as_u64().unwrap());
    // The aggregate table publishes no count from 1 to 10.
    let effectifs = s.get_as(&stat, &format!("/api/v1/publications/{id}/effectifs.csv")).await.text().await.unwrap();
    for cellule in effectifs.lines().skip(1).flat_map(|l| l.split(';').skip(1)) {
        if let Ok(n) = cellule.parse::<u32>() {
            assert!(n == 0 || n > 10, "published {n}");
        }
    }
    // The key was destroyed: nothing apart; kept only when asked, apart and private.
    let mut cles = s.db.as_os_str().to_owned();
    cles.push(".cles-publications");
    let cles = std::path::PathBuf::from(cles);
    assert!(!cles.exists());
    let r = s.post_as(&dasen, "/api/v1/publications", &json!({ "conserver_cle": true })).await;
    assert_eq!(r.status(), 201);
    let id2 = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let cle = cles.join(format!("{id2}.cle"));
    assert!(cle.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&cle).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let autre_csv = s.get_as(&stat, &format!("/api/v1/publications/{id2}/eleves.csv")).await.text().await.unwrap();
    let cle_hex = std::fs::read_to_string(&cle).unwrap();
    assert!(!autre_csv.contains(&cle_hex) && !fichiers.contains(&cle_hex));
    // Two releases, two keys: the same pupil has another pseudonym.
    let premiers: std::collections::BTreeSet<&str> = lignes.iter().map(|l| &l[..64]).collect();
    assert!(autre_csv.lines().skip(1).all(|l| !premiers.contains(&l[..64])));
}

#[tokio::test]
async fn next_year_s_forecast_moves_pupils_up_keeps_maintiens_and_adds_the_school_s_adjustments() {
    let s = TestServer::start(150).await;
    let d = s.login("directeur.1").await;
    let (ecole, uai) = ecole_de(&s, &d).await;
    let p = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision")).await;
    let c = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/constat")).await;
    let montee =
        |p: &Value| p["niveaux"].as_array().unwrap().iter().map(|n| n["montee"].as_u64().unwrap()).sum::<u64>();
    // Every pupil counted today is either somewhere next year or leaving.
    assert_eq!(montee(&p) + p["sorties"].as_u64().unwrap(), c["calcule"]["total"].as_u64().unwrap());
    // A maintien keeps a pupil in place (a GS of this maternelle, or a CM2, would otherwise leave).
    let eleves = s.json_as(&d, &format!("/api/v1/eleves?ecole={ecole}")).await;
    let sortant = eleves
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["niveau"] == "GS" || e["niveau"] == "CM2")
        .expect("a pupil who would leave");
    let niveau = sortant["niveau"].as_str().unwrap().to_string();
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{}/passage/proposition", sortant["id"].as_str().unwrap()),
            &json!({ "type": "maintien" }),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let q = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision")).await;
    assert_eq!(q["sorties"].as_u64().unwrap() + 1, p["sorties"].as_u64().unwrap());
    let du_niveau = |p: &Value| {
        p["niveaux"].as_array().unwrap().iter().find(|n| n["niveau"] == niveau.as_str()).unwrap()["montee"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(du_niveau(&q), du_niveau(&p) + 1);
    // The directeur adjusts (arrivals of a new housing estate) and validates; the IEN sees it.
    let r = s
        .post_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision/ajustements"), &json!({ "niveau": "PS", "arrivees": 6, "departs": 1, "justification": "lotissement des Genêts livré en juin" }))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["total"].as_u64().unwrap(), q["total"].as_u64().unwrap() + 5);
    assert_eq!(s.post_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision/validation"), &json!({})).await.status(), 200);
    let ien = ien_de(&s, &uai).await;
    let r = s.json_as(&ien, "/api/v1/prevision").await;
    let l = ligne(&r, &uai);
    assert_eq!(l["total"].as_u64().unwrap(), a["total"].as_u64().unwrap());
    assert!(l["etat"].as_str().unwrap().starts_with("validée le"));
    assert_eq!(l["variation"], "=", "no change since the validated forecast");
    assert_eq!(s.get_as(&ien, "/api/v1/prevision?format=pdf").await.status(), 200);
    let page = s.get_as(&ien, "/prevision").await.text().await.unwrap();
    assert!(page.contains("Prévision des effectifs") && page.contains(&format!("/ecoles/{ecole}/prevision")));
    // The CP line of an élémentaire, at zero until the mairies' inscriptions, is explained.
    let texte = crate::helpers::html_texte(&page);
    assert!(texte.contains("Le CP d'une école élémentaire part de zéro"), "{texte}");
    // The school's page: adjustments and validation in one form, all or nothing.
    let page = s.get_as(&d, &format!("/ecoles/{ecole}/prevision")).await.text().await.unwrap();
    let csrf = crate::helpers::csrf_de(&page);
    let sans_raison = crate::helpers::form(&[("csrf", &csrf), ("arrivees_MS", "3"), ("action", "valider")]);
    let res = crate::helpers::post_form(&s, &format!("/ecoles/{ecole}/prevision"), Some(&d.cookie), sans_raison).await;
    assert_eq!(res.status(), 422, "an adjustment needs its justification");
    let avant_form = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision")).await;
    let corps = crate::helpers::form(&[
        ("csrf", &csrf),
        ("arrivees_PS", "6"),
        ("departs_PS", "1"),
        ("justification_PS", "lotissement des Genêts livré en juin"),
        ("arrivees_MS", "3"),
        ("justification_MS", "ouverture d'une classe"),
        ("action", "valider"),
    ]);
    let res = crate::helpers::post_form(&s, &format!("/ecoles/{ecole}/prevision"), Some(&d.cookie), corps).await;
    assert_eq!(res.status(), 303);
    let apres_form = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision")).await;
    assert_eq!(apres_form["total"].as_u64().unwrap(), avant_form["total"].as_u64().unwrap() + 3);
    assert_eq!(apres_form["validee"][0], apres_form["total"], "validated with the form's values");
    // Back as before, for what follows.
    let corps = crate::helpers::form(&[
        ("csrf", &csrf),
        ("arrivees_PS", "6"),
        ("departs_PS", "1"),
        ("justification_PS", "lotissement des Genêts livré en juin"),
        ("arrivees_MS", "0"),
        ("action", "valider"),
    ]);
    assert_eq!(
        crate::helpers::post_form(&s, &format!("/ecoles/{ecole}/prevision"), Some(&d.cookie), corps).await.status(),
        303
    );
    // Another school's directeur, the IEN and the parents cannot adjust.
    let d2 = s.login("directeur.2").await;
    let corps = json!({ "niveau": "PS", "arrivees": 99 });
    assert_eq!(s.post_as(&d2, &format!("/api/v1/ecoles/{ecole}/prevision/ajustements"), &corps).await.status(), 404);
    assert_eq!(s.post_as(&ien, &format!("/api/v1/ecoles/{ecole}/prevision/ajustements"), &corps).await.status(), 403);
    let b = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/prevision")).await;
    assert_eq!(b["total"], a["total"], "nothing changed");
    // Once the rentrée is done, the constat shows the gap to the forecast validated last year
    // for this year (written here as last year's validation would have).
    {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        c.execute(
            "INSERT INTO prevision_validee (ecole_id, annee, niveau, eleves, valide_le)
             SELECT ?1, debut, 'PS', 10, '2026-06-15T10:00:00Z' FROM annee_scolaire WHERE etat = 'ouverte'",
            [&ecole],
        )
        .unwrap();
    }
    let r = s.json_as(&ien, "/api/v1/constat").await;
    let l = ligne(&r, &uai);
    let attendu = l["total"].as_i64().unwrap() - 10;
    let texte = if attendu > 0 {
        format!("+{attendu}")
    } else if attendu == 0 {
        "=".into()
    } else {
        format!("−{}", -attendu)
    };
    assert_eq!(l["ecart_prevision"], texte.as_str());
    // A justification about a pupil is not what the field is for, but its length is bounded.
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/ecoles/{ecole}/prevision/ajustements"),
            &json!({ "niveau": "PS", "justification": "x".repeat(201) }),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn the_cohort_follow_up_counts_cm2_pupils_who_started_in_ps_and_those_without_a_maintien() {
    let s = TestServer::start(600).await;
    let dasen = s.login("dasen.1").await;
    // Give this year's CM2 pupils a history, as years of schooling records would: every third
    // one repeated CE1 (and so started PS a year earlier), every fifth arrived in CE1 only.
    let attendu: BTreeMap<String, (u32, u32)> = {
        let c = rusqlite::Connection::open(&s.db).unwrap();
        for a in 2018..2026 {
            c.execute("INSERT OR IGNORE INTO annee_scolaire (debut, etat) VALUES (?, 'close')", [a]).unwrap();
        }
        let mut st = c
            .prepare(
                "SELECT s.eleve_id, s.ecole_id, ci.nom FROM scolarite s JOIN ecole e ON e.id = s.ecole_id
                 JOIN circonscription ci ON ci.id = e.circonscription_id
                 WHERE s.annee = 2026 AND s.niveau = 'CM2' AND s.etat IN ('admis_provisoire', 'admis_definitif') ORDER BY s.eleve_id",
            )
            .unwrap();
        let cm2: Vec<(String, String, String)> =
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
        let mut attendu: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for (k, (eleve, ecole, circo)) in cm2.iter().enumerate() {
            let parcours: Vec<(i32, &str)> = if k % 5 == 4 {
                vec![(2023, "CE1"), (2024, "CE2"), (2025, "CM1")]
            } else if k % 3 == 2 {
                vec![
                    (2018, "PS"),
                    (2019, "MS"),
                    (2020, "GS"),
                    (2021, "CP"),
                    (2022, "CE1"),
                    (2023, "CE1"),
                    (2024, "CE2"),
                    (2025, "CM1"),
                ]
            } else {
                vec![
                    (2019, "PS"),
                    (2020, "MS"),
                    (2021, "GS"),
                    (2022, "CP"),
                    (2023, "CE1"),
                    (2024, "CE2"),
                    (2025, "CM1"),
                ]
            };
            for (i, (a, n)) in parcours.iter().enumerate() {
                let cycle = if matches!(*n, "PS" | "MS" | "GS") {
                    1
                } else if matches!(*n, "CP" | "CE1" | "CE2") {
                    2
                } else {
                    3
                };
                c.execute(
                    "INSERT INTO scolarite (id, eleve_id, annee, ecole_id, niveau, cycle, etat, date_admission)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'parti', ?7)",
                    rusqlite::params![
                        format!("hist{k:04}{i:02}aaaaaaaaa"),
                        eleve,
                        a,
                        ecole,
                        n,
                        cycle,
                        format!("{a}-09-01")
                    ],
                )
                .unwrap();
            }
            if k % 5 != 4 {
                let e = attendu.entry(circo.clone()).or_default();
                e.0 += 1;
                e.1 += u32::from(k % 3 != 2);
            }
        }
        attendu
    };
    let r = s.post_as(&dasen, "/api/v1/publications", &json!({})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let csv = s.get_as(&dasen, &format!("/api/v1/publications/{id}/cohortes.csv")).await.text().await.unwrap();
    let mut vus = 0;
    for l in csv.lines().skip(1) {
        let c: Vec<&str> = l.split(';').collect();
        let Some((total, sans)) = attendu.get(c[0]) else { continue };
        let (total, sans) = (*total, *sans);
        for (v, e) in [(c[1], total), (c[2], sans), (c[3], total - sans)] {
            assert!(v == "s" || v == e.to_string(), "{l}: expected {e} or s");
            if let Ok(n) = v.parse::<u32>() {
                assert!(n == 0 || n > 10, "{l}: published {n}");
                vus += 1;
            }
        }
        let part = format!("{:.1}", f64::from(sans) * 100.0 / f64::from(total)).replace('.', ",");
        assert!(c[4] == part || (c[4] == "s" && (c[1] == "s" || c[2] == "s")), "{l}");
    }
    assert!(vus >= 1, "some counts are published:\n{csv}\n{attendu:?}");
}
