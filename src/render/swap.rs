//! Swapping a staged output tree in for the previous one, all or nothing.
//!
//! Before anything moves, every directory of the previous tree must be one this process can
//! empty (a directory owned by another user, or immutable, would leave half of the old tree
//! behind after the swap). The swap itself is one `renameat2(RENAME_EXCHANGE)`: at no moment
//! is the output path missing or mixed. Where the file system cannot exchange, two renames
//! with a rollback do. The filesystem calls go through [`Ops`] so that tests can make each one
//! fail in turn.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The filesystem calls of a swap.
pub trait Ops {
    /// Whether this process may remove entries of `dir` (write and search permission, not
    /// immutable, not on a read-only file system).
    fn can_empty(&self, dir: &Path) -> io::Result<()>;
    /// Atomically exchanges two directories; `Unsupported` where the file system cannot.
    fn exchange(&self, a: &Path, b: &Path) -> io::Result<()>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_tree(&self, dir: &Path) -> io::Result<()>;
    /// Makes the directory's entries durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// The real filesystem.
pub struct Real;

fn c_path(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

impl Ops for Real {
    fn can_empty(&self, dir: &Path) -> io::Result<()> {
        let c = c_path(dir)?;
        // SAFETY: a valid NUL-terminated path; faccessat only reads it.
        let rc = unsafe {
            libc::faccessat(
                libc::AT_FDCWD,
                c.as_ptr(),
                libc::W_OK | libc::X_OK,
                libc::AT_EACCESS,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn exchange(&self, a: &Path, b: &Path) -> io::Result<()> {
        let (ca, cb) = (c_path(a)?, c_path(b)?);
        // SAFETY: valid NUL-terminated paths; renameat2 only reads them.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => {
                Err(io::Error::new(io::ErrorKind::Unsupported, e))
            }
            _ => Err(e),
        }
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_tree(&self, dir: &Path) -> io::Result<()> {
        fs::remove_dir_all(dir)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        fs::File::open(dir)?.sync_all()
    }
}

/// Why a swap failed, and whether the output path changed.
#[derive(Debug)]
pub enum SwapError {
    /// Nothing changed: the output path holds what it held.
    Before { path: PathBuf, source: io::Error },
    /// The new tree is in place (or, if the rollback failed, the previous one is at
    /// `path`), but what `what` says could not be done at `path`.
    After {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

/// Every directory of the tree at `dir`, `dir` first; links are not followed.
fn directories(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    out.push(dir.to_owned());
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            directories(&entry.path(), out)?;
        }
    }
    Ok(())
}

/// Puts the tree at `staged` in place of the one at `dir` (which must exist), and removes the
/// previous tree. `aside` is a free sibling path for the fallback without an exchange.
pub fn swap(ops: &impl Ops, staged: &Path, dir: &Path, aside: &Path) -> Result<(), SwapError> {
    let before = |path: &Path| {
        let path = path.to_owned();
        move |source| SwapError::Before { path, source }
    };
    let mut dirs = Vec::new();
    directories(dir, &mut dirs).map_err(before(dir))?;
    for d in &dirs {
        ops.can_empty(d).map_err(before(d))?;
    }
    let old = match ops.exchange(staged, dir) {
        Ok(()) => staged,
        Err(e) if e.kind() == io::ErrorKind::Unsupported => {
            ops.rename(dir, aside).map_err(before(dir))?;
            if let Err(e) = ops.rename(staged, dir) {
                // Put the previous tree back. Should that fail too, the output path is
                // missing and the previous tree is at `aside`: say so, not "as it was".
                return Err(match ops.rename(aside, dir) {
                    Ok(()) => SwapError::Before {
                        path: dir.to_owned(),
                        source: e,
                    },
                    Err(_) => SwapError::After {
                        what: "the output directory could not be put back; the previous output is at",
                        path: aside.to_owned(),
                        source: e,
                    },
                });
            }
            aside
        }
        Err(e) => return Err(before(dir)(e)),
    };
    ops.remove_tree(old).map_err(|source| SwapError::After {
        what: "the new output is in place, but the previous one could not be removed; remove it by hand:",
        path: old.to_owned(),
        source,
    })?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    ops.sync_dir(parent).map_err(|source| SwapError::After {
        what: "the new output is in place, but the file system could not make it durable:",
        path: parent.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// The real filesystem, with call number `fail_at` failing (and, if `no_exchange`, no
    /// exchange at all).
    struct Faulty {
        calls: Cell<usize>,
        fail_at: usize,
        no_exchange: bool,
    }

    impl Faulty {
        fn call(&self) -> io::Result<()> {
            let n = self.calls.get();
            self.calls.set(n + 1);
            if n == self.fail_at {
                Err(io::Error::other(format!("injected failure of call {n}")))
            } else {
                Ok(())
            }
        }
    }

    impl Ops for Faulty {
        fn can_empty(&self, dir: &Path) -> io::Result<()> {
            self.call()?;
            Real.can_empty(dir)
        }
        fn exchange(&self, a: &Path, b: &Path) -> io::Result<()> {
            if self.no_exchange {
                return Err(io::Error::from(io::ErrorKind::Unsupported));
            }
            self.call()?;
            Real.exchange(a, b)
        }
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.call()?;
            Real.rename(from, to)
        }
        fn remove_tree(&self, dir: &Path) -> io::Result<()> {
            self.call()?;
            Real.remove_tree(dir)
        }
        fn sync_dir(&self, dir: &Path) -> io::Result<()> {
            self.call()?;
            Real.sync_dir(dir)
        }
    }

    fn tree(root: &Path, files: &[(&str, &str)]) {
        for (path, text) in files {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    fn read_tree(root: &Path) -> Vec<(String, String)> {
        let mut dirs = Vec::new();
        directories(root, &mut dirs).unwrap();
        let mut files: Vec<(String, String)> = dirs
            .iter()
            .flat_map(|d| fs::read_dir(d).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                (rel, fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    const OLD: &[(&str, &str)] = &[("RUNBOOK.md", "a"), ("db1/x.conf", "a1"), ("db2/y", "a2")];
    const NEW: &[(&str, &str)] = &[("RUNBOOK.md", "b"), ("db1/x.conf", "b1")];

    /// Each call of the swap fails in turn: the output is either the old tree with nothing
    /// left beside it (the error says nothing changed) or the new one (the error, if any,
    /// says it is in place); never a mix, never a missing output.
    #[test]
    fn every_failure_leaves_one_whole_tree() {
        for no_exchange in [false, true] {
            for fail_at in 0.. {
                let tmp = tempfile::tempdir().unwrap();
                let (dir, staged, aside) = (
                    tmp.path().join("out"),
                    tmp.path().join(".out.new"),
                    tmp.path().join(".out.old"),
                );
                tree(&dir, OLD);
                tree(&staged, NEW);
                let ops = Faulty {
                    calls: Cell::new(0),
                    fail_at,
                    no_exchange,
                };
                let result = swap(&ops, &staged, &dir, &aside);
                let got = read_tree(&dir);
                let want = |files: &[(&str, &str)]| -> Vec<(String, String)> {
                    let mut v: Vec<_> = files
                        .iter()
                        .map(|(p, t)| (p.to_string(), t.to_string()))
                        .collect();
                    v.sort();
                    v
                };
                let what = format!("failure at call {fail_at} (exchange: {})", !no_exchange);
                match &result {
                    Err(SwapError::Before { .. }) => {
                        assert_eq!(got, want(OLD), "{what}: not as it was");
                        assert!(!aside.exists(), "{what}: left {}", aside.display());
                    }
                    Ok(()) | Err(SwapError::After { .. }) => {
                        assert_eq!(got, want(NEW), "{what}: not the new tree")
                    }
                }
                if result.is_ok() {
                    assert!(!aside.exists() && !staged.exists(), "{what}: leftovers");
                    assert!(
                        fail_at >= ops.calls.get(),
                        "{what}: a failure went unreported"
                    );
                    break;
                }
            }
        }
    }

    /// A directory of the previous tree this process cannot empty stops the swap before it
    /// starts (as a normal user after `chown root out/db1`).
    #[test]
    fn a_directory_that_cannot_be_emptied_stops_the_swap() {
        struct Locked(PathBuf);
        impl Ops for Locked {
            fn can_empty(&self, dir: &Path) -> io::Result<()> {
                if dir == self.0 {
                    Err(io::Error::from(io::ErrorKind::PermissionDenied))
                } else {
                    Real.can_empty(dir)
                }
            }
            fn exchange(&self, a: &Path, b: &Path) -> io::Result<()> {
                Real.exchange(a, b)
            }
            fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
                Real.rename(from, to)
            }
            fn remove_tree(&self, dir: &Path) -> io::Result<()> {
                Real.remove_tree(dir)
            }
            fn sync_dir(&self, dir: &Path) -> io::Result<()> {
                Real.sync_dir(dir)
            }
        }
        let tmp = tempfile::tempdir().unwrap();
        let (dir, staged) = (tmp.path().join("out"), tmp.path().join(".out.new"));
        tree(&dir, OLD);
        tree(&staged, NEW);
        let r = swap(
            &Locked(dir.join("db1")),
            &staged,
            &dir,
            &tmp.path().join(".out.old"),
        );
        match r {
            Err(SwapError::Before { path, .. }) => assert_eq!(path, dir.join("db1")),
            other => panic!("{other:?}"),
        }
        assert_eq!(fs::read_to_string(dir.join("RUNBOOK.md")).unwrap(), "a");
    }
}
