//! What each subcommand does, one file and one clap `Args` per subcommand, returning an exit
//! code; printing happens here, at the edge. `topology_file` reads a topology and prints its
//! diagnostics for the commands that take one (check, gen, lint --topology).

pub mod check;
pub mod explain;
pub mod generate;
pub mod hba;
pub mod lint;
pub mod param;
pub mod rules;
pub mod schema;
pub mod settings;
mod topology_file;

use std::io::IsTerminal;

use crate::cli::{Cli, ColorChoice, Command};
use crate::diag::Style;
use crate::exit::Exit;

pub fn run(cli: Cli) -> Exit {
    let style = Style {
        color: match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        },
        width: 100,
    };
    match cli.command {
        Command::Check(args) => check::run(&args, style),
        Command::Gen(args) => generate::run(&args, style),
        Command::Schema(args) => schema::run(&args),
        Command::Settings(args) => settings::run(&args),
        Command::Lint(args) => lint::run(&args, style),
        Command::Rules(args) => rules::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Hba(args) => hba::run(&args),
        Command::Param(args) => param::run(&args),
    }
}

/// Prints rows as an aligned table with a header, like psql, and a row count.
pub(crate) fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: Vec<&str>| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join(" | ").trim_end());
    };
    line(header.to_vec());
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    println!(
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
