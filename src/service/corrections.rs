//! Correcting a pupil's record and the returned fiche; the rules below hold for the families'
//! rights too (rectification requests, opposition for legitimate reasons: `service::demandes`).
//!
//! One road: the API's endpoints (identity, a responsable, the contacts, the year's
//! autorisations…), the page « Corriger la fiche » (the returned fiche typed in one step) and
//! an approved rectification all build a [`Correction`] and go through [`Service::corriger`]
//! (or its inner step in the caller's transaction), which validates each part like the first
//! entry, writes in place, journals the names of the fields changed — never their values —
//! and truncates the WAL so the old values leave the files.
//!
//! Choices made for the pupils' data:
//! - the directeur corrects the record of a pupil attending the school this year only (a pupil
//!   who left belongs to the new school); the mairie corrects the état civil it recorded (an
//!   inscription of its commune that brought the record) and nothing else;
//! - a responsable shared by siblings is one person: a correction changes it for all of them,
//!   and each sibling's log says so;
//! - a responsable detached from their last pupil is deleted with their family account, and
//!   their pending requests about the pupil end;
//! - the requests of a pupil are seen and decided where the pupil's latest schooling record
//!   is (the school, its IEN, its IA-DASEN), not by a school or a département the child left;
//!   a parent never sees the other parent's words (proposed value, comment, reasons);
//! - the INE is never corrected here (it is the national tool's);
//! - a family's request keeps its proposed value and comment only until the decision;
//! - an accepted opposition is recorded and shown, and the pupil-level statistical extracts
//!   leave such pupils out (`service::publications`).

use serde::Serialize;
use serde_json::json;

use super::demandes::date;
use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::auth::Interdit;
use crate::domain::champs::{ChampAnnuel, ChampContact, ChampEleve, ChampLien, ChampResponsable, differences, texte};
use crate::domain::correction::{AnnuelSaisie, ResponsableCorrige};
use crate::domain::identite::ChampInvalide;
use crate::domain::{
    ContactId, ContactIdentite, ContactSaisie, EleveId, EleveIdentite, EleveSaisie, ResponsableId, ResponsableIdentite,
};
use crate::policy::{Action, Ressource, Role};
use crate::store::corrections::{self as co};
use crate::store::eleves::{self, Annuel, FicheEleve};
use crate::store::{Ecriture, Vu, territoires};

/// A responsable to add to a pupil.
#[derive(Debug, Clone)]
pub enum Ajout {
    /// A new person.
    Nouveau(Box<ResponsableCorrige>),
    /// A responsable of another pupil of the school (a sibling's parent).
    Existant {
        /// The responsable.
        id: ResponsableId,
        /// The link with this pupil (`mere`, `pere`, `tuteur`, `tiers`).
        lien: String,
        /// False when withdrawn by a court.
        autorite_parentale: bool,
        /// Consent to give the address to parents' associations.
        accord_associations: Option<bool>,
    },
}

/// A correction of a pupil's record: each part given is applied, the others are left alone.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    /// Category I (identity and address); the INE, if given, must be the stored one.
    pub eleve: Option<EleveSaisie>,
    /// Responsables corrected (the person, and the link with this pupil).
    pub responsables: Vec<(ResponsableId, ResponsableCorrige)>,
    /// Responsables added.
    pub ajouts: Vec<Ajout>,
    /// Responsables detached from this pupil.
    pub detachements: Vec<ResponsableId>,
    /// The persons to contact, in order (an id keeps one; none adds; one not listed is
    /// removed); `None` leaves them as they are.
    pub contacts: Option<Vec<(Option<ContactId>, ContactSaisie)>>,
    /// This year's autorisations, insurance and périscolaire.
    pub annuel: Option<AnnuelSaisie>,
    /// The fiche de renseignements came back from the family, checked and signed.
    pub fiche_retournee: bool,
}

