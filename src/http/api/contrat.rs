//! The API's contract: the OpenAPI 3.1 document the router is built with (`routes.rs`, one
//! `routes!` per path), completed here with what every operation shares and its annotation
//! does not repeat: its French summary, who may call it (`security`), the errors it may answer
//! (problem details, RFC 9457) by what it takes, binary bodies as binary, French descriptions.

use serde_json::{Value, json};
use utoipa::OpenApi;

/// The document's base: its title, and the schemas no handler names.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "registre",
        description = "API du registre des élèves du premier degré. Les erreurs sont des détails de problème \
(RFC 9457, `application/problem+json`) : `type` (`urn:registre:probleme:CODE`), `title`, `status`, `detail` \
en français, et les extensions `code`, `champ`, `champs` (chaque champ refusé et son message) et \
`candidats` (doublons possibles). `GET /eleves` donne son total dans l'en-tête `X-Total-Count` ; les \
autres listes sont entières.",
        version = env!("CARGO_PKG_VERSION")
    ),
    components(schemas(crate::http::error::Probleme))
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The operations open without a session (`security: []`): signing in, the links of an
/// activation or a reset, the forgotten password, a certificate's public check.
const PUBLIQUES: &[&str] = &[
    "POST /api/v1/login",
    "POST /api/v1/activation",
    "POST /api/v1/reinitialisation",
    "POST /api/v1/mot-de-passe-oublie",
    "GET /api/v1/verification/{code}",
];

