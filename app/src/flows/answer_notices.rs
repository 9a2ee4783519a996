//! An answer to a shopper's question emails the asker: the questions report the answer, the messages queue the
//! email, once per answer (a changed answer of the shop's is the same answer); an answer the shop takes down before
//! its email went out is not sent.

use crate::messages::ssr::{MarketingRules, queue, withdraw};
use crate::messages::{Answerer, MessageBody, QuestionAnswered};
use crate::questions::ssr::AnswerChange;
use crate::store::{StoreError, Then, Tx};
use futures::future::BoxFuture;

/// Queues (or withdraws) the asker's email about an answer.
pub struct AnswerNotices;

/// What the asker's email about an answer is queued under, once per answer.
fn about(answer_id: i64) -> String {
    format!("answer:{answer_id}")
}

impl Then<AnswerChange> for AnswerNotices {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: AnswerChange,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            match change {
                AnswerChange::Given(given) => {
                    let body = MessageBody::QuestionAnswered(QuestionAnswered {
                        sku: given.sku,
                        product_title: given.product_title,
                        product_url: given.product_url,
                        question: given.question,
                        answer: given.answer,
                        answered_by: given.buyer.map_or(Answerer::Shop, Answerer::Buyer),
                    });
                    // An answer is transactional: the store's marketing rules do not apply.
                    queue(
                        tx,
                        given.asker,
                        &about(given.answer_id),
                        &body,
                        &MarketingRules::default(),
                        given.at,
                    )
                    .await
                    .map(|_| ())
                }
                AnswerChange::Removed { answer_id } => {
                    withdraw(tx, "question_answered", &about(answer_id)).await
                }
            }
        })
    }
}
