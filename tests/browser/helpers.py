"""What every journey checks on every page: no serious or critical axe violation, no
horizontal scroll, a screenshot of this view (1280, 360, 640@2x for 200 % zoom) in target/ui/."""

from axe_playwright_python.sync_playwright import Axe

from conftest import SHOTS, PASSWORD

AXE = Axe()


def check(page, name):
    results = AXE.run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: scrolls sideways by {overflow}px at {page.view}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.view}.png"), full_page=True)


def sign_in(page, server, email):
    page.goto(f"{server}/login")
    check(page, "login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
