//! Which names pgrepl accepts, and the names it derives: used by validation, layouts and
//! rendering alike.

/// Names used in file names, shell scripts, pg_hba.conf and as application_name.
pub fn is_safe_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_' | '-'))
}

/// How to write a safe name, for help lines.
pub const SAFE_NAME_HELP: &str =
    "use 1 to 63 lowercase letters, digits, `-` or `_`, starting with a letter";

/// Role names: simple SQL identifiers, so that no quoting is needed anywhere.
pub fn is_simple_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && s.len() <= 63
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// Physical slot names allow `[a-z0-9_]` only.
pub fn slot_name(node: &str) -> String {
    node.replace('-', "_")
}
