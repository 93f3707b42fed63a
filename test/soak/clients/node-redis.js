// node-redis 5 (createSentinel) writer for the client soak (test/soak): writes a unique key
// every 20 ms through the sentinels and prints one JSON line per outcome on stdout.
//
//   node node-redis.js <master-name> <key-prefix> <host:port>...
//
// Lines: {"ev":"ready"}, {"ev":"ack","seq":N,"s":sent-ms,"t":ms}, {"ev":"err",...,"err":"..."},
// and with SOAK_TRACE=1 the client's own trace as {"ev":"trace","t":ms,"msg":"..."}.
'use strict';
const { createSentinel } = require('redis');
const { emit, nodes, writeLoop } = require('./writer');

const [name, prefix, ...addrs] = process.argv.slice(2);

async function main() {
  const sentinel = createSentinel({ name, sentinelRootNodes: nodes(addrs) });
  // Connection errors during a failover are expected; the writer's err lines record them.
  sentinel.on('error', () => {});
  if (process.env.SOAK_TRACE === '1') {
    sentinel.setTracer({ push: (msg) => emit({ ev: 'trace', t: Date.now(), msg: String(msg) }) });
  }
  await sentinel.connect();
  await writeLoop(prefix, (key, value) => sentinel.set(key, value));
}

main().catch((err) => {
  emit({ ev: 'fatal', t: Date.now(), err: String(err && err.stack ? err.stack : err) });
  process.exit(1);
});
