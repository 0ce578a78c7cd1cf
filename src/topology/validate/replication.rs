//! The replication role, its password source and the TLS files.

use super::{Ctx, key};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::doc::Seg;
use crate::topology::model::{AuthMethod, PasswordSource, Rewind, Topology};
use crate::topology::names::is_simple_identifier;
use crate::topology::valid::ValidReplication;

pub(super) fn check(cx: &mut Ctx<'_, '_>, topo: &Topology) -> ValidReplication {
    let r = &topo.replication;
    let user_path = [key("replication"), key("user")];
    if role_name_ok(cx, &r.user, "replication", &user_path) && r.user == "postgres" {
        cx.push(
            Diagnostic::warning(
                codes::SUPERUSER_REPLICATION,
                "the replication role is the superuser `postgres`",
            )
            .label(
                cx.span(&user_path),
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
    let default_rewind = Rewind::default();
    check_password(
        cx,
        &r.password,
        "replication",
        &[key("replication"), key("password")],
        &PasswordSource::default(),
    );
    let rw = &r.rewind;
    let rewind_user = [key("replication"), key("rewind"), key("user")];
    if role_name_ok(cx, &rw.user, "rewind", &rewind_user)
        && (rw.user == r.user || rw.user == "postgres")
    {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!("the rewind role \"{}\" must be a role of its own", rw.user),
            )
            .label(cx.span(&rewind_user), "already the replication role or the superuser")
            .help(format!("keep the default `{}`, or name another role: it gets only LOGIN and EXECUTE on the functions pg_rewind calls", default_rewind.user)),
        );
    }
    check_password(
        cx,
        &rw.password,
        "rewind",
        &[key("replication"), key("rewind"), key("password")],
        &default_rewind.password,
    );
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

/// A role's name must need no quoting in SQL and pg_hba.conf; reports it when it does.
fn role_name_ok(cx: &mut Ctx<'_, '_>, name: &str, role: &str, at: &[Seg<'_>]) -> bool {
    let ok = is_simple_identifier(name);
    if !ok {
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!("{role} role name \"{name}\" is not a simple identifier"),
            )
            .label(cx.span(at), "needs quoting in SQL and pg_hba.conf")
            .help(
                "use lowercase letters, digits and `_`, starting with a letter or `_` (at most 63)",
            ),
        );
    }
    ok
}

/// A role's password source (at `at`); the help names the default's variable.
fn check_password(
    cx: &mut Ctx<'_, '_>,
    pw: &PasswordSource,
    role: &str,
    at: &[Seg<'_>],
    default: &PasswordSource,
) {
    let example = match default {
        PasswordSource::Env(v) => v.as_str(),
        _ => "PGREPL_PASSWORD",
    };
    let mut at = at.to_vec();
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
