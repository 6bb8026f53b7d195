//! The ministry's files (ONDE, docs/domaine.md §9) in and out of a school: one use case each, the
//! same from the CLI (`registre import onde`, `registre export onde`), the API and the school's
//! page.
//!
//! The import reads every file first, within its bounds and without any lock (CSV in UTF-8
//! or Windows-1252, or a workbook), and refuses a file it does not recognise; it then runs as a
//! job (`travaux`) in **short transactions** of a fraction of a second each, so that every
//! other write of the département waits at most that long behind it: the pupils' lines, then
//! the responsables' lines, each in a savepoint with its journal row, so a bad line is
//! reported (with its number and reason, in French) and the others go in. A dry run (`essai`)
//! runs the very same import on a private copy of the base, so it says exactly what the real
//! run would do and never writes to the base (nor makes a write wait); all-or-nothing
//! (`tout_ou_rien`) runs it there first and writes only if no line is refused.
//!
//! *(design)* What a stopped import leaves: cancelled, it stops after the transaction under
//! way; the lines gone through are written (each with its journal row), the report lists them
//! and says where it stopped. If the server stops meanwhile, the same holds, and the journal
//! tells which lines were written. Importing the same files again is idempotent: it finds what
//! was written and completes the rest.
//!
//! A pupil is found by the INE, else by the five criteria; found, it is updated (never erased:
//! an empty cell keeps what is stored) or admitted; otherwise it is admitted as new, through
//! the same admission as the form. Classes named in the file are created for the year. Columns
//! outside what the law allows are never read: the report names them.
//!
//! The export writes the same format, plus the birthplace and the link (which the ministry's
//! files lack), so that an export imported into an empty database gives the same pupils,
//! responsables and classes.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::json;

use crate::audit::Fait;
use crate::domain::champs::ChampResponsable;
use crate::domain::identite::{cle_recherche, date_fr};
use crate::domain::onde::{
    self, ENTETE_ELEVES, ENTETE_ENFANT, ENTETE_RESPONSABLES, LigneEleve, LigneResponsable, Sorte,
};
use crate::domain::{AnneeScolaire, ChampInvalide, ClasseId, EcoleId, EleveId, EleveIdentite, Niveau, ResponsableId};
use crate::policy::{Action, Ressource};
use crate::store::eleves::{self, FicheEleve};
use crate::store::parcours as sc;
use crate::store::{self, classes, corrections as stc, territoires};

use super::parcours::{DemandeAdmission, EleveInscrit, Origine, SEUIL_DOUBLON};
use super::{Error, Result, Service};
use crate::store::Ecriture as Transaction;

mod export;
mod lignes_eleves;
mod lignes_responsables;

/// A file handed to the import: its name (for the report) and its bytes.
#[derive(Debug, Clone)]
pub struct FichierRecu {
    /// Name, as uploaded or given on the command line.
    pub nom: String,
    /// Content.
    pub octets: Vec<u8>,
}

/// How the import runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Dry run: everything is checked and reported, nothing is written.
    pub essai: bool,
    /// Nothing is written if any line is refused.
    pub tout_ou_rien: bool,
}

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    /// Created.
    Cree,
    /// Updated.
    MisAJour,
    /// Already as in the file.
    Inchange,
    /// Refused: nothing of the line is written.
    Refuse,
    /// Written, with something to check.
    Avertissement,
}

