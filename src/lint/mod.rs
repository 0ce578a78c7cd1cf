//! `pgrepl lint`: paths → clusters → parsed files (with spans) → rules → findings.
//!
//! Each rule lives in its own file under `rules/`, declared with `declare_rule!`: its doc
//! comment is the one text behind `pgrepl explain`, and its metadata (stable code,
//! kebab-case name, default severity, majors) sits in the registry `rules::ALL`.

pub mod cluster;
pub mod config;
pub mod discover;
pub mod fleet;
pub mod rules;
pub mod suppress;

use std::path::PathBuf;

use crate::diag::{Diagnostic, Severity};

pub use cluster::Cluster;
pub use fleet::{Fleet, Intended};

/// What a rule looks at: one cluster at a time, or all the linted clusters together.
pub enum Check {
    Cluster(fn(&Cluster, &mut Findings)),
    Fleet(fn(&Fleet<'_>, &mut Findings)),
}

/// A rule's metadata and check.
pub struct Rule {
    /// Stable identifier, e.g. `PGR001`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `wal-level-minimal`.
    pub name: &'static str,
    pub severity: Severity,
    /// The majors the rule applies to.
    pub majors: (u32, u32),
    /// Markdown: What it does / Why it matters / Example / Use instead.
    pub doc: &'static str,
    pub check: Check,
}

impl Rule {
    /// The first line of the doc: a one-line summary.
    pub fn summary(&self) -> &'static str {
        self.doc
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }
}

/// One finding: a diagnostic in a file, from a rule.
#[derive(Debug, Clone)]
pub struct Finding {
    pub file: PathBuf,
    pub diagnostic: Diagnostic,
}

/// What a rule reports into; it stamps the rule's code and severity on each finding.
pub struct Findings {
    rule: &'static Rule,
    pub out: Vec<Finding>,
}

impl Findings {
    /// A finding of the current rule in `file`; complete it with labels and help.
    pub fn add(&mut self, file: impl Into<PathBuf>, diagnostic: Diagnostic) {
        let mut diagnostic = diagnostic;
        diagnostic.code = self.rule.code;
        diagnostic.severity = self.rule.severity;
        self.out.push(Finding {
            file: file.into(),
            diagnostic,
        });
    }

    /// A diagnostic to fill in: the rule sets code and severity when it is added.
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.rule.code, message)
    }
}

/// Runs every rule: the single-cluster ones on each cluster of a major they apply to, the
/// cross-node ones on all of them together (and the intended topology, if given).
pub fn check(fleet: &Fleet<'_>) -> Vec<Finding> {
    let clusters = fleet.clusters;
    let mut all = Vec::new();
    for rule in rules::ALL {
        let mut findings = Findings {
            rule,
            out: Vec::new(),
        };
        match rule.check {
            Check::Cluster(check) => clusters
                .iter()
                .filter(|c| (rule.majors.0..=rule.majors.1).contains(&c.major))
                .for_each(|c| check(c, &mut findings)),
            Check::Fleet(check) => check(fleet, &mut findings),
        }
        all.extend(findings.out);
    }
    // Suppression comments in the files read.
    let mut texts: Vec<(PathBuf, Vec<u8>)> = clusters.iter().flat_map(Cluster::texts).collect();
    texts.sort();
    texts.dedup();
    let suppressions: Vec<(PathBuf, suppress::Suppression)> = texts
        .into_iter()
        .flat_map(|(path, text)| {
            suppress::parse(&text)
                .into_iter()
                .map(move |s| (path.clone(), s))
        })
        .collect();
    all.retain(|f| {
        let at = f.diagnostic.offset();
        !suppressions.iter().any(|(path, s)| {
            *path == f.file
                && suppress::codes(s).contains(f.diagnostic.code)
                && s.line
                    .as_ref()
                    .is_none_or(|l| l.contains(&at) || (l.is_empty() && l.start == at))
        })
    });
    all.sort_by(|a, b| {
        (&a.file, a.diagnostic.offset(), a.diagnostic.code).cmp(&(
            &b.file,
            b.diagnostic.offset(),
            b.diagnostic.code,
        ))
    });
    // Two clusters sharing a file (a pg_hba.conf given twice) must not report it twice.
    all.dedup_by(|a, b| a.file == b.file && a.diagnostic == b.diagnostic);
    all
}

/// The rule with this code or name.
pub fn rule(code_or_name: &str) -> Option<&'static Rule> {
    rules::ALL
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Declares a rule: its doc comment becomes `Rule::doc`, the rest its metadata.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $id:ident = {
            code: $code:literal,
            name: $name:literal,
            severity: $severity:ident,
            majors: $from:literal ..= $to:literal,
            $kind:ident: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])*
        pub static $id: $crate::lint::Rule = $crate::lint::Rule {
            code: $code,
            name: $name,
            severity: $crate::diag::Severity::$severity,
            majors: ($from, $to),
            doc: concat!($($doc, "\n"),*),
            check: $crate::declare_rule!(@check $kind $check),
        };
    };
    (@check check $check:path) => { $crate::lint::Check::Cluster($check) };
    (@check fleet_check $check:path) => { $crate::lint::Check::Fleet($check) };
}
