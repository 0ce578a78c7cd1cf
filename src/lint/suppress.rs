//! Suppression comments: `# pgrepl: ignore PGR012` after a record silences those rules on
//! that line; on a line of its own, on the next line that is not blank or a comment (as
//! shellcheck's and Squawk's directives do, so that several can stand above one record);
//! `# pgrepl: ignore-file PGR006, duplicate-setting` in the whole file. Rules are named by
//! code or name.

use std::collections::BTreeSet;
use std::ops::Range;

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The line it applies to (byte range), or `None` for the whole file.
    pub line: Option<Range<usize>>,
    /// The rules as written, each with its span.
    pub rules: Vec<(String, Range<usize>)>,
}

const MARKER: &[u8] = b"pgrepl: ignore";

/// Every suppression comment in a file's text. Only the lines holding the marker are looked
/// at (most files have none, and lint reads every byte of a fleet).
pub fn parse(text: &[u8]) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut starts: Vec<usize> = memchr::memmem::find_iter(text, MARKER)
        .map(|at| memchr::memrchr(b'\n', &text[..at]).map_or(0, |nl| nl + 1))
        .collect();
    starts.dedup();
    for start in starts {
        let end = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p);
        let line = &text[start..end];
        let s = String::from_utf8_lossy(line);
        if let Some(at) = s.find("pgrepl: ignore") {
            // Only inside a comment.
            if s[..at].contains('#') {
                let rest_at = at + "pgrepl: ignore".len();
                let (file_wide, list_at) = match s[rest_at..].strip_prefix("-file") {
                    Some(_) => (true, rest_at + "-file".len()),
                    None => (false, rest_at),
                };
                let mut rules = Vec::new();
                let mut offset = list_at;
                for part in s[list_at..].split([',', ' ', '\t']) {
                    if !part.is_empty() {
                        let p = s[offset..].find(part).map_or(offset, |i| offset + i);
                        rules.push((part.to_owned(), start + p..start + p + part.len()));
                        offset = p + part.len();
                    }
                }
                let own_line = s[..at]
                    .trim_end()
                    .strip_suffix('#')
                    .is_some_and(|b| b.trim().is_empty());
                let line = if own_line {
                    next_line(text, end)
                } else {
                    start..end
                };
                out.push(Suppression {
                    line: (!file_wide).then_some(line),
                    rules,
                });
            }
        }
    }
    out
}

/// The next line after the one ending at `end` that holds more than blanks and a comment;
/// an empty range at the file's end when there is none.
fn next_line(text: &[u8], end: usize) -> Range<usize> {
    let mut start = end + 1;
    while start < text.len() {
        let stop = memchr::memchr(b'\n', &text[start..]).map_or(text.len(), |p| start + p);
        let line = text[start..stop].trim_ascii();
        if !line.is_empty() && !line.starts_with(b"#") {
            return start..stop;
        }
        start = stop + 1;
    }
    text.len()..text.len()
}

/// The codes a suppression names that are real rules.
pub fn codes(s: &Suppression) -> BTreeSet<&'static str> {
    s.rules
        .iter()
        .filter_map(|(r, _)| super::rule(r).map(|rule| rule.code))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn comments_name_rules() {
        let s = super::parse(b"a = 1 # pgrepl: ignore PGR012, PGR013\n# pgrepl: ignore-file duplicate-setting\nb = 'pgrepl: ignore PGR001'\n");
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].rules.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            ["PGR012", "PGR013"]
        );
        assert_eq!(s[0].line, Some(0..37));
        assert_eq!(s[1].line, None);
        assert_eq!(
            super::codes(&s[1]).into_iter().collect::<Vec<_>>(),
            ["PGR006"]
        );
    }

    #[test]
    fn a_comment_on_its_own_line_is_for_the_next_record() {
        let text = b"# pgrepl: ignore PGR012\n  # pgrepl: ignore PGR013\n\n# why\nhost replication r 0.0.0.0/0 md5\nlocal all all peer\n";
        let s = super::parse(text);
        let record = 57..89;
        assert_eq!(&text[record.clone()], b"host replication r 0.0.0.0/0 md5");
        assert_eq!(s[0].line, Some(record.clone()));
        assert_eq!(s[1].line, Some(record));
        let last = super::parse(b"a = 1\n# pgrepl: ignore PGR006\n");
        assert_eq!(last[0].line, Some(30..30));
    }
}
