use crate::catalog::history::{Lookup, lookup};
use crate::catalog::values::check as check_value;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A value the parameter's type, unit, range or enum refuses in this major.
    ///
    /// ## Why it matters
    /// The server refuses to start ("invalid value for parameter"), or ignores the line on a
    /// reload. Units are case-sensitive (`64MB`, not `64mb`), enums change between majors
    /// (`password_encryption = on` is refused from 14).
    ///
    /// ## Example
    /// `password_encryption = on` on PostgreSQL 16
    ///
    /// ## Use instead
    /// `password_encryption = 'scram-sha-256'`
    pub static RULE = {
        code: "PGR005",
        name: "invalid-value",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let rules = crate::catalog::values::NumberRules::for_major(c.major);
    for s in c.settings() {
        let param = match lookup(c.major, &s.setting.name) {
            Lookup::Known(p) | Lookup::Alias { param: p } => p,
            _ => continue,
        };
        if let Err(e) = check_value(param, &s.setting.value, rules) {
            let d = f
                .diag(e.describe(param))
                .label(s.setting.value_span.clone(), "refused by the server")
                .help(format!(
                    "`pgrepl param {} --pg-version {}` shows what it accepts",
                    param.name, c.major
                ));
            f.add(s.file, d);
        }
    }
}
