//! The parsed TOML document with spans, and span lookup by path.
//!
//! serde stops at the first error and forgets where values came from; this tree keeps every
//! key's and value's byte range so each diagnostic can point at the exact text.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

pub struct Doc<'i> {
    pub root: Spanned<DeTable<'i>>,
    source: &'i str,
}

impl<'i> Doc<'i> {
    /// Parses TOML, returning every syntax error found (with spans) on failure.
    pub fn parse(source: &'i str) -> Result<Doc<'i>, Vec<toml::de::Error>> {
        let (root, errors) = DeTable::parse_recoverable(source);
        if errors.is_empty() {
            Ok(Doc { root, source })
        } else {
            Err(errors)
        }
    }

    fn child<'d>(
        value: &'d DeValue<'i>,
        seg: Seg<'_>,
    ) -> Option<(&'d Spanned<DeValue<'i>>, Range<usize>)> {
        match (value, seg) {
            (DeValue::Table(t), Seg::Key(k)) => t.get_key_value(k).map(|(key, v)| (v, key.span())),
            (DeValue::Array(a), Seg::Index(i)) => a.get(i).map(|v| (v, v.span())),
            _ => None,
        }
    }

    /// The value at `path`, if present.
    pub fn get(&self, path: &[Seg<'_>]) -> Option<&Spanned<DeValue<'i>>> {
        let (first, rest) = path.split_first()?;
        let Seg::Key(k) = first else { return None };
        let mut cur = self.root.get_ref().get(*k)?;
        for seg in rest {
            cur = Self::child(cur.get_ref(), *seg)?.0;
        }
        Some(cur)
    }

    /// Span of the value at `path`, or of the nearest ancestor that exists (a defaulted
    /// value has no text of its own; its table is the best place to point at).
    pub fn span(&self, path: &[Seg<'_>]) -> Range<usize> {
        for end in (1..=path.len()).rev() {
            if let Some(v) = self.get(&path[..end]) {
                return self.trim_table_span(v);
            }
        }
        0..0
    }

    /// Span of the key at the end of `path` (falls back to the value span).
    pub fn key_span(&self, path: &[Seg<'_>]) -> Range<usize> {
        if let Some((Seg::Key(k), parent)) = path.split_last() {
            let table = if parent.is_empty() {
                Some(self.root.get_ref())
            } else {
                self.get(parent).and_then(|v| v.get_ref().as_table())
            };
            if let Some((key, _)) = table.and_then(|t| t.get_key_value(*k)) {
                return key.span();
            }
        }
        self.span(path)
    }

    /// A table's span covers its whole body; pointing at all of it drowns the message, so
    /// point at its first line (the header) instead.
    fn trim_table_span(&self, v: &Spanned<DeValue<'i>>) -> Range<usize> {
        let span = v.span();
        if v.get_ref().is_table() {
            let body = self.source.get(span.clone()).unwrap_or("");
            let first_line = body.trim_end_matches(['\n', '\r']);
            let end = first_line
                .find('\n')
                .map_or(span.start + first_line.len(), |n| span.start + n);
            return span.start..end.max(span.start);
        }
        span
    }
}

/// A path rendered for people: `nodes[2].host` (array positions are 1-based).
pub fn display_path(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                s.push_str(&format!("[{}]", i + 1));
            }
        }
    }
    s
}

/// The table a key sits in, the way it is written in TOML: `[postgresql]`, `[[nodes]]`,
/// `[nodes.postgresql]`, or `the top level`.
pub fn display_table(path: &[Seg<'_>]) -> String {
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(*k),
            Seg::Index(_) => None,
        })
        .collect();
    if keys.is_empty() {
        return "the top level".to_owned();
    }
    let dotted = keys.join(".");
    if matches!(path.last(), Some(Seg::Index(_))) {
        format!("[[{dotted}]]")
    } else {
        format!("[{dotted}]")
    }
}
