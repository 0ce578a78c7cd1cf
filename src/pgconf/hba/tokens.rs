//! pg_hba.conf's lexical layer, as the server's token reader: logical lines (continuations
//! from 14), fields of comma-separated tokens, quoting, comments, and `@file` lists.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use super::Token;
use crate::catalog::{Feature, has};

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// Splits a logical line into fields of tokens, following the server's token reader.
pub(super) fn fields(line: &[u8]) -> Vec<Vec<Token>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut i = 0;
    loop {
        let mut field = Vec::new();
        loop {
            while i < line.len() && is_blank(line[i]) {
                i += 1;
            }
            if i >= line.len() || line[i] == b'#' {
                if !field.is_empty() {
                    out.push(field);
                }
                return out;
            }
            let mut buf = Vec::new();
            let (mut in_quote, mut was_quote, mut saw_quote, mut comma) =
                (false, false, false, false);
            while i < line.len() && (!is_blank(line[i]) || in_quote) {
                let c = line[i];
                i += 1;
                if c == b'#' && !in_quote {
                    i = line.len();
                    break;
                }
                if c == b',' && !in_quote {
                    comma = true;
                    break;
                }
                if c != b'"' || was_quote {
                    buf.push(c);
                }
                was_quote = if in_quote && c == b'"' {
                    !was_quote
                } else {
                    false
                };
                if c == b'"' {
                    in_quote = !in_quote;
                    saw_quote = true;
                }
            }
            if !buf.is_empty() || saw_quote {
                let text = String::from_utf8(buf)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                field.push(Token {
                    text,
                    quoted: saw_quote,
                });
            }
            if !comma {
                break;
            }
        }
        if !field.is_empty() {
            out.push(field);
        }
    }
}

/// The records of a file: logical lines (a backslash at the end of a line continues it,
/// from 14), each with its first line number and byte span.
pub(super) fn logical_lines(text: &[u8], major: u32) -> Vec<(usize, Range<usize>, Cow<'_, [u8]>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut number = 1;
    while start < text.len() {
        let first = number;
        // Borrowed unless a continuation joins lines (most lines stand alone).
        let mut content: Cow<'_, [u8]> = Cow::Borrowed(&[]);
        let mut pos = start;
        loop {
            let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
            let mut line = &text[pos..end];
            number += 1;
            let continued = has(major, Feature::HbaLineContinuation)
                && line.ends_with(b"\\")
                && end < text.len();
            if continued {
                line = &line[..line.len() - 1];
            }
            if content.is_empty() && pos == start {
                content = Cow::Borrowed(line);
            } else {
                content.to_mut().extend_from_slice(line);
            }
            pos = end + 1;
            if !continued {
                break;
            }
        }
        out.push((first, start..pos.min(text.len()), content));
        start = pos;
    }
    out
}

/// Reads an `@file` list next to pg_hba.conf.
pub(super) fn expand_at(token: &Token, dir: &Path, major: u32) -> Result<Vec<Token>, String> {
    let path = dir.join(&token.text[1..]);
    let text = std::fs::read(&path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_owned(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_owned(),
            _ => e.to_string(),
        };
        format!("could not open file \"{}\": {reason}", path.display())
    })?;
    Ok(logical_lines(&text, major)
        .into_iter()
        .flat_map(|(_, _, l)| fields(&l).into_iter().flatten())
        .collect())
}
