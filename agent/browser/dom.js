// The in-page walker behind agent.browser.observe.
//
// Evaluated in one frame as a function expression: (args) => result. It walks the
// composed tree (open shadow roots, slots) of the frame's document in document order and
// returns a flat list of nodes: elements the model may act on (kind "e"), text lines the
// model should read (kind "t") and visible iframes (kind "f", so Python can map a child
// Frame to its place). Every emitted element and iframe gets a stable id, kept in a
// per-document WeakMap and mirrored in the attribute data-agent-id so Playwright can
// locate it. An id is never handed to a second node in the same document: clones that
// copied the attribute, and attributes written by the page itself, get fresh ids.
//
// args: {prefix: "" | "3-", start: first free counter value, tracker: name of the
// listener-tracking global or ""}.  Coordinates are CSS px in this frame's viewport.
(args) => {
  const STATE = "__agentDomState";
  let state = window[STATE];
  if (!state) {
    state = { ids: new WeakMap(), next: 1 };
    Object.defineProperty(window, STATE, { value: state, enumerable: false });
  }
  state.next = Math.max(state.next, args.start || 1);
  const prefix = args.prefix || "";
  const vw = window.innerWidth, vh = window.innerHeight;
  const tracker = args.tracker ? window[args.tracker] : null;
  const seen = new Map();  // id -> element, for this walk: catches cloned attributes
  const out = [];

  const SKIP = new Set(["script", "style", "noscript", "template", "head", "meta", "link",
    "title", "datalist", "option", "optgroup", "base", "param", "source", "track"]);
  const NATIVE = new Set(["a", "button", "input", "select", "textarea", "summary"]);
  const WIDGET_ROLES = new Set(["button", "link", "checkbox", "radio", "switch", "tab",
    "menuitem", "menuitemcheckbox", "menuitemradio", "option", "combobox", "listbox",
    "textbox", "searchbox", "slider", "spinbutton", "treeitem"]);
  const INLINE = new Set(["inline", "inline-block", "inline-flex", "inline-grid", "contents",
    "ruby", "inline-table"]);
  const HANDLER_ATTRS = ["onclick", "onmousedown", "onpointerdown", "ng-click", "jsaction"];
  const CLASS_HINT = /(^|[\s_-])(btn|button|dropdown-item|menu-item|select-option|clickable)($|[\s_-])/i;
  const KEEP = ["type", "name", "placeholder", "href", "aria-label", "title", "alt", "for",
    "aria-haspopup", "min", "max", "step", "maxlength", "pattern", "accept", "multiple",
    "autocomplete", "aria-valuenow", "aria-valuetext", "aria-current", "aria-invalid"];
  // Attribute values that say nothing the tag or the label does not already say.
  const NOISE = { type: /^text$/, "aria-invalid": /^false$/, "aria-current": /^false$/,
    autocomplete: /^(?!one-time-code$|new-password$|current-password$).*/, pattern: /^.{13,}$/ };
  const VALUE_TYPES = new Set(["checkbox", "radio", "file", "submit", "button", "reset",
    "image", "hidden"]);
  const NATIVE_SELECTOR = "a[href],button,input:not([type=hidden]),select,textarea," +
    "[role=button],[role=link],[role=checkbox],[role=option],[role=menuitem],[role=tab]";

  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();
  const cap = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

  function idFor(el) {
    let id = state.ids.get(el);
    if (id === undefined || (seen.has(id) && seen.get(id) !== el)) {
      id = prefix + state.next++;
      state.ids.set(el, id);
    }
    seen.set(id, el);
    if (el.getAttribute("data-agent-id") !== id) el.setAttribute("data-agent-id", id);
    return id;
  }

  function textOfIds(el, ids) {
    const root = el.getRootNode();
    return ids.split(/\s+/).map((ref) => {
      const t = (root.getElementById ? root.getElementById(ref) : null) || document.getElementById(ref);
      return t ? (t.innerText || t.textContent || "") : "";
    }).join(" ");
  }

  // Also true inside a disabled <fieldset>, which el.disabled does not say.
  const isDisabled = (el) => !!el.disabled || (NATIVE.has(el.localName) && el.matches(":disabled"));

  function isPassword(el) {
    // Also a password field whose "show password" toggle made it type=text.
    // A field the agent typed a secret into counts as one too (agent/secrets.py).
    if (el.hasAttribute("data-agent-secret")) return true;
    return el.localName === "input" && (el.type === "password" ||
      /password/i.test(el.getAttribute("autocomplete") || "") ||
      /^(pass(word)?|pwd|passwd)$|[_-](pass(word)?|pwd)$/i.test(el.name || el.id || ""));
  }

  function nameOf(el, tag, role) {
    let s = "";
    const lb = el.getAttribute("aria-labelledby");
    if (lb) s = textOfIds(el, lb);
    if (!squash(s)) s = el.getAttribute("aria-label") || "";
    const control = tag === "input" || tag === "select" || tag === "textarea";
    if (!squash(s) && control && el.labels && el.labels.length) {
      s = Array.from(el.labels).map((l) => {
        // A wrapping label's innerText also holds the control's own text: drop it.
        let t = l.innerText || "";
        if (tag === "select") for (const o of el.options) t = t.replace(o.text, "");
        return t;
      }).join(" ");
    }
    if (!squash(s) && tag === "input" && ["submit", "button", "reset"].includes(el.type)) s = el.value;
    const container = role === "listbox" || role === "menu" || role === "tablist" || role === "grid";
    if (!squash(s) && !control && !container) s = el.innerText || "";
    if (!squash(s)) s = el.getAttribute("title") || el.getAttribute("alt") || "";
    if (!squash(s) && !control && !container) {
      const img = el.querySelector("img[alt],[aria-label],svg title");
      if (img) s = img.getAttribute("alt") || img.getAttribute("aria-label") || img.textContent || "";
    }
    return cap(squash(s), 150);
  }

  function iconClass(el) {
    let cls = el.getAttribute("class") || "";
    const icon = el.querySelector("i[class],svg[class],span[class],use");
    if (icon) cls += " " + (icon.getAttribute("class") || icon.getAttribute("href") ||
      icon.getAttribute("xlink:href") || "");
    return cap(squash(cls), 60);
  }

  function attributesOf(el, tag, role, text) {
    const a = {};
    for (const k of KEEP) {
      const v = el.getAttribute(k);
      if (v === null || v === "" || (NOISE[k] && NOISE[k].test(v))) continue;
      if ((k === "aria-label" || k === "title" || k === "alt") && squash(v) === text) continue;
      if (k === "href") {
        const h = el.href;
        if (typeof h === "string" && !h.startsWith("data:") && h.length < 2048) a.href = h;
        continue;
      }
      a[k] = cap(squash(v), 200);
    }
    if (tag === "input" || tag === "textarea") {
      if (!VALUE_TYPES.has(el.type)) {
        a.value = isPassword(el) ? (el.value ? "•••" : "") : cap(el.value || "", 200);
      } else if (el.type === "file" && el.files && el.files.length) {
        a.value = Array.from(el.files).map((f) => f.name).join(", ");
      }
      if (el.type === "checkbox" || el.type === "radio") a.checked = el.checked ? "true" : "false";
      if (el.readOnly) a.readonly = "true";
    } else if (tag === "select") {
      const sel = Array.from(el.selectedOptions || []).map((o) => squash(o.label || o.text));
      a.value = cap(sel.join(", "), 200);
    }
    if (isPassword(el) && a.value === undefined) a.value = "";
    const ac = el.getAttribute("aria-checked");
    if (ac && a.checked === undefined) a.checked = ac;
    if (el.getAttribute("aria-selected") === "true") a.selected = "true";
    if (el.getAttribute("aria-pressed")) a.pressed = el.getAttribute("aria-pressed");
    const ex = el.getAttribute("aria-expanded");
    if (ex) a.expanded = ex;
    if (isDisabled(el) || el.getAttribute("aria-disabled") === "true") a.disabled = "true";
    if (el.required || el.getAttribute("aria-required") === "true") a.required = "true";
    if (el.getAttribute("aria-readonly") === "true") a.readonly = "true";
    if (el.isContentEditable && tag !== "input" && tag !== "textarea") a.contenteditable = "true";
    const ti = el.getAttribute("tabindex");
    if (ti !== null && !NATIVE.has(tag) && !role) a.tabindex = ti;
    if (!text && !a["aria-label"] && !a.title && !a.alt && !a.placeholder && !a.value) {
      const cls = iconClass(el);
      if (cls) a.class = cls;
    }
    return a;
  }

  function optionsOf(el, tag, role) {
    if (tag === "select") {
      return Array.from(el.options).slice(0, 500).map((o, i) => ({
        label: squash(o.label || o.text), value: o.value, selected: o.selected, index: i,
      }));
    }
    if (role === "listbox") {
      return Array.from(el.querySelectorAll("[role=option]")).slice(0, 200).map((o, i) => ({
        label: cap(squash(o.innerText || o.getAttribute("aria-label") || ""), 100),
        value: o.getAttribute("data-value") || o.getAttribute("value") || "",
        selected: o.getAttribute("aria-selected") === "true", index: i, id: idFor(o),
      }));
    }
    return null;
  }

  // Why an element is worth an id, or "" when it is not.
  function interactable(el, tag, role, style, ctx, rect) {
    if (tag === "input") return el.type === "hidden" ? "" : "tag";
    if (tag === "a" && el.hasAttribute("href")) return "tag";
    if (NATIVE.has(tag) && tag !== "a") return "tag";
    if (role && WIDGET_ROLES.has(role)) return "role";
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) return "editable";
    if (tag === "label") {
      const c = el.control;
      return c && !isDisabled(c) && !shown(c) ? "label" : "";
    }
    if (ctx.interactive) return "";
    // Page-sized elements (wrappers, delegated React roots, focusable dialogs) are not targets.
    const big = rect.width * rect.height > 0.5 * vw * vh || tag === "body" || tag === "html";
    if (big) return "";
    const ti = el.getAttribute("tabindex");
    if (ti !== null && parseInt(ti, 10) >= 0 && !holdsControl(el)) return "tabindex";
    let handler = typeof el.onclick === "function";
    for (const k of HANDLER_ATTRS) if (!handler && el.hasAttribute(k)) handler = true;
    if (!handler && tracker && tracker.has(el)) handler = true;
    const pointer = style.cursor === "pointer" && !ctx.pointer;
    const hint = CLASS_HINT.test(el.getAttribute("class") || "");
    const hover = hovers !== null && hovers.has(el);
    if ((handler || pointer || hint || hover) && !holdsControl(el)) {
      return handler ? "handler" : pointer ? "pointer" : hint ? "class" : "hover";
    }
    return "";
  }

  // Selectors of elements whose :hover reveals or restyles something inside or beside them
  // (CSS hover menus). Cached per document until the number of style sheets changes.
  function hoverTargets() {
    const sheets = document.styleSheets;
    if (state.hoverSig !== sheets.length) {
      const found = new Set();
      const scan = (rules) => {
        for (const rule of rules) {
          if (found.size > 300) return;
          if (rule.cssRules && !rule.selectorText) { scan(rule.cssRules); continue; }
          const text = rule.selectorText;
          if (!text || !text.includes(":hover")) continue;
          for (const part of text.split(",")) {
            const i = part.indexOf(":hover");
            const before = part.slice(0, i).trim(), after = part.slice(i + 6).trim();
            if (i < 0 || !before || !after || /[\s>+~(]$/.test(before) || after.startsWith(":")) continue;
            try { document.querySelector(before); found.add(before); } catch (e) { /* invalid */ }
          }
        }
      };
      for (const sheet of sheets) {
        try { scan(sheet.cssRules); } catch (e) { /* cross-origin sheet */ }
      }
      state.hoverSig = sheets.length;
      state.hoverSel = Array.from(found).join(",");
    }
    if (!state.hoverSel) return null;
    try { return new Set(document.querySelectorAll(state.hoverSel)); } catch (e) { return null; }
  }
  const hovers = hoverTargets();

  // True when el holds a visible element that is interactable by its tag or role.
  function holdsControl(el) {
    for (const c of el.querySelectorAll(NATIVE_SELECTOR)) {
      if (c.checkVisibility ? c.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) : true) return true;
    }
    return false;
  }

  function shown(el) {
    const st = getComputedStyle(el);
    if (st.display === "none" || st.visibility === "hidden" || st.opacity === "0") return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  }

  function intersects(r, c) {
    return r.right > c.left && r.left < c.right && r.bottom > c.top && r.top < c.bottom;
  }

  // Text lines: inline text accumulates in buf and is flushed at block boundaries.
  let buf = [], bufTag = "", bufRect = null, bufOut = false, bufEnd = null;
  const range = document.createRange();
  function textBox(node, fallback) {
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    return r.width > 0 || r.height > 0 ? r : fallback;
  }
  function flush() {
    if (!buf.length) return;
    if (bufEnd && bufRect) {
      // The line's box runs from its first text node to its last one.
      const end = textBox(bufEnd, null);
      if (end) {
        const left = Math.min(bufRect.x, end.x), top = Math.min(bufRect.y, end.y);
        bufRect = { x: left, y: top, width: Math.max(bufRect.x + bufRect.width, end.right) - left,
          height: Math.max(bufRect.y + bufRect.height, end.bottom) - top };
      }
    }
    const text = squash(buf.join(""));
    const clean = text.replace(/^\| | \|$/g, "");
    const last = out[out.length - 1];
    if (!clean || clean === "|") {
      // nothing to read
    } else if (last && last.k === "t" && sameRow(last, bufRect) && !HEADING.test(last.tag) &&
        !HEADING.test(bufTag) && last.text.length + clean.length < 400) {
      // Side by side on one row (a label and its value, flex cells): one line reads better.
      last.text += " " + clean;
      last.w = bufRect.x + bufRect.width - last.x;
    } else {
      out.push({ k: "t", tag: bufTag, text: cap(clean, 400),
        x: bufRect.x, y: bufRect.y, w: bufRect.width, h: bufRect.height, oc: bufOut });
    }
    buf = [];
    bufRect = null;
    bufEnd = null;
  }

  const HEADING = /^h[1-6]$/;
  // The new text box starts just right of the last line and shares most of its height.
  function sameRow(last, r) {
    if (r.x < last.x + last.w - 2 || r.x - (last.x + last.w) > 300) return false;
    if (Math.max(last.h, r.height) > 2.5 * Math.min(last.h, r.height)) return false;
    const overlap = Math.min(last.y + last.h, r.y + r.height) - Math.max(last.y, r.y);
    return overlap >= 0.5 * Math.min(last.h, r.height);
  }

  function childrenOf(el) {
    if (el.shadowRoot) return el.shadowRoot.childNodes;
    if (el.localName === "slot") {
      const assigned = el.assignedNodes();
      return assigned.length ? assigned : el.childNodes;
    }
    return el.childNodes;
  }

  // A file input is often hidden behind a styled button; uploads still need it, so it is
  // reported (marked hidden) at the place of its hidden subtree.
  function hiddenFileInputs(el, ctx) {
    const inputs = el.localName === "input" ? [el] : el.querySelectorAll("input[type=file]");
    for (const input of inputs) {
      if (input.type !== "file" || input.disabled) continue;
      flush();
      const r = ctx.rect || { x: 0, y: 0, width: 0, height: 0 };
      const text = nameOf(input, "input", null);
      const attrs = attributesOf(input, "input", null, text);
      attrs.hidden = "true";
      out.push({ k: "e", id: idFor(input), tag: "input", role: null, text, attrs, i: true,
        x: r.x, y: r.y, w: r.width, h: r.height, oc: ctx.out });
    }
  }

  function visit(el, ctx) {
    const tag = el.localName;
    if (SKIP.has(tag)) return;
    const style = getComputedStyle(el);
    const display = style.display;
    if (display === "none" || style.opacity === "0") {
      hiddenFileInputs(el, ctx);
      return;
    }
    const rect = el.getBoundingClientRect();
    let { clip, soft } = ctx;
    if (style.position === "fixed") { clip = null; soft = null; }
    const sized = rect.width > 1 && rect.height > 1;
    let isShown = style.visibility !== "hidden" && (sized || display === "contents");
    if (isShown && sized && clip && !intersects(rect, clip)) isShown = false;
    const out_ = sized && soft ? !intersects(rect, soft) : ctx.out;
    const role = (el.getAttribute("role") || "").split(" ")[0].toLowerCase() || null;
    const block = !INLINE.has(display) && display !== "table-cell";

    if (tag === "iframe" || tag === "frame") {
      if (isShown) {
        flush();
        const cs = style;
        out.push({ k: "f", id: idFor(el), tag, text: cap(squash(el.title || el.name || ""), 80),
          x: rect.x + el.clientLeft + parseFloat(cs.paddingLeft || "0"),
          y: rect.y + el.clientTop + parseFloat(cs.paddingTop || "0"),
          w: el.clientWidth, h: el.clientHeight, oc: out_ });
      }
      return;
    }
    const why = isShown ? interactable(el, tag, role, style, ctx, rect) : "";
    const media = tag === "svg" || tag === "img";
    const disabledControl = !why && isShown && NATIVE.has(tag) && isDisabled(el);
    const next = { clip, soft, out: out_, interactive: ctx.interactive, pointer: style.cursor === "pointer",
      quiet: ctx.quiet };
    if (style.overflowX !== "visible" || style.overflowY !== "visible") {
      if (sized && display !== "contents") {
        const r = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
        if (style.overflowX === "hidden" || style.overflowX === "clip" ||
            style.overflowY === "hidden" || style.overflowY === "clip") next.clip = r;
        else next.soft = r;
      }
    }

    if (why || disabledControl) {
      flush();
      const text = nameOf(el, tag, role);
      const node = { k: "e", id: idFor(el), tag, role, text, attrs: attributesOf(el, tag, role, text),
        i: !!why && !isDisabled(el), x: rect.x, y: rect.y, w: rect.width, h: rect.height, oc: out_ };
      if (why === "hover") node.attrs.hover = "true";
      const opts = optionsOf(el, tag, role);
      if (opts) node.opts = opts;
      if (tag === "label" && el.control) {
        const c = el.control;
        if (c.type === "checkbox" || c.type === "radio") node.attrs.checked = c.checked ? "true" : "false";
      }
      out.push(node);
      next.interactive = true;
      if (tag === "select" || tag === "textarea" || tag === "input" || media) return;
    } else if (media) {
      // Icons are named through their interactable ancestor; an image with alt text is read.
      if (tag === "img" && isShown && el.alt && !ctx.interactive && !ctx.quiet) {
        if (!bufRect) { bufRect = rect; bufTag = ctx.tag; bufOut = out_; }
        buf.push(" (image: " + cap(squash(el.alt), 80) + ") ");
      }
      return;
    } else if (tag === "label" && isShown) {
      // A label whose control is shown names that control; its text would repeat.
      if (el.control) next.quiet = true;
    }

    const live = role === "alert" || role === "status" ||
      (el.getAttribute("aria-live") || "off") !== "off";
    if (block || why || live) flush();
    const cell = display === "table-cell";
    if (cell && buf.length) buf.push(" | ");
    next.tag = live ? (role === "alert" ? "alert" : "status") : block ? tag : ctx.tag;
    next.rect = sized ? rect : ctx.rect;
    next.shown = isShown;
    for (const child of childrenOf(el)) {
      if (child.nodeType === 1) visit(child, next);
      else if (child.nodeType === 3 && next.shown && !next.interactive && !next.quiet) {
        const data = child.data;
        if (!data.trim()) {
          if (buf.length) buf.push(" ");
          continue;
        }
        if (!bufRect) { bufRect = textBox(child, next.rect || rect); bufTag = next.tag; bufOut = out_; }
        bufEnd = child;
        buf.push(data);
      }
    }
    if (block || why || live) flush();
    else if (tag === "br") buf.push(" ");
    else if (display === "inline-block" && buf.length) buf.push(" ");
  }

  const root = document.body || document.documentElement;
  const start = { clip: null, soft: null, out: false, interactive: false, pointer: false,
    quiet: false, tag: "body", rect: null, shown: true };
  if (root) visit(root, start);
  flush();
  const se = document.scrollingElement || document.documentElement;
  // A JSON string crosses the Playwright channel far faster than a large object.
  return JSON.stringify({
    url: location.href, title: document.title, next: state.next, nodes: out,
    vw, vh, sx: window.scrollX, sy: window.scrollY,
    sw: se ? se.scrollWidth : vw, sh: se ? se.scrollHeight : vh,
  });
}
