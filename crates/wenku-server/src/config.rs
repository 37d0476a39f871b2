//! The daemon's configuration: one TOML file, every key documented here and
//! in `schemas/wenkud-config-1.schema.json` (generated from these types and
//! compared by a test). Unknown keys are refused with their line, so a typo
//! never silently turns a feature off.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use wenku_model::Region;

/// The whole configuration.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The library (a bare git repository). Created on first start, with
    /// `region` as its node, if the path does not exist.
    pub library: PathBuf,
    /// The region this node is authoritative for, e.g. `"370283"`.
    #[schemars(with = "String", pattern(r"^[0-9]{6}([0-9]{3})?$"))]
    #[serde(deserialize_with = "region")]
    pub region: Region,
    /// Further regions this node hosts (townships without a node of their
    /// own), used when the library is created.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    #[serde(deserialize_with = "regions")]
    pub hosting: Vec<Region>,
    /// Where to listen: one port for git, status, health and metrics.
    /// Default `127.0.0.1:8600`.
    #[serde(default = "default_listen")]
    #[schemars(with = "String")]
    pub listen: SocketAddr,
    /// Who signs the node's commits (inbox publications and pull merges).
    #[serde(default)]
    pub identity: IdentityConfig,
    /// The node's ed25519 signing key (OpenSSH format, readable by the
    /// daemon's user only; `wenku key generate` makes one). Every commit
    /// the node makes is signed with it. Without it commits are unsigned,
    /// and nodes that check signatures refuse them.
    pub key: Option<PathBuf>,
    /// The trust root's (the province's) public key file, pinned at start:
    /// the first trust file a pull from the parent brings must be signed
    /// by it. Not needed on the trust root itself.
    pub trust_root: Option<PathBuf>,
    /// The inbox; without it the node publishes nothing by itself.
    pub inbox: Option<InboxConfig>,
    /// Children pulled up.
    #[serde(default, rename = "child")]
    pub children: Vec<PeerConfig>,
    /// The parent pulled down.
    pub parent: Option<PeerConfig>,
    /// When and how long to pull.
    #[serde(default)]
    pub pull: PullConfig,
    /// The operator's endpoints.
    #[serde(default)]
    pub admin: AdminConfig,
    /// Who may write through the API (publish a version, repeal,
    /// withdraw), each with a token and the regions it may write. Without
    /// any, the API is read-only.
    #[serde(default, rename = "writer")]
    pub writers: Vec<WriterConfig>,
    /// Who reviews drafts before they are published (先审查、后公开):
    /// each with a token and the regions whose drafts it may approve or
    /// return, through the API and the reviewer's pages (`/review`). The
    /// same fields as a writer's; a reviewer never approves a draft it
    /// submitted.
    #[serde(default, rename = "reviewer")]
    pub reviewers: Vec<WriterConfig>,
    /// The quarterly safety sweep (安全巡查) of what the node publishes.
    #[serde(default)]
    pub sweep: SweepConfig,
    /// Logging.
    #[serde(default)]
    pub log: LogConfig,
    /// How long a stop may take before running work is interrupted.
    #[serde(default = "default_grace")]
    #[schemars(with = "DurationText")]
    #[serde(deserialize_with = "duration")]
    pub shutdown_grace: Duration,
}

/// The commit identity of the node.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Name, e.g. the office: `"平度市政务公开办"`. Default `"wenkud"`.
    #[serde(default = "default_name")]
    pub name: String,
    /// Email. Default `"wenkud@localhost"`.
    #[serde(default = "default_email")]
    pub email: String,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            name: default_name(),
            email: default_email(),
        }
    }
}

/// The safety sweep: once a quarter the daemon scans every published
/// version for personal information and writes the quarter's report
/// (`wenku sweep show`); an operator then decides each finding.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// Sweep each quarter. Default `true`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// A file of words that must not be published, one per line (`#`
    /// starts a comment), read at each sweep.
    pub words: Option<PathBuf>,
    /// How often the daemon looks whether this quarter's sweep is due.
    /// Default `"1h"`.
    #[serde(default = "default_sweep_check", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub check: Duration,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            enabled: true,
            words: None,
            check: default_sweep_check(),
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_sweep_check() -> Duration {
    Duration::from_secs(3600)
}

/// The inbox directory.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxConfig {
    /// The directory watched. `done/` and `rejected/` are made inside it.
    pub dir: PathBuf,
    /// How often the directory is scanned besides file-system events.
    /// Default `"30s"`.
    #[serde(default = "default_scan", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub scan_interval: Duration,
    /// A file not written as `*.part` and renamed in is taken once it has
    /// not changed for this long (or at once when the writer closes it).
    /// Default `"5s"`.
    #[serde(default = "default_settle", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub settle: Duration,
    /// Submit each file as a draft for review (先审查、后公开) instead of
    /// publishing it; a sidecar's `draft_of` adds the file to an item's
    /// draft. Default `false`.
    #[serde(default)]
    pub drafts: bool,
}

