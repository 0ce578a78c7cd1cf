//! Exit codes: what a script calling pgrepl can rely on.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (warnings may have been printed).
    Ok = 0,
    /// The input is invalid: the topology has errors. Nothing was written.
    Invalid = 1,
    /// The command line is wrong (clap's own code).
    Usage = 2,
    /// A file could not be read or written, or writing would replace files pgrepl did not
    /// write. Nothing was written.
    Io = 3,
    /// A bug or a broken template.
    Internal = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
