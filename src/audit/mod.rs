//! The audit journal: every read, list, search, print, export and write of personal data adds
//! one row, chained to the previous one by HMAC-SHA-256 under a key kept outside the database.
//!
//! Rules kept here (docs/architecture.md §4):
//! - writes are journaled in the same transaction as the change: no journal, no change;
//! - reads are journaled before the data is sent: if the row cannot be written, the request
//!   fails (fail closed);
//! - the table is append-only (triggers abort UPDATE and DELETE); `registre check` recomputes
//!   the chain and names the first row that was edited, deleted or moved;
//! - the chain alone cannot see rows cut from its end: the store anchors the journal's last
//!   row and MAC in a file beside the key file after each commit (`store::ancre`), and the
//!   check compares the chain's end with it and names the missing rows.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{Cles, hex};
use crate::policy::{Action, Role};
use crate::store::journal::{self, Entree};
use crate::store::{self, Store};

/// Who acts, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auteur {
    /// Account id, or `operateur` for the CLI.
    pub id: String,
    /// Role.
    pub role: Role,
    /// The function shown to parents (« direction d'école — École … »), never a name.
    pub fonction: String,
}

impl Auteur {
    /// The CLI operator on the server.
    pub fn operateur() -> Self {
        Self { id: "operateur".into(), role: Role::Operateur, fonction: "opérateur du serveur".into() }
    }
}

/// One thing done, before it is written.
#[derive(Debug, Clone)]
pub struct Fait {
    /// What.
    pub action: Action,
    /// On what kind of record (`eleve`, `classe`, `document`, `compte`, `session`…).
    pub ressource: &'static str,
    /// The record's id.
    pub cible: Option<String>,
    /// The pupil concerned.
    pub eleve: Option<String>,
    /// Details (document name, number of lines, search words…).
    pub detail: Option<Value>,
}

impl Fait {
    /// A fact on a kind of record.
    pub fn new(action: Action, ressource: &'static str) -> Self {
        Self { action, ressource, cible: None, eleve: None, detail: None }
    }

    /// The record.
    pub fn cible(mut self, id: impl Into<String>) -> Self {
        self.cible = Some(id.into());
        self
    }

    /// The pupil concerned.
    pub fn eleve(mut self, id: impl Into<String>) -> Self {
        self.eleve = Some(id.into());
        self
    }

    /// Details.
    pub fn detail(mut self, v: Value) -> Self {
        self.detail = Some(v);
        self
    }
}

/// The MAC of a row: HMAC-SHA-256(key, previous MAC ‖ canonical JSON of the row, seq included).
pub fn mac(cles: &Cles, precedent: &str, e: &Entree) -> String {
    mac_cle(&cles.journal, precedent, e)
}

/// [`mac`] with the journal's key alone.
fn mac_cle(cle: &[u8; 32], precedent: &str, e: &Entree) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(cle).unwrap_or_else(|_| unreachable!("32-byte key"));
    m.update(precedent.as_bytes());
    m.update(b"\x1e");
    // serde_json writes the struct's fields in declaration order: a canonical encoding.
    m.update(serde_json::to_string(e).unwrap_or_default().as_bytes());
    hex(&m.finalize().into_bytes())
}

/// Appends rows for `faits`, in the caller's transaction (the writer).
pub fn ajouter(
    c: &store::Lecture,
    cles: &Cles,
    auteur: &Auteur,
    le: OffsetDateTime,
    faits: &[Fait],
) -> store::Result<()> {
    ajouter_cle(c, &cles.journal, auteur, le, faits)
}

/// [`ajouter`] with the journal's key alone (what a write queued for a shared transaction
/// carries: not the installation's other secrets).
fn ajouter_cle(
    c: &store::Lecture,
    cle: &[u8; 32],
    auteur: &Auteur,
    le: OffsetDateTime,
    faits: &[Fait],
) -> store::Result<()> {
    let (mut seq, mut precedent) = journal::dernier(c)?.unwrap_or((0, String::new()));
    let le =
        le.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(le).format(&Rfc3339).unwrap_or_default();
    for f in faits {
        seq += 1;
        let e = Entree {
            seq,
            le: le.clone(),
            acteur: auteur.id.clone(),
            role: auteur.role.code().into(),
            fonction: auteur.fonction.clone(),
            action: f.action.code().into(),
            ressource: f.ressource.into(),
            cible: f.cible.clone(),
            eleve_id: f.eleve.clone(),
            detail: f.detail.as_ref().map(Value::to_string),
        };
        let m = mac_cle(cle, &precedent, &e);
        journal::inserer(c, &e, &m)?;
        precedent = m;
    }
    Ok(())
}

/// Journals `faits` and returns once committed (reads: call before sending the data), in a
/// transaction shared with the other reads journaled at the same moment
/// ([`Store::ecrire_groupe`]).
pub fn noter(store: &Store, cles: &Cles, auteur: &Auteur, le: OffsetDateTime, faits: &[Fait]) -> store::Result<()> {
    if faits.is_empty() {
        return Ok(());
    }
    // Shared with the other reads journaled at the same moment: one commit, one sync.
    let (cle, auteur, faits) = (cles.journal, auteur.clone(), faits.to_vec());
    store.ecrire_groupe(Box::new(move |tx| ajouter_cle(tx, &cle, &auteur, le, &faits)))
}

/// The first problem of the journal, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomalie {
    /// The row at fault.
    pub seq: i64,
    /// What is wrong, in French.
    pub raison: String,
}

