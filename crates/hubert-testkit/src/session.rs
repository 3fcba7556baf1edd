//! Browser-like sessions: log in through the real form (with the login CSRF cookie),
//! keep the session cookie, and call pages and the API the way the UI does (session
//! cookie plus `X-CSRF-Token` for changes).

use serde_json::Value;

use crate::TestApp;

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// `hubert_session=…`, ready for a `Cookie` header.
    pub cookie: String,
    /// The session's CSRF token, as the app page shows it in `<meta name="csrf-token">`.
    pub csrf: String,
}

/// The value of `name` in the response's `Set-Cookie` headers.
pub fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.trim() == name)
        .map(|(_, v)| v.to_owned())
}

/// The value of the first `attr="…"` after `marker` in an HTML page.
pub fn html_attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let rest = &html[html.find(marker)? + marker.len()..];
    let key = format!("{attr}=\"");
    let start = rest.find(&key)? + key.len();
    let end = rest[start..].find('"')?;
    Some(rest[start..start + end].to_owned())
}

impl TestApp {
    /// Submits the login form; returns the response status and, on success, the session.
    pub async fn login_status(&self, email: &str, password: &str) -> (u16, Option<Session>) {
        let page = self.http.get(self.url("/login")).send().await.expect("login page");
        let login_cookie = set_cookie(&page, "hubert_login_csrf").expect("login CSRF cookie");
        let html = page.text().await.expect("login page body");
        let csrf = html_attr_after(&html, "name=\"csrf\"", "value").expect("csrf field");
        let res = self
            .http
            .post(self.url("/login"))
            .header(reqwest::header::COOKIE, format!("hubert_login_csrf={login_cookie}"))
            .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())])
            .send()
            .await
            .expect("login request");
        let status = res.status().as_u16();
        let Some(value) = set_cookie(&res, "hubert_session") else {
            return (status, None);
        };
        let cookie = format!("hubert_session={value}");
        let (_, html) = self.page_with_cookie("/", &cookie).await;
        let csrf = html_attr_after(&html, "name=\"csrf-token\"", "content").expect("csrf meta tag on the app page");
        (status, Some(Session { cookie, csrf }))
    }

    /// Signs in through both forms: the password, then on `/login/code` the code that
    /// `code` computes from the code page's HTML (it holds the new secret when the
    /// workspace makes the user enrol). Returns the second step's status, the session
    /// when one was made, and the HTML answered (the recovery codes after an enrolment).
    pub async fn login_two_step(
        &self,
        email: &str,
        password: &str,
        code: impl FnOnce(&str) -> String,
    ) -> (u16, Option<Session>, String) {
        let page = self.http.get(self.url("/login")).send().await.expect("login page");
        let login_cookie = set_cookie(&page, "hubert_login_csrf").expect("login CSRF cookie");
        let html = page.text().await.expect("login page body");
        let csrf = html_attr_after(&html, "name=\"csrf\"", "value").expect("csrf field");
        let res = self
            .http
            .post(self.url("/login"))
            .header(reqwest::header::COOKIE, format!("hubert_login_csrf={login_cookie}"))
            .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())])
            .send()
            .await
            .expect("login request");
        assert!(
            set_cookie(&res, "hubert_session").is_none(),
            "a password alone must not sign in"
        );
        let step = set_cookie(&res, "hubert_login_step").expect("second-step cookie");
        assert_eq!(res.headers()["location"], "/login/code");
        let page = self
            .http
            .get(self.url("/login/code"))
            .header(reqwest::header::COOKIE, format!("hubert_login_step={step}"))
            .send()
            .await
            .expect("code page");
        let login_cookie = set_cookie(&page, "hubert_login_csrf").expect("code page CSRF cookie");
        let html = page.text().await.expect("code page body");
        let csrf = html_attr_after(&html, "name=\"csrf\"", "value").expect("csrf field");
        let code = code(&html);
        let res = self
            .http
            .post(self.url("/login/code"))
            .header(
                reqwest::header::COOKIE,
                format!("hubert_login_step={step}; hubert_login_csrf={login_cookie}"),
            )
            .form(&[("code", code.as_str()), ("csrf", csrf.as_str())])
            .send()
            .await
            .expect("code request");
        let status = res.status().as_u16();
        let value = set_cookie(&res, "hubert_session");
        let html = res.text().await.unwrap_or_default();
        let Some(value) = value else {
            return (status, None, html);
        };
        let cookie = format!("hubert_session={value}");
        let (_, app) = self.page_with_cookie("/", &cookie).await;
        let csrf = html_attr_after(&app, "name=\"csrf-token\"", "content").expect("csrf meta tag on the app page");
        (status, Some(Session { cookie, csrf }), html)
    }

    /// Logs in through the form; panics unless it succeeds.
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let (status, session) = self.login_status(email, password).await;
        session.unwrap_or_else(|| panic!("login as {email} failed with {status}"))
    }

    async fn page_with_cookie(&self, path: &str, cookie: &str) -> (u16, String) {
        let res = self
            .http
            .get(self.url(path))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .expect("page request");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }

    /// A page's status and HTML, as the signed-in browser sees it.
    pub async fn page(&self, session: &Session, path: &str) -> (u16, String) {
        self.page_with_cookie(path, &session.cookie).await
    }

    /// A JSON GET with the session cookie.
    pub async fn session_get(&self, session: &Session, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path))
            .header(reqwest::header::COOKIE, &session.cookie)
            .send()
            .await
            .expect("GET request");
        crate::split(res).await
    }

    /// A JSON POST with the session cookie and, when `with_csrf`, the CSRF header.
    pub async fn session_post(&self, session: &Session, path: &str, body: Value, with_csrf: bool) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url(path))
            .header(reqwest::header::COOKIE, &session.cookie)
            .json(&body);
        if with_csrf {
            req = req.header("x-csrf-token", &session.csrf);
        }
        crate::split(req.send().await.expect("POST request")).await
    }
}
