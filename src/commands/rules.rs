//! `pgrepl rules`: every lint rule, one line each, or as JSON.

use serde::Serialize;

use super::Format;
use crate::exit::Exit;
use crate::lint;
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A table, or a JSON array of {code, name, severity, majors, summary}.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Serialize)]
struct RuleEntry {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    /// The first and last major the rule applies to.
    majors: [u32; 2],
    summary: String,
}

pub fn run(args: &Args) -> Exit {
    match args.format {
        Format::Json => {
            let entries: Vec<RuleEntry> = lint::rules::ALL
                .iter()
                .map(|r| RuleEntry {
                    code: r.code,
                    name: r.name,
                    severity: report::severity_name(r.severity),
                    majors: [r.majors.0, r.majors.1],
                    summary: r.summary().to_string(),
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&entries).expect("JSON"));
        }
        Format::Human => {
            for r in lint::rules::ALL {
                println!(
                    "{}  {:<26} {:<8} {}-{}  {}",
                    r.code,
                    r.name,
                    report::severity_name(r.severity),
                    r.majors.0,
                    r.majors.1,
                    r.summary()
                );
            }
        }
    }
    Exit::Ok
}
