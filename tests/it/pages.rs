//! The web pages with a session: login form, account, second factor, accounts, role views.

use crate::helpers::{TestServer, cookie_de, csrf_de, form, html_texte, post_form};

#[tokio::test]
async fn a_visitor_is_sent_to_the_login_page_and_comes_back_after_login() {
    let s = TestServer::start(40).await;
    let res = s.client.get(s.url("/eleves?q=ma")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let vers = res.headers()["location"].to_str().unwrap().to_string();
    assert!(vers.starts_with("/connexion?suite=/eleves"), "{vers}");
    let page = s.client.get(s.url(&vers)).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("Identifiant")
            && page.contains("Mot de passe")
            && page.contains("name=\"suite\" value=\"&#x2F;eleves?q=ma\"")
    );
    let k = s.compte("directeur.1").clone();
    let res = post_form(
        &s,
        "/connexion",
        None,
        form(&[
            ("login", "directeur.1"),
            ("mot_de_passe", &k.mot_de_passe),
            ("code", &s.code("directeur.1")),
            ("suite", "/eleves?q=ma"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/eleves?q=ma");
    let cookie = cookie_de(&res);
    let html =
        s.client.get(s.url("/eleves?q=ma")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Recherche d'élèves") && html.contains("direction d&#x27;école"), "{html}");
    // Logging out needs the form's token.
    let csrf = csrf_de(&html);
    assert_eq!(post_form(&s, "/deconnexion", Some(&cookie), form(&[("csrf", "faux")])).await.status(), 403);
    let res = post_form(&s, "/deconnexion", Some(&cookie), form(&[("csrf", &csrf)])).await;
    assert_eq!(res.status(), 303);
    assert_eq!(s.client.get(s.url("/")).header("cookie", &cookie).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn a_failed_login_shows_one_french_message_and_never_an_open_redirect() {
    let s = TestServer::start(30).await;
    let res = post_form(
        &s,
        "/connexion",
        None,
        form(&[("login", "inconnu"), ("mot_de_passe", "x"), ("suite", "https://exemple.test/")]),
    )
    .await;
    assert_eq!(res.status(), 401);
    let html = res.text().await.unwrap();
    assert!(html.contains("Identifiant, mot de passe ou code incorrect"));
    assert!(html.contains("name=\"suite\" value=\"&#x2F;\""), "an external address is not kept");
}

#[tokio::test]
async fn each_role_gets_its_home_page() {
    let s = TestServer::start(60).await;
    let parent = s.login("parent.1").await;
    let html = s.get_as(&parent, "/").await.text().await.unwrap();
    assert!(html.contains("Mes enfants") && !html.contains("Circonscription"), "parent home:\n{html}");
    let dasen = s.login("dasen.1").await;
    let html = s.get_as(&dasen, "/").await.text().await.unwrap();
    assert!(
        html.contains("Circonscription")
            && html.contains("href=\"/comptes\"")
            && html.contains("href=\"/statistiques\"")
    );
    let stat = s.login("statisticien.1").await;
    assert_eq!(s.get_as(&stat, "/statistiques").await.status(), 403, "releases only");
    let html = s.get_as(&stat, "/publications").await.text().await.unwrap();
    assert!(html.contains("Secret statistique"));
    assert_eq!(s.get_as(&stat, "/eleves?q=ma").await.status(), 403);
    let admin = s.login("admin.1").await;
    let res = s.get_as(&admin, "/eleves?q=ma").await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Accès refusé"));
}

/// The home pages count what waits, within each one's territory: the directeur's to-dos match
/// the school's lists, the inspector's table matches the schools, nothing of another school.
#[tokio::test]
async fn home_pages_count_what_waits_within_the_territory() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.1").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0].clone();
    let id = ecole["id"].as_str().unwrap();
    let eleves = s.json_as(&d, "/api/v1/eleves?limite=1000").await.as_array().unwrap().len();
    // A pupil admitted in no class, with a paper missing: two to-dos.
    let r = s
        .post_as(
            &d,
            "/api/v1/admissions",
            &serde_json::json!({
                "ecole_id": id, "niveau": "MS", "pieces_manquantes": ["vaccinations"], "confirmer_nouveau": true,
                "eleve": { "nom": "Quéméner", "prenoms": "Loïc", "sexe": "M", "date_naissance": "12/03/2022",
                           "naissance_insee": "Brest" }
            }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let html = html_texte(&s.get_as(&d, "/").await.text().await.unwrap());
    assert!(html.contains("À faire"), "{html}");
    assert!(html.contains(&format!("{} élèves", eleves + 1)), "{html}");
    let a_repartir = s.json_as(&d, &format!("/api/v1/ecoles/{id}/non-repartis")).await.as_array().unwrap().len();
    assert!(a_repartir >= 1);
    let pluriel = if a_repartir > 1 { "élèves à répartir" } else { "élève à répartir" };
    assert!(html.contains(&format!("href=\"/ecoles/{id}#a-repartir\">{a_repartir} {pluriel}")), "{html}");
    assert!(html.contains(&format!("href=\"/ecoles/{id}#provisoires\">1 admission provisoire")), "{html}");
    let page_ecole = html_texte(&s.get_as(&d, &format!("/ecoles/{id}")).await.text().await.unwrap());
    assert!(page_ecole.contains("id=\"provisoires\"") && page_ecole.contains("QUÉMÉNER Loïc"), "{page_ecole}");
    // Another school's directeur sees none of it.
    let d2 = s.login("directeur.2").await;
    let html2 = html_texte(&s.get_as(&d2, "/").await.text().await.unwrap());
    assert!(!html2.contains(ecole["nom"].as_str().unwrap()) && !html2.contains("admission provisoire"), "{html2}");
    // The IEN's table: the school with its counts, and « à suivre » (a pupil to place).
    let ien = s.login("ien.1").await;
    let html = html_texte(&s.get_as(&ien, "/").await.text().await.unwrap());
    let i = html.find(ecole["nom"].as_str().unwrap()).unwrap_or_else(|| panic!("{html}"));
    let ligne = &html[i..i + html[i..].find("</tr>").unwrap()];
    assert!(ligne.contains(&format!("<td class=\"nombre\">{}</td>", eleves + 1)), "{ligne}");
    assert!(ligne.contains("à suivre"), "{ligne}");
    assert!(html.contains("« à suivre » ci-dessous"), "{html}");
    // The mairie: its inscriptions by state, each linked to its list.
    let m = s.login("mairie.1").await;
    let html = html_texte(&s.get_as(&m, "/").await.text().await.unwrap());
    assert!(html.contains("Inscriptions de la commune") && html.contains("href=\"/inscriptions/nouvelle\""), "{html}");
}

#[tokio::test]
async fn a_new_staff_member_activates_the_account_and_enrols_a_second_factor_in_the_browser() {
    let s = TestServer::start(30).await;
    let dasen = s.login("dasen.1").await;
    let html = s.get_as(&dasen, "/comptes").await.text().await.unwrap();
    let csrf = csrf_de(&html);
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let uai = ecoles[0]["uai"].as_str().unwrap();
    let res = post_form(
        &s,
        "/comptes",
        Some(&dasen.cookie),
        form(&[
            ("csrf", &csrf),
            ("role", "directeur"),
            ("perimetre", "ecole"),
            ("territoire", uai),
            ("login", "lmoreau"),
            ("nom", "Lucie Moreau"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let i = html.find("activer?jeton=").unwrap();
    let jeton = html[i + 14..i + 14 + 64].to_string();
    let page = s.client.get(s.url(&format!("/activer?jeton={jeton}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Choisissez votre mot de passe"));
    let mdp = "marée basse sur la grève";
    let res =
        post_form(&s, "/activer", None, form(&[("jeton", &jeton), ("mot_de_passe", mdp), ("confirmation", "autre")]))
            .await;
    assert_eq!(res.status(), 422);
    let res =
        post_form(&s, "/activer", None, form(&[("jeton", &jeton), ("mot_de_passe", mdp), ("confirmation", mdp)])).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("second facteur"));
    // First login: sent to the second factor page.
    let res =
        post_form(&s, "/connexion", None, form(&[("login", "lmoreau"), ("mot_de_passe", mdp), ("suite", "/")])).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/compte/second-facteur");
    let cookie = cookie_de(&res);
    // Before enrolling, the home page still shows (with what to do), not a refusal.
    let accueil = s.client.get(s.url("/")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(accueil.status(), 200);
    assert!(accueil.text().await.unwrap().contains("second facteur"));
    let page = s
        .client
        .get(s.url("/compte/second-facteur"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<svg"), "the QR code");
    let i = page.find("<code class=\"secret\">").unwrap() + 21;
    let secret = &page[i..page[i..].find('<').unwrap() + i];
    let secret = registre::auth::totp::depuis_base32(secret).unwrap();
    let code = registre::auth::totp::code(&secret, s.clock.now().unix_timestamp() as u64);
    let csrf = csrf_de(&page);
    let res = post_form(&s, "/compte/second-facteur", Some(&cookie), form(&[("csrf", &csrf), ("code", &code)])).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("codes de secours"));
    assert_eq!(html.matches("<li><code>").count(), 10);
    let html = s.client.get(s.url("/")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("À faire") && !html.contains("Activez votre second facteur"));
}

/// Messages are coloured by meaning: a success is green (`confirmation`), a refusal red
/// (`alerte`); the password page states both minimums before refusing one.
#[tokio::test]
async fn messages_are_coloured_by_meaning_and_the_password_rules_are_stated() {
    use crate::helpers::{TestServer, form, post_form};
    let s = TestServer::start(100).await;
    let page = s.client.get(s.url("/activer?jeton=abc")).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("au moins 12 caractères pour un compte de famille, au moins 15 pour les personnels"),
        "{page}"
    );
    let d = s.login("directeur.1").await;
    let actuel = s.compte("directeur.1").mot_de_passe.clone();
    let res = post_form(
        &s,
        "/compte/mot-de-passe",
        Some(&d.cookie),
        form(&[("csrf", &d.csrf), ("actuel", "faux-mot-de-passe"), ("nouveau", "violon grenade lointain")]),
    )
    .await;
    assert!(res.status().is_client_error());
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"alerte\" role=\"alert\""), "{html}");
    let res = post_form(
        &s,
        "/compte/mot-de-passe",
        Some(&d.cookie),
        form(&[("csrf", &d.csrf), ("actuel", &actuel), ("nouveau", "violon grenade lointain boussole")]),
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("class=\"confirmation\" role=\"status\">Mot de passe changé"), "{html}");
}

/// A page's link into the API that fails (a certificate of a radiated pupil) ends on a French
/// page for a browser, and on JSON for a program.
#[tokio::test]
async fn a_failing_document_link_gives_a_french_page_to_a_browser() {
    use crate::helpers::TestServer;
    let s = TestServer::start(100).await;
    let d = s.login("directeur.1").await;
    let eleves = s.json_as(&d, "/api/v1/eleves").await;
    let id = eleves[0]["id"].as_str().unwrap();
    let res = s
        .post_as(
            &d,
            &format!("/api/v1/eleves/{id}/radiation"),
            &serde_json::json!({ "motif": "demenagement", "date": "29/11/2026" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let lien = format!("/api/v1/eleves/{id}/documents/certificat-scolarite");
    let res = s
        .client
        .get(s.url(&lien))
        .header("cookie", &d.cookie)
        .header("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct} {}", res.text().await.unwrap());
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\"") && !html.contains("{\"type\""), "{html}");
    let res = s.get_as(&d, &lien).await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
}

/// The technical administrator's home page shows the installation's health, and nothing of
/// any pupil; no other role sees it.
#[tokio::test]
async fn the_technical_administrator_sees_the_installation_s_health() {
    use crate::helpers::{TestServer, html_texte};
    let s = TestServer::start(50).await;
    let a = s.login("admin.1").await;
    let html = html_texte(&s.get_as(&a, "/").await.text().await.unwrap());
    assert!(html.contains("État de l'installation") && html.contains("Lancer la vérification rapide"), "{html}");
    let verifie = html_texte(&s.get_as(&a, "/?verifier=oui").await.text().await.unwrap());
    assert!(verifie.contains("Base saine"), "{verifie}");
    assert!(html.contains("Journal d'audit") && html.contains("conforme au point de contrôle"), "{html}");
    assert!(html.contains("registre backup --db"), "{html}");
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let noms: Vec<String> = c
        .prepare("SELECT nom FROM eleve LIMIT 20")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for n in noms {
        assert!(!html.contains(&format!(">{n}<")), "a pupil's name on the administrator's page: {n}");
    }
    let d = s.login("directeur.1").await;
    let html = s.get_as(&d, "/").await.text().await.unwrap();
    assert!(!html.contains("État de l'installation"));
}
