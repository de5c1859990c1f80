/** Short relative durations for tables, tree items and tooltips: "12 s", "3 min", "5 h", "3 d". */
export function duration(ms: number): string {
  const s = Math.abs(ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** `ms` is how long ago; a negative value is in the future ("in 3 d"). */
export function ago(ms: number): string {
  if (ms <= -1000) return `in ${duration(ms)}`;
  return ms < 1000 ? 'just now' : `${duration(ms)} ago`;
}
