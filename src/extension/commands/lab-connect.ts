import * as vscode from 'vscode';
import { LabClient, LabUnreachable } from '../../core/agent/lab-client';
import { labSecretKey, parseLabUrls } from '../../core/fleet/lab-url';
import { connectAnswers, disconnectPlan } from '../lab-decisions';
import { log } from '../log';
import { CommandContext } from './command-context';
import { confirm, scripted } from './ui';

/**
 * Connect to Lab…: the URL (validated: http(s), no credentials in it, plain http only to this
 * machine unless the user says "Connect anyway"), then the token in a password box, checked
 * against the lab before anything is kept. The token goes to the editor's secret storage (keyed
 * by the lab's origin), the URL to the user's settings — never the token to settings.json.
 * Returns the one line it ends with (for scripts and tests); a refusal is that line, as a warning.
 * Scripted answers (url, token, yes) count only in the extension's tests (lab-decisions.ts).
 */
export async function connectToLab(
  { windowLab, extensionMode }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<string | undefined> {
  const opts = connectAnswers(options, extensionMode === vscode.ExtensionMode.Test);
  const current = vscode.workspace.getConfiguration('hubkeeper').inspect<string>('lab.url')?.globalValue ?? '';
  const text =
    opts.url ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Connect to Lab'),
      prompt: vscode.l10n.t('The lab URL (hubkeeper lab serve), or several replica URLs separated by commas'),
      placeHolder: vscode.l10n.t('https://lab.example.org:8790'),
      value: current,
      ignoreFocusOut: true,
      validateInput: (v) => {
        const parsed = parseLabUrls(v);
        return 'problem' in parsed ? parsed.problem : undefined;
      },
    }));
  if (text === undefined) return undefined;
  const parsed = parseLabUrls(text);
  if ('problem' in parsed) return refuse(vscode.l10n.t('Not connected: {0}', parsed.problem));
  if (
    parsed.cleartextHosts.length > 0 &&
    !(await confirm(
      vscode.l10n.t('{0} is reached over plain http.', parsed.cleartextHosts.join(', ')),
      vscode.l10n.t(
        'The lab token would travel in clear on the network; anyone on the way could read it and act as this station. Use https unless the network is yours.',
      ),
      vscode.l10n.t('Connect anyway'),
      opts.yes,
    ))
  )
    return undefined;
  const origin = parsed.urls[0].origin;
  const token =
    opts.token ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Connect to Lab'),
      prompt: vscode.l10n.t('The token for {0} (a station token from "hubkeeper lab token create", or the lab token)', origin),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : vscode.l10n.t('A token is one word')),
    }));
  if (!token?.trim()) return undefined;
  const problem = await checkToken(parsed.urls, token.trim());
  if (problem) return refuse(vscode.l10n.t('Not connected to {0}: {1}', origin, problem));
  await windowLab.storeToken(labSecretKey(parsed.urls[0]), token.trim());
  await vscode.workspace
    .getConfiguration('hubkeeper')
    .update('lab.url', parsed.urls.map((u) => u.origin).join(', '), vscode.ConfigurationTarget.Global);
  // Forced: the same URL and token as a connection the lab refused are tried again, not kept refused.
  await windowLab.sync({ force: true });
  const line = vscode.l10n.t("Connected to the lab at {0}; the token is kept in the editor's secret storage", origin);
  log().info(line);
  vscode.window.setStatusBarMessage(line, 5000);
  return line;
}

/**
 * Disconnect from Lab: forgets the stored token of the configured lab; with a token file set
 * (which would connect again at once) also clears the user's lab URL, after a confirmation.
 */
export async function disconnectFromLab(
  { windowLab, model }: CommandContext,
  _clicked?: unknown,
  _selected?: unknown,
  options?: unknown,
): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration('hubkeeper');
  const text = config.inspect<string>('lab.url')?.globalValue ?? '';
  const parsed = parseLabUrls(text);
  if ('problem' in parsed) return undefined;
  const origin = parsed.urls[0].origin;
  const tokenFile = model.settings.lab.tokenFile;
  const plan = disconnectPlan(tokenFile);
  if (
    plan.confirm &&
    !(await confirm(
      vscode.l10n.t('Disconnect from the lab at {0}?', origin),
      vscode.l10n.t(
        'hubkeeper.lab.tokenFile ({0}) would connect again at once, so hubkeeper.lab.url is cleared in your user settings too. The token file stays.',
        tokenFile ?? '',
      ),
      vscode.l10n.t('Disconnect'),
      scripted(options).yes,
    ))
  )
    return undefined;
  await windowLab.forgetToken(labSecretKey(parsed.urls[0]));
  if (plan.clearUrl) await config.update('lab.url', undefined, vscode.ConfigurationTarget.Global);
  await windowLab.sync();
  const line = plan.clearUrl
    ? vscode.l10n.t(
        'Disconnected: the token for {0} was removed from the secret storage and hubkeeper.lab.url cleared (hubkeeper.lab.tokenFile would connect again)',
        origin,
      )
    : vscode.l10n.t('Disconnected: the token for {0} was removed from the secret storage', origin);
  log().info(line);
  vscode.window.setStatusBarMessage(line, 5000);
  return line;
}

/** Undefined when the lab accepts the token; else why not, in a few words. */
async function checkToken(urls: URL[], token: string): Promise<string | undefined> {
  const client = new LabClient(urls, token);
  try {
    const res = await client.call('GET', '/lab/status', undefined, 10_000);
    if (res.status === 401 || res.status === 403)
      return vscode.l10n.t('the lab refused the token (HTTP {0}: {1})', res.status, String(res.body?.error ?? '').slice(0, 200));
    if (res.status !== 200 || typeof res.body?.fleet !== 'string')
      return vscode.l10n.t('GET /lab/status answered HTTP {0}, not a Hubkeeper lab status', res.status);
    return undefined;
  } catch (err) {
    return err instanceof LabUnreachable ? vscode.l10n.t('unreachable ({0})', err.message) : (err as Error).message;
  } finally {
    client.close();
  }
}

function refuse(line: string): string {
  log().warn(line);
  void vscode.window.showWarningMessage(line);
  return line;
}
