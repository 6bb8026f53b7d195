//! The deterministic generator of the fictional département of Brocéliande (samples/README.md).
//!
//! The same number of pupils and seed give the same database, ids included. It scales from the
//! minimum (2 circonscriptions, 6 communes, 12 schools of every kind) to a 150,000-pupil
//! département, and writes through the store's own insert functions, so every rule the store
//! keeps holds for the demo data too.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Month};

use crate::domain::identite::cle_recherche;
use crate::domain::{
    AcademieId, AnneeScolaire, CirconscriptionId, Civilite, ClasseId, CollegeId, CommuneId, CommuneInsee, ContactId,
    ContactIdentite, DepartementId, Ecole, EcoleId, EleveId, EleveIdentite, EtatScolarite, Lien, Niveau, Nom, Prenoms,
    ResponsableId, ResponsableIdentite, Secteur, Sexe, TypeEcole, Uai,
};
use crate::store::eleves::{self, Annuel, NouvelleScolarite};
use crate::store::{Result, Store, classes, territoires};

const NOMS: &str = include_str!("noms.txt");
const FILLES: &str = include_str!("prenoms-filles.txt");
const GARCONS: &str = include_str!("prenoms-garcons.txt");
const COMMUNES: &str = include_str!("communes.txt");

/// The département's code, as in its UAIs.
pub const DEPARTEMENT_CODE: &str = "035";
/// The département's name.
pub const DEPARTEMENT_NOM: &str = "Brocéliande";
/// The académie's name.
pub const ACADEMIE_NOM: &str = "Armorique";

const PATRONS: &[&str] = &[
    "Jean-Moulin",
    "Marie-Curie",
    "Jules-Ferry",
    "Paul-Bert",
    "Victor-Hugo",
    "Jacques-Prévert",
    "Louise-Michel",
    "Simone-Veil",
    "Les Tilleuls",
    "Le Petit-Prince",
    "Anne-Frank",
    "Françoise-Dolto",
    "Saint-Exupéry",
    "Les Korrigans",
    "Jean-de-La-Fontaine",
    "Aimé-Césaire",
    "Olympe-de-Gouges",
    "Gisèle-Halimi",
    "Germaine-Tillion",
    "Les Hortensias",
    "La Rivière",
    "Le Bois-Joli",
    "Albert-Camus",
    "Joséphine-Baker",
];
const PATRONS_PRIVES: &[&str] = &["Sainte-Anne", "Notre-Dame", "Saint-Joseph", "Sainte-Thérèse", "Saint-Yves"];
const RUES: &[&str] = &[
    "rue des Écoles",
    "rue de l'Église",
    "allée des Tilleuls",
    "rue du Général-Leclerc",
    "place de la Mairie",
    "rue des Lilas",
    "chemin de la Lande",
    "rue Saint-Martin",
    "avenue de la Gare",
    "rue du Moulin",
    "impasse des Mésanges",
    "rue de la Forêt",
    "boulevard de Brocéliande",
    "rue Anne-de-Bretagne",
];
const ASSUREURS: &[&str] = &["MAE", "MAIF", "MACIF", "MATMUT", "Groupama", "AXA", "Crédit Mutuel"];
const LIENS_CONTACT: &[&str] =
    &["grand-mère", "grand-père", "tante", "oncle", "voisine", "assistante maternelle", "parrain", "marraine"];
const NAISSANCES_AILLEURS: &[(&str, &str)] = &[
    ("75056", "Paris"),
    ("69123", "Lyon"),
    ("13055", "Marseille"),
    ("44109", "Nantes"),
    ("33063", "Bordeaux"),
    ("2A004", "Ajaccio"),
    ("97411", "Saint-Denis (La Réunion)"),
    ("99131", "Belgique"),
    ("99109", "Allemagne"),
    ("99132", "Royaume-Uni"),
    ("99134", "Espagne"),
];

/// A département to generate.
#[derive(Debug, Clone, Copy)]
struct Cadre {
    academie: &'static str,
    code: &'static str,
    nom: &'static str,
    insee: &'static str,
    communes: &'static str,
    courriel: &'static str,
}

const PRINCIPAL: Cadre = Cadre {
    academie: ACADEMIE_NOM,
    code: DEPARTEMENT_CODE,
    nom: DEPARTEMENT_NOM,
    insee: "35",
    communes: COMMUNES,
    courriel: "ac-armorique.test",
};

