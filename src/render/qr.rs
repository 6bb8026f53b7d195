//! QR codes, drawn in Rust as SVG (Typst packages cannot be fetched here).

/// The QR code of `text` as an SVG document, or `None` if too long to encode.
pub fn svg(text: &str) -> Option<String> {
    qrcode::QrCode::new(text.as_bytes())
        .ok()
        .map(|q| q.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_becomes_an_svg() {
        let s = super::svg("https://registre.example/verifier/ABCD-EFGH-JKLM-NPQR").unwrap();
        assert!(s.starts_with("<?xml") || s.starts_with("<svg"));
        assert!(s.contains("<svg"));
    }
}
