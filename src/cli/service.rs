//! Running as a service: the configuration file and the flags that override it, the logs
//! (text or one JSON object per line), `serve` with systemd's readiness and watchdog, and the
//! nightly backups into a folder, kept N days.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::verbes::{demo, ecrire_prive, operateur, ouvrir};
use crate::clock::Clock;
use crate::config::{Cles, Transport};
use crate::http::etat::{self, AppState};
use crate::reglages::Reglages;

/// Starts the logs on stderr (the journal, under systemd): `json` gives one object per line,
/// with the fields of the request's span (its id, method and route template). Messages never
/// hold a pupil's name or a field's value; a request is logged by its route, not its address.
pub fn journaux(json: bool) {
    let filtre = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt().with_env_filter(filtre).with_writer(std::io::stderr);
    let _ = if json {
        fmt.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init()
    } else {
        fmt.try_init()
    };
}

/// The database a verb works on: `--db`, else the configuration's `base`.
pub(super) fn base(db: Option<PathBuf>, reglages: Option<&Reglages>) -> anyhow::Result<PathBuf> {
    match db.or_else(|| reglages.and_then(|r| r.base.clone())) {
        Some(b) => Ok(b),
        None if reglages.is_some() => {
            bail!("la base n'est nommée ni par --db ni par la clé « base » de la configuration")
        }
        None => bail!("--db ou --config est obligatoire"),
    }
}

/// What `serve` runs with, once the flags have overridden the file.
#[derive(Debug)]
pub(super) struct Lancement {
    pub db: PathBuf,
    pub addr: SocketAddr,
    pub demo: bool,
    pub transport: Transport,
    pub metriques_addr: Option<SocketAddr>,
    pub metriques_jeton: Option<PathBuf>,
}

/// The flags of `serve` over the configuration file.
#[derive(Debug, Default)]
pub(super) struct Drapeaux {
    pub db: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
    pub demo: bool,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub derriere_proxy: bool,
    pub metriques_addr: Option<SocketAddr>,
    pub metriques_jeton: Option<PathBuf>,
}

impl Drapeaux {
    /// The flags win over the file, key by key; TLS given by a flag replaces the file's proxy.
    pub fn sur(self, r: Option<&Reglages>) -> anyhow::Result<Lancement> {
        let defaut = Reglages::default();
        let r = r.unwrap_or(&defaut);
        let db =
            base(self.db, Some(r)).map_err(|_| anyhow::anyhow!("--db ou --config (clé « base ») est obligatoire"))?;
        let tls = self.tls.or_else(|| if self.derriere_proxy { None } else { r.tls.clone() });
        let transport = match tls {
            Some((cert, key)) => Transport::Tls { cert, key },
            None if self.derriere_proxy || r.derriere_proxy => Transport::DerriereProxy,
            None => Transport::Local,
        };
        let addr = self.addr.or(r.adresse).unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080)));
        let metriques_addr = self.metriques_addr.or(r.metriques_adresse);
        if let Some(a) = metriques_addr.filter(|a| !a.ip().is_loopback()) {
            bail!("--metriques-addr : {a} n'est pas une adresse locale (127.0.0.1 ou ::1)");
        }
        Ok(Lancement {
            db,
            addr,
            demo: self.demo,
            transport,
            metriques_addr,
            metriques_jeton: self.metriques_jeton.or_else(|| r.metriques_jeton.clone()),
        })
    }
}

pub(super) fn serve(l: Lancement, clock: Clock) -> anyhow::Result<()> {
    let Lancement { db, addr, demo: with_demo, transport, metriques_addr, metriques_jeton } = l;
    let db = db.as_path();
    if !addr.ip().is_loopback() && !matches!(transport, Transport::Tls { .. }) {
        bail!("{}", etat::ServeError::PasLocal(addr));
    }
    let jeton =
        metriques_jeton.map(|f| crate::http::exploitation::Jeton::lire(&f)).transpose().map_err(anyhow::Error::msg)?;
    let (store, cles) = if with_demo && !db.exists() { demo(db, 2000, 1, &clock)? } else { ouvrir(db)? };
    // One server per database; `registre restore` refuses while this lock is held.
    let _verrou = crate::service::exploitation::verrouiller_serveur(db)?;
    let problems = store.quick_check()?;
    if !problems.is_empty() {
        bail!("la base est endommagée : {}", problems.join(" ; "));
    }
    // Fail closed: a journal whose end disagrees with its anchor is evidence; the server does
    // not start over it (an operator looks with `registre check` first).
    if let Some(p) = store.probleme_ancre() {
        bail!("journal d'audit : {p} ; lancez « registre check --db {} »", db.display());
    }
    if clock.is_fixed() {
        tracing::warn!("horloge fixée par {} : à n'utiliser que pour les essais", crate::clock::ENV_FIXED);
    }
    let state = AppState::new(store, cles, clock, transport.clone())
        .with_context(|| format!("dossier des impressions en lot à côté de {}", db.display()))?
        .avec_jeton_metriques(jeton);
    // The département's templates are tried within limits before the first print: one that
    // loops or allocates without end is set aside, the built-in template serves.
    let state = state.verifier_gabarits(
        &std::env::current_exe().context("chemin du programme")?,
        crate::render::isole::Limites::par_defaut(),
    );
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(crate::render::PILE).build()?;
    runtime.block_on(async move {
        etat::entretien(state.clone());
        if let Some(a) = metriques_addr {
            let listener = etat::bind(a).await?;
            println!("métriques servies sur http://{}/metrics (local seulement)", listener.local_addr()?);
            tokio::spawn(etat::serve_surveillance(listener, state.clone()));
        }
        etat::chien_de_garde(state.clone());
        match &transport {
            Transport::Tls { cert, key } => {
                etat::serve_tls(addr, cert, key, state, etat::shutdown_signal(), |local| {
                    println!("registre écoute sur https://{local}/ (Ctrl-C pour arrêter)");
                    etat::pret();
                })
                .await?;
            }
            _ => {
                let listener = etat::bind(addr).await?;
                let local = listener.local_addr()?;
                println!("registre écoute sur http://{local}/ (Ctrl-C pour arrêter)");
                etat::pret();
                etat::serve(listener, state, etat::shutdown_signal()).await?;
            }
        }
        Ok::<(), anyhow::Error>(())
    })
}

