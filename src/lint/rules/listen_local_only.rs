use crate::lint::cluster::Role;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A primary that listens on localhost only, so standbys cannot reach it.
    ///
    /// ## Why it matters
    /// `listen_addresses` defaults to `localhost`: the guide's most forgotten step.
    /// pg_basebackup then fails with "Connection refused". Reported for primaries, and for
    /// configurations of unknown role whose pg_hba.conf admits replication from the network
    /// (a standby's own replication records are for after a promotion). Not reported when
    /// every replication record admits loopback only: its standbys are on this host (a lab).
    ///
    /// ## Example
    /// `#listen_addresses = 'localhost'` (unset)
    ///
    /// ## Use instead
    /// `listen_addresses = '*'` or the server's own address (a restart is needed)
    pub static RULE = {
        code: "PGR009",
        name: "listen-local-only",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

/// The records admitting replication over TCP, rejections left out.
fn network_replication(c: &Cluster) -> impl Iterator<Item = &crate::pgconf::hba::Record> {
    c.hba
        .iter()
        .flat_map(|h| h.records())
        .map(|(_, r)| r)
        .filter(|r| r.conn_type != "local" && r.method != "reject" && r.is_replication())
}

fn check(c: &Cluster, f: &mut Findings) {
    let primary_like = match c.role {
        Role::Primary => true,
        Role::Unknown => network_replication(c).next().is_some(),
        Role::Standby => false,
    };
    let only_loopback_standbys = network_replication(c).next().is_some()
        && network_replication(c).all(|r| r.address.is_loopback_only());
    if !primary_like || only_loopback_standbys {
        return;
    }
    let Some(conf) = c.conf_path() else { return };
    let value = c.value("listen_addresses").unwrap_or_default();
    let local = value
        .split(',')
        .map(str::trim)
        .all(|a| matches!(a, "" | "localhost" | "127.0.0.1" | "::1"));
    if !local {
        return;
    }
    let (file, span, what) = match c.effective("listen_addresses") {
        Some(s) => (
            s.file.to_path_buf(),
            s.setting.value_span.clone(),
            "local connections only",
        ),
        None => match c.commented_out("listen_addresses") {
            Some((file, line)) => (
                file.to_path_buf(),
                line,
                "commented out: the default, localhost, applies",
            ),
            None => (
                conf.to_path_buf(),
                0..0,
                "listen_addresses is not set: the default is localhost",
            ),
        },
    };
    let d = f
        .diag(format!("this server listens on {} only; standbys cannot connect", if value.is_empty() { "the Unix socket" } else { &value }))
        .label(span, what)
        .help("set listen_addresses = '*' (pg_hba.conf and the firewall still decide who may connect) and restart");
    f.add(file, d);
}
