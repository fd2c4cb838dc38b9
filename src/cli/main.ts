#!/usr/bin/env -S node --max-semi-space-size=64
// A 64 MB young generation (default 16) keeps the per-point records of busy lines out of
// frequent scavenges: +30–50% engine throughput measured with bench/engine.ts.
import { Command, Option } from 'commander';
import { redactCredentials } from '../auth/redact.js';
import { InvalidFileError } from '../rules-file/diagnostics.js';
// Each command's module is imported when it runs, so `spc rules check` does not load PGlite,
// onnxruntime or the NATS client, and every command starts with only what it uses.

// A closed pipe (spc backtest … | head) is a normal way for a reader to stop.
process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

const program = new Command();
program
  .name('spc')
  .description('spc-guard: real-time SPC and error-proofing for factory lines')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('backtest')
  .description('replay samples (NDJSON or CSV) through a rule file: NDJSON points, then one summary per characteristic')
  .requiredOption('--rules <path>', 'rule file, or a folder of rule files')
  .requiredOption('--input <file>', 'samples: NDJSON (one JSON object per line) or CSV with a header (*.csv)')
  .option('--out <file>', 'write the NDJSON records here instead of stdout')
  .option('--summary', 'print a readable table per characteristic instead of NDJSON on stdout')
  .option('--rejects <file>', 'write every rejected line with its reason here (NDJSON)')
  .addHelpText('after', `
Output records (NDJSON):
  {"type":"point","characteristic":"reflow.peak_temp","index":26,"phase":"II","statistic":245.8,
   "center":245.0,"ucl":247.1,"lcl":242.9,"violations":["we1"],"actions":["hold"],"units":["SN01"],...}
  {"type":"summary","characteristic":"reflow.peak_temp","points":40,"center":245.0,"sigma":0.7,...}

Example:
  spc backtest --rules rules/smt-line.yaml --input examples/smt-line.ndjson --summary`)
  .action(async (o) => { process.exitCode = await (await import('./backtest.js')).backtest(o); });

