use super::*;
use serde_json::json;

/// The PDF's text in content order (`pdftotext -raw`), with bidi marks removed, a line
/// ending in a hyphen joined to the next (the engine never hyphenates) and white space folded.
pub(crate) fn pdftotext(pdf: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed by .ci/run");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let text: String = text.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}')).collect();
    text.replace("-\n", "-").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The PDF's text layer as pypdf reads it (logical order, spaces as stored), folded the same way.
pub(crate) fn pdf_chars(pdf: &[u8]) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pdftext.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with pypdf is installed by .ci/run");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pypdf failed");
    String::from_utf8(out.stdout).unwrap().replace("-\n", "-").split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(crate) fn stamp() -> Stamp {
    Stamp { at: time::macros::datetime!(2026-11-29 10:00 UTC), ident: "test".into() }
}

pub(crate) fn ecole() -> serde_json::Value {
    json!({
        "nom": "École élémentaire Jean-Moulin", "uai": "0350760L",
        "adresse": ["3 rue des Écoles", "35000 Rennes"], "telephone": "02 99 00 00 00", "courriel": null,
        "academie": "Académie de Rennes", "departement": "Ille-et-Vilaine", "circonscription": "Rennes Nord",
    })
}

pub(crate) fn certificat(prenoms: &str, nom: &str) -> serde_json::Value {
    json!({"documents": [{
        "ecole": ecole(), "annee": "2026-2027",
        "eleve": {"nom": nom, "nom_usage": null, "prenoms": prenoms, "sexe": "F", "sexe_libelle": "féminin",
                  "date_naissance": "03/05/2018", "lieu_naissance": "Rennes (35)"},
        "scolarite": {"niveau": "CE2", "niveau_libelle": "Cours élémentaire 2e année", "cycle": "cycle 2",
                      "classe": "CE2-CM1 A", "depuis": "02/09/2024"},
        "signataire": {"nom": "Claire Dubois", "qualite": "directrice", "qualite_majuscule": "La directrice", "feminin": true},
        "fait_a": "Rennes", "fait_le": "29 novembre 2026",
    }]})
}

#[test]
fn certificates_are_pdf_a_2b_and_every_document_is_tagged() {
    let engine = Engine::new();
    let cert = engine.render(Document::CertificatScolarite, &certificat("Léa", "DURAND"), &stamp()).unwrap();
    let raw = String::from_utf8_lossy(&cert);
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>") && raw.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(raw.contains("/StructTreeRoot") && raw.contains("/Lang(fr-FR)"));
    // Viewers show the title (the catalogue is rewritten in place: the file stays valid).
    assert!(raw.contains("/DisplayDocTitle true"), "no DisplayDocTitle");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.pdf");
    std::fs::write(&f, &cert).unwrap();
    let o = std::process::Command::new("pdfinfo").arg(&f).output().expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&o.stdout);
    // (poppler also grumbles about Typst's MarkInfo /Suspects, an unrelated boolean.)
    let erreurs = String::from_utf8_lossy(&o.stderr).to_lowercase();
    assert!(o.status.success() && !erreurs.contains("xref") && !erreurs.contains("trailer"), "{info}{erreurs}");
    let fiche = engine.render(Document::CertificatScolarite, &certificat("Léa", "DURAND"), &stamp()).unwrap();
    assert_eq!(fiche, cert, "the same data gives the same bytes");
}

#[test]
fn an_ordinal_keeps_its_french_typography_in_capitals() {
    let engine = Engine::new();
    let mut data = certificat("Léa", "DURAND");
    data["documents"][0]["duplicata"] = json!("Duplicata délivré le 1er décembre 2026");
    let texte = pdftotext(&engine.render(Document::CertificatScolarite, &data, &stamp()).unwrap());
    assert!(texte.contains("DUPLICATA DÉLIVRÉ LE 1er DÉCEMBRE 2026"), "{texte}");
    assert!(!texte.contains("1ER"), "{texte}");
}

