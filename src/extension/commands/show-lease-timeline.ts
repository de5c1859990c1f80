import type { TimelineSubjectFilter } from '../../core/timeline/timeline-types';
import { TimelinePanel } from '../timeline/timeline-panel';
import { createTimelineSource, isLeaseEventSource } from '../timeline/timeline-source';
import { CommandContext } from './command-context';
import { isComponent, isHub } from './pick';

/**
 * Show Lease Timeline: the whole timeline from the palette; from a component's or a hub's context
 * menu, that subject only (the page's "Show all subjects" is one click away). Returns the panel,
 * whose `rendered` says what the page drew (for tests). A script may pass `{ source }` as the
 * options (a LeaseEventSource object: a command link's JSON arguments cannot be one).
 */
export function showLeaseTimeline(ctx: CommandContext, clicked?: unknown, _selected?: unknown, options?: unknown): TimelinePanel {
  const given = options && typeof options === 'object' ? (options as { source?: unknown }).source : undefined;
  const source = isLeaseEventSource(given) ? given : createTimelineSource(ctx.model.journal.journal, () => ctx.fleet.client());
  return TimelinePanel.show(ctx.extensionUri, source, subjectOf(clicked));
}

function subjectOf(clicked: unknown): TimelineSubjectFilter | null {
  if (isComponent(clicked)) return { kind: 'component', name: clicked.name, id: clicked.entry.id };
  if (isHub(clicked)) return { kind: 'hub', name: clicked.hub.name, id: clicked.hub.id ?? null };
  return null;
}
