//! Server layouts: where PostgreSQL lives and how it is started, per node.
//!
//! The layout's fields are templates (`/var/tmp/lab/{node}/data`): they are checked once,
//! as written, then substituted for each node.

use super::codes;
use std::collections::BTreeMap;

use super::doc::{Doc, Seg};
use super::model::{Layout, LayoutKind, Node, Topology};
use super::valid::ResolvedLayout;
use crate::diag::Diagnostic;
use crate::pgconf::quote;
use crate::suggest::did_you_mean;

/// Fields holding paths; they may use the path placeholders.
const PATH_FIELDS: [&str; 6] = [
    "config_dir",
    "data_dir",
    "bin_dir",
    "socket_dir",
    "passfile",
    "log",
];
/// Fields holding names.
const NAME_FIELDS: [&str; 2] = ["os_user", "superuser"];
/// Fields holding shell command lines; they may also use the directory placeholders.
const COMMAND_FIELDS: [&str; 4] = ["start", "stop", "restart", "reload"];

const PATH_PLACEHOLDERS: [&str; 4] = ["node", "port", "version", "cluster"];
const COMMAND_PLACEHOLDERS: [&str; 7] = [
    "node",
    "port",
    "version",
    "cluster",
    "bin_dir",
    "data_dir",
    "config_dir",
];

/// The layout's field templates after defaults, checked.
#[derive(Debug, Clone)]
pub struct LayoutTemplate {
    fields: BTreeMap<&'static str, String>,
    kind: LayoutKind,
}

fn given<'a>(l: &'a Layout, field: &str) -> Option<&'a String> {
    match field {
        "config_dir" => l.config_dir.as_ref(),
        "data_dir" => l.data_dir.as_ref(),
        "bin_dir" => l.bin_dir.as_ref(),
        "os_user" => l.os_user.as_ref(),
        "socket_dir" => l.socket_dir.as_ref(),
        "superuser" => l.superuser.as_ref(),
        "passfile" => l.passfile.as_ref(),
        "log" => l.log.as_ref(),
        "start" => l.start.as_ref(),
        "stop" => l.stop.as_ref(),
        "restart" => l.restart.as_ref(),
        "reload" => l.reload.as_ref(),
        _ => None,
    }
}

/// What a layout kind assumes. `None`: the user must say (custom layouts assume little).
fn default(kind: LayoutKind, field: &str, version: u32, debian_cluster: &str) -> Option<String> {
    let (v, c) = (version, debian_cluster);
    let common = match field {
        "os_user" | "superuser" => Some("postgres".to_owned()),
        _ => None,
    };
    let specific = match (kind, field) {
        (LayoutKind::Debian, "config_dir") => format!("/etc/postgresql/{v}/{c}"),
        (LayoutKind::Debian, "data_dir") => format!("/var/lib/postgresql/{v}/{c}"),
        (LayoutKind::Debian, "bin_dir") => format!("/usr/lib/postgresql/{v}/bin"),
        (LayoutKind::Debian, "socket_dir") => "/var/run/postgresql".to_owned(),
        (LayoutKind::Debian, "log") => format!("/var/log/postgresql/postgresql-{v}-{c}.log"),
        (LayoutKind::Debian, "passfile") => {
            "/var/lib/postgresql/.pgrepl-{cluster}.pgpass".to_owned()
        }
        (LayoutKind::Debian, cmd @ ("start" | "stop" | "restart" | "reload")) => {
            format!("systemctl {cmd} postgresql@{v}-{c}")
        }
        (LayoutKind::Rhel, "config_dir" | "data_dir") => format!("/var/lib/pgsql/{v}/data"),
        (LayoutKind::Rhel, "bin_dir") => format!("/usr/pgsql-{v}/bin"),
        (LayoutKind::Rhel, "socket_dir") => "/var/run/postgresql".to_owned(),
        (LayoutKind::Rhel, "passfile") => "/var/lib/pgsql/.pgrepl-{cluster}.pgpass".to_owned(),
        (LayoutKind::Rhel, cmd @ ("start" | "stop" | "restart" | "reload")) => {
            format!("systemctl {cmd} postgresql-{v}")
        }
        (LayoutKind::Custom, "reload") => "{bin_dir}/pg_ctl reload -D {data_dir}".to_owned(),
        _ => return common,
    };
    Some(specific)
}

