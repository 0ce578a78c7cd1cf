//! Writing the plan: all or nothing, never over a file pgrepl did not write.
//!
//! The new tree is assembled in a staging directory next to the output directory (same file
//! system), then swapped in by one atomic exchange (see [`super::swap`]). A manifest records
//! each file pgrepl wrote with its SHA-256, so a later run can tell its own unchanged files
//! from files a user wrote or edited.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Artifact;
use super::swap::{self, Ops, SwapError};

/// Name of the manifest inside the output directory.
pub const MANIFEST: &str = ".pgrepl-manifest";
const MANIFEST_HEADER: &str =
    "# pgrepl manifest: files written by `pgrepl gen` (sha256  mode  path). Do not edit.\n";

#[derive(Debug)]
pub enum WriteError {
    /// Files pgrepl would overwrite or remove that it did not write, or that changed since.
    Foreign {
        dir: PathBuf,
        files: Vec<String>,
    },
    /// The output path exists but is not a directory.
    NotADirectory(PathBuf),
    Io {
        path: PathBuf,
        source: io::Error,
    },
    /// The new output is in place, but the write could not be finished.
    Unfinished {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

impl WriteError {
    /// Whether the output directory is as it was before the write.
    pub fn left_as_it_was(&self) -> bool {
        !matches!(self, WriteError::Unfinished { .. })
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Foreign { dir, files } => {
                write!(
                    f,
                    "{} holds files pgrepl did not write (or that were edited since):",
                    dir.display()
                )?;
                for file in files.iter().take(10) {
                    write!(f, "\n  {file}")?;
                }
                if files.len() > 10 {
                    write!(f, "\n  … and {} more", files.len() - 10)?;
                }
                write!(
                    f,
                    "\nnothing was written; choose another directory, or pass --force: files at paths gen writes are replaced, the others are kept and left alone from then on"
                )
            }
            WriteError::NotADirectory(p) => {
                write!(f, "{} exists and is not a directory", p.display())
            }
            WriteError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            WriteError::Unfinished { what, path, source } => {
                write!(f, "{what} {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for WriteError {}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the manifest records instead of a digest for a file holding a secret: the manifest
/// is world-readable, and an unsalted digest of a password is as good as the password to
/// anyone who can guess it.
const NO_DIGEST: &str = "-";

/// What the manifest records for a file of the user's that `--force` kept: gen leaves it
/// alone from then on, without asking for `--force` again.
const KEPT: &str = "kept";

/// The manifest's content for a plan and the user's files kept beside it: deterministic,
/// sorted by path.
pub fn manifest_text(plan: &[Artifact], kept: &[String]) -> String {
    let mut out = String::from(MANIFEST_HEADER);
    let mut sorted: Vec<&Artifact> = plan.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    // Hashed on every core: a 100-node cluster is 8 MB of text.
    let lines = crate::parallel::map(&sorted, &|a| {
        let digest = if super::artifact::holds_secret(&a.path) {
            NO_DIGEST.to_owned()
        } else {
            sha256_hex(a.contents.as_bytes())
        };
        format!("{digest}  {:o}  {}\n", a.mode, a.path)
    });
    out.extend(lines);
    for k in kept {
        out.push_str(&format!("{KEPT}  -  {k}\n"));
    }
    out
}

fn parse_manifest(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(3, "  ");
            let hash = parts.next()?;
            let _mode = parts.next()?;
            let path = parts.next()?;
            Some((path.to_owned(), hash.to_owned()))
        })
        .collect()
}

/// Every regular file under `dir`, relative, `/`-separated. Symlinks count as files (they
/// are not followed), so they are never silently dropped.
fn existing_files(dir: &Path) -> Result<Vec<String>, WriteError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(io_err(&d))? {
            let entry = entry.map_err(io_err(&d))?;
            let path = entry.path();
            let ty = entry.file_type().map_err(io_err(&path))?;
            if ty.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                out.push(
                    rel.to_string_lossy()
                        .replace(std::path::MAIN_SEPARATOR, "/"),
                );
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The files of `dir` that are not pgrepl's.
#[derive(Debug, Default)]
struct Others {
    /// Whose replacement or removal needs `--force`: not written by pgrepl, edited since, or
    /// kept before but now at a path the plan writes.
    foreign: Vec<String>,
    /// What stays beside the plan, sorted: files kept by an earlier `--force`, and the
    /// foreign ones at paths the plan does not write (kept when `--force` is given).
    keep: Vec<String>,
}

/// What a run of `plan` would do to files in `dir` that are not pgrepl's.
fn others(dir: &Path, plan: &[Artifact]) -> Result<Others, WriteError> {
    let planned: std::collections::BTreeSet<&str> = plan.iter().map(|a| a.path.as_str()).collect();
    let manifest_path = dir.join(MANIFEST);
    let ours = match fs::read_to_string(&manifest_path) {
        Ok(text) => parse_manifest(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => return Err(io_err(&manifest_path)(e)),
    };
    let mut found = Others::default();
    for rel in existing_files(dir)? {
        if rel == MANIFEST {
            continue;
        }
        let path = dir.join(&rel);
        let unchanged = match ours.get(&rel) {
            Some(hash) if hash == KEPT && !planned.contains(rel.as_str()) => {
                found.keep.push(rel);
                continue;
            }
            Some(hash) if hash == KEPT => false,
            // A secrets file has no digest to compare: it is pgrepl's while it is still a
            // regular file only its owner can read (gen rewrites it from the topology).
            Some(hash) if hash == NO_DIGEST => {
                let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
                meta.is_file() && meta.permissions().mode() & 0o777 == super::MODE_SECRET
            }
            Some(hash) => {
                let meta = fs::symlink_metadata(&path).map_err(io_err(&path))?;
                meta.is_file() && sha256_hex(&fs::read(&path).map_err(io_err(&path))?) == *hash
            }
            None => false,
        };
        if !unchanged {
            if !planned.contains(rel.as_str()) {
                found.keep.push(rel.clone());
            }
            found.foreign.push(rel);
        }
    }
    // existing_files is sorted, and so is what was taken from it.
    Ok(found)
}

/// Writes new files into a staging directory: the directories first, then the files on
/// every core. They are made durable all at once by [`sync`] before the directory is renamed
/// into place (one syncfs instead of an fsync per file: a 100-node cluster is 1,300 files).
fn write_all(dir: &Path, files: &[(&str, &[u8], u32)]) -> Result<(), WriteError> {
    let parents: std::collections::BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|(rel, ..)| dir.join(rel).parent().map(Path::to_path_buf))
        .collect();
    for p in &parents {
        fs::create_dir_all(p).map_err(io_err(p))?;
    }
    crate::parallel::map(files, &|(rel, contents, mode)| {
        write_file(&dir.join(rel), contents, *mode)
    })
    .into_iter()
    .collect()
}

fn write_file(path: &Path, contents: &[u8], mode: u32) -> Result<(), WriteError> {
    // Created with the final mode, so a secret is never readable by others, not even briefly.
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, mode);
    let mut f = opts.open(path).map_err(io_err(path))?;
    f.write_all(contents).map_err(io_err(path))?;
    // The umask may have narrowed the mode; scripts must stay executable.
    f.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io_err(path))?;
    Ok(())
}

/// Flushes everything written under `dir` to disk (syncfs: the file system holding it).
fn sync(dir: &Path) -> Result<(), WriteError> {
    let d = fs::File::open(dir).map_err(io_err(dir))?;
    // SAFETY: syncfs takes a file descriptor that `d` keeps open for the call.
    let rc = unsafe { libc::syncfs(std::os::fd::AsRawFd::as_raw_fd(&d)) };
    if rc != 0 {
        return Err(io_err(dir)(io::Error::last_os_error()));
    }
    Ok(())
}

/// Removes a staging directory when dropped, unless it was swapped in.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

fn sibling(dir: &Path, tag: &str) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.pgrepl-{tag}-{}", std::process::id()))
}

/// Writes the plan into `dir` atomically. Without `force`, refuses when `dir` holds any file
/// pgrepl did not write or that changed since it wrote it; with `force`, such files at paths
/// of the plan are replaced and the others are kept. Files of an earlier run that the plan
/// no longer has are removed.
pub fn write(dir: &Path, plan: &[Artifact], force: bool) -> Result<(), WriteError> {
    // A symbolic link to a directory stands for that directory: the new tree is swapped in
    // there, and the link stays as it is.
    let resolved;
    let dir = match fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() && dir.is_dir() => {
            resolved = fs::canonicalize(dir).map_err(io_err(dir))?;
            resolved.as_path()
        }
        _ => dir,
    };
    // An error inside the staging directory is reported at the path the user asked for: the
    // staging directory is gone by then, and its name means nothing to them.
    let staging = sibling(dir, "new");
    write_staged(dir, plan, force).map_err(|e| match e {
        WriteError::Io { path, source } => WriteError::Io {
            path: match path.strip_prefix(&staging) {
                Ok(rest) if rest.as_os_str().is_empty() => dir.to_path_buf(),
                Ok(rest) => dir.join(rest),
                Err(_) => path,
            },
            source,
        },
        other => other,
    })
}

fn write_staged(dir: &Path, plan: &[Artifact], force: bool) -> Result<(), WriteError> {
    let exists = match fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => true,
        Ok(_) => return Err(WriteError::NotADirectory(dir.to_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(io_err(dir)(e)),
    };
    let Others { foreign, keep } = if exists {
        others(dir, plan)?
    } else {
        Others::default()
    };
    if !foreign.is_empty() && !force {
        return Err(WriteError::Foreign {
            dir: dir.to_owned(),
            files: foreign,
        });
    }

    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let mut staging = Staging {
        path: sibling(dir, "new"),
        keep: false,
    };
    let _ = fs::remove_dir_all(&staging.path);
    fs::create_dir(&staging.path).map_err(io_err(&staging.path))?;
    // Files pgrepl does not write itself stay in the output directory (the foreign ones
    // only with --force, checked above), remembered as kept.
    for rel in &keep {
        let from = dir.join(rel);
        let to = staging.path.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        fs::copy(&from, &to).map_err(io_err(&from))?;
    }
    let manifest = manifest_text(plan, &keep);
    let mut files: Vec<(&str, &[u8], u32)> = plan
        .iter()
        .map(|a| (a.path.as_str(), a.contents.as_bytes(), a.mode))
        .collect();
    files.push((MANIFEST, manifest.as_bytes(), super::MODE_FILE));
    write_all(&staging.path, &files)?;
    sync(&staging.path)?;
    let mode = if exists {
        fs::metadata(dir).map_err(io_err(dir))?.permissions().mode()
    } else {
        0o755
    };
    fs::set_permissions(&staging.path, fs::Permissions::from_mode(mode))
        .map_err(io_err(&staging.path))?;

    if exists {
        let aside = sibling(dir, "old");
        let _ = fs::remove_dir_all(&aside);
        match swap::swap(&swap::Real, &staging.path, dir, &aside) {
            // The staging path now holds nothing, or the previous tree that could not be
            // removed: either way, not something to delete behind the user's back.
            Ok(()) => staging.keep = true,
            Err(SwapError::Before { path, source }) => return Err(io_err(&path)(source)),
            Err(SwapError::After { what, path, source }) => {
                staging.keep = true;
                return Err(WriteError::Unfinished { what, path, source });
            }
        }
    } else {
        fs::rename(&staging.path, dir).map_err(io_err(dir))?;
        staging.keep = true;
        // The rename itself is durable once the parent directory is.
        let parent = dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        swap::Real
            .sync_dir(parent)
            .map_err(|source| WriteError::Unfinished {
                what: "the output is in place, but the file system could not make it durable:",
                path: parent.to_owned(),
                source,
            })?;
    }
    Ok(())
}

/// Whether `dir` already holds exactly what the plan would write (for `--check`-style use
/// and tests).
pub fn matches(dir: &Path, plan: &[Artifact]) -> bool {
    let Ok(manifest) = fs::read_to_string(dir.join(MANIFEST)) else {
        return false;
    };
    // The user's files an earlier --force kept, still there and still beside the plan: what
    // a write now would list again (the manifest's order is sorted, as parse_manifest's).
    let planned: std::collections::BTreeSet<&str> = plan.iter().map(|a| a.path.as_str()).collect();
    let kept: Vec<String> = parse_manifest(&manifest)
        .into_iter()
        .filter(|(path, hash)| {
            hash == KEPT
                && !planned.contains(path.as_str())
                && fs::symlink_metadata(dir.join(path)).is_ok()
        })
        .map(|(path, _)| path)
        .collect();
    plan.iter()
        .all(|a| fs::read(dir.join(&a.path)).is_ok_and(|bytes| bytes == a.contents.as_bytes()))
        && manifest == manifest_text(plan, &kept)
}
