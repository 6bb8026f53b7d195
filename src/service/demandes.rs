//! The families' rights: a rectification request (one field, a proposed value, checked now
//! against the field's rule, applied as a correction once the school accepts it) and an
//! opposition for legitimate reasons (decided by the IA-DASEN). The rules kept are listed in
//! [`super::corrections`].

use serde::Serialize;
use serde_json::json;

use super::corrections::{Correction, saisie_contact, saisie_eleve, saisie_responsable};
use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::auth::Interdit;
use crate::domain::correction::{ChampRectifie, EtatDemande, motif};
use crate::domain::identite::{ChampInvalide, nettoyer, nettoyer_facultatif};
use crate::domain::{EleveId, OppositionId, Perimetre, RectificationId, ResponsableId};
use crate::policy::{Action, Ressource};
use crate::store::corrections::{self as co, Demande, Sorte};
use crate::store::eleves::{self, FicheEleve};
use crate::store::territoires;

/// A rectification request as the school or the family sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RectificationVue {
    /// Id.
    pub id: String,
    /// The pupil.
    pub eleve_id: String,
    /// The pupil's name.
    pub eleve: String,
    /// The field's code.
    pub champ: String,
    /// The field in French, with whose it is.
    pub libelle: String,
    /// The proposed value (while pending).
    pub valeur: Option<String>,
    /// The family's comment (while pending).
    pub commentaire: Option<String>,
    /// State.
    pub etat: EtatDemande,
    /// State in French (« acceptée »).
    pub etat_libelle: &'static str,
    /// The school's reason for a refusal.
    pub motif: Option<String>,
    /// Filed (date, French).
    pub depose_le: String,
    /// Decided (date, French).
    pub decide_le: Option<String>,
}

/// An opposition as the family and the IA-DASEN see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OppositionVue {
    /// Id.
    pub id: String,
    /// The pupil.
    pub eleve_id: String,
    /// The pupil's name.
    pub eleve: String,
    /// The family's reasons (while pending).
    pub motifs: Option<String>,
    /// State.
    pub etat: EtatDemande,
    /// State in French.
    pub etat_libelle: &'static str,
    /// The IA-DASEN's reason.
    pub motif_decision: Option<String>,
    /// Filed (date, French).
    pub depose_le: String,
    /// Decided (date, French).
    pub decide_le: Option<String>,
}

pub(super) fn date(t: time::OffsetDateTime) -> String {
    crate::domain::identite::date_fr(t.to_offset(crate::clock::paris_offset(t)).date())
}

fn libelle_champ(champ: &ChampRectifie) -> String {
    match champ {
        ChampRectifie::Eleve(_) | ChampRectifie::Autre => champ.libelle().to_string(),
        ChampRectifie::Responsable(..) => format!("{} (responsable légal)", champ.libelle()),
        ChampRectifie::Contact(..) => format!("{} (personne à contacter)", champ.libelle()),
    }
}

fn vue_rectification(d: Demande) -> RectificationVue {
    let champ = d.champ.unwrap_or_default();
    let libelle = ChampRectifie::parse(&champ).map(|c| libelle_champ(&c)).unwrap_or_else(|_| champ.clone());
    RectificationVue {
        id: d.id,
        eleve_id: d.eleve_id.to_string(),
        eleve: format!("{} {}", d.eleve_nom, d.eleve_prenoms),
        champ,
        libelle,
        valeur: d.valeur,
        commentaire: d.commentaire,
        etat: d.etat,
        etat_libelle: d.etat.libelle(),
        motif: d.motif,
        depose_le: date(d.depose_le),
        decide_le: d.decide_le.map(date),
    }
}

fn vue_opposition(d: Demande) -> OppositionVue {
    OppositionVue {
        id: d.id,
        eleve_id: d.eleve_id.to_string(),
        eleve: format!("{} {}", d.eleve_nom, d.eleve_prenoms),
        motifs: d.valeur,
        etat: d.etat,
        etat_libelle: d.etat.libelle(),
        motif_decision: d.motif,
        depose_le: date(d.depose_le),
        decide_le: d.decide_le.map(date),
    }
}

/// The correction a rectification asks for, applied to the record as it stands (`None` for
/// « autre »: the school corrects by hand). The target must be this pupil's.
fn correction_demandee(f: &FicheEleve, champ: &ChampRectifie, valeur: &str) -> Result<Option<Correction>> {
    let v = Some(valeur.to_string());
    Ok(match champ {
        ChampRectifie::Autre => None,
        ChampRectifie::Eleve(c) => {
            let mut s = saisie_eleve(&f.eleve);
            c.poser(&mut s, v);
            Some(Correction { eleve: Some(s), ..Default::default() })
        }
        ChampRectifie::Responsable(id, c) => {
            let r =
                f.responsables.iter().find(|r| &r.id == id).ok_or(crate::store::Error::Introuvable("responsable"))?;
            let mut s = saisie_responsable(r);
            c.poser(&mut s.responsable, v);
            Some(Correction { responsables: vec![(id.clone(), s)], ..Default::default() })
        }
        ChampRectifie::Contact(id, c) => {
            if !f.contacts.iter().any(|k| &k.id == id) {
                return Err(crate::store::Error::Introuvable("personne à contacter").into());
            }
            let liste = f
                .contacts
                .iter()
                .map(|k| {
                    let mut s = saisie_contact(k);
                    if &k.id == id {
                        c.poser(&mut s, v.clone());
                    }
                    (Some(k.id.clone()), s)
                })
                .collect();
            Some(Correction { contacts: Some(liste), ..Default::default() })
        }
    })
}