impl Issue {
    /// French word.
    pub fn libelle(self) -> &'static str {
        match self {
            Issue::Cree => "créé",
            Issue::MisAJour => "mis à jour",
            Issue::Inchange => "inchangé",
            Issue::Refuse => "refusé",
            Issue::Avertissement => "à vérifier",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LigneRapport {
    /// The file (and sheet).
    pub fichier: String,
    /// Line number in the file.
    pub ligne: usize,
    /// What happened.
    pub issue: Issue,
    /// Why, in French.
    pub message: String,
}

/// A file as read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FichierLu {
    /// Name (and sheet).
    pub nom: String,
    /// `eleves` or `responsables`.
    pub sorte: String,
    /// `UTF-8`, `Windows-1252` or `XLSX`.
    pub encodage: String,
    /// Data lines.
    pub lignes: usize,
    /// Columns dropped without being read (stray, or forbidden by docs/domaine.md §4).
    pub colonnes_ignorees: Vec<String>,
}

/// The import's report.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RapportImport {
    /// A dry run.
    pub essai: bool,
    /// All or nothing: written only if the trial on a private copy refused no line.
    pub tout_ou_rien: bool,
    /// Something was written (false for a dry run, or all-or-nothing with refusals).
    pub ecrit: bool,
    /// The files read.
    pub fichiers: Vec<FichierLu>,
    /// Pupils created.
    pub eleves_crees: usize,
    /// Pupils updated (identity, class, autorisation).
    pub eleves_mis_a_jour: usize,
    /// Pupils already as in the file.
    pub eleves_inchanges: usize,
    /// Responsables created.
    pub responsables_crees: usize,
    /// Responsables updated or linked to one more child.
    pub responsables_mis_a_jour: usize,
    /// Responsables already as in the file.
    pub responsables_inchanges: usize,
    /// Classes created for the year.
    pub classes_creees: usize,
    /// Lines refused.
    pub refusees: usize,
    /// Lines of the files, all together.
    pub lignes_a_traiter: usize,
    /// Lines gone through (written or refused), in file order: all of them unless the import
    /// was stopped.
    pub lignes_traitees: usize,
    /// Stopped before the end (cancelled): the lines after `lignes_traitees` were not read,
    /// those before were written; sending the same files again completes the import.
    pub interrompu: bool,
    /// What the import did, in one French sentence.
    pub conclusion: String,
    /// Every line that was refused, created, updated or deserves a look, in file order.
    pub lignes: Vec<LigneRapport>,
}

impl RapportImport {
    /// The report as the CLI prints it.
    pub fn texte(&self) -> String {
        let mut s = String::new();
        for f in &self.fichiers {
            s.push_str(&format!("Fichier {} : {} ({}), {} ligne(s)", f.nom, f.sorte, f.encodage, f.lignes));
            if !f.colonnes_ignorees.is_empty() {
                s.push_str(&format!(" ; colonnes ignorées, jamais enregistrées : {}", f.colonnes_ignorees.join(", ")));
            }
            s.push('\n');
        }
        for l in &self.lignes {
            s.push_str(&format!("{} ligne {} : {} — {}\n", l.fichier, l.ligne, l.issue.libelle(), l.message));
        }
        s.push_str(&format!(
            "{}élèves : {} créé(s), {} mis à jour, {} inchangé(s) ; responsables : {} créé(s), {} mis à jour, {} inchangé(s) ; classes créées : {} ; lignes refusées : {}.\n",
            if self.essai { "Essai, rien n'est écrit. " } else { "" },
            self.eleves_crees,
            self.eleves_mis_a_jour,
            self.eleves_inchanges,
            self.responsables_crees,
            self.responsables_mis_a_jour,
            self.responsables_inchanges,
            self.classes_creees,
            self.refusees
        ));
        s.push_str(&self.conclure());
        s.push('\n');
        s
    }

