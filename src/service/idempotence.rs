//! Idempotency keys (`Idempotency-Key`) of the API's writes.
//!
//! The rule: a write sent again with the same key and the same request (method, path, body)
//! within 24 hours gets the first answer again and writes nothing twice; the same key with
//! another request is refused. Keys belong to an account (two accounts may use the same key).
//!
//! How it holds: the key is recorded by the first commit of its request, **in the same
//! transaction** as what the request wrote (`store::requete`), so there is never a write
//! without its key nor a key without its write; the answer is added once it is known,
//! encrypted under the key file (an answer may hold what only its author was to see). A
//! request that committed nothing (refused, or given up) leaves no key: sending it again runs
//! it again. A key whose request has committed but whose answer is not kept (it is under way,
//! the server stopped in between, or the answer was too large to keep) is answered 409:
//! nothing runs twice.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Result;
use crate::config::Cles;
use crate::store::Store;
use crate::store::idempotence as st;
pub use crate::store::idempotence::Reponse;
use crate::store::requete::CleIdempotence;

/// The longest key accepted.
pub const LONGUEUR_MAX: usize = 255;
/// The largest answer kept for replays.
pub const REPONSE_MAX: usize = 1024 * 1024;

/// What to do with a request sent with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Never seen (or forgotten): run it, recording the key with its first commit.
    Executer(CleIdempotence),
    /// Seen with the same request: its answer, again.
    Rejouer(Reponse),
    /// Seen with another request.
    Autre,
    /// Seen, its answer not kept (under way, interrupted, or too large).
    EnCours,
}

/// Why a key is refused, in French; `None` when it is usable.
pub fn refus_cle(cle: &str) -> Option<String> {
    if cle.is_empty() || cle.len() > LONGUEUR_MAX {
        return Some(format!("la clé d'idempotence doit faire de 1 à {LONGUEUR_MAX} caractères"));
    }
    if !cle.bytes().all(|b| b.is_ascii_graphic()) {
        return Some("la clé d'idempotence ne peut contenir que des caractères ASCII visibles, sans espace".into());
    }
    None
}

fn sha256(parts: &[&[u8]]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().to_vec()
}

/// What binds a kept answer to its account and key (the additional data of its encryption).
fn lien(compte: &str, cle: &[u8]) -> String {
    let hex: String = cle.iter().map(|b| format!("{b:02x}")).collect();
    format!("idempotence {compte} {hex}")
}

/// The account of a session, if it is valid (before a request's body is read).
pub fn compte_de_session(store: &Store, le: OffsetDateTime, session: &str) -> Result<Option<String>> {
    Ok(crate::auth::acteur(store, le, session)?.and_then(|a| a.compte).map(|c| c.to_string()))
}

/// Decides what to do with a request of `compte` sent with `cle`.
pub fn decider(
    store: &Store,
    cles: &Cles,
    le: OffsetDateTime,
    compte: &str,
    cle: &str,
    (methode, adresse, corps): (&str, &str, &[u8]),
) -> Result<Decision> {
    let cle = sha256(&[cle.as_bytes()]);
    let empreinte = sha256(&[methode.as_bytes(), adresse.as_bytes(), corps]);
    let vue = store.read(|c| st::chercher(c, compte, &cle, le))?;
    Ok(match vue {
        None => Decision::Executer(CleIdempotence { compte: compte.to_string(), cle, empreinte, le }),
        Some(v) if v.empreinte != empreinte => Decision::Autre,
        Some(st::Vue { reponse: Some(r), .. }) if r.statut != 0 => {
            match crate::auth::totp::dechiffrer(cles, &lien(compte, &cle), &r.corps) {
                Some(corps) => Decision::Rejouer(Reponse { corps, ..r }),
                None => Decision::EnCours,
            }
        }
        Some(_) => Decision::EnCours,
    })
}

