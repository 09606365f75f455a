"""Light enough for provincial links: bytes transferred per page (compressed), first visit."""

import json
import urllib.request

from helpers import PASSWORD, sign_in

KB = 1024


def api(server, method, path, token=None, body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(f"{server}/api/v1{path}", data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req) as res:
        text = res.read().decode()
        return json.loads(text) if text else None


def long_draft(server):
    """A published draft of 10 chương × 15 điều with a khoản each: 310 sections."""
    token = api(server, "POST", "/auth/login", body={"email": "thuky@demo.gopy.vn", "password": PASSWORD})["token"]
    doc = api(server, "POST", "/documents", token, {"title": "Dự thảo Luật dài để đo dung lượng trang"})["id"]
    lines = []
    article = 0
    for chapter in ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]:
        lines += [f"Chương {chapter}", "QUY ĐỊNH CỦA CHƯƠNG"]
        for _ in range(15):
            article += 1
            lines.append(f"Điều {article}. Nội dung quy định số {article}")
            lines.append("1. Cơ quan, tổ chức, cá nhân có trách nhiệm thực hiện đúng quy định tại Điều này.")
    api(server, "POST", f"/documents/{doc}/import?dry_run=false", token, "\n".join(lines), "text/plain")
    api(server, "POST", f"/documents/{doc}/publish", token, {})
    return doc


def weigh(page, url):
    """(all bytes, bytes of CSS/JS/images) transferred to show `url`."""
    sizes = []
    page.on("requestfinished", lambda r: sizes.append((r.resource_type, r.sizes())))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for _, s in sizes)
    assets = sum(s["responseBodySize"] + s["responseHeadersSize"] for t, s in sizes if t in ("stylesheet", "script", "image", "font"))
    return total, assets


def test_each_page_is_light(server, browser):
    doc = long_draft(server)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.view = "360"
    total, assets = weigh(page, f"{server}/login")
    assert total <= 60 * KB and assets <= 40 * KB, (total, assets)
    sign_in(page, server, "nhanvien1@demo.gopy.vn")
    for path in ["/drafts", "/my/comments", f"/drafts/{doc}"]:
        fresh = browser.new_context(viewport={"width": 360, "height": 800}, storage_state=context.storage_state())
        p = fresh.new_page()
        total, assets = weigh(p, f"{server}{path}")
        print(f"{path}: {total} bytes, assets {assets}")
        assert total <= 60 * KB, (path, total)
        assert assets <= 40 * KB, (path, assets)
        if path == f"/drafts/{doc}":
            # The contents lead to every part; the first part's sections are on the page.
            assert p.locator("nav.toc li").count() == 310
            assert p.locator("section.section").count() == 31
        fresh.close()
    context.close()
