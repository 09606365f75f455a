"""A moderator approves one comment and proposes to reject another with a reason (the queue
updates without a reload); a second moderator confirms the rejection (four-eyes); the employee
then sees both outcomes. Moderators take and give back a batch, and decide a campaign of
near-duplicates as one card; authors edit and withdraw their pending comments."""

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
    # Four-eyes: the proposer cannot confirm their own proposal.
    moderator.get_by_role("link", name="Xác nhận từ chối").click()
    expect(moderator.locator("li.card", has_text=dropped)).to_contain_text("cần một kiểm duyệt viên khác")
    moderator.context.close()

    # Until a second moderator confirms, the author sees it waiting.
    page.goto(f"{server}/my/comments")
    expect(page.locator("li.card", has_text=dropped)).to_contain_text("Chờ duyệt")

    second = browser.new_context(
        viewport={"width": page.width, "height": 900}, device_scale_factor=page.scale
    ).new_page()
    second.view = page.view
    sign_in(second, server, "kiemduyet2@demo.gopy.vn")
    second.goto(f"{server}/moderation/proposals")
    check(second, "moderation-proposals")
    proposal = second.locator("li.card", has_text=dropped)
    expect(proposal).to_contain_text("Lê Minh Duyệt")
    proposal.get_by_role("button", name="Xác nhận từ chối").click()
    expect(second.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    expect(second.locator("li.card", has_text=dropped)).to_have_count(0)
    second.context.close()

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


# One campaign per view, unlike each other (the views share one server): otherwise the
# second view's copies would join the first view's cluster.
CAMPAIGNS = {
    "1280": "Đề nghị giữ nguyên chế độ phụ cấp công vụ cho cán bộ cấp xã. "
    "Việc cắt giảm sẽ ảnh hưởng lớn đến đời sống của anh chị em. "
    "Kính đề nghị Ban soạn thảo xem xét lại điều khoản này.",
    "360": "Thời gian lấy ý kiến mười ngày là quá ngắn với dự thảo dài. "
    "Nhiều đơn vị ở vùng sâu không kịp tổ chức hội nghị góp ý. "
    "Đề nghị kéo dài thời gian lấy ý kiến lên ba mươi ngày.",
    "640@2x": "Cần công khai kết quả tiếp thu ý kiến cho người góp ý được biết. "
    "Người lao động mong muốn được phản hồi rõ ràng về từng ý kiến. "
    "Đề nghị bổ sung điều khoản về trách nhiệm giải trình của cơ quan soạn thảo.",
}


def test_a_campaign_is_decided_as_one_card_except_one_member(server, page, browser):
    sign_in(page, server, "nhanvien1@demo.gopy.vn")
    campaign = CAMPAIGNS[page.view]
    first_words = campaign.split(".")[0]
    changed = campaign.replace("Đề nghị", "Trân trọng đề nghị", 1)
    comment(page, server, campaign)
    comment(page, server, changed)
    odd = comment(page, server, campaign + " Xin cảm ơn quý ban đã lắng nghe.")

    moderator = browser.new_context(
        viewport={"width": page.width, "height": 900}, device_scale_factor=page.scale
    ).new_page()
    moderator.view = page.view
    sign_in(moderator, server, "kiemduyet@demo.gopy.vn")
    moderator.goto(f"{server}/moderation")
    moderator.get_by_role("link", name="Nhóm trùng lặp").click()
    card = moderator.locator("li.cluster", has_text=first_words)
    expect(card).to_contain_text("3 góp ý")
    # The changed word is marked against the common text.
    expect(card.locator("mark", has_text="Trân")).to_have_count(1)
    check(moderator, "moderation-clusters")
    card.locator("li", has_text="Xin cảm ơn quý ban").get_by_role("checkbox").check()
    card.get_by_role("button", name="Duyệt cả nhóm").click()
    expect(moderator.get_by_role("status")).to_contain_text("Đã ghi nhận quyết định")
    card = moderator.locator("li.cluster", has_text=first_words)
    expect(card.get_by_text("đã quyết định")).to_have_count(2)
    moderator.context.close()

    page.goto(f"{server}/my/comments")
    expect(page.locator("li.card", has_text=odd)).to_contain_text("Chờ duyệt")


def test_an_author_edits_then_withdraws_a_pending_comment(server, page):
    sign_in(page, server, "nhanvien2@demo.gopy.vn")
    receipt = comment(page, server, f"Bản góp ý đầu tiên ({page.view}).")
    page.goto(f"{server}/my/comments")
    card = page.locator("li.card", has_text=receipt)
    card.get_by_text("Sửa góp ý").click()
    card.get_by_label("Nội dung góp ý").fill(f"Bản góp ý đã sửa ({page.view}).")
    card.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thay đổi")
    card = page.locator("li.card", has_text=receipt)
    expect(card).to_contain_text("Bản góp ý đã sửa")
    check(page, "my-comments-edited")
    card.get_by_role("button", name="Rút góp ý").click()
    expect(page.get_by_role("status")).to_contain_text("Đã rút góp ý")
    expect(page.locator("li.card", has_text=receipt)).to_contain_text("Đã rút")