/// What a correction changed: field names only.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Corrige {
    /// The pupil.
    pub eleve_id: String,
    /// The fields changed (`eleve.adresse`, `responsable 1.tel_portable`, `contacts.ajout`…).
    pub champs: Vec<String>,
    /// Other pupils whose record changed with it (siblings sharing a responsable).
    pub freres_et_soeurs: usize,
    /// Whether the returned fiche was recorded.
    pub fiche_retournee: bool,
}

/// A correction, validated (pure: before any transaction).
pub(super) struct Valide {
    eleve: Option<EleveIdentite>,
    responsables: Vec<(ResponsableId, ResponsableIdentite, bool, Option<bool>)>,
    ajouts: Vec<AjoutValide>,
    detachements: Vec<ResponsableId>,
    contacts: Option<Vec<(Option<ContactId>, ContactIdentite)>>,
    annuel: Option<AnnuelSaisie>,
    ine: Option<String>,
}

enum AjoutValide {
    Nouveau(Box<ResponsableIdentite>, bool, Option<bool>),
    Existant(ResponsableId, crate::domain::Lien, bool, Option<bool>),
}

/// The refusals of the `rang`-th responsable or contact: each message says which (the field
/// keeps its name).
fn avec_rang(rang: usize, e: crate::domain::Error) -> crate::domain::Error {
    match e {
        crate::domain::Error::Champ(c) => {
            crate::domain::Error::Champ(ChampInvalide::new(c.champ, format!("{} (n° {rang})", c.probleme)))
        }
        crate::domain::Error::Champs(l) => crate::domain::Error::Champs(
            l.into_iter()
                .map(|c| crate::domain::ErreurChamp { message: format!("{} (n° {rang})", c.message), ..c })
                .collect(),
        ),
        other => other,
    }
}

impl Correction {
    /// Checks every part, reporting every refusal at once under the request's keys
    /// (`eleve.nom`, `responsables[0].tel_portable`, `ajouts[0].nom`, `contacts[1].telephone`,
    /// `annuel.assureur`).
    pub(super) fn valider(&self, today: time::Date) -> Result<Valide> {
        let mut er = crate::domain::Erreurs::default();
        let (eleve, ine) = match &self.eleve {
            Some(s) => (
                er.garder("eleve", s.valider_lieu_a_completer(today)).map(|(e, _)| e),
                s.ine.clone().filter(|i| !i.trim().is_empty()),
            ),
            None => (None, None),
        };
        let mut responsables = Vec::new();
        for (i, (id, r)) in self.responsables.iter().enumerate() {
            if let Some(v) =
                er.garder(&format!("responsables[{i}]"), r.responsable.valider().map_err(|e| avec_rang(i + 1, e)))
            {
                responsables.push((id.clone(), v, r.autorite_parentale, r.accord_associations));
            }
        }
        let mut ajouts = Vec::new();
        for (i, a) in self.ajouts.iter().enumerate() {
            let cle = format!("ajouts[{i}]");
            let v = match a {
                Ajout::Nouveau(r) => er
                    .garder(&cle, r.responsable.valider().map_err(|e| avec_rang(i + 1, e)))
                    .map(|v| AjoutValide::Nouveau(Box::new(v), r.autorite_parentale, r.accord_associations)),
                Ajout::Existant { id, lien, autorite_parentale, accord_associations } => er
                    .garder(&format!("{cle}.lien"), crate::domain::Lien::parse(lien))
                    .map(|l| AjoutValide::Existant(id.clone(), l, *autorite_parentale, *accord_associations)),
            };
            ajouts.extend(v);
        }
        let contacts = match &self.contacts {
            Some(l) => {
                if l.len() > 9 {
                    er.ajouter(
                        "contacts",
                        ChampInvalide::new("personnes à contacter", "au plus neuf personnes").into(),
                    );
                }
                let mut v = Vec::new();
                for (i, (id, k)) in l.iter().enumerate() {
                    if let Some(k) = er.garder(&format!("contacts[{i}]"), k.valider().map_err(|e| avec_rang(i + 1, e)))
                    {
                        v.push((id.clone(), k));
                    }
                }
                Some(v)
            }
            None => None,
        };
        let annuel = match &self.annuel {
            Some(a) => er.garder("annuel", a.valider()),
            None => None,
        };
        // Past this point every part given was kept (a refusal returned here).
        er.finir()?;
        Ok(Valide { eleve, responsables, ajouts, detachements: self.detachements.clone(), contacts, annuel, ine })
    }

