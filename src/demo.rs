//! `gopy serve --demo`: a small department, one account per role, a published Vietnamese draft
//! and comments in every state. Seeding happens once; later starts find it and skip.

use diesel::prelude::*;

use crate::accounts::service::users;
use crate::accounts::types::{Role, UserRecord};
use crate::comments::types::NewComment;
use crate::comments::writer::{write_now, Submission};
use crate::config::Settings;
use crate::context::hasher::{hash_with, params};
use crate::db::schema::users as users_table;
use crate::db::{DbConn, Pool};
use crate::drafts::service as drafts;
use crate::drafts::types::{NewDocument, NewSection};
use crate::identity::RequestMeta;
use crate::moderation::service::decide;
use crate::moderation::types::{Action, ModerationRequest, ReasonCode};
use crate::units::service as units;
use crate::units::types::NewUnit;

pub const DEMO_PASSWORD: &str = "gopy-demo-2026";

pub const ACCOUNTS: [(&str, &str, &[Role], usize); 6] = [
    ("admin@demo.gopy.vn", "Nguyễn Văn Quản", &[Role::Admin], 0),
    (
        "thuky@demo.gopy.vn",
        "Trần Thị Thư",
        &[Role::Secretariat, Role::Employee],
        1,
    ),
    (
        "kiemduyet@demo.gopy.vn",
        "Lê Minh Duyệt",
        &[Role::Moderator, Role::Employee],
        1,
    ),
    (
        "nhanvien1@demo.gopy.vn",
        "Phạm Thị Hồng Nhung",
        &[Role::Employee],
        2,
    ),
    (
        "nhanvien2@demo.gopy.vn",
        "Đỗ Đức Thắng",
        &[Role::Employee],
        3,
    ),
    // A second moderator: four-eyes needs one to confirm another's rejection.
    (
        "kiemduyet2@demo.gopy.vn",
        "Vũ Thị Soát",
        &[Role::Moderator],
        2,
    ),
];

/// Seed the demo data unless it is there already. Returns whether it seeded.
pub fn seed(pool: &Pool, settings: &Settings) -> anyhow::Result<bool> {
    let mut pooled = pool.get()?;
    let conn: &mut DbConn = &mut pooled;
    let exists = users_table::table
        .filter(users_table::email_normalized.eq(ACCOUNTS[0].0))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Ok(false);
    }
    let params = params(&settings.auth)?;
    let hash = hash_with(&params, DEMO_PASSWORD)?;
    let meta = RequestMeta::local("gopy demo seed");
    crate::db::write_tx(conn, |conn| seed_in(conn, &hash, &meta, settings))?;
    Ok(true)
}

