//! The documents of a pupil, a class and a school as printed (all but the mairie's certificat
//! d'inscription and the constat's counts), read page by page for the hard cases (README
//! « Documents relus page par page »): a pupil with two responsables and three contacts, long compound names, a multi-niveau class
//! with a hyphen in its label and a long school name. A label never leaves what it labels (each
//! responsable's consent on the page of that responsable's table), no heading ends a page, no
//! word breaks at its hyphen; headings are tagged and every PDF asks viewers for its title.

use serde_json::{Value, json};

use crate::helpers::{PagePdf, Session, TestServer, pages_pdf, structure_pdf};

/// Section headings and labels of the documents: none may be the last line of a page.
const INTITULES: &[&str] = &[
    "L'élève",
    "Responsables légaux",
    "Responsable 1",
    "Responsable 2",
    "Responsable 3",
    "Personnes à appeler en cas d'urgence ou autorisées à venir chercher l'enfant",
    "Autorisations, assurance et activités périscolaires (année en cours)",
    "L'élève (catégorie I)",
    "Scolarité (catégorie IV)",
    "Responsables légaux (catégorie II)",
    "Personnes à contacter (catégorie III)",
    "Autorisations, assurance et périscolaire de l'année (catégories II et V)",
    "Demandes de la famille",
    "Consultations du dossier",
    "L'enfant",
    "Personnes à prévenir (enregistrées par l'école)",
    "À remplir par la famille",
];

const ECOLE: &str = "École élémentaire publique Marie-Bernadette-Soubirous et Jean-de-La-Fontaine";
const CLASSE: &str = "CE2-CM1 Saint-Exupéry";

