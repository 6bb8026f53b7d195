//! The connections: accepted, bounded and served by hyper, over plain TCP or TLS.
//!
//! What a client that never finishes, or never stops, cannot do here:
//! - hold a connection without sending a complete request head: hyper's header read timeout
//!   ([`Limites::entetes`]) closes it; the same limit closes a keep-alive connection left idle
//!   between two requests (hyper starts it as soon as it waits for the next head);
//! - trickle a body: the whole body must arrive within [`Limites::corps`] (`super::corps_borne`);
//! - open connections without end: past [`Limites::connexions`], a new connection is answered
//!   503 in French and closed (at most [`REFUS_MAX`] such answers at once; beyond, the
//!   connection is closed at once);
//! - stop reading its answer: a write that makes no progress for [`Limites::corps`] closes
//!   the connection;
//! - get an empty answer: hyper answers malformed heads itself (400, 414, 431) with no body;
//!   [`Flux`] replaces each such answer with the French error every other refusal has (JSON
//!   for an address under `/api/`, a page otherwise).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpListener;

use crate::config::Limites;

/// The largest request head hyper reads (request line and headers); the router refuses
/// smaller excesses itself (`super::LONGUEUR_ADRESSE`, `super::TAILLE_ENTETES`).
const TETE_MAX: usize = 96 * 1024;

/// How long the TLS handshake of a new connection may take.
const POIGNEE_DE_MAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Connections past the cap answered at once; beyond, they are closed without an answer.
pub const REFUS_MAX: usize = 32;

/// How long the requests under way may take to finish once shutdown is asked.
const FIN_GRACIEUSE: std::time::Duration = std::time::Duration::from_secs(10);

/// A connection as hyper reads and writes it, with hyper's own bodiless error answers turned
/// into French ones (see the module).
#[derive(Debug)]
pub struct Flux<S> {
    inner: S,
    /// The first bytes of the request being read (to tell an API address from a page's).
    debut: Vec<u8>,
    /// The next bytes read begin a request.
    nouvelle: bool,
    /// The next write begins an answer (the only one that may be hyper's own).
    tete: bool,
    /// A French answer still to send in place of hyper's.
    a_envoyer: Vec<u8>,
    /// How long a write may make no progress.
    delai_ecriture: std::time::Duration,
    /// Since when a write makes no progress.
    bloquee: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

impl<S> Flux<S> {
    /// Wraps a connection whose writes may stall at most `delai_ecriture`.
    pub fn new(inner: S, delai_ecriture: std::time::Duration) -> Self {
        Self {
            inner,
            debut: Vec::new(),
            nouvelle: true,
            tete: false,
            a_envoyer: Vec::new(),
            delai_ecriture,
            bloquee: None,
        }
    }

    /// A write that made no progress: an error once it has stalled too long.
    fn attente(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let delai = self.delai_ecriture;
        let s = self.bloquee.get_or_insert_with(|| Box::pin(tokio::time::sleep(delai)));
        if std::future::Future::poll(s.as_mut(), cx).is_ready() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "le client ne lit pas la réponse"));
        }
        Ok(())
    }

    fn api(&self) -> bool {
        adresse_api(&self.debut)
    }
}

/// Whether a request line (its first bytes) asks for an address of the API.
fn adresse_api(debut: &[u8]) -> bool {
    let t = String::from_utf8_lossy(debut);
    t.split(' ').nth(1).is_some_and(|p| p.starts_with("/api/") || super::exploitation::ADRESSES.contains(&p))
}

/// The status of an answer hyper made up itself: a status line of an error, and a head with no
/// `Content-Type` (every answer of the router has one, errors included).
fn reponse_nue(buf: &[u8]) -> Option<u16> {
    let tete = buf.strip_prefix(b"HTTP/1.1 ")?;
    let status: u16 = std::str::from_utf8(tete.get(..3)?).ok()?.parse().ok()?;
    if status < 400 {
        return None;
    }
    let fin = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let entetes = String::from_utf8_lossy(&buf[..fin]).to_ascii_lowercase();
    (!entetes.contains("\r\ncontent-type:")).then_some(status)
}

