//! Requests that many widgets of one page make at the same moment, sent as one: a category page's forty star
//! badges, or its forty hearts, ask in one request each. Each embedded widget is a root of its own (the loader
//! mounts it alone), so no context reaches them all: the page's one WASM instance is what they share, through a
//! queue per kind of request kept in a `thread_local!`.

use crate::kernel::error::AppError;
use std::future::Future;
use std::thread::LocalKey;

#[cfg(feature = "browser")]
type Waiting<T> = Vec<(
    String,
    futures::channel::oneshot::Sender<Result<T, AppError>>,
)>;

/// The keys waiting for one kind of answer.
pub struct Batch<T> {
    #[cfg(feature = "browser")]
    waiting: std::cell::RefCell<Waiting<T>>,
    #[cfg(not(feature = "browser"))]
    answers: std::marker::PhantomData<T>,
}

impl<T> Default for Batch<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Batch<T> {
    pub const fn new() -> Self {
        Self {
            #[cfg(feature = "browser")]
            waiting: std::cell::RefCell::new(Vec::new()),
            #[cfg(not(feature = "browser"))]
            answers: std::marker::PhantomData,
        }
    }
}

impl<T: 'static> Batch<T> {
    /// The answer for `key`, asked together with every key put in `queue` in the same turn of the event loop, at
    /// most `most` to a request. `fetch` answers a list of keys with one answer per key, in their order; when it
    /// fails, every key of its request gets its error. Outside the browser each key is asked alone.
    pub async fn ask<F, Fut>(
        queue: &'static LocalKey<Self>,
        key: String,
        most: usize,
        fetch: F,
    ) -> Result<T, AppError>
    where
        F: Fn(Vec<String>) -> Fut + 'static,
        Fut: Future<Output = Result<Vec<T>, AppError>> + 'static,
    {
        #[cfg(feature = "browser")]
        {
            let (answer, answered) = futures::channel::oneshot::channel();
            let first = queue.with(|batch| {
                let mut waiting = batch.waiting.borrow_mut();
                waiting.push((key, answer));
                waiting.len() == 1
            });
            if first {
                // After this turn of the event loop, by when the widgets mounted with this one have asked too.
                leptos::prelude::set_timeout(
                    move || wasm_bindgen_futures::spawn_local(send(queue, most.max(1), fetch)),
                    std::time::Duration::ZERO,
                );
            }
            answered.await.unwrap_or_else(|_| Err(AppError::internal()))
        }
        #[cfg(not(feature = "browser"))]
        {
            let _ = (queue, most);
            fetch(vec![key]).await?.pop().ok_or_else(AppError::internal)
        }
    }
}

#[cfg(feature = "browser")]
async fn send<T, F, Fut>(queue: &'static LocalKey<Batch<T>>, most: usize, fetch: F)
where
    T: 'static,
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, AppError>>,
{
    let mut waiting = queue.with(|batch| std::mem::take(&mut *batch.waiting.borrow_mut()));
    while !waiting.is_empty() {
        let rest = waiting.split_off(waiting.len().min(most));
        let keys = waiting.iter().map(|(key, _)| key.clone()).collect();
        match fetch(keys).await {
            Ok(answers) if answers.len() == waiting.len() => {
                for ((_, answer), value) in waiting.into_iter().zip(answers) {
                    let _ = answer.send(Ok(value));
                }
            }
            outcome => {
                let error = outcome.err().unwrap_or_else(AppError::internal);
                for (_, answer) in waiting {
                    let _ = answer.send(Err(error.clone()));
                }
            }
        }
        waiting = rest;
    }
}
