//! Would the server accept this value for this parameter? The server's own rules, per major:
//! booleans by unique prefix, integers in decimal, hex or (leading 0) octal, units with
//! optional blanks around them, fractions and `us` from 12, the `B` unit from 11, ranges in
//! the base unit, enums case-insensitively including spellings pg_settings does not list.

use super::params::{Param, ParamType};
pub use super::value_error::ValueError;

/// How a major parses numbers (measured on the real binaries, see the tests).
#[derive(Debug, Clone, Copy)]
pub struct NumberRules {
    pub major: u32,
    /// `1.5MB`, `1e3` for integers; `us` as a time unit; units on real parameters (12+).
    pub fractions: bool,
    /// The `B` memory unit (11+).
    pub byte_unit: bool,
}

impl NumberRules {
    pub fn for_major(major: u32) -> NumberRules {
        NumberRules {
            major,
            fractions: major >= 12,
            byte_unit: major >= 11,
        }
    }
}

/// The server's boolean parser: case-insensitive unique prefixes of true/false/yes/no, and
/// on/off (at least two letters), 1, 0. Blanks are not trimmed: `' on '` is refused.
pub fn parse_bool(text: &str) -> Option<bool> {
    let v = text.to_ascii_lowercase();
    if v.is_empty() {
        return None;
    }
    let prefix_of = |word: &str| word.starts_with(v.as_str());
    match v.as_bytes()[0] {
        b't' if prefix_of("true") => Some(true),
        b'f' if prefix_of("false") => Some(false),
        b'y' if prefix_of("yes") => Some(true),
        b'n' if prefix_of("no") => Some(false),
        b'o' if v.len() >= 2 && prefix_of("on") => Some(true),
        b'o' if v.len() >= 2 && prefix_of("off") => Some(false),
        b'1' if v.len() == 1 => Some(true),
        b'0' if v.len() == 1 => Some(false),
        _ => None,
    }
}

/// C's strtol(…, 0) on the start of `s`: the value and the bytes used (0 = no number).
/// Leading blanks and a sign are allowed; `0x` is hex, a leading `0` octal.
fn strtol(s: &str) -> (Option<i128>, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let neg = match b.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (radix, digits_start) = if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
    {
        (16, i + 2)
    } else if b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let mut j = digits_start;
    let mut val: i128 = 0;
    while j < b.len() && (b[j] as char).is_digit(radix) {
        val = val
            .saturating_mul(radix as i128)
            .saturating_add((b[j] as char).to_digit(radix).unwrap_or(0) as i128);
        j += 1;
    }
    if j == digits_start {
        return (None, 0);
    }
    (Some(if neg { -val } else { val }), j)
}

/// C's strtod on the start of `s`: decimal floats with exponent, plus inf/nan words.
fn strtod(s: &str) -> (Option<f64>, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    let start = i;
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let lower = s[i..].to_ascii_lowercase();
    // C99 strtod also reads hexadecimal: 0x10, 0x1.8p3.
    if lower.starts_with("0x")
        && lower[2..].starts_with(|c: char| c.is_ascii_hexdigit() || c == '.')
    {
        let (v, n) = hex_float(&lower[2..]);
        if n > 0 {
            let v = if b[start] == b'-' { -v } else { v };
            return (Some(v), i + 2 + n);
        }
    }
    for word in ["infinity", "inf", "nan"] {
        if lower.starts_with(word) {
            let end = i + word.len();
            return (
                s[start..end]
                    .to_ascii_lowercase()
                    .replace("infinity", "inf")
                    .parse()
                    .ok(),
                end,
            );
        }
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == digits_start || (i == digits_start + 1 && b[digits_start] == b'.') {
        return (None, 0);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut k = i + 1;
        if matches!(b.get(k), Some(b'-' | b'+')) {
            k += 1;
        }
        if b.get(k).is_some_and(u8::is_ascii_digit) {
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            i = k;
        }
    }
    (s[start..i].parse().ok(), i)
}

/// A hexadecimal float after `0x`: digits, optional `.digits`, optional `p±exponent`.
fn hex_float(s: &str) -> (f64, usize) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut v = 0f64;
    let mut any = false;
    while i < b.len() && b[i].is_ascii_hexdigit() {
        v = v * 16.0 + f64::from((b[i] as char).to_digit(16).unwrap_or(0));
        i += 1;
        any = true;
    }
    if b.get(i) == Some(&b'.') {
        let mut scale = 1.0 / 16.0;
        i += 1;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            v += f64::from((b[i] as char).to_digit(16).unwrap_or(0)) * scale;
            scale /= 16.0;
            i += 1;
            any = true;
        }
    }
    if !any {
        return (0.0, 0);
    }
    if matches!(b.get(i), Some(b'p' | b'P')) {
        let mut k = i + 1;
        let neg = b.get(k) == Some(&b'-');
        if matches!(b.get(k), Some(b'-' | b'+')) {
            k += 1;
        }
        let digits = k;
        while k < b.len() && b[k].is_ascii_digit() {
            k += 1;
        }
        if k > digits {
            let e: i32 = s[digits..k].parse().unwrap_or(i32::MAX);
            v *= 2f64.powi(if neg { -e } else { e });
            i = k;
        }
    }
    (v, i)
}

