//! The human format: caret diagnostics (miette), grouped by file, passwords masked.

use std::borrow::Cow;
use std::io;
use std::path::Path;

use super::{Texts, redact_passwords};
use crate::diag::{self, Style};
use crate::lint::Finding;

/// Findings drawn by one thread at a time.
const BATCH: usize = 256;

/// Caret diagnostics, grouped by file (in file order, each file's in the order given),
/// written one at a time.
pub fn write_human(out: &mut dyn io::Write, findings: &[Finding], style: Style) -> io::Result<()> {
    let mut texts = Texts::default();
    let mut by_file: Vec<&Finding> = findings.iter().collect();
    by_file.sort_by(|a, b| a.file.cmp(&b.file));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    for group in by_file.chunk_by(|a, b| a.file == b.file) {
        let file = &*group[0].file;
        let text = redact_passwords(texts.of(file).text());
        let shown = diag::shown_path(file);
        let renderer = diag::Renderer::new(&shown, &text, style);
        // Drawing is most of the time of a large report: batches drawn on every core,
        // written in order, so that only one batch is held at a time.
        for batch in group.chunks(BATCH * workers) {
            let parts: Vec<&[&Finding]> = batch.chunks(BATCH).collect();
            let drawn = crate::parallel::map(&parts, &|part| {
                let mut drawn = String::new();
                for f in *part {
                    renderer.render(&file_level(file, &f.diagnostic), &mut drawn);
                }
                drawn
            });
            for d in drawn {
                out.write_all(d.as_bytes())?;
            }
        }
    }
    Ok(())
}

/// A finding about the file as a whole (something unset, a file missing beside it) has an
/// empty label at offset 0: drawn as a caret, it would blame the file's first line. It is
/// shown without a snippet, naming the file and saying what the label says.
fn file_level<'d>(file: &Path, d: &'d diag::Diagnostic) -> Cow<'d, diag::Diagnostic> {
    match d.labels.as_slice() {
        [only] if only.span == (0..0) => {
            let mut d = d.clone();
            let what = if only.text.is_empty() {
                String::new()
            } else {
                format!(" ({})", only.text)
            };
            d.message = format!("{}: {}{what}", diag::shown_path(file), d.message);
            d.labels.clear();
            Cow::Owned(d)
        }
        _ => Cow::Borrowed(d),
    }
}