/// Keeps the answer of a request whose first commit recorded its key, encrypted; an answer
/// larger than [`REPONSE_MAX`] (`None`) is not kept, and its replays are answered 409.
pub fn retenir(store: &Store, cles: &Cles, k: &CleIdempotence, r: Option<&Reponse>) -> Result<()> {
    let gardee = match r {
        Some(r) => {
            Reponse { corps: crate::auth::totp::chiffrer(cles, &lien(&k.compte, &k.cle), &r.corps), ..r.clone() }
        }
        None => Reponse { statut: 0, type_contenu: None, location: None, corps: Vec::new() },
    };
    Ok(store.ecrire(|tx| st::repondre(tx, &k.compte, &k.cle, &gardee))?)
}

/// Forgets the keys older than 24 hours (the daily upkeep); returns how many.
pub fn expirer(store: &Store, le: OffsetDateTime) -> Result<usize> {
    Ok(store.ecrire(|tx| st::expirer(tx, le))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_255_visible_ascii_characters() {
        assert!(refus_cle("8e0f6b1c-0a3e-4f0e-9b9f-2f7d2b1f6c11").is_none());
        assert!(refus_cle("").is_some());
        assert!(refus_cle(&"a".repeat(256)).is_some());
        assert!(refus_cle("avec espace").is_some());
        assert!(refus_cle("clé").is_some());
    }

    #[test]
    fn the_request_s_hash_tells_each_part_apart() {
        // Lengths are hashed with the parts: moving a byte from one part to the next changes it.
        assert_ne!(sha256(&[b"POST", b"/a", b"b"]), sha256(&[b"POST", b"/ab", b""]));
        assert_eq!(sha256(&[b"POST", b"/a", b"b"]), sha256(&[b"POST", b"/a", b"b"]));
    }

    #[test]
    fn a_kept_answer_is_encrypted_and_replayed_to_its_account_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("i.db");
        let store = Store::open(&db).unwrap();
        let cles = Cles::creer(&db).unwrap();
        let le = time::macros::datetime!(2026-11-29 09:30 UTC);
        store
            .ecrire(|tx| {
                tx.execute(
                    "INSERT INTO compte (id, login, role, perimetre_genre, etat, cree_le, cree_par) VALUES ('c1', 'a', 'directeur', 'installation', 'actif', 'x', 'operateur')",
                    [],
                )?;
                Ok::<_, crate::store::Error>(())
            })
            .unwrap();
        let requete = ("POST", "/api/v1/eleves", &b"{}"[..]);
        let Decision::Executer(k) = decider(&store, &cles, le, "c1", "k", requete).unwrap() else { panic!() };
        let suivi = crate::store::requete::Suivi::avec_cle(k.clone());
        crate::store::requete::sous(suivi, || store.ecrire(|_| Ok::<_, crate::store::Error>(()))).unwrap();
        assert_eq!(decider(&store, &cles, le, "c1", "k", requete).unwrap(), Decision::EnCours, "answer not kept yet");
        let r = Reponse {
            statut: 201,
            type_contenu: Some("application/json".into()),
            location: None,
            corps: b"SECRET".to_vec(),
        };
        retenir(&store, &cles, &k, Some(&r)).unwrap();
        let stocke: Vec<u8> =
            store.read(|c| Ok(c.query_row("SELECT corps FROM idempotence", [], |x| x.get(0))?)).unwrap();
        assert!(!stocke.windows(6).any(|w| w == b"SECRET"), "encrypted at rest");
        assert_eq!(decider(&store, &cles, le, "c1", "k", requete).unwrap(), Decision::Rejouer(r));
        assert_eq!(decider(&store, &cles, le, "c1", "k", ("POST", "/api/v1/eleves", b"{ }")).unwrap(), Decision::Autre);
        let tard = le + time::Duration::hours(25);
        assert!(
            matches!(decider(&store, &cles, tard, "c1", "k", requete).unwrap(), Decision::Executer(_)),
            "forgotten after 24 h"
        );
    }
}