program
  .command('run')
  .description('the real-time worker: NATS JetStream samples in; InfluxDB points and WebSocket hold/alarm signals out')
  .addOption(new Option('--rules <path>', 'rule file or folder of rule files').env('SPC_RULES').makeOptionMandatory())
  .addOption(new Option('--tokens <file>', 'YAML list of WebSocket tokens: - { token, role: plc|operator|quality, lines: [L1] }').env('SPC_TOKENS').makeOptionMandatory())
  .addOption(new Option('--nats <url>', 'NATS server with JetStream').env('SPC_NATS_URL').default('nats://127.0.0.1:4222'))
  .addOption(new Option('--ws-port <n>', 'port of the signal WebSocket (ws://HOST:PORT/signals) and /healthz').env('SPC_WS_PORT').default('8080'))
  .addOption(new Option('--ws-host <host>', 'address to listen on').env('SPC_WS_HOST').default('127.0.0.1'))
  .addOption(new Option('--no-influx', 'run without InfluxDB (signals only)'))
  .addOption(new Option('--influx-url <url>', 'InfluxDB URL, e.g. http://127.0.0.1:8086').env('SPC_INFLUX_URL'))
  .addOption(new Option('--influx-token <token>', 'InfluxDB 2.x/3.x API token (1.x with auth: user:password)').env('SPC_INFLUX_TOKEN'))
  .addOption(new Option('--influx-org <org>', 'InfluxDB 2.x/3.x organization').env('SPC_INFLUX_ORG'))
  .addOption(new Option('--influx-bucket <bucket>', 'InfluxDB 2.x/3.x bucket').env('SPC_INFLUX_BUCKET'))
  .addOption(new Option('--influx-db <database>', 'InfluxDB 1.x database (writes through /write; created if missing)').env('SPC_INFLUX_DB'))
  .addOption(new Option('--influx-rp <policy>', 'InfluxDB 1.x retention policy').env('SPC_INFLUX_RP'))
  .addOption(new Option('--prefix <token>', 'subject prefix: <prefix>.samples.<line>.<station>.<parameter>, <prefix>.dlq.<reason>; streams <PREFIX>_SAMPLES, _DLQ, _OUTBOX').env('SPC_PREFIX').default('spc'))
  .addOption(new Option('--unknown <policy>', 'samples no characteristic matches').choices(['ignore', 'count', 'dlq']).env('SPC_UNKNOWN').default('count'))
  .addOption(new Option('--heartbeat-ms <ms>', 'heartbeat period of the signal stream').env('SPC_HEARTBEAT_MS').default('250'))
  .addOption(new Option('--alarm-flood <n/time|off>', 'flood control (ISA-18.2): past n new alarms on a line within time a flood alarm is raised and repeat alarms are suppressed (recorded, not sent); each characteristic\'s first alarm and priority: high rules still go out; the flood ends below n/2 within time').env('SPC_ALARM_FLOOD').default('10/10m'))
  .addOption(new Option('--store <url>', 'genealogy store for trace, holds and audit: postgres://… or pglite:<folder> (pglite: alone = in memory)').env('SPC_STORE'))
  .addOption(new Option('--samples-retention <duration>', 'how long the samples stream keeps history for replays (e.g. 7d, 12h), when it is created').env('SPC_SAMPLES_RETENTION').default('7d'))
  .addOption(new Option('--partitions <n>', 'partitions of the sample stream, by line; every worker of a deployment uses the same number (changing it restarts all state)').env('SPC_PARTITIONS').default('1'))
  .addOption(new Option('--worker-id <id>', 'this worker\'s name in the partition leases (default: host-pid)').env('SPC_WORKER_ID'))
  .addOption(new Option('--snapshot-every <duration>', 'how often partition state is snapshotted to NATS (bounds the replay after a crash)').env('SPC_SNAPSHOT_EVERY').default('30s'))
  .addOption(new Option('--lease-ttl <duration>', 'how long a dead worker\'s partitions stay locked before another takes them').env('SPC_LEASE_TTL').default('5s'))
  .addHelpText('after', `
Every option can also come from the environment variable shown. Signals protocol: docs/signals.md.
Several workers (same --rules, --prefix and --partitions) share the partitions; one that stops or
dies has its partitions taken over from their last snapshot. State lives in NATS (KV buckets and a snapshot stream).
Example (InfluxDB 1.x):
  spc run --rules rules/ --tokens tokens.yaml --influx-url http://127.0.0.1:8086 --influx-db spc`)
  .action(async (o) => { process.exitCode = await (await import('./run.js')).run(o); });

program
  .command('demo')
  .description('the whole loop in one process, nothing to install: simulated line → rules → holds on the console (in-process transport, PGlite, no InfluxDB)')
  .option('--rules <path>', 'rule file or folder', 'rules')
  .option('--port <n>', 'console and signal port', '8080')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--rate <n>', 'samples per second', '300')
  .option('--fault <kind>', 'shift | trend | drift | stratification | mixture | correlation', 'shift')
  .option('--at <time>', 'when the fault starts', '20s')
  .option('--target <characteristic>', 'station.parameter the fault hits', 'reflow.peak_temp')
  .option('--store <url>', 'genealogy store: pglite:<folder>, pglite: (in memory: grows with every sample) or postgres://… (default: PGlite in a temporary folder, removed at exit)')
  .option('--duration <time>', 'stop after this long (default: until Ctrl-C)')
  .action(async (o) => { process.exitCode = await (await import('./demo.js')).demo(o); });

