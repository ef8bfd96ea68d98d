//! A corpus of hostile input: each one answered with the right 4xx problem+json (or,
//! where the input is legitimate if odd, such as SQL in a search box, a normal answer),
//! and none with any effect on another learner, whose stored rows are compared before
//! and after. Each test prints how many inputs it tried.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, TestUser, spawn_app, user_from};

/// The app, a victim with data of every kind, an attacker, and a count of inputs tried.
struct Corpus {
    app: TestApp,
    victim: TestUser,
    victim_rows: String,
    attacker: TestUser,
    question: String,
    card: String,
    /// The victim's open and submitted quiz attempts, and one of their review ids.
    victim_open: String,
    victim_done: String,
    victim_review: String,
    /// An attempt of the attacker's own, for submission bodies.
    own_attempt: String,
    tried: usize,
}

/// Everything stored for `user`, as text, to prove it unchanged.
async fn rows_of(pool: &PgPool, user: &str) -> String {
    let mut out = String::new();
    for (table, key) in [
        ("app_user", "user_id"),
        ("question_mark", "user_id"),
        ("topic_mark", "user_id"),
        ("quiz_attempt", "user_id"),
        ("card_state", "user_id"),
        ("review_log", "user_id"),
        ("refresh_token", "user_id"),
        ("activity", "user_id"),
    ] {
        let sql = format!(
            "SELECT coalesce(string_agg(row_to_json(t)::text, '\n' ORDER BY row_to_json(t)::text), '') \
             FROM {table} t WHERE {key} = $1::uuid"
        );
        let rows: String =
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(user).fetch_one(pool).await.expect("snapshot");
        out.push_str(&format!("== {table}\n{rows}\n"));
    }
    let items: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(row_to_json(i)::text, '\n' ORDER BY i.attempt_id, i.position), '')
         FROM quiz_attempt_item i JOIN quiz_attempt a USING (attempt_id) WHERE a.user_id = $1::uuid",
    )
    .bind(user)
    .fetch_one(pool)
    .await
    .expect("snapshot items");
    out.push_str(&format!("== quiz_attempt_item\n{items}\n"));
    out
}

