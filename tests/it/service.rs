//! Issue 8: one road per action. Creating a pupil through `POST /api/v1/eleves` is an
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
        assert_eq!(e["error"], "doublons", "{chemin}: {e}");
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
        assert!(e["message"].as_str().unwrap().contains("radier"), "{chemin}: {e}");
    }
    // A date of admission in the future is refused on both roads.
    let mut futur = corps.clone();
    futur["eleve"]["nom"] = json!("Nouvelle");
    futur["eleve"]["prenoms"] = json!("Personne");
    futur["date"] = json!("01/01/2031");
    for chemin in ["/api/v1/eleves", "/api/v1/admissions"] {
        let res = s.post_as(&d, chemin, &futur).await;
        assert_eq!(res.status(), 409, "{chemin}");
        let e: Value = res.json().await.unwrap();
        assert!(e["message"].as_str().unwrap().contains("futur"), "{chemin}: {e}");
    }
    assert_eq!(s.row_counts(), lignes, "nothing written");
}
