//! The pupil's lifecycle (docs/domaine.md §7) as state machines: every transition is a function that
//! returns the new state or a French refusal; nothing moves by arithmetic on codes.
//!
//! - inscription (mairie): en attente → inscrit → admis, or annulé;
//! - schooling record (école): admis provisoirement → admis définitivement; radié; parti;
//! - passage: proposition → family's answer within 15 days (silence means acceptance) →
//!   decision → appeal within 15 days → the commission's ruling.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use super::niveau::Niveau;
use super::scolarite::EtatScolarite;

/// The family's time to answer a proposal, and to appeal a decision.
pub const DELAI_FAMILLE: Duration = Duration::days(15);

/// A refused transition, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refus(pub String);

fn refus<T>(m: impl Into<String>) -> Result<T, Refus> {
    Err(Refus(m.into()))
}

/// Where a child is to be schooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModeScolarisation {
    /// An ordinary school (designated by the mairie).
    Ecole,
    /// Distance learning (CNED).
    Cned,
    /// Schooling at hospital.
    Hopital,
    /// A specialised establishment.
    EtablissementSpecialise,
    /// Instruction en famille.
    InstructionFamille,
}

impl ModeScolarisation {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ModeScolarisation::Ecole => "ecole",
            ModeScolarisation::Cned => "cned",
            ModeScolarisation::Hopital => "hopital",
            ModeScolarisation::EtablissementSpecialise => "etablissement_specialise",
            ModeScolarisation::InstructionFamille => "instruction_famille",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            ModeScolarisation::Ecole => "école",
            ModeScolarisation::Cned => "enseignement à distance (CNED)",
            ModeScolarisation::Hopital => "scolarisation à l'hôpital",
            ModeScolarisation::EtablissementSpecialise => "établissement spécialisé",
            ModeScolarisation::InstructionFamille => "instruction dans la famille",
        }
    }

    /// Every mode.
    pub const TOUS: [ModeScolarisation; 5] =
        [Self::Ecole, Self::Cned, Self::Hopital, Self::EtablissementSpecialise, Self::InstructionFamille];

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, Refus> {
        Self::TOUS.into_iter().find(|m| m.code() == s.trim()).ok_or_else(|| {
            Refus(
                "mode de scolarisation inconnu (ecole, cned, hopital, etablissement_specialise, instruction_famille)"
                    .into(),
            )
        })
    }
}

/// The state of an inscription at the mairie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EtatInscription {
    /// Recorded, not yet confirmed (papers to check, school to designate).
    EnAttente,
    /// Confirmed: the certificat d'inscription can be issued.
    Inscrit,
    /// Cancelled.
    Annule,
    /// The designated school admitted the child.
    Admis,
}

impl EtatInscription {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            EtatInscription::EnAttente => "en_attente",
            EtatInscription::Inscrit => "inscrit",
            EtatInscription::Annule => "annule",
            EtatInscription::Admis => "admis",
        }
    }

    /// Every state.
    pub const TOUS: [EtatInscription; 4] = [Self::EnAttente, Self::Inscrit, Self::Annule, Self::Admis];

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::TOUS.into_iter().find(|e| e.code() == s)
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            EtatInscription::EnAttente => "en attente de confirmation",
            EtatInscription::Inscrit => "inscrit",
            EtatInscription::Annule => "annulée",
            EtatInscription::Admis => "admis à l'école",
        }
    }

    /// Confirms the inscription.
    pub fn inscrire(self) -> Result<Self, Refus> {
        match self {
            EtatInscription::EnAttente => Ok(EtatInscription::Inscrit),
            EtatInscription::Inscrit => refus("l'enfant est déjà inscrit"),
            EtatInscription::Annule => refus("cette inscription a été annulée : enregistrez-en une nouvelle"),
            EtatInscription::Admis => refus("l'enfant est déjà admis à l'école"),
        }
    }

    /// Cancels the inscription (before admission).
    pub fn annuler(self) -> Result<Self, Refus> {
        match self {
            EtatInscription::EnAttente | EtatInscription::Inscrit => Ok(EtatInscription::Annule),
            EtatInscription::Annule => refus("cette inscription est déjà annulée"),
            EtatInscription::Admis => refus("l'enfant est admis : c'est à l'école de le radier s'il part"),
        }
    }

    /// Consumes the inscription at admission.
    pub fn admettre(self) -> Result<Self, Refus> {
        match self {
            EtatInscription::Inscrit => Ok(EtatInscription::Admis),
            EtatInscription::EnAttente => refus("l'inscription n'est pas encore confirmée par la mairie"),
            EtatInscription::Annule => refus("cette inscription a été annulée"),
            EtatInscription::Admis => refus("l'enfant est déjà admis"),
        }
    }
}

