"""Closing a consultation: the secretariat gives two approved comments one shared response
(refused first without the rationale it needs), downloads the Word report with it (read back
by pandoc as well), and the author sees the response on "Góp ý của tôi"."""

import subprocess
import zipfile

from playwright.sync_api import expect

from helpers import check, sign_in

FIRST = "Đề nghị bổ sung đối tượng là người hợp đồng lao động"
SECOND = "Thời hạn 05 ngày làm việc là quá ngắn"


def test_a_shared_response_reaches_the_report_and_the_author(server, page, browser):
    sign_in(page, server, "thuky@demo.gopy.vn")
    page.goto(f"{server}/secretariat/drafts/1")
    page.get_by_role("link", name="Tiếp thu, giải trình các ý kiến đã duyệt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp thu, giải trình ý kiến góp ý")
    check(page, "secretariat-responses")

    for text in (FIRST, SECOND):
        page.locator("li", has_text=text).get_by_role("checkbox").check()
    page.get_by_label("Hình thức").select_option(label="Không tiếp thu")
    page.get_by_role("button", name="Ghi nhận").click()
    # Not accepted needs a rationale: refused, the ticks kept.
    expect(page.get_by_role("alert")).to_contain_text("Cần giải trình lý do")
    expect(page.locator("li", has_text=FIRST).get_by_role("checkbox")).to_be_checked()
    check(page, "secretariat-responses-refused")

    rationale = f"Giữ như dự thảo vì phù hợp quy định hiện hành ({page.view})."
    page.get_by_label("Giải trình (bắt buộc khi không tiếp thu hoặc tiếp thu một phần)").fill(rationale)
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận tiếp thu, giải trình cho 2 ý kiến")
    expect(page.locator("li", has_text=SECOND)).to_contain_text(rationale)

    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo tiếp thu, giải trình (Word)").click()
    assert download.value.suggested_filename.endswith(".docx")
    with zipfile.ZipFile(download.value.path()) as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
    assert "Không tiếp thu" in xml and rationale in xml, xml[:2000]
    # Another reader opens it too: pandoc (Debian) finds the table and the rationale in it.
    plain = subprocess.run(
        ["pandoc", str(download.value.path()), "-f", "docx", "-t", "plain", "--wrap=none"],
        check=True, capture_output=True, text=True,
    ).stdout
    assert "Không tiếp thu" in plain and rationale in plain, plain[:2000]

    author = browser.new_context(
        viewport={"width": page.width, "height": 900}, device_scale_factor=page.scale
    ).new_page()
    author.view = page.view
    sign_in(author, server, "nhanvien1@demo.gopy.vn")
    author.goto(f"{server}/my/comments")
    mine = author.locator("li.card", has_text=FIRST)
    expect(mine).to_contain_text("Không tiếp thu")
    expect(mine).to_contain_text(rationale)
    check(author, "my-comments-response")
    author.context.close()
