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
  const deepActive = (doc) => {
    let a = doc.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };
  // The parts of an element's state a click or a key may change.
  const stateOf = (e) => {
    if (!e || !e.isConnected) return null;
    const a = (k) => e.getAttribute(k);
    return [e.value === undefined ? null : String(e.value), !!e.checked, e.selectedIndex === undefined ? null : e.selectedIndex,
      a("aria-checked"), a("aria-selected"), a("aria-expanded"), a("aria-pressed"), a("aria-valuenow"), e.open === undefined ? null : e.open];
  };
  // Elements with overflow that is not visible between e and its document: they clip it.
  const clippers = (e) => {
    const list = [];
    for (let n = parentOf(e); n && n.nodeType === 1; n = parentOf(n)) {
      if (n === e.ownerDocument.body || n === e.ownerDocument.documentElement) break;
      const st = getComputedStyle(n);
      if (st.overflowX !== "visible" || st.overflowY !== "visible") list.push(n);
    }
    return list;
  };
  const inside = (r, c) => r.top >= c.top - 1 && r.bottom <= c.bottom + 1 && r.left >= c.left - 1 && r.right <= c.right + 1;

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
        native_activation: helpers.nativeActivation(e),
        editable_inside: editable(e) ? 0 : e.querySelectorAll("input:not([type=hidden]),textarea,[contenteditable=true]").length,
        // Takes keyboard focus (a terminal or a game is a focusable <div> that reads keys).
        focusable: e.hasAttribute("tabindex") || e.tabIndex >= 0,
        secret: e.hasAttribute("data-agent-secret"),
        // Signs of a field that opens suggestions while one types.
        suggests: e.getAttribute("role") === "combobox" || !!e.getAttribute("aria-autocomplete") ||
          !!e.getAttribute("aria-haspopup") || !!e.getAttribute("list") || !!e.getAttribute("aria-controls") ||
          !!e.getAttribute("aria-owns") || (e.getAttribute("autocomplete") || "").toLowerCase() === "off" ||
          (e.type || "") === "search",
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
    hasFocus(e) { const a = deepActive(e.ownerDocument); return !!a && (a === e || contains(e, a)); },
    // HTMLElement.click() does not exist on SVG elements: dispatch the event there.
    scriptClick(e) {
      if (typeof e.click === "function") e.click();
      else e.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, composed: true, view: window }));
      return true;
    },
    // Start recording what the page does from now on (for "did the action have an effect?").
    effectStart(e) {
      const doc = e ? e.ownerDocument : document;
      const win = doc.defaultView;
      if (win.__agentEffect) win.__agentEffect.stop();
      // What the page changes on its own (a clock, a carousel) is no effect of the action:
      // ambient.js (spliced in by _context.py) learns it, and learns nothing while we watch.
      const ambient = (__AGENT_AMBIENT__)();
      ambient.probe(true);
      const rec = { changes: 0, ambient: 0, events: new Set(), focus: deepActive(doc), target: e, state: stateOf(e),
        selection: String(win.getSelection ? win.getSelection() : "") };
      const obs = new MutationObserver((list) => {
        for (const m of list) {
          if (m.type === "attributes" && m.attributeName === "data-agent-id") continue;
          if (!rec.changes && ambient.ambient(m)) rec.ambient++;
          else rec.changes++;
        }
      });
      obs.observe(doc, { subtree: true, childList: true, attributes: true, characterData: true });
      const roots = [doc];  // open shadow roots on the way to e see their own mutations
      for (let n = e; n; n = parentOf(n)) if (n instanceof ShadowRoot) { obs.observe(n, { subtree: true, childList: true, attributes: true, characterData: true }); roots.push(n); }
      const on = (ev) => rec.events.add(ev.type);
      const kinds = ["input", "change", "scroll", "toggle", "select", "submit", "reset"];
      for (const k of kinds) doc.addEventListener(k, on, true);
      // Where the real click landed: on e itself, on a node inside it, or elsewhere. The
      // listener sits on the window, capturing, so a page handler cannot hide the click.
      rec.reached = "";
      const onClick = (ev) => {
        if (!ev.isTrusted || !e) return;
        const at = ev.composedPath ? ev.composedPath()[0] : ev.target;
        const where = at === e ? "self" : contains(e, at) ? "inside" : "elsewhere";
        if (rec.reached !== "self") rec.reached = where === "elsewhere" && rec.reached ? rec.reached : where;
      };
      win.addEventListener("click", onClick, true);
      rec.stop = () => {
        obs.disconnect(); for (const k of kinds) doc.removeEventListener(k, on, true);
        win.removeEventListener("click", onClick, true);
        ambient.probe(false);
      };
      Object.defineProperty(win, "__agentEffect", { value: rec, configurable: true, writable: true });
      return true;
    },
    // Watch what opens around a field while one types into it (an autocomplete's list).
    suggestStart(e) {
      const doc = e.ownerDocument;
      const rec = { changes: 0, added: [] };
      const obs = new MutationObserver((list) => {
        for (const m of list) {
          if (contains(e, m.target) || (m.type === "attributes" && m.attributeName === "data-agent-id")) continue;
          rec.changes++;
          if (rec.added.length < 500) rec.added.push(m.target);
        }
      });
      obs.observe(doc, { subtree: true, childList: true, attributes: true, characterData: true });
      rec.stop = () => obs.disconnect();
      if (doc.defaultView.__agentSuggest) doc.defaultView.__agentSuggest.stop();
      Object.defineProperty(doc.defaultView, "__agentSuggest", { value: rec, configurable: true, writable: true });
      return true;
    },
    // What changed since suggestStart: the count, and the visible options it shows now.
    suggestRead(_e, stop) {
      const rec = window.__agentSuggest;
      if (!rec) return { changes: 0, items: [] };
      const items = [];
      const roots = rec.added.filter((n, i) => n && n.nodeType === 1 && n.isConnected && rec.added.indexOf(n) === i);
      for (const root of roots.slice(0, 50)) {
        const found = root.matches("[role=option],li,[role=menuitem]") ? [root] : Array.from(root.querySelectorAll("[role=option],li,[role=menuitem]"));
        for (const n of found) if (shown(n) && !items.includes(n)) items.push(n);
      }
      const result = { changes: rec.changes, items: items.slice(0, 5).map((n) => ownText(n).slice(0, 60)), count: items.length };
      if (stop) { rec.stop(); delete window.__agentSuggest; }
      return result;
    },
    // Find text inside e (whitespace and case forgiven) as a Range kept for selectRange;
    // gives the points a mouse drag from its first to its last character goes through.
    textSpan(el, text) {
      const e = el || document.body;
      const doc = e.ownerDocument;
      const walker = doc.createTreeWalker(e, NodeFilter.SHOW_TEXT);
      let flat = "";
      const at = [];  // flat index -> [node, offset]
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const value = n.nodeValue || "";
        for (let i = 0; i < value.length; i++) {
          const ch = /\s/.test(value[i]) ? " " : value[i];
          if (ch === " " && (flat.endsWith(" ") || !flat.length)) continue;
          flat += ch; at.push([n, i]);
        }
      }
      const wanted = norm(text || "");
      let start = 0, end = flat.length;
      if (wanted) {
        start = flat.toLowerCase().indexOf(wanted.toLowerCase());
        if (start < 0) return null;
        end = start + wanted.length;
      }
      while (end > start && flat[end - 1] === " ") end--;
      if (end <= start) return null;
      const range = doc.createRange();
      range.setStart(at[start][0], at[start][1]);
      range.setEnd(at[end - 1][0], at[end - 1][1] + 1);
      window.__agentRange = range;
      e.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "instant" });
      const rects = Array.from(range.getClientRects()).filter((r) => r.width >= 1 && r.height >= 1);
      const first = rects[0], last = rects[rects.length - 1];
      const found = flat.slice(start, end);
      if (!first) return { found, points: null };
      return { found, points: [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2] };
    },
    // Select the range textSpan found, by script.
    selectRange() {
      const range = window.__agentRange;
      const sel = window.getSelection();
      sel.removeAllRanges();
      if (range) sel.addRange(range);
      return norm(String(sel));
    },
    selectionText() { return norm(String(window.getSelection ? window.getSelection() : "")); },
    // Where the real click landed since effectStart: "self", "inside", "elsewhere" or "".
    effectReached() {
      const rec = window.__agentEffect;
      return rec ? rec.reached : "";
    },
    // What changed since effectStart: a short list of words ([] when nothing did).
    effectRead(_e, stop) {
      const rec = window.__agentEffect;
      if (!rec) return ["the page was replaced"];
      const seen = [];
      if (rec.changes) seen.push("the page changed");
      for (const k of ["input", "change", "toggle", "select", "submit", "reset"]) if (rec.events.has(k)) seen.push(k);
      if (rec.events.has("scroll")) seen.push("scrolled");
      const now = deepActive(document);
      const t = rec.target;
      if (now !== rec.focus && now && now !== document.body) {
        const own = t && (contains(t, now) || contains(now, t));
        if (!own || editable(now)) seen.push("focus moved");
      }
      if (t && t.isConnected && JSON.stringify(stateOf(t)) !== JSON.stringify(rec.state)) seen.push("its state changed");
      // A text field that has the focus is ready for typing, which is what clicking it is for.
      if (t && now && (now === t || contains(t, now)) && editable(now)) seen.push("it has focus");
      if (t && !t.isConnected) seen.push("it was removed");
      const sel = String(window.getSelection ? window.getSelection() : "");
      if (sel !== rec.selection) seen.push("the selection changed");
      if (stop) { rec.stop(); delete window.__agentEffect; }
      return seen;
    },
    // Does a click on e have a native default action (links, controls, labels, summaries)?
    nativeActivation(e) {
      if (e.closest("a[href],button,label,summary,select,textarea,option")) return true;
      if (e.tagName === "INPUT" || e.isContentEditable) return true;
      return false;
    },
    // Is a click at the element's points going to reach it? Scrolls it into view first.
    // Also scrolls it into view inside a scroll box that clips it. The points tried are the
    // centres of its client rects first (a link wrapped onto two lines has two), then a grid.
    hitTest(e) {
      let r = e.getBoundingClientRect();
      const win = e.ownerDocument.defaultView;
      const clipped = clippers(e).some((c) => !inside(r, c.getBoundingClientRect()));
      if (clipped || r.top < 0 || r.bottom > win.innerHeight || r.left < 0 || r.right > win.innerWidth) {
        e.scrollIntoView({ block: clipped ? "nearest" : "center", inline: "nearest", behavior: "instant" });
        r = e.getBoundingClientRect();
      }
      const points = [];
      const rects = Array.from(e.getClientRects ? e.getClientRects() : []).filter((c) => c.width >= 1 && c.height >= 1);
      if (rects.length > 1) for (const c of rects.slice(0, 4)) points.push([c.left + c.width / 2, c.top + c.height / 2]);
      const grid = [[0.5, 0.5], [0.25, 0.5], [0.75, 0.5], [0.5, 0.25], [0.5, 0.75], [0.15, 0.15], [0.85, 0.85],
        [0.3, 0.3], [0.7, 0.3], [0.3, 0.7], [0.7, 0.7], [0.1, 0.5], [0.9, 0.5], [0.5, 0.1], [0.5, 0.9]];
      for (const [fx, fy] of grid) points.push([r.left + r.width * fx, r.top + r.height * fy]);
      let blocker = null, ancestor = null;
      for (const [x, y] of points) {
        if (x < 0 || y < 0 || x >= win.innerWidth || y >= win.innerHeight) continue;
        const hit = deepHit(e.ownerDocument, x, y);
        if (!hit) continue;
        const label = hit.closest && hit.closest("label");
        if (contains(e, hit) || (label && labelsOf(e).includes(label))) {
          return { kind: "self", x: x - r.left, y: y - r.top };
        }
        if (contains(hit, e)) { if (!ancestor) ancestor = { kind: "ancestor", x: x - r.left, y: y - r.top }; continue; }
        if (!blocker) blocker = hit;
      }
      if (ancestor) return ancestor;
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
    // What the control shows once the page has handled the typing: its own handlers may
    // reformat or clear the value in a task queued after the input event.
    async settledDisplay(e) {
      await new Promise((done) => {
        const cap = setTimeout(done, 50);
        requestAnimationFrame(() => setTimeout(() => { clearTimeout(cap); done(); }, 0));
      });
      return helpers.display(e);
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
      // The box named by its id may be overflow hidden (scrolled by the page's own script).
      const ok = (v, n) => v === "auto" || v === "scroll" || v === "overlay" || (n === e && v === "hidden");
      const canMove = (n) => {
        const st = getComputedStyle(n);
        return vertical ? ok(st.overflowY, n) && n.scrollHeight > n.clientHeight + 1
                        : ok(st.overflowX, n) && n.scrollWidth > n.clientWidth + 1;
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
