//! The field catalogue: every field of a pupil's record, written once.
//!
//! Each entity of the record (the pupil, a responsable as a person, a responsable's link with
//! one pupil, a person to contact, the year's answers, a schooling record) has one enum here.
//! Each variant gives its field's key (the same in JSON, in forms, in the database and in the
//! journal), its French label, its group (what the policy shows or hides, with its category of
//! the arrêté), whether a family may ask to rectify it, how a form asks for it, and, through one
//! exhaustive `match` per type, how to read it from the stored record and how to set it on what
//! was typed. Projection, corrections and their journal, rectification requests and the
//! correction form are driven from these tables, and so are the `responsable` table's columns
//! (the pupil's, a contact's and the year's SQL is still written by hand in the store). Adding
//! a field is adding a variant: the compiler then names every `match` to complete.

use serde_json::Value;

use super::eleve::EleveSaisie;
use super::fiche::{Contact, Eleve, EleveLigne, ResponsableFiche, Scolarite};
use super::responsable::{ResponsableIdentite, ResponsableSaisie};
use super::{ContactSaisie, correction::AnnuelSaisie};

/// The categories of data of the arrêté (docs/domaine.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Categorie {
    /// I: the pupil's identity and address.
    I,
    /// II: the responsables, autorisations, insurance.
    II,
    /// III: persons to contact.
    III,
    /// IV: schooling.
    IV,
    /// V: périscolaire.
    V,
}

/// A group of fields the policy shows or hides as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Groupe {
    /// Noms, prénoms, sexe.
    Identite,
    /// Date and place of birth.
    Naissance,
    /// The pupil's address.
    Adresse,
    /// The INE (never for the mairie).
    Ine,
    /// The school, and the state of inscription or admission.
    Ecole,
    /// Responsables légaux: identity, link, address, phones, e-mail.
    Responsables,
    /// Photo, address given to parents' associations.
    Autorisations,
    /// School insurance.
    Assurance,
    /// Emergency contacts and people allowed to collect the child.
    Contacts,
    /// Niveau, cycle, class, ULIS, dates, decisions.
    Scolarite,
    /// Canteen, care, study, transport.
    Periscolaire,
}

impl Groupe {
    /// Every group, in the order of their bits in the policy's sets.
    pub const TOUS: [Groupe; 11] = [
        Groupe::Identite,
        Groupe::Naissance,
        Groupe::Adresse,
        Groupe::Ine,
        Groupe::Ecole,
        Groupe::Responsables,
        Groupe::Autorisations,
        Groupe::Assurance,
        Groupe::Contacts,
        Groupe::Scolarite,
        Groupe::Periscolaire,
    ];

    /// The group's name in the API (`champs` of a record).
    pub fn cle(self) -> &'static str {
        match self {
            Groupe::Identite => "identite",
            Groupe::Naissance => "naissance",
            Groupe::Adresse => "adresse",
            Groupe::Ine => "ine",
            Groupe::Ecole => "ecole",
            Groupe::Responsables => "responsables",
            Groupe::Autorisations => "autorisations",
            Groupe::Assurance => "assurance",
            Groupe::Contacts => "contacts",
            Groupe::Scolarite => "scolarite",
            Groupe::Periscolaire => "periscolaire",
        }
    }

    /// The category of the arrêté the group's data belong to.
    pub fn categorie(self) -> Categorie {
        match self {
            Groupe::Identite | Groupe::Naissance | Groupe::Adresse | Groupe::Ine | Groupe::Ecole => Categorie::I,
            Groupe::Responsables | Groupe::Autorisations | Groupe::Assurance => Categorie::II,
            Groupe::Contacts => Categorie::III,
            Groupe::Scolarite => Categorie::IV,
            Groupe::Periscolaire => Categorie::V,
        }
    }
}

