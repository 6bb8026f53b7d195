//! Settings and secrets.
//!
//! The keys live in a key file beside the database (`registre.db` → `registre.db.cles`),
//! created by `init` and `demo` with mode 0600, never in the database: whoever copies the
//! database alone cannot forge the journal, re-identify pseudonyms or read TOTP secrets.
//! `Debug` never prints a key.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::Rng;

/// The names of the keys, one line each in the file: `nom = hex`.
const NOMS: [&str; 5] = ["journal", "pseudonymes", "verification", "totp", "jetons"];

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Missing file.
    #[error(
        "fichier de clés {0} introuvable : il est créé avec la base par « registre init » ou « registre demo » et doit l'accompagner"
    )]
    Absent(PathBuf),
    /// Readable by others.
    #[error("le fichier de clés {0} est lisible par d'autres utilisateurs : chmod 600 {0}")]
    Permissions(PathBuf),
    /// Malformed content.
    #[error("fichier de clés {0} illisible : {1}")]
    Format(PathBuf, String),
    /// I/O.
    #[error("fichier de clés {0} : {1}")]
    Io(PathBuf, std::io::Error),
}

/// The installation's secret keys (32 bytes each).
#[derive(Clone)]
pub struct Cles {
    /// HMAC-SHA-256 key chaining the audit journal.
    pub journal: [u8; 32],
    /// HMAC-SHA-256 key of INE pseudonyms in statistical releases (rotated per release).
    pub pseudonymes: [u8; 32],
    /// Key of certificate verification codes.
    pub verification: [u8; 32],
    /// XChaCha20-Poly1305 key encrypting TOTP secrets at rest.
    pub totp: [u8; 32],
    /// HMAC key for session-derived values (CSRF tokens) and recovery codes.
    pub jetons: [u8; 32],
}

impl fmt::Debug for Cles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cles(***)")
    }
}

/// Opens a file readable by the server's account only (mode 0600 on Unix), for anything that
/// holds personal data or secrets: `nouveau` refuses an existing file, otherwise it is
/// replaced.
pub fn fichier_prive(path: &Path, nouveau: bool) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if nouveau {
        opts.create_new(true);
    } else {
        opts.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hexadecimal back to bytes; `None` for anything but pairs of hex digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

impl Cles {
    /// Fresh random keys.
    pub fn generer(rng: &mut impl Rng) -> Self {
        let mut k = || {
            let mut b = [0u8; 32];
            rng.fill_bytes(&mut b);
            b
        };
        Self { journal: k(), pseudonymes: k(), verification: k(), totp: k(), jetons: k() }
    }

    /// The key file of a database: `registre.db` → `registre.db.cles`.
    pub fn chemin(db: &Path) -> PathBuf {
        let mut s = db.as_os_str().to_owned();
        s.push(".cles");
        PathBuf::from(s)
    }

    /// Creates the key file of a new database (mode 0600); refuses to overwrite one.
    pub fn creer(db: &Path) -> Result<Self, Error> {
        let path = Self::chemin(db);
        let cles = Self::generer(&mut rand::rng());
        let mut f = fichier_prive(&path, true).map_err(|e| Error::Io(path.clone(), e))?;
        let mut text = String::from("# Clés de l'installation registre : ne jamais copier avec la base ni publier.\n");
        for (nom, v) in NOMS.iter().zip(cles.valeurs()) {
            text.push_str(&format!("{nom} = {}\n", hex(v)));
        }
        f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| Error::Io(path.clone(), e))?;
        Ok(cles)
    }

    /// Reads the key file of a database; refuses one that others may read.
    pub fn charger(db: &Path) -> Result<Self, Error> {
        let path = Self::chemin(db);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::Absent(path)),
            Err(e) => return Err(Error::Io(path, e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map_err(|e| Error::Io(path.clone(), e))?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(Error::Permissions(path));
            }
        }
        let mut found: [Option<[u8; 32]>; 5] = [None; 5];
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (nom, v) = line.split_once('=').ok_or_else(|| Error::Format(path.clone(), "ligne sans =".into()))?;
            let i = NOMS
                .iter()
                .position(|n| *n == nom.trim())
                .ok_or_else(|| Error::Format(path.clone(), format!("clé inconnue {}", nom.trim())))?;
            let bytes = unhex(v.trim())
                .ok_or_else(|| Error::Format(path.clone(), format!("{} n'est pas hexadécimale", NOMS[i])))?;
            found[i] = Some(
                bytes
                    .try_into()
                    .map_err(|_| Error::Format(path.clone(), format!("{} : 32 octets attendus", NOMS[i])))?,
            );
        }
        let get = |i: usize| found[i].ok_or_else(|| Error::Format(path.clone(), format!("clé {} absente", NOMS[i])));
        Ok(Self { journal: get(0)?, pseudonymes: get(1)?, verification: get(2)?, totp: get(3)?, jetons: get(4)? })
    }

    fn valeurs(&self) -> [&[u8; 32]; 5] {
        [&self.journal, &self.pseudonymes, &self.verification, &self.totp, &self.jetons]
    }
}

/// How the server is reached, which decides what it may listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Plain HTTP: loopback addresses only.
    Local,
    /// Plain HTTP on loopback behind a TLS reverse proxy (documented in the README): the
    /// server still listens on loopback only, and sends HSTS.
    DerriereProxy,
    /// TLS terminated by the server itself (rustls): any address.
    Tls {
        /// PEM certificate chain.
        cert: PathBuf,
        /// PEM private key.
        key: PathBuf,
    },
}

impl Transport {
    /// Whether clients reach the server over HTTPS (cookies are `Secure` either way).
    pub fn https(&self) -> bool {
        !matches!(self, Transport::Local)
    }
}

/// The time and size limits of the server's connections and requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limites {
    /// Time to receive a request's head (its line and headers); also how long a keep-alive
    /// connection is kept open without a new request.
    pub entetes: Duration,
    /// Time to receive a request's body, whole.
    pub corps: Duration,
    /// Time a request's work may take: past it, a request that has committed nothing is
    /// given up and answered 503 (nothing is written); one that has begun to commit is
    /// answered with what happened.
    pub requete: Duration,
    /// Connections open at once; a new one past it is answered 503 and closed.
    pub connexions: usize,
}

impl Default for Limites {
    fn default() -> Self {
        Self {
            entetes: Duration::from_secs(20),
            corps: Duration::from_secs(60),
            requete: Duration::from_secs(120),
            connexions: 512,
        }
    }
}

/// Where the demo accounts of a demonstration base are written: `registre.db` →
/// `registre.db.demo-accounts.json`.
pub fn comptes_demo_chemin(db: &std::path::Path) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".demo-accounts.json");
    std::path::PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.db");
        let a = Cles::creer(&db).unwrap();
        let b = Cles::charger(&db).unwrap();
        assert_eq!(a.journal, b.journal);
        assert_eq!(a.totp, b.totp);
        assert!(Cles::creer(&db).is_err(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = Cles::chemin(&db);
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(Cles::charger(&db), Err(Error::Permissions(_))));
        }
    }

    #[test]
    fn a_missing_key_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err = Cles::charger(&dir.path().join("x.db")).unwrap_err();
        assert!(err.to_string().contains("x.db.cles"));
    }

    #[test]
    fn debug_hides_the_keys() {
        let k = Cles::generer(&mut rand::rng());
        assert_eq!(format!("{k:?}"), "Cles(***)");
    }
}
