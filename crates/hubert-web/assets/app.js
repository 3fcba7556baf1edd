// Hubert's inbox script. Our own, no dependencies. Customer text only ever enters the
// page through textContent / DOM nodes, never through innerHTML: every message is
// treated as an attack.
"use strict";

(function () {
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const BOOT = JSON.parse(document.getElementById("boot").textContent);
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const me = BOOT.user;
  // Server time minus browser time: badges count with the server's clock.
  let clockOffset = BOOT.now - Date.now();
  const serverNow = () => Date.now() + clockOffset;

  const state = {
    conversations: [],
    selected: BOOT.selected || null,
    detail: null,
    users: [],
    profiles: [],
    colleagueAnswered: false,
    typingSentAt: 0,
  };

  // ---------- helpers ----------
  function t(key, vars) {
    let s = T[key] || key;
    if (vars) for (const k of Object.keys(vars)) s = s.replace("{" + k + "}", vars[k]);
    return s;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? "" : v);
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  async function api(method, path, body) {
    const opts = { method, headers: { "X-CSRF-Token": CSRF, Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const res = await fetch(path, opts);
    let data = null;
    try { data = await res.json(); } catch (_) { data = null; }
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || t("error.generic"));
      err.status = res.status;
      err.code = data && data.error && data.error.code;
      throw err;
    }
    return data;
  }

  function duration(ms) {
    const abs = Math.abs(ms);
    const min = Math.floor(abs / 60000);
    if (min < 1) return Math.floor(abs / 1000) + " s";
    if (min < 60) return min + " min";
    const h = Math.floor(min / 60);
    if (h < 48) return h + " u " + (min % 60) + " min";
    return Math.floor(h / 24) + " d";
  }

  function clockTime(ms) {
    const d = new Date(ms);
    const now = new Date(serverNow());
    const hm = d.toLocaleTimeString(BOOT.lang === "en" ? "en-GB" : "nl-NL", { hour: "2-digit", minute: "2-digit" });
    if (d.toDateString() === now.toDateString()) return hm;
    return d.toLocaleDateString(BOOT.lang === "en" ? "en-GB" : "nl-NL", { day: "numeric", month: "short" }) + " " + hm;
  }

  // "ma 08:00" / "Mon 08:00" in the team's time zone.
  function weekdayTime(ms) {
    const locale = BOOT.lang === "en" ? "en-GB" : "nl-NL";
    const opts = { weekday: "short", hour: "2-digit", minute: "2-digit" };
    if (BOOT.time_zone) opts.timeZone = BOOT.time_zone;
    const parts = new Intl.DateTimeFormat(locale, opts).formatToParts(new Date(ms));
    const part = (type) => (parts.find((p) => p.type === type) || {}).value || "";
    return part("weekday").replace(".", "") + " " + part("hour") + ":" + part("minute");
  }

  const PLATFORM = { whatsapp: "WhatsApp", x: "X", facebook: "Facebook", instagram: "Instagram", linkedin: "LinkedIn", telegram: "Telegram", email: "E-mail" };
  const PLATFORM_ICON = { whatsapp: "WA", x: "𝕏", facebook: "f", instagram: "IG", linkedin: "in", telegram: "TG", email: "@" };

  // ---------- service-level badge ----------
  // The server computes the state (hubert_core::sla); between updates the badge keeps
  // counting with the same rule: at risk in the last 20% of the threshold, outside after.
  function badgeState(sla, thresholdMinutes) {
    if (!sla) return { cls: "none", text: t("sla.none") };
    if (sla.state === "met" || sla.state === "missed") {
      return { cls: sla.state, text: t("sla.answered", { n: duration(sla.response_ms || 0) }) };
    }
    if (sla.state === "not_needed") return { cls: "none", text: t("sla.not_needed") };
    if (!sla.deadline) return { cls: "none", text: t("sla.none") };
    const threshold = thresholdMinutes * 60000;
    // Outside opening hours the clock stands still (business time, hubert_core::business):
    // the badge shows when it runs again and keeps the state the server gave.
    if (sla.paused_until && serverNow() < sla.paused_until) {
      const rest = sla.remaining_ms === null || sla.remaining_ms === undefined ? 0 : sla.remaining_ms;
      const cls = rest < 0 ? "outside" : rest <= threshold / 5 ? "at_risk" : "inside";
      return { cls, text: t("sla.paused", { t: weekdayTime(sla.paused_until) }) };
    }
    // Business time left: the server's remaining_ms counted down since it was fetched
    // (never more than the wall-clock time to the deadline); the next refresh corrects it.
    const sinceFetch = sla.fetched_at ? Math.max(0, serverNow() - sla.fetched_at) : 0;
    const wall = sla.deadline - serverNow();
    const left = typeof sla.remaining_ms === "number" ? Math.min(wall, sla.remaining_ms - sinceFetch) : wall;
    if (left < 0) return { cls: "outside", text: t("sla.late", { n: duration(left) }) };
    if (left <= threshold / 5) return { cls: "at_risk", text: t("sla.left", { n: duration(left) }) };
    return { cls: "inside", text: t("sla.left", { n: duration(left) }) };
  }

  function badge(conv) {
    if (conv.sla && !conv.sla.fetched_at) conv.sla.fetched_at = serverNow();
    const b = badgeState(conv.sla, conv.service_level.threshold_minutes);
    const node = el("span", { class: "badge sla-" + b.cls, text: b.text });
    node.dataset.sla = JSON.stringify(conv.sla);
    node.dataset.threshold = conv.service_level.threshold_minutes;
    return node;
  }

  function tickBadges() {
    for (const node of document.querySelectorAll(".badge[data-sla]")) {
      const b = badgeState(JSON.parse(node.dataset.sla), Number(node.dataset.threshold));
      node.className = "badge sla-" + b.cls;
      if (node.textContent !== b.text) node.textContent = b.text;
    }
  }

  // ---------- today's figures ----------
  async function loadToday() {
    try {
      const data = await api("GET", "/api/v1/reports/today");
      const box = document.getElementById("today");
      box.replaceChildren(el("span", { class: "today-title", text: t("today.title") }));
      for (const p of data.items) {
        const pct = p.percent_within === null ? null : Math.round(p.percent_within * 10) / 10;
        const ok = p.target_met === null ? "none" : p.target_met ? "ok" : "bad";
        box.append(
          el("span", { class: "today-item today-" + ok, title: p.name },
            el("span", { class: "pf pf-" + p.platform, text: PLATFORM_ICON[p.platform] || "?" }),
            el("strong", { text: pct === null ? t("today.none") : pct.toLocaleString(BOOT.lang === "en" ? "en-GB" : "nl-NL") + "%" }),
            el("small", { text: " " + t("today.norm") + " " + p.target_percent + "% / " + p.threshold_minutes + " min" })));
      }
    } catch (_) { /* header figures are optional */ }
  }

  // ---------- conversation list ----------
  function filters() {
    const f = new FormData(document.getElementById("filters"));
    const q = new URLSearchParams();
    for (const [k, v] of f.entries()) if (v) q.set(k, v);
    q.set("limit", "150");
    return q;
  }

  async function loadList() {
    const data = await api("GET", "/api/v1/conversations?" + filters().toString());
    clockOffset = data.now - Date.now();
    state.conversations = data.items;
    renderList();
  }

  function renderList() {
    const list = document.getElementById("conversations");
    if (state.conversations.length === 0) {
      list.replaceChildren(el("li", { class: "empty", text: t("inbox.empty") }));
      return;
    }
    list.replaceChildren(...state.conversations.map((c) => {
      const name = contactName(c.contact, c.platform);
      return el("li", {
        class: "conv" + (c.id === state.selected ? " selected" : ""),
        dataset: { id: c.id },
        tabindex: "0",
        onclick: () => select(c.id),
        onkeydown: (e) => { if (e.key === "Enter") select(c.id); },
      },
        el("div", { class: "conv-top" },
          el("span", { class: "pf pf-" + c.platform, title: PLATFORM[c.platform] || c.platform, text: PLATFORM_ICON[c.platform] || "?" }),
          el("span", { class: "conv-name", text: name }),
          c.contact.handle ? el("span", { class: "conv-handle", text: c.contact.handle }) : null,
          badge(c)),
        el("div", { class: "conv-snippet", text: c.snippet }),
        el("div", { class: "conv-meta" },
          el("span", { text: c.profile_name }),
          el("span", { text: c.assignee ? "→ " + c.assignee.name : "" }),
          el("time", { text: clockTime(c.last_message_at) })));
    }));
  }

  // A contact's name; platforms that send none (Messenger, Instagram) get "Klant via …".
  function contactName(contact, platform) {
    return contact.name || contact.handle || t("conv.unnamed").replace("{platform}", PLATFORM[platform] || platform);
  }

  // ---------- one conversation ----------
  async function select(id) {
    if (state.selected && state.selected !== id) leave(state.selected);
    state.selected = id;
    state.colleagueAnswered = false;
    document.body.classList.add("reading");
    history.replaceState(null, "", "/conversations/" + id);
    renderList();
    await loadDetail();
    beat(false);
  }

  async function loadDetail() {
    if (!state.selected) return;
    document.body.classList.add("reading");
    try {
      state.detail = await api("GET", "/api/v1/conversations/" + state.selected);
      clockOffset = state.detail.now - Date.now();
      renderDetail();
    } catch (e) {
      document.getElementById("conversation").replaceChildren(el("p", { class: "error", text: e.message }));
    }
  }

  const DELIVERY_ICON = { queued: "⏳", sending: "⏳", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "✗", unknown: "?" };

  function messageNode(m) {
    const cls = "msg msg-" + m.direction + (m.kind !== "text" ? " msg-media" : "");
    const who = m.direction === "in" ? null : (m.author ? (m.author.id === me.id ? t("you") : m.author.name) : "");
    const body = el("div", { class: "msg-text", text: m.kind === "text" ? (m.text || "") : m.summary });
    const meta = el("div", { class: "msg-meta" },
      m.direction === "note" ? el("span", { class: "note-label", text: t("conv.note") }) : null,
      who ? el("span", { text: who }) : null,
      el("time", { text: clockTime(m.created_at) }));
    if (m.direction === "out" && m.delivery_status) {
      const st = m.delivery_status;
      meta.append(el("span", { class: "delivery delivery-" + st, title: m.delivery_error || "", dataset: { status: st } },
        (DELIVERY_ICON[st] || "") + " " + t("delivery." + st)));
      if ((st === "failed" || st === "unknown") && m.delivery_error) {
        meta.append(el("span", { class: "delivery-error", text: m.delivery_error }));
      }
      if (st === "failed" || st === "unknown") {
        meta.append(el("button", { class: "link", type: "button", onclick: () => resend(m.id), text: t("delivery.resend") }));
      }
    }
    if (m.direction === "in") {
      const starred = (state.detail.starred || []).includes(m.id);
      meta.append(el("button", { type: "button", class: "link star" + (starred ? " on" : ""), title: t("conv.star"),
        onclick: () => star(m.id, !starred), text: (starred ? "★ " + t("conv.starred") : "☆ " + t("conv.star")) }));
    }
    if (m.platform_state) {
      meta.append(el("span", { class: "platform-state", text: t("msg." + m.platform_state) }));
    }
    if (m.edited_at) meta.append(el("span", { class: "edited", text: t("msg.edited") }));
    const ctx = m.direction === "in" && state.detail.reply_context;
    if (ctx && ctx.type === "public_comment" && (!m.platform_state || m.platform_state === "hidden")) {
      const hidden = m.platform_state === "hidden";
      meta.append(el("button", { type: "button", class: "link hide", onclick: () => hideComment(m.id, !hidden),
        text: hidden ? t("msg.unhide") : t("msg.hide") }));
    }
    if (m.direction === "in" && m.response_ms !== null && m.response_ms !== undefined) {
      meta.append(el("span", { class: "answered", text: t("sla.answered", { n: duration(m.response_ms) }) }));
    }
    return el("li", { class: cls, dataset: { id: m.id } }, body, meta);
  }

  function renderDetail() {
    const d = state.detail;
    const pane = document.getElementById("conversation");
    const name = contactName(d.contact, d.platform);
    const assignSelect = el("select", { "aria-label": t("conv.assign_to"), onchange: (e) => act("assign", { assignee: e.target.value || null }) },
      el("option", { value: "", text: t("conv.unassigned") }),
      ...state.users.map((u) => el("option", { value: u.id, text: u.name, selected: d.assignee && d.assignee.id === u.id })));
    const back = el("button", { type: "button", class: "back link", "aria-label": t("nav.inbox"), text: "← " + t("nav.inbox"),
      onclick: () => { document.body.classList.remove("reading"); history.replaceState(null, "", "/"); } });
    const header = el("header", { class: "conv-header" }, back,
      el("div", { class: "who" },
        el("span", { class: "pf pf-" + d.platform, text: PLATFORM_ICON[d.platform] || "?" }),
        el("h2", { text: name }),
        d.contact.handle ? el("span", { class: "conv-handle", text: d.contact.handle }) : null,
        badge(d),
        el("span", { class: "status status-" + d.status, text: t("status." + d.status) })),
      el("div", { class: "actions" },
        el("button", { type: "button", onclick: () => act("assign", { assignee: "me" }), text: t("conv.assign_me") }),
        assignSelect,
        el("button", { type: "button", onclick: () => act("no-reply-needed"), text: t("conv.no_reply") }),
        el("button", { type: "button", class: "primary", onclick: () => act("resolve"), text: t("conv.resolve") })));
    const presence = el("div", { id: "presence", class: "presence" });
    const thread = el("ol", { class: "thread" }, ...d.messages.map(messageNode));
    const underPost = postContext(d.reply_context);
    const side = el("aside", { class: "contact" },
      el("h3", { text: t("conv.contact") }),
      el("p", { class: "contact-name", text: name }),
      d.contact.handle ? el("p", { class: "conv-handle", text: d.contact.handle }) : null,
      el("p", { text: (PLATFORM[d.platform] || d.platform) + " · " + d.profile_name }),
      el("h3", { text: t("conv.earlier") }),
      el("ul", { class: "earlier" }, ...d.earlier.map((c) => el("li", {},
        el("a", { href: "/conversations/" + c.id, onclick: (e) => { e.preventDefault(); select(c.id); }, text: clockTime(c.last_message_at) + " · " + c.snippet })))));
    pane.replaceChildren(el("div", { class: "conv-main" }, header, presence, underPost, thread, composer(d)), side);
    thread.scrollTop = thread.scrollHeight;
    renderPresence(d.viewers || []);
  }

  // A comment thread shows the post it hangs under (Facebook, Instagram, LinkedIn): the
  // post's text when the platform sent it, and a link to it (https only).
  function postContext(ctx) {
    if (!ctx || ctx.type !== "public_comment" || (!ctx.post_text && !ctx.post_link)) return null;
    const link = typeof ctx.post_link === "string" && ctx.post_link.startsWith("https://")
      ? el("a", { href: ctx.post_link, target: "_blank", rel: "noopener noreferrer", text: t("conv.open_post") })
      : null;
    return el("div", { class: "post-context" },
      el("span", { class: "post-label", text: t("conv.under_post") }),
      ctx.post_text ? el("blockquote", { text: ctx.post_text }) : null,
      link);
  }

  // The conversation's reply rules come from its channel (GET /api/v1/conversations/{id}
  // → reply_rules); the server enforces the same rules.
  function composer(d) {
    const rules = d.reply_rules;
    const publicPost = d.reply_context && d.reply_context.type === "public_post";
    const box = el("form", { class: "composer", onsubmit: (e) => e.preventDefault() });
    const warn = el("div", { class: "warning", id: "collision", hidden: !state.colleagueAnswered },
      t("composer.already_answered"), " ",
      el("button", { type: "button", class: "link", onclick: () => send(true), text: t("composer.send_anyway") }));
    box.append(warn);
    if (rules.templates_required) {
      const select = el("select", { name: "template", "aria-label": t("composer.template") });
      box.append(el("p", { class: "notice", text: t("composer.window_closed") }), select,
        el("button", { type: "button", class: "primary", onclick: () => sendTemplate(select.value), text: t("composer.send_template") }));
      api("GET", "/api/v1/profiles/" + d.profile_id + "/templates").then((r) => {
        select.replaceChildren(...r.items.map((tp) => el("option", { value: tp.name, text: tp.name + " — " + tp.body })));
      }).catch(() => {});
      return box;
    }
    if (!rules.window_open) {
      box.append(el("p", { class: "notice", text: t("composer.window_closed_no_template") }),
        el("button", { type: "button", class: "secondary", onclick: addNote, text: t("composer.add_note") }));
      return box;
    }
    const area = el("textarea", { name: "text", rows: "4", placeholder: t("composer.placeholder"), "aria-label": t("composer.placeholder") });
    const count = el("span", { class: "count", id: "count", text: "0/" + rules.max_length });
    const priv = rules.can_reply_privately ? el("label", { class: "private" }, el("input", { type: "checkbox", name: "private" }), " ", t("composer.private")) : null;
    const modeNote = publicPost && rules.can_reply_privately ? el("span", { class: "mode", text: t("composer.public") }) : null;
    area.addEventListener("input", () => {
      const usePrivate = priv && priv.querySelector("input").checked;
      const limit = usePrivate ? rules.private_max_length : rules.max_length;
      const n = measure(area.value, usePrivate ? rules.private_length_unit : rules.length_unit);
      count.textContent = n + "/" + limit;
      count.classList.toggle("over", n > limit);
      box.querySelector(".send").disabled = n === 0 || n > limit;
      if (Date.now() - state.typingSentAt > 3000) {
        state.typingSentAt = Date.now();
        beat(true);
      }
    });
    box.append(area,
      el("div", { class: "composer-bar" }, count, modeNote, priv,
        el("button", { type: "button", class: "secondary", onclick: addNote, text: t("composer.add_note") }),
        el("button", { type: "button", class: "primary send", disabled: true, onclick: () => send(false), text: t("composer.send") })));
    return box;
  }

  // A text's length in the channel's unit: "chars", "weighted" (X) or "bytes" (UTF-8).
  function measure(text, unit) {
    if (unit === "weighted") return xLength(text);
    if (unit === "bytes") return new TextEncoder().encode(text).length;
    return [...text].length;
  }

  // X weighted length (mirrors hubert_core::text::x_weighted_len; the server decides).
  function xLength(text) {
    let n = 0;
    const s = text.normalize("NFC").replace(/https?:\/\/\S+/gi, () => { n += 23; return ""; });
    const seg = typeof Intl !== "undefined" && Intl.Segmenter ? [...new Intl.Segmenter().segment(s)].map((x) => x.segment) : [...s];
    for (const g of seg) {
      const cp = g.codePointAt(0);
      const light = cp <= 0x10ff || (cp >= 0x2000 && cp <= 0x200d) || (cp >= 0x2010 && cp <= 0x201f) || (cp >= 0x2032 && cp <= 0x2037);
      n += light && [...g].length === 1 ? 1 : light ? [...g].length : 2;
    }
    return n;
  }

  function lastMessageId() {
    const msgs = (state.detail && state.detail.messages) || [];
    return msgs.length ? msgs[msgs.length - 1].id : null;
  }

  async function send(force) {
    const form = document.querySelector(".composer");
    const area = form.querySelector("textarea");
    const priv = form.querySelector('input[name="private"]');
    const text = area.value;
    if (!text.trim()) return;
    if (state.colleagueAnswered && !force) {
      // A colleague's answer went out while this draft was written: read it first.
      const warn = document.getElementById("collision");
      if (warn) warn.hidden = false;
      return;
    }
    try {
      await api("POST", "/api/v1/conversations/" + state.selected + "/replies", {
        text, private: !!(priv && priv.checked), seen_message_id: lastMessageId(), force: !!force,
      });
      state.colleagueAnswered = false;
      area.value = "";
      await loadDetail();
      loadList();
    } catch (e) {
      if (e.code === "already_answered") {
        state.colleagueAnswered = true;
        const keep = text;
        await loadDetail();
        document.querySelector(".composer textarea").value = keep;
        document.querySelector(".composer textarea").dispatchEvent(new Event("input"));
      } else {
        flash(e.message);
      }
    }
  }

  async function sendTemplate(name) {
    if (!name) return;
    try {
      await api("POST", "/api/v1/conversations/" + state.selected + "/replies", { template: name, seen_message_id: lastMessageId() });
      await loadDetail();
    } catch (e) { flash(e.message); }
  }

  async function addNote() {
    const area = document.querySelector(".composer textarea");
    if (!area.value.trim()) return;
    try {
      await api("POST", "/api/v1/conversations/" + state.selected + "/notes", { text: area.value });
      area.value = "";
      await loadDetail();
    } catch (e) { flash(e.message); }
  }

  async function act(action, body) {
    try {
      await api("POST", "/api/v1/conversations/" + state.selected + "/" + action, body || {});
      await Promise.all([loadDetail(), loadList()]);
    } catch (e) { flash(e.message); }
  }

  async function hideComment(messageId, hide) {
    try {
      await api(hide ? "POST" : "DELETE", "/api/v1/messages/" + messageId + "/hide");
      await loadDetail();
    } catch (e) { flash(e.message); }
  }

  async function star(messageId, on) {
    try {
      await api(on ? "POST" : "DELETE", "/api/v1/messages/" + messageId + "/star");
      await loadDetail();
    } catch (e) { flash(e.message); }
  }

  async function resend(messageId) {
    try {
      await api("POST", "/api/v1/messages/" + messageId + "/resend", {});
      await loadDetail();
    } catch (e) { flash(e.message); }
  }

  function flash(text) {
    const node = el("div", { class: "flash", role: "alert", text });
    document.body.append(node);
    setTimeout(() => node.remove(), 6000);
  }

  // ---------- presence ----------
  function beat(typing) {
    if (!state.selected) return;
    api("POST", "/api/v1/conversations/" + state.selected + "/presence", { typing }).catch(() => {});
  }

  function leave(id) {
    api("DELETE", "/api/v1/conversations/" + id + "/presence").catch(() => {});
  }

  function renderPresence(viewers) {
    const box = document.getElementById("presence");
    if (!box) return;
    const others = viewers.filter((v) => v.user_id !== me.id);
    const typing = others.filter((v) => v.typing).map((v) => v.name);
    const viewing = others.filter((v) => !v.typing).map((v) => v.name);
    const parts = [];
    if (viewing.length) parts.push(el("span", { class: "viewing", text: "👀 " + t("conv.viewing", { names: viewing.join(", ") }) }));
    if (typing.length) parts.push(el("span", { class: "typing", text: "✍️ " + t("conv.typing", { names: typing.join(", ") }) }));
    box.replaceChildren(...parts);
  }

  // ---------- live ----------
  let listTimer = null;
  function refreshListSoon() {
    if (listTimer) return;
    listTimer = setTimeout(() => { listTimer = null; loadList(); loadToday(); }, 150);
  }

  let detailTimer = null;
  function refreshDetailSoon() {
    if (detailTimer) return;
    detailTimer = setTimeout(() => { detailTimer = null; loadDetail(); }, 100);
  }

  function connect() {
    const live = document.getElementById("live");
    const source = new EventSource("/api/v1/events");
    source.addEventListener("open", () => { live.className = "live on"; live.title = "live"; });
    source.addEventListener("error", () => { live.className = "live off"; live.title = t("live.offline"); });
    source.addEventListener("hello", () => { refreshListSoon(); refreshDetailSoon(); });
    source.addEventListener("resync", () => { refreshListSoon(); refreshDetailSoon(); });
    const onChange = (ev) => {
      const data = JSON.parse(ev.data);
      refreshListSoon();
      if (data.conversation_id && data.conversation_id === state.selected) {
        if (ev.type === "message.created" && data.direction === "out" && data.author_id && data.author_id !== me.id) {
          state.colleagueAnswered = true;
          const warn = document.getElementById("collision");
          if (warn) warn.hidden = false;
        }
        const keep = document.querySelector(".composer textarea");
        const draft = keep ? keep.value : "";
        refreshDetailSoon();
        if (draft) setTimeout(() => {
          const area = document.querySelector(".composer textarea");
          if (area && !area.value) { area.value = draft; area.dispatchEvent(new Event("input")); }
        }, 400);
      }
    };
    for (const kind of ["message.created", "message.status", "conversation.updated"]) source.addEventListener(kind, onChange);
    source.addEventListener("presence", (ev) => {
      const data = JSON.parse(ev.data);
      if (data.conversation_id === state.selected) renderPresence(data.viewers || []);
    });
  }

  // ---------- start ----------
  async function start() {
    document.getElementById("filters").addEventListener("change", loadList);
    try {
      const [users, profiles] = await Promise.all([api("GET", "/api/v1/users"), api("GET", "/api/v1/profiles")]);
      state.users = users.items;
      state.profiles = profiles.items;
      const pf = document.getElementById("profile-filter");
      for (const p of state.profiles) pf.append(el("option", { value: p.id, text: p.name }));
    } catch (_) { /* filters stay minimal */ }
    await loadList();
    loadToday();
    if (state.selected) select(state.selected);
    connect();
    setInterval(tickBadges, 1000);
    setInterval(() => beat(false), 10000);
    setInterval(loadToday, 60000);
    window.addEventListener("beforeunload", () => { if (state.selected) leave(state.selected); });
  }

  start();
})();
