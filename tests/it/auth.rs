//! Accounts and login security, through HTTP.

use serde_json::{Value, json};
use time::Duration;

use crate::helpers::{Session, TestServer, cookie_de};

async fn try_login(s: &TestServer, login: &str, mdp: &str, code: Option<String>) -> reqwest::Response {
    s.client
        .post(s.url("/api/v1/login"))
        .json(&json!({ "login": login, "mot_de_passe": mdp, "code": code }))
        .send()
        .await
        .unwrap()
}

async fn body(res: reqwest::Response) -> (u16, Value) {
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn four_wrong_passwords_then_the_right_one_succeeds() {
    let s = TestServer::start(30).await;
    for _ in 0..4 {
        assert_eq!(
            try_login(&s, "directeur.1", "mauvais mot de passe", Some(s.code("directeur.1"))).await.status(),
            401
        );
    }
    let k = s.compte("directeur.1").clone();
    assert_eq!(try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await.status(), 200);
}

#[tokio::test]
async fn from_the_fifth_failure_the_right_password_is_refused_for_at_least_a_minute() {
    let s = TestServer::start(30).await;
    let k = s.compte("directeur.1").clone();
    for _ in 0..5 {
        assert_eq!(try_login(&s, "directeur.1", "mauvais mot de passe", None).await.status(), 401);
    }
    let refus = body(try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await).await;
    assert_eq!(refus.0, 401, "locked: the right password is refused");
    s.clock.advance(Duration::seconds(59));
    assert_eq!(
        try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await.status(),
        401,
        "still locked at 59 s"
    );
    s.clock.advance(Duration::seconds(2));
    assert_eq!(
        try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await.status(),
        200,
        "unlocked after 60 s"
    );
    // The wait doubles: after the first lock, the next failure locks for 2 minutes.
    for _ in 0..5 {
        try_login(&s, "directeur.1", "mauvais mot de passe", None).await;
    }
    s.clock.advance(Duration::seconds(61));
    assert_eq!(try_login(&s, "directeur.1", "mauvais mot de passe", None).await.status(), 401);
    s.clock.advance(Duration::seconds(90));
    assert_eq!(
        try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await.status(),
        401,
        "locked 120 s after the 6th"
    );
    s.clock.advance(Duration::seconds(31));
    assert_eq!(try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await.status(), 200);
}

#[tokio::test]
async fn unknown_logins_wrong_passwords_wrong_codes_and_locks_get_the_same_answer() {
    let s = TestServer::start(30).await;
    let k = s.compte("directeur.2").clone();
    let inconnu = body(try_login(&s, "personne.inconnue", "un mot de passe quelconque", None).await).await;
    let mauvais = body(try_login(&s, "directeur.2", "un mot de passe quelconque", None).await).await;
    let sans_code = body(try_login(&s, "directeur.2", &k.mot_de_passe, None).await).await;
    let faux_code = body(try_login(&s, "directeur.2", &k.mot_de_passe, Some("000000".into())).await).await;
    assert_eq!(inconnu, mauvais);
    assert_eq!(inconnu, sans_code, "a right password without its code says nothing more");
    assert_eq!(inconnu, faux_code);
    assert!(inconnu.1["detail"].as_str().unwrap().contains("identifiant, mot de passe ou code incorrect"));
}

#[tokio::test]
async fn a_replayed_totp_code_is_refused() {
    let s = TestServer::start(30).await;
    let k = s.compte("ien.1").clone();
    let code = s.code("ien.1");
    assert_eq!(try_login(&s, "ien.1", &k.mot_de_passe, Some(code.clone())).await.status(), 200);
    assert_eq!(try_login(&s, "ien.1", &k.mot_de_passe, Some(code)).await.status(), 401, "same code, same window");
    s.clock.advance(Duration::seconds(30));
    assert_eq!(
        try_login(&s, "ien.1", &k.mot_de_passe, Some(s.code("ien.1"))).await.status(),
        200,
        "the next code works"
    );
}

/// dasen.1 creates a directeur account for its département's first school; returns the
/// activation token.
async fn nouveau_directeur(s: &TestServer, login: &str) -> String {
    let dasen = s.login("dasen.1").await;
    let ecoles = s.json_as(&dasen, "/api/v1/ecoles").await;
    let uai = ecoles[0]["uai"].as_str().unwrap();
    let res = s
        .post_as(&dasen, "/api/v1/comptes", &json!({ "login": login, "role": "directeur", "perimetre": "ecole", "territoire": uai, "nom": "Claire Dubois" }))
        .await;
    assert_eq!(res.status(), 201);
    let lien = res.json::<Value>().await.unwrap()["lien_activation"].as_str().unwrap().to_string();
    lien.split("jeton=").nth(1).unwrap().to_string()
}

#[tokio::test]
async fn a_staff_account_without_second_factor_reads_no_pupil_until_it_enrols() {
    let s = TestServer::start(30).await;
    let jeton = nouveau_directeur(&s, "cdubois").await;
    let mdp = "ardoise cerisier boussole lointaine";
    let res = s
        .client
        .post(s.url("/api/v1/activation"))
        .json(&json!({ "jeton": jeton, "mot_de_passe": mdp }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["second_facteur_requis"], true);
    // Password only: a session, but no pupil.
    let res = try_login(&s, "cdubois", mdp, None).await;
    assert_eq!(res.status(), 200);
    let cookie = cookie_de(&res);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["second_facteur"], false);
    let sess = Session { cookie, csrf: v["csrf"].as_str().unwrap().into(), login: "cdubois".into() };
    for path in ["/api/v1/eleves", "/api/v1/ecoles", "/api/v1/statistiques/effectifs"] {
        let (status, b) = body(s.get_as(&sess, path).await).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(b["code"], "second_facteur");
    }
    // Enrolment: a secret, then a code from it.
    let e: Value = s.post_as(&sess, "/api/v1/moi/second-facteur", &json!({})).await.json().await.unwrap();
    assert!(e["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = registre::auth::totp::depuis_base32(e["secret"].as_str().unwrap()).unwrap();
    let bad = s.post_as(&sess, "/api/v1/moi/second-facteur/confirmation", &json!({ "code": "123456" })).await;
    assert_eq!(bad.status(), 422);
    let code = registre::auth::totp::code(&secret, s.clock.now().unix_timestamp() as u64);
    let ok = s.post_as(&sess, "/api/v1/moi/second-facteur/confirmation", &json!({ "code": code })).await;
    assert_eq!(ok.status(), 200);
    let codes: Vec<String> =
        serde_json::from_value(ok.json::<Value>().await.unwrap()["codes_secours"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    assert_eq!(s.get_as(&sess, "/api/v1/eleves").await.status(), 200, "the session now has its second factor");
    // From now on the code is required; a recovery code works once.
    assert_eq!(try_login(&s, "cdubois", mdp, None).await.status(), 401);
    assert_eq!(try_login(&s, "cdubois", mdp, Some(codes[0].clone())).await.status(), 200);
    assert_eq!(
        try_login(&s, "cdubois", mdp, Some(codes[0].clone())).await.status(),
        401,
        "recovery codes are single-use"
    );
}

#[tokio::test]
async fn activation_links_are_single_use_expire_and_enforce_the_password_rules() {
    let s = TestServer::start(30).await;
    let jeton = nouveau_directeur(&s, "jmartin").await;
    let activer = |mdp: &'static str, jeton: String| {
        s.client.post(s.url("/api/v1/activation")).json(&json!({ "jeton": jeton, "mot_de_passe": mdp })).send()
    };
    for (mdp, mot) in [
        ("court mais ok", "au moins 15"),
        ("qwertyuiopasdfgh", "courant"),
        ("jmartin violon grenade", "identifiant"),
        ("la belle ecole du village", "identifiant, votre nom ni un mot"),
    ] {
        let (status, b) = body(activer(mdp, jeton.clone()).await.unwrap()).await;
        assert_eq!(status, 422, "{mdp}");
        assert!(b["detail"].as_str().unwrap().contains(mot), "{mdp}: {b}");
    }
    assert_eq!(
        activer("grenade violon lointaine", jeton.clone()).await.unwrap().status(),
        200,
        "a refused password does not spend the link"
    );
    let (status, b) = body(activer("grenade violon lointaine", jeton).await.unwrap()).await;
    assert_eq!(status, 410, "single use");
    assert!(b["detail"].as_str().unwrap().contains("lien"));
    // Expiry: 72 hours.
    let jeton = nouveau_directeur(&s, "pdurand").await;
    s.clock.advance(Duration::hours(73));
    assert_eq!(activer("grenade violon lointaine", jeton).await.unwrap().status(), 410);
}

#[tokio::test]
async fn never_activated_accounts_expire_after_thirty_days() {
    let s = TestServer::start(30).await;
    nouveau_directeur(&s, "oubli").await;
    s.clock.advance(Duration::days(31));
    let (sessions, comptes) = registre::auth::nettoyer(&s.state.store, s.clock.now()).unwrap();
    assert_eq!(comptes, 1);
    let _ = sessions;
    let gone = s.state.store.read(|c| registre::store::comptes::par_login(c, "oubli")).unwrap();
    assert!(gone.is_none());
}

#[tokio::test]
async fn cookies_are_host_secure_httponly_strict_and_personal_data_is_never_cached() {
    let s = TestServer::start(30).await;
    let k = s.compte("directeur.1").clone();
    let res = try_login(&s, "directeur.1", &k.mot_de_passe, Some(s.code("directeur.1"))).await;
    let set = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-sid="), "{set}");
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.split("; ").any(|p| p == flag), "{flag} missing in {set}");
    }
    assert!(!set.contains("Domain="), "__Host- cookies carry no domain");
    let sess = Session {
        cookie: cookie_de(&res),
        csrf: res.json::<Value>().await.unwrap()["csrf"].as_str().unwrap().into(),
        login: "directeur.1".into(),
    };
    let eleves = s.json_as(&sess, "/api/v1/eleves?limite=1").await;
    let id = eleves[0]["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/eleves/{id}"),
        format!("/api/v1/eleves/{id}/documents/fiche-renseignements"),
        format!("/eleves/{id}"),
        "/api/v1/eleves".into(),
    ] {
        let res = s.get_as(&sess, &path).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        for d in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(csp.contains(d), "{d} missing on {path}");
        }
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    }
    // Plain HTTP on loopback: no HSTS (it is sent behind TLS, see the TLS test).
    assert!(s.get_as(&sess, "/").await.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn changes_need_the_csrf_token_and_cross_site_writes_are_refused() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.1").await;
    let sans = s.client.post(s.url("/api/v1/logout")).header("cookie", &d.cookie).send().await.unwrap();
    assert_eq!(body(sans).await, (403, body_csrf()));
    let faux = s
        .client
        .post(s.url("/api/v1/logout"))
        .header("cookie", &d.cookie)
        .header("x-csrf-token", "0".repeat(32))
        .send()
        .await
        .unwrap();
    assert_eq!(faux.status(), 403);
    let inter = s
        .client
        .post(s.url("/api/v1/logout"))
        .header("cookie", &d.cookie)
        .header("x-csrf-token", &d.csrf)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(inter.status(), 403);
    assert_eq!(inter.json::<Value>().await.unwrap()["code"], "intersite");
    // The session is still alive: nothing above logged it out.
    assert_eq!(s.get_as(&d, "/api/v1/moi").await.status(), 200);
}

fn body_csrf() -> Value {
    json!({ "type": "urn:registre:probleme:csrf", "title": "Accès refusé", "status": 403, "code": "csrf",
            "detail": "jeton anti-falsification absent ou incorrect : rechargez la page" })
}

#[tokio::test]
async fn sessions_end_at_logout_after_30_idle_minutes_and_after_12_hours() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.1").await;
    assert_eq!(s.post_as(&d, "/api/v1/logout", &json!({})).await.status(), 204);
    assert_eq!(s.get_as(&d, "/api/v1/moi").await.status(), 401, "invalidated server-side");
    let d = s.login("directeur.1").await;
    s.clock.advance(Duration::minutes(29));
    assert_eq!(s.get_as(&d, "/api/v1/moi").await.status(), 200);
    s.clock.advance(Duration::minutes(31));
    assert_eq!(s.get_as(&d, "/api/v1/moi").await.status(), 401, "idle");
    let d = s.login("directeur.1").await;
    for _ in 0..25 {
        s.clock.advance(Duration::minutes(29));
        let _ = s.get_as(&d, "/api/v1/moi").await;
    }
    assert_eq!(s.get_as(&d, "/api/v1/moi").await.status(), 401, "absolute 12 h");
}