/// A paper the admission needs (docs/domaine.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Piece {
    /// The mairie's certificat d'inscription.
    CertificatInscription,
    /// The livret de famille (or a birth certificate).
    LivretFamille,
    /// Proof of the compulsory vaccinations (the paper only: nothing of it is stored).
    Vaccinations,
    /// The former school's certificat de radiation (change of school).
    CertificatRadiation,
}

impl Piece {
    /// Every paper.
    pub const TOUTES: [Piece; 4] =
        [Piece::CertificatInscription, Piece::LivretFamille, Piece::Vaccinations, Piece::CertificatRadiation];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Piece::CertificatInscription => "certificat_inscription",
            Piece::LivretFamille => "livret_famille",
            Piece::Vaccinations => "vaccinations",
            Piece::CertificatRadiation => "certificat_radiation",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Piece::CertificatInscription => "certificat d'inscription de la mairie",
            Piece::LivretFamille => "livret de famille ou acte de naissance",
            Piece::Vaccinations => "justificatif des vaccinations obligatoires",
            Piece::CertificatRadiation => "certificat de radiation de l'école précédente",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, Refus> {
        Piece::TOUTES
            .into_iter()
            .find(|p| p.code() == s.trim())
            .ok_or_else(|| Refus(format!("pièce « {} » inconnue", s.chars().take(40).collect::<String>())))
    }
}

impl EtatScolarite {
    /// The admission's state, provisional when a paper is missing.
    pub fn admission(pieces_manquantes: &[Piece]) -> EtatScolarite {
        if pieces_manquantes.is_empty() { EtatScolarite::AdmisDefinitif } else { EtatScolarite::AdmisProvisoire }
    }

    /// The file is complete: provisional → definitive.
    pub fn completer(self) -> Result<Self, Refus> {
        match self {
            EtatScolarite::AdmisProvisoire => Ok(EtatScolarite::AdmisDefinitif),
            EtatScolarite::AdmisDefinitif => refus("l'admission est déjà définitive"),
            EtatScolarite::Radie | EtatScolarite::Parti => refus("l'élève n'est plus dans l'école"),
        }
    }

    /// Radiation (on the written request of a parent).
    pub fn radier(self) -> Result<Self, Refus> {
        match self {
            EtatScolarite::AdmisProvisoire | EtatScolarite::AdmisDefinitif => Ok(EtatScolarite::Radie),
            EtatScolarite::Radie => refus("l'élève est déjà radié"),
            EtatScolarite::Parti => refus("l'élève a déjà quitté l'école"),
        }
    }

    /// A radiation entered by mistake, cancelled: back to the admission it ended (provisional
    /// while papers are missing).
    pub fn annuler_radiation(self, pieces_manquantes: bool) -> Result<Self, Refus> {
        match self {
            EtatScolarite::Radie if pieces_manquantes => Ok(EtatScolarite::AdmisProvisoire),
            EtatScolarite::Radie => Ok(EtatScolarite::AdmisDefinitif),
            _ => refus("l'élève n'est pas radié"),
        }
    }

    /// End of the year for a pupil who leaves the school.
    pub fn partir(self) -> Result<Self, Refus> {
        match self {
            EtatScolarite::AdmisProvisoire | EtatScolarite::AdmisDefinitif => Ok(EtatScolarite::Parti),
            EtatScolarite::Radie => refus("l'élève est radié"),
            EtatScolarite::Parti => refus("l'élève a déjà quitté l'école"),
        }
    }

