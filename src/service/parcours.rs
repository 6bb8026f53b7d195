//! The pupil's path through school (the lifecycle) as services: each step loads the records within the actor's
//! perimeter, applies the domain transition (`domain::parcours`), stores the result and journals it
//! with its actor, in one transaction. A refused step changes nothing.

use std::collections::BTreeMap;

use crate::store::Ecriture as Transaction;
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;
use time::{Date, Month, OffsetDateTime};

use crate::audit::{self, Fait};
use crate::auth::Interdit;
use crate::config::Cles;
use crate::domain::identite::date_fr;
use crate::domain::parcours::{
    EtatInscription, ModeScolarisation, MotifRadiation, Passage, Piece, Refus, Reponse, TypePassage,
};
use crate::domain::{
    AnneeScolaire, ClasseId, CommuneId, ContactIdentite, Ecart, EcoleId, EleveId, EleveIdentite, EtatScolarite, Niveau,
    Perimetre, ResponsableId, ResponsableIdentite,
};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, NouvelleScolarite};
use crate::store::parcours::{self as sc, Candidat, Criteres, Fiche, Inscription};
use crate::store::{self, Store, classes, territoires};

use super::{Error, Result, Service};

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

    /// This year's passage procedure of a pupil of the perimeter.
    pub fn passage(&self, id: &EleveId) -> Result<Passage> {
        self.autoriser(Ressource::Passage, Action::Lire)?;
        let p = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let vu = eleves::voir(c, &self.acteur.perimetre, id)?;
            sc::passage(c, &vu, annee)
        })?;
        self.noter(&[Fait::new(Action::Lire, "passage").eleve(id.to_string())])?;
        Ok(p)
    }

    /// How many inscriptions of the perimeter designate a school in a state (a count: no
    /// personal data, no journal row).
    pub fn compter_inscriptions(&self, ecole: &EcoleId, etat: EtatInscription) -> Result<usize> {
        self.autoriser(Ressource::Inscription, Action::Lister)?;
        Ok(self.store.read(|c| sc::inscriptions(c, &self.acteur.perimetre, Some(ecole), Some(etat)))?.len())
    }

    /// This year's schooling record of a pupil of the perimeter, with its passage procedure
    /// when the role may see it: what the pupil's page offers to do. Read with the record
    /// itself, whose consultation is journaled ([`Service::eleve`]); `None` when the pupil
    /// has no record this year in the perimeter.
    pub fn demarches(&self, eleve: &EleveId, annee: AnneeScolaire) -> Result<Option<(Fiche, Option<Passage>)>> {
        self.autoriser(Ressource::Eleve, Action::Lire)?;
        let voir_passage = self.acteur.decision(Ressource::Passage, Action::Lire).autorise();
        Ok(self.store.read(|c| match sc::fiche(c, &self.acteur.perimetre, eleve, annee) {
            Ok(f) => {
                let p = if voir_passage { Some(sc::passage(c, &f.vu, annee)?) } else { None };
                Ok(Some((f, p)))
            }
            Err(store::Error::Introuvable(_)) => Ok(None),
            Err(e) => Err(e),
        })?)
    }

    /// The passage procedures of the pupils attending a class of the perimeter, by pupil id.
    pub fn passages_de_classe(&self, classe: &ClasseId) -> Result<BTreeMap<String, Passage>> {
        self.autoriser(Ressource::Passage, Action::Lire)?;
        let p = &self.acteur.perimetre;
        let m: BTreeMap<String, Passage> = self.store.read(|c| {
            let k = classes::classe(c, p, classe)?;
            sc::fiches_classe(c, p, classe)?
                .into_iter()
                .map(|f| Ok((f.eleve_id.to_string(), sc::passage(c, &f.vu, k.annee)?)))
                .collect::<store::Result<_>>()
        })?;
        let fait = Fait::new(Action::Lister, "passage").cible(classe.to_string()).detail(json!({ "nombre": m.len() }));
        self.noter(&[fait])?;
        Ok(m)
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
        let annee = self.annee()?;
        let today = self.today();
        let date = d.date.unwrap_or(today);
        if date > today {
            return Err(Error::Transition("la date d'admission ne peut pas être dans le futur".into()));
        }
        let mut avertissements = Vec::new();
        let r = self.store.ecrire(|tx| {
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
            // Admitting twice, or while attending another school, is refused.
            if let Some((f, nom)) = sc::fiche_active(tx, &eleve, annee)? {
                crate::policy::admission_possible(Some(nom.as_str()), f.ecole_id == ecole)
                    .map_err(Error::Transition)?;
            }
            // The INE: kept if any, assigned at a first admission.
            if sc::ine(tx, &eleve)?.is_none() {
                let nouvel = eleves::attribuer_ine(tx, date.year(), ecole_resume.uai.departement())?;
                sc::poser_ine(tx, &eleve, &nouvel)?;
            }
            let naissance = sc::naissance(tx, &eleve)?;
            if let Some(a) = Ecart::evaluer(niveau, naissance.year(), annee).avertissement(niveau) {
                avertissements.push(a);
            }
            let provenance = sc::derniere_sortie(tx, &eleve)?;
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
            if let Some((ecole_prec, radiation)) = provenance {
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
            Ok::<_, Error>(Resultat { id: sid, eleve_id: eleve.to_string(), avertissements: vec![] })
        })?;
        Ok(Resultat { avertissements, ..r })
    }

    fn fiche(&self, tx: &Transaction<'_>, eleve: &EleveId) -> Result<Fiche> {
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

    /// Creates a class of the current year in the actor's school.
    pub fn creer_classe(
        &self,
        ecole: &EcoleId,
        libelle: &str,
        niveaux: &[Niveau],
        enseignant: Option<&str>,
    ) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        let libelle = crate::domain::identite::nettoyer("libellé de la classe", libelle, 40)
            .map_err(crate::domain::Error::from)?;
        if libelle.is_empty() {
            return Err(Error::Store(store::Error::Invalide(
                crate::domain::ChampInvalide::new("libellé de la classe", "obligatoire").into(),
            )));
        }
        let enseignant = match enseignant {
            Some(e) => {
                Some(crate::domain::identite::nettoyer("enseignant", e, 100).map_err(crate::domain::Error::from)?)
            }
            None => None,
        };
        self.store.ecrire(|tx| {
            let annee = territoires::annee_courante(tx)?;
            let e = territoires::ecole(tx, &self.acteur.perimetre, ecole)?;
            if let Some(n) = niveaux.iter().find(|n| !e.type_ecole.admet(**n)) {
                return Err(Error::Transition(format!("une {} n'accueille pas le niveau {n}", e.type_ecole.libelle())));
            }
            let id = ClasseId::random(&mut rand::rng());
            classes::insert_classe(tx, &id, ecole, annee, &libelle, niveaux, enseignant.as_deref())?;
            self.journal(tx, &[Fait::new(Action::Creer, "classe").cible(id.to_string())])?;
            Ok(Resultat { id: id.to_string(), ..Default::default() })
        })
    }

    /// Places pupils in a class (or moves them there), all or none; warns when a pupil is more
    /// than one year off the niveau expected for their age.
    pub fn placer(&self, classe: &ClasseId, eleves_ids: &[EleveId]) -> Result<Vec<String>> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let mut avertissements = Vec::new();
            let mut faits = Vec::new();
            for eleve in eleves_ids {
                let f = sc::fiche(tx, &self.acteur.perimetre, eleve, k.annee)?;
                f.etat.exiger_present()?;
                if f.ecole_id != k.ecole_id {
                    return Err(Error::Transition("la classe n'est pas de l'école de l'élève".into()));
                }
                if !sc::classe_accueille(tx, classe, &f.ecole_id, k.annee, f.niveau)? {
                    return Err(Error::Transition(format!(
                        "la classe « {} » n'a pas le niveau {} de l'élève",
                        k.libelle, f.niveau
                    )));
                }
                if let Some(a) = Ecart::evaluer(f.niveau, f.date_naissance.year(), k.annee).avertissement(f.niveau) {
                    avertissements.push(format!("{} : {a}", sc::nom_complet(tx, &f.vu)?));
                }
                sc::placer(tx, &f.id, Some(classe))?;
                faits.push(
                    Fait::new(Action::Modifier, "scolarite")
                        .cible(f.id.clone())
                        .eleve(eleve.to_string())
                        .detail(json!({ "classe": classe })),
                );
            }
            self.journal(tx, &faits)?;
            Ok(avertissements)
        })
    }

    /// Proposes passages for every pupil of a class: `defaut` for all, `exceptions` for some.
    pub fn proposer_classe(
        &self,
        classe: &ClasseId,
        defaut: TypePassage,
        exceptions: &BTreeMap<EleveId, TypePassage>,
    ) -> Result<usize> {
        self.autoriser(Ressource::Passage, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let fiches = sc::fiches_classe(tx, &self.acteur.perimetre, classe)?;
            if let Some(e) = exceptions.keys().find(|e| !fiches.iter().any(|f| &f.eleve_id == *e)) {
                return Err(Error::Transition(format!("l'élève {e} n'est pas dans la classe « {} »", k.libelle)));
            }
            let mut faits = Vec::new();
            for f in &fiches {
                let t = exceptions.get(&f.eleve_id).copied().unwrap_or(defaut);
                let p = sc::passage(tx, &f.vu, k.annee)?.proposer(t, today)?;
                sc::enregistrer_passage(tx, &f.vu, k.annee, &p)?;
                faits.push(
                    Fait::new(Action::Modifier, "passage")
                        .cible(f.id.clone())
                        .eleve(f.eleve_id.to_string())
                        .detail(json!({ "proposition": t.code() })),
                );
            }
            self.journal(tx, &faits)?;
            Ok(fiches.len())
        })
    }

    fn passage_step(
        &self,
        eleve: &EleveId,
        ressource: Ressource,
        quoi: &str,
        f: impl Fn(&Passage, Date) -> std::result::Result<Passage, Refus>,
    ) -> Result<Passage> {
        self.autoriser(ressource, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let fiche = self.fiche(tx, eleve)?;
            fiche.etat.exiger_present()?;
            let p = f(&sc::passage(tx, &fiche.vu, fiche.annee)?, today)?;
            sc::enregistrer_passage(tx, &fiche.vu, fiche.annee, &p)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "passage")
                    .cible(fiche.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "etape": quoi }))],
            )?;
            Ok(p)
        })
    }

    /// Proposes a passage for one pupil.
    pub fn proposer(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "proposition", |p, d| p.proposer(t, d))
    }

    /// Records the family's answer (the school from the paper slip, or the family online).
    pub fn repondre(&self, eleve: &EleveId, r: Reponse) -> Result<Passage> {
        self.passage_step(eleve, Ressource::ReponseFamille, "reponse", |p, d| p.repondre(r, d))
    }

    /// Decides for one pupil.
    pub fn decider(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "decision", |p, d| p.decider(t, d))
    }

    /// Decides for every pupil of a class whose family accepted (or let 15 days pass): the
    /// decision is the proposal. Contested proposals are left for an individual decision.
    pub fn decider_classe(&self, classe: &ClasseId) -> Result<(usize, Vec<String>)> {
        self.autoriser(Ressource::Passage, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let k = classes::classe(tx, &self.acteur.perimetre, classe)?;
            let mut n = 0;
            let mut restent = Vec::new();
            let mut faits = Vec::new();
            for f in sc::fiches_classe(tx, &self.acteur.perimetre, classe)? {
                let p = sc::passage(tx, &f.vu, k.annee)?;
                let nom = sc::nom_complet(tx, &f.vu)?;
                match (p.proposition, p.decision, p.position_famille(today)) {
                    (_, Some(_), _) => {}
                    (Some((t, _)), None, Some(Reponse::Accepte)) => {
                        sc::enregistrer_passage(tx, &f.vu, k.annee, &p.decider(t, today)?)?;
                        faits.push(
                            Fait::new(Action::Modifier, "passage")
                                .cible(f.id.clone())
                                .eleve(f.eleve_id.to_string())
                                .detail(json!({ "decision": t.code() })),
                        );
                        n += 1;
                    }
                    (None, _, _) => restent.push(format!("{nom} : aucune proposition")),
                    (Some(_), None, Some(Reponse::Conteste)) => {
                        restent.push(format!("{nom} : la famille conteste, décision individuelle"))
                    }
                    (Some(_), None, None) => restent.push(format!(
                        "{nom} : la famille peut répondre jusqu'au {}",
                        p.limite_reponse().map(date_fr).unwrap_or_default()
                    )),
                }
            }
            self.journal(tx, &faits)?;
            Ok((n, restent))
        })
    }

    /// The family appeals the decision (recorded by the school).
    pub fn former_recours(&self, eleve: &EleveId) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "recours", |p, d| p.former_recours(d))
    }

    /// The departmental commission's ruling (recorded by the school).
    pub fn trancher(&self, eleve: &EleveId, t: TypePassage) -> Result<Passage> {
        self.passage_step(eleve, Ressource::Passage, "commission", |p, d| p.trancher(t, d))
    }

    /// Marks a pupil as leaving the school at the end of the year ("quitte l'école").
    pub fn quitter(&self, eleve: &EleveId, quitte: bool, destination: Option<&str>) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            f.etat.exiger_present()?;
            sc::marquer_quitte(tx, &f.id, quitte, destination)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "quitte": quitte }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }

    /// Radiates a pupil: motive, effective date, destination. The history is kept.
    pub fn radier(
        &self,
        eleve: &EleveId,
        motif: MotifRadiation,
        date: Date,
        destination: Option<&str>,
    ) -> Result<Resultat> {
        self.autoriser(Ressource::Eleve, Action::Modifier)?;
        let today = self.today();
        if date > today + time::Duration::days(62) {
            return Err(Error::Transition(
                "la date de radiation est trop loin dans le futur (deux mois au plus)".into(),
            ));
        }
        self.store.ecrire(|tx| {
            let f = self.fiche(tx, eleve)?;
            let etat = f.etat.radier()?;
            if date < f.date_admission {
                return Err(Error::Transition(format!(
                    "la radiation ne peut précéder l'admission du {}",
                    date_fr(f.date_admission)
                )));
            }
            sc::sortir(tx, &f.id, etat, date, motif.code(), destination)?;
            if motif.quitte_le_premier_degre() {
                sc::noter_sortie_premier_degre(tx, eleve, date)?;
            }
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "scolarite")
                    .cible(f.id.clone())
                    .eleve(eleve.to_string())
                    .detail(json!({ "radiation": motif.code() }))],
            )?;
            Ok(Resultat { id: f.id, eleve_id: eleve.to_string(), avertissements: vec![] })
        })
    }

    /// The rentrée of the actor's département (every département for the operator): closes the
    /// year and opens the next. Passages are applied, CM2 pupils leave primary school, pupils
    /// marked as leaving leave, everyone else awaits répartition in the next niveau. Refuses to
    /// run twice, and before 1 July.
    pub fn rentree(&self) -> Result<Rentree> {
        self.autoriser(Ressource::Annee, Action::Modifier)?;
        let today = self.today();
        self.store.ecrire(|tx| {
            let deps = match &self.acteur.perimetre {
                Perimetre::Departement(d) => vec![d.clone()],
                Perimetre::Installation => sc::departements(tx)?,
                _ => return Err(Error::Interdit(Interdit::Role)),
            };
            let ouverte = territoires::annee_courante(tx)?;
            let precedente = ouverte.precedente();
            // Another département may have opened the year already: then this one closes the previous.
            let mut annee = ouverte;
            if sc::annee_existe(tx, precedente)? {
                let reste = deps
                    .iter()
                    .map(|d| {
                        Ok(!sc::rentree_faite(tx, d, precedente)?
                            && !sc::fiches_departement(tx, precedente, d)?.is_empty())
                    })
                    .collect::<store::Result<Vec<bool>>>()?;
                if reste.iter().any(|r| *r) {
                    annee = precedente;
                }
            }
            let suivante = annee.suivante();
            if deps
                .iter()
                .map(|d| sc::rentree_faite(tx, d, annee))
                .collect::<store::Result<Vec<bool>>>()?
                .iter()
                .all(|f| *f)
            {
                return Err(Error::Transition(format!("la rentrée {suivante} est déjà faite")));
            }
            if annee == ouverte {
                let fin = Date::from_calendar_date(annee.debut() + 1, Month::July, 1).unwrap_or(Date::MAX);
                if today < fin {
                    let deja = deps
                        .iter()
                        .map(|d| sc::rentree_faite(tx, d, precedente))
                        .collect::<store::Result<Vec<bool>>>()?
                        .iter()
                        .all(|f| *f)
                        && sc::annee_existe(tx, precedente)?;
                    return Err(Error::Transition(if deja {
                        format!(
                            "la rentrée {ouverte} est déjà faite ; la suivante se fera à partir du {}",
                            date_fr(fin)
                        )
                    } else {
                        format!("l'année {annee} n'est pas finie : la rentrée se prépare à partir du {}", date_fr(fin))
                    }));
                }
                // The next year must exist before its records are written.
                sc::basculer_annee(tx, annee)?;
            }
            let mut bilan = Rentree { annee: annee.to_string(), suivante: suivante.to_string(), ..Default::default() };
            for dep in &deps {
                if sc::rentree_faite(tx, dep, annee)? {
                    continue;
                }
                for f in &sc::fiches_departement(tx, annee, dep)? {
                    self.reconduire(tx, f, today, &mut bilan)?;
                }
                sc::noter_rentree(tx, dep, annee, today)?;
            }
            // End of the year: autorisations, insurance and périscolaire are cleared.
            sc::effacer_annuel(tx, suivante)?;
            self.journal(
                tx,
                &[Fait::new(Action::Modifier, "annee")
                    .cible(annee.to_string())
                    .detail(serde_json::to_value(&bilan).unwrap_or_default())],
            )?;
            Ok(bilan)
        })
    }

    fn reconduire(&self, tx: &Transaction<'_>, f: &Fiche, today: Date, bilan: &mut Rentree) -> Result<()> {
        if f.quitte {
            sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_d_annee", None)?;
            bilan.partis += 1;
            return Ok(());
        }
        let t = sc::passage(tx, &f.vu, f.annee)?.applicable(today);
        match t {
            TypePassage::Passage => bilan.passages += 1,
            TypePassage::Maintien => bilan.maintiens += 1,
            TypePassage::Anticipe => bilan.anticipes += 1,
        }
        match t.niveau_suivant(f.niveau) {
            None => {
                sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_scolarite_primaire", Some("collège (6e)"))?;
                sc::noter_sortie_premier_degre(tx, &f.eleve_id, today)?;
                bilan.sortants_cm2 += 1;
            }
            Some(n) if !ecole_type(tx, &f.ecole_id)?.admet(n) => {
                // Leaving the école maternelle for CP: the élémentaire admits the pupil, who
                // keeps the INE and history (duplicate search).
                sc::sortir(tx, &f.id, f.etat.partir()?, today, "fin_d_annee", Some("école élémentaire (CP)"))?;
                bilan.sortants_maternelle += 1;
            }
            Some(n) => {
                sc::reconduire(tx, &crate::domain::ids::random_id(&mut rand::rng()), f, n)?;
                sc::sortir(tx, &f.id, f.etat, today, "fin_d_annee", None)?;
                bilan.reconduits += 1;
            }
        }
        Ok(())
    }
}

