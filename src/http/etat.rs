//! The application state shared by every request (built once at start-up), and the server with
//! graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{Cles, Limites, Transport};
use crate::render::Engine;
use crate::store::Store;

/// Everything a request may need: built once at start-up, shared by reference.
#[derive(Debug)]
pub struct Inner {
    /// The record store.
    pub store: Store,
    /// The print engine.
    pub engine: Engine,
    /// The clock.
    pub clock: Clock,
    /// The HTML page templates.
    pub pages: &'static crate::http::pages::Pages,
    /// The installation's keys.
    pub cles: Cles,
    /// How clients reach the server.
    pub transport: Transport,
    /// The print runs and imports in the background.
    pub travaux: crate::service::travaux::Travaux,
    /// The limits of connections and requests.
    pub limites: Limites,
    /// Sign-in through the OpenID Connect providers.
    pub oidc: crate::http::oidc::Oidc,
    /// The token that opens `/metrics` to another host than the loopback.
    pub jeton_metriques: Option<crate::http::exploitation::Jeton>,
}

/// The shared state (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    /// Builds the state: compiles the page templates; the engine loads its fonts; the print
    /// runs' folder beside the database is emptied (no file of a previous process is served).
    pub fn new(store: Store, cles: Cles, clock: Clock, transport: Transport) -> std::io::Result<Self> {
        let travaux = crate::service::travaux::Travaux::ouvrir(store.path())?;
        // Built once, before any request can need it while holding the writer.
        crate::domain::commune::referentiel::charger();
        let (engine, messages) = Engine::avec_gabarits(&crate::render::dossier_gabarits(store.path()));
        for m in messages {
            tracing::info!("{m}");
        }
        Ok(Self(Arc::new(Inner {
            store,
            engine,
            clock,
            pages: crate::http::pages::Pages::partagees(),
            cles,
            transport,
            travaux,
            limites: Limites::default(),
            oidc: crate::http::oidc::Oidc::new(),
            jeton_metriques: None,
        })))
    }

    /// The same state once the département's templates are tried within limits of time and
    /// memory, each in a child process `exe` (`render::isole`): one that exceeds a limit is set
    /// aside (logged in French, naming it), and the built-in template serves. Before the state
    /// is shared; nothing to do without templates of the département.
    pub fn verifier_gabarits(mut self, exe: &std::path::Path, limites: crate::render::isole::Limites) -> Self {
        if self.engine.surcharges().is_empty() {
            return self;
        }
        let dossier = crate::service::exploitation::dossier_gabarits(&self.store);
        let le = self.clock.now_paris();
        let essais =
            crate::service::exploitation::verifier_gabarits(&self.store, &self.cles, &self.engine, le, (exe, limites));
        let engine = match essais {
            Ok(e) if e.ecartes.is_empty() => return self,
            Ok(e) => {
                for (fichier, pourquoi) in &e.ecartes {
                    tracing::error!(
                        "gabarit du département {}/{fichier} : {pourquoi} ; le gabarit intégré le remplace",
                        dossier.display()
                    );
                }
                e.moteur(&self.engine)
            }
            Err(e) => {
                tracing::error!(erreur = %e, "essai des gabarits du département impossible : ils sont mis de côté");
                Engine::new()
            }
        };
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.engine = engine,
            None => tracing::error!("gabarits non remplacés : l'état est déjà partagé"),
        }
        self
    }

    /// The same state with other limits (before it is shared).
    pub fn avec_limites(mut self, limites: Limites) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.limites = limites,
            None => tracing::error!("limites ignorées : l'état est déjà partagé"),
        }
        self
    }

    /// The same state with the token of `/metrics` (before it is shared).
    pub fn avec_jeton_metriques(mut self, jeton: Option<crate::http::exploitation::Jeton>) -> Self {
        match Arc::get_mut(&mut self.0) {
            Some(inner) => inner.jeton_metriques = jeton,
            None => tracing::error!("jeton des métriques ignoré : l'état est déjà partagé"),
        }
        self
    }

    /// Starts the import worker on its own thread; it stops when the queue is empty. Returns
    /// whether it started.
    pub fn demarrer_imports(&self) -> bool {
        let s = self.clone();
        let r = std::thread::Builder::new().name("imports".into()).spawn(move || {
            crate::service::travaux::executer_imports(&s.store, &s.cles, &s.travaux);
        });
        if let Err(e) = &r {
            tracing::error!(%e, "impossible de lancer les imports");
        }
        r.is_ok()
    }

    /// Starts the print-run worker on its own thread; it stops when the queue is empty.
    /// Returns whether it started.
    pub fn demarrer_impressions(&self) -> bool {
        let s = self.clone();
        let r =
            std::thread::Builder::new().name("impressions".into()).stack_size(crate::render::PILE).spawn(move || {
                crate::service::travaux::executer(&s.store, &s.cles, &s.engine, &s.travaux);
            });
        if let Err(e) = &r {
            tracing::error!(%e, "impossible de lancer les impressions en lot");
        }
        r.is_ok()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// Why the server refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Plain HTTP on a non-loopback address.
    #[error(
        "refus d'écouter en HTTP simple sur {0} : sans chiffrement, le serveur n'écoute que sur l'adresse locale (127.0.0.1 ou ::1). Donnez --tls-cert et --tls-key, ou placez-le derrière un mandataire HTTPS (--derriere-proxy, écoute locale)"
    )]
    PasLocal(SocketAddr),
    /// The TLS certificate or key could not be read.
    #[error("certificat TLS inutilisable : {0}")]
    Tls(String),
    /// The socket could not be opened.
    #[error("impossible d'écouter sur {0} : {1}")]
    Ecoute(SocketAddr, std::io::Error),
}

