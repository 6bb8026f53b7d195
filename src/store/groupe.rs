//! Group commit: short writes of several requests in one transaction, one sync to the disk.
//!
//! Every read of personal data writes its journal row before it answers. One transaction each
//! would make the single writer sync the disk (and the journal's anchor file) once per read: on
//! this machine's disk, that alone caps reads near 600 a second for the whole département.
//! Instead, each write waits its turn for the writer; whoever gets it writes every write waiting
//! at that moment, each in its own savepoint, and commits once. A write answers only once the
//! transaction that holds it has committed, with its own outcome.

use std::collections::HashMap;

use std::sync::{Condvar, Mutex};

use super::{Ecriture, Error, Result, Store, lock};

/// One write waiting: it runs in the transaction of whoever takes the writer first.
pub type Travail = Box<dyn FnOnce(&Ecriture<'_>) -> Result<()> + Send>;

/// The writes waiting, and the outcomes of those written by another request's transaction.
#[derive(Default)]
struct Groupe {
    prochain: u64,
    en_attente: Vec<(u64, Travail)>,
    issues: HashMap<u64, std::result::Result<(), String>>,
}

/// The queue of [`Store::ecrire_groupe`], and the signal that outcomes were published.
#[derive(Default)]
pub(super) struct File {
    etat: Mutex<Groupe>,
    publiees: Condvar,
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File").field("en_attente", &lock(&self.etat).en_attente.len()).finish_non_exhaustive()
    }
}

/// What a turn at the writer found for a write.
enum Tour {
    /// Taken by an earlier transaction: its outcome is published, or will be.
    Attendre,
    /// Written by this transaction, with others: their outcomes.
    Ecrit(Vec<(u64, std::result::Result<(), String>)>),
}

impl Store {
    /// Runs `travail` in a write transaction it may share with the writes waiting at the same
    /// moment (in its own savepoint: one failing leaves the others). Returns once that
    /// transaction has committed, with this write's own outcome. Neither the request's
    /// abandonment nor its idempotency key applies: the transaction is not one request's.
    pub fn ecrire_groupe(&self, travail: Travail) -> Result<()> {
        // A request with an idempotency key keeps a transaction of its own, which records the
        // key with its write (launching a print, an import).
        if super::requete::cle_a_enregistrer().is_some() {
            return self.ecrire(|tx| travail(tx));
        }
        // The request commits to its write before waiting: once engaged it is not given up, so
        // it never answers « rien n'est écrit » for a write that a shared transaction commits.
        if !super::requete::engager() {
            return Err(Error::Abandonnee);
        }
        let ticket = {
            let mut g = lock(&self.groupe.etat);
            let t = g.prochain;
            g.prochain += 1;
            g.en_attente.push((t, travail));
            t
        };
        // The tickets this turn took from the queue, known even if the transaction fails.
        let mut pris: Vec<u64> = Vec::new();
        let tour = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.ecrire_pour(false, |tx| -> Result<Tour> {
                let travaux = {
                    let mut g = lock(&self.groupe.etat);
                    // Taken by an earlier transaction: its outcome is (or will be) published.
                    if g.issues.contains_key(&ticket) || !g.en_attente.iter().any(|(t, _)| *t == ticket) {
                        return Ok(Tour::Attendre);
                    }
                    let travaux = std::mem::take(&mut g.en_attente);
                    pris = travaux.iter().map(|(t, _)| *t).collect();
                    travaux
                };
                let mut issues = Vec::with_capacity(travaux.len());
                for (t, f) in travaux {
                    tx.execute_batch("SAVEPOINT groupe")?;
                    // A write that panics fails alone, like one that errs.
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(tx)))
                        .unwrap_or_else(|_| Err(Error::Groupe("erreur interne".into())));
                    let issue = match r {
                        Ok(()) => {
                            tx.execute_batch("RELEASE groupe")?;
                            Ok(())
                        }
                        Err(e) => {
                            tx.execute_batch("ROLLBACK TO groupe; RELEASE groupe")?;
                            Err(e.to_string())
                        }
                    };
                    issues.push((t, issue));
                }
                Ok(Tour::Ecrit(issues))
            })
        }));
        let tour = match tour {
            Ok(tour) => tour,
            Err(panique) => {
                // Whatever this turn took fails, published, so that nobody waits for it forever.
                self.echouer(ticket, &pris, "erreur interne");
                std::panic::resume_unwind(panique);
            }
        };
        let issue = match tour {
            Ok(Tour::Attendre) => self.attendre_issue(ticket),
            Ok(Tour::Ecrit(issues)) => {
                // Committed: the other writes' outcomes are published, this one returns its own.
                let mut mienne = Ok(());
                let mut g = lock(&self.groupe.etat);
                for (t, issue) in issues {
                    if t == ticket {
                        mienne = issue;
                    } else {
                        g.issues.insert(t, issue);
                    }
                }
                drop(g);
                self.groupe.publiees.notify_all();
                mienne
            }
            Err(e) => {
                // Nothing of this turn was written: the writes it took fail as it did.
                let encore_en_file = self.echouer(ticket, &pris, &e.to_string());
                if pris.contains(&ticket) || encore_en_file {
                    return Err(e);
                }
                // Taken by another transaction before this turn failed: its outcome.
                self.attendre_issue(ticket)
            }
        };
        issue.map_err(Error::Groupe)
    }
}

impl Store {
    /// A turn that failed: the writes it took (`pris`) get `message` as their outcome, and
    /// `ticket` leaves the queue. Returns whether `ticket` was still queued (nobody took it).
    fn echouer(&self, ticket: u64, pris: &[u64], message: &str) -> bool {
        let mut g = lock(&self.groupe.etat);
        for t in pris.iter().filter(|t| **t != ticket) {
            g.issues.insert(*t, Err(message.to_string()));
        }
        let avant = g.en_attente.len();
        g.en_attente.retain(|(t, _)| *t != ticket);
        let encore_en_file = g.en_attente.len() < avant;
        drop(g);
        self.groupe.publiees.notify_all();
        encore_en_file
    }

    /// The outcome of a write another transaction took, once published.
    fn attendre_issue(&self, ticket: u64) -> std::result::Result<(), String> {
        let mut g = lock(&self.groupe.etat);
        loop {
            if let Some(issue) = g.issues.remove(&ticket) {
                return issue;
            }
            g = self.groupe.publiees.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_of_many_threads_are_each_committed_once_and_a_failing_one_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = std::sync::Arc::new(Store::open(&dir.path().join("g.db")).unwrap());
        let fils: Vec<_> = (0..16)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    store.ecrire_groupe(Box::new(move |tx| {
                        if i == 7 {
                            tx.execute("INSERT INTO parametre (cle, valeur) VALUES ('g7', 'x')", [])?;
                            return Err(Error::Conflit("refusée".into()));
                        }
                        tx.execute("INSERT INTO parametre (cle, valeur) VALUES (?1, 'x')", [format!("g{i}")])?;
                        Ok(())
                    }))
                })
            })
            .collect();
        let issues: Vec<_> = fils.into_iter().map(|f| f.join().unwrap()).collect();
        for (i, r) in issues.iter().enumerate() {
            assert_eq!(r.is_err(), i == 7, "{i}: {r:?}");
        }
        let n: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM parametre WHERE cle GLOB 'g*'", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(n, 15, "each write once, the failing one rolled back alone");
        assert!(lock(&store.groupe.etat).issues.is_empty(), "every outcome collected");
    }
}
