//! `pgrepl settings`: the server's pg_file_settings view, computed from the files.

use std::path::PathBuf;

use super::Format;
use crate::catalog::{NEWEST, history};
use crate::exit::Exit;
use crate::pgconf::cluster_files::ClusterFiles;
use crate::pgconf::file_settings::{Reading, Row};

#[derive(Debug, clap::Args)]
pub struct Args {
    pub path: PathBuf,
    /// The major whose parameter names apply (default: from PG_VERSION or the path, else 18).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
    pub pg_version: Option<u32>,
    /// Output format: a table, or a JSON array with pg_file_settings' column names.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> Exit {
    let (path, format) = (args.path.as_path(), args.format);
    // A directory is a config directory; a file is its postgresql.conf.
    let files = if path.is_dir() {
        ClusterFiles::in_dir(path, Reading::View)
    } else {
        ClusterFiles::with_conf(path, Reading::View)
    };
    let major = args
        .pg_version
        .or_else(|| files.major().map(|(m, _)| m))
        .unwrap_or(NEWEST);
    let Some(mut fs) = files.conf else {
        eprintln!(
            "error: {} is not a readable postgresql.conf",
            files.conf_path.display()
        );
        return Exit::Io;
    };
    fs.mark_unrecognized(|name| history::recognized(major, name));
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&fs.rows).expect("JSON")),
        Format::Human => print_table(&fs.rows),
    }
    if fs.rows.iter().any(|r| r.error.is_some()) {
        Exit::Invalid
    } else {
        Exit::Ok
    }
}

fn print_table(rows: &[Row]) {
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.sourcefile.as_deref().unwrap_or_default().to_owned(),
                r.sourceline.map(|l| l.to_string()).unwrap_or_default(),
                r.seqno.to_string(),
                r.name.as_deref().unwrap_or_default().to_owned(),
                r.setting.as_deref().unwrap_or_default().to_owned(),
                if r.applied { "t" } else { "f" }.to_owned(),
                r.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
        "sourcefile",
        "sourceline",
        "seqno",
        "name",
        "setting",
        "applied",
        "error",
    ];
    super::print_table(header, &cells);
}
