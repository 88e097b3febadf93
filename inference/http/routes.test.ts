import { expect } from 'chai';
import { countsAsLoad } from './routes.js';

describe('what counts as load (the in-flight gauge)', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['/predict', true],
    ['/predict/batch', true],
    ['/v2/models/{name}/infer', true],
    ['/model', true],
    ['/drift', true],
    [undefined, true],
    ['/healthz', false],
    ['/readyz', false],
    ['/metrics', false],
    ['/v2/health/live', false],
    ['/v2/health/ready', false],
    ['/v2/models/{name}/ready', false],
    ['/v2/models/{name}/versions/{version}/ready', false],
  ];
  for (const [route, load] of cases) {
    it(`${load ? 'counts' : 'does not count'} a request to ${route ?? 'no route (404, static files)'}`, () => {
      expect(countsAsLoad(route)).to.equal(load);
    });
  }
});
