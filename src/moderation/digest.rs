//! The moderators' daily digest: at `moderation.digest_hour` (on the `display.utc_offset`
//! clock) each moderator who has not opted out gets one mail with the comments waiting per
//! draft and how long the oldest has waited. Every process may run this: the day is marked
//! in the transaction that queues the mails, so each day's digest goes out once.

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike};

use crate::config::Settings;
use crate::db::{now, write_tx, DbConn, Pool};
use crate::error::AppError;
use crate::mail::notices::{self, Recipient};
use crate::moderation::store;

/// Queue the digest if it is due at `at` and not yet queued today; how many mails.
pub fn run_once(
    conn: &mut DbConn,
    settings: &Settings,
    at: NaiveDateTime,
) -> Result<usize, AppError> {
    let offset = settings.display.offset();
    let local = at.and_utc().with_timezone(&offset);
    if local.hour() < settings.moderation.digest_hour {
        return Ok(0);
    }
    let day = local.format("%Y-%m-%d").to_string();
    write_tx(conn, |conn| {
        if !store::mark_digest_day(conn, &day, at)? {
            return Ok(0);
        }
        let drafts = store::waiting_per_draft(conn)?;
        if drafts.is_empty() {
            return Ok(0);
        }
        let waiting: i64 = drafts.iter().map(|d| d.waiting).sum();
        let link = format!(
            "{}/moderation",
            settings.server.public_url.trim_end_matches('/')
        );
        let moderators = store::digest_recipients(conn)?;
        let sent = moderators.len();
        for m in moderators {
            let to = Recipient::from(m);
            let lines: Vec<String> = drafts
                .iter()
                .map(|d| {
                    let hours = (at - d.oldest).num_hours().max(0);
                    match to.locale {
                        crate::identity::Locale::En => format!(
                            "«{}»: {} waiting, the oldest for {hours} h",
                            d.title, d.waiting
                        ),
                        crate::identity::Locale::Vi => format!(
                            "«{}»: {} góp ý đang chờ, lâu nhất {hours} giờ",
                            d.title, d.waiting
                        ),
                    }
                })
                .collect();
            notices::moderator_digest(conn, &to, &lines, waiting, &link)?;
        }
        Ok(sent)
    })
}

/// Look every five minutes whether today's digest is due.
pub fn spawn(pool: Pool, settings: std::sync::Arc<Settings>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            let (pool, settings) = (pool.clone(), settings.clone());
            let pass = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().map_err(AppError::from)?;
                run_once(&mut conn, &settings, now())
            });
            match pass.await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(mails = n, "moderator digest queued"),
                Ok(Err(err)) => tracing::warn!(error = %err, "moderator digest failed"),
                Err(err) => tracing::error!(error = %err, "moderator digest panicked"),
            }
        }
    })
}
