//! The JSON format: `{"findings": [...]}`, described by schemas/lint-output.schema.json.

use std::io;

use serde::Serialize;

use super::{Lazy, Located, Texts, severity_name};
use crate::diag;
use crate::lint::Finding;

/// One finding. Fields in alphabetical order: the order of the keys in the output, which is
/// the order it has always had.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub column: usize,
    pub end_column: usize,
    pub end_line: usize,
    pub file: String,
    pub help: Option<&'a str>,
    pub line: usize,
    pub message: &'a str,
    pub name: &'a str,
    pub rule: &'a str,
    pub severity: &'a str,
}

#[derive(Serialize)]
#[serde(bound(serialize = "I::Item: Serialize"))]
struct Doc<I: Iterator> {
    findings: Lazy<I>,
}

/// `{"findings": [...]}` (see schemas/lint-output.schema.json), written one finding at a
/// time.
pub fn write_json(out: &mut dyn io::Write, findings: &[Finding]) -> io::Result<()> {
    let mut texts = Texts::default();
    let rows = findings.iter().map(move |f| {
        let at = Located::of(f, texts.of(&f.file));
        let rule = crate::lint::rule(f.diagnostic.code);
        JsonFinding {
            rule: f.diagnostic.code,
            name: rule.map_or("", |r| r.name),
            severity: severity_name(f.diagnostic.severity),
            file: diag::shown_path(&f.file),
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
            message: &f.diagnostic.message,
            help: f.diagnostic.help.as_deref(),
        }
    });
    super::write_pretty(
        out,
        &Doc {
            findings: Lazy::new(rows),
        },
    )
}
