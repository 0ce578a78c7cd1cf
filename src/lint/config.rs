//! `.pgrepl.toml`: a repository's lint settings, found by walking up from the linted path
//! (the nearest file wins, as with `.editorconfig` or ruff's `pyproject.toml`).
//!
//! ```toml
//! pg-version = 16                 # the major when neither PG_VERSION nor the path says
//! select = ["PGR001", "PGR014"]   # only these rules (default: all)
//! ignore = ["replication-source-wide"]
//!
//! [severity]                      # per-rule severity: error, warning or info
//! password-encryption-md5 = "error"
//!
//! [per-file-ignores]                # rules left out for the files a glob matches
//! "legacy/**" = ["PGR006"]          # relative to this file's directory
//! "pg_hba.conf" = ["PGR012"]        # no `/`: any file of that name below it
//! ```
//!
//! The command line wins: `--pg-version` over `pg-version`, `--select` over both `select`
//! and `ignore`; `--ignore` adds to `ignore`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::rule;
use crate::catalog::{NEWEST, OLDEST};
use crate::diag::Severity;

pub const FILE_NAME: &str = ".pgrepl.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    pg_version: Option<u32>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
}

/// Rules left out for the files one `per-file-ignores` glob matches.
#[derive(Debug, Clone)]
pub struct FileIgnore {
    matcher: globset::GlobMatcher,
    pub codes: Vec<&'static str>,
}

/// A loaded `.pgrepl.toml`, with rule names resolved to codes.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// Where it was read from (None: no file, the defaults).
    pub path: Option<PathBuf>,
    pub pg_version: Option<u32>,
    pub select: Vec<&'static str>,
    pub ignore: Vec<&'static str>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub per_file_ignores: Vec<FileIgnore>,
}

impl LintConfig {
    /// Parses the text of a `.pgrepl.toml`; every problem in one message.
    pub fn parse(path: &Path, text: &str) -> Result<LintConfig, String> {
        let raw: Raw = toml::from_str(text).map_err(|e| {
            format!(
                "{}: {}",
                path.display(),
                e.message().trim_end().replace('\n', " ")
            )
        })?;
        let mut problems = Vec::new();
        let mut codes = |names: &[String], key: &str| -> Vec<&'static str> {
            names
                .iter()
                .filter_map(|n| {
                    let r = rule(n.trim());
                    if r.is_none() {
                        problems.push(format!("{key}: no rule {n:?}"));
                    }
                    r.map(|r| r.code)
                })
                .collect()
        };
        let select = codes(&raw.select, "select");
        let ignore = codes(&raw.ignore, "ignore");
        let mut per_file_ignores = Vec::new();
        let mut bad_globs = Vec::new();
        for (pattern, names) in &raw.per_file_ignores {
            let codes = codes(names, &format!("per-file-ignores.{pattern:?}"));
            // A pattern without a slash names a file anywhere below, as .gitignore's do.
            let glob = if pattern.contains('/') {
                pattern.trim_start_matches("./").to_owned()
            } else {
                format!("**/{pattern}")
            };
            match globset::GlobBuilder::new(&glob)
                .literal_separator(true)
                .build()
            {
                Ok(g) => per_file_ignores.push(FileIgnore {
                    matcher: g.compile_matcher(),
                    codes,
                }),
                Err(e) => bad_globs.push(format!("per-file-ignores: {pattern:?}: {}", e.kind())),
            }
        }
        problems.extend(bad_globs);
        let mut severity = BTreeMap::new();
        for (name, level) in &raw.severity {
            let level = match level.as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                "info" => Some(Severity::Info),
                _ => {
                    problems.push(format!(
                        "severity.{name}: {level:?} is not error, warning or info"
                    ));
                    None
                }
            };
            match (rule(name.trim()), level) {
                (Some(r), Some(l)) => {
                    severity.insert(r.code, l);
                }
                (None, _) => problems.push(format!("severity: no rule {name:?}")),
                _ => {}
            }
        }
        if let Some(v) = raw.pg_version {
            if !(OLDEST..=NEWEST).contains(&v) {
                problems.push(format!(
                    "pg-version: {v} is not a supported major ({OLDEST}-{NEWEST})"
                ));
            }
        }
        if !problems.is_empty() {
            return Err(format!(
                "{}: {}; `pgrepl rules` lists the rules",
                path.display(),
                problems.join("; ")
            ));
        }
        Ok(LintConfig {
            path: Some(path.to_path_buf()),
            pg_version: raw.pg_version,
            select,
            ignore,
            severity,
            per_file_ignores,
        })
    }

    /// Whether a finding of this rule is reported.
    pub fn wants(&self, code: &str) -> bool {
        (self.select.is_empty() || self.select.contains(&code)) && !self.ignore.contains(&code)
    }

    /// Whether `per-file-ignores` leaves this rule out for `file` (a path as linted; globs are
    /// relative to the directory of this `.pgrepl.toml`).
    pub fn ignores_in(&self, code: &str, file: &Path) -> bool {
        if self.per_file_ignores.is_empty() {
            return false;
        }
        let Some(root) = self.path.as_deref().and_then(Path::parent) else {
            return false;
        };
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let Ok(relative) = abs.strip_prefix(root) else {
            return false;
        };
        self.per_file_ignores
            .iter()
            .any(|i| i.codes.contains(&code) && i.matcher.is_match(relative))
    }
}

