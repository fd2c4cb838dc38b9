import onnxProto from 'onnx-proto';
import type { AnomalyModel } from './model.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
/** ReduceSum takes its axes as an int64 input from opset 13; we target 13 for wide runtime support. */
export const OPSET = 13;
/** IR version 7 is what opset 13 runtimes (onnxruntime ≥ 1.7, onnx ≥ 1.8) read. */
const IR_VERSION = 7;

export const INPUT_NAME = 'features';

function floatTensor(name: string, dims: number[], values: number[]) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, floatData: values });
}
function int64Tensor(name: string, values: number[]) {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: values });
}
function node(opType: string, inputs: string[], output: string, attrs: Record<string, number> = {}) {
  return onnx.NodeProto.create({
    opType, input: inputs, output: [output], name: output,
    attribute: Object.entries(attrs).map(([name, i]) => onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i })),
  });
}
function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/**
 * The model as a standard ONNX graph (opset 13, float32), loadable by any ONNX runtime.
 * Input `features` [N, p] in the card's feature order. Outputs: `score` [N] (T²),
 * `contributions` [N, p], and for PCA `q` [N].
 *   Mahalanobis: d = x − μ; v = d·S⁻¹; contributions = d ⊙ v; score = Σⱼ contributions.
 *   PCA: z = (x − μ)/s; t = z·P; score = Σ t²/λ; r = z − t·Pᵀ; contributions = r ⊙ r; q = Σⱼ contributions.
 */
export function exportOnnx(model: AnomalyModel, name: string, producerVersion: string): Uint8Array {
  const p = model.features.length;
  const nodes = [];
  const initializers = [floatTensor('mean', [p], model.mean), int64Tensor('axis1', [1])];
  const outputs = [valueInfo('score', ['N']), valueInfo('contributions', ['N', p])];
  if (model.kind === 'mahalanobis') {
    initializers.push(floatTensor('precision', [p, p], model.precision.flat()));
    nodes.push(
      node('Sub', [INPUT_NAME, 'mean'], 'd'),
      node('MatMul', ['d', 'precision'], 'v'),
      node('Mul', ['d', 'v'], 'contributions'),
      node('ReduceSum', ['contributions', 'axis1'], 'score', { keepdims: 0 }),
    );
  } else {
    const k = model.eigenvalues.length;
    initializers.push(
      floatTensor('scale', [p], model.scale),
      floatTensor('loadings', [p, k], model.loadings.flat()),
      floatTensor('loadings_t', [k, p], Array.from({ length: k * p }, (_, i) => model.loadings[i % p][Math.floor(i / p)])),
      floatTensor('eigenvalues', [k], model.eigenvalues),
    );
    nodes.push(
      node('Sub', [INPUT_NAME, 'mean'], 'centered'),
      node('Div', ['centered', 'scale'], 'z'),
      node('MatMul', ['z', 'loadings'], 't'),
      node('Mul', ['t', 't'], 't_squared'),
      node('Div', ['t_squared', 'eigenvalues'], 't2_parts'),
      node('ReduceSum', ['t2_parts', 'axis1'], 'score', { keepdims: 0 }),
      node('MatMul', ['t', 'loadings_t'], 'z_hat'),
      node('Sub', ['z', 'z_hat'], 'residual'),
      node('Mul', ['residual', 'residual'], 'contributions'),
      node('ReduceSum', ['contributions', 'axis1'], 'q', { keepdims: 0 }),
    );
    outputs.push(valueInfo('q', ['N']));
  }
  const graph = onnx.GraphProto.create({
    name, node: nodes, initializer: initializers, input: [valueInfo(INPUT_NAME, ['N', p])], output: outputs,
    docString: `spc-guard ${model.kind} model over ${model.features.join(', ')}`,
  });
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION, producerName: 'spc-guard', producerVersion, opsetImport: [{ domain: '', version: OPSET }], graph,
    docString: 'Multivariate in-control model trained by `spc train`; see the model card beside it.',
  });
  return onnx.ModelProto.encode(proto).finish();
}
