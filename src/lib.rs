//! pgrepl: declarative, checked PostgreSQL streaming-replication setup.
//!
//! Data flows one way. Gen: topology text → validated model (`topology`) → plan of artifacts
//! (`render`) → files. Lint: paths → clusters (`lint::discover`) → parsed files (`pgconf`) →
//! rules (`lint::rules`) → findings → a reporter (`report`). `pgconf` (the file formats) and
//! `catalog` (what differs between majors) are shared by both and know neither; `cli` and
//! `commands` are the edge, where arguments are read and output printed.

pub mod ansible;
pub mod catalog;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod diagnose;
pub mod exit;
#[doc(hidden)]
pub mod fuzz;
pub mod input;
pub mod lines;
pub mod lint;
pub mod parallel;
pub mod pgconf;
pub mod plan;
pub mod render;
pub mod report;
pub mod suggest;
pub mod topology;
