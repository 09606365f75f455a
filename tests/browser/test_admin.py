"""An admin imports a roster after a dry run, then finds the new people."""

import pathlib

from playwright.sync_api import expect

from helpers import check, sign_in

ROSTER = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "roster.csv"


def test_an_admin_imports_a_roster_after_a_dry_run(server, page):
    sign_in(page, server, "admin@demo.gopy.vn")
    page.get_by_role("link", name="Quản trị").click()
    check(page, "admin")
    page.get_by_role("link", name="Nhập danh sách cán bộ (CSV)").click()
    check(page, "admin-roster")

    page.get_by_label("Tệp CSV").set_input_files(str(ROSTER))
    page.get_by_role("button", name="Kiểm tra (chưa áp dụng)").click()
    expect(page.get_by_role("heading", name="Kết quả kiểm tra (chưa áp dụng)")).to_be_visible()
    check(page, "admin-roster-dry-run")

    page.get_by_role("button", name="Áp dụng", exact=True).click()
    expect(page.get_by_role("heading", name="Đã áp dụng")).to_be_visible()

    first = ROSTER.read_text(encoding="utf-8").splitlines()[1].split(",")
    page.goto(f"{server}/admin/people?q={first[0]}")
    check(page, "admin-people")
    expect(page.get_by_role("link", name=first[1])).to_be_visible()


def test_the_other_admin_pages_pass_axe(server, page):
    sign_in(page, server, "admin@demo.gopy.vn")
    page.goto(f"{server}/admin/people?q=nhanvien1")
    page.get_by_role("link", name="Phạm Thị Hồng Nhung").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phạm Thị Hồng Nhung")
    check(page, "admin-person")
    page.goto(f"{server}/admin/records")
    check(page, "admin-records")


def test_the_mailed_link_pages_pass_axe(server, page):
    for path in ["/activate#token=x", "/reset-password#token=x", "/forgot-password"]:
        page.goto(f"{server}{path}")
        check(page, path.strip("/").split("#")[0])
