import { expect } from 'chai';
import { FEATURES } from './schema.js';
import { MAX_LISTED_PROBLEMS, validateBatch, validateVitals, type FieldProblem } from './validation.js';

const valid = { heartRate: 75, systolicBP: 125, diastolicBP: 80, temperature: 37, oxygenSaturation: 98 };

function problems(body: unknown): FieldProblem[] {
  const result = validateVitals(FEATURES, body);
  return result.ok ? [] : result.details;
}

describe('validateVitals', () => {
  it('accepts a complete, in-range patient and returns it', () => {
    expect(validateVitals(FEATURES, valid)).to.deep.equal({ ok: true, value: valid });
  });

  it('accepts the exact range bounds', () => {
    expect(validateVitals(FEATURES, { heartRate: 20, systolicBP: 260, diastolicBP: 20, temperature: 45, oxygenSaturation: 50 }).ok).to.be.true;
  });

  const cases: Array<[string, unknown, FieldProblem[]]> = [
    ['rejects an array body', [valid], [{ field: 'body', message: 'must be a JSON object with heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation, got an array' }]],
    ['rejects a null body', null, [{ field: 'body', message: 'must be a JSON object with heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation, got null' }]],
    ['rejects a string body', 'hi', [{ field: 'body', message: 'must be a JSON object with heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation, got string' }]],
    ['names a missing field and its range', { ...valid, heartRate: undefined }, [{ field: 'heartRate', message: 'is required: a number between 20 and 250 bpm' }]],
    ['rejects a numeric string', { ...valid, temperature: '37' }, [{ field: 'temperature', message: 'must be a number between 30 and 45 °C, got string' }]],
    ['rejects null', { ...valid, oxygenSaturation: null }, [{ field: 'oxygenSaturation', message: 'must be a number between 50 and 100 %, got null' }]],
    ['rejects a boolean', { ...valid, systolicBP: true }, [{ field: 'systolicBP', message: 'must be a number between 50 and 260 mmHg, got boolean' }]],
    ['rejects infinity (1e999 in JSON)', { ...valid, heartRate: Infinity }, [{ field: 'heartRate', message: 'must be a finite number between 20 and 250 bpm' }]],
    ['rejects NaN', { ...valid, heartRate: NaN }, [{ field: 'heartRate', message: 'must be a finite number between 20 and 250 bpm' }]],
    ['rejects a value below the range', { ...valid, oxygenSaturation: 49.9 }, [{ field: 'oxygenSaturation', message: 'must be between 50 and 100 %, got 49.9' }]],
    ['rejects a value above the range', { ...valid, temperature: 45.1 }, [{ field: 'temperature', message: 'must be between 30 and 45 °C, got 45.1' }]],
    ['rejects an unknown field, listing the allowed ones', { ...valid, age: 40 }, [{ field: 'age', message: 'is not a known field; allowed: heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation' }]],
    ['rejects diastolic at or above systolic', { ...valid, diastolicBP: 125 }, [{ field: 'diastolicBP', message: 'must be below systolicBP (125 mmHg), got 125' }]],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => {
      expect(problems(body)).to.deep.equal(expected);
    });
  }

  it('reports every problem at once', () => {
    const got = problems({ heartRate: 'fast', systolicBP: 300, temperature: null, extra: 1 });
    expect(got.map((p) => p.field)).to.deep.equal(['heartRate', 'systolicBP', 'diastolicBP', 'temperature', 'oxygenSaturation', 'extra']);
  });

  it('reports diastolic at or above systolic in the same answer as the other problems (it used to wait until every other field passed)', () => {
    expect(problems({ ...valid, heartRate: 'fast', diastolicBP: 130, age: 3 })).to.deep.equal([
      { field: 'heartRate', message: 'must be a number between 20 and 250 bpm, got string' },
      { field: 'age', message: 'is not a known field; allowed: heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation' },
      { field: 'diastolicBP', message: 'must be below systolicBP (125 mmHg), got 130' },
    ]);
  });

  it('lists the first 100 problems of an object with 124,000 unknown keys and counts them all (it used to overflow the stack)', () => {
    const body: Record<string, number> = { ...valid };
    for (let i = 0; i < 124_000; i++) body[`k${i}`] = i;
    const result = validateVitals(FEATURES, body);
    expect(result.ok).to.be.false;
    if (result.ok) return;
    expect(result.details).to.have.length(MAX_LISTED_PROBLEMS);
    expect(result.total).to.equal(124_000);
  });

  it('shortens a very long unknown key in the field it names', () => {
    const [problem] = problems({ ...valid, ['x'.repeat(100_000)]: 1 });
    expect(problem?.field).to.equal(`${'x'.repeat(64)}…`);
  });
});

describe('validateBatch', () => {
  const model = { features: [...FEATURES] };

  it('returns the rows in order when all are valid', () => {
    const rows = [valid, { ...valid, heartRate: 120 }];
    expect(validateBatch(model, { instances: rows }, 10)).to.deep.equal({ ok: true, value: rows });
  });

  const cases: Array<[string, unknown, FieldProblem[]]> = [
    ['rejects a body without instances', {}, [{ field: 'instances', message: 'must be an array of 1 to 3 patients, got undefined' }]],
    ['rejects a bare array', [valid], [{ field: 'body', message: 'must be a JSON object {"instances": [...]}, got an array' }]],
    ['rejects an empty batch', { instances: [] }, [{ field: 'instances', message: 'must hold 1 to 3 patients, got 0' }]],
    ['rejects a batch over the limit', { instances: [valid, valid, valid, valid] }, [{ field: 'instances', message: 'must hold 1 to 3 patients, got 4' }]],
    ['rejects an unknown top-level field', { instances: [valid], debug: true }, [{ field: 'debug', message: 'is not a known field; allowed: instances' }]],
    [
      'names invalid rows by index',
      { instances: [valid, { ...valid, heartRate: 10 }, 7] },
      [
        { field: 'instances[1].heartRate', message: 'must be between 20 and 250 bpm, got 10' },
        { field: 'instances[2]', message: 'must be a JSON object with heartRate, systolicBP, diastolicBP, temperature, oxygenSaturation, got number' },
      ],
    ],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => {
      const result = validateBatch(model, body, 3);
      expect(result.ok ? [] : result.details).to.deep.equal(expected);
    });
  }

  it('lists at most 100 problems of 10,000 empty rows, with the total and the rows affected', () => {
    const result = validateBatch(model, { instances: Array.from({ length: 10_000 }, () => ({})) }, 10_000);
    expect(result.ok).to.be.false;
    if (result.ok) return;
    expect(result.details).to.have.length(100);
    expect(result.details[99]?.field).to.equal('instances[19].oxygenSaturation');
    expect([result.total, result.invalidRows]).to.deep.equal([50_000, 10_000]);
  });
});
