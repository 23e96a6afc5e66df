// The in-page walker behind agent.browser.seeing.observe.
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
  // What changes on its own (ambient.js, spliced in by observe.py): marked on elements
  // ("am") and left out of a line's steady text ("st"), for the loop guard.
  const ambient = (__AGENT_AMBIENT__)();
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
  const CONTAINER_ROLES = new Set(["listbox", "menu", "menubar", "tablist", "grid", "tree",
    "radiogroup", "toolbar", "group"]);
  const HANDLER_ATTRS = ["onclick", "onmousedown", "onpointerdown", "ng-click", "jsaction"];
  const CLASS_HINT = /(^|[\s_-])(btn|button|dropdown-item|menu-item|select-option|clickable)($|[\s_-])/i;
  const KEEP = ["type", "name", "placeholder", "href", "aria-label", "title", "alt", "for",
    "aria-haspopup", "min", "max", "step", "maxlength", "pattern", "accept", "multiple",
    "autocomplete", "aria-valuenow", "aria-valuemin", "aria-valuemax", "aria-valuetext",
    "aria-current", "aria-invalid"];
  // Attribute values that say nothing the tag or the label does not already say.
  const NOISE = { type: /^text$/, "aria-invalid": /^false$/, "aria-current": /^false$/,
    autocomplete: /^(?!one-time-code$|new-password$|current-password$).*/, pattern: /^.{13,}$/ };
  const BOOLEAN_ATTRS = new Set(["multiple"]);
  // The value format each date/time input takes (what INPUT_TEXT should write).
  const FORMATS = { date: "YYYY-MM-DD", time: "HH:MM", "datetime-local": "YYYY-MM-DDTHH:MM",
    month: "YYYY-MM", week: "YYYY-Www" };
  const CURRENT_CLASS = /(^|\s)(active|current|is-active|is-current|selected|is-selected)(\s|$)/;
  const DISABLED_CLASS = /(^|\s)(disabled|is-disabled)(\s|$)/;
  const VALUE_TYPES = new Set(["checkbox", "radio", "file", "submit", "button", "reset",
    "image", "hidden"]);
  const NATIVE_SELECTOR = "a[href],button,input:not([type=hidden]),select,textarea," +
    "[role=button],[role=link],[role=checkbox],[role=option],[role=menuitem],[role=tab]";

  const squash = (s) => (s || "").replace(/\s+/g, " ").trim();
  // Long texts and values are kept whole up to these lengths; render() shortens them by its
  // own stated rule, and EXTRACT reads them whole.
  const NAME_CAP = 2000, VALUE_CAP = 20000, TEXT_CAP = 20000, ATTR_CAP = 500;
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
    // A field the agent typed a secret into counts as one too (agent/integrations/secrets.py).
    if (el.hasAttribute("data-agent-secret")) return true;
    return el.localName === "input" && (el.type === "password" ||
      /password/i.test(el.getAttribute("autocomplete") || "") ||
      /^(pass(word)?|pwd|passwd)$|[_-](pass(word)?|pwd)$/i.test(el.name || el.id || ""));
  }

  // A password field says whether it is filled and how long its value is (so a model can
  // tell a typo from a full entry), never the value. A secret the agent typed from a
  // placeholder does not even give its length.
  function hiddenValue(el) {
    if (!el.value) return "";
    return el.hasAttribute("data-agent-secret") ? "(hidden, filled)" : `(hidden, ${el.value.length} characters)`;
  }

  function nameOf(el, tag, role, style) {
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
    if (!squash(s) && !control && !container) s = (el.innerText === undefined ? el.textContent : el.innerText) || "";
    if (!squash(s)) s = el.getAttribute("title") || el.getAttribute("alt") || "";
    if (!squash(s) && !control && !container) {
      // An icon-only control: aria-label, title or alt inside it, an SVG <title>, then the
      // file name of its image (class names are shown as the class attribute).
      const img = el.querySelector("[aria-label],[title],img[alt],svg title");
      if (img) s = img.getAttribute("aria-label") || img.getAttribute("title") || img.getAttribute("alt") || img.textContent || "";
      if (!squash(s)) s = imageName(el, style);
      if (!squash(s)) s = cssImageName(el);
    }
    return cap(squash(s), NAME_CAP);
  }

  // "send" for <img src=/icons/send-icon.png> or background-image: url(send.svg).
  function imageName(el, style) {
    let src = "";
    const img = el.localName === "img" ? el : el.querySelector("img[src]");
    if (img) src = img.getAttribute("src") || "";
    if (!src && style && style.backgroundImage && style.backgroundImage.startsWith("url(")) src = style.backgroundImage;
    return fileWords(src);
  }

  function fileWords(src) {
    const m = /([^/\\("']+?)(\.(png|svg|gif|jpe?g|webp|ico))?["')]*$/i.exec(src.split(/[?#]/)[0]);
    if (!m || src.startsWith("data:") || src.startsWith("url(\"data:") || src.startsWith("url(data:")) return "";
    const words = m[1].replace(/[-_.]+/g, " ").replace(/\b(icon|ic|img|btn|image)\b/gi, " ");
    return /[a-z]{2,}/i.test(words) ? squash(words) : "";
  }

  // An icon drawn by CSS: content: url(send.png) on the element's or its icon's ::before/::after.
  function cssImageName(el) {
    const icon = el.querySelector("i,span,em,b");
    for (const target of icon ? [el, icon] : [el]) {
      for (const pseudo of ["::before", "::after"]) {
        const content = getComputedStyle(target, pseudo).content || "";
        const m = /url\(([^)]*)\)/.exec(content);
        const words = m ? fileWords(m[1]) : "";
        if (words) return words;
      }
    }
    return "";
  }

  // Class and id words a person could read: hashed parts (css-1q2w3e, kLmNoP, x9f3k2) and
  // layout words (default, wrapper, ui-corner-tr) are dropped.
  const LAYOUT_WORDS = new Set(("default container wrapper wrap inner outer row col column flex " +
    "grid box block inline clearfix pull float left right center middle fluid xs sm md lg xl " +
    "ui widget corner tr tl br bl all state content component js is has active current " +
    "selected fa fas far fab glyphicon material mdi svg btn button span div el elem " +
    "element lazy loaded visible hidden sr only d p m").split(" "));
  const hashy = (part) => (/\d/.test(part) && /[a-z]/i.test(part)) ||
    (part.length <= 8 && (part.slice(1).match(/[A-Z]/g) || []).length >= 2) ||
    (part.length >= 5 && !/[aeiouy]/i.test(part)) || /^\d+$/.test(part);
  function cleanToken(token) {
    if (/^(css|sc|jsx|emotion|svelte|styled|chakra|mui|ng)-/i.test(token)) return "";
    const parts = token.split(/[-_.:]+/).filter((p) => p && !hashy(p));
    return parts.some((p) => !LAYOUT_WORDS.has(p.toLowerCase())) ? parts.join("-") : "";
  }
  const cleanWords = (text) => Array.from(new Set((text || "").split(/\s+/).map(cleanToken).filter(Boolean))).join(" ");

  function iconClass(el) {
    let cls = el.getAttribute("class") || "";
    const icon = el.querySelector("i[class],svg[class],span[class],use");
    if (icon) cls += " " + (icon.getAttribute("class") || icon.getAttribute("href") ||
      icon.getAttribute("xlink:href") || "").replace(/^#/, "");
    return cap(cleanWords(cls), 60);
  }

  function attributesOf(el, tag, role, text) {
    const a = {};
    for (const k of KEEP) {
      let v = el.getAttribute(k);
      if (v === "" && BOOLEAN_ATTRS.has(k)) v = "true";
      if (v === null || v === "" || (NOISE[k] && NOISE[k].test(v))) continue;
      if ((k === "aria-label" || k === "title" || k === "alt") && squash(v) === text) continue;
      if (k === "href") {
        const h = el.href;
        if (typeof h === "string" && !h.startsWith("data:") && h.length < 2048) a.href = h;
        continue;
      }
      a[k] = cap(squash(v), ATTR_CAP);
    }
    if (tag === "input" || tag === "textarea") {
      if (!VALUE_TYPES.has(el.type)) {
        a.value = isPassword(el) ? hiddenValue(el) : cap(el.value || "", VALUE_CAP);
      } else if (el.type === "file" && el.files && el.files.length) {
        a.value = Array.from(el.files).map((f) => f.name).join(", ");
      }
      if (el.type === "checkbox" || el.type === "radio") a.checked = el.checked ? "true" : "false";
      if (el.readOnly) a.readonly = "true";
      if (FORMATS[el.type]) a.format = FORMATS[el.type];
    } else if (tag === "select") {
      const sel = Array.from(el.selectedOptions || []).map((o) => squash(o.label || o.text));
      a.value = cap(sel.join(", "), ATTR_CAP);
    }
    if (isPassword(el) && a.value === undefined) a.value = "";
    // Invalid as the page shows it: aria-invalid, or :user-invalid once the user touched it.
    const ai = a["aria-invalid"];
    delete a["aria-invalid"];
    let userInvalid = false;
    try { userInvalid = (tag === "input" || tag === "select" || tag === "textarea") && el.matches(":user-invalid"); } catch (e) { /* old engine */ }
    if (userInvalid) a.invalid = squash(el.validationMessage || "") || "true";
    else if (ai && ai !== "false") a.invalid = "true";
    const cur = a["aria-current"];
    delete a["aria-current"];
    if (cur) a.current = cur;
    else if (el.getAttribute("aria-selected") === null && el.closest("nav,[role=navigation],[class*=pag],[role=tablist],ul,ol") &&
        (CURRENT_CLASS.test(el.getAttribute("class") || "") || (el.parentElement && el.parentElement.localName === "li" &&
          CURRENT_CLASS.test(el.parentElement.getAttribute("class") || "")))) a.current = "true";
    const ac = el.getAttribute("aria-checked");
    if (ac && a.checked === undefined) a.checked = ac;
    if (el.getAttribute("aria-selected") === "true") a.selected = "true";
    if (el.getAttribute("aria-pressed")) a.pressed = el.getAttribute("aria-pressed");
    const ex = el.getAttribute("aria-expanded");
    if (ex) a.expanded = ex;
    if (isDisabled(el) || el.getAttribute("aria-disabled") === "true") a.disabled = "true";
    const parent = el.parentElement;
    if ((tag === "a" || tag === "button" || role) && (DISABLED_CLASS.test(el.getAttribute("class") || "") ||
        (parent && parent.localName === "li" && DISABLED_CLASS.test(parent.getAttribute("class") || "")))) a.disabled = "true";
    if (el.required || el.getAttribute("aria-required") === "true") a.required = "true";
    if (el.getAttribute("aria-readonly") === "true") a.readonly = "true";
    if (el.isContentEditable && tag !== "input" && tag !== "textarea") a.contenteditable = "true";
    const ti = el.getAttribute("tabindex");
    if (ti !== null && !NATIVE.has(tag) && !role) a.tabindex = ti;
    if (!text && !a["aria-label"] && !a.title && !a.alt && !a.placeholder && !a.value) {
      const cls = iconClass(el);
      if (cls) a.class = cls;
    }
    if (el.id && !NATIVE.has(tag) && !squash(el.innerText || "") && !a["aria-label"] && !a.title &&
        cleanWords(el.id) === el.id) a.id = el.id;  // an icon's readable id: send-forward
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
    if ((tag === "input" || tag === "select" || tag === "textarea") && el.tabIndex < 0 &&
        el.closest("[aria-hidden=true]")) return "";  // an autofill twin, not a field for people
    if (tag === "input") return el.type === "hidden" ? "" : "tag";
    if (tag === "a" && (el.hasAttribute("href") || el.hasAttribute("xlink:href"))) return "tag";
    if (NATIVE.has(tag) && tag !== "a") return "tag";
    if (role && WIDGET_ROLES.has(role)) return "role";
    if (el.isContentEditable && !(el.parentElement && el.parentElement.isContentEditable)) return "editable";
    if (tag === "label") {
      const c = el.control;
      return c && !isDisabled(c) && !shown(c) ? "label" : "";
    }
    // Inside a link, a button or a label everything is part of that one target. Inside a
    // scripted container (a card, a message row, a list with a delegated handler) children
    // with their own handler, focus or pointer cursor, and the items of a delegating list,
    // are targets of their own.
    if (ctx.interactive && ctx.atomic) return "";
    if (ctx.interactive && ctx.delegate && el.parentElement === ctx.delegate) return "item";
    // Page-sized elements (wrappers, delegated React roots, focusable dialogs) are not targets.
    const big = rect.width * rect.height > 0.5 * vw * vh || tag === "body" || tag === "html";
    if (big) return "";
    const ti = el.getAttribute("tabindex");
    if (ti !== null && parseInt(ti, 10) >= 0 && !holdsControl(el)) return "tabindex";
    let handler = typeof el.onclick === "function";
    for (const k of HANDLER_ATTRS) if (!handler && el.hasAttribute(k)) handler = true;
    if (!handler && tracker && tracker.has(el)) handler = true;
    if (ctx.interactive) return handler && !holdsControl(el) ? "handler" : "";
    const pointer = style.cursor === "pointer" && !ctx.pointer;
    const hint = CLASS_HINT.test(el.getAttribute("class") || "");
    const hover = hovers !== null && hovers.has(el);
    if ((handler || pointer || hint || hover) && !holdsControl(el)) {
      return handler ? "handler" : pointer ? "pointer" : hint ? "class" : "hover";
    }
    return "";
  }

  // A list whose items are handled by the container (autocomplete menus, delegated React
  // handlers): 2+ element children, nearly all of one tag, with distinct short texts.
  const LIST_TAGS = new Set(["ul", "ol", "menu", "table", "tbody", "dl", "nav"]);
  const ITEM_TAGS = new Set(["li", "div", "span", "a", "tr", "td", "button", "dd", "dt", "label"]);
  function delegates(el, why, role) {
    if (!(why === "handler" || why === "tabindex" || why === "pointer" || why === "class" ||
        (why === "role" && (role === "listbox" || role === "menu" || role === "menubar" || role === "tree")))) return false;
    const kids = el.children;
    if (!kids.length || kids.length > 300) return false;
    const tag = kids[0].localName;
    if (!ITEM_TAGS.has(tag)) return false;
    // A list by its markup or role; otherwise the items must repeat one class (a card's
    // title, price and text differ in class, and stay one target).
    const listy = LIST_TAGS.has(el.localName) || (role && role !== "button" && role !== "link");
    // An open suggestion list keeps its one remaining item an element of its own.
    const single = (el.localName === "ul" || el.localName === "ol" || el.localName === "menu" ||
      role === "listbox" || role === "menu") && (tag === "li" || kids[0].getAttribute("role") === "option");
    if (kids.length < 2 && !single) return false;
    const cls = kids[0].getAttribute("class") || "";
    if (!listy && !cls) return false;
    let same = 0;
    const texts = new Set();
    for (const k of kids) {
      if (k.localName !== tag || (!listy && (k.getAttribute("class") || "") !== cls)) continue;
      const t = squash(k.textContent);
      if (!t || t.length > 200) return false;
      same++;
      texts.add(t);
    }
    return same >= (single ? 1 : 2) && same >= 0.8 * kids.length && texts.size === same && !holdsControl(el);
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

  // A control shown disabled by ARIA or by class (a pager's greyed "Next" without href):
  // listed as disabled, so the model knows it exists and cannot be used yet.
  function looksDisabled(el, tag) {
    const aria = el.getAttribute("aria-disabled") === "true";
    const cls = DISABLED_CLASS.test(el.getAttribute("class") || "");
    if (!aria && !(cls && (tag === "a" || tag === "li" || tag === "span" || tag === "div"))) return false;
    const t = squash(el.textContent);
    return t.length > 0 && t.length <= 40 && !el.querySelector(NATIVE_SELECTOR) &&
      (aria || tag === "a" || tag === "li" || el.children.length === 0);
  }

  // True when el holds a visible element that is interactable by its tag or role.
  function holdsControl(el) {
    for (const c of el.querySelectorAll(NATIVE_SELECTOR)) {
      if (c.checkVisibility ? c.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) : true) return true;
    }
    return false;
  }

  const SVG_TARGETS = "a,[onclick],[role],[tabindex],text";
  const SCROLLS = new Set(["auto", "scroll", "overlay"]);
  // "soft" for a box with more content than it shows that the user can scroll, "hard" for
  // one with overflow hidden and more below (scrolled by script or custom scrollbars).
  function scrollKind(el, tag, style) {
    if (tag === "textarea" || tag === "select" || tag === "input" || tag === "body" || tag === "html" ||
        el === document.scrollingElement) return "";
    const oy = style.overflowY, ox = style.overflowX;
    const moreY = el.scrollHeight > el.clientHeight + 8, moreX = el.scrollWidth > el.clientWidth + 8;
    if ((SCROLLS.has(oy) && moreY) || (SCROLLS.has(ox) && moreX)) return "soft";
    if (oy === "hidden" && moreY && el.clientHeight >= 40) return "hard";
    return "";
  }
  function direction(r, b) {
    if (r.top >= b.bottom - 1) return "down";
    if (r.bottom <= b.top + 1) return "up";
    return r.left >= b.right - 1 ? "right" : "left";
  }
  // Note on a node which scroll box holds it and, when hidden there, which way it lies.
  function placeIn(node, ctx) {
    if (ctx.box) node.in = ctx.box.id;
    if (ctx.hb) { node.hb = ctx.hb; node.hd = ctx.hd; }
    return node;
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
  let bufLive = [];  // the line's pieces of text inside content that changes on its own
  let bufIn, bufHb, bufHd;  // the scroll box around the line, and the one hiding it
  function startBuf(rect, tag, out_, ctx) {
    bufRect = rect; bufTag = tag; bufOut = out_;
    bufIn = ctx.box ? ctx.box.id : undefined; bufHb = ctx.hb; bufHd = ctx.hd;
  }
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
    let steady = null;
    if (bufLive.length) {
      steady = clean;
      for (const piece of bufLive) steady = steady.replace(squash(piece), "~");
      steady = steady.replace(/~(\s*~)+/g, "~");  // how many live pieces show varies too
    }
    const last = out[out.length - 1];
    if (!clean || clean === "|") {
      // nothing to read
    } else if (last && last.k === "t" && sameRow(last, bufRect) && !HEADING.test(last.tag) &&
        !HEADING.test(bufTag) && last.text.length + clean.length < 400) {
      // Side by side on one row (a label and its value, flex cells): one line reads better.
      const glued = clean.length <= 3 && last.text.length <= 40 && /\S{1,3}$/.test(last.text) &&
        Math.abs(bufRect.x - (last.x + last.w)) < 1.5;
      if (steady !== null || last.st !== undefined) {
        last.st = (last.st !== undefined ? last.st : last.text) + (glued ? "" : " ") + (steady !== null ? steady : clean);
      }
      last.text += (glued ? "" : " ") + clean;
      last.w = bufRect.x + bufRect.width - last.x;
    } else {
      out.push({ k: "t", tag: bufTag, text: cap(clean, TEXT_CAP), in: bufIn, hb: bufHb, hd: bufHd,
        x: bufRect.x, y: bufRect.y, w: bufRect.width, h: bufRect.height, oc: bufOut });
      if (steady !== null) out[out.length - 1].st = cap(steady, TEXT_CAP);
    }
    buf = [];
    bufLive = [];
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

  // Two short text pieces drawn side by side with no gap (letters in separate spans).
  function touches(a, b) {
    if (a.data.trim().length > 3 || b.data.trim().length > 3) return false;
    const ra = textBox(a, null), rb = textBox(b, null);
    if (!ra || !rb) return false;
    return Math.abs(rb.left - ra.right) < 1.5 && Math.abs(rb.top - ra.top) < ra.height / 2;
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
      out.push(placeIn({ k: "e", id: idFor(input), tag: "input", role: null, text, attrs, i: true,
        x: r.x, y: r.y, w: r.width, h: r.height, oc: ctx.out }, ctx));
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
    // Outside the visible part of the scroll box around it (or inside something that is).
    // An item partly in view (a search result whose button lies past the edge) is judged as
    // a whole: its parts go with it, so a marker never splits a result from its button.
    let hb = ctx.hb, hd = ctx.hd, judged = ctx.judged;
    if (!hb && !judged && sized && ctx.box) {
      const b = ctx.box.r;
      if (!intersects(rect, b)) { hb = ctx.box.id; hd = direction(rect, b); }
      else if (rect.height < 0.75 * (b.bottom - b.top) || rect.width < 0.75 * (b.right - b.left)) judged = true;
    }
    const hiddenCtx = { box: ctx.box, hb, hd };

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
    const disabledControl = !why && isShown && ((NATIVE.has(tag) && isDisabled(el)) ||
      looksDisabled(el, tag));
    const next = { clip, soft, out: out_, interactive: ctx.interactive, pointer: style.cursor === "pointer",
      quiet: ctx.quiet, atomic: ctx.atomic, delegate: null, box: ctx.box, hb, hd, judged,
      reads: ctx.reads, amb: ctx.amb || ambient.contentLive(el) || ambient.attrsLive(el) };
    let scrollBox = null;
    if (style.overflowX !== "visible" || style.overflowY !== "visible") {
      if (sized && display !== "contents") {
        const r = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
        const kind = isShown && !hb ? scrollKind(el, tag, style) : "";
        if (kind) {
          // A box the user can scroll (or a script can: overflow hidden with more inside):
          // what lies outside its visible part is kept, marked, and counted for the render.
          scrollBox = { id: idFor(el), r, hard: kind === "hard", start: out.length };
          next.box = scrollBox;
          next.soft = r;
          next.judged = false;
        } else if (style.overflowX === "hidden" || style.overflowX === "clip" ||
            style.overflowY === "hidden" || style.overflowY === "clip") next.clip = r;
        else next.soft = r;
      } else if (display !== "contents" && tag !== "body" && tag !== "html" &&
          style.overflowX !== "visible" && style.overflowY !== "visible") {
        // A collapsed box that clips (an accordion panel at max-height 0) shows nothing.
        next.clip = { left: rect.left, top: rect.top, right: rect.left, bottom: rect.top };
      }
    }

    if (why || disabledControl) {
      flush();
      const delegating = !!why && why !== "tag" && why !== "label" && why !== "item" && delegates(el, why, role);
      if (delegating) next.delegate = el;
      if (why === "tag" || why === "label" || why === "editable" || why === "item" ||
          (why === "role" && !delegating && !CONTAINER_ROLES.has(role))) next.atomic = true;
      const text = delegating ? squash(el.getAttribute("aria-label") || el.getAttribute("title") || "") :
        nameOf(el, tag, role, style);
      const node = { k: "e", id: idFor(el), tag, role, text, attrs: attributesOf(el, tag, role, text),
        i: !!why && !isDisabled(el), x: rect.x, y: rect.y, w: rect.width, h: rect.height, oc: out_ };
      if (why === "hover") node.attrs.hover = "true";
      if (next.amb) node.am = true;
      if (disabledControl) node.attrs.disabled = "true";
      // A focusable container named by a label ("Shopping cart" on a table of rows): its
      // content is not in its name, so its text is read as lines of its own.
      next.reads = !next.atomic && !delegating && !!text && text.length < 200 &&
        squash(el.innerText || "").length > text.length + 20 && !squash(el.innerText || "").startsWith(text);
      if (text && !delegating && !NATIVE.has(tag) && text === cap(squash(el.innerText || ""), NAME_CAP)) node.nt = true;
      const opts = optionsOf(el, tag, role);
      if (opts) node.opts = opts;
      placeIn(node, hiddenCtx);
      if (tag === "label" && el.control) {
        const c = el.control;
        if (c.type === "checkbox" || c.type === "radio") node.attrs.checked = c.checked ? "true" : "false";
      }
      out.push(node);
      next.interactive = true;
      if (tag === "select" || tag === "textarea" || tag === "input" || media) return;
    } else if (tag === "svg" && isShown && !ctx.interactive && el.querySelector(SVG_TARGETS)) {
      next.quiet = true;  // walk in for its links and scripted shapes, not its chart labels
    } else if (media) {
      // Icons are named through their interactable ancestor; an image with alt text is read.
      if (tag === "img" && isShown && el.alt && !ctx.interactive && !ctx.quiet) {
        if (!bufRect) startBuf(rect, ctx.tag, out_, hiddenCtx);
        buf.push(" (image: " + cap(squash(el.alt), 80) + ") ");
      }
      return;
    } else if (tag === "label" && isShown) {
      // A label whose control is shown names that control; its text would repeat.
      if (el.control) next.quiet = true;
    }

    const live = role === "alert" || role === "status" ||
      (el.getAttribute("aria-live") || "off") !== "off";
    if (scrollBox) {
      flush();
      const own = why || disabledControl ? out[out.length - 1] : null;
      if (own && own.id === scrollBox.id) own.attrs.scrollable = "true";
      else {
        placeIn(scrollBox.node = { k: "e", id: scrollBox.id, tag, role,
          text: cap(squash(el.getAttribute("aria-label") || el.getAttribute("title") || ""), 200),
          attrs: { scrollable: "true" }, i: true, x: rect.x, y: rect.y, w: rect.width, h: rect.height, oc: out_ }, hiddenCtx);
        out.push(scrollBox.node);
      }
      scrollBox.start = out.length;
    }
    if (block || why || live) flush();
    const cell = display === "table-cell";
    if (cell && buf.length) buf.push(" | ");
    next.tag = live ? (role === "alert" ? "alert" : "status") : block ? tag : ctx.tag;
    next.rect = sized ? rect : ctx.rect;
    next.shown = isShown;
    for (const child of childrenOf(el)) {
      if (child.nodeType === 1) visit(child, next);
      else if (child.nodeType === 3 && next.shown && (!next.interactive || next.reads) && !next.quiet) {
        const data = child.data;
        if (!data.trim()) {
          if (buf.length) buf.push(" ");
          continue;
        }
        if (!bufRect) startBuf(textBox(child, next.rect || rect), next.tag, out_, next);
        else if (bufEnd && buf[buf.length - 1] === " " && touches(bufEnd, child)) {
          while (buf.length && buf[buf.length - 1] === " ") buf.pop();  // "E R X Z" drawn as ERXZ
        }
        bufEnd = child;
        buf.push(data);
        if (next.amb) bufLive.push(data);
      }
    }
    if (!why && isShown && !block && buf.length && CURRENT_CLASS.test(el.getAttribute("class") || "") &&
        squash(el.textContent).length <= 20 && el.parentElement && el.parentElement.querySelector("a[href]")) {
      buf.push(" (current)");  // the current page of a pager, among links to the others
    }
    if (block || why || live || scrollBox) flush();
    else if (tag === "br") buf.push(" ");
    if (scrollBox && scrollBox.hard) {
      // Overflow hidden: the user cannot see or scroll to it, so it is only counted.
      const counts = {};
      let keep = scrollBox.start;
      for (let i = scrollBox.start; i < out.length; i++) {
        const n = out[i];
        if (n.hb === scrollBox.id) counts[n.hd] = (counts[n.hd] || 0) + 1;
        else out[keep++] = n;
      }
      out.length = keep;
      const boxNode = out.find((n) => n.id === scrollBox.id);
      if (boxNode && Object.keys(counts).length) boxNode.hc = counts;
    }
    else if (display === "inline-block" && buf.length) buf.push(" ");
  }

  // Text of el outside the given listed descendants (and outside hidden parts).
  function ownText(el, inner) {
    const parts = [];
    const walk = (node) => {
      for (const c of node.childNodes) {
        if (c.nodeType === 3) {
          const p = c.parentElement;
          if (p && p.getClientRects().length) parts.push(c.data);
        } else if (c.nodeType === 1 && !inner.has(c) && !SKIP.has(c.localName)) {
          walk(c);
          if (!INLINE.has(getComputedStyle(c).display)) parts.push(" ");
        }
      }
    };
    walk(el);
    return squash(parts.join(""));
  }

  // An element named by its text (a tree item, a focusable panel) whose descendants are
  // listed as targets of their own is named by its own text only: the tree item
  // "Documents", not "Documents Report.pdf Budget.xlsx" above its listed children.
  function ownNames() {
    for (let i = 0; i < out.length; i++) {
      const n = out[i];
      if (!n.nt) continue;
      delete n.nt;
      const el = seen.get(n.id);
      const inner = new Set();
      for (let j = i + 1; j < out.length; j++) {
        const m = out[j];
        if (m.k === "t") continue;
        const other = seen.get(m.id);
        if (!other || !el.contains(other)) break;
        inner.add(other);
      }
      if (!inner.size) continue;
      n.text = cap(ownText(el, inner), NAME_CAP);
      if (!n.text) {
        const cls = iconClass(el);
        if (cls) n.attrs.class = cls;
      }
    }
  }

  const root = document.body || document.documentElement;
  const start = { clip: null, soft: null, out: false, interactive: false, pointer: false,
    quiet: false, atomic: false, delegate: null, box: null, hb: undefined, hd: undefined, judged: false, reads: false,
    tag: "body", rect: null, shown: true };
  if (root) visit(root, start);
  flush();
  ownNames();
  // Smaller JSON: coordinates to 0.1 px, no empty fields.
  const r1 = (v) => Math.round(v * 10) / 10;
  for (const n of out) {
    n.x = r1(n.x); n.y = r1(n.y); n.w = r1(n.w); n.h = r1(n.h);
    if (!n.role) delete n.role;
    if (!n.oc) delete n.oc;
  }
  const se = document.scrollingElement || document.documentElement;
  // A JSON string crosses the Playwright channel far faster than a large object.
  return JSON.stringify({
    url: location.href, title: document.title, next: state.next, nodes: out,
    vw, vh, sx: window.scrollX, sy: window.scrollY,
    sw: se ? se.scrollWidth : vw, sh: se ? se.scrollHeight : vh,
  });
}
