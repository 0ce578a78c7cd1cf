//! The pg_hba.conf block merge exists twice: in Rust (`gen --base`) and in awk, in the
//! runbook's lib.sh (hosts have no pgrepl). Both must give the same bytes on every pg_hba
//! fixture, LF and CRLF, with the block absent, present elsewhere, already merged, or damaged.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pgrepl::pgconf::block::merge_hba_block;

fn fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fixtures(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for &b in text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// What lib.sh's merge_hba_block makes of `input`: (exit code, stdout, stderr).
fn shell_merge(lib: &Path, block: &Path, input: &Path) -> (i32, Vec<u8>, String) {
    let out = Command::new("bash")
        .args([
            "-c",
            r#". "$0" && merge_hba_block "$1" "$(ends_with_newline "$2")" <"$2""#,
        ])
        .arg(lib)
        .arg(block)
        .arg(input)
        .output()
        .expect("bash");
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn awk_and_rust_merge_to_the_same_bytes() {
    let plan = support::plan_for(
        &std::fs::read_to_string(support::root().join("examples/guide.toml")).unwrap(),
    );
    let file = |path: &str| {
        plan.iter()
            .find(|a| a.path == path)
            .unwrap_or_else(|| panic!("{path} not generated"))
            .contents
            .clone()
    };
    let block = file("vm2/pg_hba-replication.conf");
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib.sh");
    std::fs::write(&lib, file("vm2/runbook/lib.sh")).unwrap();
    let block_file = tmp.path().join("block");
    std::fs::write(&block_file, &block).unwrap();

    let mut files = Vec::new();
    fixtures(&support::root().join("tests/hba"), &mut files);
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    let begin = block.lines().next().unwrap();
    for f in &files {
        let text = std::fs::read(f).unwrap();
        let name = f
            .strip_prefix(support::root())
            .unwrap()
            .display()
            .to_string();
        let merged = merge_hba_block(&text, &block).unwrap();
        // The block at the end, where an older pgrepl or a person left it.
        let mut at_end = text.clone();
        if !at_end.is_empty() && !at_end.ends_with(b"\n") {
            at_end.push(b'\n');
        }
        at_end.extend_from_slice(block.as_bytes());
        // A BEGIN line without its END.
        let mut damaged = text.clone();
        damaged.extend_from_slice(format!("\n{begin}\n").as_bytes());
        for (variant, bytes) in [
            ("", text.clone()),
            (" merged", merged),
            (" block at the end", at_end),
            (" damaged", damaged),
        ] {
            inputs.push((format!("{name}{variant} (CRLF)"), crlf(&bytes)));
            inputs.push((format!("{name}{variant}"), bytes));
        }
    }
    // Edge cases no fixture has: empty, only comments, no final newline after a comment,
    // a lone carriage return, blanks that are not spaces.
    for (name, bytes) in [
        ("empty", &b""[..]),
        ("comments only", b"# a\n# b\n"),
        ("comment without newline", b"# a"),
        ("record without newline", b"local all all peer"),
        ("carriage return alone", b"# a\r\nlocal all all peer\r"),
        ("vertical tab before a record", b"\x0b local all all peer\n"),
        (
            "form feed before a comment",
            b"\x0c# c\nlocal all all peer\n",
        ),
    ] {
        inputs.push((name.to_owned(), bytes.to_vec()));
    }

    let mut checked = 0;
    for (name, bytes) in &inputs {
        let input = tmp.path().join("input");
        std::fs::write(&input, bytes).unwrap();
        let (code, out, err) = shell_merge(&lib, &block_file, &input);
        match merge_hba_block(bytes, &block) {
            Ok(expected) => {
                assert_eq!(code, 0, "{name}: awk failed: {err}");
                assert!(
                    out == expected,
                    "{name}: awk and Rust differ\nawk:  {:?}\nrust: {:?}",
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&expected)
                );
            }
            Err(e) => {
                assert_eq!(code, 3, "{name}: awk accepted a damaged block: {err}");
                let why = err.trim_end();
                assert!(
                    e.0.ends_with(why.strip_prefix("has ").unwrap_or(why)),
                    "{name}: awk says {why:?}, Rust {:?}",
                    e.0
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 80, "{checked}");
}
