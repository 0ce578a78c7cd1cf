//! `pgrepl lint`: audit existing configuration; never writes.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use std::sync::Mutex;

use crate::diag::{Severity, Style};
use crate::exit::Exit;
use crate::lint;
use crate::lint::config::Configs;
use crate::pgconf::file_kind::FileKind;
use crate::render::DROP_IN;
use crate::report;

/// The codes of the rules named (by code or name); an unknown name is a usage error.
fn codes(names: &[String]) -> Result<Vec<&'static str>, String> {
    names
        .iter()
        .map(|n| {
            lint::rule(n.trim())
                .map(|r| r.code)
                .ok_or_else(|| format!("no rule {n}; `pgrepl rules` lists them"))
        })
        .collect()
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files, directories or trees; `-` reads one file from standard input.
    #[arg(required_unless_present = "nodes")]
    pub paths: Vec<PathBuf>,
    /// With `-`: the path the text on standard input stands for. Its name says the file's
    /// kind, and its directory where includes, PG_VERSION, .pgrepl.toml and the rest of its
    /// cluster are found; reports name it.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// The major to check against (default: PG_VERSION, else the path, else 18).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
    pub pg_version: Option<u32>,
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Only these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Not these rules (codes or names, comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Also check the files against this topology: every standby admitted, nothing
    /// drifted from what `pgrepl gen` writes. A cluster is the node named in its path.
    #[arg(long, value_name = "FILE")]
    pub topology: Option<PathBuf>,
    /// With --topology: the cluster at or below PATH is node NAME, whatever its path says
    /// (PATH is linted too). Repeat for each node.
    #[arg(long = "node", value_name = "NAME=PATH", value_parser = node_at, requires = "topology")]
    pub nodes: Vec<(String, PathBuf)>,
    /// Print the findings only: no line per cluster linted, no summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// What the files given are (default: from the end of their name, e.g. prod-pg_hba.conf,
    /// else from their first records).
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub file_type: Option<FileType>,
    /// Print how many findings each rule has, instead of the findings (a table; JSON with
    /// --format json).
    #[arg(long)]
    pub statistics: bool,
}

/// `--node NAME=PATH`.
fn node_at(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_owned(), PathBuf::from(path)))
        }
        _ => Err("expected NAME=PATH, e.g. pg-b=/etc/postgresql/16/main".to_owned()),
    }
}

/// A file's kind, as `--type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileType {
    /// postgresql.conf, a file it includes, postgresql.auto.conf
    Conf,
    /// pg_hba.conf
    Hba,
    /// pg_ident.conf (recognized, not checked)
    Ident,
}

impl From<FileType> for FileKind {
    fn from(t: FileType) -> FileKind {
        match t {
            FileType::Conf => FileKind::Conf,
            FileType::Hba => FileKind::Hba,
            FileType::Ident => FileKind::Ident,
        }
    }
}

/// How lint reports: caret diagnostics, one line per finding, JSON, SARIF, or GitHub Actions
/// workflow annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Human,
    /// `file:line:col: CODE message`, one line per finding
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

/// The topology's intended cluster and what gen writes for it; problems are printed.
fn intended(path: &Path, style: Style) -> Result<lint::Intended, Exit> {
    // An unusable --topology is bad input to lint: exit 2 whatever gen would say.
    let loaded = super::topology_file::load(path, style, "").map_err(|_| Exit::Usage)?;
    let topology = loaded.topology.ok_or(Exit::Usage)?;
    lint::Intended::new(path, topology).map_err(|e| {
        eprintln!("error: rendering {} failed: {e}", path.display());
        Exit::Internal
    })
}

