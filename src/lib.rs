//! `registre`: the register of primary-school pupils of one département, and the official
//! documents it prints.

pub mod audit;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
#[cfg(any(test, feature = "fuzz"))]
pub mod fuzz;
pub mod http;
pub mod mesures;
pub mod policy;
pub mod reglages;
pub mod render;
#[path = "../samples/generator.rs"]
pub mod samples;
pub mod service;
pub mod store;
