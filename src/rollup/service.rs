//! Export a draft's approved feedback as a bundle; import a bundle from the level below.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, AuditAction, Event};
use crate::comments::types::CommentStatus;
use crate::db::{now, write_tx, DbConn};
use crate::drafts::service as drafts;
use crate::error::{AppError, ErrorCode};
use crate::identity::{Actor, RequestMeta};
use crate::rollup::bundle::{
    section_key, Bundle, BundleComment, BundleDocument, BundleResponse, BundleSection, Manifest,
    FORMAT,
};
use crate::rollup::store::{self, LandedComment, NewImport};

/// What an import did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Landing {
    pub import_id: i64,
    /// The manifest digest the import is known by.
    pub digest: String,
    /// Comments that landed now.
    pub landed: i32,
    /// Comments of the bundle that had landed before (from another bundle of the same body).
    pub already_there: i32,
    /// True when this very bundle had been imported before: nothing changed.
    pub repeated: bool,
}

fn internal(e: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(e.into())
}

/// The bundle of `document_id`'s approved comments (of round `round`), as `organisation`.
pub fn export(
    conn: &mut DbConn,
    viewer: &Actor,
    document_id: i64,
    round: Option<i32>,
    organisation: &str,
) -> Result<Bundle, AppError> {
    let doc = drafts::get(conn, document_id, viewer)?;
    let round_id = match round {
        Some(n) => Some(
            crate::rounds::store::for_document(conn, doc.id)?
                .into_iter()
                .find(|r| r.number == n)
                .ok_or(AppError::NotFound("round"))?
                .id,
        ),
        None => None,
    };
    let paths: HashMap<i64, String> = drafts::commentable_history(conn, doc.id)?
        .into_iter()
        .collect();
    let mut comments = Vec::new();
    for r in crate::feedback::store::report_rows(conn, doc.id, round_id)? {
        let response = match (r.decision, r.rationale) {
            (Some(d), Some(rationale)) => Some(BundleResponse {
                decision: d.parse().map_err(internal)?,
                rationale,
            }),
            _ => None,
        };
        comments.push(BundleComment {
            id: r.comment_id,
            section: r
                .section_id
                .and_then(|s| paths.get(&s))
                .map(|p| section_key(p)),
            unit: r.contributed_by.or(r.unit),
            on_behalf_of_unit: r.on_behalf_of_unit,
            body: r.body,
            proposed_text: r.proposed_text,
            created_at: r.created_at.and_utc(),
            response,
        });
    }
    let mut sections: Vec<BundleSection> = paths
        .into_values()
        .map(|path| BundleSection {
            key: section_key(&path),
            path,
        })
        .collect();
    sections.sort_by(|a, b| a.path.cmp(&b.path));
    sections.dedup_by(|a, b| a.key == b.key);
    let mut bundle = Bundle {
        format: FORMAT.to_owned(),
        organisation: organisation.to_owned(),
        exported_at: chrono::Utc::now(),
        round,
        document: BundleDocument {
            code: doc.code,
            title: doc.title,
            version: doc.current_version,
        },
        sections,
        comments,
        manifest: Manifest {
            algorithm: String::new(),
            document: String::new(),
            sections: String::new(),
            comments: String::new(),
            bundle: String::new(),
        },
    };
    bundle.manifest = bundle.compute_manifest().map_err(internal)?;
    Ok(bundle)
}

fn mismatch(detail: String) -> AppError {
    AppError::conflict(ErrorCode::BundleMismatch, detail)
}

/// Check a bundle before anything is read for it: this build's format, intact.
fn check_bundle(bundle: &Bundle, from_unit: &str) -> Result<(), AppError> {
    if from_unit.is_empty() || from_unit.chars().count() > 200 {
        return Err(AppError::field("from_unit", "must be 1–200 characters"));
    }
    if bundle.format != FORMAT {
        return Err(AppError::unprocessable(
            ErrorCode::BundleTampered,
            format!("not a bundle this version reads ({FORMAT})"),
        ));
    }
    if !bundle.intact() {
        return Err(AppError::unprocessable(
            ErrorCode::BundleTampered,
            "Gói góp ý không khớp với bảng kê SHA-256: nội dung đã bị sửa sau khi xuất (the bundle does not match its manifest)",
        ));
    }
    Ok(())
}

