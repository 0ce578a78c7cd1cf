//! Semantic validation: from a well-formed topology to a `ValidTopology`, reporting every
//! problem with the span it comes from. Nothing here stops at the first error.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::doc::{Doc, Seg};
use super::model::{AuthMethod, PasswordSource, Role, Settings, SizeValue, Topology, WalLevel};
use super::valid::{EffectiveSettings, SyncSpec, ValidNode, ValidReplication, ValidTopology};
use crate::catalog::{self, MajorFacts};
use crate::diag::Diagnostic;
use crate::pgconf::units;

/// Below this much kept WAL, a standby without a slot that is down for a few minutes on a
/// busy primary needs a new base backup.
const SMALL_WAL_KEEP_MB: u64 = 1024;
/// `pg_basebackup -X stream` holds two WAL senders while a standby is being cloned.
const BASEBACKUP_SENDERS: u32 = 2;
const DEFAULT_MAX_WAL_SENDERS: u32 = 10;
const DEFAULT_WAL_KEEP_MB: u64 = 1024;
const DEFAULT_MAX_REPLICATION_SLOTS: u32 = 10;

struct Ctx<'d, 'i> {
    doc: &'d Doc<'i>,
    diags: Vec<Diagnostic>,
}

fn key(k: &str) -> Seg<'_> {
    Seg::Key(k)
}

fn node_path<'a>(i: usize, field: &'a str) -> Vec<Seg<'a>> {
    vec![key("nodes"), Seg::Index(i), key(field)]
}

impl Ctx<'_, '_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn span(&self, path: &[Seg<'_>]) -> std::ops::Range<usize> {
        self.doc.span(path)
    }
}

/// Names used in file names, shell scripts, pg_hba.conf and as application_name.
pub(super) fn is_safe_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// Role names: simple SQL identifiers, so that no quoting is needed anywhere.
fn is_simple_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && s.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

pub fn validate(topo: &Topology, doc: &Doc<'_>) -> (Option<ValidTopology>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        doc,
        diags: Vec::new(),
    };

    if !is_safe_name(&topo.cluster.name) {
        let path = [key("cluster"), key("name")];
        cx.push(
            Diagnostic::error(
                "topology::invalid-name",
                format!(
                    "cluster name \"{}\" cannot be used in file names and scripts",
                    topo.cluster.name
                ),
            )
            .label(cx.span(&path), "unsafe name")
            .help("use 1 to 63 lowercase letters, digits, `-` or `_`, starting with a letter"),
        );
    }
    // The range is checked structurally; this only guards the lookup.
    let facts = catalog::facts(topo.cluster.pg_version);

    let replication = check_replication(&mut cx, topo);
    let nodes = check_nodes(&mut cx, topo, facts);

    let has_errors = cx.diags.iter().any(Diagnostic::is_error);
    let mut diags = cx.diags;
    crate::diag::sort_and_dedup(&mut diags);
    match (facts, nodes, has_errors) {
        (Some(facts), Some((nodes, sync)), false) => (
            Some(ValidTopology {
                cluster: topo.cluster.name.clone(),
                facts,
                firewall: topo.cluster.firewall,
                replication,
                sync,
                nodes,
            }),
            diags,
        ),
        _ => (None, diags),
    }
}

