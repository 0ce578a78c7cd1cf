//! pg_hba.conf, read as the server reads it, into the rows of its `pg_hba_file_rules` view,
//! and first-match evaluation of a connection against the records.
//!
//! Fields are separated by blanks; a field is a comma-separated list of tokens; double
//! quotes protect blanks, commas and `#` (and make keywords such as `all` plain names; two
//! double quotes inside quotes are one). `@file` tokens are read from a file next to
//! pg_hba.conf. A record is `type database user [address [mask]] method [options]`; the
//! first problem decides the line's error. Some problems only make a record unable to match
//! (hostssl without SSL): the row keeps its columns and carries the error.
//!
//! `tokens` splits lines into tokens, `records` interprets them (and follows includes),
//! `matching` finds the first record a connection matches.

mod ldap;
mod matching;
mod records;
mod tokens;

use std::net::IpAddr;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

pub use matching::{Connection, first_match};

/// The connection types the server knows (the GSSAPI encryption ones from 12): a record
/// starts with one of them.
pub const CONN_TYPES: [&str; 6] = [
    "local",
    "host",
    "hostssl",
    "hostnossl",
    "hostgssenc",
    "hostnogssenc",
];

/// What the server was built with and runs with; it decides some errors.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    pub major: u32,
    /// `ssl = on` (hostssl records can match).
    pub ssl: bool,
    pub gssapi: bool,
    pub ldap: bool,
    pub pam: bool,
    pub radius: bool,
}

impl Features {
    /// A distribution build of `major`, with SSL as `conf` says (the server's default is
    /// off); without a postgresql.conf, hostssl records are assumed able to match.
    pub fn for_config(
        major: u32,
        conf: Option<&crate::pgconf::file_settings::FileSettings>,
    ) -> Features {
        let mut f = Features::distribution(major);
        if let Some(c) = conf {
            f.ssl = c
                .effective("ssl")
                .and_then(|r| {
                    r.setting
                        .as_deref()
                        .and_then(crate::catalog::values::parse_bool)
                })
                .unwrap_or(false);
        }
        f
    }

    /// A distribution build (Debian, RHEL) of `major` with SSL on.
    pub fn distribution(major: u32) -> Features {
        Features {
            major,
            ssl: true,
            gssapi: true,
            ldap: true,
            pam: true,
            radius: true,
        }
    }
}

/// A token's text: inline up to 24 bytes, as nearly every pg_hba.conf token is.
pub type Text = compact_str::CompactString;

/// The tokens of a field: one, mostly, kept inline.
pub type Tokens = smallvec::SmallVec<[Token; 1]>;

/// One record (or failed line) of pg_hba.conf, as the server loads it: the columns of its
/// `pg_hba_file_rules` row come from `parsed` when the view needs them (see [`Row::view`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file of the record: only from 16, where the view has this column.
    pub file_name: Option<Arc<str>>,
    pub line_number: usize,
    /// The record, when it could be read (it may still carry an error that stops it from
    /// matching, such as hostssl without SSL).
    pub parsed: Option<Record>,
    /// The view's options column, in its order (empty for none).
    pub options: Vec<String>,
    pub error: Option<String>,
    /// Where the record is (first line to last, byte offsets), for diagnostics.
    pub span: Range<usize>,
}

/// A `pg_hba_file_rules` row, column by column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct View {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub line_number: usize,
    #[serde(rename = "type")]
    pub conn_type: Option<String>,
    pub database: Option<Vec<String>>,
    pub user_name: Option<Vec<String>>,
    pub address: Option<String>,
    pub netmask: Option<String>,
    pub auth_method: Option<String>,
    pub options: Option<Vec<String>>,
    pub error: Option<String>,
}

impl Row {
    /// The record's text without its final newline: what a diagnostic underlines.
    pub fn label_span(&self) -> Range<usize> {
        self.span.start..self.span.end.saturating_sub(1).max(self.span.start)
    }

    /// The row as the view shows it.
    pub fn view(&self) -> View {
        let texts = |t: &Tokens| t.iter().map(|t| t.text.to_string()).collect();
        let rec = self.parsed.as_ref();
        let (address, netmask) = match rec.map(|r| &r.address) {
            None | Some(Address::None) => (None, None),
            Some(Address::All) => (Some("all".to_owned()), None),
            Some(Address::SameHost) => (Some("samehost".to_owned()), None),
            Some(Address::SameNet) => (Some("samenet".to_owned()), None),
            Some(Address::Host(h)) => (Some(h.to_string()), None),
            Some(Address::Net { addr, mask }) => (Some(addr.to_string()), Some(mask.to_string())),
        };
        View {
            file_name: self.file_name.as_deref().map(str::to_owned),
            line_number: self.line_number,
            conn_type: rec.map(|r| r.conn_type.to_owned()),
            database: rec.map(|r| texts(&r.databases)),
            user_name: rec.map(|r| texts(&r.users)),
            address,
            netmask,
            auth_method: rec.map(|r| r.method.to_owned()),
            options: (!self.options.is_empty()).then(|| self.options.clone()),
            error: self.error.clone(),
        }
    }
}

/// A token of a field: its text without quotes, and whether any quote was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: Text,
    pub quoted: bool,
}

impl Token {
    pub fn is_keyword(&self, kw: &str) -> bool {
        !self.quoted && self.text == kw
    }
}

