/**
 * Every Redis key the lab uses, in one place. All keys of a fleet start with `hk:{<fleet>}:`; the
 * braces are a Redis Cluster hash tag, so a fleet's keys share one slot and every Lua script
 * (which may touch only keys of one slot) runs unchanged on a cluster. The rest of the key comes
 * after the first `}`, so a component name with braces in it cannot move a key to another slot.
 *
 *   entry:<name>        hash   id, component_type, created_us, last_seen_us, and the live lock:
 *                              lock_host, lock_pid, lock_instance, lock_acquired_us,
 *                              lock_heartbeat_us, lock_expires_us, lock_fence
 *   meta:<name>         hash   top-level metadata key -> its JSON text (kept byte for byte)
 *   conflicts:<name>    list   newest first, capped: {"at_us", "offered_id", "host", "pid", "instance", "station"}
 *   names               zset   name -> created_us (listing order)
 *   conflicted          zset   name -> last conflict us
 *   fences              hash   name -> last fencing token; never reset, so tokens only grow
 *   tokens              hash   sha256(station token) -> {"station", "created_us", "token_id"}
 *   revoked             hash   sha256(revoked token) -> {"station", "revoked_us", "token_id"}
 *   station:<station>   hash   state (JSON text), updated_us — written by that station only
 *   stations            zset   station -> updated_us
 *   replicas            hash   replica instance -> {"host", "pid", "url", "started_us", "seen_us"}
 *   station:<station>   (the agent's fields too) incarnation, epoch, beat_us, interval_us, hash,
 *                              started_us, boot_id, agent_pid, allow, stopped_us (fleet-scripts.ts)
 *   request:<id>        hash   one remote action: station, kind, target, by, created_us, deadline_us,
 *                              state, claimed_by, outcome, detail, finished_us
 *   pending:<station>   zset   request id -> created_us, not yet claimed by the station's agent
 *   inflight:<station>  zset   request id -> claimed_us, claimed and not finished
 *   audit               stream every remote-action request and result (XADD MAXLEN ~ 10000); nothing else
 *   lease_audit         stream the lease events stations' agents observed (`event: lease`, MAXLEN ~ 20000)
 *   lease_rate:<station> string lease events that station sent in the current minute (PEXPIRE 60 s)
 *   wake                channel PUBLISHed with a station name when it has a new request
 *   changes             string  fleet change counter (fleet-changes.ts), bumped after each visible write
 *   changed             zset    station (or '*lab') -> the change version of its last change
 *   changes_generation  string  a ULID set once; another one means the counter started again
 *   changes_wake        channel PUBLISHed after each bump, wakes the readers of /fleet/changes
 */

export const FLEET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const STATION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export function fleetProblem(fleet: string): string | undefined {
  return FLEET_RE.test(fleet) ? undefined : 'a fleet name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

export function stationProblem(station: string): string | undefined {
  return STATION_RE.test(station)
    ? undefined
    : 'a station name is a host name: 1-253 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

export class LabKeys {
  readonly prefix: string;

  constructor(readonly fleet: string) {
    const problem = fleetProblem(fleet);
    if (problem) throw new Error(`fleet '${fleet}': ${problem}`);
    this.prefix = `hk:{${fleet}}:`;
  }

  entry = (name: string) => `${this.prefix}entry:${name}`;
  meta = (name: string) => `${this.prefix}meta:${name}`;
  conflicts = (name: string) => `${this.prefix}conflicts:${name}`;
  station = (station: string) => `${this.prefix}station:${station}`;
  request = (id: string) => `${this.prefix}request:${id}`;
  pending = (station: string) => `${this.prefix}pending:${station}`;
  inflight = (station: string) => `${this.prefix}inflight:${station}`;
  leaseRate = (station: string) => `${this.prefix}lease_rate:${station}`;
  get audit() {
    return `${this.prefix}audit`;
  }
  get leaseAudit() {
    return `${this.prefix}lease_audit`;
  }
  get wake() {
    return `${this.prefix}wake`;
  }
  get changes() {
    return `${this.prefix}changes`;
  }
  get changed() {
    return `${this.prefix}changed`;
  }
  get changesGeneration() {
    return `${this.prefix}changes_generation`;
  }
  get changesChannel() {
    return `${this.prefix}changes_wake`;
  }
  get names() {
    return `${this.prefix}names`;
  }
  get conflicted() {
    return `${this.prefix}conflicted`;
  }
  get fences() {
    return `${this.prefix}fences`;
  }
  get tokens() {
    return `${this.prefix}tokens`;
  }
  get revoked() {
    return `${this.prefix}revoked`;
  }
  get stations() {
    return `${this.prefix}stations`;
  }
  get replicas() {
    return `${this.prefix}replicas`;
  }
}
