//! Fuzz target: see `registre::fuzz::import_onde`.
#![no_main]

libfuzzer_sys::fuzz_target!(|octets: &[u8]| registre::fuzz::import_onde(octets));
