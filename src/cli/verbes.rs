//! The verbs of the command line: each opens the base, builds the operator's or the demo's
//! actor and calls the use case; what it prints is in French.

use super::*;
use crate::config::comptes_demo_chemin;

pub(super) fn refuser_si_existe(db: &Path, verbe: &str) -> anyhow::Result<()> {
    if db.exists() {
        bail!("{} existe déjà : {verbe} ne remplace jamais une base", db.display());
    }
    if Cles::chemin(db).exists() {
        bail!("le fichier de clés {} existe déjà sans sa base : déplacez-le d'abord", Cles::chemin(db).display());
    }
    Ok(())
}

/// The print engine with the département's templates, each tried first within limits of time
/// and memory (`render::isole`): one that exceeds them is set aside (said on stderr), the
/// built-in template serves.
pub(super) fn moteur(db: &Path, store: &Store, cles: &Cles, clock: &Clock) -> anyhow::Result<Engine> {
    let dossier = crate::render::dossier_gabarits(db);
    let (engine, messages) = Engine::avec_gabarits(&dossier);
    for m in messages {
        eprintln!("{m}");
    }
    if engine.surcharges().is_empty() {
        return Ok(engine);
    }
    let exe = std::env::current_exe().context("chemin du programme")?;
    let limites = crate::render::isole::Limites::par_defaut();
    let essais =
        crate::service::exploitation::verifier_gabarits(store, cles, &engine, clock.now_paris(), (&exe, limites))?;
    if essais.ecartes.is_empty() {
        return Ok(engine);
    }
    for (fichier, pourquoi) in &essais.ecartes {
        eprintln!("gabarit {}/{fichier} : {pourquoi} ; le gabarit intégré le remplace", dossier.display());
    }
    Ok(essais.moteur(&engine))
}

