//! The topology file: model, loading with spans, validation.
//!
//! Flow: TOML text → spanned tree (`doc`) → structural check against the schema of `model`
//! (`structure`) → serde into `model::Topology` → semantic checks (`validate`) →
//! `valid::ValidTopology`, or every diagnostic found on the way.

pub mod codes;
pub mod doc;
pub mod layout;
pub mod model;
pub mod names;
pub mod structure;
pub mod valid;
pub mod validate;

use std::ops::Range;

use crate::diag::Diagnostic;

pub use valid::ValidTopology;

/// The result of loading a topology: the validated model when there is no error, and every
/// diagnostic (errors and warnings) in file order.
pub struct Loaded {
    pub topology: Option<ValidTopology>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads and validates topology text.
pub fn load(source: &str) -> Loaded {
    let failed = |diagnostics| Loaded {
        topology: None,
        diagnostics,
    };
    let parsed = match doc::Doc::parse(source) {
        Ok(d) => d,
        Err(errors) => {
            let mut diags: Vec<Diagnostic> = errors
                .iter()
                .map(|e| syntax_diagnostic(e, source))
                .collect();
            crate::diag::sort_and_dedup(&mut diags);
            return failed(diags);
        }
    };
    let structural = structure::check(&parsed, &model::json_schema());
    // With structural errors, the entries they point at are left out and the rest is still
    // checked for meaning, so that one run reports every problem.
    let mut tree = parsed.root.clone();
    let bad: Vec<Range<usize>> = structural
        .iter()
        .filter_map(|d| d.labels.first().map(|l| l.span.clone()))
        .collect();
    if !structural.is_empty() {
        prune(tree.get_mut(), &bad);
    }
    let topo: model::Topology =
        match serde::Deserialize::deserialize(toml::de::Deserializer::from(tree)) {
            Ok(t) => t,
            // A required key is missing, say: only the structural errors can be reported.
            Err(_) if !structural.is_empty() => {
                let mut diags = structural;
                crate::diag::sort_and_dedup(&mut diags);
                return failed(diags);
            }
            // The structural check mirrors serde's rules; if they ever disagree, still say
            // exactly what serde said, where it said it.
            Err(e) => return failed(vec![syntax_diagnostic(&e, source)]),
        };
    let (topology, mut diagnostics) = validate::validate(&topo, &parsed);
    if structural.is_empty() {
        return Loaded {
            topology,
            diagnostics,
        };
    }
    // What the checks said of a value that was replaced by a stand-in is about the stand-in:
    // the structural error at that place is the one to report.
    diagnostics.retain(|d| {
        d.labels
            .first()
            .is_none_or(|l| !bad.iter().any(|b| overlaps(b, &l.span)))
    });
    diagnostics.extend(structural);
    crate::diag::sort_and_dedup(&mut diagnostics);
    failed(diagnostics)
}

/// Whether two spans share a byte, an empty span counting as the byte it stands at.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1)
}

/// A value that reads as valid for a required key, put where the file's value is wrong, so
/// that the node (or the cluster) can still be read and everything else in it checked. A
/// standby, since a stand-in primary would make a second one; the checks' findings about a
/// stand-in are dropped ([`load`]).
fn stand_in(key: &str) -> Option<toml::Spanned<toml::de::DeValue<'static>>> {
    let text = match key {
        "name" => "\"pgrepl-stand-in\"",
        "role" => "\"standby\"",
        "host" => "\"stand-in.invalid\"",
        "user" => "\"replicator\"",
        "pg_version" => "18",
        _ => return None,
    };
    toml::de::DeValue::parse(text).ok()
}

