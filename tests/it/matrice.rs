//! The access matrix: every role × relation to the record (own perimeter / another perimeter
//! of the same kind) × resource × action, with two tenants at each level, through HTTP.
//!
//! The expectations below are written independently of `policy`: a mistake in the policy
//! table shows up here. A denied request must answer 403 or 404 and carry no field of the
//! record; an allowed one must not show the fields its role may not see. The test stops at
//! the first leak.

use serde_json::{Value, json};

use crate::helpers::{Session, TestServer, pdftotext, urlencode};

/// A pupil used as a target, as the operator sees it.
#[derive(Debug, Clone)]
struct Cible {
    id: String,
    nom: String,
    prenoms: String,
    ine: String,
    ecole: String,
    uai: String,
    classe: String,
    niveau: String,
    telephones: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Propre,
    Autre,
}

/// What is asked, in the matrix: (name, method, path builder).
const ENDPOINTS: &[&str] = &[
    "eleve.lire",
    "eleve.rechercher",
    "eleve.lister_ecole",
    "classe.eleves",
    "classe.lire",
    "ecole.classes",
    "ecole.lire",
    "doc.certificat",
    "doc.fiche",
    "doc.liste_classe",
    "export.fiches_classe",
    "export.certificats_ecole",
    "journal.consultations",
    "page.eleve",
    "page.classe",
    "page.ecole",
    "eleve.creer",
    "stats.effectifs",
    "page.recherche",
    "inscriptions.ecole",
    "doc.registre",
    "passage.lire",
    "page.inscriptions",
    "page.admission",
];

/// Whether `role` may do `endpoint` on a record of its own perimeter (independent expectations).
fn attendu(role: &str, endpoint: &str) -> bool {
    let nominatif =
        matches!(role, "directeur" | "agent_mairie" | "ien" | "ia_dasen" | "responsable" | "principal_college");
    let ecole_classes = matches!(role, "directeur" | "ien" | "ia_dasen");
    match endpoint {
        "eleve.lire" | "eleve.rechercher" | "eleve.lister_ecole" | "page.eleve" | "page.recherche" => nominatif,
        "classe.eleves" | "classe.lire" | "ecole.classes" | "page.classe" | "page.ecole" => ecole_classes,
        "ecole.lire" => true,
        // A family downloads its own child's certificat de scolarité, never in bulk.
        "doc.certificat" => matches!(role, "directeur" | "responsable"),
        "export.certificats_ecole" | "export.fiches_classe" | "eleve.creer" => role == "directeur",
        "doc.fiche" => matches!(role, "directeur" | "responsable"),
        "doc.liste_classe" => ecole_classes,
        "journal.consultations" => matches!(role, "responsable" | "ia_dasen"),
        // The statisticien gets precomputed releases, never live counts.
        "stats.effectifs" => matches!(role, "directeur" | "ien" | "ia_dasen"),
        "inscriptions.ecole" => matches!(role, "directeur" | "agent_mairie" | "ien" | "ia_dasen"),
        "doc.registre" => ecole_classes,
        "passage.lire" => matches!(role, "directeur" | "ien" | "ia_dasen" | "responsable"),
        "page.inscriptions" => matches!(role, "directeur" | "agent_mairie" | "ien" | "ia_dasen"),
        "page.admission" => role == "directeur",
        _ => unreachable!("{endpoint}"),
    }
}

/// Whether the role sees the INE (for allowed reads).
fn voit_ine(role: &str) -> bool {
    matches!(role, "directeur" | "ien" | "ia_dasen" | "responsable")
}