/// The hard case: directeur.2's school renamed long, a CE2-CM1 class, and in it a pupil with
/// long compound names, two responsables and three contacts. Returns the session, the school,
/// the class and the pupil.
async fn cas_difficile(s: &TestServer) -> (Session, String, String, String) {
    let d = s.login("directeur.2").await;
    let ecole = s.json_as(&d, "/api/v1/ecoles").await[0]["id"].as_str().unwrap().to_string();
    rusqlite::Connection::open(&s.db)
        .unwrap()
        .execute("UPDATE ecole SET nom = ? WHERE id = ?", [ECOLE, &ecole])
        .unwrap();
    let r = s
        .post_as(
            &d,
            &format!("/api/v1/ecoles/{ecole}/classes/nouvelle"),
            &json!({
            "libelle": CLASSE, "niveaux": ["CE2", "CM1"], "enseignant": "Anne-Sophie Le Floch-Kerhervé" }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let classe = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let responsable = |civilite, nom, prenom, lien, tel: &str| {
        json!({ "civilite": civilite, "nom": nom, "prenom": prenom, "lien": lien, "tel_portable": tel,
                "tel_travail": "0299887766", "courriel": "famille.de-la-fontaine@exemple.fr",
                "adresse": "12 boulevard de la Duchesse-Anne, résidence Les Jardins-du-Thabor", "code_postal": "35000",
                "commune": "Rennes" })
    };
    let contact = |nom, prenom, tel: &str| {
        json!({ "nom": nom, "prenom": prenom, "telephone": tel,
        "telephone_2": "0299112233", "lien": "grand-parent", "urgence": true, "recuperer": true })
    };
    let body = json!({
        "ecole_id": ecole, "niveau": "CM1", "classe_id": classe, "confirmer_nouveau": true,
        "eleve": { "nom": "de La Fontaine-Saint-Germain", "prenoms": "Marie-Bernadette Joséphine", "sexe": "F",
                   "date_naissance": "03/05/2016", "naissance_insee": "35238",
                   "adresse": "12 boulevard de la Duchesse-Anne, résidence Les Jardins-du-Thabor",
                   "code_postal": "35000", "commune_residence": "Rennes" },
        "responsables": [
            responsable("Mme", "de La Fontaine-Saint-Germain", "Marie-Bernadette", "mere", "0612345678"),
            responsable("M.", "Le Guennec-Kerjean", "Jean-Christophe", "pere", "0698765432"),
        ],
        "contacts": [
            contact("Le Guennec-Kerjean", "Marie-Thérèse", "0611223344"),
            contact("de La Fontaine-Saint-Germain", "Pierre-Emmanuel", "0622334455"),
            contact("Quéméner-Le Gall", "Anne-Laure", "0633445566"),
        ],
    });
    let r = s.post_as(&d, "/api/v1/eleves", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let eleve = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    (d, ecole, classe, eleve)
}

/// The page and line numbers of the lines that begin with `debut`.
fn ou(pages: &[PagePdf], debut: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        out.extend(p.corps().iter().filter(|l| l.starts_with(debut)).map(|_| i));
    }
    out
}

/// The rules every printed document keeps, checked page by page.
fn verifier(nom: &str, pdf: &[u8]) -> Vec<PagePdf> {
    let pages = pages_pdf(pdf);
    assert!(!pages.is_empty(), "{nom}: no page");
    for (i, p) in pages.iter().enumerate() {
        let corps = p.corps();
        // No heading nor label is the last thing on a page (a page that is not the last).
        if i + 1 < pages.len()
            && let Some(derniere) = corps.last()
        {
            assert!(
                !INTITULES.iter().any(|h| h == derniere || (derniere.len() > 12 && h.ends_with(derniere))),
                "{nom}, page {}: ends with the heading « {derniere} »",
                i + 1
            );
        }
        // No word breaks at its hyphen: no line ends with a letter or digit and a hyphen.
        for l in &p.lignes {
            let t = l.1.trim_end();
            let mut fin = t.chars().rev();
            let coupe = fin.next() == Some('-') && fin.next().is_some_and(char::is_alphanumeric);
            assert!(!coupe, "{nom}, page {}: a word broken at its hyphen: « {t} »\n{corps:#?}", i + 1);
        }
    }
    // Tagged headings, and viewers asked to show the title.
    let st = structure_pdf(pdf);
    assert_eq!(st["display_doc_title"], true, "{nom}: {st}");
    assert!(!st["titre"].as_str().unwrap_or_default().is_empty(), "{nom}: no title");
    let roles: Vec<&str> = st["roles"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(roles.contains(&"H1"), "{nom}: no H1 in {roles:?}");
    pages
}

#[tokio::test]
async fn every_document_keeps_labels_with_what_they_label_and_never_breaks_a_compound_word() {
    let s = TestServer::start(60).await;
    let (d, ecole, classe, eleve) = cas_difficile(&s).await;
    let get = |chemin: String| {
        let d = &d;
        let s = &s;
        async move {
            let r = s.get_as(d, &chemin).await;
            assert_eq!(r.status(), 200, "{chemin}");
            let pdf = r.bytes().await.unwrap().to_vec();
            // REGISTRE_PDF_DOSSIER=dir keeps each document, to look at (docs/captures).
            if let Some(dossier) = std::env::var_os("REGISTRE_PDF_DOSSIER") {
                let nom = chemin.rsplit('/').next().unwrap_or("document").replace('?', "_");
                let parent = chemin.split('/').nth(3).unwrap_or("x");
                std::fs::write(std::path::Path::new(&dossier).join(format!("{parent}-{nom}.pdf")), &pdf).unwrap();
            }
            pdf
        }
    };

    // The fiche de renseignements: each responsable with their consent, on the same page.
    let fiche = get(format!("/api/v1/eleves/{eleve}/documents/fiche-renseignements")).await;
    let pages = verifier("fiche de renseignements", &fiche);
    let accords = ou(&pages, "J'accepte que mon adresse");
    assert_eq!(accords.len(), 2, "{pages:#?}");
    for (k, page) in accords.iter().enumerate() {
        assert_eq!(ou(&pages, &format!("Responsable {}", k + 1)), [*page], "responsable {} and their consent", k + 1);
    }
    let texte: String = pages.iter().flat_map(|p| p.lignes.iter().map(|l| l.1.clone())).collect::<Vec<_>>().join("\n");
    for mot in
        ["FONTAINE-SAINT-GERMAIN", "Marie-Bernadette", "CE2-CM1", "Saint-Exupéry", "GUENNEC-KERJEAN", "QUÉMÉNER-LE"]
    {
        assert!(texte.contains(mot), "{mot} not on one line:\n{texte}");
    }
    let st = structure_pdf(&fiche);
    let roles: Vec<&str> = st["roles"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(roles.contains(&"H2") && roles.contains(&"H3"), "{roles:?}");

    for doc in ["releve-donnees", "fiche-urgence", "certificat-scolarite"] {
        let pages = verifier(doc, &get(format!("/api/v1/eleves/{eleve}/documents/{doc}")).await);
        if doc == "certificat-scolarite" {
            // No public address: the certificate names whom to ask, not a page of no site.
            let texte = pages.iter().flat_map(|p| p.lignes.iter().map(|l| l.1.as_str())).collect::<Vec<_>>().join(" ");
            assert!(texte.contains("adressez-vous à son émetteur (École élémentaire publique"), "{texte}");
            assert!(!texte.contains("/verifier/"), "{texte}");
        }
    }
    for doc in ["liste-classe", "liste-appel", "liste-eleves"] {
        verifier(doc, &get(format!("/api/v1/classes/{classe}/documents/{doc}")).await);
    }
    // The teacher's name is on one line beside its label.
    let appel = pages_pdf(&get(format!("/api/v1/classes/{classe}/documents/liste-appel")).await);
    assert!(appel[0].lignes.iter().any(|l| l.1.contains("Anne-Sophie Le Floch-Kerhervé")), "{:#?}", appel[0]);
    for doc in ["liste-electorale", "registre-eleves", "liste-eleves"] {
        let pages = verifier(doc, &get(format!("/api/v1/ecoles/{ecole}/documents/{doc}")).await);
        if doc == "liste-electorale" {
            let lignes: Vec<&str> = pages.iter().flat_map(|p| p.lignes.iter().map(|l| l.1.as_str())).collect();
            assert!(lignes.iter().any(|l| l.contains(CLASSE)), "{lignes:#?}");
        }
    }
    // The passage letter; then the radiation and its certificate (last: the pupil then leaves
    // the school's lists).
    let r = s.post_as(&d, &format!("/api/v1/classes/{classe}/passages"), &json!({ "defaut": "passage" })).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    verifier("notification-passage", &get(format!("/api/v1/eleves/{eleve}/documents/notification-passage")).await);
    let r = s
        .post_as(&d, &format!("/api/v1/eleves/{eleve}/radiation"), &json!({ "motif": "changement_ecole",
            "date": "29/11/2026", "destination": "École élémentaire publique Saint-Exupéry-de-la-Lande, Saint-Aubin-de-la-Lande" }))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    verifier("certificat-radiation", &get(format!("/api/v1/eleves/{eleve}/documents/certificat-radiation")).await);
}
