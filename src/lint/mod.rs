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

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Shared by the findings of one file (a file can have millions).
    pub file: Arc<Path>,
    pub diagnostic: Diagnostic,
}

/// What a rule reports into; it stamps the rule's code and severity on each finding.
pub struct Findings {
    rule: &'static Rule,
    pub out: Vec<Finding>,
    /// The file of the last finding, for the next one in the same file to share.
    last_file: Option<Arc<Path>>,
}

impl Findings {
    /// A finding of the current rule in `file`; complete it with labels and help.
    pub fn add(&mut self, file: impl AsRef<Path>, diagnostic: Diagnostic) {
        let mut diagnostic = diagnostic;
        diagnostic.code = self.rule.code;
        diagnostic.severity = self.rule.severity;
        // `format!` reserves about twice what it writes. Copied into exactly its size, the
        // message leaves its first buffer whole for the next finding's `format!` (shrinking
        // in place would leave a sliver no later allocation fits).
        diagnostic.message = exact(diagnostic.message);
        if let Some(Cow::Owned(help)) = &mut diagnostic.help {
            *help = exact(std::mem::take(help));
        }
        let file = match &self.last_file {
            Some(last) if **last == *file.as_ref() => last.clone(),
            _ => self.last_file.insert(Arc::from(file.as_ref())).clone(),
        };
        self.out.push(Finding { file, diagnostic });
    }

    /// A diagnostic to fill in: the rule sets code and severity when it is added.
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.rule.code, message)
    }
}

fn exact(s: String) -> String {
    if s.capacity() == s.len() {
        s
    } else {
        s.as_str().to_owned()
    }
}

/// Which rules run: all but `ignore`, only `select` when it names any (the command line's
/// `--select` and `--ignore`). Rules left out do not run at all.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
}

impl Selection {
    pub fn runs(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.contains(&rule.code))
            && !self.ignore.contains(&rule.code)
    }
}

/// Runs every rule: the single-cluster ones on each cluster of a major they apply to, the
/// cross-node ones on all of them together (and the intended topology, if given).
pub fn check(fleet: &Fleet<'_>) -> Vec<Finding> {
    let every = Selection::default();
    let mut all: Vec<Finding> = fleet
        .clusters
        .iter()
        .flat_map(|c| check_cluster(c, &every))
        .collect();
    all.extend(check_fleet(fleet, &every));
    finish(all)
}

/// The single-cluster rules on one cluster, its suppression comments applied.
pub fn check_cluster(cluster: &Cluster, selection: &Selection) -> Vec<Finding> {
    let mut all = Vec::new();
    for rule in rules::ALL {
        let Check::Cluster(check) = rule.check else {
            continue;
        };
        if !selection.runs(rule) {
            continue;
        }
        if !(rule.majors.0..=rule.majors.1).contains(&cluster.major) {
            continue;
        }
        // Every rule adds to the one list: appending a rule's million findings to another's
        // would copy them all into a list twice the size.
        let mut findings = Findings {
            rule,
            out: std::mem::take(&mut all),
            last_file: None,
        };
        check(cluster, &mut findings);
        all = findings.out;
    }
    all.retain(|f| !suppressed(f, &cluster.suppressions));
    all
}

/// The cross-node rules, with every cluster's suppression comments applied.
pub fn check_fleet(fleet: &Fleet<'_>, selection: &Selection) -> Vec<Finding> {
    let mut all = Vec::new();
    for rule in rules::ALL {
        let Check::Fleet(check) = rule.check else {
            continue;
        };
        if !selection.runs(rule) {
            continue;
        }
        let mut findings = Findings {
            rule,
            out: std::mem::take(&mut all),
            last_file: None,
        };
        check(fleet, &mut findings);
        all = findings.out;
    }
    all.retain(|f| {
        !fleet
            .clusters
            .iter()
            .any(|c| suppressed(f, &c.suppressions))
    });
    all
}

/// Loads, checks and slims each cluster on a pool of threads (clusters are independent), so
/// that a fleet of thousands is read at the speed of the machine and never held in memory
/// whole; then runs the cross-node rules on what is left. Clusters come back in `sources`
/// order, findings sorted.
pub fn check_sources<S: Sync>(
    sources: &[S],
    load: &(dyn Fn(&S) -> Cluster + Sync),
    intended: Option<&Intended>,
    selection: &Selection,
) -> (Vec<Cluster>, Vec<Finding>) {
    let done: Vec<(Cluster, Vec<Finding>)> = crate::parallel::map(sources, &|source| {
        let mut cluster = load(source);
        let findings = check_cluster(&cluster, selection);
        cluster.slim();
        (cluster, findings)
    });
    let mut clusters = Vec::with_capacity(done.len());
    let mut all = Vec::new();
    for (cluster, findings) in done {
        clusters.push(cluster);
        gather(&mut all, findings);
    }
    gather(
        &mut all,
        check_fleet(&Fleet::new(&clusters, intended), selection),
    );
    (clusters, finish(all))
}

