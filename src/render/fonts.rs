//! The fonts every document uses, embedded in the binary and parsed once per process.
//! System fonts are never scanned: output must not depend on the machine.

use typst::foundations::Bytes;
use typst::text::Font;

/// The embedded font files (see `fonts/README.md` for their licences and coverage).
const FILES: [&[u8]; 7] = [
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../../fonts/NotoSans-Italic.ttf"),
    include_bytes!("../../fonts/NotoSans-BoldItalic.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
    include_bytes!("../../fonts/NotoSansArabic-Bold.ttf"),
    include_bytes!("../../fonts/NotoColorEmoji.ttf"),
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
        for expected in ["Noto Sans", "Noto Sans Arabic", "Noto Color Emoji"] {
            assert!(families.iter().any(|f| f == expected), "{expected} missing in {families:?}");
        }
    }
}
