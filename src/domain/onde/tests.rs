use super::lecture::milliers;
use super::*;
use proptest::prelude::*;

#[test]
fn thousands_are_set_apart_as_french_writes_them() {
    assert_eq!(milliers(400_000), "400\u{202F}000");
    assert_eq!(milliers(20_000), "20\u{202F}000");
    assert_eq!(milliers(1_234_567), "1\u{202F}234\u{202F}567");
    assert_eq!(milliers(999), "999");
}

#[test]
fn a_csv_file_is_bounded_in_lines_and_line_length() {
    let mut texte = String::from("Nom élève;Prénom élève\n");
    for i in 0..=LIGNES_MAX {
        texte.push_str(&format!("A{i};B\n"));
    }
    let e = lire(texte.as_bytes()).unwrap_err();
    assert!(e.probleme.contains("lignes"), "{e}");
    let long = format!("Nom élève;Prénom élève\n{};B\n", "x".repeat(LONGUEUR_LIGNE_MAX + 1));
    let e = lire(long.as_bytes()).unwrap_err();
    assert!(e.probleme.contains("ligne 2 trop longue"), "{e}");
}

#[test]
fn a_workbook_whose_two_sheets_name_one_part_is_refused() {
    let types = r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
    let classeur = r#"<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/><sheet name="B" sheetId="2" r:id="rId2"/></sheets></workbook>"#;
    let liens = r#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet1.xml"/></Relationships>"#;
    let z = crate::domain::archive::tests::zip_de(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("xl/workbook.xml", classeur.as_bytes()),
        ("xl/_rels/workbook.xml.rels", liens.as_bytes()),
        ("xl/worksheets/sheet1.xml", b"<worksheet/>"),
    ]);
    let e = lire_tables(&z).unwrap_err();
    assert!(e.probleme.contains("deux feuilles désignent la même partie"), "{e}");
}

/// A pupils' file as the ministry's tool writes it: Windows-1252, `;`, a header label with a
/// leading space and another with other accents, a trailing empty column, a nationality
/// column, a blank line, an impossible date, an INE with a wrong key.
fn fichier_ministere() -> Vec<u8> {
    let texte = " Nom élève;Nom d'usage élève;Prenom eleve;Date naissance;Sexe;INE;Adresse1;Cp1;Commune1;Niveau;Libellé classe;Autorisation photo;Nationalité;\r\n\
                 DURAND;;Élodie;03/05/2018;F;;4 rue des Lilas;35000;Rennes;CE2;CE2 A;Oui;française;\r\n\
                 \r\n\
                 MARTIN;;Noé;31/02/2019;M;;;;;CE1;CE1 B;Non;;\r\n\
                 LE GOFF;;Maël;12/11/2017;M;0100007108E;;;;CM1;CM1;non;;\r\n";
    encoding_rs::WINDOWS_1252.encode(texte).0.into_owned()
}

#[test]
fn a_ministry_file_is_decoded_split_and_matched() {
    let f = lire(&fichier_ministere()).unwrap();
    assert_eq!(f.encodage, "Windows-1252");
    assert_eq!(f.separateur, ';');
    assert_eq!(f.lignes.len(), 3, "the blank line is left out");
    let numeros: Vec<usize> = f.lignes.iter().map(|l| l.0).collect();
    assert_eq!(numeros, vec![2, 4, 5], "line numbers count the header and the blank line");
    let c = colonnes_eleves(&f.entetes).unwrap();
    assert_eq!(c.ignorees, vec!["Nationalité".to_string()], "the forbidden column is named, never read");
    let e = eleve(&c, f.lignes[0].0, &f.lignes[0].1).unwrap();
    assert_eq!(e.saisie.prenoms, "Élodie");
    assert_eq!(e.saisie.date_naissance, "2018-05-03");
    assert_eq!(e.niveau, Some(Niveau::Ce2));
    assert_eq!(e.photo, Some(true));
    let err = eleve(&c, f.lignes[1].0, &f.lignes[1].1).unwrap_err();
    assert_eq!(err.champ, "date de naissance");
    let k = eleve(&c, f.lignes[2].0, &f.lignes[2].1).unwrap();
    assert_eq!(k.photo, Some(false));
    assert_eq!(k.saisie.ine.as_deref(), Some("0100007108E"), "the key is checked when validated, as a warning");
}

#[test]
fn utf8_with_a_bom_commas_and_tabs_are_read_too() {
    let f = lire("\u{feff}Nom élève,Prénom élève,Date naissance,Sexe\nPETIT,Jo,01/02/2019,M\n".as_bytes()).unwrap();
    assert_eq!((f.encodage, f.separateur), ("UTF-8", ','));
    assert_eq!(f.entetes[0], "Nom élève");
    assert_eq!(f.lignes[0].0, 2);
    let f = lire(b"Nom eleve\tPrenom eleve\tDate naissance\tSexe\nA\tB\t01/02/2019\tF\n").unwrap();
    assert_eq!(f.separateur, '\t');
    assert!(colonnes_eleves(&f.entetes).is_ok());
}

