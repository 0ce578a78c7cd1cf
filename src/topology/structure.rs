//! Structural check: the spanned TOML tree against the JSON Schema of the topology types.
//!
//! The schema is generated from `model`, so the Rust types stay the one description of the
//! file's shape; this walker turns every mismatch (unknown key, wrong type, missing key,
//! value out of range, unknown enum value) into a diagnostic on the exact span, all at once.
//! It understands the subset of JSON Schema that schemars emits for our types.

use super::codes;
use serde_json::{Map, Value};
use toml::Spanned;
use toml::de::DeValue;

use super::doc::{Doc, Seg, display_path, display_table};
use crate::diag::Diagnostic;
use crate::suggest::did_you_mean;

pub fn check(doc: &Doc<'_>, schema: &Value) -> Vec<Diagnostic> {
    let mut walker = Walker {
        root: schema,
        doc,
        out: Vec::new(),
    };
    let root_value = DeValue::Table(doc.root.get_ref().clone());
    let spanned = Spanned::new(doc.root.span(), root_value);
    walker.value(&spanned, schema, &mut Vec::new());
    walker.out
}

struct Walker<'s, 'd, 'i> {
    root: &'s Value,
    doc: &'d Doc<'i>,
    out: Vec<Diagnostic>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn matches_type(v: &DeValue<'_>, ty: &str) -> bool {
    matches!(
        (v, ty),
        (DeValue::String(_), "string")
            | (DeValue::Integer(_), "integer" | "number")
            | (DeValue::Float(_), "number")
            | (DeValue::Boolean(_), "boolean")
            | (DeValue::Array(_), "array")
            | (DeValue::Table(_), "object")
    )
}

fn expected_name(ty: &str) -> &'static str {
    match ty {
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean (true or false)",
        "array" => "an array",
        "object" => "a table",
        _ => "something else",
    }
}

fn describe_key(path: &[Seg<'_>]) -> String {
    match path.last() {
        Some(Seg::Key(_)) => format!("`{}`", display_path(path)),
        Some(Seg::Index(_)) => format!(
            "entry {} of `{}`",
            display_path(&path[path.len() - 1..]).trim_start_matches('['),
            display_path(&path[..path.len() - 1])
        ),
        None => "the file".to_owned(),
    }
}

/// What to write instead of a value of the wrong type, when the value says what was meant:
/// `"yes"` for a boolean, `"5432"` for a number, `5432` for a string.
fn type_fix(path: &[Seg<'_>], found: &DeValue<'_>, expected: &[&str]) -> Option<String> {
    let Some(Seg::Key(key)) = path.last() else {
        return None;
    };
    let wants = |t: &str| expected.contains(&t);
    match found {
        // The spellings PostgreSQL reads as a boolean say which one was meant.
        DeValue::String(s) if wants("boolean") => {
            match crate::catalog::values::parse_bool(s.trim()) {
                Some(b) => Some(format!("write {key} = {b}, without quotes: a TOML boolean")),
                None => Some(format!(
                    "write {key} = true or {key} = false, without quotes"
                )),
            }
        }
        DeValue::String(s) if wants("integer") => match s.trim().parse::<i64>() {
            Ok(n) => Some(format!("write {key} = {n}, without quotes: a TOML number")),
            Err(_) => Some(format!(
                "write a whole number, e.g. {key} = 10, without quotes"
            )),
        },
        DeValue::Float(f) if wants("integer") => Some(format!(
            "write a whole number: {key} = {}",
            f.as_str().split('.').next().unwrap_or("0")
        )),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) if wants("string") => {
            Some(format!(
                "write {key} = \"{}\": strings need double quotes",
                toml_literal(found)
            ))
        }
        _ => None,
    }
}

fn toml_literal(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Integer(i) => i.as_str().to_owned(),
        DeValue::Float(f) => f.as_str().to_owned(),
        DeValue::Boolean(b) => b.to_string(),
        other => type_name(other).to_owned(),
    }
}

