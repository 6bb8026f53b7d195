//! Sign-in through OpenID Connect providers, against a real, certified provider nobody here
//! wrote: `oidc-provider` from npm (installed by `scripts/outils`), started by the tests
//! (`tests/oidc/fournisseur.mjs` holds only the glue a host application writes: accounts, a
//! login page, and a switch that tampers with the next ID token, re-signed, to play a hostile
//! or broken provider).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{Session, TestServer, csrf_de, form};

/// One provider process, stopped when dropped (its stdin closes).
pub struct Fournisseur {
    enfant: Child,
    pub emetteur: String,
    _dir: tempfile::TempDir,
}

impl Drop for Fournisseur {
    fn drop(&mut self) {
        drop(self.enfant.stdin.take());
        let _ = self.enfant.kill();
        let _ = self.enfant.wait();
    }
}

/// A user of a provider: login, password, subject, claims, `amr`, `acr`.
pub fn utilisateur(login: &str, sub: &str, claims: Value, amr: &[&str], acr: Option<&str>) -> Value {
    let mut u = json!({ "login": login, "mot_de_passe": format!("mdp-{login}"), "sub": sub, "claims": claims });
    if !amr.is_empty() {
        u["amr"] = json!(amr);
    }
    if let Some(a) = acr {
        u["acr"] = json!(a);
    }
    u
}

