/**
 * Text from files and processes (component names, hosts, evidence, folder names, paths) put into
 * a tooltip's Markdown. Whoever writes a registry or a hub entry chooses that text: unescaped, a
 * name like `![x](https://evil/p.png)` loads a remote image when the tooltip opens, and a link can
 * point at a command. No vscode import, so it is tested without an editor.
 */

/**
 * Escapes every ASCII punctuation character (CommonMark lets any of them be backslash-escaped,
 * and then it is only text: no link, image, emphasis, HTML, entity, table cell or `$(icon)`), and
 * turns line breaks into spaces so the text cannot start a block of its own.
 */
export function mdText(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** `text` as an inline code span: a backtick fence longer than any run inside it. */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block that `code` cannot close early (MarkdownString.appendCodeblock uses three backticks). */
export function mdCodeBlock(code: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  return `\n${fence}${language}\n${code}\n${fence}\n`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
