/**
 * How the vscode-free helpers of the extension (status-text.ts, views/components-tree.ts, …) say
 * things a user reads: they take a `t` and call it with an English literal, `{0}`-style
 * placeholders and the values, exactly as `vscode.l10n.t` is called. The extension passes
 * `vscode.l10n.t` itself; unit tests pass `english`. A literal, never a built string: the bundle
 * script (scripts/l10n-bundle.mjs) collects every `t('…')` and `l10n.t('…')` of src/extension.
 * No vscode import.
 */

export type L10nArg = string | number | boolean;

/** The shape of `vscode.l10n.t(message, ...args)`. */
export type Translate = (message: string, ...args: L10nArg[]) => string;

/** English, as `vscode.l10n.t` says a message without a bundle: `{n}` filled with the n-th value. */
export const english: Translate = (message, ...args) =>
  args.length === 0
    ? message
    : message.replace(/\{(\d+)\}/g, (match, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : match));
