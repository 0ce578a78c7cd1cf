//! The human format: caret diagnostics (miette), grouped by file, passwords masked.

use std::borrow::Cow;
use std::io;
use std::path::Path;

use super::{Texts, redact_passwords};
use crate::diag::{self, Style};
use crate::lint::Finding;

/// Caret diagnostics, grouped by file (in file order, each file's in the order given),
/// written one at a time.
pub fn write_human(out: &mut dyn io::Write, findings: &[Finding], style: Style) -> io::Result<()> {
    let mut texts = Texts::default();
    let mut by_file: Vec<&Finding> = findings.iter().collect();
    by_file.sort_by(|a, b| a.file.cmp(&b.file));
    let mut drawn = String::new();
    for group in by_file.chunk_by(|a, b| a.file == b.file) {
        let file = group[0].file.as_path();
        let text = redact_passwords(texts.of(file).text());
        let shown = diag::shown_path(file);
        let renderer = diag::Renderer::new(&shown, &text, style);
        for f in group {
            drawn.clear();
            renderer.render(&file_level(file, &f.diagnostic), &mut drawn);
            out.write_all(drawn.as_bytes())?;
        }
    }
    Ok(())
}

/// A finding about the file as a whole (something unset, a file missing beside it) has an
/// empty label at offset 0: drawn as a caret, it would blame the file's first line. It is
/// shown without a snippet, naming the file and saying what the label says.
fn file_level<'d>(file: &Path, d: &'d diag::Diagnostic) -> Cow<'d, diag::Diagnostic> {
    match d.labels.as_slice() {
        [only] if only.span == (0..0) => {
            let mut d = d.clone();
            let what = if only.text.is_empty() {
                String::new()
            } else {
                format!(" ({})", only.text)
            };
            d.message = format!("{}: {}{what}", diag::shown_path(file), d.message);
            d.labels.clear();
            Cow::Owned(d)
        }
        _ => Cow::Borrowed(d),
    }
}
