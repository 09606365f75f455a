"""A moderator approves one comment and rejects another with a reason (the queue updates
without a reload); the employee then sees both outcomes."""

from playwright.sync_api import expect

from helpers import check, sign_in


def comment(page, server, text):
    page.goto(f"{server}/drafts/1")
    whole = page.locator("details.comment-form").first
    whole.locator("summary").click()
    whole.get_by_label("Nội dung góp ý").fill(text)
    whole.get_by_role("button", name="Gửi góp ý").click()
    receipt = page.get_by_role("status")
    expect(receipt).to_contain_text("Số tiếp nhận")
    return receipt.inner_text().split(": ")[1].split()[0]


def test_a_moderator_decides_and_the_employee_sees_both_outcomes(server, page, browser):
    sign_in(page, server, "nhanvien2@demo.gopy.vn")
    kept = comment(page, server, f"Đề nghị bổ sung quy định về thời hạn phản hồi ({page.width}).")
    dropped = comment(page, server, f"Nội dung không liên quan đến dự thảo ({page.width}).")

    moderator = browser.new_context(
        viewport={"width": page.width, "height": 900}, device_scale_factor=page.scale
    ).new_page()
    moderator.view = page.view
    sign_in(moderator, server, "kiemduyet@demo.gopy.vn")
    moderator.get_by_role("link", name="Kiểm duyệt").click()
    check(moderator, "moderation")

    item = moderator.locator("li.queue-item", has_text=kept)
    item.get_by_role("button", name="Duyệt").click()
    expect(moderator.locator("li.queue-item", has_text=kept)).to_have_count(0)

    item = moderator.locator("li.queue-item", has_text=dropped)
    item.get_by_role("button", name="Từ chối").click()
    # No reason: refused, the field says why.
    expect(moderator.locator(".field-error")).to_be_visible()
    check(moderator, "moderation-refused")
    item = moderator.locator("li.queue-item", has_text=dropped)
    item.get_by_label("Lý do từ chối").select_option("off_topic")
    item.get_by_label("Giải thích (bắt buộc với «Lý do khác»)").fill("Không liên quan đến nội dung dự thảo.")
    item.get_by_role("button", name="Từ chối").click()
    expect(moderator.locator("li.queue-item", has_text=dropped)).to_have_count(0)
    moderator.context.close()

    page.goto(f"{server}/my/comments")
    expect(page.locator("li.card", has_text=kept)).to_contain_text("Đã duyệt")
    rejected = page.locator("li.card", has_text=dropped)
    expect(rejected).to_contain_text("Không được chấp nhận")
    expect(rejected).to_contain_text("Không liên quan đến nội dung dự thảo.")


def test_a_moderator_takes_a_batch_and_gives_it_back(server, page):
    sign_in(page, server, "kiemduyet@demo.gopy.vn")
    page.goto(f"{server}/moderation")
    page.get_by_role("button", name="Nhận việc").click()
    mine = page.locator("li.queue-item", has_text="Bạn đang xử lý đến")
    expect(mine.first).to_be_visible()
    check(page, "moderation-claimed")
    page.get_by_role("button", name="Trả lại việc đã nhận").click()
    expect(page.locator("li.queue-item", has_text="Bạn đang xử lý đến")).to_have_count(0)