/// A second, small département of another académie: the demo's other tenant at every level,
/// so that cross-territory access can be tried (one installation normally serves one département).
const VOISIN: Cadre = Cadre {
    academie: "Trégor",
    code: "022",
    nom: "Penthièvre",
    insee: "22",
    communes: "Lanvallon;22001;22100\nPlestan-les-Landes;22002;22130\nSaint-Cast-du-Guildo;22003;22380",
    courriel: "ac-tregor.test",
};

/// The territories generated, for the demo accounts.
#[derive(Debug, Clone, Default)]
pub struct Territoires {
    /// Académies (main first).
    pub academies: Vec<AcademieId>,
    /// Départements (main first).
    pub departements: Vec<DepartementId>,
    /// Circonscriptions of the main département.
    pub circonscriptions: Vec<CirconscriptionId>,
    /// Communes of the main département, in order.
    pub communes: Vec<CommuneId>,
    /// Schools of the main département, in order.
    pub ecoles: Vec<EcoleId>,
    /// Collèges of the main département.
    pub colleges: Vec<CollegeId>,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Parametres {
    /// Number of pupils.
    pub eleves: u32,
    /// Seed: the same seed gives the same data.
    pub graine: u64,
    /// Today's date: the current année scolaire follows from it.
    pub aujourd_hui: Date,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Resume {
    /// Année scolaire opened.
    pub annee: Option<AnneeScolaire>,
    /// Circonscriptions.
    pub circonscriptions: u32,
    /// Communes.
    pub communes: u32,
    /// Schools.
    pub ecoles: u32,
    /// Classes.
    pub classes: u32,
    /// Pupils.
    pub eleves: u32,
    /// Responsables légaux.
    pub responsables: u32,
    /// Collèges.
    pub colleges: u32,
    /// Ids of the territories.
    pub territoires: Territoires,
}

fn lines(s: &str) -> Vec<&str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, xs: &'a [&'a T]) -> &'a T {
    xs[rng.random_range(0..xs.len())]
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.random_bool(p)
}

fn nom(s: &str) -> Nom {
    Nom::parse(s).unwrap_or_else(|_| panic!("nom d'exemple invalide : {s}"))
}

fn prenom(s: &str) -> Prenoms {
    Prenoms::parse(s).unwrap_or_else(|_| panic!("prénom d'exemple invalide : {s}"))
}

/// The day of the rentrée of `year` (2 September, or the Monday after when on a weekend).
pub fn rentree(year: i32) -> Date {
    let mut d = Date::from_calendar_date(year, Month::September, 2).unwrap_or(Date::MIN);
    while matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
        d = d.next_day().unwrap_or(d);
    }
    d
}

struct Famille {
    nom: String,
    responsables: Vec<(ResponsableId, Lien, bool)>,
    adresse: String,
    commune: String,
    code_postal: String,
}

struct Commune {
    id: CommuneId,
    nom: String,
    code_postal: String,
    insee: CommuneInsee,
}

/// Fills an empty store with the fictional département of Brocéliande, and a small neighbour
/// of another académie.
pub fn generer(store: &Store, p: &Parametres, progress: &dyn Fn(u64, u64)) -> Result<Resume> {
    let mut rng = ChaCha8Rng::seed_from_u64(p.graine);
    let annee = AnneeScolaire::de_la_date(p.aujourd_hui);
    store.ecrire(|tx| territoires::ouvrir_premiere_annee(tx, annee))?;
    let voisins = (p.eleves / 100).max(30);
    let total = u64::from(p.eleves + voisins);
    let mut resume = departement(store, &mut rng, &PRINCIPAL, p, p.eleves, &|n| progress(n, total))?;
    let autre = departement(store, &mut rng, &VOISIN, p, voisins, &|n| progress(u64::from(p.eleves) + n, total))?;
    resume.eleves += autre.eleves;
    resume.classes += autre.classes;
    resume.responsables += autre.responsables;
    resume.territoires.academies.extend(autre.territoires.academies);
    resume.territoires.departements.extend(autre.territoires.departements);
    colleges(store, &mut rng, annee, &mut resume)?;
    Ok(resume)
}

const COLLEGES: &[&str] =
    &["Anne-de-Bretagne", "Les Korrigans", "Chateaubriand", "Simone-de-Beauvoir", "Jean-Jaurès", "Le Bois-Joli"];

