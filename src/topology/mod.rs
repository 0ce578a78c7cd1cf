//! The topology file: model, loading with spans, validation.
//!
//! Flow: TOML text → spanned tree (`doc`) → structural check against the schema of `model`
//! (`structure`) → serde into `model::Topology` → semantic checks (`validate`) →
//! `valid::ValidTopology`, or every diagnostic found on the way.

pub mod doc;
pub mod model;
pub mod structure;
pub mod valid;
pub mod validate;

use crate::diag::Diagnostic;

pub use valid::ValidTopology;

/// The result of loading a topology: the validated model when there is no error, and every
/// diagnostic (errors and warnings) in file order.
pub struct Loaded {
    pub topology: Option<ValidTopology>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads and validates topology text.
pub fn load(source: &str) -> Loaded {
    let failed = |diagnostics| Loaded {
        topology: None,
        diagnostics,
    };
    let parsed = match doc::Doc::parse(source) {
        Ok(d) => d,
        Err(errors) => {
            let mut diags: Vec<Diagnostic> = errors.iter().map(syntax_diagnostic).collect();
            crate::diag::sort_and_dedup(&mut diags);
            return failed(diags);
        }
    };
    let mut diags = structure::check(&parsed, &model::json_schema());
    if !diags.is_empty() {
        crate::diag::sort_and_dedup(&mut diags);
        return failed(diags);
    }
    let topo: model::Topology =
        match serde::Deserialize::deserialize(toml::de::Deserializer::from(parsed.root.clone())) {
            Ok(t) => t,
            // The structural check mirrors serde's rules; if they ever disagree, still say
            // exactly what serde said, where it said it.
            Err(e) => return failed(vec![syntax_diagnostic(&e)]),
        };
    let (topology, diagnostics) = validate::validate(&topo, &parsed);
    Loaded {
        topology,
        diagnostics,
    }
}

fn syntax_diagnostic(e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim().to_owned();
    let mut d = Diagnostic::error("topology::syntax", format!("invalid TOML: {message}"));
    if let Some(span) = e.span() {
        d = d.label(span, "here");
    }
    d.help(
        "see https://toml.io for the syntax; strings need double quotes, e.g. host = \"10.0.0.1\"",
    )
}
