//! Exit codes: what a script calling pgrepl can rely on, the same for every command.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (warnings may have been printed).
    Ok = 0,
    /// What was read has problems, all reported: a topology or a template override with
    /// errors (nothing was written), lint findings at or above `--fail-on`, rows the server
    /// would mark with an error (`settings`, `hba`), a parameter the major lacks (`param`),
    /// output that differs from what gen would write (`gen --check`).
    Invalid = 1,
    /// The command line is wrong: clap's own code, and a rule name no rule has, a broken
    /// `.pgrepl.toml`, an unusable `lint --topology`.
    Usage = 2,
    /// A file could not be read or written (missing, unreadable, too large), or writing would
    /// replace files pgrepl did not write. Nothing was written.
    Io = 3,
    /// A bug or a broken template.
    Internal = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
