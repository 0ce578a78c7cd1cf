//! `pgrepl check`: validate topologies and print their diagnostics; writes nothing.

use std::path::{Path, PathBuf};

use crate::diag::Style;
use crate::exit::Exit;

use super::{plural, topology_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topology files (TOML); each is checked, the exit code is the worst.
    #[arg(required = true, value_name = "TOPOLOGY")]
    pub topologies: Vec<PathBuf>,
}

pub fn run(args: &Args, style: Style) -> Exit {
    args.topologies
        .iter()
        .map(|t| check_one(t, style))
        .max_by_key(|e| *e as u8)
        .unwrap_or(Exit::Ok)
}

fn check_one(path: &Path, style: Style) -> Exit {
    match topology_file::load(path, style, "") {
        Ok(loaded) => {
            let t = loaded
                .topology
                .as_ref()
                .expect("no errors means a topology");
            let warnings = loaded.diagnostics.len();
            println!(
                "{}: cluster {} (PostgreSQL {}, {} nodes) is valid{}",
                path.display(),
                t.cluster,
                t.facts.major,
                t.nodes.len(),
                if warnings > 0 {
                    format!(" with {warnings} warning{}", plural(warnings))
                } else {
                    String::new()
                }
            );
            Exit::Ok
        }
        Err(code) => code,
    }
}
