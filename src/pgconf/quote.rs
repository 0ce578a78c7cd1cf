//! Quoting values for the languages pgrepl writes: POSIX shell and postgresql.conf.

/// Quotes a value for a POSIX shell: left bare when it only holds characters no shell
/// treats specially, else single-quoted with embedded quotes as `'\''`.
pub fn shell(value: &str) -> String {
    let safe = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+=,".contains(&b));
    if safe {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Quotes a string for postgresql.conf: single quotes, with `'` doubled and `\` escaped, as
/// the server's configuration lexer reads them.
pub fn conf_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', "''"))
}

/// Quotes a value inside a libpq connection string: bare when it has no space, quote or
/// backslash, else single-quoted with `\` and `'` backslash-escaped.
pub fn conninfo_value(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '\'', '\\', '\t', '\n']) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
    }
}

/// Quotes a name as an SQL identifier (used in synchronous_standby_names, which the server
/// parses with identifier rules).
pub fn sql_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A YAML double-quoted scalar that Ansible takes as it is: with `{` (where Ansible would
/// see a Jinja template) it is tagged `!unsafe`, which Ansible never templates.
pub fn ansible_yaml(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    if value.contains('{') {
        out.push_str("!unsafe ");
    }
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansible_yaml_quoting() {
        assert_eq!(ansible_yaml("/var/lib/pgrepl"), r#""/var/lib/pgrepl""#);
        assert_eq!(ansible_yaml(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(ansible_yaml("tab\there"), r#""tab\x09here""#);
        // Ansible would render `{{ … }}` from a path or a name: not with !unsafe.
        assert_eq!(ansible_yaml("/srv/{{ x }}"), r#"!unsafe "/srv/{{ x }}""#);
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(
            shell("/var/lib/postgresql/16/main"),
            "/var/lib/postgresql/16/main"
        );
        assert_eq!(shell("a b"), "'a b'");
        assert_eq!(shell("it's"), r"'it'\''s'");
        assert_eq!(shell(""), "''");
        assert_eq!(shell("$HOME"), "'$HOME'");
        assert_eq!(shell("::1"), "::1");
    }

    #[test]
    fn conninfo_quoting() {
        assert_eq!(conninfo_value("10.0.0.1"), "10.0.0.1");
        assert_eq!(
            conninfo_value("/var/lib/my pg/.pgpass"),
            r"'/var/lib/my pg/.pgpass'"
        );
        assert_eq!(conninfo_value("a'b"), r"'a\'b'");
    }

    #[test]
    fn conf_quoting() {
        assert_eq!(conf_string("*"), "'*'");
        assert_eq!(conf_string("a'b\\c"), r"'a''b\\c'");
    }
}
