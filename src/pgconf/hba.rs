//! pg_hba.conf, read as the server reads it, into the rows of its `pg_hba_file_rules` view,
//! and first-match evaluation of a connection against the records.
//!
//! Fields are separated by blanks; a field is a comma-separated list of tokens; double
//! quotes protect blanks, commas and `#` (and make keywords such as `all` plain names; two
//! double quotes inside quotes are one). `@file` tokens are read from a file next to
//! pg_hba.conf. A record is `type database user [address [mask]] method [options]`; the
//! first problem decides the line's error. Some problems only make a record unable to match
//! (hostssl without SSL): the row keeps its columns and carries the error.

use std::borrow::Cow;
use std::net::IpAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// What the server was built with and runs with; it decides some errors.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    pub major: u32,
    /// `ssl = on` (hostssl records can match).
    pub ssl: bool,
    pub gssapi: bool,
    pub ldap: bool,
    pub pam: bool,
    pub radius: bool,
}

impl Features {
    /// A distribution build of `major`, with SSL as `conf` says (the server's default is
    /// off); without a postgresql.conf, hostssl records are assumed able to match.
    pub fn for_config(major: u32, conf: Option<&super::file_settings::FileSettings>) -> Features {
        let mut f = Features::distribution(major);
        if let Some(c) = conf {
            f.ssl = c
                .effective("ssl")
                .and_then(|r| {
                    r.setting
                        .as_deref()
                        .and_then(crate::catalog::values::parse_bool)
                })
                .unwrap_or(false);
        }
        f
    }

    /// A distribution build (Debian, RHEL) of `major` with SSL on.
    pub fn distribution(major: u32) -> Features {
        Features {
            major,
            ssl: true,
            gssapi: true,
            ldap: true,
            pam: true,
            radius: true,
        }
    }
}

/// One row of `pg_hba_file_rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The file of the record: only from 16, where the view has this column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub line_number: usize,
    #[serde(rename = "type")]
    pub conn_type: Option<String>,
    pub database: Option<Vec<String>>,
    pub user_name: Option<Vec<String>>,
    pub address: Option<String>,
    pub netmask: Option<String>,
    pub auth_method: Option<String>,
    pub options: Option<Vec<String>>,
    pub error: Option<String>,
    /// Where the record is (first line to last, byte offsets), for diagnostics.
    #[serde(skip)]
    pub span: Range<usize>,
    #[serde(skip)]
    pub parsed: Option<Record>,
}

impl Rule {
    /// The record's text without its final newline: what a diagnostic underlines.
    pub fn label_span(&self) -> Range<usize> {
        self.span.start..self.span.end.saturating_sub(1).max(self.span.start)
    }
}

/// A token of a field: its text without quotes, and whether any quote was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub quoted: bool,
}

impl Token {
    pub fn is_keyword(&self, kw: &str) -> bool {
        !self.quoted && self.text == kw
    }
}

/// A parsed record, for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub conn_type: String,
    pub databases: Vec<Token>,
    pub users: Vec<Token>,
    pub address: Address,
    pub method: String,
}

