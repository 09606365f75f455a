//! Layered configuration: built-in `config/default.toml` → `config/default.toml` and
//! `config/{GOPY_ENV}.toml` in the working directory (optional) → `GOPY__SECTION__KEY` variables.

use std::fmt;

use config::{Config, Environment, File, FileFormat};
use serde::Deserialize;

const BUILT_IN: &str = include_str!("../config/default.toml");

#[derive(Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub mail: MailSettings,
    pub display: DisplaySettings,
    pub drafts: DraftsSettings,
    pub rounds: RoundsSettings,
    pub moderation: ModerationSettings,
    pub comments: CommentsSettings,
    pub ui: UiSettings,
    pub log: LogSettings,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogSettings {
    /// `text` (for people) or `json` (one object a line, for log collectors).
    pub format: LogFormat,
}

#[derive(Clone, Debug, Deserialize)]
pub struct CommentsSettings {
    /// New comments one person may make in an hour (0: no limit).
    pub max_per_hour: u32,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ModerationSettings {
    pub claim_minutes: i64,
    /// Decisions a second moderator must confirm (four-eyes).
    #[serde(deserialize_with = "listed_reviews")]
    pub second_review: Vec<SecondReview>,
    /// Screen and cluster new comments (off: neither, and nothing is flagged by itself).
    pub screening: bool,
    /// A new comment screening scores at least this is flagged by itself (0: never).
    pub auto_flag_score: i32,
    /// How alike (Jaccard similarity of word shingles, 0–1) two comments must be to count as
    /// near-duplicates.
    pub duplicate_threshold: f64,
    /// Whether moderators get a daily digest of the queue (each may opt out).
    pub digest: bool,
    /// Hour of the day (in `display.utc_offset`) the daily digest goes to moderators.
    pub digest_hour: u32,
}

crate::text_enum! {
    /// A decision that can need a second moderator (`moderation.second_review`).
    pub enum SecondReview {
        Reject = "reject",
    }
}

/// `second_review` as a list, where an empty entry (`GOPY__MODERATION__SECOND_REVIEW=`, the
/// environment's way to say `[]`) names nothing.
fn listed_reviews<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<SecondReview>, D::Error> {
    let names: Vec<String> = Vec::deserialize(d)?;
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse().map_err(|_| {
                serde::de::Error::custom(format!("{n:?} is not a decision (known: reject)"))
            })
        })
        .collect()
}

impl ModerationSettings {
    /// Whether a rejection waits for a second moderator.
    pub fn four_eyes_reject(&self) -> bool {
        self.second_review.contains(&SecondReview::Reject)
    }
}

#[derive(Clone, Debug, Deserialize)]
pub struct UiSettings {
    pub organisation: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DraftsSettings {
    pub max_import_bytes: usize,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoundsSettings {
    pub reminder_hours: i64,
    pub check_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub public_url: String,
    pub max_body_bytes: usize,
    /// Load balancers and proxies whose `X-Forwarded-For` names the client (CIDR blocks).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where `GET /metrics` is served, apart from the service (None: not served).
    pub metrics_port: Option<u16>,
    pub metrics_host: String,
    /// How long an idle client connection is kept open. Longer than any balancer's or client
    /// pool's idle timeout, so that gopy never closes a connection just as it is reused.
    pub keep_alive_secs: u64,
}

#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
    /// A streaming replica of the PostgreSQL primary for reads that may lag (empty: none).
    #[serde(default)]
    pub replica_url: String,
    /// After writing through a node, a person reads from the primary for this long.
    #[serde(default = "default_replica_grace")]
    pub replica_grace_secs: u64,
    /// A replica that failed is left alone this long before it is tried again.
    #[serde(default = "default_replica_retry")]
    pub replica_retry_secs: u64,
}

impl DatabaseSettings {
    /// One database, no replica (one-shot commands, seeding).
    pub fn only(url: &str, pool_size: u32, connect_timeout_secs: u64) -> Self {
        Self {
            url: url.to_owned(),
            pool_size,
            connect_timeout_secs,
            replica_url: String::new(),
            replica_grace_secs: default_replica_grace(),
            replica_retry_secs: default_replica_retry(),
        }
    }
}

fn default_replica_grace() -> u64 {
    10
}

fn default_replica_retry() -> u64 {
    10
}

#[derive(Clone, Debug, Deserialize)]
pub struct AuthSettings {
    pub session_ttl_minutes: i64,
    pub session_idle_minutes: i64,
    pub session_cache_secs: u64,
    pub lockout_threshold: i32,
    pub lockout_base_secs: i64,
    pub lockout_max_secs: i64,
    pub ip_lockout_threshold: i32,
    pub activation_ttl_hours: i64,
    pub reset_ttl_minutes: i64,
    pub reset_per_hour: u32,
    pub max_concurrent_hashes: usize,
    pub hash_queue: usize,
    pub hash_max_wait_ms: u64,
    pub hash_nice: i32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    File,
    Smtp,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Clone, Deserialize)]
