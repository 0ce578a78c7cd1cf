use crate::lint::{Cluster, Findings};
use crate::pgconf::hba::Address;

crate::declare_rule! {
    /// A replication record that admits more than the standbys' own addresses.
    ///
    /// ## Why it matters
    /// Anyone on the network range who learns the role's password can copy the whole
    /// database with pg_basebackup. Each standby needs one /32 (IPv4) or /128 (IPv6) record.
    ///
    /// ## Example
    /// `host replication replicator 0.0.0.0/0 scram-sha-256`
    ///
    /// ## Use instead
    /// `host replication replicator 172.16.93.133/32 scram-sha-256`, one per standby
    pub static RULE = {
        code: "PGR012",
        name: "replication-source-wide",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    for (r, rec) in hba.records() {
        if !rec.is_replication() || rec.method == "reject" {
            continue;
        }
        let wide = match &rec.address {
            Address::All => Some("every address".to_owned()),
            Address::SameNet => Some("the server's whole subnets".to_owned()),
            Address::Net { mask, .. } => {
                let ones = match mask {
                    std::net::IpAddr::V4(m) => u32::from(*m).count_ones(),
                    std::net::IpAddr::V6(m) => u128::from(*m).count_ones(),
                };
                let full = if mask.is_ipv4() { 32 } else { 128 };
                (ones < full).then(|| format!("a /{ones} range"))
            }
            _ => None,
        };
        if let Some(what) = wide {
            let file = hba.file_of(r);
            let d = f
                .diag(format!("pg_hba.conf line {} admits replication from {what}", r.line_number))
                .label(r.label_span(), "wider than one standby")
                .help("admit each standby's own address: /32 for IPv4, /128 for IPv6 (pgrepl gen writes these)");
            f.add(file, d);
        }
    }
}