impl Record {
    /// Whether the record is for replication connections: only the unquoted keyword
    /// `replication` matches them (`all` does not).
    pub fn is_replication(&self) -> bool {
        self.databases.iter().any(|t| t.is_keyword("replication"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    None,
    All,
    SameHost,
    SameNet,
    Host(String),
    /// An address and its mask; a mask written out need not be contiguous.
    Net {
        addr: IpAddr,
        mask: IpAddr,
    },
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r')
}

/// Splits a logical line into fields of tokens, following the server's token reader.
fn fields(line: &[u8]) -> Vec<Vec<Token>> {
    let mut out: Vec<Vec<Token>> = Vec::new();
    let mut i = 0;
    loop {
        let mut field = Vec::new();
        loop {
            while i < line.len() && is_blank(line[i]) {
                i += 1;
            }
            if i >= line.len() || line[i] == b'#' {
                if !field.is_empty() {
                    out.push(field);
                }
                return out;
            }
            let mut buf = Vec::new();
            let (mut in_quote, mut was_quote, mut saw_quote, mut comma) =
                (false, false, false, false);
            while i < line.len() && (!is_blank(line[i]) || in_quote) {
                let c = line[i];
                i += 1;
                if c == b'#' && !in_quote {
                    i = line.len();
                    break;
                }
                if c == b',' && !in_quote {
                    comma = true;
                    break;
                }
                if c != b'"' || was_quote {
                    buf.push(c);
                }
                was_quote = if in_quote && c == b'"' {
                    !was_quote
                } else {
                    false
                };
                if c == b'"' {
                    in_quote = !in_quote;
                    saw_quote = true;
                }
            }
            if !buf.is_empty() || saw_quote {
                let text = String::from_utf8(buf)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                field.push(Token {
                    text,
                    quoted: saw_quote,
                });
            }
            if !comma {
                break;
            }
        }
        if !field.is_empty() {
            out.push(field);
        }
    }
}

/// The records of a file: logical lines (a backslash at the end of a line continues it,
/// from 14), each with its first line number and byte span.
fn logical_lines(text: &[u8], major: u32) -> Vec<(usize, Range<usize>, Cow<'_, [u8]>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut number = 1;
    while start < text.len() {
        let first = number;
        // Borrowed unless a continuation joins lines (most lines stand alone).
        let mut content: Cow<'_, [u8]> = Cow::Borrowed(&[]);
        let mut pos = start;
        loop {
            let end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
            let mut line = &text[pos..end];
            number += 1;
            let continued = major >= 14 && line.ends_with(b"\\") && end < text.len();
            if continued {
                line = &line[..line.len() - 1];
            }
            if content.is_empty() && pos == start {
                content = Cow::Borrowed(line);
            } else {
                content.to_mut().extend_from_slice(line);
            }
            pos = end + 1;
            if !continued {
                break;
            }
        }
        out.push((first, start..pos.min(text.len()), content));
        start = pos;
    }
    out
}

/// Reads an `@file` list next to pg_hba.conf.
fn expand_at(token: &Token, dir: &Path, major: u32) -> Result<Vec<Token>, String> {
    let path = dir.join(&token.text[1..]);
    let text = std::fs::read(&path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_owned(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_owned(),
            _ => e.to_string(),
        };
        format!("could not open file \"{}\": {reason}", path.display())
    })?;
    Ok(logical_lines(&text, major)
        .into_iter()
        .flat_map(|(_, _, l)| fields(&l).into_iter().flatten())
        .collect())
}

/// The mask of a CIDR prefix length, in the address's family.
fn prefix_mask(addr: &IpAddr, prefix: u8) -> IpAddr {
    match addr {
        IpAddr::V4(_) => {
            let bits: u32 = if prefix == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(prefix))
            };
            IpAddr::V4(bits.into())
        }
        IpAddr::V6(_) => {
            let bits: u128 = if prefix == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(prefix))
            };
            IpAddr::V6(bits.into())
        }
    }
}

fn masked(addr: &IpAddr, mask: &IpAddr) -> Option<u128> {
    match (addr, mask) {
        (IpAddr::V4(a), IpAddr::V4(m)) => Some(u128::from(u32::from(*a) & u32::from(*m))),
        (IpAddr::V6(a), IpAddr::V6(m)) => Some(u128::from(*a) & u128::from(*m)),
        _ => None,
    }
}

struct Parse<'a> {
    features: Features,
    dir: &'a Path,
    /// The first problem (the view shows only one).
    error: Option<String>,
}

impl Parse<'_> {
    /// Records a problem that does not stop the record from being read.
    fn note(&mut self, msg: String) {
        if self.error.is_none() {
            self.error = Some(msg);
        }
    }

    fn expand(&self, field: &[Token]) -> Result<Vec<Token>, String> {
        let mut out = Vec::new();
        for t in field {
            if !t.quoted && t.text.starts_with('@') && t.text.len() > 1 {
                out.extend(expand_at(t, self.dir, self.features.major)?);
            } else {
                out.push(t.clone());
            }
        }
        Ok(out)
    }
}

