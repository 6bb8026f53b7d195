//! The `registre` binary: parses the command line and hands over to the library (which starts
//! the logs once it knows whether they are JSON).

fn main() -> std::process::ExitCode {
    // Typst's layout recurses deeply: the threads that render get room (the default 2 MiB
    // overflows on long documents, in debug builds especially).
    let _ = rayon::ThreadPoolBuilder::new().stack_size(registre::render::PILE).build_global();
    let cli = match registre::cli::commande()
        .try_get_matches()
        .and_then(|m| <registre::cli::Cli as clap::FromArgMatches>::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => match registre::cli::erreur_en_francais(&e) {
            Some(message) => {
                eprintln!("{message}");
                return std::process::ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    match registre::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
