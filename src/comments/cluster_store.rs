//! Near-duplicate clusters (SQL only): LSH buckets, cluster membership, and the lists the
//! moderators read.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Nullable, Text};

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

/// Comments read of one bucket at most, the first ones (a cluster's anchor is its first
/// comment). A bucket that many unlike comments share says nothing: common phrases ("Đề nghị
/// Ban soạn thảo …") made buckets of a thousand comments on a draft of 80,000, and reading
/// them all made the lookup the dearest part of a batch. A near-duplicate shares most of its
/// buckets with its anchor, so the others still find it.
const PER_BUCKET: i64 = 8;
const PER_BUCKET_SQL: &str = "8";

/// One probe of the primary key per bucket, whatever the statistics say: the table grows by
/// ten rows a comment, faster than autovacuum's statistics follow, and with stale ones
/// PostgreSQL planned `bucket = ANY($1)` as a scan of the whole draft's rows (0.8 s at 50,000
/// comments instead of 35 ms). The `LIMIT` keeps the subquery a nested loop (and JIT is off
/// on gopy's connections, since those stale estimates would also compile it).
///
/// Each hit brings what its comment is checked by, so that the batch reads its candidates in
/// this one round trip (a second statement for the best candidates' texts cost a third of
/// clustering's time in the comment writer).
///
/// A type of its own rather than `sql_query` text, so that diesel keeps it prepared on the
/// connection: planning it afresh cost as much as running it.
#[derive(QueryId)]
struct PgHits {
    buckets: Vec<i64>,
    document_id: i64,
}

type HitSql = (
    BigInt,
    BigInt,
    BigInt,
    Text,
    Nullable<BigInt>,
    Nullable<Text>,
);

impl Query for PgHits {
    type SqlType = HitSql;
}

impl QueryFragment<Pg> for PgHits {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("SELECT x.document_id, x.bucket, x.comment_id, m.body, m.cluster_id, ");
        out.push_sql("m.screening FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.buckets)?;
        out.push_sql(") AS b(bucket) CROSS JOIN LATERAL (SELECT c.document_id, c.bucket, ");
        out.push_sql("c.comment_id FROM comment_buckets c WHERE c.document_id = ");
        out.push_bind_param::<BigInt, _>(&self.document_id)?;
        out.push_sql(" AND c.bucket = b.bucket ORDER BY c.comment_id LIMIT ");
        out.push_sql(PER_BUCKET_SQL);
        // Each hit's comment by its key, one at a time (the `LIMIT` keeps the subquery from
        // being flattened into a join, which stale estimates could make a hash join over
        // the whole table).
        out.push_sql(") x CROSS JOIN LATERAL (SELECT m.body, m.cluster_id, m.screening ");
        out.push_sql("FROM comments m WHERE m.id = x.comment_id LIMIT 1) m");
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for PgHits {}

/// Ten rows a comment as one statement of three arrays (a `VALUES` list binds three
/// parameters a row, and is a new statement for every batch size), kept prepared as above.
#[derive(QueryId)]
struct PgInsert {
    documents: Vec<i64>,
    buckets: Vec<i64>,
    comments: Vec<i64>,
}

impl QueryFragment<Pg> for PgInsert {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("INSERT INTO comment_buckets (document_id, bucket, comment_id) ");
        out.push_sql("SELECT * FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.documents)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.buckets)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.comments)?;
        out.push_sql(")");
        Ok(())
    }
}

impl RunQueryDsl<PgConnection> for PgInsert {}

/// An earlier comment sharing a bucket with a new one, and what it is checked by.
#[derive(Debug, Queryable)]
pub struct Hit {
    pub document_id: i64,
    pub bucket: i64,
    pub comment_id: i64,
    pub body: String,
    pub cluster_id: Option<i64>,
    /// Its screening (JSON).
    pub screening: Option<String>,
}

/// The comments of `documents` in one of `buckets` (inside a transaction), at most
/// `PER_BUCKET` of each bucket.
pub fn bucket_hits(conn: &mut DbConn, documents: &[i64], buckets: &[i64]) -> QueryResult<Vec<Hit>> {
    if buckets.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    match conn {
        DbConn::Pg(c) => {
            for &document_id in documents {
                let probe = PgHits {
                    buckets: buckets.to_vec(),
                    document_id,
                };
                out.extend(probe.load::<Hit>(c)?);
            }
        }
        DbConn::Sqlite(c) => {
            for &d in documents {
                for &b in buckets {
                    let rows: Vec<Hit> = comment_buckets::table
                        .inner_join(
                            comments::table.on(comments::id.eq(comment_buckets::comment_id)),
                        )
                        .filter(comment_buckets::document_id.eq(d))
                        .filter(comment_buckets::bucket.eq(b))
                        .order(comment_buckets::comment_id.asc())
                        .limit(PER_BUCKET)
                        .select((
                            comment_buckets::document_id,
                            comment_buckets::bucket,
                            comment_buckets::comment_id,
                            comments::body,
                            comments::cluster_id,
                            comments::screening,
                        ))
                        .load(c)?;
                    out.extend(rows);
                }
            }
        }
    }
    Ok(out)
}

pub fn insert_buckets(conn: &mut DbConn, rows: Vec<BucketRow>) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => PgInsert {
            documents: rows.iter().map(|r| r.document_id).collect(),
            buckets: rows.iter().map(|r| r.bucket).collect(),
            comments: rows.iter().map(|r| r.comment_id).collect(),
        }
        .execute(c)
        .map(|_| ()),
        DbConn::Sqlite(_) => insert_rows(conn, comment_buckets::table, rows),
    }
}

/// A comment's rows in `buckets` (those of its text when they were written) go.
pub fn delete_buckets(
    conn: &mut DbConn,
    document_id: i64,
    buckets: &[i64],
    comment_id: i64,
) -> QueryResult<usize> {
    diesel::delete(
        comment_buckets::table
            .filter(comment_buckets::document_id.eq(document_id))
            .filter(comment_buckets::bucket.eq_any(buckets))
            .filter(comment_buckets::comment_id.eq(comment_id)),
    )
    .execute(conn)
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
