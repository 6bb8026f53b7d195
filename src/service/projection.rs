//! What a role sees of a pupil: the record's JSON with every field group the policy hides
//! removed. Built from the serialised record, so a field added to the store is hidden unless
//! it is mapped here (the default is to remove unknown keys).

use serde_json::{Map, Value};

use crate::policy::Champs;
use crate::store::eleves::{EleveLigne, FicheEleve};

fn garder(obj: &Map<String, Value>, champs: Champs, regles: &[(&str, Champs)]) -> Map<String, Value> {
    obj.iter()
        .filter(|(k, _)| regles.iter().any(|(nom, c)| nom == k && (c.is_empty() || champs.contient(*c))))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

const ELEVE: &[(&str, Champs)] = &[
    ("id", Champs::AUCUN),
    ("nom", Champs::IDENTITE),
    ("nom_usage", Champs::IDENTITE),
    ("prenoms", Champs::IDENTITE),
    ("sexe", Champs::IDENTITE),
    ("date_naissance", Champs::NAISSANCE),
    ("naissance_insee", Champs::NAISSANCE),
    ("naissance_lieu", Champs::NAISSANCE),
    ("adresse", Champs::ADRESSE),
    ("code_postal", Champs::ADRESSE),
    ("commune_residence", Champs::ADRESSE),
    ("ine", Champs::INE),
];

const RESPONSABLE: &[(&str, Champs)] = &[
    ("id", Champs::RESPONSABLES),
    ("rang", Champs::RESPONSABLES),
    ("lien", Champs::RESPONSABLES),
    ("autorite_parentale", Champs::RESPONSABLES),
    ("accord_associations", Champs::AUTORISATIONS),
    ("civilite", Champs::RESPONSABLES),
    ("nom", Champs::RESPONSABLES),
    ("prenom", Champs::RESPONSABLES),
    ("adresse", Champs::RESPONSABLES),
    ("code_postal", Champs::RESPONSABLES),
    ("commune", Champs::RESPONSABLES),
    ("pays", Champs::RESPONSABLES),
    ("tel_domicile", Champs::RESPONSABLES),
    ("tel_travail", Champs::RESPONSABLES),
    ("tel_portable", Champs::RESPONSABLES),
    ("courriel", Champs::RESPONSABLES),
];

const SCOLARITE: &[(&str, Champs)] = &[
    ("annee", Champs::ECOLE),
    ("ecole_id", Champs::ECOLE),
    ("uai", Champs::ECOLE),
    ("ecole", Champs::ECOLE),
    ("etat", Champs::ECOLE),
    ("date_admission", Champs::ECOLE),
    ("date_sortie", Champs::ECOLE),
    ("niveau", Champs::SCOLARITE),
    ("cycle", Champs::SCOLARITE),
    ("classe_id", Champs::SCOLARITE),
    ("classe", Champs::SCOLARITE),
    ("ulis", Champs::SCOLARITE),
];

const ANNUEL: &[(&str, Champs)] = &[
    ("autorisation_photo", Champs::AUTORISATIONS),
    ("assureur", Champs::ASSURANCE),
    ("assurance_numero", Champs::ASSURANCE),
    ("cantine", Champs::PERISCOLAIRE),
    ("garderie_matin", Champs::PERISCOLAIRE),
    ("garderie_soir", Champs::PERISCOLAIRE),
    ("etude", Champs::PERISCOLAIRE),
    ("transport", Champs::PERISCOLAIRE),
];

const LIGNE: &[(&str, Champs)] = &[
    ("id", Champs::AUCUN),
    ("nom", Champs::IDENTITE),
    ("nom_usage", Champs::IDENTITE),
    ("prenoms", Champs::IDENTITE),
    ("sexe", Champs::IDENTITE),
    ("date_naissance", Champs::NAISSANCE),
    ("ecole_id", Champs::ECOLE),
    ("uai", Champs::ECOLE),
    ("etat", Champs::ECOLE),
    ("niveau", Champs::SCOLARITE),
    ("classe_id", Champs::SCOLARITE),
    ("classe", Champs::SCOLARITE),
];

fn objet(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The record as `champs` allows it to be seen.
pub fn fiche(f: &FicheEleve, champs: Champs) -> Value {
    let v = objet(serde_json::to_value(f).unwrap_or(Value::Null));
    let mut out = Map::new();
    out.insert(
        "eleve".into(),
        Value::Object(garder(&objet(v.get("eleve").cloned().unwrap_or_default()), champs, ELEVE)),
    );
    let liste = |cle: &str, regles: &[(&str, Champs)], requis: Champs| -> Value {
        if !champs.contient(requis) && regles.iter().all(|(_, c)| !champs.contient(*c)) {
            return Value::Array(vec![]);
        }
        Value::Array(
            v.get(cle)
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|x| Value::Object(garder(&objet(x.clone()), champs, regles))).collect())
                .unwrap_or_default(),
        )
    };
    if champs.contient(Champs::ECOLE) || champs.contient(Champs::SCOLARITE) {
        out.insert("scolarites".into(), liste("scolarites", SCOLARITE, Champs::ECOLE));
    }
    if champs.contient(Champs::RESPONSABLES) {
        out.insert("responsables".into(), liste("responsables", RESPONSABLE, Champs::RESPONSABLES));
    }
    if champs.contient(Champs::CONTACTS) {
        out.insert("contacts".into(), v.get("contacts").cloned().unwrap_or(Value::Array(vec![])));
    }
    let annuel = v.get("annuel").cloned().filter(|a| !a.is_null()).map(|a| garder(&objet(a), champs, ANNUEL));
    if let Some(a) = annuel.filter(|a| !a.is_empty()) {
        out.insert("annuel".into(), Value::Object(a));
    }
    out.insert("champs".into(), Value::Array(champs.noms().into_iter().map(Value::from).collect()));
    Value::Object(out)
}

/// List lines as `champs` allows them to be seen.
pub fn lignes(l: &[EleveLigne], champs: Champs) -> Value {
    Value::Array(
        l.iter()
            .map(|x| Value::Object(garder(&objet(serde_json::to_value(x).unwrap_or_default()), champs, LIGNE)))
            .collect(),
    )
}
