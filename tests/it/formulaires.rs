//! Every form of the pages, refused: each field in error is marked (`aria-invalid`,
//! `aria-describedby`) with its French message right after it, all of them at once, a summary
//! above the form links to each, what was typed comes back (never a password), the status is a
//! 4xx and nothing is written.

use serde_json::Value;

use crate::helpers::{Session, TestServer, form, html_texte, post_form};

/// The first form control named `nom`: its tag.
fn controle<'a>(html: &'a str, nom: &str) -> &'a str {
    let aiguille = format!(" name=\"{nom}\"");
    let i = html.find(&aiguille).unwrap_or_else(|| panic!("no control {nom} in:\n{html}"));
    let debut = html[..i].rfind('<').unwrap();
    let fin = i + html[i..].find('>').unwrap();
    &html[debut..=fin]
}

/// Asserts the control `nom` is marked in error and its message, right after it, contains
/// `message`.
fn en_erreur(html: &str, nom: &str, message: &str) {
    en_erreur_apres(html, "", nom, message);
}

/// Like [`en_erreur`], for the first control `nom` after `repere` (a page may hold several
/// forms with a field of the same name).
fn en_erreur_apres(page: &str, repere: &str, nom: &str, message: &str) {
    let html = &page[page.find(repere).unwrap_or_else(|| panic!("{repere} missing"))..];
    let tag = controle(html, nom);
    assert!(tag.contains("aria-invalid=\"true\""), "{nom} not marked: {tag}");
    assert!(tag.contains(&format!("erreur-{nom}")), "{nom} not described by its message: {tag}");
    let marque = format!("<span class=\"erreur-champ\" id=\"erreur-{nom}\">");
    let i = html.find(&marque).unwrap_or_else(|| panic!("no message for {nom} in:\n{html}"));
    let texte = html_texte(&html[i + marque.len()..i + html[i..].find("</span>").unwrap()]);
    assert!(texte.to_lowercase().contains(&message.to_lowercase()), "{nom}: « {texte} » lacks « {message} »");
    // Beside the control: after its tag, before any other control.
    let apres_tag = html.find(tag).unwrap() + tag.len();
    assert!(i >= apres_tag, "{nom}: message before the control");
    let entre = &html[apres_tag..i];
    assert!(!entre.contains("<input") && !entre.contains("<label"), "{nom}: message not beside it: {entre}");
    assert!(page.contains(&format!("href=\"#{}\"", id_de(tag))), "{nom}: not in the summary");
}

fn id_de(tag: &str) -> String {
    let i = tag.find(" id=\"").unwrap() + 5;
    tag[i..i + tag[i..].find('"').unwrap()].to_string()
}

/// Asserts the control `nom` is not marked.
fn sans_erreur(html: &str, nom: &str) {
    let tag = controle(html, nom);
    assert!(!tag.contains("aria-invalid"), "{nom} wrongly marked: {tag}");
}

/// Asserts the text field `nom` holds `valeur` (escaped as Tera does).
fn garde(html: &str, nom: &str, valeur: &str) {
    let tag = html_texte(controle(html, nom));
    assert!(tag.contains(&format!("value=\"{valeur}\"")), "{nom} lost « {valeur} »: {tag}");
}

/// The summary's count of fields to correct.
fn resume(html: &str, n: usize) {
    assert!(html.contains("id=\"erreurs\"") && html.contains("role=\"alert\""), "no summary:\n{html}");
    let attendu = format!("{n} champ{} à corriger", if n > 1 { "s" } else { "" });
    assert!(html.contains(&attendu), "summary lacks « {attendu} »:\n{html}");
}

