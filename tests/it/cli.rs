//! The CLI, run as an operator would.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::helpers::{pdftotext, registre};

const CLOCK: &str = "2026-11-29T09:30:00Z";

fn ok(cmd: &mut std::process::Command) -> String {
    let out = cmd.env("REGISTRE_HORLOGE", CLOCK).output().unwrap();
    assert!(out.status.success(), "{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(cmd: &mut std::process::Command) -> String {
    let out = cmd.env("REGISTRE_HORLOGE", CLOCK).output().unwrap();
    assert!(!out.status.success(), "{cmd:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn init_creates_a_base_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let out = ok(registre().args(["init", "--db"]).arg(&db));
    assert!(out.contains("2026-2027"), "{out}");
    let err = fails(registre().args(["init", "--db"]).arg(&db));
    assert!(err.contains("existe déjà"), "{err}");
    ok(registre().args(["check", "--db"]).arg(&db));
}

#[test]
fn verbs_on_a_missing_base_say_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(registre().args(["eleves", "--db"]).arg(dir.path().join("absente.db")));
    assert!(err.contains("registre init"), "{err}");
    assert!(!dir.path().join("absente.db").exists());
}

#[test]
fn demo_eleves_render_and_check_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "400", "--seed", "3", "--db"]).arg(&db));
    let list = ok(registre().args(["eleves", "--db"]).arg(&db));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 430, "400 pupils and the 30 of the neighbouring demo département");
    let cols: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(cols.len(), 7, "id, nom, prénoms, date, UAI, niveau, classe");
    assert!(registre::domain::Uai::parse(cols[4]).is_ok());
    let (id, nom, prenoms, date, uai, niveau) = (cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]);
    let out = dir.path().join("certificat.pdf");
    ok(registre().args(["render", "certificat-scolarite", "--eleve", id, "-o"]).arg(&out).arg("--db").arg(&db));
    let text = pdftotext(&std::fs::read(&out).unwrap());
    for expected in [nom, prenoms, date, uai, niveau, "2026-2027"] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    // Filter by school and by words.
    let of_school = ok(registre().args(["eleves", "--ecole", uai, "--db"]).arg(&db));
    assert!(of_school.lines().all(|l| l.split('\t').nth(4) == Some(uai)));
    let found = ok(registre().args(["eleves", "--q", &nom.to_lowercase(), "--db"]).arg(&db));
    assert!(found.lines().any(|l| l.starts_with(id)));
    // A whole school as a ZIP, its class lists as one PDF.
    let zip = dir.path().join("fiches.zip");
    ok(registre().args(["render", "fiche-renseignements", "--ecole", uai, "-o"]).arg(&zip).arg("--db").arg(&db));
    let archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert_eq!(archive.len(), of_school.lines().count());
    ok(registre()
        .args(["render", "liste-classe", "--ecole", uai, "-o"])
        .arg(dir.path().join("listes.pdf"))
        .arg("--db")
        .arg(&db));
    let check = ok(registre().args(["check", "--db"]).arg(&db));
    assert!(check.contains("Base saine"), "{check}");
}

#[test]
fn render_refuses_unknown_documents_targets_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "30", "--db"]).arg(&db));
    let err = fails(registre().args(["render", "bulletin", "--ecole", "0350101G", "-o", "x.pdf", "--db"]).arg(&db));
    assert!(err.contains("inconnu") && err.contains("certificat-scolarite"), "{err}");
    let err = fails(registre().args(["render", "liste-classe", "--ecole", "0350760M", "-o", "x.pdf", "--db"]).arg(&db));
    assert!(err.contains("lettre clé"), "{err}");
    let err = fails(registre().args(["render", "liste-classe", "--ecole", "0350101G", "-o", "x.txt", "--db"]).arg(&db));
    assert!(err.contains(".pdf, .zip ou .csv"), "{err}");
    let err = fails(
        registre()
            .args(["render", "certificat-scolarite", "--eleve", "aaaaaaaaaaaaaaaaaaaa", "-o"])
            .arg(dir.path().join("c.pdf"))
            .arg("--db")
            .arg(&db),
    );
    assert!(err.contains("introuvable"), "{err}");
    assert!(!dir.path().join("c.pdf").exists() && !dir.path().join("c.partiel").exists());
}