/// Substitutes `{name}` placeholders. A brace that does not open a placeholder (shell
/// `${VAR}`) is kept. Returns the first unknown placeholder name as the error.
fn substitute(
    template: &str,
    allowed: &[&str],
    value: &dyn Fn(&str) -> String,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            let name = &after[..name_len];
            if !allowed.contains(&name) {
                return Err(name.to_owned());
            }
            out.push_str(&value(name));
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn at(field: &str) -> [Seg<'_>; 2] {
    [Seg::Key("layout"), Seg::Key(field)]
}

/// Checks the layout once for the whole topology, reporting into `diags`.
pub fn check(
    topo: &Topology,
    doc: &Doc<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<LayoutTemplate> {
    let l = &topo.layout;
    let before = diags.len();
    let deb = l
        .debian_cluster
        .clone()
        .unwrap_or_else(|| "main".to_owned());
    if !super::names::is_safe_name(&deb) {
        diags.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!("Debian cluster name \"{deb}\" is not safe in paths"),
            )
            .label(doc.span(&at("debian_cluster")), "unsafe name")
            .help("use lowercase letters, digits, `-` or `_`, e.g. \"main\""),
        );
    }
    let mut fields = BTreeMap::new();
    let mut missing = Vec::new();
    for field in PATH_FIELDS
        .iter()
        .chain(&NAME_FIELDS)
        .chain(&COMMAND_FIELDS)
    {
        let raw = given(l, field).cloned().or_else(|| {
            if l.kind == LayoutKind::Custom && *field == "config_dir" {
                l.data_dir.clone()
            } else {
                default(l.kind, field, topo.cluster.pg_version, &deb)
            }
        });
        let Some(raw) = raw else {
            // Without a restart command, pgrepl stops and starts; without a log file, the
            // steps ask the server for logging_collector's.
            if *field != "restart"
                && *field != "log"
                && !(*field == "config_dir" && l.data_dir.is_none())
            {
                missing.push(*field);
            }
            continue;
        };
        let is_command = COMMAND_FIELDS.contains(field);
        let allowed: &[&str] = if is_command {
            &COMMAND_PLACEHOLDERS
        } else {
            &PATH_PLACEHOLDERS
        };
        if let Err(name) = substitute(&raw, allowed, &|_| String::new()) {
            let list: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
            let help = match did_you_mean(&name, allowed.iter().copied()) {
                Some(s) => format!("did you mean {{{s}}}? Allowed here: {}", list.join(", ")),
                None => format!("allowed here: {}", list.join(", ")),
            };
            diags.push(
                Diagnostic::error(
                    codes::INVALID_PLACEHOLDER,
                    format!("unknown placeholder {{{name}}} in layout.{field}"),
                )
                .label(doc.span(&at(field)), "unknown placeholder")
                .help(help),
            );
            continue;
        }
        // A config_dir taken from data_dir is reported as data_dir.
        let derived =
            *field == "config_dir" && l.config_dir.is_none() && l.kind == LayoutKind::Custom;
        if PATH_FIELDS.contains(field) && !derived {
            let root_data_dir = *field == "data_dir" && raw.trim_end_matches('/').is_empty();
            if !raw.starts_with('/')
                || raw.chars().any(char::is_control)
                || raw.contains("/../")
                || root_data_dir
            {
                diags.push(
                    Diagnostic::error(codes::INVALID_PATH, format!("layout.{field} \"{}\" is not a usable absolute path", raw.escape_debug()))
                        .label(doc.span(&at(field)), "must start with `/`, without `..` or control characters")
                        .help("runbooks run from any directory and delete data directories: every server path must be absolute and plain"),
                );
            }
        } else if derived || PATH_FIELDS.contains(field) {
        } else if NAME_FIELDS.contains(field) {
            if raw.is_empty()
                || !raw
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_NAME,
                        format!(
                            "layout.{field} \"{}\" is not a plain name",
                            raw.escape_debug()
                        ),
                    )
                    .label(doc.span(&at(field)), "unsafe name")
                    .help("use letters, digits, `_` or `-`"),
                );
            }
        } else if raw.contains('\n') || raw.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    codes::INVALID_COMMAND,
                    format!("layout.{field} must be one non-empty line"),
                )
                .label(doc.span(&at(field)), "empty or several lines")
                .help("write one shell command line; join steps with && if you need several"),
            );
        }
        fields.insert(*field, raw);
    }
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        diags.push(
            Diagnostic::error(codes::MISSING_KEY, format!("the custom layout needs {list}"))
                .label(doc.span(&[Seg::Key("layout"), Seg::Key("kind")]), "custom layout chosen here")
                .help("a custom layout assumes nothing: set data_dir, bin_dir, socket_dir, passfile, start and stop in [layout]"),
        );
    }
    (diags.len() == before).then_some(LayoutTemplate {
        fields,
        kind: l.kind,
    })
}

