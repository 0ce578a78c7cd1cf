//! Every parameter of every major 10–18, as the real servers describe them.
//!
//! The tables are `data/pg<major>.tsv`, written by `scripts/extract-catalog.sh` from each
//! server's own pg_settings (plus the enum spellings it accepts but does not list), committed
//! so that pgrepl needs no PostgreSQL at run time. They are parsed once, on first use.

use std::sync::OnceLock;

use super::{Context, NEWEST, OLDEST};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Bool,
    Integer,
    Real,
    String,
    Enum,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Bool => "bool",
            ParamType::Integer => "integer",
            ParamType::Real => "real",
            ParamType::String => "string",
            ParamType::Enum => "enum",
        }
    }
}

/// One parameter in one major.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ParamType,
    pub context: Context,
    /// pg_settings.unit: `B`, `kB`, `8kB`, `MB`, `ms`, `s`, `min`, or none.
    pub unit: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The values pg_settings lists.
    pub enum_values: Vec<String>,
    /// Spellings the server also accepts, with the value each one means.
    pub enum_aliases: Vec<(String, String)>,
    /// The compiled-in default (pg_settings.boot_val), in the base unit.
    pub default: String,
}

impl Param {
    /// Whether changing it takes a restart (else a reload, or it cannot be set at all).
    pub fn needs_restart(&self) -> bool {
        self.context == Context::Postmaster
    }
}

/// The parameters of one major.
#[derive(Debug)]
pub struct MajorParams {
    pub major: u32,
    /// The release the table was taken from, e.g. `16.14`.
    pub release: String,
    params: Vec<Param>,
    /// Looked up for every setting by several rules: FxHash, not SipHash (the names are the
    /// catalogue's own, nothing an attacker chooses to collide).
    by_name: rustc_hash::FxHashMap<String, usize>,
}

impl MajorParams {
    /// A parameter by name, case-insensitively as the server matches names.
    pub fn get(&self, name: &str) -> Option<&Param> {
        // Names are almost always written in lowercase: no copy for those.
        let i = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.by_name.get(&name.to_ascii_lowercase())
        } else {
            self.by_name.get(name)
        };
        i.map(|&i| &self.params[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.params.iter()
    }

    pub fn len(&self) -> usize {
        self.params.len()
    }

    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

const DATA: [&str; 9] = [
    include_str!("data/pg10.tsv"),
    include_str!("data/pg11.tsv"),
    include_str!("data/pg12.tsv"),
    include_str!("data/pg13.tsv"),
    include_str!("data/pg14.tsv"),
    include_str!("data/pg15.tsv"),
    include_str!("data/pg16.tsv"),
    include_str!("data/pg17.tsv"),
    include_str!("data/pg18.tsv"),
];

fn parse_context(s: &str) -> Context {
    match s {
        "internal" => Context::Internal,
        "postmaster" => Context::Postmaster,
        "sighup" => Context::Sighup,
        "superuser-backend" => Context::SuperuserBackend,
        "backend" => Context::Backend,
        "superuser" => Context::Superuser,
        _ => Context::User,
    }
}

fn parse_table(major: u32, text: &str) -> MajorParams {
    let release = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# PostgreSQL "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("")
        .to_owned();
    let mut params = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let [
            name,
            ty,
            context,
            unit,
            min,
            max,
            enumvals,
            aliases,
            default,
        ] = f[..]
        else {
            panic!("catalog pg{major}.tsv: malformed line {line:?}");
        };
        let list = |s: &str| -> Vec<String> {
            s.split(',')
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        };
        params.push(Param {
            name: name.to_owned(),
            ty: match ty {
                "bool" => ParamType::Bool,
                "integer" => ParamType::Integer,
                "real" => ParamType::Real,
                "enum" => ParamType::Enum,
                _ => ParamType::String,
            },
            context: parse_context(context),
            unit: (!unit.is_empty()).then(|| unit.to_owned()),
            min: min.parse().ok(),
            max: max.parse().ok(),
            enum_values: list(enumvals),
            enum_aliases: list(aliases)
                .into_iter()
                .filter_map(|a| a.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
                .collect(),
            default: default.to_owned(),
        });
    }
    let by_name = params
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.to_ascii_lowercase(), i))
        .collect();
    MajorParams {
        major,
        release,
        params,
        by_name,
    }
}

/// The parameter table of a supported major.
pub fn params(major: u32) -> Option<&'static MajorParams> {
    static TABLES: OnceLock<Vec<MajorParams>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        (OLDEST..=NEWEST)
            .zip(DATA)
            .map(|(m, text)| parse_table(m, text))
            .collect()
    });
    tables.iter().find(|t| t.major == major)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_hold_known_facts() {
        let counts: Vec<usize> = (OLDEST..=NEWEST)
            .map(|m| params(m).unwrap().len())
            .collect();
        assert_eq!(counts, [271, 291, 316, 331, 346, 353, 362, 378, 398]);
        let p16 = params(16).unwrap();
        assert_eq!(p16.release, "16.14");
        let wal_level = p16.get("WAL_LEVEL").unwrap();
        assert_eq!(wal_level.context, Context::Postmaster);
        assert!(
            wal_level
                .enum_aliases
                .contains(&("hot_standby".into(), "replica".into()))
        );
        let wks = p16.get("wal_keep_size").unwrap();
        assert_eq!(
            (wks.unit.as_deref(), wks.max),
            (Some("MB"), Some(2147483647.0))
        );
        assert!(params(12).unwrap().get("wal_keep_size").is_none());
        assert!(params(12).unwrap().get("wal_keep_segments").is_some());
    }
}
