//! `cargo bench`: the hot paths of pgrepl, with criterion. Inputs are PostgreSQL's own
//! sample files and the real-world corpus in ../shared (read in place), so the numbers are
//! for realistic text. The fleet-scale comparison with a real `postgres -C` is
//! bench/fleet.sh.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pgrepl::lint;
use pgrepl::pgconf::conf::ConfFile;
use pgrepl::pgconf::hba::{self, Connection, Features};

fn shared() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("pg-samples/16").is_dir(),
        "the benchmarks read ../shared/pg-samples and ../shared/corpus"
    );
    dir
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// PostgreSQL 16's sample followed by every real-world postgresql.conf of the corpus: about
/// 0.9 MB of the text people actually write.
fn large_conf() -> Vec<u8> {
    let shared = shared();
    let mut text = read(&shared.join("pg-samples/16/postgresql.conf.sample"));
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus/real-configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("postgresql.conf"))
        .collect();
    corpus.sort();
    for p in corpus {
        text.extend(read(&p));
        text.push(b'\n');
    }
    text
}

/// pg_hba.conf as initdb writes it from the 16 sample, with 200 replication records above.
fn hba_text() -> Vec<u8> {
    let sample =
        String::from_utf8(read(&shared().join("pg-samples/16/pg_hba.conf.sample"))).unwrap();
    let stock = sample
        .replace("@remove-line-for-nolocal@", "")
        .replace("@authmethodlocal@", "peer")
        .replace("@authmethodhost@", "scram-sha-256")
        .replace("@authcomment@", "");
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&format!(
            "host replication replicator 10.{}.{}.{}/32 scram-sha-256\n",
            i / 250,
            i % 250,
            1 + i % 7
        ));
    }
    text.push_str(&stock);
    text.into_bytes()
}

fn parsing(c: &mut Criterion) {
    let conf = large_conf();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(conf.len() as u64));
    g.bench_function("postgresql.conf (sample + corpus)", |b| {
        b.iter(|| ConfFile::parse(black_box(conf.clone())))
    });
    let hba = hba_text();
    g.throughput(Throughput::Bytes(hba.len() as u64));
    g.bench_function("pg_hba.conf (stock + 200 records)", |b| {
        b.iter(|| {
            hba::rows(
                black_box(&hba),
                Path::new("/etc/postgresql/16/main/pg_hba.conf"),
                Features::distribution(16),
            )
        })
    });
    g.finish();

    let rules = hba::rows(
        &hba,
        Path::new("/etc/postgresql/16/main/pg_hba.conf"),
        Features::distribution(16),
    );
    let source = "10.0.199.5".parse().unwrap();
    c.bench_function(
        "pg_hba first match (a replication connection, 200th record)",
        |b| {
            b.iter(|| {
                hba::first_match(
                    black_box(&rules),
                    &Connection {
                        source: Some(source),
                        ssl: false,
                        gssenc: false,
                        database: "replication",
                        replication: true,
                        user: "replicator",
                    },
                )
                .map(|r| r.line_number)
            })
        },
    );
}

/// One Debian cluster directory: the 16 sample with Debian's edits, a replication drop-in and
/// pg_hba.conf, in a temporary directory.
fn debian_cluster(dir: &Path) -> PathBuf {
    let shared = shared();
    let cluster = dir.join("etc/postgresql/16/main");
    std::fs::create_dir_all(cluster.join("conf.d")).unwrap();
    let sample =
        String::from_utf8(read(&shared.join("pg-samples/16/postgresql.conf.sample"))).unwrap();
    let conf = sample
        .replace("#port = 5432", "port = 5432")
        .replace("#include_dir = '...'", "include_dir = 'conf.d'")
        + "include_dir = 'conf.d'\n";
    std::fs::write(cluster.join("postgresql.conf"), conf).unwrap();
    std::fs::write(
        cluster.join("conf.d/replication.conf"),
        "listen_addresses = '*'\nwal_level = replica\nmax_wal_senders = 10\nwal_keep_size = '1GB'\n",
    )
    .unwrap();
    std::fs::write(cluster.join("pg_hba.conf"), hba_text()).unwrap();
    cluster
}

fn linting(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = debian_cluster(tmp.path());
    c.bench_function("lint one Debian cluster (read, parse, 36 rules)", |b| {
        b.iter(|| {
            let clusters = lint::discover::discover(std::slice::from_ref(&cluster), None).unwrap();
            lint::check(&lint::Fleet::new(&clusters, None)).len()
        })
    });
    // Cost must grow with the findings, not their square: a file of 10,000 and one of 40,000
    // findings (duplicate settings and unknown names), checked and reported in every format.
    // The time per finding should be the same for both sizes.
    let mut g = c.benchmark_group("lint many findings");
    for lines in [5_000usize, 20_000] {
        let dir = tmp.path().join(format!("findings-{lines}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut text = String::new();
        for i in 0..lines {
            text.push_str(&format!("work_mem = {}kB\nunknown_name_{i} = on\n", 64 + i));
        }
        std::fs::write(dir.join("postgresql.conf"), text).unwrap();
        let clusters = lint::discover::discover(std::slice::from_ref(&dir), Some(16)).unwrap();
        let findings = lint::check(&lint::Fleet::new(&clusters, None));
        assert_eq!(findings.len(), 2 * lines - 1);
        g.throughput(Throughput::Elements(findings.len() as u64));
        g.bench_function(format!("check {} findings", findings.len()), |b| {
            b.iter(|| lint::check(&lint::Fleet::new(&clusters, None)).len())
        });
        g.bench_function(format!("report {} findings, human", findings.len()), |b| {
            b.iter(|| pgrepl::report::human(&findings, pgrepl::diag::Style::PLAIN).len())
        });
        g.bench_function(format!("report {} findings, json", findings.len()), |b| {
            b.iter(|| pgrepl::report::json(&findings).len())
        });
    }
    g.finish();
}

/// A primary and `standbys` standbys, every one with a slot.
fn topology(standbys: usize) -> String {
    let mut t = format!(
        "[cluster]\nname = \"bench\"\npg_version = 17\n\n[replication]\nuser = \"replicator\"\nslots = true\n\n\
         [postgresql]\nmax_wal_senders = {}\nmax_replication_slots = {}\nwal_keep_size = \"1GB\"\n\n\
         [[nodes]]\nname = \"db0\"\nrole = \"primary\"\nhost = \"10.1.0.1\"\n",
        standbys + 10,
        standbys + 10
    );
    for i in 1..=standbys {
        t.push_str(&format!(
            "\n[[nodes]]\nname = \"db{i}\"\nrole = \"standby\"\nhost = \"10.1.{}.{}\"\n",
            i / 250,
            2 + i % 250
        ));
    }
    t
}

fn generating(c: &mut Criterion) {
    let env = pgrepl::render::templates::environment(None).unwrap();
    for nodes in [2, 100] {
        let text = topology(nodes - 1);
        c.bench_function(
            &format!("gen {nodes} nodes (validate and render, in memory)"),
            |b| {
                b.iter(|| {
                    let loaded = pgrepl::topology::load(black_box(&text));
                    let topo = loaded.topology.expect("a valid topology");
                    pgrepl::render::plan(&topo, &env).unwrap().len()
                })
            },
        );
    }
}

criterion_group!(benches, parsing, linting, generating);
criterion_main!(benches);