fn parse_record(p: &mut Parse<'_>, fields: &[Vec<Token>], rule: &mut Rule) -> Result<(), String> {
    // `@file` lists are read for every field, before the record is interpreted.
    let expanded: Vec<Vec<Token>> = fields
        .iter()
        .map(|f| p.expand(f))
        .collect::<Result<_, _>>()?;
    let fields = &expanded[..];
    let f = p.features;
    let mut it = fields.iter();
    let ty = it.next().ok_or("no connection type")?;
    if ty.len() > 1 {
        return Err("multiple values specified for connection type".into());
    }
    let ty = ty[0].text.clone();
    let local = ty == "local";
    match ty.as_str() {
        "local" | "host" | "hostnossl" => {}
        "hostssl" => {
            if !f.ssl {
                p.note("hostssl record cannot match because SSL is disabled".into());
            }
        }
        "hostgssenc" | "hostnogssenc" if f.major >= 12 => {
            if ty == "hostgssenc" && !f.gssapi {
                p.note(
                    "hostgssenc record cannot match because GSSAPI is not supported by this build"
                        .into(),
                );
            }
        }
        _ => return Err(format!("invalid connection type \"{ty}\"")),
    }
    let databases = it
        .next()
        .ok_or("end-of-line before database specification")?
        .clone();
    let users = it
        .next()
        .ok_or("end-of-line before role specification")?
        .clone();
    let mut address = Address::None;
    if !local {
        let field = it
            .next()
            .ok_or("end-of-line before IP address specification")?;
        if field.len() > 1 {
            return Err("multiple values specified for host address".into());
        }
        let tok = &field[0];
        address = if tok.is_keyword("all") {
            Address::All
        } else if tok.is_keyword("samehost") {
            Address::SameHost
        } else if tok.is_keyword("samenet") {
            Address::SameNet
        } else {
            let (host, cidr) = match tok.text.split_once('/') {
                Some((h, c)) => (h, Some(c)),
                None => (tok.text.as_str(), None),
            };
            match (host.parse::<IpAddr>(), cidr) {
                (Err(_), Some(_)) => {
                    return Err(format!(
                        "specifying both host name and CIDR mask is invalid: \"{}\"",
                        tok.text
                    ));
                }
                (Err(_), None) => Address::Host(host.to_owned()),
                (Ok(addr), Some(bits)) => {
                    let max = if addr.is_ipv4() { 32 } else { 128 };
                    match bits.parse::<u8>() {
                        Ok(n) if n <= max && !bits.starts_with('+') => Address::Net {
                            addr,
                            mask: prefix_mask(&addr, n),
                        },
                        _ => return Err(format!("invalid CIDR mask in address \"{}\"", tok.text)),
                    }
                }
                (Ok(addr), None) => {
                    let mask_field = it
                        .next()
                        .ok_or("end-of-line before netmask specification")?;
                    if mask_field.len() > 1 {
                        return Err("multiple values specified for netmask".into());
                    }
                    let mask_text = &mask_field[0].text;
                    let mask: IpAddr = mask_text.parse().map_err(|_| {
                        format!("invalid IP mask \"{mask_text}\": Name or service not known")
                    })?;
                    if mask.is_ipv4() != addr.is_ipv4() {
                        return Err("IP address and mask do not match".into());
                    }
                    Address::Net { addr, mask }
                }
            }
        };
    }
    let method_field = it
        .next()
        .ok_or("end-of-line before authentication method")?;
    if method_field.len() > 1 {
        return Err("multiple values specified for authentication type".into());
    }
    let mut method = method_field[0].text.clone();
    if method == "ident" && local {
        method = "peer".into();
    }
    let supported = match method.as_str() {
        "trust" | "reject" | "md5" | "password" | "scram-sha-256" | "ident" | "peer" | "cert" => {
            true
        }
        "gss" => f.gssapi,
        "ldap" => f.ldap,
        "pam" => f.pam,
        "radius" => f.radius,
        "oauth" if f.major >= 18 => true,
        "sspi" | "bsd" => false,
        _ => return Err(format!("invalid authentication method \"{method}\"")),
    };
    if !supported {
        return Err(format!(
            "invalid authentication method \"{method}\": not supported by this build"
        ));
    }
    if method == "peer" && !local {
        return Err("peer authentication is only supported on local sockets".into());
    }
    if method == "cert" && ty != "hostssl" {
        return Err("cert authentication is only supported on hostssl connections".into());
    }
    let mut map: Option<String> = None;
    let mut clientcert: Option<String> =
        (method == "cert").then(|| if f.major <= 11 { "true" } else { "verify-full" }.to_owned());
    let (mut include_realm, mut krb_realm): (Option<bool>, Option<String>) = (None, None);
    let mut other_options: Vec<String> = Vec::new();
    for field in it {
        for tok in field {
            let Some((name, value)) = tok.text.split_once('=') else {
                return Err(format!(
                    "authentication option not in name=value format: {}",
                    tok.text
                ));
            };
            match name {
                "map" => {
                    if !matches!(method.as_str(), "ident" | "peer" | "gss" | "sspi" | "cert") {
                        return Err("authentication option \"map\" is only valid for authentication methods ident, peer, gssapi, sspi, and cert".into());
                    }
                    map = Some(value.to_owned());
                }
                "clientcert" => {
                    if ty != "hostssl" {
                        return Err("clientcert can only be configured for \"hostssl\" rows".into());
                    }
                    // Until 11 only "1" turns it on (anything else means off); 12 brings
                    // verify-ca / verify-full, with 1 and 0 still spelled until 13, and cert
                    // forcing verify-full; from 14 cert refuses anything else.
                    let v = match (value, f.major) {
                        ("1", ..=11) => "true".to_owned(),
                        (_, ..=11) if method == "cert" => {
                            return Err(
                                "clientcert can not be set to 0 when using \"cert\" authentication"
                                    .into(),
                            );
                        }
                        (_, ..=11) => "no-verify".to_owned(),
                        ("verify-full" | "verify-ca", _) => value.to_owned(),
                        ("1", ..=13) => "verify-ca".to_owned(),
                        ("0", ..=13) if method != "cert" => "no-verify".to_owned(),
                        _ => return Err(format!("invalid value for clientcert: \"{value}\"")),
                    };
                    let v = match (method.as_str(), f.major) {
                        ("cert", 12..=13) => "verify-full".to_owned(),
                        ("cert", 14..) if v != "verify-full" => {
                            return Err("clientcert only accepts \"verify-full\" when using \"cert\" authentication".into());
                        }
                        _ => v,
                    };
                    clientcert = Some(v);
                }
                "include_realm" if matches!(method.as_str(), "gss" | "sspi") => {
                    include_realm =
                        Some(crate::catalog::values::parse_bool(value).ok_or_else(|| {
                            format!("invalid value for include_realm: \"{value}\"")
                        })?);
                }
                "krb_realm" if matches!(method.as_str(), "gss" | "sspi") => {
                    krb_realm = Some(value.to_owned())
                }
                "clientname" if f.major >= 14 => {
                    if ty != "hostssl" {
                        return Err("clientname can only be configured for \"hostssl\" rows".into());
                    }
                    if value != "CN" && value != "DN" {
                        return Err(format!("invalid value for clientname: \"{value}\""));
                    }
                    // The view does not list it.
                }
                _ if method_option(&method, name, f.major) => {
                    // Accepted for its method; value checks and the view's exact rendering of
                    // these are not mirrored (no server build here has LDAP, RADIUS or PAM
                    // beyond 10 to prove them against).
                    other_options.push(format!("{name}={value}"));
                }
                _ => {
                    return Err(format!(
                        "unrecognized authentication option name: \"{name}\""
                    ));
                }
            }
        }
    }
    // The view lists options in a fixed order.
    let mut options = Vec::new();
    if matches!(method.as_str(), "gss" | "sspi") && include_realm.unwrap_or(true) {
        options.push("include_realm=true".to_owned());
    }
    if let Some(m) = map {
        options.push(format!("map={m}"));
    }
    if let Some(cc) = clientcert.filter(|c| c != "no-verify") {
        options.push(format!("clientcert={cc}"));
    }
    if let Some(r) = krb_realm {
        options.push(format!("krb_realm={r}"));
    }
    options.extend(other_options);
    rule.conn_type = Some(ty.clone());
    rule.database = Some(databases.iter().map(|t| t.text.clone()).collect());
    rule.user_name = Some(users.iter().map(|t| t.text.clone()).collect());
    match &address {
        Address::None => {}
        Address::All => rule.address = Some("all".into()),
        Address::SameHost => rule.address = Some("samehost".into()),
        Address::SameNet => rule.address = Some("samenet".into()),
        Address::Host(h) => rule.address = Some(h.clone()),
        Address::Net { addr, mask } => {
            rule.address = Some(addr.to_string());
            rule.netmask = Some(mask.to_string());
        }
    }
    rule.auth_method = Some(method.clone());
    rule.options = (!options.is_empty()).then_some(options);
    rule.parsed = Some(Record {
        conn_type: ty,
        databases,
        users,
        address,
        method,
    });
    Ok(())
}

