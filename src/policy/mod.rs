//! Who may do what: roles, perimeters, resources, actions and visible fields.
//!
//! One table ([`decider`]) says, for each role × relation to the record × resource × action,
//! whether it is allowed, which fields are visible, and whether a recent login is required.
//! Every handler asks it; every query is also scoped to the actor's perimeter in SQL, so a
//! record outside the perimeter is simply not found (404: its existence is not revealed).
//!
//! Rules kept here (docs/domaine.md §5):
//! - the mairie sees état civil only by default (identity, birth, address, school and status),
//!   widenable per département to responsables, contacts, schooling and périscolaire, but
//!   never the INE, the autorisations or the insurance;
//! - the statisticien sees no nominative data at all; the technical administrator no pupil data;
//! - IEN and IA-DASEN see everything of their territory, read-only;
//! - a parent sees everything about their own children, and who consulted the record;
//! - the principal de collège sees identity and responsables of the pupils assigned to the collège;
//! - every staff role needs a second factor before reading any pupil;
//! - exports and bulk prints need a login within the last 10 minutes.

mod champs;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use champs::Champs;

use crate::domain::Document;
use crate::domain::Perimetre;

/// The role of an account (one per account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Directeur or directrice d'école.
    Directeur,
    /// Agent de mairie.
    AgentMairie,
    /// Inspecteur de l'Éducation nationale (a circonscription).
    Ien,
    /// IA-DASEN (the département; the data controller).
    IaDasen,
    /// Statisticien (rectorat, ministère): anonymised data only.
    Statisticien,
    /// Responsable légal: their own children.
    Responsable,
    /// Principal de collège: pupils assigned to the collège for 6e.
    PrincipalCollege,
    /// Administrateur technique: no pupil data.
    AdminTechnique,
    /// Whoever holds the database file and runs the CLI on the server (journaled too).
    Operateur,
}

impl Role {
    /// Every role an account may have (not the CLI operator).
    pub const COMPTES: [Role; 8] = [
        Role::Directeur,
        Role::AgentMairie,
        Role::Ien,
        Role::IaDasen,
        Role::Statisticien,
        Role::Responsable,
        Role::PrincipalCollege,
        Role::AdminTechnique,
    ];

