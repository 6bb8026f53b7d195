//! Statistical releases (docs/domaine.md §5): precomputed files for the statisticien,
//! never ad-hoc queries. The IA-DASEN prepares a release of the département's current year;
//! it holds:
//! - `eleves.csv`: one line per pupil attending, the INE replaced by HMAC-SHA-256 under a key
//!   drawn for this release only, the year of birth (never the date), sexe, niveau, cycle,
//!   the school's UAI and commune (INSEE); no name, no address, no ULIS (it would say a
//!   disability was recognised). A pupil without an INE,
//!   or whose family's opposition was accepted, is left out (and counted);
//! - `effectifs.csv`: pupils per school and niveau with the statistical secret
//!   ([`crate::domain::secret`]): « s » where suppressed;
//! - `cohortes.csv`: per circonscription, the pupils in CM2 this year whose records start in
//!   PS, and how many of them got there without a maintien (the share), computed inside from
//!   the yearly schooling records and published as counts only, under the same secret;
//! - `LISEZMOI.txt`: what the files hold and the rules.
//!
//! The key is destroyed once the files are written, unless the IA-DASEN asks to keep it (to
//! link this release with a later one); then it is written apart, readable by the server's
//! account only, never in the release.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;
use serde::Serialize;
use serde_json::json;
use sha2::Sha256;

use super::{Error, Result, Service};
use crate::audit::Fait;
use crate::domain::{Niveau, Perimetre};
use crate::policy::{Action, Ressource};
use crate::store::publications::{self as sp, Publication};
use crate::store::territoires;

/// The files of a release.
pub const FICHIERS: [&str; 4] = ["eleves.csv", "effectifs.csv", "cohortes.csv", "LISEZMOI.txt"];

/// A release as listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicationVue {
    /// Id.
    pub id: String,
    /// Département.
    pub departement: String,
    /// Année scolaire.
    pub annee: String,
    /// Prepared on (French date).
    pub creee_le: String,
    /// Lines of the pupil-level extract.
    pub eleves: u32,
    /// Pupils left out (no INE, or an accepted opposition).
    pub exclus: u32,
    /// Whether the pseudonymisation key was kept.
    pub cle_conservee: bool,
    /// Its files.
    pub fichiers: Vec<&'static str>,
}

fn vue(p: Publication) -> PublicationVue {
    PublicationVue {
        id: p.id,
        departement: p.departement_nom,
        annee: p.annee.to_string(),
        creee_le: crate::domain::identite::date_fr(p.creee_le.date()),
        eleves: p.eleves,
        exclus: p.exclus,
        cle_conservee: p.cle_conservee,
        fichiers: FICHIERS.to_vec(),
    }
}

/// Where the releases of a database are written.
pub fn dossier(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".publications");
    PathBuf::from(s)
}

/// Where kept keys are written (apart from the releases).
fn dossier_cles(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".cles-publications");
    PathBuf::from(s)
}

