//! What the schema can hold: every column is on a reviewed list with the category of the
//! arrêté of 20 October 2008 it belongs to, and no column can hold what DOMAIN.md §4 says is
//! never stored. Adding a column means adding it here, consciously.

use std::collections::BTreeSet;

use registre::store::{self, Store};

/// (table, column, why it may exist).
const REVIEWED: &[(&str, &str, &str)] = &[
    ("academie", "id", "territory"),
    ("academie", "nom", "territory"),
    ("departement", "id", "territory"),
    ("departement", "academie_id", "territory"),
    ("departement", "code", "territory"),
    ("departement", "nom", "territory"),
    ("circonscription", "id", "territory"),
    ("circonscription", "departement_id", "territory"),
    ("circonscription", "nom", "territory"),
    ("commune", "id", "territory"),
    ("commune", "departement_id", "territory"),
    ("commune", "insee", "territory"),
    ("commune", "nom", "territory"),
    ("commune", "code_postal", "territory"),
    ("ecole", "id", "territory"),
    ("ecole", "uai", "territory"),
    ("ecole", "nom", "territory"),
    ("ecole", "type", "territory"),
    ("ecole", "secteur", "territory"),
    ("ecole", "commune_id", "territory"),
    ("ecole", "circonscription_id", "territory"),
    ("ecole", "adresse", "territory"),
    ("ecole", "telephone", "territory"),
    ("ecole", "courriel", "territory"),
    ("ecole", "direction_nom", "staff: signature block"),
    ("ecole", "direction_feminin", "staff: signature block"),
    ("ecole_commune_rpi", "ecole_id", "territory"),
    ("ecole_commune_rpi", "commune_id", "territory"),
    ("annee_scolaire", "debut", "calendar"),
    ("annee_scolaire", "etat", "calendar"),
    ("classe", "id", "IV classe"),
    ("classe", "ecole_id", "IV classe"),
    ("classe", "annee", "IV classe"),
    ("classe", "libelle", "IV classe"),
    ("classe", "enseignant", "staff: class lists"),
    ("classe_niveau", "classe_id", "IV niveau"),
    ("classe_niveau", "niveau", "IV niveau"),
    ("eleve", "id", "technical id"),
    ("eleve", "ine", "I INE"),
    ("eleve", "nom", "I nom de famille"),
    ("eleve", "nom_usage", "I nom d'usage"),
    ("eleve", "prenoms", "I prénoms"),
    ("eleve", "sexe", "I sexe"),
    ("eleve", "date_naissance", "I date of birth"),
    ("eleve", "naissance_insee", "I place of birth"),
    ("eleve", "naissance_lieu", "I place of birth"),
    ("eleve", "adresse", "I address"),
    ("eleve", "code_postal", "I address"),
    ("eleve", "commune_residence", "I address"),
    ("eleve", "cle_recherche", "I names, folded for search"),
    ("responsable", "id", "technical id"),
    ("responsable", "civilite", "II civilité"),
    ("responsable", "nom", "II nom"),
    ("responsable", "prenom", "II prénom"),
    ("responsable", "adresse", "II address"),
    ("responsable", "code_postal", "II address"),
    ("responsable", "commune", "II address"),
    ("responsable", "pays", "II address"),
    ("responsable", "tel_domicile", "II phones"),
    ("responsable", "tel_travail", "II phones"),
    ("responsable", "tel_portable", "II phones"),
    ("responsable", "courriel", "II e-mail"),
    ("eleve_responsable", "eleve_id", "II link"),
    ("eleve_responsable", "responsable_id", "II link"),
    ("eleve_responsable", "rang", "II link"),
    ("eleve_responsable", "lien", "II lien with the pupil"),
    ("eleve_responsable", "autorite_parentale", "II (electoral list: withdrawn by a court)"),
    ("eleve_responsable", "accord_associations", "II autorisation"),
    ("contact", "id", "technical id"),
    ("contact", "eleve_id", "III"),
    ("contact", "rang", "III"),
    ("contact", "nom", "III identity"),
    ("contact", "prenom", "III identity"),
    ("contact", "lien", "III lien"),
    ("contact", "telephone", "III phones"),
    ("contact", "telephone_2", "III phones"),
    ("contact", "urgence", "III emergency"),
    ("contact", "recuperer", "III allowed to collect"),
    ("scolarite", "id", "technical id"),
    ("scolarite", "eleve_id", "IV"),
    ("scolarite", "annee", "IV"),
    ("scolarite", "ecole_id", "IV école"),
    ("scolarite", "niveau", "IV niveau"),
    ("scolarite", "cycle", "IV cycle"),
    ("scolarite", "classe_id", "IV classe"),
    ("scolarite", "ulis", "IV dispositif ULIS oui/non (never the disability)"),
    ("scolarite", "etat", "IV admission / radiation state"),
    ("scolarite", "date_admission", "IV date of admission"),
    ("scolarite", "date_sortie", "IV date of radiation"),
    ("eleve_annuel", "eleve_id", "II/V"),
    ("eleve_annuel", "annee", "II/V"),
    ("eleve_annuel", "autorisation_photo", "II autorisation"),
    ("eleve_annuel", "assureur", "II school insurance"),
    ("eleve_annuel", "assurance_numero", "II school insurance"),
    ("eleve_annuel", "cantine", "V périscolaire"),
    ("eleve_annuel", "garderie_matin", "V périscolaire"),
    ("eleve_annuel", "garderie_soir", "V périscolaire"),
    ("eleve_annuel", "etude", "V périscolaire"),
    ("eleve_annuel", "transport", "V périscolaire"),
    ("college", "id", "territory"),
    ("college", "uai", "territory"),
    ("college", "nom", "territory"),
    ("college", "commune_id", "territory"),
    ("affectation_college", "eleve_id", "IV 6e assignment"),
    ("affectation_college", "annee", "IV 6e assignment"),
    ("affectation_college", "college_id", "IV 6e assignment"),
    ("compte", "id", "account"),
    ("compte", "login", "account"),
    ("compte", "role", "account"),
    ("compte", "perimetre_genre", "account"),
    ("compte", "perimetre_id", "account"),
    ("compte", "nom", "account: staff holder's name"),
    ("compte", "etat", "account"),
    ("compte", "mot_de_passe", "account: argon2id hash only"),
    ("compte", "totp_chiffre", "account: TOTP secret, encrypted"),
    ("compte", "totp_confirme", "account"),
    ("compte", "totp_derniere_etape", "account: replay refusal"),
    ("compte", "echecs", "account: lockout"),
    ("compte", "verrou_jusqua", "account: lockout"),
    ("compte", "cree_le", "account"),
    ("compte", "cree_par", "account"),
    ("compte", "active_le", "account"),
    ("compte", "derniere_connexion", "account"),
    ("echec_connexion", "compte_id", "account: lockout"),
    ("echec_connexion", "le", "account: lockout"),
    ("jeton", "empreinte", "account: SHA-256 of a single-use link"),
    ("jeton", "compte_id", "account"),
    ("jeton", "usage", "account"),
    ("jeton", "expire_le", "account"),
    ("jeton", "utilise_le", "account"),
    ("code_secours", "compte_id", "account"),
    ("code_secours", "empreinte", "account: HMAC of a recovery code"),
    ("code_secours", "utilise_le", "account"),
    ("session", "empreinte", "session: SHA-256 of its id"),
    ("session", "compte_id", "session"),
    ("session", "cree_le", "session"),
    ("session", "vue_le", "session"),
    ("session", "authentifie_le", "session"),
    ("session", "second_facteur", "session"),
    ("parametre", "cle", "département settings"),
    ("parametre", "valeur", "département settings"),
    ("journal", "seq", "audit"),
    ("journal", "le", "audit"),
    ("journal", "acteur", "audit"),
    ("journal", "role", "audit"),
    ("journal", "fonction", "audit: function shown to parents"),
    ("journal", "action", "audit"),
    ("journal", "ressource", "audit"),
    ("journal", "cible", "audit"),
    ("journal", "eleve_id", "audit: the parents' view"),
    ("journal", "detail", "audit: system-written JSON (document, counts, search words)"),
    ("journal", "mac", "audit: HMAC chain"),
    ("inscription", "id", "technical id"),
    ("inscription", "eleve_id", "IV inscription"),
    ("inscription", "commune_id", "IV inscription"),
    ("inscription", "annee", "IV inscription"),
    ("inscription", "mode", "IV mode of schooling (CNED, hospital…), never why"),
    ("inscription", "ecole_id", "IV designated school"),
    ("inscription", "niveau", "IV niveau"),
    ("inscription", "etat", "IV inscription state"),
    ("inscription", "par_ecole", "IV recorded by the school"),
    ("inscription", "cree_le", "IV date of inscription"),
    ("inscription", "cree_eleve", "IV the inscription brought the pupil's record (grants reads)"),
    ("inscription", "inscrit_le", "IV date of inscription"),
    ("inscription", "clos_le", "IV date"),
    ("scolarite", "pieces_manquantes", "IV admission: codes of missing papers (no content)"),
    ("scolarite", "inscription_id", "IV"),
    ("scolarite", "quitte", "IV quitte l'école"),
    ("scolarite", "motif_sortie", "IV radiation motive (closed list)"),
    ("scolarite", "destination", "IV registre: next school"),
    ("scolarite", "ecole_precedente", "IV registre: previous school"),
    ("scolarite", "radiation_precedente", "IV registre: date of the previous certificat de radiation"),
    ("eleve", "sortie_premier_degre", "retention clock"),
    ("passage", "eleve_id", "IV passage"),
    ("passage", "annee", "IV passage"),
    ("passage", "proposition", "IV passage decision"),
    ("passage", "propose_le", "IV passage decision"),
    ("passage", "reponse", "IV passage decision"),
    ("passage", "repondu_le", "IV passage decision"),
    ("passage", "decision", "IV passage decision"),
    ("passage", "decide_le", "IV passage decision"),
    ("passage", "recours_le", "IV passage decision"),
    ("passage", "recours_issue", "IV passage decision"),
    ("passage", "tranche_le", "IV passage decision"),
    ("certificat", "numero", "certificate number"),
    ("certificat", "code", "certificate verification code"),
    ("certificat", "type", "certificate"),
    ("certificat", "sujet", "certificate"),
    ("certificat", "eleve_id", "certificate"),
    ("certificat", "emetteur", "certificate: school or mairie"),
    ("certificat", "initiales", "certificate: initials shown by the verification page"),
    ("certificat", "emis_le", "certificate"),
    ("certificat", "gabarit", "certificate seal: hash of the template's text"),
    ("certificat", "empreinte", "certificate seal: hash of the data (never the data)"),
    ("fiche_retour", "eleve_id", "IV the returned fiche"),
    ("fiche_retour", "annee", "IV the returned fiche"),
    ("fiche_retour", "saisie_le", "IV the returned fiche"),
    ("rectification", "id", "technical id"),
    ("rectification", "eleve_id", "right of rectification"),
    ("rectification", "responsable_id", "right of rectification: who filed"),
    ("rectification", "champ", "right of rectification: which field (a name, not a value)"),
    ("rectification", "valeur", "right of rectification: proposed value, cleared at the decision"),
    ("rectification", "commentaire", "right of rectification: cleared at the decision"),
    ("rectification", "etat", "right of rectification"),
    ("rectification", "motif_refus", "right of rectification: the school's reason"),
    ("rectification", "depose_le", "right of rectification"),
    ("rectification", "decide_le", "right of rectification"),
    ("opposition", "id", "technical id"),
    ("opposition", "eleve_id", "right to object"),
    ("opposition", "responsable_id", "right to object: who filed"),
    ("opposition", "motifs", "right to object: the family's reasons, cleared at the decision"),
    ("opposition", "etat", "right to object"),
    ("opposition", "motif_decision", "right to object: the IA-DASEN's reason"),
    ("opposition", "depose_le", "right to object"),
    ("opposition", "decide_le", "right to object"),
    ("demande_reinitialisation", "compte_id", "accounts: forgotten password"),
    ("demande_reinitialisation", "le", "accounts: forgotten password"),
    ("sequence_certificat", "prefixe", "certificate numbering"),
    ("sequence_certificat", "annee", "certificate numbering"),
    ("sequence_certificat", "dernier", "certificate numbering"),
    ("rentree", "departement_id", "calendar"),
    ("rentree", "annee", "calendar"),
    ("rentree", "faite_le", "calendar"),
    ("sequence_ine", "departement", "INE assignment"),
    ("sequence_ine", "annee", "INE assignment"),
    ("sequence_ine", "dernier", "INE assignment"),
];

