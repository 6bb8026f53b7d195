//! Integration tests, in one binary: the server spawned on port 0 with a temporary database,
//! the CLI run as a user would, and the documents checked by their text.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_debug_implementations)]

mod api;
mod architecture;
mod auth;
mod bombes;
mod catalogue;
mod champs;
mod cli;
mod concurrence;
mod connexions;
mod constat;
mod contrat;
mod corrections;
mod coupures;
mod documents;
mod dossier;
mod exploitation;
mod formulaires;
mod gabarits;
mod helpers;
mod hostiles;
mod impressions;
mod journal;
mod matrice;
mod oidc;
mod onde;
mod pages;
mod pages_parcours;
mod pannes;
mod parcours;
mod sauvegarde;
mod schema;
mod securite;
mod service;
mod verification;
