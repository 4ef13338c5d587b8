// Nothing typed is lost: the section and translation editors, and the comment and reply forms,
// keep a draft while one types.
//
// A form marked `data-draft-form` posts its text to `data-draft-url` a few seconds after typing
// pauses (and at least every MAX_WAIT while typing goes on), where the server keeps it for this
// user alone; a copy also goes to this browser's localStorage, for when the server cannot be
// reached or the session has ended. Back on the page, the server offers its draft (in the page's
// HTML); a copy that only this browser has is offered by this script. Leaving the page with
// unsaved changes asks first, and Ctrl+S (Cmd+S) saves an editor. Without JavaScript the form works
// as ever. A comment form (`data-draft-kind="comment"`) posts all its fields, and counts as typed
// only in the fields named by `data-draft-typed` (a quote alone comes from selecting text).
(function () {
  "use strict";
  var SERVER_DELAY = 3000;
  var MAX_WAIT = 10000;
  var LOCAL_DELAY = 400;
  var MAX_AGE = 30 * 24 * 3600 * 1000; // a browser copy older than this is forgotten
  var FIELDS = "textarea[name], input[type=text][name]";
  var COMMENT_FIELDS = FIELDS + ", select[name], input[type=checkbox][name]";

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

  function isComment(form) {
    return form.getAttribute("data-draft-kind") === "comment";
  }

  function valuesOf(form) {
    var values = {};
    form.querySelectorAll(isComment(form) ? COMMENT_FIELDS : FIELDS).forEach(function (field) {
      values[field.name] = field.type === "checkbox" ? (field.checked ? field.value : "") : field.value;
    });
    return values;
  }

  // What counts as typed: every field of an editor; the fields `data-draft-typed` names in a comment form.
  function typedIn(form, values, initial) {
    var names = (form.getAttribute("data-draft-typed") || "").split(" ").filter(Boolean);
    if (!names.length) return !same(values, initial);
    return names.some(function (name) { return (values[name] || "").trim() && values[name] !== (initial[name] || ""); });
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
      if (field && field.type === "checkbox") {
        field.checked = Boolean(values[name]);
        field.dispatchEvent(new Event("change"));
      } else if (field && "value" in field) {
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
    if (form.hasAttribute("data-draft-key")) key += ":" + form.getAttribute("data-draft-key");
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
      var values = valuesOf(form);
      if (isComment(form) && !submitted && !typedIn(form, values, {})) {
        forget(key); // emptied: nothing left unsent
        return;
      }
      write(key, { at: Date.now(), head: head, base: base(), fields: values, submitted: submitted });
    }

    function draftData(values) {
      var data;
      if (isComment(form)) {
        data = new FormData(form);
      } else {
        data = new FormData();
        data.append("kind", kind);
        data.append("language", language);
        data.append("base_number", base());
        data.append("title", values.title || "");
        data.append("body", bodyOf(values));
        data.append("summary", values.summary || "");
        var tab = form.querySelector("input[data-draft-tab]");
        data.append("tab", tab ? tab.value : ""); // this page's own draft: another tab keeps its own
      }
      return data;
    }

    function keepOnServer() {
      serverTimer = null;
      pendingSince = 0;
      var values = valuesOf(form);
      var snapshot = JSON.stringify(values);
      if (snapshot === lastSent || state.submitting) return;
      var data = draftData(values);
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
      state.dirty = restored || typedIn(form, valuesOf(form), initial);
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
      window.clearTimeout(localTimer); // a copy still waiting would be written as not sent
      keepLocally(true); // kept until the page shows the save went through
    });
    var discards = form.id ? '[data-draft-discard-for="' + form.id + '"]' : "form[data-draft-discard]";
    document.querySelectorAll(discards).forEach(function (discard) {
      discard.addEventListener("submit", function () { forget(key); });
    });

    offerBrowserCopy(form, key, initial, restored, head, function () {
      restored = true;
      typed();
      say(isComment(form) ? labels.restoredComment : labels.restored);
    });
    // Restore in the server's notice of an unsent comment opens the page with it in its form.
    if (restored && isComment(form) && /[?&]comment_draft=/.test(window.location.search)) {
      say(labels.restoredComment);
      var written = form.querySelector("textarea[name=body]");
      if (written) written.focus({ preventScroll: true });
    }
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
    if (serverKeeps(form, stored)) return; // the server kept it too, and says so
    var offer = form.querySelector("[data-draft-local-offer]");
    if (!offer) return;
    var time = new Date(stored.at).toLocaleString(document.documentElement.lang || undefined, {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
    var label = labels.offerLocal;
    if (isComment(form)) label = form.getAttribute("data-draft-key") === "new" ? labels.offerLocalComment : labels.offerLocalReply;
    offer.querySelector("[data-draft-local-text]").textContent = format(label, { time: time });
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

  // Whether the server's notice already offers this browser's copy. A comment form's notice names
  // the form and when the server kept it: a copy typed after that (the session had ended) is offered too.
  function serverKeeps(form, stored) {
    if (!form.id || !isComment(form)) return Boolean(document.querySelector("[data-draft-offer]"));
    var notice = document.querySelector('[data-draft-offer-for="' + form.id + '"]');
    return Boolean(notice) && stored.at <= Number(notice.getAttribute("data-draft-kept-at")) * 1000;
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
  if (window.history.replaceState && /[?&](comment_)?draft=/.test(window.location.search)) {
    var query = window.location.search.replace(/([?&])(comment_)?draft=[^&]*&?/, "$1").replace(/[?&]$/, "");
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
    // Ctrl+S saves an editor; it never posts a comment.
    var active = document.activeElement && document.activeElement.closest("form[data-draft-form]");
    if (active && isComment(active)) return;
    var open = present().filter(function (form) { return !isComment(form); });
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
