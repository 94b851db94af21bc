// Storyline: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The headline-language selector applies as soon as it changes.
  for (const select of document.querySelectorAll("select.autosubmit")) {
    select.addEventListener("change", () => select.form.submit());
  }
  // The write token is remembered for this browser tab only.
  const token = document.getElementById("token");
  if (token) {
    token.value = sessionStorage.getItem("storyline-token") || "";
    token.form.addEventListener("submit", () => sessionStorage.setItem("storyline-token", token.value));
  }
});