/// Collèges of the main département (one for ten schools) and the 6e assignment of CM2 pupils.
fn colleges(store: &Store, rng: &mut ChaCha8Rng, annee: AnneeScolaire, resume: &mut Resume) -> Result<()> {
    let n = (resume.territoires.ecoles.len() / 10).max(2);
    store.ecrire(|tx| {
        let communes = &resume.territoires.communes;
        let mut ids = Vec::new();
        for i in 0..n {
            let id = CollegeId::random(rng);
            let uai = Uai::from_digits(&format!("{DEPARTEMENT_CODE}{:04}", 9001 + i * 3))
                .map_err(crate::domain::Error::from)?;
            let nom = format!("Collège {}{}", COLLEGES[i % COLLEGES.len()], roman(i * 20 / COLLEGES.len()));
            territoires::insert_college(tx, &id, &uai, &nom, &communes[i % communes.len()])?;
            ids.push(id);
        }
        // Each school sends its CM2 pupils to one collège, by rank.
        for (k, ecole) in resume.territoires.ecoles.iter().enumerate() {
            territoires::affecter_cm2(tx, ecole, annee, &ids[k % ids.len()])?;
        }
        resume.territoires.colleges = ids;
        Ok::<_, crate::store::Error>(())
    })?;
    resume.colleges = n as u32;
    Ok(())
}

