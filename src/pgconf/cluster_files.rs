//! Where a cluster's files are, found the way the server finds them, and which major they
//! belong to. The one place `lint`, `settings` and `hba` ask.
//!
//! From a config directory: its postgresql.conf, the data directory it names
//! (`data_directory`, Debian's layout) or the directory itself when it holds PG_VERSION,
//! postgresql.auto.conf in the data directory, and pg_hba.conf where `hba_file` says.

use std::path::{Path, PathBuf};

use super::file_settings::{FileSettings, Reading};
use crate::catalog::{NEWEST, OLDEST};

/// A cluster's files, postgresql.conf read (with postgresql.auto.conf).
#[derive(Debug)]
pub struct ClusterFiles {
    /// The directory holding postgresql.conf (and, unless `hba_file` says, pg_hba.conf).
    pub config_dir: PathBuf,
    pub conf_path: PathBuf,
    /// None when there is no postgresql.conf.
    pub conf: Option<FileSettings>,
    pub data_dir: Option<PathBuf>,
    pub hba_path: PathBuf,
    /// The major PG_VERSION says (the data directory's, else the config directory's), read
    /// once: a fleet has thousands of clusters, each system call counts.
    pg_version: Option<u32>,
}

impl ClusterFiles {
    /// The cluster whose config directory is `dir`, its files read as `reading` says.
    pub fn in_dir(dir: &Path, reading: Reading) -> ClusterFiles {
        ClusterFiles::with_conf(&dir.join("postgresql.conf"), reading)
    }

    /// The cluster configured by `conf_path` (a postgresql.conf, whatever its name); its
    /// directory is the config directory.
    pub fn with_conf(conf_path: &Path, reading: Reading) -> ClusterFiles {
        let dir = parent_of(conf_path);
        let conf = FileSettings::read_present(reading, conf_path);
        let setting = |name: &str| {
            conf.as_ref()
                .and_then(|c| c.effective(name))
                .and_then(|r| r.setting.as_deref())
                .map(PathBuf::from)
        };
        // None: no PG_VERSION; Some(None): one that holds no major.
        let in_dir = read_pg_version(&dir);
        let data_dir = setting("data_directory")
            .filter(|d| d.is_dir())
            .or_else(|| in_dir.is_some().then(|| dir.clone()));
        let pg_version = match &data_dir {
            Some(d) if *d != dir => read_pg_version(d).flatten(),
            _ => None,
        }
        .or(in_dir.flatten());
        let hba_path = setting("hba_file")
            .filter(|p| p.is_file())
            .unwrap_or_else(|| dir.join("pg_hba.conf"));
        let auto = data_dir
            .as_deref()
            .unwrap_or(&dir)
            .join("postgresql.auto.conf");
        ClusterFiles {
            conf: conf.map(|c| c.with_auto_conf(&auto)),
            conf_path: conf_path.to_path_buf(),
            config_dir: dir,
            data_dir,
            hba_path,
            pg_version,
        }
    }

    /// The major and what said it: PG_VERSION, else a 10–18 component of the path.
    pub fn major(&self) -> Option<(u32, &'static str)> {
        if let Some(m) = self.pg_version {
            return Some((m, "PG_VERSION"));
        }
        let mut dirs: Vec<&Path> = vec![&self.config_dir];
        if let Some(d) = &self.data_dir {
            dirs.insert(0, d);
        }
        major_in_path(&dirs)
    }
}

/// The directory a file is in, `.` for a bare name.
pub fn parent_of(file: &Path) -> PathBuf {
    file.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// The major of the first of `dirs` that says one: PG_VERSION, else a 10–18 path component
/// (Debian's /etc/postgresql/16/main, RHEL's /var/lib/pgsql/16/data).
pub fn major_of(dirs: &[&Path]) -> Option<(u32, &'static str)> {
    for d in dirs {
        if let Some(m) = read_pg_version(d).flatten() {
            return Some((m, "PG_VERSION"));
        }
    }
    major_in_path(dirs)
}

/// `dir`'s PG_VERSION: `None` when it cannot be read, `Some(None)` when it holds no number.
fn read_pg_version(dir: &Path) -> Option<Option<u32>> {
    std::fs::read_to_string(dir.join("PG_VERSION"))
        .ok()
        .map(|v| v.trim().parse().ok())
}

/// The major of the first of `dirs` whose path names one (10–18).
fn major_in_path(dirs: &[&Path]) -> Option<(u32, &'static str)> {
    let in_path = |p: &Path| {
        p.components()
            .filter_map(|c| c.as_os_str().to_str()?.parse::<u32>().ok())
            .find(|m| (OLDEST..=NEWEST).contains(m))
    };
    // The path as given (made absolute, no system call) says it almost always; resolving
    // symbolic links costs a readlink per component, so it comes second.
    for d in dirs {
        let found = std::path::absolute(d)
            .ok()
            .and_then(|abs| in_path(&abs))
            .or_else(|| std::fs::canonicalize(d).ok().and_then(|c| in_path(&c)));
        if let Some(m) = found {
            return Some((m, "the path"));
        }
    }
    None
}
