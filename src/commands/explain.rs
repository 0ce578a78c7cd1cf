//! `pgrepl explain`: what a lint rule checks, why, and what to write instead.

use crate::exit::Exit;
use crate::lint;
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule code (PGR007) or name (wal-level-minimal).
    pub rule: String,
}

pub fn run(args: &Args) -> Exit {
    let code = &args.rule;
    match lint::rule(code) {
        Some(r) => {
            println!(
                "{} {} ({}, PostgreSQL {}-{})\n",
                r.code,
                r.name,
                report::severity_name(r.severity),
                r.majors.0,
                r.majors.1
            );
            print!(
                "{}",
                r.doc
                    .lines()
                    .map(|l| l.strip_prefix(' ').unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            println!();
            Exit::Ok
        }
        None => {
            // A rule name no rule has is a wrong command line, as with `lint --select`.
            eprintln!("error: no rule {code}; `pgrepl rules` lists them");
            Exit::Usage
        }
    }
}
