import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from '../support/helpers';

/**
 * No raw English left where src/extension shows words: a literal (or a template with words in its
 * literal parts) as a message, a quick pick's or input box's text, a modal's detail, a tree item's
 * label, description or tooltip, a progress title or the status bar's text fails, naming the file
 * and line. Words go through vscode.l10n.t or a helper's t (src/extension/translate.ts), whose
 * first argument the bundle script reads. "Hubkeeper" (the product's name) and codicons
 * (`$(warning)`) are not words to translate.
 */

const EXTENSION = path.join(ROOT, 'src', 'extension');
const SHOWN_ARG = new Set([
  'showInformationMessage',
  'showWarningMessage',
  'showErrorMessage',
  'setStatusBarMessage',
  'confirm',
  'guarded',
  'refuse',
  'reportError',
  'TreeItem',
  'MarkdownString',
  'appendMarkdown',
  'appendText',
]);
const SHOWN_PROPERTY = new Set(['title', 'prompt', 'placeHolder', 'detail', 'tooltip', 'message', 'label', 'description', 'text', 'name']);

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The words of a literal or of a template's literal parts, if it has any. */
function words(node: ts.Node): string | undefined {
  let text: string | undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
  else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  if (text === undefined) return undefined;
  const rest = text.replace(/\$\([\w~-]+\)/g, ' ').replace(/\bHubkeeper\b/g, ' ');
  return /\p{L}{2,}/u.test(rest) ? text : undefined;
}

function calleeName(e: ts.Expression): string | undefined {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

function rawStrings(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node, where: string) => {
    const w = words(node);
    if (w === undefined) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${path.relative(ROOT, file)}:${line + 1} (${where}): ${JSON.stringify(w)}`);
  };
  // A ternary or a ?? shows either side.
  const sides = (node: ts.Expression): ts.Expression[] =>
    ts.isConditionalExpression(node)
      ? [...sides(node.whenTrue), ...sides(node.whenFalse)]
      : ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken
        ? [...sides(node.left), ...sides(node.right)]
        : ts.isParenthesizedExpression(node)
          ? sides(node.expression)
          : [node];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node.expression);
      const first = node.arguments?.[0];
      if (name && SHOWN_ARG.has(name) && first) for (const s of sides(first)) report(s, name);
      if (name === 'showQuickPick' || name === 'showWarningMessage' || name === 'showInformationMessage' || name === 'showErrorMessage')
        for (const extra of node.arguments?.slice(1) ?? []) for (const s of sides(extra)) report(s, `${name} button`);
    }
    if (ts.isPropertyAssignment(node) && SHOWN_PROPERTY.has(node.name.getText(source)))
      for (const s of sides(node.initializer)) report(s, node.name.getText(source));
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(node.left) &&
      SHOWN_PROPERTY.has(node.left.name.text)
    )
      for (const s of sides(node.right)) report(s, `.${node.left.name.text} =`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('src/extension shows no raw English: every shown text goes through l10n.t or t', () => {
  assert.deepEqual(files(EXTENSION).flatMap(rawStrings), []);
});

test('the check finds raw words where they are shown, and lets translated ones, codicons and the product name pass', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'out', 'l10n-sources-'));
  try {
    const file = path.join(dir, 'sample.ts');
    fs.writeFileSync(
      file,
      [
        "void vscode.window.showInformationMessage('Hubkeeper: nothing to do.');",
        'item.description = cond ? `${n} stale locks` : vscode.l10n.t("fine");',
        "const pickOptions = { title: 'Hubkeeper', placeHolder: vscode.l10n.t('Pick one') };",
        "const text = `$(${icon}) Hubkeeper`; item.text = '$(warning) Hubkeeper';",
        "void vscode.window.showWarningMessage(vscode.l10n.t('ok'), 'Open Log');",
      ].join('\n'),
    );
    assert.deepEqual(
      rawStrings(file).map((l) => l.replace(/^.*sample\.ts:/, '')),
      [
        '1 (showInformationMessage): "Hubkeeper: nothing to do."',
        '2 (.description =): "  stale locks"',
        '5 (showWarningMessage button): "Open Log"',
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
