//! What the author of a job sees of it: a print run's or an import's state, progress and
//! time left, and the links to its file or report.

use super::*;

/// A print run as its author sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VueTravail {
    /// Id.
    pub id: String,
    /// What is printed, in words.
    pub libelle: String,
    /// Document name.
    pub document: String,
    /// Its French title.
    pub document_titre: String,
    /// `zip` or `pdf`.
    pub format: String,
    /// State.
    pub etat: Etat,
    /// State in French.
    pub etat_libelle: String,
    /// Documents made.
    pub fait: usize,
    /// Documents to make.
    pub total: usize,
    /// Estimated seconds left, once started.
    pub reste_secondes: Option<u64>,
    /// Why it failed.
    pub message: Option<String>,
    /// When it was asked for (RFC 3339).
    pub cree_le: String,
    /// The same in French, Paris time (« 2 décembre 2026 à 9 h 05 »).
    pub cree_le_fr: String,
    /// The file's name, when ready.
    pub nom_fichier: Option<String>,
}

/// An import as its author sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VueImport {
    /// Id.
    pub id: String,
    /// The school, in words.
    pub libelle: String,
    /// The school's id.
    pub ecole_id: String,
    /// A dry run: nothing is written.
    pub essai: bool,
    /// Nothing is written if a line is refused.
    pub tout_ou_rien: bool,
    /// The files sent.
    pub fichiers: Vec<String>,
    /// State (`termine` once the import is over, whatever it did: see the report).
    pub etat: Etat,
    /// State in French.
    pub etat_libelle: String,
    /// Lines gone through.
    pub fait: usize,
    /// Lines to go through.
    pub total: usize,
    /// Estimated seconds left, once started.
    pub reste_secondes: Option<u64>,
    /// Why it failed.
    pub message: Option<String>,
    /// When it was asked for (RFC 3339).
    pub cree_le: String,
    /// The same in French, Paris time.
    pub cree_le_fr: String,
    /// The report, once the import is over (or stopped), in the view of one import; never in
    /// the list.
    pub rapport: Option<RapportImport>,
}

impl Travaux {
    /// The jobs waiting and running, by sort: (print runs, imports), for the metrics.
    pub fn en_file(&self) -> ((i64, i64), (i64, i64)) {
        let r = self.registre();
        let compter = |import: bool, e: Etat| {
            r.travaux.iter().filter(|t| matches!(t.sorte, Sorte::Import { .. }) == import && t.etat().0 == e).count()
                as i64
        };
        (
            (compter(false, Etat::EnAttente), compter(false, Etat::EnCours)),
            (compter(true, Etat::EnAttente), compter(true, Etat::EnCours)),
        )
    }

    /// The folder of the jobs' files.
    pub fn chemin(&self) -> &Path {
        &self.dossier
    }
}
