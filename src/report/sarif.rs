//! SARIF 2.1.0, as code-scanning services read it.

use std::io;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::json;

use super::{Lazy, Located, Texts, severity_name};
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
/// with a 1-based region, written one result at a time. Keys in alphabetical order, as they
/// have always been.
pub fn write_sarif(out: &mut dyn io::Write, findings: &[Finding]) -> io::Result<()> {
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
    let tool = json!({ "driver": {
        "name": "pgrepl",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://example.invalid/pgrepl",
        "rules": rules,
    }});
    let mut texts = Texts::default();
    let results = findings.iter().map(move |f| {
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
    });
    let run = Run {
        results: Lazy::new(results),
        tool,
    };
    super::write_pretty(out, &Log { runs: [run] })
}

/// The document: `$schema`, `runs`, `version`.
struct Log<R> {
    runs: [R; 1],
}

impl<R: Serialize> Serialize for Log<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        m.serialize_entry("runs", &self.runs)?;
        m.serialize_entry("version", "2.1.0")?;
        m.end()
    }
}

#[derive(serde::Serialize)]
#[serde(bound(serialize = "I::Item: Serialize"))]
struct Run<I: Iterator> {
    results: Lazy<I>,
    tool: serde_json::Value,
}