async fn ok_json(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

impl Corpus {
    async fn new(pool: PgPool) -> Corpus {
        let app = spawn_app(pool).await;
        let topic = app.topic("alpha", "basics").await;
        let question = topic["questions"][0]["id"].as_str().unwrap().to_owned();
        let cards = app.get_json("/api/v1/tracks/alpha/topics/basics/flashcards").await;
        let card = cards["items"][0]["id"].as_str().unwrap().to_owned();

        let victim = app.new_user("victim@example.com").await;
        let as_victim = |m: Method, p: &str| app.request_as(m, p, &victim.access);
        let path = format!("/api/v1/me/questions/{question}/status");
        ok_json(as_victim(Method::PUT, &path).json(&json!({"status": "got_it"})).send().await.unwrap(), "mark").await;
        let quiz = json!({"scope": {"track": "alpha"}, "size": 2, "mode": "practice"});
        let open =
            ok_json(as_victim(Method::POST, "/api/v1/me/quizzes").json(&quiz).send().await.unwrap(), "quiz").await;
        let done =
            ok_json(as_victim(Method::POST, "/api/v1/me/quizzes").json(&quiz).send().await.unwrap(), "quiz").await;
        let done_id = done["id"].as_str().unwrap().to_owned();
        let submit = format!("/api/v1/me/quizzes/{done_id}/submission");
        let answers = json!({"answers": [{"position": 0, "selected": [0]}]});
        ok_json(as_victim(Method::POST, &submit).json(&answers).send().await.unwrap(), "submit").await;
        let review_id = uuid::Uuid::new_v4().to_string();
        let review = json!({"review_id": review_id, "flashcard_id": card, "rating": "good"});
        ok_json(as_victim(Method::POST, "/api/v1/me/reviews").json(&review).send().await.unwrap(), "review").await;

        let attacker = app.new_user("mallory@example.com").await;
        let own = ok_json(
            app.request_as(Method::POST, "/api/v1/me/quizzes", &attacker.access).json(&quiz).send().await.unwrap(),
            "own quiz",
        )
        .await;
        let victim_rows = rows_of(&app.pool, &victim.id).await;
        Corpus {
            victim_open: open["id"].as_str().unwrap().to_owned(),
            victim_done: done_id,
            victim_review: review_id,
            own_attempt: own["id"].as_str().unwrap().to_owned(),
            app,
            victim,
            victim_rows,
            attacker,
            question,
            card,
            tried: 0,
        }
    }

    fn as_attacker(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.request_as(method, path, &self.attacker.access)
    }

    fn anonymous(&self, method: Method, path: &str) -> RequestBuilder {
        self.app.client.request(method, self.app.url(path))
    }

    /// Sends one hostile input and checks the answer: `status`, problem+json (for
    /// errors), `nosniff`. Returns the body.
    async fn expect(&mut self, label: &str, req: RequestBuilder, status: StatusCode) -> Value {
        self.expect_one_of(label, req, &[status]).await
    }

    /// As [`Corpus::expect`], where either of two answers is right.
    async fn expect_one_of(&mut self, label: &str, req: RequestBuilder, allowed: &[StatusCode]) -> Value {
        self.tried += 1;
        let res = req.send().await.unwrap_or_else(|e| panic!("{label}: no answer: {e}"));
        let got = res.status();
        let status = if allowed.contains(&got) { got } else { allowed[0] };
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let (content_type, nosniff) = (header("content-type"), header("x-content-type-options"));
        let body = res.text().await.unwrap_or_default();
        let shown: String = body.chars().take(400).collect();
        assert_eq!(got, status, "{label}: expected {status}, got {got}: {shown}");
        assert_eq!(nosniff, "nosniff", "{label}: no nosniff header");
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(content_type, "application/problem+json", "{label}: not problem+json: {shown}");
            let problem: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{label}: not JSON ({e})"));
            assert_eq!(problem["status"], status.as_u16(), "{label}: status member: {shown}");
            assert!(problem["type"].is_string() && problem["detail"].is_string(), "{label}: {shown}");
            problem
        } else {
            serde_json::from_str(&body).unwrap_or(Value::Null)
        }
    }

    /// Sends raw bytes as the body with the given content type.
    fn raw(
        &self,
        method: &Method,
        path: &str,
        auth: bool,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> RequestBuilder {
        let mut req = if auth { self.as_attacker(method.clone(), path) } else { self.anonymous(method.clone(), path) };
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.body(body)
    }

    /// Asserts the victim's rows are exactly as before, and prints the count.
    async fn finish(self, section: &str) {
        let now = rows_of(&self.app.pool, &self.victim.id).await;
        assert_eq!(now, self.victim_rows, "{section}: the other learner's data changed");
        let me = self.app.get_as("/api/v1/me", &self.victim.access).await;
        assert_eq!(me.status(), StatusCode::OK, "{section}: the other learner's session no longer works");
        println!(
            "hostile/{section}: {} inputs tried, all answered as expected; the other learner is unchanged",
            self.tried
        );
    }
}

/// Every operation that takes a JSON body: (method, path, needs a token).
fn json_operations(c: &Corpus) -> Vec<(Method, String, bool)> {
    vec![
        (Method::POST, "/api/v1/auth/register".into(), false),
        (Method::POST, "/api/v1/auth/login".into(), false),
        (Method::POST, "/api/v1/auth/refresh".into(), false),
        (Method::POST, "/api/v1/auth/logout".into(), false),
        (Method::PATCH, "/api/v1/me".into(), true),
        (Method::POST, "/api/v1/me/password".into(), true),
        (Method::DELETE, "/api/v1/me".into(), true),
        (Method::PUT, format!("/api/v1/me/questions/{}/status", c.question), true),
        (Method::PUT, "/api/v1/me/tracks/alpha/topics/basics/status".into(), true),
        (Method::POST, "/api/v1/me/quizzes".into(), true),
        (Method::POST, format!("/api/v1/me/quizzes/{}/submission", c.own_attempt), true),
        (Method::POST, "/api/v1/me/reviews".into(), true),
    ]
}

/// A body over the size limit sent without Content-Length (chunked), over a raw
/// socket: the limit must hold while streaming, not only for declared lengths.
async fn chunked_oversize(app: &TestApp, path: &str) -> (u16, String) {
    let addr = app.address.trim_start_matches("http://").to_owned();
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).expect("timeout");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let chunk = vec![b' '; 64 * 1024];
        let mut send = || -> std::io::Result<()> {
            stream.write_all(head.as_bytes())?;
            for _ in 0..8 {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(&chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")
        };
        // The server may answer and close before the whole body is sent: fine.
        let _ = send();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, text)
    })
    .await
    .expect("raw client")
}

