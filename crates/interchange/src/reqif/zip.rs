//! `.reqifz`: a zip archive of one or more `.reqif` documents and the files they refer to
//! (images, OLE objects). Sizes are checked as members are inflated, so a zip bomb stops at the
//! limit instead of filling memory.

use std::io::Read as _;

/// A member of a `.reqifz` that is not a ReqIF document: an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The path inside the archive, as the documents refer to it.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The members of a `.reqifz`.
#[derive(Debug, Clone, Default)]
pub struct Archive {
    /// (path, contents) of each `.reqif` member, in archive order.
    pub documents: Vec<(String, Vec<u8>)>,
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ZipError {
    #[error("not a zip archive: {0}")]
    NotZip(String),
    #[error("{path}: {message}")]
    Member { path: String, message: String },
    #[error("the archive inflates to more than {limit} bytes (a zip bomb?); nothing was taken")]
    TooLarge { limit: u64 },
    #[error("the archive holds no .reqif document")]
    NoDocument,
}

/// Whether `bytes` start like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the archive, refusing it when its members together inflate to more than `limit`
/// bytes. Entries of `__MACOSX/` and directories are skipped.
pub fn unpack(bytes: &[u8], limit: u64) -> Result<Archive, ZipError> {
    let mut zip = ::zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ZipError::NotZip(e.to_string()))?;
    let mut out = Archive::default();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| ZipError::Member {
            path: format!("member {i}"),
            message: e.to_string(),
        })?;
        let path = f.name().to_string();
        if f.is_dir() || path.starts_with("__MACOSX/") || path.contains("/__MACOSX/") {
            continue;
        }
        // Never trust the declared size: read at most what is left of the limit, plus one byte
        // to notice going over it.
        let left = limit.saturating_sub(total);
        let mut data = Vec::new();
        (&mut f)
            .take(left + 1)
            .read_to_end(&mut data)
            .map_err(|e| ZipError::Member {
                path: path.clone(),
                message: e.to_string(),
            })?;
        total += data.len() as u64;
        if total > limit {
            return Err(ZipError::TooLarge { limit });
        }
        if path.to_ascii_lowercase().ends_with(".reqif") {
            out.documents.push((path, data));
        } else {
            out.attachments.push(Attachment { path, bytes: data });
        }
    }
    if out.documents.is_empty() {
        return Err(ZipError::NoDocument);
    }
    Ok(out)
}

/// A `.reqifz`: the document under `name` and the attachments under their paths.
pub fn pack(
    name: &str,
    document: &[u8],
    attachments: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, ZipError> {
    use std::io::Write;
    let err = |path: &str, e: &dyn std::fmt::Display| ZipError::Member {
        path: path.to_string(),
        message: e.to_string(),
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = ::zip::ZipWriter::new(&mut buf);
        let opts = ::zip::write::SimpleFileOptions::default()
            .compression_method(::zip::CompressionMethod::Deflated);
        z.start_file(name, opts).map_err(|e| err(name, &e))?;
        z.write_all(document).map_err(|e| err(name, &e))?;
        for (path, bytes) in attachments {
            z.start_file(path.as_str(), opts)
                .map_err(|e| err(path, &e))?;
            z.write_all(bytes).map_err(|e| err(path, &e))?;
        }
        z.finish().map_err(|e| err(name, &e))?;
    }
    Ok(buf.into_inner())
}
