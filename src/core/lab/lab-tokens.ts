import { createHash, randomBytes } from 'node:crypto';
import { LabKeys } from './lab-keys';
import { REVOKE_STATION, runScript, STAMP } from './lab-scripts';
import type { LabRedis } from './redis-connection';

/**
 * Per-station tokens. The lab token (the file given to `lab serve`) may do anything; a station
 * token may read the lab and write only what belongs to its station: locks held in its own host
 * name and its own state blob. Redis keeps only the SHA-256 of each token, so a copy of the
 * database does not hand out working tokens; revoking moves the digest to a `revoked` hash so a
 * revoked token is refused with a reason rather than as unknown.
 */

export interface StationToken {
  station: string;
  token: string;
  /** A short public name for the token (its digest's first 12 hex digits). */
  tokenId: string;
  createdUs: number;
}

export type TokenLookup =
  { kind: 'station'; station: string; tokenId: string } | { kind: 'revoked'; station: string; tokenId: string } | { kind: 'unknown' };

export const digestToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class LabTokens {
  private readonly keys: LabKeys;

  constructor(
    private readonly redis: LabRedis,
    fleet: string,
  ) {
    this.keys = new LabKeys(fleet);
  }

  async create(station: string): Promise<StationToken> {
    const token = `hks_${randomBytes(32).toString('hex')}`;
    const digest = digestToken(token);
    const tokenId = digest.slice(0, 12);
    const record = JSON.stringify({ station, token_id: tokenId });
    const createdUs = Number(await runScript(this.redis, STAMP, [this.keys.tokens], [digest, record.slice(1), 'created_us']));
    return { station, token, tokenId, createdUs };
  }

  /** Revokes every token of `station`; returns how many there were. */
  async revoke(station: string): Promise<number> {
    return Number(await runScript(this.redis, REVOKE_STATION, [this.keys.tokens, this.keys.revoked], [station]));
  }

  /**
   * Looked up by digest: a hash-table lookup on a SHA-256 reveals nothing usable about the token
   * through its timing, unlike comparing the tokens themselves.
   */
  async lookup(token: string): Promise<TokenLookup> {
    const digest = digestToken(token);
    const [live, revoked] = await Promise.all([this.redis.hGet(this.keys.tokens, digest), this.redis.hGet(this.keys.revoked, digest)]);
    if (live) {
      const r = JSON.parse(live) as { station: string; token_id: string };
      return { kind: 'station', station: r.station, tokenId: r.token_id };
    }
    if (revoked) {
      const r = JSON.parse(revoked) as { station: string; token_id: string };
      return { kind: 'revoked', station: r.station, tokenId: r.token_id };
    }
    return { kind: 'unknown' };
  }

  async list(): Promise<{ station: string; tokenId: string; createdUs: number }[]> {
    const all = await this.redis.hGetAll(this.keys.tokens);
    return Object.values(all).map((text) => {
      const r = JSON.parse(text) as { station: string; token_id: string; created_us: number };
      return { station: r.station, tokenId: r.token_id, createdUs: r.created_us };
    });
  }
}