/// Options a method takes besides map, clientcert, include_realm and krb_realm (by major).
fn method_option(method: &str, name: &str, major: u32) -> bool {
    match method {
        "ldap" => {
            matches!(
                name,
                "ldapserver"
                    | "ldapport"
                    | "ldaptls"
                    | "ldapprefix"
                    | "ldapsuffix"
                    | "ldapbasedn"
                    | "ldapbinddn"
                    | "ldapbindpasswd"
                    | "ldapsearchattribute"
                    | "ldapurl"
            ) || (major >= 11 && matches!(name, "ldapscheme" | "ldapsearchfilter"))
        }
        "radius" => matches!(
            name,
            "radiusservers"
                | "radiussecrets"
                | "radiusports"
                | "radiusidentifiers"
                | "radiusserver"
                | "radiussecret"
                | "radiusport"
                | "radiusidentifier"
        ),
        "pam" => matches!(name, "pamservice" | "pam_use_hostname"),
        "sspi" => matches!(name, "compat_realm" | "upn_username"),
        "oauth" => matches!(
            name,
            "issuer" | "scope" | "validator" | "delegate_ident_mapping"
        ),
        _ => false,
    }
}

/// Every record of a pg_hba.conf text as a `pg_hba_file_rules` row. `dir` is the file's
/// directory (where `@file` lists and included files are looked up).
pub fn rules(text: &[u8], dir: &Path, features: Features) -> Vec<Rule> {
    let mut out = Vec::new();
    collect(text, &dir.join("pg_hba.conf"), features, 0, &mut out);
    out
}

