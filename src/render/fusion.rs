//! One PDF made of many, written as it goes: each document is rendered on its own,
//! then its pages and what they use are copied into the output under new object numbers, so
//! memory holds one document at a time whatever the batch (5,000 fiches stay under the bound).
//! Each document starts on an odd page (a blank back page is added where needed), so that the
//! bundle prints double-sided with nothing of another pupil on the back of a page.
//!
//! *(design)* The bundle is made for printing: its pages keep their content, fonts and images,
//! but not the documents' structure trees (tags) nor their PDF/A identification; each single
//! PDF (a ZIP entry, or one document) keeps both.

use std::collections::BTreeSet;
use std::io::Write;

use lopdf::{Dictionary, Object, ObjectId, Writer};

use super::Error;

/// The output's page tree and catalogue, numbered before any copied object.
const PAGES: u32 = 1;
const CATALOGUE: u32 = 2;
const PREMIER_LIBRE: u32 = 3;

/// A PDF being written, one document after another.
pub struct Fusion<W: Write> {
    out: W,
    position: u64,
    /// Byte offset of each object, by number (index 0 is object 1).
    offsets: Vec<u64>,
    pages: Vec<u32>,
    suivant: u32,
    titre: String,
}

impl<W: Write> std::fmt::Debug for Fusion<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fusion").field("pages", &self.pages.len()).finish_non_exhaustive()
    }
}

fn erreur(e: impl std::fmt::Display) -> Error {
    Error::Io(std::io::Error::other(format!("fusion des PDF : {e}")))
}

