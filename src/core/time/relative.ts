/**
 * Durations and relative times. `duration()` is the core's compact English ("12 s", "3 min"):
 * the one-line reasons and lock texts of src/core are shared with the CLI and stay English.
 * `ago()` and `localDuration()` are for people reading a table, a tree item or a tooltip, in their
 * language (Intl, CLDR's words): `locale` is a BCP 47 tag (`vscode.env.language` at the
 * extension's call sites); without one, the process's (the CLI's LANG). A tag Intl does not
 * accept (a hand-edited setting, a pseudo-locale) falls back to English rather than throw.
 */

type Unit = 'second' | 'minute' | 'hour' | 'day';

/** The unit a duration is told in, and how many of it (rounded): seconds up to 90 s, minutes up to 90 min, hours up to 36 h, then days. */
function inUnits(ms: number): [number, Unit] {
  const s = Math.abs(ms) / 1000;
  if (s < 90) return [Math.round(s), 'second'];
  if (s < 90 * 60) return [Math.round(s / 60), 'minute'];
  if (s < 36 * 3600) return [Math.round(s / 3600), 'hour'];
  return [Math.round(s / 86400), 'day'];
}

const SHORT_UNITS: Record<Unit, string> = { second: 's', minute: 'min', hour: 'h', day: 'd' };

/** Short relative durations for the core's lines (describeLock, lease reasons): "12 s", "3 min", "5 h", "3 d". English. */
export function duration(ms: number): string {
  const [n, unit] = inUnits(ms);
  return `${n} ${SHORT_UNITS[unit]}`;
}

/** One formatter per locale and kind: a tree of entries formats hundreds at every refresh. */
const formatters = new Map<string, Intl.RelativeTimeFormat | Intl.NumberFormat>();

function cached<F extends Intl.RelativeTimeFormat | Intl.NumberFormat>(
  key: string,
  make: (locale: string | undefined) => F,
  locale?: string,
): F {
  let f = formatters.get(`${key}|${locale ?? ''}`) as F | undefined;
  if (!f) {
    try {
      f = make(locale);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      f = make('en');
    }
    formatters.set(`${key}|${locale ?? ''}`, f);
  }
  return f;
}

/**
 * How long ago `ms` was (a negative value: how far ahead), by Intl.RelativeTimeFormat with
 * numeric 'auto' and CLDR's long words: "now" (under a second), "5 seconds ago", "3 minutes ago",
 * "in 3 days"; German "jetzt", "vor 5 Sekunden", "in 3 Tagen".
 */
export function ago(ms: number, locale?: string): string {
  const rtf = cached('ago', (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto', style: 'long' }), locale);
  if (!Number.isFinite(ms)) return '?'; // Intl throws on it; a time from a file is parsed, but never a crash for a tooltip
  if (Math.abs(ms) < 1000) return rtf.format(0, 'second');
  const [n, unit] = inUnits(ms);
  return rtf.format(ms > 0 ? -n : n, unit);
}

/** A duration in the reader's language, short: "12 sec", "3 min", "5 hr", "3 days"; German "12 Sek.", "3 Min.". */
export function localDuration(ms: number, locale?: string): string {
  if (!Number.isFinite(ms)) return '?';
  const [n, unit] = inUnits(ms);
  return cached(unit, (l) => new Intl.NumberFormat(l, { style: 'unit', unit, unitDisplay: 'short' }), locale).format(n);
}