/// French summaries of the API's operations (the handlers' doc comments are English, for
/// the code): `METHOD path` → summary. A test checks every operation has one.
const RESUMES: &[(&str, &str)] = &[
    ("POST /api/v1/activation", "Activer un compte depuis son lien : choisir le mot de passe"),
    ("POST /api/v1/admissions", "Admettre un élève dans l'école"),
    ("POST /api/v1/campagnes/constat/{etape}", "Ouvrir ou clore la campagne du constat des effectifs (IA-DASEN)"),
    ("GET /api/v1/classes/{id}", "Lire une classe"),
    (
        "GET /api/v1/classes/{id}/documents/{document}",
        "Imprimer un document d'une classe : sa liste, ou un document par élève (PDF fusionné ou ZIP)",
    ),
    ("GET /api/v1/classes/{id}/eleves", "Lister les élèves d'une classe"),
    ("POST /api/v1/classes/{id}/passages", "Proposer le passage de tous les élèves de la classe"),
    (
        "POST /api/v1/classes/{id}/passages/decisions",
        "Décider le passage des élèves de la classe dont la famille a accepté ou n'a pas répondu en 15 jours",
    ),
    ("POST /api/v1/classes/{id}/placements", "Placer des élèves dans la classe (tous ou aucun)"),
    ("GET /api/v1/comptes", "Lister les comptes que l'on gère"),
    ("POST /api/v1/comptes", "Créer un compte en attente et obtenir son lien d'activation"),
    ("POST /api/v1/comptes/{id}/desactivation", "Désactiver un compte que l'on gère"),
    ("POST /api/v1/comptes/{id}/lien-reinitialisation", "Délivrer un lien de réinitialisation du mot de passe"),
    ("GET /api/v1/constat", "Constat des effectifs du territoire (IEN : par commune ; IA-DASEN : par circonscription)"),
    ("POST /api/v1/doublons", "Rechercher les élèves déjà connus qui pourraient être cet enfant (cinq critères)"),
    ("GET /api/v1/ecoles", "Lister les écoles"),
    ("POST /api/v1/ecoles", "Créer une école"),
    ("GET /api/v1/ecoles/{id}", "Lire une école"),
    ("GET /api/v1/ecoles/{id}/classes", "Lister les classes d'une école"),
    ("POST /api/v1/ecoles/{id}/classes/nouvelle", "Créer une classe pour l'année en cours"),
    ("GET /api/v1/ecoles/{id}/constat", "Constat de l'école : compté aujourd'hui et tel que validé"),
    ("POST /api/v1/ecoles/{id}/constat/validation", "Valider le constat de l'école (pendant la campagne)"),
    (
        "GET /api/v1/ecoles/{id}/documents/{document}",
        "Imprimer un document d'une école : listes des classes, registre, ou un document par élève",
    ),
    ("GET /api/v1/ecoles/{id}/export/onde", "Exporter les élèves et responsables au format d'ONDE (CSV ou XLSX)"),
    ("POST /api/v1/ecoles/{id}/import/dossier", "Admettre un élève avec son dossier de transfert"),
    (
        "POST /api/v1/ecoles/{id}/import/onde",
        "Lancer l'import des fichiers d'ONDE (élèves, responsables), ou son essai, en arrière-plan",
    ),
    ("GET /api/v1/ecoles/{id}/non-repartis", "Lister les élèves de l'école pas encore répartis dans une classe"),
    ("GET /api/v1/ecoles/{id}/prevision", "Prévision de l'école pour l'an prochain, niveau par niveau"),
    ("POST /api/v1/ecoles/{id}/prevision/ajustements", "Ajuster un niveau de la prévision de l'école"),
    ("POST /api/v1/ecoles/{id}/prevision/validation", "Valider la prévision de l'école"),
    ("GET /api/v1/eleves", "Lister ou rechercher des élèves"),
    ("POST /api/v1/eleves", "Créer un élève admis dans une école (un INE est attribué s'il n'en a pas)"),
    ("GET /api/v1/eleves/{id}", "Lire tout ce qui est conservé sur un élève (selon les droits du rôle)"),
    ("POST /api/v1/eleves/{id}/admission/completion", "Dossier complet : rendre l'admission définitive"),
    ("PUT /api/v1/eleves/{id}/annuel", "Corriger les autorisations, l'assurance et le périscolaire de l'année"),
    ("POST /api/v1/eleves/{id}/compte-famille", "Créer le compte d'un responsable de l'élève"),
    ("GET /api/v1/eleves/{id}/consultations", "Qui a consulté le dossier de l'élève, par fonction et date"),
    ("PUT /api/v1/eleves/{id}/contacts", "Remplacer la liste des personnes à contacter"),
    ("POST /api/v1/eleves/{id}/depart", "Noter que l'élève quitte l'école en fin d'année"),
    ("GET /api/v1/eleves/{id}/documents/{document}", "Imprimer un document d'un élève (PDF)"),
    ("GET /api/v1/eleves/{id}/dossier-transfert", "Délivrer le dossier de transfert d'un élève radié (ZIP signé)"),
    ("PUT /api/v1/eleves/{id}/fiche", "Corriger le dossier de l'élève en une fois (la fiche retournée)"),
    ("PUT /api/v1/eleves/{id}/identite", "Corriger l'identité et l'adresse de l'élève"),
    ("GET /api/v1/eleves/{id}/oppositions", "Lister les oppositions concernant un élève"),
    ("POST /api/v1/eleves/{id}/oppositions", "S'opposer, pour motif légitime, au traitement des données de son enfant"),
    ("GET /api/v1/eleves/{id}/passage", "Lire la procédure de passage de l'élève cette année"),
    (
        "POST /api/v1/eleves/{id}/passage/{etape}",
        "Étape du passage : proposition, réponse de la famille, décision, recours, commission",
    ),
    ("POST /api/v1/eleves/{id}/radiation", "Radier un élève (le certificat de radiation peut ensuite être imprimé)"),
    (
        "POST /api/v1/eleves/{id}/radiation/annulation",
        "Annuler une radiation saisie par erreur (son auteur, le jour même)",
    ),
    ("GET /api/v1/eleves/{id}/rectifications", "Lister les demandes de rectification concernant un élève"),
    (
        "POST /api/v1/eleves/{id}/rectifications",
        "Demander la rectification d'une donnée (un responsable, pour son enfant)",
    ),
    ("POST /api/v1/eleves/{id}/responsables", "Ajouter un responsable à l'élève"),
    ("PUT /api/v1/eleves/{id}/responsables/{rid}", "Corriger un responsable et son lien avec l'élève"),
    ("POST /api/v1/eleves/{id}/responsables/{rid}/detachement", "Détacher un responsable de l'élève"),
    ("GET /api/v1/impressions", "Lister mes impressions en lot (gardées 24 heures)"),
    ("GET /api/v1/imports", "Lister mes imports de fichiers d'ONDE (gardés 24 heures)"),
    ("GET /api/v1/imports/{id}", "Suivre un import : état, lignes faites, temps restant, puis son rapport"),
    ("POST /api/v1/imports/{id}/annulation", "Arrêter un import (ce qui est déjà enregistré le reste)"),
    ("GET /api/v1/imports/{id}/rapport", "Télécharger le rapport d'un import, ligne par ligne (CSV)"),
    ("POST /api/v1/impressions", "Demander une impression en lot (faite en arrière-plan)"),
    ("GET /api/v1/impressions/{id}", "Suivre une impression en lot : état, documents faits, temps restant"),
    ("POST /api/v1/impressions/{id}/annulation", "Annuler une impression en lot"),
    ("GET /api/v1/impressions/{id}/fichier", "Télécharger le fichier d'une impression en lot terminée"),
    ("GET /api/v1/inscriptions", "Lister les inscriptions du périmètre"),
    ("POST /api/v1/inscriptions", "Enregistrer une inscription (la mairie pour sa commune, ou l'école pour elle-même)"),
    ("GET /api/v1/inscriptions/{id}", "Lire une inscription"),
    ("POST /api/v1/inscriptions/{id}/annulation", "Annuler une inscription"),
    ("GET /api/v1/inscriptions/{id}/documents/{document}", "Imprimer le certificat d'inscription"),
    ("POST /api/v1/inscriptions/{id}/validation", "Confirmer une inscription (le certificat peut être imprimé)"),
    ("POST /api/v1/login", "Ouvrir une session"),
    ("POST /api/v1/logout", "Fermer la session"),
    ("GET /api/v1/moi", "Lire son compte"),
    ("POST /api/v1/moi/mot-de-passe", "Changer son mot de passe (les autres sessions sont fermées)"),
    ("POST /api/v1/moi/second-facteur", "Commencer l'activation du second facteur"),
    ("POST /api/v1/moi/second-facteur/confirmation", "Confirmer le second facteur ; obtenir les codes de secours"),
    ("POST /api/v1/mot-de-passe-oublie", "Mot de passe oublié : même réponse pour tout identifiant"),
    ("GET /api/v1/oppositions", "Lister les oppositions du périmètre"),
    ("POST /api/v1/oppositions/{id}/decision", "Décider d'une opposition, avec un motif (IA-DASEN)"),
    ("GET /api/v1/parametres", "Lire les réglages du département (IA-DASEN)"),
    ("PUT /api/v1/parametres", "Modifier les réglages du département (IA-DASEN)"),
    ("GET /api/v1/prevision", "Prévision de l'an prochain du territoire"),
    ("GET /api/v1/publications", "Lister les publications statistiques téléchargeables"),
    ("POST /api/v1/publications", "Préparer une publication statistique de l'année (IA-DASEN)"),
    ("GET /api/v1/publications/{id}/{fichier}", "Télécharger un fichier d'une publication statistique"),
    ("GET /api/v1/rectifications", "Lister les demandes de rectification du périmètre"),
    ("POST /api/v1/rectifications/{id}/decision", "Décider d'une demande de rectification"),
    ("POST /api/v1/reinitialisation", "Choisir un nouveau mot de passe depuis un lien de réinitialisation"),
    ("POST /api/v1/rentree", "Faire la rentrée : clore l'année, appliquer les passages, ouvrir la suivante"),
    ("GET /api/v1/statistiques/effectifs", "Effectifs par école et par niveau (année en cours)"),
    ("GET /api/v1/verification/{code}", "Vérifier le code d'un certificat (public, sans compte)"),
    (
        "PUT /api/v1/verification-annuelle",
        "Ouvrir la vérification annuelle des fiches dans chaque école du territoire, ou changer ses dates",
    ),
    (
        "GET /api/v1/ecoles/{id}/verification-annuelle",
        "Suivre la vérification annuelle des fiches de l'école, classe par classe",
    ),
    (
        "PUT /api/v1/ecoles/{id}/verification-annuelle",
        "Ouvrir la vérification annuelle des fiches de l'école, ou changer ses dates",
    ),
    (
        "GET /api/v1/eleves/{id}/verification-annuelle",
        "Lire la vérification annuelle de la fiche d'un élève, partie par partie",
    ),
    (
        "POST /api/v1/eleves/{id}/verification-annuelle",
        "Confirmer ou corriger une partie de la fiche de son enfant (un responsable)",
    ),
    (
        "POST /api/v1/eleves/{id}/verification-annuelle/confirmation",
        "Confirmer telles quelles les parties de la fiche pas encore vérifiées (un responsable)",
    ),
    (
        "POST /api/v1/verifications-annuelles/{id}/decision",
        "Accepter les corrections d'une famille, ou les refuser avec une raison que la famille lit (l'école)",
    ),
];

