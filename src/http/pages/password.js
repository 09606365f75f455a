// The token comes in the link's fragment (#token=…), which the browser never sends to a
// server; it is taken out of the address bar at once.
(function () {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
  const token = fromHash || new URLSearchParams(location.search).get("token") || "";
  history.replaceState(null, "", location.pathname);
  const form = document.getElementById("f");
  const msg = document.getElementById("msg");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const p1 = document.getElementById("p1").value, p2 = document.getElementById("p2").value;
    if (p1 !== p2) { msg.className = "error"; msg.textContent = "Hai mật khẩu không khớp."; return; }
    const res = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": "vi" },
      body: JSON.stringify({ token, password: p1 }),
    });
    if (res.status === 204) {
      msg.className = "ok";
      msg.textContent = "Đã lưu mật khẩu. Anh/Chị có thể đăng nhập bằng mật khẩu mới.";
      form.hidden = true;
      return;
    }
    let problem = {};
    try { problem = await res.json(); } catch (_) {}
    const errors = problem.errors ? Object.values(problem.errors).flat() : [];
    msg.className = "error";
    msg.textContent = errors.length ? errors.join(" ") : (problem.detail || "Không lưu được mật khẩu, vui lòng thử lại.");
  });
})();
