import * as os from 'node:os';
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { AgentSeat } from '../core/agent/agent-seat';
import { LabClient } from '../core/agent/lab-client';
import { StationAgent } from '../core/agent/station-agent';
import { readTokenFile } from '../core/auth/token-file';
import { onConnectionKindChange } from '../core/fleet/connection-kind';
import { LabFleetFeed } from '../core/fleet/fleet-feed';
import type { FleetFeed, LabConnection } from '../core/fleet/fleet-snapshot';
import { labSecretKey, parseLabUrls } from '../core/fleet/lab-url';
import { LeaseHolder } from '../core/lease-holder/lease-holder';
import { hostName } from '../core/processes/host-name';
import { ComponentRegistry } from '../core/registry/component-registry';
import { errorText, log } from './log';
import type { HubkeeperModel } from './model';
import { rebuildNeeded } from './lab-decisions';
import { isTrusted } from './trust';

/**
 * This window's lab: the connection (URL and token from the user's settings and the editor's
 * secret storage), the live fleet feed the Fleet view reads, and — in a trusted workspace — this
 * machine's station agent, run by one window per machine and user (agent-seat.ts). Rebuilt when
 * what it was made from changes (settings, the token, trust); the network never blocks the local
 * views: every failure is the connection's state and one log line.
 */

export const CONFIGURED_KEY = 'hubkeeper.lab.configured';
export const CONNECTED_KEY = 'hubkeeper.lab.connected';