/// Posts a form as the session; returns status and HTML.
async fn poster(s: &TestServer, who: &Session, path: &str, champs: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(champs);
    let res = post_form(s, path, Some(&who.cookie), form(&all)).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn page(s: &TestServer, who: &Session, path: &str) -> String {
    s.get_as(who, path).await.text().await.unwrap()
}

/// A pupil of the session's school (the first listed).
async fn un_eleve(s: &TestServer, who: &Session) -> String {
    let l = s.json_as(who, "/api/v1/eleves").await;
    l[0]["id"].as_str().unwrap().to_string()
}

const RTL: &str = "Dupont\u{202E}tnoD";

#[tokio::test]
async fn the_inscription_form_marks_every_field_at_once_and_keeps_the_input() {
    let s = TestServer::start(20).await;
    let m = s.login("mairie.1").await;
    let html = page(&s, &m, "/inscriptions/nouvelle").await;
    assert!(html.contains("list=\"communes-naissance\"") && html.contains("<datalist id=\"communes-naissance\">"));
    let i = html.find("name=\"ecole_id\"").unwrap();
    let vide = "<option value=\"\"></option><option value=\"";
    let j = i + html[i..].find(vide).unwrap() + vide.len();
    let ecole = html[j..j + html[j..].find('"').unwrap()].to_string();
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &m,
        "/inscriptions/nouvelle",
        &[
            ("eleve_nom", "1234"),
            ("eleve_prenoms", "Zoé"),
            ("eleve_sexe", "F"),
            ("eleve_date_naissance", "2031-01-01"),
            ("eleve_naissance_insee", "Saint-Denis"),
            ("eleve_code_postal", "123"),
            ("r1_nom", "Martin"),
            ("r1_prenom", "Anne"),
            ("r1_lien", "mere"),
            ("r1_tel_portable", "pas un numéro"),
            ("niveau", "PS"),
            ("ecole_id", &ecole),
        ],
    )
    .await;
    assert_eq!(status, 422);
    resume(&html, 5);
    en_erreur(&html, "eleve_nom", "lettre");
    sans_erreur(&html, "eleve_naissance_lieu");
    en_erreur(&html, "eleve_date_naissance", "futur");
    en_erreur(&html, "eleve_naissance_insee", "plusieurs communes");
    en_erreur(&html, "eleve_code_postal", "5 chiffres");
    en_erreur(&html, "r1_tel_portable", "téléphone");
    sans_erreur(&html, "eleve_prenoms");
    garde(&html, "eleve_nom", "1234");
    garde(&html, "eleve_prenoms", "Zoé");
    garde(&html, "r1_tel_portable", "pas un numéro");
    assert!(!html.contains("class=\"alerte\" role=\"alert\">"), "no second message on top");
    assert_eq!(s.row_counts(), avant, "nothing written");

    // A commune typed by its name is found; the place of birth comes with it.
    let (status, html) = poster(
        &s,
        &m,
        "/inscriptions/nouvelle",
        &[
            ("eleve_nom", "Kerbrat"),
            ("eleve_prenoms", "Zoé"),
            ("eleve_sexe", "F"),
            ("eleve_date_naissance", "2023-01-01"),
            ("eleve_naissance_insee", "saint malo"),
            ("confirmer_nouveau", "1"),
            ("niveau", "PS"),
            ("ecole_id", &ecole),
        ],
    )
    .await;
    assert_eq!(status, 303, "{}", html_texte(&html));
    let l = s.json_as(&m, "/api/v1/inscriptions").await;
    let k = l.as_array().unwrap().iter().find(|i| i["nom"] == "KERBRAT").expect("recorded").clone();
    let e = s.json_as(&m, &format!("/api/v1/eleves/{}", k["eleve_id"].as_str().unwrap())).await;
    let texte = e.to_string();
    assert!(texte.contains("35288") && texte.contains("Saint-Malo"), "{texte}");
}

