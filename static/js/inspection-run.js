/* SafeCampus — the inspection run page (现场检查), offline-tolerant.
 *
 * Every change of an answer is written to localStorage at once (key per inspection) and
 * queued; the queue is posted to the server item by item (answer_save, JSON back) and
 * retried with backoff while the phone is offline or the network fails, so nothing typed
 * is lost. On load, answers still waiting in localStorage override what the server sent
 * and are sent again. Photos cannot be kept in localStorage: one taken offline is kept in
 * this page's memory and retried; the page says so.
 *
 * Markup: #sc-run[data-inspection, data-save-url, data-photo-url], article.sc-item[data-item,
 * data-type, data-required] each with form[data-answer-form] and form[data-photo-form],
 * words in the JSON block #sc-run-words.
 */
(function () {
  "use strict";

  const root = document.getElementById("sc-run");
  if (!root) return;

  const inspectionId = root.getAttribute("data-inspection");
  const saveUrl = root.getAttribute("data-save-url");
  const photoUrl = root.getAttribute("data-photo-url");
  const storageKey = "sc-inspection-" + inspectionId + "-answers";
  const statusNode = document.getElementById("sc-save-status");
  const statusText = statusNode ? statusNode.querySelector("[data-status-text]") : null;
  const statusIcon = statusNode ? statusNode.querySelector("i") : null;
  const progress = document.getElementById("sc-progress");
  const progressText = root.querySelector("[data-progress-text]");

  let words = {};
  try {
    words = JSON.parse(document.getElementById("sc-run-words").textContent);
  } catch (err) {
    words = {};
  }
  function t(key) {
    return words[key] || key;
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /* --- local drafts -------------------------------------------------------------------- */

  function loadPending() {
    try {
      const raw = window.localStorage.getItem(storageKey);
      const value = raw ? JSON.parse(raw) : {};
      return value && typeof value === "object" ? value : {};
    } catch (err) {
      return {};
    }
  }

  const pending = loadPending(); // item code -> {values, t}
  const photoQueue = []; // {code, file, node, attempts}

  function persist() {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(storageKey, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(storageKey);
      }
    } catch (err) {
      // Storage full or private mode: the in-memory queue still syncs while the page is open.
    }
  }

  /* --- reading and writing the item forms ---------------------------------------------- */

  function itemOf(code) {
    return root.querySelector('.sc-item[data-item="' + CSS.escape(code) + '"]');
  }

  function formValues(form) {
    const values = {};
    const resultInputs = form.querySelectorAll('[name="result"]');
    if (resultInputs.length) {
      let result = "";
      resultInputs.forEach(function (input) {
        if (input.checked) result = input.value;
      });
      values.result = result;
    }
    ["number", "score", "text", "note"].forEach(function (name) {
      const field = form.querySelector('[name="' + name + '"]');
      if (field) values[name] = field.value;
    });
    return values;
  }

  function applyValues(form, values) {
    form.querySelectorAll('[name="result"]').forEach(function (input) {
      input.checked = values.result !== undefined && input.value === values.result;
    });
    ["number", "score", "text", "note"].forEach(function (name) {
      const field = form.querySelector('[name="' + name + '"]');
      if (field && values[name] !== undefined) field.value = values[name];
    });
  }

  function isAnswered(article) {
    const form = article.querySelector("[data-answer-form]");
    if (!form) return false;
    const values = formValues(form);
    const type = article.getAttribute("data-type");
    if (values.result === "na") return type !== "text";
    if (type === "yes_no" || type === "photo") return Boolean(values.result);
    if (type === "number") return (values.number || "").trim() !== "";
    if (type === "score") return (values.score || "").trim() !== "";
    return (values.text || "").trim() !== "";
  }

  function updateProgress() {
    const items = root.querySelectorAll(".sc-item");
    let answered = 0;
    items.forEach(function (article) {
      const done = isAnswered(article);
      article.classList.toggle("sc-answered", done);
      article.classList.toggle(
        "sc-unsynced",
        Object.prototype.hasOwnProperty.call(pending, article.getAttribute("data-item"))
      );
      if (done) answered += 1;
    });
    if (progress) {
      progress.max = items.length;
      progress.value = answered;
      progress.textContent = answered + "/" + items.length;
    }
    if (progressText) {
      progressText.textContent = t("answered")
        .replace("%(n)s", String(answered))
        .replace("%(m)s", String(items.length));
    }
  }

  function itemError(code, message) {
    const article = itemOf(code);
    if (!article) return;
    let box = article.querySelector("[data-item-error]");
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-danger py-1 px-2 small mt-2 mb-0";
      box.setAttribute("role", "alert");
      box.setAttribute("data-item-error", "");
      article.querySelector(".card-body").append(box);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  /* --- status indicator ---------------------------------------------------------------- */

  const ICONS = {
    saved: "bi bi-cloud-check",
    saving: "bi bi-arrow-repeat",
    offline: "bi bi-cloud-slash",
    error: "bi bi-exclamation-triangle",
  };

  function setStatus(state, text) {
    if (!statusNode) return;
    statusNode.setAttribute("data-state", state);
    if (statusIcon) statusIcon.className = ICONS[state] || ICONS.saved;
    if (statusText) statusText.textContent = text || t(state);
  }

  function hasWork() {
    return Object.keys(pending).length > 0 || photoQueue.length > 0;
  }

  // Set when "Review and submit" waits for the queue: the review opens once all is saved.
  let reviewWhenSaved = null;

  function settle() {
    if (hasWork()) setStatus(navigator.onLine ? "saving" : "offline");
    else {
      setStatus("saved");
      if (reviewWhenSaved) window.location.assign(reviewWhenSaved);
    }
  }

  /* --- the sync queue ------------------------------------------------------------------ */

  let inflight = false;
  let backoff = 0;
  let timer = null;

  function retryLater() {
    backoff = Math.min(backoff ? backoff * 2 : 1000, 30000);
    setStatus("offline");
    clearTimeout(timer);
    timer = setTimeout(flush, backoff);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        Accept: "application/json",
        "X-Requested-With": "fetch",
      },
    });
  }

  function refusal(response) {
    return response
      .json()
      .then(function (data) {
        return (data && data.detail) || t("error");
      })
      .catch(function () {
        return t("error");
      });
  }

  function sendAnswer(code) {
    const entry = pending[code];
    const body = new FormData();
    body.append("item", code);
    Object.keys(entry.values).forEach(function (name) {
      body.append(name, entry.values[name]);
    });
    body.append("client_updated_at", new Date(entry.t).toISOString());
    return post(saveUrl, body).then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) {
          if (pending[code] && pending[code].t === entry.t) delete pending[code];
          if (data && data.lock_version !== undefined) {
            root.setAttribute("data-lock-version", data.lock_version);
          }
          itemError(code, "");
          return true;
        });
      }
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw new Error("retry");
      }
      // Refused by the server (bad value, submitted meanwhile, signed out): retrying cannot
      // help, so say why on the item and drop the draft rather than block the queue.
      return refusal(response).then(function (message) {
        if (pending[code] && pending[code].t === entry.t) delete pending[code];
        itemError(code, message);
        return false;
      });
    });
  }

  function sendPhoto(job) {
    const body = new FormData();
    body.append("item", job.code);
    body.append("photo", job.file, job.file.name || "photo.jpg");
    job.note.textContent = t("photo_uploading");
    return post(photoUrl, body).then(function (response) {
      if (response.ok) {
        return response.json().then(function (data) {
          photoQueue.splice(photoQueue.indexOf(job), 1);
          photoDone(job, data.photo);
          return true;
        });
      }
      if (response.status >= 500 || response.status === 408 || response.status === 429) {
        throw new Error("retry");
      }
      return refusal(response).then(function (message) {
        photoQueue.splice(photoQueue.indexOf(job), 1);
        job.node.remove();
        job.note.hidden = !photoQueue.some(function (other) { return other.code === job.code; });
        itemError(job.code, message);
        return false;
      });
    });
  }

  function flush() {
    clearTimeout(timer);
    if (inflight) return;
    if (!hasWork()) {
      settle();
      return;
    }
    if (!navigator.onLine) {
      setStatus("offline");
      return;
    }
    inflight = true;
    setStatus("saving");
    const codes = Object.keys(pending);
    const step = codes.length ? sendAnswer(codes[0]) : sendPhoto(photoQueue[0]);
    step
      .then(function () {
        backoff = 0;
        persist();
        updateProgress();
        inflight = false;
        flush();
      })
      .catch(function () {
        inflight = false;
        retryLater();
      });
  }

  /* --- recording changes --------------------------------------------------------------- */

  const typingTimers = {};

  function record(form) {
    const code = form.querySelector('[name="item"]').value;
    pending[code] = { values: formValues(form), t: Date.now() };
    persist();
    updateProgress();
    flush();
  }

  function exclusive(form, target) {
    // A value and "not applicable" exclude each other on number and score items.
    const na = form.querySelector('input[type="checkbox"][name="result"]');
    if (!na) return;
    const valueField = form.querySelector('[name="number"], [name="score"]');
    if (target === na && na.checked && valueField) valueField.value = "";
    if (target === valueField && valueField.value.trim() !== "") na.checked = false;
  }

  root.addEventListener("input", function (evt) {
    const form = evt.target.closest("[data-answer-form]");
    if (!form) return;
    exclusive(form, evt.target);
    const code = form.querySelector('[name="item"]').value;
    // Written to the phone at once; sent once typing pauses.
    pending[code] = { values: formValues(form), t: Date.now() };
    persist();
    updateProgress();
    setStatus(navigator.onLine ? "saving" : "offline");
    clearTimeout(typingTimers[code]);
    typingTimers[code] = setTimeout(flush, 700);
  });

  root.addEventListener("change", function (evt) {
    const form = evt.target.closest("[data-answer-form]");
    if (form) {
      exclusive(form, evt.target);
      record(form);
      return;
    }
    const photoForm = evt.target.closest("[data-photo-form]");
    if (photoForm && evt.target.type === "file") {
      const code = photoForm.querySelector('[name="item"]').value;
      Array.from(evt.target.files || []).forEach(function (file) {
        queuePhoto(code, file, photoForm);
      });
      evt.target.value = "";
      flush();
    }
  });

  root.addEventListener("submit", function (evt) {
    const form = evt.target.closest("[data-answer-form]");
    if (form) {
      evt.preventDefault();
      record(form);
    }
    if (evt.target.closest("[data-photo-form]")) evt.preventDefault();
  });

  /* --- photos -------------------------------------------------------------------------- */

  function photoList(code) {
    return root.querySelector('[data-photos="' + CSS.escape(code) + '"]');
  }

  function thumb(src, alt) {
    const img = document.createElement("img");
    img.className = "sc-thumb";
    img.src = src;
    img.alt = alt;
    return img;
  }

  function queuePhoto(code, file, form) {
    const list = photoList(code);
    const node = document.createElement("li");
    node.className = "sc-photo sc-photo-pending";
    const preview = URL.createObjectURL(file);
    node.append(thumb(preview, t("photo_of") + " " + code));
    if (list) list.append(node);
    const note = form.querySelector("[data-photo-pending]");
    if (note) {
      note.hidden = false;
      note.textContent = t("photo_pending");
    }
    photoQueue.push({ code: code, file: file, node: node, note: note || document.createElement("p"), preview: preview });
    updateProgress();
  }

  function photoDone(job, photo) {
    URL.revokeObjectURL(job.preview);
    const node = job.node;
    node.className = "sc-photo";
    node.setAttribute("data-photo-id", photo.id);
    node.textContent = "";
    const link = document.createElement("a");
    link.href = photo.url;
    link.title = photo.name;
    link.append(thumb(photo.url, t("photo_of") + " " + job.code));
    const remove = document.createElement("form");
    remove.method = "post";
    remove.action = photo.delete_url;
    remove.className = "sc-photo-delete";
    const token = document.createElement("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrfToken();
    const button = document.createElement("button");
    button.type = "submit";
    button.className = "btn btn-sm btn-outline-danger";
    const icon = document.createElement("i");
    icon.className = "bi bi-trash";
    icon.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = t("remove_photo");
    button.append(icon, label);
    remove.append(token, button);
    node.append(link, remove);
    const waiting = photoQueue.some(function (other) { return other.code === job.code; });
    job.note.hidden = !waiting;
    itemError(job.code, "");
  }

  /* --- connectivity, leaving, submitting ----------------------------------------------- */

  window.addEventListener("online", function () {
    backoff = 0;
    flush();
  });
  window.addEventListener("offline", function () {
    setStatus("offline");
  });
  window.addEventListener("beforeunload", function (evt) {
    // Typed answers survive in localStorage; photos taken offline would be lost.
    if (photoQueue.length) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });

  const review = root.querySelector("[data-review-link]");
  if (review) {
    review.addEventListener("click", function (evt) {
      if (!hasWork()) return;
      evt.preventDefault();
      reviewWhenSaved = review.href;
      setStatus(navigator.onLine ? "saving" : "offline", t("wait_sync"));
      flush();
    });
  }

  /* --- start: local drafts win over the server's values, then are sent again ----------- */

  Object.keys(pending).forEach(function (code) {
    const article = itemOf(code);
    const form = article && article.querySelector("[data-answer-form]");
    if (form && pending[code] && pending[code].values) applyValues(form, pending[code].values);
    else delete pending[code];
  });
  persist();
  updateProgress();
  flush();
})();
