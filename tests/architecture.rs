//! The shape of the source tree, kept: no file under src/ past 600 lines (past that a file
//! usually holds two jobs), and no two modules that use each other, other than a module and
//! its own submodules (the tree itself).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const MAX_LINES: usize = 600;

/// Every module under src/: its path (`render::context`) and its source.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut p = prefix.to_vec();
            p.push(name);
            modules(&path, &p, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut p = prefix.to_vec();
            if !matches!(name.as_str(), "mod" | "lib" | "main") {
                p.push(name);
            }
            out.insert(p.join("::"), std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The modules a path like `crate::a::b::C`, `super::x` or `self::y` (seen from `from`)
/// names: the longest module prefix.
fn target(from: &str, path: &str, known: &BTreeMap<String, String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split("::").collect()
    };
    match segs.first().copied() {
        Some("crate") => {
            base.clear();
            segs.remove(0);
        }
        Some("self") => {
            segs.remove(0);
        }
        Some("super") => {
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
        }
        _ => return None,
    }
    let full: Vec<&str> = base.into_iter().chain(segs).collect();
    (1..=full.len())
        .rev()
        .map(|k| full[..k].join("::"))
        .find(|m| known.contains_key(m))
}

fn paths_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = text[from..].find(start) {
            let s = from + at;
            from = s + start.len();
            if s > 0 && (bytes[s - 1].is_ascii_alphanumeric() || bytes[s - 1] == b'_') {
                continue;
            }
            let end = text[s..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(text.len(), |e| s + e);
            let path = text[s..end].trim_end_matches(':');
            // `use a::b::{c, d::e}`: each item is a path too.
            if text[end..].starts_with('{') {
                if let Some(close) = text[end..].find('}') {
                    for item in text[end + 1..end + close].split(',') {
                        let item = item.split_whitespace().next().unwrap_or("");
                        if !item.is_empty() && item != "self" {
                            out.push(format!("{path}::{item}"));
                        }
                    }
                }
            }
            out.push(path.to_owned());
        }
    }
    out
}

#[test]
fn no_file_is_past_the_line_limit() {
    let mut mods = BTreeMap::new();
    modules(&support::root().join("src"), &[], &mut mods);
    let long: Vec<String> = mods
        .iter()
        .filter(|(_, text)| text.lines().count() > MAX_LINES)
        .map(|(m, text)| format!("{m}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these by job: {long:?}");
}

#[test]
fn no_two_modules_use_each_other() {
    let mut mods = BTreeMap::new();
    modules(&support::root().join("src"), &[], &mut mods);
    assert!(mods.len() > 50, "{}", mods.len());
    let nested = |a: &str, b: &str| {
        a.is_empty()
            || b.is_empty()
            || b.starts_with(&format!("{a}::"))
            || a.starts_with(&format!("{b}::"))
    };
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (m, text) in &mods {
        // Unit tests may reach anywhere.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for p in paths_in(code) {
            if let Some(t) = target(m, &p, &mods) {
                if t != *m && !nested(m, &t) {
                    edges.insert((m.clone(), t));
                }
            }
        }
    }
    let mutual: Vec<String> = edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("{a} <-> {b}"))
        .collect();
    assert!(mutual.is_empty(), "modules that use each other: {mutual:?}");
    // Longer circles too: every module reachable from itself is one.
    for start in mods.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = edges
            .iter()
            .filter(|(a, _)| a == start)
            .map(|(_, b)| b)
            .collect();
        while let Some(m) = stack.pop() {
            assert!(
                m != start,
                "{start} reaches itself through the modules it uses"
            );
            if seen.insert(m.clone()) {
                stack.extend(edges.iter().filter(|(a, _)| a == m).map(|(_, b)| b));
            }
        }
    }
}