    /// The report's lines as a CSV file (`;`, UTF-8 with a byte-order mark for spreadsheets):
    /// file, line, result, detail; cells protected from spreadsheet formulas.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let entete = ["Fichier", "Ligne", "Résultat", "Détail"].map(String::from).to_vec();
        let lignes =
            std::iter::once(entete).chain(self.lignes.iter().map(|l| {
                vec![l.fichier.clone(), l.ligne.to_string(), l.issue.libelle().to_string(), l.message.clone()]
            }));
        super::csv_octets(
            lignes.map(|l| l.into_iter().map(|c| super::documents::cellule(&c).into_owned()).collect::<Vec<_>>()),
            true,
        )
    }

    /// What the import did, in one French sentence (the CLI's last line, the page's heading
    /// message).
    pub fn conclure(&self) -> String {
        let (n, total) = (self.lignes_traitees, self.lignes_a_traiter);
        match (self.essai, self.ecrit, self.interrompu) {
            (true, _, true) => format!("Essai arrêté après {n} ligne(s) sur {total} : rien n'est écrit."),
            (true, _, false) => "Essai terminé : rien n'est écrit.".into(),
            (false, true, true) => format!(
                "Import arrêté après {n} ligne(s) sur {total} : celles qui n'ont pas été refusées sont enregistrées ; envoyez à nouveau les mêmes fichiers pour le terminer."
            ),
            (false, false, true) => "Import arrêté avant d'écrire : rien n'est écrit.".into(),
            (false, false, false) if self.tout_ou_rien && self.refusees > 0 => {
                format!("Tout ou rien : {} ligne(s) refusée(s) à l'essai, rien n'est écrit.", self.refusees)
            }
            (false, true, false) if self.tout_ou_rien && self.refusees > 0 => format!(
                "Tout ou rien : l'essai n'a refusé aucune ligne, mais {} l'ont été à l'écriture (la base a changé entre-temps) ; les autres sont enregistrées.",
                self.refusees
            ),
            (false, _, false) => "Import enregistré.".into(),
        }
    }

    /// Adds what one transaction did.
    fn fusionner(&mut self, m: RapportImport) {
        self.eleves_crees += m.eleves_crees;
        self.eleves_mis_a_jour += m.eleves_mis_a_jour;
        self.eleves_inchanges += m.eleves_inchanges;
        self.responsables_crees += m.responsables_crees;
        self.responsables_mis_a_jour += m.responsables_mis_a_jour;
        self.responsables_inchanges += m.responsables_inchanges;
        self.classes_creees += m.classes_creees;
        self.refusees += m.refusees;
        self.lignes.extend(m.lignes);
    }

    /// A line that went in: what it did (unless unchanged), then what deserves a look.
    fn rapporter(&mut self, fichier: &str, ligne: usize, qui: &str, issue: Issue, messages: Vec<String>) {
        if issue != Issue::Inchange {
            self.noter(fichier, ligne, issue, qui);
        }
        for m in messages {
            self.noter(fichier, ligne, Issue::Avertissement, format!("{qui} : {m}"));
        }
    }

    fn noter(&mut self, fichier: &str, ligne: usize, issue: Issue, message: impl Into<String>) {
        if issue == Issue::Refuse {
            self.refusees += 1;
        }
        self.lignes.push(LigneRapport { fichier: fichier.into(), ligne, issue, message: message.into() });
    }
}

/// The export's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatEchange {
    /// Two `;`-separated files (pupils, responsables), UTF-8 with a byte-order mark.
    Csv,
    /// One workbook, one sheet each.
    Xlsx,
}

/// A child of a responsable in the export, with its class.
type Enfant<'a> = (&'a FicheEleve, Option<String>);

