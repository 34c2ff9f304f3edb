// Edgeguard: small progressive enhancements (the pages work without them).
(function () {
  "use strict";

  // Reorder behaviors: up/down buttons move list items and keep the textarea (what is submitted) in step.
  document.querySelectorAll("#reorder-list").forEach(function (list) {
    var target = document.getElementById(list.dataset.target);
    function sync() {
      target.value = Array.from(list.children).map(function (li) { return li.dataset.pattern; }).join("\n");
    }
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) { return; }
      var item = button.closest("li");
      if (button.dataset.move === "-1" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.dataset.move === "1" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      sync();
    });
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
