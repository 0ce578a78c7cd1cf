//! Lint reporters: human (miette caret diagnostics) and JSON. Lines and columns are 1-based
//! in every format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diag::{self, Severity, Style};
use crate::lint::Finding;

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The text of the file a finding is in. Findings come sorted by file, so one file at a time
/// is enough: each file is read once, and a fleet's worth of text is never held.
#[derive(Default)]
struct Texts(Option<(PathBuf, String)>);

impl Texts {
    fn of(&mut self, path: &Path) -> &str {
        if self.0.as_ref().is_none_or(|(p, _)| p != path) {
            let text =
                String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
            self.0 = Some((path.to_path_buf(), text));
        }
        self.0.as_ref().map_or("", |(_, t)| t.as_str())
    }
}

/// The text with every `password=` value of a connection string masked, byte for byte, so
/// that diagnostics quoting the line never show the secret.
pub fn redact_passwords(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(at) = text[from..].find("password=") {
        let mut i = from + at + "password=".len();
        let quoted = bytes.get(i) == Some(&b'\'');
        if quoted {
            i += 1;
        }
        while i < bytes.len()
            && bytes[i] != b'\n'
            && !(if quoted {
                bytes[i] == b'\''
            } else {
                bytes[i] == b' ' || bytes[i] == b'\''
            })
        {
            bytes[i] = b'*';
            i += 1;
        }
        from = i.max(from + at + 1);
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

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
        let text = redact_passwords(texts.of(file));
        out.push_str(&diag::render(&diag::shown_path(file), &text, &diags, style));
    }
    out
}

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

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// SARIF's name of a severity (`note` for info).
fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Info => "note",
        _ => severity_name(s),
    }
}

/// `{"findings": [...]}` (see schemas/lint-output.schema.json).
pub fn json(findings: &[Finding]) -> String {
    let mut texts = Texts::default();
    let rows: Vec<JsonFinding<'_>> = findings
        .iter()
        .map(|f| {
            let text = texts.of(&f.file);
            let span = f.diagnostic.labels.first().map_or(0..0, |l| l.span.clone());
            let (line, column) = line_col(text, span.start);
            let (end_line, end_column) = line_col(text, span.end);
            let rule = crate::lint::rule(f.diagnostic.code);
            JsonFinding {
                rule: f.diagnostic.code,
                name: rule.map_or("", |r| r.name),
                severity: severity_name(f.diagnostic.severity),
                file: diag::shown_path(&f.file),
                line,
                column,
                end_line,
                end_column,
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

/// SARIF 2.1.0: one run, the rule registry as `tool.driver.rules`, one result per finding
/// with a 1-based region.
pub fn sarif(findings: &[Finding]) -> String {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = crate::lint::rules::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary() },
                "fullDescription": { "text": r.doc.trim() },
                "help": { "text": r.doc.trim(), "markdown": r.doc.trim() },
                "defaultConfiguration": { "level": sarif_level(r.severity) },
            })
        })
        .collect();
    let mut texts = Texts::default();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let text = texts.of(&f.file);
            let span = f.diagnostic.labels.first().map_or(0..0, |l| l.span.clone());
            let (start_line, start_column) = line_col(text, span.start);
            let (end_line, end_column) = line_col(text, span.end);
            let index = crate::lint::rules::ALL
                .iter()
                .position(|r| r.code == f.diagnostic.code);
            let message = match &f.diagnostic.help {
                Some(h) => format!("{} ({h})", f.diagnostic.message),
                None => f.diagnostic.message.clone(),
            };
            json!({
                "ruleId": f.diagnostic.code,
                "ruleIndex": index,
                "level": sarif_level(f.diagnostic.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": diag::shown_path(&f.file) },
                        "region": {
                            "startLine": start_line,
                            "startColumn": start_column,
                            "endLine": end_line,
                            "endColumn": end_column,
                        }
                    }
                }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pgrepl",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/pgrepl",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("JSON");
    s.push('\n');
    s
}

/// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per
/// finding.
pub fn github(findings: &[Finding]) -> String {
    // Workflow-command escaping: % CR LF in data; also : and , in properties.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut texts = Texts::default();
    let mut out = String::new();
    for f in findings {
        let text = texts.of(&f.file);
        let span = f.diagnostic.labels.first().map_or(0..0, |l| l.span.clone());
        let (line, col) = line_col(text, span.start);
        let (end_line, end_col) = line_col(text, span.end);
        let name = crate::lint::rule(f.diagnostic.code).map_or("", |r| r.name);
        let message = match &f.diagnostic.help {
            Some(h) => format!("{}\n{h}", f.diagnostic.message),
            None => f.diagnostic.message.clone(),
        };
        out.push_str(&format!(
            "::{} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            match f.diagnostic.severity {
                Severity::Info => "notice",
                s => severity_name(s),
            },
            prop(&diag::shown_path(&f.file)),
            prop(&format!("{} {name}", f.diagnostic.code)),
            data(&message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        let t = "primary_conninfo = 'host=a password=s3cr3t user=r'\nx = 'password=''q q'''";
        let r = super::redact_passwords(t);
        assert_eq!(r.len(), t.len());
        assert!(!r.contains("s3cr3t") && r.contains("user=r"), "{r}");
    }

    #[test]
    fn one_based_positions() {
        assert_eq!(super::line_col("ab\ncd", 0), (1, 1));
        assert_eq!(super::line_col("ab\ncd", 4), (2, 2));
        assert_eq!(super::line_col("é\nx", 3), (2, 1));
    }
}
