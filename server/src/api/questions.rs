//! The merchant API's questions: the lists the questions desk shows, and the shop's answers and decisions, for a
//! store that answers from its own help desk.

use super::handlers::{Rejection, page_bounds};
use super::{ApiError, ApiJson, ApiPath};
use crate::state::AppState;
use app::kernel::error::AppError;
use app::kernel::time::now;
use app::questions::{
    Answer, DeskQuestion, DeskQueue, QuestionDecision, QuestionStatus, ssr as questions,
};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which list of questions, and which page of it.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuestionsQuery {
    /// `waiting` (default: asked, not yet published or turned down), `unanswered`, `answered` or `rejected`.
    #[serde(default)]
    pub queue: DeskQueue,
    /// Questions to skip.
    #[serde(default)]
    pub offset: i64,
    /// Questions to return, 1 to 200 (default 50).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    50
}

/// A page of a list of questions, each with its product and its published answers.
#[derive(Serialize, ToSchema)]
pub struct QuestionList {
    pub questions: Vec<DeskQuestion>,
}

/// Lists shoppers' questions: waiting for the shop (oldest first), published without an answer (oldest first),
/// answered, or turned down (newest first).
#[utoipa::path(get, path = "/api/v1/questions", params(QuestionsQuery), security(("api_key" = [])),
    responses((status = 200, body = QuestionList), (status = "4XX", body = AppError)))]
pub async fn get_questions(
    State(state): State<AppState>,
    query: Result<Query<QuestionsQuery>, QueryRejection>,
) -> Result<Json<QuestionList>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        AppError::invalid(
            "query",
            format!(
                "{}; queue is one of waiting, unanswered, answered, rejected",
                rejection.body_text()
            ),
        )
    })?;
    page_bounds(query.limit, query.offset)?;
    Ok(Json(QuestionList {
        questions: questions::desk(&state.db, query.queue, query.offset, query.limit).await?,
    }))
}

/// The shop's answer to a question.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub body: String,
}

/// Answers a question as the shop, or changes the shop's answer; a waiting question is published with it, and the
/// asker is emailed once. 409 for a question the shop turned down.
#[utoipa::path(put, path = "/api/v1/questions/{question_id}/answer", request_body = AnswerInput, security(("api_key" = [])),
    params(("question_id" = i64, Path, description = "The question's id")),
    responses((status = 200, body = Answer), (status = "4XX", body = AppError)))]
pub async fn put_answer(
    State(state): State<AppState>,
    ApiPath(question_id): ApiPath<i64>,
    ApiJson(answer): ApiJson<AnswerInput>,
) -> Result<Json<Answer>, ApiError> {
    Ok(Json(
        questions::answer_as_shop(
            &state.db,
            question_id,
            &answer.body,
            &*state.questions.then,
            now(),
        )
        .await?,
    ))
}

/// Where a question stands after a decision.
#[derive(Serialize, ToSchema)]
pub struct QuestionDecided {
    pub status: QuestionStatus,
}

/// Publishes a waiting question without answering it yet. 409 if it is not waiting.
#[utoipa::path(post, path = "/api/v1/questions/{question_id}/publish", security(("api_key" = [])),
    params(("question_id" = i64, Path, description = "The question's id")),
    responses((status = 200, body = QuestionDecided), (status = "4XX", body = AppError)))]
pub async fn post_publish(
    State(state): State<AppState>,
    ApiPath(question_id): ApiPath<i64>,
) -> Result<Json<QuestionDecided>, ApiError> {
    let status =
        questions::decide(&state.db, question_id, &QuestionDecision::Publish, now()).await?;
    Ok(Json(QuestionDecided { status }))
}

/// Turns a question down with the reason its asker sees. 409 if it was turned down already.
#[utoipa::path(post, path = "/api/v1/questions/{question_id}/reject", request_body = Rejection, security(("api_key" = [])),
    params(("question_id" = i64, Path, description = "The question's id")),
    responses((status = 200, body = QuestionDecided), (status = "4XX", body = AppError)))]
pub async fn post_reject(
    State(state): State<AppState>,
    ApiPath(question_id): ApiPath<i64>,
    ApiJson(rejection): ApiJson<Rejection>,
) -> Result<Json<QuestionDecided>, ApiError> {
    let decision = QuestionDecision::Reject {
        reason: rejection.reason,
    };
    let status = questions::decide(&state.db, question_id, &decision, now()).await?;
    Ok(Json(QuestionDecided { status }))
}

/// Takes a shopper's answer off the product's page. 404 if no such answer is on show.
#[utoipa::path(delete, path = "/api/v1/answers/{answer_id}", security(("api_key" = [])),
    params(("answer_id" = i64, Path, description = "The answer's id")),
    responses((status = 204, description = "Taken down"), (status = "4XX", body = AppError)))]
pub async fn delete_answer(
    State(state): State<AppState>,
    ApiPath(answer_id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    questions::remove_answer(&state.db, answer_id, &*state.questions.then, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