/// A peer node.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    /// The peer's region.
    #[schemars(with = "String", pattern(r"^[0-9]{6}([0-9]{3})?$"))]
    #[serde(deserialize_with = "region")]
    pub region: Region,
    /// Where its library is served: `http://HOST:PORT/git`, a path, or any
    /// source `wenku pull` takes.
    pub url: String,
}

/// Scheduled pulls.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PullConfig {
    /// Time between two pulls of a peer, jittered by ±10 %. Default `"5m"`.
    #[serde(default = "default_interval", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub interval: Duration,
    /// Deadline of one pull. Default `"10m"`.
    #[serde(default = "default_timeout", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub timeout: Duration,
    /// Longest wait after repeated failures (the wait doubles from one
    /// interval up to this). Default `"1h"`.
    #[serde(default = "default_backoff", deserialize_with = "duration")]
    #[schemars(with = "DurationText")]
    pub max_backoff: Duration,
    /// Follow a peer's HTTP redirect to another origin (scheme, host or
    /// port). Default `false`: such a redirect fails the pull and says
    /// where it pointed; redirects within the origin are followed.
    #[serde(default)]
    pub follow_redirects: bool,
    /// What a peer's commit whose signature does not check out against
    /// the trust file does: `"enforce"` (the default) refuses the pull;
    /// `"warn"`, for a roll-out, accepts it and logs every problem (and
    /// `/status` shows them).
    #[serde(default)]
    pub signatures: SignaturesConfig,
}

/// `pull.signatures`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignaturesConfig {
    /// Refuse the pull.
    #[default]
    Enforce,
    /// Accept it and log every problem.
    Warn,
}

impl Default for PullConfig {
    fn default() -> Self {
        PullConfig {
            interval: default_interval(),
            timeout: default_timeout(),
            max_backoff: default_backoff(),
            follow_redirects: false,
            signatures: SignaturesConfig::Enforce,
        }
    }
}

/// The operator's endpoints (`POST /admin/pull`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// A file holding the bearer token that admin requests must present.
    /// Without it the admin endpoints answer 404.
    pub token_file: Option<PathBuf>,
}

/// A writer of the API (an office that publishes, or submits drafts,
/// through it) or a reviewer of drafts.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WriterConfig {
    /// Recorded as the author of its commits, e.g. `"平度市政务公开办"`.
    pub name: String,
    /// Recorded with the name.
    pub email: String,
    /// A file holding the bearer token its requests present (at least 16
    /// characters).
    pub token_file: PathBuf,
    /// The regions it may write (each with the regions inside it), e.g.
    /// `["370283"]`. The node must host them too.
    #[schemars(with = "Vec<String>")]
    #[serde(deserialize_with = "regions")]
    pub regions: Vec<Region>,
}

/// Log output.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` (default) or `json`, one event per line on stderr.
    #[serde(default)]
    pub format: LogFormat,
    /// A tracing filter such as `info` or `wenku_server=debug,info`;
    /// `WENKU_LOG` overrides it. Default `info`.
    pub level: Option<String>,
}

/// The log format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// A duration as people write it: a number and a unit, `ms`, `s`, `m`, `h`
/// or `d` (`"500ms"`, `"30s"`, `"5m"`, `"1h"`). Only its schema is used.
struct DurationText;

impl JsonSchema for DurationText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(ms|s|m|h|d)$",
            "description": "A number and a unit: ms, s, m, h or d, e.g. \"30s\", \"5m\", \"1h\"."
        })
    }
}