impl<W: Write> Fusion<W> {
    /// Starts a PDF titled `titre` in `out`.
    pub fn new(out: W, titre: &str) -> Result<Self, Error> {
        let mut f = Self {
            out,
            position: 0,
            offsets: vec![0; (PREMIER_LIBRE - 1) as usize],
            pages: Vec::new(),
            suivant: PREMIER_LIBRE,
            titre: titre.to_string(),
        };
        f.ecrire(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(f)
    }

    fn ecrire(&mut self, b: &[u8]) -> Result<(), Error> {
        self.out.write_all(b)?;
        self.position += b.len() as u64;
        Ok(())
    }

    fn objet(&mut self, id: u32, o: &Object) -> Result<(), Error> {
        let i = (id - 1) as usize;
        if self.offsets.len() <= i {
            self.offsets.resize(i + 1, 0);
        }
        self.offsets[i] = self.position;
        let mut buf = Vec::with_capacity(256);
        write!(buf, "{id} 0 obj")?;
        if Writer::need_separator(o) {
            buf.push(b' ');
        }
        buf.push(b'\n');
        Writer::write_object(&mut buf, o)?;
        if Writer::need_end_separator(o) {
            buf.push(b'\n');
        }
        buf.extend_from_slice(b"\nendobj\n");
        self.ecrire(&buf)
    }

    /// How many pages so far.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Appends the pages of one PDF, on an odd page.
    pub fn ajouter(&mut self, pdf: &[u8]) -> Result<(), Error> {
        let mut doc = lopdf::Document::load_mem(pdf).map_err(erreur)?;
        // The blank back page, when one is needed, takes its number before the document's
        // objects take theirs: no number is ever written twice.
        let blanche = (self.pages.len() % 2 == 1).then(|| {
            self.suivant += 1;
            self.suivant - 1
        });
        doc.renumber_objects_with(self.suivant);
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        let Some(premiere) = pages.first() else { return Ok(()) };
        if let Some(id) = blanche {
            let format = doc
                .get_object(*premiere)
                .ok()
                .and_then(|p| p.as_dict().ok())
                .and_then(|p| p.get(b"MediaBox").ok())
                .cloned()
                .unwrap_or_else(|| Object::Array(vec![0.into(), 0.into(), 595.28.into(), 841.89.into()]));
            self.page_blanche(id, format)?;
        }
        // Every object the pages use, and nothing of the source's catalogue or structure.
        let mut atteints: BTreeSet<ObjectId> = BTreeSet::new();
        let mut pile: Vec<ObjectId> = pages.clone();
        while let Some(id) = pile.pop() {
            if !atteints.insert(id) {
                continue;
            }
            if let Ok(o) = doc.get_object(id) {
                references(o, pages.contains(&id), &mut pile);
            }
        }
        let mut max = self.suivant;
        for id in &atteints {
            let Ok(o) = doc.get_object(*id) else { continue };
            let mut o = o.clone();
            if pages.contains(id)
                && let Object::Dictionary(d) = &mut o
            {
                d.set("Parent", Object::Reference((PAGES, 0)));
                d.remove(b"StructParents");
            }
            // Links to the structure tree, which is not copied.
            if let Object::Dictionary(d) = &mut o {
                d.remove(b"StructParent");
                d.remove(b"P");
            }
            self.objet(id.0, &o)?;
            max = max.max(id.0 + 1);
        }
        self.pages.extend(pages.iter().map(|p| p.0));
        self.suivant = max.max(self.suivant + 1);
        Ok(())
    }

    fn page_blanche(&mut self, id: u32, format: Object) -> Result<(), Error> {
        let mut d = Dictionary::new();
        d.set("Type", Object::Name(b"Page".to_vec()));
        d.set("Parent", Object::Reference((PAGES, 0)));
        d.set("MediaBox", format);
        d.set("Resources", Object::Dictionary(Dictionary::new()));
        self.objet(id, &Object::Dictionary(d))?;
        self.pages.push(id);
        Ok(())
    }

    /// Writes the page tree, the catalogue and the cross-reference table; returns the output.
    pub fn terminer(mut self, ident: &str) -> Result<W, Error> {
        let mut racine = Dictionary::new();
        racine.set("Type", Object::Name(b"Pages".to_vec()));
        racine.set("Kids", Object::Array(self.pages.iter().map(|p| Object::Reference((*p, 0))).collect()));
        racine.set("Count", Object::Integer(self.pages.len() as i64));
        self.objet(PAGES, &Object::Dictionary(racine))?;
        let mut catalogue = Dictionary::new();
        catalogue.set("Type", Object::Name(b"Catalog".to_vec()));
        catalogue.set("Pages", Object::Reference((PAGES, 0)));
        catalogue.set("Lang", Object::string_literal("fr-FR"));
        // Viewers show the bundle's title, not its file name, as for each single document.
        let mut preferences = Dictionary::new();
        preferences.set("DisplayDocTitle", Object::Boolean(true));
        catalogue.set("ViewerPreferences", Object::Dictionary(preferences));
        self.objet(CATALOGUE, &Object::Dictionary(catalogue))?;
        let info = self.suivant;
        let mut d = Dictionary::new();
        d.set("Title", Object::String(utf16(&self.titre), lopdf::StringFormat::Hexadecimal));
        d.set("Creator", Object::string_literal("registre"));
        self.objet(info, &Object::Dictionary(d))?;
        let taille = info + 1;
        let debut_xref = self.position;
        let mut x = format!("xref\n0 {taille}\n0000000000 65535 f \n");
        for i in 0..(taille - 1) as usize {
            match self.offsets.get(i).copied().filter(|o| *o > 0) {
                Some(o) => x.push_str(&format!("{o:010} 00000 n \n")),
                None => x.push_str("0000000000 65535 f \n"),
            }
        }
        use sha2::Digest;
        let id: String = sha2::Sha256::digest(ident.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
        x.push_str(&format!(
            "trailer\n<< /Size {taille} /Root {CATALOGUE} 0 R /Info {info} 0 R /ID [<{id}> <{id}>] >>\nstartxref\n{debut_xref}\n%%EOF\n"
        ));
        self.ecrire(x.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A title as a PDF text string (UTF-16BE with its byte-order mark).
fn utf16(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        v.extend(u.to_be_bytes());
    }
    v
}

/// The objects `o` refers to; a page's parent and the structure tree are not followed.
fn references(o: &Object, page: bool, pile: &mut Vec<ObjectId>) {
    match o {
        Object::Reference(id) => pile.push(*id),
        Object::Array(a) => a.iter().for_each(|x| references(x, false, pile)),
        Object::Dictionary(d) => dictionnaire(d, page, pile),
        Object::Stream(s) => dictionnaire(&s.dict, false, pile),
        _ => {}
    }
}

fn dictionnaire(d: &Dictionary, page: bool, pile: &mut Vec<ObjectId>) {
    for (k, v) in d.iter() {
        let saute =
            (page && k.as_slice() == b"Parent") || matches!(k.as_slice(), b"StructParent" | b"StructParents" | b"P");
        if !saute {
            references(v, false, pile);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::{certificat, pdftotext, stamp};
    use crate::render::{Document, Engine};

    #[test]
    fn documents_are_appended_each_on_an_odd_page_and_read_back() {
        let engine = Engine::new();
        let un = engine.render(Document::CertificatScolarite, &certificat("Léa", "PREMIER"), &stamp()).unwrap();
        let deux = engine.render(Document::CertificatScolarite, &certificat("Hugo", "SECOND"), &stamp()).unwrap();
        let mut f = Fusion::new(Vec::new(), "Certificats").unwrap();
        f.ajouter(&un).unwrap();
        f.ajouter(&deux).unwrap();
        f.ajouter(&un).unwrap();
        assert_eq!(f.pages(), 5, "1, blank, 1, blank, 1");
        let pdf = f.terminer("test").unwrap();
        let doc = lopdf::Document::load_mem(&pdf).expect("a valid PDF");
        assert_eq!(doc.get_pages().len(), 5);
        // Every object number appears once in the file.
        let texte = String::from_utf8_lossy(&pdf);
        let mut vus = std::collections::HashSet::new();
        for l in texte.lines().map(str::trim_end).filter(|l| l.ends_with(" 0 obj")) {
            assert!(vus.insert(l.to_string()), "{l} written twice");
        }
        // Every page is a page.
        for (_, id) in doc.get_pages() {
            let p = doc.get_object(id).unwrap().as_dict().unwrap();
            assert_eq!(p.get(b"Type").unwrap().as_name().unwrap(), b"Page");
        }
        let text = pdftotext(&pdf);
        assert_eq!(text.matches("CERTIFICAT DE SCOLARITÉ").count(), 3);
        let (a, b) = (text.find("PREMIER").unwrap(), text.find("SECOND").unwrap());
        assert!(a < b, "in order");
        assert_eq!(text.matches("Page 1 / 1").count(), 3, "pages counted per document");
    }
}
