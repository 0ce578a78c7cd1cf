//! `pgrepl lint`, `rules`, `explain`.

use std::path::PathBuf;

use crate::cli::{FailOn, LintFormat};
use crate::diag::{Severity, Style};
use crate::exit::Exit;
use crate::lint;
use crate::report;

/// The codes of the rules named (by code or name); an unknown name is a usage error.
fn codes(names: &[String]) -> Result<Vec<&'static str>, String> {
    names
        .iter()
        .map(|n| {
            lint::rule(n.trim())
                .map(|r| r.code)
                .ok_or_else(|| format!("no rule {n}; `pgrepl rules` lists them"))
        })
        .collect()
}

pub fn run(
    paths: &[PathBuf],
    pg_version: Option<u32>,
    format: LintFormat,
    fail_on: FailOn,
    select: &[String],
    ignore: &[String],
    style: Style,
) -> Exit {
    let (select, ignore) = match (codes(select), codes(ignore)) {
        (Ok(s), Ok(i)) => (s, i),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let clusters = match lint::discover::discover(paths, pg_version) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Io;
        }
    };
    let mut findings = Vec::new();
    for c in &clusters {
        if format == LintFormat::Human {
            eprintln!(
                "linting {} as PostgreSQL {} (from {}), {} (from {})",
                c.label,
                c.major,
                c.major_source,
                match c.role {
                    lint::cluster::Role::Primary => "primary",
                    lint::cluster::Role::Standby => "standby",
                    lint::cluster::Role::Unknown => "role unknown",
                },
                c.role_source
            );
        }
        findings.extend(
            lint::check(c)
                .into_iter()
                .filter(|f| select.is_empty() || select.contains(&f.diagnostic.code))
                .filter(|f| !ignore.contains(&f.diagnostic.code)),
        );
    }
    let errors = findings
        .iter()
        .filter(|f| f.diagnostic.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    match format {
        LintFormat::Json => print!("{}", report::json(&findings)),
        LintFormat::Github => print!("{}", report::github(&findings)),
        LintFormat::Sarif => print!("{}", report::sarif(&findings)),
        LintFormat::Human => {
            eprint!("{}", report::human(&findings, style));
            eprintln!(
                "{} cluster{} checked: {errors} error{}, {warnings} warning{}",
                clusters.len(),
                if clusters.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
        }
    }
    let failing = match fail_on {
        FailOn::Error => errors,
        FailOn::Warning => errors + warnings,
    };
    if failing > 0 { Exit::Invalid } else { Exit::Ok }
}

pub fn rules() -> Exit {
    for r in lint::rules::ALL {
        println!(
            "{}  {:<26} {:<8} {}-{}  {}",
            r.code,
            r.name,
            report::severity_name(r.severity),
            r.majors.0,
            r.majors.1,
            r.summary()
        );
    }
    Exit::Ok
}

pub fn explain(code: &str) -> Exit {
    match lint::rule(code) {
        Some(r) => {
            println!(
                "{} {} ({}, PostgreSQL {}-{})\n",
                r.code,
                r.name,
                report::severity_name(r.severity),
                r.majors.0,
                r.majors.1
            );
            print!(
                "{}",
                r.doc
                    .lines()
                    .map(|l| l.strip_prefix(' ').unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            println!();
            Exit::Ok
        }
        None => {
            eprintln!("error: no rule {code}; `pgrepl rules` lists them");
            Exit::Invalid
        }
    }
}
