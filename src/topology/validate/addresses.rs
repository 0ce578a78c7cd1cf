//! Node addresses (IP addresses only; loopback only for a lab; no shared endpoint) and
//! replication sources (what the upstream's pg_hba.conf and firewall admit).

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::{Ctx, node_path};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::model::Node;

/// Every node's address, `None` where it is not one.
pub(super) fn hosts(cx: &mut Ctx<'_, '_>, nodes: &[Node]) -> Vec<Option<IpAddr>> {
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
                        codes::INVALID_ADDRESS,
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
                Diagnostic::error(codes::LOOPBACK, format!("node \"{}\" is on a loopback address but other nodes are not", nodes[i].name))
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
                    Diagnostic::error(codes::DUPLICATE_ENDPOINT, format!("nodes \"{}\" and \"{}\" both listen on {ip} port {}", nodes[first].name, n.name, n.port))
                        .label(cx.span(&node_path(i, "host")), "same address")
                        .label(cx.span(&node_path(first, "host")), "as here")
                        .help("two servers cannot share an address and port; give one of them another port"),
                );
            } else {
                endpoints.insert((ip, n.port), i);
            }
        }
    }

    hosts
}

/// Every node's source range: its own address unless `source` says otherwise.
pub(super) fn sources(
    cx: &mut Ctx<'_, '_>,
    nodes: &[Node],
    hosts: &[Option<IpAddr>],
) -> Vec<Option<IpNet>> {
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
                            Diagnostic::error(codes::INVALID_SOURCE, format!("\"{text}\" has host bits set"))
                                .label(cx.span(&node_path(i, "source")), "not a network address")
                                .help(format!("did you mean \"{}\"? PostgreSQL matches the network, not the host part", net.trunc())),
                        );
                    } else if !single && !n.allow_wide_source {
                        cx.push(
                            Diagnostic::error(codes::WIDE_SOURCE, format!("replication source \"{text}\" admits {} addresses", if net.prefix_len() == 0 { "every".to_owned() } else { format!("{} or more", 1u128 << (net.max_prefix_len() - net.prefix_len()).min(127)) }))
                                .label(cx.span(&node_path(i, "source")), "wider than one address")
                                .help(format!("use a single address (/{}) or, if this range is really needed, set allow_wide_source = true on this node", net.max_prefix_len())),
                        );
                    }
                    Some(net)
                }
                Err(_) => {
                    cx.push(
                        Diagnostic::error(codes::INVALID_SOURCE, format!("\"{text}\" is not an address or CIDR range"))
                            .label(cx.span(&node_path(i, "source")), "not an address range")
                            .help("write an address with its prefix length, e.g. 10.0.0.7/32 or fd00::7/128"),
                    );
                    None
                }
            },
        };
        sources.push(source);
    }

    sources
}