#[tokio::test]
async fn the_admission_form_marks_the_child_and_the_previous_school() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &d,
        &format!("/ecoles/{ecole}/admission"),
        &[
            ("eleve_nom", "Le Goff"),
            ("eleve_prenoms", "<b>Yann</b>"),
            ("eleve_sexe", "X"),
            ("eleve_date_naissance", "2022-02-30"),
            ("eleve_naissance_insee", "35238"),
            ("niveau", "MS"),
            ("radiation_precedente", "2099-01-01"),
            ("pieces", "vaccinations"),
            ("ulis", "1"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    en_erreur(&html, "eleve_sexe", "sexe");
    en_erreur(&html, "eleve_date_naissance", "n'existe pas");
    en_erreur(&html, "radiation_precedente", "futur");
    garde(&html, "eleve_nom", "Le Goff");
    garde(&html, "eleve_prenoms", "<b>Yann</b>");
    assert!(!html.contains("<b>Yann"), "escaped");
    assert!(
        html.contains("value=\"vaccinations\" checked") && html.contains("name=\"ulis\" value=\"1\" checked"),
        "boxes kept"
    );
    assert_eq!(s.row_counts(), avant);
}

/// The admission's business rules (a niveau the school does not teach, a class that is not
/// the school's or not of the niveau, a date in the future) come back all at once, each beside
/// its field, with the summary.
#[tokio::test]
async fn the_admission_s_business_rules_are_each_beside_their_field_all_at_once() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.2").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    assert_eq!(ecole["type"], "elementaire");
    let ecole = ecole["id"].as_str().unwrap().to_string();
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let ailleurs: String =
        c.query_row("SELECT id FROM classe WHERE ecole_id <> ? LIMIT 1", [&ecole], |r| r.get(0)).unwrap();
    let sans_cp: String = c
        .query_row(
            "SELECT cl.id FROM classe cl WHERE cl.ecole_id = ?
             AND NOT EXISTS (SELECT 1 FROM classe_niveau cn WHERE cn.classe_id = cl.id AND cn.niveau = 'CP') LIMIT 1",
            [&ecole],
            |r| r.get(0),
        )
        .unwrap();
    let avant = s.row_counts();
    let action = format!("/ecoles/{ecole}/admission");
    let admettre = |niveau: &'static str, classe: String| {
        let action = action.clone();
        let (s, d) = (&s, &d);
        async move {
            let champs = [
                ("eleve_nom", "Quillivic"),
                ("eleve_prenoms", "Maëlys"),
                ("eleve_sexe", "F"),
                ("eleve_date_naissance", "2019-04-02"),
                ("eleve_naissance_insee", "35238"),
                ("confirmer_nouveau", "1"),
                ("niveau", niveau),
                ("classe_id", classe.as_str()),
                // Tomorrow, for the test's clock.
                ("date", "2026-11-30"),
            ];
            let (status, html) = poster(s, d, &action, &champs).await;
            assert_eq!(status, 422, "{html}");
            html
        }
    };
    let html = admettre("PS", ailleurs).await;
    resume(&html, 3);
    en_erreur(&html, "niveau", "une école élémentaire n'accueille pas le niveau PS");
    en_erreur(&html, "classe_id", "pas une classe de l'école");
    en_erreur(&html, "date", "ne peut pas être dans le futur");
    garde(&html, "eleve_prenoms", "Maëlys");
    // A class of the school, but not of the niveau: named with what it takes.
    let html = admettre("CP", sans_cp).await;
    resume(&html, 2);
    en_erreur(&html, "classe_id", "n'accueille pas le niveau CP (elle accueille");
    en_erreur(&html, "date", "futur");
    sans_erreur(&html, "niveau");
    assert_eq!(s.row_counts(), avant, "nothing written");
}

#[tokio::test]
async fn the_correction_form_marks_the_child_a_responsable_and_a_contact() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let id = un_eleve(&s, &d).await;
    let html = page(&s, &d, &format!("/eleves/{id}/fiche")).await;
    // The form as the page fills it, then three bad values.
    let mut champs = valeurs_du_formulaire(&html, &format!("/eleves/{id}/fiche"));
    let mut poser = |k: &str, v: &str| match champs.iter_mut().find(|(n, _)| n == k) {
        Some(c) => c.1 = v.to_string(),
        None => champs.push((k.to_string(), v.to_string())),
    };
    poser("e_code_postal", "3500");
    poser("r1_tel_portable", "06");
    poser("c1_nom", "Morvan");
    poser("c1_prenom", "Gaëlle");
    poser("c1_telephone", "numéro");
    poser("c1_urgence", "on");
    let avant = s.row_counts();
    let paires: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post_form(&s, &format!("/eleves/{id}/fiche"), Some(&d.cookie), form(&paires)).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    resume(&html, 3);
    en_erreur(&html, "e_code_postal", "5 chiffres");
    en_erreur(&html, "r1_tel_portable", "téléphone");
    en_erreur(&html, "c1_telephone", "téléphone");
    garde(&html, "c1_nom", "Morvan");
    assert_eq!(s.row_counts(), avant);
}

