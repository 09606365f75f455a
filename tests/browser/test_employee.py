"""An employee signs in, finds a draft by typing without diacritics, reads a section, comments
with replacement wording, sees the receipt, and finds the comment pending under My comments."""

from playwright.sync_api import expect

from helpers import check, sign_in


def test_an_employee_comments_on_a_section_and_sees_the_receipt(server, page):
    sign_in(page, server, "nhanvien1@demo.gopy.vn")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dự thảo lấy ý kiến")
    check(page, "drafts")

    page.get_by_label("Tìm kiếm").fill("quy che lay y kien")
    page.get_by_role("button", name="Tìm", exact=True).click()
    draft = page.get_by_role("link", name="Dự thảo Quy chế lấy ý kiến")
    expect(draft).to_be_visible()
    draft.click()
    expect(page.get_by_role("heading", name="Mục lục")).to_be_visible()
    check(page, "draft")

    section = page.locator("section.section").first
    section.locator("summary").click()
    section.get_by_label("Nội dung góp ý").fill("Đề nghị nêu rõ đối tượng áp dụng là cả người lao động.")
    section.get_by_label("Đề xuất sửa thành").fill("Quy chế này áp dụng đối với công chức, viên chức và người lao động.")
    section.get_by_role("button", name="Gửi góp ý").click()

    receipt = page.get_by_role("status")
    expect(receipt).to_contain_text("Số tiếp nhận")
    number = receipt.inner_text().split(": ")[1].split()[0]
    check(page, "draft-receipt")

    page.get_by_role("link", name="Góp ý của tôi").click()
    mine = page.locator("li.card", has_text=number)
    expect(mine).to_contain_text("Chờ duyệt")
    check(page, "my-comments")