fn check_replication(cx: &mut Ctx<'_, '_>, topo: &Topology) -> ValidReplication {
    let r = &topo.replication;
    if !is_simple_identifier(&r.user) {
        cx.push(
            Diagnostic::error(
                "topology::invalid-name",
                format!(
                    "replication role name \"{}\" is not a simple identifier",
                    r.user
                ),
            )
            .label(
                cx.span(&[key("replication"), key("user")]),
                "needs quoting in SQL and pg_hba.conf",
            )
            .help(
                "use lowercase letters, digits and `_`, starting with a letter or `_` (at most 63)",
            ),
        );
    } else if r.user == "postgres" {
        cx.push(
            Diagnostic::warning(
                "topology::superuser-replication",
                "the replication role is the superuser `postgres`",
            )
            .label(
                cx.span(&[key("replication"), key("user")]),
                "a superuser's password then travels to every standby",
            )
            .help("use a dedicated role such as `replicator`: it needs only REPLICATION LOGIN"),
        );
    }
    if r.auth_method == AuthMethod::Md5 {
        cx.push(
            Diagnostic::warning("topology::md5-auth", "md5 authentication is deprecated")
                .label(cx.span(&[key("replication"), key("auth_method")]), "md5 chosen here")
                .help("use \"scram-sha-256\" (the default): md5 hashes can be replayed and PostgreSQL 18 warns on every md5 login"),
        );
    }
    let pw_path = [key("replication"), key("password")];
    match &r.password {
        PasswordSource::Literal(_) => cx.push(
            Diagnostic::warning(
                "topology::literal-password",
                "the replication password is written in the topology file",
            )
            .label(cx.span(&pw_path), "plaintext password")
            .help("use `password = { env = \"PGREPL_REPLICATION_PASSWORD\" }` or `{ file = \"/root/replicator.password\" }`; pgrepl copies a literal password only into 0600 files under secrets/"),
        ),
        PasswordSource::Env(var) => {
            let ok = var.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                cx.push(
                    Diagnostic::error("topology::invalid-env-var", format!("\"{var}\" is not an environment variable name"))
                        .label(cx.span(&[key("replication"), key("password"), key("env")]), "not a variable name")
                        .help("use letters, digits and `_`, not starting with a digit, e.g. PGREPL_REPLICATION_PASSWORD"),
                );
            }
        }
        PasswordSource::File(path) => {
            check_path(cx, path, &[key("replication"), key("password"), key("file")]);
        }
    }
    if let Some(tls) = &r.tls {
        for (field, path) in [
            ("ca_file", &tls.ca_file),
            ("cert_file", &tls.cert_file),
            ("key_file", &tls.key_file),
        ] {
            check_path(cx, path, &[key("replication"), key("tls"), key(field)]);
        }
    }
    ValidReplication {
        user: r.user.clone(),
        auth_method: r.auth_method,
        password: r.password.clone(),
        tls: r.tls.clone(),
    }
}

fn check_path(cx: &mut Ctx<'_, '_>, path: &str, at: &[Seg<'_>]) -> bool {
    let ok = path.starts_with('/') && !path.chars().any(|c| c.is_control());
    if !ok {
        cx.push(
            Diagnostic::error(
                "topology::invalid-path",
                format!("\"{}\" is not an absolute path", path.escape_debug()),
            )
            .label(
                cx.span(at),
                "must start with `/` and hold no control characters",
            )
            .help("runbooks run from any directory, so every server path must be absolute"),
        );
    }
    ok
}

fn effective_settings(cx: &mut Ctx<'_, '_>, topo: &Topology, i: usize) -> EffectiveSettings {
    let node = &topo.nodes[i].postgresql;
    let all = &topo.postgresql;
    // Where a value came from, for labels: the node's override or [postgresql].
    let at = |field: &'static str, node_has: bool| -> Vec<Seg<'static>> {
        if node_has {
            vec![key("nodes"), Seg::Index(i), key("postgresql"), key(field)]
        } else {
            vec![key("postgresql"), key(field)]
        }
    };
    let pick = |f: fn(&Settings) -> bool| f(node);

    let wal_keep_mb = match node.wal_keep_size.as_ref().or(all.wal_keep_size.as_ref()) {
        None => DEFAULT_WAL_KEEP_MB,
        Some(SizeValue::Megabytes(mb)) => *mb,
        Some(SizeValue::Text(t)) => match units::parse_megabytes(t) {
            Ok(mb) => mb,
            Err(why) => {
                let path = at("wal_keep_size", pick(|s| s.wal_keep_size.is_some()));
                cx.push(
                    Diagnostic::error("topology::invalid-size", format!("wal_keep_size {why}"))
                        .label(cx.span(&path), "not a size PostgreSQL accepts")
                        .help("write a whole number of megabytes with a unit, e.g. \"64MB\" or \"1GB\""),
                );
                DEFAULT_WAL_KEEP_MB
            }
        },
    };
    if wal_keep_mb > i32::MAX as u64 {
        let path = at("wal_keep_size", pick(|s| s.wal_keep_size.is_some()));
        cx.push(
            Diagnostic::error(
                "topology::out-of-range",
                "wal_keep_size is larger than PostgreSQL allows",
            )
            .label(cx.span(&path), "above 2147483647MB")
            .help("PostgreSQL's maximum is 2147483647MB (about 2PB)"),
        );
    }
    let wal_level = node
        .wal_level
        .or(all.wal_level)
        .unwrap_or(WalLevel::Replica);
    if wal_level == WalLevel::Minimal {
        let path = at("wal_level", pick(|s| s.wal_level.is_some()));
        cx.push(
            Diagnostic::error(
                "topology::wal-level-minimal",
                "wal_level = \"minimal\" cannot feed a standby",
            )
            .label(
                cx.span(&path),
                "minimal WAL cannot be replayed by a standby",
            )
            .help("use \"replica\" (or \"logical\" if you also decode changes)"),
        );
    }
    let listen = node
        .listen_addresses
        .clone()
        .or_else(|| all.listen_addresses.clone())
        .unwrap_or_else(|| "*".to_owned());
    EffectiveSettings {
        listen_addresses: listen,
        wal_level,
        max_wal_senders: node
            .max_wal_senders
            .or(all.max_wal_senders)
            .unwrap_or(DEFAULT_MAX_WAL_SENDERS),
        wal_keep_mb,
        max_replication_slots: node
            .max_replication_slots
            .or(all.max_replication_slots)
            .unwrap_or(DEFAULT_MAX_REPLICATION_SLOTS),
        hot_standby: node.hot_standby.or(all.hot_standby).unwrap_or(true),
    }
}

/// Path of the value that decided a setting for node `i`: the override if present.
fn setting_path(
    topo: &Topology,
    i: usize,
    field: &'static str,
    overridden: bool,
) -> Vec<Seg<'static>> {
    let _ = topo;
    if overridden {
        vec![key("nodes"), Seg::Index(i), key("postgresql"), key(field)]
    } else {
        vec![key("postgresql"), key(field)]
    }
}

