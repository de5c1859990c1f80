import type { NameConflict, stationJson } from '../lab/fleet-json';
import type { machineStateJson } from '../overview/state-json';

/**
 * What a window knows of the lab's fleet: every station's summary and published machine state
 * (exactly `status --json`, as its agent published it), the lab registry's entries and the
 * names with two ids. The Fleet view draws this; FleetFeed (fleet-feed.ts) keeps it current.
 * Shapes are the lab's JSON as it comes over HTTP (README "JSON output"), parsed, never trusted:
 * a station is on the network and writes what it likes into its own state.
 */

export type StationSummary = ReturnType<typeof stationJson>;
export type PublishedMachineState = ReturnType<typeof machineStateJson>;

/** One entry of `GET /registry/entries` (lab-json.ts entryJson, as JSON). */
export interface LabEntrySummary {
  name: string;
  id: string;
  component_type?: string;
  registered_by?: string;
  lock: { holder_host?: string; holder_pid?: number; holder_instance?: string; fencing_token?: number; expires_at?: string } | null;
  [field: string]: unknown;
}

export interface FleetStation {
  summary: StationSummary;
  /** null until the station has published, or when its state could not be read. */
  state: PublishedMachineState | null;
  /** This window's own station (the `hubkeeper.lab.station` name, or this host's). */
  isThisStation: boolean;
}

export interface FleetSnapshot {
  /** When this window received it (Date.now()). */
  receivedAtMs: number;
  /** The lab's clock at the answer, microseconds. */
  serverTimeUs: number;
  stations: FleetStation[];
  labEntries: LabEntrySummary[];
  conflicts: NameConflict[];
}

export type LabConnection =
  | { kind: 'not-configured' }
  | { kind: 'connecting'; url: string }
  | { kind: 'connected'; url: string; sinceMs: number }
  | { kind: 'reconnecting'; url: string; sinceMs: number; reason: string }
  /** The lab answered but refuses us (a bad or revoked token, not a Hubkeeper lab): no retry storm. */
  | { kind: 'refused'; url: string; reason: string };

/** The live fleet data a window reads; core code, no vscode. */
export interface FleetFeed {
  readonly snapshot: FleetSnapshot | undefined;
  readonly connection: LabConnection;
  /** Called after every change of snapshot or connection; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Fetch now (a manual refresh, or after a remote action finished). */
  refresh(): Promise<void>;
  /** Whether someone looks (the Fleet view is visible): live when true, a slow pace when false. */
  setVisible?(visible: boolean): void;
  dispose(): void;
}
