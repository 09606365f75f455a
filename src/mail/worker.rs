use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::mail::store as outbox;
use crate::mail::transport::Mailer;
use crate::mail::types::OutboxRow;

/// Send every due mail, one at a time, until none is due. Returns how many were sent.
pub fn drain(pool: &Pool, mailer: &Mailer, settings: &Settings) -> anyhow::Result<usize> {
    let host = url::Url::parse(&settings.server.public_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "gopy.local".into());
    let mut sent = 0;
    loop {
        let claimed = db::run(pool, |conn| {
            outbox::claim(conn, chrono::Duration::minutes(5))
        })?;
        let Some(row): Option<OutboxRow> = claimed else {
            return Ok(sent);
        };
        match mailer.send(&settings.mail.from, &host, &row) {
            Ok(()) => {
                db::run(pool, |conn| outbox::mark_sent(conn, row.id))?;
                sent += 1;
            }
            Err(err) => {
                tracing::warn!(outbox_id = row.id, attempt = row.attempts, error = %err, "mail not sent");
                let (max, base) = (settings.mail.max_attempts, settings.mail.retry_base_secs);
                db::run(pool, |conn| {
                    outbox::mark_failed(conn, &row, &err.to_string(), max, base)
                })?;
            }
        }
    }
}

/// The background sender: polls the outbox until the process ends.
pub fn spawn(pool: Pool, settings: Arc<Settings>) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mailer = Arc::new(Mailer::from_settings(&settings.mail)?);
    let interval = Duration::from_millis(settings.mail.poll_interval_ms.max(50));
    Ok(tokio::spawn(async move {
        loop {
            let (pool, mailer, settings) = (pool.clone(), mailer.clone(), settings.clone());
            match tokio::task::spawn_blocking(move || drain(&pool, &mailer, &settings)).await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(error = %err, "mail worker pass failed"),
                Err(err) => tracing::error!(error = %err, "mail worker panicked"),
            }
            tokio::time::sleep(interval).await;
        }
    }))
}
