//! pgrepl's marked blocks in the files it edits: their markers, and the pg_hba.conf merge.
//!
//! This is the one home of the markers: templates get them from the render context. The
//! install-config runbook step does the same merge in awk (`merge_hba_block` in lib.sh), for
//! hosts without pgrepl; tests/hba_block.rs holds the two to the same bytes on every pg_hba
//! fixture, LF and CRLF.

/// Opens a block pgrepl wrote (followed by what it is for).
pub const BEGIN: &str = "# BEGIN pgrepl";
/// Closes it.
pub const END: &str = "# END pgrepl";

/// The first line of a cluster's replication block in pg_hba.conf.
pub fn hba_begin(cluster: &str) -> String {
    format!("{BEGIN} cluster={cluster}")
}

/// The last line of that block.
pub fn hba_end(cluster: &str) -> String {
    format!("{END} cluster={cluster}")
}

/// The line ending a file uses: CRLF as soon as one line ends so.
pub fn line_ending(text: &[u8]) -> &'static str {
    if text.windows(2).any(|w| w == b"\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Why a pg_hba.conf cannot be patched safely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaPatchError(pub String);

/// Blank as POSIX `[[:space:]]` in the C locale, which the awk version uses.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A line without its line ending (and any carriage returns before it).
fn content(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &line[..end]
}

/// Puts `block` (whole lines, starting with its BEGIN marker line and ending with its END
/// marker line) before the first record of `text` and the comment lines right above it
/// (they describe that record), replacing an earlier copy of the block wherever it is. The
/// block takes the file's line ending; every other byte is kept.
pub fn merge_hba_block(text: &[u8], block: &str) -> Result<Vec<u8>, HbaPatchError> {
    let begin = block.lines().next().unwrap_or_default().as_bytes();
    let end = block.lines().last().unwrap_or_default().as_bytes();
    let eol = line_ending(text);
    let block = block.replace('\n', eol);
    let lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    let begins = lines.iter().filter(|l| content(l) == begin).count();
    let ends = lines.iter().filter(|l| content(l) == end).count();
    if begins != ends || begins > 1 {
        return Err(HbaPatchError(format!(
            "pg_hba.conf has a damaged pgrepl block ({begins} BEGIN and {ends} END lines); repair it by hand"
        )));
    }
    // The earlier block's lines, left out of the output.
    let mut in_block = vec![false; lines.len()];
    let mut skipping = false;
    for (i, l) in lines.iter().enumerate() {
        let c = content(l);
        if c == begin {
            skipping = true;
        }
        in_block[i] = skipping;
        if skipping && c == end {
            skipping = false;
        }
    }
    // A line's first non-blank byte: None for a blank line, `#` for a comment.
    let first = |i: usize| {
        let c = content(lines[i]);
        c.iter().position(|&b| !is_space(b)).map(|p| c[p])
    };
    let record = (0..lines.len()).find(|&i| !in_block[i] && first(i).is_some_and(|b| b != b'#'));
    let at = record.map(|r| {
        let mut at = r;
        for j in (0..r).rev() {
            if in_block[j] {
                continue;
            }
            if first(j) != Some(b'#') {
                break;
            }
            at = j;
        }
        at
    });
    let mut out = Vec::with_capacity(text.len() + block.len());
    for (i, l) in lines.iter().enumerate() {
        if Some(i) == at {
            out.extend_from_slice(block.as_bytes());
        }
        if !in_block[i] {
            out.extend_from_slice(l);
        }
    }
    if at.is_none() {
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.extend_from_slice(eol.as_bytes());
        }
        out.extend_from_slice(block.as_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hba_block_goes_first_and_is_replaced() {
        let block = "# BEGIN pgrepl cluster=c\nhost replication r 10.0.0.2/32 scram-sha-256\n# END pgrepl cluster=c\n";
        let hba = "# header\n\nlocal all all peer\nhost all all 0.0.0.0/0 reject\n";
        let once = merge_hba_block(hba.as_bytes(), block).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&once),
            format!("# header\n\n{block}local all all peer\nhost all all 0.0.0.0/0 reject\n")
        );
        assert_eq!(merge_hba_block(&once, block).unwrap(), once);
        let newer = block.replace("10.0.0.2", "10.0.0.3");
        let replaced = String::from_utf8(merge_hba_block(&once, &newer).unwrap()).unwrap();
        assert!(replaced.contains("10.0.0.3") && !replaced.contains("10.0.0.2"));
        assert!(merge_hba_block(b"# BEGIN pgrepl cluster=c\nlocal all all peer\n", block).is_err());
    }

    #[test]
    fn the_block_stays_off_a_records_own_comment() {
        let block = "# BEGIN pgrepl cluster=c\nhost replication r 10.0.0.2/32 scram-sha-256\n# END pgrepl cluster=c\n";
        let hba = "# header\n\n# \"local\" is for Unix domain socket connections only\nlocal all all peer\n";
        let once = String::from_utf8(merge_hba_block(hba.as_bytes(), block).unwrap()).unwrap();
        assert_eq!(
            once,
            format!(
                "# header\n\n{block}# \"local\" is for Unix domain socket connections only\nlocal all all peer\n"
            )
        );
        // A block an older pgrepl put between the comment and its record moves above both.
        let old = format!("# header\n\n# about local\n{block}local all all peer\n");
        let moved = String::from_utf8(merge_hba_block(old.as_bytes(), block).unwrap()).unwrap();
        assert_eq!(
            moved,
            format!("# header\n\n{block}# about local\nlocal all all peer\n")
        );
        assert_eq!(
            merge_hba_block(moved.as_bytes(), block).unwrap(),
            moved.as_bytes()
        );
    }
}
