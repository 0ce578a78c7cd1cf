//! `pgrepl gen`: validate a topology and write (or diff, or check) every node's files.

use std::io::Write;
use std::path::PathBuf;

use crate::diag::Style;
use crate::exit::Exit;
use crate::render::{self, Artifact};

use super::{plural, templates_dir, topology_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topology file (TOML).
    pub topology: PathBuf,
    #[command(flatten)]
    pub out: super::OutputArgs,
    /// The nodes' current files, as DIR/<node>/postgresql.conf and DIR/<node>/pg_hba.conf:
    /// OUTPUT/<node>/ then also holds them patched (changes in place, comments kept).
    #[arg(long, value_name = "DIR")]
    pub base: Option<PathBuf>,
    /// Print unified diffs of what would change (against --base files, and what OUTPUT
    /// holds now); write nothing.
    #[arg(long, conflicts_with = "check")]
    pub diff: bool,
    /// Exit 1 when OUTPUT is not exactly what gen would write now (drift check); write
    /// nothing.
    #[arg(long)]
    pub check: bool,
}

pub fn run(opts: &Args, style: Style) -> Exit {
    let loaded = match topology_file::load(&opts.topology, style, "nothing was written") {
        Ok(l) => l,
        Err(code) => return code,
    };
    let topo = loaded.topology.expect("no errors means a topology");
    let env = match templates_dir::environment(opts.out.templates.as_deref()) {
        Ok(env) => env,
        Err(code) => return code,
    };
    let mut plan = match render::plan(&topo, &env) {
        Ok(p) => p,
        Err(e) => return templates_dir::render_failed(&e, opts.out.templates.is_some()),
    };
    let patched = match opts
        .base
        .as_deref()
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

    if opts.diff {
        diff(opts, &plan, &patched)
    } else if opts.check {
        check(opts, &plan)
    } else {
        write(opts, &plan, &topo)
    }
}

/// `--diff`: what would change, against the --base files and what OUTPUT holds now.
fn diff(opts: &Args, plan: &[Artifact], patched: &[render::base::Patched]) -> Exit {
    let mut out = std::io::stdout().lock();
    for a in plan {
        let target = opts.out.output.join(&a.path);
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
                    .header(&label, &opts.out.output.join(&a.path).display().to_string())
            );
        }
    }
    Exit::Ok
}

/// `--check`: exit 1 when OUTPUT is not exactly the plan.
fn check(opts: &Args, plan: &[Artifact]) -> Exit {
    if render::output::matches(&opts.out.output, plan) {
        println!("{} is up to date", opts.out.output.display());
        Exit::Ok
    } else {
        let stale: Vec<&str> = plan
            .iter()
            .filter(|a| {
                std::fs::read(opts.out.output.join(&a.path)).ok().as_deref()
                    != Some(a.contents.as_bytes())
            })
            .map(|a| a.path.as_str())
            .collect();
        eprintln!(
            "error: {} is not what `pgrepl gen` writes now ({} file{} differ{}{}); run gen again",
            opts.out.output.display(),
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

fn write(opts: &Args, plan: &[Artifact], topo: &crate::topology::ValidTopology) -> Exit {
    if let Err(code) = super::write_plan(&opts.out.output, plan, opts.out.force) {
        return code;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "wrote {} files for {} nodes of cluster {} to {}; start with {}",
        plan.len() + 1,
        topo.nodes.len(),
        topo.cluster,
        opts.out.output.display(),
        opts.out.output.join("RUNBOOK.md").display()
    );
    Exit::Ok
}
