//! `/admin`: the units tree (and adding a unit), with the way to the other admin pages; the
//! audit log and the outbox.

pub mod people;
pub mod roster;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::types::{AuditEvent, AuditQuery};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, local, see_other, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::mail::types::{OutboxQuery, OutboxView};
use crate::pagination::PageParams;
use crate::units::types::{NewUnit, Unit};

/// Units in tree order with their depth, for lists and selects.
pub fn tree(units: Vec<Unit>) -> Vec<(Unit, usize)> {
    let mut children: HashMap<Option<i64>, Vec<Unit>> = HashMap::new();
    for u in units {
        children.entry(u.parent_id).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Unit, usize)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|u| (u, 0))
        .collect();
    while let Some((u, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(u.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push((u, depth));
    }
    out
}

/// Every unit (admins see them all), a page at a time.
pub fn all_units(conn: &mut crate::db::DbConn) -> Result<Vec<Unit>, AppError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = crate::units::service::list(
            conn,
            PageParams {
                cursor,
                limit: Some(200),
            },
        )?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    shell: Shell,
    units: Vec<(Unit, usize)>,
    name: String,
    errors: FieldErrors,
}

impl AdminPage {
    fn indent(&self, depth: &usize) -> String {
        "— ".repeat(*depth)
    }

    fn error(&self, field: &str) -> Option<String> {
        crate::http::page::field_message(&self.errors, field, self.shell.lang)
    }
}

async fn admin_page(
    ctx: &Ctx,
    visitor: &Visitor,
    name: String,
    errors: FieldErrors,
) -> Result<AdminPage, PageError> {
    let units = visitor.db(ctx, all_units).await?;
    Ok(AdminPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            ("Quản trị", "Administration"),
        ),
        units: tree(units),
        name,
        errors,
    })
}

#[get("/admin")]
pub async fn hub(ctx: Ctx, visitor: Visitor) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Admin)?;
    Ok(html(
        StatusCode::OK,
        &admin_page(&ctx, &visitor, String::new(), FieldErrors::new()).await?,
    ))
}

#[derive(Deserialize)]
pub struct UnitForm {
    csrf: String,
    name: String,
    parent_id: Option<String>,
}

#[post("/admin/units")]
pub async fn create_unit(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    form: web::Form<UnitForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    visitor.check_csrf(&form.csrf)?;
    visitor.require(Role::Admin)?;
    let new = NewUnit {
        name: form.name.clone(),
        parent_id: form.parent_id.as_deref().and_then(|p| p.parse().ok()),
    };
    let actor = visitor.actor.clone();
    match ctx
        .db(move |conn| crate::units::service::create(conn, Some(&actor), &meta, new))
        .await
    {
        Ok(_) => Ok(see_other("/admin")),
        Err(AppError::Validation(errors)) => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &admin_page(&ctx, &visitor, form.name, errors).await?,
        )),
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}

#[derive(Template)]
#[template(path = "admin_records.html")]
struct RecordsPage {
    shell: Shell,
    audit: Vec<(AuditEvent, String)>,
    outbox: Vec<(OutboxView, String)>,
    audit_paging: Paging,
    outbox_paging: Paging,
}

/// Where each of the two lists of the records page starts.
#[derive(Deserialize)]
pub struct RecordsQuery {
    audit: Option<String>,
    outbox: Option<String>,
}

#[get("/admin/records")]
pub async fn records(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<RecordsQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Admin)?;
    let c = ctx.clone();
    let RecordsQuery {
        audit: audit_cursor,
        outbox: outbox_cursor,
    } = query.into_inner();
    let (audit, outbox) = ctx
        .db(move |conn| {
            let audit = crate::audit::service::list(
                conn,
                &AuditQuery {
                    action: None,
                    entity: None,
                    entity_id: None,
                    actor_id: None,
                    cursor: audit_cursor,
                    limit: Some(50),
                },
            )?;
            let outbox = crate::mail::service::list(
                conn,
                &OutboxQuery {
                    status: None,
                    cursor: outbox_cursor,
                    limit: Some(50),
                },
            )?;
            Ok((audit, outbox))
        })
        .await?;
    let (path, q) = (req.path(), req.query_string());
    let page = RecordsPage {
        shell: Shell::signed_in(
            &visitor,
            &ctx.settings.ui.organisation,
            ("Nhật ký và thư đi", "Audit log and outbox"),
        ),
        audit_paging: Paging::new(path, q, "audit", audit.next_cursor.as_deref()),
        outbox_paging: Paging::new(path, q, "outbox", outbox.next_cursor.as_deref()),
        audit: audit
            .items
            .into_iter()
            .map(|e| {
                let w = local(e.created_at, &c);
                (e, w)
            })
            .collect(),
        outbox: outbox
            .items
            .into_iter()
            .map(|m| {
                let w = local(m.created_at, &c);
                (m, w)
            })
            .collect(),
    };
    Ok(html(StatusCode::OK, &page))
}
