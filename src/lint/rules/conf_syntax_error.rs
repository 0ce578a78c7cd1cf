use crate::lint::{Cluster, Findings};
use crate::pgconf::conf::Item;
use crate::pgconf::file_settings::MAX_SYNTAX_ERRORS;

crate::declare_rule! {
    /// A line of postgresql.conf (or an included file) the server cannot parse.
    ///
    /// ## Why it matters
    /// The server refuses to start ("configuration file contains errors"), and a reload keeps
    /// the old settings. At start-up it reports every syntax error (up to 100 per file) and
    /// reads on, so lint does too: every syntax error, and what is wrong in the lines and
    /// included files after them, in one run. Values that are not plain words or numbers must
    /// be single-quoted.
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
        let errors = file.lines.iter().filter_map(|l| match &l.item {
            Item::Error(e) => Some((l.number, e)),
            _ => None,
        });
        // The server gives up on a file after MAX_SYNTAX_ERRORS: what follows is not read.
        for (n, (number, e)) in errors.take(MAX_SYNTAX_ERRORS).enumerate() {
            let near = e
                .near
                .as_deref()
                .map_or("end of line".to_owned(), |t| format!("token \"{t}\""));
            let mut message = format!("syntax error near {near}");
            if n + 1 == MAX_SYNTAX_ERRORS {
                message.push_str(&format!(
                    "; the server abandons the file after {MAX_SYNTAX_ERRORS} syntax errors: nothing after line {number} is read"
                ));
            }
            let d = f
                .diag(message)
                .label(e.span.clone(), "the server cannot parse this line")
                .help("quote values that are not a plain word or number: name = 'value'. The server refuses to start while any line has a syntax error; lint reports them all, and the problems of the lines after them");
            f.add(path, d);
        }
    }
}
