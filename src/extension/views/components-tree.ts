import { ComponentsState, ComponentState } from '../../core/overview/components-state';
import { COMPONENT_TYPES, ComponentType, InvalidEntry } from '../../core/registry/types';
import { Translate } from '../translate';

/**
 * What the Components view shows of the registry's state (core/overview), without vscode: the
 * welcome state, the filter, and the entries by type; its words through `t` (translate.ts).
 * Unit-tested without an editor.
 */

/** The `hubkeeper.registryState` context key: which welcome text shows. */
export type RegistryState = 'loading' | 'missing' | 'corrupt' | 'empty' | 'ok';

export function registryState(c: ComponentsState): Exclude<RegistryState, 'loading'> {
  if (c.error) return 'corrupt';
  if (!c.exists) return 'missing';
  return c.entries.length + c.invalid.length === 0 ? 'empty' : 'ok';
}

export interface ComponentFilter {
  types?: ComponentType[];
  text?: string;
}

export function isFiltering(filter: ComponentFilter): boolean {
  return Boolean(filter.text || filter.types?.length);
}

/** The Filter Components… input: names containing the text; `node:robot` also narrows to a type. */
export function parseFilter(input: string): ComponentFilter {
  const m = /^(node|module|manager|experiment|workcell):(.*)$/.exec(input.trim());
  return m ? { types: [m[1] as ComponentType], text: m[2] } : { text: input.trim() };
}

/** The view's description while a filter is on: `filter: node "robot"`. */
export function filterDescription(filter: ComponentFilter, t: Translate): string | undefined {
  if (!isFiltering(filter)) return undefined;
  const types = filter.types?.join(',') ?? '';
  return filter.text ? t('filter: {0} "{1}"', types, filter.text) : t('filter: {0}', types);
}

export interface ComponentsByType {
  /** The types with entries the filter keeps, in COMPONENT_TYPES order. */
  groups: { type: ComponentType; components: ComponentState[] }[];
  /** Unreadable entries the filter keeps (by name; they have no type). */
  invalid: InvalidEntry[];
}

export function componentsByType(state: ComponentsState, filter: ComponentFilter): ComponentsByType {
  const text = filter.text?.toLowerCase();
  const keep = (name: string) => !text || name.toLowerCase().includes(text);
  const groups = COMPONENT_TYPES.filter((type) => !filter.types?.length || filter.types.includes(type))
    .map((type) => ({ type, components: state.entries.filter((c) => c.entry.componentType === type && keep(c.entry.name)) }))
    .filter((g) => g.components.length > 0);
  return { groups, invalid: state.invalid.filter((r) => keep(r.name)) };
}

/**
 * The Components view's message (TreeView.message, plain text above the tree): why the window is
 * read-only, why the registry cannot be read (the file, the line and what to do) and a
 * registryPath setting that was ignored. A registry that cannot be read leaves the tree empty
 * and has no welcome: VS Code shows a view's welcome only while it has no message, so this
 * message is all there is, and says which command opens the file.
 */
export function componentsMessage(
  c: ComponentsState,
  notes: { untrusted?: string; registryPathProblem?: string },
  t: Translate,
): string | undefined {
  // The reason is the core's line (English, shared with the CLI); what to do is said here.
  const corrupt = c.error
    ? t(
        '{0} Open it ("Hubkeeper: Open Registry File", or the view\'s … menu) and fix it, or restore a copy; Hubkeeper writes nothing to it until it can be read.',
        c.error.replace(/\.?$/, '.'),
      )
    : undefined;
  const parts = [notes.untrusted, corrupt, notes.registryPathProblem].filter((p): p is string => Boolean(p));
  return parts.length ? parts.join(' ') : undefined;
}
