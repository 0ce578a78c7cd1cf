//! Did-you-mean suggestions: the closest known name to an unknown one, if it is close enough
//! to be a plausible typo.
//!
//! A file of 200,000 unknown names asks this of every parameter of a major for each of them,
//! so the candidates are prepared once ([`Suggester`]) and most are ruled out by two lower
//! bounds of the edit distance before the distance itself is computed.

/// Candidates prepared for many questions.
pub struct Suggester<'a> {
    candidates: Vec<Candidate<'a>>,
}

struct Candidate<'a> {
    name: &'a str,
    lower: String,
    /// Its length in characters.
    chars: usize,
    /// Which buckets its characters fall in.
    mask: u64,
    /// Characters per bucket (`bucket`), when the name is ASCII and short enough to count
    /// in a byte.
    counts: Option<[u8; BUCKETS]>,
}

const BUCKETS: usize = 64;

/// Characters share buckets: merged counts can only raise what two words have in common,
/// so the bound they give stays a lower bound.
fn bucket(b: u8) -> usize {
    usize::from(b) % BUCKETS
}

/// A lowercase ASCII word's characters per bucket; None when a count would not fit a byte.
fn counts(lower: &str) -> Option<[u8; BUCKETS]> {
    if !lower.is_ascii() || lower.len() > usize::from(u8::MAX) {
        return None;
    }
    let mut counts = [0u8; BUCKETS];
    for b in lower.bytes() {
        counts[bucket(b)] += 1;
    }
    Some(counts)
}

/// Which buckets a word's bytes fall in.
fn mask(lower: &str) -> u64 {
    lower.bytes().fold(0, |m, b| m | 1 << bucket(b))
}

/// How far a candidate may be from the word: a third of the longer one's length (in
/// characters).
fn allowed(a: usize, b: usize) -> usize {
    (a.max(b) / 3).max(1)
}

impl<'a> Suggester<'a> {
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> Suggester<'a> {
        let mut candidates = names
            .into_iter()
            .map(|name| {
                let lower = name.to_ascii_lowercase();
                Candidate {
                    name,
                    chars: lower.chars().count(),
                    mask: mask(&lower),
                    counts: counts(&lower),
                    lower,
                }
            })
            .collect::<Vec<_>>();
        // By length, so that a question looks only at those of a plausible length.
        candidates.sort_by_key(|c| c.chars);
        Suggester { candidates }
    }

    /// The closest candidate to `word` (ignoring ASCII case; the first in byte order of
    /// those equally close), if it is within a third of the longer one's length.
    pub fn suggest(&self, word: &str) -> Option<&'a str> {
        let lower = word.to_ascii_lowercase();
        let word_counts = counts(&lower);
        let word_chars: Vec<char> = lower.chars().collect();
        let mut row = Vec::new();
        let word_mask = mask(&lower);
        let mut best: Option<(usize, &'a str)> = None;
        // Wider than the exact bound below (a shorter candidate is within a third of the
        // word's length, a longer one within half of it).
        let n = word_chars.len();
        let from = self.candidates.partition_point(|c| c.chars + n / 3 + 1 < n);
        let to = self
            .candidates
            .partition_point(|c| c.chars <= n + n / 2 + 1);
        for c in &self.candidates[from..to.max(from)] {
            let limit = allowed(c.chars, word_chars.len());
            // The length difference is a lower bound of the distance: most stop here.
            if c.chars.abs_diff(word_chars.len()) > limit {
                continue;
            }
            // So is, for ASCII words, the number of characters one word has and the other
            // has none of; and the count of characters one has more often than the other.
            if let (Some(w), Some(k)) = (&word_counts, &c.counts) {
                let missing = (word_mask & !c.mask)
                    .count_ones()
                    .max((c.mask & !word_mask).count_ones());
                if missing as usize > limit
                    || bag_distance(w, lower.len(), k, c.lower.len()) > limit
                {
                    continue;
                }
            }
            let d = if word_counts.is_some() && c.counts.is_some() {
                distance(lower.as_bytes(), c.lower.as_bytes(), &mut row)
            } else {
                let theirs: Vec<char> = c.lower.chars().collect();
                distance(&word_chars, &theirs, &mut row)
            };
            if d <= limit && best.is_none_or(|(bd, bn)| (d, c.name) < (bd, bn)) {
                best = Some((d, c.name));
            }
        }
        best.map(|(_, name)| name)
    }
}

