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

/// A comment just written (pending).
pub struct Fresh {
    pub id: i64,
    pub document_id: i64,
    pub body: String,
    pub screening: Screening,
    /// An edited comment that anchors a cluster stays its anchor: not clustered again.
    pub keep_cluster: Option<i64>,
}

/// What intake made of it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: CommentStatus,
    pub cluster_id: Option<i64>,
    pub screening: Screening,
}

/// A comment a new one may duplicate: written earlier, or earlier in this batch.
struct Known {
    shingles: Vec<u64>,
    cluster_id: Option<i64>,
    screening: Option<Screening>,
    /// Index in the batch, for one written in it.
    fresh: Option<usize>,
}

/// Cluster, then flag, each fresh comment (in order); audit rows for the system's flags are
/// returned for the caller's chain append.
pub fn after_insert(
    conn: &mut DbConn,
    fresh: Vec<Fresh>,
    intake: Intake,
    at: NaiveDateTime,
) -> QueryResult<(Vec<Outcome>, Vec<NewAuditRow>)> {
    if !intake.enabled {
        let outcomes = fresh
            .into_iter()
            .map(|f| Outcome {
                status: CommentStatus::Pending,
                cluster_id: f.keep_cluster,
                screening: f.screening,
            })
            .collect();
        return Ok((outcomes, Vec::new()));
    }
    let prints: Vec<Fingerprint> = fresh.iter().map(|f| fingerprint(&f.body)).collect();
    let mut documents: Vec<i64> = fresh.iter().map(|f| f.document_id).collect();
    documents.sort_unstable();
    documents.dedup();
    let all: Vec<i64> = prints.iter().flat_map(|p| p.buckets.clone()).collect();
    // (document, bucket) → comments (earlier ones, then this batch's as they are placed).
    let mut index: HashMap<(i64, i64), Vec<i64>> = HashMap::new();
    for (d, b, c) in clusters::bucket_hits(conn, &documents, &all)? {
        index.entry((d, b)).or_default().push(c);
    }
    // The best-placed earlier candidates of every fresh comment, read in one query.
    let shared: Vec<Vec<(i64, usize)>> = fresh
        .iter()
        .zip(&prints)
        .map(|(f, p)| ranked(&index, f.document_id, &p.buckets))
        .collect();
    let mut wanted: Vec<i64> = shared
        .iter()
        .flat_map(|s| s.iter().take(CHECKED).map(|(id, _)| *id))
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut known: HashMap<i64, Known> = clusters::candidates(conn, &wanted)?
        .into_iter()
        .map(|(id, body, cluster_id, screening)| {
            let screening = screening.and_then(|s| serde_json::from_str(&s).ok());
            let k = Known {
                shingles: shingles(&body),
                cluster_id,
                screening,
                fresh: None,
            };
            (id, k)
        })
        .collect();

    let mut outcomes: Vec<Outcome> = Vec::with_capacity(fresh.len());
    let mut new_anchors: Vec<i64> = Vec::new();
    let mut buckets: Vec<BucketRow> = Vec::new();
    for (i, f) in fresh.iter().enumerate() {
        // Candidates from this batch are in the index by now, ranked with the rest.
        if let Some(c) = f.keep_cluster {
            let mut screening = f.screening.clone();
            screening.add(Label::Duplicate, Vec::new());
            outcomes.push(Outcome {
                status: CommentStatus::Pending,
                cluster_id: Some(c),
                screening,
            });
            continue;
        }
        let ranking = ranked(&index, f.document_id, &prints[i].buckets);
        // Of the candidates alike enough, one already in a cluster wins (a campaign stays one
        // cluster), then the most alike.
        let mut best: Option<((bool, f64), i64, i64)> = None;
        for (cand, _) in ranking.iter().take(CHECKED) {
            let Some(k) = known.get(cand) else { continue };
            let sim = jaccard(&prints[i].shingles, &k.shingles);
            let key = (k.cluster_id.is_some(), sim);
            if sim >= intake.duplicate_threshold && best.is_none_or(|(b, _, _)| key > b) {
                best = Some((key, *cand, k.cluster_id.unwrap_or(*cand)));
            }
        }
        let cluster = best.map(|(_, cand, cluster)| (cand, cluster));
        let mut screening = f.screening.clone();
        match cluster {
            Some((anchor_or_member, cluster_id)) => {
                screening.add(Label::Duplicate, Vec::new());
                if let Some(k) = known.get_mut(&anchor_or_member) {
                    if k.cluster_id.is_none() {
                        k.cluster_id = Some(anchor_or_member);
                        match k.fresh {
                            Some(j) => {
                                let o: &mut Outcome = &mut outcomes[j];
                                o.cluster_id = Some(anchor_or_member);
                                if !o.screening.has(Label::Duplicate) {
                                    o.screening.add(Label::Duplicate, Vec::new());
                                }
                            }
                            None => new_anchors.push(anchor_or_member),
                        }
                    }
                }
                outcomes.push(Outcome {
                    status: CommentStatus::Pending,
                    cluster_id: Some(cluster_id),
                    screening,
                });
            }
            None => {
                // It may anchor a cluster: its buckets go in.
                for &b in &prints[i].buckets {
                    index.entry((f.document_id, b)).or_default().push(f.id);
                    buckets.push(BucketRow {
                        document_id: f.document_id,
                        bucket: b,
                        comment_id: f.id,
                    });
                }
                known.insert(
                    f.id,
                    Known {
                        shingles: prints[i].shingles.clone(),
                        cluster_id: None,
                        screening: None,
                        fresh: Some(i),
                    },
                );
                outcomes.push(Outcome {
                    status: CommentStatus::Pending,
                    cluster_id: None,
                    screening,
                });
            }
        }
    }
    clusters::insert_buckets(conn, buckets)?;
    for id in new_anchors {
        let mut s = known
            .get(&id)
            .and_then(|k| k.screening.clone())
            .unwrap_or_default();
        if !s.has(Label::Duplicate) {
            s.add(Label::Duplicate, Vec::new());
        }
        let json = serde_json::to_string(&s).ok();
        clusters::set_anchor(conn, id, (json.as_deref(), i32::from(s.score)))?;
    }
    let mut audit = Vec::new();
    for (f, o) in fresh.iter().zip(outcomes.iter_mut()) {
        let score = i32::from(o.screening.score);
        let flag = intake.auto_flag_score > 0 && score >= intake.auto_flag_score;
        if flag {
            o.status = CommentStatus::Flagged;
        }
        if o.cluster_id.is_none() && !flag && o.screening == f.screening {
            continue;
        }
        let json = serde_json::to_string(&o.screening).ok();
        clusters::set_intake(conn, f.id, o.cluster_id, (json.as_deref(), score), o.status)?;
        if flag {
            audit.push(flag_by_system(conn, f.id, &o.screening, at)?);
        }
    }
    Ok((outcomes, audit))
}

/// Earlier comments sharing buckets with one of `document`, most shared first (then oldest).
fn ranked(
    index: &HashMap<(i64, i64), Vec<i64>>,
    document: i64,
    buckets: &[i64],
) -> Vec<(i64, usize)> {
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for b in buckets {
        for &c in index.get(&(document, *b)).into_iter().flatten() {
            *counts.entry(c).or_default() += 1;
        }
    }
    let mut out: Vec<(i64, usize)> = counts.into_iter().collect();
    out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The system's flag: an event without actor whose note names the labels, and its audit row.
fn flag_by_system(
    conn: &mut DbConn,
    id: i64,
    screening: &Screening,
    at: NaiveDateTime,
) -> QueryResult<NewAuditRow> {
    let labels: Vec<&str> = screening.labels.iter().map(|f| f.label.as_str()).collect();
    let note = format!(
        "Sàng lọc tự động (điểm {}): {}",
        screening.score,
        labels.join(", ")
    );
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
            note: Some(&note),
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
