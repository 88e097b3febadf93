import { expect } from 'chai';
import { median, notes, settled, summarize, table, timeRatios, toJson, type Run } from './figures.js';
import { DEFAULTS, type Options } from './options.js';

const options: Options = { ...DEFAULTS };

function run(over: Partial<Run>): Run {
  return {
    scaler: 'RequestsPerSecond', target: 40, firstUpSeconds: 10, maxReadySeconds: 20, highestReplicas: 3, sent: 9000, lost: 0, byCode: { 200: 9000 },
    heldRate: 120, readings: [55, 50, 41, 39], podRates: [58, 52, 40, 40], replicas: [3, 3, 3, 3], downSeconds: 33,
    load: { up: [2, 3.5], hold: [3], down: [2.5, 2] }, ...over,
  };
}

const cpuRun = run({ scaler: 'CPU', target: 50, firstUpSeconds: 14, maxReadySeconds: undefined, highestReplicas: 2, readings: [30, 26, 26, 25], replicas: [2, 2, 2, 2], downSeconds: 24 });

describe('bench:autoscaling figures', () => {
  it('takes the median of an odd and an even count, ignoring what is not a number, and none of nothing', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([NaN, 5])).to.equal(5);
    expect(median([])).to.equal(undefined);
  });

  it('reads a settled value from the second half of the samples, leaving out the first scrapes of new pods', () => {
    expect(settled([55, 50, 41, 39])).to.equal(40);
    expect(settled([55, 41, 39])).to.equal(40);
    expect(settled([7])).to.equal(7);
  });

  it('summarizes a run: the settled reading ÷ target, the rate sent per settled pod, the highest load of each phase', () => {
    const s = summarize(run({}));
    expect(s).to.include({ reading: 40, readingRatio: 1, podRate: 40, sentPerPod: 40, firstUpSeconds: 10, maxReadySeconds: 20, downSeconds: 33 });
    expect(s.load).to.deep.equal({ up: 3.5, hold: 3, down: 2.5 });
    expect(summarize(run({ readings: [], load: { up: [], hold: [], down: [] } }))).to.include({ reading: undefined, readingRatio: undefined }).and.nested.include({ 'load.up': undefined });
  });

  it('divides each RequestsPerSecond time by CPU\'s, and gives none where either is missing', () => {
    expect(timeRatios(summarize(run({})), summarize(cpuRun))).to.deep.equal({ firstUp: 10 / 14, maxReady: undefined, down: 33 / 24 });
  });

  it('prints one row a run and the ratio row, saying when CPU never reached maxReplicas', () => {
    const lines = table(summarize(run({})), summarize(cpuRun), options);
    expect(lines).to.have.length(5);
    expect(lines[0]).to.match(/^scales on\s+target\s+first scale-up\s+3 Ready\s+back to 1\s+lost \/ sent/);
    expect(lines[2]).to.match(/^CPU\s+50%\s+14 s\s+not in 180 s \(highest 2\)\s+24 s\s+0 \/ 9000\s+25\.5% \(0\.51×\)\s+40\.0 \/ 60\.0\s+3\.50 \/ 3\.00 \/ 2\.50$/);
    expect(lines[3]).to.match(/^RequestsPerSecond\s+40 req\/s\/pod\s+10 s\s+20 s\s+33 s\s+0 \/ 9000\s+40\.0 req\/s \(1\.00×\)\s+40\.0 \/ 40\.0/);
    expect(lines[4]).to.match(/^RPS ÷ CPU\s+0\.71×\s+—\s+1\.38×$/);
  });

  it('says "never up" for a run that stayed at minReplicas, with no way back to time and no load for that phase', () => {
    const idle = summarize(run({ scaler: 'CPU', target: 50, firstUpSeconds: undefined, maxReadySeconds: undefined, highestReplicas: 1, downSeconds: undefined }));
    expect(table(summarize(run({})), idle, options)[2]).to.match(/^CPU\s+50%\s+none in 180 s\s+not in 180 s \(highest 1\)\s+— \(never up\)/);
    expect(table(summarize(run({})), summarize(run({ scaler: 'CPU', load: { up: [4], hold: [4], down: [] } })), options)[2]).to.match(/4\.00 \/ 4\.00 \/ —$/);
  });

  it('notes a run that never had maxReplicas Ready and requests lost', () => {
    expect(notes(summarize(run({ lost: 3 })), summarize(cpuRun), options)).to.deep.equal([
      'CPU at 50% never had 3 Ready within 180 s of 120 req/s (highest desired 2), so the ratio of that time is missing.',
      'RequestsPerSecond lost 3 of 9000 requests.',
    ]);
    expect(notes(summarize(run({})), summarize(run({ scaler: 'CPU', target: 50 })), options)).to.deep.equal([]);
  });

  it('writes the options with the replica bounds, both summaries, the ratios and the raw runs as JSON, a time that never came as null', () => {
    const json = JSON.parse(toJson({ rps: run({}), cpu: cpuRun }, options, new Date('2026-12-06T23:00:00Z'))) as Record<string, Record<string, Record<string, unknown>>>;
    expect(json).to.have.keys('date', 'options', 'summary', 'runs');
    expect(json['date']).to.equal('2026-12-06T23:00:00.000Z');
    expect(json['options']).to.include({ rate: 120, minReplicas: 1, maxReplicas: 3 });
    expect(json['summary']).to.have.keys('cpu', 'rps', 'rpsOverCpu');
    expect(json['summary']?.['cpu']).to.include({ maxReadySeconds: null, firstUpSeconds: 14 });
    expect(json['summary']?.['rpsOverCpu']).to.include({ maxReady: null });
    expect(json['runs']?.['cpu']).to.include({ maxReadySeconds: null });
  });
});
