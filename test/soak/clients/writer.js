// The write loop shared by the Node.js soak clients: one SET of a unique key every 20 ms (the
// next write starts 20 ms after the previous one started, or at once if it took longer), each
// outcome printed as a JSON line the soak driver parses.
'use strict';

const interval = 20;

function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// nodes turns "host:port" arguments into { host, port } objects.
function nodes(addrs) {
  return addrs.map((a) => {
    const i = a.lastIndexOf(':');
    return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeLoop(prefix, set) {
  emit({ ev: 'ready', t: Date.now() });
  for (let seq = 1; ; seq++) {
    const start = Date.now();
    try {
      await set(`${prefix}:${seq}`, String(seq));
      emit({ ev: 'ack', seq, s: start, t: Date.now() });
    } catch (err) {
      emit({ ev: 'err', seq, s: start, t: Date.now(), err: String(err && err.message ? err.message : err) });
    }
    const wait = start + interval - Date.now();
    if (wait > 0) {
      await sleep(wait);
    }
  }
}

module.exports = { emit, nodes, writeLoop };
