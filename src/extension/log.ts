import * as vscode from 'vscode';

/** The "Hubkeeper" log. Every error that is not shown in a view or a message ends up here. */
let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  return (channel ??= vscode.window.createOutputChannel('Hubkeeper', { log: true }));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