pub fn run(opts: &Args, style: Style) -> Exit {
    let usage = |e: String| {
        eprintln!("error: {e}");
        Exit::Usage
    };
    let (select, ignore) = match (codes(&opts.select), codes(&opts.ignore)) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(e), _) | (_, Err(e)) => return usage(e),
    };
    // .pgrepl.toml: a broken one stops the run before anything is linted. Worker threads
    // look them up while loading clusters, hence the lock.
    let configs = Mutex::new(Configs::default());
    let lock = || configs.lock().unwrap_or_else(|e| e.into_inner());
    for path in &opts.paths {
        if let Err(e) = lock().for_path(path) {
            return usage(e);
        }
    }
    let sources = match sources(opts) {
        Ok(s) => s,
        Err((code, e)) => {
            eprintln!("error: {e}");
            return code;
        }
    };
    let mut intended = match opts
        .topology
        .as_deref()
        .map(|t| intended(t, style))
        .transpose()
    {
        Ok(i) => i,
        Err(code) => return code,
    };
    if let Some(t) = intended.as_mut() {
        let wrong: Vec<String> = opts
            .nodes
            .iter()
            .filter_map(|(name, path)| t.place(name, path).err())
            .collect();
        if !wrong.is_empty() {
            return usage(wrong.join("\n"));
        }
    }
    let default_major = |dir: &Path| lock().for_path(dir).ok().and_then(|c| c.pg_version);
    let load =
        |s: &lint::discover::Source| lint::discover::load(s, opts.pg_version, &default_major);
    let selection = lint::Selection { select, ignore };
    let (clusters, checked) = lint::check_sources(&sources, &load, intended.as_ref(), &selection);
    // A file that exists but cannot be read is not a clean bill of health.
    let unreadable: Vec<&String> = clusters.iter().flat_map(|c| &c.unreadable).collect();
    if !unreadable.is_empty() {
        for u in unreadable {
            eprintln!("error: {u}");
        }
        return Exit::Io;
    }
    // Which node each cluster is, for the header lines (the pairing was done by the check).
    let nodes = lint::fleet::nodes(&clusters, intended.as_ref());
    if let Some(t) = &intended {
        if nodes.iter().all(Option::is_none) {
            eprintln!(
                "warning: no linted cluster is a node of {}: a cluster is the node whose name is a component of its path (hosts/<node>/...), or the one --node NAME=PATH places; the topology's checks did not run",
                t.path.display()
            );
        }
    }
    if opts.format == LintFormat::Human && !opts.quiet {
        for (i, c) in clusters.iter().enumerate() {
            if c.kind == Some(FileKind::Ident) {
                eprintln!(
                    "skipping {}: a pg_ident.conf, which pgrepl does not check",
                    c.label
                );
                continue;
            }
            let node = match (&intended, nodes[i]) {
                (Some(t), Some(n)) => format!(", node {}", t.topology.nodes[n].name),
                (Some(_), None) => ", no node of the topology".to_owned(),
                _ => String::new(),
            };
            let major_source = match c.major_source {
                "assumed" => "assumed: nothing says which; --pg-version N says it".to_owned(),
                s => format!("from {s}"),
            };
            eprintln!(
                "linting {} as PostgreSQL {} ({major_source}), {} (from {}){node}",
                c.label,
                c.major,
                match c.role {
                    lint::cluster::Role::Primary => "primary",
                    lint::cluster::Role::Standby => "standby",
                    lint::cluster::Role::Unknown => "role unknown",
                },
                c.role_source
            );
        }
    }
    // Filtered in place, each file's configuration looked up once (findings come sorted
    // by file): a report can hold millions.
    let mut configs = configs.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut findings = checked;
    let mut kept = 0;
    let mut i = 0;
    while i < findings.len() {
        let file = findings[i].file.clone();
        let config = match configs.for_file(&file) {
            Ok(c) => c,
            Err(e) => return usage(e),
        };
        while i < findings.len() && findings[i].file == file {
            let f = &mut findings[i];
            i += 1;
            let code = f.diagnostic.code;
            // The command line's choice was made before the rules ran; --select replaces
            // the file's choice of rules entirely, --ignore adds to it.
            if selection.select.is_empty() && !config.wants(code) {
                continue;
            }
            if config.ignores_in(code, &f.file) {
                continue;
            }
            if let Some(severity) = config.severity.get(code) {
                f.diagnostic.severity = *severity;
            }
            findings.swap(kept, i - 1);
            kept += 1;
        }
    }
    findings.truncate(kept);
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    let (errors, warnings, infos) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    );
    if opts.statistics {
        match opts.format {
            LintFormat::Json => print!("{}", report::statistics_json(&findings)),
            _ => print!("{}", report::statistics(&findings)),
        }
        return exit_for(opts.fail_on, errors, warnings, infos);
    }
    // Written as it is made, through one buffer: a report of millions of findings is never
    // held whole.
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match opts.format {
        LintFormat::Json => report::write_json(&mut out, &findings),
        LintFormat::Github => report::write_github(&mut out, &findings),
        LintFormat::Sarif => report::write_sarif(&mut out, &findings),
        LintFormat::Concise => report::write_concise(&mut out, &findings),
        // The report on stdout (`lint ... > report.txt`), with the summary unless -q; which
        // clusters were read, and how, stays on stderr.
        LintFormat::Human => report::write_human(&mut out, &findings, style).and_then(|()| {
            if opts.quiet {
                return Ok(());
            }
            let n = |count: usize, what: &str| {
                format!("{count} {what}{}", if count == 1 { "" } else { "s" })
            };
            let mut summary = format!(
                "{} checked: {}, {}",
                n(clusters.len(), "cluster"),
                n(errors, "error"),
                n(warnings, "warning")
            );
            if infos > 0 {
                summary.push_str(&format!(", {}", n(infos, "note")));
            }
            writeln!(out, "{summary}")
        }),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("error: writing the report: {e}");
        return Exit::Io;
    }
    // The process ends next: freeing a fleet's clusters and findings one allocation at a
    // time was 7% of a 1,000-cluster run, for memory the exit returns whole.
    std::mem::forget(clusters);
    std::mem::forget(findings);
    exit_for(opts.fail_on, errors, warnings, infos)
}

