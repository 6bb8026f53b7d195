//! The catalogue of printed documents (DOMAIN.md §8, DESIGN.md §5): their names, the same in
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
}

impl Document {
    /// Finds a document by its name.
    pub fn from_name(name: &str) -> Option<Document> {
        Document::ALL.iter().copied().find(|d| d.name() == name)
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
    }
}
