import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const hasCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

describe('deployment files', () => {
  it.skipIf(!hasCompose)('docker/compose.yaml passes `docker-compose config -q` (Debian docker-compose)', () => {
    const r = spawnSync('docker-compose', ['-f', 'docker/compose.yaml', 'config', '-q'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const services = parse(spawnSync('docker-compose', ['-f', 'docker/compose.yaml', 'config'], { encoding: 'utf8' }).stdout).services;
    expect(Object.keys(services).sort()).toEqual(['grafana', 'influxdb', 'nats', 'postgres', 'simulator', 'spc']);
    expect(services.simulator.profiles).toEqual(['demo']); // only with --profile demo
    expect(services.spc.environment).toMatchObject({ SPC_NATS_URL: 'nats://nats:4222', SPC_STORE: expect.stringMatching(/^postgres:\/\/spc:/) });
  });
  it('Grafana provisioning points at the dashboards and the InfluxDB data source the dashboards use', () => {
    const ds = parse(readFileSync('dashboards/provisioning/datasources/spc-influxdb.yaml', 'utf8'));
    expect(ds.datasources[0]).toMatchObject({ uid: 'spc-influx', type: 'influxdb', jsonData: { dbName: 'spc' } });
    const providers = parse(readFileSync('dashboards/provisioning/dashboards/spc-guard.yaml', 'utf8'));
    const compose = readFileSync('docker/compose.yaml', 'utf8');
    expect(compose).toContain(`../dashboards:${providers.providers[0].options.path}:ro`);
    for (const f of ['control-chart', 'line-overview', 'anomaly']) {
      const d = JSON.parse(readFileSync(`dashboards/${f}.json`, 'utf8'));
      const uids = new Set(d.panels.map((p: { datasource: { uid: string } }) => p.datasource.uid));
      expect([...uids]).toEqual(['spc-influx']);
    }
  });
  it('the Dockerfile builds as non-root with production dependencies only', () => {
    const df = readFileSync('docker/Dockerfile', 'utf8');
    expect(df).toMatch(/FROM node:20-slim AS build/);
    expect(df).toMatch(/npm ci --omit=dev/);
    expect(df).toMatch(/^USER node$/m);
  });
});
