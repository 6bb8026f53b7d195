//! `registre bench`: the project's own measurements of the print engine, run on this machine.
//!
//! Reports throughput and resident memory while rendering many documents in one process, so
//! that the claims of the README come from a command anyone can run again. No timing is ever
//! asserted in a test: the machine is shared and noisy.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::clock::Clock;
use crate::domain::Perimetre;
use crate::render::{Document, Engine};
use crate::service::documents::Imprimeur;
use crate::store::eleves::{self, Filtre};
use crate::store::{Store, territoires};

/// Resident memory of this process in KiB (Linux `/proc/self/status`), if known.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: Option<u64>) -> String {
    kib.map(|k| format!("{:.1} Mio", k as f64 / 1024.0)).unwrap_or_else(|| "?".into())
}

/// Peak resident memory (`VmHWM`) in KiB, if known.
fn pic_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak (`/proc/self/clear_refs`, Linux): each phase reports its own peak.
fn remettre_pic() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn par_seconde(n: usize, d: std::time::Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// `registre bench`: where the time of one document goes, the template's bare floor (the same
/// data compiled and exported again and again, on one core then on all), then the print run's
/// whole pipeline (SQLite, data, Typst, PDF, ZIP or merged PDF) for 1,000 and `n` documents,
/// each with its peak resident memory.
pub fn mesurer(db: &Path, n: usize, document: &str, clock: &Clock) -> anyhow::Result<()> {
    let doc = Document::from_name(document).with_context(|| format!("document « {document} » inconnu"))?;
    if !crate::service::documents::Imprimeur::par_eleve(doc) {
        bail!("la mesure porte sur un document par élève (fiche-renseignements, certificat-scolarite, fiche-urgence)");
    }
    let store = Store::open_existing(db)?;
    let p = Perimetre::Installation;
    let ids = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        Ok(eleves::lister(c, &p, &Filtre { presents: true, ..Filtre::annee(annee) })?
            .into_iter()
            .map(|l| l.id)
            .collect::<Vec<_>>())
    })?;
    if ids.is_empty() {
        bail!("aucun élève dans la base");
    }
    let coeurs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let t0 = Instant::now();
    let engine = Engine::new();
    let setup = t0.elapsed();
    let cles = crate::config::Cles::charger(db)?;
    let le = clock.now_paris();
    let imp = Imprimeur {
        store: &store,
        engine: &engine,
        cles: &cles,
        perimetre: &p,
        le,
        annee: None,
        colonnes: &[],
        essai: false,
        sans_reponse: false,
        journal: None,
    };
    println!(
        "registre bench — {} ({} élèves dans la base, {coeurs} cœur(s), moteur prêt en {:.0} ms)",
        doc.name(),
        ids.len(),
        setup.as_secs_f64() * 1000.0
    );

    constat(&store)?;

    // 1. One document, step by step.
    // Distinct pupils: the same data again would be served by Typst's cache.
    let echantillon: Vec<_> = ids.iter().take(1000).cloned().collect();
    let t = Instant::now();
    let mut donnees = Vec::new();
    for id in &echantillon {
        let mut one = Vec::new();
        imp.donnees_eleve(doc, id, &mut one)?;
        donnees.push(one.pop().context("données vides")?);
    }
    let lecture = t.elapsed() / echantillon.len().max(1) as u32;
    let stamp = crate::render::Stamp { at: le, ident: "bench".into() };
    let z = std::time::Duration::ZERO;
    let (mut json, mut comp, mut export, mut octets) = (z, z, z, 0);
    let profils = &donnees[..donnees.len().min(100)];
    for d in profils {
        let pr = engine.profil(doc, d, &stamp)?;
        json += pr.donnees;
        comp += pr.compilation;
        export += pr.export;
        octets += pr.octets;
    }
    let k = profils.len() as u32;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!();
    println!("Un document (moyenne sur {k}) :");
    println!("  lecture SQLite et mise en forme des données   {:>7.2} ms", ms(lecture));
    println!("  sérialisation JSON                            {:>7.2} ms", ms(json / k));
    println!("  compilation Typst et mise en page             {:>7.2} ms", ms(comp / k));
    println!("  export PDF (polices, balisage)                {:>7.2} ms", ms(export / k));
    println!("  taille moyenne                                {:>7.0} Kio", octets as f64 / f64::from(k) / 1024.0);

    // 2. The template's floor on one core: compile and export only, the data of distinct
    // pupils already in memory (the same data again would be served by Typst's cache).
    let (un, tous) = donnees.split_at(donnees.len() / 2);
    let t = Instant::now();
    for d in un {
        engine.render(doc, d, &stamp)?;
    }
    let seq = par_seconde(un.len(), t.elapsed());
    println!();
    println!("Plancher du gabarit (compilation + export seuls, données d'élèves distincts déjà en mémoire) :");
    println!("  un cœur          {seq:>8.0} documents/s    mémoire résidente {}", mib(rss_kib()));

    // 3. The print run's whole pipeline as a job makes it (cores − 1 threads, at least one),
    // then on every core (`registre render`). Peaks are reported in that order: a process's
    // resident memory does not shrink back.
    let mut tailles = vec![1000.min(n), n];
    tailles.dedup();
    let tmp = std::env::temp_dir().join(format!("registre-bench-{}", std::process::id()));
    let fils_tache = coeurs.saturating_sub(1).max(1);
    let pool_tache = rayon::ThreadPoolBuilder::new().num_threads(fils_tache).stack_size(crate::render::PILE).build()?;
    let mesurer_lot = |taille: usize, zip: bool| -> anyhow::Result<(f64, Option<u64>, u64)> {
        let lot: Vec<_> = ids.iter().cycle().take(taille).cloned().collect();
        let chemin = tmp.with_extension(if zip { "zip" } else { "pdf" });
        remettre_pic();
        let t = Instant::now();
        let f = std::io::BufWriter::new(std::fs::File::create(&chemin)?);
        imp.lot_eleves(doc, &lot, zip, f, &|_| true)?;
        let d = t.elapsed();
        let taille_fichier = std::fs::metadata(&chemin).map(|m| m.len()).unwrap_or(0);
        let _ = std::fs::remove_file(&chemin);
        Ok((par_seconde(taille, d), pic_kib(), taille_fichier))
    };
    let ligne = |qui: &str, taille: usize, zip: bool, r: (f64, Option<u64>, u64)| {
        println!(
            "{qui:<22}  {taille:>9}  {:>6}  {:>12.0}  {:>12}  {:>9.1} Mio",
            if zip { "ZIP" } else { "PDF" },
            r.0,
            mib(r.1),
            r.2 as f64 / 1_048_576.0
        );
    };
    println!();
    println!("Lot complet (base, données, Typst, PDF, ZIP ou PDF fusionné) :");
    println!(
        "{:<22}  {:>9}  {:>6}  {:>12}  {:>12}  {:>13}",
        "", "documents", "sortie", "documents/s", "pic mémoire", "fichier"
    );
    for &taille in &tailles {
        for zip in [true, false] {
            let r = pool_tache.install(|| mesurer_lot(taille, zip))?;
            ligne(&format!("tâche ({fils_tache} fil)"), taille, zip, r);
        }
    }
    for &taille in &tailles {
        for zip in [true, false] {
            let r = mesurer_lot(taille, zip)?;
            ligne(&format!("tous les cœurs ({coeurs})"), taille, zip, r);
        }
    }
    // The floor on every core, the way batches render (one plain thread per core).
    let items: Vec<crate::render::BatchItem> = tous
        .iter()
        .map(|d| crate::render::BatchItem { file_name: String::new(), stamp: stamp.clone(), data: d.clone() })
        .collect();
    let t = Instant::now();
    for r in crate::render::batch::rendre_en_parallele(&engine, doc, &items) {
        r?;
    }
    let par = par_seconde(tous.len(), t.elapsed());
    println!();
    println!(
        "Plancher du gabarit sur {coeurs} cœur(s) : {par:.0} documents/s (un cœur : {seq:.0}). Objectif : 450 fiches/s en ZIP."
    );
    println!();
    println!("Mémoire résidente à la fin : {}.", mib(rss_kib()));
    Ok(())
}

