//! The template environment for the commands that render (gen, plan), and what their
//! failures exit with: a `--templates` directory that cannot be used or that fails to
//! render is the user's to fix; the embedded templates failing is pgrepl's bug.

use std::path::Path;

use minijinja::Environment;

use crate::exit::Exit;
use crate::render::templates::{self, TemplateError};

/// The embedded templates, overridden from `dir`; the error said on stderr otherwise.
pub(crate) fn environment(dir: Option<&Path>) -> Result<Environment<'static>, Exit> {
    templates::environment(dir).map_err(|e| {
        eprintln!("error: {e}");
        match e {
            TemplateError::Read(..) => Exit::Io,
            _ => Exit::Invalid,
        }
    })
}

/// Says that rendering failed; the exit code.
pub(crate) fn render_failed(e: &minijinja::Error, overridden: bool) -> Exit {
    eprintln!("error: rendering failed: {e:#}");
    if overridden {
        Exit::Invalid
    } else {
        Exit::Internal
    }
}
