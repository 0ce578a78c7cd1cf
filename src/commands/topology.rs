//! `check`, `gen` and `schema`: the topology commands.

use std::io::Write;
use std::path::Path;

use crate::diag::{self, Style};
use crate::exit::Exit;
use crate::render;
use crate::topology::{self, Loaded};

fn load(path: &Path, style: Style) -> Result<Loaded, Exit> {
    let source = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "error: {} is not UTF-8 text (invalid byte at offset {}); TOML files must be UTF-8",
                    path.display(),
                    e.utf8_error().valid_up_to()
                );
                return Err(Exit::Invalid);
            }
        },
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return Err(Exit::Io);
        }
    };
    let loaded = topology::load(&source);
    let name = path.display().to_string();
    eprint!(
        "{}",
        diag::render(
            &name,
            &topology::redact_secrets(&source),
            &loaded.diagnostics,
            style
        )
    );
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = loaded.diagnostics.len() - errors;
    if errors > 0 {
        eprintln!(
            "error: {name}: {errors} error{}{}; nothing was written",
            plural(errors),
            if warnings > 0 {
                format!(", {warnings} warning{}", plural(warnings))
            } else {
                String::new()
            }
        );
        return Err(Exit::Invalid);
    }
    Ok(loaded)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub fn check(path: &Path, style: Style) -> Exit {
    match load(path, style) {
        Ok(loaded) => {
            let t = loaded
                .topology
                .as_ref()
                .expect("no errors means a topology");
            let warnings = loaded.diagnostics.len();
            println!(
                "{}: cluster {} (PostgreSQL {}, {} nodes) is valid{}",
                path.display(),
                t.cluster,
                t.facts.major,
                t.nodes.len(),
                if warnings > 0 {
                    format!(" with {warnings} warning{}", plural(warnings))
                } else {
                    String::new()
                }
            );
            Exit::Ok
        }
        Err(code) => code,
    }
}

pub fn generate(
    path: &Path,
    output: &Path,
    force: bool,
    templates: Option<&Path>,
    style: Style,
) -> Exit {
    let loaded = match load(path, style) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let topo = loaded.topology.expect("no errors means a topology");
    let env = match render::templates::environment(templates) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                render::templates::TemplateError::Read(..) => Exit::Io,
                _ => Exit::Invalid,
            };
        }
    };
    let plan = match render::plan(&topo, &env) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: rendering failed: {e:#}");
            return if templates.is_some() {
                Exit::Invalid
            } else {
                Exit::Internal
            };
        }
    };
    if let Err(e) = render::output::write(output, &plan, force) {
        eprintln!("error: {e}");
        return Exit::Io;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "wrote {} files for {} nodes of cluster {} to {}; start with {}/RUNBOOK.md",
        plan.len() + 1,
        topo.nodes.len(),
        topo.cluster,
        output.display(),
        output.display()
    );
    Exit::Ok
}
