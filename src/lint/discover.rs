//! From the paths a user gives to clusters: a Debian tree (/etc/postgresql/<major>/<name>/),
//! a data or config directory, or single files (as pre-commit passes them).

use std::path::{Path, PathBuf};

use super::cluster::{Cluster, HbaFile, Role};
use crate::catalog::NEWEST;
use crate::pgconf::cluster_files::{ClusterFiles, major_of, parent_of};
use crate::pgconf::conf::{ConfFile, Item};
use crate::pgconf::file_kind::FileKind;
use crate::pgconf::file_settings::{FileSettings, Reading};
use crate::pgconf::hba::Features;

/// How deep below a given directory clusters are looked for: deep enough for a fleet tree
/// such as `hosts/<host>/etc/postgresql/<major>/<name>`.
pub const SEARCH_DEPTH: usize = 8;

/// Directories below a path that hold a cluster's files, depth-limited (symlinks are not
/// followed, so a loop cannot trap the walk), in byte order.
fn cluster_dirs(root: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    walk(root, depth, out, true);
}

/// The first directory with several subdirectories (`/etc/postgresql`'s majors, `hosts/`'s
/// hosts) has them walked on every core: a fleet's walk is a probe per cluster, and done on
/// one core it was a tenth of the run. Below that level, one thread walks each.
fn walk(root: &Path, depth: usize, out: &mut Vec<PathBuf>, spread: bool) {
    let is_cluster = ["postgresql.conf", "pg_hba.conf", "PG_VERSION"]
        .iter()
        .any(|f| root.join(f).is_file());
    if is_cluster {
        out.push(root.to_path_buf());
        return;
    }
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    if spread && dirs.len() > 1 {
        let found = crate::parallel::map(&dirs, &|d| {
            let mut found = Vec::new();
            walk(d, depth - 1, &mut found, false);
            found
        });
        out.extend(found.into_iter().flatten());
    } else {
        for d in dirs {
            walk(&d, depth - 1, out, spread);
        }
    }
}

/// Files that describe a data directory rather than configure it: naming one means its directory.
const DATA_DIR_MARKERS: [&str; 3] = ["PG_VERSION", "standby.signal", "recovery.signal"];

/// The clusters under `paths` (see [`locate`]).
pub fn discover(paths: &[PathBuf], pg_version: Option<u32>) -> Result<Vec<Cluster>, String> {
    discover_with(paths, pg_version, &|_| None)
}

/// Like [`discover`], with `default_major` consulted for a directory whose files do not
/// say their major (a `.pgrepl.toml`'s `pg-version`); `pg_version` wins over both.
pub fn discover_with(
    paths: &[PathBuf],
    pg_version: Option<u32>,
    default_major: &dyn Fn(&Path) -> Option<u32>,
) -> Result<Vec<Cluster>, String> {
    Ok(locate(paths, None)?
        .iter()
        .map(|s| load(s, pg_version, default_major))
        .collect())
}

/// Where a cluster's files are, before anything is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// A directory holding postgresql.conf, pg_hba.conf or PG_VERSION.
    Dir(PathBuf),
    /// One file, of the kind its name or content says (or the user).
    File(PathBuf, FileKind),
}

/// The clusters under `paths`, in a stable order, without reading them (but the start of a
/// file whose name does not say its kind): cheap, so that the reading can be spread over
/// threads. A file is of the kind `kind` says, else its name or content
/// ([`FileKind::of`]); the data directory markers stand for their directory.
pub fn locate(paths: &[PathBuf], kind: Option<FileKind>) -> Result<Vec<Source>, String> {
    let mut sources = Vec::new();
    for path in paths {
        let marker = path
            .file_name()
            .is_some_and(|n| DATA_DIR_MARKERS.iter().any(|m| n == *m));
        if path.is_file() && marker {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            sources.push(Source::Dir(dir.unwrap_or(Path::new(".")).to_path_buf()));
        } else if path.is_file() {
            let kind = kind.unwrap_or_else(|| FileKind::of(path));
            sources.push(Source::File(path.clone(), kind));
        } else if path.is_dir() {
            let mut dirs = Vec::new();
            cluster_dirs(path, SEARCH_DEPTH, &mut dirs);
            if dirs.is_empty() {
                return Err(format!(
                    "{}: no postgresql.conf, pg_hba.conf or data directory found in it or up to {SEARCH_DEPTH} levels below",
                    path.display()
                ));
            }
            sources.extend(dirs.into_iter().map(Source::Dir));
        } else if path.exists() {
            return Err(format!(
                "{}: not a regular file or directory",
                path.display()
            ));
        } else {
            return Err(format!("{}: no such file or directory", path.display()));
        }
    }
    Ok(as_clusters(sources))
}

