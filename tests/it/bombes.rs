//! Hostile files against the server binary: a workbook whose many sheet entries name one
//! 19,000-row sheet, a workbook whose shared strings hold one huge string, a workbook whose
//! ZIP entry lies about its size, and a transfer dossier that inflates without end. Each is
//! refused with its French message (422), nothing is written, and the server's peak resident
//! memory (read from /proc, printed) stays under 300 MiB.

use std::io::Write;

use serde_json::Value;

use crate::coupures::Banc;

/// A workbook (XLSX) of these parts, deflated.
fn classeur(parties: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (nom, contenu) in parties {
        z.start_file(*nom, o).unwrap();
        z.write_all(contenu).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RACINE: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

/// A sheet of `lignes` rows of three inline-string cells.
fn feuille(lignes: usize) -> Vec<u8> {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for l in 1..=lignes {
        s.push_str(&format!(
            r#"<row r="{l}"><c r="A{l}" t="inlineStr"><is><t>DURAND</t></is></c><c r="B{l}" t="inlineStr"><is><t>Lou</t></is></c><c r="C{l}" t="inlineStr"><is><t>01/02/2019</t></is></c></row>"#
        ));
    }
    s.push_str("</sheetData></worksheet>");
    s.into_bytes()
}

/// `n` sheet entries of the workbook, each with its own relationship, all to one sheet part.
fn cent_feuilles_une_partie(n: usize) -> Vec<u8> {
    let mut classeur_xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut liens = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for i in 1..=n {
        classeur_xml.push_str(&format!(r#"<sheet name="F{i}" sheetId="{i}" r:id="rId{i}"/>"#));
        liens.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#
        ));
    }
    classeur_xml.push_str("</sheets></workbook>");
    liens.push_str("</Relationships>");
    classeur(&[
        ("[Content_Types].xml", TYPES.into()),
        ("_rels/.rels", RACINE.into()),
        ("xl/workbook.xml", classeur_xml.into_bytes()),
        ("xl/_rels/workbook.xml.rels", liens.into_bytes()),
        ("xl/worksheets/sheet1.xml", feuille(19_000)),
    ])
}

/// `n` sheets of 19,000 rows each, each its own part: within every per-sheet bound, over the
/// cells of the whole workbook.
fn feuilles_distinctes(n: usize) -> Vec<u8> {
    let mut classeur_xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut liens = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut parties = vec![
        ("[Content_Types].xml".to_string(), TYPES.as_bytes().to_vec()),
        ("_rels/.rels".to_string(), RACINE.as_bytes().to_vec()),
    ];
    let une = feuille(19_000);
    for i in 1..=n {
        classeur_xml.push_str(&format!(r#"<sheet name="F{i}" sheetId="{i}" r:id="rId{i}"/>"#));
        liens.push_str(&format!(
            r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#
        ));
        parties.push((format!("xl/worksheets/sheet{i}.xml"), une.clone()));
    }
    classeur_xml.push_str("</sheets></workbook>");
    liens.push_str("</Relationships>");
    parties.push(("xl/workbook.xml".into(), classeur_xml.into_bytes()));
    parties.push(("xl/_rels/workbook.xml.rels".into(), liens.into_bytes()));
    let parties: Vec<(&str, Vec<u8>)> = parties.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    classeur(&parties)
}

/// A workbook of one sheet whose shared strings hold one string of `taille` bytes.
fn chaine_geante(taille: usize) -> Vec<u8> {
    let classeur_xml = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Élèves" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let liens = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(taille > u32::MAX as usize);
    for (nom, contenu) in [
        ("[Content_Types].xml", TYPES),
        ("_rels/.rels", RACINE),
        ("xl/workbook.xml", classeur_xml),
        ("xl/_rels/workbook.xml.rels", liens),
        ("xl/worksheets/sheet1.xml", sheet),
    ] {
        z.start_file(nom, o).unwrap();
        z.write_all(contenu.as_bytes()).unwrap();
    }
    z.start_file("xl/sharedStrings.xml", o).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#).unwrap();
    let bloc = vec![b'a'; 1 << 20];
    for _ in 0..taille >> 20 {
        z.write_all(&bloc).unwrap();
    }
    z.write_all(b"</t></si></sst>").unwrap();
    z.finish().unwrap().into_inner()
}

/// A well-formed workbook whose sheet entry declares 100 bytes in the central directory, and
/// holds more.
fn taille_mensongere() -> Vec<u8> {
    let mut z = cent_feuilles_une_partie(1);
    let nom = b"xl/worksheets/sheet1.xml";
    let mut i = 0;
    while let Some(p) = z[i..].windows(4).position(|w| w == b"PK\x01\x02") {
        let cd = i + p;
        let longueur = u16::from_le_bytes([z[cd + 28], z[cd + 29]]) as usize;
        if &z[cd + 46..cd + 46 + longueur] == nom {
            z[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
        }
        i = cd + 4;
    }
    z
}

/// The server's peak resident memory, in MiB (VmHWM).
fn pic_memoire(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kio: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    kio / 1024
}

fn lignes(db: &std::path::Path) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(
        "SELECT (SELECT count(*) FROM eleve) + (SELECT count(*) FROM responsable) + (SELECT count(*) FROM classe)",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// Stops the server when the test ends, even by a failed assertion.
struct Arreter(u32);

impl Drop for Arreter {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill").arg(self.0.to_string()).status();
    }
}

#[tokio::test]
async fn workbook_and_dossier_bombs_are_refused_in_french_with_bounded_memory() {
    let mut banc = Banc::demarrer(60).await;
    let pid = banc.serveur.id();
    let _arreter = Arreter(pid);
    println!("server at rest: peak {} MiB", pic_memoire(pid));
    let avant = lignes(&banc.db);
    let envoyer = |adresse: String, nom: &'static str, octets: Vec<u8>| {
        let form =
            reqwest::multipart::Form::new().part("fichier", reqwest::multipart::Part::bytes(octets).file_name(nom));
        banc.client
            .post(format!("{}{adresse}", banc.url))
            .header("cookie", &banc.cookie)
            .header("x-csrf-token", &banc.csrf)
            .multipart(form)
            .send()
    };
    let import = format!("api/v1/ecoles/{}/import/onde", banc.ecole);
    let dossier = format!("api/v1/ecoles/{}/import/dossier", banc.ecole);
    let bombes: Vec<(&str, String, Vec<u8>, &str)> = vec![
        (
            "300 sheet entries to one 19,000-row part",
            import.clone(),
            cent_feuilles_une_partie(300),
            "deux feuilles désignent la même partie",
        ),
        (
            "one shared string of 1.5 GiB",
            import.clone(),
            chaine_geante(1536 << 20),
            "dépasse 32 Mio une fois décompressée",
        ),
        (
            "8 sheets of 19,000 rows (456,000 cells)",
            import.clone(),
            feuilles_distinctes(8),
            "plus de 400\u{202F}000 cellules remplies en tout",
        ),
        (
            "a part that lies about its size",
            import.clone(),
            taille_mensongere(),
            "ne correspond pas à ce que l'archive en déclare",
        ),
        (
            "a dossier part of 1 GiB",
            dossier,
            classeur(&[("dossier.json", vec![b' '; 1 << 30])]),
            "dépasse 4 Mio une fois décompressée",
        ),
    ];
    for (quoi, adresse, octets, attendu) in bombes {
        let taille = octets.len();
        let res = envoyer(adresse, "bombe.xlsx", octets).await.unwrap();
        let statut = res.status();
        let corps: Value = res.json().await.unwrap();
        println!("{quoi} ({} KiB): {statut}, peak {} MiB — {}", taille / 1024, pic_memoire(pid), corps["detail"]);
        assert_eq!(statut, 422, "{quoi}: {corps}");
        assert!(corps["detail"].as_str().unwrap().contains(attendu), "{quoi}: {corps}");
        assert!(corps["champ"] == "fichier" || corps["champ"] == "dossier", "{quoi}: {corps}");
    }
    assert_eq!(lignes(&banc.db), avant, "nothing written");
    let pic = pic_memoire(pid);
    println!("server peak resident memory after the bombs: {pic} MiB");
    assert!(pic < 300, "the server stayed under 300 MiB: {pic} MiB");
    let _ = banc.serveur.kill();
    let _ = banc.serveur.wait();
}