/// Why a configuration was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a bad value; the message names
    /// the line and the key.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What and where, as the TOML parser says it.
        message: String,
    },
    /// Valid TOML that does not make a node.
    #[error("{path}: {message}")]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads and checks a configuration file. Relative paths in it are
    /// taken relative to the file's directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, path, base)
    }

    /// Parses configuration text; `path` names it in errors, `base` anchors
    /// relative paths.
    pub fn parse(text: &str, path: &Path, base: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let inconsistent = |message: String| ConfigError::Inconsistent {
            path: path.to_path_buf(),
            message,
        };
        let anchor = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        anchor(&mut config.library);
        if let Some(inbox) = &mut config.inbox {
            anchor(&mut inbox.dir);
        }
        if let Some(t) = &mut config.admin.token_file {
            anchor(t);
        }
        for w in config.writers.iter_mut().chain(config.reviewers.iter_mut()) {
            anchor(&mut w.token_file);
        }
        let roles = config
            .writers
            .iter()
            .map(|w| ("writer", w))
            .chain(config.reviewers.iter().map(|w| ("reviewer", w)));
        for (role, w) in roles {
            if w.name.trim().is_empty() || !w.email.contains('@') {
                return Err(inconsistent(format!(
                    "{role} {:?} needs a name and an email address",
                    w.name
                )));
            }
            if w.regions.is_empty() {
                return Err(inconsistent(format!(
                    "{role} {:?} has no regions: it could do nothing",
                    w.name
                )));
            }
        }
        for child in &config.children {
            if !config.region.contains(&child.region) || child.region == config.region {
                return Err(inconsistent(format!(
                    "child {} is not inside this node's region {}",
                    child.region, config.region
                )));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for child in &config.children {
            if !seen.insert(child.region) {
                return Err(inconsistent(format!(
                    "child {} is configured twice",
                    child.region
                )));
            }
        }
        if let Some(parent) = &config.parent
            && !parent.region.contains(&config.region)
        {
            return Err(inconsistent(format!(
                "parent {} does not contain this node's region {}",
                parent.region, config.region
            )));
        }
        for (what, d) in [
            ("pull.interval", config.pull.interval),
            ("pull.timeout", config.pull.timeout),
        ] {
            if d.is_zero() {
                return Err(inconsistent(format!("{what} must be longer than 0")));
            }
        }
        if config.identity.name.trim().is_empty() || !config.identity.email.contains('@') {
            return Err(inconsistent(
                "identity needs a name and an email address".to_string(),
            ));
        }
        Ok(config)
    }

    /// The JSON Schema of the configuration, as `schemas/` keeps it.
    pub fn schema() -> serde_json::Value {
        let mut schema = serde_json::to_value(schemars::schema_for!(Config))
            .expect("a generated schema serialises");
        if let Some(obj) = schema.as_object_mut() {
            obj.insert(
                "$id".into(),
                "https://example.invalid/wenku/schemas/wenkud-config-1.schema.json".into(),
            );
        }
        schema
    }
}

/// Parses `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"2d"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} has no unit: write e.g. \"30s\", \"5m\" or \"1h\""))?;
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} does not start with a number"))?;
    let secs = |k: u64| {
        n.checked_mul(k)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("{text:?} is too long"))
    };
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => secs(1),
        "m" => secs(60),
        "h" => secs(3600),
        "d" => secs(86_400),
        _ => Err(format!(
            "{text:?}: unknown unit {unit:?}; use ms, s, m, h or d"
        )),
    }
}

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(d)?;
    parse_duration(&text).map_err(serde::de::Error::custom)
}

fn region<'de, D: Deserializer<'de>>(d: D) -> Result<Region, D::Error> {
    let text = String::deserialize(d)?;
    Region::parse(&text).map_err(serde::de::Error::custom)
}

fn regions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Region>, D::Error> {
    Vec::<String>::deserialize(d)?
        .iter()
        .map(|t| Region::parse(t).map_err(serde::de::Error::custom))
        .collect()
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8600))
}
fn default_grace() -> Duration {
    Duration::from_secs(30)
}
fn default_name() -> String {
    "wenkud".to_string()
}
fn default_email() -> String {
    "wenkud@localhost".to_string()
}
fn default_scan() -> Duration {
    Duration::from_secs(30)
}
fn default_settle() -> Duration {
    Duration::from_secs(5)
}
fn default_interval() -> Duration {
    Duration::from_secs(300)
}
fn default_timeout() -> Duration {
    Duration::from_secs(600)
}
fn default_backoff() -> Duration {
    Duration::from_secs(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("wenku.toml"), Path::new("/srv"))
    }

    #[test]
    fn a_minimal_config_gets_the_documented_defaults() {
        let c = parse("library = \"lib\"\nregion = \"370283\"\n").expect("valid");
        assert_eq!(c.library, Path::new("/srv/lib"));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8600");
        assert_eq!(c.pull.interval, Duration::from_secs(300));
        assert_eq!(c.pull.timeout, Duration::from_secs(600));
        assert!(c.children.is_empty() && c.parent.is_none() && c.inbox.is_none());
        assert_eq!(c.log.format, LogFormat::Text);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line_and_key() {
        let e = parse("library = \"lib\"\nregion = \"370283\"\n[pull]\nintervall = \"5m\"\n")
            .expect_err("typo");
        let m = e.to_string();
        assert!(m.contains("line 4") && m.contains("intervall"), "{m}");
        let e = parse("library = \"lib\"\nregion = \"370283\"\n[pull]\ninterval = \"5 minutes\"\n")
            .expect_err("bad duration");
        assert!(e.to_string().contains("unknown unit"), "{e}");
        let e = parse("library = \"lib\"\nregion = \"37028\"\n").expect_err("bad region");
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn peers_must_fit_the_hierarchy() {
        let e = parse(
            "library = \"l\"\nregion = \"370283\"\n[[child]]\nregion = \"370200\"\nurl = \"x\"\n",
        )
        .expect_err("a child above");
        assert!(e.to_string().contains("not inside"), "{e}");
        let e = parse(
            "library = \"l\"\nregion = \"370283\"\n[parent]\nregion = \"370100\"\nurl = \"x\"\n",
        )
        .expect_err("a foreign parent");
        assert!(e.to_string().contains("does not contain"), "{e}");
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999999d").is_err());
    }
}
