use super::*;

const ACTIONS: [Action; 8] = [
    Action::Lire,
    Action::Lister,
    Action::Rechercher,
    Action::Imprimer,
    Action::Exporter,
    Action::Creer,
    Action::Modifier,
    Action::Supprimer,
];

fn ressources() -> Vec<Ressource> {
    let mut r = vec![
        Ressource::Ecole,
        Ressource::Classe,
        Ressource::Eleve,
        Ressource::Statistiques,
        Ressource::Journal,
        Ressource::Compte,
        Ressource::Parametres,
        Ressource::Inscription,
        Ressource::Passage,
        Ressource::ReponseFamille,
        Ressource::Doublons,
        Ressource::Annee,
        Ressource::EtatCivil,
        Ressource::Rectification,
        Ressource::Opposition,
        Ressource::Constat,
        Ressource::Campagne,
        Ressource::Verification,
        Ressource::CampagneVerification,
        Ressource::Publication,
        Ressource::Echange,
        Ressource::Exploitation,
    ];
    r.extend(Document::ALL.iter().map(|d| Ressource::Document(*d)));
    r
}

fn all_roles() -> Vec<Role> {
    Role::COMPTES.into_iter().chain([Role::Operateur]).collect()
}

fn reglages() -> [Reglages; 2] {
    [Reglages { mairie_etendue: false }, Reglages { mairie_etendue: true }]
}

#[test]
fn nothing_outside_the_perimeter_is_ever_allowed() {
    for role in all_roles() {
        for r in ressources() {
            for a in ACTIONS {
                for g in reglages() {
                    assert_eq!(decider(role, Relation::Autre, r, a, g), Decision::Refuse, "{role:?} {r:?} {a:?}");
                }
            }
        }
    }
}

#[test]
fn the_mairie_sees_etat_civil_only_by_default_and_never_ine_autorisations_or_insurance() {
    let defaut = champs_visibles(Role::AgentMairie, Reglages::default());
    assert_eq!(defaut, Champs::ETAT_CIVIL);
    assert!(!defaut.contient(Champs::RESPONSABLES));
    let etendu = champs_visibles(Role::AgentMairie, Reglages { mairie_etendue: true });
    assert!(etendu.contient(Champs::RESPONSABLES | Champs::CONTACTS | Champs::SCOLARITE | Champs::PERISCOLAIRE));
    for g in reglages() {
        let c = champs_visibles(Role::AgentMairie, g);
        for never in [Champs::INE, Champs::AUTORISATIONS, Champs::ASSURANCE] {
            assert!(!c.contient(never), "{never:?} visible to the mairie ({g:?})");
        }
        for r in ressources() {
            for a in ACTIONS {
                let d = decider(Role::AgentMairie, Relation::Propre, r, a, g);
                assert!(!d.champs().contient(Champs::INE), "{r:?} {a:?}");
            }
        }
    }
}

#[test]
fn the_statisticien_and_the_technical_administrator_get_no_nominative_data() {
    for role in [Role::Statisticien, Role::AdminTechnique] {
        assert!(champs_visibles(role, Reglages::default()).is_empty());
        for r in ressources() {
            for a in ACTIONS {
                for g in reglages() {
                    let d = decider(role, Relation::Propre, r, a, g);
                    let nominative =
                        matches!(r, Ressource::Eleve | Ressource::Document(_) | Ressource::Journal | Ressource::Classe);
                    if nominative {
                        assert_eq!(d, Decision::Refuse, "{role:?} {r:?} {a:?}");
                    }
                    assert!(d.champs().is_empty());
                }
            }
        }
    }
    // The statisticien downloads precomputed releases, never live counts.
    assert!(
        !decider(Role::Statisticien, Relation::Propre, Ressource::Statistiques, Action::Lire, Reglages::default())
            .autorise()
    );
    assert!(
        decider(Role::Statisticien, Relation::Propre, Ressource::Publication, Action::Exporter, Reglages::default())
            .autorise()
    );
    assert!(
        !decider(Role::AdminTechnique, Relation::Propre, Ressource::Statistiques, Action::Lire, Reglages::default())
            .autorise()
    );
}