    /// Whether only the état civil is corrected (what a mairie may do).
    fn etat_civil_seul(&self) -> bool {
        self.responsables.is_empty()
            && self.ajouts.is_empty()
            && self.detachements.is_empty()
            && self.contacts.is_none()
            && self.annuel.is_none()
            && !self.fiche_retournee
    }
}

/// The pupil's identity as a form or a request starts from: the stored values (never the
/// INE, which is not corrected).
pub fn saisie_eleve(e: &eleves::Eleve) -> EleveSaisie {
    let mut s = EleveSaisie::default();
    for c in ChampEleve::TOUS.iter().filter(|c| **c != ChampEleve::Ine) {
        c.poser(&mut s, texte(&c.valeur(e)));
    }
    s
}

/// A responsable as stored, as a form starts from.
pub fn saisie_responsable(r: &eleves::ResponsableFiche) -> ResponsableCorrige {
    let mut s = crate::domain::ResponsableSaisie { lien: r.personne.lien.code().into(), ..Default::default() };
    for c in ChampResponsable::TOUS {
        c.poser(&mut s, c.texte(&r.personne));
    }
    ResponsableCorrige {
        responsable: s,
        autorite_parentale: r.autorite_parentale,
        accord_associations: r.accord_associations,
    }
}

/// A contact as stored, as a form starts from.
pub fn saisie_contact(k: &eleves::Contact) -> ContactSaisie {
    let mut s = ContactSaisie::default();
    for c in ChampContact::TOUS {
        c.poser(&mut s, texte(&c.valeur(k)));
    }
    s
}

/// The year's answers as stored.
pub fn saisie_annuel(a: Option<&Annuel>) -> AnnuelSaisie {
    a.cloned().unwrap_or_default()
}

/// The keys of the fields that changed.
fn cles<C: Copy>(champs: Vec<C>, cle: impl Fn(C) -> &'static str) -> Vec<&'static str> {
    champs.into_iter().map(cle).collect()
}

/// The fields of the identity that changed (the INE is not corrected here).
fn diff_eleve(avant: &eleves::Eleve, apres: &EleveIdentite) -> Vec<&'static str> {
    let apres = eleves::Eleve::depuis(avant.id.clone(), apres);
    let d = differences(ChampEleve::TOUS, ChampEleve::valeur, avant, &apres);
    cles(d.into_iter().filter(|c| *c != ChampEleve::Ine).collect(), ChampEleve::cle)
}

/// The fields of a responsable (the person) that changed.
fn diff_personne(avant: &eleves::ResponsableFiche, apres: &ResponsableIdentite) -> Vec<&'static str> {
    cles(differences(ChampResponsable::TOUS, ChampResponsable::valeur, &avant.personne, apres), ChampResponsable::cle)
}

/// The fields of a responsable's link with the pupil that changed.
fn diff_lien(avant: &eleves::ResponsableFiche, apres: &eleves::ResponsableFiche) -> Vec<&'static str> {
    cles(differences(ChampLien::TOUS, ChampLien::valeur, avant, apres), ChampLien::cle)
}

fn diff_contact(avant: &eleves::Contact, apres: &ContactIdentite) -> Vec<&'static str> {
    let apres = eleves::Contact::depuis(avant.id.clone(), avant.rang, apres);
    cles(differences(ChampContact::TOUS, ChampContact::valeur, avant, &apres), ChampContact::cle)
}

fn diff_annuel(avant: &AnnuelSaisie, apres: &AnnuelSaisie) -> Vec<&'static str> {
    cles(differences(ChampAnnuel::TOUS, ChampAnnuel::valeur, avant, apres), ChampAnnuel::cle)
}