program
  .command('simulate')
  .description('publish a simulated SMT line (units, lots, operators, equipment) to NATS JetStream, or as Sparkplug B edge nodes to MQTT (--sparkplug), with optional faults')
  .addOption(new Option('--nats <url>', 'NATS server with JetStream').env('SPC_NATS_URL').default('nats://127.0.0.1:4222'))
  .option('--rate <n>', 'messages per second', '2000')
  .option('--lines <n>', 'number of lines (L1, L2, …)', '1')
  .addOption(new Option('--fault <kind>', 'inject a fault').choices(['shift', 'trend', 'drift', 'stratification', 'mixture', 'correlation']))
  .option('--at <time>', 'when the fault starts, e.g. 60s', '60s')
  .option('--target <characteristic>', 'station.parameter the fault hits', 'reflow.peak_temp')
  .option('--duration <time>', 'stop after this long (default: until Ctrl-C)')
  .option('--units <n>', 'stop after this many units per line')
  .option('--batch', 'one message per unit and station (a JSON array) instead of one per sample')
  .option('--mixed', 'a mixed-model molding line instead (L2: products P-100 and P-200 alternating in batches, two cavities, cavity 2 wearing from --at; rules/molding-line.yaml)')
  .option('--seed <n>', 'random seed', '1')
  .addOption(new Option('--prefix <token>', 'subject prefix (as for spc run)').env('SPC_PREFIX').default('spc'))
  .option('--sparkplug <mqtt-url>', 'publish as Sparkplug B edge nodes to this MQTT broker instead of NATS (group = line, a device per station; examples/sparkplug-smt-map.yaml maps it back for spc bridge sparkplug)')
  .action(async (o) => { process.exitCode = o.sparkplug ? await (await import('./simulate-sparkplug.js')).simulateSparkplug(o) : await (await import('./simulate.js')).simulate(o); });

program
  .command('gateway')
  .description('PLC gateway: follows a line\'s holds and releases (acknowledging them), holds the line when the signal stream goes silent; prints them, or writes them to the PLC over OPC UA (--opcua) or as Sparkplug B commands (--sparkplug)')
  .requiredOption('--line <line>', 'the line this gateway controls')
  .addOption(new Option('--token <token>', 'a plc token from the tokens file').env('SPC_GATEWAY_TOKEN').makeOptionMandatory())
  .addOption(new Option('--url <url>', 'signal endpoint').env('SPC_SIGNALS_URL').default('ws://127.0.0.1:8080/signals'))
  .option('--silence-ms <ms>', 'hold the line after this long without a heartbeat', '1000')
  .option('--check', 'unit-status interlock: read unit IDs from standard input (one per line, as from a scanner) and print whether each is held')
  .option('--opcua <endpoint>', 'write holds to the PLC over OPC UA, e.g. opc.tcp://plc:4840 (with --plc-map)')
  .option('--sparkplug <url>', 'write holds as Sparkplug B NCMD/DCMD metrics to the edge node over this MQTT broker (with --plc-map; targets <group>/<node>[/<device>]:<metric>)')
  .option('--plc-map <file>', 'which OPC UA node ids take each line\'s or station\'s hold bit, reason and suspect unit count (YAML; docs/integrators.md)')
  .action(async (o) => { process.exitCode = await (await import('./gateway.js')).gateway(o); });

program
  .command('train')
  .description('fit a multivariate anomaly model (Hotelling T² or PCA) on in-control history and write it as ONNX with a model card')
  .requiredOption('--input <file>', 'in-control history: samples as NDJSON or CSV')
  .requiredOption('--features <list>', 'comma-separated station.parameter names, in the model\'s input order')
  .requiredOption('--out <file.onnx>', 'where to write the model (the card goes beside it as <name>.card.json)')
  .option('--kind <kind>', 'mahalanobis (Hotelling T², shrunk covariance) or pca (T² and Q)', 'mahalanobis')
  .option('--line <line>', 'use only this line\'s samples')
  .option('--arl0 <n>', 'in-control average run length: one false alarm per n units', '370')
  .option('--variance <share>', 'pca: share of variance the kept components explain', '0.9')
  .option('--holdout <share>', 'share of units held out to check the false-alarm rate', '0.3')
  .addHelpText('after', `
Example:
  spc train --input history.ndjson --features reflow.peak_temp,reflow.tal,printer.paste_thickness --line L1 --out models/smt-l1.onnx`)
  .action(async (o) => { process.exitCode = await (await import('./train.js')).train(o); });

program
  .command('trace')
  .description('trace a unit (full history), a lot (its units and where they are), a hold (suspect units and what they share), a station (units in a time window) or a characteristic\'s limits versions')
  .argument('<what>', 'unit | lot | hold | station | limits')
  .argument('<id>', 'unit ID, lot, hold id, station or characteristic')
  .addOption(new Option('--store <url>', 'genealogy store: postgres://… or pglite:<folder>').env('SPC_STORE').makeOptionMandatory())
  .option('--from <time>', 'station: window start (ISO-8601)')
  .option('--to <time>', 'station: window end (ISO-8601)')
  .option('--product <part>', 'station: only units of this product (part number)')
  .option('--json', 'print JSON')
  .action(async (what: string, id: string, o) => { process.exitCode = await (await import('./trace.js')).trace(what, id, o); });