#[test]
fn inspectors_read_everything_but_write_nothing() {
    for role in [Role::Ien, Role::IaDasen] {
        let lire = decider(role, Relation::Propre, Ressource::Eleve, Action::Lire, Reglages::default());
        assert_eq!(lire.champs(), Champs::TOUS);
        for a in [Action::Creer, Action::Modifier, Action::Supprimer] {
            assert_eq!(decider(role, Relation::Propre, Ressource::Eleve, a, Reglages::default()), Decision::Refuse);
        }
        assert_eq!(
            decider(
                role,
                Relation::Propre,
                Ressource::Document(Document::CertificatScolarite),
                Action::Imprimer,
                Reglages::default()
            ),
            Decision::Refuse,
            "certificates are signed by the director"
        );
    }
}

#[test]
fn parents_see_their_children_fully_and_who_consulted_them() {
    let g = Reglages::default();
    assert_eq!(decider(Role::Responsable, Relation::Propre, Ressource::Eleve, Action::Lire, g).champs(), Champs::TOUS);
    assert!(decider(Role::Responsable, Relation::Propre, Ressource::Journal, Action::Lire, g).autorise());
    assert!(
        decider(
            Role::Responsable,
            Relation::Propre,
            Ressource::Document(Document::FicheRenseignements),
            Action::Imprimer,
            g
        )
        .autorise()
    );
    assert!(!decider(Role::Responsable, Relation::Propre, Ressource::Eleve, Action::Modifier, g).autorise());
    assert!(!decider(Role::Responsable, Relation::Propre, Ressource::Classe, Action::Lister, g).autorise());
    // The documents a family asks for most: the fiche, the relevé, the certificat de scolarité;
    // one at a time, never in bulk.
    for doc in [Document::FicheRenseignements, Document::ReleveDonnees, Document::CertificatScolarite] {
        let r = Ressource::Document(doc);
        assert!(decider(Role::Responsable, Relation::Propre, r, Action::Imprimer, g).autorise(), "{doc:?}");
        assert!(!decider(Role::Responsable, Relation::Propre, r, Action::Exporter, g).autorise(), "{doc:?}");
    }
}

#[test]
fn schools_validate_their_constat_the_data_controller_opens_the_campaign_inspectors_read() {
    let g = Reglages::default();
    let ok = |role, r, a| decider(role, Relation::Propre, r, a, g).autorise();
    for role in Role::COMPTES {
        assert_eq!(
            ok(role, Ressource::Constat, Action::Lire),
            matches!(role, Role::Directeur | Role::Ien | Role::IaDasen),
            "{role}"
        );
        assert_eq!(ok(role, Ressource::Constat, Action::Modifier), role == Role::Directeur, "{role}");
        assert_eq!(ok(role, Ressource::Campagne, Action::Modifier), role == Role::IaDasen, "{role}");
        // Releases: prepared by the data controller, downloaded by the statisticien.
        assert_eq!(ok(role, Ressource::Publication, Action::Creer), role == Role::IaDasen, "{role}");
        assert_eq!(
            ok(role, Ressource::Publication, Action::Exporter),
            matches!(role, Role::IaDasen | Role::Statisticien),
            "{role}"
        );
    }
}

#[test]
fn only_the_director_imports_and_exports_a_school_s_files_after_a_recent_login() {
    let g = Reglages::default();
    for role in Role::COMPTES {
        for a in [Action::Creer, Action::Exporter] {
            let d = decider(role, Relation::Propre, Ressource::Echange, a, g);
            if role == Role::Directeur {
                assert_eq!(d, Decision::Autorise { champs: Champs::TOUS, recent: true }, "{a:?}");
            } else {
                assert_eq!(d, Decision::Refuse, "{role} {a:?}");
            }
        }
    }
}

