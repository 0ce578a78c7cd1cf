use crate::lint::fleet::standby_name;
use crate::lint::{Findings, Fleet};

crate::declare_rule! {
    /// synchronous_standby_names that fewer of the known standbys match than it waits for.
    ///
    /// ## Why it matters
    /// With synchronous replication on, every commit waits until the number of listed
    /// standbys it asks for has confirmed it. A name that matches no standby (a typo, a
    /// renamed node, a standby that reports "walreceiver" because its primary_conninfo has no
    /// application_name) makes every writing transaction hang, while the server looks healthy.
    ///
    /// A standby's name is its primary_conninfo's application_name, else its cluster_name
    /// (12+), else "walreceiver"; names match case-insensitively; `*` matches any standby.
    /// The standbys known are the linted clusters streaming from this one and, with
    /// `--topology`, the topology's. With none known, the rule says nothing.
    ///
    /// ## Example
    /// `synchronous_standby_names = 'FIRST 1 (pg-b)'` while the standby connects as `pg_b`
    ///
    /// ## Use instead
    /// `synchronous_standby_names = 'FIRST 1 (pg_b)'`, the standby's application_name
    pub static RULE = {
        code: "PGR025",
        name: "sync-standby-unknown",
        severity: Error,
        majors: 10..=18,
        fleet_check: check,
    };
}

/// `FIRST n (a, b)`, `ANY n (a, b)`, `n (a, b)` or `a, b` (FIRST 1): how many, and the names.
fn parse(value: &str) -> Option<(usize, Vec<String>)> {
    let v = value.trim();
    let (count, list) = match v.find('(') {
        Some(open) => {
            let head: Vec<&str> = v[..open].split_whitespace().collect();
            let n = match head.as_slice() {
                [n] => n.parse().ok()?,
                [method, n]
                    if method.eq_ignore_ascii_case("first")
                        || method.eq_ignore_ascii_case("any") =>
                {
                    n.parse().ok()?
                }
                _ => return None,
            };
            (n, v[open + 1..].strip_suffix(')')?)
        }
        None => (1, v),
    };
    let names = list
        .split(',')
        .map(|n| {
            let n = n.trim();
            match n.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => n.to_ascii_lowercase(),
            }
        })
        .filter(|n| !n.is_empty())
        .collect();
    Some((count, names))
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, c) in fleet.clusters.iter().enumerate() {
        let Some(s) = c.effective("synchronous_standby_names") else {
            continue;
        };
        let Some((count, names)) = parse(&s.setting.value) else {
            continue;
        };
        if names.is_empty() || count == 0 {
            continue;
        }
        let mut known: Vec<String> = fleet
            .downstream(i)
            .map(|d| standby_name(&fleet.clusters[d]))
            .collect();
        if let (Some(intended), Some(n)) = (fleet.intended, fleet.node[i]) {
            let nodes = &intended.topology.nodes;
            known.extend(nodes[n].downstream.iter().map(|d| nodes[*d].name.clone()));
        }
        if known.is_empty() {
            continue;
        }
        known.iter_mut().for_each(|k| k.make_ascii_lowercase());
        known.sort();
        known.dedup();
        let available = if names.iter().any(|n| n == "*") {
            known.len()
        } else {
            names
                .iter()
                .filter(|n| known.contains(&n.to_ascii_lowercase()))
                .count()
        };
        if available >= count {
            continue;
        }
        let d = f
            .diag(format!(
                "synchronous_standby_names waits for {count} of ({}), but {available} of the standbys known ({}) match: commits hang",
                names.join(", "),
                known.join(", ")
            ))
            .label(s.setting.value_span.clone(), "names no streaming standby")
            .help("list the standbys' application_name values (primary_conninfo's application_name, else cluster_name)");
        f.add(s.file, d);
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_three_forms_parse() {
        assert_eq!(
            parse("FIRST 2 (a, \"B\")"),
            Some((2, vec!["a".into(), "B".into()]))
        );
        assert_eq!(
            parse("any 1 (x,y)"),
            Some((1, vec!["x".into(), "y".into()]))
        );
        assert_eq!(parse("2 (a,b)"), Some((2, vec!["a".into(), "b".into()])));
        assert_eq!(
            parse("Pg_A, pg_b"),
            Some((1, vec!["pg_a".into(), "pg_b".into()]))
        );
        assert_eq!(parse("*"), Some((1, vec!["*".into()])));
        assert_eq!(parse("FIRST x (a)"), None);
    }
}
