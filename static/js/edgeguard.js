// Edgeguard: small progressive enhancements (the pages work without them).
(function () {
  "use strict";

  // Reorder behaviors: up/down buttons move list items and keep the textarea (what is submitted) in step;
  // the list is delegated from the document because the live preview (htmx) swaps it for the server's.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#reorder-list button[data-move]");
    if (!button) { return; }
    var list = button.closest("#reorder-list");
    var item = button.closest("li");
    if (button.dataset.move === "-1" && item.previousElementSibling) {
      list.insertBefore(item, item.previousElementSibling);
    } else if (button.dataset.move === "1" && item.nextElementSibling) {
      list.insertBefore(item.nextElementSibling, item);
    } else {
      return;
    }
    Array.from(list.children).forEach(function (li, index) {
      var number = li.querySelector(".eg-precedence");
      if (number) { number.textContent = index; }
    });
    document.getElementById(list.dataset.target).value =
      Array.from(list.children).map(function (li) { return li.dataset.pattern; }).join("\n");
    document.body.dispatchEvent(new CustomEvent("reordered"));
  });

  // Edit behavior: show the stricter-policy warnings of the checked behaviors under the chosen policy.
  document.querySelectorAll("#behavior-edit-form").forEach(function (form) {
    var warnings = form.querySelectorAll("[data-stricter-pattern]");
    function update() {
      var policy = form.querySelector("input[name=policy]:checked");
      var checked = Array.from(form.querySelectorAll("input[name=patterns]:checked")).map(function (b) {
        return b.value;
      });
      warnings.forEach(function (warning) {
        var shown = policy !== null && policy.value === warning.dataset.stricterPolicy &&
          checked.indexOf(warning.dataset.stricterPattern) >= 0;
        warning.classList.toggle("d-none", !shown);
      });
    }
    form.addEventListener("change", update);
    update();
  });

  // "Select all" checkboxes for behavior tables.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll(box.dataset.selectAll).forEach(function (other) { other.checked = box.checked; });
    });
  });

  // "Copy" buttons put the text of their target (an IAM policy) on the clipboard.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        var label = button.innerHTML;
        button.textContent = "Copied";
        setTimeout(function () { button.innerHTML = label; }, 1500);
      });
    });
  });

  // "Expand all" / "Collapse all" buttons open or close every <details> they target (the review's cards).
  document.querySelectorAll("button[data-details-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(button.dataset.detailsTarget).forEach(function (details) {
        details.open = button.dataset.detailsToggle === "open";
      });
    });
  });

  // The submit button of the review checklist stays disabled until every item is confirmed.
  document.querySelectorAll("form[data-checklist]").forEach(function (form) {
    var boxes = form.querySelectorAll("input[type=checkbox][data-check]");
    var submit = form.querySelector("button[type=submit]");
    function update() { submit.disabled = !Array.from(boxes).every(function (b) { return b.checked; }); }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  });
})();
