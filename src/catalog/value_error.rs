//! How a value the server refuses is described: the server's own words where they are
//! clear, sizes in words where they are not ("8 blocks of 8kB (64kB)", not "8 8kB").

use super::params::Param;

/// Why the server would refuse a value; the text matches what it logs where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueError {
    /// Not a value of this type at all; `hint` as the server's HINT.
    Invalid { hint: Option<String> },
    /// Parsed, but outside `min..=max` (in the parameter's base unit).
    OutOfRange { value: f64, min: f64, max: f64 },
    /// Not one of the enum's values.
    NotInEnum { allowed: Vec<String> },
}

impl ValueError {
    /// One line, as a person needs it.
    pub fn describe(&self, param: &Param) -> String {
        let unit = param
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        match self {
            ValueError::Invalid { hint: Some(h) } => {
                format!("invalid value for {}: {h}", param.name)
            }
            ValueError::Invalid { hint: None } => {
                format!("invalid value for {} ({})", param.name, param.ty.as_str())
            }
            // A unit of several kB (8kB blocks, 16MB segments): "8 8kB" reads as a typo,
            // so the count of blocks is said, and how much memory that is.
            ValueError::OutOfRange { value, min, max } => match block_unit(param) {
                Some((kb, u)) => {
                    let (side, bound) = if value < min {
                        ("below the minimum", min)
                    } else {
                        ("above the maximum", max)
                    };
                    format!(
                        "{} = {} is {} blocks of {u} ({}), {side} of {} blocks ({})",
                        param.name,
                        fmt_num(*value),
                        fmt_num(*value),
                        fmt_kb(*value * kb),
                        fmt_num(*bound),
                        fmt_kb(*bound * kb)
                    )
                }
                None => format!(
                    "{}{unit} is outside the valid range for {} ({} .. {}{unit})",
                    fmt_num(*value),
                    param.name,
                    fmt_num(*min),
                    fmt_num(*max)
                ),
            },
            ValueError::NotInEnum { allowed } => {
                format!(
                    "invalid value for {}; available values: {}",
                    param.name,
                    allowed.join(", ")
                )
            }
        }
    }
}

/// A unit that is a number of kB (`8kB`, `16MB`): its size in kB and its name.
fn block_unit(param: &Param) -> Option<(f64, &str)> {
    let u = param.unit.as_deref()?;
    let digits = u.len() - u.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let n: f64 = u[..digits].parse().ok()?;
    let kb = match &u[digits..] {
        "kB" => 1.0,
        "MB" => 1024.0,
        _ => return None,
    };
    Some((n * kb, u))
}

/// An amount of kB as PostgreSQL writes sizes, in the largest unit that keeps it whole; one
/// that stays at 1024 or more of a unit below TB is rounded instead ("about 8TB").
fn fmt_kb(kb: f64) -> String {
    use crate::pgconf::units::{about, in_largest_unit};
    if kb.fract() == 0.0 && kb >= 0.0 {
        let (n, unit) = in_largest_unit(kb as u64);
        if n < 1024 || unit == "TB" {
            return format!("{n}{unit}");
        }
    }
    about(kb)
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod block_tests {
    #[test]
    fn sizes_in_whole_units() {
        assert_eq!(super::fmt_kb(64.0), "64kB");
        assert_eq!(super::fmt_kb(128.0 * 1024.0), "128MB");
        assert_eq!(super::fmt_kb(8.0 * 1073741823.0), "about 8TB");
        assert_eq!(super::fmt_kb(8.0 * 1024.0 * 1024.0 * 1024.0), "8TB");
    }
}
