//! The command line: the top-level parser, its subcommands, and the dispatch to them. Each
//! subcommand's flags are the `Args` of its own file under `commands/`, next to what it does.

use std::io::IsTerminal;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::commands::{
    ansible, check, completions, diagnose, explain, generate, hba, lint, man, param, plan, rules,
    schema, settings,
};
use crate::diag::Style;
use crate::exit::Exit;

#[derive(Debug, Parser)]
#[command(
    name = "pgrepl",
    version,
    propagate_version = true,
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
    Gen(generate::Args),
    /// Validate a topology and print its diagnostics; writes nothing.
    Check(check::Args),
    /// The ordered plan from one topology to the next: standbys added, retired or
    /// re-parented, settings changed, a planned switchover. Writes OUTPUT/PLAN.md and the
    /// scripts it runs.
    Plan(plan::Args),
    /// An Ansible inventory and playbook for one or more clusters: each node gets gen's
    /// files and runs its runbook steps, in RUNBOOK.md's order.
    Ansible(ansible::Args),
    /// Print the JSON Schema of the topology file (or of diagnose's JSON output).
    Schema(schema::Args),
    /// Read server logs and say, for each replication failure they show, what happened, why
    /// and how to fix it.
    ///
    /// Exit 0 when no failure is found, 1 when one is (or a FATAL/ERROR line about
    /// replication that no signature explains, listed as not recognised).
    Diagnose(diagnose::Args),
    /// The settings a server would read, one row per occurrence, as its pg_file_settings view.
    ///
    /// PATH is a postgresql.conf, or a directory holding one (a data directory, or a Debian
    /// /etc/postgresql/V/C). Includes are followed; postgresql.auto.conf is read from the data
    /// directory (data_directory if the file sets it). Exit 1 when a row has an error.
    Settings(settings::Args),
    /// The records of a pg_hba.conf, one row per record, as the server's pg_hba_file_rules.
    ///
    /// PATH is a pg_hba.conf, or a directory holding one (and postgresql.conf, whose ssl
    /// setting decides whether hostssl records can match). Exit 1 when a row has an error.
    Hba(hba::Args),
    /// Audit existing configuration for replication readiness (never writes).
    ///
    /// PATHS are files (postgresql.conf-like, pg_hba*.conf), config or data directories, or
    /// trees holding clusters (/etc/postgresql). Exit 1 when a finding is at or above
    /// --fail-on.
    Lint(lint::Args),
    /// The lint rules: code, name, severity, majors, summary.
    Rules(rules::Args),
    /// What a lint rule checks, why, and what to write instead.
    Explain(explain::Args),
    /// What the catalogue knows about a postgresql.conf parameter, per major (10-18).
    ///
    /// Exit 0 when the parameter exists in the asked major (any major without
    /// --pg-version), 1 when it does not.
    Param(param::Args),
    /// A shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    Completions(completions::Args),
    /// The manual page (roff) of pgrepl, or of one subcommand, on stdout.
    Man(man::Args),
}

impl Cli {
    /// Runs the subcommand; its exit code.
    pub fn run(self) -> Exit {
        let style = Style {
            color: match self.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                // lint's report goes to stdout, every other command's diagnostics to stderr.
                ColorChoice::Auto => {
                    let terminal = match self.command {
                        Command::Lint(_) => std::io::stdout().is_terminal(),
                        _ => std::io::stderr().is_terminal(),
                    };
                    terminal && std::env::var_os("NO_COLOR").is_none()
                }
            },
            width: 100,
        };
        match self.command {
            Command::Check(args) => check::run(&args, style),
            Command::Gen(args) => generate::run(&args, style),
            Command::Plan(args) => plan::run(&args, style),
            Command::Ansible(args) => ansible::run(&args, style),
            Command::Schema(args) => schema::run(&args),
            Command::Diagnose(args) => diagnose::run(&args, style),
            Command::Settings(args) => settings::run(&args),
            Command::Lint(args) => lint::run(&args, style),
            Command::Rules(args) => rules::run(&args),
            Command::Explain(args) => explain::run(&args),
            Command::Hba(args) => hba::run(&args),
            Command::Param(args) => param::run(&args),
            Command::Completions(args) => completions::run(&args, Cli::command()),
            Command::Man(args) => man::run(&args, Cli::command()),
        }
    }
}
