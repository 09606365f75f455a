//! Scenario 7: importing a long generated draft (1,000 articles) end to end over HTTP, against
//! inserting the same number of section rows directly in one transaction.

use std::sync::Arc;
use std::time::Instant;

use diesel::prelude::*;

use crate::bench::load::Stats;
use crate::bench::{Ctx, Outcome};
use crate::db::schema::sections;
use crate::db::{ConnectionManager, DbConn};

/// 20 chương × 50 điều, each with 3 khoản of 2 điểm: 10,020 sections.
pub fn generated_draft() -> String {
    let mut text = String::from("DỰ THẢO\nLUẬT THỬ NGHIỆM NHẬP LIỆU\n\n");
    let mut article = 0;
    for chapter in 1..=20 {
        text.push_str(&format!(
            "Chương {}\nQUY ĐỊNH NHÓM {chapter}\n\n",
            roman(chapter)
        ));
        for _ in 0..50 {
            article += 1;
            text.push_str(&format!(
                "Điều {article}. Quy định về nội dung số {article}\n"
            ));
            for k in 1..=3 {
                text.push_str(&format!(
                    "{k}. Cơ quan, tổ chức, cá nhân có trách nhiệm thực hiện quy định tại khoản này theo hướng dẫn của cấp có thẩm quyền:\n"
                ));
                text.push_str("a) Bảo đảm công khai, minh bạch, đúng quy định của pháp luật;\n");
                text.push_str("b) Báo cáo kết quả thực hiện định kỳ hằng năm.\n");
            }
        }
    }
    text
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 9] = [
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

async fn new_draft(ctx: &Arc<Ctx>, n: usize) -> anyhow::Result<i64> {
    let res = ctx
        .http
        .post(format!("{}/api/v1/documents", ctx.server.base))
        .bearer_auth(&ctx.seeded.secretariat_token)
        .json(&serde_json::json!({ "title": format!("Dự thảo nhập thử {n}") }))
        .send()
        .await?
        .error_for_status()?;
    let body: serde_json::Value = res.json().await?;
    body["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no document id"))
}

/// The database's own speed: the same number of section rows, one insert each, one transaction.
fn insert_directly(url: &str, document_id: i64, rows: usize) -> anyhow::Result<f64> {
    let mut conn: DbConn = ConnectionManager::new(url)?.establish()?;
    let body = "Cơ quan, tổ chức, cá nhân có trách nhiệm thực hiện quy định tại khoản này.";
    let t = Instant::now();
    conn.transaction(|conn| {
        for i in 0..rows {
            diesel::insert_into(sections::table)
                .values((
                    sections::document_id.eq(document_id),
                    sections::position.eq(i as i32),
                    sections::label.eq(format!("Khoản {i}")),
                    sections::body.eq(body),
                    sections::path.eq(format!("Điều {i} › Khoản {i}")),
                    sections::created_at.eq(crate::db::now()),
                    sections::text_search.eq(crate::text::fold(body)),
                    sections::text_lower.eq(crate::text::lower(body)),
                ))
                .returning(sections::id)
                .get_result::<i64>(conn)?;
        }
        diesel::QueryResult::Ok(())
    })?;
    Ok(rows as f64 / t.elapsed().as_secs_f64().max(1e-9))
}

pub(crate) async fn import(ctx: &Arc<Ctx>) -> anyhow::Result<Outcome> {
    const RUNS: usize = 3;
    let text = generated_draft();
    let mut seconds = Vec::new();
    let mut sections = 0u64;
    for run in 0..RUNS {
        let doc = new_draft(ctx, run).await?;
        let t = Instant::now();
        let res = ctx
            .http
            .post(format!("{}/api/v1/documents/{doc}/import", ctx.server.base))
            .bearer_auth(&ctx.seeded.secretariat_token)
            .header("content-type", "text/plain; charset=utf-8")
            .body(text.clone())
            .send()
            .await?
            .error_for_status()?;
        let outline: serde_json::Value = res.json().await?;
        seconds.push(t.elapsed().as_secs_f64());
        sections = outline["stats"]["sections"].as_u64().unwrap_or(0);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[RUNS / 2];
    let per_second = sections as f64 / median.max(1e-9);
    let doc = new_draft(ctx, RUNS).await?;
    let (url, rows) = (ctx.url.clone(), sections as usize);
    let native = tokio::task::spawn_blocking(move || insert_directly(&url, doc, rows)).await??;
    let stat = |throughput: f64, ms: f64| Stats {
        requests: RUNS as u64,
        errors: 0,
        seconds: median,
        throughput,
        p50_ms: ms,
        p99_ms: ms,
        max_ms: ms,
    };
    let ratio = per_second / native.max(1e-9);
    Ok(Outcome {
        scenario: format!("7. import a 1,000-article draft ({sections} sections), text/plain"),
        gopy: stat(per_second, median * 1000.0),
        native: Some(stat(native, rows as f64 / native.max(1e-9) * 1000.0)),
        native_name: "row inserts, one transaction",
        ratio: Some(ratio),
        goal: "≥ 2,000 sections/s".into(),
        met: per_second >= 2000.0,
        note: format!("median of {RUNS} imports, each into a new draft; /s = sections per second"),
    })
}
