//! ReqIF in and out of an engagement.

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Caller, Path, Query};
use crate::i18n::{Lang, Tr};
use crate::ui::documents;
use crate::AppState;
use accord_app::csv_import::CsvImportReport;
use accord_app::reimport::ReimportReport;
use accord_app::reqif::{DocumentView, ImportReport};
use accord_app::views::Page;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(documents, import_reqif))
        .routes(routes!(export_reqif))
        .routes(routes!(reimport_reqif))
        .routes(routes!(attachment))
        .routes(routes!(requirements_csv))
        .routes(routes!(import_requirements_csv))
        .routes(routes!(changes_csv))
        .routes(routes!(traceability_csv))
        .routes(routes!(specification_html))
        .routes(routes!(traceability_html))
        // The import reads its body itself, up to the configured limit (413 beyond it).
        .layer(DefaultBodyLimit::disable())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// The functional area the new requirements are filed under (required).
    pub functional_area: Option<String>,
    /// The file's name, kept with the import (default `upload.reqif`).
    pub name: Option<String>,
    /// Attribute LONG-NAMEs whose value becomes the title, comma-separated, first found wins
    /// (default `ReqIF.Name,ReqIF.ChapterName`).
    pub title_from: Option<String>,
    /// Attribute LONG-NAMEs whose value becomes the statement (default
    /// `ReqIF.Text,ReqIF.Description`).
    pub statement_from: Option<String>,
}

fn list(v: Option<String>, default: Vec<String>) -> Vec<String> {
    match v {
        Some(s) if !s.trim().is_empty() => s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        _ => default,
    }
}

/// Reads a request body of at most `limit` bytes: 413 beyond it.
pub(crate) async fn body_bytes(body: Body, limit: usize) -> Result<axum::body::Bytes, Problem> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the file is larger than the limit of {limit} bytes (accord serve --max-import-bytes)"),
        )
    })
}

/// The ReqIF documents imported into the engagement.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/imports/reqif", tag = "interchange", params(("eid" = Uuid, Path)),
    responses((status = 200, body = Page<DocumentView>), (status = 404, body = Problem)))]
async fn documents(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Json<Page<DocumentView>>> {
    Ok(Json(Page {
        items: s.app.reqif_documents(&a, eid).await?,
        next_cursor: None,
    }))
}

/// Import a `.reqif` or `.reqifz` (the request body, any content type): each spec object
/// becomes a requirement (section headings stay headings), relations between them trace
/// links; the whole document is kept so it can be written back. One transaction: on any error
/// nothing is written. 413 beyond the size limit; 422 for a file that is not ReqIF, naming
/// where it fails.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/imports/reqif", tag = "interchange", params(("eid" = Uuid, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImportReport), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn import_reqif(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<ImportParams>,
    body: Body,
) -> Response {
    if let Err(e) = s.app.get_engagement(&a, eid).await {
        return ApiError(e).into_response();
    }
    let bytes = match body_bytes(body, s.web.max_import_bytes).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    let mut opts = s.web.import_options(
        p.name.as_deref().unwrap_or("upload.reqif"),
        p.functional_area.as_deref().unwrap_or(""),
    );
    opts.title_from = list(p.title_from, opts.title_from);
    opts.statement_from = list(p.statement_from, opts.statement_from);
    match s.app.import_reqif(&a, eid, bytes, &opts, |_, _| {}).await {
        Ok(report) => (StatusCode::CREATED, Json(report)).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReimportParams {
    /// The functional area of requirements the newer file adds (required).
    pub functional_area: Option<String>,
    /// Attribute LONG-NAMEs for the title, as for an import (default: those the document was
    /// imported with).
    pub title_from: Option<String>,
    /// Attribute LONG-NAMEs for the statement, as for an import (default: those the document
    /// was imported with).
    pub statement_from: Option<String>,
    /// The `confirm` token of the preview being confirmed. Without it, nothing is written.
    pub confirm: Option<String>,
}

/// A newer export of imported document `id`: spec objects matched by IDENTIFIER. Without
/// `confirm`, a preview (added, changed, unchanged, removed; nothing written). With `confirm`
/// set to the preview's `confirm` token, the same file is applied in one transaction: added
/// objects become requirements, a title or statement the file changed gives its requirement a
/// new version, removed ones retire theirs, new relations become trace links. 409 when the file,
/// the options or anything in the engagement changed since the preview.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/imports/reqif/{id}", tag = "interchange",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), ReimportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ReimportReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn reimport_reqif(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    Query(p): Query<ReimportParams>,
    body: Body,
) -> Response {
    if let Err(e) = s.app.get_engagement(&a, eid).await {
        return ApiError(e).into_response();
    }
    let bytes = match body_bytes(body, s.web.max_import_bytes).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    // Not given: as the document was imported.
    let mut opts = s
        .web
        .reimport_options(p.functional_area.as_deref().unwrap_or(""));
    opts.title_from = list(p.title_from, Vec::new());
    opts.statement_from = list(p.statement_from, Vec::new());
    match s
        .app
        .reimport_reqif(&a, eid, id, &bytes, &opts, p.confirm.as_deref())
        .await
    {
        Ok(report) => Json(report).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// The imported document to write back (default: the latest).
    pub document_id: Option<Uuid>,
    /// `true`: the engagement's requirements as a new document, whatever was imported (this is
    /// also what an engagement without an imported document gets).
    pub engagement: Option<bool>,
}

/// An imported document written back as ReqIF (`.reqifz` with its attachments when it had
/// any): the identifiers, datatypes, values, hierarchy, relations and tool extensions as they
/// came. Without an imported document, or with `engagement=true`, the engagement's requirements
/// and trace links as a new ReqIF document.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/reqif", tag = "interchange", params(("eid" = Uuid, Path), ExportParams),
    responses((status = 200, content_type = "application/xml", body = String), (status = 404, body = Problem)))]
