// The entry of dist/redis-client.js: the lab's Redis client, bundled apart from dist/cli.js so the
// VSIX can ship the CLI without it (see redis-client-loader.ts).
export { createClient } from '@redis/client';
