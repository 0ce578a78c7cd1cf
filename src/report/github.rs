//! GitHub Actions workflow commands: one annotation per finding.

use std::io;

use super::{Located, Texts, message_with_help, severity_name};
use crate::diag::{self, Severity};
use crate::lint::Finding;

/// GitHub Actions workflow commands: one `::error` / `::warning` / `::notice` annotation per
/// finding.
pub fn write_github(out: &mut dyn io::Write, findings: &[Finding]) -> io::Result<()> {
    // Workflow-command escaping: % CR LF in data; also : and , in properties.
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut texts = Texts::default();
    for f in findings {
        let at = Located::of(f, texts.of(&f.file));
        let name = crate::lint::rule(f.diagnostic.code).map_or("", |r| r.name);
        let message = message_with_help(f, "\n");
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            match f.diagnostic.severity {
                Severity::Info => "notice",
                s => severity_name(s),
            },
            prop(&diag::shown_path(&f.file)),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            prop(&format!("{} {name}", f.diagnostic.code)),
            data(&message)
        )?;
    }
    Ok(())
}