fn departement(
    store: &Store,
    rng: &mut ChaCha8Rng,
    cadre: &Cadre,
    p: &Parametres,
    eleves_total: u32,
    progress: &dyn Fn(u64),
) -> Result<Resume> {
    let annee = AnneeScolaire::de_la_date(p.aujourd_hui);
    let noms = lines(NOMS);
    let filles = lines(FILLES);
    let garcons = lines(GARCONS);

    let principal = cadre.code == PRINCIPAL.code;
    let n_ecoles = if principal { (eleves_total / 135).max(12) } else { 3 };
    let n_communes = if principal { (n_ecoles / 3).max(6) } else { 3 };
    let n_circos = if principal { (n_ecoles / 45).max(2) } else { 1 };
    let mut resume = Resume { annee: Some(annee), ..Resume::default() };

    // Territories, in one transaction.
    let (communes, ecoles) = store.ecrire(|tx| {
        let academie = AcademieId::random(rng);
        territoires::insert_academie(tx, &academie, cadre.academie)?;
        let dep = DepartementId::random(rng);
        territoires::insert_departement(tx, &dep, &academie, cadre.code, cadre.nom)?;
        resume.territoires.academies.push(academie);
        resume.territoires.departements.push(dep.clone());

        let base_texte = cadre.communes.replace("\\n", "\n");
        let base = lines(&base_texte);
        let mut communes = Vec::new();
        for i in 0..n_communes as usize {
            let (nom, insee, cp) = match base.get(i).map(|l| l.split(';').collect::<Vec<_>>()) {
                Some(parts) if parts.len() == 3 => (parts[0].to_string(), parts[1].to_string(), parts[2].to_string()),
                _ => {
                    let racine = pick(&mut *rng, &base).split(';').next().unwrap_or("Kervalan");
                    let racine = racine.split('-').next().unwrap_or(racine);
                    let suffixes = ["-sur-Rance", "-en-Lande", "-le-Petit", "-la-Forêt", "-des-Prés", "-Saint-Jean"];
                    (
                        format!("{racine}{}{}", pick(&mut *rng, &suffixes), roman(i)),
                        format!("{}{:03}", cadre.insee, i + 1),
                        format!("{}{:03}", cadre.insee, 100 + (i % 900)),
                    )
                }
            };
            let insee = CommuneInsee::parse(&insee).map_err(crate::domain::Error::from)?;
            let id = CommuneId::random(&mut *rng);
            territoires::insert_commune(tx, &id, &dep, &insee, &nom, &cp)?;
            communes.push(Commune { id, nom, code_postal: cp, insee });
        }

        let mut circos = Vec::new();
        for i in 0..n_circos as usize {
            let id = CirconscriptionId::random(&mut *rng);
            let centre = &communes[i * communes.len() / n_circos as usize].nom;
            let nom = match (i, n_circos) {
                (0, 2) => format!("{centre} Nord"),
                (1, 2) => format!("{centre} Sud"),
                _ => centre.clone(),
            };
            territoires::insert_circonscription(tx, &id, &dep, &nom)?;
            circos.push(id);
        }

        let mut ecoles = Vec::new();
        for i in 0..n_ecoles as usize {
            let commune = &communes[i % communes.len()];
            let ci = (i % communes.len()) * circos.len() / communes.len();
            // The first twelve cover every kind; then maternelle 30 %, élémentaire 35 %, primaire 35 %.
            let type_ecole = match (i < 12, i % 3, rng.random_range(0..100)) {
                (true, 0, _) | (false, _, 0..=29) => TypeEcole::Maternelle,
                (true, 1, _) | (false, _, 30..=64) => TypeEcole::Elementaire,
                _ => TypeEcole::Primaire,
            };
            let secteur = if i % 10 == 7 { Secteur::Prive } else { Secteur::Public };
            let patron =
                if secteur == Secteur::Prive { pick(&mut *rng, PATRONS_PRIVES) } else { pick(&mut *rng, PATRONS) };
            let libelle = match (secteur, type_ecole) {
                (Secteur::Prive, _) => "École privée",
                (_, TypeEcole::Maternelle) => "École maternelle",
                (_, TypeEcole::Elementaire) => "École élémentaire",
                (_, TypeEcole::Primaire) => "École primaire",
            };
            let digits = format!("{}{:04}", cadre.code, 101 + i * 7);
            let uai = Uai::from_digits(&digits).map_err(crate::domain::Error::from)?;
            let feminin = chance(&mut *rng, 0.7);
            let direction = format!(
                "{} {}",
                if feminin { pick(&mut *rng, &filles) } else { pick(&mut *rng, &garcons) },
                pick(&mut *rng, &noms)
            );
            let courriel_ecole = format!("ce.{}@{}", uai.as_str().to_lowercase(), cadre.courriel);
            let ecole = Ecole {
                uai,
                nom: format!("{libelle} {patron}"),
                type_ecole,
                secteur,
                commune_id: commune.id.clone(),
                circonscription_id: circos[ci].clone(),
                adresse: format!("{} {}", rng.random_range(1..60), pick(&mut *rng, RUES)),
                telephone: Some(format!(
                    "02 99 {:02} {:02} {:02}",
                    rng.random_range(10..99),
                    rng.random_range(0..99),
                    rng.random_range(0..99)
                )),
                courriel: Some(courriel_ecole),
                direction_nom: Some(direction),
                direction_feminin: feminin,
            };
            let id = EcoleId::random(&mut *rng);
            territoires::insert_ecole(tx, &id, &ecole)?;
            ecoles.push((id, type_ecole, i % communes.len()));
        }
        // One regroupement pédagogique intercommunal: the second school also serves the next commune.
        if ecoles.len() > 1 && communes.len() > 2 {
            territoires::insert_rpi(tx, &ecoles[1].0, &communes[(ecoles[1].2 + 1) % communes.len()].id)?;
        }
        if principal {
            resume.territoires.circonscriptions = circos.clone();
            resume.territoires.communes = communes.iter().map(|c| c.id.clone()).collect();
            resume.territoires.ecoles = ecoles.iter().map(|(id, _, _)| id.clone()).collect();
        }
        Ok::<_, crate::store::Error>((communes, ecoles))
    })?;
    resume.communes = communes.len() as u32;
    resume.circonscriptions = n_circos;
    resume.ecoles = ecoles.len() as u32;

    // Pupils per school: proportional to the niveaux taught, ± 40 %.
    let poids: Vec<f64> = ecoles
        .iter()
        .map(|(_, t, _)| {
            let niveaux = match t {
                TypeEcole::Maternelle => 3.2,
                TypeEcole::Elementaire => 5.0,
                TypeEcole::Primaire => 8.2,
            };
            niveaux * rng.random_range(0.6..1.4)
        })
        .collect();
    let total: f64 = poids.iter().sum();
    let mut effectifs: Vec<u32> = poids.iter().map(|w| (w / total * f64::from(eleves_total)).floor() as u32).collect();
    let mut reste = eleves_total - effectifs.iter().sum::<u32>();
    let mut k = 0;
    while reste > 0 {
        let len = effectifs.len();
        effectifs[k % len] += 1;
        reste -= 1;
        k += 1;
    }

    let mut familles: Vec<Famille> = Vec::new();
    let mut fait: u64 = 0;
    let lot = 40; // schools per transaction: bounded WAL, still fast
    for chunk in ecoles.iter().zip(effectifs.iter()).collect::<Vec<_>>().chunks(lot) {
        store.ecrire(|tx| {
            for ((ecole_id, type_ecole, commune_idx), &n) in chunk.iter().map(|(a, b)| (*a, *b)) {
                let commune = &communes[*commune_idx];
                let niveaux: Vec<Niveau> = Niveau::ALL.into_iter().filter(|nv| type_ecole.admet(*nv)).collect();
                // TPS is rare: a tenth of a niveau.
                let poids_niveau: Vec<f64> =
                    niveaux.iter().map(|nv| if *nv == Niveau::Tps { 0.1 } else { 1.0 }).collect();
                let somme: f64 = poids_niveau.iter().sum();
                let mut eleves_niveau: Vec<(Niveau, u32)> = niveaux
                    .iter()
                    .zip(&poids_niveau)
                    .map(|(nv, w)| (*nv, (w / somme * f64::from(n)).round() as u32))
                    .collect();
                let assigned: u32 = eleves_niveau.iter().map(|(_, k)| k).sum();
                if let Some(last) = eleves_niveau.last_mut() {
                    last.1 = (last.1 + n).saturating_sub(assigned);
                }
                let liste: Vec<Niveau> =
                    eleves_niveau.iter().flat_map(|(nv, k)| std::iter::repeat_n(*nv, *k as usize)).collect();
                if liste.is_empty() {
                    continue;
                }

                // Classes of about 25, filled in niveau order: boundaries make multi-niveau classes.
                let n_classes = liste.len().div_ceil(26).max(1);
                let mut parts: Vec<&[Niveau]> = Vec::new();
                let mut start = 0;
                for c in 0..n_classes {
                    let end = (c + 1) * liste.len() / n_classes;
                    parts.push(&liste[start..end]);
                    start = end;
                }
                let mut labels: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
                let mut classes_ids = Vec::new();
                let groupes: Vec<Vec<Niveau>> = parts
                    .iter()
                    .map(|part| {
                        let mut nv: Vec<Niveau> = part.to_vec();
                        nv.dedup();
                        nv
                    })
                    .collect();
                for g in &groupes {
                    *labels.entry(g.iter().map(|n| n.code()).collect::<Vec<_>>().join("-")).or_default() += 1;
                }
                let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
                for g in &groupes {
                    let base = g.iter().map(|n| n.code()).collect::<Vec<_>>().join("-");
                    let label = if labels[&base] > 1 {
                        let k = seen.entry(base.clone()).or_default();
                        *k += 1;
                        format!("{base} {}", char::from(b'A' + (*k as u8 - 1)))
                    } else {
                        base
                    };
                    let id = ClasseId::random(&mut *rng);
                    let fem = chance(&mut *rng, 0.8);
                    let enseignant = format!(
                        "{} {} {}",
                        if fem { "Mme" } else { "M." },
                        if fem { pick(&mut *rng, &filles) } else { pick(&mut *rng, &garcons) },
                        pick(&mut *rng, &noms)
                    );
                    classes::insert_classe(tx, &id, ecole_id, annee, &label, g, Some(&enseignant))?;
                    classes_ids.push(id);
                    resume.classes += 1;
                }

                for (ci, part) in parts.iter().enumerate() {
                    for niveau in part.iter() {
                        // A family: often new, sometimes the sibling of a pupil of the same commune.
                        let reuse = !familles.is_empty() && chance(&mut *rng, 0.12);
                        let famille_idx = if reuse {
                            Some(familles.len() - 1 - rng.random_range(0..familles.len().min(30)))
                        } else {
                            None
                        };
                        let famille_idx = match famille_idx.filter(|i| familles[*i].commune == commune.nom) {
                            Some(i) => i,
                            None => {
                                let f =
                                    nouvelle_famille(tx, &mut *rng, &noms, &filles, &garcons, commune, &mut resume)?;
                                familles.push(f);
                                if familles.len() > 200 {
                                    familles.remove(0);
                                }
                                familles.len() - 1
                            }
                        };
                        let famille = &familles[famille_idx];
                        let sexe = if chance(&mut *rng, 0.49) { Sexe::F } else { Sexe::M };
                        let mut prenoms =
                            if sexe == Sexe::F { pick(&mut *rng, &filles) } else { pick(&mut *rng, &garcons) }
                                .to_string();
                        if chance(&mut *rng, 0.35) {
                            prenoms.push(' ');
                            prenoms.push_str(if sexe == Sexe::F {
                                pick(&mut *rng, &filles)
                            } else {
                                pick(&mut *rng, &garcons)
                            });
                        }
                        // Mostly the expected niveau; some maintiens and a few passages anticipés.
                        let ecart = match rng.random_range(0..100) {
                            0..=3 => -1,
                            4 => 1,
                            _ => 0,
                        };
                        let annee_naissance = annee.debut() - niveau.age_a_la_rentree() + ecart;
                        let jour = rng.random_range(1..=365u16);
                        let naissance =
                            Date::from_ordinal_date(annee_naissance, jour).unwrap_or(Date::MIN).min(p.aujourd_hui);
                        let (naissance_insee, naissance_lieu) = if chance(&mut *rng, 0.8) {
                            let c = &communes[rng.random_range(0..communes.len().min(6))];
                            (c.insee.clone(), c.nom.clone())
                        } else {
                            let (code, nom) = NAISSANCES_AILLEURS[rng.random_range(0..NAISSANCES_AILLEURS.len())];
                            (CommuneInsee::parse(code).map_err(crate::domain::Error::from)?, nom.to_string())
                        };
                        let entree = match type_ecole {
                            TypeEcole::Elementaire => Niveau::Cp,
                            _ => Niveau::Ps.min(*niveau),
                        };
                        let annees_ici = (niveau.rang() - entree.rang()).max(0);
                        let premiere = (annee.debut() - niveau.rang() + 1).max(2000);
                        let ine = eleves::attribuer_ine(tx, premiere, cadre.code)?;
                        let identite = EleveIdentite {
                            nom: nom(&famille.nom),
                            nom_usage: None,
                            prenoms: prenom(&prenoms),
                            sexe,
                            date_naissance: naissance,
                            naissance_insee,
                            naissance_lieu,
                            adresse: Some(famille.adresse.clone()),
                            code_postal: Some(famille.code_postal.clone()),
                            commune_residence: Some(famille.commune.clone()),
                            ine: Some(ine),
                        };
                        let eleve_id = EleveId::random(&mut *rng);
                        eleves::insert_eleve(tx, &eleve_id, &identite)?;
                        for (rang, (rid, lien, autorite)) in famille.responsables.iter().enumerate() {
                            let accord = match rng.random_range(0..10) {
                                0..=5 => Some(true),
                                6..=8 => Some(false),
                                _ => None,
                            };
                            eleves::lier_responsable(tx, &eleve_id, rid, rang as u8 + 1, *lien, *autorite, accord)?;
                        }
                        for rang in 0..rng.random_range(1..=3u8) {
                            let fem = chance(&mut *rng, 0.6);
                            let contact = ContactIdentite {
                                nom: nom(if chance(&mut *rng, 0.5) { &famille.nom } else { pick(&mut *rng, &noms) }),
                                prenom: prenom(if fem { pick(&mut *rng, &filles) } else { pick(&mut *rng, &garcons) }),
                                lien: Some(pick(&mut *rng, LIENS_CONTACT).to_string()),
                                telephone: telephone(&mut *rng, "06"),
                                telephone_2: chance(&mut *rng, 0.3).then(|| telephone(&mut *rng, "02")),
                                urgence: rang == 0 || chance(&mut *rng, 0.7),
                                recuperer: chance(&mut *rng, 0.6),
                            };
                            eleves::insert_contact(tx, &ContactId::random(&mut *rng), &eleve_id, rang + 1, &contact)?;
                        }
                        let scolarite = NouvelleScolarite {
                            annee,
                            ecole: ecole_id.clone(),
                            niveau: *niveau,
                            classe: Some(classes_ids[ci].clone()),
                            ulis: !niveau.est_maternelle() && chance(&mut *rng, 0.01),
                            etat: if chance(&mut *rng, 0.03) {
                                EtatScolarite::AdmisProvisoire
                            } else {
                                EtatScolarite::AdmisDefinitif
                            },
                            date_admission: rentree(annee.debut() - annees_ici),
                        };
                        let sid = crate::domain::ids::random_id(&mut *rng);
                        eleves::insert_scolarite(tx, &sid, &eleve_id, &scolarite)?;
                        if scolarite.etat == EtatScolarite::AdmisProvisoire {
                            // A provisional admission waits for a paper, as the form records it.
                            let piece = crate::domain::parcours::Piece::Vaccinations;
                            crate::store::parcours::poser_etat(tx, &sid, scolarite.etat, &[piece])?;
                        }
                        let tri = |rng: &mut ChaCha8Rng, p: f64| match rng.random_range(0..100) {
                            0..=4 => None,
                            _ => Some(rng.random_bool(p)),
                        };
                        let annuel = Annuel {
                            autorisation_photo: tri(&mut *rng, 0.88),
                            sortie_seul: None,
                            assureur: chance(&mut *rng, 0.9).then(|| pick(&mut *rng, ASSUREURS).to_string()),
                            assurance_numero: Some(format!("{:08}", rng.random_range(0..100_000_000u32))),
                            cantine: tri(&mut *rng, 0.7),
                            garderie_matin: tri(&mut *rng, 0.25),
                            garderie_soir: tri(&mut *rng, 0.35),
                            etude: if niveau.est_maternelle() { Some(false) } else { tri(&mut *rng, 0.15) },
                            transport: tri(&mut *rng, 0.1),
                        };
                        // Drawn from nothing new (the demo's other draws stay as they were): a
                        // maternelle pupil never leaves alone; in élémentaire, those without
                        // evening care may.
                        let sortie_seul =
                            if niveau.est_maternelle() { Some(false) } else { annuel.garderie_soir.map(|g| !g) };
                        let annuel = Annuel {
                            assurance_numero: annuel.assureur.as_ref().and(annuel.assurance_numero.clone()),
                            sortie_seul,
                            ..annuel
                        };
                        eleves::upsert_annuel(tx, &eleve_id, annee, &annuel)?;
                        resume.eleves += 1;
                    }
                }
            }
            Ok::<_, crate::store::Error>(())
        })?;
        fait += chunk.iter().map(|(_, n)| u64::from(**n)).sum::<u64>();
        progress(fait);
    }
    Ok(resume)
}