#[test]
fn families_ask_the_school_decides_rectifications_and_the_data_controller_oppositions() {
    let g = Reglages::default();
    let ok = |role, r, a| decider(role, Relation::Propre, r, a, g).autorise();
    for role in Role::COMPTES {
        // Only a family files a request; nobody else can speak for it.
        assert_eq!(ok(role, Ressource::Rectification, Action::Creer), role == Role::Responsable, "{role}");
        assert_eq!(ok(role, Ressource::Opposition, Action::Creer), role == Role::Responsable, "{role}");
        // The school decides rectifications (it holds the record); the IA-DASEN oppositions.
        assert_eq!(ok(role, Ressource::Rectification, Action::Modifier), role == Role::Directeur, "{role}");
        assert_eq!(ok(role, Ressource::Opposition, Action::Modifier), role == Role::IaDasen, "{role}");
        // The mairie corrects the état civil it recorded; the school the whole record.
        assert_eq!(
            ok(role, Ressource::EtatCivil, Action::Modifier),
            matches!(role, Role::Directeur | Role::AgentMairie),
            "{role}"
        );
        assert_eq!(ok(role, Ressource::Eleve, Action::Modifier), role == Role::Directeur, "{role}");
        // Requests are personal data: no statisticien, technical administrator, mairie or collège.
        if matches!(role, Role::Statisticien | Role::AdminTechnique | Role::AgentMairie | Role::PrincipalCollege) {
            assert!(!ok(role, Ressource::Rectification, Action::Lister), "{role}");
            assert!(!ok(role, Ressource::Opposition, Action::Lister), "{role}");
        }
    }
    // The inspectors see the families' requests (docs/domaine.md §5), read-only.
    assert!(ok(Role::Ien, Ressource::Rectification, Action::Lister));
    assert!(!ok(Role::Ien, Ressource::Rectification, Action::Modifier));
}

#[test]
fn at_the_yearly_check_families_answer_the_school_decides_inspectors_count() {
    let g = Reglages::default();
    let ok = |role, r, a| decider(role, Relation::Propre, r, a, g).autorise();
    for role in Role::COMPTES {
        // Only a family answers; the school cannot answer in its name.
        assert_eq!(ok(role, Ressource::Verification, Action::Creer), role == Role::Responsable, "{role}");
        // The school decides, as for every correction of its record.
        assert_eq!(ok(role, Ressource::Verification, Action::Modifier), role == Role::Directeur, "{role}");
        // The school opens its campaign; the IA-DASEN the département's.
        assert_eq!(
            ok(role, Ressource::CampagneVerification, Action::Modifier),
            matches!(role, Role::Directeur | Role::IaDasen),
            "{role}"
        );
        // Who answered is followed by the school and counted by its inspectors, never by a
        // mairie, a collège, a statisticien or the technical administrator.
        assert_eq!(
            ok(role, Ressource::Verification, Action::Lister),
            matches!(role, Role::Directeur | Role::Ien | Role::IaDasen),
            "{role}"
        );
        if matches!(role, Role::Statisticien | Role::AdminTechnique | Role::AgentMairie | Role::PrincipalCollege) {
            assert!(!ok(role, Ressource::Verification, Action::Lire), "{role}");
            assert!(!ok(role, Ressource::CampagneVerification, Action::Lire), "{role}");
        }
    }
}

#[test]
fn the_principal_sees_identity_and_responsables_only() {
    let c = champs_visibles(Role::PrincipalCollege, Reglages::default());
    assert!(c.contient(Champs::IDENTITE | Champs::RESPONSABLES));
    for hidden in [
        Champs::INE,
        Champs::CONTACTS,
        Champs::AUTORISATIONS,
        Champs::ASSURANCE,
        Champs::PERISCOLAIRE,
        Champs::SCOLARITE,
    ] {
        assert!(!c.contient(hidden), "{hidden:?}");
    }
}

