//! An `ldap` record's options as the server checks them and as `pg_hba_file_rules` lists
//! them: a fixed order, `ldaptls=true`, `ldapurl` taken apart into its parts, and
//! `ldapscope=2` (subtree, the server's default for any record with options).
//!
//! Proven against PostgreSQL 10's view (tests/hba/ldap.conf in conf_real); the server
//! builds of 11-18 here have no LDAP, so there the record is refused as unsupported and
//! the rendering below follows the same source.

use crate::catalog::{Feature, has};

/// The search scope the server sets for an ldap record (LDAP_SCOPE_SUBTREE).
const SCOPE_SUBTREE: u32 = 2;

#[derive(Default)]
struct Ldap {
    server: Option<String>,
    port: Option<String>,
    tls: bool,
    prefix: Option<String>,
    suffix: Option<String>,
    basedn: Option<String>,
    binddn: Option<String>,
    bindpasswd: Option<String>,
    searchattribute: Option<String>,
    searchfilter: Option<String>,
    scope: u32,
    url: bool,
}

/// Takes an `ldapurl` apart as the server does: `ldap://host[:port]/basedn?attribute?scope`.
fn parse_url(l: &mut Ldap, url: &str, major: u32) -> Result<(), String> {
    let schemes: &[&str] = if has(major, Feature::HbaLdapSchemeAndFilter) {
        &["ldap", "ldaps"]
    } else {
        &["ldap"]
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!("could not parse LDAP URL \"{url}\""));
    };
    if !schemes.contains(&scheme) {
        return Err(format!("unsupported LDAP URL scheme: {scheme}"));
    }
    let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.to_owned()),
        None => (
            hostport,
            if scheme == "ldaps" { "636" } else { "389" }.to_owned(),
        ),
    };
    let mut parts = path.split('?');
    let dn = parts.next().unwrap_or("");
    let attribute = parts.next().unwrap_or("");
    let scope = parts.next().unwrap_or("");
    let filter = parts.next().unwrap_or("");
    if !filter.is_empty() && !has(major, Feature::HbaLdapSchemeAndFilter) {
        return Err("filters not supported in LDAP URLs".into());
    }
    l.server = (!host.is_empty()).then(|| host.to_owned());
    l.port = Some(port);
    l.basedn = Some(dn.to_owned());
    l.searchattribute =
        (!attribute.is_empty()).then(|| attribute.split(',').next().unwrap_or("").to_owned());
    l.searchfilter = (!filter.is_empty()).then(|| filter.to_owned());
    l.scope = match scope {
        "base" => 0,
        "one" => 1,
        _ => SCOPE_SUBTREE,
    };
    l.url = true;
    Ok(())
}

/// The options of an `ldap` record, in the view's order, or the server's error.
pub fn options(pairs: &[(&str, &str)], major: u32) -> Result<Vec<String>, String> {
    let mut l = Ldap {
        scope: SCOPE_SUBTREE,
        ..Ldap::default()
    };
    let filter_known = has(major, Feature::HbaLdapSchemeAndFilter);
    for &(name, value) in pairs {
        let v = Some(value.to_owned());
        match name {
            "ldapurl" => parse_url(&mut l, value, major)?,
            "ldapserver" => l.server = v,
            "ldapport" => {
                // atoi: the leading digits; none, or 0, is refused.
                let digits: String = value
                    .trim_start()
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                match digits.parse::<u32>() {
                    Ok(p) if p != 0 => l.port = Some(p.to_string()),
                    _ => return Err(format!("invalid LDAP port number: \"{value}\"")),
                }
            }
            "ldaptls" => l.tls = value == "1",
            "ldapprefix" => l.prefix = v,
            "ldapsuffix" => l.suffix = v,
            "ldapbasedn" => l.basedn = v,
            "ldapbinddn" => l.binddn = v,
            "ldapbindpasswd" => l.bindpasswd = v,
            "ldapsearchattribute" => l.searchattribute = v,
            "ldapsearchfilter" => l.searchfilter = v,
            // ldapscheme is checked, not listed by the view.
            "ldapscheme" if value != "ldap" && value != "ldaps" => {
                return Err(format!("invalid ldapscheme value: \"{value}\""));
            }
            _ => {}
        }
    }
    if l.server.is_none() && !has(major, Feature::HbaLdapServerOptional) {
        return Err(
            "authentication method \"ldap\" requires argument \"ldapserver\" to be set".into(),
        );
    }
    if l.prefix.is_some() || l.suffix.is_some() {
        if l.basedn.is_some()
            || l.binddn.is_some()
            || l.bindpasswd.is_some()
            || l.searchattribute.is_some()
            || l.searchfilter.is_some()
            || l.url
        {
            return Err(if filter_known {
                "cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix"
            } else {
                "cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, or ldapurl together with ldapprefix"
            }
            .into());
        }
    } else if l.basedn.is_none() {
        return Err("authentication method \"ldap\" requires argument \"ldapbasedn\", \"ldapprefix\", or \"ldapsuffix\" to be set".into());
    }
    if l.searchattribute.is_some() && l.searchfilter.is_some() {
        return Err("cannot use ldapsearchattribute together with ldapsearchfilter".into());
    }
    let tls = l.tls.then(|| "true".to_owned());
    let scope = (l.scope != 0).then(|| l.scope.to_string());
    let listed = [
        ("ldapserver", &l.server),
        ("ldapport", &l.port),
        ("ldaptls", &tls),
        ("ldapprefix", &l.prefix),
        ("ldapsuffix", &l.suffix),
        ("ldapbasedn", &l.basedn),
        ("ldapbinddn", &l.binddn),
        ("ldapbindpasswd", &l.bindpasswd),
        ("ldapsearchattribute", &l.searchattribute),
        ("ldapsearchfilter", &l.searchfilter),
        ("ldapscope", &scope),
    ];
    Ok(listed
        .iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name}={v}")))
        .collect())
}