fn roman(i: usize) -> String {
    // Distinguishes composed names beyond the first ones: « Kervalan-sur-Rance » then « … II ».
    match i / 20 {
        0 | 1 => String::new(),
        k => {
            format!(" {}", ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"].get(k - 2).copied().unwrap_or("XI"))
        }
    }
}

fn telephone(rng: &mut ChaCha8Rng, prefixe: &str) -> String {
    format!(
        "{prefixe} {:02} {:02} {:02} {:02}",
        rng.random_range(0..100),
        rng.random_range(0..100),
        rng.random_range(0..100),
        rng.random_range(0..100)
    )
}

fn courriel(prenom: &str, nom: &str) -> String {
    format!("{}.{}@exemple.test", cle_recherche(prenom).replace(' ', "-"), cle_recherche(nom).replace(' ', "-"))
}

#[allow(clippy::too_many_arguments)]
fn nouvelle_famille(
    tx: &rusqlite::Transaction<'_>,
    rng: &mut ChaCha8Rng,
    noms: &[&str],
    filles: &[&str],
    garcons: &[&str],
    commune: &Commune,
    resume: &mut Resume,
) -> Result<Famille> {
    let nom_famille = pick(rng, noms).to_string();
    let adresse = format!("{} {}", rng.random_range(1..120), pick(rng, RUES));
    let mut responsables = Vec::new();
    let mut membres: Vec<(Civilite, Lien)> = match rng.random_range(0..100) {
        0 => vec![(if rng.random_bool(0.5) { Civilite::Mme } else { Civilite::M }, Lien::Tuteur)],
        1..=12 => vec![(Civilite::Mme, Lien::Mere)],
        13..=15 => vec![(Civilite::M, Lien::Pere)],
        _ => vec![(Civilite::Mme, Lien::Mere), (Civilite::M, Lien::Pere)],
    };
    if rng.random_bool(0.5) {
        membres.reverse();
    }
    let separes = membres.len() == 2 && rng.random_bool(0.15);
    for (i, (civilite, lien)) in membres.iter().enumerate() {
        let prenom_r = if *civilite == Civilite::Mme { pick(rng, filles) } else { pick(rng, garcons) };
        let nom_r = if *lien == Lien::Mere && rng.random_bool(0.3) { pick(rng, noms) } else { &nom_famille };
        let autre_adresse = separes && i == 1;
        let r = ResponsableIdentite {
            civilite: Some(*civilite),
            nom: nom(nom_r),
            prenom: prenom(prenom_r),
            lien: *lien,
            adresse: Some(if autre_adresse {
                format!("{} {}", rng.random_range(1..120), pick(rng, RUES))
            } else {
                adresse.clone()
            }),
            code_postal: Some(commune.code_postal.clone()),
            commune: Some(commune.nom.clone()),
            pays: None,
            tel_domicile: rng.random_bool(0.4).then(|| telephone(rng, "02")),
            tel_travail: rng.random_bool(0.3).then(|| telephone(rng, "02")),
            tel_portable: {
                let prefixe = if rng.random_bool(0.5) { "06" } else { "07" };
                Some(telephone(rng, prefixe))
            },
            courriel: rng.random_bool(0.85).then(|| courriel(prenom_r, nom_r)),
        };
        let id = ResponsableId::random(rng);
        eleves::insert_responsable(tx, &id, &r)?;
        // Rarely, a court withdrew one parent's authority (they are then not an elector).
        let autorite = !(membres.len() == 2 && i == 1 && rng.random_bool(0.01));
        responsables.push((id, *lien, autorite));
        resume.responsables += 1;
    }
    Ok(Famille {
        nom: nom_famille,
        responsables,
        adresse,
        commune: commune.nom.clone(),
        code_postal: commune.code_postal.clone(),
    })
}

/// A demo account, with its credentials (demo only: written to FILE.demo-accounts.json).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CompteDemo {
    /// Role code.
    pub role: String,
    /// Kind of perimeter.
    pub perimetre: String,
    /// Its id.
    pub perimetre_id: Option<String>,
    /// Its name.
    pub territoire: Option<String>,
    /// Login.
    pub login: String,
    /// Password (random, for this demo database only).
    pub mot_de_passe: String,
    /// TOTP secret, base32.
    pub totp_secret: String,
}