#[test]
fn a_certificate_shows_the_pupil_and_the_school() {
    let engine = Engine::new();
    let pdf =
        engine.render(Document::CertificatScolarite, &certificat("Élodie Anne", "MARTIN-DURAND"), &stamp()).unwrap();
    let text = pdftotext(&pdf);
    for expected in [
        "CERTIFICAT DE SCOLARITÉ",
        "MARTIN-DURAND",
        "Élodie Anne",
        "03/05/2018",
        "0350760L",
        "CE2",
        "2026-2027",
        "École élémentaire Jean-Moulin",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
}

/// Hostile data: what a family or an import may type, printed as text and nothing else.
mod hostile_tests {
    use super::*;

    const HOSTILE: &str =
        "#exit() $x$ *gras* _souligné_ [lien](x) \\ <b> @ref محمد Ñúñez-O'Brien Ψυχή Nguyễn 王秀英 김민준";

    fn hostile_prenom() -> String {
        let mut p = HOSTILE.to_string();
        while p.chars().count() < 120 {
            p.push_str(" Marie");
        }
        p.chars().take(120).collect::<String>().trim_end().to_string()
    }

    #[test]
    fn markup_in_names_prints_literally() {
        let engine = Engine::new();
        let prenom = hostile_prenom();
        let nom = HOSTILE.to_uppercase();
        let pdf = engine.render(Document::CertificatScolarite, &certificat(&prenom, &nom), &stamp()).unwrap();
        let text = pdf_chars(&pdf);
        assert!(text.contains(&nom), "nom missing in:\n{text}");
        assert!(text.contains(&prenom), "prénom missing in:\n{text}");
    }

    #[test]
    fn every_character_input_accepts_prints_in_a_pdf_a_certificate() {
        // A name accepted at input can no longer make a document fail. Every accepted
        // character, in names of 40, goes through the PDF/A-2b certificate.
        let chars: Vec<char> = crate::domain::imprimable::PLAGES
            .iter()
            .flat_map(|&(a, b)| (a..=b).filter_map(char::from_u32))
            .filter(|c| !c.is_whitespace())
            .collect();
        let documents: Vec<serde_json::Value> = chars
            .chunks(400)
            .map(|bloc| {
                let prenoms: String =
                    bloc.chunks(40).map(|m| m.iter().collect::<String>()).collect::<Vec<_>>().join(" ");
                certificat(&prenoms, "DURAND")["documents"][0].clone()
            })
            .collect();
        let engine = Engine::new();
        let pdf = engine
            .render(Document::CertificatScolarite, &serde_json::json!({ "documents": documents }), &stamp())
            .unwrap_or_else(|e| panic!("{e}"));
        let text = pdf_chars(&pdf);
        for probe in ["ẞ", "ω", "Ж", "ש", "ب", "ệ", "王", "さ", "김", "€"] {
            assert!(text.contains(probe), "{probe} missing from the text layer");
        }
    }

    #[test]
    fn only_runs_of_more_than_sixty_letters_are_made_breakable() {
        for ordinaire in
            ["Léa", "Marie-Anne-Élisabeth-Joséphine de La Tour d'Auvergne", "https://ac.fr/verifier/ABCD-EFGH"]
        {
            assert_eq!(couper_mots_longs(ordinaire), None, "{ordinaire}");
        }
        assert_eq!(couper_mots_longs(&"a".repeat(60)), None);
        let long = format!("Zoé {}-Anne", "e\u{301}".repeat(61));
        let coupe = couper_mots_longs(&long).unwrap();
        assert_eq!(coupe.replace('\u{200B}', ""), long, "only zero-width spaces are added");
        assert!(coupe.starts_with("Zoé e\u{301}\u{200B}e\u{301}\u{200B}"), "never before a combining mark: {coupe:?}");
        assert!(coupe.ends_with("e\u{301}-Anne"));
        let mut data = serde_json::json!({ "a": [{ "b": "x".repeat(70) }], "n": 3 });
        secable(&mut data);
        assert_eq!(data["a"][0]["b"].as_str().unwrap().chars().filter(|c| *c == '\u{200B}').count(), 69);
    }

    #[test]
    fn a_word_longer_than_a_line_breaks_instead_of_running_off_the_page() {
        let engine = Engine::new();
        let mot = "A".repeat(150);
        let pdf = engine.render(Document::CertificatScolarite, &certificat(&mot, "DURAND"), &stamp()).unwrap();
        // Every letter is in the text layer, in order (line breaks aside).
        assert!(pdf_chars(&pdf).replace(' ', "").contains(&mot));
        // Laid out, it spans several lines, none wider than the text block.
        let lignes = std::process::Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8", "-", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin.take().unwrap().write_all(&pdf)?;
                c.wait_with_output()
            })
            .unwrap();
        let texte = String::from_utf8(lignes.stdout).unwrap().replace('\u{200B}', "");
        // The pieces of the word: the runs of two A or more (other words have single capitals).
        let morceaux: Vec<usize> = texte.split(|c: char| c != 'A').map(str::len).filter(|n| *n >= 2).collect();
        assert!(morceaux.len() >= 2, "not broken:\n{texte}");
        assert_eq!(morceaux.iter().sum::<usize>(), 150, "letters lost at the margin:\n{texte}");
    }
}
