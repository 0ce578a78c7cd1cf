//! `pgrepl plan OLD NEW`: a change of topology as an ordered, guarded plan.
//!
//! `changes` works out what changes and refuses what a plan cannot do safely; `order` puts
//! the steps in a safe order; this module assembles the files: PLAN.md, the directories of
//! the nodes the plan touches as `gen NEW` writes them (so that after the plan, `gen NEW`
//! describes what is installed), a retired node's directory as `gen OLD` wrote it, and the
//! plan-only scripts (`runbook/plan-*.sh`).

mod builder;
pub mod changes;
mod failover;
pub mod order;
mod switchover;

use minijinja::Environment;

use crate::diag::Diagnostic;
use crate::render::{self, Artifact, MODE_FILE, MODE_SCRIPT, RUNBOOK_DIR};
use crate::topology::ValidTopology;
use crate::topology::doc::Doc;

pub use changes::Changes;

pub enum PlanError {
    /// Changes a plan refuses, labelled in NEW.
    Refused(Vec<Diagnostic>),
    Render(minijinja::Error),
}

impl From<minijinja::Error> for PlanError {
    fn from(e: minijinja::Error) -> Self {
        PlanError::Render(e)
    }
}

/// Every file of the plan from `old` to `new` (`new_source` is NEW's text, for labels).
/// `failover`: the old primary is gone; the change of primary is a failover. `ansible`: also
/// the plan as an Ansible inventory and playbook.
pub fn plan(
    old: &ValidTopology,
    new: &ValidTopology,
    new_source: &str,
    env: &Environment<'_>,
    failover: bool,
    ansible: bool,
) -> Result<(Changes, Vec<Artifact>), PlanError> {
    let old_files = render::plan(old, env)?;
    let new_files = render::plan(new, env)?;
    let doc = Doc::parse(new_source).map_err(|_| {
        PlanError::Refused(vec![Diagnostic::error(
            crate::topology::codes::SYNTAX,
            "the new topology could not be read again",
        )])
    })?;
    let changes = changes::compare(old, new, &old_files, &new_files, &doc, failover)
        .map_err(PlanError::Refused)?;
    let ordered = order::order(old, new, &changes);
    let mut out: Vec<Artifact> = Vec::new();
    let carry = |files: &[Artifact], name: &str, out: &mut Vec<Artifact>| {
        let prefix = format!("{name}/");
        out.extend(
            files
                .iter()
                .filter(|a| a.path.starts_with(&prefix))
                .cloned(),
        );
    };
    for &i in &ordered.new_nodes {
        carry(&new_files, &new.nodes[i].name, &mut out);
    }
    for &i in &ordered.old_nodes {
        carry(&old_files, &old.nodes[i].name, &mut out);
    }
    for extra in &ordered.extras {
        // A retired node is rendered from the old topology; the others from the new.
        let (topo, i) = match new.nodes.iter().position(|n| n.name == extra.node) {
            Some(i) if extra.kind != "retire" => (new, i),
            _ => (
                old,
                old.nodes
                    .iter()
                    .position(|n| n.name == extra.node)
                    .expect("a plan script's node is in one of the topologies"),
            ),
        };
        let contents = render::render_for_node(
            topo,
            env,
            i,
            &format!("plan/{}.sh.j2", extra.kind),
            minijinja::Value::from_serialize(extra),
        )?;
        out.push(Artifact {
            path: format!("{}/{RUNBOOK_DIR}/{}", extra.node, extra.file()),
            contents,
            mode: MODE_SCRIPT,
        });
    }
    if ansible {
        let later = changes
            .switchover
            .filter(|_| changes.failover)
            .map(|(demoted, _)| new.nodes[demoted].name.as_str());
        let plays = playbook_plays(&new.cluster, &ordered.sections);
        let playbook = crate::ansible::plan_playbook(old, new, &plays, &out, later, env)?;
        out.extend(playbook);
    }
    let summary = summary(old, new, &changes);
    out.push(Artifact {
        path: "PLAN.md".into(),
        contents: env
            .get_template("plan/PLAN.md.j2")?
            .render(minijinja::context! {
                cluster => new.cluster,
                major => new.facts.major,
                summary => summary,
                failover => changes.failover,
                sections => ordered.sections,
            })?,
        mode: MODE_FILE,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path);
    Ok((changes, out))
}

/// PLAN.md's sections as plays: each row a task, an argument that is an earlier step's
/// output read from that step's registered result.
fn playbook_plays(cluster: &str, sections: &[builder::Section]) -> Vec<crate::ansible::PlanPlay> {
    use crate::ansible::{Task, host_name, output_of, register_of};
    sections
        .iter()
        .map(|s| crate::ansible::PlanPlay {
            title: s.title.clone(),
            node: s.node.clone(),
            tasks: s
                .rows
                .iter()
                .map(|r| Task {
                    title: format!("Run {}", r.file),
                    kind: r.kind,
                    script: r.file.clone(),
                    args: r
                        .args
                        .iter()
                        .map(|a| match &a.output_of {
                            Some((node, kind)) => output_of(
                                &format!("'{}'", host_name(cluster, node)),
                                &register_of(kind),
                            ),
                            None => crate::pgconf::quote::ansible_yaml(&a.text),
                        })
                        .collect(),
                    register: register_of(r.kind),
                    effect: r.effect,
                    reads_passwords: r.reads_passwords,
                })
                .collect(),
        })
        .collect()
}

/// One line per change, for PLAN.md and the command's report.
pub fn summary(old: &ValidTopology, new: &ValidTopology, c: &Changes) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((demoted, promoted)) = c.switchover {
        out.push(format!(
            "{}: `{}` becomes the primary, `{}` a standby of it",
            if c.failover {
                "fail over"
            } else {
                "switch over"
            },
            new.nodes[promoted].name,
            new.nodes[demoted].name
        ));
    }
    for &a in &c.added {
        let n = &new.nodes[a];
        out.push(format!(
            "add standby `{}` ({}), streaming from `{}`",
            n.name,
            n.host,
            n.upstream.map_or("", |u| new.nodes[u].name.as_str())
        ));
    }
    for &r in &c.removed {
        out.push(format!(
            "retire standby `{}` ({})",
            old.nodes[r].name, old.nodes[r].host
        ));
    }
    for (i, from, to) in &c.reparented {
        out.push(format!(
            "repoint `{}` from `{from}` to `{}`",
            new.nodes[*i].name, new.nodes[*to].name
        ));
    }
    if let Some((before, after)) = &c.sync {
        out.push(format!(
            "synchronous_standby_names: `{}` becomes `{}`",
            before.as_deref().unwrap_or(""),
            after.as_deref().unwrap_or("")
        ));
    }
    let structural: Vec<&str> = c
        .added
        .iter()
        .chain(c.reparented.iter().map(|(i, _, _)| i))
        .map(|&i| new.nodes[i].name.as_str())
        .collect();
    for &i in &c.reconfigured {
        if !structural.contains(&new.nodes[i].name.as_str()) {
            out.push(format!(
                "update the configuration of `{}`",
                new.nodes[i].name
            ));
        }
    }
    out
}
