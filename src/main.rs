use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
    pgrepl::commands::run(cli).into()
}
