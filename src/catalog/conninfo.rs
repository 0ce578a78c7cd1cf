//! libpq connection strings (`primary_conninfo`): parsing as libpq does, and which keywords
//! each major's libpq knows. A standby whose primary_conninfo holds a keyword its own libpq
//! does not know never connects (`invalid connection option`), and says so only in its log.

use std::ops::Range;
use std::sync::OnceLock;

use super::{NEWEST, OLDEST};

/// One `keyword=value` of a connection string, with where each part is (byte offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub keyword: String,
    pub value: String,
    pub keyword_span: Range<usize>,
    pub value_span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub at: usize,
}

/// Parses `keyword = value …` the way libpq's conninfo_parse does: blanks separate pairs and
/// may surround `=`; a value is unquoted (ends at a blank) or single-quoted; `\` escapes the
/// next character in both. URIs (`postgresql://…`) are not handled here.
pub fn parse(s: &str) -> Result<Vec<Pair>, ParseError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    let skip_blanks = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    loop {
        i = skip_blanks(i);
        if i >= b.len() {
            return Ok(out);
        }
        let k0 = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let keyword_span = k0..i;
        i = skip_blanks(i);
        if b.get(i) != Some(&b'=') {
            return Err(ParseError {
                message: format!(
                    "missing \"=\" after \"{}\" in connection info string",
                    &s[keyword_span]
                ),
                at: k0,
            });
        }
        i = skip_blanks(i + 1);
        let v0 = i;
        let mut value = Vec::new();
        if b.get(i) == Some(&b'\'') {
            i += 1;
            loop {
                match b.get(i) {
                    None => {
                        return Err(ParseError {
                            message: "unterminated quoted string in connection info string".into(),
                            at: v0,
                        });
                    }
                    Some(b'\\') if i + 1 < b.len() => {
                        value.push(b[i + 1]);
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !b[i].is_ascii_whitespace() {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                value.push(b[i]);
                i += 1;
            }
        }
        out.push(Pair {
            keyword: s[keyword_span.clone()].to_owned(),
            value: String::from_utf8_lossy(&value).into_owned(),
            keyword_span,
            value_span: v0..i,
        });
    }
}

const DATA: [&str; 9] = [
    include_str!("data/pg10-conninfo.txt"),
    include_str!("data/pg11-conninfo.txt"),
    include_str!("data/pg12-conninfo.txt"),
    include_str!("data/pg13-conninfo.txt"),
    include_str!("data/pg14-conninfo.txt"),
    include_str!("data/pg15-conninfo.txt"),
    include_str!("data/pg16-conninfo.txt"),
    include_str!("data/pg17-conninfo.txt"),
    include_str!("data/pg18-conninfo.txt"),
];

/// The keywords a major's own libpq accepts (sorted), probed from the real library.
pub fn keywords(major: u32) -> Option<&'static [&'static str]> {
    static TABLES: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        DATA.iter()
            .map(|text| {
                text.lines()
                    .filter(|l| !l.starts_with('#') && !l.is_empty())
                    .collect()
            })
            .collect()
    });
    (OLDEST..=NEWEST)
        .position(|m| m == major)
        .map(|i| tables[i].as_slice())
}

/// The first major whose libpq knows `keyword`, if any does.
pub fn keyword_since(keyword: &str) -> Option<u32> {
    (OLDEST..=NEWEST).find(|&m| keywords(m).is_some_and(|k| k.contains(&keyword)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_libpq() {
        let pairs = parse(
            r"host=10.0.0.1 port = 5432 passfile='/var/lib/my pg/.pgpass' application_name=a\ b",
        )
        .unwrap();
        let kv: Vec<(&str, &str)> = pairs
            .iter()
            .map(|p| (p.keyword.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(
            kv,
            [
                ("host", "10.0.0.1"),
                ("port", "5432"),
                ("passfile", "/var/lib/my pg/.pgpass"),
                ("application_name", "a b")
            ]
        );
        assert_eq!(
            &r"host=10.0.0.1 port"[pairs[0].keyword_span.clone()],
            "host"
        );
        assert!(parse("host").unwrap_err().message.contains("missing \"=\""));
        assert!(
            parse("host='x")
                .unwrap_err()
                .message
                .contains("unterminated")
        );
        assert_eq!(parse("  ").unwrap(), vec![]);
    }

    #[test]
    fn keywords_by_major_match_measured_failures() {
        // shared/notes: a 13 standby rejects sslsni (written by pg_basebackup 15 -R), a 16
        // one sslnegotiation (written by 18).
        assert!(!keywords(13).unwrap().contains(&"sslsni"));
        assert_eq!(keyword_since("sslsni"), Some(14));
        assert_eq!(keyword_since("sslnegotiation"), Some(17));
        assert_eq!(keyword_since("passfile"), Some(10));
        assert_eq!(keyword_since("no_such_keyword"), None);
    }
}
