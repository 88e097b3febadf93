import { expect } from 'chai';
import { messageOf } from './messages.js';

describe('messageOf (error text for logs and events)', () => {
  const cases: [string, unknown, string][] = [
    ['an Error gives its message', new TypeError('bad input'), 'bad input'],
    ['a thrown string is the message', 'plain text', 'plain text'],
    ['a thrown object is shown as JSON, not [object Object]', { code: 7 }, '{"code":7}'],
    ['undefined is named', undefined, 'undefined'],
    ['an object that cannot be JSON still gives text', (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })(), '[object Object]'],
  ];
  for (const [name, thrown, text] of cases) it(name, () => expect(messageOf(thrown)).to.equal(text));
});
