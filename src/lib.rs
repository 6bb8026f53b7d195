//! `registre`: the register of primary-school pupils of one département, and the official
//! documents it prints.

pub mod documents;
pub mod domain;
pub mod render;
pub mod clock;
pub mod store;
#[path = "../samples/generator.rs"]
pub mod samples;
pub mod app;
pub mod cli;
pub mod http;
