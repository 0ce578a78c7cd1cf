//! One line per finding, `file:line:col: CODE message`, as compilers and Ruff's concise
//! format print them (editors and grep read these).

use std::io;

use super::{Located, Texts};
use crate::diag;
use crate::lint::Finding;

pub fn write_concise(out: &mut dyn io::Write, findings: &[Finding]) -> io::Result<()> {
    let mut texts = Texts::default();
    for f in findings {
        let at = Located::of(f, texts.of(&f.file));
        // One line: a message never spans two.
        let message = f.diagnostic.message.replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            diag::shown_path(&f.file),
            at.line,
            at.column,
            f.diagnostic.code,
            message
        )?;
    }
    Ok(())
}
