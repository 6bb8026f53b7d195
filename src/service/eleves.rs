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
        Ok(self.eleves_page(r)?.0)
    }

    /// The same, with how many pupils match in all (`r.limite` aside).
    pub fn eleves_page(&self, r: &Recherche) -> Result<(Value, u64)> {
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
        let (lignes, total) = self.store.read(|c| {
            // A school or class outside the perimeter is not found, rather than empty.
            if let Some(e) = &r.ecole {
                territoires::ecole(c, p, e)?;
            }
            if let Some(k) = &r.classe {
                classes::classe(c, p, k)?;
            }
            eleves::lister_page(c, p, &f)
        })?;
        let mots = r.q.as_deref().map(|t| t.split_whitespace().count());
        let detail = json!({ "ecole": r.ecole, "classe": r.classe, "mots": mots, "nombre": lignes.len() });
        self.noter(&[Fait::new(action, "eleve").detail(detail)])?;
        Ok((projection::lignes(&lignes, champs), total))
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
        self.autoriser(Ressource::Classe, Action::Lister)?;
        self.liste_de_l_ecole(ecole, "non_repartis", crate::store::parcours::non_repartis)
    }

    /// The pupils admitted provisionally this year in a school of the perimeter (papers
    /// missing): what the school still has to collect.
    pub fn provisoires(&self, ecole: &EcoleId) -> Result<Value> {
        self.liste_de_l_ecole(ecole, "provisoires", crate::store::parcours::provisoires)
    }

    /// A list of this year's pupils of a school of the perimeter, projected and journaled (the
    /// count, under `quoi`).
    fn liste_de_l_ecole(
        &self,
        ecole: &EcoleId,
        quoi: &str,
        lister: fn(
            &crate::store::Lecture,
            &crate::domain::Perimetre,
            &EcoleId,
            crate::domain::AnneeScolaire,
        ) -> crate::store::Result<Vec<crate::store::eleves::EleveLigne>>,
    ) -> Result<Value> {
        let champs = self.autoriser(Ressource::Eleve, Action::Lister)?;
        let p = &self.acteur.perimetre;
        let l = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            territoires::ecole(c, p, ecole)?;
            lister(c, p, ecole, annee)
        })?;
        self.noter(&[Fait::new(Action::Lister, "eleve").detail(json!({ quoi: l.len() }))])?;
        Ok(projection::lignes(&l, champs))
    }
}

/// A consultation as a family reads it: when (Paris time, in French), by whom (a function,
/// never a name), and what, in words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ConsultationLisible {
    /// « 3 septembre 2026 à 10 h 05 ».
    pub le: String,
    /// « direction de l'école Jean-Moulin ».
    pub par: String,
    /// « impression : Fiche de renseignements ».
    pub quoi: String,
}

/// « de la fiche… », « du certificat… », « du relevé… », « de la liste… »: a document's title
/// (lower-cased) with its article.
fn du(titre: &str) -> String {
    let masculin = ["certificat", "relevé", "registre", "constat"].iter().any(|m| titre.starts_with(m));
    if masculin { format!("du {titre}") } else { format!("de la {titre}") }
}

/// Puts a journal row about a pupil in words a parent understands.
pub fn consultation_lisible(c: &Consultation) -> ConsultationLisible {
    let le = time::OffsetDateTime::parse(&c.le, &time::format_description::well_known::Rfc3339)
        .map(|t| {
            let t = t.to_offset(crate::clock::paris_offset(t));
            format!("{} à {} h {:02}", crate::domain::identite::date_longue(t.date()), t.hour(), t.minute())
        })
        .unwrap_or_else(|_| c.le.clone());
    let document = c.document.as_deref().map(|d| {
        crate::domain::Document::from_name(d).map(|d| d.titre().to_lowercase()).unwrap_or_else(|| d.to_string())
    });
    let quoi = match (c.action.as_str(), c.ressource.as_str(), document) {
        ("creer", "rectification", _) => "demande de rectification de la famille".to_string(),
        ("modifier", "rectification", _) => "décision sur une demande de rectification".to_string(),
        ("lister", "rectification", _) => "lecture des demandes de rectification".to_string(),
        ("creer", "opposition", _) => "opposition de la famille".to_string(),
        ("modifier", "opposition", _) => "décision sur l'opposition de la famille".to_string(),
        ("lister", "opposition", _) => "lecture des oppositions".to_string(),
        ("modifier", "responsable", _) => {
            "correction des coordonnées d'un responsable commun avec un frère ou une sœur".to_string()
        }
        ("modifier", "eleve", _) => "correction du dossier".to_string(),
        ("lire", "eleve", _) => "consultation du dossier".to_string(),
        ("lister", _, _) => "affichage dans une liste d'élèves".to_string(),
        ("rechercher", _, _) => "recherche par nom".to_string(),
        ("imprimer", _, Some(d)) => format!("impression {}", du(&d)),
        ("exporter", _, Some(d)) => format!("impression {}, avec d'autres élèves", du(&d)),
        ("imprimer" | "exporter", _, None) => "impression d'un document".to_string(),
        ("creer", _, _) => "création du dossier".to_string(),
        ("modifier", _, _) => "modification du dossier".to_string(),
        ("lire", "journal", _) => "consultation de cet historique".to_string(),
        _ => "accès au dossier".to_string(),
    };
    ConsultationLisible { le, par: c.fonction.clone(), quoi }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(action: &str, ressource: &str, document: Option<&str>) -> Consultation {
        Consultation {
            le: "2026-09-03T08:05:00Z".into(),
            fonction: "direction de l'école Jean-Moulin".into(),
            action: action.into(),
            ressource: ressource.into(),
            document: document.map(str::to_string),
        }
    }

    #[test]
    fn a_consultation_reads_as_a_sentence_in_paris_time() {
        let l = consultation_lisible(&c("imprimer", "document", Some("fiche-renseignements")));
        assert_eq!(l.le, "3 septembre 2026 à 10 h 05");
        assert_eq!(
            consultation_lisible(&c("imprimer", "document", Some("releve-donnees"))).quoi,
            "impression du relevé des données"
        );
        assert_eq!(l.quoi, "impression de la fiche de renseignements");
        assert_eq!(l.par, "direction de l'école Jean-Moulin");
        let l = consultation_lisible(&c("exporter", "document", Some("certificat-scolarite")));
        assert_eq!(l.quoi, "impression du certificat de scolarité, avec d'autres élèves");
        assert_eq!(consultation_lisible(&c("lire", "eleve", None)).quoi, "consultation du dossier");
    }
}
