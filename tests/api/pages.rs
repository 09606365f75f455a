//! The HTML pages over HTTP: the session cookie, CSRF, and what each page shows. (Journeys in a
//! real browser, with axe, live in tests/browser.)

use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

use crate::helpers::{spawn_app, TestApp, TestUser, PASSWORD};

/// A client that does not follow redirects, so each answer can be checked.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// GET a page as `user` (their session, carried by the cookie).
    async fn page(&self, user: &TestUser, path: &str) -> Response {
        browser()
            .get(format!("{}{path}", self.address))
            .header("cookie", format!("gopy_session={}", user.token))
            .send()
            .await
            .expect("page")
    }

    /// POST a form as `user` from this site (`Sec-Fetch-Site: same-origin`, as a browser does).
    async fn form(
        &self,
        user: &TestUser,
        path: &str,
        fields: &[(&str, &str)],
        site: &str,
    ) -> Response {
        browser()
            .post(format!("{}{path}", self.address))
            .header("cookie", format!("gopy_session={}", user.token))
            .header("sec-fetch-site", site)
            .form(fields)
            .send()
            .await
            .expect("form")
    }

    async fn page_text(&self, user: &TestUser, path: &str) -> String {
        let res = self.page(user, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().await.expect("html")
    }

    /// The CSRF token in a page's forms.
    async fn csrf(&self, user: &TestUser, path: &str) -> String {
        let html = self.page_text(user, path).await;
        let start = html
            .find("name=\"csrf\" value=\"")
            .expect("a form with a token")
            + 19;
        html[start..start + 32].to_owned()
    }

    async fn my_comment_count(&self, user: &TestUser) -> usize {
        let res = self.get("/api/v1/me/comments", &user.token).await;
        let page: serde_json::Value = res.json().await.expect("json");
        page["items"].as_array().map_or(0, Vec::len)
    }
}

fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn a_page_without_a_session_leads_to_sign_in_and_back() {
    let app = spawn_app().await;
    let res = browser()
        .get(format!("{}/drafts?q=quy", app.address))
        .send()
        .await
        .expect("page");
    assert_eq!(
        (res.status(), location(&res)),
        (
            StatusCode::SEE_OTHER,
            "/login?next=%2Fdrafts%3Fq%3Dquy".to_owned()
        )
    );
}

#[tokio::test]
async fn signing_in_sets_an_httponly_lax_cookie_and_returns_to_the_page() {
    let app = spawn_app().await;
    let w = app.world().await;
    let email = w.employee.email.clone();
    let res = browser()
        .post(format!("{}/login", app.address))
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("email", email.as_str()),
            ("password", PASSWORD),
            ("next", "/my/comments"),
        ])
        .send()
        .await
        .expect("login");
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, "/my/comments".to_owned())
    );
    assert!(
        cookie.starts_with("gopy_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_the_form_again_with_the_reason() {
    let app = spawn_app().await;
    let w = app.world().await;
    let email = w.employee.email.clone();
    let res = browser()
        .post(format!("{}/login", app.address))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email.as_str()), ("password", "sai mật khẩu")])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("Email hoặc mật khẩu không đúng.") && html.contains(&email),
        "{html}"
    );
}

#[tokio::test]
async fn the_drafts_page_lists_a_published_draft_and_finds_it_without_diacritics() {
    let app = spawn_app().await;
    let w = app.world().await;
    let html = app.page_text(&w.employee, "/drafts?q=luat+can+bo").await;
    assert!(
        html.contains("Dự thảo Luật Cán bộ, công chức (sửa đổi)"),
        "{html}"
    );
}

#[tokio::test]
async fn the_draft_page_shows_contents_sections_and_a_form_per_section() {
    let app = spawn_app().await;
    let w = app.world().await;
    let html = app
        .page_text(&w.employee, &format!("/drafts/{}", w.doc))
        .await;
    for part in [
        "Mục lục",
        "Điều 1. Phạm vi điều chỉnh",
        "Luật này quy định về cán bộ, công chức.",
        "Nội dung góp ý",
        "Đề xuất sửa thành",
        "Gửi góp ý",
        &format!("name=\"section_id\" value=\"{}\"", w.sections[1]),
    ] {
        assert!(html.contains(part), "{part} missing");
    }
}

/// The line of the contents that links to section `id`.
fn toc_line(html: &str, id: i64) -> &str {
    let start = html
        .find(&format!("<li><a href=\"#s{id}\">"))
        .expect("a line in the contents");
    let end = html[start..].find("</li>").expect("end of the line") + start;
    &html[start..end]
}