fn prive(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn ecrire(path: &Path, octets: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(octets)?;
    f.sync_all()
}

const LISEZMOI: &str = "Publication statistique du registre des élèves du premier degré
=================================================================

Département : {dep} — année scolaire {annee} — préparée le {le}.

eleves.csv : FICHIER CONFIDENTIEL, réservé au statisticien habilité, à ne pas diffuser : ligne à
  ligne, il permet de recompter les petits effectifs. Une ligne par élève scolarisé cette année
  dans une école du département.
  pseudonyme      empreinte HMAC-SHA-256 de l'identifiant national de l'élève, sous une clé tirée
                  pour cette seule publication ({cle}) ; sans la clé, elle ne permet pas de
                  retrouver l'identifiant, ni de relier cette publication à une autre.
  annee_naissance l'année seule (jamais la date).
  sexe, niveau, cycle, uai (école), commune (code INSEE de l'école). Pas d'ULIS (le dispositif dit
  qu'un handicap a été reconnu) : il ne figure dans aucun fichier par élève. Lignes triées par
  pseudonyme.
  Aucun nom, aucune adresse. {exclus} élève(s) n'y figurent pas : sans identifiant national, ou
  dont la famille a obtenu l'opposition au traitement de ses données.

effectifs.csv : diffusable. Élèves par école (UAI) et par niveau, avec les totaux, sur la même
  population que eleves.csv (sans les élèves sans identifiant national ni les oppositions).
  Secret statistique : tout effectif de 1 à 10 est masqué (« s ») ; dans une colonne où un seul
  effectif est masqué, un second l'est aussi (le plus petit effectif non nul), ou à défaut le
  total de la colonne ; le total d'une ligne qui a un effectif masqué est masqué, comme tout
  total de 1 à 10, et le total général dès qu'un total de colonne l'est. Ainsi aucun effectif
  masqué ne peut être recalculé à partir des effectifs et des totaux publiés.

cohortes.csv : par circonscription, les élèves de CM2 de cette année dont la scolarité enregistrée
  commence en petite section, et combien sont arrivés en CM2 sans maintien (même niveau deux
  années ; un élève dont une année manque est laissé de côté). Calculé dans le registre à partir
  des scolarités annuelles des élèves qui ont un identifiant national, publié en effectifs
  seulement, sous le même secret statistique ; la part n'est donnée que si ses deux termes le sont.
";

/// « s » where the secret suppresses a count.
fn publie(v: Option<u32>) -> String {
    v.map_or_else(|| "s".to_string(), |v| v.to_string())
}

/// The pupil-level extract: the INE keyed by the release's key, lines sorted by pseudonym (their
/// order tells nothing); no ULIS column (the dispositif says a disability was recognised).
/// Returns the file, its lines and the pupils left out (no INE, or an accepted opposition).
fn extrait(lignes: &[sp::LigneExtrait], cle: &[u8; 32]) -> Result<(Vec<u8>, u32, u32)> {
    let pseudonyme = |ine: &str| {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(cle).unwrap_or_else(|_| unreachable!("32-byte key"));
        m.update(ine.as_bytes());
        crate::config::hex(&m.finalize().into_bytes())
    };
    let mut exclus = 0u32;
    let mut sortie: Vec<Vec<String>> = Vec::new();
    for l in lignes {
        let Some(ine) = l.ine.as_deref().filter(|_| !l.opposition) else {
            exclus += 1;
            continue;
        };
        sortie.push(vec![
            pseudonyme(ine),
            l.annee_naissance.to_string(),
            l.sexe.clone(),
            l.niveau.clone(),
            l.cycle.to_string(),
            l.uai.clone(),
            l.commune.clone(),
        ]);
    }
    sortie.sort();
    let n = sortie.len() as u32;
    let entete =
        ["pseudonyme", "annee_naissance", "sexe", "niveau", "cycle", "uai", "commune"].map(String::from).to_vec();
    Ok((super::csv_octets(std::iter::once(entete).chain(sortie), false)?, n, exclus))
}

/// Pupils per school and niveau, on the extract's population, under the statistical secret.
fn tableau_effectifs(lignes: &[sp::LigneExtrait]) -> Result<Vec<u8>> {
    // One pass over the pupils (a département holds up to 150,000 of them); lines come sorted
    // by school.
    let mut ecoles: Vec<&str> = lignes.iter().map(|l| l.uai.as_str()).collect();
    ecoles.dedup();
    let mut comptes: std::collections::HashMap<(&str, &str), u32> = std::collections::HashMap::new();
    for l in lignes.iter().filter(|l| l.ine.is_some() && !l.opposition) {
        *comptes.entry((l.uai.as_str(), l.niveau.as_str())).or_default() += 1;
    }
    let table: Vec<Vec<u32>> = ecoles
        .iter()
        .map(|u| Niveau::ALL.iter().map(|niv| comptes.get(&(*u, niv.code())).copied().unwrap_or(0)).collect())
        .collect();
    let p = crate::domain::secret::publier(&table);
    let mut lignes_csv: Vec<Vec<String>> = Vec::new();
    let mut entete = vec!["uai".to_string()];
    entete.extend(Niveau::ALL.iter().map(|n| n.code().to_string()));
    entete.push("total".into());
    lignes_csv.push(entete);
    for (i, u) in ecoles.iter().enumerate() {
        let mut r = vec![u.to_string()];
        r.extend(p.cellules[i].iter().map(|v| publie(*v)));
        r.push(publie(p.totaux_lignes[i]));
        lignes_csv.push(r);
    }
    let mut r = vec!["total".to_string()];
    if table.is_empty() {
        // No school: every niveau at zero (the header's width).
        r.extend(Niveau::ALL.iter().map(|_| "0".to_string()));
    } else {
        r.extend(p.totaux_colonnes.iter().map(|v| publie(*v)));
    }
    r.push(publie(p.total));
    lignes_csv.push(r);
    super::csv_octets(lignes_csv, false)
}

/// The cohort follow-up: per circonscription, CM2 pupils who started in PS, and those without
/// a maintien; counts under the secret, the share only from published counts.
fn tableau_cohortes(cohorte: &[(String, sp::Historique)]) -> Result<Vec<u8>> {
    let mut circos: std::collections::BTreeMap<&str, (u32, u32)> = std::collections::BTreeMap::new();
    for (circo, h) in cohorte {
        let Some((depuis_ps, sans_maintien)) = crate::domain::constat::parcours_sans_maintien(h) else {
            continue;
        };
        let e = circos.entry(circo.as_str()).or_default();
        if depuis_ps {
            e.0 += 1;
            e.1 += u32::from(sans_maintien);
        }
    }
    let table: Vec<Vec<u32>> = circos.values().map(|(a, b)| vec![*b, a - b]).collect();
    let pc = crate::domain::secret::publier(&table);
    let mut lignes_csv: Vec<Vec<String>> = vec![
        ["circonscription", "cm2_entres_en_ps", "sans_maintien", "avec_maintien", "part_sans_maintien"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, circo) in circos.keys().enumerate() {
        let part = match (pc.cellules[i][0], pc.totaux_lignes[i]) {
            (Some(a), Some(t)) if t > 0 => format!("{:.1}", f64::from(a) * 100.0 / f64::from(t)).replace('.', ","),
            _ => "s".into(),
        };
        lignes_csv.push(vec![
            circo.to_string(),
            publie(pc.totaux_lignes[i]),
            publie(pc.cellules[i][0]),
            publie(pc.cellules[i][1]),
            part,
        ]);
    }
    super::csv_octets(lignes_csv, false)
}

impl Service<'_> {
    /// Prepares a release of the actor's département for the current year (see the module).
    pub fn publier(&self, conserver_cle: bool) -> Result<PublicationVue> {
        self.autoriser(Ressource::Publication, Action::Creer)?;
        let Perimetre::Departement(d) = &self.acteur.perimetre else {
            return Err(crate::auth::Interdit::Role.into());
        };
        let (annee, lignes, dep_nom, cohorte) = self.store.read(|c| {
            let annee = territoires::annee_courante(c)?;
            let nom = territoires::nom_perimetre(c, &self.acteur.perimetre)?.unwrap_or_default();
            Ok((annee, sp::extrait(c, d, annee)?, nom, sp::cohorte_cm2(c, d, annee)?))
        })?;
        let mut cle = [0u8; 32];
        rand::rng().fill(&mut cle);
        let (eleves, n, exclus) = extrait(&lignes, &cle)?;
        let effectifs = tableau_effectifs(&lignes)?;
        let cohortes = tableau_cohortes(&cohorte)?;
        let id = crate::domain::ids::random_id(&mut rand::rng());
        let lisezmoi = LISEZMOI
            .replace("{dep}", &dep_nom)
            .replace("{annee}", &annee.to_string())
            .replace("{le}", &crate::domain::identite::date_fr(self.today()))
            .replace("{exclus}", &exclus.to_string())
            .replace(
                "{cle}",
                if conserver_cle {
                    "conservée à part par la direction académique"
                } else {
                    "détruite après la publication"
                },
            );
        // Written whole in a temporary directory, then renamed: a release is complete or absent.
        let io = |e: std::io::Error| Error::Fichier(e);
        let racine = dossier(self.store.path());
        prive(&racine).map_err(io)?;
        let tmp = racine.join(format!(".{id}.tmp"));
        let fin = racine.join(&id);
        let cle_fichier = dossier_cles(self.store.path()).join(format!("{id}.cle"));
        let ecrit = (|| -> std::io::Result<()> {
            prive(&tmp)?;
            ecrire(&tmp.join("eleves.csv"), &eleves)?;
            ecrire(&tmp.join("effectifs.csv"), &effectifs)?;
            ecrire(&tmp.join("cohortes.csv"), &cohortes)?;
            ecrire(&tmp.join("LISEZMOI.txt"), lisezmoi.as_bytes())?;
            if conserver_cle {
                prive(&dossier_cles(self.store.path()))?;
                ecrire(&cle_fichier, crate::config::hex(&cle).as_bytes())?;
            }
            Ok(())
        })();
        cle.fill(0);
        // Nothing is left behind on a failure: no half release, no orphan key.
        let nettoyer = || {
            let _ = std::fs::remove_dir_all(&tmp);
            let _ = std::fs::remove_dir_all(&fin);
            let _ = std::fs::remove_file(&cle_fichier);
        };
        if let Err(e) = ecrit {
            nettoyer();
            return Err(io(e));
        }
        let pub_ = Publication {
            id: id.clone(),
            departement: d.clone(),
            departement_nom: dep_nom,
            annee,
            creee_le: self.le,
            eleves: n,
            exclus,
            cle_conservee: conserver_cle,
        };
        // Registered, journaled and made visible (renamed) in one step: a release is listed
        // exactly when its files are complete.
        let r = self.store.ecrire(|tx| {
            sp::inserer(tx, &pub_)?;
            self.journal(
                tx,
                &[Fait::new(Action::Creer, "publication").cible(id.clone()).detail(json!({
                    "annee": annee.to_string(), "eleves": n, "exclus": exclus, "cle_conservee": conserver_cle,
                }))],
            )?;
            std::fs::rename(&tmp, &fin).map_err(io)?;
            Ok::<_, Error>(())
        });
        if let Err(e) = r {
            nettoyer();
            return Err(e);
        }
        Ok(vue(pub_))
    }

    /// The releases the actor may download (statisticien: its académie or département).
    /// Journaled, like any list of a département's releases.
    pub fn publications(&self) -> Result<Vec<PublicationVue>> {
        self.autoriser(Ressource::Publication, Action::Lister)?;
        let l: Vec<PublicationVue> =
            self.store.read(|c| sp::lister(c, &self.acteur.perimetre))?.into_iter().map(vue).collect();
        self.noter(&[Fait::new(Action::Lister, "publication").detail(json!({ "publications": l.len() }))])?;
        Ok(l)
    }

    /// One file of a release (journaled).
    pub fn fichier_publication(&self, id: &str, nom: &str) -> Result<Vec<u8>> {
        self.autoriser(Ressource::Publication, Action::Exporter)?;
        let nom = FICHIERS.iter().find(|f| **f == nom).ok_or(crate::store::Error::Introuvable("fichier"))?;
        let p = self
            .store
            .read(|c| sp::lister(c, &self.acteur.perimetre))?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(crate::store::Error::Introuvable("publication"))?;
        let octets = std::fs::read(dossier(self.store.path()).join(&p.id).join(nom)).map_err(Error::Fichier)?;
        self.noter(&[Fait::new(Action::Exporter, "publication").cible(p.id).detail(json!({ "fichier": nom }))])?;
        Ok(octets)
    }
}