#[test]
fn render_prints_the_constat_and_the_forecast_of_the_installation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "120", "--db"]).arg(&db));
    let csv = dir.path().join("constat.csv");
    ok(registre().args(["render", "constat-effectifs", "-o"]).arg(&csv).arg("--db").arg(&db));
    let texte = std::fs::read_to_string(&csv).unwrap();
    assert!(texte.contains("Circonscription;UAI;École"), "{texte}");
    // The schools' totals are the attending pupils, as the base counts them.
    let total: u32 = texte
        .lines()
        .skip(1)
        .filter(|l| l.split(';').nth(1).is_some_and(|u| u.len() == 8))
        .map(|l| l.split(';').nth(14).unwrap().parse::<u32>().unwrap())
        .sum();
    let eleves = ok(registre().args(["eleves", "--db"]).arg(&db));
    assert_eq!(total as usize, eleves.lines().count(), "one line per attending pupil in `registre eleves`");
    let pdf = dir.path().join("prevision.pdf");
    ok(registre().args(["render", "prevision-effectifs", "-o"]).arg(&pdf).arg("--db").arg(&db));
    assert!(crate::helpers::pdftotext(&std::fs::read(&pdf).unwrap()).contains("EFFECTIFS"));
    ok(registre().args(["render", "prevision-effectifs", "-o"]).arg(dir.path().join("p.xlsx")).arg("--db").arg(&db));
    let err = fails(registre().args(["render", "constat-effectifs", "-o", "x.txt", "--db"]).arg(&db));
    assert!(err.contains(".pdf, .csv ou .xlsx"), "{err}");
}

#[test]
fn the_same_demo_and_clock_give_byte_identical_documents() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    ok(registre().args(["demo", "--pupils", "50", "--seed", "9", "--db"]).arg(&a));
    ok(registre().args(["demo", "--pupils", "50", "--seed", "9", "--db"]).arg(&b));
    let la = ok(registre().args(["eleves", "--db"]).arg(&a));
    assert_eq!(la, ok(registre().args(["eleves", "--db"]).arg(&b)), "the generator is deterministic");
    let id = la.lines().next().unwrap().split('\t').next().unwrap();
    let (pa, pb) = (dir.path().join("a.pdf"), dir.path().join("b.pdf"));
    ok(registre().args(["render", "fiche-renseignements", "--eleve", id, "-o"]).arg(&pa).arg("--db").arg(&a));
    ok(registre().args(["render", "fiche-renseignements", "--eleve", id, "-o"]).arg(&pb).arg("--db").arg(&b));
    assert_eq!(std::fs::read(&pa).unwrap(), std::fs::read(&pb).unwrap());
}

#[test]
fn backup_makes_a_private_consistent_copy_that_checks_sound() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(registre().args(["demo", "--pupils", "40", "--db"]).arg(&db));
    let copie = dir.path().join("copie.db");
    let out = ok(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&copie));
    assert!(out.contains("clés"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copie).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600, "the base itself is private");
    }
    std::fs::copy(registre::config::Cles::chemin(&db), registre::config::Cles::chemin(&copie)).unwrap();
    assert!(ok(registre().args(["check", "--db"]).arg(&copie)).contains("Base saine"));
    assert_eq!(
        ok(registre().args(["eleves", "--db"]).arg(&copie)).lines().count(),
        ok(registre().args(["eleves", "--db"]).arg(&db)).lines().count()
    );
    let err = fails(registre().args(["backup", "--db"]).arg(&db).arg("-o").arg(&copie));
    assert!(err.contains("existe déjà"), "{err}");
}

#[test]
fn check_names_a_value_altered_outside_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "30", "--db"]).arg(&db));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let id: String = conn.query_row("SELECT id FROM ecole LIMIT 1", [], |r| r.get(0)).unwrap();
    conn.execute("UPDATE ecole SET uai = '0350101Z' WHERE id = ?", [&id]).unwrap();
    drop(conn);
    let err = fails(registre().args(["check", "--db"]).arg(&db));
    assert!(err.contains(&id) && err.contains("lettre clé"), "{err}");
}

