//! What happens to new (or edited) comments right after they are written, in the same
//! transaction: near-duplicates join a cluster (`duplicates`), and a comment screening scores
//! at `moderation.auto_flag_score` or more is flagged by the system, with the labels as the
//! event's note. Screening never rejects: a person decides.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::audit::types::NewAuditRow;
use crate::audit::{AuditAction, Event};
use crate::comments::cluster_store::{self as clusters, BucketRow};
use crate::comments::duplicates::{fingerprint, jaccard, shingles, Fingerprint};
use crate::comments::events::{self, NewEvent};
use crate::comments::screening::{Label, Screening};
use crate::comments::types::{CommentStatus, EventAction};
use crate::db::DbConn;
use crate::identity::RequestMeta;

/// Candidates checked exactly per comment, those sharing the most buckets first.
const CHECKED: usize = 4;

/// The settings intake follows (from `[moderation]`).
#[derive(Debug, Clone, Copy)]
pub struct Intake {
    /// Off: new comments are neither screened nor clustered.
    pub enabled: bool,
    /// 0: never flag by screening.
    pub auto_flag_score: i32,
    pub duplicate_threshold: f64,
}

impl Intake {
    /// Neither screening nor clustering.
    pub const OFF: Intake = Intake {
        enabled: false,
        auto_flag_score: 0,
        duplicate_threshold: 1.0,
    };
}

impl From<&crate::config::ModerationSettings> for Intake {
    fn from(m: &crate::config::ModerationSettings) -> Self {
        Intake {
            enabled: m.screening,
            auto_flag_score: m.auto_flag_score,
            duplicate_threshold: m.duplicate_threshold,
        }
    }
}

/// What intake needs of a comment's text alone: computed by the request, beside the other
/// requests, before the submission waits for a writer (whose time is the whole batch's).
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// All but the blocked terms, which are the admins' and read with the batch.
    pub screening: Screening,
    pub print: Fingerprint,
}

impl Prepared {
    pub fn of(text: &str) -> Prepared {
        Prepared {
            screening: crate::comments::screening::screen_text(text),
            print: fingerprint(text),
        }
    }
}

/// A comment about to be written (or an edited one about to be rewritten).
pub struct Fresh {
    pub document_id: i64,
    /// Screening complete (blocked terms included), and the fingerprint.
    pub prepared: Prepared,
    /// An edited comment that anchors a cluster stays its anchor: not clustered again.
    pub keep_cluster: Option<i64>,
}

/// Which cluster a fresh comment joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joins {
    None,
    /// A cluster whose anchor is already written.
    Existing(i64),
    /// The cluster of the batch's comment `j` (its anchor, or a member of its cluster).
    InBatch(usize),
}

/// What intake made of a fresh comment: known before it is written, so that its row is
/// written once, already clustered, labelled and (if so) flagged.
#[derive(Debug, Clone)]
pub struct Planned {
    pub joins: Joins,
    pub screening: Screening,
    pub status: CommentStatus,
    /// Others in the batch join it: it anchors a cluster of its own id.
    pub anchors: bool,
}

/// The plan for a batch: each comment's fate, and what is left to write once ids exist.
pub struct Plan {
    pub items: Vec<Planned>,
    buckets: Vec<Vec<i64>>,
    documents: Vec<i64>,
    /// Earlier comments that become anchors.
    new_anchors: Vec<(i64, Screening)>,
    flagged_notes: Vec<Option<String>>,
}

/// A comment a new one may duplicate: written earlier, or earlier in this batch.
struct Known {
    shingles: Vec<u64>,
    cluster_id: Option<i64>,
    screening: Option<Screening>,
}

/// Who a candidate is: an earlier comment's id, or the batch's comment `j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Who {
    Earlier(i64),
    Batch(usize),
}

