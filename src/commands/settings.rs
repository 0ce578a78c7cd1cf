//! `pgrepl settings`: the server's pg_file_settings view, computed from the files.

use std::path::{Path, PathBuf};

use crate::cli::Format;
use crate::exit::Exit;
use crate::pgconf::file_settings::{FileSettings, Row};

/// postgresql.conf and postgresql.auto.conf for a path the user gave.
fn locate(path: &Path) -> (PathBuf, PathBuf) {
    if path.is_dir() {
        (
            path.join("postgresql.conf"),
            path.join("postgresql.auto.conf"),
        )
    } else {
        let dir = path.parent().unwrap_or(Path::new("."));
        (path.to_path_buf(), dir.join("postgresql.auto.conf"))
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    pub path: PathBuf,
    /// Output format: a table, or a JSON array with pg_file_settings' column names.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> Exit {
    let (path, format) = (args.path.as_path(), args.format);
    let (conf, mut auto) = locate(path);
    if !conf.is_file() {
        eprintln!(
            "error: {} is not a readable postgresql.conf",
            conf.display()
        );
        return Exit::Io;
    }
    // A Debian-style config directory names the data directory; the auto file lives there.
    let first = FileSettings::read(&conf, None);
    if let Some(data_dir) = first
        .effective("data_directory")
        .and_then(|r| r.setting.clone())
    {
        auto = Path::new(&data_dir).join("postgresql.auto.conf");
    }
    let fs = FileSettings::read(&conf, Some(&auto));
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
                r.sourcefile.clone().unwrap_or_default(),
                r.sourceline.map(|l| l.to_string()).unwrap_or_default(),
                r.seqno.to_string(),
                r.name.clone().unwrap_or_default(),
                r.setting.clone().unwrap_or_default(),
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
