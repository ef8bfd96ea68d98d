//! The panic boundary: a panic while handling a request becomes a logged 500
//! problem+json carrying the request id, instead of a dropped connection with nothing
//! in the log under that id.
//!
//! No input should be able to panic a handler (arithmetic on request values is checked
//! and bounded where it is parsed); this is the net under the code that will be
//! written later.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use futures_util::FutureExt;

use crate::error::ApiError;

/// Runs the rest of the chain, turning a panic into [`ApiError::Internal`].
pub async fn contain(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let method = req.method().clone();
    let path = req.path().to_owned();
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            tracing::error!(%method, %path, panic = %message, "a request handler panicked");
            Err(ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into())
        }
    }
}

/// The text a panic was raised with, when it was a string.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string payload")
}

#[cfg(test)]
mod tests {
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    use super::*;

    #[actix_web::test]
    async fn a_panicking_handler_is_answered_with_a_problem_500() {
        let app = test::init_service(
            App::new()
                .wrap(from_fn(contain))
                .route(
                    "/boom",
                    web::get().to(|| async {
                        let items: Vec<u8> = Vec::new();
                        let index = items.len() + 3;
                        HttpResponse::Ok().body(items[index].to_string())
                    }),
                )
                .route("/fine", web::get().to(|| async { HttpResponse::Ok().body("ok") })),
        )
        .await;
        // The error goes up the chain like any handler's error; actix renders it.
        let err = match test::try_call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await {
            Ok(res) => panic!("a panic was answered {}", res.status()),
            Err(err) => err,
        };
        let res = err.error_response();
        assert_eq!(res.status(), 500);
        assert_eq!(res.headers().get("content-type").unwrap(), crate::error::PROBLEM_JSON);
        let bytes = actix_web::body::to_bytes(res.into_body()).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["status"], 500);
        assert!(!body.to_string().contains("index out of bounds"), "the panic text leaked: {body}");
        // The worker survives and serves the next request.
        let res = test::call_service(&app, test::TestRequest::get().uri("/fine").to_request()).await;
        assert_eq!(res.status(), 200);
    }
}