/// The document `/api/v1/openapi.json` serves: `doc` (from the router) completed.
pub(in crate::http) fn completer(doc: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    let chemins: Vec<String> = doc["paths"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for chemin in chemins {
        for methode in ["get", "post", "put", "delete", "patch"] {
            if let Some(op) = doc["paths"][&chemin].get_mut(methode) {
                completer_operation(&chemin, methode, op);
            }
        }
    }
    let schemas = &mut doc["components"]["securitySchemes"];
    *schemas = json!({
        "session": {
            "type": "apiKey", "in": "cookie", "name": crate::http::session::COOKIE,
            "description": "Session ouverte par POST /api/v1/login (cookie `__Host-sid`)."
        },
        "csrf": {
            "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
            "description": "Jeton anti-falsification de la session (champ `csrf` de la réponse de POST /api/v1/login), \
    exigé sur toute requête qui modifie."
        }
    });
    doc["security"] = json!([{ "session": [] }]);
    en_francais(&mut doc);
    n_uplets(&mut doc);
    vocabulaires(&mut doc);
    textes_imprimables(&mut doc);
    doc
}

/// A tuple (`(u32, String)`) is `prefixItems` with `items: false`, which some client generators
/// cannot read: the same constraint said as `minItems` and `maxItems`.
fn n_uplets(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("items") == Some(&Value::Bool(false))
                && let Some(n) = o.get("prefixItems").and_then(Value::as_array).map(Vec::len)
            {
                o.remove("items");
                o.insert("minItems".into(), n.into());
                o.insert("maxItems".into(), n.into());
            }
            o.values_mut().for_each(n_uplets);
        }
        Value::Array(a) => a.iter_mut().for_each(n_uplets),
        _ => {}
    }
}

