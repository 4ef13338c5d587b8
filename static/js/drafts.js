// Nothing typed is lost: the section and translation editors keep a draft while one types.
//
// A form marked `data-draft-form` posts its text to `data-draft-url` a few seconds after typing
// pauses (and at least every MAX_WAIT while typing goes on), where the server keeps it for this
// user alone; a copy also goes to this browser's localStorage, for when the server cannot be
// reached or the session has ended. Back on the page, the server offers its draft (in the page's
// HTML); a copy that only this browser has is offered by this script. Leaving the page with
// unsaved changes asks first, and Ctrl+S (Cmd+S) saves. Without JavaScript the form works as ever.
(function () {
  "use strict";
  var SERVER_DELAY = 3000;
  var MAX_WAIT = 10000;
  var LOCAL_DELAY = 400;
  var MAX_AGE = 30 * 24 * 3600 * 1000; // a browser copy older than this is forgotten
  var FIELDS = "textarea[name], input[type=text][name]";

  var labelsElement = document.getElementById("draft-labels");
  var labels = labelsElement ? JSON.parse(labelsElement.textContent) : {};
  var userMeta = document.querySelector('meta[name="mpf-user"]');
  var user = userMeta ? userMeta.getAttribute("content") : "";
  var forms = [];

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function read(key) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(key) || "null") : null;
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    var store = storage();
    try {
      if (store) store.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* full or forbidden: the server's copy remains */
    }
  }

  function forget(key) {
    var store = storage();
    if (store) store.removeItem(key);
  }

  function valuesOf(form) {
    var values = {};
    form.querySelectorAll(FIELDS).forEach(function (field) { values[field.name] = field.value; });
    return values;
  }

  function same(a, b) {
    var keys = Object.keys(a).concat(Object.keys(b));
    return keys.every(function (key) { return (a[key] || "") === (b[key] || ""); });
  }

  // The translation editor has one field per paragraph; the server keeps them joined, as it saves them.
  function bodyOf(values) {
    if ("body" in values) return values.body;
    var paragraphs = Object.keys(values).filter(function (name) { return /^paragraph_\d+$/.test(name); });
    paragraphs.sort(function (a, b) { return Number(a.slice(10)) - Number(b.slice(10)); });
    return paragraphs.map(function (name) { return values[name].replace(/^\n+|\n+$/g, ""); })
      .filter(function (text) { return text.trim(); }).join("\n\n");
  }

  function fill(form, values) {
    var names = Object.keys(values);
    names.forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field && "value" in field) {
        field.value = values[name];
        field.dispatchEvent(new Event("mpf:replaced"));
      }
    });
  }

  function enhance(form) {
    var kind = form.getAttribute("data-draft-kind");
    var language = form.getAttribute("data-draft-language");
    var head = form.getAttribute("data-draft-head");
    var key = ["mpf-draft", user, form.getAttribute("data-draft-section"), language, kind].join(":");
    var status = form.querySelector("[data-draft-status]");
    var restored = form.hasAttribute("data-draft-restored");
    var initial = valuesOf(form);
    var lastSent = JSON.stringify(initial);
    var state = { dirty: restored, submitting: false };
    var serverTimer = null;
    var localTimer = null;
    var pendingSince = 0;

    function say(text) {
      if (status && status.textContent !== text) status.textContent = text;
    }

    function base() {
      var field = form.querySelector('input[name="base_number"]');
      return field ? field.value : "0";
    }

    function keepLocally(submitted) {
      write(key, { at: Date.now(), head: head, base: base(), fields: valuesOf(form), submitted: submitted });
    }

    function keepOnServer() {
      serverTimer = null;
      pendingSince = 0;
      var values = valuesOf(form);
      var snapshot = JSON.stringify(values);
      if (snapshot === lastSent || state.submitting) return;
      var data = new FormData();
      data.append("kind", kind);
      data.append("language", language);
      data.append("base_number", base());
      data.append("title", values.title || "");
      data.append("body", bodyOf(values));
      data.append("summary", values.summary || "");
      var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
      window.fetch(form.getAttribute("data-draft-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "error", // an ended session redirects to the log-in page: not kept, then
        headers: { "X-CSRFToken": token ? token.value : "", "X-Requested-With": "fetch" },
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (response.ok) {
            lastSent = snapshot;
            say(answer.message);
          } else {
            say(answer.error || labels.keptLocally);
          }
        });
      }).catch(function () { say(labels.keptLocally); });
    }

    function typed() {
      state.dirty = restored || !same(valuesOf(form), initial);
      window.clearTimeout(localTimer);
      localTimer = window.setTimeout(function () { keepLocally(false); }, LOCAL_DELAY);
      pendingSince = pendingSince || Date.now();
      window.clearTimeout(serverTimer);
      serverTimer = window.setTimeout(keepOnServer, Math.max(0, Math.min(SERVER_DELAY, pendingSince + MAX_WAIT - Date.now())));
    }

    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function () {
      state.submitting = true;
      window.clearTimeout(serverTimer);
      keepLocally(true); // kept until the page shows the save went through
    });
    document.querySelectorAll("form[data-draft-discard]").forEach(function (discard) {
      discard.addEventListener("submit", function () { forget(key); });
    });

    offerBrowserCopy(form, key, initial, restored, head, function () {
      restored = true;
      typed();
      say(labels.restored);
    });
    form.draftState = state;
    forms.push(form);
  }

  // A copy this browser kept that the server's notice does not already offer.
  function offerBrowserCopy(form, key, initial, restored, head, onRestore) {
    var stored = read(key);
    if (!stored || restored) return;
    var finished = stored.submitted && String(stored.head) !== String(head); // it was saved (or merged)
    if (Date.now() - stored.at > MAX_AGE || finished || same(stored.fields || {}, initial)) {
      forget(key);
      return;
    }
    if (document.querySelector("[data-draft-offer]")) return; // the server kept it too, and says so
    var offer = form.querySelector("[data-draft-local-offer]");
    if (!offer) return;
    var time = new Date(stored.at).toLocaleString(document.documentElement.lang || undefined, {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
    offer.querySelector("[data-draft-local-text]").textContent = format(labels.offerLocal, { time: time });
    var restore = offer.querySelector("[data-draft-local-restore]");
    var discard = offer.querySelector("[data-draft-local-discard]");
    restore.textContent = labels.restore;
    discard.textContent = labels.discard;
    restore.addEventListener("click", function () {
      fill(form, stored.fields);
      offer.hidden = true;
      onRestore();
      var first = form.querySelector(FIELDS);
      if (first) first.focus();
    });
    discard.addEventListener("click", function () {
      forget(key);
      offer.hidden = true;
    });
    offer.hidden = false;
  }

  // Forms still on the page: an editor opened in place (htmx) goes away when saved or cancelled.
  function present() {
    return forms.filter(function (form) { return form.isConnected; });
  }

  document.querySelectorAll("form[data-draft-form]").forEach(enhance);
  // An editor an htmx answer brings (the concept page opens a section's editor in place).
  document.addEventListener("htmx:load", function (event) {
    var root = event.detail.elt;
    if (!root.querySelectorAll) return;
    var found = Array.prototype.slice.call(root.querySelectorAll("form[data-draft-form]"));
    if (root.matches("form[data-draft-form]")) found.push(root);
    found.forEach(function (form) { if (!form.draftState) enhance(form); });
  });
  if (!forms.length && !document.getElementById("draft-labels")) return;
  // Opened with ?draft=…: once it is in the form, a reload should not ask for it again (saved, it is gone).
  if (window.history.replaceState && /[?&]draft=/.test(window.location.search)) {
    var query = window.location.search.replace(/([?&])draft=[^&]*&?/, "$1").replace(/[?&]$/, "");
    window.history.replaceState(null, "", window.location.pathname + query + window.location.hash);
  }

  window.addEventListener("beforeunload", function (event) {
    var unsaved = present().some(function (form) { return form.draftState.dirty && !form.draftState.submitting; });
    if (!unsaved) return undefined;
    event.preventDefault();
    event.returnValue = labels.leave || ""; // older browsers want a value; none shows it
    return event.returnValue;
  });

  document.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (event.key || "").toLowerCase() !== "s") return;
    var active = document.activeElement && document.activeElement.closest("form[data-draft-form]");
    var open = present();
    var form = active || (open.length === 1 ? open[0] : null);
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  });
})();
