import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { commandTitles, isWriteCommand, writeCommandTitles } from '../../src/extension/command-titles';
import { english } from '../../src/extension/translate';
import { localizedManifest, readNls } from '../support/manifest';

/**
 * package.json's trust, scope and menu declarations, checked against the code's list of write
 * commands; its words as the editor shows them (package.nls.json's English for each %key%).
 */

interface MenuEntry {
  command: string;
  when?: string;
}
const pkg = localizedManifest();
const WRITE_COMMANDS = writeCommandTitles(english);
const COMMAND_TITLES = commandTitles(english);
const contributes = pkg.contributes;
/** A manifest string as the editor shows it: `%key%` is the English text in package.nls.json. */
const nls = readNls();
const shown = (text: string) => text.replace(/^%([\w.-]+)%$/, (whole, key: string) => nls[key] ?? whole);
const settings: Record<string, { scope?: string; type: string; minimum?: number; maximum?: number; markdownDescription?: string }> =
  contributes.configuration.properties;

test('Workspace Trust: limited support, every abusable setting restricted, virtual workspaces declared, runs where the files are', () => {
  const untrusted = pkg.capabilities?.untrustedWorkspaces;
  assert.equal(untrusted?.supported, 'limited');
  assert.ok(untrusted.description.length > 40, 'says what works untrusted');
  const pathLike = Object.keys(settings).filter((k) => /path|registr|claims|hub\.enabled/i.test(k));
  for (const key of ['hubkeeper.registryPath', 'hubkeeper.claims', 'hubkeeper.workspaceRegistries', 'hubkeeper.hub.enabled', ...pathLike]) {
    assert.ok(untrusted.restrictedConfigurations.includes(key), `${key} is restricted`);
  }
  for (const key of untrusted.restrictedConfigurations) assert.ok(settings[key], `${key} is a setting`);
  assert.ok([false, 'limited'].includes(pkg.capabilities.virtualWorkspaces?.supported));
  assert.ok(pkg.capabilities.virtualWorkspaces.description);
  assert.deepEqual(pkg.extensionKind, ['workspace']);
});

test('every write command is hidden in an untrusted workspace: palette, view title, item menus and welcome links', () => {
  const titles = new Map<string, string>(contributes.commands.map((c: { command: string; title: string }) => [c.command, shown(c.title)]));
  const palette: MenuEntry[] = contributes.menus.commandPalette;
  for (const [id, title] of Object.entries(WRITE_COMMANDS)) {
    assert.equal(titles.get(id)?.replace(/\u2026$/, ''), title, `${id} is contributed with this title`);
    const entry = palette.find((e) => e.command === id);
    assert.ok(
      entry && (entry.when === 'false' || /(^|&& )isWorkspaceTrusted( &&|$)/.test(entry.when ?? '')),
      `${id}: palette when = ${entry?.when}`,
    );
  }
  for (const section of ['view/title', 'view/item/context']) {
    for (const e of contributes.menus[section] as MenuEntry[]) {
      if (isWriteCommand(e.command)) assert.match(e.when ?? '', /&& isWorkspaceTrusted$/, `${section} ${e.command}`);
    }
  }
  for (const k of contributes.keybindings as MenuEntry[]) {
    if (isWriteCommand(k.command)) assert.match(k.when ?? '', /&& isWorkspaceTrusted$/, `keybinding ${k.command}`);
  }
  for (const w of contributes.viewsWelcome as { contents: string; when: string }[]) {
    for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) {
      if (isWriteCommand(id)) assert.match(w.when, /&& isWorkspaceTrusted$/, `welcome link to ${id}`);
    }
  }
  // Read commands stay available untrusted.
  for (const id of ['hubkeeper.refresh', 'hubkeeper.showLog', 'hubkeeper.components.filter', 'hubkeeper.components.export'])
    assert.ok(!isWriteCommand(id), id);
});

