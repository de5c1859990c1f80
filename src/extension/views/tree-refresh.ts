/**
 * How a rebuilt tree is announced to VS Code. A refresh of the whole tree makes the extension
 * host forget every element's handle until the workbench fetches the tree again; a context-menu
 * command run in that moment gets no element and falls back to a quick pick (the Hubs and Stale
 * Locks views rebuild at every liveness probe, so this happened to real right-clicks). So:
 * - nothing shown changed: nothing is announced;
 * - the same elements in the same places, some showing something new (a countdown, an uptime):
 *   the old element objects take the new contents and only they are refreshed, which keeps
 *   every handle valid;
 * - anything else (an element added, removed or moved): the whole tree is refreshed.
 * No vscode import, so it is tested without an editor.
 */

export interface Reconciled<T> {
  /** The roots to show: the old ones (updated in place) unless the structure changed. */
  roots: T[];
  /** What to announce: 'all', the elements whose contents changed, or none. */
  changed: 'all' | T[];
}

/**
 * `key` names an element (its TreeItem id), `render` is everything VS Code shows of it (label,
 * description, tooltip, icon, context value), `children` lists a node's children (a group node
 * keeps them in its `children` property).
 */
export function reconcile<T extends object>(
  previous: T[],
  next: T[],
  key: (n: T) => string,
  render: (n: T) => string,
  children: (n: T) => T[] = () => [],
): Reconciled<T> {
  const flatten = (roots: T[]) => {
    const out: { path: string; node: T }[] = [];
    const walk = (nodes: T[], parent: string) => {
      for (const n of nodes) {
        const path = `${parent}/${key(n)}`;
        out.push({ path, node: n });
        walk(children(n), path);
      }
    };
    walk(roots, '');
    return out;
  };
  const before = flatten(previous);
  const after = flatten(next);
  if (before.length !== after.length || before.some((b, i) => b.path !== after[i].path)) return { roots: next, changed: 'all' };
  const changed: T[] = [];
  for (const [i, { node: old }] of before.entries()) {
    const fresh = after[i].node;
    if (render(old) === render(fresh)) continue;
    // The old object stays the tree's element; it takes the new contents, keeping its children
    // (the same elements, updated in their own turn).
    const kept = (old as { children?: unknown }).children;
    Object.assign(old, fresh, kept ? { children: kept } : {});
    changed.push(old);
  }
  return { roots: previous, changed };
}

/** Everything VS Code shows of a TreeItem, as one string (a MarkdownString tooltip by its text). */
export function renderedItem(item: {
  label?: unknown;
  description?: unknown;
  tooltip?: unknown;
  contextValue?: string;
  iconPath?: unknown;
  collapsibleState?: unknown;
  accessibilityInformation?: unknown;
  command?: unknown;
}): string {
  const tooltip =
    item.tooltip && typeof item.tooltip === 'object' && 'value' in item.tooltip ? (item.tooltip as { value: unknown }).value : item.tooltip;
  return JSON.stringify([
    item.label,
    item.description,
    tooltip,
    item.contextValue,
    item.iconPath,
    item.collapsibleState,
    item.accessibilityInformation,
    item.command,
  ]);
}
