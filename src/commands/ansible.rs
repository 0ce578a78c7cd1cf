//! `pgrepl ansible`: validate one or more topologies and write an Ansible inventory and
//! playbook that do what their runbooks do, with gen's own files.

use std::io::Write;
use std::path::PathBuf;

use crate::ansible::{self, Cluster};
use crate::diag::Style;
use crate::exit::Exit;
use crate::render;

use super::{plural, templates_dir, topology_file};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Topology files (TOML), one per cluster; together they make one inventory.
    #[arg(required = true)]
    pub topologies: Vec<PathBuf>,
    #[command(flatten)]
    pub out: super::OutputArgs,
}

pub fn run(opts: &Args, style: Style) -> Exit {
    // Every topology is read and its problems reported before any stops the command.
    let mut topologies = Vec::new();
    let mut failed = None;
    for path in &opts.topologies {
        match topology_file::load(path, style, "nothing was written") {
            Ok(l) => topologies.push(l.topology.expect("no errors means a topology")),
            Err(code) => failed = Some(failed.unwrap_or(code)),
        }
    }
    if let Some(code) = failed {
        return code;
    }
    let env = match templates_dir::environment(opts.out.templates.as_deref()) {
        Ok(env) => env,
        Err(code) => return code,
    };
    let mut clusters = Vec::new();
    for topo in &topologies {
        match render::plan(topo, &env) {
            Ok(artifacts) => clusters.push(Cluster {
                topology: topo,
                artifacts,
            }),
            Err(e) => return templates_dir::render_failed(&e, opts.out.templates.is_some()),
        }
    }
    let plan = match ansible::plan(&clusters, &env) {
        Ok(p) => p,
        Err(ansible::FleetError::Render(e)) => {
            return templates_dir::render_failed(&e, opts.out.templates.is_some());
        }
        Err(e) => {
            eprintln!("error: {e}\nnothing was written");
            return Exit::Invalid;
        }
    };
    if let Err(code) = super::write_plan(&opts.out.output, &plan, opts.out.force) {
        return code;
    }
    let nodes: usize = topologies.iter().map(|t| t.nodes.len()).sum();
    let _ = writeln!(
        std::io::stdout().lock(),
        "wrote an inventory and playbook for {} cluster{} ({nodes} node{}) to {}; run: ansible-playbook -i {} {}",
        topologies.len(),
        plural(topologies.len()),
        plural(nodes),
        opts.out.output.display(),
        opts.out.output.join("inventory.yml").display(),
        opts.out.output.join("site.yml").display()
    );
    Exit::Ok
}
