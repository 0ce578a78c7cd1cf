//! `pgrepl rules`: every lint rule, one line each.

use crate::exit::Exit;
use crate::lint;
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args) -> Exit {
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
    Exit::Ok
}
