//! PostgreSQL configuration-file knowledge shared by the generator and the linter.

pub mod block;
pub mod cluster_files;
pub mod conf;
pub mod file_kind;
pub mod file_settings;
pub mod hba;
pub mod patch;
pub mod quote;
pub mod units;