    /// Code stored in the database and used in the CLI.
    pub fn code(self) -> &'static str {
        match self {
            Role::Directeur => "directeur",
            Role::AgentMairie => "agent_mairie",
            Role::Ien => "ien",
            Role::IaDasen => "ia_dasen",
            Role::Statisticien => "statisticien",
            Role::Responsable => "responsable",
            Role::PrincipalCollege => "principal_college",
            Role::AdminTechnique => "admin_technique",
            Role::Operateur => "operateur",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Role::Directeur => "direction d'école",
            Role::AgentMairie => "agent de mairie",
            Role::Ien => "inspection de circonscription (IEN)",
            Role::IaDasen => "direction académique (IA-DASEN)",
            Role::Statisticien => "statisticien",
            Role::Responsable => "responsable légal",
            Role::PrincipalCollege => "principal de collège",
            Role::AdminTechnique => "administration technique",
            Role::Operateur => "opérateur du serveur",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Role> {
        Role::COMPTES.into_iter().chain([Role::Operateur]).find(|r| r.code() == s.trim())
    }

    /// Staff roles must enrol a TOTP second factor; parents may.
    pub fn exige_second_facteur(self) -> bool {
        !matches!(self, Role::Responsable | Role::Operateur)
    }

    /// Shortest password accepted (docs/architecture.md §4: 15 for staff, 12 otherwise).
    pub fn longueur_minimale(self) -> usize {
        if self == Role::Responsable { 12 } else { 15 }
    }

    /// Whether a perimeter fits the role.
    pub fn admet(self, p: &Perimetre) -> bool {
        matches!(
            (self, p),
            (Role::Directeur, Perimetre::Ecole(_))
                | (Role::AgentMairie, Perimetre::Commune(_))
                | (Role::Ien, Perimetre::Circonscription(_))
                | (Role::IaDasen, Perimetre::Departement(_))
                | (Role::Statisticien, Perimetre::Academie(_) | Perimetre::Departement(_))
                | (Role::Responsable, Perimetre::Responsable(_))
                | (Role::PrincipalCollege, Perimetre::College(_))
                | (Role::AdminTechnique | Role::Operateur, Perimetre::Installation)
        )
    }

    /// The kind of perimeter of the role, in French (for messages).
    pub fn perimetre_attendu(self) -> &'static str {
        match self {
            Role::Directeur => "une école",
            Role::AgentMairie => "une commune",
            Role::Ien => "une circonscription",
            Role::IaDasen => "un département",
            Role::Statisticien => "une académie ou un département",
            Role::Responsable => "un responsable légal",
            Role::PrincipalCollege => "un collège",
            Role::AdminTechnique | Role::Operateur => "l'installation",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How the record stands against the actor's perimeter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// Inside the perimeter.
    Propre,
    /// Outside it: always refused, answered as not found.
    Autre,
}

/// What is accessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ressource {
    /// A school's public description.
    Ecole,
    /// A class (label, niveaux, teacher, count).
    Classe,
    /// A pupil's record.
    Eleve,
    /// A printed document.
    Document(Document),
    /// Aggregate counts (effectifs).
    Statistiques,
    /// The consultation log of a pupil.
    Journal,
    /// Accounts.
    Compte,
    /// The département's settings (the mairie's widened view).
    Parametres,
    /// Inscriptions at the mairie.
    Inscription,
    /// The passage procedure (proposals, decisions, appeals).
    Passage,
    /// The family's answer to a passage proposal.
    ReponseFamille,
    /// The duplicate search before a new pupil is created (beyond the perimeter, five criteria).
    Doublons,
    /// The années scolaires (the rentrée).
    Annee,
    /// A pupil's état civil (identity, birth, address): what a mairie recorded and may correct.
    EtatCivil,
    /// A family's request to rectify a field of the record.
    Rectification,
    /// A family's opposition for legitimate reasons.
    Opposition,
    /// The constat des effectifs (counts per school and niveau; no pupil).
    Constat,
    /// The département's campaign windows (constat, prévision).
    Campagne,
    /// Statistical releases (pseudonymised files).
    Publication,
    /// The installation's health (base, journal, backups): never pupil data.
    Exploitation,
    /// A family's answer at the yearly check of the fiche, block by block.
    Verification,
    /// A school's campaign of the yearly check (closing date, reminders).
    CampagneVerification,
    /// A school's exchange files: the ministry's files (ONDE) imported or exported, a pupil's
    /// transfer dossier issued at radiation or imported at admission.
    Echange,
}

/// What is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read one record.
    Lire,
    /// List records.
    Lister,
    /// Search records by name.
    Rechercher,
    /// Print one document.
    Imprimer,
    /// Print in bulk or export (needs a recent login).
    Exporter,
    /// Create.
    Creer,
    /// Modify.
    Modifier,
    /// Disable or delete.
    Supprimer,
}

impl Action {
    /// Code used in the journal.
    pub fn code(self) -> &'static str {
        match self {
            Action::Lire => "lire",
            Action::Lister => "lister",
            Action::Rechercher => "rechercher",
            Action::Imprimer => "imprimer",
            Action::Exporter => "exporter",
            Action::Creer => "creer",
            Action::Modifier => "modifier",
            Action::Supprimer => "supprimer",
        }
    }
}

/// Per-département settings that widen or narrow the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reglages {
    /// The département widened the mairie's view to what the arrêté allows.
    pub mairie_etendue: bool,
}

/// The answer of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Refused.
    Refuse,
    /// Allowed, with the visible fields and whether a login within 10 minutes is required.
    Autorise {
        /// Fields of a pupil's record that may be shown.
        champs: Champs,
        /// A recent login is required (exports, bulk prints).
        recent: bool,
    },
}

impl Decision {
    /// Whether allowed.
    pub fn autorise(self) -> bool {
        matches!(self, Decision::Autorise { .. })
    }

    /// The visible fields (none when refused).
    pub fn champs(self) -> Champs {
        match self {
            Decision::Autorise { champs, .. } => champs,
            Decision::Refuse => Champs::AUCUN,
        }
    }
}

/// The fields of a pupil's record a role sees.
pub fn champs_visibles(role: Role, reglages: Reglages) -> Champs {
    match role {
        Role::Directeur | Role::Ien | Role::IaDasen | Role::Responsable | Role::Operateur => Champs::TOUS,
        Role::AgentMairie if reglages.mairie_etendue => Champs::ETAT_CIVIL | Champs::MAIRIE_ETENDUE,
        Role::AgentMairie => Champs::ETAT_CIVIL,
        Role::PrincipalCollege => Champs::IDENTITE | Champs::NAISSANCE | Champs::ECOLE | Champs::RESPONSABLES,
        Role::Statisticien | Role::AdminTechnique => Champs::AUCUN,
    }
}

