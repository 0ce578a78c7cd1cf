//! One PostgreSQL cluster as lint sees it: its files parsed with spans, its major and role,
//! and how each of those was determined.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::pgconf::conf::{ConfFile, Item, Setting};
use crate::pgconf::file_kind::FileKind;
use crate::pgconf::file_settings::{FileSettings, Row};
use crate::pgconf::hba;

use super::suppress::{self, Suppression};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Primary,
    Standby,
    /// Only configuration files were found; nothing says which.
    Unknown,
}

/// pg_hba.conf with its records.
#[derive(Debug)]
pub struct HbaFile {
    pub path: PathBuf,
    pub rows: Vec<hba::Row>,
    /// Its `# pgrepl: ignore` comments.
    pub suppressions: Vec<Suppression>,
}

impl HbaFile {
    /// Reads and parses pg_hba.conf (read once: records and suppression comments); None when
    /// it cannot be read.
    pub fn read(path: &Path, features: hba::Features) -> Option<HbaFile> {
        let text = crate::input::read_bounded(path, crate::input::MAX_CONFIG_BYTES).ok()?;
        Some(HbaFile {
            path: path.to_path_buf(),
            rows: hba::rows(&text, path, features),
            suppressions: suppress::parse(&text),
        })
    }

    /// The records the server would load, each with its row.
    pub fn records(&self) -> impl Iterator<Item = (&hba::Row, &hba::Record)> {
        self.rows
            .iter()
            .filter_map(|r| Some((r, r.parsed.as_ref()?)))
    }

    /// The file a record is in: pg_hba.conf itself, or a file it includes (16+).
    pub fn file_of(&self, r: &hba::Row) -> PathBuf {
        r.file_name
            .as_deref()
            .map_or(self.path.clone(), PathBuf::from)
    }
}

#[derive(Debug)]
pub struct Cluster {
    /// What the user named (for messages).
    pub label: String,
    pub major: u32,
    /// How the major was found: "--pg-version", "PG_VERSION", "the path", or "assumed".
    pub major_source: &'static str,
    pub role: Role,
    /// Why the role was chosen.
    pub role_source: &'static str,
    /// postgresql.conf (with includes and postgresql.auto.conf), if there is one.
    pub conf: Option<FileSettings>,
    pub hba: Option<HbaFile>,
    pub data_dir: Option<PathBuf>,
    /// `# pgrepl: ignore` comments in the cluster's files.
    pub suppressions: Vec<(PathBuf, Suppression)>,
    /// Files of the cluster that exist but could not be read: lint cannot vouch for it.
    pub unreadable: Vec<String>,
    /// The data directory's recovery.conf settings (name, value) in file order, read once;
    /// `None` when there is none.
    pub recovery_conf: Option<Vec<(String, String)>>,
    /// For a lone file, its kind; `None` for a directory.
    pub kind: Option<FileKind>,
}

/// A setting row with where its value is in its file.
pub struct Located<'a> {
    pub row: &'a Row,
    pub file: &'a Path,
    pub setting: &'a Setting,
}

impl Cluster {
    /// A cluster whose files are yet to be attached.
    pub fn new(
        label: String,
        (major, major_source): (u32, &'static str),
        (role, role_source): (Role, &'static str),
    ) -> Cluster {
        Cluster {
            label,
            major,
            major_source,
            role,
            role_source,
            conf: None,
            hba: None,
            data_dir: None,
            suppressions: Vec::new(),
            unreadable: Vec::new(),
            recovery_conf: None,
            kind: None,
        }
    }
    fn file(&self, path: &str) -> Option<&(PathBuf, ConfFile)> {
        self.conf
            .as_ref()?
            .files
            .iter()
            .find(|(p, _)| p.to_str() == Some(path))
    }

    /// The parsed setting behind a row.
    pub fn locate<'a>(&'a self, row: &'a Row) -> Option<Located<'a>> {
        let (path, file) = self.file(row.sourcefile.as_deref()?)?;
        let line = file.line(row.sourceline?)?;
        match &line.item {
            Item::Setting(setting) => Some(Located {
                row,
                file: path,
                setting,
            }),
            _ => None,
        }
    }

    /// Every setting occurrence, in the order the server reads them.
    pub fn settings(&self) -> impl Iterator<Item = Located<'_>> {
        self.conf
            .iter()
            .flat_map(|c| c.rows.iter())
            .filter(|r| r.name.is_some())
            .filter_map(|r| self.locate(r))
    }

    /// The occurrence that takes effect (the last one), if the parameter is set.
    pub fn effective(&self, name: &str) -> Option<Located<'_>> {
        self.conf
            .as_ref()?
            .effective(name)
            .and_then(|r| self.locate(r))
    }

