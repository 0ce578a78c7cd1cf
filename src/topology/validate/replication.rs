//! The replication role, its password source and the TLS files.

use super::{Ctx, key};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::doc::Seg;
use crate::topology::model::{AuthMethod, PasswordSource, Topology};
use crate::topology::names::is_simple_identifier;
use crate::topology::valid::ValidReplication;

pub(super) fn check(cx: &mut Ctx<'_, '_>, topo: &Topology) -> ValidReplication {
    let r = &topo.replication;
    if !is_simple_identifier(&r.user) {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!(
                    "replication role name \"{}\" is not a simple identifier",
                    r.user
                ),
            )
            .label(
                cx.span(&[key("replication"), key("user")]),
                "needs quoting in SQL and pg_hba.conf",
            )
            .help(
                "use lowercase letters, digits and `_`, starting with a letter or `_` (at most 63)",
            ),
        );
    } else if r.user == "postgres" {
        cx.push(
            Diagnostic::warning(
                codes::SUPERUSER_REPLICATION,
                "the replication role is the superuser `postgres`",
            )
            .label(
                cx.span(&[key("replication"), key("user")]),
                "a superuser's password then travels to every standby",
            )
            .help("use a dedicated role such as `replicator`: it needs only REPLICATION LOGIN"),
        );
    }
    if r.auth_method == AuthMethod::Md5 {
        cx.push(
            Diagnostic::warning("topology::md5-auth", "md5 authentication is deprecated")
                .label(cx.span(&[key("replication"), key("auth_method")]), "md5 chosen here")
                .help("use \"scram-sha-256\" (the default): md5 hashes can be replayed and PostgreSQL 18 warns on every md5 login"),
        );
    }
    check_password(
        cx,
        &r.password,
        "replication",
        "PGREPL_REPLICATION_PASSWORD",
    );
    let rw = &r.rewind;
    let rewind_user = [key("replication"), key("rewind"), key("user")];
    if !is_simple_identifier(&rw.user) {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!(
                    "rewind role name \"{}\" is not a simple identifier",
                    rw.user
                ),
            )
            .label(
                cx.span(&rewind_user),
                "needs quoting in SQL and pg_hba.conf",
            )
            .help(
                "use lowercase letters, digits and `_`, starting with a letter or `_` (at most 63)",
            ),
        );
    } else if rw.user == r.user || rw.user == "postgres" {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!("the rewind role \"{}\" must be a role of its own", rw.user),
            )
            .label(cx.span(&rewind_user), "already the replication role or the superuser")
            .help("keep the default `pgrepl_rewind`, or name another role: it gets only LOGIN and EXECUTE on the functions pg_rewind calls"),
        );
    }
    check_password(cx, &rw.password, "rewind", "PGREPL_REWIND_PASSWORD");
    if let Some(tls) = &r.tls {
        for (field, path) in [
            ("ca_file", &tls.ca_file),
            ("cert_file", &tls.cert_file),
            ("key_file", &tls.key_file),
        ] {
            check_path(cx, path, &[key("replication"), key("tls"), key(field)]);
        }
    }
    ValidReplication {
        user: r.user.clone(),
        auth_method: r.auth_method,
        password: r.password.clone(),
        tls: r.tls.clone(),
        rewind: r.rewind.clone(),
    }
}

/// A role's password source: `[replication] password` or `[replication.rewind] password`.
fn check_password(cx: &mut Ctx<'_, '_>, pw: &PasswordSource, role: &str, example: &str) {
    let mut at = vec![key("replication")];
    if role == "rewind" {
        at.push(key("rewind"));
    }
    at.push(key("password"));
    match pw {
        PasswordSource::Literal(_) => cx.push(
            Diagnostic::warning(
                codes::LITERAL_PASSWORD,
                format!("the {role} password is written in the topology file"),
            )
            .label(cx.span(&at), "plaintext password")
            .help(format!("use `password = {{ env = \"{example}\" }}` or `{{ file = \"/root/{role}.password\" }}`; pgrepl copies a literal password only into 0600 files under secrets/")),
        ),
        PasswordSource::Env(var) => {
            let ok = var.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                at.push(key("env"));
                cx.push(
                    Diagnostic::error(codes::INVALID_ENV_VAR, format!("\"{var}\" is not an environment variable name"))
                        .label(cx.span(&at), "not a variable name")
                        .help(format!("use letters, digits and `_`, not starting with a digit, e.g. {example}")),
                );
            }
        }
        PasswordSource::File(path) => {
            at.push(key("file"));
            check_path(cx, path, &at);
        }
    }
}

fn check_path(cx: &mut Ctx<'_, '_>, path: &str, at: &[Seg<'_>]) -> bool {
    let ok = path.starts_with('/') && !path.chars().any(|c| c.is_control());
    if !ok {
        cx.push(
            Diagnostic::error(
                codes::INVALID_PATH,
                format!("\"{}\" is not an absolute path", path.escape_debug()),
            )
            .label(
                cx.span(at),
                "must start with `/` and hold no control characters",
            )
            .help("runbooks run from any directory, so every server path must be absolute"),
        );
    }
    ok
}