/// Size of one `unit` in the parameter's `base` unit, if the major accepts that unit there.
fn unit_factor(unit: &str, base: &str, rules: NumberRules) -> Option<f64> {
    const KB: f64 = 1024.0;
    let memory_kb = |u: &str| -> Option<f64> {
        Some(match u {
            "B" if rules.byte_unit => 1.0 / KB,
            "kB" => 1.0,
            "MB" => KB,
            "GB" => KB * KB,
            "TB" => KB * KB * KB,
            _ => return None,
        })
    };
    let time_ms = |u: &str| -> Option<f64> {
        Some(match u {
            "us" if rules.fractions => 0.001,
            "ms" => 1.0,
            "s" => 1000.0,
            "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return None,
        })
    };
    match base {
        "B" => memory_kb(unit).map(|f| f * KB),
        "kB" => memory_kb(unit),
        "8kB" => memory_kb(unit).map(|f| f / 8.0),
        "MB" => memory_kb(unit).map(|f| f / KB),
        "ms" => time_ms(unit),
        "s" => time_ms(unit).map(|f| f / 1000.0),
        "min" => time_ms(unit).map(|f| f / 60_000.0),
        _ => None,
    }
}

/// The units the server would list in its hint for this base unit.
fn units_hint(base: &str, rules: NumberRules) -> String {
    let memory = matches!(base, "B" | "kB" | "8kB" | "MB");
    let units: Vec<&str> = if memory {
        let mut u = vec!["kB", "MB", "GB", "TB"];
        if rules.byte_unit {
            u.insert(0, "B");
        }
        u
    } else {
        let mut u = vec!["ms", "s", "min", "h", "d"];
        if rules.fractions {
            u.insert(0, "us");
        }
        u
    };
    let quoted: Vec<String> = units.iter().map(|u| format!("\"{u}\"")).collect();
    let (last, rest) = quoted.split_last().expect("units");
    format!(
        "Valid units for this parameter are {}, and {last}.",
        rest.join(", ")
    )
}

