/**
 * The defaults every part of Hubkeeper shares — the CLI's flags, the editor's settings and the
 * core itself start from these, so a hub judged stale by the CLI is stale in the editor too.
 * Hub roots have one default as well: defaultHubRoots() in hubs/hub-paths.ts (it honours
 * HUBKEEPER_HOME).
 */

/** MADSci's: a lease lives 30 s and is refreshed every 10 s. */
export const DEFAULT_LEASE_TTL_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 10_000;

/** A Hubkeeper hub lock not renewed for this long is stale (proper-lockfile's mtime lease). */
export const DEFAULT_HUB_LOCK_STALE_MS = 10_000;

/** What a reaped standalone hub gets between SIGTERM and SIGKILL (bones' 2 s). */
export const DEFAULT_REAP_GRACE_MS = 2000;

/** How long a hub inside an editor gets to stop when asked. */
export const DEFAULT_ASK_TO_STOP_MS = 10_000;

/** How often a running hub touches its entry ("last touched"). */
export const DEFAULT_ENTRY_TOUCH_MS = 10_000;

/** How often the editor probes hub liveness while a view is visible. */
export const DEFAULT_PROBE_INTERVAL_MS = 10_000;
