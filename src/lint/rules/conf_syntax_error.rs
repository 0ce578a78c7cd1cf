use crate::lint::{Cluster, Findings};
use crate::pgconf::conf::Item;

crate::declare_rule! {
    /// A line of postgresql.conf (or an included file) the server cannot parse.
    ///
    /// ## Why it matters
    /// The server refuses to start ("configuration file contains errors"), and a reload keeps
    /// the old settings. Values that are not plain words or numbers must be single-quoted.
    ///
    /// ## Example
    /// `listen_addresses = *`
    ///
    /// ## Use instead
    /// `listen_addresses = '*'`
    pub static RULE = {
        code: "PGR001",
        name: "conf-syntax-error",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    for (path, file) in c.conf.iter().flat_map(|s| s.files.iter()) {
        for line in &file.lines {
            if let Item::Error(e) = &line.item {
                let near = e
                    .near
                    .as_deref()
                    .map_or("end of line".to_owned(), |t| format!("token \"{t}\""));
                let d = f
                    .diag(format!("syntax error near {near}"))
                    .label(e.span.clone(), "the server stops reading here")
                    .help("quote values that are not a plain word or number: name = 'value'");
                f.add(path, d);
            }
        }
    }
}
