import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node, type Pair, type YAMLMap } from "yaml";

export interface Pos {
  line: number;
  column: number;
}

/** A YAML file parsed with positions. `ok` is false when it has errors (then rules do not run on it). */
export interface ParsedYaml {
  docs: Document.Parsed[];
  lines: LineCounter;
  text: string;
  errors: string[];
}

export function parseYaml(text: string, multi = false): ParsedYaml {
  const lines = new LineCounter();
  const docs = multi ? parseAllDocuments(text, { lineCounter: lines }) : [parseDocument(text, { lineCounter: lines })];
  const list = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors.map((e) => e.message.split("\n")[0]!));
  return { docs: list as Document.Parsed[], lines, text, errors };
}

/** 1-based line/column of a node (or pair key) from its parse range. */
export function posOf(parsed: ParsedYaml, node: Node | null | undefined): Pos {
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = parsed.lines.linePos(offset);
  return { line, column: col };
}

export const asMap = (node: unknown): YAMLMap | undefined => (isMap(node) ? node : undefined);

/** The pair of a map whose scalar key is `key`. */
export function pairOf(map: YAMLMap | undefined, key: string): Pair<Node, Node> | undefined {
  if (!map) return undefined;
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair<Node, Node> | undefined;
}

export function valueOf(map: YAMLMap | undefined, key: string): Node | undefined {
  return pairOf(map, key)?.value ?? undefined;
}

/** The scalar value of `key` as a string, if it is a scalar. */
export function stringOf(map: YAMLMap | undefined, key: string): string | undefined {
  const value = valueOf(map, key);
  return isScalar(value) && value.value !== null && value.value !== undefined ? String(value.value) : undefined;
}

export function entries(map: YAMLMap | undefined): { key: string; keyNode: Node; value: Node | undefined }[] {
  if (!map) return [];
  return map.items
    .filter((p) => isScalar(p.key))
    .map((p) => ({ key: String((p.key as { value: unknown }).value), keyNode: p.key as Node, value: (p.value ?? undefined) as Node | undefined }));
}

export function seqItems(node: unknown): Node[] {
  return isSeq(node) ? (node.items as Node[]) : [];
}

/** Start offset of the line that holds `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** True when only spaces precede `offset` on its line (the node starts a block line, not after `- `). */
export function startsLine(text: string, offset: number): boolean {
  return /^ *$/.test(text.slice(lineStart(text, offset), offset));
}

export { isMap, isScalar, isSeq };