/// A whole French error answer (status line, headers, body), closing the connection.
pub fn reponse_francaise(status: u16, api: bool) -> Vec<u8> {
    let code = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
    let (type_contenu, corps) = super::corps_erreur(api, super::Error::http(code));
    let mut r = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {type_contenu}\r\ncontent-length: {}\r\nconnection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nreferrer-policy: no-referrer\r\ncontent-security-policy: {}\r\n",
        code.as_u16(),
        code.canonical_reason().unwrap_or(""),
        corps.len(),
        super::CSP
    );
    if status == 503 {
        r.push_str("retry-after: 5\r\n");
    }
    r.push_str("\r\n");
    let mut octets = r.into_bytes();
    octets.extend_from_slice(&corps);
    octets
}

impl<S: AsyncWrite + Unpin> Flux<S> {
    /// Sends what remains of a French answer.
    fn vider(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.a_envoyer.is_empty() {
            let n = match Pin::new(&mut self.inner).poll_write(cx, &self.a_envoyer) {
                Poll::Ready(r) => r?,
                Poll::Pending => {
                    self.attente(cx)?;
                    return Poll::Pending;
                }
            };
            self.bloquee = None;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.a_envoyer.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Flux<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let avant = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = r {
            let lu = &buf.filled()[avant..];
            if !lu.is_empty() {
                let this = &mut *self;
                if this.nouvelle {
                    this.debut.clear();
                    this.nouvelle = false;
                    this.tete = true;
                }
                if this.debut.len() < 64 {
                    let n = (64 - this.debut.len()).min(lu.len());
                    this.debut.extend_from_slice(&lu[..n]);
                }
            }
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Flux<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        std::task::ready!(self.vider(cx))?;
        self.nouvelle = true;
        // Only the first write of an answer can be hyper's own head: never a body's bytes.
        let tete = std::mem::replace(&mut self.tete, false);
        if tete && let Some(status) = reponse_nue(buf) {
            // hyper's answer is complete in this write (a head with `content-length: 0`).
            let api = self.api();
            self.a_envoyer = reponse_francaise(status, api);
            let _ = self.vider(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Pending => {
                self.attente(cx)?;
                Poll::Pending
            }
            r => {
                self.bloquee = None;
                r
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.vider(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        std::task::ready!(self.vider(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` (through TLS when `tls` is given) until `shutdown` resolves,
/// then lets the requests under way finish (10 s at most).
pub async fn servir(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limites: Limites,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let places = Arc::new(tokio::sync::Semaphore::new(limites.connexions));
    let refus = Arc::new(tokio::sync::Semaphore::new(REFUS_MAX));
    let (arreter, arret) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (flux, pair) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, a connection reset before accept…: go on.
                    tracing::warn!(%e, "connexion non acceptée");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = flux.set_nodelay(true);
        let Ok(place) = places.clone().try_acquire_owned() else {
            // Answered while few are; closed at once beyond.
            if let Ok(r) = refus.clone().try_acquire_owned() {
                let tls = tls.clone();
                tokio::spawn(async move {
                    refuser(flux, tls).await;
                    drop(r);
                });
            }
            continue;
        };
        let app = app.clone();
        let tls = tls.clone();
        let arret = arret.clone();
        tokio::spawn(async move {
            match tls {
                Some(acceptor) => match tokio::time::timeout(POIGNEE_DE_MAIN, acceptor.accept(flux)).await {
                    Ok(Ok(f)) => connexion(Flux::new(f, limites.corps), app, pair, limites, arret).await,
                    _ => tracing::debug!("poignée de main TLS manquée"),
                },
                None => connexion(Flux::new(flux, limites.corps), app, pair, limites, arret).await,
            }
            drop(place);
        });
    }
    let _ = arreter.send(true);
    // Every connection gives its place back when it ends.
    let toutes = u32::try_from(limites.connexions).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(FIN_GRACIEUSE, places.acquire_many(toutes)).await;
    Ok(())
}

/// One connection: HTTP/1.1 with the limits of [`Limites`], closed gracefully on shutdown.
/// Each request carries the peer's address (`ConnectInfo`: `/metrics` answers the loopback).
async fn connexion<S>(
    flux: Flux<S>,
    app: Router,
    pair: std::net::SocketAddr,
    limites: Limites,
    mut arret: tokio::sync::watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limites.entetes)
        .max_buf_size(TETE_MAX)
        .keep_alive(true);
    let app = tower::ServiceExt::map_request(app, move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(axum::extract::ConnectInfo(pair));
        req
    });
    let service = hyper_util::service::TowerToHyperService::new(app);
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(flux), service);
    let mut conn = std::pin::pin!(conn);
    let arret = async move {
        loop {
            if *arret.borrow_and_update() {
                return;
            }
            if arret.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(%e, "connexion terminée");
            }
        }
        () = arret => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// A connection past the cap: answered 503 in French, then closed. Its request head is read
/// first (2 s and 8 KiB at most), to answer an API address in JSON and a page's in HTML, and
/// what the client still sends is read for a moment after the answer, so that closing does not
/// reset the connection before the client has read it.
async fn refuser(flux: tokio::net::TcpStream, tls: Option<tokio_rustls::TlsAcceptor>) {
    use tokio::io::AsyncReadExt;
    async fn repondre<S: AsyncRead + AsyncWrite + Unpin>(mut f: S) {
        let mut tete = Vec::new();
        let mut buf = [0u8; 1024];
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
            while tete.len() < 8192 && !tete.windows(4).any(|w| w == b"\r\n\r\n") {
                match f.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => tete.extend_from_slice(&buf[..n]),
                }
            }
        })
        .await;
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            f.write_all(&reponse_francaise(503, adresse_api(&tete))),
        )
        .await;
        let _ = f.shutdown().await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), async {
            while matches!(f.read(&mut buf).await, Ok(n) if n > 0) {}
        })
        .await;
    }
    tracing::warn!("trop de connexions ouvertes : une nouvelle est refusée (503)");
    match tls {
        Some(acceptor) => {
            if let Ok(Ok(f)) = tokio::time::timeout(POIGNEE_DE_MAIN, acceptor.accept(flux)).await {
                repondre(f).await;
            }
        }
        None => repondre(flux).await,
    }
}

/// The TLS configuration of a certificate chain and a private key (PEM files).
pub fn config_tls(cert: &std::path::Path, cle: &std::path::Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let chaine = CertificateDer::pem_file_iter(cert)
        .and_then(|i| i.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{} : {e}", cert.display()))?;
    let cle = PrivateKeyDer::from_pem_file(cle).map_err(|e| format!("{} : {e}", cle.display()))?;
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chaine, cle)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyper_s_bodiless_error_heads_are_replaced() {
        assert_eq!(
            reponse_nue(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n"),
            Some(431)
        );
        assert_eq!(reponse_nue(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"), Some(400));
        assert_eq!(reponse_nue(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\r\n{}"), None);
        assert_eq!(reponse_nue(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(reponse_nue(b"<html>"), None);
    }

    #[test]
    fn the_french_answer_is_json_for_the_api_and_a_page_elsewhere() {
        let r = String::from_utf8(reponse_francaise(414, true)).unwrap();
        assert!(r.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{r}");
        assert!(r.contains("content-type: application/problem+json"), "{r}");
        assert!(r.contains("adresse trop longue"), "{r}");
        let r = String::from_utf8(reponse_francaise(431, false)).unwrap();
        assert!(r.contains("content-type: text/html"), "{r}");
        assert!(r.contains("trop volumineux"), "{r}");
        let (tete, corps) = r.split_once("\r\n\r\n").unwrap();
        let longueur: usize = tete.lines().find_map(|l| l.strip_prefix("content-length: ")).unwrap().parse().unwrap();
        assert_eq!(longueur, corps.len());
    }
}
