//! Test certificates, made with openssl for each run (nothing secret is committed).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::real::{give_to_test_user, run};

/// A CA and one server certificate for 127.0.0.1 (CN and subjectAltName: libpq before 14
/// matches the name, from 14 the IP address), owned by the server's OS user, key 0600.
pub fn make_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    fs::create_dir_all(dir).unwrap();
    let (ca_key, ca, key, csr, crt) = (
        dir.join("ca.key"),
        dir.join("ca.crt"),
        dir.join("server.key"),
        dir.join("server.csr"),
        dir.join("server.crt"),
    );
    let ext = dir.join("san.ext");
    fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
    let openssl = |args: &[&str], what: &str| {
        run(Command::new("openssl").args(args).current_dir(dir), what);
    };
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=pgrepl test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
        "CA",
    );
    openssl(
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
        "server key",
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ],
        "server certificate",
    );
    let _ = (ca_key, csr);
    fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    give_to_test_user(dir);
    (ca, crt, key)
}
