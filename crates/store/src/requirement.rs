//! Requirements with their versions, clarifications, priority decisions and estimates.

use crate::{execute, run, Engine, Result, StoreError, Tx};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, PartialEq)]
pub struct Requirement {
    pub id: Uuid,
    pub engagement_id: Uuid,
    #[serde(skip)]
    pub seq: i64,
    pub key: String,
    pub title: String,
    pub statement: String,
    pub rationale: String,
    pub functional_area: String,
    pub source: String,
    pub owner_id: Option<Uuid>,
    pub status: String,
    pub priority: Option<String>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

const COLS: &str = "id, engagement_id, seq, key, title, statement, rationale, functional_area, source, owner_id, status, priority, version, created_at, updated_at";

/// The next sequence number of an engagement's requirements (its key is `REQ-` and the number).
pub async fn next_seq(tx: &mut Tx, engagement_id: Uuid) -> Result<i64> {
    let n: (Option<i64>,) = run!(tx, |c| sqlx::query_as(
        "select max(seq) from requirements where engagement_id = $1"
    )
    .bind(engagement_id)
    .fetch_one(c)
    .await)?;
    Ok(n.0.unwrap_or(0) + 1)
}

pub async fn insert(tx: &mut Tx, r: &Requirement) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into requirements (id, engagement_id, seq, key, title, statement, rationale, functional_area, source, owner_id, status, priority, version, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(r.id)
        .bind(r.engagement_id)
        .bind(r.seq)
        .bind(&r.key)
        .bind(&r.title)
        .bind(&r.statement)
        .bind(&r.rationale)
        .bind(&r.functional_area)
        .bind(&r.source)
        .bind(r.owner_id)
        .bind(&r.status)
        .bind(&r.priority)
        .bind(r.version)
        .bind(r.created_at)
        .bind(r.updated_at)
        .execute(c)
        .await
    })?;
    Ok(())
}

/// Writes the record's current values if it is still at version `expected` (409 otherwise).
pub async fn update(tx: &mut Tx, r: &Requirement, expected: i64) -> Result<()> {
    let n = execute!(tx, |c| {
        sqlx::query(
            "update requirements set title = $1, statement = $2, rationale = $3, functional_area = $4, source = $5, \
             owner_id = $6, status = $7, priority = $8, version = $9, updated_at = $10 where id = $11 and version = $12",
        )
        .bind(&r.title)
        .bind(&r.statement)
        .bind(&r.rationale)
        .bind(&r.functional_area)
        .bind(&r.source)
        .bind(r.owner_id)
        .bind(&r.status)
        .bind(&r.priority)
        .bind(r.version)
        .bind(r.updated_at)
        .bind(r.id)
        .bind(expected)
        .execute(c)
        .await
    })?;
    crate::engagement::stale_unless_one(n)
}

