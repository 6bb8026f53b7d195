//! Issuing a certificate: its number and verification code, the fingerprint of what it
//! certifies kept in the register of certificates, and « DUPLICATA » on a second copy.

use super::*;

impl Imprimeur<'_> {
    /// Issues (once) the certificate of `e.sujet` and returns its number, code and date.
    pub(super) fn certifier(&self, e: &Emission<'_>) -> Result<sc::Certificat> {
        let today = self.le.date();
        if self.essai {
            return Ok(sc::Certificat {
                numero: format!("{}-ESSAI", e.prefixe),
                code: "ESSA-IESS-AIES-SAIE".into(),
                genre: e.genre.into(),
                emetteur: e.emetteur.into(),
                initiales: e.initiales.into(),
                emis_le: today,
            });
        }
        let cles = self.cles;
        Ok(self.store.ecrire(|tx| {
            sc::emettre(tx, e.genre, e.sujet, e.eleve, e.prefixe, e.emetteur, e.initiales, today, &|n| {
                crate::service::parcours::code_verification(cles, n)
            })
        })?)
    }

    /// Delivers a certificate: issued once (number, code, date), sealed with its template's
    /// version and its data's hash. A later print whose seal matches is a duplicata, identical
    /// but for the mark « Duplicata délivré le … »; one whose data or template changed since
    /// gets a new certificate (the old one stays verifiable).
    pub(super) fn delivrer(
        &self,
        doc: Document,
        e: &Emission<'_>,
        construire: impl Fn(&sc::Certificat) -> Result<Value>,
    ) -> Result<Value> {
        let k = self.certifier(e)?;
        let data = construire(&k)?;
        if self.essai {
            return Ok(data);
        }
        let sceau = sc::Sceau { gabarit: self.engine.version(doc), empreinte: empreinte(&data) };
        let today = self.le.date();
        match self.store.read(|c| sc::sceau(c, &k.numero))? {
            // Issued just now: sealed.
            None if k.emis_le == today => {
                self.store.ecrire(|tx| sc::sceller(tx, &k.numero, &sceau))?;
                Ok(data)
            }
            Some(s) if s == sceau => Ok(duplicata(data, today)),
            // Changed since, or issued before seals existed (what it held is unknown): a new
            // certificate, never a duplicata that might differ from the original.
            _ => {
                self.store.ecrire(|tx| sc::remplacer(tx, &k.numero))?;
                let k = self.certifier(e)?;
                let data = construire(&k)?;
                let sceau = sc::Sceau { empreinte: empreinte(&data), ..sceau };
                self.store.ecrire(|tx| sc::sceller(tx, &k.numero, &sceau))?;
                Ok(data)
            }
        }
    }
}

/// The public verification page's address of a code, when the installation's address is known.
pub(super) fn verification(adresse: &Option<String>, code: &str) -> (Option<String>, Option<String>) {
    match adresse {
        Some(base) => {
            let url = format!("{}/verifier/{code}", base.trim_end_matches('/'));
            (Some(url.clone()), crate::render::qr::svg(&url))
        }
        None => (None, None),
    }
}

/// What a certificate is issued for, and by whom.
pub(super) struct Emission<'a> {
    pub(super) genre: &'a str,
    pub(super) sujet: &'a str,
    pub(super) eleve: &'a EleveId,
    pub(super) prefixe: &'a str,
    pub(super) emetteur: &'a str,
    pub(super) initiales: &'a str,
}

/// The hash of a document's data (a certificate's seal), without the verification page's
/// address and QR code (an installation's setting, not the certificate's content).
pub(super) fn empreinte(data: &Value) -> String {
    use sha2::Digest;
    let mut d = data.clone();
    if let Value::Object(m) = &mut d {
        m.remove("qr");
        m.remove("adresse_verification");
    }
    let octets = serde_json::to_vec(&d).unwrap_or_default();
    sha2::Sha256::digest(&octets).iter().map(|b| format!("{b:02x}")).collect()
}

/// The data with the duplicata's mark and date (the templates print it by the title).
pub(super) fn duplicata(mut data: Value, le: time::Date) -> Value {
    if let Value::Object(m) = &mut data {
        m.insert("duplicata".into(), Value::String(format!("Duplicata délivré le {}", date_longue(le))));
    }
    data
}
