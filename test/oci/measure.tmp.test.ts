import { afterAll, beforeAll, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { archiveDir, runCli } from './fixtures.js';

let reg: TestRegistry; let proxy: FaultProxy; let charts: ReturnType<typeof archiveDir>;
beforeAll(async () => { reg = await startRegistry({ auth: 'token' }); proxy = await startFaultProxy(reg.host, { keepAlive: true }); charts = archiveDir([{ name: 'one', version: '1.0.0' }, { name: 'two', version: '2.0.0' }]); });
afterAll(async () => { charts.cleanup(); await proxy.stop(); await reg.stop(); });
for (const [label, extra] of [['plain', []], ['sign', ['--sign', 'KEY']]] as const) {
  it(label, async () => {
    for (const round of ['publish', 're-publish']) {
      proxy.clear(); reg.tokenRequests.length = 0;
      const args = extra.map((a) => a === 'KEY' ? process.env.KEYFILE! : a);
      const r = await runCli(['publish', '--to', `${proxy.url}/${label}`, '--plain-http', '--username', reg.username!, '--password-stdin', ...args, ...charts.paths], { cwd: charts.dir, stdin: reg.password });
      if (r.code) throw new Error(r.stderr);
      const by: Record<string, number> = {};
      for (const q of proxy.requests) { const k = `${q.method} ${q.path.replace(/sha256[:-][0-9a-f]+/g, 'D').replace(/\?.*/, '').replace(/uploads\/[^/?]+/, 'uploads/U')}${q.auth ? '' : ' (no auth)'}`; by[k] = (by[k] ?? 0) + 1; }
      console.log(label, round, 'requests', proxy.requests.length, 'connections', proxy.connections, 'tokens', reg.tokenRequests.length, '401s', proxy.requests.filter(q=>!q.auth).length, JSON.stringify(by, null, 1));
    }
  });
}