#[tokio::test]
async fn the_contents_count_each_sections_approved_comments_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let on = |section: i64, body: &str| serde_json::json!({ "section_id": section, "body": body });
    let mut ids = Vec::new();
    for body in ["Góp ý một", "Góp ý hai", "Góp ý ba", "Góp ý bốn"] {
        let c = app
            .comment(&w.employee, w.doc, on(w.sections[0], body))
            .await;
        ids.push(c["id"].as_i64().expect("id"));
    }
    app.comment(&w.employee, w.doc, on(w.sections[1], "Góp ý chờ duyệt"))
        .await;
    app.decide(
        &w.moderator,
        ids[0],
        serde_json::json!({ "action": "approve" }),
    )
    .await;
    // Flagged first, then approved: counted once.
    app.decide(
        &w.moderator,
        ids[1],
        serde_json::json!({ "action": "flag" }),
    )
    .await;
    app.decide(
        &w.moderator,
        ids[1],
        serde_json::json!({ "action": "approve" }),
    )
    .await;
    app.decide(
        &w.moderator,
        ids[2],
        serde_json::json!({ "action": "reject", "reason": "Trùng lặp" }),
    )
    .await;
    let html = app
        .page_text(&w.employee, &format!("/drafts/{}", w.doc))
        .await;
    assert!(
        toc_line(&html, w.sections[0]).ends_with("<span class=\"hint\">(2)</span>")
            && !toc_line(&html, w.sections[1]).contains("hint"),
        "{html}"
    );
}

#[tokio::test]
async fn a_comment_sent_from_the_page_gets_its_receipt() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/drafts/{}", w.doc);
    let csrf = app.csrf(&w.employee, &path).await;
    let section = w.sections[0].to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("section_id", section.as_str()),
        ("body", "Đề nghị làm rõ phạm vi điều chỉnh."),
        (
            "proposed_text",
            "Luật này quy định về cán bộ, công chức và viên chức.",
        ),
    ];
    let res = app
        .form(
            &w.employee,
            &format!("{path}/comments"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let receipt = to
        .split("sent=")
        .nth(1)
        .and_then(|r| r.split('#').next())
        .unwrap_or("")
        .to_owned();
    let html = app.page_text(&w.employee, &to).await;
    assert!(
        receipt.starts_with("GY-") && html.contains(&format!("Số tiếp nhận: {receipt}")),
        "{to}"
    );
}

#[tokio::test]
async fn a_form_from_another_site_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/drafts/{}", w.doc);
    let csrf = app.csrf(&w.employee, &path).await;
    let fields = [("csrf", csrf.as_str()), ("body", "Góp ý giả mạo")];
    let res = app
        .form(
            &w.employee,
            &format!("{path}/comments"),
            &fields,
            "cross-site",
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.my_comment_count(&w.employee).await, 0);
}

#[tokio::test]
async fn a_form_without_the_sessions_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let w = app.world().await;
    let fields = [
        ("csrf", "0123456789abcdef0123456789abcdef"),
        ("body", "Góp ý giả mạo"),
    ];
    let res = app
        .form(
            &w.employee,
            &format!("/drafts/{}/comments", w.doc),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.my_comment_count(&w.employee).await, 0);
}

