//! ReqIF documents imported into an engagement: the document, its spec objects (with the
//! requirement each became) and its attachments.

use crate::{execute, run, Result, StoreError, Tx};
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Document {
    pub id: Uuid,
    pub engagement_id: Uuid,
    pub name: String,
    pub header_identifier: String,
    pub title: String,
    /// The document without its spec objects, as JSON.
    pub model: String,
    /// Names and datatypes of the attribute definitions and enumeration values, as JSON.
    pub definitions: String,
    pub imported_by: Uuid,
    pub imported_at: OffsetDateTime,
}

const DOC_COLS: &str =
    "id, engagement_id, name, header_identifier, title, model, definitions, imported_by, imported_at";

pub async fn insert_document(tx: &mut Tx, d: &Document) -> Result<()> {
    let sql = format!(
        "insert into reqif_documents ({DOC_COLS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    );
    execute!(tx, |c| sqlx::query(&sql)
        .bind(d.id)
        .bind(d.engagement_id)
        .bind(&d.name)
        .bind(&d.header_identifier)
        .bind(&d.title)
        .bind(&d.model)
        .bind(&d.definitions)
        .bind(d.imported_by)
        .bind(d.imported_at)
        .execute(c)
        .await)?;
    Ok(())
}

/// The engagement's imported documents, oldest first.
pub async fn documents(tx: &mut Tx, engagement_id: Uuid) -> Result<Vec<Document>> {
    let sql = format!(
        "select {DOC_COLS} from reqif_documents where engagement_id = $1 order by imported_at, id"
    );
    Ok(run!(tx, |c| sqlx::query_as(&sql)
        .bind(engagement_id)
        .fetch_all(c)
        .await)?)
}

pub async fn document(tx: &mut Tx, engagement_id: Uuid, id: Uuid) -> Result<Document> {
    let sql =
        format!("select {DOC_COLS} from reqif_documents where id = $1 and engagement_id = $2");
    run!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(engagement_id)
        .fetch_optional(c)
        .await)?
    .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Object {
    pub document_id: Uuid,
    pub identifier: String,
    pub seq: i64,
    pub requirement_id: Option<Uuid>,
    /// The SPEC-OBJECT as JSON.
    pub object: String,
}

/// A document's spec objects in document order (those a re-import removed are not).
pub async fn objects(tx: &mut Tx, document_id: Uuid) -> Result<Vec<Object>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
            "select document_id, identifier, seq, requirement_id, object from reqif_objects \
         where document_id = $1 and removed_at is null order by seq",
        )
        .bind(document_id)
        .fetch_all(c)
        .await
    })?)
}

pub async fn insert_attachment(
    tx: &mut Tx,
    document_id: Uuid,
    path: &str,
    bytes: &[u8],
) -> Result<()> {
    execute!(tx, |c| sqlx::query(
        "insert into reqif_attachments (document_id, path, bytes) values ($1, $2, $3)"
    )
    .bind(document_id)
    .bind(path)
    .bind(bytes)
    .execute(c)
    .await)?;
    Ok(())
}

/// Inserts many spec objects, in batches.
pub async fn insert_objects(tx: &mut Tx, rows: &[Object]) -> Result<()> {
    tx.insert_in_batches(rows, prepare_objects).await
}

/// [`insert_objects`]'s statements, made on any thread for [`Tx::run_prepared`].
pub fn prepare_objects(engine: crate::Engine, rows: Vec<Object>) -> Result<crate::Prepared> {
    crate::prepare_batch!(
        engine,
        "reqif_objects",
        &[
            "document_id",
            "identifier",
            "seq",
            "requirement_id",
            "object"
        ],
        rows,
        |a, o| {
            a.add(o.document_id)?;
            a.add(o.identifier)?;
            a.add(o.seq)?;
            a.add(o.requirement_id)?;
            a.add(o.object)?;
        }
    )
}

/// The spec object a requirement came from, with its document's name and definitions:
/// (identifier, object JSON, document id, document name, definitions JSON).
pub async fn origin(
    tx: &mut Tx,
    requirement_id: Uuid,
) -> Result<Option<(String, String, Uuid, String, String)>> {
    Ok(run!(tx, |c| sqlx::query_as(
        "select o.identifier, o.object, d.id, d.name, d.definitions from reqif_objects o \
         join reqif_documents d on d.id = o.document_id where o.requirement_id = $1"
    )
    .bind(requirement_id)
    .fetch_optional(c)
    .await)?)
}

