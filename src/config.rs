//! Where configuration comes from: explicit settings, environment variables and the shared AWS
//! config/credentials files, in the order the AWS CLI and SDKs use.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};

/// A snapshot of the environment the client resolves configuration from (variables and the
/// home directory). Tests pass their own instead of touching the process environment.
/// `Debug` lists variable names only.
#[derive(Clone, Default)]
pub struct Environment {
    vars: Vec<(String, String)>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Environment")
            .field(
                "vars",
                &self.vars.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Environment {
    /// The real process environment (variables that are valid UTF-8).
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// Only these variables (the home directory comes from `HOME`/`USERPROFILE` among them).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value; empty values count as unset, as in the AWS SDKs.
    pub fn get(&self, name: &str) -> Option<&str> {
        // The last assignment wins, as when a map is built from the same pairs.
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        if let Some(h) = self.get("HOME").or_else(|| self.get("USERPROFILE")) {
            return Some(PathBuf::from(h));
        }
        match (self.get("HOMEDRIVE"), self.get("HOMEPATH")) {
            (Some(d), Some(p)) => Some(PathBuf::from(format!("{d}{p}"))),
            _ => None,
        }
    }

    fn aws_file(&self, var: &str, name: &str) -> Option<PathBuf> {
        match self.get(var) {
            Some(p) => Some(expand_home(p, self.home())),
            None => self.home().map(|h| h.join(".aws").join(name)),
        }
    }
}

fn expand_home(path: &str, home: Option<PathBuf>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(h)) => h.join(rest),
        _ => PathBuf::from(path),
    }
}

/// Sections of an INI file in file order: name → key/value pairs (look-ups take the last).
/// Plain vectors keep the binary small; the files are tiny.
#[derive(Debug, Default)]
pub(crate) struct Ini {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Ini {
    fn section_mut(&mut self, name: &str) -> &mut Vec<(String, String)> {
        let i = match self.sections.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.sections.push((name.to_owned(), Vec::new()));
                self.sections.len() - 1
            }
        };
        &mut self.sections[i].1
    }

    /// The pairs of a section, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&[(String, String)]> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// Parses the shared config/credentials INI dialect: `[section]`, `key = value`, comments
/// starting with `#` or `;`, indented continuation lines ignored (nested `s3 =` blocks).
pub(crate) fn parse_ini(text: &str) -> Ini {
    let mut out = Ini::default();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.split(']').next()) {
            let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
            out.section_mut(&name);
            current = Some(name);
            continue;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if let (Some(section), Some((k, v))) = (&current, trimmed.split_once('=')) {
            let v = v
                .split(" #")
                .next()
                .unwrap_or_default()
                .split(" ;")
                .next()
                .unwrap_or_default();
            out.section_mut(section)
                .push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    out
}

/// One profile, merged from the credentials file (wins) and the config file.
#[derive(Default)]
pub(crate) struct Profile {
    values: Vec<(String, String)>,
}

impl Profile {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// The files consulted and the profile found in them.
pub(crate) struct ProfileSource {
    pub(crate) name: String,
    pub(crate) config_file: Option<PathBuf>,
    pub(crate) credentials_file: Option<PathBuf>,
    pub(crate) profile: Profile,
}

fn read_ini(path: Option<&Path>) -> Ini {
    path.and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| parse_ini(&t))
        .unwrap_or_default()
}

/// Loads profile `explicit`, else `AWS_PROFILE`, else `default`.
pub(crate) fn load_profile(env: &Environment, explicit: Option<&str>) -> ProfileSource {
    let name = explicit
        .or_else(|| env.get("AWS_PROFILE"))
        .unwrap_or("default")
        .to_owned();
    let config_file = env.aws_file("AWS_CONFIG_FILE", "config");
    let credentials_file = env.aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    let config = read_ini(config_file.as_deref());
    let creds = read_ini(credentials_file.as_deref());
    let mut values = Vec::new();
    let config_section = if name == "default" {
        config
            .get("default")
            .or_else(|| config.get("profile default"))
    } else {
        config.get(&format!("profile {name}"))
    };
    if let Some(s) = config_section {
        values.extend_from_slice(s);
    }
    if let Some(s) = creds.get(&name) {
        values.extend_from_slice(s);
    }
    ProfileSource {
        name,
        config_file,
        credentials_file,
        profile: Profile { values },
    }
}

/// How requests are authenticated.
#[derive(Clone)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <Bedrock API key>`.
    Bearer(Zeroizing<String>),
    /// SigV4 with these keys.
    SigV4(Credentials),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bearer(_) => f.write_str("Bearer(** redacted **)"),
            Self::SigV4(c) => f.debug_tuple("SigV4").field(c).finish(),
        }
    }
}

