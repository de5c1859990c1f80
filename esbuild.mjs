// Bundles the extension, the CLI (with its Redis client apart) and the timeline webview's page into dist/. `vscode` stays external: the editor provides it.
import * as esbuild from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // The Redis client is a file of its own, loaded when a lab command connects (redis-client-loader.ts).
  alias: { '@redis/client': './src/cli/redis-client-loader.ts' },
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  define: { HUBKEEPER_VERSION: JSON.stringify(version) },
};

const contexts = await Promise.all([
  // The extension, and the CLI of its terminals in the same bundle (vsix-entry.ts).
  esbuild.context({ ...common, entryPoints: ['src/extension/vsix-entry.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // The CLI alone, for `npm pack` and `npm link`.
  esbuild.context({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  }),
  esbuild.context({ ...common, alias: {}, entryPoints: ['src/cli/redis-client.ts'], outfile: 'dist/redis-client.js' }),
  // The Lease Timeline page: browser code for its webview, no Node, no libraries (timeline-panel.ts loads it).
  esbuild.context({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: ['src/webview/timeline/timeline.ts'],
    outfile: 'dist/timeline.js',
  }),
]);

if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  chmodSync('dist/cli.js', 0o755);
}
