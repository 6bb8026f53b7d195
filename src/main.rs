//! The `registre` binary: parses the command line and hands over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    // Typst's layout recurses deeply: the threads that render get room (the default 2 MiB
    // overflows on long documents, in debug builds especially).
    let _ = rayon::ThreadPoolBuilder::new().stack_size(registre::render::PILE).build_global();
    match registre::cli::run(registre::cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
