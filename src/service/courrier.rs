//! Outgoing mail: the server does not speak SMTP itself. A message (an activation or reset
//! link for a family with an e-mail on file) is dropped as an RFC 5322 file in the outbox,
//! `registre.db.courrier/`, that the installation's mail relay sends and removes (for example
//! `for f in registre.db.courrier/*.eml; do sendmail -t -i < "$f" && rm "$f"; done` from cron).
//! The directory is the server account's only (0700), each file 0600, written whole then
//! renamed so a relay never picks half a message.

use std::io::Write;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

/// The outbox of a database.
pub fn dossier(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".courrier");
    PathBuf::from(s)
}

/// RFC 2047 « Q » encoding of a header's text.
fn entete(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return s.to_string();
    }
    let mut out = String::from("=?UTF-8?Q?");
    for b in s.bytes() {
        match b {
            b' ' => out.push('_'),
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b',' | b'-' => out.push(b as char),
            _ => out.push_str(&format!("={b:02X}")),
        }
    }
    out.push_str("?=");
    out
}

/// Drops a plain-text message to `a` in the outbox; returns the file written.
pub fn deposer(db: &Path, a: &str, objet: &str, texte: &str, le: OffsetDateTime) -> std::io::Result<PathBuf> {
    if a.chars().any(|c| c.is_control() || c == ',' || c == '<' || c == '>') || !a.contains('@') {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "adresse de courriel invalide"));
    }
    let dir = dossier(db);
    std::fs::create_dir_all(&dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    }
    let date = le.format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
    let id = crate::auth::aleatoire();
    let message = format!(
        "To: {a}\r\nSubject: {}\r\nDate: {date}\r\nMessage-ID: <{}@registre>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        entete(objet),
        &id[..32],
        texte.replace('\n', "\r\n")
    );
    let nom = format!("{}-{}.eml", le.unix_timestamp(), &id[..12]);
    let tmp = dir.join(format!(".{nom}.tmp"));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp)?;
    f.write_all(message.as_bytes())?;
    f.sync_all()?;
    let fin = dir.join(nom);
    std::fs::rename(&tmp, &fin)?;
    Ok(fin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_dropped_whole_with_an_encoded_subject() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("r.db");
        let f =
            deposer(&db, "anne@exemple.fr", "Activation de votre compte", "Bonjour,\nlien", OffsetDateTime::UNIX_EPOCH)
                .unwrap();
        let m = std::fs::read_to_string(&f).unwrap();
        assert!(m.starts_with("To: anne@exemple.fr\r\nSubject: Activation de votre compte\r\n"));
        assert!(m.contains("\r\n\r\nBonjour,\r\nlien"));
        assert_eq!(entete("Réinitialisation"), "=?UTF-8?Q?R=C3=A9initialisation?=");
        assert!(deposer(&db, "a@b.fr\r\nBcc: x@y.fr", "x", "y", OffsetDateTime::UNIX_EPOCH).is_err());
        let restants: Vec<_> = std::fs::read_dir(dossier(&db)).unwrap().collect();
        assert_eq!(restants.len(), 1, "no temporary file is left behind");
    }
}