/// A number with an optional unit, in the parameter's base unit. The largest unit table
/// rounds a fraction to the next smaller unit (`30.1GB`), as the server does.
fn parse_number(
    text: &str,
    param: &Param,
    rules: NumberRules,
    integer: bool,
) -> Result<f64, ValueError> {
    let invalid = |hint: Option<String>| ValueError::Invalid { hint };
    let (mut val, mut used) = if integer {
        let (v, n) = strtol(text);
        (v.map(|v| v as f64), n)
    } else {
        strtod(text)
    };
    let rest_starts_float = matches!(text.as_bytes().get(used), Some(b'.' | b'e' | b'E'));
    if integer
        && rules.fractions
        && (rest_starts_float || val.is_some_and(|v| v.abs() > i64::MAX as f64))
    {
        (val, used) = strtod(text);
    }
    let Some(mut val) = val else {
        return Err(invalid(None));
    };
    if val.is_nan() {
        return Err(invalid(None));
    }
    let rest = text[used..].trim_start();
    if !rest.is_empty() {
        let base = param.unit.as_deref().filter(|_| integer || rules.fractions);
        let Some(base) = base else {
            return Err(invalid(None));
        };
        let unit = rest.trim_end();
        // The server reads at most a few unit characters, then allows only blanks.
        if unit.contains(char::is_whitespace) {
            return Err(invalid(Some(units_hint(base, rules))));
        }
        let Some(factor) = unit_factor(unit, base, rules) else {
            return Err(invalid(Some(units_hint(base, rules))));
        };
        val *= factor;
        if rules.fractions {
            // Round to the next smaller unit, where the value came with a fraction.
            if let Some(smaller) = smaller_unit(unit, base, rules) {
                val = (val / smaller).round() * smaller;
            }
        } else if integer {
            // Before 12 the conversion is integer arithmetic: it truncates.
            val = val.trunc();
        }
    } else if integer && !rules.fractions && rest_starts_float {
        return Err(invalid(None));
    }
    if integer {
        val = val.round_ties_even();
        if val > i32::MAX as f64 || val < i32::MIN as f64 {
            return Err(invalid(Some("Value exceeds integer range.".into())));
        }
    }
    Ok(val)
}

/// The factor of the unit just below `unit` in the same table, in base units.
fn smaller_unit(unit: &str, base: &str, rules: NumberRules) -> Option<f64> {
    let order: &[&str] = if matches!(base, "B" | "kB" | "8kB" | "MB") {
        &["TB", "GB", "MB", "kB", "B"]
    } else {
        &["d", "h", "min", "s", "ms", "us"]
    };
    let i = order.iter().position(|u| *u == unit)?;
    order.get(i + 1).and_then(|u| unit_factor(u, base, rules))
}

/// Limits the server's check hooks add to the ranges pg_settings shows.
fn check_hooks(param: &Param, val: f64, rules: NumberRules) -> Result<f64, ValueError> {
    // Values from 0 up to a floor are raised to it (check_autovacuum_work_mem): 1MB, 64kB
    // from 17; -1 means "use maintenance_work_mem".
    let floor = if rules.major >= 17 { 64.0 } else { 1024.0 };
    if param.name == "autovacuum_work_mem" && val >= 0.0 && val < floor {
        return Ok(floor);
    }
    // The backend slots together must fit in MAX_BACKENDS; with the others at their
    // defaults, this bounds each one below the maximum pg_settings shows.
    let summed = backend_slot_params(rules);
    if summed.contains(&param.name.as_str()) {
        let others: f64 = summed
            .iter()
            .filter(|n| **n != param.name)
            .filter_map(|n| BACKEND_SLOT_DEFAULTS.iter().find(|(d, _)| d == n))
            .map(|(_, d)| *d)
            .sum();
        let limit = MAX_BACKENDS - others - 1.0;
        if val > limit {
            return Err(ValueError::OutOfRange {
                value: val,
                min: param.min.unwrap_or(0.0),
                max: limit,
            });
        }
    }
    Ok(val)
}

/// The server's limit on backend slots.
const MAX_BACKENDS: f64 = 262_143.0;
const BACKEND_SLOT_DEFAULTS: [(&str, f64); 4] = [
    ("max_connections", 100.0),
    ("autovacuum_max_workers", 3.0),
    ("max_worker_processes", 8.0),
    ("max_wal_senders", 10.0),
];

/// Which settings a check hook sums against MAX_BACKENDS when the file is read (measured:
/// tests/catalog_real.rs): WAL senders join in 12; 18 checks none while reading the file
/// (its limit is applied later, at startup, which `postgres -C` does not reach).
fn backend_slot_params(rules: NumberRules) -> &'static [&'static str] {
    match rules.major {
        ..=11 => &[
            "max_connections",
            "autovacuum_max_workers",
            "max_worker_processes",
        ],
        12..=17 => &[
            "max_connections",
            "autovacuum_max_workers",
            "max_worker_processes",
            "max_wal_senders",
        ],
        _ => &[],
    }
}

