//! One road per action. The HTTP handlers and the CLI verbs only translate: they never
//! call the store or the journal themselves (type imports aside), and SQL stays in the store.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((p.display().to_string(), std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn racine() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn http_handlers_and_cli_verbs_call_the_use_cases_never_the_store_or_the_journal() {
    let mut fichiers = Vec::new();
    sources(&racine().join("src/http"), &mut fichiers);
    sources(&racine().join("src/cli"), &mut fichiers);
    let mut fautes = Vec::new();
    for (nom, texte) in &fichiers {
        for (n, ligne) in texte.lines().enumerate() {
            let l = ligne.trim();
            if l.starts_with("//") || l.starts_with("use ") {
                continue;
            }
            // A call into the store or the journal: `.store.read(`, `store::eleves::fiche(`,
            // `audit::noter(`… Types (`store::Error`, `store::eleves::EleveLigne`) are fine.
            let appel = |motif: &str| {
                l.match_indices(motif).any(|(i, _)| {
                    let reste = &l[i + motif.len()..];
                    let nom: String =
                        reste.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
                    let dernier = nom.rsplit("::").next().unwrap_or("");
                    dernier.chars().next().is_some_and(char::is_lowercase) && reste[nom.len()..].starts_with('(')
                })
            };
            // Accounts too go through `service::comptes`; only the pure helpers of `auth` (TOTP
            // codes and URIs, the CSRF token of a session, a random token and its digest) are
            // called directly.
            let pur = ["auth::totp::", "auth::csrf", "auth::aleatoire()", "auth::empreinte("];
            let compte = appel("auth::") && !pur.iter().any(|p| l.contains(p));
            if l.contains(".store.") || appel("store::") || appel("audit::") || compte {
                fautes.push(format!("{nom}:{} {l}", n + 1));
            }
        }
    }
    assert!(fautes.is_empty(), "store or journal called outside the use cases:\n{}", fautes.join("\n"));
}

#[test]
fn pages_and_answers_are_typed_never_json_literals() {
    // A misspelt field of a page or an answer fails at compile time: every context is a struct.
    // The OpenAPI document is the exception: JSON by nature, completed as such
    // (`api/contrat.rs`), and checked whole by outside tools (`scripts/contrat`).
    let mut fichiers = Vec::new();
    sources(&racine().join("src/http"), &mut fichiers);
    let fautes: Vec<String> = fichiers
        .iter()
        .filter(|(nom, _)| !nom.ends_with("src/http/api/contrat.rs"))
        .flat_map(|(nom, texte)| {
            texte
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains("json!("))
                .map(move |(n, l)| format!("{nom}:{} {l}", n + 1))
        })
        .collect();
    assert!(fautes.is_empty(), "json! literal in src/http:\n{}", fautes.join("\n"));
}

#[test]
fn sql_and_rusqlite_stay_in_the_store() {
    let mut fichiers = Vec::new();
    sources(&racine().join("src"), &mut fichiers);
    let dehors: Vec<&String> = fichiers
        .iter()
        .filter(|(nom, texte)| !nom.contains("/src/store/") && texte.contains("rusqlite"))
        .map(|(nom, _)| nom)
        .collect();
    assert!(dehors.is_empty(), "rusqlite outside src/store: {dehors:?}");
}

#[test]
fn the_policy_decides_whether_a_print_is_a_print_or_an_export() {
    // The rule lives in `policy::action_de_tirage`, unit-tested there; the print use case asks
    // it, and nothing else chooses between the two actions.
    let mut fichiers = Vec::new();
    sources(&racine().join("src"), &mut fichiers);
    let mut fautes = Vec::new();
    for (nom, texte) in fichiers.iter().filter(|(n, _)| !n.contains("src/policy/")) {
        let sans_espaces: String = texte.split_whitespace().collect();
        if sans_espaces.contains("Action::Imprimer}else{Action::Exporter")
            || sans_espaces.contains("Action::Exporter}else{Action::Imprimer")
            || sans_espaces.contains("fnaction_de_tirage")
        {
            fautes.push(nom.clone());
        }
    }
    assert!(fautes.is_empty(), "print-or-export decided outside the policy: {fautes:?}");
    let impression = std::fs::read_to_string(racine().join("src/service/impression.rs")).unwrap();
    assert!(impression.contains("policy::action_de_tirage("), "the print use case asks the policy");
}

