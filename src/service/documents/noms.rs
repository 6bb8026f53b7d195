//! The names of printed files: unique within an archive, in ASCII, readable by a person; and
//! the folder where the registers are archived.

use super::*;

use time::OffsetDateTime;

use crate::config::Cles;
use crate::domain::{AnneeScolaire, Perimetre};
use crate::render::{self, Document, Engine};
use crate::store::Store;
use crate::store::parcours as sc;

/// `nom` if not taken yet, else `nom` with `_2`, `_3`… before its extension.
pub(crate) fn unique(pris: &mut std::collections::HashSet<String>, nom: &str) -> String {
    let (base, ext) = nom.rsplit_once('.').unwrap_or((nom, ""));
    let mut candidat = nom.to_string();
    let mut n = 1;
    while !pris.insert(candidat.clone()) {
        n += 1;
        candidat = if ext.is_empty() { format!("{base}_{n}") } else { format!("{base}_{n}.{ext}") };
    }
    candidat
}

/// A name as a file name: ASCII letters and digits, case kept, accents folded, anything else a
/// hyphen (`École Les Tilleuls` → `Ecole-Les-Tilleuls`), at most 60 characters.
pub fn ascii(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let plie: String = s
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(|c| match c {
            'œ' => vec!['o', 'e'],
            'Œ' => vec!['O', 'E'],
            'æ' => vec!['a', 'e'],
            'Æ' => vec!['A', 'E'],
            'ß' => vec!['s', 's'],
            c if c.is_ascii_alphanumeric() => vec![c],
            _ => vec!['-'],
        })
        .collect();
    let s = plie.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-");
    let s: String = s.chars().take(60).collect();
    if s.is_empty() { "sans-nom".into() } else { s }
}

/// Where a pupil's document goes in an archive: the school, the class, then the pupil's name.
pub fn nom_humain(uai: &str, ecole: &str, classe: Option<&str>, nom: &str, prenoms: &str, doc: Document) -> String {
    let prenom = prenoms.split_whitespace().next().unwrap_or(prenoms);
    let classe = classe.map(ascii).unwrap_or_else(|| "non-repartis".into());
    format!("{uai}-{}/{classe}/{}_{}_{}.pdf", ascii(ecole), ascii(nom), ascii(prenom), doc.name())
}

impl super::Plan {
    /// The name of the file a direct print hands over, like a print run's: what it is about,
    /// then the document (`DUPONT_Lea_certificat-scolarite.pdf`, `CE1-B_fiche-urgence.zip`).
    pub fn nom_telechargement(&self, ext: &str) -> String {
        format!("{}_{}.{ext}", self.titre, self.doc.name())
    }
}

impl Imprimeur<'_> {
    /// What `cible` is, as a file name starts: the pupil's nom and first prénom, the class's
    /// label, the school's UAI and name, the circonscription's name.
    pub(super) fn titre(&self, cible: &Cible, sujets: &[super::Sujet]) -> Result<String> {
        let p = self.perimetre;
        let personne = |nom: &str, prenoms: &str| {
            format!("{}_{}", ascii(nom), ascii(prenoms.split_whitespace().next().unwrap_or("")))
        };
        Ok(self.store.read(|c| match (cible, sujets) {
            // A certificat d'inscription, asked by the inscription or by the pupil: the
            // inscription's own names, all a mairie or a designated school may see of a pupil
            // known elsewhere.
            (_, [super::Sujet::Inscription(id)]) => {
                let i = sc::inscription(c, p, id)?;
                Ok(personne(&i.nom, &i.prenoms))
            }
            (Cible::Eleve(id), _) => {
                let (nom, prenoms) = crate::store::eleves::nom_prenoms(c, p, id)?;
                Ok(personne(&nom, &prenoms))
            }
            (Cible::Inscription(id), _) => {
                let i = sc::inscription(c, p, id)?;
                Ok(personne(&i.nom, &i.prenoms))
            }
            (Cible::Classe(id), _) => Ok(ascii(&crate::store::classes::classe(c, p, id)?.libelle)),
            (Cible::Ecole(id), _) => {
                let e = crate::store::territoires::ecole(c, p, id)?;
                Ok(format!("{}-{}", e.uai, ascii(&e.nom)))
            }
            (Cible::Circonscription(id), _) => {
                let nom = crate::store::territoires::nom_perimetre(c, &Perimetre::Circonscription(id.clone()))?;
                Ok(format!("Circonscription-{}", ascii(&nom.unwrap_or_default())))
            }
        })?)
    }
}

/// An ASCII file-name fragment of a name.
pub fn slug(s: &str) -> String {
    let k = crate::domain::identite::cle_recherche(s);
    let k: String = k.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    k.split('-').filter(|p| !p.is_empty()).take(4).collect::<Vec<_>>().join("-").chars().take(40).collect()
}

/// The folder where closed years' registers are archived: `registre.db.archives/registre/`.
pub fn dossier_archives(db: &std::path::Path) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".archives");
    std::path::PathBuf::from(s).join("registre")
}

/// Archives the registre des élèves inscrits of every school for a closed year, as PDF/A, one
/// file per school (`<annee>/<UAI>.pdf`, mode 0600). *(design)* The register is the one record
/// kept beyond the pupils' retention (docs/domaine.md §4): it survives as these sealed documents,
/// outside the database, whose content follows the arrêté's retention.
pub fn archiver_registres(
    store: &Store,
    engine: &Engine,
    cles: &Cles,
    annee: AnneeScolaire,
    le: OffsetDateTime,
) -> Result<usize> {
    let dossier = dossier_archives(store.path()).join(annee.to_string());
    std::fs::create_dir_all(&dossier).map_err(render::Error::from)?;
    let imp = Imprimeur {
        store,
        engine,
        cles,
        perimetre: &Perimetre::Installation,
        le,
        annee: Some(annee),
        colonnes: &[],
        essai: false,
        sans_reponse: false,
        journal: None,
    };
    let ecoles = store.read(|c| sc::ecoles_de_l_annee(c, annee))?;
    for (id, uai) in &ecoles {
        let chemin = dossier.join(format!("{uai}.pdf"));
        let f = crate::config::fichier_prive(&chemin, false).map_err(render::Error::from)?;
        let plan = imp.plan(Document::RegistreEleves, &Cible::Ecole(id.clone()))?;
        imp.pdf(&plan, f, &|_| true)?;
    }
    Ok(ecoles.len())
}
