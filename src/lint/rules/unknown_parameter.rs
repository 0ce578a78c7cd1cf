use crate::catalog::history::{Lookup, lookup, suggest};
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A parameter name this major does not know (a typo, or a name from another major).
    ///
    /// ## Why it matters
    /// The server refuses to start: "unrecognized configuration parameter". Names with a dot
    /// (`extension.setting`) are custom and never reported.
    ///
    /// ## Example
    /// `max_wal_sender = 10`
    ///
    /// ## Use instead
    /// `max_wal_senders = 10`
    pub static RULE = {
        code: "PGR003",
        name: "unknown-parameter",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    for s in c.settings() {
        let name = &s.setting.name;
        if name.contains('.') {
            continue;
        }
        // A byte-order mark at the start of a file: the server reads it as part of the first
        // name (measured: "unrecognized configuration parameter" on every major).
        if let Some(rest) = name.strip_prefix('\u{feff}') {
            let d = f
                .diag(format!(
                    "the file starts with a UTF-8 byte-order mark, which the server reads as part of the name \"{rest}\": unrecognized configuration parameter"
                ))
                .label(s.setting.name_span.clone(), "a byte-order mark before the name")
                .help("save the file as UTF-8 without a byte-order mark");
            f.add(s.file, d);
            continue;
        }
        if lookup(c.major, name) == Lookup::Unknown {
            let mut d = f
                .diag(format!(
                    "unrecognized configuration parameter \"{name}\" in PostgreSQL {}",
                    c.major
                ))
                .label(s.setting.name_span.clone(), "not a parameter");
            d = match suggest(c.major, name) {
                Some(s) => d.help(format!("did you mean {s}?")),
                None => {
                    d.help("check the spelling, or `pgrepl param NAME` to see which majors have it")
                }
            };
            f.add(s.file, d);
        }
    }
}
