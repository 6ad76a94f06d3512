/**
 * One request to the native DashScope API (contract §4):
 *   POST {origin}/api/v1/services/embeddings/text-embedding/text-embedding
 *   {"model", "input": {"texts": [...]}, "parameters": {"dimension", "text_type", "instruct"?, "output_type"?}}
 * Only the native API has text_type / instruct / sparse output, which is why it is the default.
 */
import { httpRequest, type HttpReply } from './http';
import { classifyServerError, parseServerError, type FailureContext } from './failures';
import type { BatchReply, BatchSender } from './schedulerOptions';
import { toSparse, toVector, type SparseVector } from './vectors';

export interface NativeParams {
  readonly model: string;
  /** Singular `dimension` on the wire. */
  readonly dimensions: number;
  readonly textType: 'document' | 'query';
  /** English task instruction (queries, v4). */
  readonly instruct?: string;
  /** `output_type: "dense&sparse"`. */
  readonly sparse?: boolean;
}

export function buildNativeBody(texts: readonly string[], p: NativeParams): string {
  const parameters: Record<string, unknown> = { dimension: p.dimensions, text_type: p.textType };
  if (p.instruct) parameters.instruct = p.instruct;
  if (p.sparse) parameters.output_type = 'dense&sparse';
  return JSON.stringify({ model: p.model, input: { texts }, parameters });
}

export function createNativeSender(opts: {
  readonly url: string;
  readonly apiKey: string;
  readonly params: NativeParams;
  readonly ctx: FailureContext;
}): BatchSender {
  const headers = {
    authorization: `Bearer ${opts.apiKey}`,
    'content-type': 'application/json; charset=utf-8',
    accept: 'application/json',
    'user-agent': 'semantic-workspace',
  };
  return async (texts, signal) => {
    const reply = await httpRequest({ url: opts.url, headers, body: buildNativeBody(texts, opts.params), signal });
    return parseNativeReply(reply, texts.length, opts.params, opts.ctx);
  };
}

/** Throws the classified failure on non-200; SyntaxError (retried as bad-json) on broken JSON. */
export function parseNativeReply(reply: HttpReply, count: number, p: NativeParams, ctx: FailureContext): BatchReply {
  if (reply.status !== 200) throw classifyServerError(parseServerError(reply.status, reply.body, reply.headers), ctx);
  const json = JSON.parse(reply.body) as { output?: { embeddings?: unknown }; usage?: { total_tokens?: unknown } };
  const items = json.output?.embeddings;
  if (!Array.isArray(items)) throw new SyntaxError('reply has no output.embeddings');
  const vectors: Float32Array[] = new Array(count);
  const sparse: (SparseVector | undefined)[] = new Array(count);
  for (const item of items as { embedding?: unknown; text_index?: unknown; sparse_embedding?: unknown }[]) {
    const i = item.text_index;
    // Placed by text_index, never by array position (LlamaIndex / Spring do the same).
    if (typeof i !== 'number' || i < 0 || i >= count || vectors[i]) continue;
    vectors[i] = toVector(item.embedding, p.dimensions, ctx.service);
    if (p.sparse) sparse[i] = toSparse(item.sparse_embedding) ?? [];
  }
  const missing = vectors.length - vectors.filter(Boolean).length;
  if (missing) throw new SyntaxError(`reply misses ${missing} of ${count} embeddings`);
  const tokens = typeof json.usage?.total_tokens === 'number' ? json.usage.total_tokens : undefined;
  return { vectors, tokens, sparse: p.sparse ? sparse : undefined };
}
