//! `pgrepl plan`: validate two topologies and write the ordered plan from one to the other.

use std::io::Write;
use std::path::PathBuf;

use crate::diag::{self, Style};
use crate::exit::Exit;
use crate::plan::{self, PlanError};
use crate::render;

use super::{templates_dir, topology_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The topology the cluster runs now (TOML).
    pub old: PathBuf,
    /// The topology it should become.
    pub new: PathBuf,
    #[command(flatten)]
    pub out: super::OutputArgs,
    /// The old primary has failed: plan a failover to the primary NEW names (fence check,
    /// the most advanced standby promoted, the old primary rewound when it is back) rather
    /// than a switchover.
    #[arg(long)]
    pub failover: bool,
    /// Also write inventory.yml and plan.yml: PLAN.md as an Ansible playbook.
    #[arg(long)]
    pub ansible: bool,
}

pub fn run(opts: &Args, style: Style) -> Exit {
    // Both files are read and every problem of both reported before anything is refused.
    let old = topology_file::load(&opts.old, style, "nothing was written");
    let new = topology_file::load_with_source(&opts.new, style, "nothing was written");
    let (old, (new, source)) = match (old, new) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let (old, new) = (
        old.topology.expect("no errors means a topology"),
        new.topology.expect("no errors means a topology"),
    );
    let env = match templates_dir::environment(opts.out.templates.as_deref()) {
        Ok(env) => env,
        Err(code) => return code,
    };
    let (changes, files) = match plan::plan(&old, &new, &source, &env, opts.failover, opts.ansible)
    {
        Ok(p) => p,
        Err(PlanError::Refused(diags)) => {
            let name = opts.new.display().to_string();
            eprint!(
                "{}",
                diag::render(
                    &name,
                    &crate::topology::redact_secrets(&source),
                    &diags,
                    style
                )
            );
            eprintln!(
                "error: {name}: {} change{} a plan cannot make; nothing was written",
                diags.len(),
                super::plural(diags.len())
            );
            return Exit::Invalid;
        }
        Err(PlanError::Render(e)) => {
            return templates_dir::render_failed(&e, opts.out.templates.is_some());
        }
    };
    if let Err(e) = render::output::write(&opts.out.output, &files, opts.out.force) {
        eprintln!("error: {}: {e}", opts.out.output.display());
        return Exit::Io;
    }
    let mut out = std::io::stdout().lock();
    let lines = plan::summary(&old, &new, &changes);
    let _ = writeln!(
        out,
        "wrote the plan for cluster {} to {}: {}; start with {}",
        new.cluster,
        opts.out.output.display(),
        if lines.is_empty() {
            "nothing changes".to_owned()
        } else {
            lines.join("; ").replace('`', "")
        },
        opts.out.output.join("PLAN.md").display()
    );
    Exit::Ok
}
