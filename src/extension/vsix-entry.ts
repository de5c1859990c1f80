/* eslint-disable @typescript-eslint/no-require-imports */
// The entry of dist/extension.js, the one bundle in the VSIX: the extension when VS Code loads it,
// the CLI when the terminals' launcher runs it with Node (cli-launcher.ts). One bundle, because
// the CLI and the extension share the core and the VSIX must stay small (a second bundle of the
// same core would add a third to it). `require` rather than `import`: esbuild then evaluates each
// side only when it is required, so the CLI never loads `vscode` and the editor never runs the CLI.
if (require.main === module) require('../cli/main');
else module.exports = require('./extension');
