//! The settings a server reads from postgresql.conf, everything it includes and
//! postgresql.auto.conf: one row per occurrence, with the columns of the server's
//! `pg_file_settings` view, following the server's rules for includes.
//!
//! Include paths are relative to the including file's directory. `include_dir` reads the
//! `*.conf` files not starting with `.`, in byte order. A missing `include` is an error, a
//! missing `include_if_exists` is skipped; nesting deeper than 10 is an error (which is also
//! how an include cycle ends). As in the view, a file's reading stops at its first syntax
//! error, and when any file has an error, no setting counts as applied; names the major does
//! not know are errors too, once a caller says which major ([`FileSettings::mark_unrecognized`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::conf::{ConfFile, IncludeKind, Item};

/// pg_file_settings' error for a name the server does not know.
pub const UNRECOGNIZED: &str = "unrecognized configuration parameter";

/// The server's limit on include nesting.
pub const MAX_DEPTH: usize = 10;

/// One row, as in `pg_file_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Shared by the rows of one file (a fleet has millions of rows, few files).
    pub sourcefile: Option<Arc<str>>,
    pub sourceline: Option<usize>,
    pub seqno: usize,
    pub name: Option<Arc<str>>,
    pub setting: Option<Arc<str>>,
    pub applied: bool,
    pub error: Option<String>,
}

/// How far the server reads a file with syntax errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reading {
    /// As `pg_file_settings` does: a file's reading stops at its first syntax error.
    #[default]
    View,
    /// As a starting server does: on past each syntax error, reporting up to
    /// [`MAX_SYNTAX_ERRORS`] per file, then refusing to start.
    Startup,
}

/// A starting server abandons a file after this many syntax errors.
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// Every file read, with its parse, and the rows.
#[derive(Debug, Default)]
pub struct FileSettings {
    pub files: Vec<(PathBuf, ConfFile)>,
    pub rows: Vec<Row>,
    pub reading: Reading,
}

impl FileSettings {
    /// Reads `config_file` and what it includes, then `auto_conf` if given and present, as
    /// the view does.
    pub fn read(config_file: &Path, auto_conf: Option<&Path>) -> FileSettings {
        FileSettings::read_as(Reading::View, config_file, auto_conf)
    }

    /// Like [`FileSettings::read`], reading files with syntax errors as `reading` says.
    pub fn read_as(reading: Reading, config_file: &Path, auto_conf: Option<&Path>) -> FileSettings {
        let mut fs = FileSettings {
            reading,
            ..FileSettings::default()
        };
        fs.read_file(&absolute(config_file), None, 0, true);
        fs.finish();
        match auto_conf {
            Some(auto) => fs.with_auto_conf(auto),
            None => fs,
        }
    }

    /// Like [`FileSettings::read_as`] without postgresql.auto.conf, or `None` when there is no
    /// regular file at `config_file` (as `Path::is_file` says). One open for both answers: a fleet has
    /// thousands of clusters.
    pub fn read_present(reading: Reading, config_file: &Path) -> Option<FileSettings> {
        let path = absolute(config_file);
        match crate::input::read_regular(&path, crate::input::MAX_CONFIG_BYTES) {
            Ok(Some(bytes)) => {
                let mut fs = FileSettings {
                    reading,
                    ..FileSettings::default()
                };
                fs.read_text(&path, bytes, 0);
                fs.finish();
                Some(fs)
            }
            Ok(None) => None,
            // There, but unreadable: the rows say why.
            Err(_) => Some(FileSettings::read_as(reading, config_file, None)),
        }
    }

    /// Adds postgresql.auto.conf (read last, if present) to settings already read, for callers
    /// that learn where it is from postgresql.conf itself (data_directory).
    pub fn with_auto_conf(mut self, auto_conf: &Path) -> FileSettings {
        self.read_file(&absolute(auto_conf), None, 0, false);
        self.finish();
        self
    }

    fn error_row(&mut self, at: Option<(&Path, usize)>, error: String) {
        self.rows.push(Row {
            sourcefile: at.map(|(p, _)| p.display().to_string().into()),
            sourceline: at.map(|(_, l)| l),
            seqno: 0,
            name: None,
            setting: None,
            applied: false,
            error: Some(error),
        });
    }

