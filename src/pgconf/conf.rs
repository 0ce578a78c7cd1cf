//! postgresql.conf, read exactly as the server's configuration lexer reads it, without losing
//! a byte: the file's text is kept as is, and every item points into it with byte spans.
//!
//! The lexer follows the server's token rules with maximal munch, ties going to the rule
//! listed first: an identifier, a dotted identifier, a single-quoted string ('' and
//! backslash escapes), an unquoted string (letters, digits and `-._:/`), an integer with
//! optional unit letters, a real, `=`. Bytes 0x80-0xFF count as letters. `#` starts a
//! comment; blanks are space, tab and CR. A line is `name [=] value`; anything else is a
//! syntax error for that line, and parsing goes on with the next.

use std::ops::Range;
use std::sync::Arc;

/// What one line holds. Boxed: most lines of a real postgresql.conf are comments, and a
/// fleet's worth of lines is allocated, so an empty line must cost a pointer, not a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Blank, or only a comment.
    Empty,
    Setting(Box<Setting>),
    Include(Box<Include>),
    Error(Box<SyntaxError>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// As written (names are matched case-insensitively).
    pub name: Arc<str>,
    pub name_span: Range<usize>,
    /// After removing quotes and escapes, as the server stores it.
    pub value: Arc<str>,
    /// The value token as written, quotes included.
    pub value_span: Range<usize>,
    pub quoted: bool,
    /// The comment after the value, from `#`.
    pub comment: Option<Range<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeKind {
    /// `include`: a missing file is an error.
    File,
    /// `include_if_exists`: a missing file is skipped.
    IfExists,
    /// `include_dir`: the directory's `*.conf` files not starting with `.`, in byte order.
    Dir,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub kind: IncludeKind,
    pub path: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The token the server names (`near token "x"`), or `None` for `near end of line`.
    pub near: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based, as the server counts.
    pub number: usize,
    /// The line's bytes without its terminator.
    pub span: Range<usize>,
    pub item: Item,
}

/// A parsed file: its exact bytes and one entry per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfFile {
    pub text: Vec<u8>,
    pub lines: Vec<Line>,
}

impl ConfFile {
    pub fn parse(text: impl Into<Vec<u8>>) -> ConfFile {
        let text = text.into();
        // Sized up front: a sample postgresql.conf has 800 lines, and growing the vector
        // by doubling copies (and remaps) it several times.
        let mut lines = Vec::with_capacity(memchr::memchr_iter(b'\n', &text).count() + 1);
        let mut start = 0;
        let mut number = 1;
        while start < text.len() {
            let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p);
            let item = parse_line(&text, start..end);
            lines.push(Line {
                number,
                span: start..end,
                item,
            });
            start = end + 1;
            number += 1;
        }
        ConfFile { text, lines }
    }

    /// The file's bytes; unchanged files print back exactly.
    pub fn print(&self) -> &[u8] {
        &self.text
    }

    /// The line with this 1-based number. Lines may have been dropped ([`ConfFile::keep_settings`]),
    /// so this searches by number.
    pub fn line(&self, number: usize) -> Option<&Line> {
        match self.lines.get(number.checked_sub(1)?) {
            Some(l) if l.number == number => Some(l),
            _ => self
                .lines
                .binary_search_by_key(&number, |l| l.number)
                .ok()
                .map(|i| &self.lines[i]),
        }
    }

    /// Drops the text and every line but the settings: what is left after the single-file
    /// checks, for the checks across clusters (a fleet of files must not stay in memory).
    pub fn keep_settings(&mut self) {
        self.text = Vec::new();
        self.lines.retain(|l| matches!(l.item, Item::Setting(_)));
        self.lines.shrink_to_fit();
    }

    /// Text of a span, lossily decoded for display.
    pub fn slice(&self, span: &Range<usize>) -> String {
        String::from_utf8_lossy(&self.text[span.clone()]).into_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    QualifiedId,
    String,
    UnquotedString,
    Integer,
    Real,
    Equals,
    Error,
}

fn is_letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_letter_or_digit(b: u8) -> bool {
    is_letter(b) || b.is_ascii_digit()
}

fn count(s: &[u8], from: usize, pred: impl Fn(u8) -> bool) -> usize {
    s[from..].iter().take_while(|&&b| pred(b)).count()
}

fn match_id(s: &[u8]) -> usize {
    if s.first().is_some_and(|&b| is_letter(b)) {
        1 + count(s, 1, is_letter_or_digit)
    } else {
        0
    }
}

fn match_qualified_id(s: &[u8]) -> usize {
    let first = match_id(s);
    if first == 0 || s.get(first) != Some(&b'.') {
        return 0;
    }
    let second = match_id(&s[first + 1..]);
    if second == 0 { 0 } else { first + 1 + second }
}

/// `'…'` with `''` and backslash escapes; the longest closing quote wins.
fn match_string(s: &[u8]) -> usize {
    if s.first() != Some(&b'\'') {
        return 0;
    }
    let mut last_close = 0;
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'\'' => {
                last_close = i + 1;
                if s.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    break;
                }
            }
            b'\\' if i + 1 < s.len() && s[i + 1] != b'\n' => i += 2,
            b'\\' | b'\n' => break,
            _ => i += 1,
        }
    }
    last_close
}