/// Runs a use case as the server's operator (the CLI's actor, journaled as such).
pub(super) fn operateur<T>(
    store: &Store,
    cles: &Cles,
    clock: &Clock,
    f: impl FnOnce(&Service<'_>) -> crate::service::Result<T>,
) -> anyhow::Result<T> {
    let le = clock.now();
    let acteur = Acteur::operateur(le);
    Ok(f(&Service { store, cles, acteur: &acteur, le })?)
}

pub(super) fn import_onde(
    db: &Path,
    ecole: &str,
    fichiers: &[PathBuf],
    essai: bool,
    tout_ou_rien: bool,
    clock: &Clock,
) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let uai = Uai::parse(ecole).map_err(crate::domain::Error::from)?;
    let recus = fichiers
        .iter()
        .map(|f| {
            Ok(crate::service::onde::FichierRecu {
                nom: f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                octets: std::fs::read(f).with_context(|| format!("lecture de {}", f.display()))?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let options = crate::service::onde::Options { essai, tout_ou_rien };
    let barre = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} lignes, reste {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    barre.set_message(if essai { "essai" } else { "import" });
    let progression = |fait: usize, total: usize| {
        barre.set_length(total as u64);
        barre.set_position(fait as u64);
        true
    };
    let rapport = operateur(&store, &cles, clock, |svc| {
        let id = svc.ecole_par_uai(&uai)?.id;
        svc.importer_onde(&id, &recus, options, &progression)
    })?;
    barre.finish_and_clear();
    print!("{}", rapport.texte());
    if !essai && !rapport.ecrit && rapport.refusees > 0 {
        bail!("rien n'est écrit : {} ligne(s) refusée(s)", rapport.refusees);
    }
    Ok(())
}

pub(super) fn export_onde(db: &Path, ecole: &str, output: &Path, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let uai = Uai::parse(ecole).map_err(crate::domain::Error::from)?;
    let xlsx = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let format =
        if xlsx { crate::service::onde::FormatEchange::Xlsx } else { crate::service::onde::FormatEchange::Csv };
    let chemins: Vec<PathBuf> = if xlsx {
        vec![output.to_path_buf()]
    } else {
        let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let ext = output.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "csv".into());
        vec![output.to_path_buf(), output.with_file_name(format!("{stem}-responsables.{ext}"))]
    };
    for c in &chemins {
        if c.exists() {
            bail!("{} existe déjà : choisissez un autre nom", c.display());
        }
    }
    let fichiers = operateur(&store, &cles, clock, |svc| {
        let id = svc.ecole_par_uai(&uai)?.id;
        svc.exporter_onde(&id, format)
    })?;
    for (chemin, (_, octets)) in chemins.iter().zip(&fichiers) {
        ecrire_prive(chemin, octets)?;
        println!("{}", chemin.display());
    }
    Ok(())
}

pub(super) fn export_dossier(db: &Path, eleve: &str, output: &Path, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let id = EleveId::parse(eleve).map_err(|_| anyhow::anyhow!("identifiant d'élève invalide"))?;
    if output.exists() {
        bail!("{} existe déjà : choisissez un autre nom", output.display());
    }
    let engine = moteur(db, &store, &cles, clock)?;
    let (_, octets) = operateur(&store, &cles, clock, |svc| svc.emettre_dossier(&engine, &id))?;
    ecrire_prive(output, &octets)?;
    println!("{}", output.display());
    Ok(())
}

pub(super) fn import_dossier(
    db: &Path,
    ecole: &str,
    fichier: &Path,
    niveau: Option<&str>,
    nouveau: bool,
    clock: &Clock,
) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let uai = Uai::parse(ecole).map_err(crate::domain::Error::from)?;
    let octets = std::fs::read(fichier).with_context(|| format!("lecture de {}", fichier.display()))?;
    let niveau = niveau.map(crate::domain::Niveau::parse).transpose().map_err(|e| anyhow::anyhow!("--niveau : {e}"))?;
    let a = crate::service::dossier::AdmissionDossier { niveau, confirmer_nouveau: nouveau, ..Default::default() };
    let r = operateur(&store, &cles, clock, |svc| {
        let id = svc.ecole_par_uai(&uai)?.id;
        svc.importer_dossier(&id, &octets, &a)
    });
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            if let Some(crate::service::Error::Doublons(c)) = e.downcast_ref::<crate::service::Error>() {
                for k in c {
                    eprintln!(
                        "élève proche déjà connu : {} {} né(e) le {}",
                        k.nom,
                        k.prenoms,
                        date_fr(k.date_naissance)
                    );
                }
                eprintln!("vérifiez, puis relancez avec --nouveau s'il s'agit bien d'un autre enfant");
            }
            return Err(e);
        }
    };
    println!("Élève admis : {}", r.eleve_id);
    for a in &r.avertissements {
        println!("à vérifier : {a}");
    }
    Ok(())
}

/// Opens an existing database and its key file.
pub(super) fn ouvrir(db: &Path) -> anyhow::Result<(Store, Cles)> {
    let store = Store::open_existing(db)?;
    let cles = Cles::charger(db)?;
    Ok((store, cles))
}

pub(super) fn init(db: &Path, clock: &Clock) -> anyhow::Result<()> {
    refuser_si_existe(db, "init")?;
    let store = Store::open(db)?;
    Cles::creer(db)?;
    let annee = AnneeScolaire::de_la_date(clock.today());
    crate::service::exploitation::initialiser(&store, annee)?;
    println!(
        "Base créée : {} (année scolaire {annee}) ; clés dans {} (à garder avec la base, jamais publiées).",
        db.display(),
        Cles::chemin(db).display()
    );
    println!(
        "Créez le premier compte : registre admin create --db {} --role ia_dasen --perimeter CODE_DEPARTEMENT --login …",
        db.display()
    );
    Ok(())
}

