//! The postgresql.conf reader against the real servers: every real-world postgresql.conf of
//! the shared corpus, and the tricky files in tests/conf, are loaded into a running server
//! of each major, and `pgrepl settings` must give the same rows as its pg_file_settings
//! view: line, name and setting of every occurrence, and which lines are errors.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pgrepl::pgconf::file_settings::FileSettings;
use support::real::*;

/// (line, name, setting, is a file error)
type ViewRow = (Option<usize>, Option<String>, Option<String>, bool);

/// A running server whose postgresql.conf ends with `include_if_exists 'probe.conf'`; the
/// view re-reads the files at every query, so each probe needs no reload.
struct Server {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let mut c = as_pg(self.bin.join("pg_ctl").to_str().unwrap());
        c.arg("stop")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate"])
            .current_dir("/");
        let _ = c.output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Server {
    fn start(major: u32) -> Option<Server> {
        let bin = bin_dir(major)?;
        if is_root() {
            ensure_test_user();
        }
        let dir = std::env::temp_dir().join(format!("pgrepl-conf-{major}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            run(Command::new("chown").arg(TEST_USER).arg(&dir), "chown");
        }
        let server = Server {
            dir,
            bin,
            port: 43000 + major as u16,
        };
        let mut c = as_pg(server.bin.join("initdb").to_str().unwrap());
        c.arg("-D")
            .arg(server.data())
            .args(["-U", "postgres", "-A", "trust", "-N"])
            .current_dir("/");
        run(c, "initdb");
        let conf = server.data().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).unwrap();
        text.push_str(&format!(
            "\nport = {}\nlisten_addresses = ''\nunix_socket_directories = '{}'\ninclude_if_exists = 'probe.conf'\n",
            server.port,
            server.dir.display()
        ));
        std::fs::write(&conf, text).unwrap();
        let mut c = as_pg(server.bin.join("pg_ctl").to_str().unwrap());
        c.arg("start")
            .arg("-D")
            .arg(server.data())
            .arg("-l")
            .arg(server.dir.join("log"))
            .args(["-w"])
            .current_dir("/");
        run(c, "pg_ctl start");
        Some(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The view's rows for probe.conf: (line, name, setting, is a file error). Errors on
    /// named rows (a restart-only setting that differs from the running server, a value it
    /// refuses) depend on the server's state, not on the file: they are lint's business.
    /// File errors (syntax, includes) are the rows without a name.
    fn rows(&self, probe: &Path) -> Vec<ViewRow> {
        let query = format!(
            "SELECT coalesce(sourceline::text, ''), coalesce(name, E'\\\\N'), coalesce(setting, E'\\\\N'), error IS NOT NULL AND name IS NULL \
             FROM pg_file_settings WHERE sourcefile = '{}' ORDER BY seqno",
            probe.display()
        );
        let mut c = as_pg(self.bin.join("psql").to_str().unwrap());
        c.args(["-X", "-At", "-F", "\x1f", "-R", "\x1e", "-h"])
            .arg(&self.dir);
        c.args([
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            &query,
        ]);
        let out = run(c, "pg_file_settings");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.trim_end_matches('\n')
            .split('\x1e')
            .filter(|r| !r.is_empty())
            .map(|r| {
                let f: Vec<&str> = r.split('\x1f').collect();
                let opt = |s: &str| (s != "\\N").then(|| s.to_owned());
                (f[0].parse().ok(), opt(f[1]), opt(f[2]), f[3] == "t")
            })
            .collect()
    }
}

/// Real-world postgresql.conf files from the shared corpus (read in place).
fn corpus() -> Vec<PathBuf> {
    let dir = support::root().join("../shared/corpus/real-configs");
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus is missing in CI"
        );
        eprintln!("skipping the corpus: ../shared/corpus/real-configs is not there");
        return Vec::new();
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.get(4) == Some(&"postgresql.conf")).then(|| dir.join(f[0]))
        })
        .collect()
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(support::root().join("tests/conf"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn rows_match_the_server(major: u32) {
    let Some(server) = Server::start(major) else {
        return;
    };
    let probe = server.data().join("probe.conf");
    let (mut files, mut rows) = (0, 0);
    let mut differences = Vec::new();
    let mut inputs = corpus();
    assert!(
        inputs.len() >= 40 || inputs.is_empty(),
        "corpus has {} postgresql.conf files",
        inputs.len()
    );
    inputs.extend(fixtures());
    for input in &inputs {
        std::fs::copy(input, &probe).unwrap();
        if is_root() {
            run(
                Command::new("chown").arg(TEST_USER).arg(&probe),
                "chown probe",
            );
        }
        let theirs = server.rows(&probe);
        let ours: Vec<_> = FileSettings::read(&probe, None)
            .rows
            .into_iter()
            .filter(|r| r.sourcefile.as_deref() == Some(probe.to_str().unwrap()))
            .map(|r| (r.sourceline, r.name, r.setting, r.error.is_some()))
            .collect();
        if ours != theirs {
            differences.push(format!(
                "{}:\n  pgrepl: {ours:?}\n  server: {theirs:?}",
                input.display()
            ));
        }
        files += 1;
        rows += theirs.len();
    }
    let _ = std::fs::remove_file(&probe);
    eprintln!("PG{major}: {files} files, {rows} pg_file_settings rows compared");
    assert!(
        differences.is_empty(),
        "PG{major}: {} files differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// Parse, then print: the same bytes, for every corpus file (of any kind: the parser must
/// not lose what it does not understand) and for the major's own postgresql.conf.sample.
fn round_trip_is_exact(major: u32) {
    let mut files: Vec<PathBuf> = Vec::new();
    let corpus_dir = support::root().join("../shared/corpus/real-configs");
    if let Ok(entries) = std::fs::read_dir(&corpus_dir) {
        files.extend(entries.map(|e| e.unwrap().path()));
    }
    files.extend(fixtures());
    if let Some(bin) = bin_dir(major) {
        let sample = bin.join("../server/share/postgresql/postgresql.conf.sample");
        assert!(sample.exists(), "{}", sample.display());
        files.push(sample);
    }
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let parsed = pgrepl::pgconf::conf::ConfFile::parse(bytes.clone());
        assert_eq!(parsed.print(), &bytes[..], "{}", f.display());
        assert_eq!(
            parsed.lines.len(),
            bytes.split(|&b| b == b'\n').count() - usize::from(bytes.ends_with(b"\n"))
        );
    }
    assert!(files.len() > 90, "only {} files", files.len());
}

macro_rules! per_major {
    ($scenario:ident: $($name:ident = $major:literal),* $(,)?) => {
        mod $scenario {
            $(
                #[test]
                fn $name() {
                    if super::majors().contains(&$major) {
                        super::$scenario($major);
                    }
                }
            )*
        }
    };
}

per_major!(round_trip_is_exact: pg10 = 10, pg11 = 11, pg12 = 12, pg13 = 13, pg14 = 14, pg15 = 15, pg16 = 16, pg17 = 17, pg18 = 18);
per_major!(rows_match_the_server: pg10 = 10, pg11 = 11, pg12 = 12, pg13 = 13, pg14 = 14, pg15 = 15, pg16 = 16, pg17 = 17, pg18 = 18);
