/**
 * Grammar knowledge the code chunker needs, kept in one table-driven place: which nodes are
 * definitions (own chunk), which are "prefix" nodes that belong to the next node (comments,
 * decorators, attributes), how to see through wrappers (`export`, `declare`, decorators), how to
 * name a node, and where the members of a too-big node are.
 */
import type { Node } from '@vscode/tree-sitter-wasm';

/** Nodes that get a chunk of their own (unless they fit on one line). */
const DEFINITION_TYPES: ReadonlySet<string> = new Set([
  // TypeScript / JavaScript
  'function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration',
  'interface_declaration', 'enum_declaration', 'type_alias_declaration', 'internal_module', 'module',
  'method_definition', 'class',
  // Python, C, C++, PHP, Bash
  'function_definition', 'class_definition', 'decorated_definition', 'type_definition',
  'struct_specifier', 'class_specifier', 'union_specifier', 'enum_specifier', 'namespace_definition', 'template_declaration',
  // Java, C#, PHP
  'method_declaration', 'constructor_declaration', 'record_declaration', 'annotation_type_declaration',
  'struct_declaration', 'namespace_declaration', 'local_function_statement', 'destructor_declaration',
  'trait_declaration', 'operator_declaration',
  // Go
  'type_declaration',
  // Rust
  'function_item', 'impl_item', 'trait_item', 'struct_item', 'enum_item', 'union_item', 'mod_item', 'macro_definition',
  // Ruby
  'method', 'singleton_method', 'singleton_class',
]);

/** Nodes that annotate the node after them and travel with it when directly adjacent. */
const PREFIX_TYPES: ReadonlySet<string> = new Set([
  'comment', 'line_comment', 'block_comment', 'decorator', 'attribute_item', 'attribute_list', 'annotation', 'marker_annotation',
]);

/** Wrappers whose interesting content (name, body) is one inner node. */
const WRAPPER_TYPES: ReadonlySet<string> = new Set([
  'export_statement', 'ambient_declaration', 'decorated_definition', 'expression_statement', 'template_declaration',
  'type_declaration', 'lexical_declaration', 'variable_declaration', 'var_declaration', 'const_declaration',
]);

const MAX_SYMBOL_CHARS = 120;

/** Imports and package lines name other things, not themselves. */
const UNNAMED_TYPES = /^(import|use_declaration|use_list|preproc_include|package_|namespace_use|using_directive|extern_crate|require)/;

export function isPrefixNode(node: Node): boolean {
  return PREFIX_TYPES.has(node.type) && !isInnerDocComment(node);
}

/** Rust `//!` comments document the enclosing item, not the next one. */
function isInnerDocComment(node: Node): boolean {
  return node.type === 'line_comment' && node.text.startsWith('//!');
}

/** 0-based first line of a node. */
export function startLine(node: Node): number {
  return node.startPosition.row;
}

/** 0-based last line of a node; a node ending at column 0 (it swallowed a newline) ends the line before. */
export function endLine(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

function namedChildrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const c of node.namedChildren) if (c) out.push(c);
  return out;
}

/** The declaration inside wrappers: `export class A` → class, `@dec def f` → def, `const f = …` → declarator. */
export function unwrap(node: Node): Node {
  let cur = node;
  for (let depth = 0; depth < 6 && WRAPPER_TYPES.has(cur.type); depth++) {
    const inner =
      cur.childForFieldName('declaration') ??
      cur.childForFieldName('definition') ??
      namedChildrenOf(cur).find((c) => !PREFIX_TYPES.has(c.type) && c.type !== 'template_parameter_list');
    if (!inner) break;
    cur = inner;
  }
  return cur;
}

/** A function value assigned to a name (`const f = () => …`) counts as a function definition. */
function isFunctionValue(node: Node): boolean {
  if (node.type !== 'variable_declarator') return false;
  const value = node.childForFieldName('value');
  return !!value && /^(arrow_function|function_expression|function|generator_function|class)$/.test(value.type);
}

/** True when the node is a function/class/type-like definition that deserves its own chunk. */
export function isDefinition(node: Node): boolean {
  if (DEFINITION_TYPES.has(node.type)) return true;
  const inner = unwrap(node);
  return DEFINITION_TYPES.has(inner.type) || isFunctionValue(inner);
}