/// Decide, before the comments are written, which cluster each joins and whether screening
/// flags it (in order: a comment may join one earlier in the batch).
pub fn plan(conn: &mut DbConn, fresh: &[Fresh], intake: Intake) -> QueryResult<Plan> {
    let n = fresh.len();
    let mut plan = Plan {
        items: fresh
            .iter()
            .map(|f| Planned {
                joins: f.keep_cluster.map_or(Joins::None, Joins::Existing),
                screening: f.prepared.screening.clone(),
                status: CommentStatus::Pending,
                anchors: false,
            })
            .collect(),
        buckets: vec![Vec::new(); n],
        documents: fresh.iter().map(|f| f.document_id).collect(),
        new_anchors: Vec::new(),
        flagged_notes: vec![None; n],
    };
    if !intake.enabled {
        return Ok(plan);
    }
    let prints: Vec<&Fingerprint> = fresh.iter().map(|f| &f.prepared.print).collect();
    let mut documents = plan.documents.clone();
    documents.sort_unstable();
    documents.dedup();
    let mut all: Vec<i64> = prints.iter().flat_map(|p| p.buckets.clone()).collect();
    // Members of one campaign in one batch share buckets: each is probed once.
    all.sort_unstable();
    all.dedup();
    let mut index: HashMap<(i64, i64), Vec<Who>> = HashMap::new();
    let mut texts: HashMap<i64, clusters::Hit> = HashMap::new();
    for hit in clusters::bucket_hits(conn, &documents, &all)? {
        index
            .entry((hit.document_id, hit.bucket))
            .or_default()
            .push(Who::Earlier(hit.comment_id));
        texts.entry(hit.comment_id).or_insert(hit);
    }
    // Only the best candidates are compared exactly: their texts are shingled.
    let mut known: HashMap<Who, Known> = HashMap::new();
    for (f, p) in fresh.iter().zip(&prints) {
        for (who, _) in ranked(&index, f.document_id, &p.buckets)
            .into_iter()
            .take(CHECKED)
        {
            let Who::Earlier(id) = who else { continue };
            if known.contains_key(&who) {
                continue;
            }
            if let Some(hit) = texts.get(&id) {
                let k = Known {
                    shingles: shingles(&hit.body),
                    cluster_id: hit.cluster_id,
                    screening: hit
                        .screening
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok()),
                };
                known.insert(who, k);
            }
        }
    }
    for (i, f) in fresh.iter().enumerate() {
        if f.keep_cluster.is_some() {
            plan.items[i].screening.add(Label::Duplicate, Vec::new());
            continue;
        }
        // Of the candidates alike enough, one already in a cluster wins (a campaign stays one
        // cluster), then the most alike.
        let mut best: Option<((bool, f64), Who)> = None;
        for (cand, _) in ranked(&index, f.document_id, &prints[i].buckets)
            .iter()
            .take(CHECKED)
        {
            let Some(k) = known.get(cand) else { continue };
            let sim = jaccard(&prints[i].shingles, &k.shingles);
            let in_cluster = match cand {
                Who::Earlier(_) => k.cluster_id.is_some(),
                Who::Batch(j) => plan.items[*j].anchors || plan.items[*j].joins != Joins::None,
            };
            let key = (in_cluster, sim);
            if sim >= intake.duplicate_threshold && best.is_none_or(|(b, _)| key > b) {
                best = Some((key, *cand));
            }
        }
        match best.map(|(_, w)| w) {
            Some(Who::Earlier(id)) => {
                let k = known.get_mut(&Who::Earlier(id));
                let cluster = k.as_ref().and_then(|k| k.cluster_id).unwrap_or(id);
                if let Some(k) = k.filter(|k| k.cluster_id.is_none()) {
                    k.cluster_id = Some(id);
                    let mut s = k.screening.clone().unwrap_or_default();
                    if !s.has(Label::Duplicate) {
                        s.add(Label::Duplicate, Vec::new());
                    }
                    plan.new_anchors.push((id, s));
                }
                plan.items[i].joins = Joins::Existing(cluster);
                plan.items[i].screening.add(Label::Duplicate, Vec::new());
            }
            Some(Who::Batch(j)) => {
                let joins = match plan.items[j].joins {
                    Joins::None => {
                        if !plan.items[j].anchors {
                            plan.items[j].anchors = true;
                            plan.items[j].screening.add(Label::Duplicate, Vec::new());
                        }
                        Joins::InBatch(j)
                    }
                    other => other,
                };
                plan.items[i].joins = joins;
                plan.items[i].screening.add(Label::Duplicate, Vec::new());
            }
            None => {
                // It may anchor a cluster: its buckets go in.
                for &b in &prints[i].buckets {
                    index
                        .entry((f.document_id, b))
                        .or_default()
                        .push(Who::Batch(i));
                }
                plan.buckets[i] = prints[i].buckets.clone();
                let k = Known {
                    shingles: prints[i].shingles.clone(),
                    cluster_id: None,
                    screening: None,
                };
                known.insert(Who::Batch(i), k);
            }
        }
    }
    for (i, item) in plan.items.iter_mut().enumerate() {
        let score = i32::from(item.screening.score);
        if intake.auto_flag_score > 0 && score >= intake.auto_flag_score {
            item.status = CommentStatus::Flagged;
            let labels: Vec<&str> = item
                .screening
                .labels
                .iter()
                .map(|f| f.label.as_str())
                .collect();
            plan.flagged_notes[i] = Some(format!(
                "Sàng lọc tự động (điểm {}): {}",
                item.screening.score,
                labels.join(", ")
            ));
        }
    }
    Ok(plan)
}

