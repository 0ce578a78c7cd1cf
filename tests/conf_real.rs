//! The postgresql.conf reader against the real servers: every real-world postgresql.conf of
//! the shared corpus, and the tricky files in tests/conf, are loaded into a running server
//! of each major, and `pgrepl settings` must give the same rows as its pg_file_settings
//! view: line, name and setting of every occurrence, and which lines are errors.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pgrepl::catalog::history;
use pgrepl::pgconf::file_settings::{FileSettings, Reading, UNRECOGNIZED};
use support::real::*;

/// A pg_hba_file_rules row: line_number, type, database, user_name, address, netmask,
/// auth_method, options, error.
type HbaRow = (
    usize,
    Option<String>,
    Option<Vec<String>>,
    Option<Vec<String>>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<String>>,
    Option<String>,
);

/// (line, name, setting, is a file error, is an unrecognized name, applied). `applied` is
/// None where it depends on the running server, not on the file (see [`Server::rows`]).
type ViewRow = (
    Option<usize>,
    Option<String>,
    Option<String>,
    bool,
    bool,
    Option<bool>,
);

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
    /// A server for test `slot` (0-3): tests of one major run side by side, each with its
    /// own directory and port.
    fn start(major: u32, slot: u16) -> Option<Server> {
        Server::start_with(major, false, slot)
    }

    /// With `ssl`, the server runs `ssl = on` with a throw-away self-signed certificate.
    fn start_with(major: u32, ssl: bool, slot: u16) -> Option<Server> {
        let bin = bin_dir(major)?;
        if is_root() {
            ensure_test_user();
        }
        let dir =
            std::env::temp_dir().join(format!("pgrepl-conf-{major}-{slot}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            run(Command::new("chown").arg(TEST_USER).arg(&dir), "chown");
        }
        let server = Server {
            dir,
            bin,
            // Below the lab's ports (10000-29999) and the ephemeral ones (32768-60999).
            port: 9000 + slot * 100 + major as u16,
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
        if ssl {
            // server.crt and server.key in the data directory: the server's defaults.
            support::certs::make_certs(&server.data());
            text.push_str("ssl = on\n");
        }
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

    /// Writes `text` as the server's pg_hba.conf and reads pg_hba_file_rules (the view reads
    /// the file at every query; the running server's own rules stay as loaded).
    fn hba_rows(&self, text: &[u8]) -> Vec<HbaRow> {
        let hba = self.data().join("pg_hba.conf");
        std::fs::write(&hba, text).unwrap();
        if is_root() {
            run(Command::new("chown").arg(TEST_USER).arg(&hba), "chown hba");
        }
        let arr = |c: &str| format!("coalesce(array_to_string({c}, E'\\x1d', E'\\\\N'), E'\\\\N')");
        let txt = |c: &str| format!("coalesce({c}::text, E'\\\\N')");
        let query = format!(
            "SELECT line_number, {}, {}, {}, {}, {}, {}, {}, {} FROM pg_hba_file_rules",
            txt("type"),
            arr("database"),
            arr("user_name"),
            txt("address"),
            txt("netmask"),
            txt("auth_method"),
            arr("options"),
            txt("error")
        );
        self.query(&query)
            .iter()
            .map(|row| {
                let f: Vec<&str> = row.iter().map(String::as_str).collect();
                let opt = |s: &str| (s != "\\N").then(|| s.to_owned());
                let list = |s: &str| {
                    (s != "\\N").then(|| {
                        if s.is_empty() {
                            vec![]
                        } else {
                            s.split('\x1d').map(str::to_owned).collect()
                        }
                    })
                };
                (
                    f[0].parse().unwrap(),
                    opt(f[1]),
                    list(f[2]),
                    list(f[3]),
                    opt(f[4]),
                    opt(f[5]),
                    opt(f[6]),
                    list(f[7]),
                    opt(f[8]),
                )
            })
            .collect()
    }

    /// Runs a query as the superuser; each row's fields (separated by 0x1f, rows by 0x1e, so
    /// that no value can be mistaken for a separator).
    fn query(&self, query: &str) -> Vec<Vec<String>> {
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
            query,
        ]);
        let out = run(c, query);
        String::from_utf8_lossy(&out.stdout)
            .trim_end_matches('\n')
            .split('\x1e')
            .filter(|r| !r.is_empty())
            .map(|r| r.split('\x1f').map(str::to_owned).collect())
            .collect()
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The view's rows for probe.conf. The error of a named row is the file's when the name
    /// is unrecognized (then nothing applies anywhere); "setting could not be applied" (a
    /// restart-only setting that differs from the running server, a value it refuses) is the
    /// server's state, not the file's: those rows' `applied` is not compared, and value
    /// checks are lint's business.
    fn rows(&self, probe: &Path) -> Vec<ViewRow> {
        let query = format!(
            "SELECT coalesce(sourceline::text, ''), coalesce(name, E'\\\\N'), coalesce(setting, E'\\\\N'), \
             error IS NOT NULL AND name IS NULL, error IS NOT DISTINCT FROM '{UNRECOGNIZED}', \
             CASE WHEN error IS NOT DISTINCT FROM 'setting could not be applied' THEN '' ELSE applied::text END \
             FROM pg_file_settings WHERE sourcefile = '{}' ORDER BY seqno",
            probe.display()
        );
        self.query(&query)
            .iter()
            .map(|row| {
                let f: Vec<&str> = row.iter().map(String::as_str).collect();
                let opt = |s: &str| (s != "\\N").then(|| s.to_owned());
                let applied = match f[5] {
                    "" => None,
                    a => Some(a == "true"),
                };
                (
                    f[0].parse().ok(),
                    opt(f[1]),
                    opt(f[2]),
                    f[3] == "t",
                    f[4] == "t",
                    applied,
                )
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
    let Some(server) = Server::start(major, 0) else {
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
        let mut settings = FileSettings::read(&probe, None);
        settings.mark_unrecognized(|name| history::recognized(major, name));
        let ours: Vec<_> = settings
            .rows
            .into_iter()
            .filter(|r| r.sourcefile.as_deref() == Some(probe.to_str().unwrap()))
            .zip(
                theirs
                    .iter()
                    .map(|t| t.5.is_some())
                    .chain(std::iter::repeat(true)),
            )
            .map(|(r, comparable)| {
                let unrecognized = r.error.as_deref() == Some(UNRECOGNIZED);
                let file_error = r.error.is_some() && r.name.is_none();
                let applied = comparable.then_some(r.applied);
                (
                    r.sourceline,
                    r.name.as_deref().map(str::to_owned),
                    r.setting.as_deref().map(str::to_owned),
                    file_error,
                    unrecognized,
                    applied,
                )
            })
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

/// The server's build and SSL state, probed from its own view: a record for each method that
/// a build may lack tells whether it is supported.
fn probe_features(server: &Server, major: u32) -> pgrepl::pgconf::hba::Features {
    let probe = "host all all 10.0.0.0/8 gss\nhost all all 10.0.0.0/8 ldap ldapserver=x ldapbasedn=y\nhost all all 10.0.0.0/8 pam\nhost all all 10.0.0.0/8 radius radiusservers=x radiussecrets=y\nhostssl all all 10.0.0.0/8 md5\n";
    let rows = server.hba_rows(probe.as_bytes());
    let ok = |i: usize| {
        !rows[i]
            .8
            .as_deref()
            .is_some_and(|e| e.contains("not supported by this build"))
    };
    pgrepl::pgconf::hba::Features {
        major,
        ssl: rows[4].8.is_none(),
        gssapi: ok(0),
        ldap: ok(1),
        pam: ok(2),
        radius: ok(3),
    }
}

/// The corpus pg_hba.conf files and tests/hba/*.conf through pg_hba_file_rules: every column
/// of every row agrees, errors included.
fn hba_rules_match_the_server(major: u32) {
    for ssl in [false, true] {
        hba_rules_match(major, ssl);
    }
}

fn hba_rules_match(major: u32, ssl: bool) {
    let Some(server) = Server::start_with(major, ssl, if ssl { 2 } else { 1 }) else {
        return;
    };
    let features = probe_features(&server, major);
    assert_eq!(features.ssl, ssl, "the probe sees the server's ssl setting");
    let mut inputs: Vec<PathBuf> = Vec::new();
    let corpus_dir = support::root().join("../shared/corpus/real-configs");
    if let Ok(manifest) = std::fs::read_to_string(corpus_dir.join("MANIFEST.tsv")) {
        inputs.extend(manifest.lines().skip(1).filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.get(4) == Some(&"pg_hba.conf")).then(|| corpus_dir.join(f[0]))
        }));
    }
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(support::root().join("tests/hba"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    fixtures.sort();
    inputs.extend(fixtures);
    // @file lists are read next to pg_hba.conf.
    std::fs::copy(
        support::root().join("tests/hba/users.list"),
        server.data().join("users.list"),
    )
    .unwrap();
    if is_root() {
        run(
            Command::new("chown")
                .arg(TEST_USER)
                .arg(server.data().join("users.list")),
            "chown",
        );
    }
    let (mut rows, mut differences) = (0, Vec::new());
    for input in &inputs {
        let text = std::fs::read(input).unwrap();
        let theirs = server.hba_rows(&text);
        let ours: Vec<HbaRow> =
            pgrepl::pgconf::hba::rows(&text, &server.data().join("pg_hba.conf"), features)
                .iter()
                .map(|r| {
                    let r = r.view();
                    (
                        r.line_number,
                        r.conn_type,
                        r.database,
                        r.user_name,
                        r.address,
                        r.netmask,
                        r.auth_method,
                        r.options,
                        r.error,
                    )
                })
                .collect();
        // Error texts are compared by presence. A server quirk: on 14+ a line failing on an
        // invalid clientcert comes back with every column NULL and no error text (the parser
        // fails the line without recording why); pgrepl names the reason, so such a row
        // counts as a failed row.
        let normalize = |rows: &[HbaRow]| -> Vec<HbaRow> {
            rows.iter()
                .map(|r| {
                    let mut r = r.clone();
                    let failed_silently = r.1.is_none() && r.8.is_none();
                    r.8 = (r.8.is_some() || failed_silently).then(|| "error".to_owned());
                    r
                })
                .collect()
        };
        if normalize(&ours) != normalize(&theirs) {
            let pairs: Vec<String> = ours
                .iter()
                .zip(theirs.iter())
                .filter(|(a, b)| normalize(&[(*a).clone()]) != normalize(&[(*b).clone()]))
                .take(5)
                .map(|(a, b)| format!("    pgrepl {a:?}\n    server {b:?}"))
                .collect();
            differences.push(format!(
                "{} ({} vs {} rows):\n{}",
                input.display(),
                ours.len(),
                theirs.len(),
                pairs.join("\n")
            ));
        }
        rows += theirs.len();
    }
    eprintln!(
        "PG{major}: {} pg_hba files, {rows} pg_hba_file_rules rows compared ({features:?})",
        inputs.len()
    );
    assert!(
        differences.is_empty(),
        "PG{major}: {} files differ:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// `gen --base` on the major's own postgresql.conf.sample: the patched file, read by the real
/// server, yields every setting the guide's topology asks for.
fn patched_sample_takes_effect(major: u32) {
    let Some(server) = Server::start(major, 3) else {
        return;
    };
    let sample = server
        .bin
        .join("../server/share/postgresql/postgresql.conf.sample");
    let base = server.dir.join("base");
    std::fs::create_dir_all(base.join("vm1")).unwrap();
    std::fs::copy(&sample, base.join("vm1/postgresql.conf")).unwrap();
    let guide = std::fs::read_to_string(support::root().join("examples/guide.toml")).unwrap();
    let loaded =
        pgrepl::topology::load(&guide.replace("pg_version = 16", &format!("pg_version = {major}")));
    let topo = loaded.topology.unwrap();
    let env = pgrepl::render::templates::environment(None).unwrap();
    let plan = pgrepl::render::plan(&topo, &env).unwrap();
    let patched = pgrepl::render::base::patch_base(&topo, &plan, &base).unwrap();
    let conf = server.dir.join("patched.conf");
    std::fs::write(&conf, &patched[0].artifact.contents).unwrap();
    if is_root() {
        run(
            Command::new("chown")
                .arg("-R")
                .arg(TEST_USER)
                .arg(&server.dir),
            "chown",
        );
    }
    let expected = [
        ("listen_addresses", "*"),
        ("wal_level", "replica"),
        ("max_wal_senders", "5"),
        ("hot_standby", "on"),
        ("wal_log_hints", "on"),
    ];
    let keep = if major >= 13 {
        ("wal_keep_size", "64")
    } else {
        ("wal_keep_segments", "4")
    };
    for (name, want) in expected.iter().chain([&keep]) {
        let mut c = as_pg(server.bin.join("postgres").to_str().unwrap());
        c.arg("-D")
            .arg(server.data())
            .arg("-c")
            .arg(format!("config_file={}", conf.display()))
            .args(["-C", name])
            .current_dir("/");
        let got = String::from_utf8_lossy(&run(c, name).stdout)
            .trim()
            .to_owned();
        assert_eq!(&got, want, "PG{major}: {name} in the patched sample");
    }
    // Only the guide's lines changed: each setting's commented-out line is replaced (one
    // line out, one in), none goes to an appended block.
    let before = std::fs::read_to_string(&sample).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &patched[0].artifact.contents);
    let changed = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    let settings = pgrepl::render::settings::settings_for(&topo, &topo.nodes[0]).len();
    assert!(
        changed <= 2 * settings,
        "PG{major}: {changed} changed lines for {settings} settings"
    );
    assert!(
        !patched[0].artifact.contents.contains("# BEGIN pgrepl"),
        "PG{major}: a setting of the sample went to the pgrepl block"
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
    assert!(
        files.len() > 90,
        "only {} files: the corpus of real configurations is read from {} (the shared \
         directory beside the checkout)",
        files.len(),
        corpus_dir.display()
    );
}

/// PostgreSQL's own files are not lint errors: a data directory fresh from initdb, and the
/// major's postgresql.conf.sample taken as a postgresql.conf.
fn stock_files_lint_clean(major: u32) {
    let Some(bin) = bin_dir(major) else { return };
    if is_root() {
        ensure_test_user();
    }
    let dir = std::env::temp_dir().join(format!("pgrepl-stock-{major}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if is_root() {
        run(Command::new("chown").arg(TEST_USER).arg(&dir), "chown");
    }
    let data = dir.join("data");
    let mut c = as_pg(bin.join("initdb").to_str().unwrap());
    c.arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "-N"])
        .current_dir("/");
    run(c, "initdb");
    let sample_dir = dir.join("sample");
    std::fs::create_dir_all(&sample_dir).unwrap();
    std::fs::copy(
        bin.join("../server/share/postgresql/postgresql.conf.sample"),
        sample_dir.join("postgresql.conf"),
    )
    .unwrap();
    std::fs::write(sample_dir.join("PG_VERSION"), format!("{major}\n")).unwrap();
    for cluster in [&data, &sample_dir] {
        let clusters =
            pgrepl::lint::discover::discover(std::slice::from_ref(cluster), None).unwrap();
        assert_eq!(clusters.len(), 1);
        assert_eq!(
            (clusters[0].major, clusters[0].major_source),
            (major, "PG_VERSION")
        );
        let findings = pgrepl::lint::check(&pgrepl::lint::Fleet::new(&clusters, None));
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.diagnostic.is_error())
            .map(|f| {
                format!(
                    "{} {}: {}",
                    f.diagnostic.code,
                    f.file.display(),
                    f.diagnostic.message
                )
            })
            .collect();
        assert!(
            errors.is_empty(),
            "PG{major} {}: {errors:#?}",
            cluster.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// At start-up the server reads past syntax errors, reporting each (100 per file at most)
/// and the files included after them; pgrepl's start-up reading (lint's) finds the same
/// errors at the same lines. `postgres -C` reads the files as a starting server does.
fn startup_reports_every_syntax_error(major: u32) {
    let Some(server) = Server::start(major, 4) else {
        return;
    };
    let data = server.data();
    let main = data.join("startup.conf");
    let included = data.join("startup-included.conf");
    let many = data.join("startup-many.conf");
    std::fs::write(
        &main,
        "work_mem = 1MB\nlisten_addresses = *\nport = 5432\nbad line here\nmax_connections = 10\n\
         include 'startup-included.conf'\ninclude 'startup-many.conf'\nshared_buffers = = 1\n",
    )
    .unwrap();
    std::fs::write(&included, "a = 1\nb c d\n").unwrap();
    let lines: String = (1..=120).map(|i| format!("x{i} = = {i}\n")).collect();
    std::fs::write(&many, lines).unwrap();
    for f in [&main, &included, &many] {
        if is_root() {
            run(Command::new("chown").arg(TEST_USER).arg(f), "chown");
        }
    }
    let mut c = as_pg(server.bin.join("postgres").to_str().unwrap());
    c.arg("-D")
        .arg(&data)
        .arg("-c")
        .arg(format!("config_file={}", main.display()))
        .args(["-C", "work_mem"])
        .current_dir("/");
    let o = c.output().unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "PG{major}: the server accepted:\n{log}"
    );
    let theirs: Vec<(String, usize)> = log
        .lines()
        .filter_map(|l| {
            let rest = l.split("syntax error in file \"").nth(1)?;
            let (file, rest) = rest.split_once("\" line ")?;
            let line = rest
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()?;
            Some((file.to_owned(), line))
        })
        .collect();
    let settings = FileSettings::read_as(Reading::Startup, &main, None);
    let ours: Vec<(String, usize)> = settings
        .rows
        .iter()
        .filter(|r| r.error.as_deref() == Some("syntax error"))
        .map(|r| {
            (
                r.sourcefile.as_deref().unwrap().to_owned(),
                r.sourceline.unwrap(),
            )
        })
        .collect();
    assert_eq!(ours, theirs, "PG{major}: syntax errors differ:\n{log}");
    assert_eq!(theirs.len(), 4 + 100, "PG{major}: {log}");
    assert!(
        log.contains("too many syntax errors found, abandoning file")
            && settings
                .rows
                .iter()
                .any(|r| r.error.as_deref().is_some_and(
                    |e| e.starts_with("too many syntax errors found, abandoning file")
                )),
        "PG{major}: {log}"
    );
}

per_major!(
    startup_reports_every_syntax_error,
    stock_files_lint_clean,
    hba_rules_match_the_server,
    patched_sample_takes_effect,
    round_trip_is_exact,
    rows_match_the_server
);
