//! Lint reporters, one file per format: human (miette caret diagnostics), concise (one line
//! each), JSON, SARIF 2.1.0, GitHub Actions annotations, and the counts per rule. Lines and
//! columns are 1-based in every format; `Located` is the one place that turns a finding's
//! span into them.

mod concise;
mod github;
mod human;
mod json;
mod sarif;
mod statistics;

use std::path::{Path, PathBuf};

use crate::diag::Severity;
use crate::lines::Lines;
use crate::lint::Finding;

pub use concise::write_concise;
pub use github::write_github;
pub use human::write_human;
pub use json::{JsonFinding, write_json};
pub use sarif::write_sarif;
pub use statistics::{statistics, statistics_json};

use std::cell::RefCell;
use std::io;

use serde::Serialize;

use crate::diag::Style;

/// What a reporter writes, as a String (tests, benchmarks, the fuzz target).
fn written(write: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("reports are UTF-8")
}

pub fn human(findings: &[Finding], style: Style) -> String {
    written(|w| write_human(w, findings, style))
}

pub fn json(findings: &[Finding]) -> String {
    written(|w| write_json(w, findings))
}

pub fn sarif(findings: &[Finding]) -> String {
    written(|w| write_sarif(w, findings))
}

pub fn github(findings: &[Finding]) -> String {
    written(|w| write_github(w, findings))
}

/// A JSON array made element by element as it is written, so that the report of a million
/// findings is never held whole. Serialized once.
pub(crate) struct Lazy<I>(RefCell<Option<I>>);

impl<I> Lazy<I> {
    pub(crate) fn new(items: I) -> Lazy<I> {
        Lazy(RefCell::new(Some(items)))
    }
}

impl<I: Iterator> Serialize for Lazy<I>
where
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        s.collect_seq(items.into_iter().flatten())
    }
}

/// Pretty JSON (two-space indent, as `serde_json::to_string_pretty`) and a final newline.
fn write_pretty(out: &mut dyn io::Write, value: &impl Serialize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::pretty(&mut *out);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// The text of the file a finding is in, with its line index. Findings come sorted by file,
/// so one file at a time is enough: each file is read and indexed once, and a fleet's worth
/// of text is never held.
#[derive(Default)]
pub(crate) struct Texts(Option<(PathBuf, Lines<'static>)>);

impl Texts {
    pub(crate) fn of(&mut self, path: &Path) -> &Lines<'static> {
        if self.0.as_ref().is_none_or(|(p, _)| p != path) {
            let bytes = crate::input::read_bounded(path, crate::input::MAX_CONFIG_BYTES)
                .unwrap_or_default();
            // Moved, not copied, when it is UTF-8: a second copy of a 100 MB file was the
            // report's peak.
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            self.0 = Some((path.to_path_buf(), Lines::new(text)));
        }
        &self.0.as_ref().expect("just set").1
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
    pub(crate) fn of(f: &Finding, text: &Lines<'_>) -> Located {
        let span = f.diagnostic.labels.first().map_or(0..0, |l| l.span.clone());
        let (line, column) = text.line_col(span.start);
        let (end_line, end_column) = text.line_col(span.end);
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
}