/// Fragments of column names that would hold data the law forbids (DOMAIN.md §4).
const FORBIDDEN: &[&str] = &[
    "nationalit",
    "origine",
    "ethni",
    "race",
    "religion",
    "entree_france",
    "arrivee",
    "date_entree",
    "langue",
    "culture",
    "profession",
    "pcs",
    "csp",
    "metier",
    "situation_famil",
    "familiale",
    "absence",
    "absenteisme",
    "assiduite",
    "handicap",
    "deficience",
    "sante",
    "pai",
    "allergi",
    "traitement",
    "medic",
    "medecin",
    "vaccin",
    "maladie",
    "rased",
    "notes",
    "observation",
    "commentaire",
    "remarque",
];

fn schema_columns() -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("schema.db")).unwrap();
    store.read(store::columns).unwrap()
}

#[test]
fn every_column_of_the_schema_is_on_the_reviewed_list() {
    let reviewed: BTreeSet<(String, String)> =
        REVIEWED.iter().map(|(t, c, _)| (t.to_string(), c.to_string())).collect();
    let actual: BTreeSet<(String, String)> = schema_columns().into_iter().collect();
    let unreviewed: Vec<_> = actual.difference(&reviewed).collect();
    assert!(
        unreviewed.is_empty(),
        "columns not on the reviewed list (check DOMAIN.md §4, then add them with their category): {unreviewed:?}"
    );
    let gone: Vec<_> = reviewed.difference(&actual).collect();
    assert!(gone.is_empty(), "reviewed columns that no longer exist: {gone:?}");
}