pub async fn get(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Requirement> {
    let sql = format!("select {COLS} from requirements where id = $1 and engagement_id = $2");
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

/// What the requirement list is filtered and sorted by.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<String>,
    pub priority: Option<String>,
    pub functional_area: Option<String>,
    pub owner_id: Option<Uuid>,
    /// Words that must all appear in the key, title or statement (any case).
    pub q: Option<String>,
    /// `key` (default), `title`, `status`, `priority` or `updated`; `-` in front for descending.
    pub sort: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

fn order_by(sort: Option<&str>) -> &'static str {
    match sort.unwrap_or("key") {
        "title" => "title, seq",
        "-title" => "title desc, seq",
        "status" => "status, seq",
        "-status" => "status desc, seq",
        // The article's order, the same on both engines, with the undecided last.
        "priority" => "case priority when 'must_have' then 0 when 'deferred' then 1 when 'nice_to_have' then 2 else 3 end, seq",
        "-priority" => "case priority when 'must_have' then 0 when 'deferred' then 1 when 'nice_to_have' then 2 else 3 end desc, seq",
        "updated" => "updated_at, seq",
        "-updated" => "updated_at desc, seq",
        "-key" => "seq desc",
        _ => "seq",
    }
}

/// Whether `sort` is one the list knows.
pub fn valid_sort(sort: &str) -> bool {
    matches!(
        sort.trim_start_matches('-'),
        "key" | "title" | "status" | "priority" | "updated"
    )
}

/// A search word as a pattern that finds it anywhere in a text, in any letter case, accented
/// and non-Latin letters included: SQLite's `lower` and `like` fold only ASCII, and
/// PostgreSQL's `lower` follows the database's locale. Each letter that has a case becomes a
/// bracket of its forms (`ü` → `[üÜ]`); everything else matches only itself. SQLite: a `glob`
/// pattern; PostgreSQL: a regular expression for `~`.
fn any_case_pattern(word: &str, engine: Engine) -> String {
    let mut out = String::from(match engine {
        Engine::Sqlite => "*",
        Engine::Postgres => "",
    });
    for c in word.chars() {
        let mut forms = vec![c];
        for other in [one_char(c.to_lowercase()), one_char(c.to_uppercase())]
            .into_iter()
            .flatten()
        {
            if !forms.contains(&other) {
                forms.push(other);
            }
        }
        if forms.len() > 1 {
            out.push('[');
            out.extend(forms);
            out.push(']');
            continue;
        }
        match engine {
            Engine::Sqlite if matches!(c, '*' | '?' | '[') => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            // In a PostgreSQL regular expression a backslash makes any character that is not a
            // letter or a digit stand for itself.
            Engine::Postgres if !c.is_alphanumeric() => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    if engine == Engine::Sqlite {
        out.push('*');
    }
    out
}

/// The one character a case mapping gives, or `None` when it gives several (`ß` → `SS`).
fn one_char(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// One page of an engagement's requirements; one more than `limit` is read to tell whether a
/// next page exists.
pub async fn list(tx: &mut Tx, engagement_id: Uuid, f: &Filter) -> Result<Vec<Requirement>> {
    let engine = tx.engine();
    let words: Vec<String> =
        f.q.as_deref()
            .unwrap_or("")
            .split_whitespace()
            .take(8)
            .map(|w| any_case_pattern(w, engine))
            .collect();
    let mut sql = format!(
        "select {COLS} from requirements where engagement_id = $1 \
         and ($2 or status = $3) and ($4 or priority = $5) and ($6 or functional_area = $7) and ($8 or owner_id = $9)"
    );
    let op = match engine {
        Engine::Sqlite => "glob",
        Engine::Postgres => "~",
    };
    for i in 0..words.len() {
        let p = 10 + i;
        sql.push_str(&format!(
            " and (key {op} ${p} or title {op} ${p} or statement {op} ${p})"
        ));
    }
    let p = 10 + words.len();
    sql.push_str(&format!(
        " order by {} limit ${p} offset ${}",
        order_by(f.sort.as_deref()),
        p + 1
    ));
    Ok(run!(tx, |c| {
        let mut q = sqlx::query_as(&sql)
            .bind(engagement_id)
            .bind(f.status.is_none())
            .bind(f.status.clone().unwrap_or_default())
            .bind(f.priority.is_none())
            .bind(f.priority.clone().unwrap_or_default())
            .bind(f.functional_area.is_none())
            .bind(f.functional_area.clone().unwrap_or_default())
            .bind(f.owner_id.is_none())
            .bind(f.owner_id.unwrap_or(Uuid::nil()));
        for w in &words {
            q = q.bind(w.clone());
        }
        q.bind(f.limit + 1).bind(f.offset).fetch_all(c).await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Version {
    pub requirement_id: Uuid,
    pub version: i64,
    pub snapshot: String,
    pub actor_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

pub async fn insert_version(tx: &mut Tx, v: &Version) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into requirement_versions (requirement_id, version, snapshot, actor_id, at) values ($1, $2, $3, $4, $5)",
        )
        .bind(v.requirement_id)
        .bind(v.version)
        .bind(&v.snapshot)
        .bind(v.actor_id)
        .bind(v.at)
        .execute(c)
        .await
    })?;
    Ok(())
}

/// Every version of a requirement, oldest first.
pub async fn versions(tx: &mut Tx, requirement_id: Uuid) -> Result<Vec<Version>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select requirement_id, version, snapshot, actor_id, at from requirement_versions where requirement_id = $1 order by version"
    )
    .bind(requirement_id)
    .fetch_all(c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Clarification {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub requirement_id: Uuid,
    pub question: String,
    pub asked_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub asked_at: OffsetDateTime,
    pub answer: Option<String>,
    pub answered_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub answered_at: Option<OffsetDateTime>,
}

const CLAR_COLS: &str = "id, engagement_id, requirement_id, question, asked_by, asked_at, answer, answered_by, answered_at";

pub async fn insert_clarification(tx: &mut Tx, c: &Clarification) -> Result<()> {
    execute!(tx, |conn| {
        sqlx::query(
            "insert into clarifications (id, engagement_id, requirement_id, question, asked_by, asked_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.id)
        .bind(c.engagement_id)
        .bind(c.requirement_id)
        .bind(&c.question)
        .bind(c.asked_by)
        .bind(c.asked_at)
        .execute(conn)
        .await
    })?;
    Ok(())
}

pub async fn clarifications(tx: &mut Tx, requirement_id: Uuid) -> Result<Vec<Clarification>> {
    let sql = format!(
        "select {CLAR_COLS} from clarifications where requirement_id = $1 order by asked_at, id"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(requirement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn get_clarification(
    tx: &mut Tx,
    requirement_id: Uuid,
    id: Uuid,
) -> Result<Clarification> {
    let sql =
        format!("select {CLAR_COLS} from clarifications where id = $1 and requirement_id = $2");
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(requirement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

/// Answers a clarification that is still open; false when someone answered it first.
pub async fn answer_clarification(
    tx: &mut Tx,
    id: Uuid,
    answer: &str,
    by: Uuid,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update clarifications set answer = $1, answered_by = $2, answered_at = $3 where id = $4 and answer is null"
    )
    .bind(answer)
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PriorityDecision {
    pub id: Uuid,
    pub requirement_id: Uuid,
    pub priority: String,
    pub rationale: String,
    pub decided_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

pub async fn insert_decision(tx: &mut Tx, d: &PriorityDecision) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into priority_decisions (id, requirement_id, priority, rationale, decided_by, decided_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(d.id)
        .bind(d.requirement_id)
        .bind(&d.priority)
        .bind(&d.rationale)
        .bind(d.decided_by)
        .bind(d.decided_at)
        .execute(c)
        .await
    })?;
    Ok(())
}

pub async fn decisions(tx: &mut Tx, requirement_id: Uuid) -> Result<Vec<PriorityDecision>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select id, requirement_id, priority, rationale, decided_by, decided_at from priority_decisions where requirement_id = $1 order by decided_at, id"
    )
    .bind(requirement_id)
    .fetch_all(c)
    .await
    })?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Estimate {
    pub requirement_id: Uuid,
    pub effort_days: f64,
    pub cost: f64,
    pub currency: String,
    pub feasibility: String,
    pub fit: String,
    pub basis: String,
    pub estimated_by: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub estimated_at: OffsetDateTime,
    pub acknowledged_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
}

const EST_COLS: &str = "requirement_id, effort_days, cost, currency, feasibility, fit, basis, estimated_by, estimated_at, acknowledged_by, acknowledged_at";

/// Replaces the requirement's estimate; a new estimate is not acknowledged yet.
pub async fn put_estimate(tx: &mut Tx, e: &Estimate) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into estimates (requirement_id, effort_days, cost, currency, feasibility, fit, basis, estimated_by, estimated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (requirement_id) do update set \
             effort_days = excluded.effort_days, cost = excluded.cost, currency = excluded.currency, feasibility = excluded.feasibility, \
             fit = excluded.fit, basis = excluded.basis, estimated_by = excluded.estimated_by, estimated_at = excluded.estimated_at, \
             acknowledged_by = null, acknowledged_at = null",
        )
        .bind(e.requirement_id)
        .bind(e.effort_days)
        .bind(e.cost)
        .bind(&e.currency)
        .bind(&e.feasibility)
        .bind(&e.fit)
        .bind(&e.basis)
        .bind(e.estimated_by)
        .bind(e.estimated_at)
        .execute(c)
        .await
    })?;
    Ok(())
}

pub async fn estimate(tx: &mut Tx, requirement_id: Uuid) -> Result<Option<Estimate>> {
    let sql = format!("select {EST_COLS} from estimates where requirement_id = $1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(requirement_id)
        .fetch_optional(c)
        .await)?)
}

pub async fn acknowledge_estimate(
    tx: &mut Tx,
    requirement_id: Uuid,
    by: Uuid,
    at: OffsetDateTime,
) -> Result<bool> {
    let n = execute!(tx, |c| {
        sqlx::query(
        "update estimates set acknowledged_by = $1, acknowledged_at = $2 where requirement_id = $3 and acknowledged_at is null"
    )
    .bind(by)
    .bind(at)
    .bind(requirement_id)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// One row of the roll-up: per priority (None: not prioritised yet) and currency.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RollupRow {
    pub priority: Option<String>,
    pub requirements: i64,
    pub estimated: i64,
    pub effort_days: Option<f64>,
    pub currency: Option<String>,
    pub cost: Option<f64>,
    pub standard_process: i64,
}

/// Totals of the live (not retired) requirements per priority and estimate currency.
pub async fn rollup(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<RollupRow>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select r.priority as priority, count(*) as requirements, count(e.requirement_id) as estimated, \
         sum(e.effort_days) as effort_days, e.currency as currency, sum(e.cost) as cost, \
         sum(case when e.fit = 'standard_process' then 1 else 0 end) as standard_process \
         from requirements r left join estimates e on e.requirement_id = r.id \
         where r.engagement_id = $1 and r.status <> 'retired' group by r.priority, e.currency order by r.priority, e.currency"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?)
}

/// The requirement with `key` (`REQ-0042`) in the engagement.
pub async fn find_by_key(
    tx: &mut Tx,
    engagement_id: Uuid,
    key: &str,
) -> Result<Option<Requirement>> {
    let sql = format!("select {COLS} from requirements where engagement_id = $1 and key = $2");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .bind(key)
        .fetch_optional(c)
        .await)?)
}

/// Inserts many requirements (an import), in batches.
pub async fn insert_many(tx: &mut Tx, rows: &[Requirement]) -> Result<()> {
    tx.insert_in_batches(rows, prepare_many).await
}

/// [`insert_many`]'s statements, made on any thread for [`Tx::run_prepared`].
pub fn prepare_many(engine: crate::Engine, rows: Vec<Requirement>) -> Result<crate::Prepared> {
    crate::prepare_batch!(
        engine,
        "requirements",
        &[
            "id",
            "engagement_id",
            "seq",
            "key",
            "title",
            "statement",
            "rationale",
            "functional_area",
            "source",
            "owner_id",
            "status",
            "priority",
            "version",
            "created_at",
            "updated_at"
        ],
        rows,
        |a, r| {
            a.add(r.id)?;
            a.add(r.engagement_id)?;
            a.add(r.seq)?;
            a.add(r.key)?;
            a.add(r.title)?;
            a.add(r.statement)?;
            a.add(r.rationale)?;
            a.add(r.functional_area)?;
            a.add(r.source)?;
            a.add(r.owner_id)?;
            a.add(r.status)?;
            a.add(r.priority)?;
            a.add(r.version)?;
            a.add(r.created_at)?;
            a.add(r.updated_at)?;
        }
    )
}

/// Inserts many versions, in batches.
pub async fn insert_versions(tx: &mut Tx, rows: &[Version]) -> Result<()> {
    tx.insert_in_batches(rows, prepare_versions).await
}

/// [`insert_versions`]'s statements, made on any thread for [`Tx::run_prepared`].
pub fn prepare_versions(engine: crate::Engine, rows: Vec<Version>) -> Result<crate::Prepared> {
    crate::prepare_batch!(
        engine,
        "requirement_versions",
        &["requirement_id", "version", "snapshot", "actor_id", "at"],
        rows,
        |a, v| {
            a.add(v.requirement_id)?;
            a.add(v.version)?;
            a.add(v.snapshot)?;
            a.add(v.actor_id)?;
            a.add(v.at)?;
        }
    )
}

/// The engagement's requirements changed since they were written (version above 1): what an
/// export writes back over what was imported.
pub async fn edited(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Requirement>> {
    let sql = format!("select {COLS} from requirements where engagement_id = $1 and version > 1");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

/// Every requirement of the engagement, by key.
pub async fn all(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Requirement>> {
    let sql = format!("select {COLS} from requirements where engagement_id = $1 order by seq");
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

/// The first version of each requirement changed since: (requirement, snapshot JSON).
pub async fn first_versions_of_edited(
    tx: &mut Tx,
    engagement_id: Uuid,
) -> Result<Vec<(Uuid, String)>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select v.requirement_id, v.snapshot from requirement_versions v join requirements r on r.id = v.requirement_id \
         where r.engagement_id = $1 and r.version > 1 and v.version = 1"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await
    })?)
}
