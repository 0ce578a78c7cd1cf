//! `pgrepl schema`: the JSON Schema of the topology file.

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> Exit {
    println!("{}", schema_text().trim_end());
    Exit::Ok
}

/// The committed `schemas/topology.schema.json`, byte for byte.
pub fn schema_text() -> String {
    let mut s =
        serde_json::to_string_pretty(&crate::topology::model::json_schema()).expect("plain JSON");
    s.push('\n');
    s
}
