//! Mail texts in Vietnamese (default) and English, each with a plain-text and an HTML part.

use html_escape::encode_text as esc;

use crate::identity::Locale;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn render(subject: String, paragraphs: &[String], link: Option<&str>) -> Rendered {
    let mut text = paragraphs.join("\n\n");
    let mut html = String::from("<!doctype html><html><body style=\"font-family:sans-serif\">");
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", esc(p).replace('\n', "<br>")));
    }
    if let Some(link) = link {
        text.push_str(&format!("\n\n{link}"));
        html.push_str(&format!(
            "<p><a href=\"{0}\">{0}</a></p>",
            html_escape::encode_double_quoted_attribute(link)
        ));
    }
    text.push_str("\n\n-- \ngopy\n");
    html.push_str("<p style=\"color:#666\">gopy</p></body></html>");
    Rendered {
        subject,
        text,
        html,
    }
}

fn en(locale: Locale) -> bool {
    locale == Locale::En
}

pub fn activation(locale: Locale, name: &str, link: &str, hours: i64) -> Rendered {
    if en(locale) {
        render(
            "Activate your gopy account".into(),
            &[
                format!("Hello {name},"),
                format!("An account has been created for you on gopy, the staff consultation service. Open the link below within {hours} hours to choose your password."),
            ],
            Some(link),
        )
    } else {
        render(
            "Kích hoạt tài khoản góp ý dự thảo".into(),
            &[
                format!("Kính gửi {name},"),
                format!("Tài khoản của Anh/Chị trên hệ thống lấy ý kiến góp ý dự thảo (gopy) đã được tạo. Vui lòng mở đường dẫn dưới đây trong vòng {hours} giờ để đặt mật khẩu."),
            ],
            Some(link),
        )
    }
}

pub fn password_reset(locale: Locale, name: &str, link: &str, minutes: i64) -> Rendered {
    if en(locale) {
        render(
            "Reset your gopy password".into(),
            &[
                format!("Hello {name},"),
                format!("Someone asked to reset your password. If it was you, open the link below within {minutes} minutes. If not, ignore this mail: your password stays as it is."),
            ],
            Some(link),
        )
    } else {
        render(
            "Đặt lại mật khẩu gopy".into(),
            &[
                format!("Kính gửi {name},"),
                format!("Hệ thống nhận được yêu cầu đặt lại mật khẩu của Anh/Chị. Nếu đúng là Anh/Chị, vui lòng mở đường dẫn dưới đây trong vòng {minutes} phút. Nếu không, hãy bỏ qua thư này: mật khẩu vẫn giữ nguyên."),
            ],
            Some(link),
        )
    }
}

pub fn password_changed(locale: Locale, name: &str) -> Rendered {
    if en(locale) {
        render(
            "Your gopy password was changed".into(),
            &[
                format!("Hello {name},"),
                "Your password was just changed and every signed-in session was ended. If you did not do this, contact your administrator at once.".into(),
            ],
            None,
        )
    } else {
        render(
            "Mật khẩu gopy của Anh/Chị đã được thay đổi".into(),
            &[
                format!("Kính gửi {name},"),
                "Mật khẩu của Anh/Chị vừa được thay đổi và mọi phiên đăng nhập đã kết thúc. Nếu không phải Anh/Chị thực hiện, vui lòng liên hệ ngay với quản trị viên.".into(),
            ],
            None,
        )
    }
}

pub fn comment_decided(
    locale: Locale,
    receipt: &str,
    title: &str,
    approved: bool,
    reason: Option<&str>,
) -> Rendered {
    if en(locale) {
        let verdict = if approved {
            "was approved"
        } else {
            "was not accepted"
        };
        let mut p = vec![format!("Your comment {receipt} on \"{title}\" {verdict}.")];
        if let Some(r) = reason {
            p.push(format!("Reason: {r}"));
        }
        render(format!("Your comment {receipt} {verdict}"), &p, None)
    } else {
        let verdict = if approved {
            "đã được duyệt"
        } else {
            "không được chấp nhận"
        };
        let mut p = vec![format!(
            "Góp ý số {receipt} của Anh/Chị về dự thảo «{title}» {verdict}."
        )];
        if let Some(r) = reason {
            p.push(format!("Lý do: {r}"));
        }
        render(format!("Góp ý {receipt} của Anh/Chị {verdict}"), &p, None)
    }
}

/// A round of a consultation has opened.
pub fn round_opened(
    locale: Locale,
    title: &str,
    round: &str,
    closes: &str,
    link: &str,
) -> Rendered {
    let (subject, text) = if en(locale) {
        (
            format!("Consultation open: {title} ({round})"),
            format!("{round} of the consultation on \"{title}\" is open for your comments until {closes}."),
        )
    } else {
        (
            format!("Lấy ý kiến góp ý: {title} ({round})"),
            format!("{round} lấy ý kiến góp ý dự thảo «{title}» đã bắt đầu. Anh/Chị có thể gửi góp ý đến {closes}."),
        )
    };
    render(subject, &[text], Some(link))
}

/// A round closes soon and the recipient has not commented in it.
pub fn round_reminder(
    locale: Locale,
    title: &str,
    round: &str,
    closes: &str,
    link: &str,
) -> Rendered {
    let (subject, text) = if en(locale) {
        (
            format!("Reminder: {round} of \"{title}\" closes {closes}"),
            format!("{round} of the consultation on \"{title}\" closes at {closes}. You have not commented in it yet."),
        )
    } else {
        (
            format!("Nhắc: {round} góp ý dự thảo «{title}» kết thúc lúc {closes}"),
            format!("{round} lấy ý kiến góp ý dự thảo «{title}» sẽ kết thúc lúc {closes}. Anh/Chị chưa gửi góp ý trong đợt này."),
        )
    };
    render(subject, &[text], Some(link))
}

/// The moderators' daily digest: one line per draft ("«title»: 12 waiting, oldest since …").
pub fn moderator_digest(
    locale: Locale,
    name: &str,
    lines: &[String],
    waiting: i64,
    link: &str,
) -> Rendered {
    let (subject, greeting) = if en(locale) {
        (
            format!("gopy: {waiting} comment(s) waiting for moderation"),
            format!("Dear {name}, these drafts have comments waiting for a decision:"),
        )
    } else {
        (
            format!("gopy: {waiting} góp ý đang chờ kiểm duyệt"),
            format!("Kính gửi {name}, các dự thảo sau có góp ý đang chờ quyết định:"),
        )
    };
    render(subject, &[greeting, lines.join("\n")], Some(link))
}

/// The drafting body's response to a comment (`decision` in the report's words).
pub fn comment_responded(
    locale: Locale,
    receipt: &str,
    title: &str,
    decision: &str,
    rationale: &str,
) -> Rendered {
    let (subject, mut p, why) = if en(locale) {
        (
            format!("Response to your comment {receipt}"),
            vec![format!(
                "The drafting body has recorded its response to your comment {receipt} on \"{title}\": {decision}."
            )],
            "Explanation",
        )
    } else {
        (
            format!("Tiếp thu, giải trình góp ý {receipt} của Anh/Chị"),
            vec![format!(
                "Cơ quan soạn thảo đã ghi nhận việc tiếp thu, giải trình góp ý số {receipt} của Anh/Chị về dự thảo «{title}»: {decision}."
            )],
            "Giải trình",
        )
    };
    if !rationale.is_empty() {
        p.push(format!("{why}: {rationale}"));
    }
    render(subject, &p, None)
}