pub struct MailSettings {
    /// Whether this process runs the outbox sender (several processes may).
    pub send: bool,
    pub transport: MailTransportKind,
    pub dir: String,
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_security: SmtpSecurity,
    pub smtp_username: String,
    pub smtp_password: String,
    /// PEM file of certificate authorities to trust for the relay besides the public ones (a
    /// department's own CA); empty for none.
    pub smtp_ca_file: String,
    pub poll_interval_ms: u64,
    pub max_attempts: i32,
    pub retry_base_secs: i64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct DisplaySettings {
    pub utc_offset: String,
}

impl DisplaySettings {
    /// The configured offset (validated at load; UTC if it was somehow malformed).
    pub fn offset(&self) -> chrono::FixedOffset {
        parse_offset(&self.utc_offset).unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc))
    }
}

fn parse_offset(s: &str) -> Option<chrono::FixedOffset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    let secs = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    chrono::FixedOffset::east_opt(sign * secs)
}

/// `GOPY__SECTION__KEY` variables (lists split at commas), from the process's environment or
/// from `vars`.
fn environment(vars: Option<std::collections::HashMap<String, String>>) -> Environment {
    Environment::with_prefix("GOPY")
        .prefix_separator("__")
        .separator("__")
        .try_parsing(true)
        .list_separator(",")
        .with_list_parse_key("server.trusted_proxies")
        .with_list_parse_key("moderation.second_review")
        .source(vars)
}

impl Settings {
    /// Load from the working directory's `config/` folder (if any) and the environment.
    pub fn load() -> anyhow::Result<Self> {
        let dir = std::env::var("GOPY_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        let env = std::env::var("GOPY_ENV").unwrap_or_else(|_| "development".into());
        let settings: Settings = Config::builder()
            .add_source(File::from_str(BUILT_IN, FileFormat::Toml))
            .add_source(File::with_name(&format!("{dir}/default")).required(false))
            .add_source(File::with_name(&format!("{dir}/{env}")).required(false))
            .add_source(environment(None))
            .build()?
            .try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// The built-in defaults under `GOPY__SECTION__KEY` variables taken from `vars` instead of
    /// the process's environment, checked as `load` checks them (for tests of odd values).
    pub fn from_vars(vars: std::collections::HashMap<String, String>) -> anyhow::Result<Self> {
        let settings: Settings = Config::builder()
            .add_source(File::from_str(BUILT_IN, FileFormat::Toml))
            .add_source(environment(Some(vars)))
            .build()?
            .try_deserialize()?;
        settings.check()?;
        Ok(settings)
    }

    /// Built-in defaults only; tests start from these.
    pub fn built_in() -> anyhow::Result<Self> {
        Ok(Config::builder()
            .add_source(File::from_str(BUILT_IN, FileFormat::Toml))
            .build()?
            .try_deserialize()?)
    }

    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            parse_offset(&self.display.utc_offset).is_some(),
            "display.utc_offset must look like +07:00"
        );
        anyhow::ensure!(
            self.database.pool_size > 0,
            "database.pool_size must be > 0"
        );
        let m = &self.moderation;
        anyhow::ensure!(
            (0.0..=1.0).contains(&m.duplicate_threshold) && m.duplicate_threshold > 0.0,
            "moderation.duplicate_threshold must be above 0 and at most 1"
        );
        anyhow::ensure!(m.digest_hour < 24, "moderation.digest_hour must be 0–23");
        anyhow::ensure!(
            (0..=100).contains(&m.auto_flag_score),
            "moderation.auto_flag_score must be 0–100"
        );
        Ok(())
    }
}

/// Debug output never shows secrets: the database password and the SMTP password are redacted.
impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("replica_url", &redact_url(&self.replica_url))
            .finish()
    }
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("send", &self.send)
            .field("transport", &self.transport)
            .field("dir", &self.dir)
            .field("from", &self.from)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_security", &self.smtp_security)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("server", &self.server)
            .field("database", &self.database)
            .field("auth", &self.auth)
            .field("mail", &self.mail)
            .field("display", &self.display)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:REDACTED@host/db`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("REDACTED"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut s = Settings::built_in().unwrap();
        s.database.url = "postgres://gopy:s3cr3t-pw@db:5432/gopy".into();
        s.mail.smtp_password = "smtp-s3cr3t".into();
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("postgres://gopy:REDACTED@db:5432/gopy"));
    }

    #[test]
    fn offsets_parse() {
        assert_eq!(
            parse_offset("+07:00").map(|o| o.local_minus_utc()),
            Some(25200)
        );
        assert_eq!(
            parse_offset("-03:30").map(|o| o.local_minus_utc()),
            Some(-12600)
        );
        assert!(parse_offset("07:00").is_none());
    }
}
