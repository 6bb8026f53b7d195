//! A département's templates that must never take the server down: a symbolic link to a file
//! of the system, a template that loops, one that allocates without end. Each is set aside
//! with a French message naming it, the built-in template prints, the server stays up; and
//! `registre check` says the same within its time limit.

use std::path::Path;

use crate::helpers::{TestServer, pdftotext, registre};

/// A template that loops: ten billion iterations.
const BOUCLE: &str = "#for i in range(100000) { for j in range(100000) { } }\n";
/// A template that allocates without end (an array of three billion numbers).
const MEMOIRE: &str = "#let x = range(3000000000)\n#x.len()\n";

fn deposer(db: &Path) {
    let dossier = registre::render::dossier_gabarits(db);
    std::fs::create_dir_all(&dossier).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", dossier.join("certificat-scolarite.typ")).unwrap();
    std::fs::write(dossier.join("fiche-urgence.typ"), BOUCLE).unwrap();
    std::fs::write(dossier.join("liste-classe.typ"), MEMOIRE).unwrap();
    // A good one stays in use beside them.
    let integre = include_str!("../../templates/documents/fiche-renseignements.typ");
    std::fs::write(dossier.join("fiche-renseignements.typ"), integre.replace("FICHE DE RENSEIGNEMENTS", "FICHE DU 35"))
        .unwrap();
}

#[tokio::test]
async fn a_link_a_loop_and_an_endless_allocation_are_set_aside_and_the_built_in_templates_print() {
    let debut = std::time::Instant::now();
    let s = TestServer::start_avec(60, registre::config::Limites::default(), deposer).await;
    println!("server started in {:.1} s (templates tried in child processes)", debut.elapsed().as_secs_f64());
    let surcharges = s.state.engine.surcharges().to_vec();
    assert_eq!(surcharges, vec!["fiche-renseignements.typ".to_string()], "only the good template is in use");
    let d = s.login("directeur.1").await;
    let eleve = s.json_as(&d, "/api/v1/eleves").await[0]["id"].as_str().unwrap().to_string();
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    let classe = s.json_as(&d, &format!("/api/v1/ecoles/{ecole}/classes")).await[0]["id"].as_str().unwrap().to_string();
    for (adresse, attendu) in [
        (format!("/api/v1/eleves/{eleve}/documents/certificat-scolarite"), "CERTIFICAT DE SCOLARITÉ"),
        (format!("/api/v1/eleves/{eleve}/documents/fiche-urgence"), "FICHE D'URGENCE"),
        (format!("/api/v1/eleves/{eleve}/documents/fiche-renseignements"), "FICHE DU 35"),
    ] {
        let res = s.get_as(&d, &adresse).await;
        assert_eq!(res.status(), 200, "{adresse}");
        let t = pdftotext(&res.bytes().await.unwrap());
        assert!(t.contains(attendu), "{adresse}: {t}");
        assert!(!t.contains("root:"), "nothing of /etc/passwd is printed");
    }
    let res = s.get_as(&d, &format!("/api/v1/classes/{classe}/documents/liste-classe")).await;
    assert_eq!(res.status(), 200);
    assert!(pdftotext(&res.bytes().await.unwrap()).contains("LISTE DE CLASSE"));
    let res = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200, "the server is up");

    // `registre check` names each file, within its limits (4 s a trial here), and fails.
    let debut = std::time::Instant::now();
    let out = registre().args(["check", "--db"]).arg(&s.db).env("REGISTRE_ESSAI_GABARIT_S", "4").output().unwrap();
    let (texte, erreurs) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("registre check in {:.1} s", debut.elapsed().as_secs_f64());
    assert!(!out.status.success(), "{texte}\n{erreurs}");
    assert!(texte.contains("gabarit ignoré : certificat-scolarite.typ (lien symbolique"), "{texte}");
    assert!(erreurs.contains("fiche-urgence.typ : sa compilation dépasse 4 s"), "{erreurs}");
    assert!(erreurs.contains("liste-classe.typ : sa compilation dépasse la mémoire permise"), "{erreurs}");
    assert!(texte.contains("fiche-renseignements.typ : compilé sans erreur"), "{texte}");
}

#[cfg(unix)]
#[test]
fn a_template_writable_by_others_is_not_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let dossier = dir.path().join("g");
    std::fs::create_dir_all(&dossier).unwrap();
    let f = dossier.join("fiche-urgence.typ");
    std::fs::write(&f, "= Autre").unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o666)).unwrap();
    let (engine, messages) = registre::render::Engine::avec_gabarits(&dossier);
    assert!(engine.surcharges().is_empty());
    assert!(
        messages.iter().any(|m| m.contains("fiche-urgence.typ") && m.contains("d'autres que le serveur")),
        "{messages:?}"
    );
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (engine, _) = registre::render::Engine::avec_gabarits(&dossier);
    assert_eq!(engine.surcharges(), ["fiche-urgence.typ".to_string()]);
}