/// What the rentrée did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Rentree {
    /// The year closed.
    pub annee: String,
    /// The year opened.
    pub suivante: String,
    /// Pupils continuing in the same school (awaiting répartition).
    pub reconduits: u32,
    /// Passages applied.
    pub passages: u32,
    /// Maintiens applied.
    pub maintiens: u32,
    /// Passages anticipés applied.
    pub anticipes: u32,
    /// CM2 pupils leaving primary school.
    pub sortants_cm2: u32,
    /// GS pupils leaving an école maternelle.
    pub sortants_maternelle: u32,
    /// Pupils marked as leaving the school.
    pub partis: u32,
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
}

use sc::{commune_ecole as ecole_commune, departement_commune as departement_de_commune, type_ecole as ecole_type};

/// What the retention purge did, or would do (dry run).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Purge {
    /// Pupils erased (or to erase).
    pub eleves: usize,
    /// Responsables' accounts erased with their last child.
    pub comptes: usize,
    /// Responsables left without a pupil, erased.
    pub responsables: usize,
    /// Yearly autorisations, insurance and périscolaire of past years cleared.
    pub annuel: usize,
    /// Whether nothing was changed.
    pub essai: bool,
}

/// Applies the retention rules of DOMAIN.md §4 as of `le`: past years' autorisations, insurance
/// and périscolaire; pupils whose retention ended (31 December of the year they left primary
/// school). Idempotent; journaled; a dry run changes nothing. The freed pages are overwritten
/// (`secure_delete`) and the WAL is truncated, so no trace stays in the files.
pub fn purger(
    store: &Store,
    cles: &Cles,
    auteur: &audit::Auteur,
    le: OffsetDateTime,
    essai: bool,
) -> store::Result<Purge> {
    let today = le.to_offset(crate::clock::paris_offset(le)).date();
    let r = store.write(|tx| {
        let annee = territoires::annee_courante(tx)?;
        let ids = sc::a_effacer(tx, today)?;
        let mut r = Purge { eleves: ids.len(), essai, ..Default::default() };
        if essai {
            r.annuel = sc::compter_annuel_passe(tx, annee)?;
            return Ok(r);
        }
        r.annuel = sc::effacer_annuel_passe(tx, annee)?;
        for id in &ids {
            sc::effacer(tx, id)?;
        }
        r.comptes = sc::comptes_orphelins(tx)?;
        r.responsables = sc::responsables_orphelins(tx)?;
        audit::ajouter(
            tx,
            cles,
            auteur,
            le,
            &[Fait::new(Action::Supprimer, "conservation").detail(serde_json::to_value(&r).unwrap_or_default())],
        )?;
        Ok(r)
    })?;
    if !essai {
        store.checkpoint()?;
    }
    Ok(r)
}
