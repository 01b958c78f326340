(function () {
  "use strict";
  var q = document.getElementById("q");
  var st = document.getElementById("st");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.filterable tbody tr"));
  var text = rows.map(function (r) { return r.textContent.toLowerCase(); });
  function apply() {
    var needle = q.value.trim().toLowerCase();
    var status = st.value;
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var ok = (!needle || text[i].indexOf(needle) !== -1) &&
               (!status || rows[i].getAttribute("data-status") === status);
      rows[i].classList.toggle("hidden", !ok);
      if (ok) { n++; }
    }
    shown.textContent = n + " of " + rows.length + " rows shown";
  }
  q.addEventListener("input", apply);
  st.addEventListener("change", apply);
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();
