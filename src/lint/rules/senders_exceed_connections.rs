use crate::lint::{Cluster, Findings};

/// How each major before 12 limits max_wal_senders (WAL senders were then taken from
/// max_connections' slots). Measured with the real servers: 10 refuses to start when
/// max_wal_senders >= max_connections; 11 when superuser_reserved_connections plus
/// max_wal_senders >= max_connections.
const LIMITS: [(u32, bool); 2] = [(10, false), (11, true)];

crate::declare_rule! {
    /// Before PostgreSQL 12: max_wal_senders too large for max_connections, so the server
    /// does not start.
    ///
    /// ## Why it matters
    /// Until 12, WAL senders used ordinary connection slots. PostgreSQL 10 refuses to start
    /// with "max_wal_senders must be less than max_connections", 11 with
    /// "superuser_reserved_connections (3) plus max_wal_senders (10) must be less than
    /// max_connections (10)".
    ///
    /// ## Example
    /// `max_connections = 10` and `max_wal_senders = 10` on PostgreSQL 11
    ///
    /// ## Use instead
    /// `max_connections = 100`, or fewer WAL senders
    pub static RULE = {
        code: "PGR031",
        name: "senders-exceed-connections",
        severity: Error,
        majors: 10..=11,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(&(_, with_reserved)) = LIMITS.iter().find(|(m, _)| *m == c.major) else {
        return;
    };
    let int = |name: &str| c.value(name).and_then(|v| v.trim().parse::<i64>().ok());
    let (Some(senders), Some(connections)) = (int("max_wal_senders"), int("max_connections"))
    else {
        return;
    };
    let reserved = if with_reserved {
        int("superuser_reserved_connections").unwrap_or(3)
    } else {
        0
    };
    if reserved + senders < connections {
        return;
    }
    let Some(at) = c
        .effective("max_wal_senders")
        .or_else(|| c.effective("max_connections"))
    else {
        return;
    };
    let what = if with_reserved {
        format!(
            "superuser_reserved_connections ({reserved}) plus max_wal_senders ({senders}) is not less than max_connections ({connections})"
        )
    } else {
        format!("max_wal_senders ({senders}) is not less than max_connections ({connections})")
    };
    let d = f
        .diag(format!("{what}: PostgreSQL {} does not start", c.major))
        .label(
            at.setting.value_span.clone(),
            "too many for max_connections",
        )
        .help(format!(
            "raise max_connections above {}, or lower max_wal_senders",
            reserved + senders
        ));
    f.add(at.file, d);
}
