//! Vietnamese typed in the pre-Unicode encodings (TCVN3 with ".VnTime" fonts, VNI with
//! "VNI-Times") still arrives in old files; read as Unicode it gives "§iÒu" for "Điều". Such
//! text is refused with a way to convert it, never stored garbled.

use crate::error::{AppError, ErrorCode};

const HOW_TO_CONVERT: &str = "convert it to Unicode first — for example with Unikey's converter \
(Công cụ chuyển mã: source TCVN3 (ABC) or VNI Windows, destination Unicode) — save it as UTF-8 \
text or DOCX, and import it again";

pub fn refused(what: &str) -> AppError {
    AppError::unprocessable(
        ErrorCode::LegacyEncoding,
        format!("{what}; {HOW_TO_CONVERT}"),
    )
}

pub fn not_utf8() -> AppError {
    refused("the file is not UTF-8 text (it may be in TCVN3, VNI or Windows-1258)")
}

/// A font of the legacy encodings: ".VnTime", ".VnArial", "VNI-Times", "VNI-Helve" …
pub fn is_legacy_font(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with(".vn") || lower.starts_with("vni-") || lower.starts_with("vn3-")
}

/// Letters only Unicode Vietnamese has: ă â đ ê ô ơ ư and the precomposed tone forms.
fn is_unicode_vietnamese(c: char) -> bool {
    matches!(
        c,
        'ă' | 'Ă' | 'â' | 'Â' | 'đ' | 'Đ' | 'ê' | 'Ê' | 'ô' | 'Ô' | 'ơ' | 'Ơ' | 'ư' | 'Ư'
    ) || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
}

/// 422 `legacy_encoding` when `text` reads like TCVN3 or VNI decoded as Unicode.
pub fn check_text(text: &str) -> Result<(), AppError> {
    // TCVN3 puts Vietnamese letters on these Latin-1 code points (§ = Đ, ¸ = á, µ = à …).
    const TCVN3: &str = "§¸µ¶·¹¨©ª«¬®¦ÒÓÔÕÖ¼½¾ÆÇÊËÌÍÎÏÐÑ×ØÜÝÞßãåæçëìîïñöøûüþ";
    // VNI writes the tone as a second character after the vowel (Ñieàu = Điều, Chöông = Chương).
    const VNI: &str = "ñÑöÖøØùÙûÛõÕïÏäÄëË";
    let mut unicode = 0usize;
    let mut tcvn3 = 0usize;
    let mut vni = 0usize;
    for c in text.chars() {
        if is_unicode_vietnamese(c) {
            unicode += 1;
        }
        if TCVN3.contains(c) {
            tcvn3 += 1;
        }
        if VNI.contains(c) {
            vni += 1;
        }
    }
    if unicode == 0 && tcvn3 >= 3 {
        return Err(refused(
            "the text is in the TCVN3 encoding (fonts such as .VnTime): \"§iÒu\" stands for \"Điều\"",
        ));
    }
    if unicode == 0 && vni >= 3 {
        return Err(refused(
            "the text is in the VNI encoding (fonts such as VNI-Times): \"Ñieàu\" stands for \"Điều\"",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_vietnamese_passes_and_legacy_is_refused() {
        assert!(check_text("Điều 1. Phạm vi điều chỉnh của Quy chế").is_ok());
        assert!(check_text("Plain English text, no accents.").is_ok());
        assert!(check_text("§iÒu 1. Ph¹m vi ®iÒu chØnh").is_err());
        assert!(check_text("Ñieàu 1. Phaïm vi ñieàu chænh").is_err());
    }
}
