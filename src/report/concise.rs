//! One line per finding, `file:line:col: CODE message`, as compilers and Ruff's concise
//! format print them (editors and grep read these).

use super::{Located, Texts};
use crate::diag;
use crate::lint::Finding;

pub fn concise(findings: &[Finding]) -> String {
    let mut texts = Texts::default();
    let mut out = String::new();
    for f in findings {
        let at = Located::of(f, texts.of(&f.file));
        // One line: a message never spans two.
        let message = f.diagnostic.message.replace(['\n', '\r'], " ");
        out.push_str(&format!(
            "{}:{}:{}: {} {}\n",
            diag::shown_path(&f.file),
            at.line,
            at.column,
            f.diagnostic.code,
            message
        ));
    }
    out
}