#[test]
fn serve_refuses_a_non_loopback_address_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        fails(registre().args(["serve", "--demo", "--addr", "0.0.0.0:8080", "--db"]).arg(dir.path().join("x.db")));
    assert!(err.contains("adresse locale") && err.contains("--tls-cert"), "{err}");
    assert!(!dir.path().join("x.db").exists(), "nothing created");
}

#[tokio::test]
async fn serve_demo_from_nothing_and_render_print_the_same_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registre.db");
    let (mut child, url) = crate::helpers::servir(
        &["--demo".as_ref(), "--addr".as_ref(), "127.0.0.1:0".as_ref(), "--db".as_ref(), db.as_os_str()],
        &[("REGISTRE_HORLOGE", CLOCK)],
    )
    .await;
    // The demo accounts file gives the director's credentials; the clock is fixed, so is the code.
    let comptes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("registre.db.demo-accounts.json")).unwrap()).unwrap();
    let d = comptes.as_array().unwrap().iter().find(|k| k["login"] == "directeur.1").unwrap();
    // As the README says: `registre code-demo` gives the code of the moment.
    let code = ok(registre().args(["code-demo", "--login", "directeur.1", "--db"]).arg(&db)).trim().to_string();
    assert_eq!(code.len(), 6);
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{url}api/v1/login"))
        .json(&serde_json::json!({ "login": "directeur.1", "mot_de_passe": d["mot_de_passe"], "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = crate::helpers::cookie_de(&login);
    let get = |path: String| client.get(format!("{url}{path}")).header("cookie", cookie.clone()).send();
    let eleves: serde_json::Value = get("api/v1/eleves?limite=1".into()).await.unwrap().json().await.unwrap();
    let id = eleves[0]["id"].as_str().unwrap().to_string();
    let http_pdf =
        get(format!("api/v1/eleves/{id}/documents/certificat-scolarite")).await.unwrap().bytes().await.unwrap();
    let out = dir.path().join("c.pdf");
    ok(registre().args(["render", "certificat-scolarite", "--eleve", &id, "-o"]).arg(&out).arg("--db").arg(&db));
    let cli_pdf = std::fs::read(&out).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    // The CLI's print is the same certificate, as its duplicata (printed second).
    let (a, b) = (pdftotext(&http_pdf), pdftotext(&cli_pdf));
    let marque = "DUPLICATA DÉLIVRÉ LE ";
    let i = b.find(marque).unwrap_or_else(|| panic!("no duplicata mark:\n{b}"));
    let suite = b[i + marque.len()..].splitn(4, ' ').nth(3).unwrap_or("");
    assert_eq!(format!("{}{suite}", &b[..i]), a, "HTTP and CLI print the same certificate");
    for expected in [
        eleves[0]["nom"].as_str().unwrap(),
        eleves[0]["prenoms"].as_str().unwrap(),
        eleves[0]["uai"].as_str().unwrap(),
        "2026-2027",
    ] {
        assert!(a.contains(expected), "{expected} missing");
    }
}

/// Starts `registre serve` with extra arguments; returns the child and the URL it prints.
async fn lancer(args: &[&str], db: &std::path::Path, log: &std::path::Path) -> (std::process::Child, String) {
    let mut child = registre()
        .arg("serve")
        .args(args)
        .arg("--db")
        .arg(db)
        .env("REGISTRE_HORLOGE", CLOCK)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.split("écoute sur ").nth(1).map(|u| u.split_whitespace().next().unwrap().to_string()))
    })
    .await
    .unwrap()
    .expect("the server prints its address");
    (child, url)
}

