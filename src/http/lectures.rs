//! The journal's rule for reads, written down once and kept route by route.
//!
//! **The rule.** Every read that shows data of a pupil, of a family or of a staff member adds
//! one row to the journal before the data is handed over (fail closed): a record, a list, a
//! search, a document, an export, a count per school or per class (a constat, a prévision, a
//! class's size), a teacher's name, a job that names or counts pupils (a print run, an import
//! and its report), a list of accounts. A read that shows none adds none: the health of the
//! service, the description of the API, the stylesheet, the forms to sign in, to activate an
//! account, to reset or recover a password, the visitor's own account, the département's
//! settings, a school's identity (name, UAI, commune), an empty form, a redirection, a list
//! that turns out empty (nothing was shown), and the public verification of a certificate (what
//! the paper itself shows to whoever holds it: its type, date, issuer and the pupil's initials;
//! its visitor has no account to journal).
//!
//! [`LECTURES`] classifies every `GET` route of the router; a test reads the router's routes
//! from the source and fails when one is missing here, then calls each route as a user who may
//! read it and checks that the journal grew for the journaled ones and did not for the others.

/// Whether a `GET` route adds a row to the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lecture {
    /// It shows data of a pupil, a family or a staff member: one row each time.
    Journalisee,
    /// It shows none (why, in a few words).
    Libre(&'static str),
}

use Lecture::{Journalisee, Libre};

