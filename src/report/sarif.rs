//! SARIF 2.1.0, as code-scanning services read it.

use super::{Located, Texts, severity_name};
use crate::diag::{self, Severity};
use crate::lint::Finding;

/// SARIF's name of a severity (`note` for info).
fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Info => "note",
        _ => severity_name(s),
    }
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
            let at = Located::of(f, texts.of(&f.file));
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
                            "startLine": at.line,
                            "startColumn": at.column,
                            "endLine": at.end_line,
                            "endColumn": at.end_column,
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
