/* The hazard report form: the interim control measure fields only matter for a major
 * hazard, so they are shown when the level is "major" (all are shown without JS). */
(function () {
  "use strict";
  function sync(form) {
    const level = form.querySelector("select[name=level]");
    if (!level) return;
    const major = level.value === "major";
    form.querySelectorAll(".sc-interim").forEach(function (el) {
      el.classList.toggle("d-none", !major);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-hazard-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (evt) {
        if (evt.target && evt.target.name === "level") sync(form);
      });
    });
  });
})();