/** The simple name of a node (`''` when it has none): `Foo`, `Mailbox.Len` for a Go method, `Foo.bar` for C++ `Foo::bar`. */
export function nameOf(node: Node): string {
  const inner = unwrap(node);
  if (UNNAMED_TYPES.test(inner.type)) return '';
  const name = rawName(inner);
  return name.length > MAX_SYMBOL_CHARS ? name.slice(0, MAX_SYMBOL_CHARS) : name;
}

function clean(text: string): string {
  return text.replace(/::/g, '.').replace(/\s+/g, ' ').trim();
}

/** `*Mailbox[T]`, `Vec<T>`, `&'a mut Foo` → the bare type name. */
function bareTypeName(text: string): string {
  const withoutGenerics = text.replace(/<.*>$/s, '').replace(/\[.*\]$/s, '');
  const m = /([A-Za-z_$][\w$]*(?:::[A-Za-z_$][\w$]*)*)\s*$/.exec(withoutGenerics);
  return m ? clean(m[1]) : '';
}

function rawName(node: Node): string {
  switch (node.type) {
    case 'method_declaration': {
      // Go: `func (m *Mailbox) Len()` → Mailbox.Len; Java/C#/PHP have no receiver.
      const receiver = node.childForFieldName('receiver');
      const name = node.childForFieldName('name')?.text ?? '';
      if (!receiver) return name;
      const param = namedChildrenOf(receiver).find((c) => c.type === 'parameter_declaration');
      const type = param?.childForFieldName('type')?.text ?? '';
      const owner = bareTypeName(type);
      return owner ? `${owner}.${name}` : name;
    }
    case 'impl_item': {
      const type = node.childForFieldName('type');
      return type ? bareTypeName(type.text) : '';
    }
    case 'function_definition':
    case 'declaration':
    case 'field_declaration':
    case 'type_definition':
    case 'template_declaration': {
      const name = node.childForFieldName('name');
      if (name) return clean(name.text); // Python, PHP, Bash
      const declarator = node.childForFieldName('declarator');
      if (declarator) return declaratorName(declarator);
      const inner = namedChildrenOf(node).find((c) => DEFINITION_TYPES.has(c.type));
      return inner ? rawName(inner) : '';
    }
    case 'expression_statement':
    case 'assignment': {
      const target = node.type === 'assignment' ? node : namedChildrenOf(node).find((c) => c.type === 'assignment');
      const left = target?.childForFieldName('left');
      return left && /^(identifier|attribute)$/.test(left.type) ? clean(left.text) : '';
    }
    case 'rule_set':
      return clean(namedChildrenOf(node).find((c) => c.type === 'selectors')?.text ?? '');
    default: {
      const name = node.childForFieldName('name');
      if (name) return clean(name.text);
      // Go `type_spec`, Java `field_declaration` → declarator with a name
      const declarator = node.childForFieldName('declarator');
      if (declarator) return declaratorName(declarator);
      return '';
    }
  }
}

/** C/C++/Java declarators nest (`*f(int)`, `Foo::bar()`); the name is at the bottom. */
function declaratorName(node: Node): string {
  let cur: Node | null = node;
  for (let depth = 0; cur && depth < 8; depth++) {
    if (/identifier$|^qualified_identifier$|^operator_name$|^destructor_name$/.test(cur.type)) {
      return clean(cur.text);
    }
    cur = cur.childForFieldName('declarator') ?? cur.childForFieldName('name') ?? cur.namedChild(0);
  }
  return '';
}

function lineSpan(node: Node): number {
  return endLine(node) - startLine(node) + 1;
}

/**
 * The node whose named children are the members to split a too-big node into: the `body` field
 * when there is one (class body, function block, impl declaration list), else the node itself;
 * then down through a dominant child of a node with at most two (Go `block` → `statement_list`,
 * `x = [ … ]` → the array), but never into a definition: that one is a member with its own name.
 * Returns undefined when there is nothing to split by.
 */
export function membersContainer(node: Node): Node | undefined {
  let cur = unwrap(node);
  const body = cur.childForFieldName('body');
  if (body && body.namedChildCount > 0) cur = body;
  for (let depth = 0; depth < 8; depth++) {
    const children = namedChildrenOf(cur);
    if (children.length === 0 || children.length > 2) break;
    let largest = children[0];
    for (const c of children) if (lineSpan(c) > lineSpan(largest)) largest = c;
    if (lineSpan(largest) < 0.8 * lineSpan(cur) || largest.namedChildCount === 0 || isDefinition(largest)) break;
    cur = largest;
  }
  return cur.namedChildCount > 0 ? cur : undefined;
}

export function namedChildren(node: Node): Node[] {
  return namedChildrenOf(node);
}