program
  .command('explain')
  .description('what a chart type or rule is: its parameters, what it detects, its source, and the file it lives in')
  .argument('[key]', 'a chart type (i-mr, xbar-r, …) or a rule (we1, nelson4, …); none: list them')
  .addHelpText('after', '\nExamples:\n  spc explain nelson4\n  spc explain ewma\n  spc explain')
  .action(async (key: string | undefined) => { process.exitCode = (await import('./explain.js')).explain(key); });

const bridge = program.command('bridge').description('plant protocols in: Sparkplug B over MQTT to the samples stream');
bridge
  .command('sparkplug')
  .description('subscribe to Sparkplug B (spBv1.0/#), resolve aliases from births, request rebirths on a seq gap or unknown alias, map metrics to samples (--map) and publish them to the samples stream; undecodable payloads and unmapped metrics are dead-lettered')
  .addOption(new Option('--mqtt <url>', 'MQTT broker').env('SPC_MQTT').default('mqtt://127.0.0.1:1883'))
  .requiredOption('--map <file>', 'which metrics are the unit ID, lot, operator, product and parameters (YAML; see docs/integrators.md)')
  .addOption(new Option('--nats <url>', 'NATS server').env('SPC_NATS_URL').default('nats://127.0.0.1:4222'))
  .addOption(new Option('--prefix <name>', 'stream and subject prefix, as spc run\'s').env('SPC_PREFIX').default('spc'))
  .option('--client-id <id>', 'MQTT client id of the persistent session (keep it across restarts: QoS 1 messages wait at the broker meanwhile)', 'spc-bridge-sparkplug')
  .option('--status-every <seconds>', 'print the counters this often (0: never)', '30')
  .addHelpText('after', '\nExample:\n  spc bridge sparkplug --mqtt mqtt://127.0.0.1:1883 --map sparkplug-map.yaml --nats nats://127.0.0.1:4222')
  .action(async (o) => { process.exitCode = await (await import('./bridge.js')).bridgeSparkplug(o); });

bridge
  .command('opcua')
  .description('monitor OPC UA nodes (a PLC or SCADA server); a trigger node (part-done bit or serial change) closes a unit and its parameter values become samples on the samples stream; values without a unit ID are counted, never guessed')
  .requiredOption('--endpoint <url>', 'OPC UA server, e.g. opc.tcp://plc:4840')
  .requiredOption('--map <file>', 'stations: trigger, unit, lot … and parameter node ids (YAML; see docs/integrators.md)')
  .addOption(new Option('--nats <url>', 'NATS server').env('SPC_NATS_URL').default('nats://127.0.0.1:4222'))
  .addOption(new Option('--prefix <name>', 'stream and subject prefix, as spc run\'s').env('SPC_PREFIX').default('spc'))
  .option('--status-every <seconds>', 'print the counters this often (0: never)', '30')
  .action(async (o) => { process.exitCode = await (await import('./bridge.js')).bridgeOpcUa(o); });

const limitsCmd = program.command('limits').description('controlled limits on a running spc run: propose a recalculation, approve it with your signature, list versions');
const limitsConnection = (c: Command) => c
  .addOption(new Option('--url <url>', 'the running spc run\'s HTTP address').env('SPC_URL').default('http://127.0.0.1:8080'))
  .addOption(new Option('--token <token>', 'your quality token').env('SPC_TOKEN').makeOptionMandatory());
limitsConnection(limitsCmd
  .command('propose')
  .description('propose new limits for a characteristic, estimated from its stored samples in a window exactly as its Phase I would; they take effect only when approved')
  .argument('<characteristic>', 'its id in the rule file')
  .requiredOption('--from <time>', 'window start (ISO-8601)')
  .requiredOption('--to <time>', 'window end (ISO-8601)')
  .option('--exclude <points>', 'points of the window to leave out (assignable causes), e.g. 3,7')
  .option('--split <key=value...>', 'the split of a characteristic with by, e.g. product=P-100 cavity=2')
  .requiredOption('--reason <text>', 'why the limits change')
  .addHelpText('after', '\nExample:\n  spc limits propose lathe.bore --from 2026-11-30T08:00:21Z --to 2026-11-30T08:00:40Z --reason "new boring tool T-17" --token $SPC_TOKEN'))
  .action(async (characteristic: string, o) => { process.exitCode = await (await import('./limits.js')).propose(characteristic, o); });
