//! Password rules (ASVS 6.2): 12–128 characters, and not easy to guess (zxcvbn score ≥ 3,
//! with the person's own name and email counted against it). Messages in Vietnamese or English.

use zxcvbn::Score;

use crate::text::fold;

use crate::error::AppError;
use crate::identity::Lang;

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 128;

/// `Ok` or a 422 on `field` explaining what is wrong, in `lang`.
pub fn check(password: &str, personal: &[&str], field: &str, lang: Lang) -> Result<(), AppError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(AppError::field(
            field,
            lang.pick(
                "Mật khẩu phải có ít nhất 12 ký tự.",
                "The password must be at least 12 characters long.",
            ),
        ));
    }
    if len > MAX_LEN {
        return Err(AppError::field(
            field,
            lang.pick(
                "Mật khẩu không được dài quá 128 ký tự.",
                "The password must be at most 128 characters long.",
            ),
        ));
    }
    // The person's name and email, as typed and without diacritics, whole and in parts.
    let mut owned: Vec<String> = vec!["gopy".into()];
    for p in personal {
        for form in [p.to_lowercase(), fold(p)] {
            owned.push(form.replace(' ', ""));
            owned.extend(
                form.split(['@', '.', ' ', '-', '_'])
                    .filter(|w| w.len() > 1)
                    .map(str::to_owned),
            );
            if let Some((local, _)) = form.split_once('@') {
                owned.push(local.to_owned());
            }
        }
    }
    let inputs: Vec<&str> = owned.iter().map(String::as_str).collect();
    if zxcvbn::zxcvbn(password, &inputs).score() < Score::Three {
        return Err(AppError::field(
            field,
            lang.pick(
                "Mật khẩu quá dễ đoán. Hãy dùng một cụm từ dài, không chứa tên hay email của bạn.",
                "The password is too easy to guess. Use a long phrase without your name or email.",
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_guessable_and_personal_passwords() {
        assert!(check("short", &[], "password", Lang::En).is_err());
        assert!(check("password1234", &[], "password", Lang::En).is_err());
        assert!(check(
            "nguyenvanhung1990",
            &["Nguyễn Văn Hùng", "nguyenvanhung@so.vn"],
            "p",
            Lang::Vi
        )
        .is_err());
        assert!(check(&"x".repeat(129), &[], "password", Lang::En).is_err());
        assert!(check(
            "mây trắng bay qua đồi thông 2026",
            &[],
            "password",
            Lang::Vi
        )
        .is_ok());
    }
}