fn cibles(db: &std::path::Path, sql: &str, param: &str) -> Vec<Cible> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ids: Vec<String> =
        conn.prepare(sql).unwrap().query_map([param], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    ids.into_iter()
        .take(2)
        .map(|id| {
            let (nom, prenoms, ine, ecole, uai, classe, niveau): (
                String,
                String,
                String,
                String,
                String,
                String,
                String,
            ) = conn
                .query_row(
                    &format!(
                        "SELECT el.nom, el.prenoms, el.ine, s.ecole_id, e.uai, s.classe_id, s.niveau FROM eleve el
                         JOIN scolarite s ON s.eleve_id = el.id JOIN ecole e ON e.id = s.ecole_id
                         WHERE el.id = ? AND {PRESENTS} ORDER BY s.annee DESC LIMIT 1"
                    ),
                    [&id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                )
                .unwrap();
            let telephones: Vec<String> = conn
                .prepare(
                    "SELECT r.tel_portable FROM responsable r JOIN eleve_responsable er ON er.responsable_id = r.id
                     WHERE er.eleve_id = ? AND r.tel_portable IS NOT NULL",
                )
                .unwrap()
                .query_map([&id], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            Cible { id, nom, prenoms, ine, ecole, uai, classe, niveau, telephones }
        })
        .collect()
}

/// Attending, and placed in a class (the class endpoints need one; the demo leaves some
/// pupils awaiting répartition, and ids are random, so any of them could come first).
const PRESENTS: &str = "s.etat IN ('admis_provisoire', 'admis_definitif') AND s.classe_id IS NOT NULL";

/// The target pupils of a demo account's perimeter (or of any perimeter id of the same kind).
fn cibles_de(s: &TestServer, role: &str, perimetre_id: Option<&str>) -> Vec<Cible> {
    let p = perimetre_id.unwrap_or("");
    let base = "SELECT s.eleve_id FROM scolarite s JOIN ecole e ON e.id = s.ecole_id";
    let order = "ORDER BY s.eleve_id";
    let sql = match role {
        "directeur" => format!("{base} WHERE {PRESENTS} AND e.id = ? {order}"),
        "agent_mairie" => format!("{base} WHERE {PRESENTS} AND e.commune_id = ? {order}"),
        "ien" => format!("{base} WHERE {PRESENTS} AND e.circonscription_id = ? {order}"),
        "ia_dasen" => format!(
            "{base} JOIN circonscription ci ON ci.id = e.circonscription_id WHERE {PRESENTS} AND ci.departement_id = ? {order}"
        ),
        "statisticien" => format!(
            "{base} JOIN circonscription ci ON ci.id = e.circonscription_id JOIN departement d ON d.id = ci.departement_id
             WHERE {PRESENTS} AND d.academie_id = ? {order}"
        ),
        "responsable" => format!(
            "{base} JOIN eleve_responsable er ON er.eleve_id = s.eleve_id WHERE {PRESENTS} AND er.responsable_id = ? {order}"
        ),
        "principal_college" => format!(
            "{base} JOIN affectation_college ac ON ac.eleve_id = s.eleve_id WHERE {PRESENTS} AND ac.college_id = ? {order}"
        ),
        _ => format!("{base} WHERE {PRESENTS} AND ? = ? {order}").replacen("? = ?", "'' = ?", 1),
    };
    let c = cibles(&s.db, &sql, p);
    assert!(!c.is_empty(), "no target for {role} {p}");
    c
}

fn chemin(endpoint: &str, c: &Cible) -> (bool, String) {
    let (id, classe, ecole) = (&c.id, &c.classe, &c.ecole);
    let q = c.nom.split_whitespace().next().unwrap_or("").to_string();
    let post = endpoint == "eleve.creer";
    let path = match endpoint {
        "eleve.lire" => format!("/api/v1/eleves/{id}"),
        "eleve.rechercher" => format!("/api/v1/eleves?q={}", urlencode(&q)),
        "eleve.lister_ecole" => format!("/api/v1/eleves?ecole={ecole}"),
        "classe.eleves" => format!("/api/v1/classes/{classe}/eleves"),
        "classe.lire" => format!("/api/v1/classes/{classe}"),
        "ecole.classes" => format!("/api/v1/ecoles/{ecole}/classes"),
        "ecole.lire" => format!("/api/v1/ecoles/{ecole}"),
        "doc.certificat" => format!("/api/v1/eleves/{id}/documents/certificat-scolarite"),
        "doc.fiche" => format!("/api/v1/eleves/{id}/documents/fiche-renseignements"),
        "doc.liste_classe" => format!("/api/v1/classes/{classe}/documents/liste-classe"),
        "export.fiches_classe" => format!("/api/v1/classes/{classe}/documents/fiche-renseignements?format=zip"),
        "export.certificats_ecole" => format!("/api/v1/ecoles/{ecole}/documents/certificat-scolarite?format=zip"),
        "journal.consultations" => format!("/api/v1/eleves/{id}/consultations"),
        "page.eleve" => format!("/eleves/{id}"),
        "page.classe" => format!("/classes/{classe}"),
        "page.ecole" => format!("/ecoles/{ecole}"),
        "page.recherche" => format!("/eleves?q={}", urlencode(&q)),
        "eleve.creer" => "/api/v1/eleves".into(),
        "stats.effectifs" => "/api/v1/statistiques/effectifs".into(),
        "inscriptions.ecole" => format!("/api/v1/inscriptions?ecole={ecole}"),
        "doc.registre" => format!("/api/v1/ecoles/{ecole}/documents/registre-eleves"),
        "passage.lire" => format!("/api/v1/eleves/{id}/passage"),
        "page.inscriptions" => "/inscriptions".into(),
        "page.admission" => format!("/ecoles/{ecole}/admission"),
        _ => unreachable!(),
    };
    (post, path)
}

/// The text of a response body, PDFs and ZIPs included.
fn texte(bytes: &[u8], content_type: &str) -> String {
    if content_type.starts_with("application/pdf") {
        return pdftotext(bytes);
    }
    if content_type.starts_with("application/zip") {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut all = String::new();
        for i in 0..z.len() {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut z.by_index(i).unwrap(), &mut buf).unwrap();
            all.push_str(&pdftotext(&buf));
        }
        return all;
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Why `body` shows something of `c`, if it does.
fn fuite(body: &str, c: &Cible) -> Option<String> {
    if body.contains(&c.id) {
        return Some("its id".into());
    }
    if body.contains(&c.ine) {
        return Some("its INE".into());
    }
    if let Some(t) = c.telephones.iter().find(|t| body.contains(t.as_str())) {
        return Some(format!("a responsable's phone {t}"));
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => items
            .iter()
            .any(|i| i["nom"] == c.nom.as_str() && i["prenoms"] == c.prenoms.as_str())
            .then(|| "its nom and prénoms in a list".into()),
        Ok(_) => (body.contains(&c.prenoms) && body.contains(&c.nom)).then(|| "its nom and prénoms".into()),
        // HTML: a row with its name.
        Err(_) => (body.contains(&format!("{}</a></td><td>{}", c.nom, c.prenoms))
            || body.contains(&format!("<td>{} {}</td>", c.nom, c.prenoms)))
        .then(|| "its name in a page".into()),
    }
}

async fn requete(s: &TestServer, sess: &Session, post: bool, path: &str, c: &Cible, n: usize) -> (u16, String) {
    let res = if post {
        let body = json!({
            "ecole_id": c.ecole, "niveau": c.niveau,
            "eleve": { "nom": format!("Matrice{n}"), "prenoms": "Test", "sexe": "F", "date_naissance": "03/05/2017",
                       "naissance_insee": "35001", "naissance_lieu": "Kervalan" },
            // The pupils created here look alike (same prénom, birth date and place): the user
            // has seen the duplicate search and confirms a new pupil.
            "confirmer_nouveau": true,
        });
        s.post_as(sess, path, &body).await
    } else {
        s.get_as(sess, path).await
    };
    let status = res.status().as_u16();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let bytes = res.bytes().await.unwrap();
    (status, texte(&bytes, &ct))
}

#[tokio::test]
async fn every_role_relation_resource_and_action_answers_as_the_policy_says_and_nothing_leaks() {
    let s = TestServer::start(400).await;
    // Log everyone in first (within 10 minutes, for the exports).
    let mut sessions = Vec::new();
    for k in s.comptes.clone() {
        sessions.push((k.clone(), s.login(&k.login).await));
    }
    matrice(&s, sessions).await;
}

/// The same matrix, unchanged, for the same accounts signed in through the identity
/// providers: staff through the académie's (asserting a second factor), families through
/// EduConnect, each account tied to its identity as an activation would have tied it.
#[tokio::test]
async fn the_matrix_holds_for_accounts_signed_in_through_the_identity_providers() {
    use crate::oidc::{Fournisseur, Navigateur, regler, utilisateur};
    let s = TestServer::start(400).await;
    let sujet = |login: &str| format!("sujet-{login}");
    let (familles, personnels): (Vec<_>, Vec<_>) = s.comptes.iter().partition(|k| k.role == "responsable");
    let users = |l: &[&registre::samples::CompteDemo]| {
        l.iter().map(|k| utilisateur(&k.login, &sujet(&k.login), json!({}), &["pwd", "otp"], None)).collect()
    };
    let academie = Fournisseur::demarrer(&s, users(&personnels));
    let educonnect = Fournisseur::demarrer(&s, users(&familles));
    let roles =
        ["directeur", "agent_mairie", "ien", "ia_dasen", "statisticien", "principal_college", "admin_technique"];
    regler(&s, "academie", "personnels", &academie.emetteur, &roles, json!({}));
    regler(&s, "educonnect", "familles", &educonnect.emetteur, &["responsable"], json!({}));
    s.state
        .store
        .ecrire(|tx| {
            for k in &s.comptes {
                let id: String = tx.query_row("SELECT id FROM compte WHERE login = ?", [&k.login], |r| r.get(0))?;
                let (nom, f) =
                    if k.role == "responsable" { ("educonnect", &educonnect) } else { ("academie", &academie) };
                let id = registre::domain::CompteId::parse(&id).unwrap();
                registre::store::identites::lier(tx, &f.emetteur, &sujet(&k.login), &id, nom, s.clock.now())?;
            }
            Ok::<_, registre::store::Error>(())
        })
        .unwrap();
    let mut sessions = Vec::new();
    for k in s.comptes.clone() {
        let nom = if k.role == "responsable" { "educonnect" } else { "academie" };
        let mut nav = Navigateur::new();
        let (fin, _) = nav.connecter(&s, nom, &k.login, None).await;
        assert_eq!(fin.status, 200, "{}: {}", k.login, fin.corps);
        sessions.push((k.clone(), nav.session(&s, &k.login).await));
    }
    matrice(&s, sessions).await;
}

async fn matrice(s: &TestServer, sessions: Vec<(registre::samples::CompteDemo, Session)>) {
    let mut cases = 0;
    let mut by_role: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (k, sess) in &sessions {
        let autre = s.comptes.iter().find(|o| o.role == k.role && o.login != k.login).expect("two tenants per role");
        let propres = cibles_de(s, &k.role, k.perimetre_id.as_deref());
        let autres = if k.role == "admin_technique" {
            propres.clone()
        } else {
            cibles_de(s, &k.role, autre.perimetre_id.as_deref())
        };
        for (rel, targets) in [(Rel::Propre, &propres), (Rel::Autre, &autres)] {
            for c in targets {
                for endpoint in ENDPOINTS {
                    cases += 1;
                    let (post, path) = chemin(endpoint, c);
                    let (status, body) = requete(s, sess, post, &path, c, cases).await;
                    let ctx = format!("{} ({}) {rel:?} {endpoint} {path} → {status}", k.login, k.role);
                    // The installation is the technical administrator's only perimeter: both
                    // of its tenants cover the same records.
                    let rel = if k.role == "admin_technique" { Rel::Propre } else { rel };
                    let allowed = rel == Rel::Propre && attendu(&k.role, endpoint);
                    let entry = by_role.entry(k.role.clone()).or_default();
                    if allowed {
                        entry.0 += 1;
                        let ok = if post { 201 } else { 200 };
                        assert_eq!(status, ok, "{ctx}: should be allowed\n{}", &body[..body.len().min(400)]);
                        if endpoint == &"eleve.lire" {
                            assert_eq!(body.contains(&c.ine), voit_ine(&k.role), "{ctx}: INE visibility");
                        }
                        if endpoint == &"stats.effectifs" {
                            assert!(body.contains(&c.uai), "{ctx}: own school missing from the counts");
                        }
                        continue;
                    }
                    entry.1 += 1;
                    // Denied, or a list that must not contain the record.
                    let list_ok = status == 200
                        && matches!(
                            *endpoint,
                            "eleve.rechercher" | "page.recherche" | "stats.effectifs" | "page.inscriptions"
                        );
                    assert!(
                        matches!(status, 403 | 404) || list_ok,
                        "{ctx}: should be refused\n{}",
                        &body[..body.len().min(400)]
                    );
                    if *endpoint == "stats.effectifs" && status == 200 {
                        assert!(!body.contains(&c.uai), "{ctx}: another territory's school in the counts");
                    }
                    if let Some(what) = fuite(&body, c) {
                        panic!("LEAK {ctx}: the body shows {what}\n{}", &body[..body.len().min(600)]);
                    }
                }
            }
        }
    }
    eprintln!("matrice : {cases} cas ; (autorisés, refusés) par rôle : {by_role:?}");
    assert!(cases >= 1000, "{cases} cases");
    for role in [
        "directeur",
        "agent_mairie",
        "ien",
        "ia_dasen",
        "statisticien",
        "responsable",
        "principal_college",
        "admin_technique",
    ] {
        assert!(by_role.contains_key(role), "{role} not exercised");
    }
}

/// A pending inscription by `eleve_id` (and the admissions attempted from it) is a
/// relation of its own: for the mairie and the directeur that recorded it, every endpoint of
/// the matrix answers as for another territory's pupil. Only the inscription lists show the
/// pupil, with the identity the duplicate search showed (never the INE nor a phone).
#[tokio::test]
async fn a_pending_inscription_or_a_refused_admission_opens_nothing_of_the_matrix() {
    let s = TestServer::start(400).await;
    let mut cases = 0;
    for login in ["directeur.1", "directeur.2", "mairie.1", "mairie.2"] {
        let k = s.compte(login).clone();
        let sess = s.login(login).await;
        let autre = s.comptes.iter().find(|o| o.role == k.role && o.login != k.login).unwrap().clone();
        let cibles = cibles_de(&s, &k.role, autre.perimetre_id.as_deref());
        let ecoles = s.json_as(&sess, "/api/v1/ecoles").await;
        let ecole = ecoles.as_array().unwrap()[0].clone();
        let niveau = if ecole["type"] == "maternelle" { "MS" } else { "CE2" };
        for c in &cibles {
            let body = if k.role == "directeur" {
                json!({ "eleve_id": c.id, "niveau": niveau })
            } else {
                // The mairies register for the coming year (a directeur of the other tenant may
                // already have a pending inscription of the same pupil for this one).
                json!({ "eleve_id": c.id, "niveau": niveau, "ecole_id": ecole["id"], "annee": "2027-2028" })
            };
            let res = s.post_as(&sess, "/api/v1/inscriptions", &body).await;
            assert_eq!(res.status(), 201, "{login}: {}", res.text().await.unwrap());
            let iid = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
            let res = s.post_as(&sess, &format!("/api/v1/inscriptions/{iid}/validation"), &json!({})).await;
            assert_eq!(res.status(), 200, "{login}");
            if k.role == "directeur" {
                for admission in [
                    json!({ "inscription_id": iid }),
                    json!({ "eleve_id": c.id, "ecole_id": ecole["id"], "niveau": niveau }),
                ] {
                    let res = s.post_as(&sess, "/api/v1/admissions", &admission).await;
                    assert_eq!(res.status(), 409, "{login}: admission of a pupil attending elsewhere");
                }
            }
            for endpoint in ENDPOINTS {
                cases += 1;
                let (post, path) = chemin(endpoint, c);
                let (status, body) = requete(&s, &sess, post, &path, c, cases).await;
                let ctx = format!("{login} inscription en attente {endpoint} {path} → {status}");
                let liste_inscriptions = matches!(*endpoint, "inscriptions.ecole" | "page.inscriptions");
                let list_ok = status == 200
                    && (liste_inscriptions
                        || matches!(*endpoint, "eleve.rechercher" | "page.recherche" | "stats.effectifs"));
                assert!(matches!(status, 403 | 404) || list_ok, "{ctx}: should be refused\n{body:.400}");
                if liste_inscriptions {
                    assert!(!body.contains(&c.ine), "LEAK {ctx}: the INE");
                    assert!(!c.telephones.iter().any(|t| body.contains(t.as_str())), "LEAK {ctx}: a phone");
                } else if let Some(what) = fuite(&body, c) {
                    panic!("LEAK {ctx}: the body shows {what}\n{body:.600}");
                }
            }
        }
    }
    assert!(cases >= 4 * ENDPOINTS.len(), "{cases}");
}