#[allow(clippy::type_complexity)]
fn check_nodes(
    cx: &mut Ctx<'_, '_>,
    topo: &Topology,
    facts: Option<&'static MajorFacts>,
) -> Option<(Vec<ValidNode>, Option<SyncSpec>)> {
    let nodes = &topo.nodes;
    if nodes.is_empty() {
        cx.push(
            Diagnostic::error("topology::primary-count", "the topology has no nodes")
                .label(cx.span(&[key("nodes")]), "empty")
                .help("add a [[nodes]] table with role = \"primary\" and one per standby"),
        );
        return None;
    }

    // Names.
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if !is_safe_name(&n.name) {
            cx.push(
                Diagnostic::error(
                    "topology::invalid-name",
                    format!(
                        "node name \"{}\" cannot be used in file names and scripts",
                        n.name.escape_debug()
                    ),
                )
                .label(cx.span(&node_path(i, "name")), "unsafe name")
                .help("use 1 to 63 lowercase letters, digits, `-` or `_`, starting with a letter"),
            );
        }
        if let Some(&first) = by_name.get(n.name.as_str()) {
            cx.push(
                Diagnostic::error(
                    "topology::duplicate-node",
                    format!("two nodes are named \"{}\"", n.name),
                )
                .label(cx.span(&node_path(i, "name")), "second use")
                .label(cx.span(&node_path(first, "name")), "first use")
                .help("node names name output directories and replication slots; make each unique"),
            );
        } else {
            by_name.insert(&n.name, i);
        }
    }
    // Slot names allow only [a-z0-9_]: `pg-2` and `pg_2` would share one.
    let mut by_slot: BTreeMap<String, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let slot = slot_name(&n.name);
        if let Some(&first) = by_slot.get(&slot) {
            if nodes[first].name != n.name {
                cx.push(
                    Diagnostic::error(
                        "topology::duplicate-node",
                        format!(
                            "nodes \"{}\" and \"{}\" would share the replication slot \"{slot}\"",
                            nodes[first].name, n.name
                        ),
                    )
                    .label(cx.span(&node_path(i, "name")), "maps to the same slot")
                    .label(cx.span(&node_path(first, "name")), "as this one")
                    .help(
                        "slot names cannot hold `-`, so pgrepl turns it into `_`; rename one node",
                    ),
                );
            }
        } else {
            by_slot.insert(slot, i);
        }
    }

    // Exactly one primary.
    let primaries: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].role == Role::Primary)
        .collect();
    match primaries.as_slice() {
        [] => cx.push(
            Diagnostic::error("topology::primary-count", "no node has role = \"primary\"")
                .label(
                    cx.span(&node_path(0, "role")),
                    "the first node, for example",
                )
                .help("exactly one node must be the primary that standbys stream from"),
        ),
        [_] => {}
        [first, rest @ ..] => {
            for &i in rest {
                cx.push(
                    Diagnostic::error("topology::primary-count", "more than one node has role = \"primary\"")
                        .label(cx.span(&node_path(i, "role")), "another primary")
                        .label(cx.span(&node_path(*first, "role")), "first primary")
                        .help("a streaming-replication cluster has exactly one primary; make the others standbys"),
                );
            }
        }
    }

    // Addresses.
    let mut hosts: Vec<Option<IpAddr>> = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        match n.host.parse::<IpAddr>() {
            Ok(ip) => hosts.push(Some(ip)),
            Err(_) => {
                let help = if n.host.contains('/') {
                    "write the node's own address without a prefix length; pgrepl derives /32 or /128"
                } else {
                    "write an IPv4 address like 172.16.93.132 or an IPv6 address like fd00::10; host names are not accepted because pg_hba.conf and ufw rules must name exact addresses"
                };
                cx.push(
                    Diagnostic::error(
                        "topology::invalid-address",
                        format!("\"{}\" is not an IP address", n.host),
                    )
                    .label(
                        cx.span(&node_path(i, "host")),
                        "not an IPv4 or IPv6 address",
                    )
                    .help(help),
                );
                hosts.push(None);
            }
        }
    }
    let loopback: Vec<usize> = (0..nodes.len())
        .filter(|&i| hosts[i].is_some_and(|h| h.is_loopback()))
        .collect();
    let known = hosts.iter().filter(|h| h.is_some()).count();
    if !loopback.is_empty() && loopback.len() < known {
        for &i in &loopback {
            cx.push(
                Diagnostic::error("topology::loopback", format!("node \"{}\" is on a loopback address but other nodes are not", nodes[i].name))
                    .label(cx.span(&node_path(i, "host")), "only reachable from this machine")
                    .help("give every node the address its peers reach it at; loopback is allowed only when every node runs on one host (a lab)"),
            );
        }
    }
    let mut endpoints: BTreeMap<(IpAddr, u32), usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some(ip) = hosts[i] {
            if let Some(&first) = endpoints.get(&(ip, n.port)) {
                cx.push(
                    Diagnostic::error("topology::duplicate-endpoint", format!("nodes \"{}\" and \"{}\" both listen on {ip} port {}", nodes[first].name, n.name, n.port))
                        .label(cx.span(&node_path(i, "host")), "same address")
                        .label(cx.span(&node_path(first, "host")), "as here")
                        .help("two servers cannot share an address and port; give one of them another port"),
                );
            } else {
                endpoints.insert((ip, n.port), i);
            }
        }
    }

    // Sources (what the upstream's pg_hba.conf and firewall admit).
    let mut sources: Vec<Option<IpNet>> = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let source = match (&n.source, hosts[i]) {
            (None, Some(ip)) => Some(IpNet::from(ip)),
            (None, None) => None,
            (Some(text), _) => match text
                .parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
            {
                Ok(net) => {
                    let single = net.prefix_len() == net.max_prefix_len();
                    if net.trunc() != net {
                        cx.push(
                            Diagnostic::error("topology::invalid-source", format!("\"{text}\" has host bits set"))
                                .label(cx.span(&node_path(i, "source")), "not a network address")
                                .help(format!("did you mean \"{}\"? PostgreSQL matches the network, not the host part", net.trunc())),
                        );
                    } else if !single && !n.allow_wide_source {
                        cx.push(
                            Diagnostic::error("topology::wide-source", format!("replication source \"{text}\" admits {} addresses", if net.prefix_len() == 0 { "every".to_owned() } else { format!("{} or more", 1u128 << (net.max_prefix_len() - net.prefix_len()).min(127)) }))
                                .label(cx.span(&node_path(i, "source")), "wider than one address")
                                .help(format!("use a single address (/{}) or, if this range is really needed, set allow_wide_source = true on this node", net.max_prefix_len())),
                        );
                    }
                    Some(net)
                }
                Err(_) => {
                    cx.push(
                        Diagnostic::error("topology::invalid-source", format!("\"{text}\" is not an address or CIDR range"))
                            .label(cx.span(&node_path(i, "source")), "not an address range")
                            .help("write an address with its prefix length, e.g. 10.0.0.7/32 or fd00::7/128"),
                    );
                    None
                }
            },
        };
        sources.push(source);
    }

    // Upstreams: names, self, primary, cycles.
    let primary = primaries.first().copied();
    let mut upstream: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        match (n.role, &n.upstream) {
            (Role::Primary, Some(_)) => cx.push(
                Diagnostic::error("topology::primary-upstream", format!("primary \"{}\" has an upstream", n.name))
                    .label(cx.span(&node_path(i, "upstream")), "a primary streams from nobody")
                    .help("remove `upstream` from the primary, or make this node a standby"),
            ),
            (Role::Primary, None) => {}
            (Role::Standby, None) => upstream[i] = primary,
            (Role::Standby, Some(up)) => match by_name.get(up.as_str()) {
                Some(&j) if j == i => cx.push(
                    Diagnostic::error("topology::upstream-cycle", format!("standby \"{}\" names itself as upstream", n.name))
                        .label(cx.span(&node_path(i, "upstream")), "streams from itself")
                        .help("name the primary or another standby, or leave `upstream` out to stream from the primary"),
                ),
                Some(&j) => upstream[i] = Some(j),
                None => {
                    let mut d = Diagnostic::error("topology::unknown-upstream", format!("upstream \"{up}\" is not a node of this topology"))
                        .label(cx.span(&node_path(i, "upstream")), "no such node");
                    d = match crate::diag::did_you_mean(up, by_name.keys().copied()) {
                        Some(s) => d.help(format!("did you mean \"{s}\"?")),
                        None => d.help(format!("nodes are: {}", by_name.keys().copied().collect::<Vec<_>>().join(", "))),
                    };
                    cx.push(d);
                }
            },
        }
    }
    // A chain that never reaches the primary is a cycle.
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    for start in 0..nodes.len() {
        let mut seen = vec![start];
        let mut cur = start;
        while let Some(next) = upstream[cur] {
            if nodes[next].role == Role::Primary {
                break;
            }
            if seen.contains(&next) {
                let cycle_start = seen.iter().position(|&s| s == next).unwrap_or(0);
                let members: Vec<usize> = seen[cycle_start..].to_vec();
                if members.iter().all(|m| !reported.contains(m)) {
                    let names: Vec<&str> =
                        members.iter().map(|&m| nodes[m].name.as_str()).collect();
                    let mut d = Diagnostic::error(
                        "topology::upstream-cycle",
                        format!(
                            "standbys stream from each other in a circle: {} -> {}",
                            names.join(" -> "),
                            names[0]
                        ),
                    );
                    for &m in &members {
                        d = d.label(
                            cx.span(&node_path(m, "upstream")),
                            format!(
                                "{} streams from {}",
                                nodes[m].name,
                                nodes[upstream[m].unwrap_or(m)].name
                            ),
                        );
                    }
                    cx.push(d.help("every chain of upstreams must end at the primary; point one of them at the primary"));
                    reported.extend(members);
                }
                break;
            }
            seen.push(next);
            cur = next;
        }
    }

    // Settings per node.
    let settings: Vec<EffectiveSettings> = (0..nodes.len())
        .map(|i| effective_settings(cx, topo, i))
        .collect();

    let slot_default = topo.replication.slots;
    let uses_slot =
        |i: usize| nodes[i].role == Role::Standby && nodes[i].slot.unwrap_or(slot_default);
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, up) in upstream.iter().enumerate() {
        if let Some(u) = *up {
            downstream[u].push(i);
        }
    }

    // Senders, slots, kept WAL, listen addresses.
    for i in 0..nodes.len() {
        let s = &settings[i];
        let n = &nodes[i];
        let streams = downstream[i].len() as u32;
        let senders_over = n.postgresql.max_wal_senders.is_some();
        if streams > 0 && s.max_wal_senders < streams {
            cx.push(
                Diagnostic::error("topology::senders-shortfall", format!("node \"{}\" has {} standbys streaming from it but max_wal_senders = {}", n.name, streams, s.max_wal_senders))
                    .label(cx.span(&setting_path(topo, i, "max_wal_senders", senders_over)), "too few WAL senders")
                    .help(format!("each streaming standby holds one WAL sender; set max_wal_senders to at least {}", streams + BASEBACKUP_SENDERS)),
            );
        } else if streams > 0 && s.max_wal_senders < streams + BASEBACKUP_SENDERS {
            cx.push(
                Diagnostic::warning("topology::senders-headroom", format!("node \"{}\": max_wal_senders = {} leaves no room to clone a standby while {} stream", n.name, s.max_wal_senders, streams))
                    .label(cx.span(&setting_path(topo, i, "max_wal_senders", senders_over)), "no headroom")
                    .help(format!("pg_basebackup -X stream uses up to {BASEBACKUP_SENDERS} more senders; set max_wal_senders to at least {}", streams + BASEBACKUP_SENDERS)),
            );
        }
        let slots_needed = downstream[i].iter().filter(|&&d| uses_slot(d)).count() as u32;
        if slots_needed > s.max_replication_slots {
            cx.push(
                Diagnostic::error("topology::slots-shortfall", format!("node \"{}\" needs {} replication slots but max_replication_slots = {}", n.name, slots_needed, s.max_replication_slots))
                    .label(cx.span(&setting_path(topo, i, "max_replication_slots", n.postgresql.max_replication_slots.is_some())), "too few slots")
                    .help(format!("set max_replication_slots to at least {slots_needed}, or turn slots off for some standbys")),
            );
        }
        if n.role == Role::Standby && !uses_slot(i) {
            if let Some(u) = upstream[i] {
                if settings[u].wal_keep_mb < SMALL_WAL_KEEP_MB {
                    cx.push(
                        Diagnostic::warning("topology::small-wal-keep", format!("standby \"{}\" has no replication slot and its upstream keeps only {} of WAL", n.name, units::show_megabytes(settings[u].wal_keep_mb)))
                            .label(cx.span(&setting_path(topo, u, "wal_keep_size", nodes[u].postgresql.wal_keep_size.is_some())), "little WAL kept")
                            .label(cx.span(&node_path(i, "name")), "this standby")
                            .help("a standby that falls further behind than this needs a new base backup; keep slots on, or raise wal_keep_size"),
                    );
                }
            }
        }
        if streams > 0 || n.role == Role::Standby {
            let la = s.listen_addresses.trim();
            let local_only = la.is_empty()
                || la
                    .split(',')
                    .map(str::trim)
                    .all(|a| matches!(a, "localhost" | "127.0.0.1" | "::1"));
            let lab = hosts[i].is_some_and(|h| h.is_loopback());
            if local_only && !lab {
                cx.push(
                    Diagnostic::error("topology::listen-local", format!("node \"{}\" listens only on {la:?}, so its peers cannot reach it", n.name))
                        .label(cx.span(&setting_path(topo, i, "listen_addresses", n.postgresql.listen_addresses.is_some())), "local connections only")
                        .help(format!("listen on \"*\" or on \"{}\" (pg_hba.conf and the firewall still restrict who may connect)", n.host)),
                );
            }
        }
    }
    // A hot standby refuses to start when some settings are below the primary's.
    if let (Some(facts), Some(p)) = (facts, primary) {
        if facts
            .standby_needs_at_least_primary
            .contains(&"max_wal_senders")
        {
            for i in 0..nodes.len() {
                if nodes[i].role == Role::Standby
                    && settings[i].max_wal_senders < settings[p].max_wal_senders
                {
                    cx.push(
                        Diagnostic::error("topology::standby-below-primary", format!("standby \"{}\" has max_wal_senders = {}, below the primary's {}", nodes[i].name, settings[i].max_wal_senders, settings[p].max_wal_senders))
                            .label(cx.span(&setting_path(topo, i, "max_wal_senders", nodes[i].postgresql.max_wal_senders.is_some())), "lower than on the primary")
                            .help(format!("PostgreSQL {} refuses to run a hot standby with max_wal_senders below the primary's; raise it to at least {}", facts.major, settings[p].max_wal_senders)),
                    );
                }
            }
        }
    }

    let sync = check_sync(cx, topo, primary, &upstream, &by_name);
    let layout = super::layout::check(topo, cx.doc, &mut cx.diags);

    if cx.diags.iter().any(Diagnostic::is_error) {
        return None;
    }
    let primary = primary?;

    // Order: primary, then breadth-first by upstream (file order within a level).
    let mut order = vec![primary];
    let mut k = 0;
    while k < order.len() {
        order.extend(downstream[order[k]].iter().copied());
        k += 1;
    }
    let mut new_index = vec![usize::MAX; nodes.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut valid: Vec<ValidNode> = Vec::with_capacity(nodes.len());
    for &old in &order {
        let n = &nodes[old];
        valid.push(ValidNode {
            name: n.name.clone(),
            role: n.role,
            host: hosts[old]?,
            port: u16::try_from(n.port).ok()?,
            upstream: upstream[old].map(|u| new_index[u]),
            slot: uses_slot(old).then(|| slot_name(&n.name)),
            source: sources[old]?,
            settings: settings[old].clone(),
            layout: layout.as_ref()?.resolve(topo, n),
            downstream: downstream[old].iter().map(|&d| new_index[d]).collect(),
            admits: Vec::new(),
        });
    }
    for i in 0..valid.len() {
        let admits: Vec<usize> = if valid[i].role == Role::Primary {
            valid[i].downstream.clone()
        } else {
            (0..valid.len()).filter(|&j| j != i).collect()
        };
        valid[i].admits = admits;
    }
    Some((valid, sync))
}

