//! The questions' server functions: the `Questions` widget's, and the merchant desk's.

use super::{
    Answer, AnswerTally, DeskQuestion, DeskQueue, OwnQuestion, QuestionsPage, ShopperQuestions,
};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    super::QuestionDecision,
    super::rules::questions_shown,
    super::ssr,
    crate::identity::merchant::request_merchant,
    crate::identity::ssr::request_shopper,
    crate::kernel::context::{ShopName, server_context},
    crate::kernel::error::respond_with,
    crate::kernel::time::now,
    crate::store::store_error,
};

/// A product's published questions with their answers, the first `shown` (in whole pages). Public.
#[server]
pub async fn product_questions(sku: String, shown: i64) -> Result<QuestionsPage, AppError> {
    let ShopName(shop_name) = server_context()?;
    let db = crate::store::db()?;
    let limit = questions_shown(Some(shown));
    let (mut questions, total) = ssr::list(&db, &sku, 0, limit + 1)
        .await
        .map_err(store_error)?;
    let more = questions.len() as i64 > limit;
    questions.truncate(limit as usize);
    Ok(QuestionsPage {
        questions,
        total,
        more,
        shop_name,
    })
}

/// What the signed-in shopper has to do with a product's questions: whether they may answer, their questions not on
/// show, their helpful marks and what they answered.
#[server(client = RapportClient)]
pub async fn my_product_questions(sku: String) -> Result<ShopperQuestions, AppError> {
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::shopper_questions(&db, &shopper, &sku, &*questions.purchases)
        .await
        .map_err(store_error)
}

/// The signed-in shopper asks about a product; the shop publishes the question before others see it.
#[server(client = RapportClient)]
pub async fn ask_about_product(sku: String, body: String) -> Result<OwnQuestion, AppError> {
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::ask(&db, &shopper, &sku, &body, &questions.policy, now())
        .await
        .map_err(store_error)
}

/// The signed-in shopper, who bought the product, answers a question about it.
#[server(client = RapportClient)]
pub async fn answer_product_question(question_id: i64, body: String) -> Result<Answer, AppError> {
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::answer_as_shopper(&db, &shopper, question_id, &body, &questions, now())
        .await
        .map_err(store_error)
}

/// Marks an answer helpful for the signed-in shopper (`helpful`), or withdraws the mark.
#[server(client = RapportClient)]
pub async fn mark_answer_helpful(answer_id: i64, helpful: bool) -> Result<AnswerTally, AppError> {
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::vote(&db, &shopper, answer_id, helpful, &questions.policy, now())
        .await
        .map_err(store_error)
}

/// Questions the desk lists at a time.
pub const DESK_PAGE: i64 = 20;

/// One list of the merchant's questions desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionsDeskPage {
    /// Who is signed in.
    pub merchant: String,
    pub items: Vec<DeskQuestion>,
    pub more: bool,
    pub shop_name: String,
}

/// The first `shown` questions of a desk list. Merchants only.
#[server]
pub async fn questions_desk(queue: DeskQueue, shown: i64) -> Result<QuestionsDeskPage, AppError> {
    let merchant = request_merchant()?;
    let ShopName(shop_name) = server_context()?;
    let db = crate::store::db()?;
    let limit = shown.clamp(DESK_PAGE, 500);
    let mut items = ssr::desk(&db, queue, 0, limit + 1)
        .await
        .map_err(store_error)?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(QuestionsDeskPage {
        merchant,
        items,
        more,
        shop_name,
    })
}

/// The shop's answer to a question, or its changed answer; a waiting question is published with it. Merchants only.
#[server]
pub async fn answer_as_shop(question_id: i64, body: String) -> Result<Answer, AppError> {
    request_merchant()?;
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    ssr::answer_as_shop(&db, question_id, &body, &*questions.then, now())
        .await
        .map_err(store_error)
}

/// A merchant's decision on a question from the desk: `publish`, or `reject` with the `reason` the asker sees.
/// Merchants only.
#[server]
pub async fn moderate_question(
    question_id: i64,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    request_merchant()?;
    let db = crate::store::db()?;
    let decision = match decision.as_str() {
        "publish" => QuestionDecision::Publish,
        "reject" => QuestionDecision::Reject {
            reason: reason.unwrap_or_default(),
        },
        _ => {
            return Err(respond_with(AppError::invalid(
                "decision",
                "must be publish or reject",
            )));
        }
    };
    ssr::decide(&db, question_id, &decision, now())
        .await
        .map(|_| ())
        .map_err(store_error)
}

/// Takes a shopper's answer off the product's page. Merchants only.
#[server]
pub async fn take_down_answer(answer_id: i64) -> Result<(), AppError> {
    request_merchant()?;
    let questions: ssr::Questions = server_context()?;
    let db = crate::store::db()?;
    ssr::remove_answer(&db, answer_id, &*questions.then, now())
        .await
        .map_err(store_error)
}
