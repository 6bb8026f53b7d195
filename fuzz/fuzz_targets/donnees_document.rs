//! Fuzz target: see `registre::fuzz::donnees_document`.
#![no_main]

libfuzzer_sys::fuzz_target!(|octets: &[u8]| registre::fuzz::donnees_document(octets));
