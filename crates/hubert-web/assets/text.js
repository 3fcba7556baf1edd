// Hubert's composer checks: the customer's form of address (u / je), and while the agent types
// (debounced), misspellings, d/t mistakes and register mismatches in the draft, with
// suggestions on click and "add to the team's word list". Our own, no dependencies.
// Customer text only ever reaches the page through textContent, never innerHTML.
"use strict";

(function () {
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const DEBOUNCE_MS = 300;

  function t(key, vars) {
    let s = T[key] || key;
    if (vars) for (const k of Object.keys(vars)) s = s.replace("{" + k + "}", vars[k]);
    return s;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) if (c) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  async function api(method, path, body) {
    const opts = { method, headers: { "X-CSRF-Token": CSRF, Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    if (!res.ok) throw new Error("HTTP " + res.status);
    return res.json();
  }

  function selectedId() {
    const m = location.pathname.match(/^\/conversations\/([^/]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  // Offsets from the server count Unicode scalar values; JavaScript strings count UTF-16 units.
  const chars = (s) => Array.from(s);

  /** The customer's last message and name for the open conversation, cached per id. */
  const customers = new Map();
  async function customer(id) {
    if (!customers.has(id)) {
      customers.set(id, (async () => {
        const d = await api("GET", "/api/v1/conversations/" + encodeURIComponent(id));
        const inbound = (d.messages || []).filter((m) => m.direction === "in" && m.text);
        const text = inbound.length ? inbound[inbound.length - 1].text : "";
        const name = d.contact && d.contact.name ? d.contact.name : null;
        return { text, names: name ? [name] : [] };
      })());
    }
    return customers.get(id);
  }

  function attach(area) {
    area.dataset.textCheck = "on";
    const hint = el("p", { class: "text-register", "aria-live": "polite" });
    const list = el("ul", { class: "text-issues", "aria-live": "polite" });
    const panel = el("div", { class: "text-check" }, hint, list);
    area.insertAdjacentElement("afterend", panel);
    const id = selectedId();
    customers.delete(id); // a fresh composer may follow a new customer message
    let timer = null;
    let seq = 0;

    async function check() {
      if (!id || !area.isConnected) return;
      const mine = ++seq;
      let c;
      try {
        c = await customer(id);
      } catch (_) {
        return;
      }
      const draft = area.value;
      let a;
      try {
        a = await api("POST", "/api/v1/text/analyze", { text: c.text, reply: draft.trim() ? draft : null, names: c.names });
      } catch (_) {
        return;
      }
      if (mine !== seq || area.value !== draft) return; // a newer check is on its way
      showRegister(a);
      showIssues(a, draft);
    }

    function showRegister(a) {
      const form = t("text.form." + (a.recommended_register === "formal" ? "formal" : "informal"));
      const key = a.register === "none" ? "text.customer.none" : "text.customer." + a.register;
      hint.textContent = t(key, { form });
      hint.dataset.register = a.recommended_register;
    }

    function showIssues(a, draft) {
      const items = [];
      for (const m of a.reply_spelling || []) items.push(spellingItem(m, draft));
      for (const g of a.reply_grammar || []) items.push(grammarItem(g, draft));
      for (const w of a.reply_warnings || []) {
        items.push(el("li", { class: "issue issue-" + w.kind.replace(/_/g, "-") },
          el("span", { class: "issue-kind", text: t("text.kind.register") }), " ", el("span", { text: w.message })));
      }
      list.replaceChildren(...items);
    }

    /** Replace characters start..end of the draft, if they still read `expected`. */
    function replace(start, end, expected, replacement) {
      const cs = chars(area.value);
      if (cs.slice(start, end).join("") !== expected) return;
      area.value = cs.slice(0, start).join("") + replacement + cs.slice(end).join("");
      const caret = (cs.slice(0, start).join("") + replacement).length;
      area.focus();
      area.setSelectionRange(caret, caret);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function spellingItem(m, draft) {
      const word = chars(draft).slice(m.start, m.end).join("");
      const options = el("span", { class: "issue-options" });
      const li = el("li", { class: "issue issue-spelling" },
        el("span", { class: "issue-kind", text: t("text.kind.spelling") }), " ",
        el("button", {
          type: "button", class: "link issue-word", title: t("text.suggest"), text: word,
          onclick: async () => {
            options.replaceChildren(el("span", { text: "…" }));
            let s = [];
            try {
              s = (await api("POST", "/api/v1/text/suggest", { word })).suggestions || [];
            } catch (_) { /* leave the list empty */ }
            options.replaceChildren(...(s.length ? s.map((sug) =>
              el("button", { type: "button", class: "suggestion", text: sug, onclick: () => replace(m.start, m.end, word, sug) }))
              : [el("span", { class: "muted", text: t("text.no_suggestions") })]));
          },
        }), " ", options, " ",
        el("button", {
          type: "button", class: "link allow", text: t("text.allow"),
          onclick: async () => {
            try {
              await api("POST", "/api/v1/text/allow-list", { word });
              check();
            } catch (_) { /* keep the item */ }
          },
        }));
      return li;
    }

    function grammarItem(g, draft) {
      const word = chars(draft).slice(g.start, g.end).join("");
      return el("li", { class: "issue issue-grammar" },
        el("span", { class: "issue-kind", text: t("text.kind.grammar") }), " ",
        el("span", { class: "issue-word", text: word }), " → ",
        el("button", { type: "button", class: "suggestion", text: g.suggestion, onclick: () => replace(g.start, g.end, word, g.suggestion) }),
        " ", el("span", { class: "muted", text: g.message }));
    }

    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    });
    check();
  }

  function scan() {
    for (const area of document.querySelectorAll(".composer textarea")) {
      if (!area.dataset.textCheck) attach(area);
    }
  }

  new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
  scan();
})();
