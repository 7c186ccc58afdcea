/**
 * Prototype-free dictionaries for everything looked up by a word or a key that may come from a
 * customer: a plain object literal answers `"constructor"`, `"toString"` or `"__proto__"` with what
 * Object.prototype holds, which broke every turn ("constructor" found `Object.prototype.constructor`
 * in the contraction list). Data read from JSON is copied into objects without a prototype, and
 * lookups in records that may come from elsewhere go through {@link own}.
 */

/** A deep copy of JSON data in which every object has no prototype (arrays stay arrays). */
export function withoutPrototypes<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutPrototypes(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = withoutPrototypes(v);
  return out as T;
}

/** JSON.parse, then {@link withoutPrototypes}. */
export function parseDictionary<T>(text: string): T {
  return withoutPrototypes(JSON.parse(text) as T);
}

/** The record's own value for `key`, or undefined: never one inherited from Object.prototype. */
export function own<V>(record: Readonly<Record<string, V>> | null | undefined, key: string): V | undefined {
  return record != null && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A new empty dictionary (no prototype) with the entries of `sources`, later ones winning. */
export function dictionaryOf<V>(...sources: (Readonly<Record<string, V>> | null | undefined)[]): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const s of sources) if (s) for (const [k, v] of Object.entries(s)) out[k] = v;
  return out;
}