export class WindowLab implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** The feed (a new connection) or its connection's kind changed; each snapshot is the feed's own onChange. */
  readonly onDidChange = this.changed.event;
  feed: FleetFeed | undefined;
  station = hostName();
  private own: LabConnection = { kind: 'not-configured' };
  private shared: LabClient | undefined;
  private feedClient: LabClient | undefined;
  private seat: AgentSeat | undefined;
  private madeFrom = '';
  private saidProblems = new Set<string>();
  private context: boolean[] | undefined;
  private fleetVisible = true;
  private turn: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  /** The last lines this part logged, with their level (the host test counts them: no log spam). */
  readonly recentLog: { level: 'info' | 'warn' | 'error'; line: string }[] = [];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly model: HubkeeperModel,
  ) {
    this.disposables.push(
      this.changed,
      secrets.onDidChange((e) => e.key.startsWith('hubkeeper.lab.token:') && void this.sync()),
    );
    void this.setContext();
  }

  get connection(): LabConnection {
    return this.feed?.connection ?? this.own;
  }

  /** A client for requests (remote actions), with the window's URL and token; undefined without a lab. */
  client(): LabClient | undefined {
    return this.shared;
  }

  /**
   * Whether the Fleet view is visible (its onDidChangeVisibility): the feed long-polls while it is,
   * and reads at a slow pace while it is not. Kept for the feeds made after a reconnect too.
   */
  setFleetVisible(visible: boolean): void {
    this.fleetVisible = visible;
    this.feed?.setVisible?.(visible);
  }

  storeToken(key: string, token: string): Thenable<void> {
    return this.secrets.store(key, token);
  }

  forgetToken(key: string): Thenable<void> {
    return this.secrets.delete(key);
  }

  /**
   * Acts on the settings, the stored token and trust; run after each change of one of them.
   * `force` (Connect): the same URL and token are tried again if the lab refused them.
   */
  sync(options: { force?: boolean } = {}): Promise<void> {
    const next = this.turn.then(() => this.syncNow(options.force === true)).catch((err) => this.say('error', `lab: ${errorText(err)}`));
    this.turn = next;
    return next;
  }

  async dispose(): Promise<void> {
    await this.turn;
    await this.stop();
    for (const d of this.disposables) d.dispose();
  }

  private async syncNow(force: boolean): Promise<void> {
    const lab = this.model.settings.lab;
    for (const p of lab.problems) this.sayOnce(p);
    this.station = lab.station;
    if (!lab.url) return this.become('', { kind: 'not-configured' });
    const parsed = parseLabUrls(lab.url);
    if ('problem' in parsed) return this.become(`bad:${lab.url}`, this.refusal(lab.url, `hubkeeper.lab.url: ${parsed.problem}`));
    const origin = parsed.urls[0].origin;
    for (const host of parsed.cleartextHosts)
      this.sayOnce(`hubkeeper.lab.url: ${host} is reached over plain http; the lab token travels in clear`);
    const token = await this.token(parsed.urls[0], lab.tokenFile);
    const trusted = isTrusted();
    const { discovered, settings } = this.model;
    // What the feed and the agent are made from: the agent reads this registry and these hub roots.
    const made = [lab.url, lab.station, lab.allowRemote, trusted, discovered.path, settings.hubRoots, settings.heartbeatMs];
    const key = JSON.stringify([...made, 'token' in token ? sha(token.token) : token.problem]);
    if (!rebuildNeeded(key, this.madeFrom, force, this.connection.kind)) return;
    if ('problem' in token) return this.become(key, this.refusal(origin, token.problem));
    await this.stop();
    this.madeFrom = key;
    this.feedClient = new LabClient(parsed.urls, token.token);
    this.shared = new LabClient(parsed.urls, token.token);
    const feed = new LabFleetFeed({
      client: this.feedClient,
      station: lab.station,
      visible: this.fleetVisible,
      log: (line) => this.say('info', line),
    });
    this.feed = feed;
    // Not on each snapshot: the Fleet view follows the feed itself, and would rebuild twice.
    onConnectionKindChange(feed, () => {
      if (this.feed !== feed) return;
      void this.setContext();
      this.changed.fire();
    });
    this.say('info', `lab: ${parsed.urls.map((u) => u.origin).join(', ')} as station ${lab.station}`);
    if (trusted) this.startAgent(parsed.urls, token.token);
    await this.setContext();
    this.changed.fire();
  }

  private startAgent(urls: URL[], token: string): void {
    const { settings, discovered } = this.model;
    const station = settings.lab.station;
    const allow = settings.lab.allowRemote;
    this.seat = new AgentSeat({
      hubEnv: { env: process.env, home: os.homedir() },
      station,
      log: (line) => this.say('info', line),
      start: () => {
        const agent = new StationAgent({
          lab: new LabClient(urls, token),
          station,
          // Leases are judged as this station, as `hubkeeper agent` judges them.
          registry: new ComponentRegistry(discovered.path, {
            trustGroupWritable: settings.trustGroupWritable,
            holder: new LeaseHolder({ hostname: station }),
          }),
          found: discovered,
          hubs: {
            roots: settings.hubRoots,
            env: { env: process.env, home: os.homedir() },
            folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
          },
          heartbeatMs: settings.heartbeatMs,
          allow,
          log: (line) => this.say('info', line),
        });
        agent.start();
        return agent;
      },
    });
    this.seat.start();
  }

  /** SecretStorage for this lab's origin first, else the token file (the user's own, 0600). */
  private async token(url: URL, tokenFile: string | undefined): Promise<{ token: string } | { problem: string }> {
    const stored = await this.secrets.get(labSecretKey(url));
    if (stored) return { token: stored };
    if (!tokenFile) return { problem: `no token for ${url.origin}: run "Hubkeeper: Connect to Lab…" or set hubkeeper.lab.tokenFile` };
    try {
      return { token: await readTokenFile(tokenFile, 'the lab token') };
    } catch (err) {
      return { problem: errorText(err) };
    }
  }

  private refusal(url: string, reason: string): LabConnection {
    this.sayOnce(reason);
    return { kind: 'refused', url, reason };
  }

  private async become(key: string, connection: LabConnection): Promise<void> {
    if (key === this.madeFrom && this.feed === undefined && this.own.kind === connection.kind) return;
    await this.stop();
    this.madeFrom = key;
    this.own = connection;
    await this.setContext();
    this.changed.fire();
  }

  private async stop(): Promise<void> {
    const { feed, seat, feedClient, shared } = this;
    this.feed = this.seat = this.feedClient = this.shared = undefined;
    this.madeFrom = '';
    feed?.dispose();
    await seat?.stop().catch((err) => this.say('warn', `lab: stopping the station agent: ${errorText(err)}`));
    feedClient?.close();
    shared?.close();
  }

  private sayOnce(line: string): void {
    if (this.saidProblems.has(line)) return;
    this.saidProblems.add(line);
    this.say('warn', line);
  }

  private say(level: 'info' | 'warn' | 'error', line: string): void {
    log()[level](line);
    this.recentLog.push({ level, line });
    if (this.recentLog.length > 200) this.recentLog.shift();
  }

  /** The context keys, set only when they change (the feed reports every snapshot). */
  private async setContext(): Promise<void> {
    const now = [this.model.settings.lab.url !== '', this.connection.kind === 'connected'];
    if (this.context && this.context[0] === now[0] && this.context[1] === now[1]) return;
    this.context = now;
    await vscode.commands.executeCommand('setContext', CONFIGURED_KEY, now[0]);
    await vscode.commands.executeCommand('setContext', CONNECTED_KEY, now[1]);
  }
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
