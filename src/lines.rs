//! Where a file's lines start, found once per file, so that turning a finding's byte offset
//! into a line and column is a binary search instead of a scan from the file's start (a file
//! with 200,000 findings would otherwise be read 200,000 times).

use std::borrow::Cow;

/// A text's line starts. Lines end at `\n`; `\r` alone also ends one where miette draws
/// snippets (`miette_breaks_before`), as miette counts them.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    text: Cow<'a, str>,
    /// Byte offset of each line's first byte; the first is 0.
    starts: Vec<usize>,
    /// Offsets of each `\r` not followed by `\n` (rare: old Mac line ends).
    lone_cr: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>) -> Lines<'a> {
        let text = text.into();
        let bytes = text.as_bytes();
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1))
            .collect();
        let lone_cr = memchr::memchr_iter(b'\r', bytes)
            .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
            .collect();
        Lines {
            text,
            starts,
            lone_cr,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The 0-based `\n`-line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Where 0-based line `line` starts; the text's end past the last line.
    pub fn start_of(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Line breaks before `offset` as miette counts them (`\n`, `\r\n`, and `\r` alone).
    pub fn miette_breaks_before(&self, offset: usize) -> usize {
        let newlines = self.starts.partition_point(|&s| s <= offset) - 1;
        newlines + self.lone_cr.partition_point(|&c| c < offset)
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn one_based_positions() {
        let l = Lines::new("ab\ncd");
        assert_eq!(l.line_col(0), (1, 1));
        assert_eq!(l.line_col(2), (1, 3));
        assert_eq!(l.line_col(3), (2, 1));
        assert_eq!(l.line_col(4), (2, 2));
        assert_eq!(l.line_col(99), (2, 3));
        assert_eq!(Lines::new("é\nx").line_col(3), (2, 1));
        assert_eq!(Lines::new("é\nx").line_col(1), (1, 1));
    }

    #[test]
    fn breaks_count_as_miette_counts_them() {
        let l = Lines::new("a\rb\r\nc\nd");
        assert_eq!(l.miette_breaks_before(0), 0);
        assert_eq!(l.miette_breaks_before(2), 1);
        assert_eq!(l.miette_breaks_before(5), 2);
        assert_eq!(l.miette_breaks_before(7), 3);
        assert_eq!(l.line_of(7), 2);
        assert_eq!(l.start_of(2), 7);
        assert_eq!(l.start_of(9), 8);
    }
}