limitsConnection(limitsCmd
  .command('approve')
  .description('approve a proposal with your electronic signature (your signing secret, read from stdin); it takes effect at once')
  .argument('<proposal>', 'the proposal number (spc limits list)'))
  .action(async (id: string, o) => { process.exitCode = await (await import('./limits.js')).approve(id, o); });
limitsConnection(limitsCmd
  .command('list')
  .description('limits versions and open proposals, before → after')
  .option('--characteristic <id>', 'only this characteristic')
  .option('--json', 'print JSON'))
  .action(async (o) => { process.exitCode = await (await import('./limits.js')).list(o); });

const tokens = program.command('tokens').description('the tokens file: roles, lines and signing secrets');
tokens
  .command('hash-secret')
  .description('read a signing secret on stdin and print its salted scrypt hash, for a tokens-file entry\'s `signing:` (electronic signatures)')
  .addHelpText('after', '\nExample:\n  read -rs SECRET; printf %s "$SECRET" | spc tokens hash-secret\n  # then in tokens.yaml: - { token: …, role: quality, name: "A. Quality", signing: "scrypt$32768$8$1$…" }')
  .action(async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (secret.length < 8) { process.stderr.write('error: a signing secret needs at least 8 characters (read from stdin)\n'); process.exitCode = 1; return; }
    process.stdout.write((await (await import('../auth/signature.js')).hashSigningSecret(secret)) + '\n');
  });

const rules = program.command('rules').description('check and test rule files');
rules
  .command('check')
  .description('validate rule files; errors are printed as file:line:col (exit 1 on any)')
  .argument('<paths...>', 'rule files or folders')
  .action(async (paths: string[]) => { process.exitCode = await (await import('./rules-check.js')).rulesCheck(paths); });
rules
  .command('test')
  .description('run rule-file tests (*.test.yaml): given samples, expect these violations and actions')
  .argument('[paths...]', 'test files or folders', ['rules'])
  .addOption(new Option('--verbose', 'show every point with a violation, not only differences'))
  .action(async (paths: string[], o: { verbose?: boolean }) => { process.exitCode = await (await import('./rules-test.js')).rulesTest(paths, o); });
rules
  .command('replay')
  .description('what a rule file would have fired on history: holds and alarms per characteristic (and day), compared with the current rules')
  .requiredOption('--rules <file>', 'the candidate rule file or folder')
  .requiredOption('--from <file>', 'history: samples as NDJSON or CSV')
  .option('--against <file>', 'the rules in use, to compare with')
  .option('--by-day', 'one row per characteristic and day (UTC)')
  .option('--json', 'print JSON')
  .action(async (o) => { process.exitCode = await (await import('./rules-replay.js')).rulesReplay(o); });
rules
  .command('arl')
  .description('in-control ARL₀ (false-alarm interval) and shifted ARL₁ of each characteristic\'s rule set, by Monte Carlo with a fixed seed')
  .argument('<file>', 'rule file or folder')
  .option('--runs <n>', 'runs per value', '5000')
  .option('--seed <n>', 'random seed', '1')
  .option('--shift <sigma>', 'mean shift for ARL₁, in σ of individual values', '1')
  .option('--json', 'print JSON')
  .action(async (file: string, o) => { process.exitCode = await (await import('./rules-arl.js')).rulesArl(file, o); });

program.parseAsync().catch((err: unknown) => {
  if (err instanceof InvalidFileError) process.stderr.write(err.message + '\n');
  else if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') process.stderr.write(`error: no such file: ${(err as NodeJS.ErrnoException).path}\n`);
  else process.stderr.write(`error: ${redactCredentials((process.env.SPC_DEBUG ? (err as Error)?.stack : (err as Error)?.message) ?? String(err))}\n`);
  process.exitCode = 1;
});
