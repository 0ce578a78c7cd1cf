//! Reading a user's file with a bound: `/dev/zero`, a FIFO or a runaway file must end in a
//! clear error, not in memory growing without end.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The largest topology file pgrepl reads (a thousand-node topology is well under 1 MiB).
pub const MAX_TOPOLOGY_BYTES: u64 = 16 << 20;
/// The largest configuration file (postgresql.conf, an include, pg_hba.conf) pgrepl reads.
pub const MAX_CONFIG_BYTES: u64 = 1 << 30;

/// Standard input, standing in for the file at an absolute path (`lint -`, with
/// `--stdin-filename`): every read of that path gets these bytes, so that includes, the
/// major, `.pgrepl.toml` and the rest of its cluster are found where the file would be, as
/// an editor's unsaved buffer is linted by Ruff.
static STDIN: OnceLock<(PathBuf, Vec<u8>)> = OnceLock::new();

/// Reads standard input (bounded as a configuration file) to stand for `path`.
pub fn stdin_as(path: &Path) -> io::Result<()> {
    let bytes = take_bounded(io::stdin().lock(), MAX_CONFIG_BYTES, 0, false)?;
    let abs = std::path::absolute(path)?;
    STDIN
        .set((abs, bytes))
        .map_err(|_| io::Error::other("standard input was read already"))
}

/// The whole file, or an error when it holds more than `limit` bytes.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    if let Some(bytes) = stdin_for(path) {
        return Ok(bytes.to_vec());
    }
    let file = std::fs::File::open(path)?;
    // Sized from the file's length (one read, no regrowing); /dev/zero, pipes and /proc say 0.
    let meta = file.metadata()?;
    let size = meta.len().min(limit);
    // A regular file that says its size ends where a read comes back short: no read of
    // nothing to be sure (a fleet reads thousands of files).
    let short_read_ends = meta.is_file() && size > 0;
    take_bounded(file, limit, size as usize, short_read_ends)
}

/// The whole file if it is a regular file, `None` when there is none there (missing, a
/// directory, a FIFO, a device): one open answers both, where a stat and then an open would
/// take two system calls (a fleet has thousands of files).
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(bytes) = stdin_for(path) {
        return Ok(Some(bytes.to_vec()));
    }
    // Non-blocking: opening a FIFO must not wait for a writer (regular files ignore it).
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    let size = meta.len().min(limit);
    take_bounded(file, limit, size as usize, size > 0).map(Some)
}

/// At most the first `n` bytes of the file (what a look at its start needs).
pub fn read_head(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    if let Some(bytes) = stdin_for(path) {
        return Ok(bytes[..bytes.len().min(n as usize)].to_vec());
    }
    let mut head = Vec::new();
    std::fs::File::open(path)?.take(n).read_to_end(&mut head)?;
    Ok(head)
}

/// Standard input's bytes when they stand for `path`.
fn stdin_for(path: &Path) -> Option<&'static [u8]> {
    let (stdin_path, bytes) = STDIN.get()?;
    std::path::absolute(path)
        .is_ok_and(|p| p == *stdin_path)
        .then_some(bytes.as_slice())
}

fn take_bounded(
    mut from: impl Read,
    limit: u64,
    expected: usize,
    short_read_ends: bool,
) -> io::Result<Vec<u8>> {
    // Read straight into room for the expected size and one byte more: a file of that size
    // takes one read. (`Take::read_to_end` probes in 8 KiB steps whatever the room: four
    // reads for a 26 kB postgresql.conf, in a fleet of thousands.)
    let cap = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let mut bytes = vec![0u8; expected.saturating_add(1).min(cap)];
    let mut len = 0;
    loop {
        if len == bytes.len() {
            if len >= cap {
                break;
            }
            bytes.resize(len.saturating_mul(2).max(8192).min(cap), 0);
        }
        match from.read(&mut bytes[len..]) {
            Ok(0) => break,
            Ok(n) => {
                len += n;
                if short_read_ends && len < bytes.len() {
                    break;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(len);
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
        std::fs::write(&f, vec![b'x'; (1 << 20) + 1]).unwrap();
        assert!(read_bounded(&f, 1 << 20).is_err());
    }

    #[test]
    fn only_a_regular_file_is_read_and_a_fifo_does_not_wait() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("postgresql.conf");
        std::fs::write(&f, "port = 5432\n").unwrap();
        let read = |p: &Path| read_regular(p, 1 << 20).unwrap();
        assert_eq!(read(&f).as_deref(), Some(&b"port = 5432\n"[..]));
        assert_eq!(read(&tmp.path().join("missing")), None);
        assert_eq!(read(tmp.path()), None);
        let fifo = tmp.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // No writer: a blocking open would hang this test.
        assert_eq!(read(&fifo), None);
        assert_eq!(read(Path::new("/dev/null")), None);
    }
}
