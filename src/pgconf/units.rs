//! Memory sizes as PostgreSQL reads and shows them.

/// Units PostgreSQL accepts for memory parameters, with their size in kB. Unit names are
/// case-sensitive in the server ("mb" is rejected), so they are here too.
const MEMORY_UNITS_KB: [(&str, u64); 5] = [
    ("TB", 1024 * 1024 * 1024),
    ("GB", 1024 * 1024),
    ("MB", 1024),
    ("kB", 1),
    ("B", 0),
];

/// Parses a size whose base unit is MB (e.g. `wal_keep_size`): `"64MB"`, `"1 GB"`, `"64"`.
/// Sizes that are not a whole number of megabytes are refused rather than rounded.
pub fn parse_megabytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits_end);
    if number.is_empty() {
        return Err(format!("\"{text}\" does not start with a number"));
    }
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{number}\" is too large"))?;
    let unit = unit.trim_start();
    let kb = match unit {
        "" => return Ok(n),
        _ => MEMORY_UNITS_KB
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, kb)| *kb)
            .ok_or_else(|| {
                format!("unknown unit \"{unit}\": PostgreSQL accepts B, kB, MB, GB and TB (case matters)")
            })?,
    };
    let total_kb = if unit == "B" {
        if n % (1024 * 1024) != 0 {
            return Err(format!("{text} is not a whole number of megabytes"));
        }
        n / 1024
    } else {
        n.checked_mul(kb)
            .ok_or_else(|| format!("\"{text}\" is too large"))?
    };
    if total_kb % 1024 != 0 {
        return Err(format!("{text} is not a whole number of megabytes"));
    }
    Ok(total_kb / 1024)
}

/// Shows a size in MB the way `SHOW` does: in the largest unit that divides it exactly.
pub fn show_megabytes(mb: u64) -> String {
    if mb == 0 {
        return "0".to_owned();
    }
    let (n, unit) = in_largest_unit(mb * 1024);
    format!("{n}{unit}")
}

/// A size in kB as a count of the largest unit that divides it exactly (kB to TB), as `SHOW`
/// writes sizes: `(128, "MB")` for 131072.
pub fn in_largest_unit(kb: u64) -> (u64, &'static str) {
    MEMORY_UNITS_KB[..4]
        .iter()
        .find(|(_, per)| kb % per == 0)
        .map_or((kb, "kB"), |(unit, per)| (kb / per, *unit))
}

/// A size in kB, rounded, in the largest unit it reaches (kB to TB): "about 8TB".
pub fn about(kb: f64) -> String {
    let (unit, per) = MEMORY_UNITS_KB[..4]
        .iter()
        .find(|(_, per)| kb >= *per as f64)
        .map_or(("kB", 1), |(unit, per)| (*unit, *per));
    format!("about {}{unit}", (kb / per as f64).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_like_the_server() {
        assert_eq!(parse_megabytes("64MB"), Ok(64));
        assert_eq!(parse_megabytes("64"), Ok(64));
        assert_eq!(parse_megabytes("1 GB"), Ok(1024));
        assert_eq!(parse_megabytes("2048kB"), Ok(2));
        assert_eq!(parse_megabytes("1TB"), Ok(1024 * 1024));
        assert!(
            parse_megabytes("64mb")
                .unwrap_err()
                .contains("case matters")
        );
        assert!(
            parse_megabytes("1000kB")
                .unwrap_err()
                .contains("whole number")
        );
        assert!(parse_megabytes("MB").is_err());
        assert!(parse_megabytes("99999999999999999999").is_err());
    }

    #[test]
    fn shows_like_the_server() {
        assert_eq!(show_megabytes(64), "64MB");
        assert_eq!(show_megabytes(1024), "1GB");
        assert_eq!(show_megabytes(1536), "1536MB");
        assert_eq!(show_megabytes(2 * 1024 * 1024), "2TB");
        assert_eq!(show_megabytes(0), "0");
    }
}