impl LayoutTemplate {
    /// The layout of one node: placeholders substituted, shell-quoted inside commands.
    pub fn resolve(&self, topo: &Topology, node: &Node) -> ResolvedLayout {
        let plain = |name: &str| -> String {
            match name {
                "node" => node.name.clone(),
                "port" => node.port.to_string(),
                "version" => topo.cluster.pg_version.to_string(),
                "cluster" => topo.cluster.name.clone(),
                _ => String::new(),
            }
        };
        // Checked in `check`: substitution cannot fail here.
        let path = |field: &str| -> String {
            substitute(&self.fields[field], &PATH_PLACEHOLDERS, &plain).unwrap_or_default()
        };
        let dirs: BTreeMap<&str, String> = ["bin_dir", "data_dir", "config_dir"]
            .into_iter()
            .map(|f| (f, path(f)))
            .collect();
        let quoted = |name: &str| match dirs.get(name) {
            Some(dir) => quote::shell(dir),
            None => quote::shell(&plain(name)),
        };
        let command = |field: &str| -> Option<String> {
            self.fields
                .get(field)
                .map(|raw| substitute(raw, &COMMAND_PLACEHOLDERS, &quoted).unwrap_or_default())
        };
        ResolvedLayout {
            config_dir: dirs["config_dir"].clone(),
            data_dir: dirs["data_dir"].clone(),
            bin_dir: dirs["bin_dir"].clone(),
            os_user: self.fields["os_user"].clone(),
            socket_dir: path("socket_dir"),
            superuser: self.fields["superuser"].clone(),
            passfile: path("passfile"),
            log: self.fields.contains_key("log").then(|| path("log")),
            start: command("start").unwrap_or_default(),
            stop: command("stop").unwrap_or_default(),
            restart: command("restart"),
            reload: command("reload").unwrap_or_default(),
            // Custom layouts drive pg_ctl, which refuses root; packaged ones use systemd.
            service_as_os_user: self.kind == LayoutKind::Custom,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        let v = |n: &str| format!("<{n}>");
        assert_eq!(
            substitute("/x/{node}/y", &PATH_PLACEHOLDERS, &v).unwrap(),
            "/x/<node>/y"
        );
        assert_eq!(
            substitute("echo ${HOME} {", &PATH_PLACEHOLDERS, &v).unwrap(),
            "echo ${HOME} {"
        );
        assert_eq!(
            substitute("{nod}", &PATH_PLACEHOLDERS, &v).unwrap_err(),
            "nod"
        );
    }
}
