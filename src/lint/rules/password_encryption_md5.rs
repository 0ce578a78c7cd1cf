use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `password_encryption = md5`: new passwords get md5 hashes.
    ///
    /// ## Why it matters
    /// A role with an md5 hash cannot log in through a scram-sha-256 pg_hba record; md5 is
    /// deprecated and PostgreSQL 18 warns on every md5 login. It is also the default on 10-13.
    ///
    /// ## Example
    /// `password_encryption = md5`
    ///
    /// ## Use instead
    /// `password_encryption = 'scram-sha-256'`, then set the passwords again
    pub static RULE = {
        code: "PGR021",
        name: "password-encryption-md5",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    if let Some(s) = c.effective("password_encryption") {
        // A value this major refuses (`on` from 14) hashes nothing: invalid-value says so.
        let accepted = match crate::catalog::history::lookup(c.major, "password_encryption") {
            crate::catalog::history::Lookup::Known(p) => crate::catalog::values::check(
                p,
                &s.setting.value,
                crate::catalog::values::NumberRules::for_major(c.major),
            )
            .is_ok(),
            _ => true,
        };
        if accepted
            && matches!(
                s.setting.value.to_ascii_lowercase().as_str(),
                "md5" | "on" | "true" | "yes" | "1"
            )
        {
            let d = f
                .diag(format!(
                    "password_encryption = {}: passwords are hashed with md5",
                    s.setting.value
                ))
                .label(s.setting.value_span.clone(), "md5 hashes")
                .help(
                    "set password_encryption = 'scram-sha-256' and set the roles' passwords again",
                );
            f.add(s.file, d);
        }
    }
}
