/**
 * Instants with microsecond precision, as MADSci (Python/pydantic) writes them.
 *
 * Canonical form: UTC, `Z`, six fraction digits, the fraction left out when it is zero
 * (`2026-03-05T14:00:00.120000Z`, `2026-03-05T14:00:00Z`). `+00:00` is read and written back
 * canonically; another offset, or no zone at all, is kept exactly as written so that rewriting a
 * file never changes a value the user did not touch. A time without a zone is read as UTC.
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$/;

export class Timestamp {
  private constructor(
    /** Microseconds since the Unix epoch (UTC). Exact in a double for any realistic date. */
    readonly micros: number,
    /** The text written to files. */
    readonly text: string,
    /** The zone offset in minutes, or null when the source had no zone. */
    readonly offsetMinutes: number | null,
  ) {}

  static fromMillis(ms: number): Timestamp {
    return Timestamp.fromMicros(Math.round(ms * 1000));
  }

  static fromMicros(micros: number): Timestamp {
    return new Timestamp(micros, formatUtc(micros), 0);
  }

  /** Returns undefined when `text` is not an ISO-8601 date-time. */
  static parse(text: string): Timestamp | undefined {
    const m = ISO_RE.exec(text);
    if (!m) return undefined;
    const [, y, mo, d, h, mi, s, frac = '', zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const frac6 = frac.padEnd(6, '0').slice(0, 6);
    const fracMicros = Number(frac6);
    let offsetMinutes: number | null = null;
    if (zone === 'Z' || zone === 'z') offsetMinutes = 0;
    else if (zone) {
      const digits = zone.replace(':', '');
      const oh = Number(digits.slice(1, 3));
      const om = Number(digits.slice(3, 5));
      if (oh > 23 || om > 59) return undefined;
      offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
    }
    const localMs = utcMillis(year, month, day, hour, minute, second);
    const utcMicros = (localMs - (offsetMinutes ?? 0) * 60_000) * 1000 + fracMicros;
    // A UTC time is written back canonically, rebuilt from its own digits (not from `micros`, which
    // a double cannot hold exactly for far-away years); anything else stays exactly as written.
    return offsetMinutes === 0
      ? new Timestamp(utcMicros, `${y}-${mo}-${d}T${h}:${mi}:${s}${frac6 === '000000' ? '' : '.' + frac6}Z`, 0)
      : new Timestamp(utcMicros, text, offsetMinutes);
  }

  get millis(): number {
    return Math.floor(this.micros / 1000);
  }

  plusMillis(ms: number): Timestamp {
    return Timestamp.fromMicros(this.micros + Math.round(ms * 1000));
  }

  /** Python's `str(datetime)`, which MADSci's error messages use: `2026-11-23 10:17:33.808835+00:00`. */
  toPython(): string {
    const offset = this.offsetMinutes ?? 0;
    const local =
      offset === 0 && this.text.endsWith('Z')
        ? this.text.slice(0, -1).replace('T', ' ')
        : formatUtc(this.micros + offset * 60_000_000)
            .slice(0, -1)
            .replace('T', ' ');
    if (this.offsetMinutes === null) return local;
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${local}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
  }

  toString(): string {
    return this.text;
  }
}

function formatUtc(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const fraction = micros - Math.floor(micros / 1_000_000) * 1_000_000;
  const iso = new Date(ms).toISOString(); // 2026-03-05T14:00:00.120Z
  const base = iso.slice(0, 19);
  return fraction === 0 ? `${base}Z` : `${base}.${pad(fraction, 6)}Z`;
}

// Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month + 1, 0)).getUTCDate();
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
