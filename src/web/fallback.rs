//! What answers when no route matched: 405 with `Allow` when the path exists under
//! another method, otherwise 404. The table is built from the OpenAPI document, so it
//! can never disagree with what the spec says exists.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, web};

use crate::error::ApiError;

/// Known path templates and the methods each accepts.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl RouteTable {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi, extra: &[(&str, &[&str])]) -> Self {
        let mut routes: Vec<(ResourceDef, Vec<String>)> = Vec::new();
        for (path, item) in &doc.paths.paths {
            let mut methods = Vec::new();
            for (method, op) in [
                ("GET", &item.get),
                ("PUT", &item.put),
                ("POST", &item.post),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                if op.is_some() {
                    methods.push(method.to_owned());
                }
            }
            add_head(&mut methods);
            routes.push((ResourceDef::new(path.as_str()), methods));
        }
        for (path, methods) in extra {
            let mut methods: Vec<String> = methods.iter().map(|m| (*m).to_owned()).collect();
            add_head(&mut methods);
            routes.push((ResourceDef::new(*path), methods));
        }
        RouteTable { routes }
    }

    /// The template of the first route whose pattern matches `path` (for labels).
    pub fn template(&self, path: &str) -> Option<&str> {
        self.routes.iter().find(|(def, _)| def.is_match(path)).and_then(|(def, _)| def.pattern())
    }

    /// Methods allowed on `path`, or None when no route has that path.
    pub fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let mut allowed: Vec<String> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        if allowed.is_empty() {
            return None;
        }
        allowed.sort();
        allowed.dedup();
        Some(allowed)
    }
}

/// Every GET also answers HEAD (see [`crate::web::head`]), so `Allow` names it.
fn add_head(methods: &mut Vec<String>) {
    if methods.iter().any(|m| m == "GET") {
        methods.push("HEAD".to_owned());
    }
}

pub async fn not_found_or_not_allowed(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            ApiError::MethodNotAllowed { method: req.method().to_string(), allow }
        }
        _ => ApiError::NotFound(format!("no resource at {}", req.path())),
    })
}