impl<'s> Walker<'s, '_, '_> {
    fn resolve(&self, schema: &'s Value) -> &'s Value {
        let mut cur = schema;
        // Refs in schemars output are local: "#/$defs/Name".
        while let Some(r) = cur.get("$ref").and_then(Value::as_str) {
            let name = r.rsplit('/').next().unwrap_or(r);
            match self.root.get("$defs").and_then(|d| d.get(name)) {
                Some(target) => cur = target,
                None => break,
            }
        }
        cur
    }

    fn help_for(schema: &Value) -> Option<String> {
        schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    fn value(&mut self, v: &Spanned<DeValue<'_>>, schema: &'s Value, path: &mut Vec<Seg<'_>>) {
        // A property's own description sits beside its `$ref`; prefer it for help lines.
        let help = Self::help_for(schema).or_else(|| Self::help_for(self.resolve(schema)));
        let schema = self.resolve(schema);
        if let Some(alts) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            self.alternatives(v, alts, help, path);
            return;
        }
        if let Some(ty) = schema.get("type") {
            let types: Vec<&str> = match ty {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if !types.is_empty() && !types.iter().any(|t| matches_type(v.get_ref(), t)) {
                let expected: Vec<&str> = types
                    .iter()
                    .filter(|t| **t != "null")
                    .map(|t| expected_name(t))
                    .collect();
                let mut d = Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!(
                        "{} must be {}, found {}",
                        describe_key(path),
                        expected.join(" or "),
                        type_name(v.get_ref())
                    ),
                )
                .label(v.span(), format!("this is {}", type_name(v.get_ref())));
                // The fix first; the key's description only where there is no simple one.
                if let Some(h) = type_fix(path, v.get_ref(), &types).or(help) {
                    d = d.help(h);
                }
                self.out.push(d);
                return;
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            let names: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            self.enum_value(v, &names, help, path);
            return;
        }
        if let Some(c) = schema.get("const").and_then(Value::as_str) {
            self.enum_value(v, &[c], help, path);
            return;
        }
        match v.get_ref() {
            DeValue::Integer(i) => self.range(v, i.as_str(), schema, path),
            DeValue::Table(t) => self.table(v, t, schema, path),
            DeValue::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        path.push(Seg::Index(i));
                        self.value(item, item_schema, path);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn enum_value(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        names: &[&str],
        help: Option<String>,
        path: &[Seg<'_>],
    ) {
        let found = v.get_ref().as_str();
        if found.is_some_and(|s| names.contains(&s)) {
            return;
        }
        let list = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = Diagnostic::error(
            codes::UNKNOWN_VALUE,
            format!(
                "{} must be one of {list}, found {}",
                describe_key(path),
                toml_literal(v.get_ref())
            ),
        )
        .label(v.span(), "not a known value");
        let param = match path.last() {
            Some(Seg::Key(k)) => *k,
            _ => "",
        };
        if let Some(current) = found.and_then(|s| crate::catalog::legacy_alias(param, s)) {
            self.out.push(d.help(format!(
                "\"{}\" is the old name of \"{current}\" (PostgreSQL still accepts it); write \"{current}\"",
                found.unwrap_or_default()
            )));
            return;
        }
        let suggestion = found.and_then(|s| did_you_mean(s, names.iter().copied()));
        d = match (suggestion, help) {
            (Some(s), _) => d.help(format!("did you mean \"{s}\"?")),
            (None, Some(h)) => d.help(h),
            (None, None) => d,
        };
        self.out.push(d);
    }

    fn range(&mut self, v: &Spanned<DeValue<'_>>, text: &str, schema: &Value, path: &[Seg<'_>]) {
        let Ok(n) = text.replace('_', "").parse::<i128>() else {
            return;
        };
        let min = schema
            .get("minimum")
            .and_then(Value::as_i64)
            .map(i128::from);
        let max = schema
            .get("maximum")
            .and_then(Value::as_i64)
            .map(i128::from);
        let too_low = min.is_some_and(|m| n < m);
        let too_high = max.is_some_and(|m| n > m);
        if !(too_low || too_high) {
            return;
        }
        let bounds = match (min, max) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => unreachable!("out of range needs a bound"),
        };
        let mut d = Diagnostic::error(
            codes::OUT_OF_RANGE,
            format!("{} must be {bounds}, found {n}", describe_key(path)),
        )
        .label(v.span(), "out of range");
        let key = match path.last() {
            Some(Seg::Key(k)) => Some(*k),
            _ => None,
        };
        let example = match (key, schema.get("default").and_then(Value::as_i64)) {
            (Some(k), Some(default)) => format!(", e.g. {k} = {default} (the default)"),
            _ => String::new(),
        };
        d = d.help(format!("write a value {bounds}{example}"));
        self.out.push(d);
    }

    fn table(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        t: &toml::de::DeTable<'_>,
        schema: &'s Value,
        path: &mut Vec<Seg<'_>>,
    ) {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new));
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (key, value) in t.iter() {
            let name: &str = key.get_ref();
            match props.get(name) {
                Some(prop_schema) => {
                    // Extend the path with a key that lives as long as this iteration.
                    let mut child: Vec<Seg<'_>> = path.clone();
                    child.push(Seg::Key(name));
                    self.value(value, prop_schema, &mut child);
                }
                None if closed => {
                    let known: Vec<&str> = props.keys().map(String::as_str).collect();
                    let in_postgresql = matches!(path.as_slice(), [Seg::Key("postgresql")]);
                    let help = in_postgresql
                        .then(|| parameter_help(name, &known))
                        .flatten()
                        .unwrap_or_else(|| match did_you_mean(name, known.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("known keys here: {}", known.join(", ")),
                        });
                    self.out.push(
                        Diagnostic::error(
                            codes::UNKNOWN_KEY,
                            format!("unknown key `{name}` in {}", display_table(path)),
                        )
                        .label(key.span(), "not a key pgrepl knows")
                        .help(help),
                    );
                }
                None => {}
            }
        }
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        for name in required {
            if t.get(name).is_none() {
                let mut d = Diagnostic::error(
                    codes::MISSING_KEY,
                    format!("missing key `{name}` in {}", display_table(path)),
                )
                .label(
                    if path.is_empty() {
                        0..0
                    } else {
                        self.doc.span(path)
                    },
                    format!("`{name}` is required here"),
                );
                if let Some(h) = props
                    .get(name)
                    .and_then(|p| Self::help_for(p).or_else(|| Self::help_for(self.resolve(p))))
                {
                    d = d.help(h);
                }
                self.out.push(d);
            }
        }
        let _ = v;
    }

    fn alternatives(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        alts: &'s [Value],
        help: Option<String>,
        path: &mut Vec<Seg<'_>>,
    ) {
        let alts: Vec<&'s Value> = alts
            .iter()
            .map(|a| self.resolve(a))
            .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        // An enum of documented unit variants: a list of consts.
        let consts: Vec<&str> = alts
            .iter()
            .filter_map(|a| a.get("const").and_then(Value::as_str))
            .collect();
        if !consts.is_empty() && consts.len() == alts.len() {
            if v.get_ref().is_str() {
                self.enum_value(v, &consts, help, path);
            } else {
                self.wrong_type(v, "a string", help, path);
            }
            return;
        }
        // An externally tagged enum (`password = { env = "…" }`): a table with exactly one
        // of the variant keys.
        let tags: Vec<&str> = alts.iter().filter_map(|a| single_required_key(a)).collect();
        if !tags.is_empty() && tags.len() == alts.len() {
            let Some(table) = v.get_ref().as_table() else {
                let list = tags
                    .iter()
                    .map(|t| format!("{t} = …"))
                    .collect::<Vec<_>>()
                    .join(" }, { ");
                self.wrong_type(v, &format!("a table: {{ {list} }}"), help, path);
                return;
            };
            let present: Vec<&str> = tags
                .iter()
                .copied()
                .filter(|t| table.get(*t).is_some())
                .collect();
            if let [tag] = present.as_slice() {
                let alt = alts[tags.iter().position(|t| t == tag).unwrap_or(0)];
                self.value(v, alt, path);
            } else {
                let list = tags
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let mut d = Diagnostic::error(
                    codes::WRONG_TYPE,
                    format!("{} needs exactly one of {list}", describe_key(path)),
                )
                .label(
                    v.span(),
                    if present.is_empty() {
                        "none of them".to_owned()
                    } else {
                        format!("{} given", present.len())
                    },
                );
                if let Some(h) = help {
                    d = d.help(h);
                }
                self.out.push(d);
            }
            return;
        }
        let mut best: Option<Vec<Diagnostic>> = None;
        for alt in &alts {
            let mut sub = Walker {
                root: self.root,
                doc: self.doc,
                out: Vec::new(),
            };
            sub.value(v, alt, path);
            if sub.out.is_empty() {
                return;
            }
            let type_ok = alt
                .get("type")
                .and_then(Value::as_str)
                .is_none_or(|t| matches_type(v.get_ref(), t));
            if type_ok && best.as_ref().is_none_or(|b| sub.out.len() < b.len()) {
                best = Some(sub.out);
            }
        }
        match best {
            Some(mut diags) => {
                // The property's own description is the best help the alternative lacks.
                for d in diags.iter_mut().filter(|d| d.help.is_none()) {
                    d.help = help.clone().map(Into::into);
                }
                self.out.extend(diags)
            }
            None => {
                let kinds: Vec<&str> = alts
                    .iter()
                    .filter_map(|a| a.get("type").and_then(Value::as_str))
                    .map(expected_name)
                    .collect();
                self.wrong_type(v, &kinds.join(" or "), help, path);
            }
        }
    }

    fn wrong_type(
        &mut self,
        v: &Spanned<DeValue<'_>>,
        expected: &str,
        help: Option<String>,
        path: &[Seg<'_>],
    ) {
        let mut d = Diagnostic::error(
            codes::WRONG_TYPE,
            format!(
                "{} must be {expected}, found {}",
                describe_key(path),
                type_name(v.get_ref())
            ),
        )
        .label(v.span(), format!("this is {}", type_name(v.get_ref())));
        if let Some(h) = help {
            d = d.help(h);
        }
        self.out.push(d);
    }
}

/// The one required key of an object schema that allows nothing else, if it is that.
fn single_required_key(schema: &Value) -> Option<&str> {
    let required = schema.get("required")?.as_array()?;
    let props = schema.get("properties")?.as_object()?;
    match (required.as_slice(), props.len()) {
        ([key], 1) => key.as_str(),
        _ => None,
    }
}

/// The help for an unknown key of `[postgresql]` (which holds the few parameters pgrepl
/// manages) that is a PostgreSQL parameter: renamed into one of the keys, or left to the
/// server's own files. None for any other name.
fn parameter_help(name: &str, known: &[&str]) -> Option<String> {
    use crate::catalog::history::{Lookup, lookup};
    let found = lookup(crate::catalog::NEWEST, name);
    if let Lookup::Removed {
        since,
        replacement: Some(r),
    } = found
    {
        let k = r.split_whitespace().next().unwrap_or(r);
        if known.contains(&k) {
            return Some(format!(
                "`{name}` became `{k}` in PostgreSQL {since}: write `{k}` here, for every major (pgrepl writes `{name}` from it for the majors before {since})"
            ));
        }
    }
    (found != Lookup::Unknown).then(|| {
        format!(
            "`{name}` is a PostgreSQL parameter that pgrepl does not manage: set it in the server's own postgresql.conf (or a conf.d file of yours); the keys here are {}",
            known.join(", ")
        )
    })
}
