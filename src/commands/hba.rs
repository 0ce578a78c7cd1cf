//! `pgrepl hba`: the server's pg_hba_file_rules view, computed from the file.

use std::path::{Path, PathBuf};

use crate::catalog::NEWEST;
use crate::cli::Format;
use crate::exit::Exit;
use crate::pgconf::file_settings::FileSettings;
use crate::pgconf::hba::{self, Features, Row};

/// The major a path belongs to: a PG_VERSION file next to it, or a `/10/` … `/18/` path
/// component (Debian's /etc/postgresql/16/main, RHEL's /var/lib/pgsql/16/data).
pub fn detect_major(dir: &Path) -> Option<u32> {
    if let Ok(v) = std::fs::read_to_string(dir.join("PG_VERSION")) {
        if let Ok(m) = v.trim().parse() {
            return Some(m);
        }
    }
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.components()
        .filter_map(|c| c.as_os_str().to_str()?.parse::<u32>().ok())
        .find(|m| (10..=NEWEST).contains(m))
}

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
    let (file, dir): (PathBuf, PathBuf) = if path.is_dir() {
        (path.join("pg_hba.conf"), path.to_path_buf())
    } else {
        (
            path.to_path_buf(),
            path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        )
    };
    let major = pg_version.or_else(|| detect_major(&dir)).unwrap_or(NEWEST);
    // With a postgresql.conf beside it, its ssl setting counts; a lone file is assumed to
    // be served with SSL on.
    let conf = dir.join("postgresql.conf");
    let settings = (path.is_dir() && conf.is_file())
        .then(|| FileSettings::read(&conf, Some(&dir.join("postgresql.auto.conf"))));
    let features = Features::for_config(major, settings.as_ref());
    let rules = match hba::read(&file, features) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Exit::Io;
        }
    };
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&rules).expect("JSON")),
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
                r.error.clone().unwrap_or_default(),
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
