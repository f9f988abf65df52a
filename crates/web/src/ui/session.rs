//! Browser sessions: the session cookie, the anti-CSRF checks of every form, and what happens
//! when a session has ended while a form was being filled in.

use super::{render, Base, ResumeField};
use crate::i18n::{Lang, Tr};
use crate::AppState;
use accord_app::auth::{csrf_matches, csrf_token};
use accord_app::Actor;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// The session cookie's name: with the `__Host-` prefix when cookies are `Secure` (the browser
/// then refuses it from any other host, path or insecure origin); without it on plain HTTP.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-accord_session"
    } else {
        "accord_session"
    }
}

/// The cookie of the sign-in form's double-submit CSRF token (there is no session yet).
pub fn login_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-accord_login"
    } else {
        "accord_login"
    }
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k.trim() == name).then(|| v.trim())
        })
}

/// A `Set-Cookie` header value: HttpOnly, SameSite=Lax, Path=/, Secure when configured;
/// `max_age` None makes a cookie that ends with the browser session, Some(0) deletes it.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The signed-in user of a page.
pub struct Session {
    pub actor: Actor,
    /// The session's secret (from the cookie), for deriving its CSRF token.
    pub token: String,
    pub lang: Lang,
}

impl Session {
    pub fn csrf(&self) -> String {
        csrf_token(&self.token)
    }

    pub fn base(&self, path: &str) -> Base {
        Base::new(self.lang, path).signed_in(&self.actor, self.csrf())
    }
}

async fn authenticate(parts: &Parts, s: &AppState) -> Option<(Actor, String)> {
    let token = cookie(&parts.headers, session_cookie_name(s.web.secure_cookies))?;
    let actor = s.app.authenticate(token).await.ok()?;
    Some((actor, token.to_string()))
}

fn path_and_query(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string()
}

/// Where to go to sign in and then come back to `next`.
pub fn login_redirect(next: &str) -> Response {
    let next = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/login?{next}")).into_response()
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    /// Pages need a session; without one (never signed in, signed out, expired, disabled) the
    /// browser is sent to the sign-in page, which brings it back here afterwards.
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let lang = Lang::from_request_parts(parts, s).await.unwrap_or(Lang::En);
        match authenticate(parts, s).await {
            Some((actor, _)) if actor.must_change_password && parts.uri.path() != "/account" => {
                Err(Redirect::to("/account?done=must-change").into_response())
            }
            Some((actor, token)) => Ok(Session { actor, token, lang }),
            None => Err(login_redirect(&path_and_query(parts))),
        }
    }
}

/// Whether a state-changing request comes from a page of this very site: a browser sends
/// `Origin` (and `Sec-Fetch-Site`) with every POST; one naming another site is refused whatever
/// else it carries.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site" || v == "same-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    origin_host.eq_ignore_ascii_case(host)
}

/// A submitted form of a signed-in page, its CSRF token checked, its fields as `T`.
pub struct PageForm<T> {
    pub session: Session,
    pub form: T,
    /// The raw fields, to show them again when the form is refused.
    pub fields: Vec<(String, String)>,
}

const FORM_LIMIT: usize = 256 * 1024;

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, s)
            .await
            .unwrap_or(Lang::En);
        let t = Tr::new(lang);
        let path = path_and_query(&parts);
        if parts.method != Method::POST {
            return Err(StatusCode::METHOD_NOT_ALLOWED.into_response());
        }
        if !same_origin(&parts.headers) {
            return Err(forbidden_form(t, &path));
        }
        let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
        };
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let Some((actor, token)) = authenticate(&parts, s).await else {
            // The session ended while the form was open: sign in again, then get the form back.
            // A form with nothing to keep (a button alone) brings back its page instead: its
            // action takes POST only.
            let resume = resume_fields(&fields);
            let next = if resume.is_empty() {
                super::pages::page_of(&path)
            } else {
                path.clone()
            };
            return Err(super::pages::login_page(
                s,
                t,
                &next,
                StatusCode::UNAUTHORIZED,
                Some(t.t("login-session-ended")),
                resume,
            ));
        };
        if actor.must_change_password
            && !matches!(parts.uri.path(), "/account/password" | "/logout")
        {
            return Err(Redirect::to("/account?done=must-change").into_response());
        }
        let given = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        if !csrf_matches(&token, given) {
            return Err(forbidden_form(t, &path));
        }
        let form = match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(f) => f,
            Err(e) => {
                let session = Session { actor, token, lang };
                let mut b = session.base(&path);
                b.error = Some(super::ErrorView::plain(
                    t.t("err-bad-form"),
                    Some(e.to_string()),
                ));
                return Err(render(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &super::MessagePage { t, b },
                ));
            }
        };
        Ok(PageForm {
            session: Session { actor, token, lang },
            form,
            fields,
        })
    }
}

