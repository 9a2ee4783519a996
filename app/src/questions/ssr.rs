//! The questions' SQL.

use super::rules::{
    QuestionPolicy, answer_order, validate_answer, validate_question, validate_reason,
};
use super::{
    Answer, AnswerTally, DeskQuestion, DeskQueue, OwnQuestion, Question, QuestionDecision,
    QuestionStatus, ShopperQuestions,
};
use crate::catalog::ssr::active_product_id;
use crate::identity::ssr::{known_shopper, shopper_key};
use crate::kernel::error::{AppError, ErrorCode, Translation};
use crate::kernel::ids::{ProductKey, ShopperKey};
use crate::kernel::time::{DAY_MS, Millis};
use crate::kernel::validate::key as validate_key;
use crate::store::{Db, StoreError, Then, Tx, id_list, is_unique_violation, take_turns};
use futures::future::BoxFuture;
use sqlx::Row;
use std::collections::HashMap;

/// The window [`QuestionPolicy::votes_per_minute`] counts votes in.
const VOTE_WINDOW_MS: Millis = Millis::minutes(1);

/// What the questions' server functions need from the server: the store's limits, who bought what (the orders
/// answer), and what follows an answer (the asker's email); the server wires the last two in from `flows`.
#[derive(Clone)]
pub struct Questions {
    pub policy: QuestionPolicy,
    pub purchases: std::sync::Arc<dyn Purchases>,
    pub then: std::sync::Arc<dyn Then<AnswerChange> + Send>,
}

/// A change to an answer that its question's asker hears of (or no longer should), reported in its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerChange {
    /// An answer went up under the question (not the asker's own).
    Given(AnswerGiven),
    /// The shop took an answer down.
    Removed { answer_id: i64 },
}

/// An answer that went up under a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerGiven {
    pub answer_id: i64,
    pub asker: ShopperKey,
    pub sku: String,
    /// The product's title in the asker's language, when the catalogue has it.
    pub product_title: String,
    /// The store's own page of the product, when the catalogue has one.
    pub product_url: Option<String>,
    pub question: String,
    pub answer: String,
    /// The answering buyer's display name; none for the shop.
    pub buyer: Option<String>,
    pub at: Millis,
}

/// Reports the answer `answer_id` to `then`, unless the asker answered their own question.
async fn report_answer(
    tx: &mut Tx,
    answer_id: i64,
    then: &dyn Then<AnswerChange>,
    now: Millis,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT q.shopper_id AS asker, a.shopper_id AS answerer, s.display_name AS buyer, p.sku, \
         COALESCE(t.title, p.title) AS title, p.page_url, q.body AS question, a.body AS answer \
         FROM answers a JOIN questions q ON q.id = a.question_id JOIN products p ON p.id = q.product_id \
         JOIN shoppers asker ON asker.id = q.shopper_id \
         LEFT JOIN product_translations t ON t.product_id = p.id AND t.locale = asker.locale \
         LEFT JOIN shoppers s ON s.id = a.shopper_id WHERE a.id = $1",
    )
    .bind(answer_id)
    .fetch_one(&mut **tx)
    .await?;
    let asker: ShopperKey = row.try_get("asker")?;
    if row.try_get::<Option<ShopperKey>, _>("answerer")? == Some(asker) {
        return Ok(());
    }
    let product_url: String = row.try_get("page_url")?;
    let change = AnswerGiven {
        answer_id,
        asker,
        sku: row.try_get("sku")?,
        product_title: row.try_get("title")?,
        product_url: (!product_url.is_empty()).then_some(product_url),
        question: row.try_get("question")?,
        answer: row.try_get("answer")?,
        buyer: row.try_get("buyer")?,
        at: now,
    };
    then.then(tx, AnswerChange::Given(change)).await
}

/// Whether a shopper bought a product: only buyers answer other shoppers' questions.
pub trait Purchases: Send + Sync {
    fn has_bought<'a>(
        &'a self,
        tx: &'a mut Tx,
        shopper: ShopperKey,
        product: ProductKey,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;
}

fn not_found() -> StoreError {
    AppError::not_found(
        Some("question_id".into()),
        Translation::of("error.no_such_question"),
    )
    .into()
}