pub(super) fn demo(db: &Path, pupils: u32, seed: u64, clock: &Clock) -> anyhow::Result<(Store, Cles)> {
    refuser_si_existe(db, "demo")?;
    if pupils == 0 || pupils > 500_000 {
        bail!("--pupils doit être compris entre 1 et 500 000");
    }
    let store = Store::open(db)?;
    let cles = Cles::creer(db)?;
    let bar = ProgressBar::new(u64::from(pupils));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} élèves ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("Génération du département fictif");
    let params = samples::Parametres { eleves: pupils, graine: seed, aujourd_hui: clock.today() };
    let resume = samples::generer(&store, &params, &|done, _| bar.set_position(done)).inspect_err(|_| bar.abandon())?;
    bar.finish_and_clear();
    let comptes = samples::comptes_demo(&store, &cles, clock.now(), &resume)?;
    let fichier = comptes_demo_chemin(db);
    ecrire_prive(&fichier, &serde_json::to_vec_pretty(&comptes)?)?;
    println!(
        "Démonstration créée : {} — {} circonscriptions, {} communes, {} écoles, {} classes, {} élèves, {} responsables, {} collèges (année {}).",
        db.display(),
        resume.circonscriptions,
        resume.communes,
        resume.ecoles,
        resume.classes,
        resume.eleves,
        resume.responsables,
        resume.colleges,
        resume.annee.map(|a| a.to_string()).unwrap_or_default()
    );
    println!(
        "{} comptes de démonstration (deux par rôle) : identifiants, mots de passe et secrets TOTP dans {} — pour la démonstration seulement.",
        comptes.len(),
        fichier.display()
    );
    Ok((store, cles))
}

pub(super) fn ecrire_prive(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    let mut f =
        crate::config::fichier_prive(path, true).with_context(|| format!("impossible d'écrire {}", path.display()))?;
    f.write_all(data)?;
    Ok(())
}

pub(super) fn lister(db: &Path, ecole: Option<&str>, q: Option<&str>, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let uai = ecole.map(Uai::parse).transpose().map_err(crate::domain::Error::from)?;
    // The operator's reads are journaled like any other (fail closed: nothing is printed otherwise).
    let lignes = operateur(&store, &cles, clock, |svc| {
        let ecole = uai.as_ref().map(|u| svc.ecole_par_uai(u)).transpose()?.map(|e| e.id);
        svc.eleves(&Recherche { ecole, q: q.map(str::to_string), limite: u32::MAX, ..Recherche::default() })
    })?;
    let texte = |l: &serde_json::Value, k: &str| l[k].as_str().unwrap_or_default().to_string();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for l in lignes.as_array().into_iter().flatten() {
        let naissance =
            time::Date::parse(&texte(l, "date_naissance"), &time::format_description::well_known::Iso8601::DEFAULT)
                .map(date_fr)
                .unwrap_or_default();
        // Tabs and newlines cannot occur in stored names (they are folded at input).
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            texte(l, "id"),
            texte(l, "nom"),
            texte(l, "prenoms"),
            naissance,
            texte(l, "uai"),
            texte(l, "niveau"),
            texte(l, "classe")
        )?;
    }
    out.flush()?;
    Ok(())
}