    /// Reads one file; `caller` is the including file and line, for error rows.
    fn read_file(
        &mut self,
        path: &Path,
        caller: Option<(&Path, usize)>,
        depth: usize,
        strict: bool,
    ) {
        if depth > MAX_DEPTH {
            self.error_row(
                caller,
                format!(
                    "could not open file \"{}\": maximum nesting depth exceeded",
                    path.display()
                ),
            );
            return;
        }
        let bytes = match crate::input::read_bounded(path, crate::input::MAX_CONFIG_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !strict => return,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                self.error_row(
                    caller,
                    format!("could not read file \"{}\": {e}", path.display()),
                );
                return;
            }
            Err(_) => {
                self.error_row(
                    caller,
                    format!("could not open file \"{}\"", path.display()),
                );
                return;
            }
        };
        self.read_text(path, bytes, depth);
    }

    /// Reads one file's bytes, and what they include.
    fn read_text(&mut self, path: &Path, bytes: Vec<u8>, depth: usize) {
        let file = ConfFile::parse(bytes);
        let source: Arc<str> = path.display().to_string().into();
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        // One row per setting: sized once, not doubled (a file can have millions).
        self.rows.reserve(
            file.lines
                .iter()
                .filter(|l| matches!(l.item, Item::Setting(_)))
                .count(),
        );
        let mut syntax_errors = 0;
        for line in &file.lines {
            match &line.item {
                Item::Empty => {}
                Item::Setting(s) => self.rows.push(Row {
                    sourcefile: Some(source.clone()),
                    sourceline: Some(line.number),
                    seqno: 0,
                    name: Some(s.name.clone()),
                    setting: Some(s.value.clone()),
                    applied: false,
                    error: None,
                }),
                Item::Error(_) => {
                    self.error_row(Some((path, line.number)), "syntax error".into());
                    syntax_errors += 1;
                    if self.reading == Reading::View {
                        break;
                    }
                    if syntax_errors == MAX_SYNTAX_ERRORS {
                        self.error_row(
                            Some((path, line.number)),
                            format!(
                                "too many syntax errors found, abandoning file \"{}\"",
                                path.display()
                            ),
                        );
                        break;
                    }
                }
                Item::Include(inc) => {
                    let here = Some((path, line.number));
                    if inc.path.is_empty() {
                        let what = if inc.kind == IncludeKind::Dir {
                            "directory"
                        } else {
                            "file"
                        };
                        self.error_row(here, format!("empty configuration {what} name: \"\""));
                        continue;
                    }
                    let target = dir.join(&inc.path);
                    match inc.kind {
                        IncludeKind::File => self.read_file(&target, here, depth + 1, true),
                        IncludeKind::IfExists => self.read_file(&target, here, depth + 1, false),
                        IncludeKind::Dir => self.read_dir(&target, here, depth + 1),
                    }
                }
            }
        }
        self.files.push((path.to_path_buf(), file));
    }

    fn read_dir(&mut self, dir: &Path, caller: Option<(&Path, usize)>, depth: usize) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            self.error_row(
                caller,
                format!("could not open directory \"{}\"", dir.display()),
            );
            return;
        };
        // (name, whether the entry is a directory: d_type says, but for a symbolic link,
        // which the server follows)
        let mut names: Vec<(Vec<u8>, Option<bool>)> = entries
            .filter_map(Result::ok)
            .map(|e| {
                let name = e.file_name();
                let is_dir = e
                    .file_type()
                    .ok()
                    .filter(|t| !t.is_symlink())
                    .map(|t| t.is_dir());
                (
                    std::os::unix::ffi::OsStrExt::as_bytes(name.as_os_str()).to_vec(),
                    is_dir,
                )
            })
            .filter(|(n, _)| !n.starts_with(b".") && n.ends_with(b".conf"))
            .collect();
        names.sort();
        for (name, is_dir) in names {
            let path =
                dir.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&name));
            // Directories named *.conf are skipped, as the server does.
            let is_dir =
                is_dir.unwrap_or_else(|| std::fs::metadata(&path).is_ok_and(|m| m.is_dir()));
            if is_dir {
                continue;
            }
            self.read_file(&path, caller, depth, true);
        }
    }

    /// Numbers the rows and marks them applied as the view does: the last occurrence of each
    /// name, unless some file has an error. The view tells occurrences apart by their exact
    /// spelling (`WORK_MEM` before `work_mem` is applied too; the value in effect is still the
    /// last one, see [`FileSettings::effective`]).
    fn finish(&mut self) {
        let has_errors = self.rows.iter().any(|r| r.error.is_some());
        for (i, row) in self.rows.iter_mut().enumerate() {
            row.seqno = i + 1;
            row.applied = false;
        }
        if has_errors {
            return;
        }
        // The last row of each name is applied. Borrowed names, FxHash: a file can hold
        // millions of rows.
        let mut last: rustc_hash::FxHashMap<&str, usize> = Default::default();
        for (i, row) in self.rows.iter().enumerate() {
            if let Some(n) = &row.name {
                last.insert(n, i);
            }
        }
        let mut applied: Vec<usize> = last.into_values().collect();
        applied.sort_unstable();
        for i in applied {
            self.rows[i].applied = true;
        }
    }

    /// Marks, as the server does once every file has been read without a syntax or include
    /// error, each name it does not recognize; then no row is applied (the server refuses
    /// the whole configuration).
    pub fn mark_unrecognized(&mut self, recognized: impl Fn(&str) -> bool) {
        if self.rows.iter().any(|r| r.error.is_some()) {
            return;
        }
        for row in &mut self.rows {
            if row.name.as_deref().is_some_and(|n| !recognized(n)) {
                row.error = Some(UNRECOGNIZED.to_owned());
            }
        }
        self.finish();
    }

    /// The effective value of a setting: its last occurrence.
    pub fn effective(&self, name: &str) -> Option<&Row> {
        self.rows.iter().rev().find(|r| {
            r.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn includes_order_errors_and_cycles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("conf.d")).unwrap();
        std::fs::write(
            d.join("postgresql.conf"),
            "work_mem = 1MB\ninclude_dir 'conf.d'\ninclude_if_exists 'nope.conf'\nwork_mem = 3MB\n",
        )
        .unwrap();
        std::fs::write(d.join("conf.d/b.conf"), "port = 2\n").unwrap();
        std::fs::write(d.join("conf.d/a.conf"), "port = 1\n").unwrap();
        std::fs::write(d.join("conf.d/.hidden.conf"), "port = 9\n").unwrap();
        std::fs::write(d.join("conf.d/c.txt"), "port = 9\n").unwrap();
        let fs = FileSettings::read(
            &d.join("postgresql.conf"),
            Some(&d.join("postgresql.auto.conf")),
        );
        let seen: Vec<(Option<&str>, Option<&str>, bool)> = fs
            .rows
            .iter()
            .map(|r| (r.name.as_deref(), r.setting.as_deref(), r.applied))
            .collect();
        assert_eq!(
            seen,
            [
                (Some("work_mem"), Some("1MB"), false),
                (Some("port"), Some("1"), false),
                (Some("port"), Some("2"), true),
                (Some("work_mem"), Some("3MB"), true)
            ]
        );
        assert_eq!(
            fs.effective("WORK_MEM").unwrap().setting.as_deref(),
            Some("3MB")
        );

        std::fs::write(d.join("loop.conf"), "include 'loop.conf'\n").unwrap();
        let fs = FileSettings::read(&d.join("loop.conf"), None);
        let errors: Vec<&Row> = fs.rows.iter().filter(|r| r.error.is_some()).collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0]
                .error
                .as_deref()
                .unwrap()
                .contains("maximum nesting depth exceeded")
        );

        std::fs::write(
            d.join("names.conf"),
            "WORK_MEM = 1MB\nwork_mem = 2MB\nx = 1\n",
        )
        .unwrap();
        let mut fs = FileSettings::read(&d.join("names.conf"), None);
        let applied: Vec<bool> = fs.rows.iter().map(|r| r.applied).collect();
        assert_eq!(applied, [true, true, true], "spellings are told apart");
        fs.mark_unrecognized(|n| n != "x");
        assert_eq!(fs.rows[2].error.as_deref(), Some(UNRECOGNIZED));
        assert!(
            fs.rows.iter().all(|r| !r.applied),
            "one unrecognized name: nothing applies"
        );

        std::fs::write(d.join("bad.conf"), "a = 1\nb = = 2\nc = 3\n").unwrap();
        let fs = FileSettings::read(&d.join("bad.conf"), None);
        assert_eq!(fs.rows.len(), 2, "reading stops at the first syntax error");
        assert!(
            fs.rows.iter().all(|r| !r.applied),
            "nothing applies when a file has errors"
        );
    }
}
