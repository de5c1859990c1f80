import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  COMPONENT_GROUP,
  componentContext,
  HUB_GROUP,
  hubContext,
  INLINE_ACTIONS,
  INVALID_COMPONENT,
  ITEM_MENUS,
  ItemMenuCommand,
  offers,
  REGISTRY_ERROR,
  staleLockContext,
} from '../../src/extension/views/context-values';
import { ROOT } from '../support/helpers';

/**
 * The tree items' contextValue grammar (src/extension/views/context-values.ts) against
 * package.json's item menus: what a right-click offers, and what a command picks from the palette,
 * decided without an editor.
 */

const allItemMenus: { command: string; when: string; group?: string }[] = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'),
).contributes.menus['view/item/context'];
/** The context menu's entries; the inline (hover) actions are the same commands again. */
const itemMenus = allItemMenus.filter((m) => m.group !== 'inline');
const inlineMenus = allItemMenus.filter((m) => m.group === 'inline');

/** The `viewItem =~ /…/` of a package.json item menu, as the editor reads it. */
function manifestPattern(command: string, menus = itemMenus): RegExp {
  const entry = menus.find((m) => m.command === command);
  assert.ok(entry, `${command} has an item menu`);
  const m = /viewItem =~ \/((?:\\.|[^/\\])+)\//.exec(entry.when);
  assert.ok(m, `${command}: no viewItem =~ /…/ in ${entry.when}`);
  return new RegExp(m[1]);
}

/** The commands a right-click on an item with this contextValue offers, by package.json. */
const offeredByManifest = (contextValue: string) =>
  itemMenus.filter((m) => manifestPattern(m.command).test(contextValue)).map((m) => m.command);

test("package.json's item menus use the shared patterns, one for each item command", () => {
  assert.deepEqual(itemMenus.map((m) => m.command).sort(), Object.keys(ITEM_MENUS).sort());
  for (const [command, pattern] of Object.entries(ITEM_MENUS)) assert.equal(manifestPattern(command).source, pattern.source, command);
});

test('a group header, the registry error line and a hub group offer no item command', () => {
  for (const header of [COMPONENT_GROUP, REGISTRY_ERROR, HUB_GROUP]) assert.deepEqual(offeredByManifest(header), [], header);
});

test('what each item offers: its menu in package.json and its palette pick agree', () => {
  const T = 'hubkeeper.showLeaseTimeline'; // on every component and hub
  const expected: [string, ItemMenuCommand[]][] = [
    [
      componentContext('free'),
      ['hubkeeper.components.rename', 'hubkeeper.components.delete', 'hubkeeper.components.copyId', 'hubkeeper.components.reveal', T],
    ],
    [
      componentContext('held'),
      [
        'hubkeeper.components.rename',
        'hubkeeper.components.release',
        'hubkeeper.components.delete',
        'hubkeeper.components.copyId',
        'hubkeeper.components.reveal',
        T,
      ],
    ],
    [
      componentContext('expired'),
      [
        'hubkeeper.components.rename',
        'hubkeeper.components.release',
        'hubkeeper.components.delete',
        'hubkeeper.components.copyId',
        'hubkeeper.components.reveal',
        T,
      ],
    ],
    [
      componentContext('abandoned'),
      [
        'hubkeeper.components.rename',
        'hubkeeper.components.release',
        'hubkeeper.components.delete',
        'hubkeeper.components.copyId',
        'hubkeeper.components.reveal',
        T,
      ],
    ],
    [INVALID_COMPONENT, ['hubkeeper.components.delete', 'hubkeeper.components.reveal']],
    [hubContext({ state: 'idle', cwd: '/w' }, false), ['hubkeeper.hubs.openFolder', T]],
    [
      hubContext({ state: 'running', cwd: '/w', hubUrl: 'http://127.0.0.1:1', record: {} as never }, true),
      ['hubkeeper.hubs.reap', 'hubkeeper.hubs.openFolder', 'hubkeeper.hubs.copyUrl', 'hubkeeper.hubs.revealEntry', T],
    ],
    [hubContext({ state: 'orphan', untrusted: 'others can write the entry' }, false), ['hubkeeper.hubs.reap', T]],
    [hubContext({ state: 'stopped', record: {} as never }, false), ['hubkeeper.hubs.reap', 'hubkeeper.hubs.revealEntry', T]],
    [hubContext({ state: 'unreachable' }, false), ['hubkeeper.hubs.reap', T]],
    [staleLockContext('lease'), ['hubkeeper.locks.release']],
    [staleLockContext('hub'), ['hubkeeper.locks.release']],
  ];
  for (const [contextValue, commands] of expected) {
    assert.deepEqual(offeredByManifest(contextValue).sort(), [...commands].sort(), `menu of ${contextValue}`);
    const picked = (Object.keys(ITEM_MENUS) as ItemMenuCommand[]).filter((c) => offers(c, contextValue));
    assert.deepEqual(picked.sort(), [...commands].sort(), `palette picks of ${contextValue}`);
  }
  assert.equal(
    hubContext({ state: 'running', cwd: '/w', hubUrl: 'u', record: {} as never, untrusted: 'x' }, true),
    'hub.running.hasFolder.hasUrl.hasEntry.current.untrusted',
  );
});