impl Plan {
    /// The cluster id of item `i` once the batch's ids are known.
    pub fn cluster_id(&self, i: usize, ids: &[i64]) -> Option<i64> {
        let item = &self.items[i];
        match item.joins {
            Joins::Existing(c) => Some(c),
            Joins::InBatch(j) => Some(ids[j]),
            Joins::None if item.anchors => Some(ids[i]),
            Joins::None => None,
        }
    }
}

/// Once the batch is written (`ids` in its order): the cluster ids that depended on it, the
/// anchors' marks, the buckets, and the system's flags (events now; audit rows returned for
/// the caller's chain append).
pub fn settle(
    conn: &mut DbConn,
    plan: &Plan,
    ids: &[i64],
    at: NaiveDateTime,
) -> QueryResult<Vec<NewAuditRow>> {
    for (i, item) in plan.items.iter().enumerate() {
        if matches!(item.joins, Joins::InBatch(_)) || item.anchors {
            clusters::set_cluster(conn, ids[i], plan.cluster_id(i, ids))?;
        }
    }
    for (id, s) in &plan.new_anchors {
        let json = serde_json::to_string(s).ok();
        clusters::set_anchor(conn, *id, (json.as_deref(), i32::from(s.score)))?;
    }
    let rows = plan
        .buckets
        .iter()
        .enumerate()
        .flat_map(|(i, bs)| {
            bs.iter().map(move |&b| BucketRow {
                document_id: plan.documents[i],
                bucket: b,
                comment_id: ids[i],
            })
        })
        .collect();
    clusters::insert_buckets(conn, rows)?;
    let mut audit = Vec::new();
    for (i, note) in plan.flagged_notes.iter().enumerate() {
        if let Some(note) = note {
            audit.push(flag_by_system(
                conn,
                ids[i],
                &plan.items[i].screening,
                note,
                at,
            )?);
        }
    }
    Ok(audit)
}

/// Earlier comments sharing buckets with one of `document`, most shared first (then oldest).
fn ranked(
    index: &HashMap<(i64, i64), Vec<Who>>,
    document: i64,
    buckets: &[i64],
) -> Vec<(Who, usize)> {
    let mut counts: HashMap<Who, usize> = HashMap::new();
    for b in buckets {
        for &c in index.get(&(document, *b)).into_iter().flatten() {
            *counts.entry(c).or_default() += 1;
        }
    }
    let mut out: Vec<(Who, usize)> = counts.into_iter().collect();
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The system's flag: an event without actor whose note names the labels, and its audit row.
fn flag_by_system(
    conn: &mut DbConn,
    id: i64,
    screening: &Screening,
    note: &str,
    at: NaiveDateTime,
) -> QueryResult<NewAuditRow> {
    events::insert_event(
        conn,
        NewEvent {
            comment_id: id,
            actor_id: None,
            action: EventAction::Flag,
            from: CommentStatus::Pending,
            to: CommentStatus::Flagged,
            reason_code: None,
            reason: None,
            note: Some(note),
            at,
        },
    )?;
    let detail = serde_json::json!({
        "action": EventAction::Flag,
        "from": CommentStatus::Pending,
        "to": CommentStatus::Flagged,
        "by": "screening",
        "score": screening.score,
    });
    let event = Event::new(AuditAction::CommentModerated, Some(id), detail);
    Ok(crate::audit::service::row(
        None,
        &RequestMeta::default(),
        event,
        at,
    ))
}
