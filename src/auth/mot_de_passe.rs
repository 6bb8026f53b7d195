//! Passwords: the rules for choosing one, and argon2id hashing with bounded concurrency.
//!
//! Rules (docs/architecture.md §4, ASVS 5.0 L2): 12 to 128 characters (15 at least for staff), no
//! composition rules, refused if common, guessable (zxcvbn score below 3) or built on a
//! context word (the login, the holder's name, « ecole », « mairie »…). Hashes are argon2id,
//! m = 19 456 KiB, t = 2, p = 1, with a random 16-byte salt.

use std::sync::{Condvar, LazyLock, Mutex};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

use crate::domain::identite::cle_recherche;

/// Longest password accepted.
pub const LONGUEUR_MAX: usize = 128;

/// French passwords and words too common to be a password's core (zxcvbn's lists are English).
const COMMUNS_FR: &[&str] = &[
    "motdepasse",
    "azerty",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "soleil",
    "bonjour",
    "doudou",
    "chouchou",
    "loulou",
    "jetaime",
    "coucou",
    "princesse",
    "chocolat",
    "marseille",
    "paris",
    "bretagne",
    "france",
    "vacances",
    "papa",
    "maman",
    "bebe",
    "famille",
    "amour",
    "toulouse",
    "lyon",
    "nantes",
    "rennes",
    "liberte",
    "egalite",
    "fraternite",
    "merci",
    "salut",
    "bisous",
    "nicolas",
    "camille",
    "julien",
    "sebastien",
    "isabelle",
    "nathalie",
    "stephane",
    "christophe",
    "frederic",
    "aurelie",
    "celine",
    "chatons",
    "doudoune",
    "football",
    "olympique",
    "password",
    "motdepassesecret",
    "secret",
    "bienvenue",
    "test",
    "utilisateur",
    "administrateur",
    "admin",
    "ecole",
    "mairie",
    "registre",
    "education",
    "nationale",
    "academie",
    "directeur",
    "directrice",
    "inspecteur",
    "eleve",
    "eleves",
    "parent",
    "parents",
    "classe",
    "maternelle",
    "elementaire",
    "primaire",
    "college",
];

/// Why a password is refused, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refus {
    /// Too short.
    #[error("le mot de passe doit comporter au moins {0} caractères")]
    TropCourt(usize),
    /// Too long.
    #[error("le mot de passe doit comporter au plus {LONGUEUR_MAX} caractères")]
    TropLong,
    /// Common or guessable.
    #[error("ce mot de passe est trop courant ou trop facile à deviner : choisissez une phrase de plusieurs mots")]
    Courant,
    /// Built on a context word.
    #[error("le mot de passe ne doit pas contenir votre identifiant, votre nom ni un mot comme « {0} »")]
    Contexte(String),
}