fn oui(champs: Champs) -> Decision {
    Decision::Autorise { champs, recent: false }
}

fn recent(champs: Champs) -> Decision {
    Decision::Autorise { champs, recent: true }
}

/// The table. `Relation::Autre` is always refused.
pub fn decider(role: Role, relation: Relation, ressource: Ressource, action: Action, reglages: Reglages) -> Decision {
    use Action::*;
    use Decision::Refuse;
    use Ressource as R;
    use Role::*;

    if relation == Relation::Autre {
        return Refuse;
    }
    let champs = champs_visibles(role, reglages);
    let nominatif = !champs.is_empty();
    match (ressource, action) {
        // Schools are public descriptions: every role may read those of its perimeter.
        (R::Ecole, Lire | Lister) => oui(Champs::AUCUN),
        (R::Ecole, Creer | Modifier) => match role {
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Classe, Lire | Lister) => match role {
            Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            AgentMairie if reglages.mairie_etendue => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Eleve, Lire | Lister | Rechercher) if nominatif => oui(champs),
        (R::Eleve, Creer | Modifier) => match role {
            Directeur | Operateur => oui(Champs::TOUS),
            _ => Refuse,
        },
        (R::Document(doc), Imprimer | Exporter) => {
            let allowed = match doc {
                // Certificates are signed by the school's director; a family downloads its own
                // child's certificat de scolarité (a very common request).
                Document::CertificatScolarite => matches!(role, Directeur | Responsable | Operateur),
                // The family checks and corrects its own fiche.
                Document::FicheRenseignements => matches!(role, Directeur | Responsable | Operateur),
                // Class lists: the school and its inspectors.
                Document::ListeClasse => matches!(role, Directeur | Ien | IaDasen | Operateur),
                // Issued by the mairie, or by the school where the mairie does not use the system.
                Document::CertificatInscription => matches!(role, AgentMairie | Directeur | Operateur),
                // The school issues it; the mairie receives its copy.
                Document::CertificatRadiation => matches!(role, Directeur | AgentMairie | Operateur),
                // Letters to the family: the school sends them, the family may download them.
                Document::NotificationPassage => matches!(role, Directeur | Responsable | Operateur),
                // The legal register: the school and its inspectors.
                Document::RegistreEleves => matches!(role, Directeur | Ien | IaDasen | Operateur),
                // Filled by hand by the family: the school prints it, the family may too.
                Document::FicheUrgence => matches!(role, Directeur | Responsable | Operateur),
                // Emergency phones of a class, for drills: the school only.
                Document::ListeAppel => matches!(role, Directeur | Operateur),
                // Lists of pupils: the school and its inspectors.
                Document::ListeEleves => matches!(role, Directeur | Ien | IaDasen | Operateur),
                // The parents' election is the school's.
                Document::ListeElectorale => matches!(role, Directeur | Operateur),
                // The right of access: any staff of the Éducation nationale on request, or the
                // family (not the mairie, whose view is limited).
                Document::ReleveDonnees => matches!(role, Directeur | Ien | IaDasen | Responsable | Operateur),
                // The family's own receipt of its yearly check; the school may hand it over.
                Document::AccuseVerification => matches!(role, Directeur | Responsable | Operateur),
                // Counts, no pupil: the school, its IEN and its IA-DASEN.
                Document::ConstatEffectifs => matches!(role, Directeur | Ien | IaDasen | Operateur),
            };
            match (allowed, action) {
                (false, _) => Refuse,
                // The right of access is answered one pupil at a time, on request: never in bulk.
                (true, Exporter) if matches!(doc, Document::ReleveDonnees | Document::AccuseVerification) => Refuse,
                (true, Imprimer) => oui(champs),
                // Bulk prints and exports are for those who manage or inspect whole classes.
                (true, _) if matches!(role, Directeur | Ien | IaDasen | Operateur) => recent(champs),
                (true, _) => Refuse,
            }
        }
        (R::Statistiques, Lire | Lister) => match role {
            // Live counts for those who manage or inspect schools. The statisticien gets
            // precomputed releases only (never ad-hoc queries, one population).
            Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Journal, Lire | Lister) => match role {
            // A parent sees who consulted the child's record; the data controller may audit.
            Responsable | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Inscription, Lire | Lister) => match role {
            AgentMairie | Directeur | Ien | IaDasen | Operateur => oui(champs),
            _ => Refuse,
        },
        (R::Inscription, Creer | Modifier) => match role {
            AgentMairie | Directeur | Operateur => oui(champs),
            _ => Refuse,
        },
        (R::Passage, Lire) => match role {
            Directeur | Ien | IaDasen | Responsable | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Passage, Creer | Modifier) => match role {
            Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::ReponseFamille, Modifier) => match role {
            // The school records an answer on paper; the family may answer online.
            Directeur | Responsable | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Doublons, Rechercher) => match role {
            Directeur | AgentMairie | Operateur => oui(Champs::IDENTITE | Champs::NAISSANCE | Champs::ECOLE),
            _ => Refuse,
        },
        (R::EtatCivil, Modifier) => match role {
            // The school corrects the whole record; the mairie the état civil it recorded.
            Directeur | AgentMairie | Operateur => oui(Champs::ETAT_CIVIL),
            _ => Refuse,
        },
        (R::Rectification, Creer) => match role {
            Responsable => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Rectification, Lire | Lister) => match role {
            // The family its own; the school decides; the inspectors see the families' requests.
            Responsable | Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Rectification, Modifier) => match role {
            Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Opposition, Creer) => match role {
            Responsable => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Opposition, Lire | Lister) => match role {
            Responsable | Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Opposition, Modifier) => match role {
            // The data controller decides (Conseil d'État, 2010).
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Constat, Lire | Lister) => match role {
            // The school, its IEN and its IA-DASEN; the statisticien gets releases, not this.
            Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Constat, Modifier) => match role {
            // Each school validates its own constat.
            Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Exploitation, Lire) => match role {
            // The technical administrator's view: counts and checks, no pupil.
            AdminTechnique | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Echange, Lire) => match role {
            Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Echange, Creer | Exporter) => match role {
            // Whole files of pupils and families, in or out: the school's director only, after
            // a recent login like any bulk export.
            Directeur | Operateur => recent(Champs::TOUS),
            _ => Refuse,
        },
        (R::Publication, Creer) => match role {
            // The data controller prepares what leaves the département.
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Publication, Lister | Lire | Exporter) => match role {
            Statisticien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Verification, Creer) => match role {
            // Each family answers for its own children; nobody answers in its name.
            Responsable => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Verification, Lire) => match role {
            Responsable | Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Verification, Lister) => match role {
            // Who answered, per class (names and states, never the values sent): the school
            // follows it, its inspectors consult it like the class lists.
            Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Verification, Modifier) => match role {
            // The school decides, as for any correction of the record.
            Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::CampagneVerification, Lire) => match role {
            Responsable | Directeur | Ien | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::CampagneVerification, Modifier) => match role {
            // The school for itself; the IA-DASEN for every school of the département.
            Directeur | IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Campagne, Modifier) => match role {
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Annee, Modifier) => match role {
            // The rentrée is a département-wide switch, run by the data controller.
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Parametres, Lire | Modifier) => match role {
            // The IA-DASEN is the data controller: it decides what the mairies see.
            IaDasen | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        (R::Compte, Lire | Lister | Creer | Supprimer | Modifier) => match role {
            // IA-DASEN: the département's staff; directeur: the responsables of the school's pupils.
            IaDasen | Directeur | Operateur => oui(Champs::AUCUN),
            _ => Refuse,
        },
        _ => Refuse,
    }
}

/// How a record comes to lie in an actor's perimeter (docs/domaine.md §7). The store's
/// perimeter conditions (`store::perimetre::eleves`) implement exactly this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rattachement {
    /// A schooling record (admission, even provisional) in a school of the perimeter.
    Scolarite,
    /// An inscription of the perimeter that brought the pupil's record (a new child).
    InscriptionCreatrice,
    /// An inscription of the perimeter of a pupil already known elsewhere (chosen from the
    /// duplicate search): pending until the admission.
    InscriptionEleveConnu,
    /// Nothing but the duplicate search (five criteria typed, beyond the perimeter).
    RechercheDoublons,
}

