//! TOTP second factor (RFC 6238: HMAC-SHA-1, 6 digits, 30 s, one step of tolerance) and
//! recovery codes. Secrets are encrypted at rest (XChaCha20-Poly1305 under the key file, bound
//! to the account id); a code is accepted once (the caller records the step).

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::Sha256;
use totp_rs::{Builder, Secret, Totp};

use crate::config::{Cles, hex};

/// How many recovery codes are issued.
pub const CODES_SECOURS: usize = 10;

/// A new random secret (160 bits).
pub fn nouveau_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    rand::rng().fill_bytes(&mut s);
    s
}

/// The secret in base32, as authenticator apps take it.
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// Reads a base32 secret.
pub fn depuis_base32(s: &str) -> Option<Vec<u8>> {
    Secret::try_from_base32(s.trim().replace(' ', "").to_uppercase()).ok().map(|s| s.as_bytes().to_vec())
}

fn totp(secret: &[u8]) -> Option<Totp> {
    // SHA-1, 6 digits, 30 s steps, one step of tolerance: what every authenticator app uses.
    Builder::new().with_secret(secret.to_vec()).build().ok()
}

/// The `otpauth://` URI for authenticator apps.
pub fn uri(secret: &[u8], login: &str) -> String {
    format!(
        "otpauth://totp/registre:{login}?secret={}&issuer=registre&algorithm=SHA1&digits=6&period=30",
        base32(secret)
    )
}

/// The code of `secret` at Unix time `t` (tests, demos).
pub fn code(secret: &[u8], t: u64) -> String {
    totp(secret).map(|t_| t_.generate(t).to_string()).unwrap_or_default()
}

/// The time step of a valid code at Unix time `t` (one step of tolerance either side).
pub fn etape_valide(secret: &[u8], code: &str, t: u64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    // totp-rs compares in constant time and returns the matching step counter.
    totp.check(&code, t).and_then(|step| i64::try_from(step).ok())
}

/// Encrypts a secret for storage, bound to the account.
pub fn chiffrer(cles: &Cles, compte: &str, secret: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(&cles.totp.into());
    let mut nonce = [0u8; 24];
    rand::rng().fill_bytes(&mut nonce);
    let ct = cipher
        .encrypt(&XNonce::from(nonce), Payload { msg: secret, aad: compte.as_bytes() })
        .unwrap_or_else(|_| unreachable!("encryption of a short secret"));
    [nonce.as_slice(), &ct].concat()
}

/// Decrypts a stored secret; `None` if altered or for another account.
pub fn dechiffrer(cles: &Cles, compte: &str, stocke: &[u8]) -> Option<Vec<u8>> {
    if stocke.len() < 24 {
        return None;
    }
    let (nonce, ct) = stocke.split_at(24);
    let nonce: [u8; 24] = nonce.try_into().ok()?;
    XChaCha20Poly1305::new(&cles.totp.into())
        .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: compte.as_bytes() })
        .ok()
}

/// Fresh recovery codes (`abcd-efgh-ij`, 50 bits each), shown once.
pub fn codes_secours() -> Vec<String> {
    const A: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789x";
    let mut rng = rand::rng();
    (0..CODES_SECOURS)
        .map(|_| {
            let s: String = (0..10).map(|_| char::from(A[(rng.next_u32() % 32) as usize])).collect();
            format!("{}-{}-{}", &s[..4], &s[4..8], &s[8..])
        })
        .collect()
}

/// Whether a string looks like a recovery code rather than a TOTP code.
pub fn est_code_secours(s: &str) -> bool {
    let t: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    t.len() == 10 && t.chars().any(|c| c.is_ascii_alphabetic())
}

/// What is stored of a recovery code: HMAC-SHA-256 under the key file (fast, the codes being random).
pub fn empreinte_code(cles: &Cles, compte: &str, code: &str) -> String {
    let t: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&cles.jetons).unwrap_or_else(|_| unreachable!("32-byte key"));
    m.update(b"secours\x1e");
    m.update(compte.as_bytes());
    m.update(b"\x1e");
    m.update(t.as_bytes());
    hex(&m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector_holds() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); its last 6 digits.
        let secret = b"12345678901234567890";
        assert_eq!(code(secret, 59), "287082");
        assert_eq!(etape_valide(secret, "287082", 59), Some(1));
        assert_eq!(etape_valide(secret, "287082", 59 + 30), Some(1), "one step of tolerance");
        assert_eq!(etape_valide(secret, "287082", 59 + 90), None);
        assert_eq!(etape_valide(secret, "28708", 59), None);
    }

    #[test]
    fn secrets_round_trip_encrypted_and_bound_to_the_account() {
        let cles = Cles::generer(&mut rand::rng());
        let s = nouveau_secret();
        let c = chiffrer(&cles, "compte-a", &s);
        assert!(!c.windows(s.len()).any(|w| w == s.as_slice()));
        assert_eq!(dechiffrer(&cles, "compte-a", &c), Some(s.clone()));
        assert_eq!(dechiffrer(&cles, "compte-b", &c), None);
        assert_eq!(depuis_base32(&base32(&s)), Some(s));
    }

    #[test]
    fn recovery_codes_are_distinct_and_recognised() {
        let codes = codes_secours();
        assert_eq!(codes.len(), CODES_SECOURS);
        let set: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(set.len(), CODES_SECOURS);
        assert!(codes.iter().all(|c| est_code_secours(c)));
        assert!(!est_code_secours("123456"));
        let cles = Cles::generer(&mut rand::rng());
        assert_eq!(empreinte_code(&cles, "a", &codes[0]), empreinte_code(&cles, "a", &codes[0].to_uppercase()));
    }
}
