import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { reconcile, renderedItem } from '../../src/extension/views/tree-refresh';

class Group {
  constructor(
    readonly title: string,
    readonly children: Leaf[],
  ) {}
}
class Leaf {
  constructor(
    readonly name: string,
    readonly uptime: number,
  ) {}
}
type Node = Group | Leaf;
const key = (n: Node) => (n instanceof Group ? `g:${n.title}` : `l:${n.name}`);
const render = (n: Node) => (n instanceof Group ? `${n.title} (${n.children.length})` : `${n.name} up ${n.uptime} s`);
const kids = (n: Node) => (n instanceof Group ? n.children : []);
const tree = (uptimes: Record<string, number>, orphans: string[] = []) => [
  new Group(
    'Running',
    Object.entries(uptimes).map(([n, u]) => new Leaf(n, u)),
  ),
  ...(orphans.length
    ? [
        new Group(
          'Orphans',
          orphans.map((n) => new Leaf(n, 1)),
        ),
      ]
    : []),
];

test('a rebuild that shows the same: nothing announced, the same element objects kept', () => {
  const shown = tree({ analysis: 5, robot: 3 });
  const { roots, changed } = reconcile<Node>(shown, tree({ analysis: 5, robot: 3 }), key, render, kids);
  assert.equal(roots, shown);
  assert.deepEqual(changed, []);
});

test('new contents in the same places: the old objects take them, only they are announced (their handles stay valid)', () => {
  const shown = tree({ analysis: 5, robot: 3 });
  const [group] = shown as [Group];
  const [analysis, robot] = group.children;
  const { roots, changed } = reconcile<Node>(shown, tree({ analysis: 8, robot: 3 }), key, render, kids);
  assert.equal(roots, shown);
  assert.deepEqual(changed, [analysis]);
  assert.equal(changed[0], analysis, 'the same object, now with the new uptime');
  assert.equal(analysis.uptime, 8);
  assert.equal(group.children[1], robot);
});

test('the top level changed (a group added or gone): the whole tree is announced with the new elements', () => {
  const shown = tree({ analysis: 5, robot: 3 });
  for (const next of [tree({ analysis: 5, robot: 3 }, ['old-experiment']), []]) {
    const { roots, changed } = reconcile<Node>(shown, next, key, render, kids);
    assert.equal(changed, 'all');
    assert.equal(roots, next);
  }
});

test('an element added, removed or moved in a group: only that group is announced, with its new children; the other roots keep their objects', () => {
  for (const next of [
    tree({ analysis: 5, robot: 3, sealer: 1 }, ['old-experiment']),
    tree({ analysis: 5 }, ['old-experiment']),
    tree({ robot: 3, analysis: 5 }, ['old-experiment']),
  ]) {
    const shown = tree({ analysis: 5, robot: 3 }, ['old-experiment']);
    const [running, orphans] = shown as [Group, Group];
    const orphan = orphans.children[0];
    const { roots, changed } = reconcile<Node>(shown, next, key, render, kids);
    assert.equal(roots, shown, 'the roots are the same objects: their handles stay valid');
    assert.deepEqual(changed, [running]);
    assert.equal(changed[0], running, 'the same object, announced once for everything below it');
    assert.deepEqual(
      running.children.map((l) => l.name),
      (next[0] as Group).children.map((l) => l.name),
    );
    assert.equal(orphans.children[0], orphan, 'the untouched group keeps its element objects');
  }
});

test('renderedItem sees a MarkdownString tooltip by its text (class instances hide it from JSON)', () => {
  class Md {
    #text: string;
    constructor(text: string) {
      this.#text = text;
    }
    get value() {
      return this.#text;
    }
  }
  assert.notEqual(renderedItem({ label: 'a', tooltip: new Md('one') }), renderedItem({ label: 'a', tooltip: new Md('two') }));
  assert.equal(renderedItem({ label: 'a', description: 'd' }), renderedItem({ label: 'a', description: 'd' }));
});
