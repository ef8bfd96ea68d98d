//! The admin API's access rules in the OpenAPI document, written from the one table
//! that enforces them (`auth::access`), so the document cannot drift from the checks.

/// Every admin operation documents who may call it, from the one access table
/// (`auth::access`): the roles, and for those a script may call, the `api_token`
/// scheme, with the scopes that grant it in `x-api-token-scopes`.
pub struct AdminAccess;

impl utoipa::Modify for AdminAccess {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::auth::access::{self, Permission, Scope};
        use utoipa::openapi::security::SecurityRequirement;
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/v1/admin/") {
                continue;
            }
            let methods = [
                (actix_web::http::Method::GET, &mut item.get),
                (actix_web::http::Method::PUT, &mut item.put),
                (actix_web::http::Method::POST, &mut item.post),
                (actix_web::http::Method::DELETE, &mut item.delete),
                (actix_web::http::Method::PATCH, &mut item.patch),
            ];
            for (method, operation) in methods {
                let Some(operation) = operation else { continue };
                let permission = access::required(&method, path);
                let scopes: Vec<&str> = Scope::ALL
                    .into_iter()
                    .filter(|s| access::scopes_allow(access::Scopes::of([*s]), permission))
                    .map(Scope::as_str)
                    .collect();
                let who = match permission {
                    Permission::AdminOnly => "admins only (no API token)".to_owned(),
                    Permission::ContentPublish => format!("admins; API tokens with `{}`", scopes.join("`, `")),
                    _ => format!("admins and editors; API tokens with `{}`", scopes.join("`, `")),
                };
                let description = operation.description.get_or_insert_with(String::new);
                description.push_str(&format!("\n\n**Who:** {who}."));
                if !scopes.is_empty() {
                    // Scopes of a bearer scheme are not OpenAPI scopes (those are
                    // OAuth's), so the requirement names none and the extension lists them.
                    operation
                        .security
                        .get_or_insert_with(Vec::new)
                        .push(SecurityRequirement::new("api_token", Vec::<String>::new()));
                    operation
                        .extensions
                        .get_or_insert_with(Default::default)
                        .insert("x-api-token-scopes".to_owned(), serde_json::json!(scopes));
                }
            }
        }
    }
}
