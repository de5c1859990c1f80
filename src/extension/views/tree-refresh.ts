/**
 * How a rebuilt tree is announced to VS Code. A refresh of the whole tree makes the extension
 * host forget every element's handle until the workbench fetches the tree again; a context-menu
 * command run in that moment gets no element and falls back to a quick pick (the Hubs and Stale
 * Locks views rebuild at every liveness probe, and the Fleet view at every station's report, so
 * this happened to real right-clicks). So:
 * - nothing shown changed: nothing is announced;
 * - the same elements in the same places, some showing something new (a countdown, an uptime):
 *   the old element objects take the new contents and only they are refreshed, which keeps
 *   every handle valid;
 * - an element added, removed or moved below a node that stays: that node takes its new
 *   children and only it is refreshed (the extension host then forgets the handles below it
 *   alone: a hub gone on one station leaves a right-click on the lab's conflicts working);
 * - the top level itself changed: the whole tree is refreshed.
 * No vscode import, so it is tested without an editor.
 */

export interface Reconciled<T> {
  /** The roots to show: the old ones (updated in place) unless the top level changed. */
  roots: T[];
  /** What to announce: 'all', the elements whose contents or children changed, or none. */
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
  const sameKeys = (a: T[], b: T[]) => a.length === b.length && a.every((n, i) => key(n) === key(b[i]));
  if (!sameKeys(previous, next)) return { roots: next, changed: 'all' };
  const changed: T[] = [];
  const walk = (olds: T[], fresh: T[]) =>
    olds.forEach((old, i) => {
      const kept = children(old);
      if (!sameKeys(kept, children(fresh[i]))) {
        // Refreshed with its new children: one announcement covers everything below it.
        Object.assign(old, fresh[i]);
        changed.push(old);
        return;
      }
      if (render(old) !== render(fresh[i])) {
        // The old object stays the tree's element; it takes the new contents, keeping its
        // children (the same elements, updated in their own turn).
        Object.assign(old, fresh[i], 'children' in old ? { children: old.children } : {});
        changed.push(old);
      }
      walk(kept, children(fresh[i]));
    });
  walk(previous, next);
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
