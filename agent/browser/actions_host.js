// Installs the actions.js helpers in a document once, as a hidden window property, and runs
// one call. agent/browser/_context.py fills in the key (a name that changes with the helpers'
// text) and the actions (actions.js itself); later calls send only a few lines that look the
// host up (they fail as missing in a new document, and this script is sent again).
//
// call = [id, name, arg, locate]:
//   id null: helpers[name](el, arg), el being the element the call was made on (or null);
//   id set: the element the observation gave that id (the walker's registry says which node
//   owns it: a clone that copied the attribute is not it); a stale error when it is gone;
//   locate: [index of that element among the attribute's matches in Playwright's order, the
//   helper's result or null], index -1 when it is gone.
(first, second) => {
  const [el, call] = second === undefined ? [null, first] : [first, second];
  const key = "__KEY__";
  let host = window[key];
  if (!host) {
    const actions = __ACTIONS__;
    const owns = (e, id) => {
      const state = window.__agentDomState;
      return e.getAttribute("data-agent-id") === id && (!state || !state.ids || state.ids.get(e) === id);
    };
    // As Playwright's CSS engine lists them: a root's own matches, then each open shadow root's.
    const matches = (root, selector, out) => {
      out.push(...root.querySelectorAll(selector));
      for (const e of root.querySelectorAll("*")) if (e.shadowRoot) matches(e.shadowRoot, selector, out);
      return out;
    };
    const remembered = new Map(); // id -> WeakRef to its element, checked again on each use
    const locate = (id) => {
      const selector = `[data-agent-id="${CSS.escape(id)}"]`;
      const light = Array.from(document.querySelectorAll(selector));
      let index = light.findIndex((e) => owns(e, id));
      if (index < 0) {
        const all = matches(document, selector, []);
        index = all.findIndex((e) => owns(e, id));
        if (index >= 0) remembered.set(id, new WeakRef(all[index]));
        return [index, index >= 0 ? all[index] : null];
      }
      remembered.set(id, new WeakRef(light[index]));
      return [index, light[index]];
    };
    const find = (id) => {
      const known = remembered.get(id);
      const e = known ? known.deref() : undefined;
      if (e && e.isConnected && e.ownerDocument === document && owns(e, id)) return e;
      return locate(id)[1];
    };
    const run = (target, name, arg) => (target ? actions(target, [name, arg]) : actions([name, arg]));
    host = {
      call(target, [id, name, arg, wantIndex]) {
        if (id === null) return run(target, name, arg);
        if (wantIndex) {
          const [index, found] = locate(id);
          return [index, found && name ? run(found, name, arg) : null];
        }
        const found = find(id);
        if (!found) throw new Error("__STALE__");
        return run(found, name, arg);
      },
    };
    try {
      // Not enumerable, writable or configurable: the page cannot replace or delete it.
      Object.defineProperty(window, key, { value: host });
    } catch (e) {
      // A window that takes no new properties: this call still runs, the next sends the script again.
    }
  }
  return host.call(el, call);
}
