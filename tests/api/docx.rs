//! DOCX files made for tests: Word's own shape (runs split mid-word, heading styles, tracked
//! deletions), written with the zip crate.

use std::io::Write;

/// One paragraph: its style id (if any) and its runs; a run starting with "~" is a deleted run.
pub struct Para<'a> {
    pub style: Option<&'a str>,
    pub runs: &'a [&'a str],
}

pub fn para<'a>(style: Option<&'a str>, runs: &'a [&'a str]) -> Para<'a> {
    Para { style, runs }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A DOCX whose runs use `font` (e.g. "Times New Roman", ".VnTime").
pub fn docx(paragraphs: &[Para], font: &str) -> Vec<u8> {
    let mut body = String::new();
    for p in paragraphs {
        body.push_str("<w:p>");
        if let Some(s) = p.style {
            body.push_str(&format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"));
        }
        for r in p.runs {
            let props = format!("<w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\"/></w:rPr>");
            match r.strip_prefix('~') {
                Some(deleted) => body.push_str(&format!(
                    "<w:del w:id=\"1\" w:author=\"A\"><w:r>{props}<w:delText>{}</w:delText></w:r></w:del>",
                    esc(deleted)
                )),
                None => body.push_str(&format!(
                    "<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
                    esc(r)
                )),
            }
        }
        body.push_str("</w:p>");
    }
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let styles = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Chuong\"><w:name w:val=\"Chuong\"/><w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr></w:style>\
</w:styles>";
    zip_of(&[
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"),
        ("word/document.xml", &document),
        ("word/styles.xml", styles),
    ])
}

/// A zip holding these files.
pub fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        for (name, text) in files {
            zip.start_file(*name, options).expect("zip entry");
            zip.write_all(text.as_bytes()).expect("zip write");
        }
        zip.finish().expect("zip finish");
    }
    out.into_inner()
}