/// Checks a new password for a role's minimum length and the context words of the account.
pub fn verifier_regles(mot_de_passe: &str, longueur_min: usize, contexte: &[&str]) -> Result<(), Refus> {
    let n = mot_de_passe.chars().count();
    if n < longueur_min {
        return Err(Refus::TropCourt(longueur_min));
    }
    if n > LONGUEUR_MAX {
        return Err(Refus::TropLong);
    }
    let plie = cle_recherche(mot_de_passe).replace(' ', "");
    let mots_contexte = contexte
        .iter()
        .flat_map(|c| cle_recherche(c).split(' ').map(str::to_string).collect::<Vec<_>>())
        .chain(["ecole", "mairie", "registre", "motdepasse", "password", "azerty"].map(String::from))
        .filter(|m| m.chars().count() >= 4);
    for mot in mots_contexte {
        if plie.contains(&mot) {
            return Err(Refus::Contexte(mot));
        }
    }
    // The core of the password, without the digits and symbols people add around a word.
    let coeur: String = plie.chars().filter(|c| c.is_alphabetic()).collect();
    if COMMUNS_FR.iter().any(|w| coeur == *w || (coeur.len() < 12 && coeur.starts_with(w))) {
        return Err(Refus::Courant);
    }
    let distincts: std::collections::BTreeSet<char> = mot_de_passe.chars().collect();
    if distincts.len() < 5 {
        return Err(Refus::Courant);
    }
    let inputs: Vec<&str> = contexte.to_vec();
    let entropie = zxcvbn::zxcvbn(mot_de_passe, &inputs);
    if (entropie.score() as u8) < 3 {
        return Err(Refus::Courant);
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    // The parameters of docs/architecture.md §4; `Params::new` only fails on out-of-range values.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_else(|e| unreachable!("argon2 params: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// At most this many hashes at once: argon2 takes 19 MiB and tens of milliseconds each.
const HACHAGES_SIMULTANES: usize = 2;

static EN_COURS: Mutex<usize> = Mutex::new(0);
static LIBRE: Condvar = Condvar::new();

/// A place among the hashes under way, given back when dropped (on unwinding too).
struct Jeton;

impl Drop for Jeton {
    fn drop(&mut self) {
        *EN_COURS.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        LIBRE.notify_one();
    }
}

fn avec_jeton<T>(f: impl FnOnce() -> T) -> T {
    let _jeton = {
        let mut n = EN_COURS.lock().unwrap_or_else(|p| p.into_inner());
        while *n >= HACHAGES_SIMULTANES {
            n = LIBRE.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n += 1;
        Jeton
    };
    f()
}

/// Hashes a password: `$argon2id$v=19$m=19456,t=2,p=1$…`.
pub fn hacher(mot_de_passe: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    avec_jeton(|| {
        argon2()
            .hash_password_with_salt(mot_de_passe.as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_else(|e| unreachable!("argon2 hash: {e}"))
    })
}

/// Checks a password against a stored hash.
pub fn verifier(mot_de_passe: &str, hash: &str) -> bool {
    avec_jeton(|| argon2().verify_password(mot_de_passe.as_bytes(), hash).is_ok())
}

static LEURRE: LazyLock<String> = LazyLock::new(|| hacher("leurre pour égaliser les temps de réponse"));

/// Spends the time of a verification without an account: unknown logins answer as slowly as
/// known ones (no user enumeration by timing).
pub fn verifier_leurre(mot_de_passe: &str) {
    let _ = verifier(mot_de_passe, &LEURRE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_hashing_gives_its_place_back() {
        for _ in 0..HACHAGES_SIMULTANES + 2 {
            assert!(std::panic::catch_unwind(|| avec_jeton(|| panic!("échec"))).is_err());
        }
        // Were the places lost, this would wait for ever: it runs on a thread with a deadline.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(verifier("x", &hacher("une phrase de passe assez longue"))));
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(60)), Ok(false));
    }

    #[test]
    fn hashes_are_argon2id_with_the_required_parameters() {
        let h = hacher("une phrase de passe assez longue");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verifier("une phrase de passe assez longue", &h));
        assert!(!verifier("une autre phrase de passe", &h));
        assert_ne!(h, hacher("une phrase de passe assez longue"), "salted");
    }

    #[test]
    fn length_rules_depend_on_the_role() {
        assert_eq!(verifier_regles("Tulipe-verte-9", 15, &[]), Err(Refus::TropCourt(15)));
        assert!(verifier_regles("violon grenade lointain", 15, &[]).is_ok());
        assert_eq!(verifier_regles(&"x".repeat(129), 12, &[]), Err(Refus::TropLong));
    }

    #[test]
    fn common_and_guessable_passwords_are_refused() {
        for bad in [
            "motdepasse2024!",
            "azertyuiop123456",
            "aaaaaaaaaaaaaaaa",
            "123456789012345",
            "passwordpassword",
            "jetaime1234567",
        ] {
            assert!(verifier_regles(bad, 12, &[]).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn context_words_are_refused() {
        let ctx = ["jmartin", "Jeanne Martin"];
        assert!(matches!(verifier_regles("jmartin-violon-grenade", 12, &ctx), Err(Refus::Contexte(_))));
        assert!(matches!(verifier_regles("violon MARTIN grenade", 12, &ctx), Err(Refus::Contexte(_))));
        assert!(matches!(verifier_regles("mon école à moi grenade", 12, &ctx), Err(Refus::Contexte(_))));
        assert!(matches!(verifier_regles("la Mairie du village 77", 12, &ctx), Err(Refus::Contexte(_))));
        assert!(verifier_regles("violon grenade lointain", 12, &ctx).is_ok());
    }

    #[test]
    fn no_composition_rule_is_imposed() {
        // Lower-case words only, no digit, no symbol: accepted when long and uncommon.
        assert!(verifier_regles("cerisier ardoise boussole", 15, &[]).is_ok());
    }
}