#[test]
fn exports_and_bulk_prints_need_a_recent_login_single_prints_do_not() {
    for role in all_roles() {
        for doc in Document::ALL {
            let r = Ressource::Document(*doc);
            if let Decision::Autorise { recent, .. } =
                decider(role, Relation::Propre, r, Action::Exporter, Reglages::default())
            {
                assert!(recent, "{role:?} {doc:?}");
            }
            if let Decision::Autorise { recent, .. } =
                decider(role, Relation::Propre, r, Action::Imprimer, Reglages::default())
            {
                assert!(!recent);
            }
        }
    }
}

#[test]
fn only_the_director_and_the_operator_write_pupils() {
    for role in all_roles() {
        let d = decider(role, Relation::Propre, Ressource::Eleve, Action::Creer, Reglages::default());
        assert_eq!(d.autorise(), matches!(role, Role::Directeur | Role::Operateur), "{role:?}");
    }
}

#[test]
fn lifecycle_steps_belong_to_the_mairie_the_school_the_family_and_the_data_controller() {
    let g = Reglages::default();
    let ok = |role, r, a| decider(role, Relation::Propre, r, a, g).autorise();
    assert!(ok(Role::AgentMairie, Ressource::Inscription, Action::Creer));
    assert!(ok(Role::Directeur, Ressource::Inscription, Action::Creer), "where the mairie does not use the system");
    assert!(!ok(Role::Ien, Ressource::Inscription, Action::Creer));
    assert!(ok(Role::Directeur, Ressource::Passage, Action::Modifier));
    assert!(!ok(Role::Responsable, Ressource::Passage, Action::Modifier));
    assert!(ok(Role::Responsable, Ressource::ReponseFamille, Action::Modifier));
    assert!(!ok(Role::AgentMairie, Ressource::ReponseFamille, Action::Modifier));
    assert!(ok(Role::IaDasen, Ressource::Annee, Action::Modifier));
    assert!(!ok(Role::Directeur, Ressource::Annee, Action::Modifier));
    assert!(ok(Role::AgentMairie, Ressource::Doublons, Action::Rechercher));
    assert!(!ok(Role::Ien, Ressource::Doublons, Action::Rechercher));
    assert!(ok(Role::AgentMairie, Ressource::Document(Document::CertificatInscription), Action::Imprimer));
    assert!(
        ok(Role::AgentMairie, Ressource::Document(Document::CertificatRadiation), Action::Imprimer),
        "the mairie's copy"
    );
    assert!(!ok(Role::AgentMairie, Ressource::Document(Document::RegistreEleves), Action::Imprimer));
    assert!(ok(Role::Ien, Ressource::Document(Document::RegistreEleves), Action::Imprimer));
    // The duplicate search shows identity and last school, never the INE, family or schooling details.
    let d = decider(Role::Directeur, Relation::Propre, Ressource::Doublons, Action::Rechercher, g).champs();
    assert!(!d.contient(Champs::INE) && !d.contient(Champs::RESPONSABLES) && !d.contient(Champs::ADRESSE));
}

#[test]
fn only_the_data_controller_widens_what_the_mairies_see() {
    for role in all_roles() {
        let d = decider(role, Relation::Propre, Ressource::Parametres, Action::Modifier, Reglages::default());
        assert_eq!(d.autorise(), matches!(role, Role::IaDasen | Role::Operateur), "{role:?}");
    }
}

