//! What each subcommand does, one file and one clap `Args` per subcommand, returning an exit
//! code (`cli` parses and dispatches); printing happens here, at the edge. `topology_file`
//! reads a topology and prints its diagnostics for the commands that take one (check, gen,
//! lint --topology).

pub mod check;
pub mod completions;
pub mod explain;
pub mod generate;
pub mod hba;
pub mod lint;
pub mod man;
pub mod param;
pub mod rules;
pub mod schema;
pub mod settings;
mod topology_file;

/// Table or JSON, for the commands that print rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Prints rows as an aligned table with a header, like psql, and a row count.
pub(crate) fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: Vec<&str>| {
        let padded: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join(" | ").trim_end());
    };
    line(header.to_vec());
    println!(
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-+-")
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    println!(
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
