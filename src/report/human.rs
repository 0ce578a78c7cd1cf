//! The human format: caret diagnostics (miette), grouped by file, passwords masked.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Texts, redact_passwords};
use crate::diag::{self, Style};
use crate::lint::Finding;

/// Caret diagnostics, grouped by file.
pub fn human(findings: &[Finding], style: Style) -> String {
    let mut texts = Texts::default();
    let mut out = String::new();
    let mut by_file: BTreeMap<&Path, Vec<diag::Diagnostic>> = BTreeMap::new();
    for f in findings {
        by_file
            .entry(&f.file)
            .or_default()
            .push(file_level(&f.file, &f.diagnostic));
    }
    for (file, diags) in by_file {
        let text = redact_passwords(texts.of(file).text());
        out.push_str(&diag::render(&diag::shown_path(file), &text, &diags, style));
    }
    out
}

/// A finding about the file as a whole (something unset, a file missing beside it) has an
/// empty label at offset 0: drawn as a caret, it would blame the file's first line. It is
/// shown without a snippet, naming the file and saying what the label says.
fn file_level(file: &Path, d: &diag::Diagnostic) -> diag::Diagnostic {
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
            d
        }
        _ => d.clone(),
    }
}
