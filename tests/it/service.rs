//! One road per action. Creating a pupil through `POST /api/v1/eleves` is an
//! admission: the same function as `POST /api/v1/admissions`, with its duplicate search, its
//! « attending elsewhere » rule and its refusal of dates in the future.

use serde_json::{Value, json};

use crate::helpers::TestServer;
use crate::securite::{dossier, victime};

#[tokio::test]
async fn creating_a_pupil_known_elsewhere_answers_409_with_the_candidates_like_an_admission() {
    let s = TestServer::start(240).await;
    let d = s.login("directeur.2").await;
    let ecole = s.compte("directeur.2").perimetre_id.clone().unwrap();
    let v = victime(&s, "e.id = ?", &ecole);
    let avant = dossier(&s, &v.id);
    let lignes = s.row_counts();
    let corps = json!({
        "ecole_id": ecole, "niveau": "CE2",
        "eleve": { "nom": v.nom, "prenoms": v.prenoms, "sexe": v.sexe, "date_naissance": v.naissance,
                   "naissance_insee": v.insee, "naissance_lieu": "Kervalan" },
    });
    let mut reponses = Vec::new();
    for chemin in ["/api/v1/eleves", "/api/v1/admissions"] {
        let res = s.post_as(&d, chemin, &corps).await;
        assert_eq!(res.status(), 409, "{chemin}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["code"], "doublons", "{chemin}: {e}");
        let ids: Vec<&str> = e["candidats"].as_array().unwrap().iter().filter_map(|c| c["eleve_id"].as_str()).collect();
        assert!(ids.contains(&v.id.as_str()), "{chemin}: {e}");
        assert!(!e.to_string().contains(&v.ine), "{chemin}: the INE in the candidates");
        reponses.push(e);
    }
    assert_eq!(reponses[0], reponses[1], "both roads answer the same");
    assert_eq!(s.row_counts(), lignes, "nothing written");
    assert_eq!(dossier(&s, &v.id), avant);

    // Choosing the known pupil: still attending the other school, refused the same way.
    for chemin in ["/api/v1/eleves", "/api/v1/admissions"] {
        let res = s.post_as(&d, chemin, &json!({ "eleve_id": v.id, "ecole_id": ecole, "niveau": "CE2" })).await;
        assert_eq!(res.status(), 409, "{chemin}");
        let e: Value = res.json().await.unwrap();
        assert!(e["detail"].as_str().unwrap().contains("radier"), "{chemin}: {e}");
    }
    // A date of admission in the future is refused on both roads, by its field.
    let mut futur = corps.clone();
    futur["eleve"]["nom"] = json!("Nouvelle");
    futur["eleve"]["prenoms"] = json!("Personne");
    futur["date"] = json!("01/01/2031");
    for chemin in ["/api/v1/eleves", "/api/v1/admissions"] {
        let res = s.post_as(&d, chemin, &futur).await;
        assert_eq!(res.status(), 422, "{chemin}");
        let e: Value = res.json().await.unwrap();
        assert!(e["detail"].as_str().unwrap().contains("futur"), "{chemin}: {e}");
        assert_eq!(e["champ"], "date", "{chemin}: {e}");
    }
    assert_eq!(s.row_counts(), lignes, "nothing written");
}

/// The mairie's page of a pupil gets the same projection as the API: no responsable's phone
/// or e-mail and no INE by default; the phones once the département widened the view, never
/// the INE.
#[tokio::test]
async fn the_mairie_page_of_a_pupil_shows_what_the_api_shows_and_no_more() {
    let s = TestServer::start(240).await;
    let commune = s.compte("mairie.1").perimetre_id.clone().unwrap();
    let (id, ine, tel, courriel): (String, String, String, String) = rusqlite::Connection::open(&s.db)
        .unwrap()
        .query_row(
            "SELECT el.id, el.ine, r.tel_portable, r.courriel FROM eleve el
             JOIN scolarite sc ON sc.eleve_id = el.id JOIN ecole e ON e.id = sc.ecole_id
             JOIN eleve_responsable er ON er.eleve_id = el.id JOIN responsable r ON r.id = er.responsable_id
             WHERE e.commune_id = ? AND sc.etat IN ('admis_provisoire', 'admis_definitif')
               AND r.tel_portable IS NOT NULL AND r.courriel IS NOT NULL AND el.ine IS NOT NULL
             ORDER BY el.id LIMIT 1",
            [&commune],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    let voit = |texte: &str| (texte.contains(&tel), texte.contains(&courriel), texte.contains(&ine));
    let m = s.login("mairie.1").await;
    let page = s.get_as(&m, &format!("/eleves/{id}")).await.text().await.unwrap();
    let api = s.get_as(&m, &format!("/api/v1/eleves/{id}")).await.text().await.unwrap();
    assert!(page.contains("<h1>"), "{page:.300}");
    assert_eq!(voit(&page), (false, false, false), "the page shows more than état civil");
    assert_eq!(voit(&api), (false, false, false), "the API shows more than état civil");

    let dasen = s.login("dasen.1").await;
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
    let m = s.login("mairie.1").await;
    let page = s.get_as(&m, &format!("/eleves/{id}")).await.text().await.unwrap();
    let api = s.get_as(&m, &format!("/api/v1/eleves/{id}")).await.text().await.unwrap();
    assert_eq!(voit(&page), (true, true, false), "the widened page: responsables, never the INE");
    assert_eq!(voit(&api), (true, true, false), "the widened API: responsables, never the INE");
}
