//! Group commit for comment submission: a writer thread takes the submissions that are
//! waiting, checks them, and writes them all in one transaction (multi-row inserts on
//! PostgreSQL), then answers each. Every comment still commits with its audit row and its
//! idempotency key, and is acknowledged only after the commit.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

use crate::comments::bulk::{insert_audit, insert_comments, insert_keys};
use crate::comments::idempotency::{request_hash, Created, HEADER};
use crate::comments::queries::{check_open, new_receipt};
use crate::comments::types::{Comment, CommentStatus, NewComment};
use crate::db::schema::{idempotency_keys, sections};
use crate::db::{is_connection_lost, now, write_tx, DbConn, Pool};
use crate::drafts::queries::{find_document, visible_to};
use crate::drafts::types::Document;
use crate::error::AppError;
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;

/// Submissions taken into one transaction at most.
const MAX_BATCH: usize = 128;
/// Writers working at once: while one waits for its commit to reach the disk, the other
/// gathers and writes the next batch.
const WRITERS: usize = 2;
/// Submissions waiting beyond this are refused with 503 (the writer is far behind).
const MAX_WAITING: usize = 4096;

pub struct Submission {
    pub author: CurrentUser,
    pub document_id: i64,
    pub new: NewComment,
    pub key: Option<String>,
    pub client: ClientInfo,
}

type Reply = tokio::sync::oneshot::Sender<Result<Created, AppError>>;

#[derive(Clone)]
pub struct Batcher {
    jobs: SyncSender<(Submission, Reply)>,
}

impl Batcher {
    pub fn start(pool: Pool) -> anyhow::Result<Batcher> {
        let (jobs, queue) = sync_channel(MAX_WAITING);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..WRITERS {
            let (pool, queue) = (pool.clone(), queue.clone());
            std::thread::Builder::new()
                .name(format!("comment-writer-{i}"))
                .spawn(move || writer(pool, queue))?;
        }
        Ok(Batcher { jobs })
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

fn writer(pool: Pool, queue: Queue) {
    while let Some(batch) = next_batch(&queue) {
        let (jobs, replies): (Vec<Submission>, Vec<Reply>) = batch.into_iter().unzip();
        // A bug in one batch must not take the writer down with it: its clients get 503.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match pool.get() {
            Ok(mut conn) => {
                let mut result = write_tx(&mut conn, |conn| write_batch(conn, &jobs));
                // The same key in the other writer's batch, committed first: once more, and
                // those submissions are answered as the replays they are.
                if matches!(
                    result,
                    Err(diesel::result::Error::DatabaseError(
                        DatabaseErrorKind::UniqueViolation,
                        _
                    ))
                ) {
                    result = write_tx(&mut conn, |conn| write_batch(conn, &jobs));
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
/// (the demo seed uses it; requests go through the `Batcher`).
pub fn write_now(conn: &mut DbConn, submission: Submission) -> Result<Comment, AppError> {
    match write_batch(conn, std::slice::from_ref(&submission))?.pop() {
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
) -> QueryResult<Vec<Result<Created, AppError>>> {
    let at = now();
    let mut docs: HashMap<i64, Option<Document>> = HashMap::new();
    let mut paths: HashMap<i64, Option<(i64, String)>> = HashMap::new();
    let mut results: Vec<Option<Result<Created, AppError>>> = Vec::with_capacity(jobs.len());
    for job in jobs {
        if let Entry::Vacant(slot) = docs.entry(job.document_id) {
            slot.insert(find_document(conn, job.document_id)?);
        }
        if let Some(s) = job.new.section_id {
            if let Entry::Vacant(slot) = paths.entry(s) {
                slot.insert(
                    sections::table
                        .find(s)
                        .select((sections::document_id, sections::path))
                        .first::<(i64, String)>(conn)
                        .optional()?,
                );
            }
        }
        results.push(
            check(
                job,
                docs.get(&job.document_id).and_then(|d| d.as_ref()),
                &paths,
                at,
            )
            .err()
            .map(Err),
        );
    }

    // Idempotency keys seen before (a retry gets its first answer even if the window has
    // closed since), and keys repeated within this batch.
    let keyed: Vec<(i64, String)> = jobs
        .iter()
        .filter_map(|j| j.key.clone().map(|k| (j.author.id, k)))
        .collect();
    let mut known: HashMap<(i64, String), (String, i64)> = HashMap::new();
    if !keyed.is_empty() {
        // One primary-key probe per key (user and key together). Asked as "any of these
        // users and any of these keys", the database read every key those users had kept,
        // and without fresh statistics it chose to scan the whole table.
        let mut query = idempotency_keys::table.into_boxed();
        for (user, key) in &keyed {
            query = query.or_filter(
                idempotency_keys::user_id
                    .eq(*user)
                    .and(idempotency_keys::key.eq(key.as_str())),
            );
        }
        for (user, key, hash, comment) in query
            .select((
                idempotency_keys::user_id,
                idempotency_keys::key,
                idempotency_keys::request_hash,
                idempotency_keys::comment_id,
            ))
            .load::<(i64, String, String, i64)>(conn)?
        {
            known.insert((user, key), (hash, comment));
        }
    }
    let hashes: Vec<String> = jobs
        .iter()
        .map(|j| request_hash(j.document_id, &j.new))
        .collect();
    let mut first_in_batch: HashMap<(i64, String), usize> = HashMap::new();
    let mut repeats: Vec<(usize, usize)> = Vec::new();
    let mut to_write: Vec<usize> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if let Some(key) = &job.key {
            if let Some((hash, comment)) = known.get(&(job.author.id, key.clone())) {
                results[i] = Some(replay(hash, &hashes[i], *comment));
                continue;
            }
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

    let receipts: Vec<String> = to_write.iter().map(|_| new_receipt()).collect();
    let ids = insert_comments(conn, jobs, &to_write, &receipts, at)?;
    insert_audit(conn, jobs, &to_write, &ids, at)?;
    insert_keys(conn, jobs, &to_write, &ids, &hashes, at)?;

    for ((&i, id), receipt) in to_write.iter().zip(&ids).zip(receipts) {
        let job = &jobs[i];
        let section_path = job
            .new
            .section_id
            .and_then(|s| paths.get(&s).cloned().flatten())
            .map(|(_, p)| p);
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
            status: CommentStatus::Pending,
            receipt,
            reason: None,
            created_at: at.and_utc(),
            decided_at: None,
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

fn replay(first_hash: &str, hash: &str, comment: i64) -> Result<Created, AppError> {
    if first_hash == hash {
        Ok(Created::Replayed(comment))
    } else {
        Err(AppError::field(
            HEADER,
            "this key was already used for a different comment",
        ))
    }
}

/// The same checks as a single submission: visible document, open window, own section.
fn check(
    job: &Submission,
    doc: Option<&Document>,
    paths: &HashMap<i64, Option<(i64, String)>>,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let doc = visible_to(doc.cloned(), &job.author)?;
    check_open(&doc, at)?;
    if let Some(s) = job.new.section_id {
        match paths.get(&s) {
            Some(Some((d, _))) if *d == job.document_id => {}
            _ => {
                return Err(AppError::field(
                    "section_id",
                    "no such section in this document",
                ))
            }
        }
    }
    Ok(())
}
