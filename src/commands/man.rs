//! `pgrepl man [COMMAND]`: the manual page (roff), of pgrepl or of one subcommand, generated
//! from the clap definition: `pgrepl man lint > pgrepl-lint.1`.

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A subcommand whose page to print (default: pgrepl's own, listing them all).
    pub command: Option<String>,
}

/// `cli` is pgrepl's whole command line, as the binary parses it.
pub fn run(args: &Args, mut cli: clap::Command) -> Exit {
    cli.build();
    let page = match &args.command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            // Built, a subcommand's display name is `pgrepl-lint`: the page's title.
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "error: no subcommand {name}; pgrepl has {}",
                    names.join(", ")
                );
                return Exit::Usage;
            }
        },
    };
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(page).render(&mut out) {
        eprintln!("error: rendering the manual page: {e}");
        return Exit::Internal;
    }
    super::print_generated(&out, "manual page")
}
