use crate::lint::{Cluster, Findings};
use std::path::Path;

crate::declare_rule! {
    /// An `include`, `include_dir` or nested include that cannot be read.
    ///
    /// ## Why it matters
    /// A missing `include` target (or nesting deeper than 10, which is where an include
    /// cycle ends) is an error: the server does not start. Use `include_if_exists` for
    /// optional files.
    ///
    /// ## Example
    /// `include 'replication.conf'` with no such file next to postgresql.conf
    ///
    /// ## Use instead
    /// `include_if_exists 'replication.conf'`, or create the file
    pub static RULE = {
        code: "PGR002",
        name: "include-error",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(conf) = &c.conf else { return };
    for row in conf.rows.iter().filter(|r| r.name.is_none()) {
        // Syntax errors, and the abandoning of a file after too many, are PGR001's.
        let Some(error) = row
            .error
            .as_deref()
            .filter(|e| *e != "syntax error" && !e.starts_with("too many syntax errors"))
        else {
            continue;
        };
        let (Some(file), Some(line)) = (row.sourcefile.as_deref(), row.sourceline) else {
            continue;
        };
        let span = c.line_span(Path::new(file), line).unwrap_or(0..0);
        let d = f
            .diag(error.to_owned())
            .label(span, "included from here")
            .help("include paths are relative to the including file's directory; include_if_exists tolerates a missing file");
        f.add(file, d);
    }
}
