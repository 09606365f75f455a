"""The secretariat creates a draft, writes its sections, publishes and closes it, and downloads
the approved comments as CSV."""

from playwright.sync_api import expect

from helpers import check, sign_in


def test_the_secretariat_creates_fills_publishes_closes_and_downloads(server, page):
    sign_in(page, server, "thuky@demo.gopy.vn")
    page.get_by_role("link", name="Thư ký").click()
    check(page, "secretariat")

    title = f"Dự thảo Quy chế văn hoá công sở ({page.width})"
    page.get_by_label("Tên dự thảo").fill(title)
    page.get_by_label("Số, ký hiệu").fill("QC-VHCS/2026")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_label("Nhãn (Chương I, Điều 1 …)").fill("Chương I")
    page.get_by_label("Tiêu đề").fill("QUY ĐỊNH CHUNG")
    page.get_by_role("button", name="Thêm phần").click()
    page.get_by_label("Nằm trong").select_option(label="Chương I")
    page.get_by_label("Nhãn (Chương I, Điều 1 …)").fill("Điều 1")
    page.get_by_label("Tiêu đề").fill("Phạm vi điều chỉnh")
    page.get_by_label("Nội dung").fill("Quy chế này quy định về văn hoá ứng xử tại công sở.")
    page.get_by_role("button", name="Thêm phần").click()
    expect(page.locator("#sections-title")).to_contain_text("(2)")
    expect(page.get_by_text("Chương I › Điều 1 — Phạm vi điều chỉnh")).to_be_visible()
    check(page, "secretariat-draft")

    page.get_by_role("button", name="Công bố lấy ý kiến").click()
    expect(page.locator(".status").first).to_have_text("Đang lấy ý kiến")
    page.get_by_role("button", name="Kết thúc lấy ý kiến").click()
    expect(page.locator(".status").first).to_have_text("Đã kết thúc")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải góp ý đã duyệt (CSV, mở bằng Excel)").click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as f:
        header = f.readline()
    assert header.startswith("Mã góp ý,Số biên nhận,Vị trí trong dự thảo"), header


def test_the_secretariat_imports_a_draft_after_seeing_its_structure(server, page):
    import pathlib

    sample = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "du-thao-quy-che-lay-y-kien.txt"
    sign_in(page, server, "thuky@demo.gopy.vn")
    page.goto(f"{server}/secretariat")
    page.get_by_label("Tên dự thảo").fill(f"Dự thảo nhập từ tệp ({page.width})")
    page.get_by_role("button", name="Tạo dự thảo").click()
    page.get_by_role("link", name="Nhập các phần từ tệp (Word, văn bản)").click()
    page.get_by_label("Tệp dự thảo").set_input_files(str(sample))
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("#preview-title")).to_contain_text("29")
    check(page, "secretariat-import-preview")
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator("#sections-title")).to_contain_text("(29)")
