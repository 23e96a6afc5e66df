// Ambient change: what a document changes on its own (a clock, a countdown, a rotating
// carousel, "updated 3 s ago"), learned from the document itself.
//
// A function expression: () => recorder. It installs one MutationObserver per document
// (idempotent: a second call returns the recorder already there) and is used three ways:
// as an init script (from document start), by the observation walker (dom.js) and by the
// effect probe (actions.js effectStart), so a page opened before tracking gets it too.
//
// A mutation is keyed by its element (a text node's parent) and its kind: "content" (the
// children or the text changed) or "@name" (that attribute changed). A key is live once it
// changed in LIVE_AT separate ticks (at least TICK_MS apart) while no action was running
// (no effect probe, no user input in the last INPUT_MS), and stays live while it keeps
// changing (recently, relative to its own rhythm). A key that is live already keeps its
// rhythm up to date whenever it changes. The document's body, html and big containers never
// count as live content (a page that re-renders whole would hide every effect). Memory is
// bounded: a WeakMap of elements, forgotten and learned anew after CAP keys.
() => {
  const KEY = "__agentAmbient";
  if (window[KEY]) return window[KEY];
  const TICK_MS = 100, INPUT_MS = 500, PROBE_MS = 20000, LIVE_AT = 3, RECENT_MS = 3000;
  const CAP = 3000, BIG = 300;
  const now = () => performance.now();
  let marks = new WeakMap();  // Element -> Map(kind -> {n, first, tick, last})
  let size = 0;
  const rec = { probing: 0, inputAt: -Infinity };
  const parentOf = (n) => n.parentNode || n.host || null;
  const elementOf = (n) => (n.nodeType === 1 ? n : n.parentElement);
  const kindOf = (m) => (m.type === "attributes" ? "@" + m.attributeName : "content");
  const page = (el) => el === document.body || el === document.documentElement || el.localName === "head";
  const ours = (nodes) => nodes.length > 0 &&
    Array.from(nodes).every((n) => n.nodeType === 1 && n.hasAttribute("data-agent-overlay"));
  const agents = (m) => (m.type === "attributes" && (m.attributeName || "").startsWith("data-agent-")) ||
    (m.type === "childList" && (ours(m.addedNodes) || ours(m.removedNodes)));
  const live = (e, t) => !!e && e.n >= LIVE_AT &&
    t - e.last <= Math.max(RECENT_MS, (3 * (e.tick - e.first)) / (e.n - 1));
  const liveKey = (el, kind, t) => {
    const byKind = marks.get(el);
    return !!byKind && live(byKind.get(kind), t);
  };

  function note(list) {
    const t = now();
    // Nothing is learned while the document is parsed, an action is watched or input came in.
    const learning = document.readyState !== "loading" &&
      !(rec.probing && t - rec.probing < PROBE_MS) && t - rec.inputAt > INPUT_MS;
    for (const m of list) {
      if (agents(m)) continue;
      const el = elementOf(m.target);
      if (!el) continue;
      const kind = kindOf(m);
      let byKind = marks.get(el);
      let e = byKind && byKind.get(kind);
      if (!e) {
        if (!learning || (kind === "content" && page(el))) continue;
        if (size >= CAP) { marks = new WeakMap(); size = 0; byKind = undefined; }
        if (!byKind) { byKind = new Map(); marks.set(el, byKind); }
        // A big container is measured once and never learned (its entry says so).
        const big = kind === "content" && el.getElementsByTagName("*").length > BIG;
        e = { n: 0, first: t, tick: -Infinity, last: t, big };
        byKind.set(kind, e);
        size++;
      } else if (!learning && !live(e, t)) continue;
      if (e.big) continue;
      if (t - e.tick >= TICK_MS) {
        e.n++;
        if (e.n === 1) e.first = t;
        e.tick = t;
      }
      e.last = t;
    }
  }

  // Inside content that changes on its own: the node's element (with self) or an ancestor.
  rec.inLive = (node, self) => {
    const t = now();
    let n = node && (self ? elementOf(node) : parentOf(node));
    for (; n && n.nodeType !== 9; n = parentOf(n)) {
      if (n.nodeType !== 1) continue;  // a shadow root: go on to its host
      if (page(n)) return false;
      if (liveKey(n, "content", t)) return true;
    }
    return false;
  };
  // A mutation the page would have made anyway: its own key is live, or it is inside live content.
  rec.ambient = (m) => {
    const el = elementOf(m.target);
    if (!el) return false;
    return liveKey(el, kindOf(m), now()) || rec.inLive(el, false);
  };
  // For the walker, which carries "inside live content" down the tree itself: does this
  // element's own content change on its own, and does one of its attributes?
  rec.contentLive = (el) => !page(el) && liveKey(el, "content", now());
  rec.attrsLive = (el) => {
    const byKind = !page(el) && marks.get(el);
    if (!byKind) return false;
    const t = now();
    for (const [kind, e] of byKind) if (kind !== "content" && live(e, t)) return true;
    return false;
  };
  // An effect probe runs from probe(true) to probe(false): nothing new is learned meanwhile.
  rec.probe = (on) => { rec.probing = on ? now() : 0; };

  new MutationObserver(note).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  const input = (ev) => { if (ev.isTrusted) rec.inputAt = now(); };
  const INPUTS = ["pointerdown", "mousedown", "click", "keydown", "input", "change", "wheel", "touchstart",
    "scroll", "pointermove", "pointerover", "pointerout", "focusin", "focusout"];  // hovering is input too
  for (const k of INPUTS) {
    window.addEventListener(k, input, { capture: true, passive: true });
  }
  Object.defineProperty(window, KEY, { value: rec, configurable: true, enumerable: false });
  return rec;
}
