//! `gen --base`: the nodes' own postgresql.conf and pg_hba.conf, patched with the plan's
//! settings and replication rules (see `pgconf::patch`).

use std::path::{Path, PathBuf};

use super::settings::settings_for;
use super::{Artifact, HBA_BLOCK, MODE_FILE};
use crate::pgconf::{block, patch};
use crate::topology::valid::ValidTopology;

/// A patched copy and the file it was made from, for diffs.
pub struct Patched {
    pub artifact: Artifact,
    pub original: Vec<u8>,
    pub source: PathBuf,
}

#[derive(Debug)]
pub enum BaseError {
    Read(PathBuf, std::io::Error),
    /// The file cannot be patched safely (a damaged pgrepl block).
    Unpatchable(PathBuf, String),
}

impl std::fmt::Display for BaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaseError::Read(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            BaseError::Unpatchable(p, why) => write!(f, "{}: {why}", p.display()),
        }
    }
}

fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, BaseError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BaseError::Read(path.to_owned(), e)),
    }
}

/// Patched copies of `base/<node>/postgresql.conf` and `pg_hba.conf`, for the nodes that
/// have them. The plan supplies the replication rules block.
pub fn patch_base(
    topo: &ValidTopology,
    plan: &[Artifact],
    base: &Path,
) -> Result<Vec<Patched>, BaseError> {
    let mut out = Vec::new();
    for node in &topo.nodes {
        let dir = base.join(&node.name);
        let conf_path = dir.join("postgresql.conf");
        if let Some(original) = read_if_present(&conf_path)? {
            let patched = settings_for(topo, node)
                .iter()
                .fold(original.clone(), |text, s| {
                    patch::set(&text, s.name, &s.value, &s.why)
                });
            out.push(Patched {
                artifact: Artifact {
                    path: format!("{}/postgresql.conf", node.name),
                    contents: String::from_utf8_lossy(&patched).into_owned(),
                    mode: MODE_FILE,
                },
                original,
                source: conf_path,
            });
        }
        let hba_path = dir.join("pg_hba.conf");
        if let Some(original) = read_if_present(&hba_path)? {
            let block_path = format!("{}/{HBA_BLOCK}", node.name);
            let block = plan
                .iter()
                .find(|a| a.path == block_path)
                .map(|a| a.contents.as_str())
                .unwrap_or_default();
            let patched = block::merge_hba_block(&original, block)
                .map_err(|e| BaseError::Unpatchable(hba_path.clone(), e.0))?;
            out.push(Patched {
                artifact: Artifact {
                    path: format!("{}/pg_hba.conf", node.name),
                    contents: String::from_utf8_lossy(&patched).into_owned(),
                    mode: MODE_FILE,
                },
                original,
                source: hba_path,
            });
        }
    }
    Ok(out)
}
