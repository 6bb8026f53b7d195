//! Issuing a certificate: its number and verification code, the fingerprint of what it
//! certifies kept in the register of certificates, and « DUPLICATA » on a second copy.

use super::*;

impl Imprimeur<'_> {
    /// A trial's certificate: a placeholder number, nothing issued.
    fn essai_de(&self, e: &Emission<'_>) -> sc::Certificat {
        sc::Certificat {
            numero: format!("{}-ESSAI", e.prefixe),
            code: "ESSA-IESS-AIES-SAIE".into(),
            genre: e.genre.into(),
            emetteur: e.emetteur.into(),
            initiales: e.initiales.into(),
            emis_le: self.le.date(),
        }
    }

    /// Delivers a certificate, in one write transaction: issued once (number, code, date),
    /// sealed with its template's version, its data's hash and who issued it when, and its
    /// journal row written. Returns the data and the instant the PDF is dated.
    ///
    /// The same certificate opened again by the account that issued it, the day it was issued,
    /// with its data and template unchanged, is the same original, dated as it was: the same
    /// bytes, so that opening it to look and again to print never makes a copy. Any other print
    /// whose seal matches (another account, a later day) is a duplicata, identical but for the
    /// mark « Duplicata délivré le … ». One whose data or template changed since gets a new
    /// certificate (the old one stays verifiable). `construire` only shapes the data: the
    /// transaction stays short.
    pub(super) fn delivrer(
        &self,
        doc: Document,
        e: &Emission<'_>,
        construire: impl Fn(&sc::Certificat) -> Result<Value>,
    ) -> Result<(Value, OffsetDateTime)> {
        if self.essai {
            return Ok((construire(&self.essai_de(e))?, self.le));
        }
        let today = self.le.date();
        let cles = self.cles;
        let emettre = |tx: &crate::store::Ecriture<'_>| {
            sc::emettre(tx, e.genre, e.sujet, e.eleve, e.prefixe, e.emetteur, e.initiales, today, &|n| {
                crate::service::parcours::code_verification(cles, n)
            })
        };
        let auteur = self.journal.map(|j| j.auteur.id.as_str());
        let ici = auteur.map(|par| sc::Origine { par: par.to_string(), a: self.le.unix_timestamp() });
        let gabarit = self.engine.version(doc);
        self.store.ecrire(|tx| {
            let k = emettre(tx)?;
            let data = construire(&k)?;
            let sceau = sc::Sceau { gabarit: gabarit.clone(), empreinte: empreinte(&data) };
            let livre = match sc::sceau(tx, &k.numero)? {
                // Issued just now: sealed.
                None if k.emis_le == today => {
                    sc::sceller(tx, &k.numero, &sceau, ici.as_ref())?;
                    (data, self.le)
                }
                Some((s, origine)) if s == sceau => match origine {
                    Some(o) if k.emis_le == today && Some(o.par.as_str()) == auteur => {
                        // In the offset of its own instant (a change of time since keeps its day).
                        let le =
                            OffsetDateTime::from_unix_timestamp(o.a)
                                .map(|t| {
                                    if self.le.offset().is_utc() {
                                        t
                                    } else {
                                        t.to_offset(crate::clock::paris_offset(t))
                                    }
                                })
                                .unwrap_or(self.le);
                        (data, le)
                    }
                    _ => (duplicata(data, today), self.le),
                },
                // Changed since, or issued before seals existed (what it held is unknown): a
                // new certificate, never a duplicata that might differ from the original.
                _ => {
                    sc::remplacer(tx, &k.numero)?;
                    let k = emettre(tx)?;
                    let data = construire(&k)?;
                    sc::sceller(tx, &k.numero, &sc::Sceau { empreinte: empreinte(&data), ..sceau }, ici.as_ref())?;
                    (data, self.le)
                }
            };
            if let Some(j) = &self.journal {
                let fait = crate::audit::Fait::new(j.action, "document")
                    .cible(e.eleve.to_string())
                    .eleve(e.eleve.to_string())
                    .detail(serde_json::json!({ "document": doc.name() }));
                crate::audit::ajouter(tx, cles, j.auteur, self.le, &[fait])?;
            }
            Ok(livre)
        })
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