    /// Whether the pupil may be placed in a class, proposed for passage…
    pub fn exiger_present(self) -> Result<(), Refus> {
        if self.est_present() {
            Ok(())
        } else {
            refus(format!("l'élève est {} : plus aucune décision ne le concerne ici", self.libelle()))
        }
    }
}

/// Why a pupil is radiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MotifRadiation {
    /// The family moves.
    Demenagement,
    /// Change of school.
    ChangementEcole,
    /// Instruction in the family.
    InstructionFamille,
    /// Departure abroad.
    DepartEtranger,
    /// End of primary schooling.
    FinScolaritePrimaire,
    /// Another reason.
    Autre,
}

impl MotifRadiation {
    /// Every motive.
    pub const TOUS: [MotifRadiation; 6] = [
        Self::Demenagement,
        Self::ChangementEcole,
        Self::InstructionFamille,
        Self::DepartEtranger,
        Self::FinScolaritePrimaire,
        Self::Autre,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Demenagement => "demenagement",
            Self::ChangementEcole => "changement_ecole",
            Self::InstructionFamille => "instruction_famille",
            Self::DepartEtranger => "depart_etranger",
            Self::FinScolaritePrimaire => "fin_scolarite_primaire",
            Self::Autre => "autre",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Self::Demenagement => "déménagement",
            Self::ChangementEcole => "changement d'école",
            Self::InstructionFamille => "instruction dans la famille",
            Self::DepartEtranger => "départ à l'étranger",
            Self::FinScolaritePrimaire => "fin de scolarité primaire",
            Self::Autre => "autre motif",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, Refus> {
        Self::TOUS.into_iter().find(|m| m.code() == s.trim()).ok_or_else(|| {
            Refus("motif inconnu (demenagement, changement_ecole, instruction_famille, depart_etranger, fin_scolarite_primaire, autre)".into())
        })
    }

    /// Whether the pupil leaves primary schooling for good (the retention clock starts).
    pub fn quitte_le_premier_degre(self) -> bool {
        matches!(self, Self::FinScolaritePrimaire | Self::DepartEtranger)
    }
}

/// A passage decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TypePassage {
    /// To the next niveau (the default).
    Passage,
    /// One more year in the same niveau.
    Maintien,
    /// Skipping a niveau.
    Anticipe,
}

impl TypePassage {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            TypePassage::Passage => "passage",
            TypePassage::Maintien => "maintien",
            TypePassage::Anticipe => "anticipe",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            TypePassage::Passage => "passage dans la classe supérieure",
            TypePassage::Maintien => "maintien dans le niveau",
            TypePassage::Anticipe => "passage anticipé",
        }
    }

    /// Every decision.
    pub const TOUS: [TypePassage; 3] = [TypePassage::Passage, TypePassage::Maintien, TypePassage::Anticipe];

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, Refus> {
        Self::TOUS
            .into_iter()
            .find(|t| t.code() == s.trim())
            .ok_or_else(|| Refus("décision inconnue (passage, maintien, anticipe)".into()))
    }

    /// The niveau after the decision; `None` when the pupil leaves primary school (to 6e).
    pub fn niveau_suivant(self, n: Niveau) -> Option<Niveau> {
        match self {
            TypePassage::Maintien => Some(n),
            TypePassage::Passage => n.suivant(),
            TypePassage::Anticipe => n.suivant().and_then(Niveau::suivant),
        }
    }
}

impl fmt::Display for TypePassage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.libelle())
    }
}

/// The family's answer to a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reponse {
    /// Agrees.
    Accepte,
    /// Disagrees (asks to meet the conseil des maîtres).
    Conteste,
}

impl Reponse {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Reponse::Accepte => "accepte",
            Reponse::Conteste => "conteste",
        }
    }

    /// French label.
    pub fn libelle(self) -> &'static str {
        match self {
            Reponse::Accepte => "accepte la proposition",
            Reponse::Conteste => "conteste la proposition",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, Refus> {
        match s.trim() {
            "accepte" => Ok(Reponse::Accepte),
            "conteste" => Ok(Reponse::Conteste),
            _ => refus("réponse inconnue (accepte, conteste)"),
        }
    }
}

