//! What each subcommand does, returning an exit code; printing happens here, at the edge.

mod hba;
mod lint;
mod param;
mod settings;
mod topology;

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
        Command::Check { topologies } => topologies
            .iter()
            .map(|t| topology::check(t, style))
            .max_by_key(|e| *e as u8)
            .unwrap_or(Exit::Ok),
        Command::Gen {
            topology,
            output,
            force,
            templates,
            base,
            diff,
            check,
        } => topology::generate(
            &topology,
            &topology::GenOptions {
                output: &output,
                force,
                templates: templates.as_deref(),
                base: base.as_deref(),
                mode: if diff {
                    topology::GenMode::Diff
                } else if check {
                    topology::GenMode::Check
                } else {
                    topology::GenMode::Write
                },
            },
            style,
        ),
        Command::Schema => {
            println!("{}", schema_text().trim_end());
            Exit::Ok
        }
        Command::Settings { path, format } => settings::run(&path, format),
        Command::Lint {
            paths,
            pg_version,
            format,
            fail_on,
            select,
            ignore,
            topology,
        } => lint::run(
            &lint::LintOptions {
                paths: &paths,
                pg_version,
                topology: topology.as_deref(),
                format,
                fail_on,
                select: &select,
                ignore: &ignore,
            },
            style,
        ),
        Command::Rules => lint::rules(),
        Command::Explain { rule } => lint::explain(&rule),
        Command::Hba {
            path,
            pg_version,
            format,
        } => hba::run(&path, pg_version, format),
        Command::Param {
            name,
            pg_version,
            list,
            format,
        } => param::run(name.as_deref(), pg_version, list, format),
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

/// The committed `schemas/topology.schema.json`, byte for byte.
pub fn schema_text() -> String {
    let mut s =
        serde_json::to_string_pretty(&crate::topology::model::json_schema()).expect("plain JSON");
    s.push('\n');
    s
}