/// One attachment of the import a document came with.
pub async fn attachment(
    tx: &mut Tx,
    engagement_id: Uuid,
    imported_at: OffsetDateTime,
    path: &str,
) -> Result<Vec<u8>> {
    let row: Option<(Vec<u8>,)> = run!(tx, |c| {
        sqlx::query_as(
        "select a.bytes from reqif_attachments a join reqif_documents d on d.id = a.document_id \
         where d.engagement_id = $1 and d.imported_at = $2 and a.path = $3"
    )
    .bind(engagement_id)
    .bind(imported_at)
    .bind(path)
    .fetch_optional(c)
    .await
    })?;
    row.map(|r| r.0).ok_or(StoreError::NotFound)
}

/// The attachments of the import a document came with (an archive's files are stored once, with
/// its first document; every document of one import has the same `imported_at`).
pub async fn attachments_of_import(
    tx: &mut Tx,
    engagement_id: Uuid,
    imported_at: OffsetDateTime,
) -> Result<Vec<(String, Vec<u8>)>> {
    Ok(run!(tx, |c| {
        sqlx::query_as(
        "select a.path, a.bytes from reqif_attachments a join reqif_documents d on d.id = a.document_id \
         where d.engagement_id = $1 and d.imported_at = $2 order by a.path"
    )
    .bind(engagement_id)
    .bind(imported_at)
    .fetch_all(c)
    .await
    })?)
}

/// The spec objects the engagement's requirements came from, with their documents' definitions:
/// (requirement id, object JSON, document id). Definitions come once per document from
/// [`documents`].
pub async fn objects_of_engagement(
    tx: &mut Tx,
    engagement_id: Uuid,
) -> Result<Vec<(Uuid, String, Uuid)>> {
    Ok(run!(tx, |c| sqlx::query_as(
        "select o.requirement_id, o.object, d.id from reqif_objects o \
         join reqif_documents d on d.id = o.document_id \
         where d.engagement_id = $1 and o.requirement_id is not null"
    )
    .bind(engagement_id)
    .fetch_all(c)
    .await)?)
}

/// A `reqif_objects` row with its removal time.
type ObjectRow = (
    Uuid,
    String,
    i64,
    Option<Uuid>,
    String,
    Option<OffsetDateTime>,
);

/// Every spec object a document ever held, with when a re-import removed it.
pub async fn all_objects(
    tx: &mut Tx,
    document_id: Uuid,
) -> Result<Vec<(Object, Option<OffsetDateTime>)>> {
    let rows: Vec<ObjectRow> = run!(tx, |c| {
        sqlx::query_as(
            "select document_id, identifier, seq, requirement_id, object, removed_at \
             from reqif_objects where document_id = $1 order by seq",
        )
        .bind(document_id)
        .fetch_all(c)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(document_id, identifier, seq, requirement_id, object, removed)| {
                (
                    Object {
                        document_id,
                        identifier,
                        seq,
                        requirement_id,
                        object,
                    },
                    removed,
                )
            },
        )
        .collect())
}

/// Writes a spec object as a newer export of its document has it (back, if it had been removed).
pub async fn put_object(tx: &mut Tx, o: &Object) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
            "insert into reqif_objects (document_id, identifier, seq, requirement_id, object) \
             values ($1, $2, $3, $4, $5) on conflict (document_id, identifier) do update set \
             seq = excluded.seq, requirement_id = excluded.requirement_id, object = excluded.object, \
             removed_at = null",
        )
        .bind(o.document_id)
        .bind(&o.identifier)
        .bind(o.seq)
        .bind(o.requirement_id)
        .bind(&o.object)
        .execute(c)
        .await
    })?;
    Ok(())
}

/// Marks a spec object as gone from its document.
pub async fn remove_object(
    tx: &mut Tx,
    document_id: Uuid,
    identifier: &str,
    at: OffsetDateTime,
) -> Result<()> {
    execute!(tx, |c| sqlx::query(
        "update reqif_objects set removed_at = $1 where document_id = $2 and identifier = $3"
    )
    .bind(at)
    .bind(document_id)
    .bind(identifier)
    .execute(c)
    .await)?;
    Ok(())
}

/// A document's model and definitions as a newer export has them.
pub async fn update_document(tx: &mut Tx, d: &Document) -> Result<()> {
    execute!(tx, |c| {
        sqlx::query(
        "update reqif_documents set header_identifier = $1, title = $2, model = $3, definitions = $4 \
         where id = $5 and engagement_id = $6"
    )
    .bind(&d.header_identifier)
    .bind(&d.title)
    .bind(&d.model)
    .bind(&d.definitions)
    .bind(d.id)
    .bind(d.engagement_id)
    .execute(c)
    .await
    })?;
    Ok(())
}
