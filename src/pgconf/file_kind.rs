//! Which kind of configuration file a lone file is: postgresql.conf-like, pg_hba.conf or
//! pg_ident.conf. Decided by the end of its name (`prod-pg_hba.conf`,
//! `007_repo_pg_ident.conf`, `pg_hba.conf.j2`), else by its first records.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// postgresql.conf and the files it includes, postgresql.auto.conf, recovery.conf.
    Conf,
    Hba,
    Ident,
}

/// How much of a file the content check reads.
const SNIFF_BYTES: u64 = 64 * 1024;

impl FileKind {
    /// The kind a file's name says, if it says one: `pg_hba` or `pg_ident` in the name, or a
    /// name ending `hba.conf` / `ident.conf`.
    pub fn from_name(name: &str) -> Option<FileKind> {
        let name = name.to_ascii_lowercase();
        if name.contains("pg_hba") || name.ends_with("hba.conf") {
            Some(FileKind::Hba)
        } else if name.contains("pg_ident") || name.ends_with("ident.conf") {
            Some(FileKind::Ident)
        } else {
            None
        }
    }

    /// The kind the first records of `text` look like: a pg_hba.conf record starts with a
    /// connection type and has no `=` before its options; a pg_ident.conf record is three
    /// words. Anything else is read as postgresql.conf.
    pub fn sniff(text: &[u8]) -> FileKind {
        let text = String::from_utf8_lossy(text);
        let mut ident_like = 0;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let first = words[0].to_ascii_lowercase();
            // include lines are in all three formats; they decide nothing.
            if first.starts_with("include") {
                continue;
            }
            let has_eq = line.contains('=');
            if super::hba::CONN_TYPES.contains(&first.as_str())
                && words.len() >= 3
                && !words[1].contains('=')
            {
                return FileKind::Hba;
            }
            if words.len() == 3 && !has_eq {
                ident_like += 1;
                if ident_like == 3 {
                    return FileKind::Ident;
                }
                continue;
            }
            return FileKind::Conf;
        }
        if ident_like > 0 {
            FileKind::Ident
        } else {
            FileKind::Conf
        }
    }

    /// The kind of the file at `path`: its name, else the start of its content (a file that
    /// cannot be read is taken as postgresql.conf-like; reading it reports the error).
    pub fn of(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if let Some(kind) = FileKind::from_name(&name) {
            return kind;
        }
        // Through `input`, so that standard input standing for this path is what is read.
        match crate::input::read_head(path, SNIFF_BYTES) {
            Ok(head) => FileKind::sniff(&head),
            Err(_) => FileKind::Conf,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_decide_first() {
        for (name, kind) in [
            ("prod-pg_hba.conf", Some(FileKind::Hba)),
            ("002_Azat2202_RSHD_lab3_pg_hba.conf", Some(FileKind::Hba)),
            ("pg_hba.conf.j2", Some(FileKind::Hba)),
            ("replication-hba.conf", Some(FileKind::Hba)),
            ("007_repo_pg_ident.conf", Some(FileKind::Ident)),
            ("postgresql.conf", None),
            ("recovery.conf", None),
            ("custom.conf", None),
        ] {
            assert_eq!(FileKind::from_name(name), kind, "{name}");
        }
    }

    #[test]
    fn content_decides_otherwise() {
        for (text, kind) in [
            ("# comment\n\nlocal all all peer\n", FileKind::Hba),
            (
                "host replication rep 10.0.0.1/32 scram-sha-256\n",
                FileKind::Hba,
            ),
            (
                "include_dir 'conf.d'\nhostssl all all ::1/128 cert\n",
                FileKind::Hba,
            ),
            ("mymap bob bob\nmymap /^(.*)@EX$ \\1\n", FileKind::Ident),
            ("port = 5432\n", FileKind::Conf),
            ("port 5432\n", FileKind::Conf),
            ("host = 'x'\n", FileKind::Conf),
            ("", FileKind::Conf),
        ] {
            assert_eq!(FileKind::sniff(text.as_bytes()), kind, "{text:?}");
        }
    }
}
