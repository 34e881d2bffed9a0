// A thread's last page asks the server every 5 s for the messages newer than the last one
// shown (GET <data-poll><last id>, an HTML fragment of list items) and appends them. Polling
// rather than server-sent events: one plain GET through the ordinary middleware (session,
// visibility, module gate), no long-lived connection held per reader on the Pi's workers, and
// it works through any proxy. Without JavaScript the page is complete and a reload shows them.
(function () {
  var list = document.getElementById("messages");
  if (!list || !list.dataset.poll || !window.fetch) {
    return;
  }
  var busy = false;
  function tick() {
    if (busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(list.dataset.poll + (list.dataset.since || "0"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var box = document.createElement("ol");
        box.innerHTML = html;
        var items = box.querySelectorAll("li[data-id]");
        for (var i = 0; i < items.length; i++) {
          if (!document.getElementById(items[i].id)) {
            list.appendChild(items[i]);
          }
          list.dataset.since = items[i].dataset.id;
        }
      })
      .catch(function () {})
      .then(function () { busy = false; });
  }
  setInterval(tick, 5000);
})();
