//! `pgrepl param`: what the catalogue knows about a parameter, in one major or across all.

use serde::Serialize;

use super::Format;
use crate::catalog::history::{self, Lookup, lookup};
use crate::catalog::params::{Param, params};
use crate::catalog::{NEWEST, OLDEST};
use crate::exit::Exit;

/// One major's answer, the unit of both outputs.
#[derive(Debug, Serialize, PartialEq)]
struct Entry {
    major: u32,
    /// known | alias | removed | not-yet | recovery-conf | unknown
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    ty: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    restart: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    enum_values: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    enum_aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    /// What to use instead, or which major has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

fn entry(major: u32, status: &'static str, param: Option<&Param>, note: Option<String>) -> Entry {
    Entry {
        major,
        status,
        name: param.map(|p| p.name.clone()),
        ty: param.map(|p| p.ty.as_str()),
        context: param.map(|p| p.context.as_str()),
        restart: param.map(Param::needs_restart),
        unit: param.and_then(|p| p.unit.clone()),
        min: param.and_then(|p| p.min),
        max: param.and_then(|p| p.max),
        enum_values: param.map(|p| p.enum_values.clone()).unwrap_or_default(),
        enum_aliases: param
            .map(|p| {
                p.enum_aliases
                    .iter()
                    .map(|(a, v)| format!("{a}={v}"))
                    .collect()
            })
            .unwrap_or_default(),
        default: param.map(|p| p.default.clone()),
        note,
    }
}

fn describe(major: u32, name: &str) -> Entry {
    match lookup(major, name) {
        Lookup::Known(p) => entry(major, "known", Some(p), None),
        Lookup::Alias { param } => entry(
            major,
            "alias",
            Some(param),
            Some(format!("old name of {}, still accepted", param.name)),
        ),
        Lookup::Removed { since, replacement } => entry(
            major,
            "removed",
            None,
            Some(match replacement {
                Some(r) => format!("removed in {since}; use {r}"),
                None => format!("removed in {since}"),
            }),
        ),
        Lookup::NotYet { since } => {
            entry(major, "not-yet", None, Some(format!("added in {since}")))
        }
        Lookup::RecoveryConfOnly {
            standby_signal_since,
        } => entry(
            major,
            "recovery-conf",
            None,
            Some(format!(
                "a recovery.conf setting in this major; postgresql.conf from {standby_signal_since}"
            )),
        ),
        Lookup::Hidden => entry(
            major,
            "hidden",
            None,
            Some(
                "accepted in configuration files, but not listed in pg_settings (a session setting, or a no-op kept for old files)"
                    .to_owned(),
            ),
        ),
        Lookup::Unknown => entry(
            major,
            "unknown",
            None,
            history::suggest(major, name).map(|s| format!("did you mean {s}?")),
        ),
    }
}

fn restart_word(context: Option<&str>) -> &'static str {
    match context {
        Some("postmaster") => "a change needs a restart",
        Some("internal") => "cannot be set",
        _ => "a reload is enough",
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The human lines for one entry (without the major).
fn human(e: &Entry) -> Vec<String> {
    if e.status != "known" && e.status != "alias" {
        return vec![match (e.status, &e.note) {
            ("unknown", Some(note)) => format!("not a parameter; {note}"),
            ("unknown", None) => "not a parameter".to_owned(),
            (_, Some(note)) => note.clone(),
            (status, None) => status.to_owned(),
        }];
    }
    let mut lines = Vec::new();
    if let Some(note) = &e.note {
        lines.push(note.clone());
    }
    let unit = e
        .unit
        .as_deref()
        .map(|u| format!(" (unit {u})"))
        .unwrap_or_default();
    lines.push(format!("type      {}{unit}", e.ty.unwrap_or("")));
    lines.push(format!(
        "context   {} ({})",
        e.context.unwrap_or(""),
        restart_word(e.context)
    ));
    if let (Some(lo), Some(hi)) = (e.min, e.max) {
        lines.push(format!("range     {} .. {}", fmt_num(lo), fmt_num(hi)));
    }
    if !e.enum_values.is_empty() {
        lines.push(format!("values    {}", e.enum_values.join(", ")));
    }
    if !e.enum_aliases.is_empty() {
        lines.push(format!("also      {}", e.enum_aliases.join(", ")));
    }
    let default = e.default.as_deref().unwrap_or("");
    lines.push(format!(
        "default   {}",
        if default.is_empty() { "''" } else { default }
    ));
    lines
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Parameter name (case-insensitive).
    #[arg(required_unless_present = "list")]
    pub name: Option<String>,
    /// One major (10-18) instead of all.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(10..=18))]
    pub pg_version: Option<u32>,
    /// Print every parameter name of the major (needs --pg-version).
    #[arg(long, requires = "pg_version", conflicts_with = "name")]
    pub list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run(args: &Args) -> Exit {
    let (name, pg_version, list, format) = (
        args.name.as_deref(),
        args.pg_version,
        args.list,
        args.format,
    );
    if list {
        let major = pg_version.expect("clap requires --pg-version with --list");
        let table = params(major).expect("clap limits the range");
        let names: Vec<&str> = table.iter().map(|p| p.name.as_str()).collect();
        match format {
            Format::Human => names.iter().for_each(|n| println!("{n}")),
            Format::Json => println!("{}", serde_json::to_string_pretty(&names).expect("JSON")),
        }
        return Exit::Ok;
    }
    let name = name.expect("clap requires a name without --list");
    let majors: Vec<u32> = match pg_version {
        Some(m) => vec![m],
        None => (OLDEST..=NEWEST).collect(),
    };
    let entries: Vec<Entry> = majors.iter().map(|&m| describe(m, name)).collect();
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&entries).expect("JSON")),
        Format::Human => {
            let title = entries
                .iter()
                .find_map(|e| e.name.clone())
                .unwrap_or_else(|| name.to_owned());
            println!("{title}");
            // Consecutive majors that say the same are shown once: "13-18".
            let mut i = 0;
            while i < entries.len() {
                let lines = human(&entries[i]);
                let mut j = i;
                while j + 1 < entries.len() && human(&entries[j + 1]) == lines {
                    j += 1;
                }
                let range = if i == j {
                    format!("{}", entries[i].major)
                } else {
                    format!("{}-{}", entries[i].major, entries[j].major)
                };
                let range = match (i == j, params(entries[i].major)) {
                    (true, Some(t)) if pg_version.is_some() => t.release.clone(),
                    _ => range,
                };
                println!("  PostgreSQL {range}:");
                for l in lines {
                    println!("    {l}");
                }
                i = j + 1;
            }
        }
    }
    let known = entries
        .iter()
        .any(|e| matches!(e.status, "known" | "alias"));
    if known { Exit::Ok } else { Exit::Invalid }
}