fn match_unquoted(s: &[u8]) -> usize {
    if s.first().is_some_and(|&b| is_letter(b)) {
        1 + count(s, 1, |b| is_letter_or_digit(b) || b"-._:/".contains(&b))
    } else {
        0
    }
}

fn match_integer(s: &[u8]) -> usize {
    let sign = usize::from(matches!(s.first(), Some(b'-' | b'+')));
    let decimal = count(s, sign, |b| b.is_ascii_digit());
    let hex = if s[sign..].starts_with(b"0x") {
        let digits = count(s, sign + 2, |b| b.is_ascii_hexdigit());
        if digits > 0 { 2 + digits } else { 0 }
    } else {
        0
    };
    [decimal, hex]
        .into_iter()
        .filter(|&n| n > 0)
        .map(|n| sign + n + count(s, sign + n, |b| b.is_ascii_alphabetic()))
        .max()
        .unwrap_or(0)
}

fn match_real(s: &[u8]) -> usize {
    let mut i = usize::from(matches!(s.first(), Some(b'-' | b'+')));
    i += count(s, i, |b| b.is_ascii_digit());
    if s.get(i) != Some(&b'.') {
        return 0;
    }
    i += 1;
    i += count(s, i, |b| b.is_ascii_digit());
    if matches!(s.get(i), Some(b'e' | b'E')) {
        let mut k = i + 1;
        k += usize::from(matches!(s.get(k), Some(b'-' | b'+')));
        let digits = count(s, k, |b| b.is_ascii_digit());
        if digits > 0 {
            i = k + digits;
        }
    }
    i
}

/// The next token at `s` (no leading blanks): maximal munch, ties to the earlier rule.
fn next_token(s: &[u8]) -> (Kind, usize) {
    let candidates = [
        (Kind::Id, match_id(s)),
        (Kind::QualifiedId, match_qualified_id(s)),
        (Kind::String, match_string(s)),
        (Kind::UnquotedString, match_unquoted(s)),
        (Kind::Integer, match_integer(s)),
        (Kind::Real, match_real(s)),
        (Kind::Equals, usize::from(s.first() == Some(&b'='))),
    ];
    let mut best = (Kind::Error, 0);
    for (kind, len) in candidates {
        if len > best.1 {
            best = (kind, len);
        }
    }
    if best.1 == 0 { (Kind::Error, 1) } else { best }
}

type Token = (Kind, Range<usize>);

/// A line's tokens: a setting has two or three, held in place.
type Tokens = smallvec::SmallVec<[Token; 3]>;

/// The tokens of one line (up to a comment), and where the comment starts.
fn tokenize(text: &[u8], line: Range<usize>) -> (Tokens, Option<Range<usize>>) {
    let mut tokens = Tokens::new();
    let mut i = line.start;
    while i < line.end {
        let b = text[i];
        if matches!(b, b' ' | b'\t' | b'\r') {
            i += 1;
            continue;
        }
        if b == b'#' {
            return (tokens, Some(i..line.end));
        }
        let (kind, len) = next_token(&text[i..line.end]);
        tokens.push((kind, i..i + len));
        i += len;
    }
    (tokens, None)
}