#[tokio::test]
async fn with_tls_the_server_listens_beyond_loopback_and_sends_hsts() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let ok = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(ok.status.success(), "openssl");
    let db = dir.path().join("r.db");
    let (mut child, url) = lancer(
        &["--demo", "--addr", "0.0.0.0:0", "--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
        &db,
        &dir.path().join("log"),
    )
    .await;
    assert!(url.starts_with("https://0.0.0.0:"), "{url}");
    let port = url.trim_end_matches('/').rsplit(':').next().unwrap().to_string();
    let out = std::process::Command::new("curl")
        .args(["-sk", "-D", "-", &format!("https://127.0.0.1:{port}/healthz")])
        .output()
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    assert!(text.contains("200") && text.contains("\"status\":\"ok\""), "{text}");
    assert!(text.contains("strict-transport-security: max-age="), "{text}");
    // Plain HTTP beyond loopback stays refused, even behind a proxy.
    let err = fails(registre().args(["serve", "--derriere-proxy", "--addr", "0.0.0.0:8080", "--db"]).arg(&db));
    assert!(err.contains("adresse locale"), "{err}");
}

#[tokio::test]
async fn no_password_token_code_or_session_id_reaches_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registre.db");
    let log = dir.path().join("serveur.log");
    let (mut child, url) = lancer(&["--demo", "--addr", "127.0.0.1:0"], &db, &log).await;
    let comptes: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("registre.db.demo-accounts.json")).unwrap()).unwrap();
    let client = reqwest::Client::new();
    let mut secrets: Vec<String> = Vec::new();
    let t = time::OffsetDateTime::parse(CLOCK, &time::format_description::well_known::Rfc3339).unwrap();
    for k in comptes.as_array().unwrap().iter().take(4) {
        let secret = registre::auth::totp::depuis_base32(k["totp_secret"].as_str().unwrap()).unwrap();
        let code = registre::auth::totp::code(&secret, t.unix_timestamp() as u64);
        secrets
            .extend([k["mot_de_passe"].as_str().unwrap().to_string(), k["totp_secret"].as_str().unwrap().to_string()]);
        for mdp in ["un mauvais mot de passe", k["mot_de_passe"].as_str().unwrap()] {
            let res = client
                .post(format!("{url}api/v1/login"))
                .json(&serde_json::json!({ "login": k["login"], "mot_de_passe": mdp, "code": code }))
                .send()
                .await
                .unwrap();
            if res.status() == 200 {
                let cookie = crate::helpers::cookie_de(&res);
                secrets.push(cookie.split('=').nth(1).unwrap().to_string());
                let v: serde_json::Value = res.json().await.unwrap();
                secrets.push(v["csrf"].as_str().unwrap().to_string());
                let _ = client.get(format!("{url}api/v1/eleves?limite=2")).header("cookie", cookie).send().await;
            }
        }
    }
    // An activation link, too.
    let out = registre()
        .args(["admin", "create", "--role", "admin_technique", "--login", "tech.nouveau", "--db"])
        .arg(&db)
        .env("REGISTRE_HORLOGE", CLOCK)
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let jeton = printed.split("jeton=").nth(1).unwrap().trim().to_string();
    let _ = client
        .post(format!("{url}api/v1/activation"))
        .json(&serde_json::json!({ "jeton": jeton, "mot_de_passe": "x" }))
        .send()
        .await;
    secrets.push(jeton);
    child.kill().unwrap();
    let _ = child.wait();
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(!logs.is_empty(), "debug logs were written");
    for s in &secrets {
        assert!(!logs.contains(s.as_str()), "a secret reached the logs");
    }
}

#[test]
fn admin_create_prints_a_single_use_activation_link_for_the_first_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(registre().args(["demo", "--pupils", "30", "--db"]).arg(&db));
    let out = ok(registre()
        .args(["admin", "create", "--role", "ia_dasen", "--perimeter", "035", "--login", "dasen.chef", "--db"])
        .arg(&db));
    assert!(out.contains("http://127.0.0.1:8080/activer?jeton="), "{out}");
    let err = fails(
        registre()
            .args(["admin", "create", "--role", "ia_dasen", "--perimeter", "035", "--login", "dasen.chef", "--db"])
            .arg(&db),
    );
    assert!(err.contains("déjà pris"), "{err}");
    let err = fails(
        registre()
            .args(["admin", "create", "--role", "directeur", "--perimeter", "0350760M", "--login", "x.y", "--db"])
            .arg(&db),
    );
    assert!(err.contains("introuvable"), "{err}");
    let err = fails(registre().args(["admin", "create", "--role", "roi", "--login", "x.y", "--db"]).arg(&db));
    assert!(err.contains("rôle"), "{err}");
}

