import type { LabClient } from '../core/agent/lab-client';
import type { FleetFeed, LabConnection } from '../core/fleet/fleet-snapshot';

/**
 * What the Fleet view and the remote actions need from the window's lab connection
 * (window-lab.ts owns it: settings, token, feed, agent). The feed and the client come and go
 * with the settings and "Connect to Lab…": read them at each use, never keep them.
 */
export interface FleetSource {
  readonly feed: FleetFeed | undefined;
  /** The window's connection: the feed's while there is one, else why there is none (reconnecting, refused…). */
  readonly connection: LabConnection;
  client(): LabClient | undefined;
  /** This machine's station name (hubkeeper.lab.station, or the host name as the agent has it). */
  readonly station: string;
}
