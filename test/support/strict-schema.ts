// A deep-strict copy of a zod 4 schema, to check what the control service
// sends against the schema that describes it: every object refuses keys it
// does not name, at any depth, and a field with a default must be present
// (the default is a reader's leniency, not something the sender may omit).
import { z } from 'zod';

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

export function deepStrict(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return z.strictObject(Object.fromEntries(Object.entries((schema as z.ZodObject).shape).map(([k, v]) => [k, deepStrict(v as z.ZodType)])));
    case 'array':
      return z.array(deepStrict(def.element as z.ZodType));
    case 'optional':
      return deepStrict(def.innerType as z.ZodType).optional();
    case 'nullable':
      return deepStrict(def.innerType as z.ZodType).nullable();
    case 'default':
    case 'prefault':
      return deepStrict(def.innerType as z.ZodType);
    case 'union':
      return z.union((def.options as z.ZodType[]).map(deepStrict) as [z.ZodType, ...z.ZodType[]]);
    case 'intersection':
      return z.intersection(deepStrict(def.left as z.ZodType), deepStrict(def.right as z.ZodType));
    case 'record':
      return z.record(def.keyType as z.ZodString, deepStrict(def.valueType as z.ZodType));
    case 'pipe':
      // A transform's input is what is sent.
      return deepStrict(def.in as z.ZodType);
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'null':
    case 'unknown':
      return schema;
    default:
      throw new Error(`deepStrict: teach me zod type ${def.type}`);
  }
}

/** '' when the value fits the schema deep-strictly, else each issue as path: message. */
export function strictIssues(schema: z.ZodType, value: unknown): string {
  const r = deepStrict(schema).safeParse(value);
  return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