/// Finds and loads the `.pgrepl.toml` that governs each path, caching per directory.
#[derive(Debug, Default)]
pub struct Configs {
    by_dir: BTreeMap<PathBuf, Option<PathBuf>>,
    loaded: BTreeMap<PathBuf, LintConfig>,
    defaults: LintConfig,
}

impl Configs {
    /// The configuration for a linted file or directory: the nearest `.pgrepl.toml` in it or
    /// above it.
    pub fn for_path(&mut self, path: &Path) -> Result<&LintConfig, String> {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let start = if abs.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        self.nearest_config(&start)
    }

    /// The configuration for a file a finding is in (no need to ask the file system whether
    /// it is a directory: there is one per finding).
    pub fn for_file(&mut self, file: &Path) -> Result<&LintConfig, String> {
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        self.nearest_config(&dir)
    }

    fn nearest_config(&mut self, start: &Path) -> Result<&LintConfig, String> {
        let found = self.nearest(start);
        match found {
            None => Ok(&self.defaults),
            Some(file) => {
                if !self.loaded.contains_key(&file) {
                    let text = std::fs::read_to_string(&file)
                        .map_err(|e| format!("{}: {e}", file.display()))?;
                    let config = LintConfig::parse(&file, &text)?;
                    self.loaded.insert(file.clone(), config);
                }
                Ok(&self.loaded[&file])
            }
        }
    }

    fn nearest(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.by_dir.get(dir) {
            return found.clone();
        }
        let here = dir.join(FILE_NAME);
        let found = if here.is_file() {
            Some(here)
        } else {
            dir.parent().and_then(|p| self.nearest(p))
        };
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_resolve_and_mistakes_are_all_reported() {
        let ok = LintConfig::parse(
            Path::new(".pgrepl.toml"),
            "pg-version = 15\nignore = [\"replication-source-wide\"]\n[severity]\nPGR021 = \"error\"\n",
        )
        .unwrap();
        assert_eq!(ok.pg_version, Some(15));
        assert_eq!(ok.ignore, ["PGR012"]);
        assert_eq!(ok.severity.get("PGR021"), Some(&Severity::Error));
        assert!(!ok.wants("PGR012") && ok.wants("PGR001"));

        let err = LintConfig::parse(
            Path::new("x/.pgrepl.toml"),
            "pg-version = 9\nselect = [\"PGR999\"]\n[severity]\nPGR001 = \"fatal\"\n",
        )
        .unwrap_err();
        for part in ["PGR999", "fatal", "pg-version: 9"] {
            assert!(err.contains(part), "{err}");
        }
        let unknown = LintConfig::parse(Path::new(".pgrepl.toml"), "selct = []\n").unwrap_err();
        assert!(unknown.contains("selct"), "{unknown}");
    }

    #[test]
    fn per_file_ignores_match_globs_below_the_file() {
        let c = LintConfig::parse(
            Path::new("/repo/.pgrepl.toml"),
            "[per-file-ignores]\n\"legacy/**\" = [\"PGR006\"]\n\"pg_hba.conf\" = [\"replication-source-wide\"]\n\"./hosts/*/postgresql.conf\" = [\"PGR009\"]\n",
        )
        .unwrap();
        let ignores = |code, file| c.ignores_in(code, Path::new(file));
        assert!(ignores("PGR006", "/repo/legacy/a/postgresql.conf"));
        assert!(!ignores("PGR006", "/repo/new/postgresql.conf"));
        assert!(!ignores("PGR003", "/repo/legacy/postgresql.conf"));
        assert!(ignores("PGR012", "/repo/x/y/pg_hba.conf"));
        assert!(ignores("PGR012", "/repo/pg_hba.conf"));
        assert!(!ignores("PGR012", "/elsewhere/pg_hba.conf"));
        assert!(ignores("PGR009", "/repo/hosts/pg-a/postgresql.conf"));
        assert!(!ignores(
            "PGR009",
            "/repo/hosts/pg-a/deeper/postgresql.conf"
        ));
        let bad = LintConfig::parse(
            Path::new(".pgrepl.toml"),
            "[per-file-ignores]\n\"a[\" = [\"PGR006\"]\n\"b\" = [\"PGR999\"]\n",
        )
        .unwrap_err();
        assert!(bad.contains("\"a[\"") && bad.contains("PGR999"), "{bad}");
    }
}