impl Service<'_> {
    /// Journals a list of requests: one line per pupil, not per request.
    fn noter_liste(&self, ressource: &'static str, l: &[Demande]) -> Result<()> {
        let eleves: std::collections::BTreeSet<&EleveId> = l.iter().map(|d| &d.eleve_id).collect();
        let faits: Vec<Fait> =
            eleves.into_iter().map(|e| Fait::new(Action::Lister, ressource).eleve(e.to_string())).collect();
        if faits.is_empty() { Ok(()) } else { self.noter(&faits) }
    }

    /// A family's own words (proposed value, comment, reasons) are shown to whoever filed them
    /// and to staff who deal with the request, never to the other parent.
    fn texte_visible(&self, mut d: Demande) -> Demande {
        if let Perimetre::Responsable(moi) = &self.acteur.perimetre
            && &d.responsable_id != moi
        {
            d.valeur = None;
            d.commentaire = None;
        }
        d
    }

    fn demandeur(&self) -> Result<ResponsableId> {
        match &self.acteur.perimetre {
            Perimetre::Responsable(r) => Ok(r.clone()),
            _ => Err(Interdit::Role.into()),
        }
    }

    /// A family asks to rectify one field of their child's record: checked now against the
    /// field's rule (the message names it), kept until the school decides.
    pub fn demander_rectification(
        &self,
        eleve: &EleveId,
        champ: &str,
        valeur: &str,
        commentaire: Option<&str>,
    ) -> Result<RectificationVue> {
        self.autoriser(Ressource::Rectification, Action::Creer)?;
        let moi = self.demandeur()?;
        let champ = ChampRectifie::parse(champ)?;
        if !champ.permis_a(&moi) {
            return Err(crate::domain::Error::from(ChampInvalide::new(
                "champ",
                "vous pouvez demander à corriger les données de l'enfant, les vôtres et celles des personnes à contacter, pas celles d'un autre responsable (qui le demande lui-même)",
            ))
            .into());
        }
        let mut er = crate::domain::Erreurs::default();
        let valeur = er.garder("valeur", nettoyer("valeur", valeur, 200));
        let commentaire = er.garder(
            "commentaire",
            nettoyer_facultatif("commentaire", commentaire, crate::domain::correction::MOTIF_MAX).and_then(|c| {
                if champ == ChampRectifie::Autre && c.is_none() {
                    Err(ChampInvalide::new("commentaire", "décrivez ce qui est à corriger"))
                } else {
                    Ok(c)
                }
            }),
        );
        er.finir()?;
        let (valeur, commentaire) =
            (crate::domain::tenu(valeur, "valeur")?, crate::domain::tenu(commentaire, "commentaire")?);
        let id = RectificationId::random(&mut rand::rng());
        let today = self.today();
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            let vu = eleves::voir(tx, &self.acteur.perimetre, eleve)?;
            let f = eleves::fiche(tx, &self.acteur.perimetre, eleve, annee)?;
            // The value must pass the field's rule now, on the record as it stands.
            if let Some(c) = correction_demandee(&f, &champ, &valeur)? {
                c.valider(today).map_err(|e| match e {
                    Error::Invalide(d) => {
                        Error::from(ChampInvalide::new("valeur", format!("la valeur proposée ne convient pas ({d})")))
                    }
                    e => e,
                })?;
            }
            let n = co::NouvelleRectification {
                id: &id,
                responsable: &moi,
                champ: &champ.code(),
                valeur: &valeur,
                commentaire: commentaire.as_deref(),
            };
            co::deposer_rectification(tx, &vu, &n, self.le)?;
            self.journal(
                tx,
                &[Fait::new(Action::Creer, "rectification")
                    .cible(id.to_string())
                    .eleve(eleve.to_string())
                    .detail(json!({ "champ": champ.code() }))],
            )?;
            Ok::<_, Error>(())
        })?;
        let d = self.store.read(|c| co::une_demande(c, &self.acteur.perimetre, Sorte::Rectification, id.as_str()))?;
        Ok(vue_rectification(d))
    }

    /// The rectification requests the actor sees: of one pupil, or (school) all pending ones.
    pub fn rectifications(&self, eleve: Option<&EleveId>, etat: Option<EtatDemande>) -> Result<Vec<RectificationVue>> {
        self.autoriser(Ressource::Rectification, Action::Lister)?;
        let l = self.store.read(|c| co::demandes(c, &self.acteur.perimetre, Sorte::Rectification, eleve, etat))?;
        self.noter_liste("rectification", &l)?;
        Ok(l.into_iter().map(|d| self.texte_visible(d)).map(vue_rectification).collect())
    }

    /// The school decides on a rectification: accepted, the value is applied (validated like
    /// any correction, in the same transaction); refused, with a reason, nothing changes.
    pub fn decider_rectification(&self, id: &str, accepter: bool, raison: Option<&str>) -> Result<RectificationVue> {
        self.autoriser(Ressource::Rectification, Action::Modifier)?;
        let raison = match (accepter, raison.map(str::trim).filter(|r| !r.is_empty())) {
            (false, None) => {
                return Err(
                    crate::domain::Error::from(ChampInvalide::new("motif", "indiquez la raison du refus")).into()
                );
            }
            (_, Some(r)) => Some(motif("motif", r)?),
            (true, None) => None,
        };
        let today = self.today();
        self.store.ecrire(|tx| {
            let d = co::une_demande(tx, &self.acteur.perimetre, Sorte::Rectification, id)?;
            let etat = d.etat.decider(accepter)?;
            let (vu, avant) = self.a_corriger(tx, &d.eleve_id)?;
            let mut champs = Vec::new();
            if accepter {
                let champ = ChampRectifie::parse(d.champ.as_deref().unwrap_or_default())?;
                if let Some(c) = correction_demandee(&avant, &champ, d.valeur.as_deref().unwrap_or_default())? {
                    let v = c.valider(today)?;
                    champs = self.appliquer(tx, &vu, &avant, &v, false, Some(id))?.champs;
                }
            }
            co::decider(tx, Sorte::Rectification, id, etat, raison.as_deref(), self.le)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "rectification")
                    .cible(id.to_string())
                    .eleve(d.eleve_id.to_string())
                    .detail(json!({ "decision": etat.code(), "champs": champs }))],
            )?;
            Ok::<_, Error>(())
        })?;
        self.effacer_traces();
        let d = self.store.read(|c| co::une_demande(c, &self.acteur.perimetre, Sorte::Rectification, id))?;
        Ok(vue_rectification(d))
    }

    /// A family objects, for legitimate reasons, to the processing of their child's data; the
    /// IA-DASEN decides.
    pub fn opposer(&self, eleve: &EleveId, motifs: &str) -> Result<OppositionVue> {
        self.autoriser(Ressource::Opposition, Action::Creer)?;
        let moi = self.demandeur()?;
        let motifs = motif("motifs", motifs)?;
        let id = OppositionId::random(&mut rand::rng());
        self.store.ecrire(|tx| {
            let vu = eleves::voir(tx, &self.acteur.perimetre, eleve)?;
            co::deposer_opposition(tx, &id, &vu, &moi, &motifs, self.le)?;
            self.journal(tx, &[Fait::new(Action::Creer, "opposition").cible(id.to_string()).eleve(eleve.to_string())])?;
            Ok::<_, Error>(())
        })?;
        let d = self.store.read(|c| co::une_demande(c, &self.acteur.perimetre, Sorte::Opposition, id.as_str()))?;
        Ok(vue_opposition(d))
    }

    /// The oppositions the actor sees (the family: their child's; the IA-DASEN: the
    /// département's).
    pub fn oppositions(&self, eleve: Option<&EleveId>, etat: Option<EtatDemande>) -> Result<Vec<OppositionVue>> {
        self.autoriser(Ressource::Opposition, Action::Lister)?;
        let l = self.store.read(|c| co::demandes(c, &self.acteur.perimetre, Sorte::Opposition, eleve, etat))?;
        self.noter_liste("opposition", &l)?;
        Ok(l.into_iter().map(|d| self.texte_visible(d)).map(vue_opposition).collect())
    }

    /// The IA-DASEN decides on an opposition, always with a reason.
    pub fn decider_opposition(&self, id: &str, accepter: bool, raison: &str) -> Result<OppositionVue> {
        self.autoriser(Ressource::Opposition, Action::Modifier)?;
        let raison = motif("motif", raison)?;
        self.store.ecrire(|tx| {
            let d = co::une_demande(tx, &self.acteur.perimetre, Sorte::Opposition, id)?;
            let etat = d.etat.decider(accepter)?;
            co::decider(tx, Sorte::Opposition, id, etat, Some(&raison), self.le)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "opposition")
                    .cible(id.to_string())
                    .eleve(d.eleve_id.to_string())
                    .detail(json!({ "decision": etat.code() }))],
            )?;
            Ok::<_, Error>(())
        })?;
        self.effacer_traces();
        let d = self.store.read(|c| co::une_demande(c, &self.acteur.perimetre, Sorte::Opposition, id))?;
        Ok(vue_opposition(d))
    }
}