impl Service<'_> {
    /// The pupil's record the actor may correct, read in the transaction: the directeur's
    /// pupils attending the school this year; the mairie's état civil.
    pub(super) fn a_corriger(&self, tx: &Ecriture<'_>, eleve: &EleveId) -> Result<(Vu, FicheEleve)> {
        let annee = territoires::annee_courante(tx)?;
        let vu = if self.acteur.role == Role::AgentMairie {
            co::etat_civil_de_la_mairie(tx, &self.acteur.perimetre, eleve)?
        } else {
            let f = self.fiche(tx, eleve)?;
            if !f.etat.est_present() {
                return Err(Error::Transition(
                    "l'élève ne fréquente plus l'école cette année : son dossier se corrige dans sa nouvelle école"
                        .into(),
                ));
            }
            f.vu
        };
        let fiche = eleves::fiche(tx, &self.acteur.perimetre, vu.eleve(), annee)?;
        Ok((vu, fiche))
    }

    /// Corrects a pupil's record (see the module): validated like the first entry, written in
    /// place, journaled by field names; returns what changed.
    pub fn corriger(&self, eleve: &EleveId, c: &Correction) -> Result<Corrige> {
        if self.acteur.role == Role::AgentMairie {
            self.autoriser(Ressource::EtatCivil, Action::Modifier)?;
            // Nor an INE: the mairie never sees it, so it may not test a guess either.
            let ine = c.eleve.as_ref().and_then(|e| e.ine.as_deref()).is_some_and(|i| !i.trim().is_empty());
            if !c.etat_civil_seul() || ine {
                return Err(Interdit::Role.into());
            }
        } else {
            self.autoriser(Ressource::Eleve, Action::Modifier)?;
        }
        let today = self.today();
        let r = self.store.ecrire(|tx| {
            // The perimeter first: a pupil of another territory is « introuvable », whatever
            // the body says.
            let (vu, avant) = self.a_corriger(tx, eleve)?;
            let v = c.valider(today)?;
            self.appliquer(tx, &vu, &avant, &v, c.fiche_retournee, None)
        })?;
        if !r.champs.is_empty() {
            self.effacer_traces();
        }
        Ok(r)
    }

    /// The replaced values leave the WAL file too (`secure_delete` already cleared the
    /// database's pages): a checkpoint truncates it. If a reader holds an older snapshot, the
    /// WAL cannot be truncated now; the store's checkpointer does it as soon as the readers let
    /// it, and the delay is logged.
    pub(super) fn effacer_traces(&self) {
        match self.store.checkpoint() {
            Ok(true) => {}
            Ok(false) => tracing::info!("correction : le WAL sera vidé dès la fin des lectures en cours"),
            Err(e) => tracing::error!(erreur = %e, "correction : point de contrôle du WAL impossible"),
        }
    }

    /// Applies a validated correction in the caller's transaction and journals it.
    pub(super) fn appliquer(
        &self,
        tx: &Ecriture<'_>,
        vu: &Vu,
        avant: &FicheEleve,
        v: &Valide,
        fiche_retournee: bool,
        rectification: Option<&str>,
    ) -> Result<Corrige> {
        let eleve = vu.eleve();
        let mut champs: Vec<String> = Vec::new();
        let mut faits = Vec::new();
        let mut freres = std::collections::BTreeSet::new();
        if let Some(e) = &v.eleve {
            if let Some(ine) = &v.ine
                && avant.eleve.ine.as_ref().map(|i| i.as_str()) != Some(ine.trim().to_uppercase().as_str())
            {
                return Err(crate::domain::Error::from(ChampInvalide::new(
                    "INE",
                    "l'INE ne se corrige pas ici : il est attribué une fois pour toute la scolarité",
                ))
                .into());
            }
            let d = diff_eleve(&avant.eleve, e);
            if !d.is_empty() {
                co::modifier_eleve(tx, vu, e)?;
                champs.extend(d.iter().map(|f| format!("eleve.{f}")));
            }
        }
        for (id, r, autorite, accord) in &v.responsables {
            let a = avant
                .responsables
                .iter()
                .find(|x| &x.id == id)
                .ok_or(crate::store::Error::Introuvable("responsable"))?;
            let personne = diff_personne(a, r);
            let apres = eleves::ResponsableFiche {
                personne: r.clone(),
                autorite_parentale: *autorite,
                accord_associations: *accord,
                ..a.clone()
            };
            let mut lien = diff_lien(a, &apres);
            if !personne.is_empty() {
                co::modifier_responsable(tx, vu, id, r)?;
                // A person shared by siblings: each sibling's log says their record changed.
                for autre in co::eleves_du_responsable(tx, id)?.into_iter().filter(|x| x != eleve) {
                    faits.push(
                        Fait::new(Action::Modifier, "responsable")
                            .cible(id.to_string())
                            .eleve(autre.to_string())
                            .detail(json!({ "champs": personne })),
                    );
                    freres.insert(autre);
                }
            }
            if !lien.is_empty() {
                co::modifier_lien(tx, vu, id, r.lien, *autorite, *accord)?;
            }
            lien.splice(0..0, personne);
            champs.extend(lien.iter().map(|f| format!("responsable {}.{f}", a.rang)));
        }
        for id in &v.detachements {
            let a = avant
                .responsables
                .iter()
                .find(|x| &x.id == id)
                .ok_or(crate::store::Error::Introuvable("responsable"))?;
            let (compte, efface) = co::detacher(tx, vu, id, self.le)?;
            champs.push(format!("responsable {}.detache", a.rang));
            if let Some(compte) = compte {
                faits.push(
                    Fait::new(Action::Supprimer, "compte")
                        .cible(compte)
                        .detail(json!({ "motif": "responsable détaché de son dernier enfant" })),
                );
            }
            if efface {
                faits.push(Fait::new(Action::Supprimer, "responsable").cible(id.to_string()));
            }
        }
        let annee = territoires::annee_courante(tx)?;
        for a in &v.ajouts {
            match a {
                AjoutValide::Nouveau(r, autorite, accord) => {
                    let id = ResponsableId::random(&mut rand::rng());
                    eleves::insert_responsable(tx, &id, r)?;
                    let rang = co::rattacher(tx, vu, &id, r.lien, *autorite, *accord)?;
                    champs.push(format!("responsable {rang}.ajoute"));
                }
                AjoutValide::Existant(id, lien, autorite, accord) => {
                    // Only a responsable of a pupil attending a school of the perimeter: an id
                    // from elsewhere is not found.
                    if !co::responsable_de_l_ecole(tx, &self.acteur.perimetre, id, annee)? {
                        return Err(crate::store::Error::Introuvable("responsable").into());
                    }
                    let rang = co::rattacher(tx, vu, id, *lien, *autorite, *accord)?;
                    champs.push(format!("responsable {rang}.rattache"));
                }
            }
        }
        if let Some(liste) = &v.contacts {
            let mut d: Vec<String> = Vec::new();
            for (i, (id, k)) in liste.iter().enumerate() {
                match id.as_ref().and_then(|id| avant.contacts.iter().find(|x| &x.id == id)) {
                    Some(a) => {
                        d.extend(diff_contact(a, k).into_iter().map(|f| format!("contact {}.{f}", i + 1)));
                        if usize::from(a.rang) != i + 1 {
                            d.push(format!("contact {}.ordre", i + 1));
                        }
                    }
                    None if id.is_some() => return Err(crate::store::Error::Introuvable("personne à contacter").into()),
                    None => d.push(format!("contact {}.ajoute", i + 1)),
                }
            }
            let retires =
                avant.contacts.iter().filter(|a| !liste.iter().any(|(id, _)| id.as_ref() == Some(&a.id))).count();
            d.extend((0..retires).map(|_| "contact.retire".to_string()));
            if !d.is_empty() {
                co::remplacer_contacts(tx, vu, liste, &mut rand::rng())?;
                champs.extend(d);
            }
        }
        if let Some(a) = &v.annuel {
            if let Some(s) = avant.scolarite(annee) {
                let mut er = crate::domain::Erreurs::default();
                er.garder("annuel", a.controler_niveau(s.niveau));
                er.finir().map_err(super::Error::Invalide)?;
            }
            let d = diff_annuel(&saisie_annuel(avant.annuel.as_ref()), a);
            if !d.is_empty() {
                eleves::upsert_annuel(tx, eleve, annee, a)?;
                champs.extend(d.iter().map(|f| format!("annuel.{f}")));
            }
        }
        if fiche_retournee {
            co::noter_retour(tx, vu, annee, self.le)?;
        }
        if !champs.is_empty() || fiche_retournee {
            let mut detail = json!({ "champs": champs });
            if fiche_retournee {
                detail["fiche_retournee"] = json!(true);
            }
            if let Some(r) = rectification {
                detail["rectification"] = json!(r);
            }
            faits.insert(
                0,
                Fait::new(Action::Modifier, "eleve").cible(eleve.to_string()).eleve(eleve.to_string()).detail(detail),
            );
            self.journal(tx, &faits)?;
        }
        Ok(Corrige { eleve_id: eleve.to_string(), champs, freres_et_soeurs: freres.len(), fiche_retournee })
    }

    /// Whether the actor may correct this pupil's record now (the pages offer the form only
    /// then): a directeur, a pupil attending the school this year; a mairie, the état civil it
    /// recorded.
    pub fn correction_possible(&self, eleve: &EleveId) -> Result<bool> {
        let mairie = self.acteur.role == Role::AgentMairie;
        let ressource = if mairie { Ressource::EtatCivil } else { Ressource::Eleve };
        if !self.acteur.decision(ressource, Action::Modifier).autorise() {
            return Ok(false);
        }
        Ok(self.store.read(|c| {
            if mairie {
                return Ok(co::etat_civil_de_la_mairie(c, &self.acteur.perimetre, eleve).is_ok());
            }
            let annee = territoires::annee_courante(c)?;
            Ok(crate::store::parcours::fiche(c, &self.acteur.perimetre, eleve, annee)
                .is_ok_and(|f| f.etat.est_present()))
        })?)
    }

    /// Whether the pupil's fiche came back this year (date, French).
    pub fn fiche_retour(&self, eleve: &EleveId) -> Result<Option<String>> {
        self.autoriser(Ressource::Eleve, Action::Lire)?;
        Ok(self.store.read(|c| {
            let vu = eleves::voir(c, &self.acteur.perimetre, eleve)?;
            let annee = territoires::annee_courante(c)?;
            Ok(co::retour(c, &vu, annee)?.map(date))
        })?)
    }

    /// The pupils of a class whose fiche came back this year.
    pub fn retours_classe(&self, classe: &crate::domain::ClasseId) -> Result<std::collections::HashSet<EleveId>> {
        self.autoriser(Ressource::Classe, Action::Lire)?;
        Ok(self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            co::retours_classe(c, &self.acteur.perimetre, classe, annee)
        })?)
    }

    /// The record as the correction form starts from it (journaled as a reading).
    pub fn a_corriger_lecture(&self, eleve: &EleveId) -> Result<FicheEleve> {
        if self.acteur.role == Role::AgentMairie {
            self.autoriser(Ressource::EtatCivil, Action::Modifier)?;
        } else {
            self.autoriser(Ressource::Eleve, Action::Modifier)?;
        }
        let f = self.store.ecrire(|tx| {
            let (_, f) = self.a_corriger(tx, eleve)?;
            self.journal(tx, &[Fait::new(Action::Lire, "eleve").cible(eleve.to_string()).eleve(eleve.to_string())])?;
            Ok::<_, Error>(f)
        })?;
        Ok(f)
    }
}
