// In-page helpers for agent/browser actions. Evaluated as a function expression:
//   locator.evaluate(script, [name, arg])  -> helpers[name](element, arg)
//   frame.evaluate(script, [name, arg])    -> helpers[name](null, arg)
// Each helper reads or prepares the DOM; the clicks and key presses themselves are done by
// Playwright, so pages receive real input events.
(first, second) => {
  const [el, call] = second === undefined ? [null, first] : [first, second];
  const [name, arg] = call;

  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const agentId = (e) => (e && e.getAttribute ? e.getAttribute("data-agent-id") : null);
  const parentOf = (n) => n.parentNode || n.host || null;
  const contains = (outer, inner) => {
    for (let n = inner; n; n = parentOf(n)) if (n === outer) return true;
    return false;
  };
  const shown = (e) => {
    if (!e || !e.isConnected) return false;
    const r = e.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) return false;
    return e.checkVisibility ? e.checkVisibility({ opacityProperty: true, visibilityProperty: true }) : true;
  };
  const ownText = (e) => norm(e.innerText || e.textContent || e.getAttribute("aria-label") || e.value || "");
  const describe = (e) => {
    let s = "<" + e.tagName.toLowerCase();
    if (e.id) s += ` id="${e.id}"`;
    const cls = typeof e.className === "string" ? norm(e.className).split(" ").slice(0, 2).join(" ") : "";
    if (cls) s += ` class="${cls}"`;
    if (e.getAttribute("role")) s += ` role="${e.getAttribute("role")}"`;
    return s + ">";
  };
  const deepHit = (doc, x, y) => {
    let hit = doc.elementFromPoint(x, y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(x, y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    return hit;
  };
  const CHECK_ROLES = ["checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"];
  const checkTarget = (e) => {
    if (e.tagName === "INPUT" && (e.type === "checkbox" || e.type === "radio")) return e;
    if (CHECK_ROLES.includes(e.getAttribute("role"))) return e;
    if (e.tagName === "LABEL" && e.control && ["checkbox", "radio"].includes(e.control.type)) return e.control;
    const inner = e.querySelectorAll("input[type=checkbox],input[type=radio],[role=checkbox],[role=radio],[role=switch]");
    return inner.length === 1 ? inner[0] : null;
  };
  const checkedOf = (t) => (t.tagName === "INPUT" ? t.checked : t.getAttribute("aria-checked") === "true");
  const labelsOf = (e) => Array.from(e.labels || []);
  const labelText = (e) => {
    const own = labelsOf(e).map(ownText).filter(Boolean);
    if (own.length) return own.join(" ");
    if (e.getAttribute("aria-label")) return norm(e.getAttribute("aria-label"));
    const by = e.getAttribute("aria-labelledby");
    if (by) return norm(by.split(/\s+/).map((i) => ownText(e.ownerDocument.getElementById(i) || e)).join(" "));
    return ownText(e);
  };
  const editable = (e) =>
    (e.tagName === "TEXTAREA" ||
      (e.tagName === "INPUT" && !["checkbox", "radio", "file", "submit", "button", "reset", "image", "hidden"].includes(e.type)) ||
      e.isContentEditable);
  const fileInputOf = (e) => {
    if (e.tagName === "INPUT" && e.type === "file") return e;
    if (e.tagName === "LABEL" && e.control && e.control.type === "file") return e.control;
    const inner = e.querySelectorAll("input[type=file]");
    return inner.length === 1 ? inner[0] : null;
  };
  const store = (list) => { window.__agentPicks = list; return list.length; };

  const helpers = {
    // Everything the Python side needs to pick a strategy, in one round trip.
    probe(e) {
      const t = checkTarget(e);
      const f = fileInputOf(e);
      const tag = e.tagName.toLowerCase();
      return {
        tag, type: (e.getAttribute("type") || "").toLowerCase(), role: e.getAttribute("role") || "",
        visible: shown(e), disabled: !!(e.disabled || e.getAttribute("aria-disabled") === "true" || e.closest("fieldset:disabled")),
        readonly: !!e.readOnly, expanded: e.getAttribute("aria-expanded") === "true", editable: editable(e), contenteditable: !!e.isContentEditable,
        checkable: t ? (t.type || t.getAttribute("role") || "") : null, checked: t ? checkedOf(t) : null,
        check_target_visible: t ? shown(t) : false,
        file_input: !!f, is_file: tag === "input" && e.type === "file",
        select: tag === "select", multiple: !!e.multiple, href: e.href || "", target: e.target || "",
        // Will a click most likely load a page, open a tab or download? (then it is worth waiting for)
        navigates: !!(e.closest("a[href]") && !/^(javascript:|#)/i.test(e.closest("a[href]").getAttribute("href") || "#")) ||
          !!((tag === "button" && (e.type || "submit") === "submit" && e.form) || (tag === "input" && ["submit", "image"].includes(e.type) && e.form)),
        has_visible_label: labelsOf(e).some(shown),
        editable_inside: editable(e) ? 0 : e.querySelectorAll("input:not([type=hidden]),textarea,[contenteditable=true]").length,
        text: norm(e.innerText || "").slice(0, 80),
      };
    },
    // The element a click should really go to, as a handle: "label", "file", "check", "editable".
    related(e, kind) {
      if (kind === "label") return labelsOf(e).find(shown) || null;
      if (kind === "file") return fileInputOf(e);
      if (kind === "check") return checkTarget(e);
      if (kind === "editable") {
        const inner = Array.from(e.querySelectorAll("input:not([type=hidden]),textarea,[contenteditable=true]")).filter(editable);
        return inner.length === 1 ? inner[0] : null;
      }
      return null;
    },
    checked(e) { const t = checkTarget(e); return t ? checkedOf(t) : null; },
    scriptClick(e) { e.click(); return true; },
    // Is a click at the element's points going to reach it? Scrolls it into view first.
    hitTest(e) {
      let r = e.getBoundingClientRect();
      const win = e.ownerDocument.defaultView;
      if (r.top < 0 || r.bottom > win.innerHeight || r.left < 0 || r.right > win.innerWidth) {
        e.scrollIntoView({ block: "center", inline: "center", behavior: "instant" });
        r = e.getBoundingClientRect();
      }
      const points = [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75], [0.15, 0.15], [0.85, 0.85]];
      let blocker = null;
      for (const [fx, fy] of points) {
        const x = r.left + r.width * fx, y = r.top + r.height * fy;
        if (x < 0 || y < 0 || x >= win.innerWidth || y >= win.innerHeight) continue;
        const hit = deepHit(e.ownerDocument, x, y);
        if (!hit) continue;
        const label = hit.closest && hit.closest("label");
        if (contains(e, hit) || (label && labelsOf(e).includes(label))) {
          return { kind: "self", x: r.width * fx, y: r.height * fy };
        }
        if (contains(hit, e)) return { kind: "ancestor", x: r.width * fx, y: r.height * fy };
        if (!blocker) blocker = hit;
      }
      if (!blocker || blocker === e.ownerDocument.body || blocker === e.ownerDocument.documentElement) {
        return { kind: "unreachable" };
      }
      // Report the outermost layer that covers the point: a dialog, an overlay, a banner.
      let layer = blocker;
      for (let n = parentOf(blocker); n && n.nodeType === 1 && n !== e.ownerDocument.body; n = parentOf(n)) {
        if (contains(n, e)) break;
        const st = getComputedStyle(n);
        if (st.position === "fixed" || st.position === "sticky" || st.position === "absolute" || n.getAttribute("role") === "dialog" || n.tagName === "DIALOG") layer = n;
      }
      const dialog = layer.querySelector("[role=dialog],[role=alertdialog],dialog") || layer;
      const heading = dialog.querySelector("h1,h2,h3,[id$=title]");
      const closer = Array.from(layer.querySelectorAll("button,[role=button],a,[aria-label]")).filter(shown).find((b) =>
        /^(x|×|✕|✖|close|dismiss|no,? thanks|not now|cancel|skip|got it|maybe later)\b/i.test(norm(b.getAttribute("aria-label") || b.innerText)) ||
        /close|dismiss/i.test(b.getAttribute("aria-label") || ""));
      return {
        kind: "blocked", blocker: describe(layer), blocker_id: agentId(layer),
        heading: heading ? ownText(heading).slice(0, 60) : "",
        closer_text: closer ? norm(closer.innerText || closer.getAttribute("aria-label")).slice(0, 30) : "",
        closer_id: closer ? agentId(closer) : null,
      };
    },
    // What a form control shows now: value for inputs, text for the rest.
    display(e) {
      if (e.tagName === "SELECT") return norm(e.selectedOptions[0] ? e.selectedOptions[0].text : "");
      if (e.tagName === "INPUT" || e.tagName === "TEXTAREA") return e.value;
      return norm(e.innerText || e.textContent);
    },
    nativeOptions(e) {
      return Array.from(e.options).map((o, i) => ({ label: norm(o.label || o.text), value: o.value, index: i, disabled: o.disabled, selected: o.selected }));
    },
    selectedIndex(e) { return e.selectedIndex; },
    // Remember what is visible now, to tell later which elements a click revealed.
    markVisible() {
      const seen = new WeakSet();
      for (const n of document.querySelectorAll("body *")) if (shown(n)) seen.add(n);
      window.__agentSeen = seen;
      return true;
    },
    // Candidate options of a dropdown: inside aria-controls/owns or the listbox itself, else
    // (useFresh) among the elements shown since markVisible().
    options(e, useFresh) {
      const seen = window.__agentSeen || new WeakSet();
      const doc = e ? e.ownerDocument : document;
      const scopes = [];
      for (const attr of ["aria-controls", "aria-owns"]) {
        for (const i of (e && e.getAttribute(attr) || "").split(/\s+/)) {
          const s = i && doc.getElementById(i);
          if (s && shown(s)) scopes.push(s);
        }
      }
      if (e && ["listbox", "menu", "radiogroup", "tree", "grid"].includes(e.getAttribute("role"))) scopes.push(e);
      const ROLE_SEL = "[role=option],[role=menuitem],[role=menuitemradio],[role=treeitem],[role=gridcell]";
      let found = [];
      for (const s of scopes) found.push(...Array.from(s.querySelectorAll(ROLE_SEL)).filter(shown));
      if (!found.length && useFresh) {
        const fresh = Array.from(doc.querySelectorAll("body *")).filter((n) => shown(n) && !seen.has(n) && !(e && contains(e, n)));
        const roleHits = fresh.filter((n) => n.matches(ROLE_SEL));
        if (roleHits.length) found = roleHits;
        else {
          // Topmost element for each distinct short text; containers of other candidates drop out.
          const texts = fresh.filter((n) => { const t = ownText(n); return t && t.length <= 80 && (!n.parentElement || ownText(n.parentElement) !== t); });
          found = texts.filter((n) => !texts.some((m) => m !== n && n.contains(m)));
        }
      }
      found = found.filter((n, i) => found.indexOf(n) === i);
      store(found);
      return found.map((n, i) => ({
        label: norm(n.getAttribute("aria-label") || n.innerText || n.textContent).slice(0, 120),
        value: n.getAttribute("data-value") || n.getAttribute("value") || "",
        index: i, disabled: n.getAttribute("aria-disabled") === "true",
        selected: n.getAttribute("aria-selected") === "true" || n.getAttribute("aria-checked") === "true",
      }));
    },
    // Radios of the group around e (a radiogroup, a fieldset, or a radio's name group).
    radios(e) {
      let list;
      const radio = checkTarget(e);
      if (radio && radio.tagName === "INPUT" && radio.type === "radio" && radio.name) {
        list = Array.from((radio.form || radio.ownerDocument).querySelectorAll(`input[type=radio][name="${CSS.escape(radio.name)}"]`));
      } else {
        list = Array.from(e.querySelectorAll("input[type=radio],[role=radio]"));
      }
      store(list);
      return list.map((r, i) => ({ label: labelText(r), value: r.value || r.getAttribute("data-value") || "", index: i, disabled: !!r.disabled, selected: checkedOf(r) }));
    },
    pick(_e, index) { return (window.__agentPicks || [])[index] || null; },
    pickSelected(_e, index) {
      const n = (window.__agentPicks || [])[index];
      if (!n || !n.isConnected) return null;
      return n.getAttribute("aria-selected") === "true" || n.getAttribute("aria-checked") === "true" || (n.tagName === "INPUT" && n.checked);
    },
    // Short names of interactive elements that became visible since markVisible().
    revealed() {
      const seen = window.__agentSeen || new WeakSet();
      return Array.from(document.querySelectorAll("a,button,input,select,textarea,[role=menuitem],[role=option],[role=button],[role=link],[tabindex]"))
        .filter((n) => shown(n) && !seen.has(n)).map((n) => ownText(n).slice(0, 40) || describe(n));
    },
    // Scroll the nearest container of e that can move in that direction (the page when e is null).
    scroll(e, { vertical, sign, amount }) {
      const page = document.scrollingElement || document.documentElement;
      const ok = (v) => v === "auto" || v === "scroll" || v === "overlay";
      const canMove = (n) => {
        const st = getComputedStyle(n);
        return vertical ? ok(st.overflowY) && n.scrollHeight > n.clientHeight + 1
                        : ok(st.overflowX) && n.scrollWidth > n.clientWidth + 1;
      };
      let box = page;
      for (let n = e; n && n.nodeType === 1; n = parentOf(n)) {
        if (n === document.body || n === document.documentElement) break;
        if (canMove(n)) { box = n; break; }
      }
      const isPage = box === page;
      const size = vertical ? (isPage ? window.innerHeight : box.clientHeight) : (isPage ? window.innerWidth : box.clientWidth);
      const step = sign * (amount || Math.round(size * 0.8));
      const before = Math.round(vertical ? box.scrollTop : box.scrollLeft);
      box.scrollBy({ top: vertical ? step : 0, left: vertical ? 0 : step, behavior: "instant" });
      const after = Math.round(vertical ? box.scrollTop : box.scrollLeft);
      const max = vertical ? box.scrollHeight - box.clientHeight : box.scrollWidth - box.clientWidth;
      return { what: isPage ? "page" : describe(box), id: isPage ? null : agentId(box), before, after, max: Math.max(0, Math.round(max)) };
    },
  };
  return helpers[name](el, arg);
}