/// Refuses a shopper's `what` when they reached `limit` in the window before `now` (`oldest` of them says when a
/// slot frees up, for the Retry-After).
fn over_limit(
    count: i64,
    oldest: Option<Millis>,
    limit: i64,
    window: Millis,
    message: Translation,
    now: Millis,
) -> Result<(), StoreError> {
    if count >= limit {
        return Err(AppError::rate_limited(message, oldest.unwrap_or(now) + window - now).into());
    }
    Ok(())
}

/// Refuses the shopper's next row of `table` (questions or answers) when they wrote `limit` in the 24 hours before
/// `now`. Their writes take turns (the shopper's row locked), so that two at once cannot both fit under the limit.
async fn within_a_day(
    tx: &mut Tx,
    table: &str,
    shopper_id: ShopperKey,
    limit: i64,
    message: Translation,
    now: Millis,
) -> Result<(), StoreError> {
    take_turns(tx, "shoppers", &[shopper_id.0]).await?;
    let (written, oldest): (i64, Option<Millis>) = sqlx::query_as(&format!(
        "SELECT COUNT(*), MIN(created_at) FROM {table} WHERE shopper_id = $1 AND created_at > $2"
    ))
    .bind(shopper_id)
    .bind(now - DAY_MS)
    .fetch_one(&mut **tx)
    .await?;
    over_limit(written, oldest, limit, DAY_MS, message, now)
}

/// A signed-in shopper asks about a product; the question waits for the shop.
pub async fn ask(
    db: &Db,
    shopper: &str,
    sku: &str,
    body: &str,
    policy: &QuestionPolicy,
    now: Millis,
) -> Result<OwnQuestion, StoreError> {
    let body = body.trim();
    validate_question(body)?;
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    let product_id = active_product_id(&mut tx, sku).await?;
    within_a_day(
        &mut tx,
        "questions",
        shopper_id,
        policy.questions_per_day,
        Translation::with(
            "error.questions_per_day",
            &[("max", policy.questions_per_day.to_string())],
        ),
        now,
    )
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO questions (product_id, shopper_id, body, status, created_at, status_changed_at) \
         VALUES ($1, $2, $3, 'pending', $4, $4) RETURNING id",
    )
    .bind(product_id)
    .bind(shopper_id)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(OwnQuestion {
        id,
        body: body.to_owned(),
        status: QuestionStatus::Pending,
        rejection_reason: None,
        asked_at: now,
    })
}

/// The question's product and status as a change to it starts, its row locked on PostgreSQL until `tx` ends, so
/// that two changes of one question take turns; an unknown question is a 404.
async fn question_for_change(
    tx: &mut Tx,
    question_id: i64,
) -> Result<(ProductKey, QuestionStatus), StoreError> {
    let lock = if tx.backend_name() == "PostgreSQL" {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = sqlx::query(&format!(
        "SELECT product_id, status FROM questions WHERE id = $1{lock}"
    ))
    .bind(question_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(not_found)?;
    let status = QuestionStatus::parse(&row.try_get::<String, _>("status")?)
        .ok_or_else(|| StoreError::from(AppError::internal()))?;
    Ok((row.try_get("product_id")?, status))
}

/// Keeps the question's count of published answers and its best answer's helpful votes, by which the product's
/// questions are ordered, equal to its answers.
async fn recount(tx: &mut Tx, question_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE questions SET \
         answer_count = (SELECT COUNT(*) FROM answers WHERE question_id = $1 AND status = 'published'), \
         top_helpful = (SELECT COALESCE(MAX(helpful_count), 0) FROM answers WHERE question_id = $1 AND status = 'published') \
         WHERE id = $1",
    )
    .bind(question_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const ANSWER_COLUMNS: &str = "a.id, a.question_id, a.body, a.by_shop, COALESCE(s.display_name, '') AS author, \
     a.helpful_count, a.edited, a.created_at";

fn answer_from_row(row: &sqlx::any::AnyRow) -> Result<Answer, sqlx::Error> {
    Ok(Answer {
        id: row.try_get("id")?,
        body: row.try_get("body")?,
        by_shop: row.try_get::<i64, _>("by_shop")? != 0,
        author: row.try_get("author")?,
        helpful: row.try_get("helpful_count")?,
        edited: row.try_get::<i64, _>("edited")? != 0,
        answered_at: row.try_get("created_at")?,
    })
}

async fn answer_by_id(tx: &mut Tx, answer_id: i64) -> Result<Answer, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {ANSWER_COLUMNS} FROM answers a LEFT JOIN shoppers s ON s.id = a.shopper_id WHERE a.id = $1"
    ))
    .bind(answer_id)
    .fetch_one(&mut **tx)
    .await?;
    answer_from_row(&row)
}