/// The closest of `candidates` to `word`, for a one-off question (a topology's names).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    Suggester::new(candidates).suggest(word)
}

/// A lower bound of the edit distance between two ASCII words from their character counts:
/// each character one of them has more often than the other takes at least one edit.
fn bag_distance(a: &[u8; BUCKETS], a_len: usize, b: &[u8; BUCKETS], b_len: usize) -> usize {
    // At most the shorter word's length, which `counts` keeps within a byte: summed in
    // bytes, the loop is a few vector instructions.
    let common = usize::from(
        a.iter()
            .zip(b)
            .fold(0u8, |s, (x, y)| s.wrapping_add(*x.min(y))),
    );
    (a_len - common).max(b_len - common)
}

/// Levenshtein distance, with one reused row.
fn distance<T: PartialEq>(a: &[T], b: &[T], row: &mut Vec<usize>) -> usize {
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["max_wal_senders", "wal_level", "hot_standby"];
        assert_eq!(
            did_you_mean("max_wal_sender", keys),
            Some("max_wal_senders")
        );
        assert_eq!(did_you_mean("wal_levle", keys), Some("wal_level"));
        assert_eq!(did_you_mean("shared_buffers", keys), None);
        assert_eq!(did_you_mean("WAL_LEVLE", keys), Some("wal_level"));
        assert_eq!(did_you_mean("hot_standbé", keys), Some("hot_standby"));
        assert_eq!(did_you_mean("x", Vec::<&str>::new()), None);
    }

    #[test]
    fn ties_go_to_the_first_in_byte_order() {
        assert_eq!(did_you_mean("ab", ["ac", "aa"]), Some("aa"));
        assert_eq!(did_you_mean("ab", ["aa", "ac"]), Some("aa"));
    }

    /// The plain definition, to hold the fast one to.
    fn slow(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
        let w: Vec<char> = word.to_ascii_lowercase().chars().collect();
        candidates
            .iter()
            .map(|c| {
                let k: Vec<char> = c.to_ascii_lowercase().chars().collect();
                (distance(&w, &k, &mut Vec::new()), *c)
            })
            .filter(|(d, c)| *d <= allowed(c.chars().count(), w.len()))
            .min()
            .map(|(_, c)| c)
    }

    #[test]
    fn the_bounds_never_rule_out_the_closest_name() {
        let names: Vec<&'static str> = crate::catalog::params::params(18)
            .unwrap()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        let suggester = Suggester::new(names.iter().copied());
        let words = [
            "wal_levle",
            "max_wal_sender",
            "WAL_KEEP_SEGMENTS",
            "hot_standbé",
            "sharedbuffers",
            "wal_levle_123456",
            "synchronus_commit",
            "archive_commnd",
            "listen_adresses",
            "zzzzzzzzzzzzzzzzzzzz",
            "a",
            "",
            "ssl_ciphers_é_ü",
        ];
        for w in words {
            assert_eq!(suggester.suggest(w), slow(w, &names), "{w}");
        }
        // Typos of every name: a letter dropped, two swapped, one doubled, digits and a
        // non-ASCII letter added, a prefix cut.
        for (i, name) in names.iter().enumerate() {
            let b = name.as_bytes();
            let at = i % b.len();
            let mut typos = vec![
                format!("{}{}", &name[..at], &name[at + 1..]),
                format!("{}{}{}", &name[..at], &name[at..=at], &name[at..]),
                format!("{name}_{i}"),
                format!("{name}é"),
                name[b.len() / 2..].to_owned(),
                name.to_ascii_uppercase(),
            ];
            if at + 1 < b.len() {
                typos.push(format!(
                    "{}{}{}{}",
                    &name[..at],
                    &name[at + 1..at + 2],
                    &name[at..at + 1],
                    &name[at + 2..]
                ));
            }
            for w in typos {
                assert_eq!(suggester.suggest(&w), slow(&w, &names), "{w}");
            }
        }
    }

    #[test]
    fn the_bag_bound_never_exceeds_the_distance() {
        let words = [
            "wal_level",
            "wal_levle",
            "max_wal_senders",
            "level",
            "",
            "aaa",
            "abc",
            "a@",
            "a\0",
        ];
        for a in words {
            for b in words {
                let bound =
                    bag_distance(&counts(a).unwrap(), a.len(), &counts(b).unwrap(), b.len());
                assert!(
                    bound <= distance(a.as_bytes(), b.as_bytes(), &mut Vec::new()),
                    "{a} {b}"
                );
            }
        }
    }
}
