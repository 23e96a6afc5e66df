// Installs the actions.js helpers in a document once, as a hidden window property, and runs
// one call. agent/browser/acting/_context.py fills in the key (a name that changes with the helpers'
// text) and the actions (actions.js itself); later calls send only a few lines that look the
// host up (they fail as missing in a new document, and this script is sent again).
//
// call = [id, name, arg, index]:
//   id null: helpers[name](el, arg), el being the element the call was made on (or null);
//   index null: locate the element the observation gave that id (the walker's registry says
//   which node owns it: a clone that copied the attribute is not it) and give back [its index
//   among the attribute's matches in Playwright's order or -1, the helper's result or null];
//   index set: run the helper on that element, or where it is gone on the index-th match
//   (the node the locator's clicks go to); a stale error when there is none.
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
    const find = (id, index) => {
      const known = remembered.get(id);
      const e = known ? known.deref() : undefined;
      if (e && e.isConnected && owns(e, id)) return e;
      return locate(id)[1] || matches(document, `[data-agent-id="${CSS.escape(id)}"]`, [])[index] || null;
    };
    const run = (target, name, arg) => (target ? actions(target, [name, arg]) : actions([name, arg]));
    host = {
      call(target, [id, name, arg, index]) {
        if (id === null) return run(target, name, arg);
        if (index === null) {
          const [at, found] = locate(id);
          return [at, found && name ? run(found, name, arg) : null];
        }
        const found = find(id, index);
        if (!found) throw new Error("__STALE__");
        return run(found, name, arg);
      },
    };
    // Not enumerable, writable or configurable: the page cannot replace or delete it.
    Object.defineProperty(window, key, { value: host });
  }
  return host.call(el, call);
}
