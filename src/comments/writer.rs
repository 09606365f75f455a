//! Group commit for comment submission: a writer thread takes the submissions that are
//! waiting, checks them, and writes them all in one transaction (multi-row inserts on
//! PostgreSQL), then answers each. Every comment still commits with its audit row and its
//! idempotency key, and is acknowledged only after the commit.

use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use diesel::result::DatabaseErrorKind;
use diesel::QueryResult;

use crate::audit::{AuditAction, Event};
use crate::comments::idempotency::{self, replay, request_hash, Created, Lookup, Recent};
use crate::comments::intake::{self, Fresh, Intake, Joins, Planned, Prepared};
use crate::comments::rules::{Placement, Rules};
use crate::comments::screening::add_blocked;
use crate::comments::store::{self, NewCommentRow, NewKey};
use crate::comments::terms::Terms;
use crate::comments::types::{Comment, NewComment};
use crate::db::{is_connection_lost, now, write_tx, DbConn, Pool};
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};

/// Submissions taken into one transaction at most.
const MAX_BATCH: usize = 128;
/// Writers working at once: while one waits for its commit to reach the disk, the other
/// gathers and writes the next batch.
const WRITERS: usize = 2;
/// Submissions waiting beyond this are refused with 503 (the writer is far behind).
const MAX_WAITING: usize = 4096;

pub struct Submission {
    pub author: Actor,
    pub document_id: i64,
    pub new: NewComment,
    pub key: Option<String>,
    pub meta: RequestMeta,
    /// New comments one person may make in an hour (`comments.max_per_hour`; None: no limit).
    pub max_per_hour: Option<u32>,
    /// Clustering and flagging by screening (`[moderation]`).
    pub intake: Intake,
    /// The text's screening and fingerprint, when intake is on (computed here if missing).
    pub prepared: Option<Prepared>,
}

type Reply = tokio::sync::oneshot::Sender<Result<Created, AppError>>;

/// The comment writers: requests hand their submission over and wait for its commit.
#[derive(Clone)]
pub struct CommentWriter {
    jobs: SyncSender<(Submission, Reply)>,
}

impl CommentWriter {
    /// Start the writer threads; each batch's size is observed in `batch_sizes`.
    pub fn start(pool: Pool, batch_sizes: prometheus::Histogram) -> anyhow::Result<CommentWriter> {
        let (jobs, queue) = sync_channel(MAX_WAITING);
        let queue = Arc::new(Mutex::new(queue));
        let recent = Arc::new(Mutex::new(Recent::default()));
        for i in 0..WRITERS {
            let (pool, queue, sizes) = (pool.clone(), queue.clone(), batch_sizes.clone());
            let recent = recent.clone();
            std::thread::Builder::new()
                .name(format!("comment-writer-{i}"))
                .spawn(move || writer(pool, queue, sizes, recent))?;
        }
        Ok(CommentWriter { jobs })
    }

    pub async fn submit(&self, submission: Submission) -> Result<Created, AppError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs.try_send((submission, tx)).map_err(|e| match e {
            TrySendError::Full(_) => AppError::Unavailable,
            TrySendError::Disconnected(_) => {
                AppError::Internal(anyhow::anyhow!("comment writer stopped"))
            }
        })?;
        rx.await.map_err(|_| {
            AppError::Internal(anyhow::anyhow!("comment writer dropped a submission"))
        })?
    }
}

type Queue = Arc<Mutex<Receiver<(Submission, Reply)>>>;

/// Take what is waiting (at least one submission), up to a batch.
fn next_batch(queue: &Queue) -> Option<Vec<(Submission, Reply)>> {
    let queue = queue.lock().ok()?;
    let mut batch = vec![queue.recv().ok()?];
    while batch.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

fn writer(pool: Pool, queue: Queue, sizes: prometheus::Histogram, recent: Arc<Mutex<Recent>>) {
    let mut terms = Terms::default();
    while let Some(batch) = next_batch(&queue) {
        let (jobs, replies): (Vec<Submission>, Vec<Reply>) = batch.into_iter().unzip();
        sizes.observe(jobs.len() as f64);
        // A bug in one batch must not take the writer down with it: its clients get 503.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match pool.get() {
            Ok(mut conn) => {
                let mut write = |lookup| {
                    write_tx(&mut conn, |conn| {
                        write_batch(conn, &jobs, &mut terms, lookup)
                    })
                };
                let seen = Recent::seen(&recent, &jobs);
                let mut result = write(Lookup::Refused(&seen));
                // A key used before (or in the other writer's batch, committed first): once
                // more, and those submissions are answered as the replays they are.
                if matches!(
                    result,
                    Err(diesel::result::Error::DatabaseError(
                        DatabaseErrorKind::UniqueViolation,
                        _
                    ))
                ) {
                    result = write(Lookup::All);
                }
                if let Err(err) = &result {
                    if is_connection_lost(err) {
                        conn.mark_broken();
                    }
                }
                result.map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }))
        .unwrap_or_else(|_| Err("the comment writer panicked".to_owned()));
        match outcome {
            Ok(results) => {
                Recent::remember_all(&recent, &jobs);
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(err) => {
                // Nothing of the batch was written; each client may retry with its key.
                tracing::warn!(error = %err, size = jobs.len(), "comment batch failed");
                for reply in replies {
                    let _ = reply.send(Err(AppError::Unavailable));
                }
            }
        }
    }
}

