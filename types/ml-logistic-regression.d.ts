// Types for ml-logistic-regression 2.0.0, which ships none. Only the surface we use.
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';

  export interface LogisticRegressionOptions {
    numSteps?: number;
    learningRate?: number;
  }

  export interface TwoClassJSON {
    numSteps: number;
    learningRate: number;
    weights: Matrix | number[][];
  }

  export interface LogisticRegressionJSON {
    name: 'LogisticRegression';
    numSteps: number;
    learningRate: number;
    numberClasses: number;
    classifiers: TwoClassJSON[];
  }

  /** One binary sub-model of the one-vs-all ensemble; trained with its own class as 0. */
  export interface LogisticRegressionTwoClasses {
    weights: Matrix;
    testScores(features: Matrix): number[];
  }

  /** One-vs-all logistic regression; labels must be 0..K-1 and X needs its own intercept column. */
  export default class LogisticRegression {
    constructor(options?: LogisticRegressionOptions);
    numberClasses: number;
    classifiers: LogisticRegressionTwoClasses[];
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
    toJSON(): LogisticRegressionJSON;
    static load(model: LogisticRegressionJSON): LogisticRegression;
  }
}
