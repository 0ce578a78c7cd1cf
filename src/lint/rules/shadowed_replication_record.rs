use crate::lint::{Cluster, Findings};
use crate::pgconf::hba::{Address, Record};

crate::declare_rule! {
    /// A replication record that can never match, because an earlier record catches every
    /// connection it would (pg_hba.conf: first match wins).
    ///
    /// ## Why it matters
    /// The record looks right, and standbys are still refused (an earlier `reject`) or
    /// authenticated another way (an earlier, broader rule). pgrepl gen puts its records
    /// before all others for this reason.
    ///
    /// ## Example
    /// `host replication all 10.0.0.0/8 reject` above `host replication replicator 10.0.0.7/32 scram-sha-256`
    ///
    /// ## Use instead
    /// move the replication record above the broader one
    pub static RULE = {
        code: "PGR019",
        name: "shadowed-replication-record",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

/// Whether every connection `later` matches is matched by `earlier` first.
fn covers(earlier: &Record, later: &Record) -> bool {
    let types = earlier.conn_type == later.conn_type
        || (earlier.conn_type == "host" && later.conn_type.starts_with("host"));
    let users = earlier.users.iter().any(|t| !t.quoted && t.text == "all")
        || later.users.iter().all(|u| {
            earlier
                .users
                .iter()
                .any(|e| e.quoted == u.quoted && e.text == u.text)
        });
    let address = match (&earlier.address, &later.address) {
        (Address::None, Address::None) | (Address::All, _) => true,
        (Address::Net { addr: ea, mask: em }, Address::Net { addr: la, mask: lm }) => {
            // The later network lies inside the earlier one.
            let bits = |a: &std::net::IpAddr| match a {
                std::net::IpAddr::V4(v) => Some((u128::from(u32::from(*v)), 32)),
                std::net::IpAddr::V6(v) => Some((u128::from(*v), 128)),
            };
            match (bits(ea), bits(em), bits(la), bits(lm)) {
                (Some((ea, w1)), Some((em, _)), Some((la, w2)), Some((lm, _))) if w1 == w2 => {
                    em & lm == em && (la & em) == (ea & em)
                }
                _ => false,
            }
        }
        _ => false,
    };
    types && earlier.is_replication() && users && address
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    let parsed: Vec<_> = hba
        .rows
        .iter()
        .filter(|r| r.error.is_none())
        .filter_map(|r| r.parsed.as_ref().map(|p| (r, p)))
        .collect();
    for (i, (rule, rec)) in parsed.iter().enumerate() {
        if !rec.is_replication() {
            continue;
        }
        if let Some((first, first_rec)) = parsed[..i].iter().find(|(_, e)| covers(e, rec)) {
            let file = hba.file_of(rule);
            let d = f
                .diag(format!(
                    "pg_hba.conf line {} never matches: line {} ({} {}) catches its connections first",
                    rule.line_number, first.line_number, first_rec.conn_type, first_rec.method
                ))
                .label(rule.label_span(), "shadowed")
                .label(first.label_span(), "matches first")
                .help("move the replication record above the broader one: the first matching record decides");
            f.add(file, d);
        }
    }
}
