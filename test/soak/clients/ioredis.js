// ioredis writer for the client soak (test/soak): writes a unique key every 20 ms through the
// sentinels and prints one JSON line per outcome on stdout (see writer.js).
//
//   node ioredis.js <master-name> <key-prefix> <host:port>...
'use strict';
const Redis = require('ioredis');
const { emit, nodes, writeLoop } = require('./writer');

const [name, prefix, ...addrs] = process.argv.slice(2);

async function main() {
  // Default options, as a user would start: no failover detector, default retry strategy.
  const client = new Redis({ name, sentinels: nodes(addrs), lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  await writeLoop(prefix, (key, value) => client.set(key, value));
}

main().catch((err) => {
  emit({ ev: 'fatal', t: Date.now(), err: String(err && err.stack ? err.stack : err) });
  process.exit(1);
});
