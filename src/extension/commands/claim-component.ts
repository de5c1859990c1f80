import * as vscode from 'vscode';
import { describeLock } from '../../core/leases/describe-lock';
import { nameProblem } from '../../core/registry/names';
import { COMPONENT_TYPES, ComponentType, isComponentType } from '../../core/registry/types';
import { CommandContext } from './command-context';
import { scripted } from './ui';

/**
 * Claim Component for This Workspace…: adds a component name to the workspace's
 * `hubkeeper.claims` (its .vscode/settings.json or .code-workspace file), as editing the setting
 * by hand would; the settings change then takes the lease (extension.ts). A write command:
 * refused in an untrusted workspace (trust.ts), where claims are not taken anyway.
 *
 * Only the workspace's own value is extended: claims from the user's settings stay there, and
 * are not copied into a file that is committed with the repository.
 */
export async function claimComponent(ctx: CommandContext, _clicked?: unknown, _selected?: unknown, options?: unknown): Promise<void> {
  const { model } = ctx;
  const opts = scripted(options);
  if (!vscode.workspace.workspaceFolders?.length) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Hubkeeper: open a folder first: claims are stored in the workspace settings (hubkeeper.claims).'),
    );
    return;
  }
  const claimed = new Set(model.settings.claims.map((c) => c.name));
  const picked = opts.claim ? checked(opts.claim) : await pickClaim(ctx, claimed);
  if (!picked) return;
  if (claimed.has(picked.name)) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Hubkeeper: this workspace already claims '{0}'.", picked.name));
    return;
  }
  const config = vscode.workspace.getConfiguration('hubkeeper');
  const own = config.inspect<unknown>('claims')?.workspaceValue;
  const claims = [...(Array.isArray(own) ? own : []), { name: picked.name, type: picked.type }];
  await config.update('claims', claims, vscode.ConfigurationTarget.Workspace);
  vscode.window.setStatusBarMessage(vscode.l10n.t("Hubkeeper: this workspace claims '{0}'", picked.name), 4000);
}

const NEW_NAME = Symbol('new name');

/** A registry entry this workspace does not claim yet, or a new name and its type. */
async function pickClaim({ model }: CommandContext, claimed: Set<string>): Promise<{ name: string; type: ComponentType } | undefined> {
  const title = vscode.l10n.t('Claim Component for This Workspace');
  const entries = model.state.components.entries.filter((c) => !claimed.has(c.entry.name));
  const items = [
    { label: `$(add) ${vscode.l10n.t('New component name…')}`, pick: NEW_NAME as typeof NEW_NAME | { name: string; type: ComponentType } },
    ...entries.map((c) => ({
      label: c.entry.name,
      description: `${c.entry.componentType} · ${describeLock(c.entry.lock, c.status)}`,
      pick: { name: c.entry.name, type: c.entry.componentType },
    })),
  ];
  const chosen = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: vscode.l10n.t('The window holds the lease of a claimed component while it is open'),
    matchOnDescription: true,
  });
  if (!chosen) return undefined;
  if (chosen.pick !== NEW_NAME) return chosen.pick;
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('The component name; its entry is created in the registry when the lease is taken.'),
    validateInput: (value) =>
      nameProblem(value) ?? (claimed.has(value) ? vscode.l10n.t("this workspace already claims '{0}'", value) : undefined),
  });
  if (name === undefined) return undefined;
  // A name typed that is in the registry keeps its type (an entry's type never changes).
  const known = model.state.components.entries.find((c) => c.entry.name === name);
  if (known) return { name, type: known.entry.componentType };
  const type = await vscode.window.showQuickPick([...COMPONENT_TYPES], { title, placeHolder: vscode.l10n.t("'{0}' is a…", name) });
  return type && isComponentType(type) ? { name, type } : undefined;
}

/** A script's claim (ui.ts ScriptedOptions), held to the same rules as a typed one. */
function checked(claim: { name?: unknown; type?: unknown }): { name: string; type: ComponentType } | undefined {
  const { name, type } = claim;
  if (typeof name !== 'string' || nameProblem(name) || !isComponentType(type)) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t('Hubkeeper: the claim {0} needs a valid "name" and "type"; nothing was claimed.', JSON.stringify(claim)),
    );
    return undefined;
  }
  return { name, type };
}
