//! The `pgrepl` binary: parse the command line, run, exit with the command's code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Output piped into `head` and the like: end quietly when the reader goes away, as Unix
    // tools do, instead of panicking on the broken pipe (Rust ignores SIGPIPE by default).
    // SAFETY: setting a signal's disposition to its default before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match pgrepl::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                pgrepl::exit::Exit::Usage.into()
            } else {
                pgrepl::exit::Exit::Ok.into()
            };
        }
    };
    cli.run().into()
}