/// What a family may do with a field (docs/domaine.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Famille {
    /// Nothing: a decision (the INE, the schooling, the parental authority) or what the
    /// school records from the birth certificate.
    Aucun,
    /// Ask the school to rectify it, one field at a time: the état civil the mairie recorded,
    /// which the yearly check shows but does not ask the family to retype.
    Demande,
    /// Answer it at the yearly check, and ask to rectify it at any time.
    Fiche,
    /// Answer it at the yearly check only: the year's choices (autorisations, insurance,
    /// périscolaire, who may collect the child, consent for the parents' associations).
    Annee,
}

/// How a form asks for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formulaire {
    /// The label beside the input.
    pub libelle: &'static str,
    /// `texte`, `tel`, `email`, `choix` (a list), `oui_non` (yes, no or not known) or `case` (a
    /// checkbox).
    pub genre: &'static str,
    /// Required.
    pub requis: bool,
    /// Longest value (characters; 0 for a choice).
    pub max: usize,
}

macro_rules! catalogue {
    (
        $(#[$m:meta])*
        $nom:ident {
            $($(#[$vm:meta])* $var:ident => $cle:literal, $libelle:literal, $groupe:ident, famille: $famille:ident,
                ($form:literal, $genre:literal, $requis:literal, $max:literal);)*
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $nom {
            $($(#[$vm])* $var,)*
        }

        impl $nom {
            /// Every field, in the order of the printed fiche.
            pub const TOUS: &'static [$nom] = &[$($nom::$var,)*];

            /// The key: in JSON, in forms, in the database, in the journal.
            pub fn cle(self) -> &'static str {
                match self { $($nom::$var => $cle,)* }
            }

            /// The field in French, lower-case.
            pub fn libelle(self) -> &'static str {
                match self { $($nom::$var => $libelle,)* }
            }

            /// The group the policy shows or hides it with.
            pub fn groupe(self) -> Groupe {
                match self { $($nom::$var => Groupe::$groupe,)* }
            }

            /// What a family may do with it.
            pub fn famille(self) -> Famille {
                match self { $($nom::$var => Famille::$famille,)* }
            }

            /// Whether a family may ask to rectify it.
            pub fn rectifiable_par_la_famille(self) -> bool {
                matches!(self.famille(), Famille::Demande | Famille::Fiche)
            }

            /// Whether a family answers it at the yearly check (`service::verifications`).
            pub fn verifie_par_la_famille(self) -> bool {
                matches!(self.famille(), Famille::Fiche | Famille::Annee)
            }

            /// How the correction form asks for it.
            pub fn formulaire(self) -> Formulaire {
                match self {
                    $($nom::$var => Formulaire { libelle: $form, genre: $genre, requis: $requis, max: $max },)*
                }
            }

            /// The field of this key.
            pub fn parse(cle: &str) -> Option<Self> {
                Self::TOUS.iter().copied().find(|c| c.cle() == cle)
            }
        }
    };
}

catalogue! {
    /// The pupil's fields (category I).
    ChampEleve {
        /// INE.
        Ine => "ine", "INE", Ine, famille: Aucun, ("INE", "texte", false, 11);
        /// Nom de famille.
        Nom => "nom", "nom de famille", Identite, famille: Demande, ("Nom de famille", "texte", true, 100);
        /// Nom d'usage.
        NomUsage => "nom_usage", "nom d'usage", Identite, famille: Demande, ("Nom d'usage", "texte", false, 100);
        /// Prénoms.
        Prenoms => "prenoms", "prénoms", Identite, famille: Demande, ("Prénoms", "texte", true, 200);
        /// Sexe.
        Sexe => "sexe", "sexe", Identite, famille: Demande, ("Sexe", "choix", true, 0);
        /// Date of birth.
        DateNaissance => "date_naissance", "date de naissance", Naissance, famille: Demande,
            ("Date de naissance (jj/mm/aaaa)", "texte", true, 10);
        /// Birthplace as printed.
        NaissanceLieu => "naissance_lieu", "lieu de naissance", Naissance, famille: Aucun,
            ("Lieu de naissance", "texte", true, 150);
        /// Birthplace code.
        NaissanceInsee => "naissance_insee", "code INSEE du lieu de naissance", Naissance, famille: Aucun,
            ("Code INSEE du lieu de naissance (99… à l'étranger ; 00000 : à compléter)", "texte", true, 5);
        /// Street.
        Adresse => "adresse", "adresse", Adresse, famille: Fiche, ("Adresse", "texte", false, 150);
        /// Postcode.
        CodePostal => "code_postal", "code postal", Adresse, famille: Fiche, ("Code postal", "texte", false, 5);
        /// Commune of residence.
        CommuneResidence => "commune_residence", "commune de résidence", Adresse, famille: Fiche,
            ("Commune", "texte", false, 150);
    }
}

catalogue! {
    /// A responsable's own fields (category II): the person, shared by siblings.
    ChampResponsable {
        /// `M.` or `Mme`.
        Civilite => "civilite", "civilité", Responsables, famille: Fiche, ("Civilité", "choix", false, 0);
        /// Nom.
        Nom => "nom", "nom", Responsables, famille: Fiche, ("Nom", "texte", true, 100);
        /// Prénom.
        Prenom => "prenom", "prénom", Responsables, famille: Fiche, ("Prénom", "texte", true, 200);
        /// Street.
        Adresse => "adresse", "adresse", Responsables, famille: Fiche, ("Adresse", "texte", false, 150);
        /// Postcode.
        CodePostal => "code_postal", "code postal", Responsables, famille: Fiche, ("Code postal", "texte", false, 10);
        /// Commune.
        Commune => "commune", "commune", Responsables, famille: Fiche, ("Commune", "texte", false, 150);
        /// Country, when abroad.
        Pays => "pays", "pays", Responsables, famille: Fiche, ("Pays (à l'étranger)", "texte", false, 150);
        /// Mobile phone.
        TelPortable => "tel_portable", "téléphone portable", Responsables, famille: Fiche,
            ("Téléphone portable", "tel", false, 30);
        /// Home phone.
        TelDomicile => "tel_domicile", "téléphone domicile", Responsables, famille: Fiche,
            ("Téléphone domicile", "tel", false, 30);
        /// Work phone.
        TelTravail => "tel_travail", "téléphone travail", Responsables, famille: Fiche,
            ("Téléphone travail", "tel", false, 30);
        /// E-mail.
        Courriel => "courriel", "courriel", Responsables, famille: Fiche, ("Courriel", "email", false, 150);
    }
}

catalogue! {
    /// A responsable's link with one pupil (category II).
    ChampLien {
        /// Mother, father, guardian, third party.
        Lien => "lien", "lien avec l'enfant", Responsables, famille: Aucun, ("Lien avec l'enfant", "choix", true, 0);
        /// False only when withdrawn by a court.
        AutoriteParentale => "autorite_parentale", "autorité parentale", Responsables, famille: Aucun,
            ("Autorité parentale", "oui_non", false, 0);
        /// The address may be given to parents' associations (this year).
        AccordAssociations => "accord_associations", "accord pour les associations de parents", Autorisations,
            famille: Annee, ("Accepte que son adresse soit donnée aux associations de parents", "oui_non", false, 0);
    }
}

catalogue! {
    /// A person to call or allowed to collect the child (category III).
    ChampContact {
        /// Nom.
        Nom => "nom", "nom", Contacts, famille: Fiche, ("Nom", "texte", false, 100);
        /// Prénom.
        Prenom => "prenom", "prénom", Contacts, famille: Fiche, ("Prénom", "texte", false, 200);
        /// Short link (« grand-mère »).
        Lien => "lien", "lien avec l'enfant", Contacts, famille: Fiche,
            ("Lien avec l'enfant (grand-mère, voisin…)", "texte", false, 40);
        /// Phone.
        Telephone => "telephone", "téléphone", Contacts, famille: Fiche, ("Téléphone", "tel", false, 30);
        /// Second phone.
        Telephone2 => "telephone_2", "second téléphone", Contacts, famille: Fiche,
            ("Second téléphone", "tel", false, 30);
        /// To call in an emergency.
        Urgence => "urgence", "à appeler en cas d'urgence", Contacts, famille: Annee,
            ("À appeler en cas d'urgence", "case", false, 0);
        /// Allowed to collect the child.
        Recuperer => "recuperer", "autorisée à venir chercher l'enfant", Contacts, famille: Annee,
            ("Autorisée à venir chercher l'enfant", "case", false, 0);
    }
}

catalogue! {
    /// This year's autorisations, insurance and périscolaire (categories II and V).
    ChampAnnuel {
        /// Photographs during school activities.
        AutorisationPhoto => "autorisation_photo", "autorisation photo", Autorisations, famille: Annee,
            ("Photographie de l'enfant dans le cadre des activités scolaires", "oui_non", false, 0);
        /// Leaving school alone after class (élémentaire: a maternelle pupil is always handed
        /// to an adult).
        SortieSeul => "sortie_seul", "sortie seul après la classe", Autorisations, famille: Annee,
            ("Autorisé(e) à quitter l'école seul(e) après la classe (élémentaire)", "oui_non", false, 0);
        /// Insurer.
        Assureur => "assureur", "assureur", Assurance, famille: Annee,
            ("Assurance scolaire : assureur", "texte", false, 150);
        /// Policy number.
        AssuranceNumero => "assurance_numero", "numéro de contrat d'assurance", Assurance, famille: Annee,
            ("Numéro de contrat", "texte", false, 60);
        /// School canteen.
        Cantine => "cantine", "cantine", Periscolaire, famille: Annee,
            ("Restauration scolaire (cantine)", "oui_non", false, 0);
        /// Morning care.
        GarderieMatin => "garderie_matin", "garderie du matin", Periscolaire, famille: Annee,
            ("Garderie du matin", "oui_non", false, 0);
        /// Evening care.
        GarderieSoir => "garderie_soir", "garderie du soir", Periscolaire, famille: Annee,
            ("Garderie du soir", "oui_non", false, 0);
        /// Supervised study.
        Etude => "etude", "étude surveillée", Periscolaire, famille: Annee, ("Étude surveillée", "oui_non", false, 0);
        /// School transport.
        Transport => "transport", "transport scolaire", Periscolaire, famille: Annee,
            ("Transport scolaire", "oui_non", false, 0);
    }
}

catalogue! {
    /// One schooling record (category IV; the school and state with the identity).
    ChampScolarite {
        /// Année scolaire.
        Annee => "annee", "année scolaire", Ecole, famille: Aucun, ("Année scolaire", "texte", true, 9);
        /// School id.
        EcoleId => "ecole_id", "école", Ecole, famille: Aucun, ("École", "choix", true, 0);
        /// School UAI.
        Uai => "uai", "UAI de l'école", Ecole, famille: Aucun, ("UAI", "texte", true, 8);
        /// School name.
        Ecole => "ecole", "nom de l'école", Ecole, famille: Aucun, ("École", "texte", true, 150);
        /// State.
        Etat => "etat", "état", Ecole, famille: Aucun, ("État", "choix", true, 0);
        /// Date of admission.
        DateAdmission => "date_admission", "date d'admission", Ecole, famille: Aucun,
            ("Date d'admission", "texte", true, 10);
        /// Date of leaving.
        DateSortie => "date_sortie", "date de sortie", Ecole, famille: Aucun, ("Date de sortie", "texte", false, 10);
        /// Niveau.
        Niveau => "niveau", "niveau", Scolarite, famille: Aucun, ("Niveau", "choix", true, 0);
        /// Cycle.
        Cycle => "cycle", "cycle", Scolarite, famille: Aucun, ("Cycle", "texte", false, 1);
        /// Class id.
        ClasseId => "classe_id", "classe", Scolarite, famille: Aucun, ("Classe", "choix", false, 0);
        /// Class label.
        Classe => "classe", "libellé de la classe", Scolarite, famille: Aucun, ("Classe", "texte", false, 60);
        /// ULIS dispositif.
        Ulis => "ulis", "dispositif ULIS", Scolarite, famille: Aucun, ("ULIS", "case", false, 0);
    }
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A value as text: what a form shows, what the journal compares (`oui`/`non` for answers).
pub fn texte(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "oui" } else { "non" }.into()),
        autre => Some(autre.to_string()),
    }
}

/// The fields of `tous` whose value differs between `avant` and `apres`, in the catalogue's
/// order: what the journal records of a correction (names only, never values).
pub fn differences<C: Copy, T>(tous: &[C], valeur: impl Fn(C, &T) -> Value, avant: &T, apres: &T) -> Vec<C> {
    tous.iter().copied().filter(|c| valeur(*c, avant) != valeur(*c, apres)).collect()
}

fn opt(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl ChampEleve {
    /// The stored value, as the API gives it.
    pub fn valeur(self, e: &Eleve) -> Value {
        match self {
            ChampEleve::Ine => json(&e.ine),
            ChampEleve::Nom => json(&e.nom),
            ChampEleve::NomUsage => json(&e.nom_usage),
            ChampEleve::Prenoms => json(&e.prenoms),
            ChampEleve::Sexe => json(&e.sexe),
            ChampEleve::DateNaissance => json(&e.date_naissance),
            ChampEleve::NaissanceLieu => json(&e.naissance_lieu),
            ChampEleve::NaissanceInsee => json(&e.naissance_insee),
            ChampEleve::Adresse => json(&e.adresse),
            ChampEleve::CodePostal => json(&e.code_postal),
            ChampEleve::CommuneResidence => json(&e.commune_residence),
        }
    }

    /// The value a list line carries (`None` for what a line does not hold).
    pub fn valeur_ligne(self, l: &EleveLigne) -> Option<Value> {
        Some(match self {
            ChampEleve::Nom => json(&l.nom),
            ChampEleve::NomUsage => json(&l.nom_usage),
            ChampEleve::Prenoms => json(&l.prenoms),
            ChampEleve::Sexe => json(&l.sexe),
            ChampEleve::DateNaissance => json(&l.date_naissance),
            ChampEleve::Ine
            | ChampEleve::NaissanceLieu
            | ChampEleve::NaissanceInsee
            | ChampEleve::Adresse
            | ChampEleve::CodePostal
            | ChampEleve::CommuneResidence => return None,
        })
    }

    /// Sets the field as typed (an empty text clears an optional field).
    pub fn poser(self, s: &mut EleveSaisie, v: Option<String>) {
        match self {
            ChampEleve::Ine => s.ine = opt(v),
            ChampEleve::Nom => s.nom = v.unwrap_or_default(),
            ChampEleve::NomUsage => s.nom_usage = opt(v),
            ChampEleve::Prenoms => s.prenoms = v.unwrap_or_default(),
            ChampEleve::Sexe => s.sexe = v.unwrap_or_default(),
            ChampEleve::DateNaissance => s.date_naissance = v.unwrap_or_default(),
            ChampEleve::NaissanceLieu => s.naissance_lieu = v.unwrap_or_default(),
            ChampEleve::NaissanceInsee => s.naissance_insee = v.unwrap_or_default(),
            ChampEleve::Adresse => s.adresse = opt(v),
            ChampEleve::CodePostal => s.code_postal = opt(v),
            ChampEleve::CommuneResidence => s.commune_residence = opt(v),
        }
    }
}

impl ChampResponsable {
    /// A responsable's phones, in calling order.
    pub const TELEPHONES: [ChampResponsable; 3] =
        [ChampResponsable::TelPortable, ChampResponsable::TelDomicile, ChampResponsable::TelTravail];

    /// A phone's short name (`portable`, `domicile`, `travail`).
    pub fn court(self) -> &'static str {
        self.libelle().trim_start_matches("téléphone ")
    }

    /// The stored value.
    pub fn valeur(self, r: &ResponsableIdentite) -> Value {
        match self {
            ChampResponsable::Civilite => json(&r.civilite),
            ChampResponsable::Nom => json(&r.nom),
            ChampResponsable::Prenom => json(&r.prenom),
            ChampResponsable::Adresse => json(&r.adresse),
            ChampResponsable::CodePostal => json(&r.code_postal),
            ChampResponsable::Commune => json(&r.commune),
            ChampResponsable::Pays => json(&r.pays),
            ChampResponsable::TelPortable => json(&r.tel_portable),
            ChampResponsable::TelDomicile => json(&r.tel_domicile),
            ChampResponsable::TelTravail => json(&r.tel_travail),
            ChampResponsable::Courriel => json(&r.courriel),
        }
    }

    /// The stored value as text.
    pub fn texte(self, r: &ResponsableIdentite) -> Option<String> {
        texte(&self.valeur(r))
    }

    /// The value as typed.
    pub fn lire(self, s: &ResponsableSaisie) -> Option<&str> {
        match self {
            ChampResponsable::Civilite => s.civilite.as_deref(),
            ChampResponsable::Nom => Some(&s.nom),
            ChampResponsable::Prenom => Some(&s.prenom),
            ChampResponsable::Adresse => s.adresse.as_deref(),
            ChampResponsable::CodePostal => s.code_postal.as_deref(),
            ChampResponsable::Commune => s.commune.as_deref(),
            ChampResponsable::Pays => s.pays.as_deref(),
            ChampResponsable::TelPortable => s.tel_portable.as_deref(),
            ChampResponsable::TelDomicile => s.tel_domicile.as_deref(),
            ChampResponsable::TelTravail => s.tel_travail.as_deref(),
            ChampResponsable::Courriel => s.courriel.as_deref(),
        }
    }

    /// Sets the field as typed (an empty text clears an optional field).
    pub fn poser(self, s: &mut ResponsableSaisie, v: Option<String>) {
        match self {
            ChampResponsable::Civilite => s.civilite = opt(v),
            ChampResponsable::Nom => s.nom = v.unwrap_or_default(),
            ChampResponsable::Prenom => s.prenom = v.unwrap_or_default(),
            ChampResponsable::Adresse => s.adresse = opt(v),
            ChampResponsable::CodePostal => s.code_postal = opt(v),
            ChampResponsable::Commune => s.commune = opt(v),
            ChampResponsable::Pays => s.pays = opt(v),
            ChampResponsable::TelPortable => s.tel_portable = opt(v),
            ChampResponsable::TelDomicile => s.tel_domicile = opt(v),
            ChampResponsable::TelTravail => s.tel_travail = opt(v),
            ChampResponsable::Courriel => s.courriel = opt(v),
        }
    }
}

impl ResponsableIdentite {
    /// « Mme Anne DURAND »: civilité, prénom and nom, as a letter or a document names them.
    pub fn designation(&self) -> String {
        let civilite = self.civilite.map(|c| c.code());
        civilite.into_iter().chain([self.prenom.as_str(), self.nom.as_str()]).collect::<Vec<_>>().join(" ")
    }

    /// The phones given, in calling order, each with its short name (`portable`…).
    pub fn telephones(&self) -> Vec<(&'static str, String)> {
        ChampResponsable::TELEPHONES.iter().filter_map(|c| c.texte(self).map(|t| (c.court(), t))).collect()
    }
}

impl ChampLien {
    /// The stored value.
    pub fn valeur(self, r: &ResponsableFiche) -> Value {
        match self {
            ChampLien::Lien => json(&r.personne.lien),
            ChampLien::AutoriteParentale => json(&r.autorite_parentale),
            ChampLien::AccordAssociations => json(&r.accord_associations),
        }
    }
}

impl ChampContact {
    /// The stored value.
    pub fn valeur(self, k: &Contact) -> Value {
        match self {
            ChampContact::Nom => json(&k.nom),
            ChampContact::Prenom => json(&k.prenom),
            ChampContact::Lien => json(&k.lien),
            ChampContact::Telephone => json(&k.telephone),
            ChampContact::Telephone2 => json(&k.telephone_2),
            ChampContact::Urgence => json(&k.urgence),
            ChampContact::Recuperer => json(&k.recuperer),
        }
    }

    /// Sets the field as typed (an empty text clears an optional field; `oui` ticks a box).
    pub fn poser(self, s: &mut ContactSaisie, v: Option<String>) {
        let coche = |v: &Option<String>| matches!(v.as_deref(), Some("oui" | "on" | "true"));
        match self {
            ChampContact::Nom => s.nom = v.unwrap_or_default(),
            ChampContact::Prenom => s.prenom = v.unwrap_or_default(),
            ChampContact::Lien => s.lien = opt(v),
            ChampContact::Telephone => s.telephone = v.unwrap_or_default(),
            ChampContact::Telephone2 => s.telephone_2 = opt(v),
            ChampContact::Urgence => s.urgence = coche(&v),
            ChampContact::Recuperer => s.recuperer = coche(&v),
        }
    }
}

/// A label or message as the start of a line: its first letter upper-cased (labels and the
/// domain's messages start in lower case, to be embedded in a sentence).
pub fn phrase(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl ChampAnnuel {
    /// The stored value.
    pub fn valeur(self, a: &AnnuelSaisie) -> Value {
        match self {
            ChampAnnuel::AutorisationPhoto => json(&a.autorisation_photo),
            ChampAnnuel::SortieSeul => json(&a.sortie_seul),
            ChampAnnuel::Assureur => json(&a.assureur),
            ChampAnnuel::AssuranceNumero => json(&a.assurance_numero),
            ChampAnnuel::Cantine => json(&a.cantine),
            ChampAnnuel::GarderieMatin => json(&a.garderie_matin),
            ChampAnnuel::GarderieSoir => json(&a.garderie_soir),
            ChampAnnuel::Etude => json(&a.etude),
            ChampAnnuel::Transport => json(&a.transport),
        }
    }

    /// Sets the field as typed: a text, or `oui`/`non` (anything else: not known).
    pub fn poser(self, a: &mut AnnuelSaisie, v: Option<String>) {
        let b = match v.as_deref() {
            Some("oui") => Some(true),
            Some("non") => Some(false),
            _ => None,
        };
        match self {
            ChampAnnuel::AutorisationPhoto => a.autorisation_photo = b,
            ChampAnnuel::SortieSeul => a.sortie_seul = b,
            ChampAnnuel::Assureur => a.assureur = opt(v),
            ChampAnnuel::AssuranceNumero => a.assurance_numero = opt(v),
            ChampAnnuel::Cantine => a.cantine = b,
            ChampAnnuel::GarderieMatin => a.garderie_matin = b,
            ChampAnnuel::GarderieSoir => a.garderie_soir = b,
            ChampAnnuel::Etude => a.etude = b,
            ChampAnnuel::Transport => a.transport = b,
        }
    }
}

impl ChampScolarite {
    /// The stored value.
    pub fn valeur(self, s: &Scolarite) -> Value {
        match self {
            ChampScolarite::Annee => json(&s.annee),
            ChampScolarite::EcoleId => json(&s.ecole_id),
            ChampScolarite::Uai => json(&s.uai),
            ChampScolarite::Ecole => json(&s.ecole),
            ChampScolarite::Etat => json(&s.etat),
            ChampScolarite::DateAdmission => json(&s.date_admission),
            ChampScolarite::DateSortie => json(&s.date_sortie),
            ChampScolarite::Niveau => json(&s.niveau),
            ChampScolarite::Cycle => json(&s.cycle),
            ChampScolarite::ClasseId => json(&s.classe_id),
            ChampScolarite::Classe => json(&s.classe),
            ChampScolarite::Ulis => json(&s.ulis),
        }
    }

    /// The value a list line carries (`None` for what a line does not hold).
    pub fn valeur_ligne(self, l: &EleveLigne) -> Option<Value> {
        Some(match self {
            ChampScolarite::EcoleId => json(&l.ecole_id),
            ChampScolarite::Uai => json(&l.uai),
            ChampScolarite::Etat => json(&l.etat),
            ChampScolarite::Niveau => json(&l.niveau),
            ChampScolarite::ClasseId => json(&l.classe_id),
            ChampScolarite::Classe => json(&l.classe),
            ChampScolarite::Annee
            | ChampScolarite::Ecole
            | ChampScolarite::DateAdmission
            | ChampScolarite::DateSortie
            | ChampScolarite::Cycle
            | ChampScolarite::Ulis => return None,
        })
    }
}

#[cfg(test)]
mod tests;
