//! Reading a topology file for a command: its text, every diagnostic printed against it, and
//! the summary line; the exit code when it cannot be used.

use std::path::Path;

use crate::diag::{self, Style};
use crate::exit::Exit;
use crate::topology::{self, Loaded};

use super::plural;

/// The topology at `path`, loaded and validated; its diagnostics are printed to stderr.
/// `refused` is what the command did not do because of errors (gen: "nothing was
/// written"), said after their count; empty for a command that only reads.
pub(crate) fn load(path: &Path, style: Style, refused: &str) -> Result<Loaded, Exit> {
    load_with_source(path, style, refused).map(|(loaded, _)| loaded)
}

/// As [`load`], with the file's text (for diagnostics of a later check against it).
pub(crate) fn load_with_source(
    path: &Path,
    style: Style,
    refused: &str,
) -> Result<(Loaded, String), Exit> {
    let source = match crate::input::read_bounded(path, crate::input::MAX_TOPOLOGY_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "error: {} is not UTF-8 text (invalid byte at offset {}); TOML files must be UTF-8",
                    path.display(),
                    e.utf8_error().valid_up_to()
                );
                return Err(Exit::Invalid);
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Err(Exit::Io);
        }
    };
    let loaded = topology::load(&source);
    let name = path.display().to_string();
    eprint!(
        "{}",
        diag::render(
            &name,
            &topology::redact_secrets(&source),
            &loaded.diagnostics,
            style
        )
    );
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    if errors > 0 {
        eprintln!(
            "error: {name}: {errors} error{}{}{}",
            plural(errors),
            if warnings > 0 {
                format!(", {warnings} warning{}", plural(warnings))
            } else {
                String::new()
            },
            if refused.is_empty() {
                String::new()
            } else {
                format!("; {refused}")
            }
        );
        return Err(Exit::Invalid);
    }
    Ok((loaded, source))
}