fn mot_de_passe_demo() -> String {
    const A: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..5)
        .map(|_| (0..4).map(|_| char::from(A[rng.random_range(0..32)])).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Creates two active accounts of every role, on two perimeters of each kind, with random
/// passwords and TOTP secrets (from the operating system's generator, not the seed).
pub fn comptes_demo(
    store: &Store,
    cles: &crate::config::Cles,
    le: time::OffsetDateTime,
    r: &Resume,
) -> Result<Vec<CompteDemo>> {
    use crate::domain::{CompteId, Perimetre};
    use crate::policy::Role;
    use crate::store::comptes;
    let t = &r.territoires;
    let parents = store
        .read(|c| t.ecoles.iter().take(2).map(|e| eleves::un_responsable_de_ecole(c, e)).collect::<Result<Vec<_>>>())?;
    let mut demandes: Vec<(Role, Perimetre)> = Vec::new();
    for i in 0..2 {
        demandes.push((Role::Directeur, Perimetre::Ecole(t.ecoles[i].clone())));
        demandes.push((Role::AgentMairie, Perimetre::Commune(t.communes[i].clone())));
        demandes.push((Role::Ien, Perimetre::Circonscription(t.circonscriptions[i].clone())));
        demandes.push((Role::IaDasen, Perimetre::Departement(t.departements[i].clone())));
        demandes.push((Role::Statisticien, Perimetre::Academie(t.academies[i].clone())));
        if let Some(Some(p)) = parents.get(i) {
            demandes.push((Role::Responsable, Perimetre::Responsable(p.clone())));
        }
        demandes.push((Role::PrincipalCollege, Perimetre::College(t.colleges[i].clone())));
        demandes.push((Role::AdminTechnique, Perimetre::Installation));
    }
    let mut out = Vec::new();
    for (role, perimetre) in demandes {
        let territoire = store.read(|c| territoires::nom_perimetre(c, &perimetre))?;
        let court = match role {
            Role::Directeur => "directeur",
            Role::AgentMairie => "mairie",
            Role::Ien => "ien",
            Role::IaDasen => "dasen",
            Role::Statisticien => "statisticien",
            Role::Responsable => "parent",
            Role::PrincipalCollege => "principal",
            Role::AdminTechnique | Role::Operateur => "admin",
        };
        let rang = if out.iter().any(|k: &CompteDemo| k.login == format!("{court}.1")) { 2 } else { 1 };
        let login = format!("{court}.{rang}");
        let mot_de_passe = mot_de_passe_demo();
        let secret = crate::auth::totp::nouveau_secret();
        let hash = crate::auth::mot_de_passe::hacher(&mot_de_passe);
        let id = CompteId::random(&mut rand::rng());
        store.ecrire(|tx| {
            comptes::creer(tx, &id, &login, role, &perimetre, Some("Compte de démonstration"), "operateur", le)?;
            comptes::activer(tx, &id, &hash, le)?;
            comptes::poser_totp(tx, &id, &crate::auth::totp::chiffrer(cles, id.as_str(), &secret), true)
        })?;
        out.push(CompteDemo {
            role: role.code().into(),
            perimetre: perimetre.genre().into(),
            perimetre_id: perimetre.id().map(str::to_string),
            territoire,
            login,
            mot_de_passe,
            totp_secret: crate::auth::totp::base32(&secret),
        });
    }
    Ok(out)
}