/// The server's unescaping of a quoted value: quotes stripped, `''` is `'`, backslash
/// escapes \b \f \n \r \t and up to three octal digits, any other escaped byte as itself.
pub fn unescape(quoted: &[u8]) -> Vec<u8> {
    let inner = &quoted[1..quoted.len().saturating_sub(1).max(1)];
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        match inner[i] {
            b'\\' if i + 1 < inner.len() => {
                let c = inner[i + 1];
                i += 2;
                match c {
                    b'b' => out.push(0x08),
                    b'f' => out.push(0x0c),
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'0'..=b'7' => {
                        let mut v = u32::from(c - b'0');
                        let mut digits = 1;
                        while digits < 3 && i < inner.len() && (b'0'..=b'7').contains(&inner[i]) {
                            v = v * 8 + u32::from(inner[i] - b'0');
                            i += 1;
                            digits += 1;
                        }
                        out.push(v as u8);
                    }
                    other => out.push(other),
                }
            }
            b'\'' if inner.get(i + 1) == Some(&b'\'') => {
                out.push(b'\'');
                i += 2;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn parse_line(text: &[u8], line: Range<usize>) -> Item {
    let (tokens, comment) = tokenize(text, line.clone());
    let lossy = |r: &Range<usize>| String::from_utf8_lossy(&text[r.clone()]).into_owned();
    let error_near = |t: Option<&Token>| {
        Item::Error(Box::new(SyntaxError {
            near: t.map(|(_, r)| lossy(r)),
            span: t.map_or(line.end..line.end, |(_, r)| r.clone()),
        }))
    };
    let Some((kind, name_span)) = tokens.first() else {
        return Item::Empty;
    };
    if !matches!(kind, Kind::Id | Kind::QualifiedId) {
        return error_near(tokens.first());
    }
    let mut k = 1;
    if tokens.get(k).is_some_and(|(kind, _)| *kind == Kind::Equals) {
        k += 1;
    }
    let Some((value_kind, value_span)) = tokens.get(k) else {
        return error_near(None);
    };
    if !matches!(
        value_kind,
        Kind::Id | Kind::String | Kind::Integer | Kind::Real | Kind::UnquotedString
    ) {
        return error_near(tokens.get(k));
    }
    if tokens.len() > k + 1 {
        return error_near(tokens.get(k + 1));
    }
    let quoted = *value_kind == Kind::String;
    // Straight from the file's bytes into what is kept: a file of a million settings made
    // five short-lived copies per line, and their holes between the kept ones.
    let raw = &text[value_span.clone()];
    let value: Arc<str> = if !quoted {
        shared(raw)
    } else {
        // As `unescape` cuts it; with no quote or backslash inside, unescaping changes nothing.
        let inner = &raw[1..raw.len().saturating_sub(1).max(1)];
        if inner.iter().any(|b| matches!(b, b'\\' | b'\'')) {
            shared(&unescape(raw))
        } else {
            shared(inner)
        }
    };
    let name = &text[name_span.clone()];
    let include = [
        ("include", IncludeKind::File),
        ("include_if_exists", IncludeKind::IfExists),
        ("include_dir", IncludeKind::Dir),
    ]
    .into_iter()
    .find(|(word, _)| name.eq_ignore_ascii_case(word.as_bytes()))
    .map(|(_, kind)| kind);
    if let Some(kind) = include {
        return Item::Include(Box::new(Include {
            kind,
            path: value.as_ref().to_owned(),
            span: name_span.start..value_span.end,
        }));
    }
    Item::Setting(Box::new(Setting {
        name: shared(name),
        name_span: name_span.clone(),
        value,
        value_span: value_span.clone(),
        quoted,
        comment,
    }))
}

/// Bytes as shared text, invalid UTF-8 replaced as `String::from_utf8_lossy` does.
fn shared(bytes: &[u8]) -> Arc<str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Arc::from(s),
        Err(_) => Arc::from(String::from_utf8_lossy(bytes).as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(line: &str) -> Setting {
        match ConfFile::parse(line).lines.remove(0).item {
            Item::Setting(s) => *s,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn error_near(line: &str) -> Option<String> {
        match ConfFile::parse(line).lines.remove(0).item {
            Item::Error(e) => e.near,
            other => panic!("{line:?}: {other:?}"),
        }
    }

    #[test]
    fn values_as_the_server_reads_them() {
        assert_eq!(setting("wal_level = replica").value.as_ref(), "replica");
        assert_eq!(setting("wal_level replica").value.as_ref(), "replica");
        assert_eq!(
            setting("shared_buffers=128MB # comment").value.as_ref(),
            "128MB"
        );
        assert_eq!(setting("listen_addresses = '*'").value.as_ref(), "*");
        assert_eq!(
            setting(r"x.y = 'it''s \'q\' \n\101'").value.as_ref(),
            "it's 'q' \nA"
        );
        assert_eq!(setting("a = -1.5e3").value.as_ref(), "-1.5e3");
        assert_eq!(setting("a = 0x1F").value.as_ref(), "0x1F");
        assert_eq!(setting("a = var/lib:x-y.z").value.as_ref(), "var/lib:x-y.z");
        let s = setting("port = 5432   # the port");
        assert_eq!(s.comment, Some(14..24));
    }

    #[test]
    fn syntax_errors_name_the_token() {
        assert_eq!(error_near("listen_addresses = *"), Some("*".into()));
        assert_eq!(error_near("port 5432 6543"), Some("6543".into()));
        assert_eq!(error_near("port ="), None);
        assert_eq!(error_near("= 5"), Some("=".into()));
        assert_eq!(error_near("x = 'unterminated"), Some("'".into()));
        assert_eq!(error_near("1abc = 2"), Some("1abc".into()));
        // Unquoted values must start with a letter or a number.
        assert_eq!(error_near("a = /var/lib"), Some("/".into()));
        assert_eq!(
            error_near("dynamic_library_path = $libdir"),
            Some("$".into())
        );
    }

    #[test]
    fn includes() {
        let f = ConfFile::parse("INCLUDE_DIR 'conf.d'\ninclude_if_exists = 'x.conf'\n");
        assert!(
            matches!(&f.lines[0].item, Item::Include(i) if i.kind == IncludeKind::Dir && i.path == "conf.d")
        );
        assert!(matches!(&f.lines[1].item, Item::Include(i) if i.kind == IncludeKind::IfExists));
    }

    #[test]
    fn prints_back_every_byte() {
        for text in [
            &b"a = 1\r\n# \xff\xfe comment\n\tb\t=\t'x'   \nno_final_newline = on"[..],
            b"",
            b"\n\n",
            b"broken = = =\n",
        ] {
            let f = ConfFile::parse(text);
            assert_eq!(f.print(), text);
        }
    }
}
