//! Failure signatures of streaming replication, as data (`signatures.toml`, measured on
//! real servers of every major), and the reading of server logs against them: each line
//! that matches a signature is a failure with its cause and fix; other FATAL and ERROR lines
//! that concern replication are kept as unrecognised, never dropped.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub mod data_dir;

#[derive(Debug, Deserialize)]
pub struct Signature {
    pub id: String,
    /// `standby`, `primary` or `both`: whose log says it.
    pub side: String,
    pub title: String,
    pub patterns: Vec<String>,
    pub cause: String,
    pub fix: String,
}

/// What a data directory shows, with no log line to match ([`data_dir`]).
#[derive(Debug, Deserialize)]
pub struct State {
    pub id: String,
    pub title: String,
    pub cause: String,
    pub fix: String,
}

#[derive(Deserialize)]
struct Catalogue {
    /// Messages of a healthy server that look like failures (a shutdown's FATAL lines).
    benign: Vec<String>,
    signature: Vec<Signature>,
    state: Vec<State>,
}

fn catalogue() -> &'static Catalogue {
    static ALL: OnceLock<Catalogue> = OnceLock::new();
    ALL.get_or_init(|| {
        toml::from_str::<Catalogue>(include_str!("signatures.toml"))
            .expect("the embedded signature catalogue parses (a unit test checks it)")
    })
}

/// Every signature, from the embedded catalogue.
pub fn signatures() -> &'static [Signature] {
    &catalogue().signature
}

/// One failure found in a log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Failure {
    /// The signature's id, e.g. `password-failed`.
    pub id: String,
    pub title: String,
    /// The log file and the 1-based line of its first occurrence; for what a data
    /// directory shows, the directory and 0.
    pub file: String,
    pub line: usize,
    /// How often it occurs in the file (a standby retries every few seconds), and the line
    /// of the last time.
    pub count: usize,
    pub last_line: usize,
    /// The first such log line as written; for a data directory, what it shows.
    pub text: String,
    /// What the pattern captured: the role, slot, client address...
    pub captures: BTreeMap<String, String>,
    /// The upstream the standby tried (from the message, 14+), and the topology node there.
    pub upstream: Option<String>,
    pub cause: String,
    pub fix: String,
}

/// A FATAL or ERROR line about replication no signature knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Unrecognised {
    pub file: String,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Diagnosis {
    pub failures: Vec<Failure>,
    pub unrecognised: Vec<Unrecognised>,
}

/// A pattern as its pieces: literal, capture name, literal, …, literal (an odd count; a
/// literal may be empty). lib.sh's `match_pieces` reads them exactly as `match_pattern`.
pub fn pieces(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let Some(len) = rest[open..].find('}') else {
            break;
        };
        out.push(rest[..open].to_owned());
        out.push(rest[open + 1..open + len].to_owned());
        rest = &rest[open + len + 1..];
    }
    out.push(rest.to_owned());
    out
}

/// What the runbooks' lib.sh needs of a signature to say why a step failed on the host.
#[derive(Serialize)]
pub struct ShellSignature {
    pub id: &'static str,
    pub title: &'static str,
    pub cause: &'static str,
    pub fix: &'static str,
    /// Each pattern as `pieces`.
    pub patterns: Vec<Vec<String>>,
}

/// Every signature, for lib.sh.
pub fn shell_signatures() -> Vec<ShellSignature> {
    signatures()
        .iter()
        .map(|s| ShellSignature {
            id: &s.id,
            title: &s.title,
            cause: &s.cause,
            fix: &s.fix,
            patterns: s.patterns.iter().map(|p| pieces(p)).collect(),
        })
        .collect()
}

/// Matches `line` against a pattern: literal text with `{name}` captures, each running up to
/// the next literal (or to the end of the line). The literals are found in order, anywhere.
pub fn match_pattern(pattern: &str, line: &str) -> Option<Vec<(String, String)>> {
    // The pattern as (literal, the capture after it) pieces.
    let mut pieces: Vec<(&str, Option<&str>)> = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}')?;
        pieces.push((&rest[..open], Some(&rest[open + 1..close])));
        rest = &rest[close + 1..];
    }
    pieces.push((rest, None));
    let mut at = 0;
    let mut out = Vec::new();
    let mut pending: Option<(&str, usize)> = None;
    for (literal, capture) in pieces {
        if !literal.is_empty() {
            let found = at + line[at..].find(literal)?;
            if let Some((name, from)) = pending.take() {
                out.push((name.to_owned(), line[from..found].to_owned()));
            }
            at = found + literal.len();
        }
        if let Some(name) = capture {
            pending = Some((name, at));
        }
    }
    if let Some((name, from)) = pending {
        out.push((name.to_owned(), line[from..].trim_end().to_owned()));
    }
    Some(out)
}