/// Land `bundle`'s comments in `document_id` as contributions from `from_unit` (secretariat):
/// all or none; a bundle imported before changes nothing; a comment that landed before (from
/// an earlier bundle of the same body) is not landed twice.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    meta: &RequestMeta,
    document_id: i64,
    from_unit: &str,
    bundle: Bundle,
) -> Result<Landing, AppError> {
    let from_unit = from_unit.trim();
    check_bundle(&bundle, from_unit)?;
    let digest = bundle.manifest.bundle.clone();
    write_tx(conn, |conn| {
        let row = crate::drafts::store::find(conn, document_id)?;
        if let Some(r) = &row {
            drafts::refuse_archived(r)?;
        }
        let doc = drafts::visible_to(row, actor)?;
        let same = match (&bundle.document.code, &doc.code) {
            (Some(a), Some(b)) => a == b,
            _ => bundle.document.title == doc.title,
        };
        if !same {
            return Err(mismatch(format!(
                "Gói góp ý thuộc dự thảo khác: «{}» (the bundle is of another draft)",
                bundle.document.title
            )));
        }
        if bundle.document.version != doc.current_version {
            return Err(mismatch(format!(
                "Gói góp ý được lập trên phiên bản {} của dự thảo; dự thảo này đang ở phiên bản {} (the bundle is of another version)",
                bundle.document.version, doc.current_version
            )));
        }
        if let Some((import_id, _)) = store::find_import(conn, doc.id, &digest)? {
            return Ok(Landing {
                import_id,
                digest: digest.clone(),
                landed: 0,
                already_there: bundle.comments.len() as i32,
                repeated: true,
            });
        }
        let here: HashMap<String, i64> = drafts::commentable_history(conn, doc.id)?
            .into_iter()
            .map(|(id, path)| (path, id))
            .collect();
        let by_key: HashMap<&str, &str> = bundle
            .sections
            .iter()
            .map(|s| (s.key.as_str(), s.path.as_str()))
            .collect();
        let mut missing = Vec::new();
        let mut placed = Vec::with_capacity(bundle.comments.len());
        for c in &bundle.comments {
            let section = match &c.section {
                None => None,
                Some(key) => match by_key.get(key.as_str()).and_then(|p| here.get(*p)) {
                    Some(id) => Some(*id),
                    None => {
                        missing.push(by_key.get(key.as_str()).copied().unwrap_or(key).to_owned());
                        continue;
                    }
                },
            };
            placed.push((c, section));
        }
        if !missing.is_empty() {
            missing.sort();
            missing.dedup();
            return Err(mismatch(format!(
                "Dự thảo này không có các mục: {} (sections this draft does not have)",
                missing.join("; ")
            )));
        }
        let origins: Vec<String> = placed
            .iter()
            .map(|(c, _)| format!("{from_unit}#{}", c.id))
            .collect();
        let known = store::known_origins(conn, doc.id, &origins)?;
        let at = now();
        let mut rows = Vec::new();
        for ((c, section), origin) in placed.into_iter().zip(origins) {
            if known.contains(&origin) {
                continue;
            }
            let (text_search, text_lower) = crate::text::search_forms([
                c.body.as_str(),
                c.proposed_text.as_deref().unwrap_or(""),
            ]);
            rows.push(LandedComment {
                document_id: doc.id,
                section_id: section,
                author_id: actor.id,
                unit_id: None,
                body: c.body.clone(),
                proposed_text: c.proposed_text.clone(),
                status: CommentStatus::Approved.as_str(),
                receipt: crate::comments::types::new_receipt(),
                decided_by: Some(actor.id),
                decided_at: Some(at),
                created_at: c.created_at.naive_utc(),
                updated_at: at,
                text_search,
                text_lower,
                version: doc.current_version,
                screening_score: 0,
                on_behalf_of_unit: c.on_behalf_of_unit,
                contributed_by: Some(match &c.unit {
                    Some(u) => format!("{from_unit} – {u}"),
                    None => from_unit.to_owned(),
                }),
                origin: Some(origin),
            });
        }
        let landed = rows.len() as i32;
        store::insert_landed(conn, rows)?;
        let import_id = store::insert_import(
            conn,
            NewImport {
                document_id: doc.id,
                digest: &digest,
                from_unit,
                comments: landed,
                imported_by: actor.id,
                imported_at: at,
            },
        )?;
        let detail = serde_json::json!({
            "from_unit": from_unit, "digest": digest, "landed": landed,
            "organisation": bundle.organisation,
        });
        audit::record(
            conn,
            Some(actor.id),
            meta,
            Event::new(AuditAction::FeedbackImported, Some(doc.id), detail),
        )?;
        Ok(Landing {
            import_id,
            digest: digest.clone(),
            landed,
            already_there: bundle.comments.len() as i32 - landed,
            repeated: false,
        })
    })
}
