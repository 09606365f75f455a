//! What operators watch: the log (text or JSON lines, each line of a request carrying its
//! id) and the Prometheus metrics.

pub mod metrics;
pub mod store;

use std::io::IsTerminal;

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Log to stderr (colours only on a terminal); `RUST_LOG` overrides the default level (info).
/// JSON lines carry the fields of every span they happen in: a request's id and route.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .try_init(),
    };
}