#[tokio::test]
async fn a_refused_comment_keeps_what_was_typed_and_names_the_field() {
    let app = spawn_app().await;
    let w = app.world().await;
    let path = format!("/drafts/{}", w.doc);
    let csrf = app.csrf(&w.employee, &path).await;
    let section = w.sections[0].to_string();
    let fields = [
        ("csrf", csrf.as_str()),
        ("section_id", section.as_str()),
        ("body", "   "),
        ("proposed_text", "Nội dung đề xuất giữ lại"),
    ];
    let res = app
        .form(
            &w.employee,
            &format!("{path}/comments"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    let key = w.sections[0];
    assert!(
        html.contains("cần 1–5000 ký tự")
            && html.contains(&format!("aria-describedby=\"body-{key}-error\""))
            && html.contains(&format!("id=\"body-{key}-error\""))
            && html.contains(">Nội dung đề xuất giữ lại</textarea>"),
        "{html}"
    );
}

#[tokio::test]
async fn my_comments_shows_each_with_its_status_and_a_rejections_reason() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app
        .comment_id(&w.employee, w.doc, "Góp ý sẽ bị từ chối")
        .await;
    app.decide(
        &w.moderator,
        id,
        serde_json::json!({ "action": "reject", "reason": "Không liên quan đến dự thảo" }),
    )
    .await;
    let html = app.page_text(&w.employee, "/my/comments").await;
    assert!(
        html.contains("Không được chấp nhận") && html.contains("Không liên quan đến dự thảo"),
        "{html}"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_for_the_api_too() {
    let app = spawn_app().await;
    let w = app.world().await;
    let csrf = app.csrf(&w.employee, "/drafts").await;
    let res = app
        .form(
            &w.employee,
            "/logout",
            &[("csrf", csrf.as_str())],
            "same-origin",
        )
        .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, "/login".to_owned())
    );
    let api = app.get("/api/v1/me", &w.employee.token).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pages_run_under_a_strict_csp_and_the_stylesheet_is_cached_by_its_hash() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.page(&w.employee, "/drafts").await;
    let csp = res
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let html = res.text().await.expect("html");
    let start = html.find("/static/gopy.").expect("stylesheet link");
    let end = start + html[start..].find('"').expect("end of href");
    let css = browser()
        .get(format!("{}{}", app.address, &html[start..end]))
        .send()
        .await
        .expect("css");
    let cache = css
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(cache, "public, max-age=31536000, immutable");
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_ask() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = browser()
        .get(format!("{}/drafts/{}", app.address, w.doc))
        .header("cookie", format!("gopy_session={}", w.employee.token))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .expect("page");
    let encoding = res
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!((res.status(), encoding.as_str()), (StatusCode::OK, "br"));
}

#[tokio::test]
async fn the_moderation_page_is_for_moderators_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app.page(&w.employee, "/moderation").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_decision_posted_without_javascript_returns_to_the_queue() {
    let app = spawn_app().await;
    let w = app.world().await;
    let id = app.comment_id(&w.employee, w.doc, "Góp ý chờ duyệt").await;
    let csrf = app.csrf(&w.moderator, "/moderation").await;
    let fields = [("csrf", csrf.as_str()), ("action", "approve")];
    let res = app
        .form(
            &w.moderator,
            &format!("/moderation/{id}"),
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, format!("/moderation?decided={id}"))
    );
    let comment: serde_json::Value = app
        .get(&format!("/api/v1/comments/{id}"), &w.employee.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(comment["status"], "approved");
}

#[tokio::test]
async fn the_secretariat_pages_are_for_the_secretariat_only() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .page(&w.employee, &format!("/secretariat/drafts/{}", w.doc))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_draft_without_a_title_comes_back_with_the_field_named() {
    let app = spawn_app().await;
    let w = app.world().await;
    let csrf = app.csrf(&w.secretariat, "/secretariat").await;
    let fields = [("csrf", csrf.as_str()), ("title", "  "), ("code", "QC-01")];
    let res = app
        .form(
            &w.secretariat,
            "/secretariat/drafts",
            &fields,
            "same-origin",
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(
        html.contains("aria-describedby=\"title-error\"") && html.contains("value=\"QC-01\""),
        "{html}"
    );
}

#[tokio::test]
async fn forgot_password_mails_a_reset_link() {
    let app = spawn_app().await;
    let w = app.world().await;
    let email = w.employee.email.clone();
    let res = browser()
        .post(format!("{}/forgot-password", app.address))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", email.as_str())])
        .send()
        .await
        .expect("form");
    assert_eq!(res.status(), StatusCode::OK);
    let mail = app.mail_to(&email, 0).await;
    assert!(mail.text.contains("/reset-password#"), "{}", mail.text);
}

#[tokio::test]
async fn pages_speak_english_to_an_account_set_to_english() {
    let app = spawn_app().await;
    let w = app.world().await;
    let res = app
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/users/{}", w.employee.id),
        )
        .auth(&w.admin.token)
        .json(&serde_json::json!({ "locale": "en" }))
        .send()
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = app.page_text(&w.employee, "/drafts").await;
    assert!(
        html.contains("Drafts for consultation") && html.contains("lang=\"en\""),
        "{html}"
    );
}

#[tokio::test]
async fn lang_in_the_address_wins_over_the_accounts_language() {
    let app = spawn_app().await;
    let w = app.world().await;
    let html = app.page_text(&w.employee, "/drafts?lang=en").await;
    assert!(html.contains("Drafts for consultation"), "{html}");
}
