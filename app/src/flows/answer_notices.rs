//! An answer to a shopper's question emails the asker: the questions report the answer, the messages queue the
//! email, once per answer (a changed answer of the shop's is the same answer).

use crate::messages::ssr::queue;
use crate::messages::{Answerer, MessageBody, QuestionAnswered};
use crate::questions::ssr::AnswerGiven;
use crate::store::{StoreError, Then, Tx};
use futures::future::BoxFuture;

/// Queues the asker's email about an answer.
pub struct AnswerNotices;

impl Then<AnswerGiven> for AnswerNotices {
    fn then<'t>(
        &'t self,
        tx: &'t mut Tx,
        change: AnswerGiven,
    ) -> BoxFuture<'t, Result<(), StoreError>> {
        Box::pin(async move {
            let body = MessageBody::QuestionAnswered(QuestionAnswered {
                sku: change.sku,
                product_title: change.product_title,
                product_url: change.product_url,
                question: change.question,
                answer: change.answer,
                answered_by: change.buyer.map_or(Answerer::Shop, Answerer::Buyer),
            });
            queue(
                tx,
                change.asker,
                &format!("answer:{}", change.answer_id),
                &body,
                change.at,
            )
            .await
            .map(|_| ())
        })
    }
}
