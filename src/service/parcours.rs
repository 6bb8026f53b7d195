//! The pupil's way into a school, as services: the duplicate search, the inscription at the
//! mairie, the admission (provisional or definitive) and its completion. Each step loads the
//! records within the actor's perimeter, applies the domain transition (`domain::parcours`),
//! stores the result and journals it with its actor, in one transaction; a refused step
//! changes nothing. The rest of the school year is `service::scolarite`.

use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use time::Date;

use crate::audit::{self, Fait};
use crate::config::Cles;
use crate::domain::parcours::{EtatInscription, ModeScolarisation, Piece, Refus};
use crate::domain::{
    AnneeScolaire, ClasseId, CommuneId, ContactIdentite, Ecart, EcoleId, EleveId, EleveIdentite, EtatScolarite, Niveau,
    Perimetre, ResponsableId, ResponsableIdentite,
};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, NouvelleScolarite};
use crate::store::parcours::{self as sc, Candidat, Criteres, Fiche, Inscription};
use crate::store::{self, territoires};

use super::{Error, Result, Service};
use crate::store::Ecriture as Transaction;

/// Score from which a known pupil is shown as a possible duplicate.
pub const SEUIL_DOUBLON: u32 = 60;

/// The verification code of a certificate number: HMAC-SHA-256 under the key file, 80 bits in
/// base32, grouped by four (`ABCD-EFGH-JKLM-NPQR`).
pub fn code_verification(cles: &Cles, numero: &str) -> String {
    const A: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut m =
        <Hmac<Sha256> as KeyInit>::new_from_slice(&cles.verification).unwrap_or_else(|_| unreachable!("32-byte key"));
    m.update(numero.as_bytes());
    let h = m.finalize().into_bytes();
    let bits: u128 = h[..10].iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let s: String = (0..16).map(|i| char::from(A[((bits >> (75 - 5 * i)) & 31) as usize])).collect();
    format!("{}-{}-{}-{}", &s[..4], &s[4..8], &s[8..12], &s[12..])
}

/// A new inscription.
#[derive(Debug, Clone)]
pub struct NouvelleInscription {
    /// A child already known (chosen from the duplicate search), or a new one.
    pub eleve: EleveInscrit,
    /// The commune recording it (the mairie's own; the school's commune when the school records).
    pub commune: Option<CommuneId>,
    /// Mode of schooling.
    pub mode: ModeScolarisation,
    /// Designated school (mode `ecole`).
    pub ecole: Option<EcoleId>,
    /// Niveau.
    pub niveau: Niveau,
    /// Année scolaire (current by default; the coming one is allowed).
    pub annee: Option<AnneeScolaire>,
}

/// Who is registered or admitted.
#[derive(Debug, Clone)]
pub enum EleveInscrit {
    /// A pupil already known (from the duplicate search).
    Existant(EleveId),
    /// A new child, created only if no likely duplicate exists or the user confirmed.
    Nouveau {
        /// Category I.
        identite: Box<EleveIdentite>,
        /// Category II.
        responsables: Vec<ResponsableIdentite>,
        /// Category III.
        contacts: Vec<ContactIdentite>,
        /// The user saw the possible duplicates and confirms a new pupil.
        confirmer_nouveau: bool,
    },
}

/// What a step created and what deserves attention.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Resultat {
    /// The record created or changed.
    pub id: String,
    /// The pupil.
    pub eleve_id: String,
    /// Warnings that did not prevent the step (French).
    pub avertissements: Vec<String>,
}