/// A path that is `pgrepl gen`'s output directory (or a node's directory in it), which lint
/// finds no cluster in.
fn gen_output(paths: &[PathBuf]) -> Option<&Path> {
    paths.iter().map(|p| p.as_path()).find(|p| {
        p.join(DROP_IN).is_file()
            || (p.join("RUNBOOK.md").is_file()
                && std::fs::read_dir(p).is_ok_and(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .any(|e| e.path().join(DROP_IN).is_file())
                }))
    })
}

/// Where the clusters to lint are: the paths given, or what standard input stands for.
/// A path that cannot be read is exit 3, a command line that makes no sense 2.
fn sources(opts: &Args) -> Result<Vec<lint::discover::Source>, (Exit, String)> {
    let kind = opts.file_type.map(FileKind::from);
    let stdin = opts.paths.iter().any(|p| p.as_os_str() == "-");
    if !stdin {
        if opts.stdin_filename.is_some() {
            return Err((Exit::Usage, "--stdin-filename goes with `-`".to_owned()));
        }
        // The paths given, then each --node path not among them.
        let mut paths = opts.paths.clone();
        for (_, p) in &opts.nodes {
            if !paths.contains(p) {
                paths.push(p.clone());
            }
        }
        return lint::discover::locate(&paths, kind).map_err(|e| match gen_output(&paths) {
            Some(out) => (
                Exit::Usage,
                format!(
                    "{}: this is `pgrepl gen` output (RUNBOOK.md, <node>/{DROP_IN}), not a server's configuration, which is what lint reads. Run the runbooks' install-config steps, then lint the servers' configuration (with --topology, under paths that name their nodes: hosts/<node>/...); `pgrepl check` validates the topology itself",
                    out.display()
                ),
            ),
            None => (Exit::Io, e),
        });
    }
    if opts.paths.len() > 1 {
        return Err((
            Exit::Usage,
            "`-` (standard input) is linted alone: give no other path".to_owned(),
        ));
    }
    let path = opts
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("-"));
    crate::input::stdin_as(&path).map_err(|e| (Exit::Io, format!("standard input: {e}")))?;
    let kind = kind.unwrap_or_else(|| FileKind::of(&path));
    Ok(lint::discover::locate_stdin(&path, kind))
}

/// 1 when a finding at or above `fail_on` was reported.
fn exit_for(fail_on: FailOn, errors: usize, warnings: usize, infos: usize) -> Exit {
    let failing = match fail_on {
        FailOn::Error => errors,
        FailOn::Warning => errors + warnings,
        FailOn::Info => errors + warnings + infos,
    };
    if failing > 0 { Exit::Invalid } else { Exit::Ok }
}
