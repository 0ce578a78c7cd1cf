//! `pgrepl completions SHELL`: a completion script for bash, zsh, fish, elvish or PowerShell,
//! generated from the same clap definition the binary parses with, so it never lags a flag.

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell, e.g. `pgrepl completions bash > /etc/bash_completion.d/pgrepl`.
    pub shell: clap_complete::Shell,
}

/// `cli` is pgrepl's whole command line, as the binary parses it.
pub fn run(args: &Args, mut cli: clap::Command) -> Exit {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "pgrepl", &mut out);
    super::print_generated(&out, "completion script")
}
