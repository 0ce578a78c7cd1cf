//! What a data directory itself shows, without a log line: whether it is set up as a
//! standby ({signal}: standby.signal on 12+, recovery.conf with `standby_mode = on` before),
//! whether something says it should be one (a `primary_conninfo`, or the topology), what
//! pg_control says it has done since, and whether a standby turns clients away
//! (`hot_standby = off`, which 10–13 never explain in their logs).

use std::path::{Path, PathBuf};

use super::{Diagnosis, Failure, catalogue, fill};
use crate::catalog::{self, StandbySetup};
use crate::pgconf::cluster_files::ClusterFiles;
use crate::pgconf::file_settings::{FileSettings, Reading};

/// `DBState` in pg_control: the same seven values, in this order, on every major 10–18.
const STATES: [&str; 7] = [
    "starting up",
    "shut down",
    "shut down in recovery",
    "shutting down",
    "in crash recovery",
    "in archive recovery",
    "in production",
];

/// pg_control's first fields, laid out alike on every major 10–18 (system identifier u64,
/// pg_control version u32, catalog version u32, state i32); the version numbers it may hold.
const CONTROL_VERSIONS: [u32; 6] = [1002, 1100, 1201, 1300, 1700, 1800];

/// The cluster state pg_control records, in pg_controldata's words; `None` when the file
/// is missing, short, or of a layout not known.
pub fn control_state(data_dir: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 20];
    std::fs::File::open(data_dir.join("global/pg_control"))
        .and_then(|mut f| f.read_exact(&mut head))
        .ok()?;
    // Written in the server's byte order: this machine's, for a server that runs on it.
    let word = |at: usize| u32::from_ne_bytes(head[at..at + 4].try_into().expect("4 bytes"));
    if !CONTROL_VERSIONS.contains(&word(8)) {
        return None;
    }
    STATES.get(usize::try_from(word(16)).ok()?).copied()
}

/// A data directory (or the config directory naming it) as the diagnosis sees it.
pub struct DataDir {
    pub data_dir: PathBuf,
    pub major: u32,
    /// The name of the file that makes a standby on this major.
    pub signal: &'static str,
    pub is_standby: bool,
    /// Where a `primary_conninfo` is set, if one is (12+: a server setting).
    pub conninfo_in: Option<String>,
    pub hot_standby: bool,
    /// pg_basebackup's backup_label: a clone never started.
    pub backup_label: bool,
    pub state: Option<&'static str>,
}

/// Reads `dir`: a data directory, or a config directory whose postgresql.conf names one.
pub fn read(dir: &Path) -> Result<DataDir, String> {
    let files = ClusterFiles::in_dir(dir, Reading::View);
    let data_dir = files.data_dir.clone().ok_or_else(|| {
        format!(
            "{} holds no PG_VERSION, and no postgresql.conf naming a data_directory that does",
            dir.display()
        )
    })?;
    let (major, _) = files
        .major()
        .ok_or_else(|| format!("{}: PG_VERSION does not hold a major", data_dir.display()))?;
    let facts = catalog::facts(major).ok_or_else(|| {
        format!(
            "{}: PostgreSQL {major} is not a major pgrepl knows ({}–{})",
            data_dir.display(),
            catalog::OLDEST,
            catalog::NEWEST
        )
    })?;
    // A data directory without postgresql.conf (Debian's) still has its auto.conf.
    let auto = data_dir.join("postgresql.auto.conf");
    let settings = files
        .conf
        .unwrap_or_else(|| FileSettings::read(&auto, None));
    let value = |fs: &FileSettings, name: &str| {
        fs.effective(name)
            .map(|r| (r.setting.clone().unwrap_or_default(), r.sourcefile.clone()))
    };
    let (signal, is_standby, conninfo_in) = match facts.standby_setup {
        StandbySetup::StandbySignal => (
            "standby.signal",
            data_dir.join("standby.signal").exists(),
            value(&settings, "primary_conninfo")
                .filter(|(v, _)| !v.is_empty())
                .map(|(_, file)| file.as_deref().unwrap_or("?").to_owned()),
        ),
        StandbySetup::RecoveryConf => {
            let path = data_dir.join("recovery.conf");
            let recovery = path.is_file().then(|| FileSettings::read(&path, None));
            let on = recovery.as_ref().is_some_and(|r| {
                value(r, "standby_mode")
                    .and_then(|(v, _)| catalog::values::parse_bool(&v))
                    .unwrap_or(false)
            });
            ("recovery.conf", on, None)
        }
    };
    let hot_standby = value(&settings, "hot_standby")
        .and_then(|(v, _)| catalog::values::parse_bool(&v))
        .unwrap_or(true);
    Ok(DataDir {
        backup_label: data_dir.join("backup_label").exists(),
        state: control_state(&data_dir),
        data_dir,
        major,
        signal,
        is_standby,
        conninfo_in,
        hot_standby,
    })
}

