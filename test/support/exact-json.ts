// A JSON parser for comparisons that must not round through doubles: integer
// literals become bigint (exact at any size), other numbers stay numbers.
// JSON.parse would turn 9223372036854775807 into 9223372036854775808.

export type ExactJson = null | boolean | string | number | bigint | ExactJson[] | { [key: string]: ExactJson };

export function parseExactJson(text: string): ExactJson {
  let pos = 0;

  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${pos}: ${JSON.stringify(text.slice(pos, pos + 20))}`);
  };
  const skipSpace = () => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos])) pos++;
  };
  const expect = (s: string) => {
    if (!text.startsWith(s, pos)) fail(`expected ${s}`);
    pos += s.length;
  };

  const value = (): ExactJson => {
    skipSpace();
    const c = text[pos];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return expect('true'), true;
    if (c === 'f') return expect('false'), false;
    if (c === 'n') return expect('null'), null;
    return number();
  };

  const object = () => {
    const out: { [key: string]: ExactJson } = {};
    expect('{');
    skipSpace();
    if (text[pos] === '}') return pos++, out;
    for (;;) {
      skipSpace();
      const key = string();
      skipSpace();
      expect(':');
      out[key] = value();
      skipSpace();
      if (text[pos] === ',') pos++;
      else return expect('}'), out;
    }
  };

  const array = () => {
    const out: ExactJson[] = [];
    expect('[');
    skipSpace();
    if (text[pos] === ']') return pos++, out;
    for (;;) {
      out.push(value());
      skipSpace();
      if (text[pos] === ',') pos++;
      else return expect(']'), out;
    }
  };

  const string = (): string => {
    // Find the closing quote, skipping escapes; JSON.parse then checks and decodes the literal.
    if (text[pos] !== '"') fail('expected a string');
    let end = pos + 1;
    while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    if (end >= text.length) fail('unterminated string');
    const literal = text.slice(pos, end + 1);
    pos = end + 1;
    return JSON.parse(literal) as string;
  };

  const number = (): number | bigint => {
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(pos));
    if (!m) return fail('bad value');
    pos += m[0].length;
    return m[1] === undefined && m[2] === undefined ? BigInt(m[0]) : Number(m[0]);
  };

  const result = value();
  skipSpace();
  if (pos !== text.length) fail('trailing text');
  return result;
}