impl Rattachement {
    /// The most of a pupil's record the attachment may open, before the role's own fields
    /// ([`champs_visibles`]) narrow it: a pending step on a pupil known elsewhere opens no
    /// more than the duplicate search showed (identity, birth, last school), never
    /// categories II–V. It is the admission, which waits for the radiation at the former
    /// school, that opens the record.
    pub fn champs(self) -> Champs {
        match self {
            Rattachement::Scolarite | Rattachement::InscriptionCreatrice => Champs::TOUS,
            Rattachement::InscriptionEleveConnu | Rattachement::RechercheDoublons => {
                Champs::IDENTITE | Champs::NAISSANCE | Champs::ECOLE
            }
        }
    }

    /// Whether the attachment makes the pupil's record readable as such (`GET /eleves/{id}`,
    /// documents): only a schooling record or the inscription that brought the record.
    pub fn ouvre_le_dossier(self) -> bool {
        self.champs() == Champs::TOUS
    }
}

/// Whose documents a print asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portee {
    /// One pupil, or one inscription.
    Eleve,
    /// A class.
    Classe,
    /// A school.
    Ecole,
    /// A circonscription (or more).
    Circonscription,
}

/// Whether a print is a print or an export (docs/domaine.md §5): one document about one
/// record, as one PDF (a pupil's document, a class's list, the school's register or electoral
/// list), is printed; many documents, or a spreadsheet, are an export, which asks for a
/// recent login.
pub fn action_de_tirage(doc: crate::domain::Document, portee: Portee, pdf: bool) -> Action {
    use crate::domain::Document as D;
    let unitaire = pdf
        && match portee {
            Portee::Eleve => true,
            Portee::Classe => matches!(doc, D::ListeClasse | D::ListeAppel | D::ListeEleves),
            Portee::Ecole => matches!(doc, D::RegistreEleves | D::ListeElectorale | D::ListeEleves),
            Portee::Circonscription => false,
        };
    if unitaire { Action::Imprimer } else { Action::Exporter }
}