/// What is wrong with `d`, into `into`; `meant_standby`: the topology's word, when a node
/// of it has this data directory.
pub fn diagnose(d: &DataDir, meant_standby: Option<bool>, into: &mut Diagnosis) {
    let file = d.data_dir.display().to_string();
    let state = d.state.unwrap_or("unknown (pg_control unreadable)");
    let mut say = |id: &str, evidence: String| {
        let (title, cause, fix) = texts(id);
        let captures = [
            ("signal".to_owned(), d.signal.to_owned()),
            ("data_dir".to_owned(), file.clone()),
        ]
        .into_iter()
        .collect();
        into.failures.push(Failure {
            id: id.to_owned(),
            title: fill(title, &captures),
            file: file.clone(),
            line: 0,
            count: 1,
            last_line: 0,
            text: evidence,
            cause: fill(cause, &captures),
            fix: fill(fix, &captures),
            captures,
            upstream: None,
        });
    };
    let why_standby = match (meant_standby, &d.conninfo_in) {
        (Some(true), _) => Some("the topology has it as a standby".to_owned()),
        (Some(false), _) => None,
        (None, Some(file)) => Some(format!("primary_conninfo is set in {file}")),
        (None, None) => None,
    };
    if let (false, Some(why)) = (d.is_standby, why_standby) {
        // A fresh clone's pg_control is the primary's copy ("in production") until its
        // first start: backup_label says it never started.
        let ran = !d.backup_label
            && matches!(
                d.state,
                Some("shut down" | "shutting down" | "in production")
            );
        let id = if ran {
            "standby-ran-as-primary"
        } else {
            "standby-signal-missing"
        };
        say(
            id,
            format!(
                "PostgreSQL {}: no {}; {why}; pg_control: {state}{}",
                d.major,
                d.signal,
                if d.backup_label {
                    ", backup_label (never started)"
                } else {
                    ""
                }
            ),
        );
    }
    if d.is_standby && !d.hot_standby {
        say(
            "hot-standby-off",
            format!("PostgreSQL {}: {}, hot_standby = off", d.major, d.signal),
        );
    }
}

/// A state's or signature's title, cause and fix, by id.
fn texts(id: &str) -> (&'static str, &'static str, &'static str) {
    let c = catalogue();
    c.state
        .iter()
        .map(|s| (&s.id, &s.title, &s.cause, &s.fix))
        .chain(
            c.signature
                .iter()
                .map(|s| (&s.id, &s.title, &s.cause, &s.fix)),
        )
        .find(|(i, ..)| i.as_str() == id)
        .map(|(_, t, c, f)| (t.as_str(), c.as_str(), f.as_str()))
        .expect("every id the data directory check names is in signatures.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_named_here_has_its_texts() {
        for id in [
            "standby-signal-missing",
            "standby-ran-as-primary",
            "hot-standby-off",
        ] {
            let (title, cause, fix) = texts(id);
            assert!(!title.is_empty() && !cause.is_empty() && !fix.is_empty());
        }
    }
}