/// `more` appended to `all`; moved, not copied, when `all` is empty (one cluster, one rule
/// with a million findings).
fn gather(all: &mut Vec<Finding>, mut more: Vec<Finding>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.append(&mut more);
    }
}

fn suppressed(f: &Finding, suppressions: &[(PathBuf, suppress::Suppression)]) -> bool {
    let at = f.diagnostic.offset();
    suppressions.iter().any(|(path, s)| {
        **path == *f.file
            && suppress::codes(s).contains(f.diagnostic.code)
            && s.line
                .as_ref()
                .is_none_or(|l| l.contains(&at) || (l.is_empty() && l.start == at))
    })
}

/// Sorted by file and place; two clusters sharing a file (a pg_hba.conf given twice) must
/// not report it twice.
fn finish(mut all: Vec<Finding>) -> Vec<Finding> {
    // The same file is most often the same Arc: no walk through its path's components.
    let same = |a: &Arc<Path>, b: &Arc<Path>| Arc::ptr_eq(a, b) || a == b;
    all.sort_by(|a, b| {
        let file = if Arc::ptr_eq(&a.file, &b.file) {
            std::cmp::Ordering::Equal
        } else {
            a.file.cmp(&b.file)
        };
        file.then_with(|| {
            (a.diagnostic.offset(), a.diagnostic.code)
                .cmp(&(b.diagnostic.offset(), b.diagnostic.code))
                .then_with(|| a.diagnostic.message.cmp(&b.diagnostic.message))
        })
    });
    // Equal findings need not be neighbours: one with the same code, place and message but
    // other labels can sort between them. Each is compared with the ones kept for its code,
    // place and message (one or two), in place.
    let same_place = |a: &Finding, b: &Finding| {
        same(&a.file, &b.file)
            && a.diagnostic.offset() == b.diagnostic.offset()
            && a.diagnostic.code == b.diagnostic.code
            && a.diagnostic.message == b.diagnostic.message
    };
    let (mut kept, mut place) = (0, 0);
    for i in 0..all.len() {
        if kept > place && !same_place(&all[place], &all[i]) {
            place = kept;
        }
        let repeat = all[place..kept]
            .iter()
            .any(|k| same(&k.file, &all[i].file) && k.diagnostic == all[i].diagnostic);
        if !repeat {
            all.swap(kept, i);
            kept += 1;
        }
    }
    all.truncate(kept);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_selection_runs_only_the_rules_it_names() {
        let wal = rule("PGR007").unwrap();
        let hba = rule("PGR011").unwrap();
        let every = Selection::default();
        assert!(every.runs(wal) && every.runs(hba));
        let only = Selection {
            select: vec!["PGR007"],
            ignore: vec![],
        };
        assert!(only.runs(wal) && !only.runs(hba));
        let but = Selection {
            select: vec![],
            ignore: vec!["PGR007"],
        };
        assert!(!but.runs(wal) && but.runs(hba));
    }

    #[test]
    fn equal_findings_are_reported_once_even_when_not_neighbours() {
        let file: Arc<Path> = Arc::from(Path::new("pg_hba.conf"));
        let at = |label: &'static str| Finding {
            file: file.clone(),
            diagnostic: Diagnostic::error("PGR011", "m")
                .label(3..7, "here")
                .label(20..22, label),
        };
        // As two clusters sharing the file report it: a, b from one, a and b from the other.
        let out = finish(vec![at("a"), at("b"), at("a"), at("b")]);
        let second: Vec<&str> = out.iter().map(|f| &*f.diagnostic.labels[1].text).collect();
        assert_eq!(second, ["a", "b"]);
        // A different place starts afresh; an equal finding there is kept.
        let mut later = at("a");
        later.diagnostic.labels[0].span = 9..12;
        // Another message at the same place sorts by message, and is kept.
        let mut other = at("a");
        other.diagnostic.message = "n".into();
        assert_eq!(finish(vec![other.clone(), at("a"), other]).len(), 2);
        assert_eq!(
            finish(vec![at("a"), later.clone(), at("a"), later]).len(),
            2
        );
    }
}
