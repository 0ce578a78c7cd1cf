//! Editing the files operators already have, changing nothing they did not ask for.
//!
//! postgresql.conf: a setting is changed where it is active (its comment kept), else the
//! commented-out default line is uncommented (as the guides tell people to do by hand), else
//! it is added to a marked pgrepl block: above the first `include_dir` (so that drop-ins still
//! win), else at the end. (pg_hba.conf's block is merged by
//! `pgconf::block`.) Patching twice gives the same bytes as patching once.

use std::ops::Range;

use super::block::{BEGIN, END, line_ending};
use super::conf::{ConfFile, IncludeKind, Item};

/// Replaces `range` of `text` with `new`.
fn splice(text: &[u8], range: Range<usize>, new: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + new.len());
    out.extend_from_slice(&text[..range.start]);
    out.extend_from_slice(new);
    out.extend_from_slice(&text[range.end..]);
    out
}

/// A commented-out setting of `name` on a line: `#name = value  # comment`, returning the
/// span of the `#` to remove and of the value to replace (both within `text`).
fn commented_setting(
    text: &[u8],
    line: &Range<usize>,
    name: &str,
) -> Option<(Range<usize>, Range<usize>)> {
    let bytes = &text[line.clone()];
    let indent = bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if bytes.get(indent) != Some(&b'#') {
        return None;
    }
    let rest_start = line.start + indent + 1;
    let parsed = ConfFile::parse(text[rest_start..line.end].to_vec());
    match &parsed.lines.first()?.item {
        Item::Setting(s) if s.name.eq_ignore_ascii_case(name) => {
            let hash = line.start + indent..rest_start;
            let value = rest_start + s.value_span.start..rest_start + s.value_span.end;
            Some((hash, value))
        }
        _ => None,
    }
}

/// Sets `name` to `literal` (written as postgresql.conf wants it: `'*'`, `replica`, `5`),
/// with `note` as the comment when a new line has to be written.
pub fn set(text: &[u8], name: &str, literal: &str, note: &str) -> Vec<u8> {
    let file = ConfFile::parse(text.to_vec());
    // 1. The last active occurrence decides the value: change it in place.
    let active = file.lines.iter().rev().find_map(|l| match &l.item {
        Item::Setting(s) if s.name.eq_ignore_ascii_case(name) => Some(s),
        _ => None,
    });
    if let Some(s) = active {
        if &text[s.value_span.clone()] == literal.as_bytes() {
            return text.to_vec();
        }
        return splice(text, s.value_span.clone(), literal.as_bytes());
    }
    // 2. The commented-out default: uncomment it, keeping its comment and alignment.
    let commented = file
        .lines
        .iter()
        .find_map(|l| commented_setting(text, &l.span, name));
    if let Some((hash, value)) = commented {
        let patched = splice(text, value, literal.as_bytes());
        return splice(&patched, hash, b"");
    }
    // 3. The pgrepl block at the end.
    let eol = line_ending(text);
    let new_line = format!("{name} = {literal}\t# {note}{eol}");
    let trimmed = |l: &[u8]| String::from_utf8_lossy(l).trim_end_matches('\r').to_owned();
    if let Some(end) = file
        .lines
        .iter()
        .position(|l| trimmed(&text[l.span.clone()]) == END)
    {
        let at = file.lines[end].span.start;
        return splice(text, at..at, new_line.as_bytes());
    }
    let block = format!(
        "{BEGIN} (settings added by pgrepl gen; edit the topology instead){eol}{new_line}{END}{eol}"
    );
    // Above the first include_dir (Debian's `include_dir = 'conf.d'` at the end): the
    // drop-ins read after it must still win, or the block would override pgrepl's own
    // conf.d file (PGR028).
    let include_dir = file.lines.iter().find_map(|l| match &l.item {
        Item::Include(i) if i.kind == IncludeKind::Dir => Some(l.span.start),
        _ => None,
    });
    if let Some(at) = include_dir {
        return splice(text, at..at, format!("{block}{eol}").as_bytes());
    }
    let mut out = text.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(eol.as_bytes());
    }
    out.extend_from_slice(format!("{eol}{block}").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# sample\n#listen_addresses = 'localhost'\t\t# what IP address(es) to listen on;\nport = 5432\t\t\t\t# (change requires restart)\n#wal_level = replica\t\t\t# minimal, replica, or logical\n";

    #[test]
    fn changes_in_place_uncomments_or_appends() {
        let t = set(SAMPLE.as_bytes(), "listen_addresses", "'*'", "why");
        assert!(
            String::from_utf8_lossy(&t)
                .contains("listen_addresses = '*'\t\t# what IP address(es) to listen on;\n")
        );
        let t = set(&t, "port", "5433", "why");
        assert!(
            String::from_utf8_lossy(&t)
                .contains("port = 5433\t\t\t\t# (change requires restart)\n")
        );
        let t = set(&t, "max_wal_senders", "5", "streaming standbys");
        let s = String::from_utf8_lossy(&t).into_owned();
        assert!(s.ends_with("# BEGIN pgrepl (settings added by pgrepl gen; edit the topology instead)\nmax_wal_senders = 5\t# streaming standbys\n# END pgrepl\n"), "{s}");
        let t2 = set(&t, "wal_keep_size", "'64MB'", "kept WAL");
        assert!(String::from_utf8_lossy(&t2).contains("max_wal_senders = 5\t# streaming standbys\nwal_keep_size = '64MB'\t# kept WAL\n# END pgrepl"));
    }

    #[test]
    fn patching_twice_is_patching_once() {
        let once = [
            ("listen_addresses", "'*'"),
            ("wal_level", "replica"),
            ("max_wal_senders", "5"),
        ]
        .iter()
        .fold(SAMPLE.as_bytes().to_vec(), |t, (n, v)| set(&t, n, v, "x"));
        let twice = [
            ("listen_addresses", "'*'"),
            ("wal_level", "replica"),
            ("max_wal_senders", "5"),
        ]
        .iter()
        .fold(once.clone(), |t, (n, v)| set(&t, n, v, "x"));
        assert_eq!(once, twice);
    }

    #[test]
    fn the_block_stays_above_the_drop_ins() {
        let debian =
            format!("{SAMPLE}\n# Add settings for extensions here\ninclude_dir = 'conf.d'\n");
        let t = set(debian.as_bytes(), "primary_slot_name", "'b'", "slot");
        let t = set(&t, "primary_conninfo", "'host=a'", "upstream");
        let s = String::from_utf8_lossy(&t).into_owned();
        assert!(s.ends_with("# Add settings for extensions here\n# BEGIN pgrepl (settings added by pgrepl gen; edit the topology instead)\nprimary_slot_name = 'b'\t# slot\nprimary_conninfo = 'host=a'\t# upstream\n# END pgrepl\n\ninclude_dir = 'conf.d'\n"), "{s}");
        assert_eq!(set(&t, "primary_slot_name", "'b'", "slot"), t);
    }
}
