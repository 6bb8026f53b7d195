//! ZIP archives received from outside (workbooks, transfer dossiers), bounded **before** they
//! are expanded: how many parts, how large each part and the whole once decompressed, how much
//! larger than its compressed bytes a part may grow, and that each part is as large as its
//! entry declares. Every part is decompressed once into nothing (counted, never kept), and the
//! count stops one byte past the bound: a bomb costs at most the bound in time, and nothing in
//! memory. Only then may a reader (calamine, the dossier's) expand what it needs.

use std::io::Read;

/// The bounds of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bornes {
    /// Most parts (entries).
    pub parties: usize,
    /// Largest part, decompressed, in bytes.
    pub partie: u64,
    /// All parts together, decompressed, in bytes.
    pub total: u64,
    /// Largest ratio of a part's decompressed size to its compressed size (checked for parts
    /// over 1 MiB: small parts of a well-formed file compress far better than large ones).
    pub rapport: u64,
}

/// A part of an archive as it was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partie {
    /// Its name in the archive.
    pub nom: String,
    /// Its size, decompressed.
    pub taille: u64,
}

/// `n` bytes in French (« 32 Mio », « 512 Kio »).
pub fn octets_fr(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} Mio", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} Kio", n >> 10)
    } else {
        format!("{n} octets")
    }
}

/// Checks `octets` as a ZIP archive within `b`; the parts and their real sizes, or why the
/// archive is refused, in French.
pub fn verifier(octets: &[u8], b: &Bornes) -> Result<Vec<Partie>, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(octets))
        .map_err(|_| "archive illisible (ce n'est pas un fichier ZIP complet)".to_string())?;
    if z.len() > b.parties {
        return Err(format!("archive de {} parties : {} au plus", z.len(), b.parties));
    }
    let mut parties = Vec::with_capacity(z.len());
    let mut total = 0u64;
    for i in 0..z.len() {
        let f = z.by_index(i).map_err(|_| format!("archive altérée : sa partie n° {} est illisible", i + 1))?;
        let nom: String = f.name().unwrap_or_default().chars().filter(|c| !c.is_control()).take(80).collect();
        let (declaree, compressee) = (f.size(), f.compressed_size());
        let mut compte = Compteur(0);
        let lu = std::io::copy(&mut f.take(b.partie + 1), &mut compte);
        let taille = compte.0;
        if taille > b.partie {
            return Err(format!("la partie « {nom} » dépasse {} une fois décompressée", octets_fr(b.partie)));
        }
        // A part longer or shorter than its entry declares, or whose checksum differs: the
        // reader stops at the declared size, or the count differs.
        let menteuse = || {
            format!(
                "archive altérée : la partie « {nom} » ne correspond pas à ce que l'archive en déclare (taille ou somme de contrôle)"
            )
        };
        lu.map_err(|_| menteuse())?;
        if taille != declaree {
            return Err(menteuse());
        }
        if taille > 1 << 20 && taille / compressee.max(1) > b.rapport {
            return Err(format!(
                "la partie « {nom} » grossit plus de {} fois à la décompression : archive refusée",
                b.rapport
            ));
        }
        total += taille;
        if total > b.total {
            return Err(format!("archive de plus de {} une fois décompressée", octets_fr(b.total)));
        }
        parties.push(Partie { nom, taille });
    }
    Ok(parties)
}

/// Counts the bytes written into it, keeps none.
struct Compteur(u64);

impl std::io::Write for Compteur {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    const B: Bornes = Bornes { parties: 4, partie: 4 << 20, total: 6 << 20, rapport: 100 };

    /// A ZIP of `parties` (name, content), deflated.
    pub(crate) fn zip_de(parties: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (nom, contenu) in parties {
            z.start_file(*nom, o).unwrap();
            z.write_all(contenu).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn a_well_formed_archive_passes_with_its_sizes() {
        let z = zip_de(&[("a.xml", b"<a/>"), ("b.xml", &[b'x'; 1000])]);
        let p = verifier(&z, &B).unwrap();
        assert_eq!(p, vec![Partie { nom: "a.xml".into(), taille: 4 }, Partie { nom: "b.xml".into(), taille: 1000 }]);
    }

    #[test]
    fn too_many_parts_a_part_too_large_or_a_bomb_are_refused_by_name() {
        let z = zip_de(&[("1", b""), ("2", b""), ("3", b""), ("4", b""), ("5", b"")]);
        assert!(verifier(&z, &B).unwrap_err().contains("5 parties"));
        let grand = vec![b'a'; (5 << 20) as usize];
        let z = zip_de(&[("grand.xml", &grand)]);
        let e = verifier(&z, &B).unwrap_err();
        assert!(e.contains("grand.xml") && e.contains("4 Mio"), "{e}");
        // Two parts under the part bound, over the total (bytes that do not compress).
        let mut x = 0x9E37_79B9u32;
        let bruit: Vec<u8> = (0..(3 << 20) + 1)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let z = zip_de(&[("a", &bruit[..(3 << 20)]), ("b", &bruit)]);
        assert!(verifier(&z, &B).unwrap_err().contains("6 Mio"));
        // 3 MiB of one byte repeated compresses about a thousand times.
        let b = Bornes { total: 64 << 20, ..B };
        let z = zip_de(&[("bombe.xml", &grand[..(3 << 20)])]);
        assert!(verifier(&z, &b).unwrap_err().contains("grossit plus de 100 fois"));
    }

    #[test]
    fn a_part_that_lies_about_its_size_is_refused() {
        let z = zip_de(&[("feuille.xml", &[b'x'; 5000])]);
        // The central directory's uncompressed size (offset 24 of the record) made smaller.
        let mut z = z;
        let cd = z.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        z[cd + 24..cd + 28].copy_from_slice(&100u32.to_le_bytes());
        let e = verifier(&z, &B).unwrap_err();
        assert!(e.contains("« feuille.xml » ne correspond pas à ce que l'archive en déclare"), "{e}");
    }

    #[test]
    fn bytes_are_named_in_french() {
        assert_eq!(octets_fr(32 << 20), "32 Mio");
        assert_eq!(octets_fr(512 << 10), "512 Kio");
        assert_eq!(octets_fr(1000), "1000 octets");
    }
}
