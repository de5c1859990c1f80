import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeCliLaunchers } from './cli-launcher';
import { errorText, log } from './log';

/**
 * Puts the `hubkeeper` CLI shipped in the extension on the PATH of the editor's integrated
 * terminals: a launcher under the extension's global storage (cli-launcher.ts), its directory
 * prepended to PATH through the extension's environment variable collection (new terminals get
 * it; VS Code offers to relaunch open ones).
 *
 * In any workspace, trusted or not: the launcher runs the user's own installed extension, never
 * anything from the folder, and the CLI itself applies its own rules.
 */
export async function putCliOnPath(context: vscode.ExtensionContext): Promise<void> {
  // The extension's own bundle is the CLI too (vsix-entry.ts).
  const cli = context.asAbsolutePath(path.join('dist', 'extension.js'));
  try {
    const { dir } = await writeCliLaunchers(path.join(context.globalStorageUri.fsPath, 'bin'), cli);
    const env = context.environmentVariableCollection;
    env.description = vscode.l10n.t('Puts the Hubkeeper CLI (`hubkeeper`) that ships with the extension on PATH.');
    env.prepend('PATH', dir + path.delimiter);
    log().info(`the hubkeeper CLI is on the terminals' PATH: ${dir}`);
  } catch (err) {
    // The CLI in the terminal is a convenience: a window without it still works.
    log().warn(`the hubkeeper CLI is not on the terminals' PATH: ${errorText(err)}`);
  }
}