fn seed_in(
    conn: &mut DbConn,
    hash: &str,
    cli: &RequestMeta,
    settings: &Settings,
) -> anyhow::Result<()> {
    let unit = |name: &str, parent_id| NewUnit {
        name: name.into(),
        parent_id,
    };
    let root = units::create(
        conn,
        None,
        cli,
        unit("Sở Nội vụ tỉnh Hòa Bình (demo)", None),
    )?
    .id;
    let mut unit_ids = vec![root];
    for name in ["Văn phòng Sở", "Phòng Tổ chức – Biên chế", "Thanh tra Sở"] {
        unit_ids.push(units::create(conn, None, cli, unit(name, Some(root)))?.id);
    }
    let mut ids = Vec::new();
    for (email, name, roles, unit) in ACCOUNTS {
        let rec = UserRecord {
            email: email.into(),
            full_name: name.into(),
            unit_id: Some(unit_ids[unit]),
            roles: roles.to_vec(),
            password_hash: Some(hash.into()),
        };
        ids.push(users::create(conn, None, cli, &rec, settings)?);
    }
    let secretariat = users::actor(conn, ids[1])?;
    let moderator = users::actor(conn, ids[2])?;
    let now = chrono::Utc::now();
    let doc = drafts::create(
        conn,
        &secretariat,
        cli,
        NewDocument {
            title: "Dự thảo Quy chế lấy ý kiến cán bộ, công chức đối với dự thảo văn bản".into(),
            code: Some("QC-01/2026".into()),
            summary: Some("Quy định việc tổ chức lấy ý kiến góp ý của cán bộ, công chức, viên chức, người lao động đối với các dự thảo văn bản của Sở.".into()),
            opens_at: Some(now - chrono::Duration::days(1)),
            closes_at: Some(now + chrono::Duration::days(30)),
        },
    )?
    .id;
    let mut add = |parent: Option<i64>, label: &str, heading: Option<&str>, body: &str| {
        let new = NewSection {
            parent_id: parent,
            label: Some(label.into()),
            heading: heading.map(Into::into),
            body: body.into(),
            position: None,
        };
        drafts::add_section(conn, &secretariat, cli, doc, new).map(|s| s.id)
    };
    let c1 = add(None, "Chương I", Some("QUY ĐỊNH CHUNG"), "")?;
    let d1 = add(Some(c1), "Điều 1", Some("Phạm vi điều chỉnh"), "Quy chế này quy định việc lấy ý kiến góp ý của cán bộ, công chức, viên chức và người lao động đối với dự thảo văn bản do Sở chủ trì soạn thảo.")?;
    add(
        Some(d1),
        "Khoản 1",
        None,
        "Dự thảo được công bố trên hệ thống góp ý ít nhất 15 ngày trước khi trình ký.",
    )?;
    add(Some(d1), "Khoản 2", None, "Văn bản có nội dung thuộc danh mục bí mật nhà nước không thuộc phạm vi điều chỉnh của Quy chế này.")?;
    let d2 = add(
        Some(c1),
        "Điều 2",
        Some("Nguyên tắc góp ý"),
        "Góp ý phải đúng trọng tâm, có tính xây dựng, không xúc phạm cá nhân, tổ chức.",
    )?;
    let c2 = add(None, "Chương II", Some("TỔ CHỨC LẤY Ý KIẾN"), "")?;
    let m1 = add(Some(c2), "Mục 1", Some("Công bố dự thảo"), "")?;
    let d3 = add(Some(m1), "Điều 3", Some("Trách nhiệm của Văn phòng Sở"), "Văn phòng Sở tổng hợp, phân loại ý kiến góp ý và báo cáo Giám đốc Sở trong thời hạn 05 ngày làm việc kể từ ngày kết thúc đợt lấy ý kiến.")?;
    add(
        Some(c2),
        "Điều 4",
        Some("Kiểm duyệt góp ý"),
        "Người kiểm duyệt xem xét từng góp ý; góp ý không được chấp nhận phải nêu rõ lý do.",
    )?;
    drafts::publish(conn, &secretariat, cli, doc)?;

    let employees = [users::actor(conn, ids[3])?, users::actor(conn, ids[4])?];
    // (author, section, body, proposed wording, moderator's action)
    type Sample<'a> = (usize, Option<i64>, &'a str, Option<&'a str>, Option<Action>);
    let samples: [Sample; 6] = [
        (0, Some(d1), "Đề nghị bổ sung đối tượng là người hợp đồng lao động theo Nghị định 111/2022/NĐ-CP.", None, Some(Action::Approve)),
        (1, Some(d3), "Thời hạn 05 ngày làm việc là quá ngắn với các dự thảo dài; đề nghị sửa thành 10 ngày.", Some("… trong thời hạn 10 ngày làm việc kể từ ngày kết thúc đợt lấy ý kiến."), Some(Action::Approve)),
        (0, None, "Dự thảo nhìn chung chặt chẽ; đề nghị rà soát lại thể thức theo Nghị định 30/2020/NĐ-CP.", None, None),
        (1, Some(d2), "Ý kiến không liên quan đến nội dung dự thảo.", None, Some(Action::Reject)),
        (0, Some(d2), "Cần làm rõ thế nào là \"không xúc phạm\" để tránh tùy tiện khi kiểm duyệt.", None, Some(Action::Flag)),
        (1, Some(c2), "Đề nghị quy định việc phản hồi cho người góp ý sau khi tiếp thu.", None, None),
    ];
    for (who, section_id, body, proposed, action) in samples {
        let new = NewComment {
            section_id,
            body: body.into(),
            proposed_text: proposed.map(Into::into),
            on_behalf_of_unit: false,
        };
        let submission = Submission {
            author: employees[who].clone(),
            document_id: doc,
            new,
            key: None,
            meta: cli.clone(),
            max_per_hour: None,
            intake: crate::comments::intake::Intake::from(&settings.moderation),
            prepared: None,
        };
        let id = write_now(conn, submission)?.id;
        if let Some(action) = action {
            let decision = ModerationRequest {
                action,
                reason_code: (action == Action::Reject).then_some(ReasonCode::OffTopic),
                reason: (action == Action::Reject)
                    .then(|| "Nội dung không liên quan đến dự thảo.".into()),
                note: (action == Action::Flag).then(|| "Chuyển Thư ký xem xét.".into()),
            };
            // The demo's past decisions were final (no second moderator in the story).
            let review = crate::moderation::service::Review {
                four_eyes_reject: false,
            };
            decide(conn, &moderator, cli, id, decision, review)?;
        }
    }
    Ok(())
}