#[tokio::test]
async fn bulk_prints_need_a_login_within_ten_minutes() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.1").await;
    let ecoles = s.json_as(&d, "/api/v1/ecoles").await;
    let ecole = ecoles[0]["id"].as_str().unwrap();
    let zip = format!("/api/v1/ecoles/{ecole}/documents/fiche-renseignements?format=zip");
    assert_eq!(s.get_as(&d, &zip).await.status(), 200);
    s.clock.advance(Duration::minutes(11));
    let (status, b) = body(s.get_as(&d, &zip).await).await;
    assert_eq!(status, 403);
    assert_eq!(b["code"], "reauthentification");
    let eleves = s.json_as(&d, "/api/v1/eleves?limite=1").await;
    let one = format!("/api/v1/eleves/{}/documents/fiche-renseignements", eleves[0]["id"].as_str().unwrap());
    assert_eq!(s.get_as(&d, &one).await.status(), 200, "a single print needs no recent login");
    let d = s.login("directeur.1").await;
    assert_eq!(s.get_as(&d, &zip).await.status(), 200);
}

#[tokio::test]
async fn the_mairie_sees_etat_civil_only_never_the_ine_responsables_or_autorisations() {
    let s = TestServer::start(120).await;
    let m = s.login("mairie.1").await;
    let eleves = s.json_as(&m, "/api/v1/eleves").await;
    let first = &eleves[0];
    assert!(first.get("niveau").is_none() && first.get("classe").is_none(), "{first}");
    let id = first["id"].as_str().unwrap();
    let fiche = s.json_as(&m, &format!("/api/v1/eleves/{id}")).await;
    let text = fiche.to_string();
    assert!(fiche["eleve"].get("ine").is_none(), "{text}");
    assert!(
        fiche["eleve"]["nom"].is_string()
            && fiche["eleve"]["date_naissance"].is_string()
            && fiche["eleve"]["adresse"].is_string()
    );
    for hidden in ["responsables", "contacts", "annuel"] {
        assert!(fiche.get(hidden).is_none(), "{hidden} visible to the mairie: {text}");
    }
    for word in ["accord_associations", "autorisation_photo", "assureur", "niveau", "classe"] {
        assert!(!text.contains(word), "{word} visible to the mairie");
    }
    // The director of the same pupil's school sees the INE: it was there to hide.
    let dasen = s.login("dasen.1").await;
    let full = s.json_as(&dasen, &format!("/api/v1/eleves/{id}")).await;
    let ine = full["eleve"]["ine"].as_str().unwrap();
    assert!(!text.contains(ine));
    // Another département's IA-DASEN widens its own mairies' view, not this one's.
    let autre = s.login("dasen.2").await;
    let res = s
        .client
        .put(s.url("/api/v1/parametres"))
        .header("cookie", &autre.cookie)
        .header("x-csrf-token", &autre.csrf)
        .json(&json!({ "mairie_etendue": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(s.json_as(&autre, "/api/v1/parametres").await["mairie_etendue"], true);
    assert_eq!(s.json_as(&dasen, "/api/v1/parametres").await["mairie_etendue"], false);
    let toujours = s.json_as(&m, &format!("/api/v1/eleves/{id}")).await;
    assert!(toujours.get("responsables").is_none(), "another département widened this mairie's view");
    // Widened by the département (its IA-DASEN only): responsables, never INE or autorisations.
    assert_eq!(
        s.client
            .put(s.url("/api/v1/parametres"))
            .header("cookie", &m.cookie)
            .header("x-csrf-token", &m.csrf)
            .json(&json!({ "mairie_etendue": true }))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let res = s
        .client
        .put(s.url("/api/v1/parametres"))
        .header("cookie", &dasen.cookie)
        .header("x-csrf-token", &dasen.csrf)
        .json(&json!({ "mairie_etendue": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let large = s.json_as(&m, &format!("/api/v1/eleves/{id}")).await;
    assert!(large.get("responsables").is_some_and(|r| !r.as_array().unwrap().is_empty()));
    let t = large.to_string();
    assert!(
        !t.contains(ine)
            && !t.contains("accord_associations")
            && !t.contains("assureur")
            && !t.contains("autorisation_photo")
    );
}

#[tokio::test]
async fn a_parent_sees_who_consulted_the_child_by_function_and_date_only() {
    let s = TestServer::start(60).await;
    let p = s.login("parent.1").await;
    let enfants = s.json_as(&p, "/api/v1/eleves").await;
    let id = enfants[0]["id"].as_str().unwrap().to_string();
    let d = s.login("directeur.1").await;
    s.json_as(&d, &format!("/api/v1/eleves/{id}")).await;
    let pdf = s.get_as(&d, &format!("/api/v1/eleves/{id}/documents/certificat-scolarite")).await;
    assert_eq!(pdf.status(), 200);
    let log = s.json_as(&p, &format!("/api/v1/eleves/{id}/consultations")).await;
    let log = log.as_array().unwrap();
    let director = log
        .iter()
        .find(|c| c["fonction"].as_str().unwrap().starts_with("direction d'école"))
        .expect("the director's read");
    assert!(director["le"].as_str().unwrap().starts_with("2026-11-29"));
    assert!(log.iter().any(|c| c["action"] == "imprimer" && c["document"] == "certificat-scolarite"));
    assert!(!serde_json::to_string(log).unwrap().contains("Compte de démonstration"), "no names of staff");
    // A parent cannot see another family's log.
    let other = s.login("parent.2").await;
    assert_eq!(s.get_as(&other, &format!("/api/v1/eleves/{id}/consultations")).await.status(), 404);
}

#[tokio::test]
async fn account_creation_follows_roles_and_perimeters() {
    let s = TestServer::start(60).await;
    let d = s.login("directeur.1").await;
    // A directeur creates accounts for the responsables of the school's pupils only.
    let eleves = s.json_as(&d, "/api/v1/eleves?limite=1").await;
    let fiche = s.json_as(&d, &format!("/api/v1/eleves/{}", eleves[0]["id"].as_str().unwrap())).await;
    let resp = fiche["responsables"][0]["id"].as_str().unwrap();
    let ok = s
        .post_as(
            &d,
            "/api/v1/comptes",
            &json!({ "login": "famille.x", "role": "responsable", "perimetre": "responsable", "territoire": resp }),
        )
        .await;
    assert_eq!(ok.status(), 201);
    let autre = s.login("directeur.2").await;
    let fiche2 = s
        .json_as(
            &autre,
            &format!(
                "/api/v1/eleves/{}",
                s.json_as(&autre, "/api/v1/eleves?limite=1").await[0]["id"].as_str().unwrap()
            ),
        )
        .await;
    let resp2 = fiche2["responsables"][0]["id"].as_str().unwrap();
    let ko = s
        .post_as(
            &d,
            "/api/v1/comptes",
            &json!({ "login": "famille.y", "role": "responsable", "perimetre": "responsable", "territoire": resp2 }),
        )
        .await;
    assert_eq!(ko.status(), 404, "another school's family");
    let ko = s
        .post_as(
            &d,
            "/api/v1/comptes",
            &json!({ "login": "chef", "role": "ia_dasen", "perimetre": "departement", "territoire": "035" }),
        )
        .await;
    assert_eq!(ko.status(), 403);
    // The IA-DASEN of one département cannot create staff in the other.
    let dasen = s.login("dasen.1").await;
    let ko = s
        .post_as(
            &dasen,
            "/api/v1/comptes",
            &json!({ "login": "dir.voisin", "role": "directeur", "perimetre": "ecole", "territoire": "0220101Y" }),
        )
        .await;
    assert!(matches!(ko.status().as_u16(), 404), "{}", ko.status());
    // Disabling ends the holder's sessions at once.
    let cible = s.login("ien.1").await;
    let comptes = s.json_as(&dasen, "/api/v1/comptes").await;
    let ien =
        comptes.as_array().unwrap().iter().find(|k| k["login"] == "ien.1").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(s.post_as(&dasen, &format!("/api/v1/comptes/{ien}/desactivation"), &json!({})).await.status(), 204);
    assert_eq!(s.get_as(&cible, "/api/v1/moi").await.status(), 401);
    let k = s.compte("ien.1").clone();
    assert_eq!(try_login(&s, "ien.1", &k.mot_de_passe, Some(s.code("ien.1"))).await.status(), 401);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_and_unlocks() {
    let s = TestServer::start(30).await;
    for _ in 0..5 {
        try_login(&s, "mairie.1", "mauvais mot de passe", None).await;
    }
    let dasen = s.login("dasen.1").await;
    let comptes = s.json_as(&dasen, "/api/v1/comptes").await;
    let id = comptes.as_array().unwrap().iter().find(|k| k["login"] == "mairie.1").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let lien: Value = s
        .post_as(&dasen, &format!("/api/v1/comptes/{id}/lien-reinitialisation"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let jeton = lien["lien"].as_str().unwrap().split("jeton=").nth(1).unwrap().to_string();
    let res = s
        .client
        .post(s.url("/api/v1/reinitialisation"))
        .json(&json!({ "jeton": jeton, "mot_de_passe": "fougère ardoise lointaine 7" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = try_login(&s, "mairie.1", "fougère ardoise lointaine 7", Some(s.code("mairie.1"))).await;
    assert_eq!(res.status(), 200, "unlocked by the reset");
}

#[tokio::test]
async fn stored_hashes_are_argon2id_and_no_secret_is_in_the_database_in_clear() {
    let s = TestServer::start(30).await;
    let d = s.login("directeur.1").await;
    let jeton = nouveau_directeur(&s, "nsecret").await;
    let mut secrets: Vec<String> = vec![d.cookie.split('=').nth(1).unwrap().to_string(), d.csrf.clone(), jeton];
    for k in &s.comptes {
        secrets.push(k.mot_de_passe.clone());
        secrets.push(k.totp_secret.clone());
    }
    let conn = rusqlite::Connection::open(&s.db).unwrap();
    let hashes: Vec<String> = conn
        .prepare("SELECT mot_de_passe FROM compte WHERE mot_de_passe IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(hashes.len(), s.comptes.len());
    for h in hashes {
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    }
    drop(conn);
    let mut bytes = std::fs::read(&s.db).unwrap();
    let wal = s.db.with_extension("db-wal");
    if let Ok(w) = std::fs::read(&wal) {
        bytes.extend(w);
    }
    for secret in &secrets {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "a secret is stored in clear");
    }
    // Raw TOTP secrets neither.
    for k in &s.comptes {
        let raw = registre::auth::totp::depuis_base32(&k.totp_secret).unwrap();
        assert!(!bytes.windows(raw.len()).any(|w| w == raw.as_slice()));
    }
}

#[tokio::test]
async fn a_parent_reaches_none_of_the_classmates_records() {
    let s = TestServer::start(60).await;
    let parent = s.login("parent.1").await;
    let enfants = s.json_as(&parent, "/api/v1/eleves").await;
    let enfant = &enfants[0];
    let classe = enfant["classe_id"].as_str().unwrap();
    let d1 = s.login("directeur.1").await;
    assert_eq!(s.post_as(&d1, &format!("/api/v1/classes/{classe}/passages"), &json!({})).await.status(), 200);
    let eleves = s.json_as(&d1, &format!("/api/v1/classes/{classe}/eleves")).await;
    let camarade = eleves
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !enfants.as_array().unwrap().iter().any(|x| x["id"] == e["id"]))
        .expect("a classmate of another family");
    let id = camarade["id"].as_str().unwrap();
    let before = s.row_counts();
    for path in [
        format!("/api/v1/eleves/{id}"),
        format!("/api/v1/eleves/{id}/passage"),
        format!("/api/v1/eleves/{id}/consultations"),
        format!("/api/v1/eleves/{id}/documents/fiche-renseignements"),
        format!("/api/v1/eleves/{id}/documents/notification-passage"),
        format!("/eleves/{id}"),
    ] {
        let res = s.get_as(&parent, &path).await;
        assert!(matches!(res.status().as_u16(), 403 | 404), "{path}: {}", res.status());
        let body = res.text().await.unwrap();
        assert!(!body.contains(camarade["nom"].as_str().unwrap()), "{path} shows the classmate");
    }
    let res =
        s.post_as(&parent, &format!("/api/v1/eleves/{id}/passage/reponse"), &json!({ "reponse": "conteste" })).await;
    assert_eq!(res.status(), 404, "a parent answered for another family");
    assert_eq!(s.row_counts(), before);
    // The own child: allowed.
    let own = enfant["id"].as_str().unwrap();
    let res =
        s.post_as(&parent, &format!("/api/v1/eleves/{own}/passage/reponse"), &json!({ "reponse": "accepte" })).await;
    assert_eq!(res.status(), 200);
}
