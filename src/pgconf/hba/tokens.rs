//! pg_hba.conf's lexical layer, as the server's token reader: logical lines (continuations
//! from 14), fields of comma-separated tokens, quoting, comments, and `@file` lists.
//!
//! Fields live in one reused buffer and short tokens are stored inline, so reading a
//! typical record allocates nothing.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use super::{Text, Token};
use crate::catalog::{Feature, has};

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// The bytes that end an unquoted run: blanks, a comma, a comment, a quote.
const ENDS_RUN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = matches!(b, b' ' | b'\t' | b'\r' | b',' | b'#' | b'"');
        i += 1;
    }
    t
};

/// The text of `line[range]`: sliced from the line checked once when it is valid UTF-8
/// (a run between ASCII delimiters is on character boundaries), else read lossily.
fn text(line: &[u8], checked: Option<&str>, range: Range<usize>) -> Text {
    match checked {
        Some(s) => Text::new(&s[range]),
        None => Text::from_utf8_lossy(&line[range]),
    }
}

/// The fields of one logical line: each a run of tokens in one buffer.
#[derive(Default)]
pub(super) struct Fields {
    tokens: Vec<Token>,
    /// Where each field's tokens end in `tokens`.
    ends: Vec<usize>,
    /// A token's bytes while it is read.
    buf: Vec<u8>,
}

impl Fields {
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(super) fn get(&self, i: usize) -> &[Token] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.tokens[start..self.ends[i]]
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &[Token]> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Splits a logical line into fields of tokens, following the server's token reader.
    pub(super) fn read(&mut self, line: &[u8]) {
        self.tokens.clear();
        self.ends.clear();
        let checked = std::str::from_utf8(line).ok();
        let mut i = 0;
        loop {
            let field_start = self.tokens.len();
            loop {
                while i < line.len() && is_blank(line[i]) {
                    i += 1;
                }
                if i >= line.len() || line[i] == b'#' {
                    if self.tokens.len() > field_start {
                        self.ends.push(self.tokens.len());
                    }
                    return;
                }
                // Most tokens have no quotes: they are the bytes up to a blank, a comma
                // or a comment, taken whole.
                let run = line[i..]
                    .iter()
                    .position(|&c| ENDS_RUN[usize::from(c)])
                    .map_or(line.len(), |p| i + p);
                let comma;
                if line.get(run) == Some(&b'"') {
                    (i, comma) = self.read_quoted(line, i);
                } else {
                    if run > i {
                        self.tokens.push(Token {
                            text: text(line, checked, i..run),
                            quoted: false,
                        });
                    }
                    comma = line.get(run) == Some(&b',');
                    i = match line.get(run) {
                        Some(b',') => run + 1,
                        Some(b'#') => line.len(),
                        _ => run,
                    };
                }
                if !comma {
                    break;
                }
            }
            if self.tokens.len() > field_start {
                self.ends.push(self.tokens.len());
            }
        }
    }

    /// Reads a token with quotes from `i`, as the server does: quotes protect blanks,
    /// commas and `#`, and two double quotes inside quotes are one. Returns where reading
    /// goes on and whether a comma ended the token.
    fn read_quoted(&mut self, line: &[u8], mut i: usize) -> (usize, bool) {
        self.buf.clear();
        let (mut in_quote, mut was_quote, mut saw_quote, mut comma) = (false, false, false, false);
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
                self.buf.push(c);
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
        if !self.buf.is_empty() || saw_quote {
            self.tokens.push(Token {
                text: Text::from_utf8_lossy(&self.buf),
                quoted: saw_quote,
            });
        }
        (i, comma)
    }
}

/// A line's fields as lists of tokens (tests and `@file` lists).
pub(super) fn fields(line: &[u8]) -> Vec<Vec<Token>> {
    let mut f = Fields::default();
    f.read(line);
    f.iter().map(<[Token]>::to_vec).collect()
}

/// The records of a file: logical lines (a backslash at the end of a line continues it,
/// from 14), each with its first line number and byte span, one at a time.
pub(super) fn logical_lines(text: &[u8], major: u32) -> LogicalLines<'_> {
    LogicalLines {
        text,
        continuation: has(major, Feature::HbaLineContinuation),
        start: 0,
        number: 1,
    }
}

/// An iterator rather than a list: a file's lines are read once, in order, and a list of
/// them was a copy of the file's structure made only to be walked.
pub(super) struct LogicalLines<'a> {
    text: &'a [u8],
    continuation: bool,
    start: usize,
    number: usize,
}

impl<'a> Iterator for LogicalLines<'a> {
    type Item = (usize, Range<usize>, Cow<'a, [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text;
        let start = self.start;
        if start >= text.len() {
            return None;
        }
        let first = self.number;
        // Borrowed unless a continuation joins lines (most lines stand alone).
        let mut content: Cow<'a, [u8]> = Cow::Borrowed(&[]);
        let mut pos = start;
        loop {
            let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
            let mut line = &text[pos..end];
            self.number += 1;
            let continued = self.continuation && line.ends_with(b"\\") && end < text.len();
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
        self.start = pos;
        Some((first, start..pos.min(text.len()), content))
    }
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
        .flat_map(|(_, _, l)| fields(&l).into_iter().flatten())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The server's reader, character by character for every token (no fast path).
    fn slow(line: &[u8]) -> Vec<Vec<Token>> {
        let mut f = Fields::default();
        let mut out = Vec::new();
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
                f.tokens.clear();
                let (next, comma) = f.read_quoted(line, i);
                i = next;
                field.append(&mut f.tokens);
                if !comma {
                    break;
                }
            }
            if !field.is_empty() {
                out.push(field);
            }
        }
    }

    proptest! {
        #[test]
        fn the_fast_path_reads_as_the_server_does(
            line in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b'b'), Just(b' '), Just(b'\t'), Just(b','),
                            Just(b'#'), Just(b'"'), Just(b'\r'), Just(0xc3u8)], 0..40)
        ) {
            prop_assert_eq!(fields(&line), slow(&line));
        }
    }
}
