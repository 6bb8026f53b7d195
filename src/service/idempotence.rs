//! Idempotency keys (`Idempotency-Key`) of the API's writes.
//!
//! The rule: a write sent again with the same key and the same request (method, path, body)
//! within 24 hours gets the first answer again and writes nothing twice; the same key with
//! another request is refused. Keys belong to an account (two accounts may use the same key).
//!
//! How it holds: the key is recorded by the first commit of its request, **in the same
//! transaction** as what the request wrote (`store::requete`), so there is never a write
//! without its key nor a key without its write; the answer is added once it is known. A
//! request that committed nothing (refused, or given up) leaves no key: sending it again
//! runs it again. A key whose request has committed but whose answer is not yet kept (it is
//! under way, or the server stopped in between) is answered 409: nothing runs twice.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Result;
use crate::store::Store;
use crate::store::idempotence as st;
pub use crate::store::idempotence::Reponse;
use crate::store::requete::CleIdempotence;

/// The longest key accepted.
pub const LONGUEUR_MAX: usize = 255;

/// What to do with a request sent with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Never seen (or forgotten): run it, recording the key with its first commit.
    Executer(CleIdempotence),
    /// Seen with the same request: its answer, again.
    Rejouer(Reponse),
    /// Seen with another request.
    Autre,
    /// Seen, its answer not yet kept.
    EnCours,
    /// No valid session: the request runs as it is (and is refused as any request without one).
    SansSession,
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

/// Decides what to do with a request sent with `cle` in the session `session`.
pub fn decider(
    store: &Store,
    le: OffsetDateTime,
    session: &str,
    cle: &str,
    methode: &str,
    adresse: &str,
    corps: &[u8],
) -> Result<Decision> {
    let Some(acteur) = crate::auth::acteur(store, le, session)? else { return Ok(Decision::SansSession) };
    let Some(compte) = acteur.compte else { return Ok(Decision::SansSession) };
    let cle = sha256(&[cle.as_bytes()]);
    let empreinte = sha256(&[methode.as_bytes(), adresse.as_bytes(), corps]);
    let compte = compte.to_string();
    let vue = store.read(|c| st::chercher(c, &compte, &cle, le))?;
    Ok(match vue {
        None => Decision::Executer(CleIdempotence { compte, cle, empreinte, le }),
        Some(v) if v.empreinte != empreinte => Decision::Autre,
        Some(st::Vue { reponse: Some(r), .. }) => Decision::Rejouer(r),
        Some(_) => Decision::EnCours,
    })
}

/// Keeps the answer of a request whose first commit recorded its key.
pub fn retenir(store: &Store, k: &CleIdempotence, r: &Reponse) -> Result<()> {
    Ok(store.write(|tx| st::repondre(tx, &k.compte, &k.cle, r))?)
}

/// Forgets the keys older than 24 hours (the daily upkeep); returns how many.
pub fn expirer(store: &Store, le: OffsetDateTime) -> Result<usize> {
    Ok(store.write(|tx| st::expirer(tx, le))?)
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
}