/// What standard input stands for (`lint -`): the file at `path` (its kind said by the user,
/// its name or its content), and with it the rest of its cluster where it has one, as for a
/// file pre-commit passes.
pub fn locate_stdin(path: &Path, kind: FileKind) -> Vec<Source> {
    as_clusters(vec![Source::File(path.to_path_buf(), kind)])
}

/// The files a directory's cluster reads itself.
const CLUSTER_FILES: [&str; 3] = ["postgresql.conf", "pg_hba.conf", "postgresql.auto.conf"];

fn is_cluster_file(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|n| CLUSTER_FILES.iter().any(|c| n == *c))
}

/// Files as pre-commit passes them, put back together: a cluster file (postgresql.conf,
/// pg_hba.conf, postgresql.auto.conf) in a directory that has postgresql.conf, or a drop-in
/// of its `conf.d/`, stands for that directory's cluster (so the rules that need both files,
/// such as a primary without a replication record, run when only one changed), and a file
/// whose directory is linted anyway is not linted twice. Other files stay on their own.
/// Order is kept; duplicates go.
fn as_clusters(sources: Vec<Source>) -> Vec<Source> {
    use std::collections::HashSet;
    // Sets, not scans: a fleet is thousands of directories.
    let dirs: HashSet<&Path> = sources
        .iter()
        .filter_map(|s| match s {
            Source::Dir(d) => Some(d.as_path()),
            Source::File(..) => None,
        })
        .collect();
    let named: HashSet<(PathBuf, &std::ffi::OsStr)> = sources
        .iter()
        .filter_map(|s| match s {
            Source::File(f, _) => Some((parent_of(f), f.file_name()?)),
            Source::Dir(_) => None,
        })
        .collect();
    let pair = |dir: &Path| {
        ["postgresql.conf", "pg_hba.conf"]
            .iter()
            .all(|n| named.contains(&(dir.to_path_buf(), std::ffi::OsStr::new(n))))
    };
    let has_conf = |dir: &Path| dir.join("postgresql.conf").is_file();
    let merged: Vec<Source> = sources
        .iter()
        .map(|s| match s {
            Source::File(f, _) if is_cluster_file(f) => {
                let dir = parent_of(f);
                if dirs.contains(dir.as_path()) || pair(&dir) || has_conf(&dir) {
                    Source::Dir(dir)
                } else {
                    s.clone()
                }
            }
            Source::File(f, FileKind::Conf) => {
                let dir = parent_of(f);
                let cluster = parent_of(&dir);
                if dir.file_name().is_some_and(|n| n == "conf.d") && has_conf(&cluster) {
                    Source::Dir(cluster)
                } else {
                    s.clone()
                }
            }
            other => other.clone(),
        })
        .collect();
    let mut seen = HashSet::new();
    merged
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

/// Reads one cluster.
pub fn load(
    source: &Source,
    pg_version: Option<u32>,
    default_major: &dyn Fn(&Path) -> Option<u32>,
) -> Cluster {
    let pick = |found: &dyn Fn() -> Option<(u32, &'static str)>, dirs: &[&Path]| {
        pick_major(pg_version, found, dirs, default_major)
    };
    match source {
        Source::Dir(dir) => from_dir(dir, &pick),
        Source::File(file, kind) => from_file(file, *kind, &pick),
    }
}

/// `found`: what the files say (PG_VERSION, the path), asked only without --pg-version.
fn pick_major(
    pg_version: Option<u32>,
    found: &dyn Fn() -> Option<(u32, &'static str)>,
    dirs: &[&Path],
    default_major: &dyn Fn(&Path) -> Option<u32>,
) -> (u32, &'static str) {
    match pg_version {
        Some(m) => (m, "--pg-version"),
        None => found().unwrap_or_else(|| {
            dirs.last()
                .and_then(|d| default_major(d))
                .map_or((NEWEST, "assumed"), |m| (m, ".pgrepl.toml"))
        }),
    }
}

type PickMajor<'a> =
    dyn Fn(&dyn Fn() -> Option<(u32, &'static str)>, &[&Path]) -> (u32, &'static str) + 'a;

fn from_file(path: &Path, kind: FileKind, pick: &PickMajor<'_>) -> Cluster {
    let dir = path.parent().unwrap_or(Path::new("."));
    let (major, major_source) = pick(&|| major_of(&[dir]), &[dir]);
    let (conf, hba) = match kind {
        FileKind::Hba => (None, HbaFile::read(path, Features::for_config(major, None))),
        FileKind::Conf => (
            Some(FileSettings::read_as(Reading::Startup, path, None)),
            None,
        ),
        FileKind::Ident => (None, None),
    };
    // Asked only when reading failed, as for a directory.
    let unread = kind != FileKind::Ident
        && hba.is_none()
        && conf.as_ref().is_none_or(|c| c.files.is_empty());
    let unreadable: Vec<&Path> = unread.then_some(path).into_iter().collect();
    let (role, role_source) = role_of(conf.as_ref(), None, false);
    Cluster {
        conf,
        hba,
        kind: Some(kind),
        ..Cluster::new(
            path.display().to_string(),
            (major, major_source),
            (role, role_source),
        )
    }
    .with_suppressions()
    .with_unreadable(&unreadable)
}

fn from_dir(dir: &Path, pick: &PickMajor<'_>) -> Cluster {
    let files = ClusterFiles::in_dir(dir, Reading::Startup);
    let (major, major_source) = {
        let mut dirs: Vec<&Path> = vec![dir];
        if let Some(d) = &files.data_dir {
            dirs.insert(0, d);
        }
        pick(&|| files.major(), &dirs)
    };
    let ClusterFiles {
        conf_path,
        conf,
        data_dir,
        hba_path,
        ..
    } = files;
    let hba = HbaFile::read(&hba_path, Features::for_config(major, conf.as_ref()));
    // What exists but was not read: checked only when reading failed (no extra system calls
    // on a readable fleet).
    let unread_conf = conf.as_ref().is_some_and(|c| c.files.is_empty());
    let unread_hba = hba.is_none() && hba_path.exists();
    let unreadable: Vec<&Path> = [
        (unread_conf, conf_path.as_path()),
        (unread_hba, hba_path.as_path()),
    ]
    .into_iter()
    .filter_map(|(unread, p)| unread.then_some(p))
    .collect();
    let recovery_conf = data_dir.as_deref().and_then(recovery_conf);
    let (role, role_source) = role_of(conf.as_ref(), data_dir.as_deref(), recovery_conf.is_some());
    Cluster {
        conf,
        hba,
        data_dir,
        recovery_conf,
        ..Cluster::new(
            dir.display().to_string(),
            (major, major_source),
            (role, role_source),
        )
    }
    .with_suppressions()
    .with_unreadable(&unreadable)
}

/// A data directory's recovery.conf as (name, value) pairs, if it has one.
fn recovery_conf(data_dir: &Path) -> Option<Vec<(String, String)>> {
    let text = std::fs::read(data_dir.join("recovery.conf")).ok()?;
    Some(
        ConfFile::parse(text)
            .lines
            .into_iter()
            .filter_map(|l| match l.item {
                Item::Setting(s) => Some((s.name.to_string(), s.value.to_string())),
                _ => None,
            })
            .collect(),
    )
}

fn role_of(
    conf: Option<&FileSettings>,
    data_dir: Option<&Path>,
    has_recovery_conf: bool,
) -> (Role, &'static str) {
    if let Some(d) = data_dir {
        if d.join("standby.signal").exists() {
            return (Role::Standby, "standby.signal");
        }
        if has_recovery_conf {
            return (Role::Standby, "recovery.conf");
        }
    }
    let conninfo = conf
        .and_then(|c| c.effective("primary_conninfo"))
        .and_then(|r| r.setting.clone())
        .is_some_and(|v| !v.is_empty());
    if conninfo {
        return (Role::Standby, "primary_conninfo");
    }
    match data_dir {
        Some(_) => (Role::Primary, "no standby.signal"),
        None => (Role::Unknown, "configuration files only"),
    }
}
