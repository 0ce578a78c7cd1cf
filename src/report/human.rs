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
            .push(f.diagnostic.clone());
    }
    for (file, diags) in by_file {
        let text = redact_passwords(texts.of(file).text());
        out.push_str(&diag::render(&diag::shown_path(file), &text, &diags, style));
    }
    out
}
