//! `pgrepl diagnose`: read PostgreSQL server logs offline and say, for each replication
//! failure they show, what happened, why and what to run; unrecognised FATAL and ERROR lines
//! about replication are listed as such. A data directory given instead of a log is read
//! for what it shows itself (signal files, settings, pg_control).

use std::io::Write;
use std::path::PathBuf;

use crate::diag::Style;
use crate::diagnose::{self, Diagnosis};
use crate::exit::Exit;

use super::{Format, topology_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Server logs (of standbys and of the primary), as the server wrote them, or
    /// pg_basebackup's messages; a directory is a data directory (or the config directory
    /// naming one), read for its signal files, settings and pg_control.
    #[arg(required = true, value_name = "LOG_OR_DATA_DIR")]
    pub logs: Vec<PathBuf>,
    /// The cluster's topology: addresses in the messages are named as its nodes, and a data
    /// directory as the node whose [layout] data_dir it is.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A topology node, as far as the messages can name it.
struct Node {
    name: String,
    host: String,
    port: u16,
    slot: Option<String>,
    data_dir: PathBuf,
    standby: bool,
}

pub fn run(opts: &Args, style: Style) -> Exit {
    let nodes: Vec<Node> = match &opts.topology {
        None => Vec::new(),
        Some(path) => match topology_file::load(path, style, "nothing was diagnosed") {
            Ok(loaded) => loaded
                .topology
                .expect("no errors means a topology")
                .nodes
                .iter()
                .map(|n| Node {
                    name: n.name.clone(),
                    host: n.host.to_string(),
                    port: n.port,
                    slot: n.slot.clone(),
                    data_dir: PathBuf::from(&n.layout.data_dir),
                    standby: n.role == crate::topology::model::Role::Standby,
                })
                .collect(),
            Err(code) => return code,
        },
    };
    // What a message names, as a node: an address ("H" a client, "H:P" an upstream) or a
    // standby's slot.
    let name_of = |capture: &str, value: &str| -> Option<String> {
        nodes
            .iter()
            .find(|n| match capture {
                "host" => value == n.host || value == format!("{}:{}", n.host, n.port),
                "slot" => n.slot.as_deref() == Some(value),
                _ => false,
            })
            .map(|n| n.name.clone())
    };
    let same_dir =
        |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        };
    let mut found = Diagnosis::default();
    for path in &opts.logs {
        if path.is_dir() {
            match diagnose::data_dir::read(path) {
                Ok(d) => {
                    let meant_standby = nodes
                        .iter()
                        .find(|n| same_dir(&n.data_dir, &d.data_dir))
                        .map(|n| n.standby);
                    diagnose::data_dir::diagnose(&d, meant_standby, &mut found);
                }
                Err(e) => {
                    eprintln!("error: {e}; nothing was diagnosed");
                    return Exit::Io;
                }
            }
            continue;
        }
        let bytes = match crate::input::read_bounded(path, crate::input::MAX_CONFIG_BYTES) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}; nothing was diagnosed", path.display());
                return Exit::Io;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        diagnose::read_log(&path.display().to_string(), &text, &name_of, &mut found);
    }
    let mut out = std::io::stdout().lock();
    let _ = match opts.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).expect("plain data")
        ),
        Format::Human => write!(out, "{}", human(&found)),
    };
    if found.failures.is_empty() && found.unrecognised.is_empty() {
        Exit::Ok
    } else {
        Exit::Invalid
    }
}

fn human(d: &Diagnosis) -> String {
    let mut s = String::new();
    for f in &d.failures {
        let times = if f.count > 1 {
            format!(" ({} times, last at line {})", f.count, f.last_line)
        } else {
            String::new()
        };
        let at = match f.line {
            0 => String::new(), // a data directory
            n => format!(":{n}"),
        };
        s.push_str(&format!(
            "{}{at}: {}: {}{times}\n  | {}\n",
            f.file,
            f.id,
            f.title,
            f.text.trim_end()
        ));
        if let Some(up) = &f.upstream {
            s.push_str(&format!("  upstream: {up}\n"));
        }
        s.push_str(&format!("  cause: {}\n  fix: {}\n\n", f.cause, f.fix));
    }
    if !d.unrecognised.is_empty() {
        s.push_str("not recognised (FATAL/ERROR lines about replication no signature explains):\n");
        for u in &d.unrecognised {
            s.push_str(&format!("  {}:{}: {}\n", u.file, u.line, u.text.trim_end()));
        }
        s.push('\n');
    }
    s.push_str(&match (d.failures.len(), d.unrecognised.len()) {
        (0, 0) => "no replication failure found\n".to_owned(),
        (f, u) => format!(
            "{f} failure{} recognised, {u} line{} not recognised\n",
            super::plural(f),
            super::plural(u)
        ),
    });
    s
}
