import { expect } from 'chai';
import { parseTrainArgs, UsageError } from './train-args.js';

describe('train command line', () => {
  it('uses 1,000 samples, seed 42 and model.json by default', () => {
    expect(parseTrainArgs([])).to.include({ samples: 1000, seed: 42, out: 'model.json', dataOut: undefined, help: false });
  });

  it('reads the flags the README shows, in both spellings', () => {
    const args = parseTrainArgs(['--samples', '500', '--seed=7', '--out', 'm.json', '--data-out=d.csv', '--steps', '200', '--learning-rate', '0.01']);
    expect(args).to.include({ samples: 500, seed: 7, out: 'm.json', dataOut: 'd.csv', numSteps: 200, learningRate: 0.01 });
  });

  const bad: Array<[string[], RegExp]> = [
    [['--samples', 'many'], /--samples must be an integer from 30 to 1000000, got "many"/],
    [['--samples', '10'], /--samples must be an integer from 30/],
    [['--seed', '1.5'], /--seed must be an integer from 0 to 4294967295, got "1.5"/],
    [['--test-fraction', '1'], /--test-fraction must be a number > 0 and < 1/],
    [['--learning-rate', '0'], /--learning-rate must be a number > 0 and <= 10/],
    [['--out'], /--out needs a value/],
    [['--out', '--seed', '3'], /--out needs a value/],
    [['--epochs', '3'], /unknown option --epochs/],
    [['model.json'], /unexpected argument "model.json"/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')} with a message naming the flag`, () => {
      expect(() => parseTrainArgs(argv)).to.throw(UsageError, message);
    });
  }
});
