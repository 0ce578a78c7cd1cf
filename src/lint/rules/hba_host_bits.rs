use std::net::IpAddr;

use crate::lint::{Cluster, Findings};
use crate::pgconf::hba::Address;

crate::declare_rule! {
    /// A pg_hba address with host bits set beside its prefix, such as `10.0.0.5/24`.
    ///
    /// ## Why it matters
    /// PostgreSQL masks the address, so `10.0.0.5/24` admits all of 10.0.0.0/24: 254 hosts
    /// where the author almost certainly meant one (`/32`), or wrote the network sloppily.
    ///
    /// ## Example
    /// `host replication replicator 10.0.0.5/24 scram-sha-256`
    ///
    /// ## Use instead
    /// `10.0.0.5/32` for one host, `10.0.0.0/24` for the network
    pub static RULE = {
        code: "PGR035",
        name: "hba-host-bits",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    for (r, rec) in hba.records() {
        let Address::Net { addr, mask } = &rec.address else {
            continue;
        };
        let (network, host_bits, prefix, full) = match (addr, mask) {
            (IpAddr::V4(a), IpAddr::V4(m)) => {
                let (a, m) = (u32::from(*a), u32::from(*m));
                (
                    IpAddr::from((a & m).to_be_bytes()),
                    a & !m != 0,
                    m.count_ones(),
                    32,
                )
            }
            (IpAddr::V6(a), IpAddr::V6(m)) => {
                let (a, m) = (u128::from(*a), u128::from(*m));
                (
                    IpAddr::from((a & m).to_be_bytes()),
                    a & !m != 0,
                    m.count_ones(),
                    128,
                )
            }
            _ => continue,
        };
        if !host_bits {
            continue;
        }
        let d = f
            .diag(format!(
                "{addr}/{prefix} has host bits set: it admits all of {network}/{prefix}"
            ))
            .label(r.label_span(), "a whole network, not one host")
            .help(format!(
                "write {addr}/{full} for this host, or {network}/{prefix} for the network"
            ));
        let file = hba.file_of(r);
        f.add(file, d);
    }
}