impl Service<'_> {
    /// The inscriptions of the perimeter, optionally designating one school or in one state
    /// (a school outside the perimeter is « introuvable », rather than empty).
    pub fn inscriptions(&self, ecole: Option<&EcoleId>, etat: Option<EtatInscription>) -> Result<Vec<Inscription>> {
        self.autoriser(Ressource::Inscription, Action::Lister)?;
        let p = &self.acteur.perimetre;
        let l = self.store.read(|c| {
            if let Some(e) = ecole {
                territoires::ecole(c, p, e)?;
            }
            sc::inscriptions(c, p, ecole, etat)
        })?;
        self.noter(&[Fait::new(Action::Lister, "inscription").detail(json!({ "nombre": l.len() }))])?;
        Ok(l)
    }

    /// One inscription of the perimeter.
    pub fn inscription(&self, id: &str) -> Result<Inscription> {
        self.autoriser(Ressource::Inscription, Action::Lire)?;
        let i = self.store.read(|c| sc::inscription(c, &self.acteur.perimetre, id))?;
        self.noter(&[Fait::new(Action::Lire, "inscription").cible(id).eleve(i.eleve_id.clone())])?;
        Ok(i)
    }

    /// How many inscriptions of the perimeter designate a school in a state (a count: no
    /// personal data, no journal row).
    pub fn compter_inscriptions(&self, ecole: &EcoleId, etat: EtatInscription) -> Result<usize> {
        self.autoriser(Ressource::Inscription, Action::Lister)?;
        Ok(self.store.read(|c| sc::inscriptions(c, &self.acteur.perimetre, Some(ecole), Some(etat)))?.len())
    }

    /// The name of the actor's territory (the rentrée page names the département).
    pub fn nom_territoire(&self) -> Result<Option<String>> {
        Ok(self.store.read(|c| territoires::nom_perimetre(c, &self.acteur.perimetre))?)
    }

    /// Pupils of the whole installation that may be the child described by the five criteria.
    pub fn doublons(&self, k: &Criteres) -> Result<Vec<Candidat>> {
        self.autoriser(Ressource::Doublons, Action::Rechercher)?;
        let c = self.store.read(|c| sc::candidats(c, k, SEUIL_DOUBLON))?;
        let fait = Fait::new(Action::Rechercher, "doublons").detail(json!({ "candidats": c.len() }));
        audit::noter(self.store, self.cles, &self.acteur.auteur, self.le, &[fait])?;
        Ok(c)
    }

    fn criteres(i: &EleveIdentite) -> Criteres {
        Criteres {
            nom: i.nom.as_str().to_string(),
            prenoms: i.prenoms.as_str().to_string(),
            sexe: i.sexe,
            date_naissance: i.date_naissance,
            naissance_insee: i.naissance_insee.clone(),
        }
    }

    /// Creates the pupil of `Nouveau`, refusing while likely duplicates exist and the user did
    /// not confirm; returns the pupil's id.
    fn pupil(
        &self,
        tx: &Transaction<'_>,
        e: &EleveInscrit,
        departement: &str,
        annee_ine: i32,
    ) -> Result<(EleveId, bool)> {
        match e {
            EleveInscrit::Existant(id) => {
                if !sc::eleve_existe(tx, id)? {
                    return Err(store::Error::Introuvable("élève").into());
                }
                Ok((id.clone(), false))
            }
            EleveInscrit::Nouveau { identite, responsables, contacts, confirmer_nouveau } => {
                if !confirmer_nouveau {
                    let c = sc::candidats(tx, &Self::criteres(identite), SEUIL_DOUBLON)?;
                    if !c.is_empty() {
                        return Err(Error::Doublons(c));
                    }
                }
                let mut rng = rand::rng();
                let id = EleveId::random(&mut rng);
                let mut identite = (**identite).clone();
                if identite.ine.is_none() {
                    identite.ine = Some(eleves::attribuer_ine(tx, annee_ine, departement)?);
                }
                eleves::insert_eleve(tx, &id, &identite)?;
                for (i, r) in responsables.iter().enumerate() {
                    let rid = ResponsableId::random(&mut rng);
                    eleves::insert_responsable(tx, &rid, r)?;
                    eleves::lier_responsable(tx, &id, &rid, i as u8 + 1, r.lien, true, None)?;
                }
                for (i, k) in contacts.iter().enumerate() {
                    eleves::insert_contact(tx, &crate::domain::ContactId::random(&mut rng), &id, i as u8 + 1, k)?;
                }
                Ok((id, true))
            }
        }
    }

    /// Records an inscription (pending); by the mairie for its commune, or by a school for
    /// itself where the mairie does not use the system.
    pub fn inscrire(&self, n: &NouvelleInscription) -> Result<Resultat> {
        self.autoriser(Ressource::Inscription, Action::Creer)?;
        let courante = self.annee()?;
        let annee = n.annee.unwrap_or(courante);
        if annee != courante && annee != courante.suivante() {
            return Err(Error::Transition(format!("on inscrit pour l'année {courante} ou {}", courante.suivante())));
        }
        let today = self.today();
        let p = &self.acteur.perimetre;
        let mut avertissements = Vec::new();
        let r = self.store.ecrire(|tx| {
            // The school: designated within the commune (or recorded by the school itself).
            let (commune, ecole, par_ecole) = match (p, n.mode) {
                (Perimetre::Ecole(e), _) => {
                    let ecole = territoires::ecole(tx, p, e)?;
                    let commune = ecole_commune(tx, e)?;
                    (commune, (n.mode == ModeScolarisation::Ecole).then_some(ecole.id), true)
                }
                (_, mode) => {
                    let commune = match (p, &n.commune) {
                        (Perimetre::Commune(c), _) => c.clone(),
                        (_, Some(c)) => c.clone(),
                        _ => return Err(store::Error::Conflit("indiquez la commune qui inscrit".into()).into()),
                    };
                    let ecole = match (&n.ecole, mode) {
                        (Some(e), ModeScolarisation::Ecole) => {
                            let ecole =
                                territoires::ecole(tx, &Perimetre::Commune(commune.clone()), e).map_err(|_| {
                                    store::Error::Conflit("l'école désignée n'est pas une école de la commune".into())
                                })?;
                            Some(ecole.id)
                        }
                        (None, ModeScolarisation::Ecole) => {
                            return Err(store::Error::Conflit("désignez l'école où l'enfant est inscrit".into()).into());
                        }
                        _ => None,
                    };
                    (commune, ecole, false)
                }
            };
            if let Some(e) = &ecole {
                let type_ecole = ecole_type(tx, e)?;
                if !type_ecole.admet(n.niveau) {
                    return Err(Error::Transition(format!(
                        "une {} n'accueille pas le niveau {}",
                        type_ecole.libelle(),
                        n.niveau
                    )));
                }
            }
            let dep = departement_de_commune(tx, &commune)?;
            let (eleve, nouveau) = self.pupil(tx, &n.eleve, &dep, today.year())?;
            if !nouveau {
                // A known child is not registered twice for the same year.
                if sc::inscription_en_cours(tx, &eleve, annee)? {
                    return Err(Error::Transition(
                        "cet enfant a déjà une inscription en cours pour cette année".into(),
                    ));
                }
            }
            if let EleveInscrit::Nouveau { identite, .. } = &n.eleve
                && let Some(a) = Ecart::evaluer(n.niveau, identite.date_naissance.year(), annee).avertissement(n.niveau)
            {
                avertissements.push(a);
            }
            let id = crate::domain::ids::random_id(&mut rand::rng());
            sc::inserer_inscription(
                tx,
                &id,
                &eleve,
                &commune,
                annee,
                n.mode,
                ecole.as_ref(),
                n.niveau,
                par_ecole,
                nouveau,
                today,
            )?;
            let mut faits = vec![Fait::new(Action::Creer, "inscription").cible(id.clone()).eleve(eleve.to_string())];
            if nouveau {
                faits.push(Fait::new(Action::Creer, "eleve").cible(eleve.to_string()).eleve(eleve.to_string()));
            }
            self.journal(tx, &faits)?;
            Ok::<_, Error>(Resultat { id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })?;
        Ok(Resultat { avertissements, ..r })
    }

    fn transition_inscription(
        &self,
        id: &str,
        f: impl Fn(EtatInscription) -> std::result::Result<EtatInscription, Refus>,
        quoi: &str,
    ) -> Result<Resultat> {
        self.autoriser(Ressource::Inscription, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let i = sc::inscription(tx, &self.acteur.perimetre, id)?;
            // The mairie decides an inscription; a school confirms or cancels only those it
            // recorded itself (where the mairie does not use the system).
            if matches!(self.acteur.perimetre, Perimetre::Ecole(_)) && !i.par_ecole {
                return Err(Error::Transition(
                    "cette inscription a été enregistrée par la mairie : c'est à elle de la confirmer ou de l'annuler"
                        .into(),
                ));
            }
            let etat = f(i.etat)?;
            sc::poser_etat_inscription(tx, id, etat, today)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "inscription")
                    .cible(id)
                    .eleve(i.eleve_id.clone())
                    .detail(json!({ "transition": quoi }))],
            )?;
            Ok(Resultat { id: id.into(), eleve_id: i.eleve_id, avertissements: vec![] })
        })
    }

    /// Confirms an inscription: en attente → inscrit.
    pub fn valider_inscription(&self, id: &str) -> Result<Resultat> {
        self.transition_inscription(id, EtatInscription::inscrire, "inscrire")
    }

    /// Cancels an inscription.
    pub fn annuler_inscription(&self, id: &str) -> Result<Resultat> {
        self.transition_inscription(id, EtatInscription::annuler, "annuler")
    }

    /// Admits a pupil in the actor's school: from an inscription, a known pupil (transfer within
    /// the département: same INE and history) or a new child (after the duplicate search).
    pub fn admettre(&self, d: &DemandeAdmission) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Creer)?;
        let mut avertissements = Vec::new();
        let r = self.store.ecrire(|tx| self.admettre_dans(tx, d, &mut avertissements))?;
        Ok(Resultat { avertissements, ..r })
    }

    /// The admission in the caller's transaction (an import admits many pupils in one); the
    /// caller has asked the policy.
    pub(super) fn admettre_dans(
        &self,
        tx: &Transaction<'_>,
        d: &DemandeAdmission,
        avertissements: &mut Vec<String>,
    ) -> Result<Resultat> {
        let annee = territoires::annee_courante(tx)?;
        let today = self.today();
        let date = d.date.unwrap_or(today);
        {
            let p = &self.acteur.perimetre;
            let (eleve, ecole, niveau, inscription, nouveau) = match &d.origine {
                Origine::Inscription(id) => {
                    let i = sc::inscription(tx, p, id)?;
                    let ecole = i
                        .ecole_id
                        .clone()
                        .and_then(|e| EcoleId::parse(&e).ok())
                        .ok_or_else(|| Error::Transition("cette inscription ne désigne pas d'école".into()))?;
                    if i.annee != annee {
                        return Err(Error::Transition(format!("cette inscription est pour l'année {}", i.annee)));
                    }
                    let etat = i.etat.admettre()?;
                    sc::poser_etat_inscription(tx, id, etat, today)?;
                    (
                        EleveId::parse(&i.eleve_id).map_err(|_| store::Error::Introuvable("élève"))?,
                        ecole,
                        d.niveau.unwrap_or(i.niveau),
                        Some(i.id),
                        false,
                    )
                }
                Origine::Eleve { eleve, ecole } => {
                    let ecole =
                        ecole.clone().ok_or_else(|| Error::Transition("indiquez l'école d'admission".into()))?;
                    let niveau = d.niveau.ok_or_else(|| Error::Transition("indiquez le niveau".into()))?;
                    let dep = territoires::ecole(tx, p, &ecole)?.uai.departement().to_string();
                    let (id, nouveau) = self.pupil(tx, eleve, &dep, date.year())?;
                    (id, ecole, niveau, None, nouveau)
                }
            };
            let ecole_resume = territoires::ecole(tx, p, &ecole)?;
            // The rules about the school and the day, all at once, each under its field.
            let classe = match &d.classe {
                None => None,
                // Not a class of the perimeter, or of another school or year: unknown here.
                Some(id) => match store::classes::classe(tx, p, id) {
                    Ok(k) => Some((k.ecole_id == ecole && k.annee == annee).then_some(k.niveaux)),
                    Err(store::Error::Introuvable(_)) => Some(None),
                    Err(e) => return Err(e.into()),
                },
            };
            let choisie = match &classe {
                None => ClasseChoisie::Aucune,
                Some(None) => ClasseChoisie::Inconnue,
                Some(Some(n)) => ClasseChoisie::Niveaux(n),
            };
            crate::domain::scolarite::regles_admission(date, today, ecole_resume.type_ecole, niveau, choisie)?;
            // Admitting twice, or while attending another school, is refused.
            if let Some((frequentee, nom)) = sc::ecole_frequentee(tx, &eleve, annee)? {
                crate::policy::admission_possible(Some(nom.as_str()), frequentee == ecole)
                    .map_err(Error::Transition)?;
            }
            let sid = crate::domain::ids::random_id(&mut rand::rng());
            let scolarite = NouvelleScolarite {
                annee,
                ecole: ecole.clone(),
                niveau,
                classe: d.classe.clone(),
                ulis: d.ulis,
                etat: EtatScolarite::admission(&d.pieces_manquantes),
                date_admission: date,
            };
            eleves::insert_scolarite(tx, &sid, &eleve, &scolarite)?;
            sc::poser_etat(tx, &sid, scolarite.etat, &d.pieces_manquantes)?;
            if let Some(i) = &inscription {
                sc::lier_inscription(tx, &sid, i)?;
            }
            // Admitted, the pupil lies in the school's perimeter: what follows reads it there.
            let vu = eleves::voir(tx, p, &eleve)?;
            // The INE: kept if any, assigned at a first admission.
            if sc::ine(tx, &vu)?.is_none() {
                let nouvel = eleves::attribuer_ine(tx, date.year(), ecole_resume.uai.departement())?;
                sc::poser_ine(tx, &vu, &nouvel)?;
            }
            let naissance = sc::naissance(tx, &vu)?;
            if let Some(a) = Ecart::evaluer(niveau, naissance.year(), annee).avertissement(niveau) {
                avertissements.push(a);
            }
            if let Some((ecole_prec, radiation)) = &d.provenance {
                sc::noter_provenance(tx, &sid, ecole_prec, *radiation)?;
            } else if let Some((ecole_prec, radiation)) = sc::derniere_sortie(tx, &vu)? {
                sc::noter_provenance(tx, &sid, &ecole_prec, radiation)?;
            }
            let mut faits =
                vec![Fait::new(Action::Creer, "scolarite").cible(sid.clone()).eleve(eleve.to_string()).detail(json!({
                "admission": if scolarite.etat == EtatScolarite::AdmisProvisoire { "provisoire" } else { "definitive" },
            }))];
            if nouveau {
                faits.push(Fait::new(Action::Creer, "eleve").cible(eleve.to_string()).eleve(eleve.to_string()));
            }
            self.journal(tx, &faits)?;
            Ok(Resultat { id: sid, eleve_id: eleve.to_string(), avertissements: vec![] })
        }
    }

    pub(super) fn fiche(&self, tx: &Transaction<'_>, eleve: &EleveId) -> Result<Fiche> {
        let annee = territoires::annee_courante(tx)?;
        match sc::fiche(tx, &self.acteur.perimetre, eleve, annee) {
            // Visible (an inscription designating the school), but never admitted this year.
            Err(store::Error::Introuvable(_)) if eleves::fiche(tx, &self.acteur.perimetre, eleve, annee).is_ok() => {
                Err(Error::Transition(format!("l'élève n'a pas été admis dans l'école pour {annee} : rien à faire")))
            }
            r => Ok(r?),
        }
    }

    /// The file is complete: the admission becomes definitive.
    pub fn completer(&self, eleve: &EleveId) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            let etat = f.etat.completer()?;
            sc::poser_etat(tx, &f.id, etat, &[])?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "admission": "definitive" }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }
}

/// Where an admission comes from.
#[derive(Debug, Clone)]
pub enum Origine {
    /// The mairie's inscription designating the school.
    Inscription(String),
    /// A known or new pupil, in a school of the actor.
    Eleve {
        /// Known or new.
        eleve: EleveInscrit,
        /// The school.
        ecole: Option<EcoleId>,
    },
}

/// An admission.
#[derive(Debug, Clone)]
pub struct DemandeAdmission {
    /// From where.
    pub origine: Origine,
    /// Niveau (from the inscription by default).
    pub niveau: Option<Niveau>,
    /// Papers still missing: the admission is then provisional.
    pub pieces_manquantes: Vec<Piece>,
    /// A class to place the pupil in at once.
    pub classe: Option<ClasseId>,
    /// ULIS dispositif.
    pub ulis: bool,
    /// Date of admission (today by default).
    pub date: Option<Date>,
    /// The previous school and the date of its certificat de radiation, as the family's
    /// certificate gives them (the registre's columns); found in the installation otherwise.
    pub provenance: Option<(String, Option<Date>)>,
}

use crate::domain::scolarite::ClasseChoisie;
use sc::{commune_ecole as ecole_commune, departement_commune as departement_de_commune, type_ecole as ecole_type};
