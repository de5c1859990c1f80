import * as vscode from 'vscode';
import { HubkeeperError } from '../../core/errors/hubkeeper-error';
import { errorText, log } from '../log';

/** Small UI helpers shared by the commands: confirmation, results, and the target of a command. */

/**
 * Options a script (or a test) may pass as a command's third argument, after the clicked item and
 * the selection: `yes` answers the confirmation, the rest answer the command's questions.
 */
export interface ScriptedOptions {
  yes?: boolean;
  newName?: string;
  olderThanDays?: number;
  file?: string;
  mode?: 'merge' | 'replace';
  /** Claim Component for This Workspace: the claim to add, instead of the pickers. */
  claim?: { name?: unknown; type?: unknown };
  /** Connect to Lab: the URL and the token. */
  url?: string;
  token?: string;
}

export function scripted(value: unknown): ScriptedOptions {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as ScriptedOptions) : {};
}

/** A modal confirmation; resolves true only for the confirming button (or when scripted with yes). */
export async function confirm(message: string, detail: string, action: string, yes = false): Promise<boolean> {
  if (yes) return true;
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
}

/** Reports an error once: a message for the user, the details in the log. */
export function reportError(what: string, err: unknown): void {
  const text = errorText(err);
  log().error(`${what}: ${text}`);
  // The message says all there is for an expected refusal; the log helps with system failures and bugs.
  const selfExplained = err instanceof HubkeeperError && err.kind !== 'io';
  const openLog = vscode.l10n.t('Open Log');
  void vscode.window
    .showErrorMessage(vscode.l10n.t('{0}: {1}', what, text), ...(selfExplained ? [] : [openLog]))
    .then((c) => c === openLog && log().show());
}

/**
 * Tree commands get (clicked item, selected items). With a multi-selection the command applies to
 * every selected item of the right kind; from the palette, to what `pick` asks for.
 */
export async function targets<T>(
  clicked: unknown,
  selected: unknown,
  is: (x: unknown) => x is T,
  pick: () => Promise<T[] | undefined>,
): Promise<T[] | undefined> {
  if (Array.isArray(selected) && selected.length > 1) return selected.filter(is);
  if (is(clicked)) return [clicked];
  return pick();
}

/** Runs `work` wrapped in a command-level error report; returns its result or undefined. */
export async function guarded<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    reportError(what, err);
    return undefined;
  }
}
