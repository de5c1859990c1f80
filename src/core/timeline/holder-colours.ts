import type { LeaseHolderRef } from '../journal/lease-event';
import { TIMELINE_PALETTE_SIZE } from './timeline-types';

/**
 * A holder's colour: its preferred palette slot is a hash of its key, so the same holder has the
 * same colour in every model (every zoom, every refresh); only when two holders of one model want
 * the same slot does the later one (by first appearance) take the next free one, so holders that
 * alternate on a lease are never drawn alike while the palette lasts.
 */
export class HolderColours {
  private readonly taken = new Map<number, string>();
  private readonly assigned = new Map<string, number>();

  colour(key: string): number {
    const known = this.assigned.get(key);
    if (known !== undefined) return known;
    const preferred = fnv1a(key) % TIMELINE_PALETTE_SIZE;
    let slot = preferred;
    for (let i = 0; i < TIMELINE_PALETTE_SIZE && this.taken.has(slot); i++) slot = (preferred + i + 1) % TIMELINE_PALETTE_SIZE;
    if (this.taken.has(slot)) slot = preferred; // more holders than colours: share, the label tells them apart
    this.taken.set(slot, key);
    this.assigned.set(key, slot);
    return slot;
  }
}

export function holderKey(h: LeaseHolderRef): string {
  return `${h.host}\u00b7${h.pid ?? '?'}\u00b7${h.instance ?? ''}`;
}

export function holderLabel(h: LeaseHolderRef): string {
  return `${h.host} · ${h.pid === null ? 'pid ?' : h.pid}`;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