#[test]
fn the_public_address_puts_a_verification_link_and_qr_code_on_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    ok(registre().args(["demo", "--pupils", "40", "--db"]).arg(&db));
    let id = ok(registre().args(["eleves", "--db"]).arg(&db))
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    let imprimer = |nom: &str| {
        let out = dir.path().join(nom);
        ok(registre().args(["render", "certificat-scolarite", "--eleve", &id, "-o"]).arg(&out).arg("--db").arg(&db));
        std::fs::read(&out).unwrap()
    };
    let sans = imprimer("sans.pdf");
    assert!(!pdftotext(&sans).contains("https://"));
    for refusee in ["registre.ac-exemple.fr", "https://x@ac.fr", "https://ac.fr/?q=#[", "javascript:alert(1)"] {
        let err = fails(registre().args(["admin", "url-publique", refusee, "--db"]).arg(&db));
        assert!(err.contains("adresse publique"), "{err}");
    }
    let out = ok(registre().args(["admin", "url-publique", "https://registre.ac-exemple.fr/", "--db"]).arg(&db));
    assert!(out.contains("https://registre.ac-exemple.fr/verifier/"), "{out}");
    let avec = imprimer("avec.pdf");
    let text = pdftotext(&avec);
    assert!(text.contains("https://registre.ac-exemple.fr/verifier/"), "{text}");
    assert!(avec.len() > sans.len(), "the QR code is drawn");
    // Removing it takes the link off the next prints; the change is journaled and the chain holds.
    ok(registre().args(["admin", "url-publique", "--db"]).arg(&db));
    assert!(!pdftotext(&imprimer("apres.pdf")).contains("https://"));
    ok(registre().args(["check", "--db"]).arg(&db));
}

#[test]
fn a_departement_template_overrides_the_built_in_one_and_a_broken_one_never_stops_a_print() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "60", "--seed", "3", "--db"]).arg(&db));
    let list = ok(registre().args(["eleves", "--db"]).arg(&db));
    let id = list.lines().next().unwrap().split('\t').next().unwrap().to_string();
    let gabarits = registre::render::dossier_gabarits(&db);
    std::fs::create_dir_all(&gabarits).unwrap();
    let integre = include_str!("../../templates/documents/fiche-urgence.typ");
    // A working override: the département's own wording.
    std::fs::write(gabarits.join("fiche-urgence.typ"), integre.replace("FICHE D'URGENCE", "FICHE DE SÉCURITÉ DU 35"))
        .unwrap();
    let out = dir.path().join("fu.pdf");
    ok(registre().args(["render", "fiche-urgence", "--eleve", &id, "-o"]).arg(&out).arg("--db").arg(&db));
    assert!(pdftotext(&std::fs::read(&out).unwrap()).contains("FICHE DE SÉCURITÉ DU 35"));
    let check = ok(registre().args(["check", "--db"]).arg(&db));
    assert!(check.contains("fiche-urgence.typ : compilé sans erreur"), "{check}");
    // A broken one: the print still comes out, with the built-in template; `check` names the
    // file and the line.
    let casse = integre.replacen("#let data", "#let x = variable_inconnue\n#let data", 1);
    let ligne = casse.lines().position(|l| l.contains("variable_inconnue")).unwrap() + 1;
    std::fs::write(gabarits.join("fiche-urgence.typ"), casse).unwrap();
    ok(registre().args(["render", "fiche-urgence", "--eleve", &id, "-o"]).arg(&out).arg("--db").arg(&db));
    assert!(pdftotext(&std::fs::read(&out).unwrap()).contains("FICHE D'URGENCE"));
    let err = fails(registre().args(["check", "--db"]).arg(&db));
    assert!(err.contains(&format!("fiche-urgence.typ:{ligne}")), "{err}");
    assert!(err.contains("variable_inconnue"), "{err}");
}

