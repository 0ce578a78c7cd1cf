//! `lint --statistics`: how many findings each rule has, most first, as a table or JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::severity_name;
use crate::diag::Severity;
use crate::lint::Finding;

#[derive(Serialize)]
struct Count {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    count: usize,
}

/// One row per (rule, severity) found, most findings first, then by code.
fn counts(findings: &[Finding]) -> Vec<Count> {
    let mut by_rule: BTreeMap<(&'static str, Severity), usize> = BTreeMap::new();
    for f in findings {
        *by_rule
            .entry((f.diagnostic.code, f.diagnostic.severity))
            .or_default() += 1;
    }
    let mut rows: Vec<Count> = by_rule
        .into_iter()
        .map(|((code, severity), count)| Count {
            rule: code,
            name: crate::lint::rule(code).map_or("", |r| r.name),
            severity: severity_name(severity),
            count,
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    rows
}

/// `count  CODE  name  severity`, aligned; nothing when there are no findings.
pub fn statistics(findings: &[Finding]) -> String {
    let rows = counts(findings);
    let width = rows.first().map_or(1, |r| r.count.to_string().len());
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    rows.iter()
        .map(|r| {
            format!(
                "{:>width$}  {}  {:<name_width$}  {}\n",
                r.count, r.rule, r.name, r.severity
            )
        })
        .collect()
}

/// `[{"rule", "name", "severity", "count"}]`, in the table's order.
pub fn statistics_json(findings: &[Finding]) -> String {
    let mut s = serde_json::to_string_pretty(&counts(findings)).expect("JSON");
    s.push('\n');
    s
}
