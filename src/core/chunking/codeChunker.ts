/**
 * Syntax-aware chunking of code: one chunk per function / method / class / top-level declaration,
 * with its leading comments, decorators and attributes; a node over the budget is split into its
 * members (a class into methods: `Mailbox.__len__`), small neighbours (imports, constants) are
 * packed together, and whatever is still too big or has no members falls back to line windows.
 * Every non-blank line ends up in a chunk: lines no node claims become "gap" units.
 */
import type { Node } from '@vscode/tree-sitter-wasm';
import { endLine, isDefinition, isPrefixNode, membersContainer, nameOf, namedChildren, startLine } from './syntax';
import { parserFor } from './treeSitter';
import { type LineContext, type Piece, lineWindows, trimRange } from './windows';

/** A non-definition with a name still gets its own chunk beyond this many lines (big constants, configs). */
const SMALL_UNIT_LINES = 5;
/** Groups this small (non-blank lines) are folded into a neighbour instead of standing alone. */
const TINY_GROUP_LINES = 2;
/** Recursion guard for nested splitting (class → method → block → …). */
const MAX_SPLIT_DEPTH = 12;

export interface Unit {
  start: number;
  end: number;
  symbol: string;
  /** Definitions (and big named things) are never packed with neighbours. */
  standalone: boolean;
  /** Has a name of its own (not just the enclosing path): such a unit is never folded away. */
  named: boolean;
  /** The syntax node to split by when the unit is too big; none for gaps and comment blocks. */
  node?: Node;
}

/** Pieces of top-level units found without a parse (`braceUnits.ts`): same packing and splits. */
export function layoutUnits(ctx: LineContext, units: Unit[]): Piece[] {
  return layout(ctx, fillGaps(ctx, units, '', 0, ctx.lines.length - 1), 0);
}

/** Chunk pieces of a source file parsed with `grammar`, or undefined when parsing failed. */
export async function chunkCodePieces(ctx: LineContext, text: string, grammar: string): Promise<Piece[] | undefined> {
  const parser = await parserFor(grammar);
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    const root = tree.rootNode;
    const units = unitsFromSiblings(ctx, namedChildren(root), '', 0, ctx.lines.length - 1);
    return layout(ctx, units, 0);
  } finally {
    tree.delete(); // wasm memory is not garbage-collected
  }
}

function joinPath(parent: string, name: string): string {
  return parent && name ? `${parent}.${name}` : parent || name;
}

/** Whether a member's own name is part of the symbol path (definitions, fields, top-level names — not locals). */
function namesMember(node: Node, parentPath: string): boolean {
  return parentPath === '' || isDefinition(node) || /field|property/.test(node.type);
}

function unitForNode(node: Node, start: number, parentPath: string): Unit {
  const end = endLine(node);
  const name = namesMember(node, parentPath) ? nameOf(node) : '';
  const ownLines = end - startLine(node) + 1;
  const standalone = (isDefinition(node) && ownLines > 1) || (name !== '' && ownLines > SMALL_UNIT_LINES);
  return { start, end, symbol: joinPath(parentPath, name), standalone, named: name !== '', node };
}

/**
 * Units of a sibling list within lines rangeStart..rangeEnd: prefix nodes (comments, decorators,
 * attributes) directly above a node join it; a comment on the line where a node ends joins that
 * node; nodes sharing a line are merged (chunks are whole lines); uncovered lines become gaps.
 */
function unitsFromSiblings(ctx: LineContext, siblings: Node[], parentPath: string, rangeStart: number, rangeEnd: number): Unit[] {
  const units: Unit[] = [];
  let pending: Node[] = [];
  const flushPending = (): void => {
    if (pending.length) {
      units.push({ start: startLine(pending[0]), end: endLine(pending[pending.length - 1]), symbol: parentPath, standalone: false, named: false });
    }
    pending = [];
  };
  for (const node of siblings) {
    const s = startLine(node);
    if (isPrefixNode(node)) {
      const prev = units[units.length - 1];
      if (!pending.length && prev && s <= prev.end) {
        prev.end = Math.max(prev.end, endLine(node)); // trailing comment of the previous statement
        continue;
      }
      if (pending.length && s > endLine(pending[pending.length - 1]) + 1) flushPending(); // a blank line breaks the chain
      pending.push(node);
      continue;
    }
    let start = s;
    if (pending.length && s <= endLine(pending[pending.length - 1]) + 1) start = startLine(pending[0]);
    else flushPending();
    pending = [];
    units.push(unitForNode(node, start, parentPath));
  }
  flushPending();
  return fillGaps(ctx, mergeSharedLines(units), parentPath, rangeStart, rangeEnd);
}

