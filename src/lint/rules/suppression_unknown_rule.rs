use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A `# pgrepl: ignore` comment naming a rule that does not exist.
    ///
    /// ## Why it matters
    /// A typo in a suppression silences nothing, and the finding it was meant for stays.
    /// `pgrepl rules` lists the codes and names.
    ///
    /// ## Example
    /// `max_wal_senders = 0  # pgrepl: ignore PGR80`
    ///
    /// ## Use instead
    /// `max_wal_senders = 0  # pgrepl: ignore PGR008`
    pub static RULE = {
        code: "PGR018",
        name: "suppression-unknown-rule",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    for (path, s) in &c.suppressions {
        for (name, span) in &s.rules {
            if crate::lint::rule(name).is_none() {
                let mut d = f
                    .diag(format!(
                        "\"{name}\" is not a pgrepl rule; this suppression has no effect"
                    ))
                    .label(span.clone(), "unknown rule");
                // Codes are numbers: an edit distance between them means nothing.
                let all = crate::lint::rules::ALL;
                if name.to_ascii_uppercase().starts_with("PGR") {
                    let (first, last) = (all[0].code, all[all.len() - 1].code);
                    f.add(
                        path.clone(),
                        d.help(format!(
                            "rule codes run from {first} to {last}; `pgrepl rules` lists them"
                        )),
                    );
                    continue;
                }
                let names = all.iter().map(|r| r.name);
                d = match crate::suggest::did_you_mean(name, names) {
                    Some(s) => d.help(format!("did you mean {s}?")),
                    None => d.help("`pgrepl rules` lists the codes and names"),
                };
                f.add(path.clone(), d);
            }
        }
    }
}
