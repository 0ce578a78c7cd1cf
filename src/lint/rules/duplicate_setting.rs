use std::collections::HashMap;

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
    let all: Vec<_> = c.settings().collect();
    let mut last: HashMap<(String, &std::path::Path), usize> = HashMap::new();
    for (i, s) in all.iter().enumerate() {
        last.insert((s.setting.name.to_ascii_lowercase(), s.file), i);
    }
    for (i, s) in all.iter().enumerate() {
        let key = (s.setting.name.to_ascii_lowercase(), s.file);
        let winner = last[&key];
        if winner != i {
            let w = &all[winner];
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
