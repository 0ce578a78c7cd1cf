//! `check`, `gen` and `schema`: the topology commands.

use std::io::Write;
use std::path::Path;

use crate::diag::{self, Style};
use crate::exit::Exit;
use crate::render;
use crate::topology::{self, Loaded};

pub(crate) fn load(path: &Path, style: Style) -> Result<Loaded, Exit> {
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

/// What `gen` does with the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenMode {
    Write,
    /// Print what would change.
    Diff,
    /// Exit 1 when OUTPUT differs from the plan.
    Check,
}

pub struct GenOptions<'a> {
    pub output: &'a Path,
    pub force: bool,
    pub templates: Option<&'a Path>,
    pub base: Option<&'a Path>,
    pub mode: GenMode,
}

pub fn generate(path: &Path, opts: &GenOptions<'_>, style: Style) -> Exit {
    let loaded = match load(path, style) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let topo = loaded.topology.expect("no errors means a topology");
    let env = match render::templates::environment(opts.templates) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                render::templates::TemplateError::Read(..) => Exit::Io,
                _ => Exit::Invalid,
            };
        }
    };
    let mut plan = match render::plan(&topo, &env) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: rendering failed: {e:#}");
            return if opts.templates.is_some() {
                Exit::Invalid
            } else {
                Exit::Internal
            };
        }
    };
    let patched = match opts
        .base
        .map(|b| render::base::patch_base(&topo, &plan, b))
        .transpose()
    {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => {
            eprintln!("error: {e}");
            return match e {
                render::base::BaseError::Read(..) => Exit::Io,
                render::base::BaseError::Unpatchable(..) => Exit::Invalid,
            };
        }
    };
    plan.extend(patched.iter().map(|p| p.artifact.clone()));
    plan.sort_by(|a, b| a.path.cmp(&b.path));

    match opts.mode {
        GenMode::Diff => {
            let mut out = std::io::stdout().lock();
            for a in &plan {
                let target = opts.output.join(&a.path);
                let (before, label) = match patched.iter().find(|p| p.artifact.path == a.path) {
                    Some(p) => (
                        String::from_utf8_lossy(&p.original).into_owned(),
                        p.source.display().to_string(),
                    ),
                    None => match std::fs::read_to_string(&target) {
                        Ok(text) => (text, target.display().to_string()),
                        Err(_) => {
                            // A file gen has not written yet: its whole text is no diff to read.
                            let _ = writeln!(
                                out,
                                "new file: {} ({} lines)",
                                target.display(),
                                a.contents.lines().count()
                            );
                            continue;
                        }
                    },
                };
                if before != a.contents {
                    let diff = similar::TextDiff::from_lines(&before, &a.contents);
                    let _ = write!(
                        out,
                        "{}",
                        diff.unified_diff()
                            .context_radius(2)
                            .header(&label, &opts.output.join(&a.path).display().to_string())
                    );
                }
            }
            Exit::Ok
        }
        GenMode::Check => {
            if render::output::matches(opts.output, &plan) {
                println!("{} is up to date", opts.output.display());
                Exit::Ok
            } else {
                let stale: Vec<&str> = plan
                    .iter()
                    .filter(|a| {
                        std::fs::read(opts.output.join(&a.path)).ok().as_deref()
                            != Some(a.contents.as_bytes())
                    })
                    .map(|a| a.path.as_str())
                    .collect();
                eprintln!(
                    "error: {} is not what `pgrepl gen` writes now ({} file{} differ{}{}); run gen again",
                    opts.output.display(),
                    stale.len(),
                    plural(stale.len()),
                    if stale.len() == 1 { "s" } else { "" },
                    if stale.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ": {}",
                            stale.iter().take(5).copied().collect::<Vec<_>>().join(", ")
                        )
                    }
                );
                Exit::Invalid
            }
        }
        GenMode::Write => {
            if let Err(e) = render::output::write(opts.output, &plan, opts.force) {
                let kept = if opts.output.exists() {
                    "it is as it was"
                } else {
                    "nothing was written"
                };
                eprintln!("error: {e}\n{}: {kept}", opts.output.display());
                return Exit::Io;
            }
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "wrote {} files for {} nodes of cluster {} to {}; start with {}/RUNBOOK.md",
                plan.len() + 1,
                topo.nodes.len(),
                topo.cluster,
                opts.output.display(),
                opts.output.display()
            );
            Exit::Ok
        }
    }
}
