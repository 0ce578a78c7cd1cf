//! Topology → plan of artifacts: every file `gen` writes, with its contents and mode.
//!
//! The plan is built completely in memory before anything touches the disk, so a template
//! error can never leave half an output directory behind. `context` is what the templates
//! see, `settings` the PostgreSQL settings chosen, `steps` a node's runbook, `artifact` the
//! table of a node's files; `output` writes a plan atomically, `base` patches a node's own
//! postgresql.conf and pg_hba.conf.

pub mod artifact;
pub mod base;
pub mod context;
pub mod output;
pub mod settings;
pub mod steps;
pub mod swap;
pub mod templates;

use minijinja::Environment;

use crate::topology::model::PasswordSource;
use crate::topology::valid::ValidTopology;

use artifact::When;
pub use artifact::{
    Artifact, DROP_IN, HBA_BLOCK, LITERAL_SECRET, MODE_FILE, MODE_SCRIPT, MODE_SECRET,
    RECOVERY_CONF, REWIND_SECRET, RUNBOOK_DIR, SYNC_DROP_IN,
};
use context::{Addresses, ClusterContext, NodeContext};
pub use settings::primary_conninfo;

/// Renders every artifact of the topology, in a stable order.
pub fn plan(
    topo: &ValidTopology,
    env: &Environment<'_>,
) -> Result<Vec<Artifact>, minijinja::Error> {
    let cluster = context::cluster_context(topo);
    let addresses = Addresses::of(topo);
    let cluster_value = minijinja::Value::from_serialize(&cluster);
    // Nodes are independent: each is built, serialized once (every template of the node, and
    // RUNBOOK.md, share the value; a node of a large cluster lists every peer) and rendered on
    // the cores (a 100-node cluster is 1,300 files).
    let indices: Vec<usize> = (0..topo.nodes.len()).collect();
    let per_node = crate::parallel::map(&indices, &|&i| {
        let node = context::node_context(topo, &addresses, i);
        let value = minijinja::Value::from_serialize(&node);
        let ctx = minijinja::context! { cluster => cluster_value.clone(), node => value.clone() };
        render_node(topo, env, &cluster, &node, ctx).map(|artifacts| (value, artifacts))
    });
    let mut out = Vec::new();
    let mut node_values = Vec::with_capacity(per_node.len());
    for rendered in per_node {
        let (value, artifacts) = rendered?;
        node_values.push(value);
        out.extend(artifacts);
    }
    out.push(Artifact {
        path: "RUNBOOK.md".into(),
        contents: env
            .get_template("RUNBOOK.md.j2")?
            .render(minijinja::context! {
                cluster => cluster_value,
                nodes => node_values,
                verification_order => steps::VERIFICATION_ORDER,
            })?,
        mode: MODE_FILE,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// One template rendered for node `i` with the context its runbook steps see, plus `plan`
/// (what a plan-only step acts on).
pub fn render_for_node(
    topo: &ValidTopology,
    env: &Environment<'_>,
    i: usize,
    template: &str,
    plan: minijinja::Value,
) -> Result<String, minijinja::Error> {
    let cluster = context::cluster_context(topo);
    let addresses = Addresses::of(topo);
    let node = context::node_context(topo, &addresses, i);
    env.get_template(template)?
        .render(minijinja::context! { cluster => cluster, node => node, plan => plan })
}

/// Whether a node gets a file of `artifact::NODE_FILES`.
fn applies(
    when: When,
    topo: &ValidTopology,
    cluster: &ClusterContext,
    node: &NodeContext<'_>,
) -> bool {
    match when {
        When::Always => true,
        When::Primary => node.role == "primary",
        When::SynchronousPrimary => !node.sync_settings.is_empty(),
        When::RecoveryConfStandby => node.role == "standby" && cluster.recovery_conf,
        When::Firewall(kind) => topo.firewall == kind,
    }
}

/// Every artifact of one node: the rows of `artifact::NODE_FILES` that apply, its runbook
/// steps, and a literal password's secrets file.
fn render_node(
    topo: &ValidTopology,
    env: &Environment<'_>,
    cluster: &ClusterContext,
    node: &NodeContext<'_>,
    ctx: minijinja::Value,
) -> Result<Vec<Artifact>, minijinja::Error> {
    let dir = &node.name;
    let render = |path: String, template: &str, mode: u32| -> Result<Artifact, minijinja::Error> {
        Ok(Artifact {
            path,
            contents: env.get_template(template)?.render(ctx.clone())?,
            mode,
        })
    };
    let mut out = Vec::new();
    for f in artifact::NODE_FILES {
        if applies(f.when, topo, cluster, node) {
            out.push(render(format!("{dir}/{}", f.path), f.template, f.mode)?);
        }
    }
    for step in node.steps.iter().chain(&node.verify_steps) {
        out.push(render(
            format!("{dir}/{RUNBOOK_DIR}/{}", step.file),
            &format!("{RUNBOOK_DIR}/{}.sh.j2", step.kind),
            MODE_SCRIPT,
        )?);
    }
    for (source, file) in [
        (&topo.replication.password, LITERAL_SECRET),
        (&topo.replication.rewind.password, REWIND_SECRET),
    ] {
        if let PasswordSource::Literal(secret) = source {
            out.push(Artifact {
                path: format!("{dir}/{file}"),
                contents: format!("{secret}\n"),
                mode: MODE_SECRET,
            });
        }
    }
    Ok(out)
}