/// The passage procedure of one pupil for one year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Passage {
    /// The conseil des maîtres' proposal, and when.
    #[schema(value_type = Option<(String, String)>)]
    pub proposition: Option<(TypePassage, Date)>,
    /// The family's answer, and when.
    #[schema(value_type = Option<(String, String)>)]
    pub reponse: Option<(Reponse, Date)>,
    /// The decision, and when.
    #[schema(value_type = Option<(String, String)>)]
    pub decision: Option<(TypePassage, Date)>,
    /// The family's appeal, and when.
    #[schema(value_type = Option<String>)]
    pub recours: Option<Date>,
    /// The departmental commission's ruling, and when.
    #[schema(value_type = Option<(String, String)>)]
    pub recours_issue: Option<(TypePassage, Date)>,
}

impl Passage {
    /// The conseil des maîtres proposes (again, as long as nothing was decided).
    pub fn proposer(&self, t: TypePassage, le: Date) -> Result<Passage, Refus> {
        if self.decision.is_some() {
            return refus("la décision est déjà prise : la proposition ne peut plus changer");
        }
        Ok(Passage { proposition: Some((t, le)), reponse: None, ..self.clone() })
    }

    /// The last day the family may answer a proposal.
    pub fn limite_reponse(&self) -> Option<Date> {
        self.proposition.map(|(_, le)| le + DELAI_FAMILLE)
    }

    /// The last day the family may appeal the decision.
    pub fn limite_recours(&self) -> Option<Date> {
        self.decision.map(|(_, le)| le + DELAI_FAMILLE)
    }

    /// The family answers, within 15 days of the proposal.
    pub fn repondre(&self, r: Reponse, le: Date) -> Result<Passage, Refus> {
        let Some(limite) = self.limite_reponse() else {
            return refus("aucune proposition n'a été faite à la famille");
        };
        if self.decision.is_some() {
            return refus("la décision est déjà prise");
        }
        if self.reponse.is_some() {
            return refus("la famille a déjà répondu");
        }
        if le > limite {
            return refus(format!(
                "le délai de réponse de 15 jours a expiré le {} : le silence vaut acceptation",
                super::identite::date_fr(limite)
            ));
        }
        Ok(Passage { reponse: Some((r, le)), ..self.clone() })
    }

    /// What the family's position is on `le`: its answer, or acceptance by silence after 15 days.
    pub fn position_famille(&self, le: Date) -> Option<Reponse> {
        match (self.reponse, self.limite_reponse()) {
            (Some((r, _)), _) => Some(r),
            (None, Some(limite)) if le > limite => Some(Reponse::Accepte),
            _ => None,
        }
    }

    /// The decision: once the family answered or 15 days passed. If the family accepted (or
    /// stayed silent), the decision is the proposal.
    pub fn decider(&self, t: TypePassage, le: Date) -> Result<Passage, Refus> {
        let Some((propose, _)) = self.proposition else {
            return refus("aucune proposition n'a été faite à la famille");
        };
        if self.decision.is_some() {
            return refus("la décision est déjà prise");
        }
        match self.position_famille(le) {
            None => refus(format!(
                "la famille a jusqu'au {} pour répondre : la décision attendra",
                self.limite_reponse().map(super::identite::date_fr).unwrap_or_default()
            )),
            Some(Reponse::Accepte) if t != propose => {
                refus("la famille a accepté la proposition : la décision ne peut pas en différer")
            }
            Some(_) => Ok(Passage { decision: Some((t, le)), ..self.clone() }),
        }
    }

    /// The family appeals to the departmental commission, within 15 days of the decision.
    pub fn former_recours(&self, le: Date) -> Result<Passage, Refus> {
        let Some(limite) = self.limite_recours() else { return refus("aucune décision n'a été prise") };
        if self.recours.is_some() {
            return refus("un recours est déjà formé");
        }
        if le > limite {
            return refus(format!("le délai de recours de 15 jours a expiré le {}", super::identite::date_fr(limite)));
        }
        Ok(Passage { recours: Some(le), ..self.clone() })
    }

