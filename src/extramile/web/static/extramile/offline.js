/* ExtraMile in the pocket: the service worker, the offline banner, the offline queue, logout.
 *
 * Offline, Done / Skip / Snooze, call outcomes (with notes), quick notes and the check-in are kept
 * in IndexedDB instead of being sent, each with an Idempotency-Key of its own, and shown as
 * waiting. Back online they are sent again in the order they were made; the server does each key
 * once (a replay cut off half-way, or sent twice, changes nothing the second time). What the
 * server refused (the item was completed elsewhere) is listed as a conflict until dismissed:
 * shown, never lost. Logging out clears the caches and the queue.
 *
 * An external file, with no inline script or on* attribute anywhere (Content-Security-Policy).
 */
(function () {
  "use strict";

  const DB_NAME = "extramile";
  const QUEUE = "queue";
  const CONFLICTS = "conflicts";
  const USER_KEY = "extramile-user";
  const CALLED_KEY = "extramile-called";
  // The changes that may be made offline: the page POSTs they go to.
  const QUEUEABLE = [
    /^\/actions\/\d+\/(done|skip|snooze)\/$/,
    /^\/calls\/\d+\/[a-z-]+\/$/,
    /^\/customers\/\d+\/notes\/$/,
    /^\/check-ins\/today\/$/,
  ];

  const html = document.documentElement;
  const user = document.body ? document.body.dataset.user || "" : "";
  let flushing = false;

  // -- IndexedDB, kept small ----------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore(QUEUE, { keyPath: "id", autoIncrement: true });
        db.createObjectStore(CONFLICTS, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(name, mode);
        const result = work(transaction.objectStore(name));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  const add = (name, value) => store(name, "readwrite", (s) => s.add(value));
  const remove = (name, id) => store(name, "readwrite", (s) => s.delete(id));
  const all = (name) => store(name, "readonly", (s) => s.getAll());

  function wipeDb() {
    return new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
  }

  async function mine(name) {
    return (await all(name)).filter((item) => item.user === user).sort((a, b) => a.id - b.id);
  }

  // -- helpers ------------------------------------------------------------------------------
  function newKey() {
    if (self.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    if (cookie) {
      return decodeURIComponent(cookie.slice("csrftoken=".length));
    }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function queueable(path) {
    return QUEUEABLE.some((pattern) => pattern.test(path));
  }

  function targetOf(submitter, form) {
    const raw = (submitter && (submitter.getAttribute("formaction") || submitter.getAttribute("hx-post"))) ||
      form.getAttribute("hx-post") || form.getAttribute("action") || location.pathname;
    return new URL(raw, location.href).pathname;
  }

  function labelOf(form, submitter, path) {
    const row = form.closest("li.action");
    const title = row ? (row.querySelector(".action-title") || row).textContent.trim() : "";
    const button = submitter ? (submitter.textContent || submitter.value || "").trim() : "";
    if (/\/notes\/$/.test(path)) {
      const text = (form.querySelector("textarea[name=text]") || { value: "" }).value.trim();
      return (form.dataset.label || "Note") + ": " + text.slice(0, 60);
    }
    if (/check-ins/.test(path)) {
      return "Check-in: " + (submitter ? submitter.value : "") + "/5";
    }
    return (button ? button + ": " : "") + title;
  }

  function say(text) {
    const box = document.getElementById("queue-box");
    if (box) {
      box.querySelector(".queue-said").textContent = text;
      box.hidden = false;
    }
  }

  // -- the banner ---------------------------------------------------------------------------
  function banner() {
    const bar = document.getElementById("offline-banner");
    if (!bar) {
      return;
    }
    const offline = !navigator.onLine || html.dataset.served === "cache";
    bar.textContent = "offline — last updated " + (html.dataset.updated || "");
    bar.hidden = !offline;
  }

  // -- the queue, on the page ---------------------------------------------------------------
  // Several changes made quickly start several reads of the queue; they may finish in any order,
  // so only the newest read is drawn (an older one finishing last would show a stale count).
  let drawn = 0;
  async function showQueue() {
    const box = document.getElementById("queue-box");
    if (!box || !user) {
      return;
    }
    const turn = ++drawn;
    const [waiting, conflicts] = await Promise.all([mine(QUEUE), mine(CONFLICTS)]);
    if (turn !== drawn) {
      return;
    }
    const list = box.querySelector(".queue-waiting");
    const problems = box.querySelector(".queue-conflicts");
    list.replaceChildren(...waiting.map((item) => {
      const li = document.createElement("li");
      li.textContent = item.label;
      li.className = "queued-item";
      return li;
    }));
    problems.replaceChildren(...conflicts.map((item) => {
      const li = document.createElement("li");
      li.className = "conflict";
      li.textContent = item.label + " — " + item.problem + " ";
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "link dismiss";
      dismiss.textContent = "Dismiss";
      dismiss.dataset.conflict = String(item.id);
      li.append(dismiss);
      return li;
    }));
    box.querySelector(".queue-count").textContent = waiting.length
      ? waiting.length + " change" + (waiting.length === 1 ? "" : "s") + " waiting to be sent"
      : "";
    box.querySelector(".queue-conflicts-head").hidden = conflicts.length === 0;
    box.hidden = waiting.length === 0 && conflicts.length === 0 && !box.querySelector(".queue-said").textContent;
    for (const item of waiting) {
      const row = item.target && document.getElementById(item.target);
      if (row && !row.classList.contains("queued")) {
        row.classList.add("queued");
        const note = document.createElement("p");
        note.className = "queued-note";
        note.textContent = item.label + " — waiting to be sent";
        (row.querySelector(".action-main") || row).append(note);
      }
    }
  }

  async function enqueue(form, submitter, path) {
    const data = new FormData(form, submitter || undefined);
    const body = new URLSearchParams();
    for (const [name, value] of data) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        body.append(name, value);
      }
    }
    const row = form.closest("li.action");
    await add(QUEUE, {
      user,
      key: newKey(),
      url: path,
      body: body.toString(),
      label: labelOf(form, submitter, path),
      target: row ? row.id : "",
      created: Date.now(),
    });
    if (/\/notes\/$/.test(path)) {
      form.reset();
    }
    await showQueue();
  }

  function intercept(event, form, submitter) {
    if (!form || navigator.onLine || !user) {
      return;
    }
    const path = targetOf(submitter, form);
    if (!queueable(path)) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!(submitter && submitter.formNoValidate) && !form.checkValidity()) {
      form.reportValidity();
      return;
    }
    enqueue(form, submitter, path).catch((error) => say("Could not keep the change: " + error));
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button, input[type=submit]") : null;
    if (button && button.form && (button.type === "submit")) {
      intercept(event, button.form, button);
    }
  }, true);

  document.addEventListener("submit", (event) => {
    intercept(event, event.target, event.submitter || null);
  }, true);

  // -- the replay ---------------------------------------------------------------------------
  function problemOf(response, text) {
    const header = response.headers.get("X-Problem");
    if (header) {
      return decodeURIComponent(header);
    }
    if (!response.ok) {
      const found = new DOMParser().parseFromString(text, "text/html").querySelector("[role=alert]");
      return found ? found.textContent.trim() : "The server refused it (" + response.status + ").";
    }
    return "";
  }

  function place(text) {
    // The server's answer is the fragment htmx would have swapped in (a Today row, the check-in,
    // the timeline): it replaces the element with its id, when the page has one.
    const holder = document.createElement("template");
    holder.innerHTML = text.trim();
    const fresh = holder.content.firstElementChild;
    const old = fresh && fresh.id ? document.getElementById(fresh.id) : null;
    if (old) {
      old.replaceWith(fresh);
      if (window.htmx) {
        window.htmx.process(fresh);
      }
    }
  }

  async function send(item) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Idempotency-Key": item.key,
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
      },
      body: item.body,
    });
  }

  function flush() {
    // One tab at a time sends the queue (Web Locks); the server's keys are the guarantee.
    if (navigator.locks) {
      return navigator.locks.request("extramile-replay", replay);
    }
    return replay();
  }

  async function replay() {
    if (flushing || !navigator.onLine || !user) {
      return;
    }
    flushing = true;
    let applied = 0;
    try {
      for (const item of await mine(QUEUE)) {
        let response;
        try {
          response = await send(item);
        } catch (error) {
          say("The connection dropped while sending; the rest is sent when it is back.");
          later();
          return;
        }
        if (response.type === "opaqueredirect" || response.status === 403) {
          say("Log in again to send the changes kept while offline.");
          return;
        }
        const text = await response.text();
        if ((response.status === 409 && /still being made/.test(text)) || response.status >= 500) {
          later(); // the first try is still running, or the server is struggling: again soon
          return;
        }
        const problem = problemOf(response, text);
        if (problem) {
          await add(CONFLICTS, { user, label: item.label, problem, at: Date.now() });
        } else {
          applied += 1;
        }
        await remove(QUEUE, item.id);
        place(text);
      }
      if (applied) {
        say(applied + " change" + (applied === 1 ? "" : "s") + " made while offline " + (applied === 1 ? "was" : "were") + " sent.");
        refreshToday();
      }
    } finally {
      flushing = false;
      await showQueue();
    }
  }

  let retry = null;
  function later() {
    if (retry === null) {
      retry = setTimeout(() => { retry = null; flush(); }, 15000);
    }
  }

  function refreshToday() {
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "refresh" });
    }
  }

  // -- online, but the request failed (a tunnel): keep it, with the key it was sent with -------
  document.addEventListener("htmx:configRequest", (event) => {
    const detail = event.detail;
    if (detail.verb === "post" && queueable(new URL(detail.path, location.href).pathname)) {
      detail.headers["Idempotency-Key"] = newKey();
    }
  });

  document.addEventListener("htmx:sendError", (event) => {
    const config = event.detail.requestConfig || {};
    const key = config.headers && config.headers["Idempotency-Key"];
    const element = event.detail.elt;
    if (!key || !user || !element) {
      return;
    }
    const body = new URLSearchParams();
    const data = config.formData || new FormData();
    for (const [name, value] of data) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        body.append(name, value);
      }
    }
    const form = element.closest("form") || element;
    const path = new URL(config.path, location.href).pathname;
    const row = element.closest("li.action");
    add(QUEUE, {
      user, key, url: path, body: body.toString(), label: labelOf(form, element.tagName === "BUTTON" ? element : null, path),
      target: row ? row.id : "", created: Date.now(),
    }).then(showQueue);
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && (event.detail.requestConfig || {}).verb === "post" && location.pathname === "/") {
      refreshToday();
    }
  });

  // -- a call started from Today: back from the phone app, the outcome is one tap away --------
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.call-tel[data-action]") : null;
    if (link) {
      sessionStorage.setItem(CALLED_KEY, JSON.stringify({ action: link.dataset.action, at: Date.now() }));
    }
  });

  function backFromCall() {
    let called;
    try {
      called = JSON.parse(sessionStorage.getItem(CALLED_KEY) || "null");
    } catch (error) {
      called = null;
    }
    if (!called) {
      return;
    }
    const row = document.getElementById("action-" + called.action);
    const buttons = row && row.querySelector(".call-buttons");
    if (!buttons) {
      sessionStorage.removeItem(CALLED_KEY);
      return;
    }
    row.classList.add("just-called");
    if (!row.querySelector(".called-prompt")) {
      const prompt = document.createElement("p");
      prompt.className = "called-prompt";
      const at = new Date(called.at);
      prompt.textContent = "You called at " + at.toTimeString().slice(0, 5) + ". How did it go?";
      buttons.prepend(prompt);
    }
    const first = buttons.querySelector("button.primary");
    if (first) {
      first.focus({ preventScroll: false });
    }
  }

  // -- logout: nothing of this user stays on a shared phone ---------------------------------
  async function forget() {
    if (self.caches) {
      for (const name of await caches.keys()) {
        await caches.delete(name);
      }
    }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
    await wipeDb();
    localStorage.removeItem(USER_KEY);
    sessionStorage.removeItem(CALLED_KEY);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("logout")) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    const waiting = user ? (await mine(QUEUE)).length : 0;
    if (waiting && !navigator.onLine) {
      say("You are offline with " + waiting + " change" + (waiting === 1 ? "" : "s") + " not sent: log out once they are sent.");
      return;
    }
    if (waiting) {
      await flush();
    }
    await forget();
    HTMLFormElement.prototype.submit.call(form);
  }, true);

  document.addEventListener("click", async (event) => {
    const dismiss = event.target instanceof Element ? event.target.closest("button.dismiss[data-conflict]") : null;
    if (dismiss) {
      await remove(CONFLICTS, Number(dismiss.dataset.conflict));
      await showQueue();
    }
  });

  // -- start --------------------------------------------------------------------------------
  async function start() {
    banner();
    window.addEventListener("online", () => {
      if (html.dataset.served === "cache") {
        html.dataset.served = "was-cache"; // the network is back: the rows update as changes go
      }
      banner();
      flush();
    });
    window.addEventListener("offline", banner);
    if (!user) {
      // Signed out (the login page): no copy of any page stays. A queue kept offline by someone
      // whose session ran out stays until they log in again (then it is sent) or someone else
      // does (then it goes); logging out sends it first, then clears it.
      if (self.caches) {
        for (const name of await caches.keys()) {
          await caches.delete(name);
        }
      }
      return;
    }
    if (localStorage.getItem(USER_KEY) !== user) {
      await forget(); // another user was here before: their copies and queue go
      localStorage.setItem(USER_KEY, user);
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
    }
    await showQueue();
    backFromCall();
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        backFromCall();
      }
    });
    await flush();
    html.dataset.offline = "ready"; // started: the queue is shown and sent
  }

  window.extramileOffline = { flush, showQueue, forget, pending: () => mine(QUEUE), conflicts: () => mine(CONFLICTS) };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
