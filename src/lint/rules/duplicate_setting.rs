use std::borrow::Cow;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::lint::cluster::Located;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A parameter set more than once: only the last occurrence counts.
    ///
    /// ## Why it matters
    /// Editing the first occurrence (the one people find first) changes nothing. Harmless
    /// when a drop-in in conf.d overrides postgresql.conf on purpose; this rule reports
    /// repeats within one file.
    ///
    /// ## Example
    /// `max_wal_senders = 10` on line 40 and `max_wal_senders = 2` on line 300
    ///
    /// ## Use instead
    /// one line per parameter
    pub static RULE = {
        code: "PGR006",
        name: "duplicate-setting",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    // A setting's key: its file, as an index into the cluster's few files (comparing paths
    // component by component for each of a million lines would dominate), and its name,
    // lowercased only when it has capitals. The index holds one entry per key, the last
    // occurrence, and the settings are walked twice instead of collected: a file of a million
    // repeats costs one entry, not a million.
    let mut files: Vec<&Path> = Vec::new();
    let mut last: FxHashMap<(usize, Cow<str>), Located> = FxHashMap::default();
    for s in c.settings() {
        last.insert(key(&mut files, &s), s);
    }
    for s in c.settings() {
        let w = &last[&key(&mut files, &s)];
        if !std::ptr::eq(w.row, s.row) {
            let d = f
                .diag(format!(
                    "{} is set again on line {}; this line has no effect",
                    s.setting.name,
                    w.row.sourceline.unwrap_or(0)
                ))
                .label(s.setting.name_span.clone(), "overridden")
                .label(w.setting.name_span.clone(), "this one wins")
                .help("delete the earlier line so that the file says what the server uses");
            f.add(s.file, d);
        }
    }
}

fn key<'a>(files: &mut Vec<&'a Path>, s: &Located<'a>) -> (usize, Cow<'a, str>) {
    let file = match files
        .iter()
        .rposition(|f| std::ptr::eq(*f, s.file) || *f == s.file)
    {
        Some(i) => i,
        None => {
            files.push(s.file);
            files.len() - 1
        }
    };
    let name: &'a str = &s.setting.name;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    };
    (file, name)
}