/// Write one submission in the caller's transaction, through the same checks and inserts
/// (the demo seed uses it; requests go through the `CommentWriter`).
pub fn write_now(conn: &mut DbConn, submission: Submission) -> Result<Comment, AppError> {
    match write_batch(
        conn,
        std::slice::from_ref(&submission),
        &mut Terms::default(),
        Lookup::All,
    )?
    .pop()
    {
        Some(Ok(Created::New(comment))) => Ok(*comment),
        Some(Ok(Created::Replayed(_))) | None => {
            Err(AppError::Internal(anyhow::anyhow!("nothing written")))
        }
        Some(Err(err)) => Err(err),
    }
}

/// Check every submission, write the good ones, and say what became of each (in order).
fn write_batch(
    conn: &mut DbConn,
    jobs: &[Submission],
    terms: &mut Terms,
    lookup: Lookup,
) -> QueryResult<Vec<Result<Created, AppError>>> {
    let at = now();
    // The batch's documents, rounds and sections, each read once.
    let rules = Rules::load(conn, jobs)?;
    let mut placements: Vec<Option<Placement>> = Vec::with_capacity(jobs.len());
    let mut results: Vec<Option<Result<Created, AppError>>> = Vec::with_capacity(jobs.len());
    for job in jobs {
        let (placement, result) = match rules.check(job, at) {
            Ok(p) => (Some(p), None),
            Err(e) => (None, Some(Err(e))),
        };
        placements.push(placement);
        results.push(result);
    }

    // Idempotency keys seen before (a retry gets its first answer even if the window has
    // closed since), and keys repeated within this batch.
    let early = |i: usize| match lookup {
        Lookup::All => true,
        Lookup::Refused(seen) => seen[i],
    };
    let known = idempotency::known(conn, jobs, early)?;
    let hashes: Vec<String> = jobs
        .iter()
        .map(|j| request_hash(j.document_id, &j.new))
        .collect();
    let mut first_in_batch: HashMap<(i64, String), usize> = HashMap::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    let mut to_write: Vec<usize> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if let Some(answer) = idempotency::first_answer(&known, job, &hashes[i]) {
            results[i] = Some(answer);
            continue;
        }
        if results[i].is_some() {
            continue;
        }
        if let Some(key) = &job.key {
            let id = (job.author.id, key.clone());
            if let Some(&first) = first_in_batch.get(&id) {
                repeats.push((i, first));
                continue;
            }
            first_in_batch.insert(id, i);
        }
        to_write.push(i);
    }
    crate::comments::limit::limit_per_person(conn, jobs, &mut to_write, &mut results, at)?;
    if let Lookup::Refused(seen) = lookup {
        // Those not written still get their first answer; the written ones' keys are new, or
        // inserting them fails.
        let refused: Vec<bool> = (0..jobs.len())
            .map(|i| !seen[i] && matches!(results[i], Some(Err(_))))
            .collect();
        let known = idempotency::known(conn, jobs, |i| refused[i])?;
        for i in (0..jobs.len()).filter(|&i| refused[i]) {
            if let Some(answer) = idempotency::first_answer(&known, &jobs[i], &hashes[i]) {
                results[i] = Some(answer);
            }
        }
    }

    let intake = jobs.first().map_or(Intake::OFF, |j| j.intake);
    let blocked: &[String] = if intake.enabled && !to_write.is_empty() {
        terms.get(conn)?
    } else {
        &[]
    };
    let fresh: Vec<Fresh> = to_write
        .iter()
        .map(|&i| {
            let body = &jobs[i].new.body;
            let prepared = if intake.enabled {
                let mut p = jobs[i]
                    .prepared
                    .clone()
                    .unwrap_or_else(|| Prepared::of(body));
                add_blocked(&mut p.screening, body, blocked);
                p
            } else {
                Prepared::default()
            };
            Fresh {
                document_id: jobs[i].document_id,
                prepared,
                keep_cluster: None,
            }
        })
        .collect();
    // Clustered and screened before they are written, so each row is written once.
    let plan = intake::plan(conn, &fresh, intake)?;
    let rows: Vec<NewCommentRow> = to_write
        .iter()
        .zip(&plan.items)
        .map(|(&i, planned)| new_row(&jobs[i], placements[i], planned, at))
        .collect();
    let receipts: Vec<String> = rows.iter().map(|r| r.receipt.clone()).collect();
    let ids = store::insert(conn, rows)?;
    let flags = intake::settle(conn, &plan, &ids, at)?;
    let keys = to_write
        .iter()
        .zip(&ids)
        .filter_map(|(&i, id)| {
            jobs[i].key.as_ref().map(|k| NewKey {
                user_id: jobs[i].author.id,
                key: k.clone(),
                request_hash: hashes[i].clone(),
                comment_id: *id,
                created_at: at,
            })
        })
        .collect();
    store::insert_keys(conn, keys)?;
    let mut audit_rows: Vec<_> = to_write
        .iter()
        .zip(&ids)
        .map(|(&i, id)| {
            let j = &jobs[i];
            let detail =
                serde_json::json!({ "document_id": j.document_id, "section_id": j.new.section_id });
            let event = Event::new(AuditAction::CommentCreated, Some(*id), detail);
            crate::audit::service::row(Some(j.author.id), &j.meta, event, at)
        })
        .collect();
    audit_rows.extend(flags);
    // Last in the transaction: joining the audit chain waits for its lock, held to commit.
    crate::audit::chain::append(conn, audit_rows)?;
    for (k, ((&i, id), receipt)) in to_write.iter().zip(&ids).zip(receipts).enumerate() {
        let job = &jobs[i];
        let section_path = job
            .new
            .section_id
            .and_then(|s| rules.section(s))
            .map(|s| s.path.clone());
        results[i] = Some(Ok(Created::New(Box::new(Comment {
            id: *id,
            document_id: job.document_id,
            section_id: job.new.section_id,
            section_path,
            author_id: job.author.id,
            author_name: job.author.full_name.clone(),
            unit_id: job.author.unit_id,
            unit_name: job.author.unit_name.clone(),
            body: job.new.body.clone(),
            proposed_text: job.new.proposed_text.clone(),
            status: plan.items[k].status,
            receipt,
            round: placements[i].and_then(|p| p.round.map(|r| r.1)),
            version: placements[i].map_or(1, |p| p.version),
            reason: None,
            reason_code: None,
            created_at: at.and_utc(),
            decided_at: None,
            claimed_by: None,
            claimed_until: None,
            proposed_by: None,
            cluster_id: plan.cluster_id(k, &ids),
            on_behalf_of_unit: job.new.on_behalf_of_unit,
            contributed_by: None,
            response: None,
        }))));
    }
    for (i, first) in repeats {
        let comment = to_write.iter().position(|&w| w == first).map(|p| ids[p]);
        results[i] = Some(match comment {
            Some(id) => replay(&hashes[first], &hashes[i], id),
            None => Err(AppError::Unavailable),
        });
    }
    Ok(results
        .into_iter()
        .map(|r| r.unwrap_or(Err(AppError::Unavailable)))
        .collect())
}

