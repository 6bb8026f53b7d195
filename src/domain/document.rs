//! The catalogue of printed documents (docs/domaine.md §8, docs/architecture.md §5): their names, the same in
//! the CLI and in URLs, their French titles, and which are archival. The policy and the store
//! name documents through this without the print engine (`render` holds the templates).

use std::fmt;

macro_rules! documents {
    ($( $variant:ident => $name:literal, $title:literal, $pdfa:literal; )*) => {
        /// Every document the engine prints. Names are the same in the CLI and in URLs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Document {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Document {
            /// Every document with a template.
            pub const ALL: &'static [Document] = &[$(Document::$variant),*];

            /// The name used in the CLI and in URLs (`certificat-scolarite`).
            pub fn name(self) -> &'static str {
                match self { $(Document::$variant => $name,)* }
            }

            /// The French title.
            pub fn titre(self) -> &'static str {
                match self { $(Document::$variant => $title,)* }
            }

            /// Whether the PDF is archival (PDF/A-2b): certificates and the legal register.
            pub fn pdf_a(self) -> bool {
                match self { $(Document::$variant => $pdfa,)* }
            }
        }
    };
}

documents! {
    CertificatScolarite => "certificat-scolarite", "Certificat de scolarité", true;
    FicheRenseignements => "fiche-renseignements", "Fiche de renseignements", false;
    ListeClasse => "liste-classe", "Liste de classe", false;
    CertificatInscription => "certificat-inscription", "Certificat d'inscription", true;
    CertificatRadiation => "certificat-radiation", "Certificat de radiation", true;
    NotificationPassage => "notification-passage", "Notification de poursuite de scolarité", false;
    RegistreEleves => "registre-eleves", "Registre des élèves inscrits", true;
    FicheUrgence => "fiche-urgence", "Fiche d'urgence", false;
    ListeAppel => "liste-appel", "Liste d'appel", false;
    ListeEleves => "liste-eleves", "Liste des élèves", false;
    ListeElectorale => "liste-electorale", "Liste électorale des parents d'élèves", false;
    AccuseVerification => "accuse-verification", "Accusé de réception de la vérification annuelle", false;
    ReleveDonnees => "releve-donnees", "Relevé des données", false;
    ConstatEffectifs => "constat-effectifs", "Constat des effectifs", false;
}

impl Document {
    /// Finds a document by its name.
    pub fn from_name(name: &str) -> Option<Document> {
        Document::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// Whether the document also exists as a spreadsheet (CSV): the lists a school hands to
    /// others (the parents' elections, the liste des élèves). Pages offer it beside the PDF.
    pub fn en_tableur(self) -> bool {
        matches!(self, Document::ListeElectorale | Document::ListeEleves)
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_certificates_are_archival() {
        for d in Document::ALL {
            assert_eq!(Document::from_name(d.name()), Some(*d));
            assert_eq!(d.to_string(), d.name());
            assert!(!d.titre().is_empty());
        }
        assert!(Document::CertificatScolarite.pdf_a() && Document::RegistreEleves.pdf_a());
        assert!(!Document::FicheRenseignements.pdf_a());
        assert_eq!(Document::from_name("inconnu"), None);
        let tableurs: Vec<_> = Document::ALL.iter().filter(|d| d.en_tableur()).collect();
        assert_eq!(tableurs, [&Document::ListeEleves, &Document::ListeElectorale]);
    }
}

/// A column of the liste des élèves, chosen by whoever prints it among those their role may see
/// (the policy maps each to its category of fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Colonne {
    /// Nom de famille.
    Nom,
    /// Prénoms.
    Prenoms,
    /// Sexe.
    Sexe,
    /// Date de naissance.
    Naissance,
    /// Niveau.
    Niveau,
    /// Classe.
    Classe,
    /// INE.
    Ine,
    /// Adresse de l'élève.
    Adresse,
}

impl Colonne {
    /// Every column, in the order they print.
    pub const TOUTES: [Colonne; 8] = [
        Colonne::Nom,
        Colonne::Prenoms,
        Colonne::Sexe,
        Colonne::Naissance,
        Colonne::Niveau,
        Colonne::Classe,
        Colonne::Ine,
        Colonne::Adresse,
    ];

    /// The columns printed when none are chosen.
    pub const DEFAUT: [Colonne; 6] =
        [Colonne::Nom, Colonne::Prenoms, Colonne::Sexe, Colonne::Naissance, Colonne::Niveau, Colonne::Classe];

    /// The code in URLs and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Colonne::Nom => "nom",
            Colonne::Prenoms => "prenoms",
            Colonne::Sexe => "sexe",
            Colonne::Naissance => "naissance",
            Colonne::Niveau => "niveau",
            Colonne::Classe => "classe",
            Colonne::Ine => "ine",
            Colonne::Adresse => "adresse",
        }
    }

    /// The heading printed.
    pub fn libelle(self) -> &'static str {
        match self {
            Colonne::Nom => "Nom",
            Colonne::Prenoms => "Prénoms",
            Colonne::Sexe => "Sexe",
            Colonne::Naissance => "Né(e) le",
            Colonne::Niveau => "Niveau",
            Colonne::Classe => "Classe",
            Colonne::Ine => "INE",
            Colonne::Adresse => "Adresse",
        }
    }

    /// Parses a comma-separated list of codes (`nom,prenoms,ine`), in the order given, without
    /// repeats; an unknown code is named in the French message.
    pub fn liste(s: &str) -> Result<Vec<Colonne>, String> {
        let mut out = Vec::new();
        for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let c = Colonne::TOUTES.iter().copied().find(|c| c.code() == code).ok_or_else(|| {
                let codes: Vec<&str> = Colonne::TOUTES.iter().map(|c| c.code()).collect();
                format!(
                    "colonne inconnue « {} » (possibles : {})",
                    // Echoed as letters and digits only: no markup nor direction control goes back.
                    code.chars().filter(|c| c.is_alphanumeric() || *c == '_').take(30).collect::<String>(),
                    codes.join(", ")
                )
            })?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        if out.is_empty() {
            return Err("choisissez au moins une colonne".into());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod colonnes_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn columns_parse_in_order_without_repeats() {
        assert_eq!(Colonne::liste("nom, ine,nom").unwrap(), [Colonne::Nom, Colonne::Ine]);
        assert!(Colonne::liste("nom,nationalite").unwrap_err().contains("« nationalite »"));
        let m = Colonne::liste("<b>\u{202E}evil").unwrap_err();
        assert!(m.contains("« bevil »") && !m.contains('<') && !m.contains('\u{202E}'), "{m}");
        assert!(Colonne::liste(" , ").is_err());
        for c in Colonne::TOUTES {
            assert_eq!(Colonne::liste(c.code()).unwrap(), [c]);
        }
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_in_french(s in "\\PC{0,80}") {
            match Colonne::liste(&s) {
                Ok(l) => prop_assert!(!l.is_empty() && l.len() <= Colonne::TOUTES.len()),
                Err(m) => prop_assert!(m.starts_with("colonne inconnue") || m.starts_with("choisissez")),
            }
        }
    }
}