/// Adding a responsable starts with no relationship chosen: added without one, the form names
/// the field; nothing is written.
#[tokio::test]
async fn a_responsable_added_on_the_correction_form_has_no_preset_relationship() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let id = un_eleve(&s, &d).await;
    let action = format!("/eleves/{id}/fiche");
    let html = page(&s, &d, &action).await;
    let mut champs = valeurs_du_formulaire(&html, &action);
    let lien = champs.iter().find(|(k, _)| k == "rn_lien").expect("the add block's link").1.clone();
    assert_eq!(lien, "", "nothing chosen for the person to add");
    for (k, v) in [("rn_civilite", "Mme"), ("rn_nom", "Le Bihan"), ("rn_prenom", "Soizic")] {
        champs.retain(|(n, _)| n != k);
        champs.push((k.to_string(), v.to_string()));
    }
    let avant = s.row_counts();
    let paires: Vec<(&str, &str)> = champs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post_form(&s, &action, Some(&d.cookie), form(&paires)).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    en_erreur(&html, "rn_lien", "lien");
    garde(&html, "rn_nom", "Le Bihan");
    assert_eq!(s.row_counts(), avant);
}

/// The fields of the form whose action is `action`, as a browser would send them.
fn valeurs_du_formulaire(html: &str, action: &str) -> Vec<(String, String)> {
    let texte = html_texte(html);
    let debut = texte.find(&format!("action=\"{action}\"")).expect("the form");
    let fin = debut + texte[debut..].find("</form>").unwrap();
    let f = &texte[debut..fin];
    let attr = |tag: &str, a: &str| -> Option<String> {
        let m = format!(" {a}=\"");
        let i = tag.find(&m)? + m.len();
        Some(tag[i..i + tag[i..].find('"')?].to_string())
    };
    let mut out = Vec::new();
    let mut reste = f;
    while let Some(i) = reste.find('<') {
        reste = &reste[i..];
        let fin_tag = reste.find('>').unwrap_or(reste.len() - 1);
        let tag = &reste[..=fin_tag];
        if let Some(nom) = attr(tag, "name") {
            if tag.starts_with("<input") {
                let genre = attr(tag, "type").unwrap_or_default();
                if (genre != "checkbox" && genre != "radio") || tag.contains(" checked") {
                    out.push((nom, attr(tag, "value").unwrap_or_else(|| "on".into())));
                }
            } else if tag.starts_with("<select") {
                let fin_select = reste.find("</select>").unwrap();
                let options = &reste[..fin_select];
                let choisie = options
                    .split("<option")
                    .skip(1)
                    .find(|o| o.contains(" selected"))
                    .or_else(|| options.split("<option").nth(1))
                    .and_then(|o| attr(o, "value"))
                    .unwrap_or_default();
                out.push((nom, choisie));
            }
        }
        reste = &reste[fin_tag + 1..];
    }
    out
}

#[tokio::test]
async fn the_class_and_placement_forms_come_back_on_the_school_page() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let avant = s.row_counts();
    let long = "A".repeat(5000);
    let (status, html) =
        poster(&s, &d, &format!("/ecoles/{ecole}/classes"), &[("libelle", &long), ("enseignant", RTL)]).await;
    assert_eq!(status, 422);
    resume(&html, 3);
    en_erreur(&html, "libelle", "caractères");
    en_erreur(&html, "enseignant", "U+202E");
    en_erreur(&html, "niveaux", "cochez au moins un niveau");
    assert!(html.contains("<h1>") && html.contains("Classes"), "the school page again");
    // Placing nobody in no class: both said (every pupil is placed, so the placement form is
    // not on the page: the summary says it).
    let (status, html) = poster(&s, &d, &format!("/ecoles/{ecole}/placements"), &[]).await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 2);
    assert!(html_texte(&html).contains("Classe : choisissez-la") && html_texte(&html).contains("de 1 à 60"), "{html}");
    assert_eq!(s.row_counts(), avant);
}

