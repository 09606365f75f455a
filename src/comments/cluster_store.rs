//! Near-duplicate clusters (SQL only): LSH buckets, cluster membership, and the lists the
//! moderators read.

use diesel::prelude::*;

use crate::comments::types::CommentStatus;
use crate::db::schema::{comment_buckets, comments};
use crate::db::{insert_rows, DbConn};

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comment_buckets)]
pub struct BucketRow {
    pub document_id: i64,
    pub bucket: i64,
    pub comment_id: i64,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    document_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    bucket: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    comment_id: i64,
}

/// One probe of the primary key per bucket, whatever the statistics say: the table grows by
/// twenty rows a comment, faster than autovacuum's statistics follow, and with stale ones
/// PostgreSQL planned `bucket = ANY($1)` as a scan of the whole draft's rows (0.8 s at 50,000
/// comments instead of 35 ms). `OFFSET 0` keeps the subquery a nested loop; JIT is off for
/// the rest of the writer's transaction, since those stale estimates would also compile it.
const PG_HITS: &str = "SELECT x.document_id, x.bucket, x.comment_id \
    FROM unnest($1::bigint[]) AS b(bucket) CROSS JOIN LATERAL ( \
        SELECT c.document_id, c.bucket, c.comment_id FROM comment_buckets c \
        WHERE c.document_id = $2 AND c.bucket = b.bucket OFFSET 0) x";

/// The bucket rows of `documents` whose bucket is one of `buckets` (inside a transaction).
pub fn bucket_hits(
    conn: &mut DbConn,
    documents: &[i64],
    buckets: &[i64],
) -> QueryResult<Vec<(i64, i64, i64)>> {
    use diesel::sql_types::{Array, BigInt};
    if buckets.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        DbConn::Pg(c) => {
            diesel::connection::SimpleConnection::batch_execute(c, "SET LOCAL jit = off")?;
            let mut out = Vec::new();
            for &d in documents {
                let hits: Vec<Hit> = diesel::sql_query(PG_HITS)
                    .bind::<Array<BigInt>, _>(buckets)
                    .bind::<BigInt, _>(d)
                    .load(c)?;
                out.extend(
                    hits.into_iter()
                        .map(|h| (h.document_id, h.bucket, h.comment_id)),
                );
            }
            Ok(out)
        }
        DbConn::Sqlite(c) => comment_buckets::table
            .filter(comment_buckets::document_id.eq_any(documents))
            .filter(comment_buckets::bucket.eq_any(buckets))
            .select((
                comment_buckets::document_id,
                comment_buckets::bucket,
                comment_buckets::comment_id,
            ))
            .load(c),
    }
}

pub fn insert_buckets(conn: &mut DbConn, rows: Vec<BucketRow>) -> QueryResult<()> {
    insert_rows(conn, comment_buckets::table, rows)
}

pub fn delete_buckets(conn: &mut DbConn, comment_id: i64) -> QueryResult<usize> {
    diesel::delete(comment_buckets::table.filter(comment_buckets::comment_id.eq(comment_id)))
        .execute(conn)
}

/// What a candidate is checked by: (id, body, cluster_id, screening JSON).
pub type Candidate = (i64, String, Option<i64>, Option<String>);

pub fn candidates(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Candidate>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select((
            comments::id,
            comments::body,
            comments::cluster_id,
            comments::screening,
        ))
        .load(conn)
}

/// A comment's cluster and screening after intake (and its status, when screening flagged it).
pub fn set_intake(
    conn: &mut DbConn,
    id: i64,
    cluster_id: Option<i64>,
    (screening, score): (Option<&str>, i32),
    status: CommentStatus,
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::cluster_id.eq(cluster_id),
            comments::screening.eq(screening),
            comments::screening_score.eq(score),
            comments::status.eq(status.as_str()),
        ))
        .execute(conn)
}

/// A comment written in the same batch as its cluster's anchor learns the anchor's id.
pub fn set_cluster(conn: &mut DbConn, id: i64, cluster_id: Option<i64>) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set(comments::cluster_id.eq(cluster_id))
        .execute(conn)
}

/// An existing comment becomes its cluster's anchor.
pub fn set_anchor(
    conn: &mut DbConn,
    id: i64,
    (screening, score): (Option<&str>, i32),
) -> QueryResult<usize> {
    diesel::update(comments::table.find(id))
        .set((
            comments::cluster_id.eq(id),
            comments::screening.eq(screening),
            comments::screening_score.eq(score),
        ))
        .execute(conn)
}

/// Clusters (anchor ids) after `after` with a member still waiting for a decision (of one
/// draft, if given), in id order, at most `limit`.
pub fn open_clusters(
    conn: &mut DbConn,
    document_id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let waiting = [
        CommentStatus::Pending.as_str(),
        CommentStatus::Flagged.as_str(),
        CommentStatus::RejectProposed.as_str(),
    ];
    let mut q = comments::table
        .filter(comments::cluster_id.is_not_null())
        .filter(comments::status.eq_any(waiting))
        .select(comments::cluster_id.assume_not_null())
        .distinct()
        .order(comments::cluster_id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(d) = document_id {
        q = q.filter(comments::document_id.eq(d));
    }
    if let Some(a) = after {
        q = q.filter(comments::cluster_id.gt(a));
    }
    q.load(conn)
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Member {
    #[diesel(select_expression = comments::cluster_id.assume_not_null())]
    #[diesel(select_expression_type = diesel::dsl::AssumeNotNull<comments::cluster_id>)]
    pub cluster_id: i64,
    pub id: i64,
    pub document_id: i64,
    #[diesel(deserialize_as = String)]
    pub status: CommentStatus,
    pub body: String,
}

/// The members of clusters, except withdrawn ones, in id order.
pub fn members(conn: &mut DbConn, clusters: &[i64]) -> QueryResult<Vec<Member>> {
    comments::table
        .filter(comments::cluster_id.eq_any(clusters))
        .filter(comments::status.ne(CommentStatus::Withdrawn.as_str()))
        .order(comments::id.asc())
        .select(Member::as_select())
        .load(conn)
}
