import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/**
 * What a person does in the workbench, as Playwright steps: open the Hubkeeper container, find a
 * row in a view, right-click it, answer a dialog, run a command from the palette. Selectors are
 * VS Code 1.100's DOM; rows are found by their accessible label, which the extension sets.
 */
export type ViewName = 'Components' | 'Hubs' | 'Stale Locks' | 'Fleet';

export class Workbench {
  constructor(
    readonly page: Page,
    readonly resultsDir: string,
  ) {}

  view(name: ViewName): Locator {
    return this.page.locator(`.pane:has(> .pane-header[aria-label^="${name} Section"])`);
  }

  /** The row whose name is exactly `name`. */
  row(view: ViewName, name: string): Locator {
    return this.view(view)
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name').getByText(name, { exact: true }) });
  }

  /**
   * The row named exactly `name` at tree depth `level` (1 = top) whose description contains
   * `description`: the Fleet view has the same name at several places (a station, and that
   * station under a conflict).
   */
  rowAt(view: ViewName, name: string, level: number, description?: string): Locator {
    let row = this.row(view, name).and(this.page.locator(`[aria-level="${level}"]`));
    if (description) row = row.filter({ has: this.page.locator('.label-description', { hasText: description }) });
    return row;
  }

  /** Expands (or collapses) a tree row with its twistie, as a person does; one already so is left as it is. */
  async expand(row: Locator, expanded = true): Promise<void> {
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) === String(!expanded)) await row.locator('.monaco-tl-twistie').click();
    await row.and(this.page.locator(`[aria-expanded="${expanded}"]`)).waitFor({ timeout: 10_000 });
  }

  /** Collapses a view's section (its header toggles it), to leave the room to the others. */
  async collapseView(name: ViewName, expanded = false): Promise<void> {
    const header = this.page.locator(`.pane-header[aria-label^="${name} Section"]`);
    if ((await header.getAttribute('aria-expanded')) === String(!expanded)) await header.click();
    await this.page.locator(`.pane-header[aria-label^="${name} Section"][aria-expanded="${expanded}"]`).waitFor();
  }

  async expandView(name: ViewName): Promise<void> {
    await this.collapseView(name, true);
  }

  /** The text of the first notification toast matching `text`. */
  async toast(text: RegExp, timeout = 30_000): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout });
    return (await toast.innerText()).replace(/\s+/g, ' ');
  }

  async rowLabels(view: ViewName): Promise<string[]> {
    return this.view(view)
      .locator('.monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
  }

  async openHubkeeper(): Promise<void> {
    await this.page.locator('.activitybar .action-label[aria-label^="Hubkeeper"]').click({ force: true });
    await this.view('Components').locator('.monaco-list-row').first().waitFor({ timeout: 30_000 });
  }

  /** Makes the side bar wider so descriptions are readable in screenshots. */
  async widenSideBar(to = 640): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) return;
    await this.page.mouse.move(box.x + box.width + 1, box.y + 200);
    await this.page.mouse.down();
    await this.page.mouse.move(to, box.y + 200, { steps: 5 });
    await this.page.mouse.up();
    await this.page.mouse.move(to + 300, box.y + 300); // off the sash, so it is not highlighted
  }

  async contextMenu(row: Locator, item: string): Promise<void> {
    await row.click({ button: 'right' });
    const entry = this.page.locator('.monaco-menu .action-item', { hasText: item }).first();
    // A menu item acts on a press and release that both happen over it, as a person's click does.
    await entry.hover();
    await this.page.mouse.down();
    await this.page.waitForTimeout(50);
    await this.page.mouse.up();
    await entry.waitFor({ state: 'detached', timeout: 5000 });
  }

  /**
   * The modal dialog's text, then a click on `button`; with `mustName`, only if the text matches
   * it (else Cancel): the Hubs view also lists other people's hub processes (the scan is
   * machine-wide), and a row that moved under the click must never get one of them reaped.
   */
  async answerDialog(button: string, mustName?: RegExp): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 10_000 });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    if (mustName && !mustName.test(text)) {
      await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
      throw new Error(`the dialog is about something else, cancelled: ${text}`);
    }
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    return text;
  }

  /**
   * Answers the start-up Workspace Trust dialog for the opened folder with "Yes, I trust the
   * authors", as a person does for their own demo folder; every other folder stays untrusted.
   */
  async trustFolder(): Promise<void> {
    const dialog = this.page.locator('.monaco-dialog-box', { hasText: 'trust the authors' });
    await dialog.waitFor({ timeout: 60_000 });
    await this.screenshot('00-trust-prompt');
    await dialog.locator('.monaco-button', { hasText: 'Yes, I trust the authors' }).first().click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  }

  /** Opens the command palette and runs the command whose label is `title`. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Reads `read` until `done` accepts the value (or 20 s pass); returns the last value read, for the assertion. */
  async settled<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > end) return value;
      await this.page.waitForTimeout(100);
    }
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** `clip`: only that part of the page (a README picture of one view stays small in the VSIX). */
  async screenshot(name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
    fs.mkdirSync(this.resultsDir, { recursive: true });
    const file = path.join(this.resultsDir, `${name}.png`);
    await this.page.screenshot({ path: file, clip });
    return file;
  }
}