/// The constat des effectifs of each circonscription, as the IEN's report reads it (schools,
/// counts of the year, validated constats of this year and last, the trend): the slowest and
/// the median circonscription. Nothing is journaled.
fn constat(store: &Store) -> anyhow::Result<()> {
    use crate::store::constat as sc;
    let (annee, circonscriptions) = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        let mut ids: Vec<_> =
            sc::ecoles(c, &Perimetre::Installation)?.into_iter().map(|e| e.circonscription_id).collect();
        ids.sort();
        ids.dedup();
        Ok((annee, ids))
    })?;
    let mut mesures = Vec::new();
    for id in circonscriptions {
        let p = Perimetre::Circonscription(id);
        let t = Instant::now();
        let (ecoles, eleves) = store.read(|c| {
            let ecoles = sc::ecoles(c, &p)?;
            let calcules = sc::calculer(c, &p, annee)?;
            sc::valides(c, &p, annee)?;
            sc::valides(c, &p, annee.precedente())?;
            sc::tendance(c, &p)?;
            Ok((ecoles.len(), calcules.values().map(|e| e.total()).sum::<u32>()))
        })?;
        mesures.push((t.elapsed(), ecoles, eleves));
    }
    mesures.sort();
    let Some(lent) = mesures.last() else { return Ok(()) };
    let median = mesures[mesures.len() / 2];
    println!(
        "Constat des effectifs d'une circonscription ({} circonscriptions) : la plus lente {:.1} ms ({} écoles, {} élèves), médiane {:.1} ms",
        mesures.len(),
        lent.0.as_secs_f64() * 1000.0,
        lent.1,
        lent.2,
        median.0.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// `registre bench --comparaison DIR`: prepares the side-by-side comparison that
/// `scripts/comparaison` runs. For one school (the given UAI, or the one with the most pupils),
/// writes the data of each fiche its print run makes, in print order, exactly as our engine
/// reads it at `/data.json` (`DIR/donnees/0001.json`…), its UAI (`DIR/ecole.txt`), then
/// measures the floor on those same data: Typst's compile and PDF export alone, in a loop on
/// every core, the data already in memory (`DIR/plancher.json`). Demonstration bases only:
/// these files hold pupils' data in clear.
pub fn preparer_comparaison(
    db: &Path,
    dossier: &Path,
    ecole: Option<&str>,
    document: &str,
    clock: &Clock,
) -> anyhow::Result<()> {
    use crate::domain::Uai;
    use crate::service::documents::Cible;
    let doc = Document::from_name(document).with_context(|| format!("document « {document} » inconnu"))?;
    if doc != Document::FicheRenseignements {
        bail!("la comparaison porte sur la fiche de renseignements (son équivalent HTML est dans scripts/comparaison)");
    }
    // A guard against a mistake, not an access rule (whoever runs this holds the base): the
    // accounts file `registre demo` writes beside its base marks a demonstration.
    if !crate::config::comptes_demo_chemin(db).exists() {
        bail!(
            "la comparaison écrit les données des élèves en clair : elle ne se prépare que sur une base de démonstration (registre demo)"
        );
    }
    let store = Store::open_existing(db)?;
    let p = Perimetre::Installation;
    let ecole_id = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        let lignes = eleves::lister(c, &p, &Filtre { presents: true, ..Filtre::annee(annee) })?;
        let mut effectifs: std::collections::HashMap<_, (usize, Uai)> = std::collections::HashMap::new();
        for l in lignes {
            effectifs.entry(l.ecole_id).or_insert((0, l.uai)).0 += 1;
        }
        Ok(match ecole {
            Some(u) => effectifs.into_iter().find(|(_, (_, uai))| uai.as_str() == u).map(|(id, _)| id),
            // The largest school; the UAI breaks ties, so the choice is the same each run.
            None => effectifs
                .into_iter()
                .max_by(|a, b| a.1.0.cmp(&b.1.0).then_with(|| b.1.1.as_str().cmp(a.1.1.as_str())))
                .map(|(id, _)| id),
        })
    })?;
    let ecole_id = ecole_id.context("aucune école avec des élèves présents (ou UAI inconnue)")?;
    let engine = Engine::new();
    let cles = crate::config::Cles::charger(db)?;
    let imp = Imprimeur {
        store: &store,
        engine: &engine,
        cles: &cles,
        perimetre: &p,
        le: clock.now_paris(),
        annee: None,
        colonnes: &[],
        essai: false,
        sans_reponse: false,
        journal: None,
    };
    let items = imp.items_cible(doc, &Cible::Ecole(ecole_id.clone()))?;
    let uai = store.read(|c| territoires::ecole(c, &p, &ecole_id))?.uai;
    let donnees = dossier.join("donnees");
    std::fs::create_dir_all(&donnees).with_context(|| format!("impossible de créer {}", donnees.display()))?;
    for (i, item) in items.iter().enumerate() {
        std::fs::write(donnees.join(format!("{:04}.json", i + 1)), serde_json::to_vec(&item.data)?)?;
    }
    std::fs::write(dossier.join("ecole.txt"), format!("{}\n", uai.as_str()))?;

    // The floor: a warm-up on a few documents (fonts parsed, template compiled once), then
    // every document, on one plain thread per core as batches render.
    let coeurs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    for r in crate::render::batch::rendre_en_parallele(&engine, doc, &items[..items.len().min(coeurs)]) {
        r?;
    }
    remettre_pic();
    let t = Instant::now();
    for r in crate::render::batch::rendre_en_parallele(&engine, doc, &items) {
        r?;
    }
    let secondes = t.elapsed().as_secs_f64();
    let pic = pic_kib();
    std::fs::write(
        dossier.join("plancher.json"),
        serde_json::to_vec(&serde_json::json!({
            "documents": items.len(),
            "secondes": secondes,
            "coeurs": coeurs,
            "pic_kio": pic,
        }))?,
    )?;
    println!(
        "{} fiches de l'école {} écrites dans {} ; plancher sur {coeurs} cœur(s) : {:.0} documents/s, pic de mémoire {}.",
        items.len(),
        uai.as_str(),
        donnees.display(),
        par_seconde(items.len(), t.elapsed()),
        mib(pic)
    );
    Ok(())
}