/// `^(a|b|c)$`: exactly one of `codes`.
fn un_de<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    format!("^({})$", codes.into_iter().collect::<Vec<_>>().join("|"))
}

/// The codes the domain knows, as the patterns of the properties and query parameters that
/// take them, wherever they appear: made from the domain's own lists, so the document says
/// what the parsers accept.
fn vocabulaires(doc: &mut Value) {
    use crate::domain::{AnneeScolaire, Niveau, parcours::Piece};
    let annees: Vec<String> = (2000..=2099).filter_map(|a| AnneeScolaire::new(a).ok()).map(|a| a.to_string()).collect();
    let motifs: Vec<(&str, String)> = vec![
        ("niveau", un_de(Niveau::ALL.iter().map(|n| n.code()))),
        ("annee", un_de(annees.iter().map(String::as_str))),
        ("pieces_manquantes", un_de(Piece::TOUTES.iter().map(|p| p.code()))),
        ("role", un_de(crate::policy::Role::COMPTES.iter().map(|r| r.code()))),
    ];
    let motif = |nom: &str| -> Option<&String> {
        let nom = nom.strip_suffix('x').filter(|n| *n == "niveau").unwrap_or(nom);
        motifs.iter().find(|(n, _)| *n == nom).map(|(_, m)| m)
    };
    let poser = |schema: &mut Value, m: &String| {
        if schema["type"] == "array" {
            schema["items"]["pattern"] = m.clone().into();
        } else {
            schema["pattern"] = m.clone().into();
        }
    };
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for props in schemas.values_mut().filter_map(|s| s.get_mut("properties")).filter_map(Value::as_object_mut) {
            for (nom, prop) in props.iter_mut() {
                if let Some(m) = motif(nom) {
                    let texte = prop.to_string();
                    if texte.contains("\"string\"") && !texte.contains("$ref") {
                        poser(prop, m);
                    }
                }
            }
        }
    }
    if let Some(chemins) = doc["paths"].as_object_mut() {
        for op in chemins.values_mut().filter_map(Value::as_object_mut).flat_map(|i| i.values_mut()) {
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(m) = p["name"].as_str().and_then(motif) {
                    let m = m.clone();
                    poser(&mut p["schema"], &m);
                }
            }
        }
    }
}

