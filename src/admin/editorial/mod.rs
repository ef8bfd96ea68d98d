//! The editorial workflow: drafts beside the published content, change sets that
//! group them for review and publish them together (now or at a set time), preview
//! tokens that show drafts through the public reads, and every published revision
//! kept. Editors write drafts; admins approve and publish (see `auth::access`).

pub mod actor;
pub mod apply;
pub mod changesets;
pub mod drafts;
pub mod import;
pub mod model;
pub mod preview;
pub mod revisions;
pub mod routes;
pub mod scheduler;
pub mod store;