#[test]
fn a_missing_column_and_an_empty_file_are_named() {
    let f = lire(b"Nom eleve;Sexe\nA;F\n").unwrap();
    assert!(colonnes_eleves(&f.entetes).unwrap_err().probleme.contains("Prénom élève"));
    assert!(lire(b"").is_err());
    assert!(lire(b"\n\n").is_err());
    assert!(oui_non("x", "peut-être").is_err());
}

#[test]
fn a_responsable_line_names_three_children_and_infers_the_link() {
    let texte = "Civilité Responsable;Nom usage responsable;Nom responsable;Prénom responsable;Adresse responsable;CP responsable;Commune responsable;Pays;Courriel;Téléphone domicile;Téléphone travail;Téléphone portable;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Nom d'usage enfant;Nom de famille enfant;Prénom enfant;Classes enfants;Profession\r\n\
                 MME;;DURAND;Claire;4 rue des Lilas;35000;Rennes;;claire@example.fr;;;0611223344;;DURAND;Élodie;CE2 A;;DURAND;Jules;CP;;DURAND;Léa;PS;cadre\r\n\
                 ;;MARTIN;Paul;;;;;;;;;;MARTIN;Noé;CE1;;;;;;;;;\r\n";
    let f = lire(&encoding_rs::WINDOWS_1252.encode(texte).0).unwrap();
    assert_eq!(Sorte::reconnaitre(&f.entetes).unwrap(), Sorte::Responsables);
    let c = colonnes_responsables(&f.entetes).unwrap();
    assert_eq!(c.enfants.len(), 3);
    assert_eq!(c.ignorees, vec!["Profession".to_string()], "the parents' occupation is never read");
    let r = responsable(&c, f.lignes[0].0, &f.lignes[0].1).unwrap();
    assert_eq!((r.saisie.lien.as_str(), r.lien_deduit), ("mere", true));
    let prenoms: Vec<&str> = r.enfants.iter().map(|e| e.prenom.as_str()).collect();
    assert_eq!(prenoms, vec!["Élodie", "Jules", "Léa"]);
    assert!(r.enfants[0].designe("Durand", "ELODIE Marie"), "the first prénom is enough, whatever the accents");
    assert!(!r.enfants[0].designe("Durand", "Marie Élodie"));
    let sans = responsable(&c, f.lignes[1].0, &f.lignes[1].1).unwrap_err();
    assert_eq!(sans.champ, "lien", "neither link nor civilité: refused, never guessed");
}

#[test]
fn a_workbook_reads_like_a_csv_file() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["Nom élève", "Prénom élève", "Date naissance", "Sexe", "Niveau"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "PETIT").unwrap();
    ws.write_string(1, 1, "Jo").unwrap();
    // A date cell, as a spreadsheet stores it: 2019-02-01 is day 43497.
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    ws.write_number_with_format(1, 2, 43497.0, &format).unwrap();
    ws.write_string(1, 3, "M").unwrap();
    ws.write_string(1, 4, "CP").unwrap();
    let octets = wb.save_to_buffer().unwrap();
    let tables = lire_tables(&octets).unwrap();
    assert_eq!(tables.len(), 1);
    let c = colonnes_eleves(&tables[0].entetes).unwrap();
    let e = eleve(&c, tables[0].lignes[0].0, &tables[0].lignes[0].1).unwrap();
    assert_eq!(e.saisie.date_naissance, "2019-02-01");
    assert_eq!(tables[0].lignes[0].0, 2);
    assert!(e.saisie.naissance_insee == "00000", "no birthplace column: to be completed");
    assert!(lire_tables(b"PK\x03\x04 not a workbook").is_err());
}

#[test]
fn a_workbook_declaring_far_cells_is_refused_without_reading_its_range() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Nom élève").unwrap();
    ws.write_string(1_048_575, 16_383, "loin").unwrap();
    let e = lire_tables(&wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.probleme.contains("trop grande"), "{e}");
    // A picture or any binary is named as such.
    let e = lire(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
    assert!(e.probleme.contains("pas un fichier CSV"), "{e}");
}

proptest! {
    #[test]
    fn any_bytes_are_read_or_refused_without_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(f) = lire(&b) {
            if let Ok(c) = colonnes_eleves(&f.entetes) {
                for (n, l) in &f.lignes {
                    let _ = eleve(&c, *n, l);
                }
            }
            if let Ok(c) = colonnes_responsables(&f.entetes) {
                for (n, l) in &f.lignes {
                    let _ = responsable(&c, *n, l);
                }
            }
        }
        let _ = lire_tables(&[b"PK\x03\x04".as_slice(), &b].concat());
    }
}
