// The knowledge source add page: shows only the content field of the chosen kind
// (text, Markdown and HTML: content; PDF: file; web page: url). The kind → field map
// comes from the server (the kind select's data-kind-fields). Without this script every
// field shows, and the server keeps only the kind's own.
"use strict";

(function () {
  function toggle(select) {
    const fieldOfKind = JSON.parse(select.dataset.kindFields);
    const shown = fieldOfKind[select.value];
    for (const name of new Set(Object.values(fieldOfKind))) {
      const row = document.querySelector(".form-row.field-" + name);
      if (row) {
        row.classList.toggle("hidden", shown !== undefined && name !== shown);
      }
    }
  }

  function start() {
    const select = document.querySelector("select[data-kind-fields]");
    if (!select) {
      return;
    }
    select.addEventListener("change", function () {
      toggle(select);
    });
    toggle(select);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
