//! Command-line definitions (clap only; behaviour lives in `commands`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "pgrepl",
    version,
    about = "Declarative, checked PostgreSQL streaming-replication setup",
    long_about = "pgrepl turns one topology file into every file a PostgreSQL streaming-replication \
cluster needs: postgresql.conf drop-ins, pg_hba.conf rules, firewall scripts and ordered, \
idempotent runbooks, after checking the topology for mistakes."
)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a topology and write every node's configuration and runbooks.
    Gen {
        /// The topology file (TOML).
        topology: PathBuf,
        /// Output directory; created, or replaced as a whole if pgrepl wrote it before.
        #[arg(short, long)]
        output: PathBuf,
        /// Replace files in the output directory that pgrepl did not write or that were edited.
        #[arg(long)]
        force: bool,
        /// Directory of templates overriding the built-in ones (same relative names).
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// The nodes' current files, as DIR/<node>/postgresql.conf and DIR/<node>/pg_hba.conf:
        /// OUTPUT/<node>/ then also holds them patched (changes in place, comments kept).
        #[arg(long, value_name = "DIR")]
        base: Option<PathBuf>,
        /// Print unified diffs of what would change (against --base files, and what OUTPUT
        /// holds now); write nothing.
        #[arg(long, conflicts_with = "check")]
        diff: bool,
        /// Exit 1 when OUTPUT is not exactly what gen would write now (drift check); write
        /// nothing.
        #[arg(long)]
        check: bool,
    },
    /// Validate a topology and print its diagnostics; writes nothing.
    Check {
        /// The topology files (TOML); each is checked, the exit code is the worst.
        #[arg(required = true, value_name = "TOPOLOGY")]
        topologies: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the topology file.
    Schema,
    /// The settings a server would read, one row per occurrence, as its pg_file_settings view.
    ///
    /// PATH is a postgresql.conf, or a directory holding one (a data directory, or a Debian
    /// /etc/postgresql/V/C). Includes are followed; postgresql.auto.conf is read from the data
    /// directory (data_directory if the file sets it). Exit 1 when a row has an error.
    Settings {
        path: PathBuf,
        /// Output format: a table, or a JSON array with pg_file_settings' column names.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// The records of a pg_hba.conf, one row per record, as the server's pg_hba_file_rules.
    ///
    /// PATH is a pg_hba.conf, or a directory holding one (and postgresql.conf, whose ssl
    /// setting decides whether hostssl records can match). Exit 1 when a row has an error.
    Hba {
        path: PathBuf,
        /// The major whose rules apply (default: from PG_VERSION or the path, else 18).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
        pg_version: Option<u32>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Audit existing configuration for replication readiness (never writes).
    ///
    /// PATHS are files (postgresql.conf-like, pg_hba*.conf), config or data directories, or
    /// trees holding clusters (/etc/postgresql). Exit 1 when a finding is at or above
    /// --fail-on.
    Lint {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The major to check against (default: PG_VERSION, else the path, else 18).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
        pg_version: Option<u32>,
        #[arg(long, value_enum, default_value_t = LintFormat::Human)]
        format: LintFormat,
        /// The lowest severity that makes the exit code 1.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Only these rules (codes or names, comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "RULES")]
        select: Vec<String>,
        /// Not these rules (codes or names, comma-separated).
        #[arg(long, value_delimiter = ',', value_name = "RULES")]
        ignore: Vec<String>,
        /// Also check the files against this topology: every standby admitted, nothing
        /// drifted from what `pgrepl gen` writes. A cluster is the node named in its path.
        #[arg(long, value_name = "FILE")]
        topology: Option<PathBuf>,
    },
    /// The lint rules: code, name, severity, majors, summary.
    Rules,
    /// What a lint rule checks, why, and what to write instead.
    Explain {
        /// A rule code (PGR007) or name (wal-level-minimal).
        rule: String,
    },
    /// What the catalogue knows about a postgresql.conf parameter, per major (10-18).
    ///
    /// Exit 0 when the parameter exists in the asked major (any major without
    /// --pg-version), 1 when it does not.
    Param {
        /// Parameter name (case-insensitive).
        #[arg(required_unless_present = "list")]
        name: Option<String>,
        /// One major (10-18) instead of all.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
        pg_version: Option<u32>,
        /// Print every parameter name of the major (needs --pg-version).
        #[arg(long, requires = "pg_version", conflicts_with = "name")]
        list: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// How lint reports: caret diagnostics, JSON, or GitHub Actions workflow annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Human,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}
