import * as os from 'node:os';
import * as vscode from 'vscode';
import { HeldLease, LeaseHolder } from '../core/lease-holder/lease-holder';
import { LocalJournal } from '../core/journal/journal-file';
import { JournalRecorder } from '../core/journal/journal-recorder';
import { ComponentsState } from '../core/overview/components-state';
import { HubsState } from '../core/overview/hubs-state';
import { hostName } from '../core/processes/host-name';
import { errorText, log } from './log';
import { isTrusted } from './trust';

/**
 * This window's part of the local lease journal (core/journal): the transitions it observes in
 * the states it reads anyway, and the leases its holder lost. Only in a trusted workspace (an
 * untrusted one writes nothing); when trust is granted, recording starts afresh, as at first
 * sight. Never in the refresh's way: appends are queued, failures said once in the log.
 */

export class WindowJournal {
  readonly journal = new LocalJournal({ env: { env: process.env, home: os.homedir() } });
  private recorder: JournalRecorder | undefined;
  private lastError: string | undefined;

  observeComponents(state: ComponentsState): void {
    this.active()?.observeComponents(state);
  }

  observeHubs(state: HubsState): void {
    this.active()?.observeHubs(state);
  }

  /** The holder's 'lost': journalled with the component's id when this window's state knows it. */
  recordLost(holder: LeaseHolder, lease: HeldLease, reason: string, id: string | null): void {
    if (!isTrusted()) return;
    const who = { host: holder.hostname, pid: holder.pid, instance: holder.instanceId };
    void this.journal
      .recordLost({ name: lease.name, id, holder: who, reason })
      .catch((err) => this.warnOnce(vscode.l10n.t('lease journal: {0}', errorText(err))));
  }

  private active(): JournalRecorder | undefined {
    if (!isTrusted()) {
      this.recorder = undefined;
      return undefined;
    }
    return (this.recorder ??= new JournalRecorder((events) => this.journal.append(events), {
      hostname: hostName(),
      log: (line) => this.warnOnce(line),
    }));
  }

  private warnOnce(line: string): void {
    if (line !== this.lastError) log().warn(line);
    this.lastError = line;
  }
}