/// Every `GET` route of the router (`METHOD PATH` as declared), and its rule.
pub const LECTURES: &[(&str, Lecture)] = &[
    ("/healthz", Libre("état du service")),
    ("/readyz", Libre("état du service")),
    ("/metrics", Libre("compteurs et tailles, sans donnée personnelle")),
    ("/api/v1/openapi.json", Libre("description de l'API")),
    ("/api/v1/moi", Libre("le compte du visiteur lui-même")),
    ("/api/v1/parametres", Libre("réglages du département")),
    ("/api/v1/ecoles", Libre("identité des écoles")),
    ("/api/v1/ecoles/{id}", Libre("identité d'une école")),
    ("/api/v1/statistiques/effectifs", Journalisee),
    ("/api/v1/ecoles/{id}/classes", Journalisee),
    ("/api/v1/ecoles/{id}/documents/{document}", Journalisee),
    ("/api/v1/ecoles/{id}/non-repartis", Journalisee),
    ("/api/v1/ecoles/{id}/export/onde", Journalisee),
    ("/api/v1/ecoles/{id}/constat", Journalisee),
    ("/api/v1/ecoles/{id}/prevision", Journalisee),
    ("/api/v1/classes/{id}", Journalisee),
    ("/api/v1/classes/{id}/eleves", Journalisee),
    ("/api/v1/classes/{id}/documents/{document}", Journalisee),
    ("/api/v1/eleves", Journalisee),
    ("/api/v1/eleves/{id}", Journalisee),
    ("/api/v1/eleves/{id}/documents/{document}", Journalisee),
    ("/api/v1/eleves/{id}/consultations", Journalisee),
    ("/api/v1/eleves/{id}/rectifications", Journalisee),
    ("/api/v1/eleves/{id}/oppositions", Journalisee),
    ("/api/v1/eleves/{id}/passage", Journalisee),
    ("/api/v1/eleves/{id}/dossier-transfert", Journalisee),
    ("/api/v1/rectifications", Journalisee),
    ("/api/v1/ecoles/{id}/verification-annuelle", Journalisee),
    ("/api/v1/eleves/{id}/verification-annuelle", Journalisee),
    ("/api/v1/oppositions", Journalisee),
    ("/api/v1/comptes", Journalisee),
    ("/api/v1/inscriptions", Journalisee),
    ("/api/v1/inscriptions/{id}", Journalisee),
    ("/api/v1/inscriptions/{id}/documents/{document}", Journalisee),
    (
        "/api/v1/verification/{code}",
        Libre("ce que le certificat montre à qui le tient : type, date, émetteur, initiales"),
    ),
    ("/api/v1/constat", Journalisee),
    ("/api/v1/prevision", Journalisee),
    ("/api/v1/publications", Journalisee),
    ("/api/v1/publications/{id}/{fichier}", Journalisee),
    ("/api/v1/impressions", Journalisee),
    ("/api/v1/impressions/{id}", Journalisee),
    ("/api/v1/impressions/{id}/fichier", Journalisee),
    ("/api/v1/imports", Journalisee),
    ("/api/v1/imports/{id}", Journalisee),
    ("/api/v1/imports/{id}/rapport", Journalisee),
    ("/", Journalisee),
    ("/static/registre.css", Libre("feuille de style")),
    ("/connexion", Libre("formulaire de connexion")),
    ("/activer", Libre("formulaire d'activation")),
    ("/connexion/oidc/{nom}", Libre("départ vers un service d'identité (rien n'est lu ni écrit)")),
    ("/connexion/oidc/retour", Libre("retour d'un service d'identité : la connexion ouverte est journalisée")),
    ("/connexion/oidc/code", Libre("formulaire du code du second facteur")),
    ("/deconnexion/fin", Libre("renvoi vers la déconnexion du service d'identité")),
    ("/compte/identite/{nom}", Libre("départ vers un service d'identité pour y lier son compte")),
    ("/reinitialiser", Libre("formulaire de réinitialisation")),
    ("/mot-de-passe-oublie", Libre("formulaire de mot de passe oublié")),
    ("/compte", Libre("le compte du visiteur lui-même")),
    ("/compte/second-facteur", Libre("le compte du visiteur lui-même")),
    ("/verifier", Libre("formulaire de vérification")),
    ("/verifier/{code}", Libre("ce que le certificat montre à qui le tient : type, date, émetteur, initiales")),
    ("/statistiques", Journalisee),
    ("/ecoles/{id}", Journalisee),
    ("/ecoles/{id}/admission", Journalisee),
    ("/ecoles/{id}/echanges", Journalisee),
    ("/ecoles/{id}/echanges/import", Libre("redirection")),
    ("/ecoles/{id}/echanges/dossier", Libre("redirection")),
    ("/ecoles/{id}/echanges/export", Journalisee),
    ("/ecoles/{id}/constat", Journalisee),
    ("/ecoles/{id}/prevision", Journalisee),
    ("/classes/{id}", Journalisee),
    ("/eleves", Journalisee),
    ("/eleves/{id}", Journalisee),
    ("/eleves/{id}/fiche", Journalisee),
    ("/eleves/{id}/verification-annuelle", Journalisee),
    ("/ecoles/{id}/verification-annuelle", Journalisee),
    ("/verification-annuelle", Libre("formulaire vide")),
    ("/eleves/{id}/dossier-transfert", Journalisee),
    ("/comptes", Journalisee),
    ("/oppositions", Journalisee),
    ("/inscriptions", Journalisee),
    ("/inscriptions/nouvelle", Libre("formulaire vide")),
    ("/inscriptions/{id}/admission", Journalisee),
    ("/rentree", Libre("formulaire de confirmation")),
    ("/constat", Journalisee),
    ("/prevision", Journalisee),
    ("/publications", Journalisee),
    ("/impressions", Journalisee),
    ("/imports/{id}", Journalisee),
    ("/imports/{id}/annuler", Libre("redirection")),
];

/// The rule of a `GET` route, if it is known.
pub fn lecture(route: &str) -> Option<Lecture> {
    LECTURES.iter().find(|(r, _)| *r == route).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_classified_once() {
        let mut vues = std::collections::BTreeSet::new();
        for (r, _) in LECTURES {
            assert!(vues.insert(*r), "{r} classified twice");
            assert!(r.starts_with('/'), "{r}");
        }
        assert_eq!(lecture("/api/v1/eleves"), Some(Lecture::Journalisee));
        assert!(matches!(lecture("/healthz"), Some(Lecture::Libre(_))));
        assert_eq!(lecture("/inconnue"), None);
    }
}