/// Whether an unmatched line is about replication and worth showing: FATAL or ERROR lines
/// of WAL receivers, WAL senders, slots, timelines, recovery and base backups.
fn concerns_replication(line: &str) -> bool {
    const SEVERE: [&str; 3] = ["FATAL:", "ERROR:", "PANIC:"];
    const TOPICS: [&str; 12] = [
        "primary server",
        "WAL",
        "wal",
        "replication",
        "walsender",
        "walreceiver",
        "timeline",
        "recovery",
        "standby",
        "slot",
        "pg_basebackup",
        "pg_hba.conf",
    ];
    SEVERE.iter().any(|s| line.contains(s)) && TOPICS.iter().any(|t| line.contains(t))
}

/// Where a standby's message says it connected: `connection to server at "H", port P`.
fn upstream_of(line: &str) -> Option<String> {
    let caps = match_pattern(
        "connection to server at \"{host}\", port {port} failed",
        line,
    )?;
    Some(format!("{}:{}", caps[0].1, caps[1].1))
}

fn fill(text: &str, captures: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, value) in captures {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Reads one log's text into `into`; `name_of(capture, value)` turns what a message names
/// into a node's name when a topology is known: an address (`host`: host or host:port) or
/// a replication slot (`slot`: pgrepl names a standby's slot after it).
pub fn read_log(
    file: &str,
    text: &str,
    name_of: &dyn Fn(&str, &str) -> Option<String>,
    into: &mut Diagnosis,
) {
    // A standby retries every few seconds: one entry per failure, counted (by index, so a
    // long log costs linear time).
    type Key = (String, BTreeMap<String, String>, Option<String>);
    let mut seen: BTreeMap<Key, usize> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let found = signatures().iter().find_map(|s| {
            s.patterns
                .iter()
                .find_map(|p| match_pattern(p, line))
                .map(|c| (s, c))
        });
        match found {
            Some((s, captures)) => {
                let mut captures: BTreeMap<String, String> = captures.into_iter().collect();
                for (name, value) in captures.iter_mut() {
                    if let Some(node) = name_of(name, value).filter(|n| n != value) {
                        *value = format!("{value} ({node})");
                    }
                }
                let upstream = upstream_of(line).map(|a| match name_of("host", &a) {
                    Some(node) => format!("{a} ({node})"),
                    None => a,
                });
                let key = (s.id.clone(), captures.clone(), upstream.clone());
                if let Some(&at) = seen.get(&key) {
                    let f: &mut Failure = &mut into.failures[at];
                    f.count += 1;
                    f.last_line = i + 1;
                    continue;
                }
                seen.insert(key, into.failures.len());
                into.failures.push(Failure {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    file: file.to_owned(),
                    line: i + 1,
                    count: 1,
                    last_line: i + 1,
                    text: line.to_owned(),
                    cause: fill(&s.cause, &captures),
                    fix: fill(&s.fix, &captures),
                    captures,
                    upstream,
                });
            }
            None if concerns_replication(line)
                && !catalogue().benign.iter().any(|b| line.contains(b.as_str())) =>
            {
                into.unrecognised.push(Unrecognised {
                    file: file.to_owned(),
                    line: i + 1,
                    text: line.to_owned(),
                })
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_ids_are_unique() {
        let all = signatures();
        let mut ids: Vec<&str> = all
            .iter()
            .map(|s| s.id.as_str())
            .chain(catalogue().state.iter().map(|s| s.id.as_str()))
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len() + catalogue().state.len());
        for s in all {
            assert!(
                ["standby", "primary", "both"].contains(&s.side.as_str()),
                "{}",
                s.id
            );
            assert!(!s.patterns.is_empty(), "{}", s.id);
        }
    }

    #[test]
    fn patterns_capture_up_to_the_next_literal() {
        let line = r#"FATAL:  replication slot "vm2" does not exist"#;
        assert_eq!(
            match_pattern(r#"replication slot "{slot}" does not exist"#, line),
            Some(vec![("slot".to_owned(), "vm2".to_owned())])
        );
        assert_eq!(match_pattern(r#"role "{role}" does not exist"#, line), None);
        let refused = r#"FATAL:  could not connect to the primary server: connection to server at "10.0.0.1", port 5432 failed: Connection refused"#;
        assert!(
            match_pattern(
                "could not connect to the primary server: {detail}Connection refused",
                refused
            )
            .is_some()
        );
        assert_eq!(upstream_of(refused).as_deref(), Some("10.0.0.1:5432"));
        assert!(concerns_replication(
            "FATAL:  could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000000000000003 has already been removed"
        ));
        assert!(!concerns_replication("LOG:  checkpoint starting: time"));
    }
}