/// Explicit settings from the builder.
#[derive(Default)]
pub(crate) struct Explicit {
    pub(crate) region: Option<String>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) bearer_token: Option<Zeroizing<String>>,
    pub(crate) profile: Option<String>,
    pub(crate) endpoint_url: Option<String>,
    pub(crate) max_attempts: Option<u32>,
}

/// Everything resolved.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub(crate) region: String,
    pub(crate) runtime_endpoint: String,
    pub(crate) control_endpoint: String,
    pub(crate) auth: Auth,
    pub(crate) max_attempts: u32,
}

/// Resolves region, endpoints, credentials and attempts.
///
/// Credentials: an explicit bearer token; `AWS_BEARER_TOKEN_BEDROCK` (it wins over keys, as in
/// botocore); explicit keys; `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`;
/// the profile's `aws_access_key_id`/`aws_secret_access_key`/`aws_session_token`.
pub(crate) fn resolve(env: &Environment, explicit: Explicit) -> Result<Resolved> {
    let source = load_profile(env, explicit.profile.as_deref());
    let profile = &source.profile;

    let region = explicit
        .region
        .filter(|r| !r.is_empty())
        .or_else(|| env.get("AWS_REGION").map(str::to_owned))
        .or_else(|| env.get("AWS_DEFAULT_REGION").map(str::to_owned))
        .or_else(|| profile.get("region").map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned());
    if !region
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(Error::new(
            ErrorKind::Build,
            format!("invalid region {region:?}"),
        ));
    }

    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let shared = env.get("AWS_ENDPOINT_URL").map(str::to_owned);
    let runtime_endpoint = explicit
        .endpoint_url
        .clone()
        .or_else(|| {
            env.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME")
                .map(str::to_owned)
        })
        .or_else(|| shared.clone())
        .unwrap_or_else(|| format!("https://bedrock-runtime.{region}.{suffix}"));
    let control_endpoint = explicit
        .endpoint_url
        .clone()
        .or_else(|| env.get("AWS_ENDPOINT_URL_BEDROCK").map(str::to_owned))
        .or(shared)
        .unwrap_or_else(|| format!("https://bedrock.{region}.{suffix}"));
    for url in [&runtime_endpoint, &control_endpoint] {
        validate_endpoint(url)?;
    }

    let max_attempts = match explicit.max_attempts {
        Some(n) => n,
        None => match env
            .get("AWS_MAX_ATTEMPTS")
            .or_else(|| profile.get("max_attempts"))
        {
            Some(v) => v.trim().parse().map_err(|_| {
                Error::new(
                    ErrorKind::Build,
                    format!("AWS_MAX_ATTEMPTS/max_attempts is not a number: {v:?}"),
                )
            })?,
            None => 3,
        },
    };
    if max_attempts == 0 {
        return Err(Error::new(
            ErrorKind::Build,
            "max attempts must be at least 1",
        ));
    }

    let auth = if let Some(token) = explicit.bearer_token {
        Auth::Bearer(token)
    } else if let Some(token) = env.get("AWS_BEARER_TOKEN_BEDROCK") {
        Auth::Bearer(Zeroizing::new(token.to_owned()))
    } else if let Some(c) = explicit.credentials {
        Auth::SigV4(c)
    } else if let (Some(k), Some(s)) = (
        env.get("AWS_ACCESS_KEY_ID"),
        env.get("AWS_SECRET_ACCESS_KEY"),
    ) {
        Auth::SigV4(Credentials::new(
            k,
            s,
            env.get("AWS_SESSION_TOKEN").map(str::to_owned),
        ))
    } else if let (Some(k), Some(s)) = (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) {
        Auth::SigV4(Credentials::new(
            k,
            s,
            profile.get("aws_session_token").map(str::to_owned),
        ))
    } else {
        let show = |p: &Option<PathBuf>| {
            p.as_ref().map_or_else(
                || "(no home directory)".to_owned(),
                |p| p.display().to_string(),
            )
        };
        return Err(Error::new(
            ErrorKind::Credentials,
            format!(
                "no credentials found: looked at AWS_BEARER_TOKEN_BEDROCK, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, \
                 and profile {:?} in {} and {}",
                source.name,
                show(&source.credentials_file),
                show(&source.config_file)
            ),
        ));
    };
    Ok(Resolved {
        region,
        runtime_endpoint,
        control_endpoint,
        auth,
        max_attempts,
    })
}