/// Include directives (16+): the kind, if the line is one.
fn include_kind(fields: &[Vec<Token>]) -> Option<&'static str> {
    let first = fields.first()?.first()?;
    if first.quoted || fields[0].len() != 1 {
        return None;
    }
    match first.text.as_str() {
        "include" => Some("include"),
        "include_if_exists" => Some("include_if_exists"),
        "include_dir" => Some("include_dir"),
        _ => None,
    }
}

fn error_rule(
    file: &Path,
    features: Features,
    line_number: usize,
    span: Range<usize>,
    error: String,
) -> Rule {
    Rule {
        file_name: (features.major >= 16).then(|| file.display().to_string()),
        line_number,
        span,
        error: Some(error),
        ..Rule::empty()
    }
}

fn collect(text: &[u8], file: &Path, features: Features, depth: usize, out: &mut Vec<Rule>) {
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    for (number, span, line) in logical_lines(text, features.major) {
        let fields = fields(&line);
        if fields.is_empty() {
            continue;
        }
        if features.major >= 16 {
            if let Some(kind) = include_kind(&fields) {
                let here = |e: String| error_rule(file, features, number, span.clone(), e);
                let [_, arg] = &fields[..] else {
                    out.push(here(format!(
                        "invalid syntax for {kind}: exactly one file or directory name expected"
                    )));
                    continue;
                };
                let target = dir.join(&arg[0].text);
                if depth >= super::file_settings::MAX_DEPTH {
                    out.push(here(format!(
                        "could not open file \"{}\": maximum nesting depth exceeded",
                        target.display()
                    )));
                    continue;
                }
                if kind == "include_dir" {
                    let Ok(entries) = std::fs::read_dir(&target) else {
                        out.push(here(format!(
                            "could not open directory \"{}\"",
                            target.display()
                        )));
                        continue;
                    };
                    let mut names: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| {
                            let n = p
                                .file_name()
                                .map(|n| n.to_string_lossy().into_owned())
                                .unwrap_or_default();
                            !n.starts_with('.') && n.ends_with(".conf") && p.is_file()
                        })
                        .collect();
                    names.sort();
                    for path in names {
                        if let Ok(t) = std::fs::read(&path) {
                            collect(&t, &path, features, depth + 1, out);
                        }
                    }
                    continue;
                }
                match std::fs::read(&target) {
                    Ok(t) => collect(&t, &target, features, depth + 1, out),
                    Err(e)
                        if e.kind() == std::io::ErrorKind::NotFound
                            && kind == "include_if_exists" => {}
                    Err(_) => out.push(here(format!(
                        "could not open file \"{}\": No such file or directory",
                        target.display()
                    ))),
                }
                continue;
            }
        }
        let mut rule = Rule {
            file_name: (features.major >= 16).then(|| file.display().to_string()),
            line_number: number,
            span: span.clone(),
            ..Rule::empty()
        };
        let mut p = Parse {
            features,
            dir: &dir,
            error: None,
        };
        match parse_record(&mut p, &fields, &mut rule) {
            Ok(()) => rule.error = p.error,
            Err(e) => rule = error_rule(file, features, number, span, e),
        }
        out.push(rule);
    }
}