#[test]
fn the_help_is_in_french_for_every_verb() {
    let racine = ok(registre().arg("--help"));
    for attendu in
        ["Utilisation : registre", "Commandes", "Affiche cette aide", "Affiche la version", "import", "restore"]
    {
        assert!(racine.contains(attendu), "{attendu} missing:\n{racine}");
    }
    let verbes: Vec<String> = racine
        .lines()
        .skip_while(|l| !l.starts_with("Commandes"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(verbes.len() >= 14, "{verbes:?}");
    for v in verbes
        .iter()
        .chain(["import onde".to_string(), "export dossier".to_string(), "admin create".to_string()].iter())
    {
        let aide = ok(registre().args(v.split(' ')).arg("--help"));
        for anglais in ["Print help", "Usage:", "Commands:"] {
            assert!(!aide.contains(anglais), "« {anglais} » in the help of {v}:\n{aide}");
        }
    }
    // Usage errors too: in French, with the usage and where the help is (status 2).
    for (args, attendu) in [
        (&["frobnicate"][..], "commande inconnue : frobnicate"),
        (&["render"][..], "argument obligatoire manquant : --db <DB>"),
        (&["render", "--db"][..], "une valeur est attendue pour --db"),
        (&["serve", "--port", "8080"][..], "argument inconnu : --port"),
    ] {
        let out = registre().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(attendu) && err.contains("registre --help"), "{args:?}: {err}");
        assert!(!err.contains("error:") && !err.contains("Usage:") && !err.contains("For more information"), "{err}");
    }
}

/// `bench --comparaison` writes, for the peers of scripts/comparaison, the data of
/// exactly the fiches `render --ecole` prints, in print order, and refuses a base that is not a
/// demonstration (the files hold pupils' data in clear). `bench` is built with `--features
/// bench` only, as the README's test command builds it.
#[cfg(feature = "bench")]
#[test]
fn the_comparison_writes_the_data_of_the_school_print_run_on_a_demo_base_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(registre().args(["demo", "--pupils", "300", "--seed", "5", "--db"]).arg(&db));
    let sortie = dir.path().join("comparaison");
    ok(registre().args(["bench", "--comparaison"]).arg(&sortie).arg("--db").arg(&db));
    let uai = std::fs::read_to_string(sortie.join("ecole.txt")).unwrap().trim().to_string();
    let mut fichiers: Vec<_> = std::fs::read_dir(sortie.join("donnees")).unwrap().map(|f| f.unwrap().path()).collect();
    fichiers.sort();
    let zip = dir.path().join("fiches.zip");
    ok(registre().args(["render", "fiche-renseignements", "--ecole", &uai, "-o"]).arg(&zip).arg("--db").arg(&db));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
    assert_eq!(archive.len(), fichiers.len());
    // The largest school: no other has more pupils present.
    let eleves = ok(registre().args(["eleves", "--db"]).arg(&db));
    let mut effectifs = std::collections::HashMap::new();
    for l in eleves.lines() {
        *effectifs.entry(l.split('\t').nth(4).unwrap().to_string()).or_insert(0) += 1;
    }
    assert_eq!(effectifs.values().max(), Some(&fichiers.len()), "{uai} is not the largest school");
    for (i, f) in fichiers.iter().enumerate().step_by(7) {
        let data: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let eleve = &data["documents"][0]["eleve"];
        let mut pdf = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_index(i).unwrap(), &mut pdf).unwrap();
        let texte = pdftotext(&pdf);
        for champ in ["nom", "prenoms", "date_naissance"] {
            let v = eleve[champ].as_str().unwrap();
            assert!(texte.contains(v), "fiche {i}: {v} missing from the printed one");
        }
    }
    let plancher: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sortie.join("plancher.json")).unwrap()).unwrap();
    assert_eq!(plancher["documents"].as_u64(), Some(fichiers.len() as u64));

    // Not a demonstration: refused, nothing written.
    std::fs::remove_file(format!("{}.demo-accounts.json", db.display())).unwrap();
    let ailleurs = dir.path().join("ailleurs");
    let err = fails(registre().args(["bench", "--comparaison"]).arg(&ailleurs).arg("--db").arg(&db));
    assert!(err.contains("base de démonstration"), "{err}");
    assert!(!ailleurs.exists());
}