#[test]
fn account_creation_follows_the_chain_of_responsibility() {
    assert!(peut_creer(Role::IaDasen, Role::Directeur));
    assert!(peut_creer(Role::IaDasen, Role::AgentMairie));
    assert!(!peut_creer(Role::IaDasen, Role::IaDasen));
    assert!(!peut_creer(Role::IaDasen, Role::Responsable));
    assert!(peut_creer(Role::Directeur, Role::Responsable));
    assert!(!peut_creer(Role::Directeur, Role::Directeur));
    for role in Role::COMPTES {
        assert!(peut_creer(Role::Operateur, role));
        for other in [
            Role::AgentMairie,
            Role::Ien,
            Role::Statisticien,
            Role::Responsable,
            Role::PrincipalCollege,
            Role::AdminTechnique,
        ] {
            assert!(!peut_creer(other, role), "{other:?} → {role:?}");
        }
    }
}

#[test]
fn each_role_has_its_kind_of_perimeter() {
    use crate::domain::*;
    let mut rng = rand::rng();
    let ecole = Perimetre::Ecole(EcoleId::random(&mut rng));
    assert!(Role::Directeur.admet(&ecole));
    assert!(!Role::Ien.admet(&ecole));
    assert!(Role::Ien.admet(&Perimetre::Circonscription(CirconscriptionId::random(&mut rng))));
    assert!(Role::AdminTechnique.admet(&Perimetre::Installation));
    assert!(!Role::Directeur.admet(&Perimetre::Installation));
    for role in Role::COMPTES {
        assert_eq!(Role::parse(role.code()), Some(role));
    }
}

#[test]
fn staff_need_a_second_factor_and_longer_passwords() {
    for role in Role::COMPTES {
        let staff = role != Role::Responsable;
        assert_eq!(role.exige_second_facteur(), staff);
        assert_eq!(role.longueur_minimale(), if staff { 15 } else { 12 });
    }
}

#[test]
fn the_table_is_total() {
    // Every combination answers without panicking, and field sets never exceed the role's view.
    let mut n = 0;
    for role in all_roles() {
        for r in ressources() {
            for a in ACTIONS {
                for rel in [Relation::Propre, Relation::Autre] {
                    for g in reglages() {
                        let d = decider(role, rel, r, a, g);
                        let visible = champs_visibles(role, g);
                        assert!(visible.contient(d.champs()) || d.champs() == Champs::TOUS && r == Ressource::Eleve);
                        n += 1;
                    }
                }
            }
        }
    }
    assert!(n > 1000);
}

#[test]
fn a_pending_step_on_a_pupil_known_elsewhere_opens_no_more_than_the_duplicate_search() {
    let doublons = Rattachement::RechercheDoublons.champs();
    assert_eq!(Rattachement::InscriptionEleveConnu.champs(), doublons);
    for cat in [
        Champs::ADRESSE,
        Champs::INE,
        Champs::RESPONSABLES,
        Champs::AUTORISATIONS,
        Champs::ASSURANCE,
        Champs::CONTACTS,
        Champs::SCOLARITE,
        Champs::PERISCOLAIRE,
    ] {
        assert!(!doublons.contient(cat), "{:?} opened by a pending step", cat.noms());
    }
    assert!(!Rattachement::InscriptionEleveConnu.ouvre_le_dossier());
    assert!(!Rattachement::RechercheDoublons.ouvre_le_dossier());
    assert!(Rattachement::Scolarite.ouvre_le_dossier());
    assert!(Rattachement::InscriptionCreatrice.ouvre_le_dossier());
}

#[test]
fn the_duplicate_search_shows_what_the_attachment_allows() {
    // The decision table and the attachment agree: the duplicate search never shows more.
    for role in all_roles() {
        if let Decision::Autorise { champs, .. } =
            decider(role, Relation::Propre, Ressource::Doublons, Action::Rechercher, Reglages::default())
        {
            assert!(Rattachement::RechercheDoublons.champs().contient(champs), "{role}");
        }
    }
}

#[test]
fn a_pupil_attending_another_school_is_admitted_only_after_its_radiation() {
    assert!(admission_possible(None, false).is_ok());
    let e = admission_possible(Some("École du Port"), false).unwrap_err();
    assert!(e.contains("École du Port") && e.contains("radier"), "{e}");
    assert!(admission_possible(Some("École du Port"), true).unwrap_err().contains("déjà admis"));
}