    /// The effective value, or the server's default when nothing sets it.
    pub fn value(&self, name: &str) -> Option<String> {
        match self.effective(name) {
            Some(l) => Some(l.setting.value.to_string()),
            None => crate::catalog::params::params(self.major)?
                .get(name)
                .map(|p| p.default.clone()),
        }
    }

    /// A setting of recovery.conf (the last one wins), where 10 and 11 standbys keep
    /// primary_conninfo and friends.
    pub fn recovery_conf_value(&self, name: &str) -> Option<String> {
        self.recovery_conf
            .as_ref()?
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }

    /// A standby setting where this major reads it: a server parameter from 12,
    /// recovery.conf before.
    pub fn recovery_setting(&self, name: &str) -> Option<String> {
        if crate::catalog::has(self.major, crate::catalog::Feature::RecoveryParameters) {
            self.value(name)
        } else {
            self.recovery_conf_value(name)
        }
    }

    /// Where a finding about the whole postgresql.conf points: its first line.
    pub fn conf_path(&self) -> Option<&Path> {
        self.conf.as_ref()?.files.last().map(|(p, _)| p.as_path())
    }

    /// Notes the cluster's own files that exist but could not be read (permissions, a
    /// directory in the file's place): postgresql.conf itself, and pg_hba.conf.
    pub fn with_unreadable(mut self, files: &[&Path]) -> Cluster {
        for f in files {
            if let Err(e) = std::fs::File::open(f).and_then(|file| {
                let meta = file.metadata()?;
                if meta.is_dir() {
                    return Err(std::io::Error::other("is a directory"));
                }
                Ok(())
            }) {
                self.unreadable
                    .push(format!("cannot read {}: {e}", f.display()));
            }
        }
        self
    }

    /// With the suppression comments of every file of the cluster read.
    pub fn with_suppressions(mut self) -> Cluster {
        let mut out: Vec<(PathBuf, Suppression)> = Vec::new();
        for (path, file) in self.conf.iter().flat_map(|c| c.files.iter()) {
            out.extend(
                suppress::parse(&file.text)
                    .into_iter()
                    .map(|s| (path.clone(), s)),
            );
        }
        if let Some(h) = &self.hba {
            out.extend(h.suppressions.iter().map(|s| (h.path.clone(), s.clone())));
        }
        self.suppressions = out;
        self
    }

    /// Drops what only the single-cluster rules need (file texts, lines other than settings),
    /// keeping what the cross-node rules read: settings, pg_hba records, suppressions, and
    /// pgrepl's own drop-in whole (compared with what gen writes).
    pub fn slim(&mut self) {
        for (path, file) in self.conf.iter_mut().flat_map(|c| c.files.iter_mut()) {
            if !path.ends_with(crate::render::DROP_IN) {
                file.keep_settings();
            }
        }
    }

    /// Where a finding about an unset parameter points: the commented-out line of the sample
    /// (`#listen_addresses = 'localhost'`) in the files read, if one is there, rather than the
    /// file's first line. Single-cluster rules only: `slim` drops the texts before the
    /// cross-node rules run.
    pub fn commented_out(&self, name: &str) -> Option<(&Path, Range<usize>)> {
        for (path, file) in self.conf.iter().flat_map(|c| c.files.iter().rev()) {
            let text = &file.text;
            for at in memchr::memmem::find_iter(text, name.as_bytes()) {
                let start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |nl| nl + 1);
                let end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
                let before = text[start..at].trim_ascii();
                let after = text[at + name.len()..end].trim_ascii_start();
                let commented = before.first() == Some(&b'#')
                    && before[1..]
                        .iter()
                        .all(|b| *b == b'#' || b.is_ascii_whitespace());
                if commented && after.first() == Some(&b'=') {
                    return Some((path.as_path(), start..end));
                }
            }
        }
        None
    }

    /// The span of a line of a file read for this cluster.
    pub fn line_span(&self, path: &Path, line: usize) -> Option<Range<usize>> {
        let (_, file) = self.conf.as_ref()?.files.iter().find(|(p, _)| p == path)?;
        file.line(line).map(|l| l.span.clone())
    }
}
