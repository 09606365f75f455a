//! Mail about rounds: when one opens, its audience hears of it once; `rounds.reminder_hours`
//! before it closes, those who have not commented in it get a reminder. Every process may
//! run this: a round's event is claimed by one conditional update inside the transaction
//! that queues its mails, so each person gets each notice once.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use crate::config::Settings;
use crate::db::{now, write_tx, DbConn, Pool};
use crate::drafts::store as drafts;
use crate::error::AppError;
use crate::mail::notices::{self, Recipient};
use crate::rounds::gate::UnitTree;
use crate::rounds::store::{self, Member};
use crate::rounds::types::RoundRow;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub openings: usize,
    pub reminders: usize,
}

/// Everyone a round consults.
fn audience(conn: &mut DbConn, round: &RoundRow) -> Result<Vec<Member>, AppError> {
    let units: HashSet<i64> = store::audience(conn, round.id)?.into_iter().collect();
    let everyone = store::employees(conn)?;
    if units.is_empty() {
        return Ok(everyone);
    }
    let tree = UnitTree::load(conn)?;
    Ok(everyone
        .into_iter()
        .filter(|m| tree.within(m.unit_id, &units))
        .collect())
}

/// The round's name and closing time on the configured clock ("17:00 30/11/2026 (+07:00)").
fn when(settings: &Settings, round: &RoundRow) -> (String, String) {
    let offset = settings.display.offset();
    let closes = round.closes_at.and_utc().with_timezone(&offset);
    (
        round.name(),
        format!("{} ({offset})", closes.format("%H:%M %d/%m/%Y")),
    )
}

fn link(settings: &Settings, round: &RoundRow) -> String {
    format!(
        "{}/drafts/{}",
        settings.server.public_url.trim_end_matches('/'),
        round.document_id
    )
}

/// Which notice of a round.
#[derive(Clone, Copy)]
enum Notice {
    Opening,
    Reminder,
}

/// Claim this round's notice and queue it, in one transaction; false if another process (or
/// an earlier pass) already has.
fn send(
    conn: &mut DbConn,
    settings: &Settings,
    round: &RoundRow,
    notice: Notice,
    at: NaiveDateTime,
) -> Result<bool, AppError> {
    write_tx(conn, |conn| {
        let claimed = match notice {
            Notice::Opening => store::claim_opening(conn, round.id, at)?,
            Notice::Reminder => store::claim_reminder(conn, round.id, at)?,
        };
        if !claimed {
            return Ok(false);
        }
        let title = drafts::find(conn, round.document_id)?
            .map(|d| d.title)
            .unwrap_or_default();
        // A reminder skips those who have commented in the round.
        let done: HashSet<i64> = match notice {
            Notice::Opening => HashSet::new(),
            Notice::Reminder => store::commenters(conn, round.id)?.into_iter().collect(),
        };
        let (name, closes) = when(settings, round);
        let link = link(settings, round);
        for m in audience(conn, round)? {
            if done.contains(&m.id) {
                continue;
            }
            let to = Recipient {
                email: m.email,
                name: m.full_name,
                locale: m.locale,
            };
            let what = (name.as_str(), closes.as_str());
            match notice {
                Notice::Opening => notices::round_opened(conn, &to, &title, what, &link)?,
                Notice::Reminder => notices::round_reminder(conn, &to, &title, what, &link)?,
            }
        }
        Ok(true)
    })
}

/// Queue what is due at `at`; the number of rounds whose notices this call sent.
pub fn run_once(
    conn: &mut DbConn,
    settings: &Settings,
    at: NaiveDateTime,
) -> Result<Sent, AppError> {
    let mut sent = Sent::default();
    for round in store::opening_due(conn, at)? {
        sent.openings += usize::from(send(conn, settings, &round, Notice::Opening, at)?);
    }
    if settings.rounds.reminder_hours > 0 {
        let by = at + TimeDelta::hours(settings.rounds.reminder_hours);
        for round in store::reminder_due(conn, at, by)? {
            sent.reminders += usize::from(send(conn, settings, &round, Notice::Reminder, at)?);
        }
    }
    Ok(sent)
}

/// Look for due notices every `rounds.check_secs`.
pub fn spawn(pool: Pool, settings: std::sync::Arc<Settings>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick =
            tokio::time::interval(Duration::from_secs(settings.rounds.check_secs.max(1)));
        loop {
            tick.tick().await;
            let (pool, settings) = (pool.clone(), settings.clone());
            let pass = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().map_err(AppError::from)?;
                run_once(&mut conn, &settings, now())
            });
            match pass.await {
                Ok(Ok(sent)) if sent != Sent::default() => {
                    tracing::info!(
                        openings = sent.openings,
                        reminders = sent.reminders,
                        "round notices queued"
                    )
                }
                Ok(Ok(_)) => {}
                Ok(Err(err)) => tracing::warn!(error = %err, "round notices failed"),
                Err(err) => tracing::error!(error = %err, "round notices panicked"),
            }
        }
    })
}
