//! `registre`: the register of primary-school pupils of one département, and the official
//! documents it prints.

pub mod domain;
pub mod render;
