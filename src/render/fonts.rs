//! The fonts every document uses, embedded in the binary and parsed once per process.
//! System fonts are never scanned: output must not depend on the machine.
//!
//! Together they draw every character that input accepts (`domain::identite::imprimable`,
//! generated from these files by `scripts/couverture-polices`): a test below proves it, so a
//! render can never fail, in PDF/A either, on data that input let in.

use typst::foundations::Bytes;
use typst::text::Font;

/// The embedded font files (see `fonts/README.md` for their licences and coverage).
const FILES: [&[u8]; 9] = [
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../fonts/NotoSans-Italic.ttf"),
    include_bytes!("../../fonts/NotoSans-BoldItalic.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Bold.ttf"),
    include_bytes!("../../fonts/NotoSansHebrew-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansHebrew-Bold.ttf"),
    include_bytes!("../../fonts/wqy-microhei.ttc"),
];

/// Parses every embedded font face.
pub fn load() -> Vec<Font> {
    FILES.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_embedded_file_yields_a_font() {
        let fonts = super::load();
        assert!(fonts.len() >= super::FILES.len());
        let families: Vec<String> = fonts.iter().map(|f| f.info().family.to_string()).collect();
        for expected in ["Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "WenQuanYi Micro Hei"] {
            assert!(families.iter().any(|f| f == expected), "{expected} missing in {families:?}");
        }
    }

    #[test]
    fn every_accepted_character_has_a_glyph() {
        let fonts = super::load();
        let mut n = 0;
        for &(debut, fin) in crate::domain::imprimable::PLAGES {
            for u in debut..=fin {
                let c = char::from_u32(u).expect("a scalar value");
                assert!(crate::domain::identite::imprimable(c));
                assert!(
                    fonts.iter().any(|f| f.info().coverage.contains(u)),
                    "U+{u:04X} ({c}) is accepted at input but no embedded font draws it: run scripts/couverture-polices"
                );
                n += 1;
            }
        }
        assert!(n > 30_000, "{n}");
    }
}