#[test]
fn no_column_can_hold_data_the_law_forbids() {
    // Free text reviewed one by one: the family's own words on its request (issue 10), kept only
    // until the school or the IA-DASEN decides, then cleared (`store::corrections::decider`).
    const TRANSITOIRES: &[(&str, &str)] = &[("rectification", "commentaire")];
    for (table, column) in schema_columns() {
        if TRANSITOIRES.contains(&(table.as_str(), column.as_str())) {
            continue;
        }
        let name = format!("{table}.{column}").to_lowercase();
        for bad in FORBIDDEN {
            // `pai` would match inside other words: match it as a whole word part only.
            let hit = if *bad == "pai" { column.split('_').any(|p| p == "pai") } else { name.contains(bad) };
            assert!(!hit, "{table}.{column} looks like forbidden data ({bad}): DOMAIN.md §4");
        }
    }
}

#[test]
fn the_forbidden_list_would_catch_the_historic_fields() {
    // The check above is only as good as its list: the fields Base élèves once had must match.
    for historic in
        ["eleve.nationalite", "eleve.date_entree_france", "eleve.langue_parlee", "eleve.handicap_type", "eleve.pai"]
    {
        let (_, column) = historic.split_once('.').unwrap();
        let caught = FORBIDDEN
            .iter()
            .any(|bad| if *bad == "pai" { column.split('_').any(|p| p == "pai") } else { historic.contains(bad) });
        assert!(caught, "{historic} would not be caught");
    }
}
