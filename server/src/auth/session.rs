//! The session: who signed in and when, in a cookie the browser cannot read or change. The
//! cookie crate's private jar encrypts and authenticates it (AES-256-GCM, the cookie's name as
//! associated data), so the server keeps no session store; it keeps only the ids of the
//! sessions signed out before their time, in the report store (every instance sees them).
//!
//! Cookie names carry the browsers' prefixes where the attributes allow: `__Host-` (Secure,
//! `Path=/`, no Domain) for the session, `__Secure-` for the sign-in in progress (`Path=/auth/`).
//! A loopback http portal, whose cookies are not Secure, uses the plain names.
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{Deserialize, Serialize};

use crate::config::SessionSettings;

pub const SESSION_COOKIE: &str = "dialout_session";
/// The sign-in in progress (state, nonce, PKCE verifier): only `/auth/` reads it.
pub const LOGIN_COOKIE: &str = "dialout_login";
/// How long a sign-in may take at Entra.
const LOGIN_TTL: Duration = Duration::from_secs(10 * 60);
/// The idle clock is written back at most this often (not on every request), and at least four
/// times per idle period, so a session in use never reaches its idle limit.
const TOUCH_EVERY_SECS: i64 = 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Random, made at sign-in: what a sign-out revokes.
    pub id: String,
    /// The user's object id in the tenant.
    pub oid: String,
    pub name: Option<String>,
    pub upn: Option<String>,
    /// The app roles of the ID token.
    pub roles: Vec<String>,
    /// Unix seconds.
    pub signed_in_at: i64,
    pub last_seen: i64,
}

impl Session {
    /// What to call the user on a page.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.upn.clone())
            .unwrap_or_else(|| self.oid.clone())
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|held| held == role)
    }
}

/// The sign-in in progress, kept between `/auth/login` and `/auth/callback`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// A path on this site to go back to.
    pub return_to: String,
    /// Signed in from an embedded page through a popup: hand the session back to the frame.
    pub popup: bool,
}

/// Reads and writes the portal's cookies with one key and one set of attributes.
#[derive(Clone)]
pub struct CookieCodec {
    key: Key,
    settings: SessionSettings,
    /// `Secure`: every deployment but a loopback http one.
    secure: bool,
    /// The portal may be framed by another site: `SameSite=None; Secure; Partitioned`.
    cross_site: bool,
    session_name: &'static str,
    login_name: &'static str,
}

impl CookieCodec {
    pub fn new(settings: SessionSettings, secure: bool, cross_site: bool) -> Self {
        let key = match &settings.key {
            // At least 64 bytes: the configuration checked.
            Some(bytes) => Key::try_from(bytes.as_slice()).unwrap_or_else(|_| Key::generate()),
            None => Key::generate(),
        };
        // A prefix only on a Secure cookie (browsers drop it otherwise). The session cookie is
        // Secure on https and whenever it is cross-site (SameSite=None requires it); the
        // sign-in cookie is never cross-site, so only on https.
        let session_name = if secure || cross_site {
            "__Host-dialout_session"
        } else {
            SESSION_COOKIE
        };
        let login_name = if secure {
            "__Secure-dialout_login"
        } else {
            LOGIN_COOKIE
        };
        Self {
            key,
            settings,
            secure,
            cross_site,
            session_name,
            login_name,
        }
    }