impl Rule {
    fn empty() -> Rule {
        Rule {
            file_name: None,
            line_number: 0,
            conn_type: None,
            database: None,
            user_name: None,
            address: None,
            netmask: None,
            auth_method: None,
            options: None,
            error: None,
            span: 0..0,
            parsed: None,
        }
    }
}

/// Reads a pg_hba.conf file.
pub fn read(path: &Path, features: Features) -> std::io::Result<Vec<Rule>> {
    let text = std::fs::read(path)?;
    let dir: PathBuf = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    Ok(rules(&text, &dir, features))
}

/// A connection to match against the records.
#[derive(Debug, Clone)]
pub struct Connection<'a> {
    /// `local` (Unix socket) or a TCP connection from `source`.
    pub source: Option<IpAddr>,
    pub ssl: bool,
    pub gssenc: bool,
    /// The database, or `replication` for a physical replication connection.
    pub database: &'a str,
    pub replication: bool,
    pub user: &'a str,
}

fn list_matches(tokens: &[Token], value: &str, replication: bool, is_db: bool) -> bool {
    tokens.iter().any(|t| {
        if is_db && t.is_keyword("replication") {
            return replication;
        }
        // A physical replication connection matches only the `replication` keyword.
        if is_db && replication {
            return false;
        }
        if t.is_keyword("all") {
            return true;
        }
        if !t.quoted && t.text.starts_with('/') {
            // Regular expressions are not evaluated here; such a record never matches.
            return false;
        }
        if !is_db && !t.quoted && t.text.starts_with('+') {
            return false; // group membership is not known offline
        }
        t.text == value
    })
}

