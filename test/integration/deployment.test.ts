import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const hasCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

describe('deployment files', () => {
  const secrets = { NATS_PASSWORD: 'n-secret-1', INFLUX_PASSWORD: 'i-secret-2', INFLUX_TOKEN: 'i-token-3', PG_PASSWORD: 'p-secret-4', GRAFANA_PASSWORD: 'g-secret-5', SPC_TOKENS_FILE: '/etc/spc/tokens.yaml' };
  const compose = (env: Record<string, string>, ...args: string[]) => spawnSync('docker-compose', ['-f', 'docker/compose.yaml', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });

  it.skipIf(!hasCompose)('docker/compose.yaml has no default secrets: without them it refuses, naming each', () => {
    for (const name of Object.keys(secrets)) {
      const r = compose({ ...secrets, [name]: '' }, 'config', '-q');
      expect(r.status, name).not.toBe(0);
      expect(r.stderr).toContain(name);
    }
  });

  it.skipIf(!hasCompose)('docker/compose.yaml passes `docker-compose config -q` (Debian docker-compose); NATS requires a password', () => {
    const r = compose(secrets, 'config', '-q');
    expect(r.status, r.stderr).toBe(0);
    const services = parse(compose(secrets, 'config').stdout).services;
    expect(services.nats.command).toEqual(expect.arrayContaining(['--user', 'spc', '--pass', 'n-secret-1']));
    expect(services.spc.volumes).toContain('/etc/spc/tokens.yaml:/run/spc/tokens.yaml:ro'); // compose 1.29 prints the short form
    expect(JSON.stringify(services)).not.toContain('change-me');
    expect(Object.keys(services).sort()).toEqual(['edge-simulator', 'grafana', 'influxdb', 'mosquitto', 'nats', 'postgres', 'simulator', 'sparkplug-bridge', 'spc']);
    // Only with --profile demo: the simulated lines, and the plant-protocol path (Mosquitto, a Sparkplug edge simulator, the bridge).
    for (const s of ['simulator', 'mosquitto', 'edge-simulator', 'sparkplug-bridge']) expect(services[s].profiles).toEqual(['demo']);
    expect(services['sparkplug-bridge'].command).toEqual(['bridge', 'sparkplug', '--mqtt', 'mqtt://mosquitto:1883', '--map', '/app/examples/sparkplug-smt-map.yaml', '--client-id', 'spc-bridge-demo']);
    expect(services['sparkplug-bridge'].environment).toMatchObject({ SPC_NATS_URL: 'nats://spc:n-secret-1@nats:4222' });
    expect(services.spc.environment).toMatchObject({ SPC_NATS_URL: 'nats://spc:n-secret-1@nats:4222', SPC_STORE: 'postgres://spc:p-secret-4@postgres:5432/spc' });
    expect(services.spc.ports).toEqual(['127.0.0.1:8080:8080/tcp']);
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
