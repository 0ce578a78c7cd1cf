//! First-match evaluation of a connection against the rows, as the server authenticates.

use std::net::IpAddr;

use super::records::masked;
use super::{Address, Row, Token};

/// A connection to match against the records.
#[derive(Debug, Clone)]
pub struct Connection<'a> {
    /// `local` (Unix socket) or a TCP connection from `source`.
    pub source: Option<IpAddr>,
    pub ssl: bool,
    pub gssenc: bool,
    /// The database, or `replication` for a physical replication connection.
    pub database: &'a str,
    pub replication: bool,
    pub user: &'a str,
}

fn list_matches(tokens: &[Token], value: &str, replication: bool, is_db: bool) -> bool {
    tokens.iter().any(|t| {
        if is_db && t.is_keyword("replication") {
            return replication;
        }
        // A physical replication connection matches only the `replication` keyword.
        if is_db && replication {
            return false;
        }
        if t.is_keyword("all") {
            return true;
        }
        if !t.quoted && t.text.starts_with('/') {
            // Regular expressions are not evaluated here; such a record never matches.
            return false;
        }
        if !is_db && !t.quoted && t.text.starts_with('+') {
            return false; // group membership is not known offline
        }
        t.text == value
    })
}

/// The first record the connection matches (first match wins), if any: the row, or `None`
/// when no record admits it ("no pg_hba.conf entry").
pub fn first_match<'r>(rules: &'r [Row], conn: &Connection<'_>) -> Option<&'r Row> {
    rules.iter().find(|r| {
        let Some(rec) = &r.parsed else { return false };
        if r.error.is_some() {
            return false;
        }
        let type_ok = match (rec.conn_type, conn.source) {
            ("local", None) => true,
            ("local", Some(_)) | (_, None) => false,
            ("host", Some(_)) => true,
            ("hostssl", Some(_)) => conn.ssl,
            ("hostnossl", Some(_)) => !conn.ssl,
            ("hostgssenc", Some(_)) => conn.gssenc,
            ("hostnogssenc", Some(_)) => !conn.gssenc,
            _ => false,
        };
        let addr_ok = match (&rec.address, conn.source) {
            (Address::None, _) => true,
            (Address::All, _) => true,
            (Address::Net { addr, mask }, Some(src)) => {
                masked(&src, mask).is_some_and(|s| Some(s) == masked(addr, mask))
            }
            // Host names, samehost and samenet need the network; they are not matched here.
            _ => false,
        };
        type_ok
            && addr_ok
            && list_matches(&rec.databases, conn.database, conn.replication, true)
            && list_matches(&rec.users, conn.user, false, false)
    })
}
