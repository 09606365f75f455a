// Progressive enhancement only: every form works without this file.
// A moderation decision leaves the queue without a full reload.
(function () {
  "use strict";
  var status = document.getElementById("queue-status");
  document.querySelectorAll("form.decide").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var data = new FormData(form);
      data.append(button.name, button.value);
      var plain = function () {
        // The ordinary submission, with the button pressed (a refusal is shown by the server).
        var field = document.createElement("input");
        field.type = "hidden"; field.name = button.name; field.value = button.value;
        form.appendChild(field);
        HTMLFormElement.prototype.submit.call(form);
      };
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (res) {
          if (res.ok && res.url.indexOf("decided=") !== -1) {
            var item = document.getElementById(form.getAttribute("data-remove"));
            if (item) { item.remove(); }
            if (status) { status.textContent = status.getAttribute("data-done"); }
          } else {
            plain();
          }
        })
        .catch(plain);
    });
  });
})();

// Characters left under each limited text field.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-remaining][maxlength]").forEach(function (field) {
    var counter = document.createElement("p");
    counter.className = "counter";
    field.insertAdjacentElement("afterend", counter);
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var text = field.getAttribute("data-remaining");
    var update = function () {
      counter.textContent = text.replace("%d", String(max - Array.from(field.value).length));
    };
    field.addEventListener("input", update);
    update();
  });
})();
