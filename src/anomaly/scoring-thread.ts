/** Worker thread running one ONNX model; see scoring-pool.ts. */
import * as ort from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';

const { model, features } = workerData as { model: Uint8Array; features: number };
const port = parentPort!;
// One intra-op thread: the process's other core belongs to the hold path and NATS.
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
// A dry run with the card's width catches a model/card feature mismatch at startup.
await session.run({ features: new ort.Tensor('float32', new Float32Array(features), [1, features]) });
port.postMessage({ type: 'ready', outputs: session.outputNames });

port.on('message', async (m: { id: number; rows: Float32Array; n: number }) => {
  try {
    const out = await session.run({ features: new ort.Tensor('float32', m.rows, [m.n, features]) });
    const score = Float32Array.from(out.score.data as Float32Array);
    const contributions = Float32Array.from(out.contributions.data as Float32Array);
    const q = out.q ? Float32Array.from(out.q.data as Float32Array) : undefined;
    port.postMessage({ type: 'result', id: m.id, score, contributions, q }, [score.buffer, contributions.buffer, ...(q ? [q.buffer] : [])]);
  } catch (err) {
    port.postMessage({ type: 'error', id: m.id, message: String((err as Error).message) });
  }
});