fn validate_endpoint(url: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::new(
            ErrorKind::Build,
            format!("invalid endpoint URL {url:?}: {e}"),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::new(
            ErrorKind::Build,
            format!("endpoint URL must be http(s)://host…: {url:?}"),
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::new(
            ErrorKind::Build,
            format!("endpoint URL must not carry a query or fragment: {url:?}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().map(|(k, v)| (*k, *v)))
    }

    fn keys(r: &Resolved) -> String {
        match &r.auth {
            Auth::SigV4(c) => c.access_key_id().to_owned(),
            Auth::Bearer(t) => format!("bearer:{}", t.as_str()),
        }
    }

    fn temp_home(config: &str, credentials: &str) -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "bedrock-lite-config-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(dir.join(".aws/config"), config).unwrap();
        std::fs::write(dir.join(".aws/credentials"), credentials).unwrap();
        dir
    }

    #[test]
    fn region_order() {
        let home = temp_home(
            "[default]\nregion = eu-west-3\n[profile p]\nregion=ap-south-1\n",
            "",
        );
        let h = home.to_str().unwrap();
        let base = [
            ("HOME", h),
            ("AWS_ACCESS_KEY_ID", "A"),
            ("AWS_SECRET_ACCESS_KEY", "S"),
        ];
        let r = |extra: &[(&str, &str)], explicit: Explicit| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            resolve(&env(&v), explicit).unwrap().region
        };
        assert_eq!(r(&[], Explicit::default()), "eu-west-3");
        assert_eq!(
            r(&[("AWS_PROFILE", "p")], Explicit::default()),
            "ap-south-1"
        );
        assert_eq!(
            r(&[("AWS_DEFAULT_REGION", "us-west-1")], Explicit::default()),
            "us-west-1"
        );
        assert_eq!(
            r(
                &[
                    ("AWS_DEFAULT_REGION", "us-west-1"),
                    ("AWS_REGION", "us-west-2")
                ],
                Explicit::default()
            ),
            "us-west-2"
        );
        let explicit = Explicit {
            region: Some("ca-central-1".into()),
            ..Explicit::default()
        };
        assert_eq!(r(&[("AWS_REGION", "us-west-2")], explicit), "ca-central-1");
        let none = resolve(
            &env(&[("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")]),
            Explicit::default(),
        )
        .unwrap();
        assert_eq!(none.region, "us-east-1");
        assert_eq!(
            none.runtime_endpoint,
            "https://bedrock-runtime.us-east-1.amazonaws.com"
        );
        assert_eq!(
            none.control_endpoint,
            "https://bedrock.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn endpoint_order_and_china_suffix() {
        let creds = [("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")];
        let mut v = creds.to_vec();
        v.push(("AWS_REGION", "cn-north-1"));
        let r = resolve(&env(&v), Explicit::default()).unwrap();
        assert_eq!(
            r.runtime_endpoint,
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"
        );
        v.push(("AWS_ENDPOINT_URL", "http://shared:1"));
        let r = resolve(&env(&v), Explicit::default()).unwrap();
        assert_eq!(
            (r.runtime_endpoint.as_str(), r.control_endpoint.as_str()),
            ("http://shared:1", "http://shared:1")
        );
        v.push(("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://rt:2"));
        v.push(("AWS_ENDPOINT_URL_BEDROCK", "http://cp:3"));
        let r = resolve(&env(&v), Explicit::default()).unwrap();
        assert_eq!(
            (r.runtime_endpoint.as_str(), r.control_endpoint.as_str()),
            ("http://rt:2", "http://cp:3")
        );
        let explicit = Explicit {
            endpoint_url: Some("http://x:4".into()),
            ..Explicit::default()
        };
        let r = resolve(&env(&v), explicit).unwrap();
        assert_eq!(
            (r.runtime_endpoint.as_str(), r.control_endpoint.as_str()),
            ("http://x:4", "http://x:4")
        );
        let bad = Explicit {
            endpoint_url: Some("ftp://x".into()),
            ..Explicit::default()
        };
        assert_eq!(
            resolve(&env(&creds), bad).unwrap_err().kind(),
            ErrorKind::Build
        );
    }

    #[test]
    fn credential_order() {
        let home = temp_home(
            "[profile cfg]\naws_access_key_id = CFGKEY\naws_secret_access_key = s\n",
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = s\naws_session_token = t\n[other]\naws_access_key_id=OTHERKEY\naws_secret_access_key=s\n",
        );
        let h = home.to_str().unwrap();
        let r = |vars: &[(&str, &str)], explicit: Explicit| {
            let mut v = vec![("HOME", h)];
            v.extend_from_slice(vars);
            keys(&resolve(&env(&v), explicit).unwrap())
        };
        assert_eq!(r(&[], Explicit::default()), "FILEKEY");
        assert_eq!(
            r(&[("AWS_PROFILE", "other")], Explicit::default()),
            "OTHERKEY"
        );
        assert_eq!(r(&[("AWS_PROFILE", "cfg")], Explicit::default()), "CFGKEY");
        let explicit_profile = Explicit {
            profile: Some("other".into()),
            ..Explicit::default()
        };
        assert_eq!(r(&[("AWS_PROFILE", "cfg")], explicit_profile), "OTHERKEY");
        let env_keys = [
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ];
        assert_eq!(r(&env_keys, Explicit::default()), "ENVKEY");
        let explicit = || Explicit {
            credentials: Some(Credentials::new("EXPLICIT", "s", None)),
            ..Explicit::default()
        };
        assert_eq!(r(&env_keys, explicit()), "EXPLICIT");
        let mut with_bearer = env_keys.to_vec();
        with_bearer.push(("AWS_BEARER_TOKEN_BEDROCK", "tok"));
        assert_eq!(r(&with_bearer, explicit()), "bearer:tok");
        let explicit_bearer = Explicit {
            bearer_token: Some(Zeroizing::new("mine".into())),
            ..Explicit::default()
        };
        assert_eq!(r(&with_bearer, explicit_bearer), "bearer:mine");
        // An explicit credentials file path.
        let alt = home.join("alt");
        std::fs::write(
            &alt,
            "[default]\naws_access_key_id=ALTKEY\naws_secret_access_key=s\n",
        )
        .unwrap();
        assert_eq!(
            r(
                &[("AWS_SHARED_CREDENTIALS_FILE", alt.to_str().unwrap())],
                Explicit::default()
            ),
            "ALTKEY"
        );
    }

    #[test]
    fn missing_credentials_name_the_places() {
        let home = temp_home("", "");
        let err = resolve(
            &env(&[("HOME", home.to_str().unwrap())]),
            Explicit::default(),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Credentials);
        let msg = err.to_string();
        assert!(
            msg.contains("AWS_ACCESS_KEY_ID")
                && msg.contains(".aws/credentials")
                && msg.contains(".aws/config"),
            "{msg}"
        );
        assert!(msg.contains("\"default\""), "{msg}");
    }

    #[test]
    fn max_attempts_order() {
        let base = [("AWS_ACCESS_KEY_ID", "A"), ("AWS_SECRET_ACCESS_KEY", "S")];
        assert_eq!(
            resolve(&env(&base), Explicit::default())
                .unwrap()
                .max_attempts,
            3
        );
        let mut v = base.to_vec();
        v.push(("AWS_MAX_ATTEMPTS", "5"));
        assert_eq!(
            resolve(&env(&v), Explicit::default()).unwrap().max_attempts,
            5
        );
        let e = Explicit {
            max_attempts: Some(1),
            ..Explicit::default()
        };
        assert_eq!(resolve(&env(&v), e).unwrap().max_attempts, 1);
        let e = Explicit {
            max_attempts: Some(0),
            ..Explicit::default()
        };
        assert_eq!(resolve(&env(&v), e).unwrap_err().kind(), ErrorKind::Build);
    }

    #[test]
    fn ini_dialect() {
        let ini = parse_ini(
            "# c\n[ profile  x ]\na = 1 # note\n  nested = skip\nb=2\n; c\n[default]\nregion=us-east-2\n",
        );
        let x = ini.get("profile x").unwrap();
        assert_eq!(
            x,
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(
            ini.get("default").unwrap(),
            [("region".to_owned(), "us-east-2".to_owned())]
        );
        assert!(ini.get("profile y").is_none());
    }

    #[test]
    fn debug_shows_no_secrets() {
        let e = env(&[("AWS_SECRET_ACCESS_KEY", "SUPERSECRET")]);
        let a = Auth::Bearer(Zeroizing::new("TOKENSECRET".into()));
        let s = format!("{e:?} {a:?}");
        assert!(
            !s.contains("SUPERSECRET") && !s.contains("TOKENSECRET"),
            "{s}"
        );
    }
}
