//! Near-duplicate clusters for moderators: the list, and one decision for a whole campaign
//! (each member still gets its own event, audit row and notice).

use std::collections::BTreeMap;

use crate::comments::cluster_store as store;
use crate::comments::duplicates::{jaccard, shingles};
use crate::comments::service::get_visible;
use crate::db::{write_tx, DbConn};
use crate::error::AppError;
use crate::identity::{Actor, RequestMeta};
use crate::input::validated;
use crate::moderation::decisions::{apply, Decision, Review};
use crate::moderation::types::{
    Cluster, ClusterDecided, ClusterDecisionRequest, ClusterQuery, ModerationRequest, Skipped,
};
use crate::pagination::{Page, PageParams};

/// Clusters with a member still waiting for a decision, oldest first.
pub fn list(conn: &mut DbConn, q: ClusterQuery) -> Result<Page<Cluster>, AppError> {
    let min_size = q.min_size.unwrap_or(2);
    if min_size < 2 {
        return Err(AppError::field("min_size", "must be 2 or more"));
    }
    let page = PageParams {
        cursor: q.cursor,
        limit: q.limit,
    }
    .keyset()?;
    let ids = store::open_clusters(conn, q.document_id, page.after, page.limit + 1)?;
    let more = ids.len() as i64 > page.limit;
    let ids: Vec<i64> = ids.into_iter().take(page.limit as usize).collect();
    let mut clusters = read(conn, &ids)?;
    clusters.retain(|c| c.size as i64 >= min_size);
    Ok(Page {
        items: clusters,
        next_cursor: more.then(|| ids.last().map(|id| id.to_string())).flatten(),
    })
}

/// The clusters `ids` with their members (withdrawn ones aside), in id order.
fn read(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<Cluster>, AppError> {
    let mut by_cluster: BTreeMap<i64, Vec<store::Member>> = BTreeMap::new();
    for m in store::members(conn, ids)? {
        by_cluster.entry(m.cluster_id).or_default().push(m);
    }
    Ok(by_cluster
        .into_iter()
        .filter_map(|(id, members)| {
            let first = members.first()?;
            let sample = shingles(&first.body);
            let min_similarity = members
                .iter()
                .map(|m| jaccard(&sample, &shingles(&m.body)))
                .fold(1.0_f64, f64::min);
            Some(Cluster {
                id,
                document_id: first.document_id,
                size: members.len(),
                sample: first.body.clone(),
                members: members.iter().map(|m| m.id).collect(),
                waiting: members
                    .iter()
                    .filter(|m| m.status.is_open())
                    .map(|m| m.id)
                    .collect(),
                min_similarity: (min_similarity * 1000.0).round() / 1000.0,
            })
        })
        .collect())
}

/// Apply one decision to every member of cluster `id` that can take it, except `except`;
/// all in one transaction. A member another moderator holds, or one's own, is skipped with
/// the reason, not the whole decision.
pub fn decide(
    conn: &mut DbConn,
    moderator: &Actor,
    meta: &RequestMeta,
    id: i64,
    req: ClusterDecisionRequest,
    review: Review,
) -> Result<ClusterDecided, AppError> {
    let req = validated(req, |r| r)?;
    let decision = Decision::check(ModerationRequest {
        action: req.action,
        reason_code: req.reason_code,
        reason: req.reason,
        note: req.note,
    })?;
    write_tx(conn, |conn| {
        let members = store::members(conn, &[id])?;
        if members.is_empty() {
            return Err(AppError::NotFound("cluster"));
        }
        let mut out = ClusterDecided {
            decided: Vec::new(),
            skipped: Vec::new(),
        };
        for m in members {
            if req.except.contains(&m.id) {
                out.skipped.push(Skipped {
                    id: m.id,
                    code: crate::error::ErrorCode::InvalidTransition,
                    detail: "left out (except)".into(),
                });
                continue;
            }
            if !m.status.is_open() {
                continue;
            }
            let comment = get_visible(conn, m.id, moderator)?;
            match apply(conn, moderator, meta, &comment, &decision, review) {
                Ok(_) => out.decided.push(m.id),
                Err(
                    e @ (AppError::Forbidden | AppError::Claimed(_) | AppError::Conflict { .. }),
                ) => out.skipped.push(Skipped {
                    id: m.id,
                    code: e.code(),
                    detail: e.to_string(),
                }),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    })
}
