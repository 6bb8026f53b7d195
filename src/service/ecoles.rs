//! Schools and classes as public descriptions, and the effectifs: read within the actor's
//! perimeter (a school outside it is « introuvable »); creating a school is the IA-DASEN's.

use super::{Result, Service};
use crate::audit::Fait;
use crate::domain::{AnneeScolaire, ClasseId, EcoleId, Perimetre};
use crate::policy::{Action, Ressource};
use crate::store::classes::{self, ClasseResume};
use crate::store::statistiques::{self, Tableau};
use crate::store::territoires::{self, EcoleResume};

impl Service<'_> {
    /// The schools of the perimeter.
    pub fn ecoles(&self) -> Result<Vec<EcoleResume>> {
        self.autoriser(Ressource::Ecole, Action::Lister)?;
        Ok(self.store.read(|c| territoires::ecoles(c, &self.acteur.perimetre))?)
    }

    /// One school of the perimeter.
    pub fn ecole(&self, id: &EcoleId) -> Result<EcoleResume> {
        self.autoriser(Ressource::Ecole, Action::Lire)?;
        Ok(self.store.read(|c| territoires::ecole(c, &self.acteur.perimetre, id))?)
    }

    /// The school of a UAI, in the perimeter.
    pub fn ecole_par_uai(&self, uai: &crate::domain::Uai) -> Result<EcoleResume> {
        self.autoriser(Ressource::Ecole, Action::Lire)?;
        Ok(self.store.read(|c| territoires::ecole_par_uai(c, &self.acteur.perimetre, uai))?)
    }

    /// Creates a school in a circonscription of the perimeter; returns its id.
    pub fn creer_ecole(&self, ecole: &crate::domain::ecole::Ecole) -> Result<EcoleId> {
        self.autoriser(Ressource::Ecole, Action::Creer)?;
        let id = EcoleId::random(&mut rand::rng());
        self.store.ecrire(|tx| {
            let circo = Perimetre::Circonscription(ecole.circonscription_id.clone());
            if !territoires::perimetre_inclus(tx, &circo, &self.acteur.perimetre)? {
                return Err(crate::store::Error::Introuvable("circonscription"));
            }
            territoires::insert_ecole(tx, &id, ecole)?;
            self.journal(tx, &[Fait::new(Action::Creer, "ecole").cible(id.to_string())])
        })?;
        Ok(id)
    }

    /// The classes of a school of the perimeter, for a year (the current one by default).
    pub fn classes(&self, ecole: &EcoleId, annee: Option<AnneeScolaire>) -> Result<Vec<ClasseResume>> {
        self.autoriser(Ressource::Classe, Action::Lister)?;
        let annee = self.annee_ou_courante(annee)?;
        let p = &self.acteur.perimetre;
        let l = self.store.read(|c| {
            territoires::ecole(c, p, ecole)?;
            classes::classes(c, p, ecole, annee)
        })?;
        // Teachers' names and class sizes.
        if !l.is_empty() {
            self.noter(&[Fait::new(Action::Lister, "classe")
                .cible(ecole.to_string())
                .detail(serde_json::json!({ "classes": l.len() }))])?;
        }
        Ok(l)
    }

    /// One class of the perimeter.
    pub fn classe(&self, id: &ClasseId) -> Result<ClasseResume> {
        self.autoriser(Ressource::Classe, Action::Lire)?;
        let k = self.store.read(|c| classes::classe(c, &self.acteur.perimetre, id))?;
        // Its teacher's name and size.
        self.noter(&[Fait::new(Action::Lire, "classe").cible(id.to_string())])?;
        Ok(k)
    }

    /// Counts of pupils per school and niveau this year, for those who manage or inspect the
    /// schools (the statisticien gets the releases of `service::publications`, under the
    /// statistical secret).
    pub fn effectifs(&self) -> Result<Tableau> {
        self.autoriser(Ressource::Statistiques, Action::Lire)?;
        let annee = self.annee()?;
        let t = self.store.read(|c| statistiques::effectifs(c, &self.acteur.perimetre, annee))?;
        self.noter(&[Fait::new(Action::Lire, "statistiques")])?;
        Ok(t)
    }
}