/** Chunks are made of whole lines, so two units touching the same line become one. */
function mergeSharedLines(units: Unit[]): Unit[] {
  const out: Unit[] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (prev && u.start <= prev.end) {
      prev.end = Math.max(prev.end, u.end);
      prev.standalone ||= u.standalone;
      prev.named ||= u.named;
      prev.symbol ||= u.symbol;
      prev.node = undefined; // several nodes now: split by lines if too big
    } else out.push({ ...u });
  }
  return out;
}

function fillGaps(ctx: LineContext, units: Unit[], parentPath: string, rangeStart: number, rangeEnd: number): Unit[] {
  const out: Unit[] = [];
  let cursor = rangeStart;
  const gap = (from: number, to: number): void => {
    const r = trimRange(ctx, from, to);
    if (r) out.push({ start: r[0], end: r[1], symbol: parentPath, standalone: false, named: false });
  };
  for (const u of units) {
    if (u.start > cursor) gap(cursor, u.start - 1);
    out.push(u);
    cursor = Math.max(cursor, u.end + 1);
  }
  if (cursor <= rangeEnd) gap(cursor, rangeEnd);
  return out;
}

/** Longest common dotted prefix: `Mailbox` + `Mailbox.add` → `Mailbox`; `''` + `X` → `''`. */
function commonSymbol(a: string, b: string): string {
  if (a === b || !a) return a;
  if (!b) return b;
  if (b.startsWith(a) && b.charCodeAt(a.length) === 46 /* . */) return a;
  const pa = a.split('.');
  const pb = b.split('.');
  const common: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) common.push(pa[i]);
  return common.join('.');
}

interface Group extends Piece {
  standalone: boolean;
  named: boolean;
}

function nonBlankLines(ctx: LineContext, start: number, end: number): number {
  let n = 0;
  for (let i = start; i <= end; i++) if (!ctx.blank[i]) n++;
  return n;
}

/** Units → pieces: split what is too big, pack small neighbours, fold tiny leftovers into a neighbour. */
function layout(ctx: LineContext, units: Unit[], depth: number): Piece[] {
  const { tokens, budget } = ctx;
  const groups: Group[] = [];
  for (const unit of units) {
    if (tokens.range(unit.start, unit.end) > budget) {
      for (const piece of splitUnit(ctx, unit, depth)) groups.push({ ...piece, standalone: true, named: true });
      continue;
    }
    const prev = groups[groups.length - 1];
    if (prev && !prev.standalone && !unit.standalone && tokens.range(prev.start, unit.end) <= budget) {
      prev.end = unit.end;
      prev.symbol = commonSymbol(prev.symbol, unit.symbol);
      prev.named ||= unit.named;
    } else {
      groups.push({ start: unit.start, end: unit.end, symbol: unit.symbol, standalone: unit.standalone, named: unit.named });
    }
  }
  return foldTinyGroups(ctx, groups);
}

/**
 * A lone `package x;`, `impl Foo {`, `}` or `export default X;` is not worth a chunk of its own: it
 * joins the next (or previous) chunk. Named one-liners (`type Folder = …`) keep their own chunk.
 */
function foldTinyGroups(ctx: LineContext, groups: Group[]): Piece[] {
  const out: Group[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    const tiny = !g.standalone && !g.named && g.text === undefined && nonBlankLines(ctx, g.start, g.end) <= TINY_GROUP_LINES;
    if (tiny) {
      const next = groups[i + 1];
      if (next && next.text === undefined && ctx.tokens.range(g.start, next.end) <= ctx.budget) {
        next.start = g.start;
        continue;
      }
      const prev = out[out.length - 1];
      if (prev && prev.text === undefined && ctx.tokens.range(prev.start, g.end) <= ctx.budget) {
        prev.end = g.end;
        continue;
      }
    }
    out.push(g);
  }
  return out.map(({ start, end, symbol, text }) => (text === undefined ? { start, end, symbol } : { start, end, symbol, text }));
}

/** A unit over the budget: split by its syntax members, else by line windows. */
function splitUnit(ctx: LineContext, unit: Unit, depth: number): Piece[] {
  // Chunks are whole lines: one long line (minified code) can only be cut by characters.
  if (unit.start === unit.end) return lineWindows(ctx, unit.start, unit.end, unit.symbol);
  const container = unit.node && depth < MAX_SPLIT_DEPTH ? membersContainer(unit.node) : undefined;
  if (!container) return lineWindows(ctx, unit.start, unit.end, unit.symbol);
  const members = unitsFromSiblings(ctx, namedChildren(container), unit.symbol, unit.start, unit.end);
  const noProgress = members.length === 1 && !members[0].node;
  if (noProgress) return lineWindows(ctx, unit.start, unit.end, unit.symbol);
  return layout(ctx, members, depth + 1);
}
