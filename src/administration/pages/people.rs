//! People: find someone, change their roles, unit or whether they may sign in, unlock them —
//! the same rules as the API (an admin cannot take away their own access).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::accounts::types::{UserPatch, UserView};
use crate::administration::pages::{all_units, tree};
use crate::error::{AppError, FieldErrors};
use crate::http::extract::Ctx;
use crate::http::page::paging::Paging;
use crate::http::page::{html, see_other, CsrfForm, PageError, Shell, Visitor};
use crate::identity::{RequestMeta, Role};
use crate::pagination::PageParams;
use crate::units::types::Unit;

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage {
    shell: Shell,
    q: String,
    people: Vec<UserView>,
    paging: Paging,
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    q: Option<String>,
    cursor: Option<String>,
}

#[get("/admin/people")]
pub async fn list(
    ctx: Ctx,
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<PeopleQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Admin)?;
    let PeopleQuery { q, cursor } = query.into_inner();
    let q = q.unwrap_or_default();
    let term = q.clone();
    let people = visitor
        .db(&ctx, move |conn| {
            let q = Some(term.as_str()).filter(|t| !t.trim().is_empty());
            crate::accounts::service::users::list(
                conn,
                q,
                PageParams {
                    cursor,
                    limit: Some(50),
                },
            )
        })
        .await?;
    let paging = Paging::new(
        req.path(),
        req.query_string(),
        "cursor",
        people.next_cursor.as_deref(),
    );
    let page = PeoplePage {
        shell: Shell::signed_in(
            &visitor,
            &ctx.settings.ui.organisation,
            ("Cán bộ", "People"),
        ),
        q,
        people: people.items,
        paging,
    };
    Ok(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "admin_person.html")]
struct PersonPage {
    shell: Shell,
    person: UserView,
    units: Vec<(Unit, usize)>,
    errors: FieldErrors,
    saved: bool,
}

impl PersonPage {
    fn has(&self, role: &Role) -> bool {
        self.person.roles.contains(role)
    }

    fn roles(&self) -> &'static [Role] {
        Role::ALL
    }

    fn in_unit(&self, id: &i64) -> bool {
        self.person.unit_id == Some(*id)
    }

    fn indent(&self, depth: &usize) -> String {
        "— ".repeat(*depth)
    }

    fn role_label(&self, role: &Role) -> &'static str {
        let (vi, en) = match role {
            Role::Employee => ("Cán bộ góp ý", "Employee"),
            Role::Moderator => ("Kiểm duyệt", "Moderator"),
            Role::Secretariat => ("Thư ký tổng hợp", "Secretariat"),
            Role::Admin => ("Quản trị", "Admin"),
            Role::UnitRepresentative => ("Đại diện đơn vị", "Unit representative"),
        };
        self.shell.lang.pick(vi, en)
    }

    fn error(&self, field: &str) -> Option<String> {
        crate::http::page::field_message(&self.errors, field, self.shell.lang)
    }
}

async fn person_page(
    ctx: &Ctx,
    visitor: &Visitor,
    id: i64,
    errors: FieldErrors,
    saved: bool,
) -> Result<PersonPage, PageError> {
    let (person, units) = visitor
        .db(ctx, move |conn| {
            Ok((
                crate::accounts::service::users::get(conn, id)?,
                all_units(conn)?,
            ))
        })
        .await?;
    Ok(PersonPage {
        shell: Shell::signed_in(
            visitor,
            &ctx.settings.ui.organisation,
            (&person.full_name, &person.full_name),
        ),
        person,
        units: tree(units),
        errors,
        saved,
    })
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<u8>,
}

#[get("/admin/people/{id}")]
pub async fn show_person(
    ctx: Ctx,
    visitor: Visitor,
    path: web::Path<i64>,
    query: web::Query<SavedQuery>,
) -> Result<HttpResponse, PageError> {
    visitor.require(Role::Admin)?;
    let page = person_page(
        &ctx,
        &visitor,
        path.into_inner(),
        FieldErrors::new(),
        query.saved.is_some(),
    )
    .await?;
    Ok(html(StatusCode::OK, &page))
}

/// The person form: `roles` repeats (one per ticked box), so it is read as pairs.
#[post("/admin/people/{id}")]
pub async fn update(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let fields = form.into_inner();
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    visitor.check_csrf(&value("csrf").unwrap_or_default())?;
    visitor.require(Role::Admin)?;
    let id = path.into_inner();
    let roles: Vec<Role> = fields
        .iter()
        .filter(|(k, _)| k == "roles")
        .filter_map(|(_, v)| Role::try_from(v.clone()).ok())
        .collect();
    let patch = UserPatch {
        full_name: None,
        unit_id: Some(value("unit_id").and_then(|u| u.parse().ok())),
        roles: Some(roles),
        active: Some(value("active").is_some()),
        locale: None,
    };
    match crate::accounts::service::users::update_now(&ctx, &visitor.actor, &meta, id, patch).await
    {
        Ok(_) => Ok(see_other(&format!("/admin/people/{id}?saved=1"))),
        Err(AppError::Validation(errors)) => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &person_page(&ctx, &visitor, id, errors, false).await?,
        )),
        Err(e) => Err(PageError::App(e, visitor.lang)),
    }
}

#[post("/admin/people/{id}/unlock")]
pub async fn unlock(
    ctx: Ctx,
    visitor: Visitor,
    meta: RequestMeta,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    visitor.may(&form, Role::Admin)?;
    let (actor, id) = (visitor.actor.clone(), path.into_inner());
    visitor
        .db(&ctx, move |conn| {
            crate::accounts::service::users::unlock(conn, &actor, &meta, id)
        })
        .await?;
    Ok(see_other(&format!("/admin/people/{id}?saved=1")))
}
