import type { MarkerKind } from '../../core/timeline/timeline-types';

/**
 * Each marker kind's shape, an SVG path around (0, 0) in a 12 px box: told apart without colour
 * (the legend and every marker's label name them too). `filled` shapes are drawn solid.
 */
export const MARKER_SHAPES: Readonly<Record<MarkerKind, { d: string; filled: boolean }>> = {
  expired: { d: 'M -5 0 A 5 5 0 1 0 5 0 A 5 5 0 1 0 -5 0 M 0 -3 L 0 0 L 2 2', filled: false }, // a clock
  abandoned: { d: 'M -5 0 A 5 5 0 1 0 5 0 A 5 5 0 1 0 -5 0 M -4 4 L 4 -4', filled: false }, // a struck circle
  'taken-over': { d: 'M -5 -6 L 6 0 L -5 6 Z', filled: false }, // a play arrow: someone else goes on
  released: { d: 'M -5 -5 L 5 -5 L 5 5 L -5 5 Z', filled: false }, // a square
  lost: { d: 'M -5 -5 L 5 5 M 5 -5 L -5 5', filled: false }, // a cross
  renamed: { d: 'M 0 -6 L 6 0 L 0 6 L -6 0 Z', filled: false }, // a diamond
  conflict: { d: 'M 0 -6 L 6 5 L -6 5 Z M 0 -2 L 0 2 M 0 3.5 L 0 4', filled: false }, // a warning triangle
  'hub-started': { d: 'M -5 0 L 5 0 M 0 -5 L 0 5', filled: false }, // a plus
  'hub-stopped': { d: 'M -4 -4 L 4 -4 L 4 4 L -4 4 Z', filled: true }, // a stop square
  'hub-orphaned': { d: 'M 0 -6 L 1.8 -1.8 L 6 -1.8 L 2.6 1 L 3.7 5.5 L 0 2.8 L -3.7 5.5 L -2.6 1 L -6 -1.8 L -1.8 -1.8 Z', filled: false }, // a star
  'hub-reaped': { d: 'M -4 0 A 4 4 0 1 0 4 0 A 4 4 0 1 0 -4 0', filled: true }, // a dot
};
