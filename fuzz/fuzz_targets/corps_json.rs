//! Fuzz target: see `registre::fuzz::corps_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|octets: &[u8]| registre::fuzz::corps_json(octets));