    /// The session cookie's name (prefixed when the cookie is Secure).
    pub fn session_name(&self) -> &'static str {
        self.session_name
    }

    /// The request's session, if it has one that is intact and has not timed out.
    pub fn session(&self, headers: &HeaderMap, now: i64) -> Option<Session> {
        let session: Session = self.read(headers, self.session_name)?;
        let idle = now - session.last_seen > self.settings.idle.as_secs() as i64;
        let over = now - session.signed_in_at > self.settings.absolute.as_secs() as i64;
        (!idle && !over && session.last_seen <= now + 60).then_some(session)
    }

    /// When `session` times out at the latest (Unix seconds): a revocation is kept that long.
    pub fn ends_at(&self, session: &Session) -> i64 {
        session.signed_in_at + self.settings.absolute.as_secs() as i64
    }

    /// Whether `session`'s idle clock is due to be written back: every minute, or a quarter
    /// of the idle limit when that is shorter.
    pub fn needs_touch(&self, session: &Session, now: i64) -> bool {
        let every = TOUCH_EVERY_SECS.min(self.settings.idle.as_secs() as i64 / 4);
        now - session.last_seen >= every.max(1)
    }

    pub fn pending_login(&self, headers: &HeaderMap) -> Option<PendingLogin> {
        self.read(headers, self.login_name)
    }

    pub fn session_cookie(&self, session: &Session) -> HeaderValue {
        let max_age =
            self.settings.absolute.as_secs() as i64 - (session.last_seen - session.signed_in_at);
        self.write(
            self.session_name,
            session,
            "/",
            max_age.max(0),
            self.cross_site,
        )
    }

    pub fn login_cookie(&self, pending: &PendingLogin) -> HeaderValue {
        // Lax, never partitioned: it comes back on Entra's top-level redirect, in the window
        // (or popup) that started the sign-in.
        self.write(
            self.login_name,
            pending,
            "/auth/",
            LOGIN_TTL.as_secs() as i64,
            false,
        )
    }

    pub fn clear_session(&self) -> HeaderValue {
        self.expire(self.session_name, "/", self.cross_site)
    }

    pub fn clear_login(&self) -> HeaderValue {
        self.expire(self.login_name, "/auth/", false)
    }

    fn read<T: for<'de> Deserialize<'de>>(&self, headers: &HeaderMap, name: &str) -> Option<T> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(text) = value.to_str() else { continue };
            for cookie in Cookie::split_parse_encoded(text.to_owned()).flatten() {
                if cookie.name() == name {
                    jar.add_original(cookie.into_owned());
                }
            }
        }
        let cookie = jar.private(&self.key).get(name)?;
        serde_json::from_str(cookie.value()).ok()
    }

    fn write<T: Serialize>(
        &self,
        name: &'static str,
        value: &T,
        path: &'static str,
        max_age_secs: i64,
        cross_site: bool,
    ) -> HeaderValue {
        let json = serde_json::to_string(value).unwrap_or_default();
        let mut jar = CookieJar::new();
        jar.private_mut(&self.key).add(Cookie::new(name, json));
        let sealed = jar
            .get(name)
            .map(|cookie| cookie.value().to_owned())
            .unwrap_or_default();
        self.header(name, sealed, path, max_age_secs, cross_site)
    }

    fn expire(&self, name: &'static str, path: &'static str, cross_site: bool) -> HeaderValue {
        self.header(name, String::new(), path, 0, cross_site)
    }

    fn header(
        &self,
        name: &'static str,
        value: String,
        path: &'static str,
        max_age_secs: i64,
        cross_site: bool,
    ) -> HeaderValue {
        let cookie = Cookie::build((name, value))
            .path(path)
            .http_only(true)
            .max_age(cookie::time::Duration::seconds(max_age_secs))
            .secure(self.secure || cross_site)
            .same_site(if cross_site {
                SameSite::None
            } else {
                SameSite::Lax
            })
            .partitioned(cross_site)
            .build();
        // The sealed value is base64 and the attributes are ASCII.
        HeaderValue::from_str(&cookie.encoded().to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("dialout_invalid=; Max-Age=0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(idle_secs: u64, absolute_secs: u64) -> CookieCodec {
        let settings = SessionSettings {
            key: Some(vec![7; 64]),
            idle: Duration::from_secs(idle_secs),
            absolute: Duration::from_secs(absolute_secs),
        };
        CookieCodec::new(settings, true, false)
    }

    fn session(signed_in_at: i64, last_seen: i64) -> Session {
        Session {
            id: "session-1".into(),
            oid: "oid".into(),
            name: Some("Ada".into()),
            upn: None,
            roles: vec!["DialoutReports.Read".into()],
            signed_in_at,
            last_seen,
        }
    }

    /// The `Cookie:` header a browser would send back for a `Set-Cookie` value.
    fn request_with(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        headers
    }

    #[test]
    fn round_trips_and_times_out() {
        let codec = codec(600, 3600);
        let cookie = codec.session_cookie(&session(1_000, 1_000));
        let text = cookie.to_str().unwrap();
        assert!(
            text.contains("HttpOnly") && text.contains("Secure") && text.contains("SameSite=Lax")
        );
        assert!(!text.contains("Ada"), "the value is encrypted: {text}");
        let headers = request_with(&cookie);
        assert_eq!(codec.session(&headers, 1_500), Some(session(1_000, 1_000)));
        assert_eq!(codec.session(&headers, 1_601), None, "idle");
        let busy = request_with(&codec.session_cookie(&session(1_000, 4_500)));
        assert_eq!(codec.session(&busy, 4_700), None, "absolute");
    }

    #[test]
    fn refuses_tampered_or_foreign_cookies() {
        let codec = codec(600, 3600);
        let mut headers = request_with(&codec.session_cookie(&session(1_000, 1_000)));
        let mut value = headers[header::COOKIE].to_str().unwrap().to_owned();
        value.insert(20, 'A');
        headers.insert(header::COOKIE, HeaderValue::from_str(&value).unwrap());
        assert_eq!(codec.session(&headers, 1_100), None);
        let other = CookieCodec::new(
            SessionSettings {
                key: Some(vec![8; 64]),
                ..codec.settings.clone()
            },
            true,
            false,
        );
        let foreign = request_with(&other.session_cookie(&session(1_000, 1_000)));
        assert_eq!(codec.session(&foreign, 1_100), None);
    }

    #[test]
    fn cross_site_cookies_are_partitioned() {
        let settings = codec(600, 3600).settings;
        let codec = CookieCodec::new(settings, false, true);
        let text = codec
            .session_cookie(&session(1, 1))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            text.contains("SameSite=None")
                && text.contains("Secure")
                && text.contains("Partitioned")
        );
        // The sign-in cookie stays Lax: it must survive Entra's top-level redirect.
        let pending = PendingLogin {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
            popup: true,
        };
        let login = codec.login_cookie(&pending).to_str().unwrap().to_owned();
        assert!(login.contains("SameSite=Lax") && !login.contains("Partitioned"));
    }

    #[test]
    fn secure_cookies_carry_the_browsers_prefixes() {
        let secure = codec(600, 3600);
        let cookie = secure.session_cookie(&session(1, 1));
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with("__Host-dialout_session="), "{text}");
        assert!(
            text.contains("Path=/;") || text.ends_with("Path=/"),
            "{text}"
        );
        assert!(!text.contains("Domain"), "{text}");
        let pending = PendingLogin {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
            popup: false,
        };
        let login = secure.login_cookie(&pending);
        assert!(
            login
                .to_str()
                .unwrap()
                .starts_with("__Secure-dialout_login=")
        );
        assert!(secure.pending_login(&request_with(&login)).is_some());
        // A loopback http portal: not Secure, so no prefix.
        let plain = CookieCodec::new(secure.settings.clone(), false, false);
        let text = plain.session_cookie(&session(1, 1));
        assert!(text.to_str().unwrap().starts_with("dialout_session="));
        // A cookie under the other name is not read.
        assert_eq!(secure.session(&request_with(&text), 2), None);
        // Framed by other sites on a loopback http portal: the session cookie is Secure (and
        // prefixed), the sign-in cookie is not (and is not).
        let framed = CookieCodec::new(secure.settings.clone(), false, true);
        let session = framed.session_cookie(&session(1, 1));
        assert!(
            session
                .to_str()
                .unwrap()
                .starts_with("__Host-dialout_session=")
        );
        let login = framed.login_cookie(&pending);
        let login = login.to_str().unwrap();
        assert!(
            login.starts_with("dialout_login=") && !login.contains("Secure"),
            "{login}"
        );
    }

    #[test]
    fn short_idle_limits_are_touched_often_enough() {
        // A 60 s idle limit: written back every 15 s, so a request every 50 s keeps it alive.
        let short = codec(60, 3600);
        assert!(!short.needs_touch(&session(1_000, 1_000), 1_014));
        assert!(short.needs_touch(&session(1_000, 1_000), 1_015));
        let mut alive = session(1_000, 1_000);
        for now in (1_050..2_000).step_by(50) {
            let headers = request_with(&short.session_cookie(&alive));
            let seen = short.session(&headers, now).expect("still signed in");
            assert!(short.needs_touch(&seen, now));
            alive.last_seen = now;
        }
        // The usual hour: once a minute.
        let usual = codec(3600, 7200);
        assert!(!usual.needs_touch(&session(1_000, 1_000), 1_059));
        assert!(usual.needs_touch(&session(1_000, 1_000), 1_060));
    }
}
