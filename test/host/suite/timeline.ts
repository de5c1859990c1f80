import * as vscode from 'vscode';
import type { HubkeeperApi } from '../../../src/extension/extension';
import type { TimelinePanel } from '../../../src/extension/timeline/timeline-panel';
import { handsEveryMinute, leaseEvent, MemoryLeaseEventSource, MINUTE } from '../../support/timeline-samples';
import { assert, MiniRunner, waitFor } from './mini-runner';

/**
 * The Lease Timeline inside a real extension host: the command opens the webview panel, the page
 * (dist/timeline.js, under its CSP) draws the model it is posted and reports what it drew. The
 * events come from an in-memory LeaseEventSource passed as the command's options (the journal is
 * built apart); everything else is the real editor.
 */

export async function run(): Promise<void> {
  const t = new MiniRunner();
  let api!: HubkeeperApi;
  let panel!: TimelinePanel;
  // A lease that changed hands every minute, ending half a minute ago: 60 bars in the last hour.
  const t0 = Date.now() - 59 * MINUTE - 30_000;
  const source = new MemoryLeaseEventSource(handsEveryMinute(t0));

  await t.test('activates', async () => {
    const ext = vscode.extensions.getExtension<HubkeeperApi>('hubkeeper.hubkeeper');
    assert(ext, 'extension hubkeeper.hubkeeper is not installed');
    api = await waitFor('activation', async () => (ext.isActive ? ext.exports : undefined));
    await api.ready;
  });

  await t.test('Show Lease Timeline opens the panel; its page reports the rows and bars of a lease that changed hands', async () => {
    panel = (await vscode.commands.executeCommand('hubkeeper.showLeaseTimeline', undefined, undefined, { source })) as TimelinePanel;
    assert(panel?.panel, `the command returned ${panel}`);
    const rendered = await waitFor('the page to report what it drew', () => panel.rendered);
    assert(rendered.rows === 1 && rendered.bars === 60, `rendered ${JSON.stringify(rendered)}`);
    assert(rendered.markers === 59 && rendered.tableLines === 119, `rendered ${JSON.stringify(rendered)}`);
    assert(rendered.spanMs === 3_600_000, `zoom ${rendered.spanMs}`);
    assert(panel.panel.visible && panel.panel.title === 'Lease Timeline', `panel title ${panel.panel.title}`);
    return rendered;
  });

  await t.test('new events in the source reach the page while it is visible (the refresh), without reopening it', async () => {
    source.list.push(leaseEvent(Date.now(), 'released', { holder: handsEveryMinute(t0)[59].holder }));
    const rendered = await waitFor('the refreshed page', () => (panel.rendered?.markers === 60 ? panel.rendered : undefined));
    assert(rendered.bars === 60 && rendered.rows === 1, `rendered ${JSON.stringify(rendered)}`);
    return rendered;
  });

  await t.test("from a component's context menu: the same panel, filtered to that component", async () => {
    const node = await waitFor('a component in the view', () => api.components.components()[0]);
    const own = new MemoryLeaseEventSource([
      ...source.list,
      leaseEvent(Date.now() - 5 * MINUTE, 'acquired', {
        subject: { kind: 'component', name: node.name, id: node.entry.id, station: null },
        expiresAtMs: Date.now() + MINUTE,
      }),
    ]);
    const again = (await vscode.commands.executeCommand('hubkeeper.showLeaseTimeline', node, undefined, { source: own })) as TimelinePanel;
    assert(again === panel, 'one panel per window: the same one is shown again');
    const rendered = await waitFor(`the page filtered to ${node.name} ${node.entry.id}`, () =>
      panel.rendered?.scope === 'subject' && panel.rendered.rows === 1 && panel.rendered.bars === 1 ? panel.rendered : undefined,
    ).catch((err) => {
      throw new Error(`${err.message}; it drew ${JSON.stringify(panel.rendered)}, title ${panel.panel.title}`);
    });
    assert(panel.panel.title === `Lease Timeline: ${node.name}`, `title ${panel.panel.title}`);
    return { component: node.name, rendered };
  });

  await t.test("from a hub's context menu: filtered to that hub (by its workspace id)", async () => {
    const node = await waitFor("this window's hub", () => api.hubs.hubNodes().find((n) => n.isOwn && n.hub.id));
    const hub = { kind: 'hub' as const, name: node.hub.name, id: node.hub.id ?? null, station: null };
    const own = new MemoryLeaseEventSource([
      ...source.list,
      leaseEvent(Date.now() - 10 * MINUTE, 'hub-started', { subject: hub }),
      leaseEvent(Date.now() - 2 * MINUTE, 'hub-orphaned', { subject: hub, detail: 'cwd no longer exists' }),
    ]);
    await vscode.commands.executeCommand('hubkeeper.showLeaseTimeline', node, undefined, { source: own });
    const rendered = await waitFor(`the page filtered to hub ${hub.name}`, () =>
      panel.rendered?.rows === 1 && panel.rendered.bars === 1 && panel.rendered.markers === 2 ? panel.rendered : undefined,
    ).catch((err) => {
      throw new Error(`${err.message}; it drew ${JSON.stringify(panel.rendered)}`);
    });
    assert(panel.panel.title === `Lease Timeline: ${hub.name}`, `title ${panel.panel.title}`);
    return { hub: hub.name, rendered };
  });

  await t.test("without a lab the default source is this machine's local lease journal", async () => {
    await vscode.commands.executeCommand('hubkeeper.showLeaseTimeline');
    await waitFor('the journal as the source', () => panel.sourceLabel.startsWith('local journal ('));
    const rendered = await waitFor('the page drew it', () => panel.rendered);
    assert(rendered.rows >= 0, `rendered ${JSON.stringify(rendered)}`);
  });

  await t.test('closing the panel and showing it again makes a new one', async () => {
    panel.panel.dispose();
    const fresh = (await vscode.commands.executeCommand('hubkeeper.showLeaseTimeline', undefined, undefined, { source })) as TimelinePanel;
    assert(fresh !== panel, 'a disposed panel is not reused');
    const rendered = await waitFor('the new page', () => fresh.rendered);
    assert(rendered.bars === 60, `rendered ${JSON.stringify(rendered)}`);
    fresh.panel.dispose();
  });

  await t.finish();
}