/// The French descriptions of the schemas, their properties and the query parameters
/// (`descriptions.json`; the types' doc comments are English, for the code). A test checks
/// that every description of the document is found there.
const DESCRIPTIONS: &str = include_str!("descriptions.json");

/// Replaces each description of a schema, a property or a query parameter by its French one.
fn en_francais(doc: &mut Value) {
    let Ok(fr) = serde_json::from_str::<Value>(DESCRIPTIONS) else { return };
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        for (nom, schema) in schemas.iter_mut() {
            if let Some(d) = fr["schemas"][nom.as_str()].as_str() {
                schema["description"] = d.into();
            }
            let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else { continue };
            for (champ, prop) in props.iter_mut() {
                if let Some(d) = fr["schemas"][format!("{nom}.{champ}")].as_str() {
                    if let Some(l) = prop.get_mut("oneOf").and_then(Value::as_array_mut) {
                        l.iter_mut().filter_map(Value::as_object_mut).for_each(|o| drop(o.remove("description")));
                    }
                    prop["description"] = d.into();
                }
            }
        }
    }
    if let Some(chemins) = doc["paths"].as_object_mut() {
        for op in chemins.values_mut().filter_map(Value::as_object_mut).flat_map(|i| i.values_mut()) {
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(d) = p["description"].as_str().and_then(|d| fr["parametres"][d].as_str()) {
                    p["description"] = d.into();
                }
            }
        }
    }
}

/// The properties read as free text: what the server accepts of them is stated as a pattern,
/// made from the one table of printable characters (`domain::imprimable`): no control or
/// bidirectional character, nothing the documents' fonts cannot draw. Passwords, tokens and
/// codes are not texts; properties with a pattern or a format of their own keep it.
fn textes_imprimables(doc: &mut Value) {
    const PAS_DES_TEXTES: &[&str] = &["mot_de_passe", "actuel", "nouveau", "jeton", "code", "login"];
    let classe: String = crate::domain::imprimable::PLAGES
        .iter()
        .map(|&(a, b)| if a == b { format!("\\u{a:04x}") } else { format!("\\u{a:04x}-\\u{b:04x}") })
        .collect();
    let motif = format!("^[{classe}]*$");
    // The schemas a request body names, and the ones they name in turn.
    let refs = |v: &Value| -> Vec<String> {
        let t = v.to_string();
        t.split("#/components/schemas/").skip(1).map(|n| n.split('"').next().unwrap_or("").to_string()).collect()
    };
    let mut a_voir: Vec<String> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
        .filter_map(Value::as_object)
        .flat_map(|i| i.values())
        .filter_map(|op| op.get("requestBody"))
        .flat_map(refs)
        .collect();
    let mut demandes: Vec<String> = Vec::new();
    while let Some(n) = a_voir.pop() {
        if !demandes.contains(&n) {
            a_voir.extend(refs(&doc["components"]["schemas"][&n]));
            demandes.push(n);
        }
    }
    for nom in demandes {
        let Some(props) = doc["components"]["schemas"][&nom].get_mut("properties").and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (champ, prop) in props.iter_mut() {
            let texte =
                prop["type"] == "string" || prop["type"].as_array().is_some_and(|t| t.contains(&"string".into()));
            if texte
                && !PAS_DES_TEXTES.contains(&champ.as_str())
                && prop.get("pattern").is_none()
                && prop.get("format").is_none()
            {
                prop["pattern"] = motif.clone().into();
            }
        }
    }
}