/// A table of the export: its name and lines (header first).
type Table = (&'static str, Vec<Vec<String>>);

/// A table read, ready to be imported.
#[derive(Debug)]
enum Lu {
    Eleves(String, Vec<std::result::Result<LigneEleve, (usize, ChampInvalide)>>),
    Responsables(String, Vec<std::result::Result<LigneResponsable, (usize, ChampInvalide)>>),
}

impl Lu {
    fn len(&self) -> usize {
        match self {
            Lu::Eleves(_, l) => l.len(),
            Lu::Responsables(_, l) => l.len(),
        }
    }
}

/// The files of an import into a school, read and checked, nothing written: what an import
/// job carries until it runs ([`Service::lire_import_onde`], [`Service::importer_lecture`]).
#[derive(Debug)]
pub struct Lecture {
    ecole: EcoleId,
    tables: Vec<Lu>,
    /// The files read, as the report lists them.
    fichiers: Vec<FichierLu>,
    options: Options,
}

impl Lecture {
    /// The school.
    pub fn ecole(&self) -> &EcoleId {
        &self.ecole
    }

    /// The lines to import, all files together.
    pub fn lignes(&self) -> usize {
        self.tables.iter().map(Lu::len).sum()
    }

    /// How the import runs.
    pub fn options(&self) -> Options {
        self.options
    }
}

/// How long one transaction of an import may go on taking new lines: other writes wait at most
/// this (and the line under way) behind an import.
pub const TRANSACTION_MAX: std::time::Duration = std::time::Duration::from_millis(25);
/// How long an import lets the waiting writes pass between two of its transactions, at most.
const CEDER_MAX: std::time::Duration = std::time::Duration::from_millis(200);

/// What an import carries from one transaction to the next.
#[derive(Default)]
struct Etat {
    /// The association consent of each pupil's line, applied when its responsables are linked.
    associations: HashMap<EleveId, bool>,
    /// The school's pupils, read for the responsables' table of this index.
    presents: Option<(usize, Vec<Present>)>,
}

/// A line's failure that refuses the line (its input, or the register's rules); anything else
/// (the disk, the database) stops the import.
fn refuse_la_ligne(e: &Error) -> bool {
    matches!(
        e,
        Error::Transition(_) | Error::Conflit(_) | Error::Doublons(_) | Error::Invalide(_) | Error::Introuvable(_)
    )
}

/// What one line did, known only once its savepoint is released.
#[derive(Default)]
struct Bilan {
    issue: Option<Issue>,
    messages: Vec<String>,
    classes: usize,
}

/// A pupil of the school this year, for the responsables' children.
struct Present {
    id: EleveId,
    nom: String,
    nom_usage: Option<String>,
    prenoms: String,
    classe: Option<String>,
}

impl Service<'_> {
    /// Imports the ministry's files into a school of the actor (see the module): reads them
    /// ([`Self::lire_import_onde`]) then imports them ([`Self::importer_lecture`]) at once, for
    /// the command line.
    pub fn importer_onde(
        &self,
        ecole: &EcoleId,
        fichiers: &[FichierRecu],
        o: Options,
        progression: &dyn Fn(usize, usize) -> bool,
    ) -> Result<RapportImport> {
        let l = self.lire_import_onde(ecole, fichiers, o)?;
        self.importer_lecture(&l, progression)
    }

    /// Reads and checks the files of an import into a school of the actor: the policy, the
    /// school (« introuvable » outside the perimeter, before any file is read), each file's
    /// format within its bounds, each line typed as a form types it. Reads only, takes no
    /// lock; stops when the request it serves is given up.
    pub fn lire_import_onde(&self, ecole: &EcoleId, fichiers: &[FichierRecu], o: Options) -> Result<Lecture> {
        self.autoriser(Ressource::Echange, Action::Creer)?;
        self.store.read(|c| territoires::ecole(c, &self.acteur.perimetre, ecole))?;
        // Each line's birthplace is checked against the communes' referential, inside the
        // writer: built here, outside it.
        crate::domain::commune::referentiel::charger();
        let continuer = || !crate::store::requete::abandonnee();
        let mut lus = Vec::new();
        let mut tables = Vec::new();
        for f in fichiers {
            let nom_fichier: String = f.nom.chars().filter(|c| !c.is_control()).take(80).collect();
            let erreur = |e: ChampInvalide| {
                Error::from(ChampInvalide::new("fichier", format!("{nom_fichier} : {}", e.probleme)))
            };
            for t in onde::lire_tables_tant_que(&f.octets, &continuer).map_err(erreur)? {
                let nom = match &t.feuille {
                    Some(feuille) => format!("{nom_fichier} [{feuille}]"),
                    None => nom_fichier.clone(),
                };
                let sorte = Sorte::reconnaitre(&t.entetes).map_err(erreur)?;
                let (lu, ignorees) = match sorte {
                    Sorte::Eleves => {
                        let c = onde::colonnes_eleves(&t.entetes).map_err(erreur)?;
                        let l = t.lignes.iter().map(|(n, l)| onde::eleve(&c, *n, l).map_err(|e| (*n, e))).collect();
                        (Lu::Eleves(nom.clone(), l), c.ignorees)
                    }
                    Sorte::Responsables => {
                        let c = onde::colonnes_responsables(&t.entetes).map_err(erreur)?;
                        let l =
                            t.lignes.iter().map(|(n, l)| onde::responsable(&c, *n, l).map_err(|e| (*n, e))).collect();
                        (Lu::Responsables(nom.clone(), l), c.ignorees)
                    }
                };
                lus.push(FichierLu {
                    nom,
                    sorte: sorte.libelle().into(),
                    encodage: t.encodage.into(),
                    lignes: t.lignes.len(),
                    colonnes_ignorees: ignorees,
                });
                tables.push(lu);
            }
        }
        if tables.is_empty() {
            return Err(ChampInvalide::new("fichier", "aucun fichier").into());
        }
        // Pupils before their responsables, whatever the order of the files.
        tables.sort_by_key(|t| matches!(t, Lu::Responsables(..)));
        Ok(Lecture { ecole: ecole.clone(), tables, fichiers: lus, options: o })
    }

    /// Imports what [`Self::lire_import_onde`] read (see the module), as the actor: in
    /// transactions of at most [`TRANSACTION_MAX`] of work each (one journal row per line
    /// written, in its transaction), letting the writes waiting for the writer pass between
    /// them. A dry run runs the same import on a private copy of the base (the real base is not
    /// written, and no write waits behind it); all-or-nothing runs it there first and writes
    /// only if no line was refused. `progression(lines done, lines)` is told after each
    /// transaction; false stops the import there: the lines already written stay (the report
    /// lists them, and says where it stopped), and sending the same files again completes it.
    pub fn importer_lecture(&self, l: &Lecture, progression: &dyn Fn(usize, usize) -> bool) -> Result<RapportImport> {
        self.autoriser(Ressource::Echange, Action::Creer)?;
        let o = l.options;
        let vide = RapportImport {
            essai: o.essai,
            tout_ou_rien: o.tout_ou_rien,
            fichiers: l.fichiers.clone(),
            lignes_a_traiter: l.lignes(),
            ..Default::default()
        };
        let mut r = vide.clone();
        if o.essai || o.tout_ou_rien {
            r = self.sur_une_copie(|svc| {
                let mut r = vide.clone();
                svc.importer_lignes(l, &mut r, progression)?;
                Ok(r)
            })?;
        }
        let ecrire = !(o.essai || r.interrompu || o.tout_ou_rien && r.refusees > 0);
        if ecrire {
            r = vide.clone();
            self.importer_lignes(l, &mut r, progression)?;
        }
        r.ecrit = ecrire && r.lignes_traitees > 0;
        r.conclusion = r.conclure();
        // A dry run read the school's pupils: journaled as such.
        let fait = Fait::new(if ecrire { Action::Creer } else { Action::Lister }, "import_onde")
            .cible(l.ecole.to_string())
            .detail(json!({
                "essai": o.essai,
                "ecrit": r.ecrit,
                "interrompu": r.interrompu,
                "lignes": r.lignes_traitees,
                "eleves_crees": r.eleves_crees,
                "eleves_mis_a_jour": r.eleves_mis_a_jour,
                "responsables_crees": r.responsables_crees,
                "refusees": r.refusees,
            }));
        self.noter(&[fait])?;
        if r.ecrit && (r.eleves_mis_a_jour > 0 || r.responsables_mis_a_jour > 0) {
            // Old values leave the WAL too (as after a correction).
            let _ = self.store.checkpoint();
        }
        Ok(r)
    }

    /// Runs `f` with the same actor on a private copy of the base (see
    /// `store::Store::copie_privee`), in the jobs' folder beside the base; the copy is deleted
    /// however `f` ends.
    fn sur_une_copie<T>(&self, f: impl FnOnce(&Service<'_>) -> Result<T>) -> Result<T> {
        let dossier = super::travaux::dossier(self.store.path());
        std::fs::create_dir_all(&dossier).map_err(super::erreur_fichier)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&dossier, std::fs::Permissions::from_mode(0o700));
        }
        let chemin = dossier.join(format!("{}.essai.db", crate::domain::ids::random_id(&mut rand::rng())));
        struct Effacer(std::path::PathBuf);
        impl Drop for Effacer {
            fn drop(&mut self) {
                store::supprimer_base(&self.0);
            }
        }
        let _effacer = Effacer(chemin.clone());
        let copie = self.store.copie_privee(&chemin)?;
        let r = f(&Service { store: &copie, cles: self.cles, acteur: self.acteur, le: self.le });
        drop(copie);
        r
    }

    /// The lines of `l`, in order, in short transactions of this service's store (see
    /// [`Self::importer_lecture`]).
    fn importer_lignes(
        &self,
        l: &Lecture,
        r: &mut RapportImport,
        progression: &dyn Fn(usize, usize) -> bool,
    ) -> Result<()> {
        let positions: Vec<(usize, usize)> =
            l.tables.iter().enumerate().flat_map(|(t, lu)| (0..lu.len()).map(move |i| (t, i))).collect();
        let total = positions.len();
        let p = &self.acteur.perimetre;
        let mut etat = Etat::default();
        // Cancelled before it began: nothing is done.
        if !progression(0, total) {
            r.interrompu = true;
            return Ok(());
        }
        let mut i = 0;
        while i < total {
            let (t, _) = positions[i];
            if matches!(l.tables[t], Lu::Responsables(..)) && etat.presents.as_ref().is_none_or(|(x, _)| *x != t) {
                // The school's pupils as the lines before left them, read outside the writer.
                let presents = self.store.read(|c| {
                    let annee = territoires::annee_courante(c)?;
                    self.presents(c, &l.ecole, annee).map_err(|e| match e {
                        Error::Stockage(s) => s,
                        Error::Introuvable(quoi) => store::Error::Introuvable(quoi),
                        Error::Invalide(d) => store::Error::Invalide(d),
                        Error::Abandonnee => store::Error::Abandonnee,
                        e => store::Error::Conflit(e.to_string()),
                    })
                })?;
                etat.presents = Some((t, presents));
            }
            let mut morceau = RapportImport::default();
            let fin = self.store.ecrire(|tx| -> Result<usize> {
                let debut = std::time::Instant::now();
                let annee = territoires::annee_courante(tx)?;
                let e = territoires::ecole(tx, p, &l.ecole)?;
                if let Some((_, presents)) = etat.presents.as_mut() {
                    // A pupil who left the school since the list was read is no longer matched.
                    let encore: std::collections::HashSet<EleveId> =
                        crate::store::onde::eleves_presents(tx, &l.ecole, annee)?.into_iter().collect();
                    presents.retain(|x| encore.contains(&x.id));
                }
                let mut j = i;
                // A transaction stays within one table: the responsables' lines need the pupils
                // of the lines before, committed and read again.
                while j < total && positions[j].0 == t && (j == i || debut.elapsed() < TRANSACTION_MAX) {
                    let (t, n) = positions[j];
                    self.ligne(tx, &e.id, annee, &l.tables[t], n, &mut etat, &mut morceau)?;
                    j += 1;
                }
                Ok(j)
            })?;
            r.fusionner(morceau);
            i = fin;
            r.lignes_traitees = i;
            if !progression(i, total) && i < total {
                r.interrompu = true;
                return Ok(());
            }
            self.store.ceder(CEDER_MAX);
        }
        Ok(())
    }

    /// One line of the files, in its savepoint: refused (with its number and why), or written
    /// with its journal rows; `Err` only when the base fails (the import stops).
    #[allow(clippy::too_many_arguments)]
    fn ligne(
        &self,
        tx: &Transaction<'_>,
        ecole: &EcoleId,
        annee: AnneeScolaire,
        table: &Lu,
        n: usize,
        etat: &mut Etat,
        r: &mut RapportImport,
    ) -> Result<()> {
        match table {
            Lu::Eleves(fichier, lignes) => {
                let l = match &lignes[n] {
                    Ok(l) => l,
                    Err((n, e)) => {
                        r.noter(fichier, *n, Issue::Refuse, e.to_string());
                        return Ok(());
                    }
                };
                let mut bilan = Bilan::default();
                match store::point_de_reprise(tx, || self.ligne_eleve(tx, ecole, annee, l, &mut bilan)) {
                    Ok(id) => {
                        if let Some(a) = l.associations {
                            etat.associations.insert(id, a);
                        }
                        let issue = bilan.issue.unwrap_or(Issue::Inchange);
                        match issue {
                            Issue::Cree => r.eleves_crees += 1,
                            Issue::MisAJour => r.eleves_mis_a_jour += 1,
                            _ => r.eleves_inchanges += 1,
                        }
                        r.classes_creees += bilan.classes;
                        let qui = format!("élève {} {}", l.saisie.nom.trim(), l.saisie.prenoms.trim());
                        r.rapporter(fichier, l.numero, &qui, issue, bilan.messages);
                    }
                    Err(err) if refuse_la_ligne(&err) => r.noter(fichier, l.numero, Issue::Refuse, err.to_string()),
                    Err(err) => return Err(err),
                }
            }
            Lu::Responsables(fichier, lignes) => {
                let l = match &lignes[n] {
                    Ok(l) => l,
                    Err((n, e)) => {
                        r.noter(fichier, *n, Issue::Refuse, e.to_string());
                        return Ok(());
                    }
                };
                let presents = etat.presents.as_ref().map(|(_, p)| p.as_slice()).unwrap_or_default();
                let mut bilan = Bilan::default();
                let res = store::point_de_reprise(tx, || {
                    self.ligne_responsable(tx, l, presents, &etat.associations, &mut bilan)
                });
                let nom = format!("{} {}", l.saisie.nom.trim(), l.saisie.prenom.trim());
                match res {
                    Ok(()) => {
                        let issue = bilan.issue.unwrap_or(Issue::Inchange);
                        match issue {
                            Issue::Cree => r.responsables_crees += 1,
                            Issue::MisAJour => r.responsables_mis_a_jour += 1,
                            _ => r.responsables_inchanges += 1,
                        }
                        r.rapporter(fichier, l.numero, &format!("responsable {nom}"), issue, bilan.messages);
                    }
                    Err(err) if refuse_la_ligne(&err) => r.noter(fichier, l.numero, Issue::Refuse, err.to_string()),
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(())
    }

    /// The class of the file's label for the year, created (or opened to the niveau) if needed.
    fn classe_du_fichier(
        &self,
        tx: &Transaction<'_>,
        ecole: &EcoleId,
        annee: AnneeScolaire,
        libelle: &str,
        niveau: Niveau,
        bilan: &mut Bilan,
    ) -> Result<ClasseId> {
        let libelle = crate::domain::identite::nettoyer("libellé classe", libelle, 40)?;
        match crate::store::onde::classe_par_libelle(tx, ecole, annee, &libelle)? {
            Some((id, niveaux)) => {
                if !niveaux.contains(&niveau) {
                    crate::store::onde::ajouter_niveau(tx, &id, niveau)?;
                    bilan.messages.push(format!("la classe « {libelle} » accueille aussi le niveau {niveau}"));
                }
                Ok(id)
            }
            None => {
                let id = ClasseId::random(&mut rand::rng());
                classes::insert_classe(tx, &id, ecole, annee, &libelle, &[niveau], None)?;
                self.journal(
                    tx,
                    &[Fait::new(Action::Creer, "classe").cible(id.to_string()).detail(json!({ "origine": "import" }))],
                )?;
                bilan.classes += 1;
                bilan.messages.push(format!("classe « {libelle} » créée pour {annee}"));
                Ok(id)
            }
        }
    }
}
