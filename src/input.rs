//! Reading a user's file with a bound: `/dev/zero`, a FIFO or a runaway file must end in a
//! clear error, not in memory growing without end.

use std::io::{self, Read};
use std::path::Path;

/// The largest topology file pgrepl reads (a thousand-node topology is well under 1 MiB).
pub const MAX_TOPOLOGY_BYTES: u64 = 16 << 20;
/// The largest configuration file (postgresql.conf, an include, pg_hba.conf) pgrepl reads.
pub const MAX_CONFIG_BYTES: u64 = 1 << 30;

/// The whole file, or an error when it holds more than `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, the most pgrepl reads of such a file",
                limit >> 20
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_an_error() {
        let e = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("larger than 1 MiB"));
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("f");
        std::fs::write(&f, vec![b'x'; 1 << 20]).unwrap();
        assert_eq!(read_bounded(&f, 1 << 20).unwrap().len(), 1 << 20);
    }
}