/// Physical slot names allow `[a-z0-9_]` only.
pub fn slot_name(node: &str) -> String {
    node.replace('-', "_")
}

fn check_sync(
    cx: &mut Ctx<'_, '_>,
    topo: &Topology,
    primary: Option<usize>,
    upstream: &[Option<usize>],
    by_name: &BTreeMap<&str, usize>,
) -> Option<SyncSpec> {
    let sync = topo.replication.synchronous.as_ref()?;
    let base = [key("replication"), key("synchronous")];
    let direct: Vec<usize> = (0..topo.nodes.len())
        .filter(|&i| primary.is_some() && upstream[i] == primary && Some(i) != primary)
        .collect();
    let standbys: Vec<String> = match &sync.standbys {
        None => direct.iter().map(|&i| topo.nodes[i].name.clone()).collect(),
        Some(list) => {
            let mut seen = BTreeSet::new();
            for (k, name) in list.iter().enumerate() {
                let at = [base[0], base[1], key("standbys"), Seg::Index(k)];
                match by_name.get(name.as_str()) {
                    None => {
                        let mut d = Diagnostic::error("topology::sync-unknown-standby", format!("synchronous standby \"{name}\" is not a node of this topology"))
                            .label(cx.span(&at), "no such node");
                        d = match crate::diag::did_you_mean(name, by_name.keys().copied()) {
                            Some(s) => d.help(format!("did you mean \"{s}\"?")),
                            None => d.help("list names of standbys that stream directly from the primary"),
                        };
                        cx.push(d);
                    }
                    Some(&i) if Some(i) == primary => cx.push(
                        Diagnostic::error("topology::sync-not-standby", format!("\"{name}\" is the primary, not a standby"))
                            .label(cx.span(&at), "the primary")
                            .help("synchronous_standby_names lists the standbys the primary waits for"),
                    ),
                    Some(&i) if !direct.contains(&i) => cx.push(
                        Diagnostic::error("topology::sync-not-direct", format!("\"{name}\" is a cascading standby and cannot be synchronous"))
                            .label(cx.span(&at), "streams from another standby")
                            .help("only standbys connected directly to the primary can confirm commits; stream it from the primary or drop it from this list"),
                    ),
                    Some(_) => {}
                }
                if !seen.insert(name.as_str()) {
                    cx.push(
                        Diagnostic::error(
                            "topology::sync-duplicate",
                            format!("\"{name}\" is listed twice"),
                        )
                        .label(cx.span(&at), "again")
                        .help("list each synchronous standby once"),
                    );
                }
            }
            list.clone()
        }
    };
    if standbys.is_empty() {
        cx.push(
            Diagnostic::error(
                "topology::sync-count",
                "synchronous replication is on but there is no standby to wait for",
            )
            .label(cx.span(&base), "synchronous replication")
            .help(
                "add a standby that streams from the primary, or remove [replication.synchronous]",
            ),
        );
    } else if sync.count as usize > standbys.len() {
        cx.push(
            Diagnostic::error(
                "topology::sync-count",
                format!(
                    "count = {} but only {} synchronous standbys are listed",
                    sync.count,
                    standbys.len()
                ),
            )
            .label(
                cx.span(&[base[0], base[1], key("count")]),
                "more than listed",
            )
            .help("every commit would wait forever; lower count or list more standbys"),
        );
    }
    Some(SyncSpec {
        method: sync.method,
        count: sync.count,
        standbys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_states() {
        let s = SyncSpec {
            method: crate::topology::model::SyncMethod::First,
            count: 1,
            standbys: vec!["a".into(), "b".into()],
        };
        assert_eq!(s.standby_names(), "FIRST 1 (\"a\", \"b\")");
        assert_eq!(s.expected_state("a"), "sync");
        assert_eq!(s.expected_state("b"), "potential");
        assert_eq!(s.expected_state("c"), "async");
    }
}