test("every contributed command is in the code's list with its title, and nothing else is", () => {
  const contributed = Object.fromEntries(
    contributes.commands.map((c: { command: string; title: string }) => [c.command, shown(c.title).replace(/\u2026$/, '')]),
  );
  assert.deepEqual(Object.fromEntries(Object.entries(COMMAND_TITLES).sort()), Object.fromEntries(Object.entries(contributed).sort()));
});

test('every setting has a scope; the numbers have bounds; setting links point at settings', () => {
  const expected: Record<string, string> = {
    'hubkeeper.workspaceRegistries': 'machine',
    'hubkeeper.claims': 'resource',
    'hubkeeper.hub.enabled': 'resource',
    'hubkeeper.registryPath': 'machine-overridable',
    'hubkeeper.leaseTtlSeconds': 'machine-overridable',
    'hubkeeper.heartbeatIntervalSeconds': 'machine-overridable',
    'hubkeeper.reapGraceSeconds': 'machine-overridable',
    'hubkeeper.probeIntervalSeconds': 'machine-overridable',
    // Where the token goes, which file is a token, what other machines may do here: never a repository's choice.
    'hubkeeper.lab.url': 'machine',
    'hubkeeper.lab.tokenFile': 'machine',
    'hubkeeper.lab.station': 'machine',
    'hubkeeper.lab.allowRemote': 'machine',
  };
  for (const [key, s] of Object.entries(settings)) {
    assert.ok(s.scope, `${key} has a scope`);
    if (expected[key]) assert.equal(s.scope, expected[key], key);
    if (s.type === 'number')
      assert.ok(s.minimum !== undefined && s.maximum !== undefined && s.minimum < s.maximum, `${key} has a minimum and a maximum`);
    for (const [, linked] of (s.markdownDescription ?? '').matchAll(/`#([\w.]+)#`/g))
      assert.ok(settings[linked], `${key} links to ${linked}`);
  }
  assert.match(settings['hubkeeper.registryPath'].markdownDescription ?? '', /registry\.json/);
  for (const key of ['hubkeeper.lab.url', 'hubkeeper.lab.tokenFile', 'hubkeeper.lab.allowRemote']) {
    assert.match(
      settings[key].markdownDescription ?? '',
      /Machine scope: a repository's settings cannot/,
      `${key} says why it is machine scope`,
    );
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key), `${key} is restricted`);
  }
  assert.deepEqual((settings['hubkeeper.lab.allowRemote'] as { default?: unknown }).default, [], 'nothing is allowed by default');
  for (const [key, text] of Object.entries(nls)) assert.ok(!/^%/.test(text) && text.trim(), `package.nls.json ${key} has its English text`);
});

test("keybindings follow the editor's conventions and act only while the view has focus: F2 renames, Delete deletes", () => {
  const bindings: { command: string; key: string; mac?: string; when: string; args?: { fromView?: string } }[] = contributes.keybindings;
  const byCommand = new Map(bindings.map((b) => [b.command, b]));
  assert.equal(byCommand.get('hubkeeper.components.rename')?.key, 'f2');
  assert.equal(byCommand.get('hubkeeper.components.delete')?.key, 'delete');
  assert.equal(byCommand.get('hubkeeper.components.delete')?.mac, 'cmd+backspace');
  for (const b of bindings) {
    assert.match(b.when, /^focusedView == hubkeeper\.components && !inputFocus && /, `${b.command}: when ${b.when}`);
    // A keybinding passes no tree item: the handler takes the view's selection (register-commands.ts).
    assert.equal(b.args?.fromView, 'hubkeeper.components', `${b.command} names its view`);
  }
});

test('every view has an icon (shown in other containers and in Open View), the extension is marked preview, no link points at example.invalid', () => {
  for (const view of Object.values(contributes.views as Record<string, { id: string; icon?: string }[]>).flat())
    assert.match(view.icon ?? '', /^\$\([\w-]+\)$/, `${view.id} has a codicon`);
  assert.equal(pkg.preview, true);
  assert.doesNotMatch(JSON.stringify(pkg), /example\.invalid/);
});
