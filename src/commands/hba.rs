//! `pgrepl hba`: the server's pg_hba_file_rules view, computed from the file.

use std::path::PathBuf;

use super::Format;
use crate::catalog::NEWEST;
use crate::exit::Exit;
use crate::pgconf::cluster_files::{ClusterFiles, major_of, parent_of};
use crate::pgconf::file_settings::Reading;
use crate::pgconf::hba::{self, Features, Row};

#[derive(Debug, clap::Args)]
pub struct Args {
    pub path: PathBuf,
    /// The major whose rules apply (default: from PG_VERSION or the path, else 18).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
    pub pg_version: Option<u32>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> Exit {
    let (path, pg_version, format) = (args.path.as_path(), args.pg_version, args.format);
    // A directory is a config directory: its pg_hba.conf is where hba_file says, and its
    // postgresql.conf's ssl setting decides whether hostssl records can match. A lone file
    // is assumed to be served with SSL on.
    let (file, found_major, conf) = if path.is_dir() {
        let files = ClusterFiles::in_dir(path, Reading::View);
        (files.hba_path.clone(), files.major(), files.conf)
    } else {
        // A lone file: its directory says the major, nothing else is read.
        (path.to_path_buf(), major_of(&[&parent_of(path)]), None)
    };
    let major = pg_version
        .or_else(|| found_major.map(|(m, _)| m))
        .unwrap_or(NEWEST);
    let features = Features::for_config(major, conf.as_ref());
    let rules = match hba::read(&file, features) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Exit::Io;
        }
    };
    match format {
        Format::Json => {
            let views: Vec<_> = rules.iter().map(Row::view).collect();
            println!("{}", serde_json::to_string_pretty(&views).expect("JSON"));
        }
        Format::Human => print_table(&rules),
    }
    if rules.iter().any(|r| r.error.is_some()) {
        Exit::Invalid
    } else {
        Exit::Ok
    }
}

fn print_table(rules: &[Row]) {
    let list = |v: &Option<Vec<String>>| {
        v.as_ref()
            .map(|v| format!("{{{}}}", v.join(",")))
            .unwrap_or_default()
    };
    let cells: Vec<[String; 9]> = rules
        .iter()
        .map(Row::view)
        .map(|r| {
            [
                r.line_number.to_string(),
                r.conn_type.clone().unwrap_or_default(),
                list(&r.database),
                list(&r.user_name),
                r.address.clone().unwrap_or_default(),
                r.netmask.clone().unwrap_or_default(),
                r.auth_method.clone().unwrap_or_default(),
                list(&r.options),
                r.error.unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "line_number",
        "type",
        "database",
        "user_name",
        "address",
        "netmask",
        "auth_method",
        "options",
        "error",
    ];
    super::print_table(header, &cells);
}