#[test]
fn handlers_neither_check_the_csrf_token_nor_parse_a_path_id_themselves() {
    // The extractors of `src/http/extraction.rs` do: `Soumis` and `SoumisDe<T>` check a page
    // form's token, `Id<T>` parses the path's id and answers the French 404. The two multipart
    // uploads (`src/http/echanges.rs`) read their token from the parts as they stream.
    let mut fichiers = Vec::new();
    sources(&racine().join("src/http"), &mut fichiers);
    let mut fautes = Vec::new();
    for (nom, texte) in fichiers.iter().filter(|(n, _)| !n.ends_with("extraction.rs") && !n.ends_with("session.rs")) {
        for (n, ligne) in texte.lines().enumerate() {
            let l = ligne.trim();
            if l.starts_with("//") {
                continue;
            }
            let csrf = (l.contains(".csrf(&v)") || l.contains("verifier_csrf("))
                && !(nom.ends_with("echanges.rs") && l == "v.verifier_csrf(&e.csrf)?;")
                && !(nom.ends_with("formulaires.rs") && l.starts_with("Ok(v.verifier_csrf(self.get(\"csrf\")"));
            if csrf {
                fautes.push(format!("{nom}:{} {l}", n + 1));
            }
        }
        // A path's text bound by `Path(…)` and then parsed into an id in the handler.
        let lignes: Vec<&str> = texte.lines().collect();
        for (n, ligne) in lignes.iter().enumerate() {
            let Some(liaison) = ligne.trim().strip_prefix("Path(").and_then(|r| r.split("): Path<").next()) else {
                continue;
            };
            let noms: Vec<&str> = liaison
                .trim_matches(|c| c == '(' || c == ')')
                .split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect();
            for suite in lignes.iter().skip(n + 1).take(20).take_while(|l| !l.starts_with('}')) {
                for x in &noms {
                    let parse =
                        [format!("parse(&{x}"), format!("parse({x}.trim()"), format!("_id(&{x})"), format!(", &{x}, ")]
                            .iter()
                            .any(|m| suite.contains(m.as_str()) && (suite.contains("parse") || suite.contains("_id(")));
                    if parse {
                        fautes.push(format!("{nom}:{} {}", n + 1, suite.trim()));
                    }
                }
            }
        }
    }
    assert!(
        fautes.is_empty(),
        "a handler checks its CSRF token or parses its path's id by hand:\n{}",
        fautes.join("\n")
    );
}

#[test]
fn no_source_file_grows_past_seven_hundred_lines() {
    // A file past this holds more than one thing: split it where its parts do different work.
    let mut fichiers = Vec::new();
    sources(&racine().join("src"), &mut fichiers);
    let longs: Vec<String> = fichiers
        .iter()
        .filter(|(_, texte)| texte.lines().count() > 700)
        .map(|(nom, texte)| format!("{nom}: {} lines", texte.lines().count()))
        .collect();
    assert!(longs.is_empty(), "files over 700 lines:\n{}", longs.join("\n"));
}

#[test]
fn one_route_table_and_the_api_apart_from_the_pages() {
    // Every route is a line of `src/http/routes.rs`; the API's handlers (`src/http/api/`) answer
    // JSON for a session or a token (`Connecte`), the pages' (`src/http/pages/`) HTML for a
    // visitor (`Visiteur`, `Soumis`): neither kind lives in the other's folder.
    let mut fichiers = Vec::new();
    sources(&racine().join("src"), &mut fichiers);
    let mut fautes = Vec::new();
    for (nom, texte) in &fichiers {
        let code: Vec<&str> = texte.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        if !nom.ends_with("src/http/routes.rs") && code.iter().any(|l| l.contains(".route(")) {
            fautes.push(format!("{nom}: a route outside the table"));
        }
        let dans = |dossier: &str| nom.contains(&format!("src/http/{dossier}/"));
        if dans("api")
            && code.iter().any(|l| ["Visiteur", "Soumis(", "PageError", "pages.render("].iter().any(|m| l.contains(m)))
        {
            fautes.push(format!("{nom}: a page in the API's folder"));
        }
        if dans("pages") && code.iter().any(|l| l.contains("Connecte(")) {
            fautes.push(format!("{nom}: an API handler in the pages' folder"));
        }
    }
    assert!(fautes.is_empty(), "{}", fautes.join("\n"));
}

#[test]
fn each_schema_name_of_the_openapi_document_means_one_type() {
    // utoipa names a schema after its type; two types of one name would share one schema, and
    // the document would describe one of them wrongly. `#[schema(as = …)]` renames.
    let mut fichiers = Vec::new();
    sources(&racine().join("src"), &mut fichiers);
    let mut noms: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (fichier, texte) in &fichiers {
        let lignes: Vec<&str> = texte.lines().collect();
        for (i, l) in lignes.iter().enumerate() {
            if !(l.contains("#[derive(") && l.contains("ToSchema")) {
                continue;
            }
            let mut nom = None;
            for suite in &lignes[i + 1..] {
                let t = suite.trim();
                if let Some(r) = t.strip_prefix("#[schema(as = ") {
                    nom = Some(r.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap().to_string());
                }
                if let Some(r) = t.strip_prefix("pub struct ").or_else(|| t.strip_prefix("pub enum ")) {
                    let propre = r.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap().to_string();
                    noms.entry(nom.unwrap_or(propre)).or_default().push(fichier.clone());
                    break;
                }
            }
        }
    }
    assert!(noms.len() > 50, "{noms:?}");
    let doubles: Vec<_> = noms.iter().filter(|(_, f)| f.len() > 1).collect();
    assert!(doubles.is_empty(), "schema names of more than one type: {doubles:?}");
}