/// Binds a plain-HTTP listener, refusing anything but loopback.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    if !addr.ip().is_loopback() {
        return Err(ServeError::PasLocal(addr));
    }
    tokio::net::TcpListener::bind(addr).await.map_err(|e| ServeError::Ecoute(addr, e))
}

/// Serves until `shutdown` resolves, then finishes the requests under way.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limites = state.limites;
    let app = crate::http::router(state);
    crate::http::connexions::servir(listener, None, app, limites, shutdown).await
}

/// Serves the operators' addresses only (`/metrics`, `/healthz`, `/readyz`) on a loopback
/// listener of their own: `/metrics` answers there without a token, behind a proxy too (the
/// proxy forwards to the other listener). Ends with the process.
pub async fn serve_surveillance(listener: tokio::net::TcpListener, state: AppState) {
    let limites = state.limites;
    let app = crate::http::routes_surveillance(state);
    if let Err(e) = crate::http::connexions::servir(listener, None, app, limites, std::future::pending()).await {
        tracing::error!(%e, "écoute des métriques arrêtée");
    }
}

/// Tells systemd the server is listening (`Type=notify`); nothing without systemd.
pub fn pret() {
    if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]) {
        tracing::warn!(%e, "systemd n'a pas pu être prévenu du démarrage");
    }
}

/// Under systemd's watchdog (`WatchdogSec=`), tells it twice per period that the server is
/// alive: the blocking pool answers and the database reads. A server stuck there is not
/// vouched for, and systemd restarts it. Readiness (`/readyz`) is for load balancers: a disk
/// nearly full is not a reason to restart.
pub fn chien_de_garde(state: AppState) {
    let mut usec = 0;
    if !sd_notify::watchdog_enabled(false, &mut usec) || usec == 0 {
        return;
    }
    let periode = std::time::Duration::from_micros(usec / 2);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(periode);
        loop {
            tick.tick().await;
            let s = state.clone();
            let vivant = tokio::task::spawn_blocking(move || crate::service::exploitation::sante(&s.store).is_ok())
                .await
                .unwrap_or(false);
            if vivant {
                let _ = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]);
            } else {
                tracing::error!("la base ne répond pas : le chien de garde de systemd n'est pas prévenu");
            }
        }
    });
}

/// Serves over TLS (rustls) on any address until `shutdown` resolves.
pub async fn serve_tls(
    addr: SocketAddr,
    cert: &std::path::Path,
    key: &std::path::Path,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let acceptor = crate::http::connexions::config_tls(cert, key).map_err(ServeError::Tls)?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| ServeError::Ecoute(addr, e))?;
    bound(listener.local_addr().map_err(|e| ServeError::Ecoute(addr, e))?);
    let limites = state.limites;
    let app = crate::http::router(state);
    crate::http::connexions::servir(listener, Some(acceptor), app, limites, shutdown)
        .await
        .map_err(|e| ServeError::Ecoute(addr, e))
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}

/// Daily upkeep while serving: expired sessions and never-activated accounts past 30 days, and
/// the retention rules (docs/domaine.md §4), journaled as the server's operator.
pub fn entretien(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
        loop {
            tick.tick().await;
            let s = state.clone();
            let le = s.clock.now();
            let r = tokio::task::spawn_blocking(move || crate::service::exploitation::entretien(&s.store, &s.cles, le))
                .await;
            match r {
                Ok(Ok(((sessions, comptes), purge))) => tracing::info!(
                    sessions,
                    comptes,
                    eleves_effaces = purge.eleves,
                    "entretien : sessions et comptes expirés, conservation appliquée"
                ),
                Ok(Err(e)) => tracing::error!(%e, "entretien impossible"),
                Err(e) => tracing::error!(%e, "entretien interrompu"),
            }
        }
    });
}