/// The row of a new comment, with its search forms and screening.
fn new_row(
    j: &Submission,
    placement: Option<Placement>,
    planned: &Planned,
    at: chrono::NaiveDateTime,
) -> NewCommentRow {
    let screening = &planned.screening;
    let (text_search, text_lower) = crate::text::search_forms([
        j.new.body.as_str(),
        j.new.proposed_text.as_deref().unwrap_or(""),
    ]);
    let placement = placement.unwrap_or(Placement {
        version: 1,
        round: None,
    });
    NewCommentRow {
        screening_score: i32::from(screening.score),
        screening: serde_json::to_string(screening).ok(),
        round_id: placement.round.map(|r| r.0),
        version: placement.version,
        document_id: j.document_id,
        section_id: j.new.section_id,
        author_id: j.author.id,
        unit_id: j.author.unit_id,
        body: j.new.body.clone(),
        proposed_text: j.new.proposed_text.clone(),
        status: planned.status.as_str(),
        cluster_id: match planned.joins {
            Joins::Existing(c) => Some(c),
            _ => None,
        },
        on_behalf_of_unit: j.new.on_behalf_of_unit,
        receipt: crate::comments::types::new_receipt(),
        created_at: at,
        updated_at: at,
        text_search,
        text_lower,
    }
}
