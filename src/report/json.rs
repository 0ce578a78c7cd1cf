//! The JSON format: `{"findings": [...]}`, described by schemas/lint-output.schema.json.

use serde::Serialize;

use super::{Located, Texts, severity_name};
use crate::diag;
use crate::lint::Finding;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub name: &'a str,
    pub severity: &'a str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

/// `{"findings": [...]}` (see schemas/lint-output.schema.json).
pub fn json(findings: &[Finding]) -> String {
    let mut texts = Texts::default();
    let rows: Vec<JsonFinding<'_>> = findings
        .iter()
        .map(|f| {
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
        })
        .collect();
    let mut s =
        serde_json::to_string_pretty(&serde_json::json!({ "findings": rows })).expect("JSON");
    s.push('\n');
    s
}