/// `backup` into the configuration's folder (or `--dossier`): a file named by the date and
/// time, then the copies of that folder older than `jours` days are deleted (only files this
/// verb names, never anything else).
pub(super) fn backup_dans(db: &Path, dossier: &Path, jours: u32, clock: &Clock) -> anyhow::Result<()> {
    if !dossier.is_dir() {
        std::fs::create_dir_all(dossier).with_context(|| format!("dossier des sauvegardes {}", dossier.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dossier, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    let (store, cles) = ouvrir(db)?;
    let maintenant = clock.now();
    let nom = nom_sauvegarde(maintenant);
    let sortie = dossier.join(&nom);
    if sortie.exists() {
        bail!("{} existe déjà : la sauvegarde ne remplace jamais un fichier", sortie.display());
    }
    ecrire_prive(&sortie, b"")?;
    operateur(&store, &cles, clock, |svc| svc.sauvegarder(&sortie))?;
    let limite = maintenant - time::Duration::days(i64::from(jours));
    let mut effacees = 0;
    for entree in std::fs::read_dir(dossier)?.filter_map(Result::ok) {
        let n = entree.file_name().to_string_lossy().into_owned();
        if !n.starts_with(&nom) && date_sauvegarde(&n).is_some_and(|d| d < limite) {
            std::fs::remove_file(entree.path())
                .with_context(|| format!("effacement de {}", entree.path().display()))?;
            effacees += usize::from(n.ends_with(".db"));
        }
    }
    println!(
        "Sauvegarde écrite : {} ; {effacees} sauvegarde(s) de plus de {jours} jour(s) effacée(s). Le fichier de clés {} n'y est pas : conservez-le à part.",
        sortie.display(),
        Cles::chemin(db).display()
    );
    Ok(())
}

/// `registre-AAAAMMJJ-HHMMSS.db`, in UTC.
fn nom_sauvegarde(le: time::OffsetDateTime) -> String {
    format!("registre-{}.db", crate::clock::horodatage(le))
}

/// The instant a file named by [`nom_sauvegarde`] was taken, or one of its companions (its
/// journal anchor `.ancre`, SQLite's `-wal` and `-shm`); `None` for any other name.
fn date_sauvegarde(nom: &str) -> Option<time::OffsetDateTime> {
    let nom = ["", ".ancre", "-wal", "-shm"].iter().find_map(|s| nom.strip_suffix(s).filter(|n| n.ends_with(".db")))?;
    crate::clock::lire_horodatage(nom.strip_prefix("registre-")?.strip_suffix(".db")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_named_by_date_and_only_those_names_are_read_back() {
        let le = time::macros::datetime!(2026-12-07 02:30:05 UTC);
        let n = nom_sauvegarde(le);
        assert_eq!(n, "registre-20261207-023005.db");
        assert_eq!(date_sauvegarde(&n), Some(le));
        for compagnon in [".ancre", "-wal", "-shm"] {
            assert_eq!(date_sauvegarde(&format!("{n}{compagnon}")), Some(le), "{compagnon}");
        }
        for autre in ["registre.db", "registre-20261207-023005.db.cles", "notes.txt", "registre-2026.db", "x-wal"] {
            assert_eq!(date_sauvegarde(autre), None, "{autre}");
        }
    }

    #[test]
    fn flags_override_the_file_key_by_key() {
        let r = Reglages::depuis(
            "base = \"/var/lib/registre/registre.db\"\nadresse = \"127.0.0.1:8080\"\nderriere_proxy = true\nmetriques_adresse = \"127.0.0.1:9464\"\n",
        )
        .unwrap();
        let l = Drapeaux::default().sur(Some(&r)).unwrap();
        assert_eq!(l.db, PathBuf::from("/var/lib/registre/registre.db"));
        assert_eq!(l.transport, Transport::DerriereProxy);
        assert_eq!(l.metriques_addr, Some(SocketAddr::from(([127, 0, 0, 1], 9464))));
        let d = Drapeaux {
            db: Some("/tmp/autre.db".into()),
            addr: Some(SocketAddr::from(([127, 0, 0, 1], 9000))),
            ..Drapeaux::default()
        };
        let l = d.sur(Some(&r)).unwrap();
        assert_eq!((l.db, l.addr), (PathBuf::from("/tmp/autre.db"), SocketAddr::from(([127, 0, 0, 1], 9000))));
        let d = Drapeaux { tls: Some(("/c.pem".into(), "/k.pem".into())), ..Drapeaux::default() };
        assert!(matches!(d.sur(Some(&r)).unwrap().transport, Transport::Tls { .. }), "a flag's TLS wins");
        assert!(Drapeaux::default().sur(None).is_err(), "no database named");
    }
}
