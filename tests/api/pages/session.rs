//! Signing in and out through pages, the cookie, CSRF, the headers every page carries, language.

use reqwest::StatusCode;

use super::{browser, location};
use crate::helpers::{spawn_app, PASSWORD};

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
