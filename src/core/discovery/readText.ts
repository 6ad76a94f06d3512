/**
 * readTextFile: the text of a discovered file, or why it is not text worth indexing. Files change
 * between discovery and reading, so size and type are checked again on the open descriptor.
 */
import fs from 'node:fs';
import type { SkipReason } from '../types';

/** Binary sniffing window: a NUL byte in the first 8 KB means binary (as git and ripgrep decide). */
const SNIFF_BYTES = 8192;

export type ReadResult = { text: string } | { skip: SkipReason; detail?: string };

export async function readTextFile(absPath: string, maxBytes: number): Promise<ReadResult> {
  let handle: fs.promises.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO that slipped in (a race with discovery) must not hang.
    handle = await fs.promises.open(absPath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ELOOP') return { skip: 'not-a-regular-file', detail: 'symlink loop' };
    return { skip: 'unreadable', detail: code === 'ENOENT' ? 'vanished' : code };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { skip: 'not-a-regular-file' };
    if (stats.size > maxBytes) return { skip: 'too-large', detail: `${stats.size} bytes` };
    // Read up to one byte past the limit: the file may have grown since it was stat-ed.
    const parts: Buffer[] = [];
    let length = 0;
    let want = Math.min(stats.size, maxBytes) + 1;
    for (;;) {
      const buffer = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(buffer, 0, want, length);
      if (bytesRead === 0) break;
      parts.push(buffer.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) return { skip: 'too-large', detail: `over ${maxBytes} bytes` };
      want = Math.min(64 * 1024, maxBytes + 1 - length);
    }
    return decode(parts.length === 1 ? parts[0] : Buffer.concat(parts, length));
  } catch (err) {
    return { skip: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** Bytes → text: binary check, UTF-8 with replacement characters for invalid bytes, BOM dropped, CRLF kept. */
export function decode(bytes: Uint8Array): ReadResult {
  if (bytes.length === 0) return { skip: 'empty' };
  if (bytes.subarray(0, SNIFF_BYTES).includes(0)) return { skip: 'binary', detail: 'NUL byte' };
  const text = decoder.decode(bytes); // ignoreBOM: false → a leading UTF-8 BOM is consumed
  if (!/\S/.test(text)) return { skip: 'empty', detail: 'whitespace only' };
  return { text };
}
