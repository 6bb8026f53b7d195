//! The server survives its own faults. A read closure that panics more times than the
//! pool has connections, and a handler that panics, each get a French 500; the server then
//! keeps serving, with every reader back in the pool.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use registre::http::etat::AppState;
use serde_json::Value;

use crate::helpers::TestServer;

/// A read whose closure panics on a pool connection; the panic reaches the handler.
async fn lecture_qui_panique(State(state): State<AppState>) -> Response {
    let r = tokio::task::spawn_blocking(move || state.store.read::<()>(|_| panic!("lecture défaillante"))).await;
    match r {
        Err(e) => std::panic::resume_unwind(e.into_panic()),
        Ok(_) => unreachable!("the closure panics"),
    }
}

async fn handler_qui_panique() -> Response {
    panic!("gestionnaire défaillant")
}

#[tokio::test]
async fn panics_get_a_french_500_and_the_server_keeps_serving_with_its_readers() {
    let s = TestServer::start(30).await;
    let routes = registre::http::routes()
        .route("/essai/lecture", get(lecture_qui_panique))
        .route("/api/v1/essai/gestionnaire", get(handler_qui_panique));
    let app = registre::http::avec_couches(routes, s.state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let d = s.login("directeur.2").await;
    let client = &s.client;

    for _ in 0..8 {
        let res = client.get(format!("{base}/api/v1/essai/gestionnaire")).send().await.unwrap();
        assert_eq!(res.status(), 500);
        assert!(res.headers().get("x-request-id").is_some(), "each answer carries its request id");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["code"], "interne");
        assert!(v["detail"].as_str().unwrap().contains("erreur interne du serveur"), "{v}");
        assert!(!v.to_string().contains("défaillant"), "the cause is logged, never shown");
        // More panicking reads than the pool has readers; a page gets a French page.
        let res = client.get(format!("{base}/essai/lecture")).send().await.unwrap();
        assert_eq!(res.status(), 500);
        assert!(res.text().await.unwrap().contains("Erreur du serveur"));
    }
    // The readers are all back: reads (several at once) succeed.
    let mut lectures = Vec::new();
    for _ in 0..6 {
        lectures.push(client.get(format!("{base}/api/v1/eleves")).header("cookie", &d.cookie).send());
    }
    for r in futures_join(lectures).await {
        assert_eq!(r.unwrap().status(), 200);
    }
    assert_eq!(client.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
}

/// Awaits every request concurrently.
async fn futures_join<F>(fs: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
