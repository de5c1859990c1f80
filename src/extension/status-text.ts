/**
 * The status bar item's text, without vscode: an icon, the first folder's name and how many more
 * folders there are. A long folder name is shortened in the middle (its start and its end are
 * what tell folders apart: `robot-cell-…-v2`), so the item never crowds the status bar; the
 * tooltip and the accessible label keep the whole name.
 */

export const STATUS_NAME_MAX = 24;

export function shortFolderName(name: string, max = STATUS_NAME_MAX): string {
  const chars = [...name]; // by code point: an emoji is never cut in half
  if (chars.length <= max) return name;
  const keep = max - 1;
  const head = Math.ceil(keep * 0.6);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/** `$(broadcast) robot-cell +1`: the icon, the first folder (shortened), the others counted. */
export function statusText(icon: string, folderNames: string[]): string {
  const [first, ...others] = folderNames;
  if (first === undefined) return `$(${icon}) Hubkeeper`;
  return `$(${icon}) ${shortFolderName(first)}${others.length ? ` +${others.length}` : ''}`;
}
