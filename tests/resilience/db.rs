//! A fresh database per test on the shared PostgreSQL (`DATABASE_URL`, as for the
//! HTTP suite), dropped when the test passes; a failed test leaves it for inspection,
//! as `#[sqlx::test]` does.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Executor, PgPool};

pub struct TestDb {
    pub name: String,
    pub url: String,
    admin_url: String,
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => &base[..slash],
        _ => base,
    };
    match query {
        Some(query) => format!("{prefix}/{database}?{query}"),
        None => format!("{prefix}/{database}"),
    }
}

impl TestDb {
    /// A name for a database the server creates on start.
    pub fn new(prefix: &str) -> TestDb {
        let admin_url =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("resil_{prefix}_{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        TestDb { url: with_database(&admin_url, &name), name, admin_url }
    }

    pub async fn pool(&self) -> PgPool {
        PgPoolOptions::new().max_connections(2).connect(&self.url).await.expect("cannot connect to the test database")
    }

    /// Drops the database (call at the end of a passing test).
    pub async fn drop_db(self) {
        let admin = PgPoolOptions::new().max_connections(1).connect(&self.admin_url).await.expect("admin connection");
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        admin.execute(sqlx::AssertSqlSafe(sql)).await.expect("cannot drop the test database");
    }
}

#[test]
fn database_names_are_replaced() {
    assert_eq!(with_database("postgres://u:p@h:5432/postgres", "x"), "postgres://u:p@h:5432/x");
    assert_eq!(with_database("postgres://h/postgres?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