/// Removes every entry whose key or value is at one of `bad` (an array holding a bad item
/// goes whole), so that what remains can be read for the semantic checks; a required key's
/// bad value is replaced by a stand-in instead, so that nodes keep their places.
fn prune(table: &mut toml::de::DeTable<'_>, bad: &[Range<usize>]) {
    let keys: Vec<_> = table.keys().cloned().collect();
    for key in keys {
        let Some(value) = table.get(&key) else {
            continue;
        };
        let bad_item = |v: &toml::Spanned<toml::de::DeValue<'_>>| bad.contains(&v.span());
        let drop = bad.contains(&key.span())
            || bad_item(value)
            || value.get_ref().as_array().is_some_and(|a| {
                a.iter()
                    .any(|item| !item.get_ref().is_table() && bad_item(item))
            });
        if drop {
            let replacement = (!bad.contains(&key.span()))
                .then(|| stand_in(key.get_ref()))
                .flatten();
            table.remove(&key);
            if let Some(value) = replacement {
                table.insert(key, value);
            }
            continue;
        }
        match table.get_mut(&key).map(|v| v.get_mut()) {
            Some(toml::de::DeValue::Table(inner)) => prune(inner, bad),
            Some(toml::de::DeValue::Array(items)) => {
                for item in items.iter_mut() {
                    if let toml::de::DeValue::Table(inner) = item.get_mut() {
                        prune(inner, bad);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The source with every `literal = "…"` string masked, for showing in diagnostics: a
/// literal password must not reach a terminal or a CI log. Works on text, so that even a
/// file too broken to parse is shown masked. Byte offsets are unchanged.
pub fn redact_secrets(source: &str) -> String {
    let mut out = source.as_bytes().to_vec();
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(found) = source[from..].find("literal") {
        let mut i = from + found + "literal".len();
        from = i;
        let skip_blanks = |mut i: usize| {
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            i
        };
        i = skip_blanks(i);
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i = skip_blanks(i + 1);
        let Some(&quote) = bytes.get(i).filter(|q| **q == b'"' || **q == b'\'') else {
            continue;
        };
        i += 1;
        while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
            if bytes[i] == b'\\' && quote == b'"' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                out[i] = b'*';
                i += 1;
            }
            out[i] = b'*';
            i += 1;
        }
        from = i;
    }
    // Only ASCII bytes were written over whole characters' bytes, so this stays UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| source.to_owned())
}

fn syntax_diagnostic(e: &toml::de::Error, source: &str) -> Diagnostic {
    let message = e.message().trim().to_owned();
    let at = e
        .span()
        .and_then(|s| source.get(s.clone()).map(|t| (s, t.trim())));
    // A key or table given twice: the help says which and what to do, not how to quote.
    if message.starts_with("duplicate key") {
        if let Some((span, text)) = at {
            // A table header's span is its name, inside the brackets.
            let header = source[..span.start]
                .trim_end_matches([' ', '\t'])
                .ends_with('[');
            let (what, help) = match header {
                true => (
                    format!("table [{text}] is declared twice"),
                    format!("merge the two [{text}] sections into one"),
                ),
                false => {
                    let key = text.trim_matches('"');
                    (
                        format!("`{key}` is set twice in the same table"),
                        format!("keep one `{key} = …` line and delete the other"),
                    )
                }
            };
            return Diagnostic::error(codes::SYNTAX, format!("invalid TOML: {what}"))
                .label(span, "again here")
                .help(help);
        }
    }
    let mut d = Diagnostic::error(codes::SYNTAX, format!("invalid TOML: {message}"));
    if let Some((span, _)) = at {
        d = d.label(span, "here");
    }
    d.help(
        "see https://toml.io for the syntax; strings need double quotes, e.g. host = \"10.0.0.1\"",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_passwords_are_masked_for_display() {
        let src = "[replication]\npassword = { literal = \"Zq\\\"xy wörd\" }\nuser = \"literal\"\n";
        let red = redact_secrets(src);
        assert_eq!(red.len(), src.len());
        assert!(!red.contains("Zq") && !red.contains("wörd"), "{red}");
        assert!(red.contains("user = \"literal\""));
        // Broken TOML is masked too.
        assert!(!redact_secrets("password = { literal = 'x1y2\n").contains("x1y2"));
    }
}