/// A submitted upload form (`multipart/form-data`) of a signed-in page: its CSRF token checked,
/// its text fields, and its one file read up to the server's import limit.
pub struct PageUpload {
    pub session: Session,
    pub fields: Vec<(String, String)>,
    /// The file's name as the browser sent it, and its bytes.
    pub file: Option<(String, Vec<u8>)>,
}

/// Why an upload was not read.
pub enum UploadRefusal {
    /// The file is larger than the limit (bytes).
    TooLarge(usize),
    Response(Response),
}

impl PageUpload {
    /// Reads the form once the caller is known to see engagement `engagement`: nothing of the
    /// body is read for someone who may not.
    pub async fn read(
        req: Request,
        s: &AppState,
        engagement: uuid::Uuid,
    ) -> Result<Self, UploadRefusal> {
        let (mut parts, body) = req.into_parts();
        let lang = Lang::from_request_parts(&mut parts, s)
            .await
            .unwrap_or(Lang::En);
        let t = Tr::new(lang);
        let path = path_and_query(&parts);
        if !same_origin(&parts.headers) {
            return Err(UploadRefusal::Response(forbidden_form(t, &path)));
        }
        let Some((actor, token)) = authenticate(&parts, s).await else {
            return Err(UploadRefusal::Response(super::pages::login_page(
                s,
                t,
                &super::pages::page_of(&path),
                StatusCode::UNAUTHORIZED,
                Some(t.t("login-session-ended")),
                Vec::new(),
            )));
        };
        if let Err(e) = s.app.get_engagement(&actor, engagement).await {
            let session = Session { actor, token, lang };
            return Err(UploadRefusal::Response(super::error_page(
                t,
                session.base(&path),
                &e,
            )));
        }
        let req = Request::from_parts(parts, body);
        let mut multipart = match axum::extract::Multipart::from_request(req, s).await {
            Ok(m) => m,
            Err(_) => return Err(UploadRefusal::Response(forbidden_form(t, &path))),
        };
        let limit = s.web.max_import_bytes;
        let mut fields = Vec::new();
        let mut file = None;
        let mut text_bytes = 0;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(UploadRefusal::TooLarge(limit)),
            };
            let name = field.name().unwrap_or("").to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let mut field = field;
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            if bytes.len() + c.len() > limit {
                                return Err(UploadRefusal::TooLarge(limit));
                            }
                            bytes.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(_) => return Err(UploadRefusal::TooLarge(limit)),
                    }
                }
                if !file_name.is_empty() {
                    file = Some((file_name, bytes));
                }
            } else {
                // Text fields are small: each, and all of them together, within FORM_LIMIT.
                let mut field = field;
                let mut text = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            text_bytes += c.len();
                            if text_bytes > FORM_LIMIT || fields.len() >= 64 {
                                return Err(UploadRefusal::TooLarge(limit));
                            }
                            text.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(_) => return Err(UploadRefusal::TooLarge(limit)),
                    }
                }
                fields.push((name, String::from_utf8_lossy(&text).into_owned()));
            }
        }
        let given = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map_or("", |(_, v)| v.as_str());
        if !csrf_matches(&token, given) {
            return Err(UploadRefusal::Response(forbidden_form(t, &path)));
        }
        if actor.must_change_password {
            return Err(UploadRefusal::Response(
                Redirect::to("/account?done=must-change").into_response(),
            ));
        }
        Ok(PageUpload {
            session: Session { actor, token, lang },
            fields,
            file,
        })
    }
}

/// The fields of a refused form worth keeping for the user: everything but the CSRF token, and
/// passwords by name only (their values are never kept: the user types them again).
pub fn resume_fields(fields: &[(String, String)]) -> Vec<ResumeField> {
    fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| ResumeField {
            name: k.clone(),
            value: if k.contains("password") {
                String::new()
            } else {
                v.clone()
            },
        })
        .collect()
}

fn forbidden_form(t: Tr, path: &str) -> Response {
    let mut b = Base::new(t.lang, path);
    b.error = Some(super::ErrorView::plain(t.t("err-csrf"), None));
    render(StatusCode::FORBIDDEN, &super::MessagePage { t, b })
}

/// The raw body of the sign-in form (no session yet, so no [`PageForm`]).
pub struct RawForm {
    pub fields: Vec<(String, String)>,
    pub bytes: Bytes,
}

impl RawForm {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for RawForm {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Response> {
        let bytes = axum::body::to_bytes(req.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        let fields = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        Ok(RawForm { fields, bytes })
    }
}
