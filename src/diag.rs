//! Diagnostics: a small internal type, turned into miette reports only when rendered.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::lines::Lines;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Range<usize>,
    /// Most label and help texts are fixed words: borrowed, not copied into every finding
    /// (a file can have millions).
    pub text: Cow<'static, str>,
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable identifier, e.g. `topology::unknown-key`.
    pub code: &'static str,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Option<Cow<'static, str>>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn label(mut self, span: Range<usize>, text: impl Into<Cow<'static, str>>) -> Self {
        // Most diagnostics have one label: room for one, not the four a push would make.
        self.labels.reserve_exact(1);
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<Cow<'static, str>>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where this diagnostic points, for ordering: the primary label's start.
    pub fn offset(&self) -> usize {
        self.labels.first().map_or(0, |l| l.span.start)
    }
}

/// A diagnostic bound to the file it describes, in the shape miette renders.
struct Bound<'a> {
    diag: &'a Diagnostic,
    source: &'a Windowed<'a>,
}

impl fmt::Debug for Bound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Bound<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Bound<'_> {}

impl miette::Diagnostic for Bound<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if self.diag.labels.is_empty() {
            None
        } else {
            Some(self.source)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.diag.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.diag.labels.iter().enumerate().map(
            |(i, l)| {
                let text = (!l.text.is_empty()).then(|| l.text.to_string());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, l.span.clone())
                } else {
                    LabeledSpan::new_with_span(text, l.span.clone())
                }
            },
        )))
    }
}

/// A file's text served to miette a few lines at a time. miette's own `str` source scans
/// from the file's start for every label, so a file with many findings costs the square of
/// them; and it reports a snippet's line count from the file's start, which joins labels far
/// apart into one snippet of every line between them. This one finds the lines around a span
/// through the line index and counts only the lines a snippet covers.
struct Windowed<'a> {
    name: &'a str,
    lines: Lines<'a>,
}

impl SourceCode for Windowed<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.lines.text();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if start > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // A window with more lines than miette asks for on each side, starting at a line
        // start, so that miette's reading of it is the same as of the whole file.
        let first = self.lines.line_of(start);
        let last = self.lines.line_of(end.min(text.len()));
        let from = self.lines.start_of(first.saturating_sub(before + 1));
        let to = self.lines.start_of(last + after + 3);
        let window = &text.as_bytes()[from..to];
        let local =
            window.read_span(&SourceSpan::from((start - from, span.len())), before, after)?;
        let base = self.lines.miette_breaks_before(from);
        let data: &'b [u8] = &text.as_bytes()[from + local.span().offset()..][..local.span().len()];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_owned(),
            data,
            SourceSpan::from((from + local.span().offset(), local.span().len())),
            base + local.line(),
            local.column(),
            local.line_count() - local.line(),
        )))
    }
}

/// How diagnostics are drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Stable output for tests and snapshots: no colour, 80 columns.
    pub const PLAIN: Style = Style {
        color: false,
        width: 80,
    };
}

/// Draws diagnostics of one file, one at a time (the file is indexed once).
pub struct Renderer<'a> {
    source: Windowed<'a>,
    handler: GraphicalReportHandler,
}

impl<'a> Renderer<'a> {
    pub fn new(file_name: &'a str, source: &'a str, style: Style) -> Renderer<'a> {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Renderer {
            source: Windowed {
                name: file_name,
                lines: Lines::new(source),
            },
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(style.width)
                .with_links(false),
        }
    }

    /// Appends one diagnostic, drawn, to `out`.
    pub fn render(&self, diag: &Diagnostic, out: &mut String) {
        let bound = Bound {
            diag,
            source: &self.source,
        };
        self.handler
            .render_report(out, &bound)
            .expect("writing to a String cannot fail");
    }
}

/// Renders diagnostics of one file, in the order given.
pub fn render(file_name: &str, source: &str, diags: &[Diagnostic], style: Style) -> String {
    let renderer = Renderer::new(file_name, source, style);
    let mut out = String::new();
    for diag in diags {
        renderer.render(diag, &mut out);
    }
    out
}

/// Sorts diagnostics by position, then severity, then message, so output is stable, and
/// drops exact repeats (a cluster-wide setting is checked once per node).
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (a.offset(), a.severity, &a.message).cmp(&(b.offset(), b.severity, &b.message))
    });
    diags.dedup();
}

/// A file as messages name it: relative to the working directory when it is below it (the
/// config parser works with absolute paths; a user and a CI annotation want the short one).
pub fn shown_path(path: &std::path::Path) -> String {
    // Asked once: a fleet's report names thousands of files.
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok());
    relative.unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_reads_what_miette_reads_from_the_whole_file() {
        let text = "a = 1\nbb = 2\r\n\ncc = 'x'\rdd = 4\n\n\neeee = 5\nf = 6";
        let windowed = Windowed {
            name: "f",
            lines: Lines::new(text),
        };
        for start in 0..=text.len() {
            for len in 0..=(text.len() - start).min(12) {
                for context in 0..3 {
                    let span = SourceSpan::from((start, len));
                    let whole = text.read_span(&span, context, context);
                    let window = windowed.read_span(&span, context, context);
                    match (whole, window) {
                        (Ok(w), Ok(v)) => {
                            let at = (start, len, context);
                            assert_eq!(w.data(), v.data(), "{at:?}");
                            assert_eq!(w.span(), v.span(), "{at:?}");
                            assert_eq!((w.line(), w.column()), (v.line(), v.column()), "{at:?}");
                            // Only the lines shown, not every line from the file's start.
                            let shown = v.data().split(|b| *b == b'\n').count();
                            assert!(v.line_count() <= shown + 1, "{at:?}");
                        }
                        (Err(_), Err(_)) => {}
                        (w, v) => panic!("{start} {len}: {:?} / {:?}", w.is_ok(), v.is_ok()),
                    }
                }
            }
        }
    }
}
