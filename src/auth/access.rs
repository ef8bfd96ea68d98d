//! Who may call which admin operation: one table from (method, path) to the permission
//! it needs, and which permissions a role and an API token's scopes grant.
//!
//! The admin scope's middleware checks it before any extractor runs, so an editor or a
//! token outside its scope gets 403 whatever the body, and the rule for every
//! operation is readable in one place (the HTTP tests walk the OpenAPI document against
//! it for each role and scope).

use actix_web::http::Method;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::Role;

/// What an admin operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read content as admins see it: entities, drafts, change sets, revisions, export.
    ContentRead,
    /// Write drafts and change sets, submit them for review, issue preview tokens.
    ContentDraft,
    /// Make content public: approve, publish, schedule, direct edits.
    ContentPublish,
    /// Import a bundle (into a change set; a direct import also needs `ContentPublish`).
    Import,
    /// Everything else: users, the audit log, webhooks, API tokens, xAPI.
    AdminOnly,
}

/// What a script's API token may do; it never exceeds what its owner's role grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    #[serde(rename = "content:read")]
    ContentRead,
    #[serde(rename = "content:draft")]
    ContentDraft,
    #[serde(rename = "content:publish")]
    ContentPublish,
    #[serde(rename = "import")]
    Import,
}

impl Scope {
    pub const ALL: [Scope; 4] = [Scope::ContentRead, Scope::ContentDraft, Scope::ContentPublish, Scope::Import];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ContentRead => "content:read",
            Scope::ContentDraft => "content:draft",
            Scope::ContentPublish => "content:publish",
            Scope::Import => "import",
        }
    }

    pub fn parse(value: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == value)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of scopes, small enough to copy with the caller.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Self {
        Scopes(scopes.into_iter().fold(0, |bits, s| bits | s.bit()))
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }
}

/// The permission an admin operation needs. `path` is the request path; only the part
/// after `/admin/` is read, by segments, so every route under the admin scope falls
/// into exactly one rule (and anything not named here is admin-only).
pub fn required(method: &Method, path: &str) -> Permission {
    let rest = path.split_once("/admin/").map_or("", |(_, rest)| rest);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let read = method == Method::GET || method == Method::HEAD;
    match segments.as_slice() {
        ["content", ..] | ["drafts", ..] | ["changesets", ..] | ["export", ..] | ["preview-tokens", ..] if read => {
            Permission::ContentRead
        }
        // Drafts of one entity (a change or a retirement), a new draft, restoring a
        // revision into a draft.
        ["drafts", _]
        | ["content", _, _, "draft"]
        | ["content", _, _, "draft", "retire"]
        | ["content", _, _, "revisions", _, "restore"] => Permission::ContentDraft,
        ["changesets", _, "approve"] | ["changesets", _, "publish"] | ["changesets", _, "schedule"] => {
            Permission::ContentPublish
        }
        ["changesets", ..] | ["preview-tokens", ..] => Permission::ContentDraft,
        // Direct writes are public the moment they return.
        ["content", ..] => Permission::ContentPublish,
        ["import"] => Permission::Import,
        _ => Permission::AdminOnly,
    }
}

/// Whether a role grants a permission.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    match role {
        Role::Admin => true,
        Role::Editor => matches!(permission, Permission::ContentRead | Permission::ContentDraft | Permission::Import),
        Role::Learner => false,
    }
}

/// Whether a token's scopes grant a permission (its owner's role is checked apart).
pub fn scopes_allow(scopes: Scopes, permission: Permission) -> bool {
    match permission {
        Permission::ContentRead => Scope::ALL.into_iter().any(|s| scopes.contains(s)),
        Permission::ContentDraft => scopes.contains(Scope::ContentDraft),
        Permission::ContentPublish => scopes.contains(Scope::ContentPublish),
        Permission::Import => scopes.contains(Scope::Import),
        Permission::AdminOnly => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_path_has_one_rule() {
        let p = |m: Method, path: &str| required(&m, &format!("/api/v1/admin/{path}"));
        assert_eq!(p(Method::GET, "content/questions/x"), Permission::ContentRead);
        assert_eq!(p(Method::PUT, "content/questions/x/draft"), Permission::ContentDraft);
        assert_eq!(p(Method::DELETE, "content/questions/x/draft"), Permission::ContentDraft);
        assert_eq!(p(Method::POST, "content/questions/x/draft/retire"), Permission::ContentDraft);
        assert_eq!(p(Method::DELETE, "content/questions/x"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "drafts/questions"), Permission::ContentDraft);
        assert_eq!(p(Method::GET, "drafts"), Permission::ContentRead);
        assert_eq!(p(Method::POST, "content/questions/x/revisions/2/restore"), Permission::ContentDraft);
        assert_eq!(p(Method::PUT, "content/questions/x"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "content/questions"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "content/questions/x/retire"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "changesets"), Permission::ContentDraft);
        assert_eq!(p(Method::POST, "changesets/x/submit"), Permission::ContentDraft);
        assert_eq!(p(Method::POST, "changesets/x/approve"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "changesets/x/publish"), Permission::ContentPublish);
        assert_eq!(p(Method::PUT, "changesets/x/schedule"), Permission::ContentPublish);
        assert_eq!(p(Method::DELETE, "changesets/x/schedule"), Permission::ContentPublish);
        assert_eq!(p(Method::POST, "import"), Permission::Import);
        assert_eq!(p(Method::GET, "users"), Permission::AdminOnly);
        assert_eq!(p(Method::GET, "audit"), Permission::AdminOnly);
        assert_eq!(p(Method::POST, "tokens"), Permission::AdminOnly);
        assert_eq!(p(Method::GET, "webhooks"), Permission::AdminOnly);
    }

    #[test]
    fn editors_never_publish_and_tokens_never_exceed_scopes() {
        assert!(!role_allows(Role::Editor, Permission::ContentPublish));
        assert!(!role_allows(Role::Editor, Permission::AdminOnly));
        assert!(!role_allows(Role::Learner, Permission::ContentRead));
        let draft = Scopes::of([Scope::ContentDraft]);
        assert!(scopes_allow(draft, Permission::ContentRead));
        assert!(!scopes_allow(draft, Permission::ContentPublish));
        assert!(!scopes_allow(Scopes::of(Scope::ALL), Permission::AdminOnly));
    }
}