/// The figures of a run of writes: how many, their median, 99th percentile and longest.
fn repartition(mut d: Vec<std::time::Duration>) -> String {
    if d.is_empty() {
        return "aucune".into();
    }
    d.sort();
    let ms = |x: std::time::Duration| x.as_secs_f64() * 1000.0;
    let p = |q: f64| d[((d.len() as f64 * q) as usize).min(d.len() - 1)];
    format!(
        "{} écritures, p50 {:.1} ms, p99 {:.1} ms, la plus longue {:.1} ms",
        d.len(),
        ms(p(0.5)),
        ms(p(0.99)),
        ms(*d.last().unwrap_or(&std::time::Duration::ZERO))
    )
}

/// `registre bench --import N`: on a private copy of the base (the base itself is not
/// written), the directeur of one school imports a file of `n` new pupils, then dry runs it,
/// while the directeur of another school corrects one of its pupils every 20 ms: how long that
/// correction takes alone, during the import and during the dry run (the time it waited for
/// the writer is the difference), the import's pace, and the peak resident memory.
pub fn import(db: &Path, n: usize, clock: &Clock) -> anyhow::Result<()> {
    use crate::auth::Acteur;
    use crate::domain::correction::AnnuelSaisie;
    use crate::policy::Role;
    use crate::service::Service;
    use crate::service::corrections::Correction;
    use crate::service::onde::{FichierRecu, Options};
    let source = Store::open_existing(db)?;
    let cles = crate::config::Cles::charger(db)?;
    let dossier = crate::service::travaux::dossier(db);
    std::fs::create_dir_all(&dossier)?;
    let chemin = dossier.join(format!("bench-{}.db", std::process::id()));
    struct Effacer(std::path::PathBuf);
    impl Drop for Effacer {
        fn drop(&mut self) {
            crate::store::supprimer_base(&self.0);
        }
    }
    let _effacer = Effacer(chemin.clone());
    struct EffacerDossier(std::path::PathBuf);
    impl Drop for EffacerDossier {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    // The dry run's own copy goes in the copy's jobs folder.
    let _dossier_copie = EffacerDossier(crate::service::travaux::dossier(&chemin));
    let t = Instant::now();
    let store = source.copie_privee(&chemin)?;
    drop(source);
    let copie = t.elapsed();
    let le = clock.now();
    // The importing school (the first that teaches a niveau, by its first class) and a pupil of
    // another school.
    let (ecole, niveau, autre_ecole, eleve) = store.read(|c| {
        let annee = territoires::annee_courante(c)?;
        let p = Perimetre::Installation;
        let mut choisie = None;
        for e in territoires::ecoles(c, &p)? {
            if let Some(k) = crate::store::classes::classes(c, &p, &e.id, annee)?.into_iter().next()
                && let Some(niveau) = k.niveaux.first()
            {
                choisie = Some((e.id, *niveau));
                break;
            }
        }
        let (ecole, niveau) = choisie.ok_or(crate::store::Error::Introuvable("école avec une classe"))?;
        let autre = eleves::lister(c, &p, &Filtre { presents: true, ..Filtre::annee(annee) })?
            .into_iter()
            .find(|l| l.ecole_id != ecole)
            .ok_or(crate::store::Error::Introuvable("élève d'une autre école"))?;
        Ok((ecole, niveau, autre.ecole_id, autre.id))
    })?;
    let directeur = |e: &crate::domain::EcoleId| Acteur {
        role: Role::Directeur,
        perimetre: Perimetre::Ecole(e.clone()),
        ..Acteur::operateur(le)
    };
    let (importeur, ecrivain) = (directeur(&ecole), directeur(&autre_ecole));
    // A file of `n` new pupils, whose names begin with `prefixe`.
    let fichier = |prefixe: &str| {
        let prenoms = ["Lou", "Jade", "Louise", "Emma", "Ambre", "Gabriel", "Léo", "Raphaël", "Louis", "Noah"];
        let mut texte = String::from("Nom élève;Prénom élève;Date naissance;Sexe;Niveau;Libellé classe\n");
        for i in 0..n {
            let nom: String = (0..5).map(|k| char::from(b'A' + ((i / 26usize.pow(k)) % 26) as u8)).collect();
            texte.push_str(&format!(
                "{prefixe}{nom};{};{:02}/{:02}/2019;{};{niveau};Banc {}\n",
                prenoms[i % 10],
                1 + i % 28,
                1 + i % 12,
                if i % 2 == 0 { "F" } else { "M" },
                1 + i % 10
            ));
        }
        vec![FichierRecu { nom: "eleves.csv".into(), octets: texte.into_bytes() }]
    };
    let ecrire = |k: usize| -> anyhow::Result<std::time::Duration> {
        let svc = Service { store: &store, cles: &cles, acteur: &ecrivain, le };
        let c = Correction {
            annuel: Some(AnnuelSaisie { assureur: Some(format!("BANC {k}")), ..Default::default() }),
            ..Default::default()
        };
        let t = Instant::now();
        svc.corriger(&eleve, &c)?;
        Ok(t.elapsed())
    };
    println!(
        "registre bench --import — copie privée de la base en {:.1} s ; import de {n} élèves nouveaux ({niveau}) dans une école, corrections d'un élève d'une autre école toutes les 20 ms",
        copie.as_secs_f64()
    );
    let mut seules = Vec::new();
    for k in 0..50 {
        seules.push(ecrire(k)?);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    println!("  corrections seules          {}", repartition(seules));
    for essai in [false, true] {
        remettre_pic();
        let fini = std::sync::atomic::AtomicBool::new(false);
        let (rapport, pendant, duree) = std::thread::scope(|s| -> anyhow::Result<_> {
            let import = s.spawn(|| {
                let svc = Service { store: &store, cles: &cles, acteur: &importeur, le };
                let t = Instant::now();
                let fichiers = fichier(if essai { "ESSAI" } else { "BANC" });
                let r = svc.importer_onde(&ecole, &fichiers, Options { essai, tout_ou_rien: false }, &|_, _| true);
                fini.store(true, std::sync::atomic::Ordering::Release);
                r.map(|r| (r, t.elapsed()))
            });
            let mut pendant = Vec::new();
            let mut k = 1000;
            while !fini.load(std::sync::atomic::Ordering::Acquire) {
                pendant.push(ecrire(k)?);
                k += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let (r, duree) = import.join().map_err(|_| anyhow::anyhow!("l'import a paniqué"))??;
            Ok((r, pendant, duree))
        })?;
        println!(
            "  {} : {} lignes en {:.1} s ({:.0} lignes/s), {} élèves créés, {} refusées ; pic de mémoire {}",
            if essai { "essai (copie privée)" } else { "import" },
            rapport.lignes_traitees,
            duree.as_secs_f64(),
            par_seconde(rapport.lignes_traitees, duree),
            rapport.eleves_crees,
            rapport.refusees,
            mib(pic_kib())
        );
        println!("  corrections pendant l'{}   {}", if essai { "essai " } else { "import" }, repartition(pendant));
    }
    Ok(())
}