#[test]
fn a_column_of_the_pupil_list_needs_its_category_of_fields() {
    use crate::domain::Colonne;
    // The mairie never sees the INE; the directeur sees every column.
    let mairie = champs_visibles(Role::AgentMairie, Reglages::default());
    assert!(!mairie.contient(champs_colonne(Colonne::Ine)));
    assert!(mairie.contient(champs_colonne(Colonne::Nom)) && mairie.contient(champs_colonne(Colonne::Adresse)));
    let directeur = champs_visibles(Role::Directeur, Reglages::default());
    assert!(Colonne::TOUTES.iter().all(|c| directeur.contient(champs_colonne(*c))));
    let statisticien = champs_visibles(Role::Statisticien, Reglages::default());
    assert!(Colonne::TOUTES.iter().all(|c| !statisticien.contient(champs_colonne(*c))));
}

#[test]
fn the_releve_des_donnees_is_printed_one_pupil_at_a_time_never_in_bulk() {
    let g = Reglages::default();
    let r = Ressource::Document(Document::ReleveDonnees);
    for role in [Role::Directeur, Role::Ien, Role::IaDasen, Role::Responsable] {
        assert!(decider(role, Relation::Propre, r, Action::Imprimer, g).autorise(), "{role:?}");
        assert!(!decider(role, Relation::Propre, r, Action::Exporter, g).autorise(), "{role:?}");
    }
    assert!(!decider(Role::AgentMairie, Relation::Propre, r, Action::Imprimer, g).autorise());
}

#[test]
fn a_radiation_is_cancelled_by_its_author_on_its_day_only() {
    use time::macros::date;
    let j = date!(2026 - 11 - 29);
    assert!(annulation_radiation_possible("a", j, "a", j, false).is_ok());
    assert!(annulation_radiation_possible("a", j, "b", j, false).unwrap_err().contains("personne qui a saisi"));
    assert!(annulation_radiation_possible("a", j, "a", date!(2026 - 11 - 30), false).unwrap_err().contains("jour"));
    assert!(annulation_radiation_possible("a", j, "a", j, true).unwrap_err().contains("autre école"));
}

#[test]
fn only_the_technical_administrator_reads_the_installation_s_health() {
    let g = Reglages::default();
    for role in Role::COMPTES {
        let d = decider(role, Relation::Propre, Ressource::Exploitation, Action::Lire, g);
        assert_eq!(d.autorise(), role == Role::AdminTechnique, "{role}");
        assert!(!decider(role, Relation::Propre, Ressource::Exploitation, Action::Modifier, g).autorise(), "{role}");
    }
}

#[test]
fn one_document_about_one_record_is_a_print_and_anything_in_bulk_an_export() {
    use crate::domain::Document as D;
    assert_eq!(action_de_tirage(D::CertificatScolarite, Portee::Eleve, true), Action::Imprimer);
    assert_eq!(action_de_tirage(D::CertificatScolarite, Portee::Classe, true), Action::Exporter);
    assert_eq!(action_de_tirage(D::ListeAppel, Portee::Classe, true), Action::Imprimer);
    assert_eq!(action_de_tirage(D::ListeElectorale, Portee::Ecole, true), Action::Imprimer);
    assert_eq!(action_de_tirage(D::ListeElectorale, Portee::Ecole, false), Action::Exporter);
    assert_eq!(action_de_tirage(D::FicheUrgence, Portee::Ecole, true), Action::Exporter);
    assert_eq!(action_de_tirage(D::ListeEleves, Portee::Circonscription, true), Action::Exporter);
    // A spreadsheet is always an export, whatever it holds.
    for d in D::ALL {
        for p in [Portee::Eleve, Portee::Classe, Portee::Ecole, Portee::Circonscription] {
            assert_eq!(action_de_tirage(*d, p, false), Action::Exporter);
        }
    }
}
