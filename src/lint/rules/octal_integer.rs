use crate::catalog::params::ParamType;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// An integer with a leading zero, which the server reads as octal.
    ///
    /// ## Why it matters
    /// `work_mem = 010` is 8kB, not 10kB; `max_connections = 0100` is 64. The server accepts
    /// it silently, in every major.
    ///
    /// ## Example
    /// `max_wal_senders = 010`
    ///
    /// ## Use instead
    /// `max_wal_senders = 10`
    pub static RULE = {
        code: "PGR010",
        name: "octal-integer",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(params) = crate::catalog::params::params(c.major) else {
        return;
    };
    for s in c.settings() {
        let Some(p) = params.get(&s.setting.name) else {
            continue;
        };
        let v = s.setting.value.trim().trim_start_matches(['-', '+']);
        let digits = v.bytes().take_while(u8::is_ascii_digit).count();
        if p.ty == ParamType::Integer && v.starts_with('0') && digits > 1 {
            let octal = i64::from_str_radix(&v[..digits], 8)
                .map_or("not even octal".to_owned(), |n| n.to_string());
            let d = f
                .diag(format!(
                    "{} = {} is read as octal: {octal}",
                    s.setting.name, s.setting.value
                ))
                .label(s.setting.value_span.clone(), "leading zero means octal")
                .help(format!(
                    "write {} without the leading zero",
                    v.trim_start_matches('0')
                ));
            f.add(s.file, d);
        }
    }
}
