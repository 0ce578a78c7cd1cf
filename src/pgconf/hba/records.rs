//! From tokens to rows: each record interpreted as the server does (the first problem
//! decides the row's error), and the include directives of 16+ followed.

use std::net::IpAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{Feature, has};

use super::tokens::{Fields, expand_at, logical_lines};
use super::{Address, CONN_TYPES, Features, Record, Row, Token};

/// The authentication methods the server knows by name (whether a build supports each is
/// decided in `parse_record`).
const METHODS: [&str; 15] = [
    "trust",
    "reject",
    "md5",
    "password",
    "scram-sha-256",
    "ident",
    "peer",
    "cert",
    "gss",
    "ldap",
    "pam",
    "radius",
    "oauth",
    "sspi",
    "bsd",
];

fn known(words: &[&'static str], written: &str) -> Option<&'static str> {
    words.iter().find(|w| **w == written).copied()
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

pub(super) fn masked(addr: &IpAddr, mask: &IpAddr) -> Option<u128> {
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

    /// Every field with its `@file` lists read in place.
    fn expand(&self, fields: &Fields) -> Result<Vec<Vec<Token>>, String> {
        let mut out = Vec::with_capacity(fields.len());
        for field in fields.iter() {
            let mut tokens = Vec::new();
            for t in field {
                if is_list(t) {
                    tokens.extend(expand_at(t, self.dir, self.features.major)?);
                } else {
                    tokens.push(t.clone());
                }
            }
            out.push(tokens);
        }
        Ok(out)
    }
}

/// An `@file` token: a list of names read from a file.
fn is_list(t: &Token) -> bool {
    !t.quoted && t.text.starts_with('@') && t.text.len() > 1
}

fn parse_record<'t>(
    p: &mut Parse<'_>,
    mut it: impl Iterator<Item = &'t [Token]>,
    rule: &mut Row,
) -> Result<(), String> {
    let f = p.features;
    let ty = it.next().ok_or("no connection type")?;
    if ty.len() > 1 {
        return Err("multiple values specified for connection type".into());
    }
    let written = ty[0].text.as_str();
    let ty = known(&CONN_TYPES, written)
        .filter(|t| !t.contains("gssenc") || has(f.major, Feature::HbaGssEnc))
        .ok_or_else(|| format!("invalid connection type \"{written}\""))?;
    let local = ty == "local";
    if ty == "hostssl" && !f.ssl {
        p.note("hostssl record cannot match because SSL is disabled".into());
    }
    if ty == "hostgssenc" && !f.gssapi {
        p.note(
            "hostgssenc record cannot match because GSSAPI is not supported by this build".into(),
        );
    }
    let databases: super::Tokens = it
        .next()
        .ok_or("end-of-line before database specification")?
        .iter()
        .cloned()
        .collect();
    let users: super::Tokens = it
        .next()
        .ok_or("end-of-line before role specification")?
        .iter()
        .cloned()
        .collect();
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
                (Err(_), None) => Address::Host(host.into()),
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
    let written = method_field[0].text.as_str();
    let method = match known(&METHODS, written) {
        Some("ident") if local => "peer",
        Some("oauth") if !has(f.major, Feature::HbaOauth) => {
            return Err(format!("invalid authentication method \"{written}\""));
        }
        Some(m) => m,
        None => return Err(format!("invalid authentication method \"{written}\"")),
    };
    let supported = match method {
        "gss" => f.gssapi,
        "ldap" => f.ldap,
        "pam" => f.pam,
        "radius" => f.radius,
        "sspi" | "bsd" => false,
        _ => true,
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
    let mut clientcert: Option<String> = (method == "cert").then(|| {
        if has(f.major, Feature::HbaCertVerifyFull) {
            "verify-full"
        } else {
            "true"
        }
        .to_owned()
    });
    let (mut include_realm, mut krb_realm): (Option<bool>, Option<String>) = (None, None);
    let mut other_options: Vec<String> = Vec::new();
    let mut ldap_pairs: Vec<(&str, &str)> = Vec::new();
    for field in it {
        for tok in field.iter() {
            let Some((name, value)) = tok.text.split_once('=') else {
                return Err(format!(
                    "authentication option not in name=value format: {}",
                    tok.text
                ));
            };
            match name {
                "map" => {
                    if !matches!(method, "ident" | "peer" | "gss" | "sspi" | "cert") {
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
                    let v = match (method, f.major) {
                        ("cert", 12..=13) => "verify-full".to_owned(),
                        ("cert", 14..) if v != "verify-full" => {
                            return Err("clientcert only accepts \"verify-full\" when using \"cert\" authentication".into());
                        }
                        _ => v,
                    };
                    clientcert = Some(v);
                }
                "include_realm" if matches!(method, "gss" | "sspi") => {
                    include_realm =
                        Some(crate::catalog::values::parse_bool(value).ok_or_else(|| {
                            format!("invalid value for include_realm: \"{value}\"")
                        })?);
                }
                "krb_realm" if matches!(method, "gss" | "sspi") => {
                    krb_realm = Some(value.to_owned())
                }
                "clientname" if has(f.major, Feature::HbaClientName) => {
                    if ty != "hostssl" {
                        return Err("clientname can only be configured for \"hostssl\" rows".into());
                    }
                    if value != "CN" && value != "DN" {
                        return Err(format!("invalid value for clientname: \"{value}\""));
                    }
                    // The view does not list it.
                }
                _ if method == "ldap" && method_option(method, name, f.major) => {
                    ldap_pairs.push((name, value));
                }
                _ if method_option(method, name, f.major) => {
                    // Accepted for its method; value checks and the view's exact rendering of
                    // RADIUS and PAM options are not mirrored (no server build here has them
                    // beyond 10 to prove them against). LDAP's are: see ldap.rs.
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
    if method == "ldap" {
        other_options = super::ldap::options(&ldap_pairs, f.major)?;
    }
    // The view lists options in a fixed order.
    let mut options = Vec::new();
    if matches!(method, "gss" | "sspi") && include_realm.unwrap_or(true) {
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
    rule.options = options;
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
            ) || (has(major, Feature::HbaLdapSchemeAndFilter)
                && matches!(name, "ldapscheme" | "ldapsearchfilter"))
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

/// Include directives (16+): the kind, if the line is one.
fn include_kind(fields: &Fields) -> Option<&'static str> {
    let first = fields.get(0);
    if first.len() != 1 || first[0].quoted {
        return None;
    }
    match first[0].text.as_str() {
        "include" => Some("include"),
        "include_if_exists" => Some("include_if_exists"),
        "include_dir" => Some("include_dir"),
        _ => None,
    }
}

fn error_row(
    file_name: &Option<Arc<str>>,
    line_number: usize,
    span: Range<usize>,
    error: String,
) -> Row {
    Row {
        file_name: file_name.clone(),
        line_number,
        parsed: None,
        options: Vec::new(),
        error: Some(error),
        span,
    }
}

pub(super) fn collect(
    text: &[u8],
    file: &Path,
    features: Features,
    depth: usize,
    out: &mut Vec<Row>,
) {
    let dir = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    // One copy of the path, shared by the file's rows.
    let file_name: Option<Arc<str>> =
        has(features.major, Feature::HbaIncludes).then(|| file.display().to_string().into());
    let mut fields = Fields::default();
    for (number, span, line) in logical_lines(text, features.major) {
        fields.read(&line);
        if fields.is_empty() {
            continue;
        }
        if has(features.major, Feature::HbaIncludes) {
            if let Some(kind) = include_kind(&fields) {
                let here = |e: String| error_row(&file_name, number, span.clone(), e);
                if fields.len() != 2 {
                    out.push(here(format!(
                        "invalid syntax for {kind}: exactly one file or directory name expected"
                    )));
                    continue;
                }
                let target = dir.join(fields.get(1)[0].text.as_str());
                if depth >= crate::pgconf::file_settings::MAX_DEPTH {
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
        // Filled in where it lies in the list: a row is a few hundred bytes, and one made
        // aside was copied into place for every record.
        out.push(Row {
            file_name: file_name.clone(),
            line_number: number,
            parsed: None,
            options: Vec::new(),
            error: None,
            span: span.clone(),
        });
        let rule = out.last_mut().expect("just pushed");
        let mut p = Parse {
            features,
            dir: &dir,
            error: None,
        };
        // `@file` lists are read for every field, before the record is interpreted.
        let parsed = if fields.iter().flatten().any(is_list) {
            p.expand(&fields)
                .and_then(|expanded| parse_record(&mut p, expanded.iter().map(Vec::as_slice), rule))
        } else {
            parse_record(&mut p, fields.iter(), rule)
        };
        match parsed {
            Ok(()) => rule.error = p.error,
            Err(e) => *rule = error_row(&file_name, number, span, e),
        }
    }
}