/// Ends the transaction of an answer written or changed: the question's counts follow, the asker is told, and the
/// answer as it now reads is returned.
async fn answer_given(
    mut tx: Tx,
    question_id: i64,
    answer_id: i64,
    then: &dyn Then<AnswerChange>,
    now: Millis,
) -> Result<Answer, StoreError> {
    recount(&mut tx, question_id).await?;
    report_answer(&mut tx, answer_id, then, now).await?;
    let answer = answer_by_id(&mut tx, answer_id).await?;
    tx.commit().await?;
    Ok(answer)
}

/// A shopper who bought the product (`questions.purchases` says) answers a published question, once, within the
/// store's limits.
pub async fn answer_as_shopper(
    db: &Db,
    shopper: &str,
    question_id: i64,
    body: &str,
    questions: &Questions,
    now: Millis,
) -> Result<Answer, StoreError> {
    let Questions {
        policy,
        purchases,
        then,
    } = questions;
    let body = body.trim();
    validate_answer(body)?;
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    let (product_id, status) = question_for_change(&mut tx, question_id).await?;
    if status != QuestionStatus::Published {
        return Err(not_found());
    }
    if !purchases
        .has_bought(&mut tx, shopper_id, product_id)
        .await?
    {
        return Err(
            AppError::new(ErrorCode::Forbidden, Translation::of("error.buyers_answer")).into(),
        );
    }
    within_a_day(
        &mut tx,
        "answers",
        shopper_id,
        policy.answers_per_day,
        Translation::with(
            "error.answers_per_day",
            &[("max", policy.answers_per_day.to_string())],
        ),
        now,
    )
    .await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO answers (question_id, shopper_id, by_shop, body, status, created_at, updated_at) \
         VALUES ($1, $2, 0, $3, 'published', $4, $4) RETURNING id",
    )
    .bind(question_id)
    .bind(shopper_id)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await;
    let answer_id: i64 = match inserted {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => {
            return Err(AppError::conflict(Translation::of("error.answered_already")).into());
        }
        Err(error) => return Err(error.into()),
    };
    answer_given(tx, question_id, answer_id, &**then, now).await
}

