import { expect } from 'chai';
import { CorruptStateError, parseState } from './state.js';

const FILE = '.localcluster/state.json';
const valid = { startedAt: '2026-12-01T00:00:00Z', server: 'https://127.0.0.1:6443', ports: {}, versions: {}, processes: [{ name: 'etcd', pid: 123, binary: '/bin/etcd', health: 'https://127.0.0.1:2379/health', log: 'etcd.log' }] };

function refusal(text: string): string {
  try {
    parseState(text, FILE);
  } catch (err) {
    if (err instanceof CorruptStateError) return err.message;
    throw err;
  }
  throw new Error('expected a CorruptStateError');
}

describe('local cluster state file', () => {
  it('reads the processes of a valid state file', () => {
    expect(parseState(JSON.stringify(valid), FILE).processes[0]).to.include({ name: 'etcd', pid: 123 });
  });

  const corrupt: [string, string, RegExp][] = [
    ['a file cut short mid-write', JSON.stringify(valid).slice(0, 40), /not JSON/],
    ['an empty file', '', /not JSON/],
    ['JSON that is not an object', '[]', /not a JSON object/],
    ['a state without its process list', JSON.stringify({ ...valid, processes: undefined }), /"processes" is not a list/],
    ['a process without a usable PID', JSON.stringify({ ...valid, processes: [{ ...valid.processes[0], pid: '123' }] }), /processes\[0\] needs .* positive integer pid/],
  ];
  for (const [what, text, problem] of corrupt) {
    it(`refuses ${what}, naming the file and saying nothing was started or stopped`, () => {
      const message = refusal(text);
      expect(message).to.match(problem);
      expect(message).to.include(FILE).and.include('nothing was started or stopped');
    });
  }
});
