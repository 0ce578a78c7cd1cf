//! PostgreSQL configuration-file knowledge shared by the generator and the linter.

pub mod quote;
pub mod units;
