//! `gopy serve --demo`: a small department, one account per role, a published Vietnamese draft
//! and comments in every state. Seeding happens once; later starts find it and skip.

use diesel::prelude::*;

use crate::accounts::password::{hash_with, params};
use crate::accounts::queries::{insert_user, UserRecord};
use crate::accounts::types::Role;
use crate::comments::batch::{write_now, Submission};
use crate::comments::types::NewComment;
use crate::config::Settings;
use crate::db::schema::users;
use crate::db::{DbConn, Pool};
use crate::drafts::queries as drafts;
use crate::drafts::types::{DocumentStatus, NewDocument, NewSection};
use crate::http::auth::CurrentUser;
use crate::http::ClientInfo;
use crate::moderation::queries::{decide, Action, Decision};
use crate::units::queries::create_unit;

pub const DEMO_PASSWORD: &str = "gopy-demo-2026";

pub const ACCOUNTS: [(&str, &str, &[Role], usize); 5] = [
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
];

/// Seed the demo data unless it is there already. Returns whether it seeded.
pub fn seed(pool: &Pool, settings: &Settings) -> anyhow::Result<bool> {
    let mut pooled = pool.get()?;
    let conn: &mut DbConn = &mut pooled;
    let exists = users::table
        .filter(users::email_normalized.eq(ACCOUNTS[0].0))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if exists {
        return Ok(false);
    }
    let params = params(&settings.auth)?;
    let hash = hash_with(&params, DEMO_PASSWORD)?;
    let cli = ClientInfo {
        ip: None,
        user_agent: Some("gopy demo seed".into()),
    };
    crate::db::write_tx(conn, |conn| seed_in(conn, &hash, &cli))?;
    Ok(true)
}

fn actor(conn: &mut DbConn, id: i64) -> anyhow::Result<CurrentUser> {
    let (email, full_name, unit_id) = users::table
        .find(id)
        .select((users::email, users::full_name, users::unit_id))
        .first::<(String, String, Option<i64>)>(conn)?;
    Ok(CurrentUser {
        id,
        session_id: 0,
        email,
        full_name,
        unit_id,
        unit_name: None,
        roles: crate::accounts::queries::load_roles(conn, id)?,
    })
}

fn seed_in(conn: &mut DbConn, hash: &str, cli: &ClientInfo) -> anyhow::Result<()> {
    let root = create_unit(conn, None, "Sở Nội vụ tỉnh Hòa Bình (demo)", None, cli)?;
    let mut unit_ids = vec![root];
    for name in ["Văn phòng Sở", "Phòng Tổ chức – Biên chế", "Thanh tra Sở"] {
        unit_ids.push(create_unit(conn, None, name, Some(root), cli)?);
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
        ids.push(insert_user(conn, None, &rec, cli)?);
    }
    let secretariat = actor(conn, ids[1])?;
    let moderator = actor(conn, ids[2])?;
    let now = chrono::Utc::now();
    let doc = drafts::create_document(
        conn,
        secretariat.id,
        &NewDocument {
            title: "Dự thảo Quy chế lấy ý kiến cán bộ, công chức đối với dự thảo văn bản".into(),
            code: Some("QC-01/2026".into()),
            summary: Some("Quy định việc tổ chức lấy ý kiến góp ý của cán bộ, công chức, viên chức, người lao động đối với các dự thảo văn bản của Sở.".into()),
            opens_at: Some(now - chrono::Duration::days(1)),
            closes_at: Some(now + chrono::Duration::days(30)),
        },
        cli,
    )?;
    let mut add = |parent: Option<i64>, label: &str, heading: Option<&str>, body: &str| {
        let new = NewSection {
            parent_id: parent,
            label: Some(label.into()),
            heading: heading.map(Into::into),
            body: body.into(),
            position: None,
        };
        drafts::add_section(conn, &secretariat, doc, &new, cli)
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
    drafts::transition(
        conn,
        &secretariat,
        doc,
        DocumentStatus::Draft,
        DocumentStatus::Published,
        cli,
    )?;

    let employees = [actor(conn, ids[3])?, actor(conn, ids[4])?];
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
        };
        let submission = Submission {
            author: employees[who].clone(),
            document_id: doc,
            new,
            key: None,
            client: cli.clone(),
        };
        let id = write_now(conn, submission)?.id;
        if let Some(action) = action {
            let decision = Decision {
                action,
                reason: (action == Action::Reject)
                    .then(|| "Nội dung không liên quan đến dự thảo.".into()),
                note: (action == Action::Flag).then(|| "Chuyển Thư ký xem xét.".into()),
            };
            decide(conn, &moderator, id, &decision, cli)?;
        }
    }
    Ok(())
}