/// Checks `text` for `param` the way the server would, returning the value as
/// pg_settings.setting would show it (base unit, canonical enum/boolean spelling).
pub fn check(param: &Param, text: &str, rules: NumberRules) -> Result<String, ValueError> {
    match param.ty {
        ParamType::String => Ok(text.to_owned()),
        ParamType::Bool => parse_bool(text)
            .map(|b| if b { "on" } else { "off" }.to_owned())
            .ok_or_else(|| ValueError::Invalid {
                hint: Some(format!(
                    "parameter \"{}\" requires a Boolean value",
                    param.name
                )),
            }),
        ParamType::Enum => {
            let v = text;
            if let Some(found) = param.enum_values.iter().find(|e| e.eq_ignore_ascii_case(v)) {
                return Ok(found.clone());
            }
            if let Some((_, meaning)) = param
                .enum_aliases
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(v))
            {
                return Ok(meaning.clone());
            }
            Err(ValueError::NotInEnum {
                allowed: param.enum_values.clone(),
            })
        }
        ParamType::Integer | ParamType::Real => {
            let integer = param.ty == ParamType::Integer;
            let mut val = parse_number(text, param, rules, integer)?;
            let (min, max) = (param.min.unwrap_or(f64::MIN), param.max.unwrap_or(f64::MAX));
            if val < min || val > max {
                return Err(ValueError::OutOfRange {
                    value: val,
                    min,
                    max,
                });
            }
            val = check_hooks(param, val, rules)?;
            Ok(if integer {
                format!("{}", val as i64)
            } else {
                format!("{val}")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_like_the_server() {
        for (t, want) in [
            ("on", Some(true)),
            ("OF", Some(false)),
            ("o", None),
            ("t", Some(true)),
            ("tru", Some(true)),
            ("truth", None),
            ("y", Some(true)),
            ("1", Some(true)),
            ("01", None),
            (" off ", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(t), want, "{t:?}");
        }
    }

    #[test]
    fn numbers_like_the_server() {
        let p16 = super::super::params::params(16).unwrap();
        let p10 = super::super::params::params(10).unwrap();
        let (r16, r10) = (NumberRules::for_major(16), NumberRules::for_major(10));
        let work_mem = p16.get("work_mem").unwrap();
        assert_eq!(check(work_mem, "64MB", r16).unwrap(), "65536");
        assert_eq!(check(work_mem, " 64 MB ", r16).unwrap(), "65536");
        assert_eq!(check(work_mem, "0x100", r16).unwrap(), "256");
        assert!(
            matches!(check(work_mem, "010", r16), Err(ValueError::OutOfRange { value, .. }) if value == 8.0)
        );
        assert_eq!(check(work_mem, "1.5MB", r16).unwrap(), "1536");
        assert!(check(work_mem, "64mb", r16).is_err());
        assert!(check(p10.get("work_mem").unwrap(), "1.5MB", r10).is_err());
        assert!(check(p10.get("work_mem").unwrap(), "1048576B", r10).is_err());
        let timeout = p16.get("statement_timeout").unwrap();
        assert_eq!(check(timeout, "1.5s", r16).unwrap(), "1500");
        assert_eq!(check(timeout, "1000us", r16).unwrap(), "1");
        let max_conn = p16.get("max_connections").unwrap();
        assert_eq!(check(max_conn, "1e2", r16).unwrap(), "100");
        assert!(check(max_conn, "100kB", r16).is_err(), "no unit allowed");
        let wal_level = p16.get("wal_level").unwrap();
        assert_eq!(check(wal_level, "Hot_Standby", r16).unwrap(), "replica");
        assert!(check(wal_level, "on", r16).is_err());
    }
}
