//! The rules of the identity providers' settings.

use super::*;

fn fournisseur(public: Public, roles: &[Role]) -> Fournisseur {
    Fournisseur {
        nom: "academie".into(),
        libelle: "Guichet agents".into(),
        public,
        emetteur: "https://guichet.ac-exemple.fr".into(),
        client_id: "registre".into(),
        secret_fichier: PathBuf::from("/nonexistent"),
        portees: vec![],
        roles: roles.to_vec(),
        amr_forts: AMR_FORTS.iter().map(|s| s.to_string()).collect(),
        acr_forts: vec!["eidas2".into()],
        acr_requis: vec![],
        creation: None,
    }
}

#[test]
fn an_issuer_is_https_or_this_machine() {
    assert!(emetteur_valide("https://guichet.ac-rennes.fr").is_ok());
    assert!(emetteur_valide("https://guichet.ac-rennes.fr/realms/agents").is_ok());
    assert!(emetteur_valide("http://127.0.0.1:8443").is_ok());
    assert!(emetteur_valide("http://localhost").is_ok());
    for mauvais in [
        "http://guichet.ac-rennes.fr",
        "http://127.0.0.1.evil.fr",
        "http://localhost.evil.fr:80",
        "https://guichet.ac-rennes.fr/",
        "https://guichet.ac-rennes.fr?x=1",
        "ftp://x",
        "",
    ] {
        assert!(emetteur_valide(mauvais).is_err(), "{mauvais}");
    }
}

#[test]
fn a_provider_serves_its_public_s_roles_only() {
    let mut f = fournisseur(Public::Familles, &[Role::Responsable]);
    let refus = f.valider().unwrap_err().to_string();
    assert!(refus.contains("fichier du secret"), "{refus}");
    assert!(!refus.contains("rôles"), "{refus}");
    f.roles = vec![Role::Directeur];
    assert!(f.valider().unwrap_err().to_string().contains("ne sert que les comptes « responsable »"));
    let mut f = fournisseur(Public::Personnels, &[Role::Responsable]);
    assert!(f.valider().unwrap_err().to_string().contains("rôles de personnels"));
    f.roles = vec![];
    assert!(f.valider().unwrap_err().to_string().contains("rôles"));
    f.nom = "Académie".into();
    assert!(f.valider().unwrap_err().to_string().contains("nom"));
}

#[test]
fn a_secret_file_readable_by_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret");
    std::fs::write(&p, "s3cret\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            assert!(lire_secret(&p).unwrap_err().contains("chmod 600"), "{mode:o}");
        }
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_eq!(lire_secret(&p).unwrap(), "s3cret");
    let mut f = fournisseur(Public::Personnels, &[Role::Directeur, Role::Ien]);
    f.secret_fichier = p;
    f.valider().unwrap();
}

#[test]
fn a_second_factor_is_asserted_by_amr_or_acr() {
    let f = fournisseur(Public::Personnels, &[Role::Directeur]);
    assert!(f.second_facteur_affirme(&["pwd".into(), "otp".into()], None));
    assert!(f.second_facteur_affirme(&["mfa".into()], None));
    assert!(f.second_facteur_affirme(&[], Some("eidas2")));
    assert!(!f.second_facteur_affirme(&["pwd".into()], Some("eidas1")));
    assert!(!f.second_facteur_affirme(&[], None));
}

#[test]
fn a_required_acr_binds_staff_only() {
    let mut f = fournisseur(Public::Personnels, &[Role::Directeur]);
    assert!(f.acr_suffisant(Role::Directeur, None));
    f.acr_requis = vec!["eidas2".into()];
    assert!(!f.acr_suffisant(Role::Directeur, None));
    assert!(!f.acr_suffisant(Role::Directeur, Some("eidas1")));
    assert!(f.acr_suffisant(Role::Directeur, Some("eidas2")));
    assert!(f.acr_suffisant(Role::Responsable, None));
}

#[test]
fn the_claim_mapping_names_a_role_and_its_territory_or_nothing() {
    let mut f = fournisseur(Public::Personnels, &[Role::Directeur, Role::Ien]);
    let claims = |v: serde_json::Value| v.as_object().unwrap().clone();
    let c = claims(serde_json::json!({"fonction": "DIR", "ecole": " 0350001a ", "circ": "c-1"}));
    assert_eq!(f.correspondance(&c), None, "no mapping, no account");
    f.creation = Some(Correspondance {
        revendication_fonction: "fonction".into(),
        fonctions: BTreeMap::from([("DIR".into(), Role::Directeur), ("IEN".into(), Role::Ien)]),
        revendication_ecole: Some("ecole".into()),
        revendication_circonscription: Some("circ".into()),
    });
    assert_eq!(f.correspondance(&c), Some((Role::Directeur, "ecole", "0350001a".into())));
    let c = claims(serde_json::json!({"fonction": "IEN", "circ": "c-1"}));
    assert_eq!(f.correspondance(&c), Some((Role::Ien, "circonscription", "c-1".into())));
    for autre in [
        serde_json::json!({"fonction": "ENS", "ecole": "0350001A"}),
        serde_json::json!({"fonction": "DIR"}),
        serde_json::json!({"fonction": "DIR", "ecole": ""}),
        serde_json::json!({"fonction": ["DIR"], "ecole": "0350001A"}),
        serde_json::json!({"ecole": "0350001A"}),
    ] {
        assert_eq!(f.correspondance(&claims(autre.clone())), None, "{autre}");
    }
    // A mapping to a role the provider does not serve, or to the IA-DASEN, is refused.
    f.creation.as_mut().unwrap().fonctions.insert("DASEN".into(), Role::IaDasen);
    assert!(f.valider().unwrap_err().to_string().contains("création"));
}