/// The shop answers a question, or changes its answer: a waiting question is published with it. A question the
/// shop turned down takes no answer.
pub async fn answer_as_shop(
    db: &Db,
    question_id: i64,
    body: &str,
    then: &dyn Then<AnswerChange>,
    now: Millis,
) -> Result<Answer, StoreError> {
    let body = body.trim();
    validate_answer(body)?;
    let mut tx = db.write().await?;
    let (_, status) = question_for_change(&mut tx, question_id).await?;
    match status {
        QuestionStatus::Rejected => {
            return Err(AppError::conflict(Translation::of("error.question_turned_down")).into());
        }
        QuestionStatus::Pending => {
            sqlx::query(
                "UPDATE questions SET status = 'published', status_changed_at = $1 WHERE id = $2",
            )
            .bind(now)
            .bind(question_id)
            .execute(&mut *tx)
            .await?;
        }
        QuestionStatus::Published => {}
    }
    // One answer by the shop: a second is the first, changed. An unchanged text changes nothing.
    let answer_id: i64 = sqlx::query_scalar(
        "INSERT INTO answers (question_id, shopper_id, by_shop, body, status, created_at, updated_at) \
         VALUES ($1, NULL, 1, $2, 'published', $3, $3) \
         ON CONFLICT (question_id) WHERE by_shop = 1 DO UPDATE SET \
         edited = CASE WHEN answers.body = excluded.body THEN answers.edited ELSE 1 END, \
         body = excluded.body, status = 'published', updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(question_id)
    .bind(body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    // The asker hears of the shop's answer once: a change to it is the same answer, which the follower sends once.
    answer_given(tx, question_id, answer_id, then, now).await
}

/// The shop publishes a waiting question without answering it yet, or turns a question down with a reason the
/// asker sees. A decision that does not fit the question's status is a conflict, so two merchants deciding at once
/// cannot overwrite each other unseen.
pub async fn decide(
    db: &Db,
    question_id: i64,
    decision: &QuestionDecision,
    now: Millis,
) -> Result<QuestionStatus, StoreError> {
    let (to, reason) = match decision {
        QuestionDecision::Publish => (QuestionStatus::Published, None),
        QuestionDecision::Reject { reason } => {
            let reason = reason.trim();
            validate_reason(reason)?;
            (QuestionStatus::Rejected, Some(reason))
        }
    };
    let mut tx = db.write().await?;
    let (_, before) = question_for_change(&mut tx, question_id).await?;
    let fits = match decision {
        QuestionDecision::Publish => before == QuestionStatus::Pending,
        QuestionDecision::Reject { .. } => before != QuestionStatus::Rejected,
    };
    if !fits {
        let key = match before {
            QuestionStatus::Pending => "error.question_moved_on.pending",
            QuestionStatus::Published => "error.question_moved_on.published",
            QuestionStatus::Rejected => "error.question_moved_on.rejected",
        };
        return Err(AppError::conflict(Translation::of(key)).into());
    }
    sqlx::query(
        "UPDATE questions SET status = $1, rejection_reason = $2, status_changed_at = $3 WHERE id = $4",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(now)
    .bind(question_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// The question an answer belongs to, with the question's row locked (see [`question_for_change`]) before anything
/// of the answer changes: every change of a question's answers takes the question's lock first, so they take
/// turns in one order (no deadlock) and each recount reads the answers the others left.
async fn question_of_answer(
    tx: &mut Tx,
    answer_id: i64,
) -> Result<(i64, QuestionStatus), StoreError> {
    let question_id: i64 = sqlx::query_scalar("SELECT question_id FROM answers WHERE id = $1")
        .bind(answer_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(answer_not_found)?;
    let (_, status) = question_for_change(tx, question_id).await?;
    Ok((question_id, status))
}

fn answer_not_found() -> StoreError {
    AppError::not_found(
        Some("answer_id".into()),
        Translation::of("error.no_such_answer"),
    )
    .into()
}

/// The shop takes an answer down: it leaves the product's page, and its marks stop counting.
pub async fn remove_answer(
    db: &Db,
    answer_id: i64,
    then: &dyn Then<AnswerChange>,
    now: Millis,
) -> Result<(), StoreError> {
    let mut tx = db.write().await?;
    let (question_id, _) = question_of_answer(&mut tx, answer_id).await?;
    let removed = sqlx::query(
        "UPDATE answers SET status = 'removed', updated_at = $1 WHERE id = $2 AND status = 'published'",
    )
    .bind(now)
    .bind(answer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(answer_not_found());
    }
    recount(&mut tx, question_id).await?;
    then.then(&mut tx, AnswerChange::Removed { answer_id })
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks an answer helpful (`helpful`) or takes the mark back. One mark per shopper per answer, kept by the
/// database with when it last changed; the count is recounted from the marks, so concurrent double-clicks leave one
/// mark and a right count. The limit counts the answers the shopper marked in the last minute; taking a mark back
/// is never refused.
pub async fn vote(
    db: &Db,
    shopper: &str,
    answer_id: i64,
    helpful: bool,
    policy: &QuestionPolicy,
    now: Millis,
) -> Result<AnswerTally, StoreError> {
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    let (question_id, question_status) = question_of_answer(&mut tx, answer_id).await?;
    let answer = sqlx::query("SELECT shopper_id, status FROM answers WHERE id = $1")
        .bind(answer_id)
        .fetch_one(&mut *tx)
        .await?;
    if question_status != QuestionStatus::Published
        || answer.try_get::<String, _>("status")? != "published"
    {
        return Err(answer_not_found());
    }
    if answer.try_get::<Option<ShopperKey>, _>("shopper_id")? == Some(shopper_id) {
        return Err(
            AppError::new(ErrorCode::Forbidden, Translation::of("error.own_answer")).into(),
        );
    }
    if helpful {
        // The shopper's marks take turns, so that marks on several answers at once cannot all fit under the limit.
        take_turns(&mut tx, "shoppers", &[shopper_id.0]).await?;
        let (recent, oldest): (i64, Option<Millis>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(voted_at) FROM answer_votes \
             WHERE shopper_id = $1 AND helpful = 1 AND voted_at > $2 AND answer_id <> $3",
        )
        .bind(shopper_id)
        .bind(now - VOTE_WINDOW_MS)
        .bind(answer_id)
        .fetch_one(&mut *tx)
        .await?;
        over_limit(
            recent,
            oldest,
            policy.votes_per_minute,
            VOTE_WINDOW_MS,
            Translation::of("error.voting_fast"),
            now,
        )?;
    }
    sqlx::query(
        "INSERT INTO answer_votes (answer_id, shopper_id, helpful, voted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (answer_id, shopper_id) DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at",
    )
    .bind(answer_id)
    .bind(shopper_id)
    .bind(i64::from(helpful))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let helpful_count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM answer_votes WHERE answer_id = $1 AND helpful = 1",
    )
    .bind(answer_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE answers SET helpful_count = $1 WHERE id = $2")
        .bind(helpful_count)
        .bind(answer_id)
        .execute(&mut *tx)
        .await?;
    recount(&mut tx, question_id).await?;
    tx.commit().await?;
    Ok(AnswerTally {
        helpful: helpful_count,
        voted: helpful,
    })
}

/// The published answers of `questions`, by question, most helpful first.
async fn answers_of(db: &Db, questions: &[i64]) -> Result<HashMap<i64, Vec<Answer>>, StoreError> {
    let mut answers: HashMap<i64, Vec<Answer>> = HashMap::new();
    if questions.is_empty() {
        return Ok(answers);
    }
    let rows = sqlx::query(&format!(
        "SELECT {ANSWER_COLUMNS} FROM answers a LEFT JOIN shoppers s ON s.id = a.shopper_id \
         WHERE a.question_id IN ({}) AND a.status = 'published'",
        id_list(questions)
    ))
    .fetch_all(db.reader())
    .await?;
    for row in &rows {
        answers
            .entry(row.try_get("question_id")?)
            .or_default()
            .push(answer_from_row(row)?);
    }
    for list in answers.values_mut() {
        list.sort_by(answer_order);
    }
    Ok(answers)
}

fn question_from_row(
    row: &sqlx::any::AnyRow,
    answers: &mut HashMap<i64, Vec<Answer>>,
) -> Result<Question, sqlx::Error> {
    let id: i64 = row.try_get("id")?;
    Ok(Question {
        id,
        body: row.try_get("body")?,
        asker: row.try_get("asker")?,
        asked_at: row.try_get("created_at")?,
        answers: answers.remove(&id).unwrap_or_default(),
    })
}

/// A product's published questions, `limit` from `offset`, with how many it has in all: those whose best answer
/// helped the most shoppers first, then answered before unanswered, then the newest. An unknown product is a 404.
pub async fn list(
    db: &Db,
    sku: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Question>, i64), StoreError> {
    validate_key("sku", sku)?;
    let product: ProductKey = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(db.reader())
        .await?
        .ok_or_else(|| {
            StoreError::from(AppError::not_found(
                Some("sku".into()),
                Translation::of("error.no_such_product"),
            ))
        })?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM questions WHERE product_id = $1 AND status = 'published'",
    )
    .bind(product)
    .fetch_one(db.reader())
    .await?;
    let rows = sqlx::query(
        "SELECT q.id, q.body, s.display_name AS asker, q.created_at FROM questions q \
         JOIN shoppers s ON s.id = q.shopper_id WHERE q.product_id = $1 AND q.status = 'published' \
         ORDER BY q.top_helpful DESC, q.answer_count > 0 DESC, q.created_at DESC, q.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(product)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut answers = answers_of(db, &ids).await?;
    let questions = rows
        .iter()
        .map(|row| question_from_row(row, &mut answers))
        .collect::<Result<_, _>>()?;
    Ok((questions, total))
}

/// What the signed-in shopper has to do with a product's questions: whether they may answer (they bought it), their
/// questions not on show, their helpful marks and the questions they answered. Nothing for an unknown shopper or
/// product.
pub async fn shopper_questions(
    db: &Db,
    shopper: &str,
    sku: &str,
    purchases: &dyn Purchases,
) -> Result<ShopperQuestions, StoreError> {
    // A read: the reader's transaction, which the purchase check takes.
    let mut tx = db.reader().begin().await?;
    let Some(shopper_id) = shopper_key(&mut *tx, shopper).await? else {
        return Ok(ShopperQuestions::default());
    };
    let product: Option<ProductKey> = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(product_id) = product else {
        return Ok(ShopperQuestions::default());
    };
    let can_answer = purchases
        .has_bought(&mut tx, shopper_id, product_id)
        .await?;
    let unpublished = sqlx::query(
        "SELECT id, body, status, rejection_reason, created_at FROM questions \
         WHERE shopper_id = $1 AND product_id = $2 AND status <> 'published' ORDER BY created_at DESC, id DESC",
    )
    .bind(shopper_id)
    .bind(product_id)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|row| {
        Ok(OwnQuestion {
            id: row.try_get("id")?,
            body: row.try_get("body")?,
            status: QuestionStatus::parse(&row.try_get::<String, _>("status")?)
                .unwrap_or(QuestionStatus::Pending),
            rejection_reason: row.try_get("rejection_reason")?,
            asked_at: row.try_get("created_at")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let helpful_votes = sqlx::query_scalar(
        "SELECT v.answer_id FROM answer_votes v JOIN answers a ON a.id = v.answer_id \
         JOIN questions q ON q.id = a.question_id WHERE v.shopper_id = $1 AND v.helpful = 1 AND q.product_id = $2",
    )
    .bind(shopper_id)
    .bind(product_id)
    .fetch_all(&mut *tx)
    .await?;
    let answered = sqlx::query_scalar(
        "SELECT a.question_id FROM answers a JOIN questions q ON q.id = a.question_id \
         WHERE a.shopper_id = $1 AND q.product_id = $2",
    )
    .bind(shopper_id)
    .bind(product_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ShopperQuestions {
        can_answer,
        unpublished,
        helpful_votes,
        answered,
    })
}

/// A list of the merchant's desk, `limit` from `offset`.
pub async fn desk(
    db: &Db,
    queue: DeskQueue,
    offset: i64,
    limit: i64,
) -> Result<Vec<DeskQuestion>, StoreError> {
    let (filter, order) = match queue {
        DeskQueue::Waiting => ("q.status = 'pending'", "q.created_at, q.id"),
        DeskQueue::Unanswered => (
            "q.status = 'published' AND q.answer_count = 0",
            "q.created_at, q.id",
        ),
        DeskQueue::Answered => (
            "q.status = 'published' AND q.answer_count > 0",
            "q.status_changed_at DESC, q.id DESC",
        ),
        DeskQueue::Rejected => (
            "q.status = 'rejected'",
            "q.status_changed_at DESC, q.id DESC",
        ),
    };
    let rows = sqlx::query(&format!(
        "SELECT q.id, q.body, s.display_name AS asker, q.created_at, q.status, q.rejection_reason, p.sku, \
         p.title AS product_title FROM questions q JOIN products p ON p.id = q.product_id \
         JOIN shoppers s ON s.id = q.shopper_id WHERE {filter} ORDER BY {order} LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut answers = answers_of(db, &ids).await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(DeskQuestion {
                question: question_from_row(row, &mut answers)?,
                sku: row.try_get("sku")?,
                product_title: row.try_get("product_title")?,
                status: QuestionStatus::parse(&row.try_get::<String, _>("status")?)
                    .unwrap_or(QuestionStatus::Pending),
                rejection_reason: row.try_get("rejection_reason")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

#[cfg(test)]
mod tests;