#[tokio::test]
async fn the_radiation_and_departure_forms_come_back_on_the_pupil_page() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let id = un_eleve(&s, &d).await;
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &d,
        &format!("/eleves/{id}/demarches/radiation"),
        &[("motif", "demenagement"), ("date", "31/02/2026"), ("destination", RTL)],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 2);
    en_erreur(&html, "date", "n'existe pas");
    // The radiation form's destination, not the departure's.
    en_erreur_apres(&html, "demarches/radiation", "destination", "U+202E");
    let radiation = &html[html.find("demarches/radiation").unwrap()..];
    assert!(radiation.contains("value=\"demenagement\" selected"), "the motif chosen is kept");
    // A date before the admission: refused on the form, before the confirmation page.
    let (status, html) = poster(
        &s,
        &d,
        &format!("/eleves/{id}/demarches/radiation"),
        &[("motif", "demenagement"), ("date", "01/01/2020"), ("destination", "Brest")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    en_erreur(&html, "date", "ne peut précéder l'admission");
    assert!(html.contains("<title>Erreur — "), "the title says it");
    let (status, html) =
        poster(&s, &d, &format!("/eleves/{id}/demarches/depart"), &[("quitte", "oui"), ("destination", RTL)]).await;
    assert_eq!(status, 422);
    en_erreur(&html, "destination", "U+202E");
    assert_eq!(s.row_counts(), avant);
}

#[tokio::test]
async fn the_family_s_requests_and_the_decisions_mark_their_fields() {
    let s = TestServer::start(20).await;
    let p = s.login("parent.1").await;
    let enfant = s.json_as(&p, "/api/v1/eleves").await[0]["id"].as_str().unwrap().to_string();
    let avant = s.row_counts();
    // « Autre » needs a comment, and the value has a control character: both at once.
    let (status, html) = poster(
        &s,
        &p,
        &format!("/eleves/{enfant}/rectification"),
        &[("champ", "autre"), ("valeur", "a\u{7}b"), ("commentaire", "")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 2);
    en_erreur(&html, "valeur", "caractère de contrôle");
    en_erreur(&html, "commentaire", "décrivez");
    let (status, html) = poster(&s, &p, &format!("/eleves/{enfant}/opposition"), &[("motifs", " ")]).await;
    assert_eq!(status, 422, "{html}");
    en_erreur(&html, "motifs", "motif");
    assert_eq!(s.row_counts(), avant);

    // A pending request, refused by the school without a reason.
    let (status, _) = poster(
        &s,
        &p,
        &format!("/eleves/{enfant}/rectification"),
        &[("champ", "eleve.adresse"), ("valeur", "3 rue des Ajoncs")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) =
        poster(&s, &p, &format!("/eleves/{enfant}/opposition"), &[("motifs", "Raisons familiales")]).await;
    assert_eq!(status, 303);
    let ecole = s.json_as(&p, &format!("/api/v1/eleves/{enfant}")).await;
    let d = directeur_de(&s, &ecole).await;
    let r: Value = s.json_as(&d, "/api/v1/rectifications?etat=en_attente").await;
    let rect = r[0]["id"].as_str().unwrap().to_string();
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &d,
        &format!("/rectifications/{rect}/decision"),
        &[("decision", "refuser"), ("motif", ""), ("retour", &format!("/eleves/{enfant}"))],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    en_erreur_apres(&html, &format!("/rectifications/{rect}/decision"), "motif", "raison");
    let dasen = s.login("dasen.1").await;
    let o: Value = s.json_as(&dasen, "/api/v1/oppositions").await;
    let opp = o[0]["id"].as_str().unwrap().to_string();
    let (status, html) =
        poster(&s, &dasen, &format!("/oppositions/{opp}/decision"), &[("decision", "refuser"), ("motif", "")]).await;
    assert_eq!(status, 422, "{html}");
    en_erreur(&html, "motif", "motif");
    assert_eq!(s.row_counts(), avant);
}

/// The demo directeur of the pupil's school (the record names the school's UAI).
async fn directeur_de(s: &TestServer, eleve: &Value) -> Session {
    let uai = eleve.to_string();
    for login in ["directeur.1", "directeur.2"] {
        let d = s.login(login).await;
        let e = s.json_as(&d, "/api/v1/ecoles").await;
        if uai.contains(e[0]["uai"].as_str().unwrap()) {
            return d;
        }
    }
    panic!("no demo directeur for {uai}")
}

#[tokio::test]
async fn account_and_password_forms_mark_their_fields_and_never_echo_a_password() {
    let s = TestServer::start(20).await;
    let dasen = s.login("dasen.1").await;
    let html = page(&s, &dasen, "/comptes?role=ien").await;
    let i = html.find("name=\"territoire\"").unwrap();
    let vide = "<option value=\"\"></option><option value=\"";
    let j = i + html[i..].find(vide).unwrap() + vide.len();
    let territoire = html[j..j + html[j..].find('"').unwrap()].to_string();
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &dasen,
        "/comptes",
        &[("role", "ien"), ("perimetre", "circonscription"), ("territoire", &territoire), ("login", "a"), ("nom", RTL)],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 2);
    en_erreur(&html, "login", "3 à 60 caractères");
    en_erreur(&html, "nom", "U+202E");
    garde(&html, "login", "a");
    // No territory chosen either: three at once.
    let (status, html) = poster(
        &s,
        &dasen,
        "/comptes",
        &[("role", "ien"), ("perimetre", "circonscription"), ("territoire", ""), ("login", "a"), ("nom", RTL)],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 3);
    en_erreur(&html, "territoire", "choisissez");
    assert_eq!(s.row_counts(), avant);

    // « Mon compte »: the wrong current password, beside its field, and not written back.
    let (status, html) =
        poster(&s, &dasen, "/compte/mot-de-passe", &[("actuel", "pas le bon"), ("nouveau", "une phrase assez longue")])
            .await;
    assert_eq!(status, 422, "{html}");
    en_erreur(&html, "actuel", "");
    assert!(!html.contains("pas le bon") && !html.contains("une phrase assez longue"), "passwords never echoed");

    // Activation: the two entries differ.
    let (status, html) = poster(
        &s,
        &dasen,
        "/comptes",
        &[("role", "ien"), ("perimetre", "circonscription"), ("territoire", &territoire), ("login", "ien.nouveau")],
    )
    .await;
    assert_eq!(status, 201, "{html}");
    let texte = html_texte(&html);
    let i = texte.find("activer?jeton=").unwrap() + 14;
    let jeton = texte[i..i + 64].to_string();
    let res = post_form(
        &s,
        "/activer",
        None,
        form(&[("jeton", &jeton), ("mot_de_passe", "une phrase assez longue"), ("confirmation", "une autre")]),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    en_erreur(&html, "confirmation", "diffèrent");
    assert!(!html.contains("une phrase assez longue"));
    let res = post_form(
        &s,
        "/activer",
        None,
        form(&[("jeton", &jeton), ("mot_de_passe", "court"), ("confirmation", "court")]),
    )
    .await;
    assert_eq!(res.status(), 422);
    en_erreur(&res.text().await.unwrap(), "mot_de_passe", "mot de passe refusé");
}

#[tokio::test]
async fn the_forecast_form_marks_each_adjustment_without_its_reason() {
    let s = TestServer::start(20).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let html = page(&s, &d, &format!("/ecoles/{ecole}/prevision")).await;
    assert!(html.contains("name=\"arrivees_PS\""), "{html}");
    let avant = s.row_counts();
    let (status, html) = poster(
        &s,
        &d,
        &format!("/ecoles/{ecole}/prevision"),
        &[("arrivees_PS", "3"), ("departs_MS", "2"), ("justification_GS", RTL), ("action", "ajuster")],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    resume(&html, 3);
    en_erreur(&html, "justification_PS", "indiquez pourquoi");
    en_erreur(&html, "justification_MS", "indiquez pourquoi");
    en_erreur(&html, "justification_GS", "U+202E");
    garde(&html, "arrivees_PS", "3");
    assert_eq!(s.row_counts(), avant);
}

#[tokio::test]
async fn the_login_form_keeps_the_login_and_names_no_field() {
    let s = TestServer::start(10).await;
    // One message for every cause, by design: it must not tell which of the login, the
    // password or the code is wrong.
    let res = post_form(
        &s,
        "/connexion",
        None,
        form(&[("login", "directeur.1"), ("mot_de_passe", "faux"), ("code", "000000")]),
    )
    .await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("value=\"directeur.1\"") && !html.contains("faux"), "{html}");
    assert!(!html.contains("aria-invalid"), "no field singled out");
}