pub(super) fn render(
    document: &str,
    db: &Path,
    (eleve, classe, ecole): (Option<&str>, Option<&str>, Option<&str>),
    output: &Path,
    colonnes: &[crate::domain::Colonne],
    clock: &Clock,
) -> anyhow::Result<()> {
    if matches!(document, "constat-effectifs" | "prevision-effectifs") {
        return render_effectifs(document, db, output, clock);
    }
    let doc = Document::from_name(document).with_context(|| {
        let noms: Vec<&str> = Document::ALL.iter().map(|d| d.name()).collect();
        format!("document « {document} » inconnu (connus : {})", noms.join(", "))
    })?;
    let format = match output.extension().and_then(|e| e.to_str()) {
        Some("pdf") => Format::Pdf,
        Some("zip") => Format::Zip,
        Some("csv") => Format::Csv,
        _ => bail!("le fichier de sortie doit se terminer par .pdf, .zip ou .csv"),
    };
    let (store, cles) = ouvrir(db)?;
    let engine = moteur(db, &store, &cles, clock)?;
    let uai = ecole.map(Uai::parse).transpose().map_err(crate::domain::Error::from)?;
    let cible = match (eleve, classe, &uai) {
        (Some(e), None, None) => {
            Some(Cible::Eleve(EleveId::parse(e).map_err(|_| anyhow::anyhow!("identifiant d'élève invalide"))?))
        }
        (None, Some(c), None) => {
            Some(Cible::Classe(ClasseId::parse(c).map_err(|_| anyhow::anyhow!("identifiant de classe invalide"))?))
        }
        (None, None, Some(_)) => None,
        _ => bail!("indiquez une cible : --eleve ID, --classe ID ou --ecole UAI"),
    };
    // Written beside the destination, then renamed: no half-written file is left behind.
    let tmp = output.with_extension("partiel");
    let bar = ProgressBar::hidden();
    let result = (|| -> anyhow::Result<usize> {
        let file =
            BufWriter::new(File::create(&tmp).with_context(|| format!("impossible d'écrire {}", tmp.display()))?);
        let total = |n: usize| {
            if n > 1 {
                bar.set_length(n as u64);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
        };
        let progression = |k: usize| {
            bar.set_position(k as u64);
            true
        };
        let tirage = Tirage { limite: None, total: &total, progression: &progression, colonnes, sans_reponse: false };
        operateur(&store, &cles, clock, |svc| {
            let cible = match (&cible, &uai) {
                (Some(c), _) => c.clone(),
                (None, Some(u)) => Cible::Ecole(svc.ecole_par_uai(u)?.id),
                (None, None) => unreachable!("checked above"),
            };
            svc.imprimer_dans(&engine, doc, &cible, format, file, tirage)
        })
    })();
    bar.finish_and_clear();
    match result {
        Ok(n) => {
            std::fs::rename(&tmp, output)?;
            println!("{} écrit ({n} document{}).", output.display(), if n > 1 { "s" } else { "" });
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// The constat des effectifs or next year's forecast of the whole installation (by
/// circonscription), as PDF, CSV or XLSX: the report the IA-DASEN prints from the pages.
pub(super) fn render_effectifs(document: &str, db: &Path, output: &Path, clock: &Clock) -> anyhow::Result<()> {
    let format = output.extension().and_then(|e| e.to_str()).unwrap_or_default().to_string();
    if !["pdf", "csv", "xlsx"].contains(&format.as_str()) {
        bail!("le fichier de sortie doit se terminer par .pdf, .csv ou .xlsx");
    }
    let (store, cles) = ouvrir(db)?;
    let r = operateur(&store, &cles, clock, |svc| {
        if document == "constat-effectifs" { svc.rapport_constat() } else { svc.rapport_prevision() }
    })?;
    let octets = match format.as_str() {
        "csv" => crate::service::effectifs::csv(&r)?,
        "xlsx" => crate::service::effectifs::xlsx(&r)?,
        _ => {
            let engine = moteur(db, &store, &cles, clock)?;
            crate::service::effectifs::pdf(&engine, &r, clock.now())?
        }
    };
    // Written beside the destination, then renamed: no half-written file is left behind.
    let tmp = output.with_extension("partiel");
    std::fs::write(&tmp, &octets).with_context(|| format!("impossible d'écrire {}", tmp.display()))?;
    std::fs::rename(&tmp, output)?;
    println!("{} écrit.", output.display());
    Ok(())
}

pub(super) fn check(db: &Path, reancrer: bool, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    if reancrer {
        let a = operateur(&store, &cles, clock, |svc| svc.reancrer())?;
        println!("Nouveau point de contrôle du journal : ligne {} ({}).", a.seq, store.chemin_ancre().display());
    }
    let crate::service::exploitation::Bilan { problemes: mut problems, lignes, eleves: n } =
        crate::service::exploitation::verifier(&store, &cles)?;
    // The département's templates, each compiled against the base's data in a child process
    // limited in time and memory.
    let dossier = crate::render::dossier_gabarits(db);
    let (engine, messages) = Engine::avec_gabarits(&dossier);
    for m in messages {
        println!("{m}");
    }
    let exe = std::env::current_exe().context("chemin du programme")?;
    let limites = crate::render::isole::Limites::par_defaut();
    let essais =
        crate::service::exploitation::verifier_gabarits(&store, &cles, &engine, clock.now_paris(), (&exe, limites))?;
    for (fichier, pourquoi) in &essais.ecartes {
        problems.push(format!("gabarit {}/{fichier} : {pourquoi} (le gabarit intégré le remplace)", dossier.display()));
    }
    for e in essais.essais {
        let nom = format!("{}/{}.typ", dossier.display(), e.document.name());
        match e.resultat {
            Ok(true) => println!("gabarit {nom} : compilé sans erreur avec les données de la base"),
            Ok(false) => println!("gabarit {nom} : compilé sans erreur, sans données de la base pour l'essayer"),
            Err(m) => problems.push(format!("gabarit {nom} : {m} (le gabarit intégré le remplace)")),
        }
    }
    if problems.is_empty() {
        println!(
            "Base saine : {} ({n} élèves ; structure, clés étrangères, valeurs et chaîne du journal ({lignes} lignes) vérifiées).",
            db.display()
        );
        Ok(())
    } else {
        for p in &problems {
            eprintln!("problème : {p}");
        }
        bail!("{} problème(s) dans {}", problems.len(), db.display())
    }
}

/// Sets (or removes) the address certificates' QR codes point to; journaled.
pub(super) fn url_publique(db: &Path, url: Option<&str>, clock: &Clock) -> anyhow::Result<()> {
    let url = url.map(crate::domain::adresse_publique).transpose().map_err(anyhow::Error::msg)?;
    let (store, cles) = ouvrir(db)?;
    operateur(&store, &cles, clock, |svc| svc.modifier_url_publique(url.as_deref()))?;
    match url {
        Some(u) => println!("Adresse publique : {u} (les certificats porteront un QR code vers {u}/verifier/…)"),
        None => println!("Adresse publique enlevée : les certificats ne porteront plus de QR code."),
    }
    Ok(())
}

pub(super) fn admin_create(
    db: &Path,
    role: &str,
    perimeter: Option<&str>,
    login: &str,
    nom: Option<String>,
    url: &str,
    clock: &Clock,
) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let role = Role::parse(role).filter(|r| *r != Role::Operateur).with_context(|| {
        let roles: Vec<&str> = Role::COMPTES.iter().map(|r| r.code()).collect();
        format!("rôle « {role} » inconnu (connus : {})", roles.join(", "))
    })?;
    let genres: &[&str] = match role {
        Role::Directeur => &["ecole"],
        Role::AgentMairie => &["commune"],
        Role::Ien => &["circonscription"],
        Role::IaDasen => &["departement"],
        Role::Statisticien => &["academie", "departement"],
        Role::Responsable => &["responsable"],
        Role::PrincipalCollege => &["college"],
        Role::AdminTechnique | Role::Operateur => &["installation"],
    };
    let valeur = perimeter.unwrap_or("");
    let demande = crate::service::comptes::DemandeCompte {
        login: login.into(),
        role,
        genres: genres.iter().map(|g| (*g).to_string()).collect(),
        territoire: valeur.into(),
        nom,
    };
    let (_, jeton) = operateur(&store, &cles, clock, |svc| svc.creer_compte(&demande)).map_err(|e| {
        match e.downcast_ref::<crate::service::Error>() {
            Some(crate::service::Error::Introuvable("périmètre")) => anyhow::anyhow!(
                "périmètre « {valeur} » introuvable pour le rôle {} ({})",
                role.code(),
                role.perimetre_attendu()
            ),
            _ => e,
        }
    })?;
    println!("Compte « {login} » créé, en attente d'activation.");
    println!("Lien d'activation (usage unique, valable 72 heures ; à remettre au titulaire par un moyen sûr) :");
    println!("{}/activer?jeton={jeton}", url.trim_end_matches('/'));
    Ok(())
}

pub(super) fn backup(db: &Path, output: &Path, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    if output.exists() {
        bail!("{} existe déjà : la sauvegarde ne remplace jamais un fichier", output.display());
    }
    // The copy holds personal data: created private before SQLite writes into it.
    ecrire_prive(output, b"")?;
    operateur(&store, &cles, clock, |svc| svc.sauvegarder(output))?;
    println!(
        "Sauvegarde écrite : {}. Le fichier de clés {} n'y est pas : conservez-le à part, en lieu sûr.",
        output.display(),
        Cles::chemin(db).display()
    );
    Ok(())
}

pub(super) fn restore(db: &Path, depuis: &Path, clock: &Clock) -> anyhow::Result<()> {
    let r = crate::service::exploitation::restaurer(db, depuis, clock.now())?;
    println!(
        "Base restaurée : {} ({} élèves, chaîne du journal vérifiée : {} lignes), depuis {}.",
        db.display(),
        r.eleves,
        r.lignes,
        depuis.display()
    );
    if let Some(a) = r.ancienne {
        println!("L'ancienne base est gardée à part : {} (à effacer quand la restauration est validée).", a.display());
    }
    Ok(())
}

pub(super) fn code_demo(db: &Path, login: &str, clock: &Clock) -> anyhow::Result<()> {
    let fichier = comptes_demo_chemin(db);
    let texte = std::fs::read(&fichier)
        .with_context(|| format!("{} introuvable : ce n'est pas une base de démonstration", fichier.display()))?;
    let comptes: Vec<serde_json::Value> = serde_json::from_slice(&texte)?;
    let k = comptes
        .iter()
        .find(|k| k["login"] == login)
        .with_context(|| format!("pas de compte de démonstration « {login} »"))?;
    let secret = k["totp_secret"].as_str().and_then(auth::totp::depuis_base32).context("secret TOTP illisible")?;
    let t = u64::try_from(clock.now().unix_timestamp()).unwrap_or(0);
    println!("{}", auth::totp::code(&secret, t));
    eprintln!("(valable jusqu'à la fin de la période de 30 secondes en cours ; chaque code ne sert qu'une fois)");
    Ok(())
}

pub(super) fn purge(db: &Path, essai: bool, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let r = operateur(&store, &cles, clock, |svc| svc.purger(essai))?;
    let verbe = if essai { "seraient effacés" } else { "effacés" };
    println!(
        "Conservation au {} : {} élève(s) {verbe} ; {} compte(s) de famille et {} responsable(s) sans enfant {verbe} ; {} fiche(s) annuelle(s) (autorisations, assurance, périscolaire) des années passées {verbe}.",
        date_fr(clock.today()),
        r.eleves,
        r.comptes,
        r.responsables,
        r.annuel
    );
    Ok(())
}

pub(super) fn relancer(db: &Path, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let n = crate::service::verifications::relancer(&store, &cles, clock.now())?;
    println!(
        "Vérification annuelle au {} : {n} relance(s) déposée(s) dans {}.",
        date_fr(clock.today()),
        crate::service::courrier::dossier(db).display()
    );
    Ok(())
}

pub(super) fn rentree(db: &Path, clock: &Clock) -> anyhow::Result<()> {
    let (store, cles) = ouvrir(db)?;
    let b = operateur(&store, &cles, clock, |svc| svc.rentree())?;
    let annee = AnneeScolaire::parse(&b.annee).map_err(crate::domain::Error::from)?;
    let n = crate::service::documents::archiver_registres(&store, &Engine::new(), &cles, annee, clock.now_paris())?;
    println!(
        "Rentrée {} faite : {} élève(s) reconduit(s) ({} passages, {} maintiens, {} passages anticipés), {} CM2 vers le collège, {} GS vers l'élémentaire, {} départ(s). Registres {} archivés ({n} écoles) dans {}.",
        b.suivante,
        b.reconduits,
        b.passages,
        b.maintiens,
        b.anticipes,
        b.sortants_cm2,
        b.sortants_maternelle,
        b.partis,
        b.annee,
        crate::service::documents::dossier_archives(db).display()
    );
    Ok(())
}
