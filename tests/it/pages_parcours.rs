//! The lifecycle through the web pages, as a mairie agent, a director, a family and the
//! IA-DASEN would click through them: forms, confirmations, refusals in French, and nothing
//! written when a form is refused.

use time::macros::datetime;

use crate::helpers::{Session, TestServer, csrf_de, form, html_texte, pdftotext, post_form};

/// A page as the session sees it: status and HTML.
async fn page(s: &TestServer, who: &Session, path: &str) -> (u16, String) {
    let res = s.get_as(who, path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Posts a form as the session (its CSRF token added); returns status, `Location` and HTML.
async fn poster(s: &TestServer, who: &Session, path: &str, champs: &[(&str, &str)]) -> (u16, String, String) {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(champs);
    let res = post_form(s, path, Some(&who.cookie), form(&all)).await;
    let status = res.status().as_u16();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

/// The first `value="…"` after the end of `marker` in the HTML.
fn valeur_apres(html: &str, marker: &str) -> String {
    let i = html.find(marker).unwrap_or_else(|| panic!("{marker} missing in:\n{html}"));
    let rest = &html[i + marker.len()..];
    let j = rest.find("value=\"").unwrap() + 7;
    rest[j..j + rest[j..].find('"').unwrap()].to_string()
}

/// The value of the first `<option>` whose label starts with `label`.
fn option_de(html: &str, label: &str) -> String {
    let i = html.find(&format!("\">{label}")).unwrap_or_else(|| panic!("no option {label} in:\n{html}"));
    let debut = html[..i].rfind("value=\"").unwrap() + 7;
    html[debut..i].to_string()
}

/// The id just before the first `suffix` (a link or form action `…/{id}{suffix}`).
fn id_avant(html: &str, suffix: &str) -> String {
    let i = html.find(suffix).unwrap_or_else(|| panic!("{suffix} missing in:\n{html}"));
    let debut = html[..i].rfind('/').unwrap() + 1;
    html[debut..i].to_string()
}

const ENFANT: &[(&str, &str)] = &[
    ("eleve_nom", "Ñúñez-O'Brien"),
    ("eleve_prenoms", "Zoé Anaïs"),
    ("eleve_sexe", "F"),
    ("eleve_date_naissance", "2023-03-14"),
    ("eleve_naissance_insee", "35001"),
    ("eleve_naissance_lieu", "Kervalan"),
    ("r1_civilite", "Mme"),
    ("r1_nom", "Ñúñez"),
    ("r1_prenom", "Inès"),
    ("r1_lien", "mere"),
    ("r1_tel_portable", "0611223344"),
    ("niveau", "PS"),
];

#[tokio::test]
async fn from_the_mairie_form_to_a_class_and_a_radiation_through_the_pages() {
    let s = TestServer::start(60).await;
    let mairie = s.login("mairie.1").await;
    let (status, html) = page(&s, &mairie, "/inscriptions/nouvelle").await;
    assert_eq!(status, 200);
    let jeton = registre::auth::csrf_demasque(&csrf_de(&html));
    assert_eq!(jeton.as_deref(), Some(mairie.csrf.as_str()), "the page's token is the session's, masked");
    let ecole = option_de(&html, "École maternelle");
    let mut champs = ENFANT.to_vec();
    champs.push(("ecole_id", &ecole));

    // A wrong date: the form comes back filled in (escaped), with the French message; nothing written.
    let before = s.row_counts();
    let mut faux = champs.clone();
    faux.retain(|(k, _)| *k != "eleve_date_naissance" && *k != "eleve_prenoms");
    faux.push(("eleve_date_naissance", "31/02/2023"));
    faux.push(("eleve_prenoms", "Zoé <script>alert(1)</script>"));
    let (status, _, html) = poster(&s, &mairie, "/inscriptions/nouvelle", &faux).await;
    assert_eq!(status, 422, "{html}");
    assert!(html_texte(&html).contains("le 31/02/2023 n'existe pas"), "{html}");
    assert!(html.contains("value=\"Ñúñez-O&#x27;Brien\""), "the form keeps what was typed");
    assert!(!html.contains("<script>alert"), "escaped");
    assert_eq!(s.row_counts(), before);
    // Without the session's token nothing is written either.
    let res = post_form(&s, "/inscriptions/nouvelle", Some(&mairie.cookie), form(&champs)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(s.row_counts(), before);

    // Recorded, then confirmed: the certificate prints.
    let (status, location, _) = poster(&s, &mairie, "/inscriptions/nouvelle", &champs).await;
    assert_eq!((status, location.as_str()), (303, "/inscriptions?fait=inscription"));
    let (_, html) = page(&s, &mairie, &location).await;
    let texte = html_texte(&html);
    assert!(texte.contains("Inscription enregistrée") && texte.contains("ÑÚÑEZ-O'BRIEN Zoé Anaïs"), "{texte}");
    assert!(texte.contains("en attente de confirmation"), "{texte}");
    let inscription = id_avant(&html, "/confirmer\"");
    let (status, location, _) = poster(&s, &mairie, &format!("/inscriptions/{inscription}/confirmer"), &[]).await;
    assert_eq!((status, location.as_str()), (303, "/inscriptions?fait=confirmee"));
    let (_, html) = page(&s, &mairie, &location).await;
    let lien = format!("/api/v1/inscriptions/{inscription}/documents/certificat-inscription");
    assert!(html.contains(&lien), "{html}");
    let pdf = s.get_as(&mairie, &lien).await.bytes().await.unwrap();
    let texte = pdftotext(&pdf);
    assert!(texte.contains("CERTIFICAT D'INSCRIPTION") && texte.contains("ÑÚÑEZ-O'BRIEN"), "{texte}");
    // Confirming twice is refused in French, with a way back.
    let (status, _, html) = poster(&s, &mairie, &format!("/inscriptions/{inscription}/confirmer"), &[]).await;
    assert_eq!(status, 409);
    assert!(html_texte(&html).contains("déjà inscrit"), "{html}");
    assert!(html.replace("&#x2F;", "/").contains("href=\"/inscriptions\">Retour aux inscriptions"), "{html}");

    // The same child again: the known pupil is offered, and choosing it refuses a second inscription.
    let (status, _, html) = poster(&s, &mairie, "/inscriptions/nouvelle", &champs).await;
    assert_eq!(status, 409);
    assert!(html_texte(&html).contains("pourraient être cet enfant"), "{html}");
    let eleve = valeur_apres(&html, "name=\"eleve_id\"");
    let (status, _, html) =
        poster(&s, &mairie, "/inscriptions/nouvelle", &[champs.as_slice(), &[("eleve_id", &eleve)]].concat()).await;
    assert_eq!(status, 409);
    assert!(html_texte(&html).contains("déjà une inscription en cours"), "{html}");

    // The director admits it provisionally, then completes the file.
    let d1 = s.login("directeur.1").await;
    let (_, html) = page(&s, &d1, &format!("/ecoles/{ecole}")).await;
    assert!(html_texte(&html).contains("1 inscription en mairie à admettre"), "{html}");
    let (status, html) = page(&s, &d1, &format!("/inscriptions/{inscription}/admission")).await;
    assert_eq!(status, 200, "{html}");
    let (status, location, _) =
        poster(&s, &d1, &format!("/inscriptions/{inscription}/admission"), &[("pieces", "vaccinations")]).await;
    assert_eq!((status, location.clone()), (303, format!("/eleves/{eleve}?fait=admission")));
    let (_, html) = page(&s, &d1, &location).await;
    let texte = html_texte(&html);
    assert!(texte.contains("Admis provisoirement") && texte.contains("justificatif des vaccinations"), "{texte}");
    let (status, location, _) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/completer"), &[]).await;
    assert_eq!(status, 303);
    let texte = html_texte(&page(&s, &d1, &location).await.1);
    assert!(texte.contains("l'admission est définitive") && !texte.contains("Pièces manquantes"), "{texte}");

    // Another school's director can do nothing to this pupil: not found, nothing written.
    let d2 = s.login("directeur.2").await;
    let before = s.row_counts();
    for etape in ["completer", "radiation", "depart"] {
        let (status, _, _) = poster(
            &s,
            &d2,
            &format!("/eleves/{eleve}/demarches/{etape}"),
            &[("motif", "autre"), ("date", "2026-11-29")],
        )
        .await;
        assert_eq!(status, 404, "{etape}");
    }
    assert_eq!(s.row_counts(), before);

    // Répartition: the pupil awaits a class, then is placed.
    let (_, html) = page(&s, &d1, &format!("/ecoles/{ecole}")).await;
    let avant = html_texte(&html);
    assert!(avant.contains("Élèves à répartir") && avant.contains("ÑÚÑEZ-O'BRIEN"), "{avant}");
    let classe = valeur_apres(&html, "name=\"classe_id\" required><option value=\"\"></option><option");
    let (status, location, _) =
        poster(&s, &d1, &format!("/ecoles/{ecole}/placements"), &[("classe_id", &classe), ("eleves", &eleve)]).await;
    assert_eq!((status, location.clone()), (303, format!("/ecoles/{ecole}?fait=placement")));
    let apres = html_texte(&page(&s, &d1, &location).await.1);
    assert!(apres.contains("Répartition enregistrée") && !apres.contains("ÑÚÑEZ-O'BRIEN"), "{apres}");
    let (_, html) = page(&s, &d1, &format!("/classes/{classe}")).await;
    assert!(html_texte(&html).contains("ÑÚÑEZ-O'BRIEN"));

    // Radiation: a page first says what will happen, and nothing is done until confirmed.
    let radier = [("motif", "demenagement"), ("date", "2026-11-29"), ("destination", "École Jules-Ferry, Rennes")];
    let before = s.row_counts();
    let (status, _, html) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/radiation"), &radier).await;
    assert_eq!(status, 200);
    let texte = html_texte(&html);
    assert!(texte.contains("Confirmer la radiation") && texte.contains("Ne rien faire et revenir"), "{texte}");
    assert!(texte.contains("Déménagement") || texte.contains("déménagement"), "{texte}");
    assert!(html.contains("name=\"confirme\" value=\"oui\""));
    assert_eq!(s.row_counts(), before, "nothing done before the confirmation");
    let confirmer = [&radier[..], &[("confirme", "oui")]].concat();
    let (status, location, _) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/radiation"), &confirmer).await;
    assert_eq!((status, location.clone()), (303, format!("/eleves/{eleve}?fait=radiation")));
    let (_, html) = page(&s, &d1, &location).await;
    assert!(html.contains(&format!("/api/v1/eleves/{eleve}/documents/certificat-radiation")));
    assert!(html.contains("Annuler la radiation"), "its author may cancel it today");
    let pdf =
        s.get_as(&d1, &format!("/api/v1/eleves/{eleve}/documents/certificat-radiation")).await.bytes().await.unwrap();
    assert!(pdftotext(&pdf).contains("École Jules-Ferry, Rennes"));
    // Another school's director cannot cancel it; its author can, the same day.
    let d2 = s.login("directeur.2").await;
    let before = s.row_counts();
    let (status, _, _) = poster(&s, &d2, &format!("/eleves/{eleve}/demarches/annulation-radiation"), &[]).await;
    assert_eq!(status, 404);
    let res = s.post_as(&d2, &format!("/api/v1/eleves/{eleve}/radiation/annulation"), &serde_json::json!({})).await;
    assert_eq!(res.status(), 404);
    assert_eq!(s.row_counts(), before);
    let (status, location, _) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/annulation-radiation"), &[]).await;
    assert_eq!((status, location.clone()), (303, format!("/eleves/{eleve}?fait=radiation_annulee")));
    let texte = html_texte(&page(&s, &d1, &location).await.1);
    assert!(texte.contains("Radiation annulée"), "{texte}");
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let (etat, certificats, journal): (String, i64, i64) = c
        .query_row(
            "SELECT (SELECT etat FROM scolarite WHERE eleve_id = ?1 AND annee = 2026),
                    (SELECT count(*) FROM certificat WHERE eleve_id = ?1 AND type = 'radiation'),
                    (SELECT count(*) FROM journal WHERE eleve_id = ?1 AND detail LIKE '%radiation_annulee%')",
            [&eleve],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((etat.as_str(), certificats, journal), ("admis_definitif", 0, 1));
    drop(c);
    // Cancelled once: nothing left to cancel.
    let (status, _, _) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/annulation-radiation"), &[]).await;
    assert_eq!(status, 409);
    // Radiated again (confirmed); radiating twice is refused.
    let (status, _, _) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/radiation"), &confirmer).await;
    assert_eq!(status, 303);
    let before = s.row_counts();
    let (status, _, html) = poster(&s, &d1, &format!("/eleves/{eleve}/demarches/radiation"), &confirmer).await;
    assert_eq!(status, 409);
    assert!(html.replace("&#x2F;", "/").contains(&format!("href=\"/eleves/{eleve}\">Retour à la fiche")), "{html}");
    assert_eq!(s.row_counts(), before);

    // The child comes back: the school's own admission form finds the known pupil, and choosing
    // it keeps the INE.
    let ine = s.json_as(&d1, &format!("/api/v1/eleves/{eleve}")).await["eleve"]["ine"].clone();
    assert!(ine.is_string());
    let (status, html) = page(&s, &d1, &format!("/ecoles/{ecole}/admission")).await;
    assert_eq!(status, 200);
    assert!(html_texte(&html).contains("Pièces manquantes"), "{html}");
    let (status, _, html) = poster(&s, &d1, &format!("/ecoles/{ecole}/admission"), ENFANT).await;
    assert_eq!(status, 409);
    assert_eq!(valeur_apres(&html, "name=\"eleve_id\""), eleve, "the known pupil is offered");
    assert!(html.contains("value=\"Zoé Anaïs\""), "the form comes back filled in");
    let (status, location, _) =
        poster(&s, &d1, &format!("/ecoles/{ecole}/admission"), &[ENFANT, &[("eleve_id", &eleve)]].concat()).await;
    assert_eq!((status, location), (303, format!("/eleves/{eleve}?fait=admission")));
    assert_eq!(s.json_as(&d1, &format!("/api/v1/eleves/{eleve}")).await["eleve"]["ine"], ine);
}

#[tokio::test]
async fn a_family_answers_the_passage_proposal_and_the_director_decides() {
    let s = TestServer::start(60).await;
    let parent = s.login("parent.1").await;
    let enfant = s.json_as(&parent, "/api/v1/eleves").await[0].clone();
    let (id, classe) = (enfant["id"].as_str().unwrap(), enfant["classe_id"].as_str().unwrap());
    let d1 = s.login("directeur.1").await;
    // The parent may not propose; the director proposes for the whole class.
    assert_eq!(poster(&s, &parent, &format!("/classes/{classe}/passages"), &[]).await.0, 403);
    assert_eq!(
        poster(&s, &parent, &format!("/eleves/{id}/demarches/proposition"), &[("type", "maintien")]).await.0,
        403
    );
    let (status, location, _) = poster(&s, &d1, &format!("/classes/{classe}/passages"), &[("defaut", "passage")]).await;
    assert_eq!((status, location.clone()), (303, format!("/classes/{classe}?fait=propositions")));
    let texte = html_texte(&page(&s, &d1, &location).await.1);
    assert!(texte.contains("réponse attendue avant le 14/12/2026"), "{texte}");

    // The family contests on its child's page.
    let (_, html) = page(&s, &parent, &format!("/eleves/{id}")).await;
    assert!(html.contains(&format!("/eleves/{id}/demarches/reponse")), "{html}");
    let (status, location, _) =
        poster(&s, &parent, &format!("/eleves/{id}/demarches/reponse"), &[("reponse", "conteste")]).await;
    assert_eq!(status, 303);
    let (_, html) = page(&s, &parent, &location).await;
    assert!(html_texte(&html).contains("conteste la proposition"));
    assert!(!html.contains(&format!("/eleves/{id}/demarches/reponse")), "answered once");
    assert_eq!(poster(&s, &parent, &format!("/eleves/{id}/demarches/reponse"), &[("reponse", "accepte")]).await.0, 409);
    // Another pupil's record (not one of the family's children) is not the parent's.
    let enfants = s.json_as(&parent, "/api/v1/eleves").await;
    let autre = s.json_as(&d1, &format!("/api/v1/classes/{classe}/eleves")).await;
    let autre =
        autre.as_array().unwrap().iter().find(|e| !enfants.as_array().unwrap().iter().any(|x| x["id"] == e["id"]));
    let autre = autre.unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(
        poster(&s, &parent, &format!("/eleves/{autre}/demarches/reponse"), &[("reponse", "conteste")]).await.0,
        404
    );

    // The class decisions leave the contested one for an individual decision, named.
    let (status, _, html) = poster(&s, &d1, &format!("/classes/{classe}/decisions"), &[]).await;
    assert_eq!(status, 200);
    // Within the families' fifteen days, nothing is decided, and the page says so: what was
    // decided (nothing) and what still waits (each pupil, and why).
    let texte = html_texte(&html);
    assert!(texte.contains("Aucune décision arrêtée") && texte.contains("rien n'a été décidé"), "{texte}");
    assert!(texte.contains("Reste à décider") && texte.contains("peut répondre jusqu'au 14/12/2026"), "{texte}");
    assert!(!texte.contains("C'est fait"), "{texte}");
    let nom = enfant["nom"].as_str().unwrap();
    assert!(
        html_texte(&html).contains(&format!("{nom} {} : la famille conteste", enfant["prenoms"].as_str().unwrap())),
        "{html}"
    );
    let (status, _, _) = poster(&s, &d1, &format!("/eleves/{id}/demarches/decision"), &[("type", "maintien")]).await;
    assert_eq!(status, 303);
    let texte = html_texte(&page(&s, &parent, &format!("/eleves/{id}")).await.1);
    assert!(texte.contains("maintien dans le niveau") && texte.contains("recours possible jusqu'au"), "{texte}");
    // An unknown step or decision is refused in French.
    assert_eq!(poster(&s, &d1, &format!("/eleves/{id}/demarches/decision"), &[("type", "triple")]).await.0, 422);
    assert_eq!(poster(&s, &d1, &format!("/eleves/{id}/demarches/effacer"), &[]).await.0, 404);
    // Fifteen days later, the silent families' proposals become decisions, counted.
    s.clock.advance(time::Duration::days(16));
    let d1 = s.login("directeur.1").await;
    let (status, _, html) = poster(&s, &d1, &format!("/classes/{classe}/decisions"), &[]).await;
    assert_eq!(status, 200);
    let texte = html_texte(&html);
    assert!(texte.contains("Décisions arrêtées") && texte.contains("de passage arrêtée"), "{texte}");
    assert!(!texte.contains(&format!("{nom} {} :", enfant["prenoms"].as_str().unwrap())), "decided already: {texte}");
}

#[tokio::test]
async fn the_rentree_page_asks_for_confirmation_and_runs_once_after_july() {
    let s = TestServer::start(40).await;
    let d1 = s.login("directeur.1").await;
    assert_eq!(page(&s, &d1, "/rentree").await.0, 403);
    assert_eq!(poster(&s, &d1, "/rentree", &[("confirmation", "1")]).await.0, 403);
    let dasen = s.login("dasen.1").await;
    let (status, html) = page(&s, &dasen, "/rentree").await;
    assert_eq!(status, 200);
    assert!(html_texte(&html).contains("clôt l'année 2026-2027 et ouvre l'année 2027-2028"), "{html}");
    let (status, _, html) = poster(&s, &dasen, "/rentree", &[]).await;
    assert_eq!(status, 422);
    assert!(html_texte(&html).contains("Cochez la case de confirmation"));
    let (status, _, html) = poster(&s, &dasen, "/rentree", &[("confirmation", "1")]).await;
    assert_eq!(status, 409);
    assert!(html_texte(&html).contains("la rentrée se prépare à partir du 01/07/2027"), "{html}");
    s.clock.set(datetime!(2027-08-28 08:00 UTC));
    let dasen = s.login("dasen.1").await;
    let (status, _, html) = poster(&s, &dasen, "/rentree", &[("confirmation", "1")]).await;
    assert_eq!(status, 200, "{html}");
    let texte = html_texte(&html);
    assert!(texte.contains("Rentrée faite") && texte.contains("Passages appliqués"), "{texte}");
    let (status, _, html) = poster(&s, &dasen, "/rentree", &[("confirmation", "1")]).await;
    assert_eq!(status, 409);
    assert!(html_texte(&html).contains("déjà faite"), "{html}");
}

#[tokio::test]
async fn unreadable_or_oversized_forms_and_bad_values_are_refused_in_french() {
    let s = TestServer::start(40).await;
    let d1 = s.login("directeur.1").await;
    let ecole = s.json_as(&d1, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let before = s.row_counts();
    // Latin-1 bytes where UTF-8 is expected.
    let mut corps = format!("csrf={}&libelle=", d1.csrf).into_bytes();
    corps.extend_from_slice(b"Gr\xe9mio&niveaux=PS");
    let res = s
        .client
        .post(s.url(&format!("/ecoles/{ecole}/classes")))
        .header("cookie", &d1.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(corps)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(html_texte(&res.text().await.unwrap()).contains("Formulaire illisible"));
    // Hundreds of fields.
    let long: Vec<(&str, &str)> = std::iter::repeat_n(("niveaux", "PS"), 500).collect();
    assert_eq!(poster(&s, &d1, &format!("/ecoles/{ecole}/classes"), &long).await.0, 400);
    // No niveau, an unknown niveau, a too long label.
    let (status, _, html) = poster(&s, &d1, &format!("/ecoles/{ecole}/classes"), &[("libelle", "PS-A")]).await;
    assert_eq!(status, 422);
    assert!(html_texte(&html).contains("cochez au moins un niveau"), "{html}");
    assert!(
        html.contains(r#"name="niveaux" value="PS" aria-invalid="true" aria-describedby="erreur-niveaux""#),
        "{html}"
    );
    assert!(html.contains(r#"value="PS-A""#), "the label typed is kept: {html}");
    assert_eq!(
        poster(&s, &d1, &format!("/ecoles/{ecole}/classes"), &[("libelle", "X"), ("niveaux", "6e")]).await.0,
        422
    );
    let long = "A".repeat(5000);
    let (status, _, _) =
        poster(&s, &d1, &format!("/ecoles/{ecole}/classes"), &[("libelle", &long), ("niveaux", "PS")]).await;
    assert!((400..500).contains(&status), "{status}");
    // Placing nobody, or into another school's class.
    let (status, _, html) =
        poster(&s, &d1, &format!("/ecoles/{ecole}/placements"), &[("classe_id", "aaaaaaaaaaaaaaaaaaaa")]).await;
    assert!((400..500).contains(&status), "{status}: {html}");
    assert_eq!(s.row_counts(), before);
    // A class created from the page shows on the school page.
    let (status, location, _) = poster(
        &s,
        &d1,
        &format!("/ecoles/{ecole}/classes"),
        &[("libelle", "PS-B"), ("niveaux", "PS"), ("enseignant", "M. Yann Le Bihan")],
    )
    .await;
    assert_eq!((status, location.clone()), (303, format!("/ecoles/{ecole}?fait=classe")));
    let texte = html_texte(&page(&s, &d1, &location).await.1);
    assert!(texte.contains("Classe créée") && texte.contains("PS-B") && texte.contains("M. Yann Le Bihan"), "{texte}");
}

/// Cancelling an inscription from the page asks first, says what will happen, and is done only
/// once confirmed; another mairie gets 404 and nothing changes.
#[tokio::test]
async fn cancelling_an_inscription_asks_for_confirmation_first() {
    let s = TestServer::start(30).await;
    let m = s.login("mairie.1").await;
    let d = s.login("directeur.1").await;
    let ecole_d = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let (niveau, naissance) =
        if ecole_d["type"] == "elementaire" { ("CP", "12/03/2020") } else { ("PS", "12/03/2023") };
    let body = serde_json::json!({ "mode": "ecole", "ecole_id": ecole_d["id"], "niveau": niveau, "confirmer_nouveau": true,
        "eleve": { "nom": "Cariou", "prenoms": "Nolwenn", "sexe": "F", "date_naissance": naissance,
                   "naissance_insee": "35001", "naissance_lieu": "Kervalan" } });
    let r = s.post_as(&m, "/api/v1/inscriptions", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let avant = s.row_counts();
    let (status, _, html) = poster(&s, &m, &format!("/inscriptions/{id}/annuler"), &[]).await;
    assert_eq!(status, 200);
    let texte = html_texte(&html);
    assert!(texte.contains("Confirmer l'annulation de l'inscription") && texte.contains("Nolwenn"), "{texte}");
    assert_eq!(s.row_counts(), avant);
    let chemin = format!("/api/v1/inscriptions/{id}");
    let etat = || s.json_as(&m, &chemin);
    assert_eq!(etat().await["etat"], "en_attente");
    let m2 = s.login("mairie.2").await;
    let (status, _, _) = poster(&s, &m2, &format!("/inscriptions/{id}/annuler"), &[("confirme", "oui")]).await;
    assert_eq!(status, 404);
    assert_eq!(etat().await["etat"], "en_attente");
    let (status, location, _) = poster(&s, &m, &format!("/inscriptions/{id}/annuler"), &[("confirme", "oui")]).await;
    assert_eq!((status, location.as_str()), (303, "/inscriptions?fait=annulee"));
    assert_eq!(etat().await["etat"], "annule");
}

/// The admission form offers only the niveaux the school teaches, and records the previous
/// school and the date of its certificat de radiation, which the registre prints.
#[tokio::test]
async fn the_admission_form_fits_the_school_and_records_the_previous_school() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.2").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let id = ecole["id"].as_str().unwrap();
    let (_, html) = page(&s, &d, &format!("/ecoles/{id}/admission")).await;
    let elementaire = ecole["type"] == "elementaire";
    assert_eq!(html.contains("<option value=\"PS\""), !elementaire, "niveaux fit the school");
    assert!(html.contains("name=\"ecole_precedente\""));
    let niveau = if elementaire { "CE1" } else { "MS" };
    let naissance = if elementaire { "03/05/2018" } else { "03/05/2022" };
    let eleve = serde_json::json!({ "nom": "Venu", "prenoms": "Tom", "sexe": "M", "date_naissance": naissance,
        "naissance_insee": "35238", "naissance_lieu": "Rennes" });
    let avant = s.row_counts();
    let res = s
        .post_as(
            &d,
            "/api/v1/admissions",
            &serde_json::json!({ "ecole_id": id, "niveau": niveau, "confirmer_nouveau": true,
            "eleve": eleve, "radiation_precedente": "02/11/2026" }),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("école précédente"));
    assert_eq!(s.row_counts(), avant);
    let res = s
        .post_as(&d, "/api/v1/admissions", &serde_json::json!({ "ecole_id": id, "niveau": niveau, "confirmer_nouveau": true,
            "eleve": eleve, "ecole_precedente": "École Jean-Moulin, Brest (29)", "radiation_precedente": "02/11/2026" }))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let pdf = s.get_as(&d, &format!("/api/v1/ecoles/{id}/documents/registre-eleves")).await.bytes().await.unwrap();
    let t = pdftotext(&pdf);
    assert!(t.contains("École Jean-Moulin, Brest (29)") && t.contains("02/11/2026"), "{t}");
}