/// The first record the connection matches (first match wins), if any: the row, or `None`
/// when no record admits it ("no pg_hba.conf entry").
pub fn first_match<'r>(rules: &'r [Rule], conn: &Connection<'_>) -> Option<&'r Rule> {
    rules.iter().find(|r| {
        let Some(rec) = &r.parsed else { return false };
        if r.error.is_some() {
            return false;
        }
        let type_ok = match (rec.conn_type.as_str(), conn.source) {
            ("local", None) => true,
            ("local", Some(_)) | (_, None) => false,
            ("host", Some(_)) => true,
            ("hostssl", Some(_)) => conn.ssl,
            ("hostnossl", Some(_)) => !conn.ssl,
            ("hostgssenc", Some(_)) => conn.gssenc,
            ("hostnogssenc", Some(_)) => !conn.gssenc,
            _ => false,
        };
        let addr_ok = match (&rec.address, conn.source) {
            (Address::None, _) => true,
            (Address::All, _) => true,
            (Address::Net { addr, mask }, Some(src)) => {
                masked(&src, mask).is_some_and(|s| Some(s) == masked(addr, mask))
            }
            // Host names, samehost and samenet need the network; they are not matched here.
            _ => false,
        };
        type_ok
            && addr_ok
            && list_matches(&rec.databases, conn.database, conn.replication, true)
            && list_matches(&rec.users, conn.user, false, false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Rule {
        rules(
            line.as_bytes(),
            Path::new("/nonexistent"),
            Features::distribution(16),
        )
        .remove(0)
    }

    #[test]
    fn tokens_and_quotes() {
        let f = fields(br#"host "all" "a b","x""y",c 10.0.0.0/8 md5 # comment"#);
        assert_eq!(f.len(), 5);
        assert_eq!(
            f[2].iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            ["a b", "x\"y", "c"]
        );
        assert!(f[1][0].quoted);
    }

    #[test]
    fn rows_like_the_view() {
        let r = one("host replication repl 10.0.0.1 255.255.255.255 scram-sha-256");
        assert_eq!(
            (r.address.as_deref(), r.netmask.as_deref()),
            (Some("10.0.0.1"), Some("255.255.255.255"))
        );
        assert_eq!(
            one("local all all ident map=x").auth_method.as_deref(),
            Some("peer")
        );
        assert_eq!(
            one("host all all ::1/128 trust").netmask.as_deref(),
            Some("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        assert_eq!(
            one("host all all 10.0.0.300 trust").address.as_deref(),
            Some("10.0.0.300")
        );
        assert!(
            one("host all all 10.0.0.1/33 trust")
                .error
                .unwrap()
                .contains("invalid CIDR mask")
        );
        assert!(
            one("host all all 1.2.3.4/32 sind")
                .error
                .unwrap()
                .contains("invalid authentication method")
        );
        assert!(
            one("host all all 1.2.3.4/32 peer")
                .error
                .unwrap()
                .contains("only supported on local")
        );
    }

    #[test]
    fn first_match_wins() {
        let rs = rules(b"host all all 10.0.0.0/8 reject\nhost replication all 10.0.0.0/24 reject\nhost replication repl 10.0.0.5/32 scram-sha-256\n", Path::new("/"), Features::distribution(16));
        let conn = Connection {
            source: Some("10.0.0.5".parse().unwrap()),
            ssl: false,
            gssenc: false,
            database: "replication",
            replication: true,
            user: "repl",
        };
        // `all` does not match a physical replication connection; `replication` does.
        assert_eq!(
            first_match(&rs, &conn).unwrap().line_number,
            2,
            "the earlier replication reject shadows"
        );
        let from_other = Connection {
            source: Some("10.0.1.5".parse().unwrap()),
            ..conn.clone()
        };
        assert!(first_match(&rs, &from_other).is_none());
        let normal = Connection {
            database: "app",
            replication: false,
            ..conn.clone()
        };
        assert_eq!(first_match(&rs, &normal).unwrap().line_number, 1);
        let other = Connection {
            source: Some("192.168.0.1".parse().unwrap()),
            ..conn
        };
        assert!(first_match(&rs, &other).is_none());
    }
}
