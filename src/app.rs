//! The application state shared by every request, and the server with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::clock::Clock;
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
    pub pages: crate::http::pages::Pages,
}

/// The shared state (cheap to clone).
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Inner>);

impl AppState {
    /// Builds the state: compiles the page templates; the engine loads its fonts.
    pub fn new(store: Store, clock: Clock) -> Self {
        Self(Arc::new(Inner { store, engine: Engine::new(), clock, pages: crate::http::pages::Pages::new() }))
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
    /// Not a loopback address while accounts do not exist.
    #[error(
        "refus d'écouter sur {0} : tant que les comptes et l'authentification n'existent pas, le serveur n'écoute que sur l'adresse locale (127.0.0.1 ou ::1), pour ne pas exposer les données des élèves"
    )]
    PasLocal(SocketAddr),
    /// The socket could not be opened.
    #[error("impossible d'écouter sur {0} : {1}")]
    Ecoute(SocketAddr, std::io::Error),
}

/// Binds the listener, refusing anything but loopback.
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
    let app = crate::http::router(state);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
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
