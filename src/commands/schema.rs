//! `pgrepl schema`: the JSON Schema of the topology file, or of `diagnose --format json`.

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which schema.
    #[arg(value_enum, default_value_t = Which::Topology)]
    pub which: Which,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// The topology file (schemas/topology.schema.json).
    Topology,
    /// `pgrepl diagnose --format json` (schemas/diagnose.schema.json).
    Diagnose,
}

pub fn run(args: &Args) -> Exit {
    let text = match args.which {
        Which::Topology => schema_text(),
        Which::Diagnose => diagnose_schema_text(),
    };
    println!("{}", text.trim_end());
    Exit::Ok
}

/// The committed `schemas/topology.schema.json`, byte for byte.
pub fn schema_text() -> String {
    file_text(&crate::topology::model::json_schema())
}

/// The committed `schemas/diagnose.schema.json`, byte for byte.
pub fn diagnose_schema_text() -> String {
    file_text(&schemars::schema_for!(crate::diagnose::Diagnosis))
}

/// A schema as the committed file holds it: pretty JSON and a final newline.
fn file_text(schema: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(schema).expect("plain JSON");
    s.push('\n');
    s
}
