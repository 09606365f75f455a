//! The HTML pages over HTTP: the session cookie, CSRF, and what each page shows. (Journeys in a
//! real browser, with axe, live in tests/browser.)

mod reading;
mod session;
mod work;

use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};

use crate::helpers::{TestApp, TestUser};

/// A client that does not follow redirects, so each answer can be checked.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

impl TestApp {
    /// GET a page as `user` (their session, carried by the cookie).
    pub async fn page(&self, user: &TestUser, path: &str) -> Response {
        browser()
            .get(format!("{}{path}", self.address))
            .header("cookie", format!("gopy_session={}", user.token))
            .send()
            .await
            .expect("page")
    }

    /// POST a form as `user` from this site (`Sec-Fetch-Site: same-origin`, as a browser does).
    pub async fn form(
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

    pub async fn page_text(&self, user: &TestUser, path: &str) -> String {
        let res = self.page(user, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.text().await.expect("html")
    }

    /// The CSRF token in a page's forms.
    pub async fn csrf(&self, user: &TestUser, path: &str) -> String {
        let html = self.page_text(user, path).await;
        let start = html
            .find("name=\"csrf\" value=\"")
            .expect("a form with a token")
            + 19;
        html[start..start + 32].to_owned()
    }

    pub async fn my_comment_count(&self, user: &TestUser) -> usize {
        let res = self.get("/api/v1/me/comments", &user.token).await;
        let page: serde_json::Value = res.json().await.expect("json");
        page["items"].as_array().map_or(0, Vec::len)
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}
