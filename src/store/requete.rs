//! The request a write serves, as the store sees it: abandoned or not, committed or not, and
//! the idempotency key its first commit must record.
//!
//! The rule kept here: **no write commits after its request was answered with an error.** The
//! HTTP side makes one [`Suivi`] per request and lends it to every blocking task of that
//! request ([`sous`]); the store's write path checks it twice: after taking the writer (an
//! abandoned request does not begin) and just before COMMIT (an abandoned request rolls back).
//! Abandoning and committing exclude each other: the first commit *engages* the request, after
//! which it can no longer be abandoned, so the HTTP side waits for the real outcome instead of
//! answering an error; once abandoned, nothing of the request commits.
//!
//! Work that serves no request (the CLI, background jobs) runs without a `Suivi`: nothing to
//! check.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

const LIBRE: u8 = 0;
const ENGAGE: u8 = 1;
const ABANDONNE: u8 = 2;

/// An idempotency key to record with the request's first commit: the account, the key's hash
/// and the hash of the request (method, path and body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleIdempotence {
    /// The account that sent the request.
    pub compte: String,
    /// SHA-256 of the key.
    pub cle: Vec<u8>,
    /// SHA-256 of the method, path and body.
    pub empreinte: Vec<u8>,
    /// When the request came.
    pub le: time::OffsetDateTime,
}

/// One request's state, shared by the HTTP side and the blocking tasks it starts.
#[derive(Debug, Default)]
pub struct Suivi {
    etat: AtomicU8,
    cle: std::sync::Mutex<Option<CleIdempotence>>,
    /// Whether the key was recorded by a commit of this request.
    cle_enregistree: std::sync::atomic::AtomicBool,
}

impl Suivi {
    /// A new request, free to commit.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A new request whose first commit records `cle`.
    pub fn avec_cle(cle: CleIdempotence) -> Arc<Self> {
        let s = Self::default();
        if let Ok(mut g) = s.cle.lock() {
            *g = Some(cle);
        }
        Arc::new(s)
    }

    /// Sets the idempotency key the request's first commit must record (before it commits).
    pub fn definir_cle(&self, cle: CleIdempotence) {
        if let Ok(mut g) = self.cle.lock() {
            *g = Some(cle);
        }
    }

    /// Gives the request up (its client has gone, or its time is over): true when nothing of
    /// it will ever commit, false when a commit has already begun (its outcome must then be
    /// awaited and told).
    pub fn abandonner(&self) -> bool {
        match self.etat.compare_exchange(LIBRE, ABANDONNE, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => true,
            Err(e) => e == ABANDONNE,
        }
    }

    /// Whether the request was given up.
    pub fn abandonne(&self) -> bool {
        self.etat.load(Ordering::Acquire) == ABANDONNE
    }

    /// Whether a commit of this request has begun.
    pub fn engage(&self) -> bool {
        self.etat.load(Ordering::Acquire) == ENGAGE
    }

    /// Called just before COMMIT: false when the request was given up (roll back).
    fn engager(&self) -> bool {
        match self.etat.compare_exchange(LIBRE, ENGAGE, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => true,
            Err(e) => e == ENGAGE,
        }
    }

    /// The key to record now, once per request.
    fn cle_a_enregistrer(&self) -> Option<CleIdempotence> {
        if self.cle_enregistree.load(Ordering::Acquire) {
            return None;
        }
        self.cle.lock().ok().and_then(|g| g.clone())
    }

    /// Whether a commit of this request recorded its idempotency key (its answer is then kept).
    pub fn cle_enregistree(&self) -> bool {
        self.cle_enregistree.load(Ordering::Acquire)
    }
}

thread_local! {
    static COURANT: RefCell<Option<Arc<Suivi>>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread on behalf of the request `suivi`: the store's writes within it
/// check the request (see the module).
pub fn sous<T>(suivi: Arc<Suivi>, f: impl FnOnce() -> T) -> T {
    struct Retour(Option<Arc<Suivi>>);
    impl Drop for Retour {
        fn drop(&mut self) {
            let avant = self.0.take();
            COURANT.with(|c| *c.borrow_mut() = avant);
        }
    }
    let avant = COURANT.with(|c| c.borrow_mut().replace(suivi));
    let _retour = Retour(avant);
    f()
}

fn courant() -> Option<Arc<Suivi>> {
    COURANT.with(|c| c.borrow().clone())
}

/// Whether the request this thread serves was given up (false outside any request).
pub fn abandonnee() -> bool {
    courant().is_some_and(|s| s.abandonne())
}

/// Just before COMMIT: false when the request was given up.
pub(super) fn engager() -> bool {
    courant().is_none_or(|s| s.engager())
}

/// The idempotency key the commit about to happen must record, if any.
pub(super) fn cle_a_enregistrer() -> Option<CleIdempotence> {
    courant().and_then(|s| s.cle_a_enregistrer())
}

/// The key was recorded by the commit that just happened.
pub(super) fn cle_enregistree() {
    if let Some(s) = courant() {
        s.cle_enregistree.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abandoned_request_never_engages_and_an_engaged_one_cannot_be_abandoned() {
        let s = Suivi::new();
        assert!(s.abandonner());
        assert!(!s.engager());
        assert!(s.abandonne());
        let s = Suivi::new();
        assert!(s.engager());
        assert!(s.engager(), "a second commit of the same request");
        assert!(!s.abandonner());
        assert!(s.engage());
    }

    #[test]
    fn the_request_is_known_only_within_its_scope() {
        let s = Suivi::new();
        assert!(!abandonnee());
        s.abandonner();
        sous(s.clone(), || {
            assert!(abandonnee());
            assert!(!engager());
        });
        assert!(!abandonnee(), "outside the scope, no request");
        assert!(engager(), "work that serves no request always commits");
    }

    #[test]
    fn the_key_is_recorded_once() {
        let cle = CleIdempotence {
            compte: "c".into(),
            cle: vec![1],
            empreinte: vec![2],
            le: time::macros::datetime!(2026-11-29 09:30 UTC),
        };
        let s = Suivi::avec_cle(cle.clone());
        sous(s.clone(), || {
            assert_eq!(cle_a_enregistrer(), Some(cle));
            cle_enregistree();
            assert_eq!(cle_a_enregistrer(), None);
        });
        assert!(s.cle_enregistree());
    }
}