const EITHER: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[sqlx::test]
async fn oversized_nested_malformed_and_mistyped_bodies(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    let json = Some("application/json");
    let big = format!("{{\"email\": \"{}\"}}", "a".repeat(300 * 1024)).into_bytes();
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes();
    let deep_object = format!("{}1{}", "{\"a\":".repeat(40_000), "}".repeat(40_000)).into_bytes();
    let deep_in_field = format!("{{\"email\": {}{}}}", "[".repeat(5_000), "]".repeat(5_000)).into_bytes();
    // In a key, so every operation meets it before any field check.
    let bad_utf8 = b"{\"\xff\xfe\xfd\": \"x\"}".to_vec();
    let lone_surrogate = b"{\"\\ud800\": \"x\"}".to_vec();
    // Deep nesting is refused at the first value of the wrong type (422) or at
    // serde_json's depth limit of 128 (400), whichever the parser meets first; never a
    // stack overflow. Bodies both malformed and mistyped likewise. `EITHER` marks those.
    let bodies: Vec<(&str, Option<&str>, Vec<u8>, StatusCode)> = vec![
        ("300 KiB body", json, big, StatusCode::PAYLOAD_TOO_LARGE),
        ("100k-deep array", json, deep_array, EITHER),
        ("40k-deep object", json, deep_object, EITHER),
        ("5k-deep array in a field", json, deep_in_field, EITHER),
        ("invalid UTF-8", json, bad_utf8, StatusCode::BAD_REQUEST),
        ("lone UTF-16 surrogate escape", json, lone_surrogate, StatusCode::BAD_REQUEST),
        ("empty body", json, Vec::new(), StatusCode::BAD_REQUEST),
        ("truncated inside a key", json, b"{\"".to_vec(), StatusCode::BAD_REQUEST),
        ("unclosed object", json, b"{".to_vec(), StatusCode::BAD_REQUEST),
        ("trailing garbage", json, b"{} {}".to_vec(), EITHER),
        ("text/plain", Some("text/plain"), b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("form", Some("application/x-www-form-urlencoded"), b"a=b".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("multipart", Some("multipart/form-data; boundary=x"), b"--x--".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("xml", Some("application/xml"), b"<a/>".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("no content type", None, b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("garbage content type", Some("\u{1}/\u{2}"), b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("array instead of object", json, b"[]".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        ("string instead of object", json, b"\"x\"".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        ("null instead of object", json, b"null".to_vec(), StatusCode::UNPROCESSABLE_ENTITY),
        ("number instead of object", json, b"1e999".to_vec(), StatusCode::BAD_REQUEST),
    ];
    for (method, path, auth) in json_operations(&c) {
        for (label, content_type, body, status) in &bodies {
            // reqwest refuses header values with control characters; skip that one here.
            if content_type.is_some_and(|ct| ct.chars().any(char::is_control)) {
                continue;
            }
            let req = c.raw(&method, &path, auth, *content_type, body.clone());
            let allowed: &[StatusCode] =
                if *status == EITHER { &[StatusCode::BAD_REQUEST, EITHER] } else { &[*status] };
            c.expect_one_of(&format!("{method} {path}: {label}"), req, allowed).await;
        }
    }
    for path in ["/api/v1/auth/login", "/api/v1/auth/register"] {
        c.tried += 1;
        let (status, text) = chunked_oversize(&c.app, path).await;
        assert_eq!(status, 413, "chunked 512 KiB to {path}: {text}");
        assert!(text.to_ascii_lowercase().contains("application/problem+json"), "chunked 413 body: {text}");
    }
    c.finish("bodies").await;
}

#[sqlx::test]
async fn duplicate_json_keys_are_refused(pool: PgPool) {
    // serde_json keeps the last of two equal keys when it builds a map, but every typed
    // body here refuses them ("duplicate field"), so a proxy that reads the first value
    // and this server can never disagree about what was sent. Refusing is the decision.
    let mut c = Corpus::new(pool).await;
    let q = c.question.clone();
    let cases: Vec<(Method, String, bool, String)> = vec![
        (
            Method::POST,
            "/api/v1/auth/register".into(),
            false,
            format!(
                r#"{{"email": "dup@example.com", "email": "victim@example.com", "password": "{PASSWORD}", "display_name": "D"}}"#
            ),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            false,
            format!(r#"{{"email": "mallory@example.com", "email": "victim@example.com", "password": "{PASSWORD}"}}"#),
        ),
        (Method::POST, "/api/v1/auth/refresh".into(), false, r#"{"refresh_token": "a", "refresh_token": "b"}"#.into()),
        (Method::PATCH, "/api/v1/me".into(), true, r#"{"display_name": "A", "display_name": "B"}"#.into()),
        (Method::PATCH, "/api/v1/me".into(), true, r#"{"timezone": "UTC", "timezone": "Europe/Berlin"}"#.into()),
        (
            Method::POST,
            "/api/v1/me/password".into(),
            true,
            format!(r#"{{"current_password": "{PASSWORD}", "new_password": "x", "new_password": "y-long-enough-1"}}"#),
        ),
        (
            Method::PUT,
            format!("/api/v1/me/questions/{q}/status"),
            true,
            r#"{"status": "got_it", "status": "new"}"#.into(),
        ),
        (
            Method::PUT,
            "/api/v1/me/tracks/alpha/topics/basics/status".into(),
            true,
            r#"{"status": "done", "status": "skipped"}"#.into(),
        ),
        (
            Method::POST,
            "/api/v1/me/quizzes".into(),
            true,
            r#"{"scope": {"track": "alpha", "track": "beta"}, "size": 1, "mode": "practice"}"#.into(),
        ),
        (
            Method::POST,
            "/api/v1/me/quizzes".into(),
            true,
            r#"{"scope": {"track": "alpha"}, "size": 1, "size": 50, "mode": "practice"}"#.into(),
        ),
        (
            Method::POST,
            format!("/api/v1/me/quizzes/{}/submission", c.own_attempt),
            true,
            r#"{"answers": [{"position": 0, "position": 1, "selected": [0]}]}"#.into(),
        ),
        (
            Method::POST,
            "/api/v1/me/reviews".into(),
            true,
            format!(
                r#"{{"review_id": "{}", "review_id": "{}", "flashcard_id": "{}", "rating": "good"}}"#,
                uuid::Uuid::new_v4(),
                c.victim_review,
                c.card
            ),
        ),
    ];
    for (method, path, auth, body) in cases {
        let req = c.raw(&method, &path, auth, Some("application/json"), body.into_bytes());
        let problem =
            c.expect(&format!("{method} {path} with a duplicate key"), req, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["detail"].as_str().unwrap_or("").contains("duplicate"), "{path}: {problem}");
    }
    // Free-form admin documents too (they are read as JSON values before validation).
    let admin = c.app.new_admin("admin@example.com").await;
    let topics: i64 = sqlx::query_scalar("SELECT count(*) FROM topic").fetch_one(&c.app.pool).await.unwrap();
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/admin/content/topics",
            r#"{"slug": "dup-a", "slug": "dup-b", "title": "T", "summary": "S"}"#,
        ),
        (
            Method::PUT,
            "/api/v1/admin/content/topics/basics",
            r#"{"slug": "basics", "title": "T", "title": "U", "summary": "S"}"#,
        ),
        (
            Method::POST,
            "/api/v1/admin/content/questions",
            r#"{"topic": "basics", "slug": "q", "title": "T", "meta": {"a": 1, "a": 2}}"#,
        ),
        (
            Method::POST,
            "/api/v1/admin/import?dry_run=true",
            r#"{"topics": [{"slug": "x", "slug": "y", "title": "T"}]}"#,
        ),
    ] {
        let req =
            c.app.request_as(method.clone(), path, &admin.access).header(CONTENT_TYPE, "application/json").body(body);
        let problem =
            c.expect(&format!("{method} {path} with a duplicate key"), req, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(problem["detail"].as_str().unwrap_or("").contains("duplicate"), "{path}: {problem}");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM topic").fetch_one(&c.app.pool).await.unwrap();
    assert_eq!(after, topics, "an admin document with duplicate keys was applied");
    c.finish("duplicate-keys").await;
}

#[sqlx::test]
async fn hostile_limits_cursors_and_searches(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    let lists = ["/api/v1/questions", "/api/v1/articles", "/api/v1/me/quizzes", "/api/v1/me/reviews/due"];
    let limits: [(&str, StatusCode); 14] = [
        ("0", StatusCode::UNPROCESSABLE_ENTITY),
        ("-1", StatusCode::UNPROCESSABLE_ENTITY),
        ("101", StatusCode::UNPROCESSABLE_ENTITY),
        ("-9223372036854775808", StatusCode::UNPROCESSABLE_ENTITY),
        ("9223372036854775807", StatusCode::UNPROCESSABLE_ENTITY),
        ("99999999999999999999999999", StatusCode::BAD_REQUEST),
        ("ten", StatusCode::BAD_REQUEST),
        ("1.5", StatusCode::BAD_REQUEST),
        ("1e2", StatusCode::BAD_REQUEST),
        ("0x10", StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
        ("%00", StatusCode::BAD_REQUEST),
        ("5%27%3B%20DROP%20TABLE%20question%3B--", StatusCode::BAD_REQUEST),
        ("NaN", StatusCode::BAD_REQUEST),
    ];
    for list in lists {
        for (value, status) in limits {
            let req = c.as_attacker(Method::GET, &format!("{list}?limit={value}"));
            c.expect(&format!("{list}?limit={value}"), req, status).await;
        }
    }

    // Cursors: garbage, well-formed JSON of the wrong shape, another list's cursor,
    // hostile values inside a valid shape. A cursor the server did not make is a 400.
    let b64_text = |text: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes())
    };
    let b64 = |v: &Value| b64_text(&v.to_string());
    let question_page = c.app.get_json("/api/v1/questions?limit=1").await;
    let question_cursor = question_page["next_cursor"].as_str().unwrap().to_owned();
    let forged: Vec<(&str, String)> = vec![
        ("not base64", "!!!***".into()),
        ("base64 of garbage", "AAAA".into()),
        ("empty object", b64(&json!({}))),
        ("wrong shape", b64(&json!(["a", 1]))),
        ("null", b64(&Value::Null)),
        ("huge number", b64(&json!([1e308, "00000000-0000-0000-0000-000000000000"]))),
        (
            "i128 overflow",
            b64_text(r#"[1701411834604692317316873037158841057270, "00000000-0000-0000-0000-000000000000"]"#),
        ),
        ("NUL in a browse key", b64(&json!(["a\u{0}b", 1, "00000000-0000-0000-0000-000000000000"]))),
        ("NUL in an article key", b64(&json!("a\u{0}b"))),
        ("600 characters", "A".repeat(600)),
        ("padding and junk", format!("{question_cursor}==%%")),
    ];
    let quiz_cursor = b64_text(r#"[1795564968000000000, "00000000-0000-0000-0000-000000000000"]"#);
    for list in ["/api/v1/questions", "/api/v1/questions?q=mutable", "/api/v1/articles", "/api/v1/me/quizzes"] {
        let sep = if list.contains('?') { '&' } else { '?' };
        for (label, cursor) in &forged {
            let url = format!("{list}{sep}cursor={}", urlencode(cursor));
            let res = c.as_attacker(Method::GET, &url);
            c.expect(&format!("{list} cursor {label}"), res, StatusCode::BAD_REQUEST).await;
        }
    }
    // Cursors are positions, not secrets: a hand-made one of the right shape pages from
    // there, with SQL in it as inert text, and can only ever show the caller's own rows.
    let sql = b64(&json!(["'; DROP TABLE question; --", 1, "00000000-0000-0000-0000-000000000000"]));
    let req = c.as_attacker(Method::GET, &format!("/api/v1/questions?cursor={sql}"));
    c.expect("a hand-made question cursor holding SQL", req, StatusCode::OK).await;
    let req = c.as_attacker(Method::GET, &format!("/api/v1/articles?cursor={}", b64(&json!("' OR 1=1 --"))));
    c.expect("a hand-made article cursor holding SQL", req, StatusCode::OK).await;
    let early = b64_text(r#"[0, "00000000-0000-0000-0000-000000000000"]"#);
    let req = c.as_attacker(Method::GET, &format!("/api/v1/me/quizzes?cursor={early}"));
    let page = c.expect("a hand-made quiz cursor", req, StatusCode::OK).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "nothing is older than 1970: {page}");
    let req = c.as_attacker(Method::GET, &format!("/api/v1/me/quizzes?cursor={question_cursor}"));
    c.expect("a question cursor on the quiz list", req, StatusCode::BAD_REQUEST).await;
    let req = c.as_attacker(Method::GET, &format!("/api/v1/questions?cursor={quiz_cursor}"));
    c.expect("a quiz cursor on the question list", req, StatusCode::BAD_REQUEST).await;

    // Search: SQL, LIKE, regex and websearch metacharacters are text, not syntax.
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM question").fetch_one(&c.app.pool).await.unwrap();
    let searches = [
        "'; DROP TABLE question; --",
        "\" OR 1=1 --",
        "' OR ''='",
        "%",
        "_",
        "%%",
        "a%",
        ".*",
        "\\",
        "\\\\",
        "[a-z]+",
        "(",
        ")",
        "\"",
        "\"unterminated",
        "-",
        "--",
        "-mutable",
        "or",
        "OR OR OR",
        "!",
        "!!",
        "&",
        "|",
        "a & b | !c",
        ":*",
        "a:*",
        "<->",
        "a <-> b",
        "$1",
        "?",
        "NULL",
        "😀",
        "ＤＲＯＰ ＴＡＢＬＥ",
        "\u{202E}elbat",
        " ",
    ];
    for q in searches {
        let req = c.anonymous(Method::GET, "/api/v1/questions").query(&[("q", q)]);
        let page = c.expect(&format!("questions?q={q:?}"), req, StatusCode::OK).await;
        let items = page["items"].as_array().unwrap_or_else(|| panic!("q={q:?}: no items: {page}"));
        if ["%", "_", "%%", ".*", "\\", "[a-z]+"].contains(&q) {
            assert!(items.is_empty(), "q={q:?} acted as a pattern and matched {} items", items.len());
        }
    }
    let filters = [
        ("/api/v1/questions", "tag", "%"),
        ("/api/v1/questions", "tag", ".*"),
        ("/api/v1/questions", "track", "%"),
        ("/api/v1/questions", "topic", "_"),
        ("/api/v1/questions", "tag", "' OR 1=1 --"),
        ("/api/v1/articles", "topic", "%"),
        ("/api/v1/articles", "topic", "' OR 1=1 --"),
    ];
    for (path, key, value) in filters {
        let req = c.anonymous(Method::GET, path).query(&[(key, value)]);
        let page = c.expect(&format!("{path}?{key}={value}"), req, StatusCode::OK).await;
        assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "{path}?{key}={value} matched as a pattern");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM question").fetch_one(&c.app.pool).await.unwrap();
    assert_eq!(after, total, "the question table changed");
    c.finish("limits-cursors-search").await;
}

/// Percent-encodes every byte outside the unreserved set, so text reaches the
/// server's parser exactly (the client library would otherwise reject or fix it).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test]
async fn hostile_account_fields(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    let ten_kb = "x".repeat(10 * 1024);
    let long_email = format!("{ten_kb}@example.com");
    let register =
        |email: &str, password: &str, name: &str| json!({"email": email, "password": password, "display_name": name});
    let cases: Vec<(&str, Value, StatusCode)> = vec![
        ("10 KB email", register(&long_email, PASSWORD, "N"), StatusCode::UNPROCESSABLE_ENTITY),
        ("10 KB display name", register("n1@example.com", PASSWORD, &ten_kb), StatusCode::UNPROCESSABLE_ENTITY),
        ("10 KB domain", register(&format!("a@{ten_kb}.com"), PASSWORD, "N"), StatusCode::UNPROCESSABLE_ENTITY),
        ("1025-byte password", register("n2@example.com", &"p".repeat(1025), "N"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "1025 bytes of two-byte characters",
            register("n3@example.com", &format!("{}a", "é".repeat(512)), "N"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("100 KB password", register("n4@example.com", &"p".repeat(100_000), "N"), StatusCode::UNPROCESSABLE_ENTITY),
        ("NUL in email", register("a\u{0}b@example.com", PASSWORD, "N"), StatusCode::UNPROCESSABLE_ENTITY),
        ("NUL in password", register("n5@example.com", "tangerine\u{0}orbit", "N"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "zero-width space in email",
            register("vic\u{200B}tim@example.com", PASSWORD, "N"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "zero-width joiner in email",
            register("victim\u{200D}@example.com", PASSWORD, "N"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "byte-order mark in email",
            register("\u{FEFF}victim@example.com", PASSWORD, "N"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("soft hyphen in email", register("victim@exam\u{AD}ple.com", PASSWORD, "N"), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "bidi override in email",
            register("\u{202E}moc.elpmaxe@mitciv", PASSWORD, "N"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (label, body, status) in cases {
        let req = c.anonymous(Method::POST, "/api/v1/auth/register").json(&body);
        c.expect(&format!("register: {label}"), req, status).await;
    }

    // Passwords exactly at the bound work, in any encoding of those 1024 bytes.
    for (i, password) in ["p".repeat(1024), "é".repeat(512), "😀".repeat(256)].into_iter().enumerate() {
        let email = format!("bound{i}@example.com");
        c.app.new_user_with(&email, &password).await;
        c.tried += 1;
        let req = c.anonymous(Method::POST, "/api/v1/auth/login").json(&json!({"email": email, "password": password}));
        c.expect(&format!("login: 1024-byte password #{i}"), req, StatusCode::OK).await;
    }
    let logins: Vec<(&str, Value, StatusCode)> = vec![
        ("10 KB email", json!({"email": long_email, "password": PASSWORD}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "1025-byte password",
            json!({"email": "victim@example.com", "password": "p".repeat(1025)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "200 KB password",
            json!({"email": "victim@example.com", "password": "p".repeat(200_000)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "NUL in email",
            json!({"email": "victim\u{0}@example.com", "password": PASSWORD}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "NUL in password",
            json!({"email": "victim@example.com", "password": "tangerine-orbit-42\u{0}"}),
            StatusCode::UNAUTHORIZED,
        ),
        ("SQL in email", json!({"email": "' OR 1=1 --@example.com", "password": PASSWORD}), StatusCode::UNAUTHORIZED),
        (
            "homoglyph of the victim (Cyrillic а)",
            json!({"email": "victim@ex\u{0430}mple.com", "password": PASSWORD}),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (label, body, status) in logins {
        let req = c.anonymous(Method::POST, "/api/v1/auth/login").json(&body);
        c.expect(&format!("login: {label}"), req, status).await;
    }

    // The same address in another case or compatibility form is the same account:
    // signing up with it again is accepted as for any address but makes nothing (the
    // owner is told) and spends the same address's budget (5 sign-ups an hour, alice's
    // own was the first), and logging in with it works.
    let alice = c.app.new_user("alice@example.com").await;
    c.tried += 1;
    for (i, twin) in [
        "ALICE@example.com",
        "Alice@Example.COM",
        "alice@EXAMPLE.COM",
        " alice@example.com ",
        "ａｌｉｃｅ@example.com",
        "ａｌｉｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "𝐚𝐥𝐢𝐜𝐞@example.com",
        "\u{1D5BA}lice@example.com",
    ]
    .into_iter()
    .enumerate()
    {
        let req = c.anonymous(Method::POST, "/api/v1/auth/register").json(&register(twin, PASSWORD, "Twin"));
        let answer = if i < 4 { StatusCode::ACCEPTED } else { StatusCode::TOO_MANY_REQUESTS };
        c.expect(&format!("register the twin {twin:?}"), req, answer).await;
        let req = c.anonymous(Method::POST, "/api/v1/auth/login").json(&json!({"email": twin, "password": PASSWORD}));
        let body = c.expect(&format!("login as the twin {twin:?}"), req, StatusCode::OK).await;
        assert_eq!(user_from(twin, &body).id, alice.id, "{twin:?} logged into another account");
    }

    // Account edits: long and control-laden values; NUL is dropped from display names
    // by design (control characters never reach storage), refused everywhere else.
    let patches: Vec<(&str, Value, StatusCode)> = vec![
        ("10 KB display name", json!({"display_name": ten_kb}), StatusCode::UNPROCESSABLE_ENTITY),
        ("10 KB time zone", json!({"timezone": ten_kb}), StatusCode::UNPROCESSABLE_ENTITY),
        ("NUL time zone", json!({"timezone": "Europe/\u{0}Berlin"}), StatusCode::UNPROCESSABLE_ENTITY),
        ("SQL time zone", json!({"timezone": "UTC'; DROP TABLE app_user; --"}), StatusCode::UNPROCESSABLE_ENTITY),
        ("only control characters", json!({"display_name": "\u{0}\u{1}\u{7f}"}), StatusCode::UNPROCESSABLE_ENTITY),
        ("huge retention", json!({"desired_retention": 1e308}), StatusCode::UNPROCESSABLE_ENTITY),
        ("negative cards", json!({"new_cards_per_day": -1}), StatusCode::UNPROCESSABLE_ENTITY),
        ("cards beyond i64", json!({"new_cards_per_day": 1e30}), StatusCode::UNPROCESSABLE_ENTITY),
        ("NUL in a display name", json!({"display_name": "Mal\u{0}lory"}), StatusCode::OK),
    ];
    for (label, body, status) in patches {
        let req = c.as_attacker(Method::PATCH, "/api/v1/me").json(&body);
        let answer = c.expect(&format!("PATCH /me: {label}"), req, status).await;
        if status == StatusCode::OK {
            assert_eq!(answer["display_name"], "Mallory", "NUL reached the stored name");
        }
    }
    let passwords: Vec<(&str, Value, StatusCode)> = vec![
        (
            "1025-byte new password",
            json!({"current_password": PASSWORD, "new_password": "p".repeat(1025)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "NUL in the new password",
            json!({"current_password": PASSWORD, "new_password": "new-pass\u{0}word-1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "wrong current password with NUL",
            json!({"current_password": "\u{0}", "new_password": "a-fine-new-passphrase"}),
            StatusCode::FORBIDDEN,
        ),
        (
            "200 KB current password",
            json!({"current_password": "p".repeat(200_000), "new_password": "a-fine-new-passphrase"}),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (label, body, status) in passwords {
        let req = c.as_attacker(Method::POST, "/api/v1/me/password").json(&body);
        c.expect(&format!("change password: {label}"), req, status).await;
    }
    for (label, token) in [("NUL", "a\u{0}b".to_owned()), ("10 KB", ten_kb.clone()), ("SQL", "' OR 1=1 --".to_owned())]
    {
        let req = c.anonymous(Method::POST, "/api/v1/auth/refresh").json(&json!({"refresh_token": token}));
        c.expect(&format!("refresh: {label} token"), req, StatusCode::UNAUTHORIZED).await;
    }
    c.finish("accounts").await;
}

#[sqlx::test]
async fn nul_bytes_and_bad_values_in_learning_fields(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    let q = c.question.clone();
    let card = c.card.clone();
    let quiz = |scope: Value, mode: &str| json!({"scope": scope, "size": 1, "mode": mode});
    let cases: Vec<(Method, String, Value)> = vec![
        (Method::PUT, format!("/api/v1/me/questions/{q}/status"), json!({"status": "got_it\u{0}"})),
        (
            Method::PUT,
            format!("/api/v1/me/questions/{q}/status"),
            json!({"status": "got_it", "marked_at": "2026\u{0}"}),
        ),
        (Method::PUT, format!("/api/v1/me/questions/{q}/status"), json!({"status": "GOT_IT"})),
        (
            Method::PUT,
            format!("/api/v1/me/questions/{q}/status"),
            json!({"status": "got_it", "marked_at": "9999-12-31T23:59:59Z"}),
        ),
        (
            Method::PUT,
            format!("/api/v1/me/questions/{q}/status"),
            json!({"status": "got_it", "marked_at": "1900-01-01T00:00:00Z"}),
        ),
        (Method::PUT, "/api/v1/me/tracks/alpha/topics/basics/status".into(), json!({"status": "done\u{0}"})),
        (Method::POST, "/api/v1/me/quizzes".into(), quiz(json!({"track": "alpha\u{0}"}), "practice")),
        (Method::POST, "/api/v1/me/quizzes".into(), quiz(json!({"track": "alpha", "stage": "\u{0}"}), "practice")),
        (Method::POST, "/api/v1/me/quizzes".into(), quiz(json!({"topics": ["basics\u{0}"]}), "practice")),
        (
            Method::POST,
            "/api/v1/me/quizzes".into(),
            quiz(json!({"topics": ["'; DROP TABLE quiz_item; --"]}), "practice"),
        ),
        (Method::POST, "/api/v1/me/quizzes".into(), quiz(json!({"track": "alpha"}), "practice\u{0}")),
        (
            Method::POST,
            "/api/v1/me/quizzes".into(),
            json!({"scope": {"track": "alpha"}, "size": 1e30, "mode": "practice"}),
        ),
        (
            Method::POST,
            "/api/v1/me/quizzes".into(),
            json!({"scope": {"track": "alpha"}, "size": -1, "mode": "practice"}),
        ),
        (
            Method::POST,
            format!("/api/v1/me/quizzes/{}/submission", c.own_attempt),
            json!({"answers": [{"position": 0, "selected": [-1]}]}),
        ),
        (
            Method::POST,
            format!("/api/v1/me/quizzes/{}/submission", c.own_attempt),
            json!({"answers": [{"position": 2147483647, "selected": [0]}]}),
        ),
        (
            Method::POST,
            format!("/api/v1/me/quizzes/{}/submission", c.own_attempt),
            json!({"answers": [{"position": 0, "selected": [4294967296_i64]}]}),
        ),
        (
            Method::POST,
            "/api/v1/me/reviews".into(),
            json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": card, "rating": "good\u{0}"}),
        ),
        (
            Method::POST,
            "/api/v1/me/reviews".into(),
            json!({"review_id": "\u{0}", "flashcard_id": card, "rating": "good"}),
        ),
        (
            Method::POST,
            "/api/v1/me/reviews".into(),
            json!({"review_id": uuid::Uuid::new_v4(), "flashcard_id": "x\u{0}", "rating": "good"}),
        ),
    ];
    for (method, path, body) in cases {
        let label = format!("{method} {path} {body}");
        let req = c.as_attacker(method, &path).json(&body);
        c.expect(&label, req, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    for path in [
        "/api/v1/me/questions/%00/status",
        "/api/v1/me/quizzes/%00",
        "/api/v1/me/quizzes/'%20OR%201=1/submission",
        "/api/v1/me/quizzes/00000000-0000-0000-0000-00000000000%00",
    ] {
        let method = if path.ends_with("/status") {
            Method::PUT
        } else if path.ends_with("submission") {
            Method::POST
        } else {
            Method::GET
        };
        let req = c.as_attacker(method.clone(), path).json(&json!({"status": "got_it", "answers": []}));
        c.expect(&format!("{method} {path}"), req, StatusCode::BAD_REQUEST).await;
    }
    for (path, label) in [
        ("/api/v1/me/reviews/due?track=%00", "NUL track"),
        ("/api/v1/me/reviews/due?topic=%27%20OR%201%3D1", "SQL topic"),
        ("/api/v1/me/tracks/%00/progress", "NUL track slug"),
        ("/api/v1/me/tracks/'%20OR%201=1/progress", "SQL track slug"),
        ("/api/v1/me/tracks/alpha/topics/%25/status", "percent topic slug"),
    ] {
        let method = if path.ends_with("/status") { Method::PUT } else { Method::GET };
        let req = c.as_attacker(method, path).json(&json!({"status": "done"}));
        c.expect(label, req, StatusCode::NOT_FOUND).await;
    }
    c.finish("learning-fields").await;
}

#[sqlx::test]
async fn other_learners_objects_are_404_and_untouched(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    let nobody = uuid::Uuid::new_v4().to_string();
    let answers = json!({"answers": [{"position": 0, "selected": [0]}]});
    for (whose, id) in [("open", c.victim_open.clone()), ("submitted", c.victim_done.clone()), ("nobody's", nobody)] {
        let req = c.as_attacker(Method::GET, &format!("/api/v1/me/quizzes/{id}"));
        let read = c.expect(&format!("read the {whose} attempt"), req, StatusCode::NOT_FOUND).await;
        let req = c.as_attacker(Method::POST, &format!("/api/v1/me/quizzes/{id}/submission")).json(&answers);
        let submit = c.expect(&format!("submit the {whose} attempt"), req, StatusCode::NOT_FOUND).await;
        // Another learner's object and a missing one are indistinguishable.
        for problem in [read, submit] {
            let detail = problem["detail"].as_str().unwrap_or("");
            assert_eq!(detail, format!("no quiz attempt {id}"), "the 404 gives something away: {problem}");
        }
    }
    // A review id another learner used: the attacker's write is refused (the id is a
    // global idempotency key) and nothing of the victim's review comes back.
    let body = json!({"review_id": c.victim_review, "flashcard_id": c.card, "rating": "again"});
    let req = c.as_attacker(Method::POST, "/api/v1/me/reviews").json(&body);
    let problem = c.expect("reuse another learner's review id", req, StatusCode::CONFLICT).await;
    assert!(!problem.to_string().contains("due_at"), "the victim's review leaked: {problem}");
    // Marks are per learner: marking the question the victim marked changes only the
    // attacker's own mark.
    let req = c
        .as_attacker(Method::PUT, &format!("/api/v1/me/questions/{}/status", c.question))
        .json(&json!({"status": "new"}));
    c.expect("mark the victim's question", req, StatusCode::OK).await;
    // Lists and exports carry only the caller's own objects.
    let req = c.as_attacker(Method::GET, "/api/v1/me/quizzes?limit=100");
    let list = c.expect("the attacker's quiz list", req, StatusCode::OK).await;
    let ids: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(!ids.contains(&c.victim_open.as_str()) && !ids.contains(&c.victim_done.as_str()), "{list}");
    let req = c.as_attacker(Method::GET, "/api/v1/me/export");
    let export = c.expect("the attacker's export", req, StatusCode::OK).await.to_string();
    assert!(!export.contains(&c.victim.id) && !export.contains("victim@example.com"), "export leaks the victim");
    c.finish("other-learners").await;
}

#[sqlx::test]
async fn extreme_dates_and_numbers(pool: PgPool) {
    let mut c = Corpus::new(pool).await;
    // Dates ISO 8601 allows but no day of activity can be: signed six-digit years,
    // the calendar's edges, impossible days. A 422 naming the field, never a panic.
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let dates: [(&str, &[StatusCode]); 12] = [
        ("to=-009999-06-01", &[unprocessable]),
        ("from=-009999-06-01", &[unprocessable]),
        ("to=+009999-12-31", &[unprocessable]),
        ("from=+999999-12-31&to=+999999-12-31", &[unprocessable]),
        ("from=0000-01-01", &[unprocessable]),
        ("to=1969-12-31", &[unprocessable]),
        ("from=1970-01-01&to=1970-01-01", &[StatusCode::OK]),
        ("from=9999-12-31&to=9999-12-31", &[StatusCode::OK]),
        ("to=9999-12-31", &[StatusCode::OK]),
        ("from=2026-02-30", &[unprocessable]),
        ("from=2026-13-01", &[unprocessable]),
        ("from=1970-01-01&to=9999-12-31", &[unprocessable]),
    ];
    for (query, allowed) in dates {
        let req = c.as_attacker(Method::GET, &format!("/api/v1/me/activity?{query}"));
        c.expect_one_of(&format!("activity?{query}"), req, allowed).await;
    }
    // Timestamps and numbers in bodies at and past every edge.
    let bodies: [(&str, Value); 8] = [
        (
            "/api/v1/me/quizzes",
            json!({"scope": {"track": "python"}, "size": 5, "mode": "exam", "time_limit_secs": i64::MAX}),
        ),
        ("/api/v1/me/quizzes", json!({"scope": {"track": "python"}, "size": 5, "mode": "exam", "time_limit_secs": -1})),
        ("/api/v1/me/quizzes", json!({"scope": {"track": "python"}, "size": u64::MAX, "mode": "practice"})),
        ("/api/v1/me/quizzes", json!({"scope": {"track": "python"}, "size": 1e308, "mode": "practice"})),
        (
            "/api/v1/me/reviews",
            json!({"review_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "card_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d12", "rating": i64::MIN}),
        ),
        (
            "/api/v1/me/reviews",
            json!({"review_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "card_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d12", "rating": "good", "reviewed_at": "-009999-01-01T00:00:00Z"}),
        ),
        (
            "/api/v1/me/reviews",
            json!({"review_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d11", "card_id": "9f8b6f1e-5d1c-4a0e-9a57-0c9b1f3f2d12", "rating": "good", "reviewed_at": "9999-12-31T23:59:59Z"}),
        ),
        (
            "/api/v1/me/quizzes",
            json!({"scope": {"track": "python"}, "size": 5, "mode": "exam", "time_limit_secs": 1e19}),
        ),
    ];
    for (path, body) in bodies {
        let req = c.as_attacker(Method::POST, path).json(&body);
        c.expect_one_of(
            &format!("POST {path} {body}"),
            req,
            &[unprocessable, StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND],
        )
        .await;
    }
    let patches = [
        json!({"desired_retention": f64::MAX}),
        json!({"desired_retention": -0.0}),
        json!({"new_cards_per_day": i64::MAX}),
        json!({"new_cards_per_day": -9223372036854775807i64}),
    ];
    for body in patches {
        let req = c.as_attacker(Method::PATCH, "/api/v1/me").json(&body);
        c.expect(&format!("PATCH /me {body}"), req, unprocessable).await;
    }
    c.finish("extreme-dates-numbers").await;
}
