//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz): each takes arbitrary bytes and must
//! neither panic nor hang. They live in the library so that the unit tests below run them on
//! the seed files (`fuzz/graines/`) and they cannot fall out of date with the code they drive.

use std::sync::OnceLock;

use serde_json::json;

use crate::domain::identite::nettoyer;
use crate::domain::onde;
use crate::render::{Document, Engine, Stamp};

/// The ministry's file (CSV in UTF-8 or Windows-1252, or a workbook), read as the import reads
/// it: decoded and split, its kind recognised from the header, then every line checked as a
/// pupil's or a responsable's.
pub fn import_onde(octets: &[u8]) {
    let Ok(tables) = onde::lire_tables(octets) else { return };
    for t in tables {
        match onde::Sorte::reconnaitre(&t.entetes) {
            Ok(onde::Sorte::Eleves) => {
                if let Ok(c) = onde::colonnes_eleves(&t.entetes) {
                    for (n, cellules) in &t.lignes {
                        let _ = onde::eleve(&c, *n, cellules);
                    }
                }
            }
            Ok(onde::Sorte::Responsables) => {
                if let Ok(c) = onde::colonnes_responsables(&t.entetes) {
                    for (n, cellules) in &t.lignes {
                        let _ = onde::responsable(&c, *n, cellules);
                    }
                }
            }
            Err(_) => {}
        }
    }
}

/// A JSON request body as the API reads it (`serde_json`, as axum's `Json` does) then checks
/// it before any service runs: the first byte chooses which of eight bodies
/// ([`crate::http::essayer_corps`]).
pub fn corps_json(octets: &[u8]) {
    let Some((quoi, corps)) = octets.split_first() else { return };
    let today = time::macros::date!(2026 - 11 - 30);
    crate::http::essayer_corps(*quoi, corps, today);
}

fn moteur() -> &'static Engine {
    static MOTEUR: OnceLock<Engine> = OnceLock::new();
    MOTEUR.get_or_init(Engine::new)
}

/// The document data path: the bytes, split on `|`, are the texts of a fiche de renseignements
/// (the pupil's nom, prénoms and address, a responsable, a contact, the insurer). Each text the
/// input would accept (cleaned as every form cleans it) is printed; one it would refuse cannot
/// reach a document and is replaced. The print must succeed: whatever input accepts, the
/// engine prints.
pub fn donnees_document(octets: &[u8]) {
    let texte = String::from_utf8_lossy(octets);
    let mut champs = texte.split('|').map(|s| nettoyer("texte", s, 10_000).ok().filter(|s| !s.is_empty()));
    let mut suivant = |defaut: &str| champs.next().flatten().unwrap_or_else(|| defaut.to_string());
    let (nom, prenoms, adresse) = (suivant("NOM"), suivant("Prénom"), suivant("1 rue de l'École"));
    let (responsable, contact, assureur) = (suivant("M. Responsable"), suivant("Contact"), suivant("Assureur"));
    let data = json!({ "documents": [{
        "annee": "2026-2027",
        "assurance": { "assureur": assureur, "numero": "1" },
        "autorisations": { "photo": true },
        "choix": [{ "libelle": "Photographie", "valeur": true }, { "libelle": "Cantine", "valeur": null }],
        "contacts": [{ "identite": contact, "lien": contact, "recuperer": true, "telephones": ["06 00 00 00 00"], "urgence": false }],
        "ecole": { "academie": "Académie", "adresse": [adresse], "circonscription": "Circonscription",
                   "courriel": null, "departement": "Département", "nom": "École", "telephone": null, "uai": "0350001A" },
        "eleve": { "adresse": [adresse, "35000 Rennes"], "date_naissance": "01/01/2020", "lieu_naissance": prenoms,
                   "nom": nom, "nom_usage": null, "prenoms": prenoms, "sexe": "F", "sexe_libelle": "féminin" },
        "fait_a": adresse,
        "fait_le": "30 novembre 2026",
        "periscolaire": { "cantine": true, "etude": false, "garderie_matin": false, "garderie_soir": true, "transport": false },
        "responsables": [{ "accord_associations": null, "adresse": [adresse], "autorite_parentale": true, "courriel": null,
                           "identite": responsable, "lien": responsable,
                           "telephones": { "domicile": null, "portable": "06 00 00 00 00", "travail": null } }],
        "scolarite": { "classe": contact, "niveau": "CP" }
    }]});
    let stamp = Stamp { at: time::macros::datetime!(2026-11-30 09:00 UTC), ident: "fuzz".into() };
    if let Err(e) = moteur().render(Document::FicheRenseignements, &data, &stamp) {
        panic!("accepted text failed to print: {e}");
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every seed of a target, as the fuzzer starts from them.
    fn graines(cible: &str) -> Vec<Vec<u8>> {
        let dossier = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/graines").join(cible);
        let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dossier)
            .unwrap_or_else(|e| panic!("{}: {e}", dossier.display()))
            .map(|f| std::fs::read(f.expect("entry").path()).expect("seed"))
            .collect();
        assert!(!out.is_empty(), "no seed in {}", dossier.display());
        out.sort();
        out
    }

    /// Runs `cible` on each seed whole, then cut every `pas` bytes: a truncated input is still
    /// read (or refused) without panic.
    fn rejouer_tronquees(nom: &str, pas: usize, cible: fn(&[u8])) {
        for g in graines(nom) {
            cible(&g);
            for n in (0..g.len()).step_by(pas) {
                cible(&g[..n]);
            }
        }
    }

    #[test]
    fn import_seeds_read_without_panic() {
        rejouer_tronquees("import_onde", 97, super::import_onde);
    }

    #[test]
    fn json_seeds_are_checked_without_panic() {
        rejouer_tronquees("corps_json", 13, super::corps_json);
    }

    #[test]
    fn document_seeds_print() {
        for g in graines("donnees_document") {
            super::donnees_document(&g);
        }
    }

    #[test]
    fn seeds_are_real_inputs() {
        // The ONDE seeds are recognised files, the JSON seeds valid bodies: the fuzzer starts
        // from inputs that go deep, not from noise refused at the first byte.
        for g in graines("import_onde") {
            let tables = crate::domain::onde::lire_tables(&g).expect("a readable file");
            assert!(tables.iter().all(|t| crate::domain::onde::Sorte::reconnaitre(&t.entetes).is_ok()));
        }
        let today = time::macros::date!(2026 - 11 - 30);
        let mut sortes: Vec<u8> = graines("corps_json").iter().map(|g| g[0] % 8).collect();
        sortes.sort_unstable();
        sortes.dedup();
        assert_eq!(sortes, (0..8).collect::<Vec<u8>>(), "a seed for every kind of body");
        for g in graines("corps_json") {
            assert!(
                crate::http::essayer_corps(g[0], &g[1..], today),
                "{} is not an accepted body",
                String::from_utf8_lossy(&g)
            );
        }
    }
}