/// What a role's home page says needs doing: counts only, within the perimeter.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct TableauDeBord {
    /// Per school: pupils, classes and what waits (directeur, IEN, IA-DASEN).
    pub ecoles: Vec<crate::store::tableau::LigneTableau>,
    /// Inscriptions by year and state (the mairie).
    pub inscriptions: Vec<InscriptionsParEtat>,
    /// Pupils assigned to the collège for 6e, per primary school (the principal).
    pub sixiemes: Vec<SixiemesParEcole>,
}

/// A count of inscriptions in one state for one year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct InscriptionsParEtat {
    /// Année scolaire (« 2026-2027 »).
    pub annee: String,
    /// State code (`en_attente`, `inscrit`, `admis`, `annule`).
    pub etat: String,
    /// Its French label.
    pub libelle: String,
    /// How many.
    pub nombre: u32,
}

/// The incoming 6e pupils of one primary school.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SixiemesParEcole {
    /// The primary school.
    pub ecole: String,
    /// How many.
    pub nombre: u32,
}

impl Service<'_> {
    /// The home page's counts for the actor's role: each part only when the policy lets the
    /// role see it (the statistics for schools, the inscriptions for the mairie, the pupils for
    /// the collège). Counts, never names; the consultation is journaled.
    pub fn tableau_de_bord(&self) -> Result<TableauDeBord> {
        use crate::policy::Role;
        let a = self.acteur;
        let annee = self.annee()?;
        let mut t = TableauDeBord::default();
        // `autoriser` rather than `decision`: a missing second factor or an expired password
        // shows no count.
        if self.autoriser(Ressource::Statistiques, Action::Lire).is_ok() {
            t.ecoles = self.store.read(|c| crate::store::tableau::ecoles(c, &a.perimetre, annee))?;
        }
        if a.role == Role::AgentMairie && self.autoriser(Ressource::Inscription, Action::Lister).is_ok() {
            let lignes = self.store.read(|c| crate::store::tableau::inscriptions_par_etat(c, &a.perimetre))?;
            t.inscriptions = lignes
                .into_iter()
                .filter_map(|(debut, etat, nombre)| {
                    let annee = AnneeScolaire::new(debut).ok()?;
                    let libelle = crate::domain::parcours::EtatInscription::parse(&etat)?.libelle().to_string();
                    Some(InscriptionsParEtat { annee: annee.to_string(), etat, libelle, nombre })
                })
                .collect();
        }
        if let crate::domain::Perimetre::College(k) = &a.perimetre
            && a.role == Role::PrincipalCollege
            && self.autoriser(Ressource::Eleve, Action::Lister).is_ok()
        {
            t.sixiemes = self
                .store
                .read(|c| crate::store::tableau::sixiemes(c, k, annee))?
                .into_iter()
                .map(|(ecole, nombre)| SixiemesParEcole { ecole, nombre })
                .collect();
        }
        // Journaled when something was shown.
        if !(t.ecoles.is_empty() && t.inscriptions.is_empty() && t.sixiemes.is_empty()) {
            self.noter(&[Fait::new(Action::Lire, "tableau_de_bord")])?;
        }
        Ok(t)
    }
}

impl Service<'_> {
    /// The communes of the installation's départements (official geographic code), as a
    /// birthplace list offers them: public data, no journal row.
    pub fn communes_proposees(&self) -> Result<Vec<crate::domain::commune::referentiel::Commune>> {
        // Those who fill in a birthplace list the schools (mairie, school).
        self.autoriser(Ressource::Ecole, Action::Lister)?;
        let codes = self.store.read(territoires::codes_departements)?;
        let mut l = Vec::new();
        for code in codes {
            // The UAI's département code as the INSEE code's prefix: `035` → `35`, `620` → `2A`,
            // `720` → `2B`, `972` → `972`.
            let prefixe = match code.as_str() {
                "620" => "2A".to_string(),
                "720" => "2B".to_string(),
                c if c.starts_with('0') => c[1..].to_string(),
                c => c.to_string(),
            };
            l.extend(crate::domain::commune::referentiel::du_departement(&prefixe));
        }
        l.sort_by(|a, b| crate::domain::tri::comparer(a.nom, b.nom));
        Ok(l)
    }
}
