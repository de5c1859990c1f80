import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LeaseEventSource } from '../../core/journal/lease-event';
import {
  DEFAULT_ZOOM_MS,
  MAX_TIMELINE_EVENTS,
  ModelMessage,
  PageMessage,
  readPageMessage,
  TimelineScope,
} from '../../core/timeline/timeline-messages';
import { buildTimeline } from '../../core/timeline/timeline-model';
import type { TimelineSubjectFilter } from '../../core/timeline/timeline-types';
import { errorText, log } from '../log';
import { timelineHtml } from './timeline-html';

/** What the page last drew, counted in its DOM (PageMessage 'rendered'): for tests and scripts. */
export type TimelineRendered = Omit<Extract<PageMessage, { type: 'rendered' }>, 'type'>;

/** While the panel is visible the events are read again this often (and at once on a source's changed()). */
const REFRESH_MS = 3000;

/** A source that can say when it has new events (optional: the panel also polls while visible). */
interface ChangingSource extends LeaseEventSource {
  changed?(listener: () => void): { dispose(): void };
}

/**
 * The Lease Timeline webview: one panel per window, revealed (and pointed at the new subject)
 * when shown again. It answers the page's requests with the model of that range, and pushes a
 * fresh one every few seconds while visible; the page keeps its zoom and focus across them.
 */
export class TimelinePanel {
  private static current: TimelinePanel | undefined;

  readonly panel: vscode.WebviewPanel;

  /** The latest page report; `onDidRender` fires with each. */
  rendered: TimelineRendered | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<TimelineRendered>();
  readonly onDidRender = this.renderedEmitter.event;

  private spanMs = DEFAULT_ZOOM_MS;
  private scope: TimelineScope = 'subject';
  private pageReady = false;
  private posting: Promise<void> = Promise.resolve();
  private queued = false;
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private sourceSubscription: { dispose(): void } | undefined;

  static show(extensionUri: vscode.Uri, source: LeaseEventSource, subject: TimelineSubjectFilter | null): TimelinePanel {
    const open = TimelinePanel.current;
    if (open) {
      open.retarget(source, subject);
      open.panel.reveal();
      return open;
    }
    return (TimelinePanel.current = new TimelinePanel(extensionUri, source, subject));
  }

  /** Where the events come from: the local journal, the lab's audit stream, or a script's. */
  get sourceLabel(): string {
    return this.source.label;
  }

  private constructor(
    extensionUri: vscode.Uri,
    private source: LeaseEventSource,
    private subject: TimelineSubjectFilter | null,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel('hubkeeper.leaseTimeline', this.title(), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist, media],
    });
    const { webview } = this.panel;
    webview.html = timelineHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('hex'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'timeline.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css')).toString(),
      subjectName: subject?.name ?? null,
      sourceLabel: source.label,
    });
    webview.onDidReceiveMessage((raw) => this.received(raw));
    this.subscribe();
    this.timer = setInterval(() => this.panel.visible && this.refresh(), REFRESH_MS);
    this.panel.onDidChangeViewState(() => this.panel.visible && this.refresh());
    this.panel.onDidDispose(() => this.disposed());
  }

  private title(): string {
    return this.subject ? vscode.l10n.t('Lease Timeline: {0}', this.subject.name) : vscode.l10n.t('Lease Timeline');
  }

  private retarget(source: LeaseEventSource, subject: TimelineSubjectFilter | null): void {
    if (source !== this.source) {
      this.source = source;
      this.subscribe();
    }
    this.subject = subject;
    this.scope = 'subject';
    this.panel.title = this.title();
    this.refresh();
  }

  private subscribe(): void {
    this.sourceSubscription?.dispose();
    const changed = (this.source as ChangingSource).changed;
    this.sourceSubscription = typeof changed === 'function' ? changed.call(this.source, () => this.refresh()) : undefined;
  }

  private received(raw: unknown): void {
    const msg = readPageMessage(raw);
    if (msg?.type === 'request') {
      this.pageReady = true;
      this.spanMs = msg.spanMs;
      this.scope = msg.scope;
      this.refresh();
    } else if (msg?.type === 'rendered') {
      const counts: TimelineRendered = {
        rows: msg.rows,
        bars: msg.bars,
        markers: msg.markers,
        tableLines: msg.tableLines,
        spanMs: msg.spanMs,
        scope: msg.scope,
      };
      this.rendered = counts;
      this.renderedEmitter.fire(counts);
    }
  }

  /** Reads the events of the current range and posts the model; one at a time, in order. */
  refresh(): void {
    // At most one waits behind the one in flight: a slow source is not asked again and again.
    if (!this.pageReady || this.queued || this.closed) return;
    this.queued = true;
    this.posting = this.posting
      .then(() => {
        this.queued = false;
        return this.closed ? undefined : this.post();
      })
      .catch((err) => log().warn(vscode.l10n.t('Lease Timeline: {0}', errorText(err))));
  }

  private async post(): Promise<void> {
    const nowMs = Date.now();
    const range = { sinceMs: nowMs - this.spanMs, untilMs: nowMs };
    const { source, subject } = this;
    let sourceLabel = source.label;
    let events: unknown[] = [];
    try {
      events = await source.events(range);
    } catch (err) {
      sourceLabel = vscode.l10n.t('{0} (cannot be read: {1})', source.label, errorText(err));
    }
    const filter = this.scope === 'subject' ? subject : null;
    const all = Array.isArray(events) ? events : [];
    // The source gives them oldest first: the newest are the last.
    const kept = all.length > MAX_TIMELINE_EVENTS ? all.slice(-MAX_TIMELINE_EVENTS) : all;
    const model = buildTimeline(kept, { ...range, nowMs }, filter);
    const droppedCount = all.length - kept.length;
    const message: ModelMessage = { type: 'model', model, spanMs: this.spanMs, scope: this.scope, subject, sourceLabel, droppedCount };
    await this.panel.webview.postMessage(message);
  }

  private disposed(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.sourceSubscription?.dispose();
    this.renderedEmitter.dispose();
    if (TimelinePanel.current === this) TimelinePanel.current = undefined;
  }
}
