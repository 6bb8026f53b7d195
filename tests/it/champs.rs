//! A field of the catalogue goes everywhere by itself: every yes/no answer of the year, set
//! once through the API, shows on the pupil's page, on the fiche de renseignements and in the
//! relevé des données, and the correction's journal names it. A field added to the catalogue
//! and forgotten in one of these places fails here.

use registre::domain::champs::{ChampAnnuel, phrase};
use serde_json::{Map, Value};

use crate::helpers::{TestServer, html_texte, pdftotext};

/// The text with every run of white space as one space (a PDF wraps long labels).
fn plat(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A page's text: its tags become spaces.
fn texte_de_page(html: &str) -> String {
    let mut out = String::new();
    let mut dans_balise = false;
    for c in html.chars() {
        match c {
            '<' => dans_balise = true,
            '>' => {
                dans_balise = false;
                out.push(' ');
            }
            c if !dans_balise => out.push(c),
            _ => {}
        }
    }
    plat(&html_texte(&out))
}

#[tokio::test]
async fn every_yes_no_answer_of_the_year_reaches_the_page_the_fiche_the_releve_and_the_journal() {
    let s = TestServer::start(40).await;
    let d = s.login("directeur.2").await;
    let l: Value = s.json_as(&d, "/api/v1/eleves").await;
    let l = l.as_array().unwrap_or_else(|| l["eleves"].as_array().unwrap()).clone();
    let de = |maternelle: bool| {
        let e = l.iter().find(|e| ["TPS", "PS", "MS", "GS"].contains(&e["niveau"].as_str().unwrap()) == maternelle);
        e.unwrap_or_else(|| panic!("no pupil (maternelle: {maternelle}) in {l:?}"))["id"].as_str().unwrap().to_string()
    };
    // Every answer may be yes in élémentaire (a maternelle pupil never leaves alone: below).
    let id = de(false);
    let fiche: Value = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let oui_non: Vec<ChampAnnuel> =
        ChampAnnuel::TOUS.iter().copied().filter(|c| c.formulaire().genre == "oui_non").collect();
    assert!(oui_non.len() >= 7, "{oui_non:?}");
    // Each answer turned over (unknown becomes yes), so that each is a change.
    let mut corps = Map::new();
    let mut voulu = Vec::new();
    for c in &oui_non {
        let v = !fiche["annuel"][c.cle()].as_bool().unwrap_or(false);
        corps.insert(c.cle().into(), Value::Bool(v));
        voulu.push((*c, if v { "oui" } else { "non" }));
    }
    let r = s.put_as(&d, &format!("/api/v1/eleves/{id}/annuel"), &Value::Object(corps)).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let apres: Value = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let page = texte_de_page(&s.get_as(&d, &format!("/eleves/{id}")).await.text().await.unwrap());
    let pdf = |doc: &'static str| {
        let url = format!("/api/v1/eleves/{id}/documents/{doc}");
        let (s, d) = (&s, &d);
        async move { plat(&pdftotext(&s.get_as(d, &url).await.bytes().await.unwrap())) }
    };
    let (fiche_pdf, releve) = (pdf("fiche-renseignements").await, pdf("releve-donnees").await);
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let journal: String = c
        .query_row(
            "SELECT detail FROM journal WHERE eleve_id = ? AND action = 'modifier' ORDER BY seq DESC LIMIT 1",
            [&id],
            |r| r.get(0),
        )
        .unwrap();
    for (c, oui) in voulu {
        let libelle = c.formulaire().libelle;
        assert_eq!(apres["annuel"][c.cle()].as_bool(), Some(oui == "oui"), "{} stored", c.cle());
        assert!(page.contains(&format!("{libelle} {oui}")), "{} on the page: {page}", c.cle());
        assert!(fiche_pdf.contains(libelle), "{} on the fiche: {fiche_pdf}", c.cle());
        assert!(releve.contains(&format!("{} {oui}", phrase(c.libelle()))), "{} in the relevé: {releve}", c.cle());
        assert!(journal.contains(&format!("\"annuel.{}\"", c.cle())), "{} in the journal: {journal}", c.cle());
    }
}

#[tokio::test]
async fn a_maternelle_pupil_is_never_allowed_to_leave_alone_and_nothing_is_written() {
    let s = TestServer::start(40).await;
    // The demo's directors: one of them has maternelle pupils.
    let mut trouve = None;
    for login in ["directeur.1", "directeur.2"] {
        let d = s.login(login).await;
        let l: Value = s.json_as(&d, "/api/v1/eleves").await;
        let l = l.as_array().unwrap_or_else(|| l["eleves"].as_array().unwrap()).clone();
        if let Some(e) = l.iter().find(|e| ["TPS", "PS", "MS", "GS"].contains(&e["niveau"].as_str().unwrap())) {
            trouve = Some((d, e["id"].as_str().unwrap().to_string()));
            break;
        }
    }
    let (d, id) = trouve.expect("a maternelle pupil");
    let avant = s.row_counts();
    let chemin = format!("/api/v1/eleves/{id}/annuel");
    let r = s.put_as(&d, &chemin, &serde_json::json!({ "sortie_seul": true, "cantine": true })).await;
    assert_eq!(r.status(), 422);
    let corps: Value = r.json().await.unwrap();
    assert!(
        corps.to_string().contains("annuel.sortie_seul") && corps.to_string().contains("remis à un adulte"),
        "{corps}"
    );
    assert_eq!(s.row_counts(), avant, "nothing written, not even the canteen");
    let fiche: Value = s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    assert_ne!(fiche["annuel"]["sortie_seul"], Value::Bool(true));
    let r = s.put_as(&d, &chemin, &serde_json::json!({ "sortie_seul": false })).await;
    assert_eq!(r.status(), 200, "no is fine");
}