impl Fournisseur {
    /// Starts a provider with one client, the server `s`'s, and these users.
    pub fn demarrer(s: &TestServer, comptes: Vec<Value>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = json!({
            "port": 0,
            "clients": [{
                "client_id": "registre",
                "client_secret": "secret-de-test-du-registre",
                "redirect_uris": [s.url("/connexion/oidc/retour")],
                "post_logout_redirect_uris": [s.url("/connexion")],
            }],
            "comptes": comptes,
            "scopes": { "annuaire": ["ecole", "fonction", "circonscription"] },
            "acr_values": ["eidas1", "eidas2"],
        });
        let chemin = dir.path().join("config.json");
        std::fs::write(&chemin, config.to_string()).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/fournisseur.mjs");
        let outils = concat!(env!("CARGO_MANIFEST_DIR"), "/target/outils/node_modules/oidc-provider");
        assert!(std::path::Path::new(outils).exists(), "oidc-provider manque : lancez scripts/outils");
        let mut enfant = Command::new("node")
            .arg(script)
            .arg(&chemin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node");
        let mut ligne = String::new();
        BufReader::new(enfant.stdout.take().unwrap()).read_line(&mut ligne).unwrap();
        let v: Value = serde_json::from_str(&ligne).unwrap_or_else(|_| panic!("provider did not start: {ligne:?}"));
        Self { enfant, emetteur: v["issuer"].as_str().unwrap().to_string(), _dir: dir }
    }

    /// Tampers with the next ID token the provider issues.
    pub async fn falsifier(&self, mode: &str) {
        let r = reqwest::Client::new()
            .post(format!("{}/_test/falsifier", self.emetteur))
            .json(&json!({ "mode": mode }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// Sets a provider on the server `s` through the operator's use case, its secret in a 0600 file.
pub fn regler(s: &TestServer, nom: &str, public: &str, emetteur: &str, roles: &[&str], reglage: Value) {
    use std::os::unix::fs::PermissionsExt;
    let secret = s.db.with_file_name(format!("{nom}.secret"));
    std::fs::write(&secret, "secret-de-test-du-registre\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut j = json!({
        "libelle": if public == "familles" { "EduConnect" } else { "Guichet agents de l'académie" },
        "public": public,
        "emetteur": emetteur,
        "client_id": "registre",
        "secret_fichier": secret,
        "portees": ["annuaire"],
        "roles": roles,
        "amr_forts": ["mfa", "otp"],
        "acr_forts": ["eidas2"],
        "acr_requis": [],
        "creation": null,
    });
    for (k, v) in reglage.as_object().unwrap() {
        j[k] = v.clone();
    }
    let fournisseur = registre::auth::oidc::Fournisseur::lire(nom, &j.to_string()).unwrap();
    let acteur = registre::auth::Acteur::operateur(s.clock.now());
    let svc = registre::service::Service { store: &s.state.store, cles: &s.cles, acteur: &acteur, le: s.clock.now() };
    svc.modifier_url_publique(Some(&s.base)).unwrap();
    svc.poser_fournisseur(&fournisseur).unwrap();
}

/// A browser: a cookie jar for the provider (its cookies are path-scoped); the server's own
/// cookies (`__Host-`, `Secure`) carried by hand, as the other tests do.
pub struct Navigateur {
    fournisseur: reqwest::Client,
    serveur: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

/// Where a sign-in ended.
#[derive(Debug)]
pub struct Arrivee {
    pub status: u16,
    pub location: Option<String>,
    pub corps: String,
}

impl Navigateur {
    pub fn new() -> Self {
        let sans = || reqwest::redirect::Policy::none();
        Self {
            fournisseur: reqwest::Client::builder().redirect(sans()).cookie_store(true).build().unwrap(),
            serveur: reqwest::Client::builder().redirect(sans()).build().unwrap(),
            cookies: Vec::new(),
        }
    }

    fn garder(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (nv, _) = v.split_once(';').unwrap_or((v, ""));
            let (n, val) = nv.split_once('=').unwrap();
            self.cookies.retain(|(k, _)| k != n);
            if !val.is_empty() && !v.contains("Max-Age=0") {
                self.cookies.push((n.to_string(), val.to_string()));
            }
        }
    }

    pub fn cookie(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// A GET to the server with this browser's cookies.
    pub async fn get(&mut self, url: &str) -> reqwest::Response {
        let r = self.serveur.get(url).header("cookie", self.cookie()).send().await.unwrap();
        self.garder(&r);
        r
    }

    /// A form POST to the server with this browser's cookies.
    pub async fn post(&mut self, url: &str, corps: String) -> reqwest::Response {
        let r = self
            .serveur
            .post(url)
            .header("cookie", self.cookie())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(corps)
            .send()
            .await
            .unwrap();
        self.garder(&r);
        r
    }

    /// Follows the provider's pages from `url` (logging in as `login` if asked) until it sends
    /// the browser back to `base`; returns that address.
    pub async fn chez_le_fournisseur(&mut self, url: &str, base: &str, login: &str) -> String {
        let mut url = url.to_string();
        for _ in 0..10 {
            if url.starts_with(base) {
                return url;
            }
            let r = self.fournisseur.get(&url).send().await.unwrap();
            let origine = r.url().clone();
            if r.status().is_redirection() {
                let l = r.headers()["location"].to_str().unwrap();
                url = origine.join(l).unwrap().to_string();
                continue;
            }
            let page = r.text().await.unwrap();
            assert!(page.contains("name=\"login\""), "provider page without a login form: {page}");
            let action = page.split("action=\"").nth(1).unwrap().split('"').next().unwrap();
            let r = self
                .fournisseur
                .post(origine.join(action).unwrap())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form(&[("login", login), ("password", &format!("mdp-{login}"))]))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "login at the provider");
            url = origine.join(r.headers()["location"].to_str().unwrap()).unwrap().to_string();
        }
        panic!("the provider never sent the browser back");
    }

    /// A whole sign-in at provider `nom` as `login` (with an activation token, or none);
    /// returns where the server's return led, and the return's address (to replay it).
    pub async fn connecter(
        &mut self,
        s: &TestServer,
        nom: &str,
        login: &str,
        jeton: Option<&str>,
    ) -> (Arrivee, String) {
        let depart = match jeton {
            Some(j) => s.url(&format!("/connexion/oidc/{nom}?jeton={j}")),
            None => s.url(&format!("/connexion/oidc/{nom}?suite=%2Feleves")),
        };
        let r = self.get(&depart).await;
        assert_eq!(r.status(), 303, "start: {}", r.text().await.unwrap());
        let vers = r.headers()["location"].to_str().unwrap().to_string();
        let retour = self.chez_le_fournisseur(&vers, &s.base, login).await;
        (self.revenir(&retour).await, retour)
    }

    /// The provider's return, given to the server. A session opened answers a page that
    /// leads on at once (`location` is then where it leads).
    pub async fn revenir(&mut self, retour: &str) -> Arrivee {
        let r = self.get(retour).await;
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
        let corps = crate::helpers::html_texte(&r.text().await.unwrap());
        let rafraichit = corps
            .split("<meta http-equiv=\"refresh\" content=\"0;url=")
            .nth(1)
            .map(|v| v.split('"').next().unwrap().to_string());
        Arrivee { status, location: location.or(rafraichit), corps }
    }

    /// The sealed cookie of the sign-in under way.
    pub fn scelle(&self) -> Option<String> {
        self.cookies.iter().find(|(k, _)| k == "__Host-oidc").map(|(_, v)| v.clone())
    }

    /// The session this browser holds (its page works), with its CSRF token as the API takes
    /// it (the pages carry it masked).
    pub async fn session(&mut self, s: &TestServer, login: &str) -> Session {
        let sid = self.cookies.iter().find(|(k, _)| k == "__Host-sid").expect("a session cookie").1.clone();
        let cookie = format!("__Host-sid={sid}");
        let page = self.serveur.get(s.url("/compte")).header("cookie", &cookie).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let masque = csrf_de(&page.text().await.unwrap());
        let csrf = registre::auth::csrf(&s.cles, &sid);
        assert_eq!(registre::auth::csrf_demasque(&masque).as_deref(), Some(csrf.as_str()));
        Session { csrf, cookie, login: login.into() }
    }
}

/// A pending account created by `createur` through the API: its activation token.
async fn compte_en_attente(s: &TestServer, createur: &Session, corps: Value) -> String {
    let r = s.post_as(createur, "/api/v1/comptes", &corps).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let v: Value = r.json().await.unwrap();
    v["lien_activation"].as_str().unwrap().rsplit('=').next().unwrap().to_string()
}

/// A director's account `login`, created pending by the IA-DASEN `dasen` for directeur.1's
/// school: its activation token.
async fn directrice_en_attente(s: &TestServer, dasen: &Session, login: &str) -> String {
    let (_, uai) = une_ecole(s, "directeur.1");
    compte_en_attente(s, dasen, json!({"login": login, "role": "directeur", "perimetre": "ecole", "territoire": uai}))
        .await
}

/// The académie's service, its one user `directrice` asserting a second factor, set on `s`
/// for directors; and `nouvelle.directrice`, pending: the provider, the IA-DASEN's session
/// and the activation token.
async fn academie_et_directrice(s: &TestServer) -> (Fournisseur, Session, String) {
    let academie =
        Fournisseur::demarrer(s, vec![utilisateur("directrice", "agent-0001", json!({}), &["otp"], Some("eidas2"))]);
    regler(s, "academie", "personnels", &academie.emetteur, &["directeur"], json!({}));
    let dasen = s.login("dasen.1").await;
    let jeton = directrice_en_attente(s, &dasen, "nouvelle.directrice").await;
    (academie, dasen, jeton)
}

fn compter(s: &TestServer, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn une_ecole(s: &TestServer, login: &str) -> (String, String) {
    let c = rusqlite::Connection::open(&s.db).unwrap();
    let id = s.compte(login).perimetre_id.clone().unwrap();
    let uai = c.query_row("SELECT uai FROM ecole WHERE id = ?", [&id], |r| r.get(0)).unwrap();
    (id, uai)
}

#[tokio::test]
async fn staff_activate_with_the_academie_families_tie_once_with_educonnect_and_both_sign_in_again() {
    let s = TestServer::start(120).await;
    let academie = Fournisseur::demarrer(
        &s,
        vec![
            utilisateur("directrice", "agent-0001", json!({}), &["pwd", "otp"], Some("eidas2")),
            utilisateur("sans-compte", "agent-0002", json!({}), &["pwd", "otp"], None),
        ],
    );
    let educonnect = Fournisseur::demarrer(&s, vec![utilisateur("parent", "ec-parent-1", json!({}), &["pwd"], None)]);
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur", "ien"], json!({}));
    regler(&s, "educonnect", "familles", &educonnect.emetteur, &["responsable"], json!({}));

    // The login page offers both, staff first; the activation page too.
    let page = s.client.get(s.url("/connexion")).send().await.unwrap().text().await.unwrap();
    let a = page.find("href=\"/connexion/oidc/academie?suite=%2F\">Se connecter avec Guichet agents").unwrap();
    let e = page.find("href=\"/connexion/oidc/educonnect?suite=%2F\">Se connecter avec EduConnect").unwrap();
    assert!(a < e, "{page}");

    // The IA-DASEN creates a director's account, pending; she activates it with the académie.
    let dasen = s.login("dasen.1").await;
    let (ecole, _) = une_ecole(&s, "directeur.1");
    let jeton = directrice_en_attente(&s, &dasen, "nouvelle.directrice").await;
    let activation =
        s.client.get(s.url(&format!("/activer?jeton={jeton}"))).send().await.unwrap().text().await.unwrap();
    assert!(activation.contains(&format!("/connexion/oidc/academie?jeton={jeton}")), "{activation}");
    let mut nav = Navigateur::new();
    let (fin, _) = nav.connecter(&s, "academie", "directrice", Some(&jeton)).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/")), "{}", fin.corps);
    // The provider asserted a second factor (amr otp): no local code, the pupils are readable.
    let sess = nav.session(&s, "nouvelle.directrice").await;
    let eleves = s.json_as(&sess, "/api/v1/eleves?limite=1").await;
    assert!(!eleves.as_array().unwrap().is_empty());
    let db = rusqlite::Connection::open(&s.db).unwrap();
    let (etat, mdp, perimetre): (String, Option<String>, String) = db
        .query_row("SELECT etat, mot_de_passe, perimetre_id FROM compte WHERE login = 'nouvelle.directrice'", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((etat.as_str(), mdp, perimetre), ("actif", None, ecole.clone()));
    // Only the issuer and the subject are kept.
    let (iss, sub, f): (String, String, String) = db
        .query_row(
            "SELECT emetteur, sujet, fournisseur FROM identite JOIN compte ON compte.id = compte_id WHERE login = 'nouvelle.directrice'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((iss.as_str(), sub.as_str(), f.as_str()), (academie.emetteur.as_str(), "agent-0001", "academie"));
    assert_eq!(compter(&s, "SELECT count(*) FROM session WHERE fournisseur = 'academie'"), 1);
    // The link is spent.
    let mut autre = Navigateur::new();
    let (fin, _) = autre.connecter(&s, "academie", "sans-compte", Some(&jeton)).await;
    assert_eq!(fin.status, 410, "{}", fin.corps);

    // Signing in again: the same account, no link needed.
    let mut nav2 = Navigateur::new();
    let (fin, _) = nav2.connecter(&s, "academie", "directrice", None).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/eleves")), "{}", fin.corps);
    // An identity tied to nothing is refused, and told whom to ask; nothing is created.
    let comptes = compter(&s, "SELECT count(*) FROM compte");
    let (fin, _) = autre.connecter(&s, "academie", "sans-compte", None).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("ucun compte actif n'est lié à cette identité"), "{}", fin.corps);
    assert!(fin.corps.contains("IA-DASEN"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM compte"), comptes);

    // A family: the director creates its account; the parent ties it with EduConnect, once.
    let directeur = s.login("directeur.1").await;
    let responsable: String = db
        .query_row(
            "SELECT r.id FROM responsable r JOIN eleve_responsable er ON er.responsable_id = r.id
             JOIN scolarite sc ON sc.eleve_id = er.eleve_id WHERE sc.ecole_id = ?
             AND r.id NOT IN (SELECT perimetre_id FROM compte WHERE perimetre_genre = 'responsable') LIMIT 1",
            [&ecole],
            |r| r.get(0),
        )
        .unwrap();
    let responsable2: String = db
        .query_row(
            "SELECT r.id FROM responsable r JOIN eleve_responsable er ON er.responsable_id = r.id
             JOIN scolarite sc ON sc.eleve_id = er.eleve_id WHERE sc.ecole_id = ? AND r.id != ?
             AND r.id NOT IN (SELECT perimetre_id FROM compte WHERE perimetre_genre = 'responsable') LIMIT 1",
            [&ecole, &responsable],
            |r| r.get(0),
        )
        .unwrap();
    let famille = |login: &str, r: &str| json!({"login": login, "role": "responsable", "perimetre": "responsable", "territoire": r});
    let jeton = compte_en_attente(&s, &directeur, famille("famille.oidc", &responsable)).await;
    // The académie serves no family account: refused, the link still good.
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "sans-compte", Some(&jeton)).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("ne sert pas les comptes"), "{}", fin.corps);
    let mut parent = Navigateur::new();
    let (fin, _) = parent.connecter(&s, "educonnect", "parent", Some(&jeton)).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/")), "{}", fin.corps);
    let sess = parent.session(&s, "famille.oidc").await;
    let enfants = s.json_as(&sess, "/api/v1/eleves").await;
    assert!(!enfants.as_array().unwrap().is_empty());
    // Once: the same identity cannot tie a second account.
    let jeton2 = compte_en_attente(&s, &directeur, famille("famille.deux", &responsable2)).await;
    let (fin, _) = Navigateur::new().connecter(&s, "educonnect", "parent", Some(&jeton2)).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("déjà liée"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM compte WHERE login = 'famille.deux' AND etat = 'en_attente'"), 1);
    // And signs in again with EduConnect.
    let (fin, _) = Navigateur::new().connecter(&s, "educonnect", "parent", None).await;
    assert_eq!(fin.status, 200, "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM identite"), 2);
}

#[tokio::test]
async fn forged_or_replayed_answers_are_refused_and_nothing_is_created() {
    let s = TestServer::start(60).await;
    let (academie, _, jeton) = academie_et_directrice(&s).await;
    let avant = s.row_counts();
    let sessions = compter(&s, "SELECT count(*) FROM session");
    for mode in ["audience", "expire", "nonce", "kid", "none", "signature", "emetteur"] {
        academie.falsifier(mode).await;
        let (fin, _) = Navigateur::new().connecter(&s, "academie", "directrice", Some(&jeton)).await;
        assert_eq!(fin.status, 400, "{mode}: {}", fin.corps);
        assert!(fin.corps.contains("n'a pas pu être vérifiée"), "{mode}: {}", fin.corps);
        assert_eq!(s.row_counts(), avant, "{mode}: something was written");
        assert_eq!(compter(&s, "SELECT count(*) FROM session"), sessions, "{mode}");
    }
    // A return carried to another browser (login CSRF) is refused.
    let mut nav = Navigateur::new();
    let r = nav.get(&s.url("/connexion/oidc/academie")).await;
    let vers = r.headers()["location"].to_str().unwrap().to_string();
    let retour = nav.chez_le_fournisseur(&vers, &s.base, "directrice").await;
    let fin = Navigateur::new().revenir(&retour).await;
    assert_eq!(fin.status, 400, "{}", fin.corps);
    assert!(fin.corps.contains("vient d'un autre navigateur"), "{}", fin.corps);
    // The genuine answer activates; the same answer replayed, with the same sealed cookie,
    // finds its `state` spent (not an exchange of a spent code: that would say « interrompue »).
    let mut nav = Navigateur::new();
    let r = nav.get(&s.url(&format!("/connexion/oidc/academie?jeton={jeton}"))).await;
    let vers = r.headers()["location"].to_str().unwrap().to_string();
    let scelle = nav.scelle().unwrap();
    let retour = nav.chez_le_fournisseur(&vers, &s.base, "directrice").await;
    let fin = nav.revenir(&retour).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/")), "{}", fin.corps);
    let apres = s.row_counts();
    let sessions = compter(&s, "SELECT count(*) FROM session");
    nav.cookies.push(("__Host-oidc".into(), scelle));
    let fin = nav.revenir(&retour).await;
    assert_eq!(fin.status, 400, "{}", fin.corps);
    assert!(fin.corps.contains("a déjà servi") && !fin.corps.contains("interrompue"), "{}", fin.corps);
    assert_eq!((s.row_counts(), compter(&s, "SELECT count(*) FROM session")), (apres, sessions));
    // An unknown provider, a made-up state: French refusals.
    let r = s.client.get(s.url("/connexion/oidc/inconnu")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = s.client.get(s.url("/connexion/oidc/retour?state=x&code=y")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("recommencez"));
}

#[tokio::test]
async fn logging_out_ends_the_session_here_and_at_the_provider() {
    let s = TestServer::start(60).await;
    let (academie, _, jeton) = academie_et_directrice(&s).await;
    let mut nav = Navigateur::new();
    let (fin, _) = nav.connecter(&s, "academie", "directrice", Some(&jeton)).await;
    assert_eq!(fin.status, 200);
    let sess = nav.session(&s, "nouvelle.directrice").await;
    let r = nav.post(&s.url("/deconnexion"), form(&[("csrf", &sess.csrf)])).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/deconnexion/fin?fournisseur=academie");
    let page = nav.get(&s.url("/deconnexion/fin?fournisseur=academie")).await.text().await.unwrap();
    let fin = crate::helpers::html_texte(page.split("id=\"suite\" href=\"").nth(1).unwrap().split('"').next().unwrap());
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"0;url=http:&#x2F;&#x2F;127.0.0.1"), "{page}");
    assert!(fin.starts_with(&format!("{}/session/end?", academie.emetteur)), "{fin}");
    assert!(fin.contains("client_id=registre") && fin.contains("post_logout_redirect_uri="), "{fin}");
    assert_eq!(s.get_as(&sess, "/api/v1/eleves").await.status(), 401, "the session ended here");
    // At the provider: its confirmation, then back to this server's login page.
    let page = nav.fournisseur.get(&fin).send().await.unwrap();
    let origine = page.url().clone();
    let page = page.text().await.unwrap();
    let action = page.split("action=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let xsrf = page.split("name=\"xsrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = nav
        .fournisseur
        .post(origine.join(&action).unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("xsrf", &xsrf), ("logout", "yes")]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"].to_str().unwrap(), s.url("/connexion"));
    // The provider's session is gone too: signing in again asks for the password there.
    let r = nav.get(&s.url("/connexion/oidc/academie")).await;
    let vers = r.headers()["location"].to_str().unwrap().to_string();
    let page = nav.fournisseur.get(&vers).send().await.unwrap();
    let suite = page.headers()["location"].to_str().unwrap().to_string();
    assert!(suite.contains("/interaction/"), "{suite}");
}

#[tokio::test]
async fn without_a_second_factor_from_the_provider_staff_give_their_code_and_a_required_acr_is_enforced() {
    let s = TestServer::start(60).await;
    let academie = Fournisseur::demarrer(
        &s,
        vec![
            utilisateur("sans-otp", "agent-0003", json!({}), &["pwd"], Some("eidas1")),
            utilisateur("directeur-annuaire", "agent-0004", json!({"fonction": "DIR", "ecole": "X"}), &["otp"], None),
        ],
    );
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur", "ien"], json!({}));
    let dasen = s.login("dasen.1").await;
    let jeton = directrice_en_attente(&s, &dasen, "dir.sans.otp").await;
    // Activated without a second factor from the provider: sent to enrol one, pupils closed.
    let mut nav = Navigateur::new();
    let (fin, _) = nav.connecter(&s, "academie", "sans-otp", Some(&jeton)).await;
    assert_eq!(fin.location.as_deref(), Some("/compte/second-facteur"), "{}", fin.corps);
    let sess = nav.session(&s, "dir.sans.otp").await;
    assert_eq!(s.get_as(&sess, "/api/v1/eleves").await.status(), 403);
    // Enrols the TOTP (the account's own use cases).
    let acteur = registre::auth::acteur(&s.state.store, s.clock.now(), sess.cookie.trim_start_matches("__Host-sid="))
        .unwrap()
        .unwrap();
    let secret = registre::auth::commencer_totp(&s.state.store, &s.cles, &acteur).unwrap();
    let code = || registre::auth::totp::code(&secret, s.clock.now().unix_timestamp() as u64);
    registre::auth::confirmer_totp(&s.state.store, &s.cles, s.clock.now(), &acteur, &code()).unwrap();
    // Next sign-in: the provider asserts no second factor, so the code is asked, then a session.
    s.clock.advance(time::Duration::seconds(30));
    let mut nav = Navigateur::new();
    let (fin, _) = nav.connecter(&s, "academie", "sans-otp", None).await;
    assert_eq!(fin.location.as_deref(), Some("/connexion/oidc/code"), "{}", fin.corps);
    let sessions = compter(&s, "SELECT count(*) FROM session");
    let r = nav.post(&s.url("/connexion/oidc/code"), form(&[("code", "000000")])).await;
    assert_eq!(r.status(), 401);
    assert_eq!(compter(&s, "SELECT count(*) FROM session"), sessions);
    assert_eq!(compter(&s, "SELECT echecs FROM compte WHERE login = 'dir.sans.otp'"), 1, "a wrong code counts");
    let r = nav.post(&s.url("/connexion/oidc/code"), form(&[("code", &code())])).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/eleves");
    let sess = nav.session(&s, "dir.sans.otp").await;
    assert_eq!(s.get_as(&sess, "/api/v1/eleves").await.status(), 200);
    // The step is spent.
    let r = nav.post(&s.url("/connexion/oidc/code"), form(&[("code", &code())])).await;
    assert_eq!(r.status(), 400);

    // The installation now requires eidas2 of staff: eidas1 is refused, nothing opened.
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur", "ien"], json!({"acr_requis": ["eidas2"]}));
    let sessions = compter(&s, "SELECT count(*) FROM session");
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "sans-otp", None).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("niveau d'authentification"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM session"), sessions);

    // Accounts created from the directory's signed claims, when the installation says so: a
    // school this register does not hold creates nothing; the right one a director's account.
    let creation = json!({"creation": {"revendication_fonction": "fonction", "fonctions": {"DIR": "directeur"},
        "revendication_ecole": "ecole", "revendication_circonscription": null}});
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur", "ien"], creation);
    let comptes = compter(&s, "SELECT count(*) FROM compte");
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "directeur-annuaire", None).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("territoire que ce registre ne tient pas"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM compte"), comptes);
}

#[tokio::test]
async fn a_director_s_account_is_created_from_the_directory_s_signed_claims_and_sees_only_that_school() {
    let s = TestServer::start(120).await;
    let (ecole, uai) = une_ecole(&s, "directeur.2");
    let academie = Fournisseur::demarrer(
        &s,
        vec![
            utilisateur("annuaire-dir", "agent-0005", json!({"fonction": "DIR", "ecole": uai}), &["otp"], None),
            utilisateur("annuaire-ens", "agent-0006", json!({"fonction": "ENS", "ecole": uai}), &["otp"], None),
        ],
    );
    let creation = json!({"creation": {"revendication_fonction": "fonction", "fonctions": {"DIR": "directeur"},
        "revendication_ecole": "ecole", "revendication_circonscription": null}});
    // Staff must show eidas2: a director of the directory without it creates nothing.
    let mut exigeant = creation.clone();
    exigeant["acr_requis"] = json!(["eidas2"]);
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur"], exigeant);
    let comptes = compter(&s, "SELECT count(*) FROM compte");
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "annuaire-dir", None).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("niveau d'authentification"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM compte"), comptes);
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur"], creation);
    // A teacher's function creates nothing.
    let comptes = compter(&s, "SELECT count(*) FROM compte");
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "annuaire-ens", None).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM compte"), comptes);
    let mut nav = Navigateur::new();
    let (fin, _) = nav.connecter(&s, "academie", "annuaire-dir", None).await;
    assert_eq!(fin.status, 200, "{}", fin.corps);
    let db = rusqlite::Connection::open(&s.db).unwrap();
    let (login, role, perimetre): (String, String, String) = db
        .query_row(
            "SELECT login, role, perimetre_id FROM compte JOIN identite ON compte.id = compte_id WHERE sujet = 'agent-0005'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(login.starts_with("academie-") && !login.contains("0005"), "{login}");
    assert_eq!((role.as_str(), perimetre), ("directeur", ecole.clone()));
    let detail: String = db
        .query_row("SELECT detail FROM journal WHERE detail LIKE '%creation_premiere_connexion%'", [], |r| r.get(0))
        .unwrap();
    assert!(detail.contains("\"fonction\"") && detail.contains("\"ecole\"") && !detail.contains(&uai), "{detail}");
    // Its perimeter is the school named, nothing else.
    let sess = nav.session(&s, &login).await;
    let r = s.get_as(&sess, "/api/v1/eleves?limite=1").await;
    let total: i64 = r.headers()["x-total-count"].to_str().unwrap().parse().unwrap();
    // The same pupils as the school's own director.
    let directeur = s.login("directeur.2").await;
    let r = s.get_as(&directeur, "/api/v1/eleves?limite=1").await;
    assert_eq!(r.headers()["x-total-count"].to_str().unwrap(), total.to_string());
    assert!(total > 0);
    let autre = s.compte("directeur.1").perimetre_id.clone().unwrap();
    let un_autre: String =
        db.query_row("SELECT eleve_id FROM scolarite WHERE ecole_id = ? LIMIT 1", [&autre], |r| r.get(0)).unwrap();
    assert_eq!(s.get_as(&sess, &format!("/api/v1/eleves/{un_autre}")).await.status(), 404);
}

#[tokio::test]
async fn the_ia_dasen_can_forbid_staff_passwords_once_a_staff_provider_is_set() {
    let s = TestServer::start(60).await;
    let dasen = s.login("dasen.1").await;
    let corps = json!({"mairie_etendue": false, "mots_de_passe_interdits": true});
    // No staff provider yet: refused, the setting unchanged.
    let r = s.put_as(&dasen, "/api/v1/parametres", &corps).await;
    assert_eq!(r.status(), 409, "{}", r.text().await.unwrap());
    let academie = Fournisseur::demarrer(&s, vec![]);
    regler(&s, "academie", "personnels", &academie.emetteur, &["directeur", "ien", "ia_dasen"], json!({}));
    let r = s.put_as(&dasen, "/api/v1/parametres", &corps).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(s.json_as(&dasen, "/api/v1/parametres").await["mots_de_passe_interdits"], true);
    // A director's account tied to the service: its right password is refused, naming the
    // service to use.
    s.state
        .store
        .ecrire(|tx| {
            let id: String = tx.query_row("SELECT id FROM compte WHERE login = 'directeur.1'", [], |r| r.get(0))?;
            let id = registre::domain::CompteId::parse(&id).unwrap();
            registre::store::identites::lier(tx, &academie.emetteur, "agent-0009", &id, "academie", s.clock.now())
        })
        .unwrap();
    let k = s.compte("directeur.1").clone();
    let r = crate::helpers::post_form(
        &s,
        "/connexion",
        None,
        form(&[("login", &k.login), ("mot_de_passe", &k.mot_de_passe), ("code", &s.code(&k.login))]),
    )
    .await;
    assert_eq!(r.status(), 403);
    let page = crate::helpers::html_texte(&r.text().await.unwrap());
    assert!(page.contains("Guichet agents de l'académie"), "{page}");
    // A provider that does not answer: a French 502 naming the way out, and the IA-DASEN
    // keeps the password (the way back in), a family too.
    regler(&s, "panne", "personnels", "http://127.0.0.1:9", &["directeur"], json!({"libelle": "Service en panne"}));
    let r = s.client.get(s.url("/connexion/oidc/panne")).send().await.unwrap();
    assert_eq!(r.status(), 502);
    let page = crate::helpers::html_texte(&r.text().await.unwrap());
    assert!(page.contains("ne répond pas") && page.contains("mot de passe"), "{page}");
    s.login("dasen.1").await;
    let famille = s.comptes.iter().find(|c| c.role == "responsable").unwrap().login.clone();
    s.login(&famille).await;
}

#[tokio::test]
async fn keys_the_provider_rotates_are_fetched_again() {
    let s = TestServer::start(60).await;
    let (academie, _, jeton) = academie_et_directrice(&s).await;
    // The ID token names a key the set fetched at discovery lacks: the keys are fetched again
    // and hold it, and the sign-in goes through.
    academie.falsifier("rotation").await;
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "directrice", Some(&jeton)).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/")), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM identite"), 1);
    // A key no set holds is still refused.
    academie.falsifier("kid").await;
    let sessions = compter(&s, "SELECT count(*) FROM session");
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "directrice", None).await;
    assert_eq!(fin.status, 400, "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM session"), sessions);
}

