//! Lint reporters, one file per format: human (miette caret diagnostics), concise (one line
//! each), JSON, SARIF 2.1.0 and GitHub Actions annotations. Lines and columns are 1-based in every format; `Located`
//! is the one place that turns a finding's span into them.

mod concise;
mod github;
mod human;
mod json;
mod sarif;

use std::path::{Path, PathBuf};

use crate::diag::Severity;
use crate::lint::Finding;

pub use concise::concise;
pub use github::github;
pub use human::human;
pub use json::{JsonFinding, json};
pub use sarif::sarif;

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The text of the file a finding is in. Findings come sorted by file, so one file at a time
/// is enough: each file is read once, and a fleet's worth of text is never held.
#[derive(Default)]
pub(crate) struct Texts(Option<(PathBuf, String)>);

impl Texts {
    pub(crate) fn of(&mut self, path: &Path) -> &str {
        if self.0.as_ref().is_none_or(|(p, _)| p != path) {
            let text =
                String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
            self.0 = Some((path.to_path_buf(), text));
        }
        self.0.as_ref().map_or("", |(_, t)| t.as_str())
    }
}

/// Where a finding is, 1-based, as every machine-readable format reports it.
pub(crate) struct Located {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Located {
    /// The finding's primary label (the file's start when it has none) in `text`.
    pub(crate) fn of(f: &Finding, text: &str) -> Located {
        let span = f.diagnostic.labels.first().map_or(0..0, |l| l.span.clone());
        let (line, column) = line_col(text, span.start);
        let (end_line, end_column) = line_col(text, span.end);
        Located {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// The finding's message followed by its help, joined by `sep`.
pub(crate) fn message_with_help(f: &Finding, sep: &str) -> String {
    match &f.diagnostic.help {
        Some(h) => format!("{}{sep}{h}", f.diagnostic.message),
        None => f.diagnostic.message.clone(),
    }
}

/// The text with every `password=` value of a connection string masked, byte for byte, so
/// that diagnostics quoting the line never show the secret.
pub fn redact_passwords(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(at) = text[from..].find("password=") {
        let mut i = from + at + "password=".len();
        let quoted = bytes.get(i) == Some(&b'\'');
        if quoted {
            i += 1;
        }
        while i < bytes.len()
            && bytes[i] != b'\n'
            && !(if quoted {
                bytes[i] == b'\''
            } else {
                bytes[i] == b' ' || bytes[i] == b'\''
            })
        {
            bytes[i] = b'*';
            i += 1;
        }
        from = i.max(from + at + 1);
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        let t = "primary_conninfo = 'host=a password=s3cr3t user=r'\nx = 'password=''q q'''";
        let r = super::redact_passwords(t);
        assert_eq!(r.len(), t.len());
        assert!(!r.contains("s3cr3t") && r.contains("user=r"), "{r}");
    }

    #[test]
    fn one_based_positions() {
        assert_eq!(super::line_col("ab\ncd", 0), (1, 1));
        assert_eq!(super::line_col("ab\ncd", 4), (2, 2));
        assert_eq!(super::line_col("é\nx", 3), (2, 1));
    }
}