async fn export_reqif(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<ExportParams>,
) -> ApiResult<Response> {
    let id = match p.document_id {
        Some(id) => Some(id),
        None if p.engagement == Some(true) => None,
        None => s.app.reqif_documents(&a, eid).await?.last().map(|d| d.id),
    };
    let (doc, attachments, id) = match id {
        Some(id) => {
            let (doc, attachments) = s.app.export_reqif(&a, eid, id).await?;
            (doc, attachments, id)
        }
        None => (s.app.engagement_reqif(&a, eid).await?, Vec::new(), eid),
    };
    let xml = accord_interchange::reqif::write(&doc);
    let (bytes, kind, ext) = if attachments.is_empty() {
        (xml.into_bytes(), "application/xml", "reqif")
    } else {
        let z = accord_interchange::reqif::zip::pack("export.reqif", xml.as_bytes(), &attachments)
            .map_err(|e| accord_app::Error::Internal(e.to_string()))?;
        (z, "application/zip", "reqifz")
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.{ext}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AttachmentParams {
    /// The attachment's path inside the `.reqifz`, as the document refers to it.
    pub path: Option<String>,
}

/// A file a `.reqifz` brought with a document (a picture, an OLE object), as it came; always
/// as a download, never shown in the browser's page context.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/imports/reqif/{id}/attachment", tag = "interchange",
    params(("eid" = Uuid, Path), ("id" = Uuid, Path), AttachmentParams),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
async fn attachment(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((eid, id)): Path<(Uuid, Uuid)>,
    Query(p): Query<AttachmentParams>,
) -> ApiResult<Response> {
    let path = p.path.unwrap_or_default();
    let bytes = s.app.reqif_attachment(&a, eid, id, &path).await?;
    let kind = match path
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        // An SVG can carry script: it goes out as bytes to save, not as an image to render.
        _ => "application/octet-stream",
    };
    let name: String = path
        .rsplit('/')
        .next()
        .unwrap_or("attachment")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

fn csv_download(file: String, bytes: Vec<u8>) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let file: String = file
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// The engagement's requirements as CSV that Excel opens as it is (UTF-8 with a byte order
/// mark; cells a spreadsheet would run as a formula are prefixed with `'`).
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/requirements.csv", tag = "interchange", params(("eid" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
async fn requirements_csv(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Response> {
    let (key, bytes) = s.app.requirements_csv(&a, eid).await?;
    Ok(csv_download(format!("{key}-requirements.csv"), bytes))
}

/// The traceability matrix as CSV: each requirement, the requirements it derives from, depends
/// on, conflicts with and refines, what verifies it and what it verifies.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/traceability.csv", tag = "interchange", params(("eid" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
async fn traceability_csv(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Response> {
    let (key, bytes) = s.app.traceability_csv(&a, eid).await?;
    Ok(csv_download(format!("{key}-traceability.csv"), bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `true`: sent as a file to save (`Content-Disposition: attachment`), not shown.
    pub download: Option<bool>,
}

/// The engagement's requirements specification as one printable HTML file: requirements by
/// functional area, numbered, with their attributes, links and (for imported ones) their ReqIF
/// attributes, rich text sanitised; the glossary; the signatures with their manifestation; the
/// baseline and the content hash on every printed page. In the caller's language
/// (`Accept-Language` or the language cookie).
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/specification.html", tag = "interchange", params(("eid" = Uuid, Path), DocumentParams),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, body = Problem)))]
async fn specification_html(
    State(s): State<AppState>,
    Caller(a): Caller,
    lang: Lang,
    Path(eid): Path<Uuid>,
    Query(p): Query<DocumentParams>,
) -> ApiResult<Response> {
    let spec = s.app.specification(&a, eid).await?;
    Ok(documents::specification(
        Tr::new(lang),
        &spec,
        p.download == Some(true),
    ))
}

/// The traceability matrix as one printable HTML file: each requirement, what it derives from,
/// depends on, conflicts with and refines, what verifies it (those nothing verifies stand out)
/// and what it verifies.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/traceability.html", tag = "interchange", params(("eid" = Uuid, Path), DocumentParams),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, body = Problem)))]
async fn traceability_html(
    State(s): State<AppState>,
    Caller(a): Caller,
    lang: Lang,
    Path(eid): Path<Uuid>,
    Query(p): Query<DocumentParams>,
) -> ApiResult<Response> {
    let spec = s.app.specification(&a, eid).await?;
    Ok(documents::traceability(
        Tr::new(lang),
        &spec,
        p.download == Some(true),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CsvImportParams {
    /// Which column fills which field, `field:Column` comma-separated (fields: key, title,
    /// statement, rationale, functional_area, source). A field not named takes the column of
    /// its own name, in any case, if there is one; title and statement need a column.
    pub map: Option<String>,
    /// The functional area of rows without one.
    pub functional_area: Option<String>,
    /// The `confirm` token of the preview being confirmed. Without it, nothing is written.
    pub confirm: Option<String>,
}

/// Requirements from a spreadsheet's CSV (UTF-8 with or without a byte order mark, `,` or `;`).
/// Rows with the key of one of the engagement's requirements update it (a new version when
/// something changed); rows without a key create one. Without `confirm`, a preview of every
/// row (nothing written); with `confirm` set to the preview's `confirm` token, the same file is
/// applied in one transaction, audited per record. A bad cell refuses the whole file (422, each
/// cell named by line and column); 409 when the file, the options or anything in the engagement
/// changed since the preview.
#[utoipa::path(post, path = "/api/v1/engagements/{eid}/imports/requirements.csv", tag = "interchange",
    params(("eid" = Uuid, Path), CsvImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CsvImportReport), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn import_requirements_csv(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
    Query(p): Query<CsvImportParams>,
    body: Body,
) -> Response {
    if let Err(e) = s.app.get_engagement(&a, eid).await {
        return ApiError(e).into_response();
    }
    let bytes = match body_bytes(body, s.web.max_import_bytes).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    let columns = match parse_map(p.map.as_deref().unwrap_or("")) {
        Ok(c) => c,
        Err(e) => return ApiError(e).into_response(),
    };
    match s
        .app
        .import_requirements_csv(
            &a,
            eid,
            &bytes,
            &columns,
            p.functional_area.as_deref().unwrap_or(""),
            p.confirm.as_deref(),
        )
        .await
    {
        Ok(report) => Json(report).into_response(),
        Err(e) => ApiError(e).into_response(),
    }
}

/// `field:Column,field:Column` as a map (a column name may hold spaces, not commas); an entry
/// that is not `field:Column`, or a field named twice, is refused.
pub(crate) fn parse_map(
    s: &str,
) -> Result<std::collections::HashMap<String, String>, accord_app::Error> {
    let mut out = std::collections::HashMap::new();
    for pair in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((f, c)) = pair
            .split_once(':')
            .map(|(f, c)| (f.trim(), c.trim()))
            .filter(|(f, c)| !f.is_empty() && !c.is_empty())
        else {
            return Err(accord_app::Error::invalid(
                "map",
                format!("\"{pair}\" is not field:Column (for example title:Name)"),
            ));
        };
        if out.insert(f.to_string(), c.to_string()).is_some() {
            return Err(accord_app::Error::invalid(
                "map",
                format!("{f} is given a column twice"),
            ));
        }
    }
    Ok(out)
}

/// The engagement's change log (its audit trail, oldest first) as CSV: when, who, what, which
/// record (its key when it has one), the fields changed, the reason, and the record before and
/// after as JSON.
#[utoipa::path(get, path = "/api/v1/engagements/{eid}/exports/changes.csv", tag = "interchange", params(("eid" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
async fn changes_csv(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(eid): Path<Uuid>,
) -> ApiResult<Response> {
    let (key, bytes) = s.app.changes_csv(&a, eid).await?;
    Ok(csv_download(format!("{key}-changes.csv"), bytes))
}
