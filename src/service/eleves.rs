//! Reading pupils: a list or a search, one record, the pupils of a class, and who consulted a
//! record. Each reads within the actor's perimeter (outside it: « introuvable »), journals the
//! access before the data is handed over, and returns only the fields the role may see
//! ([`super::projection`]). Creating a pupil is an admission ([`Service::admettre`]).

use serde_json::{Value, json};

use super::{Result, Service, projection};
use crate::audit::Fait;
use crate::domain::{AnneeScolaire, ClasseId, EcoleId, EleveId};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, Filtre};
use crate::store::journal::{self, Consultation};
use crate::store::{classes, territoires};

/// A list or a search of pupils, as asked.
#[derive(Debug, Clone, Default)]
pub struct Recherche {
    /// Only this school.
    pub ecole: Option<EcoleId>,
    /// Only this class.
    pub classe: Option<ClasseId>,
    /// Words of the noms or prénoms (a search rather than a list).
    pub q: Option<String>,
    /// The année scolaire (the current one by default).
    pub annee: Option<AnneeScolaire>,
    /// At most this many.
    pub limite: u32,
    /// Skip this many.
    pub decalage: u32,
}

/// The longest search accepted (characters).
pub const RECHERCHE_MAX: usize = 200;

impl Service<'_> {
    /// Lists or searches the pupils of the perimeter; the words searched are never journaled,
    /// only their number.
    pub fn eleves(&self, r: &Recherche) -> Result<Value> {
        let action = if r.q.is_some() { Action::Rechercher } else { Action::Lister };
        let champs = self.autoriser(Ressource::Eleve, action)?;
        let p = &self.acteur.perimetre;
        let f = Filtre {
            annee: self.annee_ou_courante(r.annee)?,
            ecole: r.ecole.clone(),
            classe: r.classe.clone(),
            q: r.q.clone(),
            presents: false,
            limite: r.limite,
            decalage: r.decalage,
        };
        let lignes = self.store.read(|c| {
            // A school or class outside the perimeter is not found, rather than empty.
            if let Some(e) = &r.ecole {
                territoires::ecole(c, p, e)?;
            }
            if let Some(k) = &r.classe {
                classes::classe(c, p, k)?;
            }
            eleves::lister(c, p, &f)
        })?;
        let mots = r.q.as_deref().map(|t| t.split_whitespace().count());
        let detail = json!({ "ecole": r.ecole, "classe": r.classe, "mots": mots, "nombre": lignes.len() });
        self.noter(&[Fait::new(action, "eleve").detail(detail)])?;
        Ok(projection::lignes(&lignes, champs))
    }

    /// The pupils attending a class.
    pub fn eleves_de_classe(&self, classe: &ClasseId) -> Result<Value> {
        self.autoriser(Ressource::Classe, Action::Lire)?;
        let champs = self.autoriser(Ressource::Eleve, Action::Lister)?;
        let p = &self.acteur.perimetre;
        let lignes = self.store.read(|c| {
            let k = classes::classe(c, p, classe)?;
            let f = Filtre { classe: Some(classe.clone()), presents: true, ..Filtre::annee(k.annee) };
            eleves::lister(c, p, &f)
        })?;
        let fait = Fait::new(Action::Lister, "eleve")
            .cible(classe.to_string())
            .detail(json!({ "classe": classe, "nombre": lignes.len() }));
        self.noter(&[fait])?;
        Ok(projection::lignes(&lignes, champs))
    }

    /// Everything stored about a pupil that the role may see; `annee` selects the year's
    /// autorisations.
    pub fn eleve(&self, id: &EleveId, annee: Option<AnneeScolaire>) -> Result<Value> {
        let champs = self.autoriser(Ressource::Eleve, Action::Lire)?;
        let annee = self.annee_ou_courante(annee)?;
        let fiche = self.store.read(|c| eleves::fiche(c, &self.acteur.perimetre, id, annee))?;
        self.noter(&[Fait::new(Action::Lire, "eleve").cible(id.to_string()).eleve(id.to_string())])?;
        Ok(projection::fiche(&fiche, champs))
    }

    /// Who consulted a pupil's record, by function and date (never a name), newest first.
    pub fn consultations(&self, id: &EleveId) -> Result<Vec<Consultation>> {
        self.autoriser(Ressource::Journal, Action::Lire)?;
        let liste = self.store.read(|c| {
            let vu = eleves::voir(c, &self.acteur.perimetre, id)?;
            journal::consultations(c, &vu, 500)
        })?;
        self.noter(&[Fait::new(Action::Lire, "journal").cible(id.to_string())])?;
        Ok(liste)
    }
}

impl Service<'_> {
    /// The pupils admitted this year in a school of the perimeter and placed in no class.
    pub fn non_repartis(&self, ecole: &EcoleId) -> Result<Value> {
        let champs = self.autoriser(Ressource::Eleve, Action::Lister)?;
        self.autoriser(Ressource::Classe, Action::Lister)?;
        let p = &self.acteur.perimetre;
        let l = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            territoires::ecole(c, p, ecole)?;
            crate::store::parcours::non_repartis(c, p, ecole, annee)
        })?;
        self.noter(&[Fait::new(Action::Lister, "eleve").detail(json!({ "non_repartis": l.len() }))])?;
        Ok(projection::lignes(&l, champs))
    }
}
