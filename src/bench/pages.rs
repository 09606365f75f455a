//! Scenario 8: the draft page of a 300-section draft with 2,000 approved comments, against the
//! JSON `GET /documents/{id}` of the same draft in the same run.

use std::sync::Arc;
use std::time::Duration;

use crate::bench::load::closed_loop_by_turns;
use crate::bench::setup::bulk_comments;
use crate::bench::{Ctx, Outcome};
use crate::db::{ConnectionManager, DbConn};
use diesel::connection::SimpleConnection;

const CLIENTS: usize = 16;

/// 10 chương × 29 điều: 300 sections.
fn long_text() -> String {
    let mut text = String::new();
    let mut article = 0;
    for chapter in ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"] {
        text.push_str(&format!(
            "Chương {chapter}\nQUY ĐỊNH CỦA CHƯƠNG {chapter}\n"
        ));
        for _ in 0..29 {
            article += 1;
            text.push_str(&format!(
                "Điều {article}. Quy định số {article}\nCơ quan, tổ chức, cá nhân có trách nhiệm thực hiện quy định tại Điều này theo hướng dẫn của cấp có thẩm quyền.\n"
            ));
        }
    }
    text
}

async fn call(ctx: &Ctx, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    ctx.http
        .request(method, format!("{}{path}", ctx.server.base))
        .bearer_auth(&ctx.seeded.secretariat_token)
}

/// A published 300-section draft with 2,000 approved comments spread over 100 sections.
async fn long_draft(ctx: &Arc<Ctx>) -> anyhow::Result<i64> {
    let doc: serde_json::Value = call(ctx, reqwest::Method::POST, "/api/v1/documents")
        .await
        .json(&serde_json::json!({ "title": "Dự thảo dài đo trang" }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id = doc["id"].as_i64().ok_or_else(|| anyhow::anyhow!("no id"))?;
    let outline: serde_json::Value = call(
        ctx,
        reqwest::Method::POST,
        &format!("/api/v1/documents/{id}/import"),
    )
    .await
    .header("content-type", "text/plain")
    .body(long_text())
    .send()
    .await?
    .error_for_status()?
    .json()
    .await?;
    call(
        ctx,
        reqwest::Method::POST,
        &format!("/api/v1/documents/{id}/publish"),
    )
    .await
    .json(&serde_json::json!({}))
    .send()
    .await?
    .error_for_status()?;
    let sections: Vec<i64> = outline["sections"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s["id"].as_i64()).collect())
        .unwrap_or_default();
    let (url, author) = (ctx.url.clone(), ctx.seeded.employee_ids[0]);
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut conn = ConnectionManager::new(&url)?.establish()?;
        for (n, section) in sections.iter().step_by(3).take(100).enumerate() {
            bulk_comments(&mut conn, id, *section, author, 20, &format!("PAGE{n}"))?;
        }
        // Settled as autovacuum leaves a table in service: statistics and visibility map
        // up to date, not the state just after a bulk load.
        if let DbConn::Pg(_) = conn {
            conn.batch_execute("VACUUM ANALYZE comments")?;
        }
        Ok(())
    })
    .await??;
    Ok(id)
}

/// A closed-loop client of `path`, signed in by cookie (a page) or bearer token (the API).
fn client(
    ctx: &Arc<Ctx>,
    path: String,
    cookie: bool,
) -> impl Fn(usize, u64) -> futures_util::future::BoxFuture<'static, bool> + Clone + Send + 'static
{
    let c = ctx.clone();
    let url = format!("{}{path}", ctx.server.base);
    move |client, _| {
        let (c, url) = (c.clone(), url.clone());
        Box::pin(async move {
            let s = &c.seeded;
            let token = &s.employee_tokens[client % s.employee_tokens.len()];
            let req = c.http.get(url);
            let req = if cookie {
                req.header("cookie", format!("gopy_session={token}"))
            } else {
                req.bearer_auth(token)
            };
            match req.send().await {
                Ok(r) if r.status() == reqwest::StatusCode::OK => r.bytes().await.is_ok(),
                _ => false,
            }
        })
    }
}

pub(crate) async fn draft_page(ctx: &Arc<Ctx>) -> anyhow::Result<Outcome> {
    let doc = long_draft(ctx).await?;
    let (page, json) = closed_loop_by_turns(
        CLIENTS,
        Duration::from_secs(ctx.args.duration),
        5,
        client(ctx, format!("/drafts/{doc}"), true),
        client(ctx, format!("/api/v1/documents/{doc}"), false),
    )
    .await;
    let ratio = page.throughput / json.throughput.max(1e-9);
    Ok(Outcome {
        scenario: format!(
            "8. draft page, 300 sections, 2,000 approved comments, {CLIENTS} clients"
        ),
        goal: "≥ 0.5× of the JSON document, p99 ≤ 100 ms".into(),
        met: ratio >= 0.5 && page.p99_ms <= 100.0,
        note: format!("{} errors; JSON p99 {:.1} ms", page.errors, json.p99_ms),
        ratio: Some(ratio),
        native: Some(json),
        native_name: "JSON GET /documents/{id}",
        gopy: page,
    })
}
