/**
 * A named export of a lazily imported module, wherever the bundler put it. From the sources Node's CommonJS
 * interop exposes a CommonJS package's exports as named exports; in the esbuild bundle the same `import()` yields
 * a namespace with only `default`. Reading both keeps the shipped bundle and the sources in step.
 */
export function namedExport<T>(module: unknown, name: string, specifier: string): T {
  const namespace = module as Record<string, unknown> & { default?: Record<string, unknown> };
  const value = namespace[name] ?? namespace.default?.[name];
  if (value === undefined) throw new Error(`${specifier} has no export named ${name}`);
  return value as T;
}
