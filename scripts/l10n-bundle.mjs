// Writes l10n/bundle.l10n.json, the English bundle of the extension's runtime strings, from the
// sources: every `vscode.l10n.t('…')`, `l10n.t('…')` and `t('…')` (the `t` a vscode-free helper
// takes: src/extension/translate.ts) under src/extension, found with the TypeScript compiler API,
// sorted by message. A translator copies it to bundle.l10n.<lang>.json and translates the values.
// `--check` writes nothing and fails if the committed bundle is not what the sources say
// (test/unit/l10n-bundle.test.ts runs it); `--src DIR --out FILE` for other trees (the test's).
//
// The rules the script enforces, and the names the project uses (keep them when adding strings):
// - Runtime strings: the message is the English text itself (VS Code's key), a literal, with
//   `{0}`, `{1}` placeholders for values, never a sentence glued from translated pieces. A call
//   whose message is not a literal is refused, naming the file and line: its words would never
//   reach the bundle. Text from files, processes and the core (names, paths, refusal lines,
//   describeLock) is a value, not a message: the core is shared with the CLI and stays English.
// - Manifest strings (package.json -> package.nls.json): `%key%`, keys dotted after the
//   manifest's structure, `hubkeeper.` + area + the contribution's id without `hubkeeper.` +
//   field:
//     hubkeeper.displayName, hubkeeper.description
//     hubkeeper.capabilities.<capability>.description
//     hubkeeper.viewsContainer.<container id>.title
//     hubkeeper.view.<view id>.name | .contextualTitle          (hubkeeper.view.staleLocks.name)
//     hubkeeper.viewsWelcome.<view id>.<state>                  (hubkeeper.viewsWelcome.components.missing)
//     hubkeeper.command.<command id>.title, hubkeeper.command.category
//                                                               (hubkeeper.command.components.release.title)
//     hubkeeper.config.title
//     hubkeeper.config.<setting>.description | .markdownDescription | .enumDescriptions…
//     hubkeeper.config.<setting>.items.<property>.description   (hubkeeper.config.claims.items.name.description)
//   test/unit/manifest-l10n.test.ts checks that no user-facing manifest string is left raw and
//   that package.nls.json has no unused key.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

function sourceFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(p);
      return e.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
    })
    .sort();
}

/** `vscode.l10n.t(…)`, `l10n.t(…)` or `t(…)`. */
function isTranslateCall(node) {
  if (!ts.isCallExpression(node)) return false;
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === 't';
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 't') return false;
  const owner = callee.expression;
  return (ts.isIdentifier(owner) && owner.text === 'l10n') || (ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n');
}

/** The messages of the files under `srcDir`, and the calls whose message is not a literal. */
export function collect(srcDir) {
  const messages = new Set();
  const problems = [];
  for (const file of sourceFiles(srcDir)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (isTranslateCall(node)) {
        const [first] = node.arguments;
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) messages.add(first.text);
        else {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          problems.push(`${path.relative(ROOT, file)}:${line + 1}: the message of ${node.expression.getText(source)}() is not a literal`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { messages: [...messages].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), problems };
}

export function bundleText(messages) {
  return JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2) + '\n';
}

function main() {
  const srcDir = option('--src', path.join(ROOT, 'src', 'extension'));
  const out = option('--out', path.join(ROOT, 'l10n', 'bundle.l10n.json'));
  const { messages, problems } = collect(srcDir);
  if (problems.length) {
    for (const p of problems) console.error(p);
    process.exit(2);
  }
  const text = bundleText(messages);
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined;
  if (process.argv.includes('--check')) {
    if (current === text) return;
    const before = new Set(Object.keys(current ? JSON.parse(current) : {}));
    const missing = messages.filter((m) => !before.has(m));
    const stale = [...before].filter((m) => !messages.includes(m));
    console.error(
      `${path.relative(ROOT, out)} is not up to date with ${path.relative(ROOT, srcDir)} (run npm run l10n): ` +
        `${missing.length} missing, ${stale.length} no longer used${missing.length ? `; e.g. missing ${JSON.stringify(missing[0])}` : ''}` +
        `${stale.length ? `; e.g. unused ${JSON.stringify(stale[0])}` : ''}`,
    );
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Atomic, as every write of the project: a crash never leaves half a bundle.
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, out);
  console.log(`${path.relative(ROOT, out)}: ${messages.length} messages`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