/// Recomputes the chain and compares its end with the anchor file; returns the first problem
/// (the first row that does not verify, or the rows missing at the end), and the rows checked.
pub fn verifier(store: &Store, cles: &Cles) -> store::Result<(Option<Anomalie>, i64)> {
    let (mut anomalie, n) = verifier_chaine(store, cles)?;
    if anomalie.is_none() {
        let etat = store.etat_ancre()?;
        if let Some(raison) = etat.probleme(&store.chemin_ancre()) {
            anomalie = Some(Anomalie { seq: etat.ligne(), raison });
        }
    }
    Ok((anomalie, n))
}

/// Recomputes the chain only (not its end: see [`verifier`]).
pub fn verifier_chaine(store: &Store, cles: &Cles) -> store::Result<(Option<Anomalie>, i64)> {
    store.read(|c| {
        if !journal::protections_presentes(c)? {
            return Ok((
                Some(Anomalie {
                    seq: 0, raison: "les déclencheurs qui protègent le journal ont été supprimés".into()
                }),
                0,
            ));
        }
        let mut precedent = String::new();
        let mut attendu = 1;
        let mut anomalie = None;
        let mut n = 0;
        journal::parcourir(c, |e, m| {
            n += 1;
            if e.seq != attendu {
                anomalie = Some(Anomalie {
                    seq: e.seq,
                    raison: format!("ligne {e_seq} : la ligne {attendu} manque (supprimée ?)", e_seq = e.seq),
                });
                return false;
            }
            if mac(cles, &precedent, e) != m {
                anomalie = Some(Anomalie {
                    seq: e.seq,
                    raison: format!(
                        "ligne {} : l'empreinte ne correspond pas (ligne modifiée, déplacée ou insérée)",
                        e.seq
                    ),
                });
                return false;
            }
            precedent = m.to_string();
            attendu += 1;
            true
        })?;
        Ok((anomalie, n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Store, Cles) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("j.db");
        let store = Store::open(&db).unwrap();
        let cles = Cles::generer(&mut rand::rng());
        (dir, store, cles)
    }

    fn remplir(store: &Store, cles: &Cles, n: usize) {
        let t = time::macros::datetime!(2026-11-29 10:00 UTC);
        for i in 0..n {
            let f = Fait::new(Action::Lire, "eleve").cible(format!("e{i}")).eleve(format!("e{i}"));
            noter(store, cles, &Auteur::operateur(), t, &[f]).unwrap();
        }
    }

    #[test]
    fn a_sound_chain_verifies() {
        let (_d, store, cles) = setup();
        remplir(&store, &cles, 5);
        assert_eq!(verifier(&store, &cles).unwrap(), (None, 5));
    }

    #[test]
    fn the_journal_refuses_updates_and_deletes() {
        let (_d, store, cles) = setup();
        remplir(&store, &cles, 2);
        let err = store
            .ecrire(|tx| Ok::<_, crate::store::Error>(tx.execute("UPDATE journal SET action = 'x' WHERE seq = 1", [])?))
            .unwrap_err();
        assert!(err.to_string().contains("ajout seul"));
        assert!(
            store
                .ecrire(|tx| Ok::<_, crate::store::Error>(tx.execute("DELETE FROM journal WHERE seq = 1", [])?))
                .is_err()
        );
    }

    fn couper(store: &Store, depuis: i64) {
        store
            .ecrire(|tx| {
                tx.execute_batch("DROP TRIGGER journal_sans_suppression")?;
                tx.execute("DELETE FROM journal WHERE seq >= ?", [depuis])?;
                tx.execute_batch(
                    "CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;",
                )?;
                Ok::<_, crate::store::Error>(())
            })
            .unwrap();
    }

    #[test]
    fn a_journal_cut_at_its_end_is_caught_by_its_anchor() {
        let (dir, store, cles) = setup();
        remplir(&store, &cles, 6);
        drop(store);
        // Another process cuts the end and puts the trigger back: the chain alone is sound.
        let raw = crate::store::Lecture::open(dir.path().join("j.db")).unwrap();
        raw.execute_batch(
            "DROP TRIGGER journal_sans_suppression; DELETE FROM journal WHERE seq > 4;
             CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'x'); END;",
        )
        .unwrap();
        drop(raw);
        let store = Store::open(&dir.path().join("j.db")).unwrap();
        let a = verifier(&store, &cles).unwrap().0.expect("cut caught");
        assert_eq!(a.seq, 5);
        assert!(a.raison.contains("lignes 5 à 6"), "{}", a.raison);
        // The store does not move an anchor that disagrees: the evidence stays.
        remplir(&store, &cles, 3);
        assert!(verifier(&store, &cles).unwrap().0.is_some(), "new rows do not hide the cut");
    }

    #[test]
    fn an_emptied_journal_or_a_lost_anchor_is_reported() {
        let (dir, store, cles) = setup();
        remplir(&store, &cles, 3);
        couper(&store, 1);
        let a = verifier(&store, &cles).unwrap().0.expect("emptied journal caught");
        assert!(a.raison.contains("vide") && a.raison.contains("lignes 1 à 3"), "{}", a.raison);
        std::fs::remove_file(dir.path().join("j.db.ancre")).unwrap();
        let a = verifier(&store, &cles).unwrap().0.expect("lost anchor reported");
        assert!(a.raison.contains("absent"), "{}", a.raison);
        store.reancrer().unwrap();
        assert_eq!(verifier(&store, &cles).unwrap().0, None);
    }

    #[test]
    fn a_wrong_key_breaks_the_first_row() {
        let (_d, store, cles) = setup();
        remplir(&store, &cles, 3);
        let other = Cles::generer(&mut rand::rng());
        assert_eq!(verifier(&store, &other).unwrap().0.map(|a| a.seq), Some(1));
    }
}