    /// The commission rules on the appeal; its ruling is final.
    pub fn trancher(&self, t: TypePassage, le: Date) -> Result<Passage, Refus> {
        if self.recours.is_none() {
            return refus("aucun recours n'a été formé");
        }
        if self.recours_issue.is_some() {
            return refus("la commission a déjà statué");
        }
        Ok(Passage { recours_issue: Some((t, le)), ..self.clone() })
    }

    /// What applies at the rentrée: the commission's ruling, else the decision, else the
    /// proposal the family accepted (or let stand), else a passage (the default).
    pub fn applicable(&self, le: Date) -> TypePassage {
        if let Some((t, _)) = self.recours_issue {
            return t;
        }
        if let Some((t, _)) = self.decision {
            return t;
        }
        match (self.proposition, self.position_famille(le)) {
            (Some((t, _)), Some(Reponse::Accepte)) => t,
            _ => TypePassage::Passage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const J0: Date = date!(2027 - 05 - 10);

    #[test]
    fn an_inscription_goes_from_pending_to_registered_to_admitted() {
        let e = EtatInscription::EnAttente;
        assert_eq!(e.admettre(), refus("l'inscription n'est pas encore confirmée par la mairie"));
        let e = e.inscrire().unwrap();
        assert!(e.inscrire().is_err());
        let e = e.admettre().unwrap();
        assert_eq!(e, EtatInscription::Admis);
        assert!(e.admettre().is_err(), "admitting twice");
        assert!(e.annuler().is_err());
        assert_eq!(EtatInscription::Inscrit.annuler(), Ok(EtatInscription::Annule));
        assert!(EtatInscription::Annule.inscrire().is_err());
    }

    #[test]
    fn an_admission_is_provisional_while_a_paper_is_missing() {
        assert_eq!(EtatScolarite::admission(&[]), EtatScolarite::AdmisDefinitif);
        let p = EtatScolarite::admission(&[Piece::Vaccinations]);
        assert_eq!(p, EtatScolarite::AdmisProvisoire);
        assert_eq!(p.completer(), Ok(EtatScolarite::AdmisDefinitif));
        assert!(EtatScolarite::AdmisDefinitif.completer().is_err());
    }

    #[test]
    fn only_a_present_pupil_can_be_radiated_or_leave() {
        assert_eq!(EtatScolarite::AdmisDefinitif.radier(), Ok(EtatScolarite::Radie));
        assert_eq!(EtatScolarite::AdmisProvisoire.radier(), Ok(EtatScolarite::Radie));
        assert!(EtatScolarite::Radie.radier().is_err());
        assert!(EtatScolarite::Parti.radier().is_err());
        assert!(EtatScolarite::Radie.partir().is_err());
        assert!(EtatScolarite::Radie.exiger_present().is_err());
        assert!(EtatScolarite::Radie.completer().is_err());
    }

    #[test]
    fn passage_types_give_the_next_niveau_and_cm2_leaves_primary() {
        assert_eq!(TypePassage::Passage.niveau_suivant(Niveau::Ce1), Some(Niveau::Ce2));
        assert_eq!(TypePassage::Maintien.niveau_suivant(Niveau::Ce1), Some(Niveau::Ce1));
        assert_eq!(TypePassage::Anticipe.niveau_suivant(Niveau::Ce1), Some(Niveau::Cm1));
        assert_eq!(TypePassage::Passage.niveau_suivant(Niveau::Cm2), None);
        assert_eq!(TypePassage::Anticipe.niveau_suivant(Niveau::Cm1), None);
        assert_eq!(TypePassage::Maintien.niveau_suivant(Niveau::Cm2), Some(Niveau::Cm2));
    }

    #[test]
    fn silence_for_fifteen_days_means_acceptance() {
        let p = Passage::default().proposer(TypePassage::Maintien, J0).unwrap();
        assert_eq!(p.position_famille(J0 + Duration::days(15)), None, "still within the delay");
        assert!(p.decider(TypePassage::Maintien, J0 + Duration::days(10)).is_err(), "too early");
        assert_eq!(p.position_famille(J0 + Duration::days(16)), Some(Reponse::Accepte));
        assert!(p.repondre(Reponse::Conteste, J0 + Duration::days(16)).is_err(), "too late to answer");
        let d = p.decider(TypePassage::Maintien, J0 + Duration::days(16)).unwrap();
        assert!(d.decider(TypePassage::Maintien, J0 + Duration::days(17)).is_err(), "deciding twice");
        assert!(
            p.decider(TypePassage::Passage, J0 + Duration::days(16)).is_err(),
            "an accepted proposal cannot be overruled"
        );
    }

    #[test]
    fn a_contested_proposal_may_be_decided_otherwise_then_appealed_within_fifteen_days() {
        let p = Passage::default().proposer(TypePassage::Maintien, J0).unwrap();
        let p = p.repondre(Reponse::Conteste, J0 + Duration::days(3)).unwrap();
        assert!(p.repondre(Reponse::Accepte, J0 + Duration::days(4)).is_err(), "one answer");
        let d = p.decider(TypePassage::Maintien, J0 + Duration::days(5)).unwrap();
        assert_eq!(d.limite_recours(), Some(J0 + Duration::days(20)));
        assert!(d.former_recours(J0 + Duration::days(21)).is_err());
        let r = d.former_recours(J0 + Duration::days(19)).unwrap();
        assert!(r.former_recours(J0 + Duration::days(19)).is_err());
        let t = r.trancher(TypePassage::Passage, J0 + Duration::days(40)).unwrap();
        assert_eq!(t.applicable(J0 + Duration::days(100)), TypePassage::Passage, "the commission's ruling is final");
        assert!(t.trancher(TypePassage::Maintien, J0 + Duration::days(41)).is_err());
        assert!(Passage::default().trancher(TypePassage::Passage, J0).is_err());
    }

    #[test]
    fn the_rentree_applies_the_ruling_the_decision_the_accepted_proposal_or_passage() {
        assert_eq!(Passage::default().applicable(J0), TypePassage::Passage);
        let p = Passage::default().proposer(TypePassage::Anticipe, J0).unwrap();
        assert_eq!(p.applicable(J0 + Duration::days(1)), TypePassage::Passage, "undecided, unanswered: default");
        assert_eq!(p.applicable(J0 + Duration::days(16)), TypePassage::Anticipe, "silence");
        let c = p.repondre(Reponse::Conteste, J0 + Duration::days(1)).unwrap();
        assert_eq!(c.applicable(J0 + Duration::days(100)), TypePassage::Passage, "contested, undecided");
        assert!(Passage::default().decider(TypePassage::Passage, J0).is_err(), "no proposal");
        assert!(Passage::default().repondre(Reponse::Accepte, J0).is_err());
    }

    #[test]
    fn a_proposal_can_be_revised_until_the_decision() {
        let p = Passage::default().proposer(TypePassage::Maintien, J0).unwrap();
        let p = p.repondre(Reponse::Conteste, J0 + Duration::days(2)).unwrap();
        let p2 = p.proposer(TypePassage::Passage, J0 + Duration::days(4)).unwrap();
        assert_eq!(p2.reponse, None, "a new proposal asks the family again");
        let d = p2.decider(TypePassage::Passage, J0 + Duration::days(20)).unwrap();
        assert!(d.proposer(TypePassage::Maintien, J0 + Duration::days(21)).is_err());
    }

    #[test]
    fn codes_parse_back() {
        for m in MotifRadiation::TOUS {
            assert_eq!(MotifRadiation::parse(m.code()), Ok(m));
        }
        for p in Piece::TOUTES {
            assert_eq!(Piece::parse(p.code()), Ok(p));
        }
        for t in [TypePassage::Passage, TypePassage::Maintien, TypePassage::Anticipe] {
            assert_eq!(TypePassage::parse(t.code()), Ok(t));
        }
        assert!(ModeScolarisation::parse("hopital").is_ok() && ModeScolarisation::parse("x").is_err());
        assert!(MotifRadiation::FinScolaritePrimaire.quitte_le_premier_degre());
        assert!(!MotifRadiation::Demenagement.quitte_le_premier_degre());
    }
}
