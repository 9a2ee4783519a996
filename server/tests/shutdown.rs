//! Stopping a busy server: every request it accepted gets its answer, on kept-alive connections too.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{SECRET, free_port};

/// What one client saw while the server stopped.
#[derive(Default)]
struct Seen {
    answers: usize,
    /// Answers that asked the client to close the connection: the server was draining.
    closing: usize,
    /// Requests that found nobody listening: never accepted, so the client may retry them elsewhere.
    refused: usize,
    /// Requests sent and never answered: what must not happen.
    lost: Vec<String>,
}

#[tokio::test]
async fn a_stopping_server_answers_every_request_it_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "--database-url",
            &format!("sqlite://{}", dir.path().join("shop.db").display()),
            "--store-secret",
            SECRET,
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--shutdown-grace-seconds",
            "1",
            "--drain-timeout-seconds",
            "10",
            "--log",
            "warn",
            "serve",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("start a server");
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while !reqwest::get(format!("{base}/healthz"))
        .await
        .is_ok_and(|answer| answer.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Sixteen clients, each on its own kept-alive connections, asking as fast as they are answered until the server
    // says it is stopping.
    let stopped = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..16)
        .map(|_| {
            let url = format!("{base}/api/v1/openapi.json");
            let stopped = stopped.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut seen = Seen::default();
                while !stopped.load(Ordering::Relaxed) {
                    match client.get(&url).send().await {
                        Ok(answer) => {
                            seen.answers += 1;
                            let closing = answer
                                .headers()
                                .get("connection")
                                .is_some_and(|v| v == "close");
                            if let Err(error) = answer.bytes().await {
                                seen.lost.push(format!("body cut off: {error:?}"));
                            }
                            // The server is stopping: a client behind a load balancer would now be sent to
                            // another instance.
                            if closing {
                                seen.closing += 1;
                                break;
                            }
                        }
                        Err(error) if error.is_connect() => {
                            seen.refused += 1;
                            break;
                        }
                        Err(error) => seen.lost.push(format!("{error:?}")),
                    }
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(30),
            "the server did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    stopped.store(true, Ordering::Relaxed);
    assert!(status.success(), "{status}");

    let mut total = Seen::default();
    for client in clients {
        let seen = client.await.unwrap();
        total.answers += seen.answers;
        total.closing += seen.closing;
        total.refused += seen.refused;
        total.lost.extend(seen.lost);
    }
    assert!(
        total.lost.is_empty(),
        "{} requests got no answer: {:?}",
        total.lost.len(),
        total.lost
    );
    assert!(total.answers > 50, "only {} answers", total.answers);
    // It went on answering after SIGTERM, asking each client to close, before it stopped listening.
    assert_eq!(total.closing + total.refused, 16);
    assert!(total.closing > 0, "no answer asked to close the connection");
    // The grace second is measured from SIGTERM, not from the last request.
    assert!(stopping.elapsed() >= Duration::from_secs(1));
}