/// One operation: summary, security, the errors it may answer, binary bodies.
fn completer_operation(chemin: &str, methode: &str, op: &mut Value) {
    let cle = format!("{} {chemin}", methode.to_uppercase());
    let resume = RESUMES
        .iter()
        .find(|(k, _)| *k == cle)
        .map_or_else(|| format!("(résumé manquant : {cle})"), |(_, r)| (*r).to_string());
    let op = op.as_object_mut().expect("an operation is an object");
    op.remove("description");
    op.insert("summary".into(), resume.into());
    let public = PUBLIQUES.contains(&cle.as_str());
    let ecriture = methode != "get";
    if public {
        op.insert("security".into(), json!([]));
    } else if ecriture {
        op.insert("security".into(), json!([{ "session": [], "csrf": [] }]));
    }
    let parametres = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let requete = parametres.iter().any(|p| p["in"] == "query");
    let corps = op.contains_key("requestBody");
    let mut erreurs: Vec<u16> = vec![503];
    if !public {
        erreurs.extend([401, 403]);
    }
    if ecriture {
        // A write may come from another site (403), carry an idempotency key already used
        // (422) or still being answered (409).
        erreurs.extend([403, 409, 422]);
    }
    // A record named by the address, or by a query or body sent with a session.
    if chemin.contains('{') || (!public && (requete || corps)) {
        erreurs.push(404);
    }
    if requete || corps || chemin.contains('{') {
        erreurs.push(400);
    }
    if requete {
        erreurs.push(422);
    }
    // A document the record's state does not allow (a certificate before the inscription is
    // confirmed, a list for a pupil), a file not ready yet.
    if ["/documents/{document}", "/dossier-transfert", "/fichier", "/rapport", "/{fichier}"]
        .iter()
        .any(|f| chemin.ends_with(f))
    {
        erreurs.push(409);
    }
    if corps {
        erreurs.extend([408, 413, 415, 422]);
    }
    let reponses = op.entry("responses").or_insert_with(|| json!({}));
    let reponses = reponses.as_object_mut().expect("responses are an object");
    for statut in erreurs {
        reponses.entry(statut.to_string()).or_insert_with(|| json!({}));
    }
    for (statut, r) in reponses.iter_mut() {
        let code: u16 = statut.parse().unwrap_or(0);
        if r["description"].as_str().is_none_or(str::is_empty) {
            r["description"] = description(code).into();
        }
        if code >= 400 {
            r["content"] =
                json!({ crate::http::error::PROBLEME: { "schema": { "$ref": "#/components/schemas/Probleme" } } });
            continue;
        }
        if let Some(contenus) = r.get_mut("content").and_then(Value::as_object_mut) {
            for (media, c) in contenus.iter_mut() {
                if !media.contains("json") {
                    c["schema"] = if media.starts_with("text/") {
                        json!({ "type": "string" })
                    } else {
                        json!({ "type": "string", "format": "binary" })
                    };
                }
            }
        }
    }
}

/// The French description of a status an operation's annotation left without one.
fn description(statut: u16) -> &'static str {
    match statut {
        200 => "Réussi",
        201 => "Créé",
        202 => "Accepté : le travail se fait en arrière-plan",
        204 => "Fait (réponse sans contenu)",
        400 => "Requête illisible : adresse, paramètres ou corps",
        401 => "Connexion requise : pas de session valide",
        403 => {
            "Refusé : le rôle ne le permet pas, second facteur ou jeton anti-falsification manquant, ou requête venue d'un autre site"
        }
        404 => "Introuvable, ou hors du périmètre du compte (l'existence n'est pas révélée)",
        408 => "Le corps de la requête a mis trop de temps à arriver : rien n'a été enregistré",
        409 => "L'état du dossier ne le permet pas, ou une requête de même clé d'idempotence est en cours",
        410 => "Lien expiré ou déjà utilisé",
        413 => "Corps de la requête trop volumineux",
        415 => "Type de contenu non pris en charge",
        422 => "Données refusées : chaque champ en faute est nommé (`champ`, `champs`)",
        429 => "Trop de requêtes",
        503 => "Serveur trop occupé : rien n'a été enregistré, la requête peut être renvoyée",
        _ => "Réponse",
    }
}
