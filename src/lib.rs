//! pgrepl: declarative, checked PostgreSQL streaming-replication setup.
//!
//! Data flows one way: topology text → validated model (`topology`) → plan of artifacts
//! (`render`) → files. `pgconf` and `catalog` hold PostgreSQL knowledge shared by all.

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod exit;
#[doc(hidden)]
pub mod fuzz;
pub mod lint;
pub mod parallel;
pub mod pgconf;
pub mod render;
pub mod report;
pub mod topology;