#[tokio::test]
async fn an_active_account_ties_itself_from_its_page_and_a_link_from_another_site_ties_nothing() {
    let s = TestServer::start(60).await;
    let (_academie, dasen, jeton) = academie_et_directrice(&s).await;
    // An activation started from another site's link is refused, the link still good.
    let r = s
        .client
        .get(s.url(&format!("/connexion/oidc/academie?jeton={jeton}")))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(crate::helpers::html_texte(&r.text().await.unwrap()).contains("vient d'un autre site"));
    assert_eq!(
        compter(&s, "SELECT count(*) FROM compte WHERE login = 'nouvelle.directrice' AND etat = 'en_attente'"),
        1
    );
    assert_eq!(compter(&s, "SELECT count(*) FROM jeton WHERE usage = 'activation' AND utilise_le IS NULL"), 1);
    // A tie asked by a session that has ended since (logged out, the sealed cookie kept by
    // whoever used the computer next) ties nothing.
    let d = s.login("directeur.1").await;
    let mut nav = Navigateur::new();
    nav.cookies.push(("__Host-sid".into(), d.cookie.trim_start_matches("__Host-sid=").into()));
    let r = nav.get(&s.url("/compte/identite/academie")).await;
    let vers = r.headers()["location"].to_str().unwrap().to_string();
    let scelle = nav.scelle().unwrap();
    assert_eq!(s.post_as(&d, "/api/v1/logout", &json!({})).await.status(), 204);
    let retour = nav.chez_le_fournisseur(&vers, &s.base, "directrice").await;
    nav.cookies.push(("__Host-oidc".into(), scelle));
    let fin = nav.revenir(&retour).await;
    assert_eq!(fin.status, 403, "{}", fin.corps);
    assert!(fin.corps.contains("session qui a demandé ce lien est fermée"), "{}", fin.corps);
    assert_eq!(compter(&s, "SELECT count(*) FROM identite"), 0);
    // A tie from another site's link is refused.
    s.clock.advance(time::Duration::seconds(30));
    let d = s.login("directeur.1").await;
    let r = s
        .client
        .get(s.url("/compte/identite/academie"))
        .header("cookie", &d.cookie)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // directeur.1, signed in with password and code, ties the account from « Mon compte ».
    let page = crate::helpers::html_texte(&s.get_as(&d, "/compte").await.text().await.unwrap());
    assert!(page.contains("href=\"/compte/identite/academie\""), "{page}");
    let mut nav = Navigateur::new();
    nav.cookies.push(("__Host-sid".into(), d.cookie.trim_start_matches("__Host-sid=").into()));
    let r = nav.get(&s.url("/compte/identite/academie")).await;
    assert_eq!(r.status(), 303);
    let vers = r.headers()["location"].to_str().unwrap().to_string();
    let retour = nav.chez_le_fournisseur(&vers, &s.base, "directrice").await;
    let fin = nav.revenir(&retour).await;
    assert_eq!((fin.status, fin.location.as_deref()), (200, Some("/compte")), "{}", fin.corps);
    assert_eq!(
        compter(&s, "SELECT count(*) FROM identite JOIN compte ON compte.id = compte_id WHERE login = 'directeur.1'"),
        1
    );
    assert_eq!(s.get_as(&d, "/api/v1/eleves").await.status(), 401, "the session held when it started ended");
    let page = crate::helpers::html_texte(
        &s.get_as(&nav.session(&s, "directeur.1").await, "/compte").await.text().await.unwrap(),
    );
    assert!(page.contains("lié à « Guichet agents de l'académie »"), "{page}");
    // From now on, signing in goes through the provider, and once the IA-DASEN forbids staff
    // passwords, the tied account's password is refused while an untied one still works.
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "directrice", None).await;
    assert_eq!(fin.status, 200, "{}", fin.corps);
    let corps = json!({"mairie_etendue": false, "mots_de_passe_interdits": true});
    assert_eq!(s.put_as(&dasen, "/api/v1/parametres", &corps).await.status(), 200);
    // Leaving the field out keeps it.
    let r = s.put_as(&dasen, "/api/v1/parametres", &json!({"mairie_etendue": false})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["mots_de_passe_interdits"], true);
    let k = s.compte("directeur.1").clone();
    s.clock.advance(time::Duration::seconds(30));
    let r = crate::helpers::post_form(
        &s,
        "/connexion",
        None,
        form(&[("login", &k.login), ("mot_de_passe", &k.mot_de_passe), ("code", &s.code(&k.login))]),
    )
    .await;
    assert_eq!(r.status(), 403);
    s.login("directeur.2").await;
    // A tie needs a recent sign-in.
    s.clock.advance(time::Duration::minutes(11));
    let d2 = s.login("directeur.2").await;
    s.clock.advance(time::Duration::minutes(11));
    let r = s.get_as(&d2, "/compte/identite/academie").await;
    assert_eq!(r.status(), 403);
    assert!(crate::helpers::html_texte(&r.text().await.unwrap()).contains("econnectez-vous"));
    // An account locked by wrong passwords still signs in through the provider (the lockout
    // guards passwords: whoever knows a login could otherwise keep its holder out).
    rusqlite::Connection::open(&s.db)
        .unwrap()
        .execute(
            "UPDATE compte SET verrou_jusqua = '2099-01-01T00:00:00Z', echecs = 30 WHERE login = 'directeur.1'",
            [],
        )
        .unwrap();
    let (fin, _) = Navigateur::new().connecter(&s, "academie", "directrice", None).await;
    assert_eq!(fin.status, 200, "{}", fin.corps);
}
