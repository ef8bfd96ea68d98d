//! Security infrastructure below every domain: password hashing on its own thread
//! pool and the token keys (JWT access tokens, refresh-token digests). `AppState` holds
//! both, so they sit under it rather than in `auth`, which uses the state.

pub mod hashing;
pub mod tokens;
