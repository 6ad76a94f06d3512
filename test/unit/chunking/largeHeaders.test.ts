/** Large C/C++ headers are chunked structurally (no parse): declarations, names, namespaces, coverage. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkFile } from '../../../src/core/chunking';
import { STRUCTURAL_MIN_CHARS, chunkStructurally, declarationName } from '../../../src/core/chunking/braceUnits';
import { assertWellFormed } from './helpers';

/** A glibc-style header: guard, extern "C", documented prototypes, a struct, a typedef'd struct, macros. */
function cHeader(functions: number): string {
  const out = ['/* Copyright (C) 2026 Example.', '   This file is part of a test.  */', '', '#ifndef _BIG_H', '#define _BIG_H 1', '',
    '#include <stddef.h>', '', '#ifdef __cplusplus', 'extern "C" {', '#endif', '',
    '/* A socket address, as the kernel sees it.  */', 'struct big_sockaddr', '{', '  unsigned short family;', '  char data[14];', '};', '',
    'typedef struct', '{', '  int quot;', '  int rem;', '} big_div_t;', '', '#define BIG_MAX(a, b) \\', '  ((a) > (b) ? (a) : (b))', ''];
  for (let i = 0; i < functions; i++) {
    out.push(`/* Open the stream number ${i} of the device named by PATH with the FLAGS given,`, `   returning its descriptor or -1 and setting errno.  */`);
    out.push(`extern int big_open_${i} (const char *__path, int __flags, ...) __THROW __nonnull ((1));`, '');
  }
  out.push('#ifdef __cplusplus', '}', '#endif', '', '#endif /* big.h */', '');
  return out.join('\n');
}

/** A libstdc++-style header: everything inside `namespace std _GLIBCXX_VISIBILITY(default) { … }`. */
function cppHeader(functions: number): string {
  const out = ['// -*- C++ -*-', '#pragma once', '', 'namespace std _GLIBCXX_VISIBILITY(default)', '{', '_GLIBCXX_BEGIN_NAMESPACE_VERSION', ''];
  for (let i = 0; i < functions; i++) {
    out.push('  /**', `   *  @brief Rotates the elements of the range, variant ${i}.`, '   */', '  template<typename _Iter>', '    inline _Iter',
      `    rotate_${i}(_Iter __first, _Iter __middle, _Iter __last)`, '    {', `      if (__first == __middle)`, '\treturn __last;', `      return __first + ${i};`, '    }', '');
  }
  out.push('_GLIBCXX_END_NAMESPACE_VERSION', '} // namespace std', '');
  return out.join('\n');
}

describe('chunkFile: large C/C++ headers without a parse', () => {
  it('keeps every line, each prototype with its comment, and names the struct and the typedef', async () => {
    const text = cHeader(700);
    assert.ok(text.length >= STRUCTURAL_MIN_CHARS, 'big enough for the structural path');
    const chunks = await chunkFile('include/big.h', text);
    assertWellFormed(text, chunks);
    const lines = text.split('\n');
    for (const c of chunks) {
      // No chunk starts inside a prototype or between a comment and its declaration.
      const first = lines[c.startLine - 1];
      assert.ok(!/^\s+returning/.test(first) && !/^extern int big_open/.test(first) || c.startLine === 1 || /^\s*$/.test(lines[c.startLine - 2]) || lines[c.startLine - 2].endsWith(';'),
        `chunk at line ${c.startLine} starts mid-declaration: ${first}`);
      assert.ok(!/\/\*\s*Open the stream/.test(lines[c.endLine - 1]), `chunk ending at ${c.endLine} leaves a comment without its declaration`);
    }
    const struct = chunks.find((c) => c.text.includes('struct big_sockaddr'));
    assert.ok(struct && struct.text.includes('char data[14];') && struct.text.includes('A socket address'), 'the struct is whole, with its comment');
    const div = chunks.find((c) => c.text.includes('} big_div_t;'));
    assert.ok(div && div.text.includes('typedef struct'), 'typedef struct { … } name; stays together');
  });

  it('sees through a namespace: members are chunks named std.member, and a hit finds the right function', async () => {
    const text = cppHeader(260);
    assert.ok(text.length >= STRUCTURAL_MIN_CHARS);
    const chunks = await chunkFile('include/c++/bits/rotate.h', text);
    assertWellFormed(text, chunks);
    const named = chunks.filter((c) => c.symbol.startsWith('std.rotate_'));
    assert.ok(named.length >= 100, `functions are chunks of their own (${named.length})`);
    const f = chunks.find((c) => c.symbol === 'std.rotate_42');
    assert.ok(f, 'std.rotate_42 has a chunk');
    assert.ok(f.text.includes('@brief Rotates the elements of the range, variant 42.') && f.text.includes('return __first + 42;'), 'doc comment and body together');
    assert.ok(f.embedText.includes('symbol: std.rotate_42'), 'the symbol is in the embed header');
  });

  it('names declarations the way a reader would', () => {
    assert.equal(declarationName('extern int pthread_create (pthread_t *__restrict __newthread, const pthread_attr_t *__attr) __THROWNL __nonnull ((1, 3));'), 'pthread_create');
    assert.equal(declarationName('#define GL_TEXTURE_2D 0x0DE1'), 'GL_TEXTURE_2D');
    assert.equal(declarationName('typedef void (APIENTRYP PFNGLDRAWPROC) (GLenum mode);'), 'PFNGLDRAWPROC');
    assert.equal(declarationName('typedef unsigned long int pthread_t;'), 'pthread_t');
    assert.equal(declarationName('struct timespec '), 'timespec');
    assert.equal(declarationName('template<typename _Tp> inline bool operator==(const allocator<_Tp>&, const allocator<_Tp>&)'), 'operator==');
    assert.equal(declarationName('_GLIBCXX_BEGIN_NAMESPACE_VERSION'), '');
  });

  it('applies to large headers only: small headers and C/C++ sources are still parsed', () => {
    assert.equal(chunkStructurally('include/big.h', 'cpp', STRUCTURAL_MIN_CHARS), true);
    assert.equal(chunkStructurally('include/c++/bits/big.hpp', 'cpp', 200_000), true);
    assert.equal(chunkStructurally('include/small.h', 'cpp', STRUCTURAL_MIN_CHARS - 1), false);
    assert.equal(chunkStructurally('src/big.c', 'cpp', 200_000), false);
    assert.equal(chunkStructurally('src/big.cpp', 'cpp', 200_000), false);
    assert.equal(chunkStructurally('src/big.ts', 'typescript', 200_000), false);
  });
});
