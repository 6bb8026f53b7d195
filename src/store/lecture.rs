//! Reading: a reader borrowed from the pool for one call, or held for one read transaction
//! that every read of the same thread joins ([`Store::lire`]), and the transactions counted.

use std::sync::atomic::Ordering;

use rusqlite::Connection;

use super::{Error, Result, Store, lock};

impl Store {
    /// Runs `f` on a read-only connection from the pool. The connection goes back to the pool
    /// however `f` ends, a panic included (a drop guard): a faulty request cannot drain it.
    /// Within [`Store::lire`] on this thread, `f` joins that read transaction.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if let Some(c) = self.lecture_en_cours() {
            return f(&c);
        }
        self.lectures.fetch_add(1, Ordering::Relaxed);
        let emprunt = self.emprunter();
        f(emprunt.conn.as_ref().unwrap_or_else(|| unreachable!("set above")))
    }

    /// Runs `f` in one read transaction: every read it makes through this store, on this
    /// thread (its own, and those of the functions it calls), sees the base at the same
    /// instant, whatever is written meanwhile. A print works out its plan this way, and reads
    /// each document's data this way. Nested, it joins the transaction already open. `f` must
    /// not write: a reader held while waiting for the writer could wait for ever on a write
    /// that itself reads ([`Store::ecrire`] refuses, in debug builds).
    pub fn lire<T, E: From<Error>>(
        &self,
        f: impl FnOnce(&Connection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if let Some(c) = self.lecture_en_cours() {
            return f(&c);
        }
        self.lectures.fetch_add(1, Ordering::Relaxed);
        let mut emprunt = self.emprunter();
        let conn = std::rc::Rc::new(emprunt.conn.take().unwrap_or_else(|| unreachable!("set above")));
        let cle = self as *const Store as usize;
        /// Closes the transaction and gives the connection back to the pool, however `f` ends
        /// (a panic included): it holds the connection's last reference once the thread's slot
        /// is emptied, since `f` only borrows it.
        struct Fin<'a> {
            emprunt: Emprunt<'a>,
            conn: Option<std::rc::Rc<Connection>>,
        }
        impl Drop for Fin<'_> {
            fn drop(&mut self) {
                LECTURE.with(|l| l.borrow_mut().take());
                if let Some(c) = self.conn.take() {
                    let _ = c.execute_batch("ROLLBACK");
                    match std::rc::Rc::try_unwrap(c) {
                        Ok(c) => self.emprunt.conn = Some(c),
                        // Never: every other reference is gone. Were one kept, the pool gets a
                        // new reader rather than one fewer.
                        Err(_) => {
                            tracing::error!("lecture : connexion encore partagée, remplacée");
                            self.emprunt.conn = super::ouvrir_lecteur(&self.emprunt.store.path).ok();
                        }
                    }
                }
            }
        }
        let fin = Fin { emprunt, conn: Some(conn) };
        let c: &Connection = fin.conn.as_deref().unwrap_or_else(|| unreachable!("set above"));
        c.execute_batch("BEGIN").map_err(Error::from)?;
        LECTURE.with(|l| *l.borrow_mut() = fin.conn.clone().map(|c| (cle, c)));
        f(c)
    }

    /// The connection of the read transaction open on this thread for this store, if any.
    pub(super) fn lecture_en_cours(&self) -> Option<std::rc::Rc<Connection>> {
        let cle = self as *const Store as usize;
        LECTURE.with(|l| l.borrow().as_ref().filter(|(k, _)| *k == cle).map(|(_, c)| c.clone()))
    }

    /// The read and write transactions begun since the store opened (a read outside
    /// [`Store::lire`] counts as one): what a test counts to show a use case's transactions.
    pub fn transactions(&self) -> (u64, u64) {
        (self.lectures.load(Ordering::Relaxed), self.ecritures.load(Ordering::Relaxed))
    }

    /// A reader from the pool, waiting for one.
    fn emprunter(&self) -> Emprunt<'_> {
        let conn = {
            let mut pool = lock(&self.readers);
            loop {
                if let Some(c) = pool.pop() {
                    break c;
                }
                pool = self.available.wait(pool).unwrap_or_else(|p| p.into_inner());
            }
        };
        Emprunt { store: self, conn: Some(conn) }
    }
}

thread_local! {
    /// The read transaction open on this thread ([`Store::lire`]): its store, its connection.
    static LECTURE: std::cell::RefCell<Option<(usize, std::rc::Rc<Connection>)>> = const { std::cell::RefCell::new(None) };
}

/// A reader borrowed from the pool, given back when dropped (on unwinding too).
struct Emprunt<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Drop for Emprunt<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            lock(&self.store.readers).push(c);
            self.store.available.notify_one();
        }
    }
}