test('inline (hover) actions: the shared patterns, each offered only where its context menu entry is, with the same view and trust clause', () => {
  assert.deepEqual(inlineMenus.map((m) => m.command).sort(), Object.keys(INLINE_ACTIONS).sort());
  const samples = [
    ...(['free', 'held', 'expired', 'abandoned'] as const).map(componentContext),
    INVALID_COMPONENT,
    ...(['running', 'unreachable', 'orphan', 'idle', 'stopped'] as const).map((state) =>
      hubContext({ state, cwd: '/w', hubUrl: 'u', record: {} as never }, false),
    ),
    staleLockContext('lease'),
    staleLockContext('hub'),
    COMPONENT_GROUP,
    REGISTRY_ERROR,
    HUB_GROUP,
  ];
  for (const [command, pattern] of Object.entries(INLINE_ACTIONS)) {
    assert.equal(manifestPattern(command, inlineMenus).source, pattern.source, command);
    const inline = inlineMenus.find((m) => m.command === command)?.when ?? '';
    const menu = itemMenus.find((m) => m.command === command)?.when ?? '';
    const clauses = (when: string) => when.split(' && ').filter((c) => !c.startsWith('viewItem'));
    assert.deepEqual(clauses(inline), clauses(menu), `${command}: the inline action and the menu entry differ outside viewItem`);
    for (const value of samples)
      if (pattern.test(value)) assert.ok(offers(command as ItemMenuCommand, value), `${command} inline on ${value} but not in its menu`);
  }
  assert.ok(samples.some((v) => INLINE_ACTIONS['hubkeeper.hubs.reap'].test(v)) && !INLINE_ACTIONS['hubkeeper.hubs.reap'].test(samples[5]));
});

test('destructive items (Delete Entry…, Reap…) are the last group of their menus, and alone in it', () => {
  const groupOf = (m: { group?: string }) => m.group?.split('@')[0] ?? '';
  for (const destructive of ['hubkeeper.components.delete', 'hubkeeper.hubs.reap']) {
    const entry = itemMenus.find((m) => m.command === destructive);
    assert.ok(entry, destructive);
    const view = /view == ([\w.]+)/.exec(entry.when)?.[1];
    const sameView = itemMenus.filter((m) => m.when.includes(`view == ${view} `));
    const last = [...sameView.map(groupOf)].sort().pop();
    assert.equal(groupOf(entry), last, `${destructive} is in the last group of ${view}`);
    assert.deepEqual(
      sameView.filter((m) => groupOf(m) === last).map((m) => m.command),
      [destructive],
      `${destructive} is alone in its group`,
    );
  }
});