/// The category of fields a column of the liste des élèves shows: a column is printed only
/// when the role sees that category.
pub fn champs_colonne(c: crate::domain::Colonne) -> Champs {
    use crate::domain::Colonne;
    match c {
        Colonne::Nom | Colonne::Prenoms | Colonne::Sexe => Champs::IDENTITE,
        Colonne::Naissance => Champs::NAISSANCE,
        Colonne::Niveau | Colonne::Classe => Champs::SCOLARITE,
        Colonne::Ine => Champs::INE,
        Colonne::Adresse => Champs::ADRESSE,
    }
}

/// Whether a pupil may be admitted in a school, given the school they attend this year, if
/// any (docs/domaine.md §7: the former school radiates first; the certificat de radiation goes with
/// the family). Returns the French refusal otherwise.
pub fn admission_possible(ecole_actuelle: Option<&str>, meme_ecole: bool) -> Result<(), String> {
    match ecole_actuelle {
        None => Ok(()),
        Some(_) if meme_ecole => Err("l'élève est déjà admis dans l'école".into()),
        Some(nom) => Err(format!(
            "l'élève est encore inscrit à l'école « {nom} » : elle doit d'abord le radier (certificat de radiation)"
        )),
    }
}

/// Whether a radiation may be cancelled (a radiation entered by mistake): by the
/// account that entered it, on the day it was entered (Paris), while the pupil has not been
/// admitted elsewhere. Returns the French refusal otherwise.
pub fn annulation_radiation_possible(
    auteur: &str,
    saisie_le: time::Date,
    acteur: &str,
    aujourdhui: time::Date,
    admis_ailleurs: bool,
) -> Result<(), String> {
    if auteur != acteur {
        Err("seule la personne qui a saisi la radiation peut l'annuler".into())
    } else if saisie_le != aujourdhui {
        Err("une radiation ne s'annule que le jour où elle a été saisie".into())
    } else if admis_ailleurs {
        Err("l'élève a depuis été admis dans une autre école".into())
    } else {
        Ok(())
    }
}

/// Which roles an account of `createur` may create (docs/domaine.md §5).
pub fn peut_creer(createur: Role, role: Role) -> bool {
    match createur {
        Role::Operateur => role != Role::Operateur,
        Role::IaDasen => matches!(role, Role::Directeur | Role::AgentMairie | Role::Ien | Role::PrincipalCollege),
        Role::Directeur => role == Role::Responsable,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