/// A parsed record, for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// `local`, `host`, `hostssl`…: one of the server's words.
    pub conn_type: &'static str,
    pub databases: Tokens,
    pub users: Tokens,
    pub address: Address,
    /// The method as the view names it (`ident` on a local record is `peer`).
    pub method: &'static str,
}

impl Record {
    /// Whether the record is for replication connections: only the unquoted keyword
    /// `replication` matches them (`all` does not).
    pub fn is_replication(&self) -> bool {
        self.databases.iter().any(|t| t.is_keyword("replication"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    None,
    All,
    SameHost,
    SameNet,
    Host(Text),
    /// An address and its mask; a mask written out need not be contiguous.
    Net {
        addr: IpAddr,
        mask: IpAddr,
    },
}

impl Address {
    /// The one address the record admits (a /32 or /128), if it admits exactly one.
    pub fn single(&self) -> Option<IpAddr> {
        match self {
            Address::Net { addr, mask } => match mask {
                IpAddr::V4(m) if u32::from(*m) == u32::MAX => Some(*addr),
                IpAddr::V6(m) if u128::from(*m) == u128::MAX => Some(*addr),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the record admits only this host's loopback addresses (127.0.0.0/8, ::1): its
    /// connections never cross a network.
    pub fn is_loopback_only(&self) -> bool {
        match self {
            Address::Net { addr, mask } => match (addr, mask) {
                (IpAddr::V4(a), IpAddr::V4(m)) => a.is_loopback() && u32::from(*m) >> 24 == 0xff,
                (IpAddr::V6(a), IpAddr::V6(m)) => a.is_loopback() && u128::from(*m) == u128::MAX,
                _ => false,
            },
            _ => false,
        }
    }
}

/// Every record of a pg_hba.conf text as a `pg_hba_file_rules` row. `file` is where the text
/// is from: its directory is where `@file` lists and included files are looked up, and its
/// path is the view's file_name (16+), whatever the file is called.
pub fn rows(text: &[u8], file: &Path, features: Features) -> Vec<Row> {
    let mut out = Vec::new();
    records::collect(text, file, features, 0, &mut out);
    out
}

/// Reads a pg_hba.conf file.
pub fn read(path: &Path, features: Features) -> std::io::Result<Vec<Row>> {
    let text = crate::input::read_bounded(path, crate::input::MAX_CONFIG_BYTES)?;
    Ok(rows(&text, path, features))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> View {
        rows(
            line.as_bytes(),
            Path::new("/nonexistent/pg_hba.conf"),
            Features::distribution(16),
        )
        .remove(0)
        .view()
    }

    #[test]
    fn tokens_and_quotes() {
        let f = super::tokens::fields(br#"host "all" "a b","x""y",c 10.0.0.0/8 md5 # comment"#);
        assert_eq!(f.len(), 5);
        assert_eq!(
            f[2].iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["a b", "x\"y", "c"]
        );
        assert!(f[1][0].quoted);
    }

    #[test]
    fn rows_like_the_view() {
        let r = one("host replication repl 10.0.0.1 255.255.255.255 scram-sha-256");
        assert_eq!(
            (r.address.as_deref(), r.netmask.as_deref()),
            (Some("10.0.0.1"), Some("255.255.255.255"))
        );
        assert_eq!(
            one("local all all ident map=x").auth_method.as_deref(),
            Some("peer")
        );
        assert_eq!(
            one("host all all ::1/128 trust").netmask.as_deref(),
            Some("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert_eq!(
            one("host all all 10.0.0.300 trust").address.as_deref(),
            Some("10.0.0.300")
        );
        assert!(
            one("host all all 10.0.0.1/33 trust")
                .error
                .unwrap()
                .contains("invalid CIDR mask")
        );
        assert!(
            one("host all all 1.2.3.4/32 sind")
                .error
                .unwrap()
                .contains("invalid authentication method")
        );
        assert!(
            one("host all all 1.2.3.4/32 peer")
                .error
                .unwrap()
                .contains("only supported on local")
        );
    }

    #[test]
    fn first_match_wins() {
        let rs = rows(b"host all all 10.0.0.0/8 reject\nhost replication all 10.0.0.0/24 reject\nhost replication repl 10.0.0.5/32 scram-sha-256\n", Path::new("/pg_hba.conf"), Features::distribution(16));
        let conn = Connection {
            source: Some("10.0.0.5".parse().unwrap()),
            ssl: false,
            gssenc: false,
            database: "replication",
            replication: true,
            user: "repl",
        };
        // `all` does not match a physical replication connection; `replication` does.
        assert_eq!(
            first_match(&rs, &conn).unwrap().line_number,
            2,
            "the earlier replication reject shadows"
        );
        let from_other = Connection {
            source: Some("10.0.1.5".parse().unwrap()),
            ..conn.clone()
        };
        assert!(first_match(&rs, &from_other).is_none());
        let normal = Connection {
            database: "app",
            replication: false,
            ..conn.clone()
        };
        assert_eq!(first_match(&rs, &normal).unwrap().line_number, 1);
        let other = Connection {
            source: Some("192.168.0.1".parse().unwrap()),
            ..conn
        };
        assert!(first_match(&rs, &other).is_none());
    }
}
